#version 450
// fixtures/private_arrays.spl: sort_rows
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

const int K = 4;

layout(std430, set = 0, binding = 0) readonly buffer RowsBuf { int rows[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int r = int(gl_GlobalInvocationID.x);
    if (r >= params.n) {
        return;
    }
    int v[K] = int[K](0, 0, 0, 0);
    for (int j = 0; j < K; j += 1) {
        v[j] = rows[r * K + j];
    }
    for (int sweep = 0; sweep < K - 1; sweep += 1) {
        for (int j = 0; j < K - 1 - sweep; j += 1) {
            if (!(v[j] <= v[j + 1])) {
                int t = v[j];
                v[j] = v[j + 1];
                v[j + 1] = t;
            }
        }
    }
    for (int j = 0; j < K; j += 1) {
        out_[r * K + j] = v[j];
    }
}

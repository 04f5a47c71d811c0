#version 450
// fixtures/matmul.spl: matmul
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer CBuf { float c[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) int n;
    layout(offset = 4) int m;
    layout(offset = 8) int k;
} params;

void main() {
    int row = int(gl_GlobalInvocationID.y);
    int col = int(gl_GlobalInvocationID.x);
    if (row < params.n && col < params.m) {
        float acc = 0.0;
        int t_end = params.k;
        for (int t = 0; t < t_end; t += 1) {
            acc += a[row * params.k + t] * b[t * params.m + col];
        }
        c[row * params.m + col] = acc;
    }
}

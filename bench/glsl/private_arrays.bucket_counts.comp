#version 450
// fixtures/private_arrays.spl: bucket_counts
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { int x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= params.n) {
        return;
    }
    float zeros[2] = float[2](0.0, 0.0);
    int total = 0;
    for (int round_ = 0; round_ < 3; round_ += 1) {
        int counts[4] = int[4](0, 0, 0, 0);
        for (int j = 0; j < 8; j += 1) {
            counts[(x[i] + j * round_) % 4] += 1;
        }
        total = total * 10 + counts[round_];
    }
    out_[i] = total + int(zeros[1]);
}

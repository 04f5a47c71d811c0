#version 450
// fixtures/reduce.spl: group_max
layout(local_size_x = 128, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer InputBuf { int input_[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };

const int TILE = 16;

shared int best[TILE * 8];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    best[lid] = input_[int(gl_GlobalInvocationID.x)];
    barrier();
    int s = TILE * 4;
    while (s > 0) {
        if (lid < s) {
            best[lid] = max(best[lid], best[lid + s]);
        }
        barrier();
        s >>= 1;
    }
    if (lid == 0) {
        out_[int(gl_WorkGroupID.x)] = best[0];
    }
}

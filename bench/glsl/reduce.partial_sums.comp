#version 450
// fixtures/reduce.spl: partial_sums
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer InputBuf { float input_[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { float out_[]; };

shared float acc[256];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    int gid = int(gl_GlobalInvocationID.x);
    acc[lid] = gid < input_.length() ? input_[gid] : 0.0;
    barrier();
    int stride = int(gl_WorkGroupSize.x) / 2;
    while (stride > 0) {
        if (lid < stride) {
            acc[lid] += acc[lid + stride];
        }
        barrier();
        stride = stride / 2;
    }
    if (lid == 0) {
        out_[int(gl_WorkGroupID.x)] = acc[0];
    }
}

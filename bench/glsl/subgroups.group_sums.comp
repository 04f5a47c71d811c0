#version 450
// fixtures/subgroups.spl: group_sums
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x = 128, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer InputBuf { int input_[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };

shared int partial_[128];

void main() {
    int total = subgroupAdd(input_[gl_GlobalInvocationID.x]);
    if (subgroupElect()) {
        partial_[gl_SubgroupID] = total;
    }
    barrier();
    if (gl_SubgroupID == 0) {
        int s = 0;
        for (uint j = gl_SubgroupInvocationID; j < gl_NumSubgroups; j += gl_SubgroupSize) {
            s += partial_[j];
        }
        int group_total = subgroupAdd(s);
        if (gl_LocalInvocationID.x == 0) {
            out_[gl_WorkGroupID.x] = group_total;
        }
    }
}

#version 450
// fixtures/subgroups.spl: group_scan
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer DataBuf { int data[]; };

shared int before[64];

void main() {
    uint i = gl_GlobalInvocationID.x;
    int inclusive = subgroupInclusiveAdd(data[i]);
    if (gl_SubgroupInvocationID == gl_SubgroupSize - 1) {
        before[gl_SubgroupID] = inclusive;
    }
    barrier();
    int offset = 0;
    for (uint s = 0; s < gl_SubgroupID; s++) {
        offset += before[s];
    }
    data[i] = inclusive + offset;
}

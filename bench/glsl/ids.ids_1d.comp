#version 450
// fixtures/ids.spl: ids_1d
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };

void main() {
    int base = int(gl_GlobalInvocationID.x) * 8;
    out_[base] = int(gl_GlobalInvocationID.x);
    out_[base + 1] = int(gl_LocalInvocationID.x);
    out_[base + 2] = int(gl_WorkGroupID.x);
    out_[base + 3] = int(gl_NumWorkGroups.x * gl_WorkGroupSize.x);
    out_[base + 4] = int(gl_WorkGroupSize.x);
    out_[base + 5] = int(gl_NumWorkGroups.x);
    out_[base + 6] = int(gl_LocalInvocationID.x) + int(gl_WorkGroupID.x) * int(gl_WorkGroupSize.x);
    out_[base + 7] = int(gl_GlobalInvocationID.x) - int(gl_LocalInvocationID.x) - int(gl_WorkGroupID.x) * 64;
}

#version 450
// fixtures/ids.spl: ids_3d
layout(local_size_x = 4, local_size_y = 2, local_size_z = 2) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };

void main() {
    int x = int(gl_GlobalInvocationID.x);
    int y = int(gl_GlobalInvocationID.y);
    int z = int(gl_GlobalInvocationID.z);
    int cell = ((z * int(gl_NumWorkGroups.y * gl_WorkGroupSize.y) + y)
                * int(gl_NumWorkGroups.x * gl_WorkGroupSize.x) + x) * 7;
    out_[cell] = int(gl_GlobalInvocationID.z);
    out_[cell + 1] = int(gl_LocalInvocationID.z);
    out_[cell + 2] = int(gl_WorkGroupID.z);
    out_[cell + 3] = int(gl_WorkGroupID.z) + int(gl_WorkGroupID.y) * 10 + int(gl_WorkGroupID.x) * 100;
    out_[cell + 4] = int(gl_WorkGroupSize.z) * 100 + int(gl_NumWorkGroups.z);
    out_[cell + 5] = int(gl_LocalInvocationID.y) * 10 + int(gl_LocalInvocationID.z);
    out_[cell + 6] = int(gl_NumWorkGroups.z * gl_WorkGroupSize.z);
}

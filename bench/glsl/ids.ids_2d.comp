#version 450
// fixtures/ids.spl: ids_2d
layout(local_size_x = 8, local_size_y = 4, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };

void main() {
    int x = int(gl_GlobalInvocationID.x);
    int y = int(gl_GlobalInvocationID.y);
    int cell = (y * int(gl_NumWorkGroups.x * gl_WorkGroupSize.x) + x) * 6;
    out_[cell] = int(gl_GlobalInvocationID.y);
    out_[cell + 1] = int(gl_LocalInvocationID.y);
    out_[cell + 2] = int(gl_WorkGroupID.y);
    out_[cell + 3] = int(gl_WorkGroupSize.y);
    out_[cell + 4] = int(gl_NumWorkGroups.y);
    out_[cell + 5] = int(gl_NumWorkGroups.y * gl_WorkGroupSize.y) + int(gl_LocalInvocationID.x) * 1000;
}

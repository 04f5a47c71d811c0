#version 450
// fixtures/upstream_vulkan.spl: offset_copy
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer InputBuf { uint input_[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutputBuf { uint output_[]; };

void main() {
    uint i = gl_GlobalInvocationID.x;
    output_[i + 50u] = input_[i] * 2u;
}

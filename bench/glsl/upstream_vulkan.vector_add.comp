#version 450
// fixtures/upstream_vulkan.spl: vector_add
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { uint a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { uint b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutputBuf { uint output_[]; };
layout(push_constant) uniform Params { layout(offset = 0) uint n; } params;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < params.n) {
        output_[i] = a[i] + b[i];
    }
}

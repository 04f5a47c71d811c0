#version 450
// fixtures/upstream_vulkan.spl: claim_slots
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer KeysBuf { uint keys[]; };
layout(std430, set = 0, binding = 1) buffer SlotsBuf { uint slots[]; };
layout(std430, set = 0, binding = 2) buffer ClaimedBuf { uint claimed[]; };
layout(push_constant) uniform Params { layout(offset = 0) uint n; } params;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < params.n) {
        uint old = atomicCompSwap(slots[keys[i]], 0u, 1u);
        if (old == 0u) {
            atomicAdd(claimed[0], 1u);
        }
        memoryBarrier();
    }
}

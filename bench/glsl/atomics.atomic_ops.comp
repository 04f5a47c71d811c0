#version 450
// fixtures/atomics.spl: atomic_ops
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ValsBuf { int vals[]; };
layout(std430, set = 0, binding = 1) buffer AccBuf { int acc[]; };
layout(std430, set = 0, binding = 2) buffer BitsBuf { uint bits[]; };
layout(std430, set = 0, binding = 3) buffer SlotsBuf { int slots[]; };
layout(std430, set = 0, binding = 4) writeonly buffer OldsBuf { int olds[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    int v = vals[i];
    uint bit = 1u << ((i % 32) & 31);
    atomicAdd(acc[0], v);
    atomicAdd(acc[1], -v);  // atomic_sub
    atomicMin(acc[2], v);
    atomicMax(acc[3], v);
    atomicAnd(bits[0], ~bit);
    atomicOr(bits[1], bit);
    atomicXor(bits[2], uint(v));
    olds[i] = atomicExchange(slots[i], v);
    // a counter incremented with a compare-exchange loop
    bool done = false;
    while (!done) {
        int seen = atomicAdd(acc[4], 0);
        done = atomicCompSwap(acc[4], seen, seen + 1) == seen;
    }
    // claim the own slot only if it still holds its original value
    atomicCompSwap(slots[i], v, v * 2);
}

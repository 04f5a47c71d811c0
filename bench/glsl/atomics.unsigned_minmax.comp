#version 450
// fixtures/atomics.spl: unsigned_minmax
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ValsBuf { uint vals[]; };
layout(std430, set = 0, binding = 1) buffer AccBuf { uint acc[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    atomicMin(acc[0], vals[i]);
    atomicMax(acc[1], vals[i]);
    atomicAdd(acc[2], uint(-1));  // atomic_sub(&acc[2], 1)
}

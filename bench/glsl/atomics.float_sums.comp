#version 450
#extension GL_EXT_shader_atomic_float : require
// fixtures/atomics.spl: float_sums
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, set = 0, binding = 1) buffer TotalBuf { float total[]; };

shared float part[1];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    if (lid == 0) {
        part[0] = 0.0;
    }
    barrier();
    atomicAdd(part[0], x[int(gl_GlobalInvocationID.x)]);
    barrier();
    if (lid == 0) {
        memoryBarrier();
        atomicAdd(total[0], part[0]);
    }
}

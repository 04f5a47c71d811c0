#version 450
// fixtures/atomics.spl: histogram
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ValuesBuf { uint values[]; };
layout(std430, set = 0, binding = 1) buffer BinsBuf { uint bins[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < values.length()) {
        atomicAdd(bins[values[i] % uint(bins.length())], 1u);
    }
}

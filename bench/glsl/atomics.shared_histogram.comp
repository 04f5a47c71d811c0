#version 450
// fixtures/atomics.spl: shared_histogram
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ValuesBuf { uint values[]; };
layout(std430, set = 0, binding = 1) buffer BinsBuf { uint bins[]; };

shared uint local_bins[16];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    if (lid < 16) {
        local_bins[lid] = 0u;
    }
    barrier();
    int i = int(gl_GlobalInvocationID.x);
    atomicAdd(local_bins[values[i] % 16u], 1u);
    barrier();
    if (lid < 16) {
        atomicAdd(bins[lid], local_bins[lid]);
    }
}

#version 450
// fixtures/upstream_vulkan.spl: block_sums
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer DataBuf { float data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer SumsBuf { float sums[]; };
layout(std430, set = 0, binding = 2) buffer DoneBuf { uint blocks_done[]; };

shared float tile[64];

void main() {
    int tid = int(gl_LocalInvocationID.x);
    int gid = int(gl_WorkGroupID.x) * int(gl_WorkGroupSize.x) + tid;
    tile[tid] = data[gid];
    barrier();
    int stride = int(gl_WorkGroupSize.x) / 2;
    while (stride > 0) {
        if (tid < stride) {
            tile[tid] += tile[tid + stride];
        }
        barrier();
        stride = stride / 2;
    }
    if (tid == 0) {
        sums[int(gl_WorkGroupID.x)] = tile[0];
        atomicAdd(blocks_done[0], 1u);
    }
}

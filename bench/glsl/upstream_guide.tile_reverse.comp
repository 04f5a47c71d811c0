#version 450
// fixtures/upstream_guide.spl: tile_reverse
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { int src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { int dst[]; };

shared int tile[32];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    int gid = int(gl_GlobalInvocationID.x);
    tile[lid] = src[gid];
    barrier();
    dst[gid] = tile[32 - 1 - lid];
}

#version 450
// fixtures/upstream_spec.spl: neighbour_sum (@simd: an access outside 0..len ends the work item)
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { float src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { float dst[]; };

shared float tile[64];

void main() {
    int i = int(gl_GlobalInvocationID.x);
    int lid = int(gl_LocalInvocationID.x);
    bool alive = uint(i) < uint(src.length());
    if (alive) {
        tile[lid] = src[i];
    }
    barrier();
    if (!alive) {
        return;
    }
    float acc = 0.0;
    for (int d = -1; d <= 1; d++) {
        int j = lid + d;
        if (0 <= j && j < 64) {
            acc += tile[j];
        }
    }
    if (uint(i) >= uint(dst.length())) {
        return;
    }
    dst[i] = acc;
}

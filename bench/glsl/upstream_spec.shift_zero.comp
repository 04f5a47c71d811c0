#version 450
// fixtures/upstream_spec.spl: shift_zero (@bounds(default=zero): reads out of range are 0,
// writes out of range are skipped)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { int src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { int dst[]; };
layout(push_constant) uniform Params { layout(offset = 0) int k; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    int j = i - params.k;
    int v = (0 <= j && j < src.length()) ? src[j] : 0;
    if (0 <= i && i < dst.length()) {
        dst[i] = v + 1;
    }
}

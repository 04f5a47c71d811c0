#version 450
// fixtures/stencil.spl: jacobi
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { float src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { float dst[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) int w;
    layout(offset = 4) int h;
} params;

void main() {
    int x = int(gl_GlobalInvocationID.x);
    int y = int(gl_GlobalInvocationID.y);
    if (x >= params.w || y >= params.h) {
        return;
    }
    int i = y * params.w + x;
    if (x == 0 || y == 0 || x == params.w - 1 || y == params.h - 1) {
        dst[i] = src[i];
    } else {
        dst[i] = 0.25 * (src[i - 1] + src[i + 1] + src[i - params.w] + src[i + params.w]);
    }
}

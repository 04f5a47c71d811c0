#version 450
// fixtures/stencil.spl: blur3
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { float src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { float dst[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    int n = src.length();
    if (i < n) {
        float left = i > 0 ? src[i - 1] : src[i];
        float right = i + 1 < n ? src[i + 1] : src[i];
        dst[i] = (left + src[i] + right) / 3.0;
    }
}

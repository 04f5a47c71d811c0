#version 450
// fixtures/upstream_spec.spl: shift_clamp (@bounds(default=clamp): indexes clamped into 0..len-1)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { float src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer DstBuf { float dst[]; };
layout(push_constant) uniform Params { layout(offset = 0) int k; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    float v = src[clamp(i + params.k, 0, src.length() - 1)];
    dst[clamp(i, 0, dst.length() - 1)] = v;
}

#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/int_types.spl: small_scalars
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) int8_t k8;
    layout(offset = 2) int16_t k16;
    layout(offset = 4) uint8_t u8k;
    layout(offset = 6) uint16_t u16k;
    layout(offset = 8) int64_t k64;
    layout(offset = 16) uint64_t u64k;
} params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < out_.length()) {
        int s = int(params.k8) + int(params.k16) * 2 + int(params.u8k) * 3 + int(params.u16k) * 4;
        out_[i] = s + int(params.k64 + int64_t(params.u64k) + int64_t(i));
    }
}

#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/int_types.spl: int_types
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer A8Buf { int8_t a8[]; };
layout(std430, set = 0, binding = 1) readonly buffer A16Buf { int16_t a16[]; };
layout(std430, set = 0, binding = 2) buffer A64Buf { int64_t a64[]; };
layout(std430, set = 0, binding = 3) writeonly buffer B8Buf { uint8_t b8[]; };
layout(std430, set = 0, binding = 4) writeonly buffer B16Buf { uint16_t b16[]; };
layout(std430, set = 0, binding = 5) readonly buffer B32Buf { uint b32[]; };
layout(std430, set = 0, binding = 6) buffer B64Buf { uint64_t b64[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= params.n) {
        return;
    }
    int8_t x8 = a8[i];
    int16_t x16 = a16[i];
    int8_t doubled = x8 * int8_t(2);
    int64_t wide = int64_t(i);
    a64[i] = int64_t(x8) * int64_t(x16) + a64[i] + wide + int64_t(doubled);
    b8[i] = uint8_t(x8) ^ uint8_t(0x5a);
    b16[i] = uint16_t(x16) >> 3;
    b64[i] = uint64_t(b32[i]) + b64[i] * 3ul;
    uint64_t big = uint64_t(b32[i]);
    b64[i] += big << 32;
}

#version 450
// fixtures/bitops.spl: int_ops
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { int a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { int b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer QBuf { int q[]; };
layout(std430, set = 0, binding = 3) writeonly buffer RBuf { int r[]; };
layout(std430, set = 0, binding = 4) writeonly buffer BitsBuf { uint bits[]; };
layout(std430, set = 0, binding = 5) writeonly buffer MiscBuf { int misc[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

// Rust remainder (truncating): GLSL's % is undefined for negative operands.
int srem(int x, int y) {
    return x - (x / y) * y;
}

// Integer power by squaring; a negative exponent gives 1, -1 or 0.
int ipow(int base, int e) {
    int result = 1;
    int sq = base;
    for (uint k = uint(e); k != 0u; k >>= 1) {
        if ((k & 1u) != 0u) {
            result *= sq;
        }
        sq *= sq;
    }
    if (e < 0) {
        result = base == 1 ? 1 : (base == -1 ? ((e & 1) != 0 ? -1 : 1) : 0);
    }
    return result;
}

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        q[i] = a[i] / b[i];
        r[i] = srem(a[i], b[i]);
        uint x = uint(a[i]);
        x &= 0xffff0000u | 0xffu;
        x |= 1u << 4;
        x ^= 0x0f0fu;
        x <<= 3;
        x >>= 2;
        bits[i] = x + uint(~0xf0 & 0xff);
        int y = a[i];
        y += 1000;
        y -= 3;
        y *= 2;
        y /= 3;
        y = srem(y, 1000);
        y >>= 1;
        y <<= 2;
        misc[i] = (y + 1024 /* 2 ** 10 */ - ipow(srem(y, 7), 2) + ((-y) >> 2)) ^ ((y & 0x3c) | 1);
    }
}

#version 450
// fixtures/bitops.spl: powers
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { float out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

// x ** y as C's pow: GLSL's pow is undefined for x < 0 and for x == 0, y <= 0.
float spow(float x, float y) {
    float r = pow(abs(x), y);
    if (x == 0.0) {
        r = y < 0.0 ? uintBitsToFloat(0x7f800000u) : 0.0;
    }
    if (x < 0.0) {
        bool odd = trunc(y * 0.5) != y * 0.5;
        r = trunc(y) == y ? (odd ? -r : r) : uintBitsToFloat(0x7fc00000u);
    }
    if (y == 0.0 || x == 1.0) {
        r = 1.0;
    }
    return r;
}

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        float v = x[i];
        out_[i] = spow(v, 2.0) + -spow(v, 2.0) * 0.5 + spow(2.0, v);
    }
}

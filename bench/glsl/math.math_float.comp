#version 450
// fixtures/math.spl: math_float
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { float out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

// pow as C's pow: GLSL's pow is undefined for x < 0 and for x == 0, y <= 0.
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

// asin and acos through atan2, accurate near +-1 (GLSL's are loosely specified).
float asin_(float v) {
    return atan(v, sqrt((1.0 - v) * (1.0 + v)));
}

float acos_(float v) {
    return atan(sqrt((1.0 - v) * (1.0 + v)), v);
}

// Round half away from zero (GLSL's round leaves halves to the implementation).
float round_(float v) {
    float t = trunc(v);
    float d = v - t;
    return abs(d) >= 0.5 ? t + sign(d) : t;
}

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        float v = x[i];
        int o = i * 31;
        out_[o] = sqrt(v);
        out_[o + 1] = inversesqrt(v);
        out_[o + 2] = sin(v);
        out_[o + 3] = cos(v);
        out_[o + 4] = tan(v);
        out_[o + 5] = asin_(v);
        out_[o + 6] = acos_(v);
        out_[o + 7] = atan(v);
        out_[o + 8] = atan(v, 0.5);
        out_[o + 9] = sinh(v);
        out_[o + 10] = cosh(v);
        out_[o + 11] = tanh(v);
        out_[o + 12] = exp(v);
        out_[o + 13] = exp2(v);
        out_[o + 14] = log(v);
        out_[o + 15] = log2(v);
        out_[o + 16] = spow(v, 1.5);
        out_[o + 17] = abs(0.25 - v);
        out_[o + 18] = sign(v - 0.5);
        out_[o + 19] = floor(v * 10.0);
        out_[o + 20] = ceil(v * 10.0);
        out_[o + 21] = round_(v * 10.0);
        out_[o + 22] = trunc(-v * 10.0);
        out_[o + 23] = fract(v * 10.0);
        out_[o + 24] = min(v, 0.5) + max(v, 0.25);
        out_[o + 25] = clamp(v, 0.3, 0.7);
        out_[o + 26] = fma(v, 2.0, 0.125);
        out_[o + 27] = mix(1.0, 3.0, v);
        out_[o + 28] = step(0.5, v) + step(0.25, v);
        out_[o + 29] = smoothstep(0.2, 0.8, v);
        out_[o + 30] = sqrt(v) + min(v, 0.5);
    }
}

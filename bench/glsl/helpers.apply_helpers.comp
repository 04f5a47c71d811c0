#version 450
// fixtures/helpers.spl: apply_helpers
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float b[]; };
layout(std430, set = 0, binding = 2) readonly buffer TBuf { float t[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutBuf { float out_[]; };
layout(std430, set = 0, binding = 4) writeonly buffer StepsBuf { int steps[]; };

float lerp(float a, float b, float t) {
    return a + (b - a) * t;
}

float smooth_(float t) {
    return t * t * (3.0 - 2.0 * t);
}

float blend(float a, float b, float t) {
    return lerp(a, b, smooth_(clamp(t, 0.0, 1.0)));
}

bool is_even(int n) {
    return n % 2 == 0;  // only the zero test matters, so % is exact here
}

int collatz_steps(int start) {
    int n = start;
    int steps = 0;
    while (n != 1) {
        n = is_even(n) ? n / 2 : 3 * n + 1;
        steps += 1;
    }
    return steps;
}

int sign_name(int x) {
    if (x < 0) {
        return -1;
    } else if (x == 0) {
        return 0;
    }
    return 1;
}

void sync() {
    barrier();
}

void main() {
    int i = int(gl_GlobalInvocationID.x);
    out_[i] = blend(a[i], b[i], t[i]);
    sync();
    steps[i] = collatz_steps(i + 1) * 10 + sign_name(i % 3 - 1);
}

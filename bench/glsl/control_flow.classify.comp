#version 450
// fixtures/control_flow.spl: classify
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { int x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };
layout(std430, set = 0, binding = 2) buffer CallsBuf { int calls[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

// Rust remainder (truncating): GLSL's % is undefined for negative operands.
int srem(int a, int b) {
    return a - (a / b) * b;
}

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= params.n) {
        return;
    }
    int v = x[i];
    int r = 0;
    if (v < -50) {
        r = 1;
    } else if (v < 0) {
        r = 2;
    } else if (v == 0) {
    } else {
        r = 3;
    }
    r = r * 10 + (srem(v, 2) == 0 ? 1 : 2);
    r = r * 10 + (v > 10 && v < 20 ? 7 : 8);
    r = r * 10 + (v < -90 ? 1 : (v < 90 ? 2 : 3));
    // the right operands only run when needed: `calls` counts them
    if (v > 0 || atomicAdd(calls[0], 1) >= 0) {
        r = r * 10 + 1;
    }
    if (v > 0 && atomicAdd(calls[1], 1) < 0) {
        r = 0;
    }
    bool safe = i + 1 < params.n && x[i + 1] > v;
    r = r * 10 + (safe ? 1 : 0);
    out_[i] = r;
}

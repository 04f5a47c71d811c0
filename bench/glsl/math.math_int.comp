#version 450
// fixtures/math.spl: math_int
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { int x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        int v = x[i];
        int o = i * 5;
        out_[o] = abs(v);
        out_[o + 1] = sign(v);
        out_[o + 2] = min(v, 10) + min(v, -10);
        out_[o + 3] = max(v, 0) + max(v, 5);
        out_[o + 4] = clamp(v, -20, 20) + clamp(v, 0, 3);
    }
}

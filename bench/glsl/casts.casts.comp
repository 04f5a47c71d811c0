#version 450
// fixtures/casts.spl: casts
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer FBuf { float f[]; };
layout(std430, set = 0, binding = 1) writeonly buffer IOutBuf { int i_out[]; };
layout(std430, set = 0, binding = 2) writeonly buffer UOutBuf { uint u_out[]; };
layout(std430, set = 0, binding = 3) writeonly buffer FOutBuf { float f_out[]; };
layout(std430, set = 0, binding = 4) writeonly buffer BOutBuf { int b_out[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        float x = f[i];
        i_out[i] = int(x);
        u_out[i] = uint(abs(x)) + 0xffu;
        f_out[i] = float(i) * 1.5 + 1e-3 + float(0xff) - 1000.0 + 2.5e2;
        bool flag = x > 0.0;
        b_out[i] = int(flag) + int(bool(i % 3)) * 2 + (true ? 4 : 0) + (false ? 8 : 0);
    }
}

#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/float_types.spl: float_types
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer HBuf { float16_t h[]; };
layout(std430, set = 0, binding = 1) readonly buffer SBuf { float s[]; };
layout(std430, set = 0, binding = 2) buffer DBuf { double d[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        float16_t hs = h[i];
        h[i] = hs * float16_t(2.0) + float16_t(1.0);
        double wide = double(s[i]);
        d[i] = wide * 0.5lf + d[i] + double(hs);
    }
}

#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
#extension GL_EXT_shader_16bit_storage : require
// fixtures/vectors.spl: halves (@simd: f16vec4 loads and stores; items past the end stop)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { f16vec4 x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer YBuf { f16vec4 y[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= x.length()) {
        return;
    }
    f16vec4 h = x[i];
    if (i >= y.length()) {
        return;
    }
    y[i] = h * float16_t(2.0) - h / float16_t(4.0);
}

#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/float_types.spl: half_scale
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer HBuf { float16_t h[]; };
layout(push_constant) uniform Params { layout(offset = 0) float16_t k; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < h.length()) {
        h[i] = h[i] * params.k - float16_t(0.5);
    }
}

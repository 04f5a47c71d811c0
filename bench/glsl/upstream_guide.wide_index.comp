#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/upstream_guide.spl: wide_index
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int64_t out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int64_t n; layout(offset = 8) int64_t big; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (int64_t(i) < params.n) {
        out_[i] = int64_t(i) * params.big;
    }
}

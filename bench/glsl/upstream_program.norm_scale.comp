#version 450
// fixtures/upstream_program.spl: norm_scale
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer VBuf { float v[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { float out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) uint n; } params;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < params.n) {
        out_[i] = v[i] / (1.0 + abs(v[i]));
    }
}

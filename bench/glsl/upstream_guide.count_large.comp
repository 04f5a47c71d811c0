#version 450
#extension GL_EXT_shader_explicit_arithmetic_types : require
// fixtures/upstream_guide.spl: count_large
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ValuesBuf { int64_t values[]; };
layout(std430, set = 0, binding = 1) buffer HitsBuf { uint hits[]; };
layout(push_constant) uniform Params { layout(offset = 0) int64_t limit; layout(offset = 8) uint64_t n; } params;

void main() {
    uint64_t i = uint64_t(gl_GlobalInvocationID.x);
    if (i < params.n && values[uint(i)] > params.limit) {
        atomicAdd(hits[0], 1u);
    }
}

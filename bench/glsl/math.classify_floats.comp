#version 450
// fixtures/math.spl: classify_floats
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer FlagsBuf { int flags[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        float v = x[i];
        flags[i] = (isnan(v) ? 1 : 0) + (isinf(v) ? 2 : 0);
    }
}

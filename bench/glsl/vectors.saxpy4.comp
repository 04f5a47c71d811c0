#version 450
// fixtures/vectors.spl: saxpy4 (16-byte vec4 loads and stores)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { vec4 x[]; };
layout(std430, set = 0, binding = 1) buffer YBuf { vec4 y[]; };
layout(push_constant) uniform Params { layout(offset = 0) float a; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < x.length()) {
        y[i] = params.a * x[i] + y[i];
    }
}

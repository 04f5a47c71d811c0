#version 450
// fixtures/exact.spl: axpy_exact (`precise`: no contraction, as the kernel's @exact)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, set = 0, binding = 1) buffer YBuf { float y[]; };
layout(push_constant) uniform Params { layout(offset = 0) float a; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    precise float r = params.a * x[i] + y[i];
    y[i] = r;
}

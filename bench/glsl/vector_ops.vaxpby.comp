#version 450
// fixtures/vector_ops.spl: vaxpby
layout(local_size_x = 128, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer XBuf { double x[]; };
layout(std430, set = 0, binding = 1) buffer YBuf { double y[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) double alpha;
    layout(offset = 8) double beta;
    layout(offset = 16) int n;
} params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < params.n) {
        y[i] = params.alpha * x[i] + params.beta * y[i];
    }
}

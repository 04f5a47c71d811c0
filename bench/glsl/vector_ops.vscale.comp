#version 450
// fixtures/vector_ops.spl: vscale
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer XBuf { int x[]; };
layout(push_constant) uniform Params { layout(offset = 0) int k; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < x.length()) {
        x[i] *= params.k;
    }
}

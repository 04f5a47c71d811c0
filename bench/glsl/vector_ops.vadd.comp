#version 450
// fixtures/vector_ops.spl: vadd
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutBuf { float out_[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < out_.length()) {
        out_[i] = a[i] + b[i];
    }
}

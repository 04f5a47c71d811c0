#version 450
// fixtures/simd.spl: simd_gather (@simd: an access outside 0..len ends the work item)
layout(local_size_x = 32, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer SrcBuf { int src[]; };
layout(std430, set = 0, binding = 1) readonly buffer IdxBuf { int idx[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutBuf { int out_[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (uint(i) >= uint(out_.length())) {
        return;
    }
    out_[i] = -1;
    if (uint(i) >= uint(idx.length())) {
        return;
    }
    int j = idx[i];
    if (uint(j) >= uint(src.length())) {
        return;
    }
    int v = src[j];
    if (uint(i) >= uint(out_.length())) {
        return;
    }
    out_[i] = v;
}

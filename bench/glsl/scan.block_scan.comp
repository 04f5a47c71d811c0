#version 450
// fixtures/scan.spl: block_scan
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer DataBuf { int data[]; };
layout(std430, set = 0, binding = 1) writeonly buffer SumsBuf { int sums[]; };

const int BLOCK = 256;

shared int a[BLOCK];
shared int b[256];

void main() {
    int lid = int(gl_LocalInvocationID.x);
    int gid = int(gl_GlobalInvocationID.x);
    a[lid] = data[gid];
    barrier();
    int offset = 1;
    bool from_a = true;
    while (offset < BLOCK) {
        if (from_a) {
            b[lid] = lid >= offset ? a[lid] + a[lid - offset] : a[lid];
        } else {
            a[lid] = lid >= offset ? b[lid] + b[lid - offset] : b[lid];
        }
        barrier();
        from_a = !from_a;
        offset *= 2;
    }
    int total = from_a ? a[lid] : b[lid];
    data[gid] = total;
    if (lid == BLOCK - 1) {
        sums[int(gl_WorkGroupID.x)] = total;
    }
}

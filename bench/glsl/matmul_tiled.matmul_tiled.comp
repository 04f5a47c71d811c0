#version 450
// fixtures/matmul_tiled.spl: matmul_tiled
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer BBuf { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer CBuf { float c[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

const int TILE = 16;

shared float ta[TILE * TILE];
shared float tb[256];

void main() {
    int tx = int(gl_LocalInvocationID.x);
    int ty = int(gl_LocalInvocationID.y);
    int col = int(gl_WorkGroupID.x) * TILE + tx;
    int row = int(gl_WorkGroupID.y) * TILE + ty;
    float acc = 0.0;
    int t_end = params.n / TILE;
    for (int t = 0; t < t_end; t += 1) {
        ta[ty * TILE + tx] = a[row * params.n + t * TILE + tx];
        tb[ty * TILE + tx] = b[(t * TILE + ty) * params.n + col];
        barrier();
        for (int kk = 0; kk < TILE; kk += 1) {
            acc += ta[ty * TILE + kk] * tb[kk * TILE + tx];
        }
        barrier();
    }
    c[row * params.n + col] = acc;
}

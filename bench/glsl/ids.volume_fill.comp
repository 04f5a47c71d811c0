#version 450
// fixtures/ids.spl: volume_fill
layout(local_size_x = 8, local_size_y = 8, local_size_z = 4) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer VolBuf { float vol[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) int nx;
    layout(offset = 4) int ny;
    layout(offset = 8) int nz;
} params;

void main() {
    int x = int(gl_GlobalInvocationID.x);
    int y = int(gl_GlobalInvocationID.y);
    int z = int(gl_GlobalInvocationID.z);
    if (x < params.nx && y < params.ny && z < params.nz) {
        vol[(z * params.ny + y) * params.nx + x] = float(x) + 0.5 * float(y) + 0.25 * float(z);
    }
}

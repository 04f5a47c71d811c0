#version 450
// fixtures/upstream_program.spl: integrate
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) buffer PosBuf { float pos[]; };
layout(std430, set = 0, binding = 1) buffer VelBuf { float vel[]; };
layout(push_constant) uniform Params { layout(offset = 0) float dt; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    vel[i] = vel[i] * 0.5;
    pos[i] = pos[i] + vel[i] * params.dt;
}

#version 450
// fixtures/vectors.spl: pairs (dvec2 loads and stores)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer VBuf { dvec2 v[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { dvec2 outv[]; };
layout(std430, set = 0, binding = 2) writeonly buffer DotsBuf { double dots[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < dots.length()) {
        dvec2 p = v[i];
        dvec2 q = sqrt(abs(p)) + fma(p, p, dvec2(1.0));
        outv[i] = q.yx;
        dots[i] = dot(p, p) + (p.x + p.y) + max(p.x, p.y);
    }
}

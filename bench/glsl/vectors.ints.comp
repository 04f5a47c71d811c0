#version 450
// fixtures/vectors.spl: ints (ivec4 loads and stores)
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) readonly buffer ABuf { ivec4 a[]; };
layout(std430, set = 0, binding = 1) writeonly buffer OutBuf { ivec4 outv[]; };

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i < a.length()) {
        ivec4 v = a[i];
        ivec4 w = min(v * 2, ivec4(1, -2, 3, -4)) - ivec4(1);
        w.w = w.x * 3 + max(max(max(v.x, v.y), v.z), v.w);
        w.z += 7 * 8 * 9 - min(min(min(v.x, v.y), v.z), v.w);
        outv[i] = w / 2;
    }
}

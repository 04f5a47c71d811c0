#version 450
// fixtures/control_flow.spl: loops
layout(local_size_x = 256, local_size_y = 1, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params { layout(offset = 0) int n; } params;

void main() {
    int i = int(gl_GlobalInvocationID.x);
    if (i >= params.n) {
        return;
    }
    int total = 0;
    for (int a = 0; a < 5; a += 1) {
        total += a;
    }
    for (int b = 2; b < 6; b += 1) {
        total += b * 10;
    }
    for (int c = 10; c > 0; c -= 3) {
        total += c * 100;
    }
    for (int d = 0; d < 9; d += 4) {
        total += d;
    }
    int e_end = i % 7;
    for (int e = 0; e < e_end; e += 1) {
        if (e == 3) {
            continue;
        }
        if (e == 5) {
            break;
        }
        total += 1000;
    }
    int w = i;
    while (w > 0) {
        w -= 3;
        if (w == 4) {
            break;
        }
    }
    total += w * 10000;
    int fixed_ = 3;
    int k = 2;
    int m = 1;
    m += fixed_ * k;
    int q = m * 2;
    int count = 0;
    int j = 0;
    while (true) {
        j += 1;
        if (j % 2 == 0) {
            continue;
        }
        count += 1;
        if (j > 8) {
            break;
        }
    }
    out_[i] = total + q * 1000000 + count * 100000;
}

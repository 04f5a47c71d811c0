#version 450
// fixtures/mandelbrot.spl: mandelbrot
layout(local_size_x = 16, local_size_y = 8, local_size_z = 1) in;
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(std430, set = 0, binding = 0) writeonly buffer OutBuf { int out_[]; };
layout(push_constant) uniform Params {
    layout(offset = 0) int width;
    layout(offset = 4) int height;
    layout(offset = 8) float x0;
    layout(offset = 12) float y0;
    layout(offset = 16) float step_;
} params;

const int MAX_ITER = 64;

int escape_time(float cx, float cy) {
    float x = 0.0;
    float y = 0.0;
    int it = 0;
    while (it < MAX_ITER) {
        float x2 = x * x;
        float y2 = y * y;
        if (x2 + y2 > 4.0) {
            break;
        }
        y = 2.0 * x * y + cy;
        x = x2 - y2 + cx;
        it += 1;
    }
    return it;
}

void main() {
    int px = int(gl_GlobalInvocationID.x);
    int py = int(gl_GlobalInvocationID.y);
    if (px < params.width && py < params.height) {
        out_[py * params.width + px] = escape_time(params.x0 + float(px) * params.step_,
                                                   params.y0 + float(py) * params.step_);
    }
}

// Hand-written saxpy, the anchor of bench/e2e.py: the same interface as the
// generated kernel of fixtures/saxpy.spl (x read-only at binding 0, y at binding 1,
// a at push-constant offset 0, work-group size from specialization constants 0-2).
#version 450
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push { float a; };

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < uint(x.length())) {
        y[i] = a * x[i] + y[i];
    }
}

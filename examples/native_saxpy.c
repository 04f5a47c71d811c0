/* A native program calling a Simple kernel: the saxpy of fixtures/saxpy.spl through its
 * ahead-of-time host glue (saxpy.o, saxpy.h) and librt_vk.so. README.md, "Use it from C",
 * has the commands that build and run it. */
#include <stdio.h>

#include "rt_vk.h"
#include "saxpy.h"

#define N 1024

int main(void) {
    uint64_t device = rt_vk_device_create();
    if (!device) {
        char why[512];
        rt_vk_last_error((uint8_t *)why, sizeof why);
        fprintf(stderr, "no device: %s\n", why);
        return 1;
    }
    static float x[N], y[N];
    for (int i = 0; i < N; i++) { x[i] = (float)i; y[i] = 1.0f; }
    int32_t status = simple_saxpy(device, 2.0f, x, sizeof x, y, sizeof y, N, 1, 1);
    if (status != 0) {
        char why[512];
        rt_vk_last_error((uint8_t *)why, sizeof why);
        fprintf(stderr, "saxpy failed (%d): %s\n", status, why);
        return 1;
    }
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += y[i] != 2.0f * (float)i + 1.0f;
    printf("saxpy on %d elements: y[0..3] = %g %g %g %g, %d wrong\n", N, y[0], y[1], y[2], y[3], wrong);
    simple_saxpy_release(device);
    rt_vk_device_free(device);
    return wrong != 0;
}

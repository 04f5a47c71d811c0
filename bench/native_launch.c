/* Launch latency from C through librt_vk.so (bench/native.py builds and runs this).
 * Usage: native_launch EMPTY.spv ROUNDS BATCH
 * Prints, in microseconds, medians over ROUNDS rounds of BATCH launches of the empty
 * kernel (one work group of 64): a blocking rt_vk_kernel_launch; a non-waiting
 * rt_vk_kernel_launch_async (the call alone); a batch of non-waiting launches plus one
 * rt_vk_device_sync, per launch; and rt_vulkan_* (dispatch recorded, submit_and_wait). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt_vk.h"

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define FAIL(what) do { fprintf(stderr, "native_launch: %s failed\n", what); return 1; } while (0)

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    int rounds = atoi(argv[2]), batch = atoi(argv[3]);
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    static unsigned char spirv[1 << 16];
    size_t size = fread(spirv, 1, sizeof spirv, f);
    fclose(f);

    uint64_t dev = rt_vk_device_create();
    uint64_t k = dev ? rt_vk_kernel_compile(dev, spirv, size) : 0;
    if (!k) FAIL("setup");
    char name[256];
    rt_vk_device_name(dev, (uint8_t *)name, sizeof name);
    if (!rt_vulkan_init()) FAIL("rt_vulkan_init");
    int64_t shader = rt_vulkan_compile_spirv_raw((int64_t)(uintptr_t)spirv, (int64_t)size);
    int64_t pipe = shader ? rt_vulkan_create_compute_pipeline(shader, (int64_t)(uintptr_t)"empty", 0) : 0;
    int64_t set = pipe ? rt_vulkan_create_descriptor_set(pipe) : 0;
    if (!set) FAIL("rt_vulkan setup");

    int total = rounds * batch;
    double *blocking = malloc(sizeof(double) * (size_t)total), *submit = malloc(sizeof(double) * (size_t)total);
    double *vulkan = malloc(sizeof(double) * (size_t)total), *amortized = malloc(sizeof(double) * (size_t)rounds);
    for (int i = 0; i < 50; i++)   /* warm up */
        if (rt_vk_kernel_launch(k, NULL, 0, 64, 1, 1, 64, 1, 1)) FAIL("warm-up");
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < batch; i++) {
            double t0 = now_us();
            if (rt_vk_kernel_launch(k, NULL, 0, 64, 1, 1, 64, 1, 1)) FAIL("rt_vk_kernel_launch");
            blocking[r * batch + i] = now_us() - t0;
        }
        double start = now_us();
        for (int i = 0; i < batch; i++) {
            double t0 = now_us();
            if (rt_vk_kernel_launch_async(k, NULL, 0, NULL, 0, 64, 1, 1, 64, 1, 1)) FAIL("rt_vk_kernel_launch_async");
            submit[r * batch + i] = now_us() - t0;
        }
        if (rt_vk_device_sync(dev)) FAIL("rt_vk_device_sync");
        amortized[r] = (now_us() - start) / batch;
        for (int i = 0; i < batch; i++) {
            double t0 = now_us();
            int64_t cmd = rt_vulkan_begin_compute();
            int ok = cmd && rt_vulkan_bind_pipeline(cmd, pipe) && rt_vulkan_bind_descriptors(cmd, set) &&
                     rt_vulkan_dispatch(cmd, 1, 1, 1) && rt_vulkan_end_compute(cmd) && rt_vulkan_submit_and_wait(cmd);
            if (!ok) FAIL(rt_vulkan_get_last_error());
            vulkan[r * batch + i] = now_us() - t0;
        }
    }
    printf("device %s\n", name);
    printf("blocking %.2f\n", median(blocking, total));
    printf("async_call %.2f\n", median(submit, total));
    printf("async_amortized %.2f\n", median(amortized, rounds));
    printf("rt_vulkan %.2f\n", median(vulkan, total));
    rt_vulkan_destroy_descriptor_set(set);
    rt_vulkan_destroy_pipeline(pipe);
    rt_vulkan_destroy_shader(shader);
    rt_vulkan_shutdown();
    rt_vk_kernel_free(k);
    rt_vk_device_free(dev);
    return 0;
}

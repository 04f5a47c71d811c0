/* Drives saxpy (y = a*x + y; push constant a, buffers x and y) through rt_vk_* directly:
 * compile, upload, blocking / asynchronous / 1-D launches, download, free, every error
 * path, and launches from several threads at once. Usage: rt_vk_direct SAXPY.spv */
#include <pthread.h>
#include <stdint.h>

#include "rt_vk.h"
#include "check.h"

#define N 1000
#define THREADS 4

static uint64_t kernel;
static uint64_t device;

static void expect_status(int32_t got, int32_t want, const char *needle) {
    char message[512];
    if (got != want) fprintf(stderr, "status %d, wanted %d\n", got, want);
    CHECK(got == want);
    CHECK(rt_vk_last_status() == want);
    CHECK(rt_vk_last_error((uint8_t *)message, sizeof message) > 0);
    if (!strstr(message, needle)) fprintf(stderr, "last error %s lacks %s\n", message, needle);
    CHECK(strstr(message, needle) != NULL);
}

static void run_saxpy(float a, int mode, int thread) {
    float x[N], y[N], out[N];
    for (int i = 0; i < N; i++) { x[i] = (float)(i + thread); y[i] = (float)(2 * i); }
    uint64_t bx = rt_vk_buffer_alloc(device, sizeof x), by = rt_vk_buffer_alloc(device, sizeof y);
    CHECK(bx && by);
    CHECK(rt_vk_buffer_upload(bx, (const uint8_t *)x, sizeof x) == 0);
    CHECK(rt_vk_buffer_upload(by, (const uint8_t *)y, sizeof y) == 0);
    uint64_t bufs[2] = {bx, by};
    if (mode == 0) {
        CHECK(rt_vk_kernel_launch_pc(kernel, bufs, 2, (const uint8_t *)&a, sizeof a, N, 1, 1, 0, 0, 0) == 0);
    } else if (mode == 1) {
        CHECK(rt_vk_kernel_launch_async(kernel, bufs, 2, (const uint8_t *)&a, sizeof a, N, 1, 1, 64, 1, 1) == 0);
        CHECK(rt_vk_device_sync(device) == 0);
    } else {
        CHECK(rt_vk_kernel_launch_1d(kernel, bufs, 2, N) == 0);   /* no push constants: a = 0 */
        a = 0.0f;
    }
    CHECK(rt_vk_buffer_download(by, (uint8_t *)out, sizeof out) == 0);
    for (int i = 0; i < N; i++) {
        if (out[i] != a * x[i] + y[i]) fprintf(stderr, "y[%d] = %g, wanted %g\n", i, out[i], a * x[i] + y[i]);
        CHECK(out[i] == a * x[i] + y[i]);
    }
    CHECK(rt_vk_buffer_free(bx) == 0 && rt_vk_buffer_free(by) == 0);
}

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int round = 0; round < 5; round++)
        run_saxpy(1.5f + (float)id, round % 2, id);
    /* each thread's last error is its own */
    CHECK(rt_vk_buffer_free(1000000 + (uint64_t)id) == RT_VK_STATUS_INVALID_HANDLE);
    char message[256];
    rt_vk_last_error((uint8_t *)message, sizeof message);
    char handle[32];
    snprintf(handle, sizeof handle, "%d", 1000000 + id);
    CHECK(strstr(message, handle) != NULL);
    return NULL;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    size_t size;
    unsigned char *spirv = read_file(argv[1], &size);

    CHECK(rt_vk_available() == 1);
    CHECK(rt_vk_device_count() >= 1);
    device = rt_vk_device_create();
    CHECK(device != 0);
    char name[256];
    int32_t name_len = rt_vk_device_name(device, (uint8_t *)name, sizeof name);
    CHECK(name_len > 0 && (size_t)name_len == strlen(name));
    uint32_t limits[RT_VK_LIMIT_COUNT];
    CHECK(rt_vk_device_limits(device, limits, RT_VK_LIMIT_COUNT) == 0);
    CHECK(limits[RT_VK_LIMIT_MAXCOMPUTEWORKGROUPINVOCATIONS] >= 128);
    CHECK(limits[RT_VK_LIMIT_MAXPUSHCONSTANTSSIZE] >= 128);

    kernel = rt_vk_kernel_compile(device, spirv, size);
    CHECK(kernel != 0);
    run_saxpy(2.0f, 0, 0);
    run_saxpy(-0.5f, 1, 0);
    run_saxpy(3.0f, 2, 0);

    /* error paths */
    uint64_t b = rt_vk_buffer_alloc(device, 64);
    CHECK(b != 0);
    uint8_t bytes[128] = {0};
    uint64_t bogus = 987654321;
    expect_status(rt_vk_buffer_free(bogus), RT_VK_STATUS_INVALID_HANDLE, "does not exist");
    expect_status(rt_vk_buffer_upload(kernel, bytes, 4), RT_VK_STATUS_INVALID_HANDLE, "kernel");
    expect_status(rt_vk_buffer_upload(b, bytes, 128), RT_VK_STATUS_BUFFER_TOO_SMALL, "128");
    expect_status(rt_vk_buffer_download(b, bytes, 65), RT_VK_STATUS_BUFFER_TOO_SMALL, "65");
    expect_status(rt_vk_buffer_download(b, NULL, 4), RT_VK_STATUS_INVALID_PARAMETER, "null");
    CHECK(rt_vk_buffer_alloc(device, 0) == 0);
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_PARAMETER);
    CHECK(rt_vk_buffer_alloc(bogus, 16) == 0);
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_HANDLE);
    unsigned char garbage[64];
    memset(garbage, 0x5a, sizeof garbage);
    CHECK(rt_vk_kernel_compile(device, garbage, sizeof garbage) == 0);
    CHECK(rt_vk_last_status() == RT_VK_STATUS_COMPILATION_FAILED);
    CHECK(rt_vk_kernel_compile(device, spirv, size - 4) == 0);   /* truncated module */
    CHECK(rt_vk_last_status() == RT_VK_STATUS_COMPILATION_FAILED);
    uint64_t one[1] = {b}, two[2] = {b, b};
    float a = 1.0f;
    expect_status(rt_vk_kernel_launch(b, two, 2, 1, 1, 1, 0, 0, 0), RT_VK_STATUS_INVALID_HANDLE, "not a kernel");
    expect_status(rt_vk_kernel_launch_pc(kernel, one, 1, (const uint8_t *)&a, 4, 1, 1, 1, 0, 0, 0),
                  RT_VK_STATUS_INVALID_PARAMETER, "buffers");
    expect_status(rt_vk_kernel_launch_pc(kernel, two, 2, bytes, 64, 1, 1, 1, 0, 0, 0),
                  RT_VK_STATUS_INVALID_PARAMETER, "push-constant");
    uint64_t with_bogus[2] = {b, bogus};
    expect_status(rt_vk_kernel_launch_1d(kernel, with_bogus, 2, 16), RT_VK_STATUS_INVALID_HANDLE, "does not exist");
    expect_status(rt_vk_kernel_launch(kernel, two, 2, 16, 1, 1, 100000, 1, 1), RT_VK_STATUS_INVALID_PARAMETER, "local");
    expect_status(rt_vk_device_limits(device, limits, 0), RT_VK_STATUS_INVALID_PARAMETER, "count");
    expect_status(rt_vk_device_sync(b), RT_VK_STATUS_INVALID_HANDLE, "not a device");
    CHECK(rt_vk_device_create_index(99) == 0);
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_PARAMETER);
    /* truncation: the full length comes back, the copy is cut and terminated */
    char small[8];
    int32_t full = rt_vk_last_error((uint8_t *)small, sizeof small);
    CHECK(full > 7 && strlen(small) == 7);
    CHECK(rt_vk_last_error(NULL, 0) == full);
    /* use after free */
    CHECK(rt_vk_buffer_free(b) == 0);
    expect_status(rt_vk_buffer_free(b), RT_VK_STATUS_INVALID_HANDLE, "does not exist");

    /* several native threads at once on one kernel */
    /* in waves: each thread's Python thread state is made on its first call and
     * dropped when it ends */
    for (int wave = 0; wave < 3; wave++) {
        pthread_t threads[THREADS];
        for (int i = 0; i < THREADS; i++)
            CHECK(pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) == 0);
        for (int i = 0; i < THREADS; i++)
            CHECK(pthread_join(threads[i], NULL) == 0);
    }
    /* the main thread's last error was not touched by the workers */
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_HANDLE);

    CHECK(rt_vk_kernel_free(kernel) == 0);
    expect_status(rt_vk_kernel_free(kernel), RT_VK_STATUS_INVALID_HANDLE, "does not exist");
    uint64_t orphan = rt_vk_buffer_alloc(device, 16);       /* freed with its device */
    CHECK(orphan != 0);
    CHECK(rt_vk_device_free(device) == 0);
    expect_status(rt_vk_buffer_free(orphan), RT_VK_STATUS_INVALID_HANDLE, "does not exist");
    expect_status(rt_vk_device_free(device), RT_VK_STATUS_INVALID_HANDLE, "does not exist");
    free(spirv);
    printf("rt_vk_direct: ok (%s)\n", name);
    return 0;
}

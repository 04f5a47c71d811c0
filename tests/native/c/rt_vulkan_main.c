/* Drives saxpy (push constant a at offset 0; buffers x at binding 0, y at binding 1)
 * through upstream Simple's rt_vulkan_* table: init, shader, pipeline with entry name
 * and push-constant size, descriptor set, recorded dispatches by work-group count,
 * blocking and fenced submission, offset copies, errors, shutdown.
 * Usage: rt_vulkan_main SAXPY.spv */
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include <stdint.h>

#include "rt_vk.h"
#include "check.h"

#define N 1000
#define P(ptr) ((int64_t)(uintptr_t)(ptr))

static void expect_error(int64_t result, const char *needle) {
    CHECK(result == 0);
    const char *message = rt_vulkan_get_last_error();
    CHECK(message != NULL);
    if (!strstr(message, needle)) fprintf(stderr, "last error '%s' lacks '%s'\n", message, needle);
    CHECK(strstr(message, needle) != NULL);
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    size_t size;
    unsigned char *spirv = read_file(argv[1], &size);

    CHECK(rt_vulkan_is_available() == 1);
    expect_error(rt_vulkan_begin_compute(), "rt_vulkan_init");   /* no device yet */
    CHECK(rt_vulkan_device_count() >= 1);
    CHECK(rt_vulkan_select_device(0) == 1);
    expect_error(rt_vulkan_select_device(99), "out of range");
    CHECK(rt_vulkan_init() == 1);
    CHECK(rt_vulkan_get_device() == 0);
    /* a returned string lives until this thread's next string-returning call: copy it */
    char *name = strdup(rt_vulkan_device_name(0));
    CHECK(name && strlen(name) > 0);
    CHECK(strcmp(rt_vulkan_selected_device_name(), name) == 0);
    const char *type = rt_vulkan_device_type(0);
    CHECK(type && (strcmp(type, "cpu") == 0 || strcmp(type, "discrete") == 0 ||
                   strcmp(type, "integrated") == 0 || strcmp(type, "virtual") == 0));

    float x[N], y[N], out[N];
    for (int i = 0; i < N; i++) { x[i] = (float)i; y[i] = 1.0f; }
    int64_t bx = rt_vulkan_alloc_buffer(sizeof x, 0x80), by = rt_vulkan_alloc_buffer(sizeof y, 0x80);
    CHECK(bx > 0 && by > 0);
    /* the first half, then the second at an offset */
    CHECK(rt_vulkan_copy_to_buffer_raw(bx, P(x), sizeof x / 2, 0) == 1);
    CHECK(rt_vulkan_copy_to_buffer_raw(bx, P(x + N / 2), sizeof x / 2, sizeof x / 2) == 1);
    CHECK(rt_vulkan_copy_to_buffer_raw(by, P(y), sizeof y, 0) == 1);

    int64_t shader = rt_vulkan_compile_spirv_raw(P(spirv), (int64_t)size);
    CHECK(shader > 0);
    int64_t pipeline = rt_vulkan_create_compute_pipeline(shader, P("saxpy"), 16);
    CHECK(pipeline > 0);
    int64_t set = rt_vulkan_create_descriptor_set(pipeline);
    CHECK(set > 0);
    CHECK(rt_vulkan_bind_buffer(set, 0, bx) == 1 && rt_vulkan_bind_buffer(set, 1, by) == 1);

    /* two dispatches in one command buffer: y = 2x + 1, then y = 3x + y */
    float a1 = 2.0f, a2 = 3.0f;
    int64_t groups = (N + 255) / 256;
    int64_t cmd = rt_vulkan_begin_compute();
    CHECK(cmd > 0);
    CHECK(rt_vulkan_bind_pipeline(cmd, pipeline) == 1);
    CHECK(rt_vulkan_bind_descriptors(cmd, set) == 1);
    CHECK(rt_vulkan_push_constants_raw(cmd, pipeline, P(&a1), 4) == 1);
    CHECK(rt_vulkan_dispatch(cmd, groups, 1, 1) == 1);
    CHECK(rt_vulkan_push_constants_raw(cmd, pipeline, P(&a2), 4) == 1);
    CHECK(rt_vulkan_dispatch(cmd, groups, 1, 1) == 1);
    CHECK(rt_vulkan_end_compute(cmd) == 1);
    expect_error(rt_vulkan_dispatch(cmd, 1, 1, 1), "already ended");
    CHECK(rt_vulkan_submit_and_wait(cmd) == 1);
    expect_error(rt_vulkan_submit_and_wait(cmd), "does not exist");   /* consumed */
    CHECK(rt_vulkan_copy_from_buffer_raw(P(out), sizeof out, by, 0) == 1);
    for (int i = 0; i < N; i++) CHECK(out[i] == 5.0f * x[i] + 1.0f);
    /* an offset read */
    float tail[10];
    CHECK(rt_vulkan_copy_from_buffer_raw(P(tail), sizeof tail, by, (N - 10) * 4) == 1);
    for (int i = 0; i < 10; i++) CHECK(tail[i] == out[N - 10 + i]);
    /* the buffer is an rt_vk_* handle too */
    CHECK(rt_vk_buffer_download((uint64_t)by, (uint8_t *)out, sizeof out) == 0);
    CHECK(out[7] == 36.0f);

    /* fenced (non-waiting) submission */
    cmd = rt_vulkan_begin_compute();
    CHECK(rt_vulkan_bind_pipeline(cmd, pipeline) && rt_vulkan_bind_descriptors(cmd, set));
    CHECK(rt_vulkan_push_constants_raw(cmd, pipeline, P(&a1), 4) && rt_vulkan_dispatch(cmd, groups, 1, 1));
    CHECK(rt_vulkan_end_compute(cmd) == 1);
    int64_t fence = rt_vulkan_submit_and_wait_fence(cmd);
    CHECK(fence > 0);
    CHECK(rt_vulkan_wait_fence(fence, 0) == 1);
    CHECK(rt_vulkan_destroy_fence(fence) == 1);
    CHECK(rt_vulkan_wait_idle() == 1);
    CHECK(rt_vulkan_copy_from_buffer_raw(P(out), sizeof out, by, 0) == 1);
    for (int i = 0; i < N; i++) CHECK(out[i] == 7.0f * x[i] + 1.0f);

    /* errors: each returns 0 and says why */
    unsigned char garbage[40];
    memset(garbage, 0x11, sizeof garbage);
    expect_error(rt_vulkan_compile_spirv_raw(P(garbage), sizeof garbage), "SPIR-V");
    expect_error(rt_vulkan_compile_spirv_raw(0, 64), "null");
    expect_error(rt_vulkan_create_compute_pipeline(shader, P("main"), 16), "entry point");
    expect_error(rt_vulkan_create_compute_pipeline(shader, P("saxpy"), 0), "push-constant size");
    expect_error(rt_vulkan_create_compute_pipeline(bx, P("saxpy"), 4), "not a shader");
    expect_error(rt_vulkan_bind_buffer(set, 5, bx), "binding 5");
    expect_error(rt_vulkan_bind_buffer(set, 0, 123456789), "does not exist");
    expect_error(rt_vulkan_copy_to_buffer_raw(bx, P(x), sizeof x, 8), "outside");
    expect_error(rt_vulkan_copy_from_buffer_raw(0, 4, bx, 0), "null");
    cmd = rt_vulkan_begin_compute();
    expect_error(rt_vulkan_dispatch(cmd, 1, 1, 1), "bound pipeline");
    CHECK(rt_vulkan_bind_pipeline(cmd, pipeline) == 1);
    expect_error(rt_vulkan_push_constants_raw(cmd, pipeline, P(x), 64), "push-constant bytes");
    int64_t empty = rt_vulkan_create_descriptor_set(pipeline);
    CHECK(rt_vulkan_bind_descriptors(cmd, empty) == 1);
    expect_error(rt_vulkan_dispatch(cmd, 1, 1, 1), "no buffer at binding");
    expect_error(rt_vulkan_submit_and_wait(cmd), "not ended");
    expect_error(rt_vulkan_free_buffer(987654321), "does not exist");
    expect_error(rt_vulkan_destroy_pipeline(set), "not a pipeline");
    /* the rt_vk_* status of the same failure */
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_HANDLE);

    CHECK(rt_vulkan_destroy_descriptor_set(empty) == 1 && rt_vulkan_destroy_descriptor_set(set) == 1);
    CHECK(rt_vulkan_destroy_pipeline(pipeline) == 1 && rt_vulkan_destroy_shader(shader) == 1);
    CHECK(rt_vulkan_free_buffer(bx) == 1);
    CHECK(rt_vulkan_shutdown() == 1);       /* frees by and the unsubmitted command buffer */
    expect_error(rt_vulkan_free_buffer(by), "does not exist");
    expect_error(rt_vulkan_alloc_buffer(16, 0), "rt_vulkan_init");
    CHECK(rt_vulkan_selected_device_name() == NULL);
    printf("rt_vulkan_main: ok (%s)\n", name);
    free(spirv);
    free(name);
    return 0;
}

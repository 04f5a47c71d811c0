/* Calls the ahead-of-time host glue of saxpy (1-D) and matmul (2-D), linked from the
 * objects `simple-vk build --object` writes, and checks the results against the same
 * computation in C. */
#include <stdint.h>

#include "rt_vk.h"
#include "saxpy.h"
#include "matmul.h"
#include "check.h"

#define N 3000
#define ROWS 37
#define COLS 53
#define INNER 19

int main(void) {
    uint64_t device = rt_vk_device_create();
    CHECK(device != 0);

    static float x[N], y[N], want[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i * 0.5f;
        y[i] = (float)(N - i);
        want[i] = 3.0f * x[i] + y[i];
    }
    CHECK(simple_saxpy(device, 3.0f, x, sizeof x, y, sizeof y, N, 1, 1) == 0);
    for (int i = 0; i < N; i++) CHECK(y[i] == want[i]);
    /* again with a local size of the caller's (the cached kernel is reused) */
    for (int i = 0; i < N; i++) want[i] = -1.0f * x[i] + y[i];
    CHECK(simple_saxpy_local(device, -1.0f, x, sizeof x, y, sizeof y, N, 1, 1, 64, 1, 1) == 0);
    for (int i = 0; i < N; i++) CHECK(y[i] == want[i]);

    /* small integers and quarters: every product and sum is exact, in any order or with FMA */
    static float a[ROWS * INNER], b[INNER * COLS], c[ROWS * COLS];
    for (int i = 0; i < ROWS * INNER; i++) a[i] = (float)(i % 7) - 3.0f;
    for (int i = 0; i < INNER * COLS; i++) b[i] = (float)(i % 5) * 0.25f;
#ifdef SIMPLE_MATMUL_TRAP_WORDS
    /* built for lavapipe: its loops report the driver's loop limit through a hidden buffer */
    uint32_t trap[SIMPLE_MATMUL_TRAP_WORDS] = {0};
    CHECK(simple_matmul(device, a, sizeof a, b, sizeof b, c, sizeof c, ROWS, COLS, INNER, trap, sizeof trap,
                        COLS, ROWS, 1) == 0);
    CHECK(trap[0] == 0);
#else
    CHECK(simple_matmul(device, a, sizeof a, b, sizeof b, c, sizeof c, ROWS, COLS, INNER, COLS, ROWS, 1) == 0);
#endif
    for (int r = 0; r < ROWS; r++)
        for (int col = 0; col < COLS; col++) {
            float acc = 0.0f;
            for (int t = 0; t < INNER; t++) acc += a[r * INNER + t] * b[t * COLS + col];
            if (c[r * COLS + col] != acc) fprintf(stderr, "c[%d][%d] = %g, wanted %g\n", r, col, c[r * COLS + col], acc);
            CHECK(c[r * COLS + col] == acc);
        }

    /* failures come back as statuses: a device handle that does not exist */
    CHECK(simple_saxpy(424242, 1.0f, x, sizeof x, y, sizeof y, N, 1, 1) == RT_VK_STATUS_COMPILATION_FAILED);
    CHECK(rt_vk_last_status() == RT_VK_STATUS_INVALID_HANDLE);
    /* a local size beyond the device's limits */
    CHECK(simple_saxpy_local(device, 1.0f, x, sizeof x, y, sizeof y, N, 1, 1, 1u << 20, 1, 1)
          == RT_VK_STATUS_INVALID_PARAMETER);

    simple_saxpy_release(device);
    simple_matmul_release(0);
    CHECK(rt_vk_device_free(device) == 0);
    printf("glue_main: ok\n");
    return 0;
}

/* Prints what the library reports when it cannot use the runtime (run with
 * SIMPLE_VK_PYTHON naming a Python without simple-vkbackend). */
#include <stdint.h>
#include <stdio.h>

#include "rt_vk.h"

int main(void) {
    char message[2048];
    int32_t available = rt_vk_available();
    uint64_t device = rt_vk_device_create();
    int32_t status = rt_vk_last_status();
    rt_vk_last_error((uint8_t *)message, sizeof message);
    printf("available=%d device=%llu status=%d free=%d init=%lld\n", available, (unsigned long long)device,
           status, rt_vk_buffer_free(1), (long long)rt_vulkan_init());
    printf("rt_vk_last_error: %s\n", message);
    printf("rt_vulkan_get_last_error: %s\n", rt_vulkan_get_last_error());
    return 0;
}

"""The Vulkan side of the package: user-facing device objects (objects.py), the
rt_vk_* table called through ctypes (table.py), device descriptions
(device_info.py) and the kernel-versus-device feature check (feature_check.py).
Importing this package does not start Vulkan; its modules load the runtime."""

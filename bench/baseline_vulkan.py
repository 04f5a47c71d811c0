"""Minimal hand-written Vulkan baseline for bench/runtime.py (not part of the runtime).

Raw `vulkan` binding calls, as a careful user would write them: a compute pipeline for
the given SPIR-V, a command buffer recorded once (bind pipeline, dispatch), and per
launch one vkQueueSubmit with a fence, vkWaitForFences and vkResetFences. Transfers are
memcpy into and out of one mapped host-visible, coherent buffer. No validation layer.

`Baseline.standalone(name, ...)` creates its own instance and device. `Baseline(...)` on
a device and queue it is given borrows them: then the runtime and the baseline share
the driver's threads, so that the comparison measures the per-launch software paths and
not where the operating system happened to place each driver's threads.
`launch_raw` is the same launch through cffi's raw entry points with prebuilt
structures: a tighter anchor than the binding's wrapped calls.
"""
from __future__ import annotations

import ctypes

import vulkan as vk

UINT64_MAX = (1 << 64) - 1


class Baseline:
    def __init__(self, physical, device, queue, family: int, spirv: bytes, groups=(1, 1, 1),
                 buffer_bytes: int = 64 << 20):
        self.instance = None            # set by standalone(): then close() destroys the device too
        self.physical, self.device, self.queue = physical, device, queue
        self._pipeline(spirv)
        self._command_buffer(family, groups)
        self.fence = vk.vkCreateFence(self.device, vk.VkFenceCreateInfo(), None)
        self.submit_info = vk.VkSubmitInfo(commandBufferCount=1, pCommandBuffers=[self.cmd])
        self._buffer(buffer_bytes)
        self._prepare_raw()

    @classmethod
    def standalone(cls, device_name: str, spirv: bytes, **kw) -> "Baseline":
        """A baseline with its own VkInstance and VkDevice (the device named `device_name`)."""
        app = vk.VkApplicationInfo(pApplicationName="baseline", apiVersion=vk.VK_MAKE_VERSION(1, 2, 0))
        instance = vk.vkCreateInstance(vk.VkInstanceCreateInfo(pApplicationInfo=app), None)
        physical = next(p for p in vk.vkEnumeratePhysicalDevices(instance)
                        if vk.vkGetPhysicalDeviceProperties(p).deviceName == device_name)
        family = next(i for i, f in enumerate(vk.vkGetPhysicalDeviceQueueFamilyProperties(physical))
                      if f.queueFlags & vk.VK_QUEUE_COMPUTE_BIT)
        qinfo = vk.VkDeviceQueueCreateInfo(queueFamilyIndex=family, queueCount=1, pQueuePriorities=[1.0])
        device = vk.vkCreateDevice(physical, vk.VkDeviceCreateInfo(
            queueCreateInfoCount=1, pQueueCreateInfos=[qinfo]), None)
        queue = vk.vkGetDeviceQueue(device, family, 0)
        base = cls(physical, device, queue, family, spirv, **kw)
        base.instance = instance
        return base

    def _pipeline(self, spirv: bytes) -> None:
        self.module = vk.vkCreateShaderModule(self.device, vk.VkShaderModuleCreateInfo(
            codeSize=len(spirv), pCode=spirv), None)
        self.layout = vk.vkCreatePipelineLayout(self.device, vk.VkPipelineLayoutCreateInfo(), None)
        stage = vk.VkPipelineShaderStageCreateInfo(stage=vk.VK_SHADER_STAGE_COMPUTE_BIT,
                                                   module=self.module, pName="empty")
        info = vk.VkComputePipelineCreateInfo(stage=stage, layout=self.layout, basePipelineIndex=-1)
        self.pipeline = vk.vkCreateComputePipelines(self.device, None, 1, [info], None)[0]

    def _command_buffer(self, family: int, groups) -> None:
        self.pool = vk.vkCreateCommandPool(self.device, vk.VkCommandPoolCreateInfo(queueFamilyIndex=family), None)
        self.cmd = vk.vkAllocateCommandBuffers(self.device, vk.VkCommandBufferAllocateInfo(
            commandPool=self.pool, level=vk.VK_COMMAND_BUFFER_LEVEL_PRIMARY, commandBufferCount=1))[0]
        vk.vkBeginCommandBuffer(self.cmd, vk.VkCommandBufferBeginInfo())
        vk.vkCmdBindPipeline(self.cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, self.pipeline)
        vk.vkCmdDispatch(self.cmd, *groups)
        vk.vkEndCommandBuffer(self.cmd)

    def _buffer(self, size: int) -> None:
        self.buffer = vk.vkCreateBuffer(self.device, vk.VkBufferCreateInfo(
            size=size, usage=vk.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
            sharingMode=vk.VK_SHARING_MODE_EXCLUSIVE), None)
        req = vk.vkGetBufferMemoryRequirements(self.device, self.buffer)
        props = vk.vkGetPhysicalDeviceMemoryProperties(self.physical)
        want = vk.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | vk.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
        index = next(i for i in range(props.memoryTypeCount) if req.memoryTypeBits & (1 << i)
                     and props.memoryTypes[i].propertyFlags & want == want)
        self.memory = vk.vkAllocateMemory(self.device, vk.VkMemoryAllocateInfo(
            allocationSize=req.size, memoryTypeIndex=index), None)
        vk.vkBindBufferMemory(self.device, self.buffer, self.memory, 0)
        self._mapped = vk.vkMapMemory(self.device, self.memory, 0, req.size, 0)
        self.address = int(vk.ffi.cast("uintptr_t", vk.ffi.from_buffer(self._mapped)))

    def _prepare_raw(self) -> None:
        ffi = vk.ffi
        self._raw_cmds = ffi.new("VkCommandBuffer[1]", [self.cmd])
        self._raw_submit = ffi.new("VkSubmitInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SUBMIT_INFO, "commandBufferCount": 1,
            "pCommandBuffers": self._raw_cmds})
        self._raw_fences = ffi.new("VkFence[1]", [self.fence])

    def launch(self) -> None:
        """One blocking launch: submit the pre-recorded dispatch, wait, reset the fence."""
        vk.vkQueueSubmit(self.queue, 1, [self.submit_info], self.fence)
        vk.vkWaitForFences(self.device, 1, [self.fence], vk.VK_TRUE, UINT64_MAX)
        vk.vkResetFences(self.device, 1, [self.fence])

    def launch_raw(self) -> None:
        """launch() without the binding's per-call wrappers (vk.lib functions, prebuilt structs)."""
        lib = vk.lib
        lib.vkQueueSubmit(self.queue, 1, self._raw_submit, self.fence)
        lib.vkWaitForFences(self.device, 1, self._raw_fences, vk.VK_TRUE, UINT64_MAX)
        lib.vkResetFences(self.device, 1, self._raw_fences)

    def batch(self, n: int):
        """A function submitting `n` dispatches recorded in one command buffer (with a
        barrier between dependent dispatches, as a batch of real launches needs) and
        waiting once: the raw-Vulkan floor of n non-waiting launches and one sync."""
        cmd = vk.vkAllocateCommandBuffers(self.device, vk.VkCommandBufferAllocateInfo(
            commandPool=self.pool, level=vk.VK_COMMAND_BUFFER_LEVEL_PRIMARY, commandBufferCount=1))[0]
        vk.vkBeginCommandBuffer(cmd, vk.VkCommandBufferBeginInfo())
        vk.vkCmdBindPipeline(cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, self.pipeline)
        barrier = vk.VkMemoryBarrier(srcAccessMask=vk.VK_ACCESS_SHADER_WRITE_BIT,
                                     dstAccessMask=vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT)
        stage = vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
        for i in range(n):
            if i:
                vk.vkCmdPipelineBarrier(cmd, stage, stage, 0, 1, [barrier], 0, None, 0, None)
            vk.vkCmdDispatch(cmd, 1, 1, 1)
        vk.vkEndCommandBuffer(cmd)
        ffi, lib = vk.ffi, vk.lib
        cmds = ffi.new("VkCommandBuffer[1]", [cmd])
        submit = ffi.new("VkSubmitInfo*", {"sType": vk.VK_STRUCTURE_TYPE_SUBMIT_INFO,
                                           "commandBufferCount": 1, "pCommandBuffers": cmds})

        def run() -> None:
            lib.vkQueueSubmit(self.queue, 1, submit, self.fence)
            lib.vkWaitForFences(self.device, 1, self._raw_fences, vk.VK_TRUE, UINT64_MAX)
            lib.vkResetFences(self.device, 1, self._raw_fences)
        run.keep = (cmds, submit)
        return run

    def upload(self, address: int, size: int) -> None:
        ctypes.memmove(self.address, address, size)

    def download(self, address: int, size: int) -> None:
        ctypes.memmove(address, self.address, size)

    def close(self) -> None:
        vk.vkQueueWaitIdle(self.queue)
        vk.vkUnmapMemory(self.device, self.memory)
        vk.vkDestroyBuffer(self.device, self.buffer, None)
        vk.vkFreeMemory(self.device, self.memory, None)
        vk.vkDestroyFence(self.device, self.fence, None)
        vk.vkDestroyCommandPool(self.device, self.pool, None)
        vk.vkDestroyPipeline(self.device, self.pipeline, None)
        vk.vkDestroyPipelineLayout(self.device, self.layout, None)
        vk.vkDestroyShaderModule(self.device, self.module, None)
        if self.instance is not None:
            vk.vkDestroyDevice(self.device, None)
            vk.vkDestroyInstance(self.instance, None)

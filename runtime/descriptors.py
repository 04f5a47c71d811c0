"""Descriptor sets for one kernel: pools of storage-buffer sets, allocated and recycled.

Pools are created on demand (SETS_PER_POOL sets each, individually freeable); a set is
written once for a tuple of buffers and cached by the kernel while those buffers live.
"""
from __future__ import annotations

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import AllocationError

SETS_PER_POOL = 32


class DescriptorAllocator:
    """Allocates descriptor sets of one layout with `n_bindings` storage buffers."""

    def __init__(self, ctx: DeviceContext, set_layout, bindings: tuple[int, ...]) -> None:
        self.ctx, self.set_layout, self.bindings = ctx, set_layout, bindings
        self.pools: list[list] = []     # [pool handle, sets in use]

    def allocate(self, buffers, ranges=None) -> tuple[object, list]:
        """A descriptor set pointing at `buffers` (in binding order; `ranges`: (offset,
        size) per buffer, None for whole buffers): (set, its pool entry)."""
        for entry in self.pools:
            if entry[1] < SETS_PER_POOL:
                break
        else:
            entry = [self._create_pool(), 0]
            self.pools.append(entry)
        dset = self._allocate_from(entry[0])
        entry[1] += 1
        self._write(dset, buffers, ranges)
        return dset, entry

    def _create_pool(self):
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        size = ffi.new("VkDescriptorPoolSize*", {
            "type": vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            "descriptorCount": SETS_PER_POOL * len(self.bindings)})
        info = ffi.new("VkDescriptorPoolCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
            "flags": vk.VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
            "maxSets": SETS_PER_POOL, "poolSizeCount": 1, "pPoolSizes": size})
        out = ffi.new("VkDescriptorPool*")
        vkapi.check(ctx.lib.vkCreateDescriptorPool(ctx.handle, info, ffi.NULL, out),
                    "vkCreateDescriptorPool", AllocationError)
        return tracking.created("VkDescriptorPool", out[0])

    def _allocate_from(self, pool):
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        layouts = ffi.new("VkDescriptorSetLayout[1]", [self.set_layout])
        info = ffi.new("VkDescriptorSetAllocateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, "descriptorPool": pool,
            "descriptorSetCount": 1, "pSetLayouts": layouts})
        out = ffi.new("VkDescriptorSet[1]")
        vkapi.check(ctx.fns.AllocateDescriptorSets(ctx.handle, info, out),
                    "vkAllocateDescriptorSets", AllocationError)
        return tracking.created("VkDescriptorSet", out[0])

    def _write(self, dset, buffers, ranges=None) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        ranges = ranges or [(0, b.size) for b in buffers]
        infos = ffi.new("VkDescriptorBufferInfo[]", [
            {"buffer": b.handle, "offset": off, "range": n} for b, (off, n) in zip(buffers, ranges)])
        writes = ffi.new("VkWriteDescriptorSet[]", [
            {"sType": vk.VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, "dstSet": dset,
             "dstBinding": binding, "descriptorCount": 1,
             "descriptorType": vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, "pBufferInfo": infos + i}
            for i, binding in enumerate(self.bindings)])
        ctx.fns.UpdateDescriptorSets(ctx.handle, len(self.bindings), writes, 0, ffi.NULL)

    def free(self, dset, entry: list) -> None:
        """Return a set to its pool (the GPU must be done with it)."""
        def release(handle) -> None:
            arr = self.ctx.ffi.new("VkDescriptorSet[1]", [handle])
            vkapi.check(self.ctx.fns.FreeDescriptorSets(self.ctx.handle, entry[0], 1, arr),
                        "vkFreeDescriptorSets")
        tracking.destroy("VkDescriptorSet", dset, release)
        entry[1] -= 1

    def destroy(self) -> None:
        """Destroy every pool (which frees their sets)."""
        ctx, ffi = self.ctx, self.ctx.ffi
        for pool, in_use in self.pools:
            if in_use:
                raise RuntimeError("descriptor pool destroyed with sets still tracked")
            tracking.destroy("VkDescriptorPool", pool,
                             lambda h: ctx.lib.vkDestroyDescriptorPool(ctx.handle, h, ffi.NULL))
        self.pools = []

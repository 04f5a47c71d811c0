"""Shader module, descriptor-set and pipeline layouts, and one pipeline per local size.

The layout comes from reflection: storage buffers at the module's set-0 bindings, one
push-constant range of the block's size. The local size is set through specialization
constants (the module's SpecIds), so each distinct local size is one VkPipeline, created
on first use through the device's VkPipelineCache (whose data the device then saves to
the on-disk cache: device.py).
"""
from __future__ import annotations

import threading

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import CompilationError
from .reflect import ModuleInfo


class Program:
    """The Vulkan objects compiled from one SPIR-V module."""

    def __init__(self, ctx: DeviceContext, code: bytes, info: ModuleInfo) -> None:
        self.ctx, self.info = ctx, info
        self.module = self.set_layout = self.layout = None
        self.pipelines: dict[tuple[int, int, int], object] = {}
        # pipelines created, and how many of them the driver says came from the
        # VkPipelineCache (creation feedback, Vulkan 1.3; None: the device cannot say)
        self.created = 0
        self.cache_hits: int | None = 0 if ctx.physical.api >= (1, 3) else None
        self._lock = threading.Lock()
        try:
            self._create_module(code)
            self._create_layouts()
        except BaseException:
            self.destroy()
            raise

    def _create(self, fn: str, info, out_type: str, kind: str, failure=CompilationError):
        ffi = self.ctx.ffi
        out = ffi.new(out_type + "*")
        vkapi.check(getattr(self.ctx.lib, fn)(self.ctx.handle, info, ffi.NULL, out), fn, failure)
        return tracking.created(kind, out[0])

    def _create_module(self, code: bytes) -> None:
        vk, ffi = self.ctx.vk, self.ctx.ffi
        words = ffi.new("uint32_t[]", len(code) // 4)
        ffi.memmove(words, code, len(code))
        info = ffi.new("VkShaderModuleCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, "codeSize": len(code),
            "pCode": words})
        self.module = self._create("vkCreateShaderModule", info, "VkShaderModule", "VkShaderModule")

    def _create_layouts(self) -> None:
        vk, ffi = self.ctx.vk, self.ctx.ffi
        bindings = ffi.new("VkDescriptorSetLayoutBinding[]", [
            {"binding": b, "descriptorType": vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
             "descriptorCount": 1, "stageFlags": vk.VK_SHADER_STAGE_COMPUTE_BIT}
            for b in self.info.bindings] or 1)
        dsl_info = ffi.new("VkDescriptorSetLayoutCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
            "bindingCount": len(self.info.bindings), "pBindings": bindings})
        self.set_layout = self._create("vkCreateDescriptorSetLayout", dsl_info,
                                       "VkDescriptorSetLayout", "VkDescriptorSetLayout")
        layouts = ffi.new("VkDescriptorSetLayout[1]", [self.set_layout])
        pc = ffi.new("VkPushConstantRange*", {
            "stageFlags": vk.VK_SHADER_STAGE_COMPUTE_BIT, "offset": 0,
            "size": self.info.push_constant_size})
        info = ffi.new("VkPipelineLayoutCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
            "setLayoutCount": 1 if self.info.bindings else 0, "pSetLayouts": layouts,
            "pushConstantRangeCount": 1 if self.info.push_constant_size else 0,
            "pPushConstantRanges": pc})
        self.layout = self._create("vkCreatePipelineLayout", info, "VkPipelineLayout", "VkPipelineLayout")

    def pipeline(self, local: tuple[int, int, int]):
        """The VkPipeline for this local size, created on first use."""
        with self._lock:
            pipe = self.pipelines.get(local)
            if pipe is None:
                pipe = self.pipelines[local] = self._create_pipeline(local)
            return pipe

    def _create_pipeline(self, local: tuple[int, int, int]):
        vk, ffi = self.ctx.vk, self.ctx.ffi
        dims = [(sid, i) for i, sid in enumerate(self.info.local_size_spec_ids) if sid is not None]
        data = ffi.new("uint32_t[3]", list(local))
        entries = ffi.new("VkSpecializationMapEntry[]", [
            {"constantID": sid, "offset": 4 * i, "size": 4} for sid, i in dims] or 1)
        spec = ffi.new("VkSpecializationInfo*", {
            "mapEntryCount": len(dims), "pMapEntries": entries, "dataSize": 12, "pData": data})
        name = ffi.new("char[]", self.info.entry_point.encode())
        info = ffi.new("VkComputePipelineCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
            "stage": {"sType": vk.VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                      "stage": vk.VK_SHADER_STAGE_COMPUTE_BIT, "module": self.module,
                      "pName": name, "pSpecializationInfo": spec if dims else ffi.NULL},
            "layout": self.layout, "basePipelineIndex": -1})
        feedback = None
        if self.cache_hits is not None:
            feedback = ffi.new("VkPipelineCreationFeedback[2]")     # the pipeline's, its stage's
            chain = ffi.new("VkPipelineCreationFeedbackCreateInfo*", {
                "sType": vk.VK_STRUCTURE_TYPE_PIPELINE_CREATION_FEEDBACK_CREATE_INFO,
                "pPipelineCreationFeedback": feedback, "pipelineStageCreationFeedbackCount": 1,
                "pPipelineStageCreationFeedbacks": feedback + 1})
            info.pNext = chain
        out = ffi.new("VkPipeline*")
        result = self.ctx.lib.vkCreateComputePipelines(
            self.ctx.handle, self.ctx.pipeline_cache, 1, info, ffi.NULL, out)
        vkapi.check(result, f"vkCreateComputePipelines(local size {local})", CompilationError)
        pipe = tracking.created("VkPipeline", out[0])
        self.created += 1
        if feedback is not None and self.cache_hits is not None:
            hit = (vk.VK_PIPELINE_CREATION_FEEDBACK_VALID_BIT
                   | vk.VK_PIPELINE_CREATION_FEEDBACK_APPLICATION_PIPELINE_CACHE_HIT_BIT)
            if feedback[0].flags & hit == hit:
                self.cache_hits += 1
        created = self.ctx.extra.get("pipeline_created")
        if created is not None:
            created()           # the device saves its pipeline cache data (device.py)
        return pipe

    def destroy(self) -> None:
        """Destroy pipelines, layouts and the module (idempotent; GPU must be done with them)."""
        ctx, ffi = self.ctx, self.ctx.ffi
        with self._lock:
            pipes, self.pipelines = list(self.pipelines.values()), {}
        for pipe in pipes:
            tracking.destroy("VkPipeline", pipe, lambda h: ctx.lib.vkDestroyPipeline(ctx.handle, h, ffi.NULL))
        for attr, fn, kind in (("layout", "vkDestroyPipelineLayout", "VkPipelineLayout"),
                               ("set_layout", "vkDestroyDescriptorSetLayout", "VkDescriptorSetLayout"),
                               ("module", "vkDestroyShaderModule", "VkShaderModule")):
            handle = getattr(self, attr)
            if handle is not None:
                release = getattr(ctx.lib, fn)
                tracking.destroy(kind, handle, lambda h: release(ctx.handle, h, ffi.NULL))  # noqa: B023 - called at once
                setattr(self, attr, None)

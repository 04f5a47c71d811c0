"""Runs lowered kernels through the runtime's Python layer, for the execution tests."""
from __future__ import annotations

import struct
from typing import Mapping, Sequence

import numpy as np

from simple_vkbackend.lowering.interface import KernelInterface
from simple_vkbackend.lowering.lower import LoweredKernel
from simple_vkbackend.runtime import Device

PUSH_FORMATS = {"bool": "<I", "i8": "<b", "u8": "<B", "i16": "<h", "u16": "<H", "i32": "<i", "u32": "<I",
                "i64": "<q", "u64": "<Q", "f16": "<e", "f32": "<f", "f64": "<d"}


def push_constants(interface: KernelInterface, scalars: Mapping[str, object]) -> bytes:
    """The push-constant block: each scalar at its interface offset."""
    data = bytearray(interface.push_size)
    for slot in interface.scalars:
        struct.pack_into(PUSH_FORMATS[slot.type], data, slot.offset, scalars[slot.name])
    return bytes(data)


class Runner:
    """Launches lowered kernels on one device; numpy arrays in, results copied back."""

    def __init__(self, device: Device):
        self.device = device

    def supports(self, features: Sequence[str]) -> bool:
        return set(features) <= set(self.device.enabled_features)

    def run(self, lowered: LoweredKernel, arrays: Sequence[np.ndarray], scalars: Mapping[str, object],
            groups: tuple[int, int, int], local: tuple[int, int, int] | None = None) -> None:
        """Upload `arrays` (one per buffer parameter, in order), launch `groups` work
        groups of `local` (default: the kernel's default local size), download every
        array back in place."""
        kernel = self.device.compile(lowered.spirv)
        buffers = [self.device.alloc(a.nbytes) for a in arrays]
        try:
            for b, a in zip(buffers, arrays):
                b.upload(a)
            local = local or lowered.interface.local_size
            kernel.launch(buffers, push=push_constants(lowered.interface, scalars),
                          global_size=tuple(g * n for g, n in zip(groups, local)), local_size=local)
            for b, a in zip(buffers, arrays):
                b.download(out=a)
        finally:
            for b in buffers:
                b.free()
            kernel.free()

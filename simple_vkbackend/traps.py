"""Bounds traps on the host side: the hidden buffer of a kernel compiled with
`@bounds(default=trap)` or the debug option, and the error a trap becomes.
The same buffer reports a launch that reached the driver's loop limit
(`KernelInterface.loop_limit`, lavapipe's 65535): its site is the one after the
bounds-trap sites (`loop_limit_site`).

A kernel with trap sites has one more buffer parameter, `KernelInterface.trap_param`
(u32, `TRAP_WORDS` words), that callers never see. Every runner zeroes it before a
launch and reads it after: word 0 is 0, or the site number + 1 of the first
out-of-range access (the first work item to get there wins); words 1 and 2 are
the index (low and high 32 bits), word 3 the length of the buffer or array.
"""
from __future__ import annotations

import dataclasses
import weakref
from typing import Any, Optional

import numpy as np

from simple_vkbackend.lowering.interface import KernelInterface
from simple_vkbackend.lowering.ir import TRAP_WORDS

from .errors import BackendError


class BoundsTrapError(BackendError):
    """A kernel in trap mode indexed a buffer or array out of range. `kernel`,
    `buffer`, `index`, `length` and `location` (FILE:LINE:COL) describe the first
    such access."""

    def __init__(self, kernel: str, buffer: str, index: int, length: int, location: str):
        self.kernel, self.buffer, self.index, self.length, self.location = kernel, buffer, index, length, location
        super().__init__(f"{location}: bounds trap in kernel `{kernel}`: index {index} is out of range "
                         f"for `{buffer}` of length {length}")


class LoopLimitError(BackendError):
    """A launch reached the driver's limit on loop iterations per work item (lavapipe
    ends every loop of a work item once it has run `limit` iterations in all), so the
    results would be wrong. `kernel` and `limit` say which and how many."""

    def __init__(self, kernel: str, limit: int):
        self.kernel, self.limit = kernel, limit
        super().__init__(f"kernel `{kernel}`: the device's driver (lavapipe) ends loops after {limit} iterations "
                         f"per work item in total; this launch reached that limit, so its results would be wrong")


def user_view(interface: KernelInterface) -> KernelInterface:
    """The interface as callers see it: the hidden trap buffer left out."""
    if interface.trap_param is None:
        return interface
    return dataclasses.replace(interface, params=interface.user_params)


def new_words() -> np.ndarray:
    """A zeroed host copy of the hidden buffer."""
    return np.zeros(TRAP_WORDS, dtype=np.uint32)


def arm(interface: KernelInterface, args: dict[str, Any]) -> Optional[np.ndarray]:
    """Adds a zeroed trap buffer to `args` (name -> numpy array) when the kernel
    has one; returns it (None for a kernel without trap sites)."""
    if interface.trap_param is None:
        return None
    words = new_words()
    args[interface.trap_param] = words
    return words


def check(interface: KernelInterface, words: Optional[np.ndarray]) -> None:
    """Raises BoundsTrapError when the trap buffer read back after a launch
    records an out-of-range access, LoopLimitError when it records reaching the
    driver's loop limit."""
    if words is None or int(words[0]) == 0:
        return
    site = int(words[0]) - 1
    if site == interface.loop_limit_site and interface.loop_limit is not None:
        raise LoopLimitError(interface.name, interface.loop_limit)
    if site >= len(interface.trap_sites):
        raise BackendError(f"kernel `{interface.name}`: the bounds-trap buffer holds an unknown site {site}")
    buffer, location, signed = interface.trap_sites[site]
    raw = int(words[1]) | int(words[2]) << 32
    index = raw - (1 << 64) if signed and raw >= 1 << 63 else raw
    raise BoundsTrapError(interface.name, buffer, index, int(words[3]), location)


# --------------------------------------------------------------------------- device-resident launches
# (vulkan.objects.Kernel.launch): a fresh trap buffer per launch, checked after a
# waiting launch, else at the device's next sync() or a buffer's to_numpy().

_pending: "weakref.WeakKeyDictionary[Any, list]" = weakref.WeakKeyDictionary()


def launch_buffer(device: Any, interface: KernelInterface) -> list:
    """The device trap buffer to bind after the user's buffers ([] for a kernel
    without trap sites)."""
    return [] if interface.trap_param is None else [device.buffer_from(new_words())]


def watch(device: Any, interface: KernelInterface, buffers: list, wait: bool) -> None:
    """After a launch: check its trap buffer now (`wait`) or at the next sync."""
    if not buffers:
        return
    _pending.setdefault(device, []).append((interface, buffers[0]))
    if wait:
        drain(device)


def drain(device: Any) -> None:
    """Check (and free) the trap buffers of the device's finished launches; raises
    BoundsTrapError (or LoopLimitError) for the first launch that trapped."""
    pending = _pending.pop(device, [])
    if getattr(device, "closed", False):
        return  # the device and its buffers are gone; nothing to read
    first: Optional[BackendError] = None
    for interface, buffer in pending:
        try:
            if first is None:
                check(interface, buffer.to_numpy())
        except (BoundsTrapError, LoopLimitError) as err:
            first = err
        finally:
            buffer.free()
    if first is not None:
        raise first

"""Live Vulkan object tracking: every create is recorded, every destroy checked.

`track`/`untrack` keep a set of (kind, handle) pairs, so a double destroy or a destroy of
an unknown object is caught (raised) instead of reaching the driver, and tests can
assert that counts return to where they were (`live_objects()`). Runtime code uses the
pair `created(kind, handle)` / `destroy(kind, handle, release)` around every Vulkan
handle; `destroy` untracks BEFORE releasing: once the driver has the address back,
another thread's create may get the same address and track it.
"""
from __future__ import annotations

import collections
import threading
from typing import Callable, TypeVar

from . import vkapi

H = TypeVar("H")

_lock = threading.Lock()
_live: set[tuple[str, int]] = set()


def track(kind: str, handle: int) -> None:
    """Record a newly created Vulkan object of type `kind` (e.g. "VkBuffer")."""
    with _lock:
        if (kind, handle) in _live:
            raise RuntimeError(f"{kind} {handle:#x} tracked twice")
        _live.add((kind, handle))


def untrack(kind: str, handle: int) -> None:
    """Record the destruction of an object; raises if it is not alive."""
    with _lock:
        try:
            _live.remove((kind, handle))
        except KeyError:
            raise RuntimeError(f"{kind} {handle:#x} destroyed twice or never created") from None


def created(kind: str, handle: H) -> H:
    """Track a Vulkan handle just created (a cffi handle); returns it."""
    track(kind, vkapi.as_int(handle))
    return handle


def destroy(kind: str, handle: H, release: Callable[[H], object]) -> None:
    """Untrack `handle`, then `release(handle)` (vkDestroy*/vkFree*)."""
    untrack(kind, vkapi.as_int(handle))
    release(handle)


def live_objects() -> dict[str, int]:
    """Counts of live Vulkan objects per type."""
    with _lock:
        return dict(collections.Counter(kind for kind, _ in _live))


def live_total() -> int:
    """Total number of live Vulkan objects."""
    with _lock:
        return len(_live)


def after_fork() -> None:
    """In a fork()ed child: a fresh lock (a parent thread may have held the old one)."""
    global _lock
    _lock = threading.Lock()

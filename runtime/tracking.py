"""Live Vulkan object tracking: every create is recorded, every destroy checked.

`track`/`untrack` keep a set of (kind, handle) pairs, so a double destroy or a destroy of
an unknown object is caught (raised) instead of reaching the driver, and tests can
assert that counts return to where they were (`live_objects()`).
"""
from __future__ import annotations

import collections
import threading

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


def live_objects() -> dict[str, int]:
    """Counts of live Vulkan objects per type."""
    with _lock:
        return dict(collections.Counter(kind for kind, _ in _live))


def live_total() -> int:
    """Total number of live Vulkan objects."""
    with _lock:
        return len(_live)

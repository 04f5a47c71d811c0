"""What every device-resident wrapper shares: turning runtime failures into
VulkanErrors, and a lifetime released once (free(), `with`, or garbage collection)."""
from __future__ import annotations

import weakref
from typing import Any, Callable, TypeVar

from simple_vkbackend import runtime
from simple_vkbackend.runtime.abi import Status

from ..errors import VulkanError

T = TypeVar("T")


def runtime_call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args) on a runtime object; its failure becomes a VulkanError saying `what`."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - as the rt_vk_* table reports it: never a traceback
        raise vulkan_error(what, exc) from None


def vulkan_error(what: str, exc: Exception) -> VulkanError:
    """The VulkanError a runtime failure (or any other exception) of `what` becomes."""
    if isinstance(exc, runtime.RuntimeFailure):
        return VulkanError(int(exc.code), f"{what}: {exc}")
    return VulkanError(int(Status.EXECUTION_FAILED), f"{what}: internal error: {exc!r}")


class Resident:
    """The lifetime of a wrapper: `release` runs once, on free()/close(), on leaving a
    `with` block, or when the wrapper is garbage collected."""

    def _hold(self, release: Callable[[], Any]) -> None:
        self._open = [True]     # [False] from the release on: what launches check (a list read,
        #                         cheaper than the finalizer's `alive`)
        self._finalizer = weakref.finalize(self, _release_marked, self._open, release)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def free(self) -> None:
        """Release what the object holds on the device; idempotent."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()


def _release_marked(open_flag: list, release: Callable[[], Any]) -> None:
    open_flag[0] = False
    release()

"""Errors the backends and the Python API raise at the user.

Compile errors in Simple source are the front end's `CompileError`; argument
mistakes are `TypeError`/`ValueError` naming the parameter. Everything that goes
wrong when choosing a backend or running a kernel is a `BackendError`.
"""
from __future__ import annotations


class BackendError(RuntimeError):
    """A backend cannot be used, or a kernel cannot run on it."""


class BackendUnavailableError(BackendError):
    """The backend asked for cannot run here (no driver, no device, not installed)."""


class MissingFeatureError(BackendError):
    """A kernel needs a device feature that the chosen device has not enabled."""


class SoftwareRunError(BackendError):
    """The software backend could not run a kernel (an unchecked out-of-bounds
    index on an active work item, a launch too large for its ids or for memory);
    the message names the kernel and, for a bad index, the work item."""


class VulkanError(BackendError):
    """A runtime call failed: `status` is the rt_vk_* status code (negative), and
    the message is the runtime's own (rt_vk_last_error)."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.detail = message
        super().__init__(f"{message} (status {status}: {status_name(status)})")


def status_name(status: int) -> str:
    """'invalid parameter' for -7: the runtime's Status names, in words."""
    from simple_vkbackend.runtime.abi import status_name as name  # late: keeps package import light
    return name(status)

"""Runtime errors and the status codes of the rt_vk_* ABI.

Every failure inside the runtime is a `RuntimeFailure` subclass carrying the ABI status
code it maps to; the FFI layer turns them into codes, Python callers catch them.
"""
from __future__ import annotations

from .abi import Status

__all__ = ["Status"]  # re-exported: the runtime's errors carry ABI statuses


class RuntimeFailure(Exception):
    """Base class of runtime errors; `code` is the ABI status code."""

    code: Status = Status.EXECUTION_FAILED


class NotAvailableError(RuntimeFailure):
    """No Vulkan loader, driver or device (or the runtime was shut down)."""

    code = Status.NOT_AVAILABLE


class InvalidHandleError(RuntimeFailure):
    """A handle or object that does not exist, was freed, or is of another kind."""

    code = Status.INVALID_HANDLE


class AllocationError(RuntimeFailure):
    """Device or host memory could not be allocated."""

    code = Status.ALLOCATION_FAILED


class CompilationError(RuntimeFailure):
    """SPIR-V rejected: malformed, invalid, unsupported, or needing absent features."""

    code = Status.COMPILATION_FAILED


class ExecutionError(RuntimeFailure):
    """A submission or wait failed (device lost, driver error)."""

    code = Status.EXECUTION_FAILED


class BufferTooSmallError(RuntimeFailure):
    """A transfer larger than the buffer."""

    code = Status.BUFFER_TOO_SMALL


class InvalidParameterError(RuntimeFailure):
    """A bad argument: null pointer, wrong count, out-of-range size."""

    code = Status.INVALID_PARAMETER


INSTALL_HINT = (
    "install a Vulkan loader and driver, e.g. `apt install libvulkan1 mesa-vulkan-drivers` "
    "(lavapipe runs Vulkan on the CPU)"
)

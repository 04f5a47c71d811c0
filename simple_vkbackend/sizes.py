"""Launch geometry: normalising global/local sizes, and the local-size policy
(runtime/local_size.py) applied to a kernel's interface."""
from __future__ import annotations

from typing import Optional, Sequence, Union

from simple_vkbackend.lowering.interface import KernelInterface

Size3 = tuple[int, int, int]
SizeArg = Union[int, Sequence[int], None]

U32_MAX = 2**32 - 1


def as_size3(value: Union[int, Sequence[int]], what: str) -> Size3:
    """(x, y, z) from an int or a sequence of 1 to 3 positive ints (missing ones are 1)."""
    if hasattr(value, "__index__"):
        items = [value]
    elif isinstance(value, (tuple, list)):
        items = list(value)
    else:
        raise TypeError(f"{what} must be an int or a tuple of 1 to 3 ints, got {value!r}")
    if not 1 <= len(items) <= 3:
        raise TypeError(f"{what} must be an int or a tuple of 1 to 3 ints, got {value!r}")
    sizes = []
    for item in items:
        if isinstance(item, bool) or not hasattr(item, "__index__"):
            raise TypeError(f"{what} must hold ints, got {value!r}")
        n = item.__index__()
        if not 1 <= n <= U32_MAX:
            raise ValueError(f"{what} must be between 1 and {U32_MAX}, got {value!r}")
        sizes.append(n)
    return tuple(sizes + [1] * (3 - len(sizes)))  # type: ignore[return-value]


def choose_local_size(interface: KernelInterface, global_size: Size3,
                      limits: Optional[Sequence[int]]) -> Size3:
    """The local size for a launch of `interface` by the runtime's local-size policy;
    `limits` in rt_vk_device_limits order, or None when there is no device to ask."""
    from simple_vkbackend.runtime.local_size import choose_local_size as policy  # late: package import stays light
    return policy(interface.local_size, global_size, limits,
                             hinted=interface.local_size_hint is not None)


class LaunchError(ValueError):
    """A launch the kernel cannot honour (its dimensions or its declared local size)."""


def check_launch(interface: KernelInterface, global_size: Size3, local_size: Optional[Size3]) -> None:
    """The one check of a launch's sizes against the kernel, made by every launch path
    (the API's `module.kernel(...)` and so the CLI, and `Kernel.launch`):

    - a D-dimensional kernel takes sizes whose components past D are 1: `global_size=(8, 2)`
      on a 1-D kernel would run every work item twice;
    - a kernel declared with `local_size=...` runs with that local size only: its code
      (shared array sizes, reduction strides) is written for it.
    """
    dims, hint = interface.dims, interface.local_size_hint
    for what, size in (("global_size", global_size), ("local_size", local_size)):
        if size is not None and any(n != 1 for n in size[dims:]):
            given = ", ".join(map(str, size[:max(dims, max(d + 1 for d in range(3) if size[d] != 1))]))
            raise LaunchError(f"kernel {interface.name} is {dims}-D: {what}=({given}) has "
                              f"{len(given.split(', '))} dimensions; the components past {dims} must be 1")
    if local_size is not None and hint is not None and tuple(local_size) != tuple(hint):
        raise LaunchError(f"kernel {interface.name} is declared with local_size={_show(hint, dims)}: "
                          f"it cannot run with local_size={_show(local_size, dims)}")


def _show(size: Sequence[int], dims: int) -> str:
    return str(size[0]) if dims == 1 and all(n == 1 for n in size[1:]) else f"({', '.join(map(str, size[:max(dims, 1)]))})"

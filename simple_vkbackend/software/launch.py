"""`run_kernel`: check the arguments and launch sizes, then run the kernel."""
from __future__ import annotations

import numbers
from typing import Mapping, Sequence

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.vector_nodes import vector_length_problem
from simple_vkbackend.lowering.ir.walk import buffer_usage, vector_widths

from .errors import SoftwareArgumentError
from .geometry import Geometry
from .interp import KernelRun
from .subgroups import DEFAULT_SUBGROUP_SIZE
from .values import dtype_of, scalar_value

_I32_MAX = 2**31 - 1


def run_kernel(module: ir.Module, kernel: str, args: Mapping[str, object],
               global_size: Sequence[int], local_size: Sequence[int],
               subgroup_size: int = DEFAULT_SUBGROUP_SIZE) -> None:
    """Run `kernel` of `module` over `global_size` work items in groups of
    `local_size` ((x, y, z); missing trailing dimensions are 1).

    `args` maps every parameter name to its value: a buffer is a 1-D
    C-contiguous numpy array of exactly the element dtype (written in place); a
    scalar is a Python or numpy number of a kind that fits the parameter type.
    Raises SoftwareArgumentError for bad arguments and SoftwareExecutionError
    when the kernel fails (for example an unchecked out-of-bounds index).
    `subgroup_size`: the lanes of a subgroup (a power of two, 1..128; subgroups.py).
    """
    if subgroup_size not in (1, 2, 4, 8, 16, 32, 64, 128):
        raise SoftwareArgumentError(f"subgroup_size must be a power of two from 1 to 128, not {subgroup_size!r}")
    k = _find_kernel(module, kernel)
    geometry = Geometry(_size3(k, "global_size", global_size, 0),
                        _size3(k, "local_size", local_size, 1), subgroup_size)
    for d in range(3):
        if geometry.num_groups[d] * geometry.local_size[d] > _I32_MAX:
            raise SoftwareArgumentError(
                f"kernel '{k.name}': global_size {geometry.global_size} does not fit i32 ids")
    buffers, scalars = _bind(k, args)
    with np.errstate(all="ignore"):
        KernelRun(module, k, geometry, buffers, scalars).execute()


def _find_kernel(module: ir.Module, name: str) -> ir.Kernel:
    if not isinstance(module, ir.Module):
        raise SoftwareArgumentError(f"expected a kernel IR Module, got {type(module).__name__}")
    for k in module.kernels:
        if k.name == name:
            return k
    names = ", ".join(k.name for k in module.kernels) or "none"
    raise SoftwareArgumentError(f"module '{module.name}' has no kernel '{name}' (kernels: {names})")


def _size3(k: ir.Kernel, what: str, size, minimum: int) -> tuple[int, int, int]:
    dims = [size] if isinstance(size, numbers.Integral) else size
    ok = isinstance(dims, (tuple, list)) and 1 <= len(dims) <= 3 and all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) and int(d) >= minimum for d in dims)
    if not ok:
        raise SoftwareArgumentError(
            f"kernel '{k.name}': {what} must be 1 to 3 integers >= {minimum}, got {size!r}")
    x, y, z = [int(d) for d in dims] + [1] * (3 - len(dims))
    return (x, y, z)


def _bind(k: ir.Kernel, args: Mapping[str, object]):
    if not isinstance(args, Mapping):
        raise SoftwareArgumentError(f"kernel '{k.name}': args must be a dict of parameter name -> value")
    names = [p.name for p in k.params]
    missing = [n for n in names if n not in args]
    unknown = [n for n in args if n not in names]
    if missing or unknown:
        signature = ", ".join(f"{p.name}: {p.type}" for p in k.params)
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                   ([f"unknown {', '.join(map(str, unknown))}"] if unknown else [])
        raise SoftwareArgumentError(
            f"kernel '{k.name}': arguments do not match the parameters ({'; '.join(problems)}); "
            f"expected {signature}")
    usage, widths = buffer_usage(k), vector_widths(k)
    buffers, scalars = {}, {}
    for p in k.params:
        if isinstance(p.type, ir.BufferType):
            buffers[p.name] = _buffer(k, p.name, p.type, args[p.name], usage[p.name].written)
            vector = widths.get(p.name, 1)
            if buffers[p.name].size % vector:
                raise SoftwareArgumentError(f"kernel '{k.name}': buffer '{p.name}' ({p.type}): "
                                            + vector_length_problem(vector, buffers[p.name].size))
        else:
            scalars[p.name] = _scalar(k, p.name, p.type, args[p.name])
    return buffers, scalars


def _buffer(k: ir.Kernel, name: str, ty: ir.BufferType, value, written: bool) -> np.ndarray:
    where = f"kernel '{k.name}': buffer '{name}' ({ty})"
    if ty.elem.is_bool:
        raise SoftwareArgumentError(f"{where}: buffers of bool are not supported")
    if not isinstance(value, np.ndarray):
        raise SoftwareArgumentError(f"{where}: expected a numpy array, got {type(value).__name__}")
    want = dtype_of(ty.elem)
    if value.dtype != want:
        raise SoftwareArgumentError(f"{where}: expected dtype {want}, got {value.dtype}")
    if value.ndim != 1 or not value.flags.c_contiguous:
        raise SoftwareArgumentError(f"{where}: expected a 1-D contiguous array, got shape {value.shape}"
                                    + ("" if value.flags.c_contiguous else " (not contiguous)"))
    if written and not value.flags.writeable:
        raise SoftwareArgumentError(f"{where}: the kernel writes it but the array is read-only")
    return value


def _scalar(k: ir.Kernel, name: str, t: ir.ScalarType, value) -> np.generic:
    where = f"kernel '{k.name}': scalar '{name}' ({t})"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    is_bool = isinstance(value, (bool, np.bool_))
    if t.is_bool:
        ok = is_bool
    elif t.is_int:
        ok = isinstance(value, numbers.Integral) and not is_bool
        if ok and not np.iinfo(dtype_of(t)).min <= int(value) <= np.iinfo(dtype_of(t)).max:
            raise SoftwareArgumentError(f"{where}: {value} is out of range")
    else:
        ok = isinstance(value, numbers.Real) and not is_bool
    if not ok:
        wanted = {"bool": "a bool", "int": "an integer", "uint": "an integer", "float": "a number"}[t.kind]
        raise SoftwareArgumentError(f"{where}: expected {wanted}, got {value!r}")
    return scalar_value(t, value)

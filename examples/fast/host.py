"""Host code for the fast example kernels: how each is launched, through the Python
API on numpy arrays (any backend). bench/vendor.py times the same launches on
device buffers; tests/examples check them against numpy."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import simple_vkbackend as svk

HERE = Path(__file__).resolve().parent
GROUP = 256


def compile_example(name: str, backend="auto", **options) -> svk.Module:
    """examples/fast/<name>.spl compiled for `backend`."""
    return svk.compile_file(HERE / f"{name}.spl", backend=backend, **options)


def groups_for(n: int, limit: int = 1024) -> int:
    """Work-groups for a grid-stride kernel over n elements: enough to fill a large GPU
    (a few per compute unit), never more than one element per work item."""
    return max(1, min(limit, -(-n // GROUP)))


def saxpy(module: svk.Module, a: float, x: np.ndarray, y: np.ndarray) -> None:
    module.saxpy(a, x, y, len(x), global_size=groups_for(len(x)) * GROUP)


def saxpy_vec4(module: svk.Module, a: float, x: np.ndarray, y: np.ndarray) -> None:
    """saxpy_vec4.spl on the whole vectors (the first 4 * (n // 4) elements: a kernel
    that accesses a buffer as vectors of 4 takes a multiple of 4 elements), the last
    0 to 3 elements here."""
    whole = len(x) // 4 * 4
    if whole:
        module.saxpy_vec4(a, x[:whole], y[:whole], whole, global_size=groups_for(whole // 4) * GROUP)
    y[whole:] = np.float32(a) * x[whole:] + y[whole:]


WIDE_LIMIT = 65535  # work-groups of a "wide" launch (the least maxComputeWorkGroupCount)


def saxpy_groups(vectors: int, per_item: int = 1, wide: bool = False) -> int:
    """Work-groups for saxpy_vec4/saxpy_vec4x2 over `vectors` vectors, `per_item` per work
    item per iteration: grid-stride over at most 1024 work-groups, or with `wide` one
    iteration per work item (as far as WIDE_LIMIT groups reach; the loop does the rest)."""
    if wide:
        return max(1, min(WIDE_LIMIT, -(-vectors // (GROUP * per_item))))
    return groups_for(vectors)


def saxpy_vec4x2(module: svk.Module, a: float, x: np.ndarray, y: np.ndarray, wide: bool = False) -> None:
    """saxpy_vec4.spl's saxpy_vec4x2 (two vectors per work item per iteration) on the
    whole vectors, the last 0 to 3 elements here."""
    whole = len(x) // 4 * 4
    if whole:
        groups = saxpy_groups(whole // 4, 2, wide)
        module.saxpy_vec4x2(a, x[:whole], y[:whole], whole, global_size=groups * GROUP)
    y[whole:] = np.float32(a) * x[whole:] + y[whole:]


def total(module: svk.Module, x: np.ndarray) -> np.float32:
    out = np.zeros(1, np.float32)
    module.sum(x, out, len(x), global_size=groups_for(len(x)) * GROUP)
    return out[0]


def total_vec4(module: svk.Module, x: np.ndarray) -> np.float32:
    """reduce_vec4.spl on the whole vectors, plus the last 0 to 3 elements."""
    whole = len(x) // 4 * 4
    out = np.zeros(1, np.float32)
    if whole:
        module.sum_vec4(x[:whole], out, whole, global_size=groups_for(whole // 4) * GROUP)
    return np.float32(out[0] + x[whole:].sum(dtype=np.float32))


SCAN_BLOCK = GROUP * 8  # values per work-group in scan.spl


def inclusive_scan(module: svk.Module, data: np.ndarray) -> None:
    """data[i] = data[0] + ... + data[i], in place (reduce-then-scan, recursive over
    the block sums)."""
    n = len(data)
    blocks = -(-n // SCAN_BLOCK)
    sums = np.zeros(blocks, np.float32)
    if blocks > 1:
        module.block_sums(data, sums, n, global_size=blocks * GROUP)
        inclusive_scan(module, sums)
    module.scan_blocks(data, sums, n, global_size=blocks * GROUP)


SCAN_VEC4_BLOCK = GROUP * 16  # values per work-group in scan_vec4.spl


def scan_levels(n: int, block: int, multiple: int = 1) -> list[int]:
    """The lengths a reduce-then-scan of n values in blocks of `block` scans: n, then
    its block sums (rounded up to a multiple of `multiple`, zeros at the end: 4 for
    scan_vec4.spl, whose kernels take whole vectors), and so on down to one block."""
    sizes = [n]
    while sizes[-1] > block:
        blocks = -(-sizes[-1] // block)
        sizes.append(-(-blocks // multiple) * multiple)
    return sizes


def inclusive_scan_vec4(module: svk.Module, data: np.ndarray) -> None:
    """scan_vec4.spl: data[i] = data[0] + ... + data[i], in place, on the first 4 * (n // 4)
    values (reduce-then-scan, recursive over the block sums, which are kept a multiple
    of 4 long), the last 0 to 3 here."""
    whole = len(data) // 4 * 4
    if whole:
        _scan_vec4(module, data[:whole])
    for i in range(max(whole, 1), len(data)):
        data[i] += data[i - 1]


def _scan_vec4(module: svk.Module, data: np.ndarray) -> None:
    n = len(data)
    blocks = -(-n // SCAN_VEC4_BLOCK)
    sums = np.zeros(-(-blocks // 4) * 4, np.float32)
    if blocks > 1:
        module.block_sums_vec4(data, sums, n, global_size=blocks * GROUP)
        _scan_vec4(module, sums)
    module.scan_blocks_vec4(data, sums, n, global_size=blocks * GROUP)


def softmax(module: svk.Module, x: np.ndarray, y: np.ndarray) -> None:
    rows, cols = x.shape
    module.softmax(x.reshape(-1), y.reshape(-1), cols, global_size=rows * GROUP)


def matmul(module: svk.Module, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
    """c = a @ b for n x n matrices, n a multiple of 128."""
    n = a.shape[0]
    module.matmul(a.reshape(-1), b.reshape(-1), c.reshape(-1), n, global_size=(n // 8, n // 8))


def matmul_vec4(module: svk.Module, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
    """matmul_vec4.spl: c = a @ b for n x n matrices, n a multiple of 128."""
    n = a.shape[0]
    module.matmul_vec4(a.reshape(-1), b.reshape(-1), c.reshape(-1), n, global_size=(n // 8, n // 8))


COOP_BLOCK = 64  # the C block one subgroup computes in matmul_f16.spl


def matmul_f16(module: svk.Module, a: np.ndarray, b: np.ndarray, c: np.ndarray, subgroup_size: int = 32) -> None:
    """c (f32) = a @ b (f16, m x k and k x n; m, n multiples of 64, k of 16) on cooperative
    matrices: work-groups of 128 work items, one 64x64 block per subgroup of `subgroup_size`
    (the kernel loops over blocks, so any subgroup size computes every block)."""
    (m, k), n = a.shape, b.shape[1]
    blocks = (m // COOP_BLOCK) * (n // COOP_BLOCK)
    groups = max(1, -(-blocks * subgroup_size // 128))
    module.matmul_f16(a.reshape(-1), b.reshape(-1), c.reshape(-1), m, n, k, global_size=groups * 128)


SHARED_BLOCK = 128  # the C block one work-group computes in matmul_f16_shared


def matmul_f16_shared(module: svk.Module, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                      kernel: str = "matmul_f16_shared") -> None:
    """c (f32) = a @ b as matmul_f16, with tiles staged through shared memory (m, n
    multiples of 128, k of 32; subgroups of at most 32 work items): `kernel` is
    matmul_f16_shared (copies element by element) or matmul_f16_staged (copies as
    16x16 matrix loads and stores)."""
    (m, k), n = a.shape, b.shape[1]
    groups = (m // SHARED_BLOCK) * (n // SHARED_BLOCK)
    module[kernel](a.reshape(-1), b.reshape(-1), c.reshape(-1), m, n, k, global_size=groups * 128)


# matmul_f16_tiled.spl: the C tile of a work-group of 256 work items (rows, columns)
# and the step along k of each kernel
TILED = {"matmul_f16_tiled": (128, 128, 32), "matmul_f16_tiled_wide": (128, 256, 32),
         "matmul_f16_tiled_k16": (128, 256, 16), "matmul_f16_tiled_coopcopy": (128, 128, 32)}


def tiled_launch_size(kernel: str, m: int, n: int, k: int, subgroup_size: int) -> int:
    """The global size of a matmul_f16_tiled.spl kernel for an m x k by k x n product (one
    work-group of 256 work items per tile); a ValueError for shapes off its tile and for
    subgroups of more than 32 work items (fewer than the 8 subgroups the kernel uses)."""
    rows, cols, step = TILED[kernel]
    if m % rows or n % cols or k % step or not k:
        raise ValueError(f"{kernel}: m, n must be multiples of {rows}, {cols} and k a positive "
                         f"multiple of {step} (got {m}, {n}, {k})")
    if subgroup_size > 32:
        raise ValueError(f"{kernel}: needs subgroups of at most 32 work items (this device's have "
                         f"{subgroup_size})")
    return (m // rows) * (n // cols) * 256


def matmul_f16_tiled(module: svk.Module, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                     kernel: str = "matmul_f16_tiled") -> None:
    """c (f32) = a @ b (f16) with a kernel of matmul_f16_tiled.spl (m and n multiples of
    the kernel's tile, k of its step; subgroups of at most 32 work items)."""
    (m, k), n = a.shape, b.shape[1]
    backend = module.backend
    subgroup = getattr(backend, "subgroup_size", None) or backend.device.info.subgroup_size
    size = tiled_launch_size(kernel, m, n, k, subgroup)
    module[kernel](a.reshape(-1), b.reshape(-1), c.reshape(-1), m, n, k, global_size=size)

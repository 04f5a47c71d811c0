"""`Buffer`: a typed storage buffer on a Vulkan device, used like an array.

A Buffer has a numpy dtype and shape; `buf[a:b]` is a view (a sub-range of the
same device memory, bound to kernels at its byte offset); `to_numpy()` /
`np.asarray(buf)` read it, `upload`, `copy_from`, `copy_to` and `fill` write or
copy (offsets in elements). Views share the memory of their base and keep it alive.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Optional, Sequence, Union

import numpy as np

from .. import traps
from ..dtypes import numeric_dtype
from .objects_base import Resident, runtime_call


def _shape(shape: Union[int, Sequence[int]]) -> tuple[int, ...]:
    """A shape as a tuple of non-negative Python ints (numpy integers accepted)."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    for n in dims:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"a buffer shape takes non-negative integers, got {shape!r}")
    return tuple(int(n) for n in dims)


BLOCK_BYTES = 4 << 20      # a non-contiguous array moves through packed blocks of at most this


def _blocks(array: np.ndarray, first: int = 0):
    """(index of the first element in C order, view) of consecutive blocks of
    `array` of at most BLOCK_BYTES (one element at least), covering it in C order."""
    item = array.dtype.itemsize
    if array.nbytes <= BLOCK_BYTES or array.ndim == 0:
        yield first, array
        return
    row = math.prod(array.shape[1:])
    if row * item <= BLOCK_BYTES:
        step = BLOCK_BYTES // (row * item)
        for i in range(0, array.shape[0], step):
            yield first + i * row, array[i:i + step]
        return
    for i in range(array.shape[0]):
        yield from _blocks(array[i], first + i * row)


class Buffer(Resident):
    """A storage buffer on a device, typed by a numpy dtype and shape."""

    is_device_buffer = True     # what the argument binder looks for (no import cycle)
    # `device` is an objects.Device (not imported here: objects imports this module)

    def __init__(self, device: Any, shape: Union[int, Sequence[int]], dtype: Any, _scratch: bool = False):
        self.device = device
        self.shape = _shape(shape)
        self.dtype = numeric_dtype(dtype, "Buffer")
        self.size = math.prod(self.shape)     # Python ints: no 64-bit wrap-around
        self.nbytes = self.size * self.dtype.itemsize
        if self.size <= 0:
            raise ValueError(f"a buffer needs at least one element, got shape {self.shape}")
        self.base: Optional[Buffer] = None   # the buffer a view looks into
        self.byte_offset = 0                  # where the view starts in the base
        rt_device = device.runtime_device
        self.runtime_buffer = runtime_call(f"cannot allocate a buffer of {self.nbytes} bytes",
                                           rt_device.alloc, self.nbytes, reuse=_scratch)
        # a scratch buffer (a launch's copy of an array) goes back to the device for reuse
        self._hold(self.runtime_buffer.free if not _scratch else
                   functools.partial(rt_device.recycle, self.runtime_buffer))

    @classmethod
    def _view(cls, base: "Buffer", start: int, count: int) -> "Buffer":
        view = cls.__new__(cls)
        view.device, view.dtype, view.base = base.device, base.dtype, base
        view.shape, view.size = (count,), count
        view.nbytes = count * base.dtype.itemsize
        view.byte_offset = start * base.dtype.itemsize      # `base` is never itself a view
        view.runtime_buffer = base.runtime_buffer
        view._hold(lambda: None)            # a view releases nothing; `base` keeps the memory
        return view

    @property
    def closed(self) -> bool:
        if self.base is not None:
            return self.base.closed
        return super().closed

    @property
    def is_view(self) -> bool:
        return self.base is not None

    @property
    def byte_range(self) -> Optional[tuple[int, int]]:
        """(offset, size) in bytes inside the device allocation, None for a whole buffer."""
        if self.base is None:
            return None
        return (self.byte_offset, self.nbytes)

    # -------------------------------------------------------------- views

    def __getitem__(self, key: Any) -> "Buffer":
        """`buf[a:b]`: a view of elements a..b-1 (flat order; step 1 only)."""
        if not isinstance(key, slice):
            raise TypeError("a Buffer is indexed by a slice (buf[a:b]); read elements with to_numpy()")
        start, stop, step = key.indices(self.size)
        if step != 1:
            raise ValueError("a Buffer view needs step 1 (device memory is bound as one range)")
        if stop <= start:
            raise ValueError(f"empty view [{start}:{stop}] of a buffer of {self.size} elements")
        return Buffer._view(self.base or self, self.byte_offset // self.dtype.itemsize + start, stop - start)

    def reshape(self, *shape: Any) -> "Buffer":
        """The same memory with another shape of the same element count (no copy)."""
        shape = _shape(shape[0] if len(shape) == 1 else shape)
        if math.prod(shape) != self.size:
            raise ValueError(f"cannot reshape {self.size} elements into {tuple(shape)}")
        view = Buffer._view(self.base or self, self.byte_offset // self.dtype.itemsize, self.size)
        view.shape = tuple(int(n) for n in shape)
        return view

    # -------------------------------------------------------------- transfers

    def upload(self, array: np.ndarray) -> None:
        """Copy `array` (same dtype and element count, C-contiguous) to the device."""
        array = np.asarray(array)
        if array.dtype != self.dtype or array.size != self.size:
            raise TypeError(f"upload needs {self.size} elements of {self.dtype}, got {array.size} of {array.dtype}")
        self.copy_from(array)

    def copy_from(self, src: Union[np.ndarray, "Buffer"], offset: int = 0) -> None:
        """Copy all of `src` (an array or a Buffer of this dtype; an array's elements
        in C order) into this buffer starting at element `offset`. The runtime picks
        the path (docs/runtime.md, transfers): a C-contiguous array's pages may be
        imported and kept registered while the array lives, so copying the same
        array again is cheaper than the first time."""
        self._check_open()
        count = self._check_source(src, offset, "copy_from")
        start = self.byte_offset + offset * self.dtype.itemsize
        if isinstance(src, Buffer):
            src._check_open()
            runtime_call("buffer copy failed", src.runtime_buffer.copy_to_buffer, self.runtime_buffer,
                         count * self.dtype.itemsize, src.byte_offset, start)
        elif src.flags.c_contiguous:
            runtime_call("upload failed", self.runtime_buffer.upload_from, src.ctypes.data, src.nbytes,
                         offset=start, owner=src)
        else:
            for first, block in _blocks(src):      # packed a bounded block at a time
                packed = np.ascontiguousarray(block)
                runtime_call("upload failed", self.runtime_buffer.upload_from, packed.ctypes.data,
                             packed.nbytes, offset=start + first * self.dtype.itemsize)

    def copy_to(self, dst: Union[np.ndarray, "Buffer"], offset: int = 0) -> None:
        """Copy elements `offset`.. of this buffer into all of `dst` (a writable array,
        filled in C order, or a Buffer of this dtype)."""
        self._check_open()
        count = self._check_source(dst, offset, "copy_to")
        if isinstance(dst, Buffer):
            dst.copy_from(self[offset:offset + count])
            return
        if not dst.flags.writeable:
            raise ValueError("copy_to needs a writable array")
        start = self.byte_offset + offset * self.dtype.itemsize
        if dst.flags.c_contiguous:
            runtime_call("download failed", self.runtime_buffer.download_to, dst.ctypes.data,
                         count * self.dtype.itemsize, offset=start, owner=dst)
            return
        for first, block in _blocks(dst):
            packed = np.empty(block.shape, self.dtype)
            runtime_call("download failed", self.runtime_buffer.download_to, packed.ctypes.data,
                         packed.nbytes, offset=start + first * self.dtype.itemsize)
            block[...] = packed

    def _check_source(self, other: Any, offset: int, what: str) -> int:
        if isinstance(other, Buffer):
            if other.device is not self.device:
                raise ValueError(f"{what}: the buffers live on different devices")
        elif not isinstance(other, np.ndarray):
            raise TypeError(f"{what} takes a numpy array or a Buffer, got {type(other).__name__}")
        if other.dtype != self.dtype:
            raise TypeError(f"{what}: dtype {other.dtype} differs from the buffer's {self.dtype}")
        if offset < 0 or offset + other.size > self.size:
            raise ValueError(f"{what}: {other.size} elements at offset {offset} do not fit in "
                             f"{self.size} elements")
        return other.size

    def to_numpy(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The buffer's contents, in a new array of its shape (or in `out`)."""
        if out is None:
            out = np.empty(self.shape, self.dtype)
        elif out.dtype != self.dtype or out.size != self.size or not out.flags.c_contiguous:
            raise TypeError(f"to_numpy(out=) needs a C-contiguous array of {self.size} {self.dtype}")
        self.copy_to(out)
        traps.drain(self.device)    # bounds traps of finished launches (trap mode) surface here
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if copy is False:
            raise ValueError("a device Buffer cannot be seen as an array without a copy")
        array = self.to_numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def fill(self, value: Any) -> None:
        """Set every element to `value` (on the GPU for 4-byte elements)."""
        self._check_open()
        item = np.array(value).astype(self.dtype)
        if self.dtype.itemsize == 4:
            runtime_call("fill failed", self.runtime_buffer.fill_u32, int(item.view(np.uint32)),
                         self.byte_offset, self.nbytes)
        else:
            self.copy_from(np.full(self.size, item, self.dtype))

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("the buffer was freed")
        if self.device.closed:
            raise ValueError("the buffer's device was closed")

    def free(self) -> None:
        """Release the device memory (a view releases nothing); idempotent."""
        super().free()

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        state = " (freed)" if self.closed else ""
        where = ""
        if self.base is not None:
            start = self.byte_offset // self.dtype.itemsize
            where = f" view [{start}:{start + self.size}] of {self.base.size}"
        return (f"<Buffer shape={self.shape} dtype={self.dtype} nbytes={self.nbytes}{where} "
                f"on {self.device.name}{state}>")

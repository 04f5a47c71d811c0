"""The registration cache of imported host memory (like cudaHostRegister caches).

Importing host pages (host_import.ImportedRange) makes the driver pin them: costly,
paid again by every transfer that imports afresh. A transfer that knows the object
owning its host bytes (a numpy array: `.base` is followed to the object that owns
the memory) keeps the import registered here, keyed by that owner and the byte range,
and the next transfer of the same range reuses it: the first transfer of an array
pays the pinning, later ones run at the copy engine's speed.

Lifetime. Only numpy arrays are owners (other objects' transfers import afresh
each time): numpy refuses to resize an array that has weak references, so an owner's
memory stays where it was registered while the owner lives. A registration is released when
its owner dies (a weakref callback, which runs before the owner's memory is freed),
when the cache outgrows its bound (least recently used first), when the owner's
memory moved (an array resized in place: checked before reuse), by Device.trim(),
and with the device. A registration is never released while a transfer uses it, and
only after the GPU copies that used it completed (the serial of the last one).

Bound: SIMPLE_VK_IMPORT_CACHE_MIB (default 1024 MiB of imported ranges per device;
0 turns the cache off), and at most MAX_REGISTRATIONS ranges (each is a device memory
allocation, of which a device allows maxMemoryAllocationCount). A range larger than
the bound is imported for its transfer only.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from .device_context import DeviceContext
from .errors import InvalidParameterError, RuntimeFailure

DEFAULT_LIMIT_MIB = 1024
LIMIT_ENV = "SIMPLE_VK_IMPORT_CACHE_MIB"
SEEN_KEEP = 4096            # owners remembered as transferred once (then forgotten at once)
MAX_REGISTRATIONS = 256     # each is a VkDeviceMemory: kept well inside maxMemoryAllocationCount
PAGE_SPAN = 64 << 10        # how far around a range its import's pages may reach


def limit_bytes() -> int:
    """The cache bound in bytes (SIMPLE_VK_IMPORT_CACHE_MIB, else the default)."""
    text = os.environ.get(LIMIT_ENV, "").strip()
    if not text:
        return DEFAULT_LIMIT_MIB << 20
    try:
        mib = int(text)
    except ValueError:
        raise InvalidParameterError(f"{LIMIT_ENV}={text!r} is not a whole number of MiB") from None
    return max(mib, 0) << 20


# -------------------------------------------------------------------- owners

def _is_ndarray(obj: Any) -> bool:
    """A numpy array (or subclass), told without importing numpy."""
    return any(c.__name__ == "ndarray" and c.__module__ == "numpy" for c in type(obj).__mro__)


def memory_owner(obj: Any) -> Any:
    """The numpy array whose lifetime bounds the memory of `obj`, for a weak reference:
    the deepest ndarray of its `.base` chain (the array that owns the memory, or the
    one holding the buffer export of the object that does, which cannot be resized
    while exported); None for anything else (bytes, bytearray, memoryview,
    array.array: their memory may move once no array exports it)."""
    owner, node = None, obj
    for _ in range(64):
        if not _is_ndarray(node):
            break
        owner, node = node, node.base
        if node is None:
            break
    return owner


def data_probe(owner: Any) -> Optional[tuple[int, int]]:
    """(address, size) of an array-like owner's memory, to notice that it moved (an
    ndarray resized in place); None for other owners (whose memory cannot move)."""
    try:
        face = owner.__array_interface__
        return int(face["data"][0]), int(owner.nbytes)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


_hints = threading.local()


@contextlib.contextmanager
def owners(arrays: Iterable[Any]) -> Iterator[None]:
    """Within the block, transfers of this thread given only raw addresses (the host
    glue of a module call) find the owner of bytes lying inside one of `arrays`, so
    their imports are registered as a Python-level transfer's are."""
    spans = []
    for array in arrays:
        probe = data_probe(array)
        owner = memory_owner(array)
        if probe is not None and owner is not None:
            spans.append((probe[0], probe[0] + probe[1], owner, array))
    stack = getattr(_hints, "stack", None)
    if stack is None:
        stack = _hints.stack = []
    stack.append(spans)
    try:
        yield
    finally:
        stack.pop()


def hinted_owner(address: int, size: int) -> Any:
    """The owner, from an enclosing `owners(...)` block, of [address, address+size)."""
    for spans in reversed(getattr(_hints, "stack", None) or ()):
        for start, end, owner, _ in spans:
            if start <= address and address + size <= end:
                return owner
    return None


# -------------------------------------------------------------------- the cache

@dataclass(eq=False)
class Registration:
    """One imported range: host bytes [start, end) (whole alignment units) as
    `imported` (an ImportedRange), whose byte 0 is host address `start`."""

    imported: Any
    start: int
    end: int
    owner_key: Optional[int] = None      # None: not cached (released after its transfer)
    users: int = 0                       # transfers using it now
    last_serial: int = 0                 # the last GPU copy that used it

    def offset_of(self, address: int) -> int:
        """Where host `address` lies in the imported VkBuffer."""
        return address - self.start


@dataclass(eq=False)
class _Owner:
    ref: Any
    probe: Optional[tuple[int, int]]
    ranges: list = field(default_factory=list)


class HostRegistry:
    """Registered imports of one device (see the module docstring)."""

    def __init__(self, ctx: DeviceContext, importer, limit: Optional[int] = None) -> None:
        """importer(address, size) -> an ImportedRange-like (offset, destroy(), and
        `length`, the imported bytes), raising RuntimeFailure when refused."""
        self.ctx, self.importer = ctx, importer
        self.limit = limit_bytes() if limit is None else limit
        self.max_count = max(1, min(MAX_REGISTRATIONS, ctx.limits.max_memory_allocation_count // 16))
        self._lock = threading.Lock()
        self._holder = 0                 # the thread holding _lock (for weakref callbacks)
        self._owners: dict[int, _Owner] = {}
        self._lru: collections.OrderedDict[int, Registration] = collections.OrderedDict()
        self._bytes = 0
        self._seen: dict[int, Any] = {}   # id -> weakref of owners transferred without a registration
        self._dead: list[int] = []       # owner keys whose owner died while _lock was held
        self.imports = 0                 # imports made (for tests and benchmarks)

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._lru)

    # -- use ----------------------------------------------------------------------

    def find(self, address: int, size: int, owner: Any) -> Optional[list[Registration]]:
        """Registered imports of `owner` that together cover [address, address+size),
        in address order, marked in use (give each back with `done`); None when they
        do not cover it."""
        if owner is None:
            return None
        key = id(owner)
        with self._locked():
            record = self._owners.get(key)
            if record is None or record.ref() is not owner:
                return None
            if record.probe != data_probe(owner):
                self._forget_owner(key)     # the memory moved: its imports are stale
                return None
            cover, at, end = [], address, address + size
            while at < end:
                best = max((r for r in record.ranges if r.start <= at < r.end), key=lambda r: r.end, default=None)
                if best is None:
                    return None
                cover.append(best)
                at = best.end
            for reg in cover:
                reg.users += 1
                self._lru.move_to_end(id(reg))
            return cover

    def repeated(self, owner: Any) -> bool:
        """Whether `owner` has a registered import or was asked about before (then
        registering it pays off); remembers it (weakly) for the next question."""
        if owner is None:
            return False
        key = id(owner)
        record = self._owners.get(key)
        if record is not None and record.ref() is owner:
            return True
        seen = self._seen.get(key)
        if seen is not None and seen() is owner:
            return True
        try:
            ref = weakref.ref(owner)
        except TypeError:
            return False
        if len(self._seen) >= SEEN_KEEP:
            self._seen.clear()
        self._seen[key] = ref
        return False

    def register(self, address: int, size: int, owner: Any) -> Registration:
        """Import [address, address+size) and, when `owner` is given and the range fits
        the bound, keep it registered; marked in use (give it back with `done`).
        Raises RuntimeFailure when the driver refuses the import (after a second try
        without the idle registrations that overlap its pages: some drivers refuse to
        import pages twice)."""
        try:
            imported = self.importer(address, size)
        except RuntimeFailure:
            if not self._drop_overlapping(address, size):
                raise
            imported = self.importer(address, size)
        self.imports += 1
        start = address - imported.offset
        reg = Registration(imported, start, start + imported.length, users=1)
        if owner is None or imported.length > self.limit:
            return reg
        key = id(owner)
        try:
            ref = weakref.ref(owner, functools.partial(self._owner_died, key))
        except TypeError:
            return reg
        with self._locked():
            record = self._owners.get(key)
            if record is None or record.ref() is not owner:
                if record is not None:
                    self._forget_owner(key)
                record = self._owners[key] = _Owner(ref, data_probe(owner))
            for old in [r for r in record.ranges if reg.start <= r.start and r.end <= reg.end]:
                self._drop(old)             # ranges inside the new one are not needed any more
            self._owners[key] = record      # (dropping its last range removed the record)
            reg.owner_key = key
            record.ranges.append(reg)
            self._lru[id(reg)] = reg
            self._bytes += imported.length
            self._evict()
        return reg

    def done(self, reg: Registration, serial: int) -> None:
        """A transfer finished with `reg`; `serial`: its GPU copy (0: none submitted).
        An uncached registration is released here (after that copy)."""
        with self._locked():
            reg.users -= 1
            reg.last_serial = max(reg.last_serial, serial)
            release = reg.owner_key is None and reg.users == 0
            if not release:
                self._evict()
        if release:
            self._destroy(reg)

    # -- release ------------------------------------------------------------------

    def _drop_overlapping(self, address: int, size: int) -> bool:
        """Release the idle registrations sharing a page with [address, address+size)
        (a page: 64 KiB at most, the largest import alignment drivers report); whether
        there were any."""
        start, end = address - PAGE_SPAN, address + size + PAGE_SPAN
        with self._locked():
            overlapping = [r for r in self._lru.values() if r.start < end and r.end > start and not r.users]
            for reg in overlapping:
                self._drop(reg)
        return bool(overlapping)

    def trim(self) -> None:
        """Release every registration not in use (Device.trim)."""
        with self._locked():
            for reg in list(self._lru.values()):
                if not reg.users:
                    self._drop(reg)

    def destroy(self) -> None:
        """Release everything (the device is going away; no transfer is running)."""
        with self._locked():
            for reg in list(self._lru.values()):
                self._drop(reg)
            self._owners.clear()

    def _owner_died(self, key: int, ref) -> None:
        """Weakref callback: the owner is being deallocated, its memory still valid."""
        if self._holder == threading.get_ident():
            self._dead.append(key)          # this thread holds the lock: released on leaving it
            return
        with self._locked():
            record = self._owners.get(key)
            if record is not None and record.ref is ref:
                self._forget_owner(key)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self._holder = threading.get_ident()
            try:
                yield
                while self._dead:
                    key = self._dead.pop()
                    record = self._owners.get(key)
                    if record is not None and record.ref() is None:     # not a new owner of that id
                        self._forget_owner(key)
            finally:
                self._holder = 0

    def _forget_owner(self, key: int) -> None:
        record = self._owners.pop(key, None)
        if record is not None:
            for reg in list(record.ranges):
                self._drop(reg)

    def _within(self) -> bool:
        return self._bytes <= self.limit and len(self._lru) <= self.max_count

    def _evict(self) -> None:
        """Release least recently used registrations not in use until within the bounds
        (bytes, and a count: each registration is a device memory allocation)."""
        if self._within():
            return
        for reg in list(self._lru.values()):
            if self._within():
                break
            if not reg.users:
                self._drop(reg)

    def _drop(self, reg: Registration) -> None:
        """Unregister and release `reg` (lock held; a registration in use is only
        unregistered: its transfer's `done` releases it)."""
        if self._lru.pop(id(reg), None) is not None:
            self._bytes -= reg.imported.length
        key = reg.owner_key
        record = self._owners.get(key) if key is not None else None
        if key is not None and record is not None and reg in record.ranges:
            record.ranges.remove(reg)
            if not record.ranges:
                del self._owners[key]
        reg.owner_key = None
        if not reg.users:
            self._destroy(reg)

    def _destroy(self, reg: Registration) -> None:
        self.ctx.submitter.wait(reg.last_serial)     # the GPU is done with the pages
        reg.imported.destroy()

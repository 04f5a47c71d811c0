"""The registration cache of imported host memory: repeated transfers of an array
reuse its import, see the array's current data, and its import is released when the
array dies (after its copies), when the cache outgrows its bound, when the array's
memory moved, by Device.trim() and with the device. Needs VK_EXT_external_memory_host
(lavapipe offers it)."""
import gc

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import host_import, host_registry, transfer

MIB = 1 << 20


@pytest.fixture
def dev(monkeypatch):
    """A device whose buffers are not mapped, importing every transfer of 64 KiB on
    whose owner is known (so small arrays exercise the cache)."""
    monkeypatch.setenv("SIMPLE_VK_HOST_IMPORT", "1")
    monkeypatch.setattr(transfer, "IMPORT_FIRST_BYTES", 64 << 10)
    device = runtime.Device(force_staging=True)
    if not host_import.available(device.ctx):
        device.free()
        pytest.skip(f"{device.name} does not import host memory")
    yield device
    device.free()


def registry(dev) -> host_registry.HostRegistry:
    return host_import.registry(dev.ctx)


def memories() -> int:
    return runtime.live_objects().get("VkDeviceMemory", 0)


def test_repeated_transfers_reuse_the_import(dev):
    reg = registry(dev)
    src = np.arange(MIB // 4, dtype=np.float32)
    out = np.zeros_like(src)
    with dev.alloc(src.nbytes) as buf:
        for _ in range(3):
            buf.upload(src)
            buf.download(out)
        np.testing.assert_array_equal(out, src)
        assert reg.imports == 2 and len(reg) == 2          # one for src, one for out


def test_changes_between_transfers_are_seen(dev):
    src = np.zeros(MIB, np.uint8)
    out = np.zeros(MIB, np.uint8)
    with dev.alloc(MIB) as buf:
        buf.upload(src)
        buf.download(out)
        src[::3] = 9                                 # the array changed after its import
        buf.upload(src)
        buf.download(out)
        np.testing.assert_array_equal(out, src)
        buf.fill_u32(0x01010101)                     # the buffer changed
        buf.download(out)
        assert (out == 1).all()
        assert registry(dev).imports == 2


def test_a_dead_array_releases_its_import(dev):
    reg = registry(dev)
    src = np.ones(MIB, np.uint8)
    with dev.alloc(MIB) as buf:
        before = memories()
        buf.upload(src)
        assert len(reg) == 1 and memories() == before + 1
        del src
        gc.collect()
        assert len(reg) == 0 and reg.cached_bytes == 0 and memories() == before
        again = np.full(MIB, 5, np.uint8)            # may get the same address and id
        buf.upload(again)
        assert bytes(buf.download()) == again.tobytes()


def test_an_owner_dying_while_the_cache_is_busy_is_released_after(dev):
    reg = registry(dev)
    src = np.ones(MIB, np.uint8)
    with dev.alloc(MIB) as buf:
        buf.upload(src)
        with reg._locked():             # the weakref callback comes while this thread holds the lock
            del src
            gc.collect()
            assert len(reg._dead) == 1
        assert len(reg) == 0 and not reg._dead


def test_views_share_the_owner_and_reuse_covering_ranges(dev):
    reg = registry(dev)
    whole = np.arange(2 * MIB, dtype=np.uint8)
    with dev.alloc(2 * MIB) as buf:
        buf.upload(whole)
        part = whole[4096 + 7: 4096 + 7 + MIB]       # inside the registered range: reused
        assert host_registry.memory_owner(part) is whole
        buf.upload_from(part.ctypes.data, part.nbytes, offset=4096 + 7, owner=part)
        assert reg.imports == 1
        out = np.zeros(2 * MIB + 100, np.uint8)
        window = out[33:33 + MIB]                    # an unaligned window of a bigger array
        buf.download_to(window.ctypes.data, MIB, offset=77, owner=window)
        np.testing.assert_array_equal(window, whole[77:77 + MIB])
        assert (out[:33] == 0).all() and (out[33 + MIB:] == 0).all()
        wider = out[:2 * MIB]                        # covers the earlier window: replaces it
        buf.download(wider)
        assert reg.imports == 3 and len(reg) == 2
        np.testing.assert_array_equal(wider, whole)


def test_a_large_fresh_import_goes_in_pieces_and_is_reused(dev, monkeypatch):
    monkeypatch.setattr(transfer, "IMPORT_CHUNK_BYTES", MIB)
    reg = registry(dev)
    base = np.random.default_rng(5).integers(0, 255, 6 * MIB, dtype=np.uint8)
    src = base[777:777 + 5 * MIB + 11]              # unaligned, spans 6 or 7 pieces
    with dev.alloc(src.nbytes + 64) as buf:
        buf.upload_from(src.ctypes.data, src.nbytes, offset=64, owner=src)
        pieces = reg.imports
        assert pieces >= 6 and len(reg) == pieces
        out = np.zeros_like(src)
        buf.download_to(out.ctypes.data, out.nbytes, offset=64, owner=out)
        np.testing.assert_array_equal(out, src)
        made = reg.imports
        buf.upload_from(src.ctypes.data, src.nbytes, offset=64, owner=src)       # covered by the pieces
        part = src[MIB - 5: 3 * MIB]                                              # spans pieces
        buf.upload_from(part.ctypes.data, part.nbytes, offset=64 + MIB - 5, owner=part)
        out[:] = 0
        buf.download_to(out.ctypes.data, out.nbytes, offset=64, owner=out)
        np.testing.assert_array_equal(out, src)
        assert reg.imports == made
        before = memories()
        raw = np.array(src)                           # no owner given: pieces released after the copy
        buf.download_to(raw.ctypes.data, raw.nbytes, offset=64)
        np.testing.assert_array_equal(raw, src)
        assert memories() == before and reg.imports > made


def test_the_bound_evicts_least_recently_used(monkeypatch):
    monkeypatch.setenv(host_registry.LIMIT_ENV, "2")
    monkeypatch.setenv("SIMPLE_VK_HOST_IMPORT", "1")
    monkeypatch.setattr(transfer, "IMPORT_FIRST_BYTES", 64 << 10)
    dev = runtime.Device(force_staging=True)
    try:
        if not host_import.available(dev.ctx):
            pytest.skip(f"{dev.name} does not import host memory")
        reg = registry(dev)
        assert reg.limit == 2 * MIB
        arrays = [np.full(MIB - 8192, i, np.uint8) for i in range(3)]
        with dev.alloc(MIB) as buf:
            for a in arrays:
                buf.upload(a)
                assert reg.cached_bytes <= reg.limit
            assert reg.imports == 3 and len(reg) == 2
            buf.upload(arrays[2])                    # still registered
            assert reg.imports == 3
            buf.upload(arrays[0])                    # was evicted: imported again
            assert reg.imports == 4
            big = np.zeros(3 * MIB, np.uint8)        # larger than the bound: not kept
            with dev.alloc(big.nbytes) as large:
                large.upload(big)
            assert reg.imports == 5 and len(reg) == 2 and reg.cached_bytes <= reg.limit
            out = np.zeros_like(arrays[0])
            buf.download(out)
            np.testing.assert_array_equal(out, arrays[0])
    finally:
        dev.free()


def test_a_refused_import_is_retried_without_overlapping_registrations(dev):
    """Drivers that refuse to import pages twice: the idle registrations sharing pages
    with the new range are released and the import tried again."""
    reg = registry(dev)
    whole = np.arange(2 * MIB, dtype=np.uint8)
    real = reg.importer
    taken: list = []

    def exclusive(address, size):
        if any(s < address + size and address < e for s, e in taken):
            raise runtime.AllocationError("pages already imported")
        imported = real(address, size)
        taken.append((address - imported.offset, address - imported.offset + imported.length))
        real_destroy = imported.destroy

        def destroy():
            taken.remove((address - imported.offset, address - imported.offset + imported.length))
            real_destroy()
        imported.destroy = destroy
        return imported
    reg.importer = exclusive
    with dev.alloc(2 * MIB) as buf:
        buf.upload_from(whole.ctypes.data + 5, MIB, owner=whole)          # registers [5, 1 MiB + 5)
        buf.upload_from(whole.ctypes.data + MIB, MIB, owner=whole)        # shares a page with it
        assert reg.imports == 2 and len(reg) == 1
        np.testing.assert_array_equal(np.frombuffer(buf.download(size=MIB), np.uint8), whole[MIB:])


def test_the_count_bound_evicts_least_recently_used(dev):
    reg = registry(dev)
    reg.max_count = 2
    arrays = [np.full(64 << 10, i, np.uint8) for i in range(4)]
    with dev.alloc(64 << 10) as buf:
        for a in arrays:
            buf.upload(a)
            assert len(reg) <= 2
        buf.upload(arrays[3])
        assert reg.imports == 4
        buf.upload(arrays[0])
        assert reg.imports == 5 and len(reg) == 2
        np.testing.assert_array_equal(np.frombuffer(buf.download(), np.uint8), arrays[0])


def test_cache_off_and_bad_setting(monkeypatch):
    monkeypatch.setenv(host_registry.LIMIT_ENV, "0")
    assert host_registry.limit_bytes() == 0
    monkeypatch.setenv(host_registry.LIMIT_ENV, "lots")
    with pytest.raises(runtime.InvalidParameterError, match=host_registry.LIMIT_ENV):
        host_registry.limit_bytes()


def test_a_registered_array_cannot_move(dev):
    """numpy refuses to resize an array that has weak references, so the memory of a
    registered array cannot move under its import (the cache still compares the
    owner's address and size before each reuse)."""
    src = np.full(MIB, 3, np.uint8)
    with dev.alloc(MIB) as buf:
        buf.upload(src)
        with pytest.raises(ValueError):
            src.resize(2 * MIB, refcheck=False)
        src[:] = 4
        buf.upload(src)
        out = np.zeros_like(src)
        buf.download(out)
        assert (out == 4).all()
        assert registry(dev).imports == 2            # src and out


def test_trim_and_device_free_release_everything(monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_HOST_IMPORT", "1")
    before = memories()
    dev = runtime.Device(force_staging=True)
    if not host_import.available(dev.ctx):
        dev.free()
        pytest.skip(f"{dev.name} does not import host memory")
    src = np.ones(16 * MIB, np.uint8)
    buf = dev.alloc(src.nbytes)
    buf.upload(src)
    assert len(registry(dev)) == 1
    dev.trim()
    assert len(registry(dev)) == 0
    buf.upload(src)
    dev.free()
    assert memories() == before
    del src                     # its weakref callback finds nothing to release
    gc.collect()


def test_only_numpy_arrays_are_kept(dev):
    import array
    reg = registry(dev)
    data = bytearray(MIB)
    for other in (data, memoryview(data), array.array("B", bytes(MIB)), bytes(MIB)):
        assert host_registry.memory_owner(other) is None
    with dev.alloc(MIB) as buf:
        buf.upload(data)
        buf.upload(memoryview(data))
        assert len(reg) == 0 and reg.imports == 2        # imported afresh each time
    frozen = np.frombuffer(bytes(MIB), np.uint8)     # the array holding the export owns it
    assert host_registry.memory_owner(frozen) is frozen
    assert host_registry.memory_owner(frozen[10:]) is frozen


def test_module_call_hints_find_the_owner():
    a = np.zeros(100, np.float32)
    view = a[10:20]
    assert host_registry.hinted_owner(view.ctypes.data, 8) is None
    with host_registry.owners([view, 3.0]):
        assert host_registry.hinted_owner(view.ctypes.data + 4, 8) is a
        assert host_registry.hinted_owner(a.ctypes.data, 8) is None     # outside the view
    assert host_registry.hinted_owner(view.ctypes.data, 8) is None


def test_threads_share_the_cache(dev):
    """Threads transferring a shared array and their own short-lived ones: every copy
    right, and once the arrays are gone nothing stays registered."""
    import threading
    reg = registry(dev)
    shared = np.arange(MIB // 4, dtype=np.uint32)
    failures: list = []

    def work(seed: int) -> None:
        try:
            with dev.alloc(MIB) as buf:
                for k in range(6):
                    buf.upload(shared)
                    out = np.zeros_like(shared)
                    buf.download(out)
                    np.testing.assert_array_equal(out, shared)
                    mine = np.full(MIB // 4, seed * 100 + k, np.uint32)
                    buf.upload(mine)
                    buf.upload(mine)
                    buf.download(out)
                    np.testing.assert_array_equal(out, mine)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    del shared
    gc.collect()
    assert len(reg) == 0 and reg.cached_bytes == 0


def test_a_registration_replacing_the_owners_only_range_is_released_with_it(dev):
    """Two registrations of one array's same range (two threads importing it at once):
    the second replaces the first, and the array's death still releases it (the record
    was lost with its only range: a leak that showed in test_threads_share_the_cache)."""
    reg = registry(dev)
    array = np.arange(MIB // 4, dtype=np.uint32)
    first = reg.register(array.ctypes.data, array.nbytes, array)
    second = reg.register(array.ctypes.data, array.nbytes, array)
    reg.done(first, 0)
    reg.done(second, 0)
    assert len(reg) == 1
    del array
    gc.collect()
    assert len(reg) == 0 and reg.cached_bytes == 0

"""Buffers: allocation, refusals, upload/download round trips (mapped and staged)."""
from __future__ import annotations

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import device_memory


@pytest.fixture(scope="module")
def staged_device():
    """A device whose buffers are never mapped: transfers go through staging buffers."""
    dev = runtime.Device(force_staging=True)
    yield dev
    dev.free()


@pytest.fixture(params=["mapped", "staged"])
def any_device(request, device, staged_device):
    return device if request.param == "mapped" else staged_device


def test_alloc_and_free(device):
    before = runtime.live_objects()
    buf = device.alloc(1024)
    assert buf.size == 1024 and buf.alive
    buf.free()
    assert not buf.alive
    buf.free()  # a second free is a no-op in the Python layer
    assert runtime.live_objects() == before


def test_lavapipe_buffers_are_mapped(device, staged_device):
    with device.alloc(64) as buf, staged_device.alloc(64) as sbuf:
        if device.info.type in ("cpu", "integrated") and not device.force_staging:
            assert buf.mapped
        assert not sbuf.mapped


@pytest.mark.parametrize("size", [1, 3, 1001, 4096, 16 << 20])
def test_round_trip(any_device, size):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8)
    with any_device.alloc(size) as buf:
        buf.upload(data)
        out = np.empty_like(data)
        buf.download(out)
        assert np.array_equal(out, data)
        assert bytes(buf.download()) == data.tobytes()


def test_round_trip_larger_than_a_staging_chunk(staged_device):
    size = device_memory.STAGING_CHUNK + 12345
    data = np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8)
    with staged_device.alloc(size) as buf:
        buf.upload(data)
        assert np.array_equal(np.frombuffer(buf.download(), np.uint8), data)


def test_partial_transfers(any_device):
    with any_device.alloc(16) as buf:
        buf.upload(bytes(range(16)))
        buf.upload(b"\xff\xfe", size=2)
        assert bytes(buf.download(size=4)) == b"\xff\xfe\x02\x03"
        buf.upload(b"")  # size 0: nothing happens
        assert bytes(buf.download()) == b"\xff\xfe" + bytes(range(2, 16))


def test_numpy_and_memoryview_sources(device):
    arr = np.arange(10, dtype=np.float64)
    with device.alloc(arr.nbytes) as buf:
        buf.upload(memoryview(arr))
        out = np.zeros(10)
        buf.download(out)
        assert np.array_equal(out, arr)


@pytest.mark.parametrize("size", [0, -1])
def test_non_positive_size_is_refused(device, size):
    with pytest.raises(runtime.InvalidParameterError, match="positive"):
        device.alloc(size)


def test_size_above_max_storage_buffer_range_is_refused(device):
    limit = device.limits.max_storage_buffer_range
    with pytest.raises(runtime.InvalidParameterError, match="maxStorageBufferRange"):
        device.alloc(limit + 1)


def test_size_above_the_heap_is_refused(device, monkeypatch):
    # Pretend the storage-buffer range is unlimited so that the heap is the limit.
    heap = max(device.ctx.physical.memory.memoryHeaps[i].size
               for i in range(device.ctx.physical.memory.memoryHeapCount))
    monkeypatch.setattr(type(device.ctx), "limits", property(
        lambda self: type(self.physical.info.limits)(**{
            **self.physical.info.limits.__dict__, "max_storage_buffer_range": 1 << 62})))
    before = runtime.live_objects()
    with pytest.raises(runtime.AllocationError, match="heap"):
        device.alloc(heap + 4096)
    assert runtime.live_objects() == before


def test_transfer_past_the_end(any_device):
    with any_device.alloc(8) as buf:
        with pytest.raises(runtime.BufferTooSmallError):
            buf.upload(bytes(9))
        with pytest.raises(runtime.BufferTooSmallError):
            buf.download(bytearray(9))
        with pytest.raises(runtime.BufferTooSmallError, match="host buffer"):
            buf.download(bytearray(4), size=8)


def test_bad_host_objects(device):
    with device.alloc(64) as buf:
        with pytest.raises(runtime.InvalidParameterError):
            buf.download(b"read-only bytes")
        with pytest.raises(runtime.InvalidParameterError):
            buf.upload(np.arange(16, dtype=np.uint8)[::2])
        with pytest.raises(runtime.InvalidParameterError, match="null"):
            buf.upload_from(0, 4)


def test_use_after_free(device):
    buf = device.alloc(8)
    buf.free()
    with pytest.raises(runtime.InvalidHandleError):
        buf.upload(b"x")
    with pytest.raises(runtime.InvalidHandleError):
        buf.download()

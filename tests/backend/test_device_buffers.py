"""One data path: Buffers and numpy arrays in module calls and Kernel.launch, Buffer
transfers and views, and the process's default device."""
import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import GUARDED_SAXPY
from simple_vkbackend import runtime

SAXPY = GUARDED_SAXPY


@pytest.fixture(autouse=True)
def silent_validation(no_validation_messages):
    yield


@pytest.fixture(scope="module")
def module():
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as m:
        yield m


@pytest.fixture
def count_transfers(monkeypatch):
    """Counts the runtime's host transfers (the real ones still run)."""
    counts = {"up": 0, "down": 0}
    up, down = runtime.Buffer.upload_from, runtime.Buffer.download_to

    def upload_from(self, *a, **k):
        counts["up"] += 1
        return up(self, *a, **k)

    def download_to(self, *a, **k):
        counts["down"] += 1
        return down(self, *a, **k)
    monkeypatch.setattr(runtime.Buffer, "upload_from", upload_from)
    monkeypatch.setattr(runtime.Buffer, "download_to", download_to)
    return counts


def test_one_default_device_per_process(module):
    other = svk.compile_source(SAXPY, "vulkan", filename="again.spl")
    try:
        assert module.backend.device is svk.default_device() is other.backend.device
    finally:
        other.close()
    assert not svk.default_device().closed          # closing a module keeps the shared device
    with svk.Device() as mine, svk.compile_source(SAXPY, "vulkan", device=mine) as explicit:
        assert explicit.backend.device is mine and mine is not svk.default_device()


def test_module_call_with_buffers_moves_no_data(module, count_transfers):
    dev = svk.default_device()
    x, y = np.arange(256, dtype=np.float32), np.ones(256, np.float32)
    with dev.buffer_from(x) as dx, dev.buffer_from(y) as dy:
        count_transfers.update(up=0, down=0)
        module.saxpy(2.0, dx, dy)
        module.saxpy(a=1.0, y=dy, x=dx)
        assert count_transfers == {"up": 0, "down": 0}
        np.testing.assert_array_equal(dy.to_numpy(), y + 3 * x)


def test_buffers_and_arrays_mixed(module):
    dev = svk.default_device()
    x, y = np.arange(300, dtype=np.float32), np.full(300, 5, np.float32)
    with dev.buffer_from(x) as dx:
        y1 = y.copy()
        module.saxpy(2.0, dx, y1)                 # array written: results land in it
        np.testing.assert_array_equal(y1, y + 2 * x)
        with dev.buffer_from(y) as dy:
            module.saxpy(1.0, x=x, y=dy)          # array read, buffer written
            np.testing.assert_array_equal(np.asarray(dy), y + x)
        kernel = module.kernel("saxpy")
        y2 = y.copy()
        kernel.launch(3.0, dx, y=y2)
        np.testing.assert_array_equal(y2, y + 3 * x)
        kernel.free()


def test_views_bind_sub_ranges(module):
    dev = svk.default_device()
    align = dev.runtime_device.limits.min_storage_buffer_offset_alignment // 4
    n = 8 * align
    x, y = np.arange(n, dtype=np.float32), np.zeros(n, np.float32)
    with dev.buffer_from(x) as dx, dev.buffer_from(y) as dy:
        lo, hi = align, 3 * align
        view = dy[lo:hi]
        assert view.shape == (hi - lo,) and view.nbytes == 4 * (hi - lo) and view.is_view
        module.saxpy(1.0, dx[lo:hi], view)
        expected = y.copy()
        expected[lo:hi] = x[lo:hi]
        np.testing.assert_array_equal(dy.to_numpy(), expected)
        np.testing.assert_array_equal(view.to_numpy(), x[lo:hi])
        np.testing.assert_array_equal(dy[lo:hi][align:].to_numpy(), x[lo + align:hi])   # view of a view
        assert "view [" in repr(view)
        if align > 1:
            with pytest.raises(ValueError, match="minStorageBufferOffsetAlignment"):
                module.saxpy(1.0, dx[1:5], dy[1:5])
        with pytest.raises(ValueError, match="step 1"):
            dy[::2]
        with pytest.raises(TypeError, match="slice"):
            dy[3]


def test_transfers_with_offsets_fill_and_repr():
    dev = svk.default_device()
    with dev.empty(10, np.int32) as buf, dev.empty(4, np.int32) as small:
        assert (buf.shape, buf.dtype, buf.nbytes, buf.size, len(buf)) == ((10,), np.dtype(np.int32), 40, 10, 10)
        assert repr(buf).startswith("<Buffer shape=(10,) dtype=int32 nbytes=40")
        buf.fill(7)
        buf.copy_from(np.array([1, 2, 3], np.int32), offset=4)
        np.testing.assert_array_equal(buf.to_numpy(), [7, 7, 7, 7, 1, 2, 3, 7, 7, 7])
        out = np.zeros(3, np.int32)
        buf.copy_to(out, offset=3)
        np.testing.assert_array_equal(out, [7, 1, 2])
        small.copy_from(buf[4:8])                   # device to device
        np.testing.assert_array_equal(np.asarray(small), [1, 2, 3, 7])
        buf.copy_to(small, offset=0)
        np.testing.assert_array_equal(np.asarray(small), [7, 7, 7, 7])
        with pytest.raises(ValueError, match="do not fit"):
            buf.copy_from(np.zeros(4, np.int32), offset=8)
        with pytest.raises(TypeError, match="dtype float32 differs"):
            buf.copy_from(np.zeros(2, np.float32))
        grid = buf.reshape(2, 5)
        assert grid.shape == (2, 5) and grid.to_numpy().shape == (2, 5)
    with dev.empty(5, np.float16) as half:
        half.fill(1.5)
        np.testing.assert_array_equal(half.to_numpy(), np.full(5, 1.5, np.float16))


def test_freed_buffers_and_views_refuse_use(module):
    dev = svk.default_device()
    buf = dev.empty(64, np.float32)
    view = buf[16:32]
    buf.free()
    assert view.closed
    with pytest.raises(ValueError, match="freed"):
        view.to_numpy()
    with pytest.raises(ValueError, match="freed"):
        module.saxpy(1.0, view, view)


def test_software_backend_refuses_buffers():
    with svk.compile_source(SAXPY, "software") as m, svk.default_device().empty(4, np.float32) as b:
        with pytest.raises(TypeError, match="need the vulkan backend"):
            m.saxpy(1.0, b, b)


def test_gpu_timers(module):
    dev = svk.default_device()
    x, y = np.arange(4096, dtype=np.float32), np.ones(4096, np.float32)
    kernel = module.resident_kernel("saxpy")
    with dev.buffer_from(x) as dx, dev.buffer_from(y) as dy:
        ms = kernel.launch(2.0, dx, dy, timed=True)
        assert isinstance(ms, float) and 0 < ms < 60_000
        assert kernel.launch(1.0, dx, dy) is None
        with dev.timer() as timer:
            assert timer.ms is None
            kernel.launch(1.0, dx, dy, wait=False)
            kernel.launch(1.0, x=dx[1024:2048], y=dy[1024:2048], wait=False)
        assert 0 < timer.ms < 60_000 and "ms>" in repr(timer)
        expected = y + 4 * x
        expected[1024:2048] += x[1024:2048]
        np.testing.assert_array_equal(dy.to_numpy(), expected)

"""Transfers by the path transfer.choose picks: memcpy through the mapping, the GPU
copying from and into the host array's own pages (VK_EXT_external_memory_host,
where offered), and pipelined staging (forced with SIMPLE_VK_HOST_IMPORT=0); offsets,
unaligned host ranges, several chunks, memcpy split over threads. The validation
layer must stay silent (conftest checks)."""
import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import device_memory, host_import, transfer
from simple_vkbackend.runtime.transfer import Route

MIB = 1 << 20


@pytest.fixture(params=["import", "staging"])
def staged_device(request, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_HOST_IMPORT", "1" if request.param == "import" else "0")
    monkeypatch.setattr(device_memory, "STAGING_CHUNK", MIB)        # several chunks per transfer
    monkeypatch.setattr(transfer, "IMPORT_FIRST_BYTES", MIB)         # import from 1 MiB on
    dev = runtime.Device(force_staging=True)
    offered = host_import.EXTENSION in dev.info.extensions
    if request.param == "import" and not offered:
        dev.free()
        pytest.skip(f"{dev.name} does not offer {host_import.EXTENSION}")
    assert host_import.available(dev.ctx) == (request.param == "import")
    yield dev, request.param
    dev.free()


@pytest.fixture
def imports(monkeypatch):
    """How many host ranges were imported (the real import still runs)."""
    count = [0]
    real = host_import.ImportedRange.__init__

    def counting(self, *args):
        count[0] += 1
        real(self, *args)
    monkeypatch.setattr(host_import.ImportedRange, "__init__", counting)
    return count


@pytest.mark.parametrize("size,host_start,offset", [
    (3 * MIB + 5, 0, 0),            # several chunks, an odd length
    (2 * MIB, 3, 16),               # a host range that starts off any alignment
    (MIB // 2, 1, 4),               # below the first-import size: staged either way
])
def test_round_trips(staged_device, imports, size, host_start, offset):
    dev, path = staged_device
    buf = dev.alloc(size + offset + 64)
    assert not buf.mapped
    data = np.random.default_rng(size).integers(0, 255, size + host_start, dtype=np.uint8)
    src = data[host_start:]
    buf.upload_from(src.ctypes.data, src.nbytes, offset=offset)
    out = np.zeros(size + 7, np.uint8)[7:]
    buf.download_to(out.ctypes.data, out.nbytes, offset=offset)
    np.testing.assert_array_equal(out, src)
    imported = path == "import" and size >= transfer.IMPORT_FIRST_BYTES
    assert imports[0] == (2 if imported else 0)       # no owner given: nothing kept
    buf.free()


def test_bytes_around_an_imported_range_are_untouched(staged_device):
    dev, _ = staged_device
    size = 2 * MIB
    buf = dev.alloc(size)
    buf.upload(np.full(size, 7, np.uint8))
    host = np.full(size + 2 * 4096, 1, np.uint8)
    window = host[4096 + 3:4096 + 3 + size - 10]
    buf.download_to(window.ctypes.data, window.nbytes)
    assert (window == 7).all()
    assert (host[:4096 + 3] == 1).all() and (host[4096 + 3 + size - 10:] == 1).all()
    buf.free()


def test_an_upload_leaves_its_source_untouched(staged_device):
    dev, _ = staged_device
    src = np.arange(MIB, dtype=np.uint32)
    before = src.copy()
    with dev.alloc(src.nbytes) as buf:
        for _ in range(2):
            buf.upload(src)
        np.testing.assert_array_equal(src, before)


def test_policy(staged_device, device):
    """Small transfers stage; large ones import; repeated ones of a known owner import
    once registered; a mapped buffer of a non-discrete device is memcpy'd."""
    dev, path = staged_device
    owner = np.zeros(256 << 10, np.uint8)
    ctx = dev.ctx
    assert transfer.choose(ctx, False, 1024, owner) is Route.STAGING
    assert transfer.choose(ctx, False, 4 * MIB, None) is (Route.IMPORT if path == "import" else Route.STAGING)
    first = transfer.choose(ctx, False, owner.nbytes, owner)
    again = transfer.choose(ctx, False, owner.nbytes, owner)
    assert first is Route.STAGING and again is (Route.IMPORT if path == "import" else Route.STAGING)
    assert transfer.choose(ctx, False, owner.nbytes, np.zeros(3)) is Route.STAGING   # another owner
    if device.info.type != "discrete":
        assert transfer.choose(device.ctx, True, 64 * MIB, owner) is Route.MAPPED


def test_the_staging_ring_is_reused(staged_device):
    dev, _ = staged_device
    data = np.arange(5 * MIB + 3, dtype=np.uint8)
    out = np.zeros_like(data)
    with dev.alloc(data.nbytes) as buf:
        for size in (MIB // 4, data.nbytes):             # a small transfer, then several chunks
            buf.upload_from(data.ctypes.data, size)
            buf.download_to(out.ctypes.data, size)
        count = runtime.live_objects().get("VkDeviceMemory", 0)
        for _ in range(2):
            buf.upload_from(data.ctypes.data, data.nbytes)
            buf.download_to(out.ctypes.data, out.nbytes)
        assert runtime.live_objects().get("VkDeviceMemory", 0) == count    # no new staging memory
        assert len(dev.ctx.staging._idle) <= device_memory.STAGING_KEEP
    np.testing.assert_array_equal(out, data)


def test_a_refused_import_falls_back_to_staging(staged_device, monkeypatch):
    dev, path = staged_device
    if path != "import":
        pytest.skip("needs the import path")

    def refuse(address, size):
        raise runtime.AllocationError("the driver refused the import")
    monkeypatch.setattr(host_import.registry(dev.ctx), "importer", refuse)
    src = np.arange(MIB, dtype=np.uint32)
    out = np.zeros_like(src)
    with dev.alloc(src.nbytes) as buf:
        assert transfer.upload(buf, src.ctypes.data, src.nbytes, 0, src) is Route.STAGING
        assert transfer.download(buf, out.ctypes.data, out.nbytes, 0, out) is Route.STAGING
    np.testing.assert_array_equal(out, src)


@pytest.mark.parametrize("threads", ["1", "3"])
def test_memcpy_split_over_threads(monkeypatch, threads):
    monkeypatch.setenv(device_memory.THREADS_ENV, threads)
    monkeypatch.setattr(device_memory, "PARALLEL_BYTES", 1024)
    src = np.random.default_rng(3).integers(0, 255, 3 * MIB + 11, dtype=np.uint8)
    dst = np.zeros(src.size + 2, np.uint8)
    device_memory.copy_memory(dst.ctypes.data + 1, src.ctypes.data, src.nbytes)
    np.testing.assert_array_equal(dst[1:-1], src)
    assert dst[0] == 0 and dst[-1] == 0


def test_copy_threads_setting(monkeypatch):
    monkeypatch.setenv(device_memory.THREADS_ENV, "two")
    with pytest.raises(runtime.InvalidParameterError, match="SIMPLE_VK_COPY_THREADS"):
        device_memory.copy_threads()
    monkeypatch.setenv(device_memory.THREADS_ENV, "0")
    assert device_memory.copy_threads() == 1


def test_freed_table_buffers_are_reused_and_bounded():
    from simple_vkbackend.runtime import device as device_module, ffi
    dev = runtime.Device()
    handle = ffi.register_device(dev)
    try:
        first = ffi.rt_vk_buffer_alloc(handle, 4096)
        buf = ffi.REGISTRY.get(first, runtime.Buffer)
        ffi.rt_vk_buffer_free(first)
        with pytest.raises(runtime.InvalidHandleError):
            ffi.REGISTRY.get(first, runtime.Buffer)          # the handle is gone at once
        again = ffi.rt_vk_buffer_alloc(handle, 4096)
        assert ffi.REGISTRY.get(again, runtime.Buffer) is buf  # the same buffer, a new handle
        other = ffi.rt_vk_buffer_alloc(handle, 8192)
        assert ffi.REGISTRY.get(other, runtime.Buffer) is not buf
        big = [ffi.rt_vk_buffer_alloc(handle, device_module.SPARE_BYTES // 2 + 4) for _ in range(3)]
        for h in [again, other, *big]:
            ffi.rt_vk_buffer_free(h)
        assert dev._spare_bytes <= device_module.SPARE_BYTES
        assert sum(len(v) for v in dev._spares.values()) <= 3        # one big one did not fit
    finally:
        ffi.rt_vk_device_free(handle)
    assert not dev.alive

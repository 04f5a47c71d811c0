"""Buffer transfers of numpy arrays by the runtime's policy: non-contiguous and
unaligned arrays, repeated transfers of one array reusing its import (Buffer.copy_from
/ copy_to, module calls on arrays and Kernel.launch), on a device whose buffers are
not host mapped (as on a discrete GPU) and on the default one."""
import gc

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import GUARDED_SAXPY
from simple_vkbackend.runtime import host_import, transfer
from simple_vkbackend.vulkan import device_array

SAXPY = GUARDED_SAXPY


@pytest.fixture(autouse=True)
def silent_validation(no_validation_messages):
    yield


@pytest.fixture(scope="module")
def unmapped():
    """A device whose buffers are not host mapped, importing host memory from 64 KiB on."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SIMPLE_VK_FORCE_STAGING", "1")
        mp.setenv("SIMPLE_VK_HOST_IMPORT", "1")
        dev = svk.Device()
    yield dev
    dev.close()


@pytest.fixture(params=["default", "unmapped"])
def device(request, unmapped, monkeypatch):
    monkeypatch.setattr(transfer, "IMPORT_FIRST_BYTES", 64 << 10)
    monkeypatch.setattr(device_array, "BLOCK_BYTES", 4096)      # several packed blocks
    return svk.default_device() if request.param == "default" else unmapped


def imports(dev) -> int:
    ctx = dev.runtime_device.ctx
    return host_import.registry(ctx).imports if host_import.available(ctx) else 0


def test_non_contiguous_arrays_move_through_packed_blocks(device):
    base = np.arange(40 * 30 * 3, dtype=np.float32).reshape(40, 30, 3)
    src = base[::2, 1:, ::-1]                       # strided, a negative stride too
    with device.empty(src.shape, np.float32) as buf:
        buf.copy_from(src)
        np.testing.assert_array_equal(buf.to_numpy(), src)
        out = np.zeros((40, 29, 6), np.float32)
        dst = out[::2, :, 1::2]                     # a writable non-contiguous destination
        buf.copy_to(dst)
        np.testing.assert_array_equal(dst, src)
        assert (out[1::2] == 0).all() and (out[:, :, ::2] == 0).all()
        column = np.arange(3000, dtype=np.float32)[::-3]
        buf[100:100 + column.size].copy_from(column)
        np.testing.assert_array_equal(buf.to_numpy().reshape(-1)[100:100 + column.size], column)


def test_unaligned_arrays(device):
    raw = bytearray(4 * 70000 + 3)
    src = np.frombuffer(raw, np.float32, count=70000, offset=3)     # not 4-byte aligned
    assert not src.flags.aligned
    src_w = np.ndarray((70000,), np.float32, buffer=raw, offset=3)
    src_w[:] = np.arange(70000, dtype=np.float32)
    with device.empty(70000, np.float32) as buf:
        buf.copy_from(src)
        back = np.ndarray((70000,), np.float32, buffer=bytearray(4 * 70000 + 1), offset=1)
        buf.copy_to(back)
        np.testing.assert_array_equal(back, np.arange(70000, dtype=np.float32))


def test_repeated_copies_reuse_the_import_and_see_changes(device):
    src = np.arange(1 << 18, dtype=np.float32)
    out = np.zeros_like(src)
    with device.empty(src.size, np.float32) as buf:
        first = imports(device)
        for k in range(3):
            src[k] = -1.0
            buf.copy_from(src)
            buf.copy_to(out)
            np.testing.assert_array_equal(out, src)
        made = imports(device) - first
        ctx = device.runtime_device.ctx
        if transfer.choose(ctx, buf.runtime_buffer.mapped, src.nbytes, None) is transfer.Route.IMPORT:
            assert made == 2        # src and out, each imported once
        else:
            assert made == 0        # a mapped buffer that memcpy serves, or no import


def test_module_calls_and_launches_on_arrays_reuse_imports(unmapped, monkeypatch):
    monkeypatch.setattr(transfer, "IMPORT_FIRST_BYTES", 64 << 10)
    n = 1 << 17
    x, y = np.arange(n, dtype=np.float32), np.zeros(n, np.float32)
    with svk.compile_source(SAXPY, "vulkan", device=unmapped) as module:
        before = imports(unmapped)
        for _ in range(3):
            module.saxpy(1.0, x, y)
        np.testing.assert_array_equal(y, 3 * x)
        kernel = module.kernel("saxpy")
        for _ in range(2):
            kernel.launch(1.0, x, y)
        np.testing.assert_array_equal(y, 5 * x)
        if host_import.available(unmapped.runtime_device.ctx):
            assert imports(unmapped) - before == 2      # x and y, each once
    del x, y
    gc.collect()
    ctx = unmapped.runtime_device.ctx
    if host_import.available(ctx):
        assert len(host_import.registry(ctx)) == 0       # the arrays died: imports released

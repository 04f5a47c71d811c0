"""The on-disk cache: compiled modules, host-glue objects, pipeline cache data.

Each test points SIMPLE_VK_CACHE_DIR at its own temporary folder."""
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend import module_cache
from simple_vkbackend.runtime import disk_cache, pipeline_store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

SAXPY = (FIXTURES / "saxpy.spl").read_text()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SIMPLE_VK_CACHE", raising=False)
    return tmp_path


def entries(root: Path, section: str) -> list[Path]:
    return sorted((root / section).glob("*")) if (root / section).is_dir() else []


def run_saxpy(module) -> np.ndarray:
    x = np.arange(100, dtype=np.float32)
    y = np.ones(100, np.float32)
    module.saxpy(2.0, x, y)
    return y


def test_miss_then_hit_skips_the_front_end(cache_dir, monkeypatch):
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as first:
        expected = run_saxpy(first)
    assert len(entries(cache_dir, module_cache.MODULES)) == 1
    assert len(entries(cache_dir, module_cache.GLUE)) == 1

    import simple_vkbackend.frontend as frontend

    def no_front_end(*args, **kwargs):
        raise AssertionError("the front end ran on a cache hit")
    monkeypatch.setattr(frontend, "compile_source", no_front_end)
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as second:
        np.testing.assert_array_equal(run_saxpy(second), expected)
        assert second.kernels == ["saxpy"] and second.spirv("saxpy") == first.spirv("saxpy")


def test_key_covers_source_file_name_and_target(cache_dir):
    base = module_cache.module_key(b"src", "a.spl", "vulkan", "features=")
    assert base == module_cache.module_key(b"src", "a.spl", "vulkan", "features=")
    assert len({base, module_cache.module_key(b"src2", "a.spl", "vulkan", "features="),
                module_cache.module_key(b"src", "b.spl", "vulkan", "features="),
                module_cache.module_key(b"src", "a.spl", "vulkan", "features=shaderFloat64")}) == 4
    with svk.compile_source(SAXPY, "vulkan", filename="one.spl"), \
            svk.compile_source(SAXPY + "\n", "vulkan", filename="one.spl"):
        pass
    assert len(entries(cache_dir, module_cache.MODULES)) == 2


def test_disabled_cache_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_CACHE", "0")
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as module:
        run_saxpy(module)
    assert not any(cache_dir.iterdir())


def test_corrupt_entries_are_misses_and_rewritten(cache_dir):
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as module:
        expected = run_saxpy(module)
    for section in (module_cache.MODULES, module_cache.GLUE):
        [path] = entries(cache_dir, section)
        data = bytearray(path.read_bytes())
        data[-1] ^= 0xFF
        path.write_bytes(bytes(data))
        assert disk_cache.read_entry(path) is None
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as module:
        np.testing.assert_array_equal(run_saxpy(module), expected)
    for section in (module_cache.MODULES, module_cache.GLUE):
        [path] = entries(cache_dir, section)
        assert disk_cache.read_entry(path) is not None


def test_truncated_and_foreign_files_read_as_absent(tmp_path):
    path = tmp_path / "entry"
    assert disk_cache.write_entry(path, b"payload")
    assert disk_cache.read_entry(path) == b"payload"
    full = path.read_bytes()
    for bad in (full[:-1], full[:10], b"", b"not a cache file at all" * 3):
        path.write_bytes(bad)
        assert disk_cache.read_entry(path) is None
    assert disk_cache.read_entry(tmp_path / "missing") is None


def test_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SIMPLE_VK_CACHE_DIR", str(blocker))   # a file where the folder should be
    assert not disk_cache.write_entry(disk_cache.entry_path("modules", "k"), b"data")
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as module:
        run_saxpy(module)


WRITER = """
import sys
from pathlib import Path
from simple_vkbackend.runtime import disk_cache
path, tag = Path(sys.argv[1]), sys.argv[2].encode()
for i in range(40):
    payload = tag * (50000 + i)
    assert disk_cache.write_entry(path, payload)
    got = disk_cache.read_entry(path)
    assert got is not None and len(set(got)) == 1, "a torn entry was read"
"""


def test_two_processes_writing_one_entry(tmp_path):
    path = tmp_path / "shared" / "entry"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag],
                              stderr=subprocess.PIPE) for tag in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    final = disk_cache.read_entry(path)
    assert final is not None and final[:1] in (b"a", b"b")
    assert [p.name for p in path.parent.iterdir()] == ["entry"]     # no temporary file left


COMPILER = """
import sys
import numpy as np
import simple_vkbackend as svk
m = svk.compile_file(sys.argv[1], "vulkan")
y = np.ones(64, np.float32)
m.saxpy(3.0, np.arange(64, dtype=np.float32), y)
print(float(y.sum()))
"""


def test_two_processes_compiling_at_once(cache_dir):
    env = dict(os.environ)   # the package as this process imports it (installed, or editable)
    procs = [subprocess.Popen([sys.executable, "-c", COMPILER, str(FIXTURES / "saxpy.spl")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        outs.append(float(out))
    assert outs == [64 + 3 * sum(range(64))] * 2
    [entry] = entries(cache_dir, module_cache.MODULES)
    assert module_cache.load_module(entry.stem) is not None


# -- pipeline cache data -------------------------------------------------------------

def test_pipeline_cache_saved_and_checked_per_device(cache_dir):
    device = svk.Device()
    try:
        with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl", device=device) as module:
            run_saxpy(module)
        info = device.runtime_device.info
        device.runtime_device.save_pipeline_cache()
    finally:
        device.close()
    path = pipeline_store.path_for(info)
    data = pipeline_store.load(info)
    assert path.is_file() and data is not None and pipeline_store.matches(info, data)

    # another device (vendor, UUID) never gets this data
    other = info.__class__(**{**info.__dict__, "vendor_id": info.vendor_id + 1})
    assert pipeline_store.path_for(other) != path and pipeline_store.load(other) is None
    foreign = bytearray(data)
    struct.pack_into("<I", foreign, 8, info.vendor_id + 1)
    assert not pipeline_store.matches(info, bytes(foreign))
    assert not pipeline_store.save(info, bytes(foreign))
    disk_cache.write_entry(path, bytes(foreign))          # a foreign file in our slot
    assert pipeline_store.load(info) is None

    # a corrupt file is ignored by a new device and rewritten when it is freed
    path.write_bytes(b"garbage")
    with svk.Device() as again:
        with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl", device=again) as module:
            run_saxpy(module)
    assert pipeline_store.load(info) is not None


KILLED = """
import os, sys
import numpy as np
import simple_vkbackend as svk
m = svk.compile_file(sys.argv[1], "vulkan")
y = np.ones(64, np.float32)
m.saxpy(3.0, np.arange(64, dtype=np.float32), y)
os._exit(0)             # no exit hook runs: the device is never freed
"""


def test_pipeline_cache_saved_after_new_pipelines_not_only_at_exit(cache_dir):
    env = dict(os.environ)   # the package as this process imports it (installed, or editable)
    out = subprocess.run([sys.executable, "-c", KILLED, str(FIXTURES / "saxpy.spl")], env=env,
                         capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr.decode()
    [path] = entries(cache_dir, pipeline_store.SECTION)
    assert disk_cache.read_entry(path) is not None


def test_compile_options_are_part_of_the_key(cache_dir, monkeypatch):
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as plain, \
            svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl", bounds="trap") as trapped:
        assert plain.compiled.interface("saxpy").trap_param is None
        assert trapped.compiled.interface("saxpy").trap_param is not None
    monkeypatch.setenv("SIMPLE_VK_BOUNDS", "trap")
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl") as by_env:
        assert by_env.compiled.interface("saxpy").trap_param is not None
    assert len(entries(cache_dir, module_cache.MODULES)) == 2     # SIMPLE_VK_BOUNDS=trap is bounds="trap"

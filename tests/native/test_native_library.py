"""librt_vk.so: the generated header and exports against abi.py, the build's error
messages, attaching to a running interpreter, and C programs calling rt_vk_* and
rt_vulkan_* directly (on the device, validation layer on)."""
from __future__ import annotations

import ctypes
import re
import subprocess
from pathlib import Path
import sysconfig
import threading

import pytest

from simple_vkbackend.runtime import abi, ffi
from simple_vkbackend.runtime.device import Device
from simple_vkbackend.runtime.native import NativeBuildError, build_library, header_text
from simple_vkbackend.runtime.native import build as native_build

C_DIR = Path(__file__).resolve().parent / "c"


def test_header_declares_every_function_as_abi_says():
    text = header_text()
    declared = re.findall(r"^(.+ \*?(rt_vk\w+|rt_vulkan\w+)\(.*\));$", text, re.M)
    assert [name for _, name in declared] == [f.name for f in abi.ALL_FUNCTIONS]
    for (prototype, _), spec in zip(declared, abi.ALL_FUNCTIONS):
        assert prototype == spec.c_signature.replace("* ", "*")
    for status in abi.Status:
        assert f"#define RT_VK_STATUS_{status.name} ({int(status)})" in text
    assert f"#define RT_VK_LIMIT_COUNT {len(abi.LIMITS_ORDER)}" in text


def test_library_exports_exactly_the_abi(native_lib):
    done = subprocess.run(["nm", "-D", "--defined-only", str(native_lib.library)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    exported = {line.split()[-1] for line in done.stdout.splitlines() if " T " in line}
    assert exported == {f.name for f in abi.ALL_FUNCTIONS}
    assert native_lib.header.read_text() == header_text()


def test_no_compiler_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(NativeBuildError, match="no C compiler.*no-such-cc.*install gcc or clang"):
        build_library(tmp_path / "out")


def test_no_shared_libpython_is_a_clear_error(tmp_path, monkeypatch):
    real = sysconfig.get_config_var
    monkeypatch.setattr(native_build.sysconfig, "get_config_var",
                        lambda name: 0 if name == "Py_ENABLE_SHARED" else real(name))
    with pytest.raises(NativeBuildError, match="no shared libpython"):
        build_library(tmp_path / "out")


def test_compiler_failure_shows_its_output(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", "cc -DRT_VK_COUNT=")   # breaks the generated source
    with pytest.raises(NativeBuildError, match="the C compiler failed"):
        build_library(tmp_path / "out")


def test_cli_native_build(tmp_path, capsys):
    from simple_vkbackend.cli import main
    assert main(["native", "build", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "librt_vk.so").is_file() and (tmp_path / "rt_vk.h").is_file()
    assert "librt_vk.so" in capsys.readouterr().out


def _bind(lib: ctypes.CDLL, name: str):
    spec = abi.SPECS.get(name) or abi.VULKAN_SPECS[name]
    fn = getattr(lib, name)
    fn.restype = ffi.CTYPES[spec.ret]
    fn.argtypes = [ffi.CTYPES[t] for t in spec.param_types]
    return fn


def test_loaded_into_python_it_attaches_to_this_interpreter(native_lib, vulkan):
    """Handles made through the library are this process's registry's: one runtime."""
    lib = ctypes.CDLL(str(native_lib.library))
    create, free = _bind(lib, "rt_vk_device_create"), _bind(lib, "rt_vk_device_free")
    alloc, status = _bind(lib, "rt_vk_buffer_alloc"), _bind(lib, "rt_vk_last_status")
    handle = create()
    assert handle != 0
    assert isinstance(ffi.REGISTRY.get(handle, Device), Device)
    errors = []

    def worker(i: int) -> None:          # Python threads through ctypes (GIL released) into the shim
        for _ in range(20):
            buf = alloc(handle, 256 + i)
            if not buf or ffi.REGISTRY.get(buf, ffi.Buffer).size != 256 + i:
                errors.append(i)
            if alloc(handle, 0) != 0 or status() != abi.Status.INVALID_PARAMETER:
                errors.append(-i)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert free(handle) == 0
    assert free(handle) == abi.Status.INVALID_HANDLE


def test_without_the_runtime_every_call_fails_with_the_reason(c_program, tmp_path):
    exe = c_program.compile("unavailable", [C_DIR / "unavailable.c"])
    # PYTHONPATH set (to a folder without the package): where it is unset the library
    # falls back to the PYTHONPATH it was built under, which may hold the package
    done = c_program.run(exe, env={"SIMPLE_VK_PYTHON": str(tmp_path / "no" / "bin" / "python"),
                                   "PYTHONPATH": str(tmp_path / "empty")})
    assert done.returncode == 0, done.stderr
    assert "available=0 device=0 status=-1 free=-1 init=0" in done.stdout
    assert done.stdout.count("No module named 'simple_vkbackend'") == 2
    assert "SIMPLE_VK_PYTHON" in done.stdout


@pytest.fixture(scope="session")
def saxpy_spv(glue_build):
    return glue_build / "saxpy.spv"


def test_rt_vk_from_c(c_program, saxpy_spv, vulkan):
    """Compile, upload, blocking/async/1-D launches, download, free, every error path
    and several native threads (tests/native/c/rt_vk_direct.c)."""
    exe = c_program.compile("rt_vk_direct", [C_DIR / "rt_vk_direct.c"])
    assert c_program.check(exe, saxpy_spv).startswith("rt_vk_direct: ok")


def test_rt_vulkan_from_c(c_program, saxpy_spv, vulkan):
    """Upstream's table: pipeline, descriptor set, recorded dispatches, fences, offset
    copies, errors, shutdown (tests/native/c/rt_vulkan_main.c)."""
    exe = c_program.compile("rt_vulkan_main", [C_DIR / "rt_vulkan_main.c"])
    assert c_program.check(exe, saxpy_spv).startswith("rt_vulkan_main: ok")

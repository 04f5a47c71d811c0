"""Native-library fixtures: librt_vk.so built once per session, C programs compiled
against it, and runs of them as subprocesses with the validation layer on.

The tests skip (with the reason) only where no C compiler or no shared libpython
exists; in CI (CI=true) that is a failure instead.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime.native import NativeBuildError, NativeLibrary, build_library
from simple_vkbackend.runtime.native.build import find_compiler, python_flags

HERE = Path(__file__).resolve().parent
C_DIR = HERE / "c"
ROOT = HERE.parent.parent


def _skip_or_fail(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must build the native library: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def native_lib(tmp_path_factory) -> NativeLibrary:
    try:
        find_compiler()
        python_flags()
    except NativeBuildError as err:
        _skip_or_fail(str(err))
    return build_library(tmp_path_factory.mktemp("native"))


@pytest.fixture(scope="session")
def vulkan():
    if not runtime.is_available():
        pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")


class CProgram:
    """Compiles C sources against the library (and objects) and runs the result."""

    def __init__(self, lib: NativeLibrary, workdir: Path):
        self.lib, self.workdir = lib, workdir

    def compile(self, name: str, sources: list, include: tuple = (), objects: tuple = ()) -> Path:
        exe = self.workdir / name
        d = self.lib.directory
        command = [*find_compiler(), "-std=gnu11", "-Wall", "-Werror", "-O1", f"-I{d}", f"-I{C_DIR}",
                   *(f"-I{i}" for i in include), *map(str, sources), *map(str, objects), "-o", str(exe),
                   f"-L{d}", "-lrt_vk", f"-Wl,-rpath,{d}", "-lpthread"]
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)}\n{done.stderr}"
        return exe

    @staticmethod
    def run(exe: Path, *args, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        environ["SIMPLE_VK_VALIDATION"] = "1"
        environ.update(env or {})
        return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, env=environ,
                              timeout=timeout)

    def check(self, exe: Path, *args) -> str:
        """Run `exe`; it must exit 0 with nothing on stderr (no validation message, no
        warning). Returns its stdout."""
        done = self.run(exe, *args)
        assert done.returncode == 0 and done.stderr == "", \
            f"{exe.name} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        return done.stdout


@pytest.fixture(scope="session")
def c_program(native_lib, tmp_path_factory) -> CProgram:
    return CProgram(native_lib, tmp_path_factory.mktemp("cprog"))


@pytest.fixture(scope="session")
def glue_build(tmp_path_factory) -> Path:
    """saxpy and matmul built with `simple-vk build --object` into one folder."""
    from simple_vkbackend.cli import main
    out = tmp_path_factory.mktemp("glue")
    for fixture in ("saxpy", "matmul"):
        assert main(["build", str(ROOT / "fixtures" / f"{fixture}.spl"), "-o", str(out), "--object"]) == 0
    return out

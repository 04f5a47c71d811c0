"""Compile librt_vk.so (and write rt_vk.h) with the system C compiler.

Needs a C compiler (`$CC`, else `cc`) and a Python built with a shared libpython
(sysconfig's Py_ENABLE_SHARED); without either, `NativeBuildError` says which is
missing. The library records `python` (default: this interpreter, `sys.executable`,
e.g. the project's .venv/bin/python) as the interpreter it starts when loaded into a
program without one, and the PYTHONPATH set while it is built (used where the program
sets none), and links libpython with an rpath, so it runs without LD_LIBRARY_PATH.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .header import header_text
from .shim import shim_text

LIBRARY = "librt_vk.so"
HEADER = "rt_vk.h"
SOURCE = "rt_vk_shim.c"


class NativeBuildError(Exception):
    """The native library cannot be built here (no compiler, no shared libpython, or
    the compiler failed); the message says what to install or fix."""


@dataclass(frozen=True)
class NativeLibrary:
    """What a build wrote."""

    directory: Path
    library: Path
    header: Path
    source: Path


def find_compiler() -> list[str]:
    """The C compiler command ($CC or cc); NativeBuildError if there is none."""
    command = shlex.split(os.environ.get("CC", "") or "cc")
    if not command or shutil.which(command[0]) is None:
        raise NativeBuildError(f"no C compiler: {command[0] if command else 'cc'!r} not found "
                               "(install gcc or clang, e.g. `apt install gcc`, or set CC)")
    return command


def python_flags() -> tuple[list[str], list[str]]:
    """(compile flags, link flags) for embedding this Python; NativeBuildError when it
    has no shared libpython or no headers."""
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        raise NativeBuildError(f"no Python headers ({include}/Python.h): install the Python "
                               "development package, e.g. `apt install python3-dev`")
    if not sysconfig.get_config_var("Py_ENABLE_SHARED"):
        raise NativeBuildError(f"this Python ({sys.executable}) has no shared libpython "
                               "(built without --enable-shared); use a Python that has one")
    libdir = sysconfig.get_config_var("LIBDIR")
    version = sysconfig.get_config_var("LDVERSION") or sysconfig.get_config_var("VERSION")
    libs = (sysconfig.get_config_var("LIBS") or "").split()
    return [f"-I{include}"], [f"-L{libdir}", f"-Wl,-rpath,{libdir}", f"-lpython{version}", "-lpthread", *libs]


def build_library(out: str | Path, python: str | None = None, *, optimize: bool = True) -> NativeLibrary:
    """Write rt_vk.h, rt_vk_shim.c and librt_vk.so into `out` (created if missing)."""
    compiler = find_compiler()
    cflags, ldflags = python_flags()
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    header, source, library = directory / HEADER, directory / SOURCE, directory / LIBRARY
    header.write_text(header_text())
    source.write_text(shim_text(python or sys.executable, os.environ.get("PYTHONPATH", "")))
    command = [*compiler, "-shared", "-fPIC", "-fvisibility=hidden", "-O2" if optimize else "-O0",
               "-Wall", "-Werror", "-std=gnu11", *cflags, f"-I{directory}", str(source),
               "-o", str(library), *ldflags]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except OSError as err:
        raise NativeBuildError(f"cannot run the C compiler {compiler[0]}: {err}") from None
    if done.returncode != 0:
        raise NativeBuildError(f"the C compiler failed (exit {done.returncode}): {shlex.join(command)}\n"
                               f"{done.stderr.strip()}")
    return NativeLibrary(directory, library, header, source)

"""Compiled modules and host-glue object code kept on disk between processes.

A compiled module (kernel IR, interfaces, SPIR-V, manifest, host glue IR) is stored
under a key made of the source text, its file name (it names the module), the
compiler version (a hash over this package's source files and COMPILER_REVISION), the
backend and its target tag (for Vulkan: the feature set compiled for). The host
glue's machine code (the object MCJIT makes, handed over through llvmlite's object
cache) is stored under a hash of the glue IR and the host target, and loaded in a
later process without LLVM (hostgen/object_loader.py). The folder, its atomic writes and checksums are
`simple_vkbackend.runtime.disk_cache`'s (SIMPLE_VK_CACHE_DIR, SIMPLE_VK_CACHE=0).

Entries are pickles made by this package and read only after their checksum
matches; anything that fails to load is a miss, and the next compile rewrites it.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from simple_vkbackend.runtime import disk_cache

if TYPE_CHECKING:
    from .backends.base import CompiledModule

COMPILER_REVISION = 1       # bump when the cached format changes without a source change
MODULES, GLUE = "modules", "glue"
PACKAGES = ("simple_vkbackend", "simple_vkbackend.lowering", "simple_vkbackend.runtime")


@functools.cache
def compiler_version() -> str:
    """A hash of the compiler's Python source files (path, size and modification
    time of each: no file is read) and COMPILER_REVISION."""
    from . import __version__
    digest = hashlib.sha256(f"{__version__}:{COMPILER_REVISION}".encode())
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for relative, st in _source_files(folder):
                digest.update(f"{relative}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _source_files(root: str) -> list[tuple[str, os.stat_result]]:
    """(path relative to `root`, stat) of every .py file under `root`, sorted by path
    (os.scandir: a new process pays for this on every cached compile)."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=True):
                    if entry.name != "__pycache__":
                        pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".py"):
                    found.append((prefix + entry.name, entry.stat()))
    found.sort(key=lambda item: item[0])
    return found


def module_key(source: bytes, filename: str, backend: str, target_tag: str) -> str:
    digest = hashlib.sha256()
    for part in (compiler_version().encode(), backend.encode(), target_tag.encode(),
                 filename.encode(), source):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


def load_module(key: str) -> Optional["CompiledModule"]:
    """The compiled module stored under `key`, or None."""
    data = disk_cache.read_entry(disk_cache.entry_path(MODULES, f"{key}.pkl"))
    if data is None:
        return None
    try:
        compiled = pickle.loads(data)
    except Exception:  # noqa: BLE001 - an unreadable entry is a miss
        return None
    from .backends.base import CompiledModule
    return compiled if isinstance(compiled, CompiledModule) else None


def store_module(key: str, compiled: "CompiledModule") -> bool:
    """Store `compiled` (without its runtime state) under `key`."""
    path = disk_cache.entry_path(MODULES, f"{key}.pkl")
    if path is None:
        return False
    try:
        data = pickle.dumps(replace(compiled, runtime_state=None), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a module that cannot be pickled is just not cached
        return False
    return disk_cache.write_entry(path, data)


class GlueObjects:
    """The host glue's machine code on disk (hostgen.jit.ObjectStore), keyed by the
    compiler version, the glue IR and the host target (jit.host_target)."""

    @staticmethod
    def path(ir_text: str, target: str) -> Optional[Path]:
        if disk_cache.cache_root() is None:
            return None
        digest = hashlib.sha256(f"{compiler_version()}\0{target}\0".encode() + ir_text.encode()).hexdigest()
        return disk_cache.entry_path(GLUE, f"{digest}.o")

    def load(self, ir_text: str, target: str) -> Optional[bytes]:
        return disk_cache.read_entry(self.path(ir_text, target))

    def store(self, ir_text: str, target: str, data: bytes) -> None:
        disk_cache.write_entry(self.path(ir_text, target), data)

"""Cached host glue loaded without LLVM (hostgen/object_loader.py): the same results
as MCJIT, refusals of what the loader does not handle (MCJIT then compiles), and a
new process that runs a cached module without importing llvmlite, validating or
reflecting SPIR-V again."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend.backends.vulkan import glue_arguments
from simple_vkbackend.hostgen import object_loader
from simple_vkbackend.hostgen.jit import GlueLibrary, host_target
from simple_vkbackend.vulkan import table as rt

pytestmark = pytest.mark.usefixtures("no_validation_messages")

ROOT = Path(__file__).resolve().parents[2]
SAXPY_FILE = ROOT / "fixtures" / "saxpy.spl"
SAXPY = SAXPY_FILE.read_text()


class Store:
    """An in-memory object store (hostgen.jit.ObjectStore)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def load(self, ir_text: str, target: str):
        return self.objects.get((ir_text, target))

    def store(self, ir_text: str, target: str, data: bytes) -> None:
        self.objects[(ir_text, target)] = data


def saxpy_with(library: GlueLibrary, device, interface) -> np.ndarray:
    x, y = np.arange(300, dtype=np.float32), np.ones(300, np.float32)
    args = glue_arguments(interface, {"a": 2.5, "x": x, "y": y})
    assert library.launch("saxpy", device.handle, args, (300, 1, 1)) == 0
    return y


@pytest.fixture
def compiled(vk_device):
    with svk.compile_source(SAXPY, "vulkan", filename="saxpy.spl", device=vk_device) as module:
        yield module.compiled


def test_cached_object_runs_like_mcjit(compiled, vk_device):
    store = Store()
    jitted = GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table(), objects=store)
    assert not jitted.loaded_from_cache and len(store.objects) == 1
    loaded = GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table(), objects=store)
    assert loaded.loaded_from_cache
    try:
        expected = saxpy_with(jitted, vk_device, compiled.interface("saxpy"))
        np.testing.assert_array_equal(saxpy_with(loaded, vk_device, compiled.interface("saxpy")), expected)
        np.testing.assert_array_equal(expected, 2.5 * np.arange(300) + 1)
    finally:
        jitted.close()
        loaded.close()


def test_refused_object_falls_back_to_mcjit(compiled, vk_device):
    store = Store()
    store.store(compiled.host_glue, host_target(), b"\x7fELF not really an object")
    library = GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table(), objects=store)
    try:
        assert not library.loaded_from_cache
        np.testing.assert_array_equal(saxpy_with(library, vk_device, compiled.interface("saxpy")), 2.5 * np.arange(300) + 1)
        assert store.load(compiled.host_glue, host_target()).startswith(b"\x7fELF\x02")  # rewritten
    finally:
        library.close()


def glue_object(compiled) -> bytes:
    store = Store()
    GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table(), objects=store).close()
    [data] = store.objects.values()
    return data


def test_loader_refuses_what_it_does_not_handle(compiled):
    data = glue_object(compiled)
    externals = {name: entry.address for name, entry in rt.table().items()}
    object_loader.load(data, externals)                        # the real object loads
    with pytest.raises(object_loader.UnsupportedObject, match="machine 183"):
        object_loader.load(data[:18] + struct.pack("<H", 183) + data[20:], externals)   # aarch64
    with pytest.raises(object_loader.UnsupportedObject, match="ELF64"):
        object_loader.load(b"\x7fELF\x01" + data[5:], externals)
    with pytest.raises(object_loader.UnsupportedObject, match="too short"):
        object_loader.load(data[:20], externals)
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    names = [sec.name for sec in object_loader._sections(data)]
    for index, name in enumerate(names):
        if name in (".lrodata", ".rodata", ".lbss", ".bss"):
            at = shoff + index * 64 + 4                  # sh_type of that section
            patched = data[:at] + struct.pack("<I", object_loader.SHT_INIT_ARRAY) + data[at + 4:]
            with pytest.raises(object_loader.UnsupportedObject, match="constructors"):
                object_loader.load(patched, externals)
            break
    else:
        pytest.fail(f"no data section among {names}")
    missing = {k: v for k, v in externals.items() if k != "rt_vk_kernel_compile"}
    with pytest.raises(object_loader.UnsupportedObject, match="rt_vk_kernel_compile"):
        object_loader.load(data, missing)


CHILD = r"""
import json, sys
import numpy as np
import simple_vkbackend as svk
from simple_vkbackend.backends.vulkan import glue_arguments
from simple_vkbackend.runtime import kernel_facts
from simple_vkbackend.runtime.spirv import grammar
module = svk.compile_file(sys.argv[1], "vulkan")
y = np.ones(64, np.float32)
module.saxpy(3.0, np.arange(64, dtype=np.float32), y)
device = module.backend.device.runtime_device
print(json.dumps({"sum": float(y.sum()), "llvmlite": "llvmlite" in sys.modules,
                  "glue_cached": module.compiled.runtime_state.loaded_from_cache,
                  "grammar_loaded": grammar.grammar.cache_info().currsize > 0,
                  "pipeline_data": device.pipeline_cache_loaded}))
"""


def test_second_process_needs_no_llvm_validator_or_reflection(tmp_path):
    env = {**os.environ, "SIMPLE_VK_CACHE_DIR": str(tmp_path)}
    env.pop("SIMPLE_VK_CACHE", None)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", CHILD, str(SAXPY_FILE)], env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, second = runs
    assert first["sum"] == second["sum"] == 64 + 3 * sum(range(64))
    assert first["llvmlite"] and not first["glue_cached"] and first["grammar_loaded"]
    assert not second["llvmlite"] and second["glue_cached"] and not second["grammar_loaded"]
    assert first["pipeline_data"] == 0 and second["pipeline_data"] > 0     # saved, then loaded before any pipeline

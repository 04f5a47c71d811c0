"""Ahead-of-time host glue: `simple-vk build --object` writes an object and a header; a C
main linked with it and librt_vk.so runs saxpy (1-D) and matmul (2-D) on the device."""
from __future__ import annotations

import subprocess
from pathlib import Path

from simple_vkbackend.hostgen.aot import glue_header

C_DIR = Path(__file__).resolve().parent / "c"


def test_build_object_writes_object_and_header(glue_build):
    for module in ("saxpy", "matmul"):
        assert (glue_build / f"{module}.o").read_bytes()[:4] == b"\x7fELF"
    header = (glue_build / "saxpy.h").read_text()
    assert ("int32_t simple_saxpy(uint64_t device, float a, void *x, uint64_t x_bytes, void *y, "
            "uint64_t y_bytes, uint32_t global_x, uint32_t global_y, uint32_t global_z);") in header
    assert "void simple_saxpy_release(uint64_t device);" in header


def test_object_exports_c_names_and_needs_only_rt_vk(glue_build):
    done = subprocess.run(["nm", str(glue_build / "matmul.o")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    symbols = [line.split() for line in done.stdout.splitlines()]
    exported = {s[-1] for s in symbols if len(s) == 3 and s[1] == "T"}
    undefined = {s[-1] for s in symbols if s[0] == "U"}
    assert exported == {"simple_matmul", "simple_matmul_local", "simple_matmul_release"}
    assert undefined and all(name.startswith("rt_vk_") for name in undefined)


def test_header_scalar_types():
    from simple_vkbackend.lowering.interface import KernelInterface, ParamSlot
    params = tuple(ParamSlot(f"p{t}", "scalar", t, offset=0) for t in ("bool", "f16", "f64", "u8", "i64"))
    iface = KernelInterface("k", params, 32, (1, 1, 1), None, 1, ())
    header = glue_header("m", {"k": iface})
    assert ("int32_t simple_k(uint64_t device, int32_t pbool, uint16_t pf16, double pf64, uint8_t pu8, "
            "int64_t pi64, uint32_t global_x, uint32_t global_y, uint32_t global_z);") in header


def test_glue_from_c_main(c_program, glue_build, vulkan):
    """tests/native/c/glue_main.c: saxpy twice (glue-chosen and given local size),
    matmul 37x19 * 19x53 on a 2-D grid, error statuses, release."""
    exe = c_program.compile("glue_main", [C_DIR / "glue_main.c"], include=(glue_build,),
                            objects=(glue_build / "saxpy.o", glue_build / "matmul.o"))
    assert c_program.check(exe) == "glue_main: ok\n"


def test_readme_example(c_program, glue_build, vulkan):
    """examples/native_saxpy.c, built as README.md's "Use it from C" says."""
    example = Path(__file__).resolve().parents[2] / "examples" / "native_saxpy.c"
    exe = c_program.compile("native_saxpy", [example], include=(glue_build,), objects=(glue_build / "saxpy.o",))
    assert c_program.check(exe) == "saxpy on 1024 elements: y[0..3] = 1 3 5 7, 0 wrong\n"

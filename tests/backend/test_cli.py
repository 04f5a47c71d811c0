"""`simple-vk` as a user runs it (a subprocess): every fixture case through `run`
with .npy arguments and --save, build outputs, emit, check, devices, and the exit
codes and messages of compile errors (1), bad input (1) and runtime failures (2)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import llvmlite.binding as llvm
import numpy as np
import pytest

from simple_vkbackend import runtime

from backend_helpers import CASES, FIXTURES, assert_matches, case_expectation, case_id, run_argv

SAXPY = str(FIXTURES / "saxpy.spl")
SPIRV_MAGIC = (0x07230203).to_bytes(4, "little")


def simple_vk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simple_vkbackend", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, message: str) -> None:
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def saxpy_params() -> list[str]:
    from simple_vkbackend.frontend import compile_file
    return [p.name for p in compile_file(SAXPY).kernel("saxpy").params]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_case_through_run(case, tmp_path):
    result = simple_vk(*run_argv(case, tmp_path, "vulkan"))
    if case.file == "coop_matrix.spl" and not any("cooperativeMatrix" in d.features for d in runtime.list_devices()):
        assert_clean_failure(result, 2, "need the device extension VK_KHR_cooperative_matrix")
        return
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warnings, no validation messages
    for name, want in case_expectation(case).items():
        assert f"{name}: " in result.stdout
        assert_matches(name, np.load(tmp_path / "out" / f"{name}.npy"), want, case)


def test_run_prints_a_summary_of_written_buffers(tmp_path):
    params = saxpy_params()
    specs = {"x": "arange:8", "y": "zeros:8", "a": "2"}
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "vulkan",
                       *[f"--arg={p}={specs[p]}" for p in params])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "y: float32[8] [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, ...] min=0.0 max=14.0 sum=56.0"


def test_build_writes_spirv_disassembly_manifest_and_glue(tmp_path):
    result = simple_vk("build", SAXPY, "--backend", "vulkan", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    kernels = {k["name"]: k for k in manifest["kernels"]}
    assert "saxpy" in kernels
    for kernel in manifest["kernels"]:
        assert (tmp_path / kernel["spirv"]).read_bytes()[:4] == SPIRV_MAGIC
        assert "OpEntryPoint GLCompute" in (tmp_path / f"{kernel['name']}.spvasm").read_text()
    glue = (tmp_path / manifest["host_glue"]).read_text()
    llvm.parse_assembly(glue).verify()
    assert 'define i32 @"simple_saxpy"' in glue
    assert [p["name"] for p in kernels["saxpy"]["parameters"]] == saxpy_params()


def test_build_records_exact_driver_and_quirks(tmp_path):
    """--exact marks every kernel exact (NoContraction in its SPIR-V); --driver names
    the target driver, whose workarounds (none for NVIDIA's) the manifest lists."""
    result = simple_vk("build", SAXPY, "-o", tmp_path, "--exact", "--driver", "nvidia_proprietary")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["target"]["driver"] == "NVIDIA_PROPRIETARY" and manifest["target"]["quirks"] == []
    assert all(k["exact"] for k in manifest["kernels"])
    assert "NoContraction" in (tmp_path / "saxpy.spvasm").read_text()
    text = simple_vk("emit", SAXPY, "--emit", "ir", "--exact").stdout
    assert all(line.endswith(" exact {") for line in text.splitlines() if line.startswith("kernel "))


@pytest.mark.parametrize("what, needle", [("ir", "kernel saxpy"), ("spirv-asm", "OpEntryPoint GLCompute"),
                                          ("llvm", 'define i32 @"simple_saxpy"')])
def test_emit_prints_to_stdout(what, needle):
    result = simple_vk("emit", SAXPY, "--emit", what, "--kernel", "saxpy")
    assert result.returncode == 0, result.stderr
    assert needle in result.stdout


def test_check_is_quiet_about_a_clean_file():
    result = simple_vk("check", SAXPY)
    assert result.returncode == 0 and result.stderr == ""


def test_compile_errors_exit_1_with_diagnostics(tmp_path):
    bad = tmp_path / "bad.spl"
    bad.write_text("#[gpu]\nfn k(x: [f32]):\n    x[0] = undefined_name\n")
    for command in (["check", bad], ["run", bad, "--kernel", "k"], ["build", bad, "-o", tmp_path / "o"]):
        result = simple_vk(*command)
        assert_clean_failure(result, 1, f"{bad}:3:")
        assert "error:" in result.stderr


@pytest.mark.parametrize("argv, message", [
    (["run", SAXPY, "--kernel", "nope"], "no kernel named 'nope'"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "q=1"], "has no parameter 'q'"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "x"], "--arg needs NAME=SPEC"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "x=zeros:ten"], "'ten' is not an element count"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "x=missing.npy"], "no such file missing.npy"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "x=arange:4:float64", "--arg", "y=zeros:4", "--arg", "a=1"],
     "float32, got one of float64"),
    (["run", SAXPY, "--kernel", "saxpy", "--arg", "x=arange:4"], "missing argument"),
    (["run", "no/such/file.spl", "--kernel", "k"], "no such file: no/such/file.spl"),
    (["run", str(FIXTURES / "matmul.spl"), "--kernel", "matmul"], "kernel matmul is 2-D: pass --global X,Y"),
    (["emit", SAXPY, "--emit", "wat"], "invalid choice: 'wat'"),
    ([], "required: command"),
])
def test_bad_input_exits_1(argv, message):
    assert_clean_failure(simple_vk(*argv), 1, message)


def test_runtime_failure_exits_2_with_the_runtime_message():
    specs = {"x": "arange:8", "y": "zeros:8", "a": "1"}
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "vulkan", "--local", "100000",
                       *[f"--arg={p}={specs[p]}" for p in saxpy_params()])
    assert_clean_failure(result, 2, "simple-vk: error: ")
    assert "status -" in result.stderr


def test_unknown_device_exits_2_listing_the_devices():
    specs = {"x": "arange:8", "y": "zeros:8", "a": "1"}
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "vulkan", "--device", "no such gpu",
                       *[f"--arg={p}={specs[p]}" for p in saxpy_params()])
    assert_clean_failure(result, 2, "no Vulkan device matches 'no such gpu' (devices: 0: ")


def test_no_vulkan_device_exits_2_naming_the_reason_and_the_fix(tmp_path):
    no_driver = {"VK_ICD_FILENAMES": str(tmp_path / "none.json"), "VK_DRIVER_FILES": str(tmp_path / "none.json")}
    specs = {"x": "arange:8", "y": "zeros:8", "a": "1"}
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "vulkan",
                       *[f"--arg={p}={specs[p]}" for p in saxpy_params()], env=no_driver)
    assert_clean_failure(result, 2, "apt install libvulkan1 mesa-vulkan-drivers")
    assert "vulkan backend cannot run here" in result.stderr


def test_auto_without_a_device_falls_back_to_software_with_a_warning(tmp_path):
    from simple_vkbackend.backends.registry import backend_class
    from simple_vkbackend.errors import BackendUnavailableError
    no_driver = {"VK_ICD_FILENAMES": str(tmp_path / "none.json"), "VK_DRIVER_FILES": str(tmp_path / "none.json")}
    specs = {"x": "arange:8", "y": "zeros:8", "a": "2"}
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "auto",
                       *[f"--arg={p}={specs[p]}" for p in saxpy_params()], env=no_driver)
    try:
        backend_class("software")
    except BackendUnavailableError:  # the software backend is not installed in this checkout
        assert_clean_failure(result, 2, "no backend can run here: no Vulkan device (")
        return
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("simple-vk: warning:")]
    assert len(warnings) == 1 and "no Vulkan device" in warnings[0] and "software backend" in warnings[0]
    assert result.stdout.startswith("y: float32[8] [0.0, 2.0, 4.0")


def test_devices_lists_the_device_with_limits():
    result = simple_vk("devices")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0: ")
    assert "maxComputeWorkGroupInvocations" in result.stdout
    assert "driver" in result.stdout


def test_version():
    result = simple_vk("--version")
    assert result.returncode == 0 and result.stdout.startswith("simple-vk ")

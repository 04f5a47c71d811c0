"""Shared memory over the target's maxComputeSharedMemorySize is an error at build
time when the target is known (the Vulkan backend compiles for its device), naming the
kernel, the size and the limit (before: it ran, only the validation layer
complained). The runtime checks it again at kernel load."""
import subprocess
import sys

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.frontend import compile_source
from simple_vkbackend.lowering.errors import LoweringError
from simple_vkbackend.lowering.interface import Target
from simple_vkbackend.lowering.lower import lower_kernel

SOURCE = """#[gpu(local_size=64)]
fn k(y: &mut [f32]):
    val t = gpu.shared_memory<f32>({n})
    t[gpu.local_id(0)] = 1.0
    gpu.barrier()
    y[gpu.global_id(0)] = t[0]
"""


def test_target_limit_is_checked_by_the_lowering():
    module = compile_source(SOURCE.format(n=4097), "k.spl")
    lower_kernel(module, "k", Target())  # portable: not known here
    lower_kernel(compile_source(SOURCE.format(n=4096), "k.spl"), "k", Target(max_shared_memory=16384))
    with pytest.raises(LoweringError, match=r"kernel k: its shared arrays take 16388 bytes per work-group, more "
                                            r"than the target's maxComputeSharedMemorySize of 16384 bytes \(16 KiB\)"):
        lower_kernel(module, "k", Target(max_shared_memory=16384))


def test_build_for_the_device_reports_the_limit(tmp_path):
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    from simple_vkbackend.backends.vulkan import VulkanBackend
    backend = VulkanBackend()
    try:
        limit = backend.device.runtime_device.limits.max_compute_shared_memory_size
    finally:
        backend.close()
    path = tmp_path / "k.spl"
    path.write_text(SOURCE.format(n=limit // 4 + 1))
    result = subprocess.run([sys.executable, "-m", "simple_vkbackend", "build", str(path), "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert f"more than the target's maxComputeSharedMemorySize of {limit} bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_takes_the_target_limit(tmp_path, capsys):
    from simple_vkbackend.cli.main import main
    path = tmp_path / "k.spl"
    path.write_text(SOURCE.format(n=4097))
    assert main(["check", str(path)]) == 0
    assert main(["check", str(path), "--max-shared-memory", "32768"]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--max-shared-memory", "16384"]) == 1
    err = capsys.readouterr().err
    assert "kernel k: its shared arrays take 16388 bytes per work-group, more than the target's " \
           "maxComputeSharedMemorySize of 16384 bytes (16 KiB)" in err and "Traceback" not in err

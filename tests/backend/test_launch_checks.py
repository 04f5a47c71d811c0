"""Launches a kernel cannot honour are errors on every path (simple_vkbackend/sizes.py
check_launch): a 2-D global size on a 1-D kernel ran every work item twice, a local size
other than the declared one gave wrong reductions (docs/reliability.md)."""
import subprocess
import sys

import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend import runtime
from simple_vkbackend.sizes import LaunchError

SOURCE = """#[gpu(local_size=128)]
fn hinted(y: &mut [f32]):
    y[gpu.global_id(0)] += 1.0

#[gpu]
fn plain(y: &mut [f32]):
    y[gpu.global_id(0)] += 1.0
"""

BAD = [
    ("plain", dict(global_size=(8, 2)), "kernel plain is 1-D: global_size=(8, 2) has 2 dimensions"),
    ("hinted", dict(global_size=(256, 1, 2)), "kernel hinted is 1-D: global_size=(256, 1, 2) has 3 dimensions"),
    ("hinted", dict(local_size=256), "kernel hinted is declared with local_size=128: it cannot run with local_size=256"),
    ("plain", dict(global_size=64, local_size=(8, 8)), "kernel plain is 1-D: local_size=(8, 8)"),
]


@pytest.fixture(params=["software", "vulkan"])
def module(request):
    if request.param == "vulkan" and not runtime.is_available():
        pytest.skip("no Vulkan device")
    with svk.compile_source(SOURCE, backend=request.param) as m:
        yield m


@pytest.mark.parametrize("kernel, sizes, message", BAD)
def test_api_rejects_the_launch_and_runs_nothing(module, kernel, sizes, message):
    y = np.zeros(256, np.float32)
    with pytest.raises(LaunchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        module[kernel](y, **sizes)
    assert not y.any()


def test_api_runs_what_the_kernel_honours(module):
    y = np.zeros(256, np.float32)
    module.hinted(y, global_size=256, local_size=(128, 1))
    module.plain(y, global_size=(256, 1))
    assert (y == 2).all()


@pytest.mark.parametrize("kernel, sizes, message", BAD)
def test_kernel_launch_rejects_the_launch(kernel, sizes, message):
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    with svk.compile_source(SOURCE, backend="vulkan") as m:
        k = m.kernel(kernel)
        buf = k.device.buffer_from(np.zeros(256, np.float32))
        with pytest.raises(LaunchError, match=message.replace("(", r"\(").replace(")", r"\)")):
            k.launch(buf, **sizes)
        assert not buf.to_numpy().any()


def test_cli_run_reports_the_launch_error(tmp_path):
    path = tmp_path / "k.spl"
    path.write_text(SOURCE)
    result = subprocess.run([sys.executable, "-m", "simple_vkbackend", "run", str(path), "--kernel", "hinted",
                             "--backend", "software", "--arg", "y=zeros:256", "--local", "64"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "kernel hinted is declared with local_size=128: it cannot run with local_size=64" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kernel, global_size, local_size", [
    ("plain", (8, 2, 1), (0, 0, 0)), ("hinted", (256, 1, 1), (64, 1, 1)), ("plain", (64, 1, 1), (8, 8, 1))])
def test_host_glue_returns_invalid_parameter(kernel, global_size, local_size):
    """Native callers of the host glue get the same check (a status: -7)."""
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    from simple_vkbackend.backends.vulkan import VulkanBackend, glue_arguments
    backend = VulkanBackend()
    try:
        compiled = backend.compile(svk.compile_source(SOURCE, backend="software").ir_module)
        glue = backend.glue(compiled)
        y = np.zeros(256, np.float32)
        args = glue_arguments(compiled.interface(kernel), {"y": y})
        assert glue.launch(kernel, backend.device.handle, args, global_size, local_size) == -7
        assert not y.any()
        assert glue.launch(kernel, backend.device.handle, args, (256, 1, 1), (0, 0, 0)) == 0
        assert (y == 1).all()
    finally:
        backend.close()

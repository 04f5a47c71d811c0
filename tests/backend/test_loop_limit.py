"""lavapipe (llvmpipe) ends every loop of a work item once its loops have run
65,535 passes in all (Mesa gallivm's per-invocation loop limiter: every pass over a
loop's end costs one, the pass that leaves a loop included, across all loops of the
kernel with helpers inlined). Splitting a loop cannot help, so the lowering counts
the passes for a lavapipe target and a launch that reaches the limit is an error
naming the kernel and the limit (never a silent early exit); below it, results are
exact. The software backend has no limit."""
import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend import runtime
from simple_vkbackend.lowering.quirks import LOOP_LIMITS, loop_limit_for

LAVAPIPE_LOOP_LIMIT = LOOP_LIMITS["MESA_LLVMPIPE"]

SOURCE = """fn spin(n: i32) -> i32:
    var c = 0
    var i = 0
    while i < n:
        c += 1
        i += 1
    return c

#[gpu]
fn count(y: &mut [i32], n: i32):
    var c = 0
    var i = 0
    while i < n:
        c += 1
        i += 1
    y[0] = c

#[gpu]
fn nested(y: &mut [i32], n: i32, m: i32):
    var c = 0
    for i in 0..n:
        for j in 0..m:
            c += 1
    y[0] = c

#[gpu]
fn twice(y: &mut [i32], a: i32, b: i32):
    y[0] = spin(a) + spin(b)

#[gpu]
fn straight(y: &mut [i32], n: i32):
    y[0] = n + 1
"""


def on_lavapipe() -> bool:
    if not runtime.is_available():
        return False
    from simple_vkbackend.vulkan.objects import Device
    with Device() as device:
        return loop_limit_for(device.info.driver_id) is not None


LAVAPIPE = on_lavapipe()
needs_lavapipe = pytest.mark.skipif(not LAVAPIPE, reason="the loop limit is lavapipe's")


@pytest.fixture(scope="module")
def vk():
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    with svk.compile_source(SOURCE, backend="vulkan") as m:
        yield m


@pytest.fixture(scope="module")
def sw():
    with svk.compile_source(SOURCE, backend="software") as m:
        yield m


def run(module, kernel, *args) -> int:
    y = np.zeros(1, np.int32)
    module[kernel](y, *args, global_size=1)
    return int(y[0])


def limit_message(kernel: str) -> str:
    return (f"kernel `{kernel}`: the device's driver (lavapipe) ends loops after 65535 iterations per work "
            f"item in total; this launch reached that limit, so its results would be wrong")


def test_short_loops_are_exact(vk):
    assert run(vk, "count", 60_000) == 60_000
    assert run(vk, "count", 65_000) == 65_000
    assert run(vk, "nested", 100, 600) == 60_000


def test_the_last_back_edge_below_the_limit_does_not_report(vk):
    # 65,534 back edges and the pass that leaves: 65,535 passes, the driver's whole budget
    assert run(vk, "count", 65_534) == 65_534


@needs_lavapipe
def test_reaching_the_limit_reports(vk):
    with pytest.raises(svk.LoopLimitError) as info:
        run(vk, "count", 65_535)
    assert (info.value.kernel, info.value.limit) == ("count", LAVAPIPE_LOOP_LIMIT)


@needs_lavapipe
def test_count_to_100000_is_an_error_naming_the_kernel_and_the_limit(vk):
    with pytest.raises(svk.LoopLimitError) as info:
        run(vk, "count", 100_000)
    assert str(info.value) == limit_message("count")
    assert isinstance(info.value, svk.BackendError)


@needs_lavapipe
@pytest.mark.parametrize("n, m", [(2, 100_000), (100_000, 2)])
def test_nested_loops_200000_are_an_error(vk, n, m):
    with pytest.raises(svk.LoopLimitError, match="kernel `nested`.*65535"):
        run(vk, "nested", n, m)


@needs_lavapipe
def test_the_budget_is_shared_by_the_loops_of_helpers(vk):
    # 40,000 back edges + 1 exit, then 25,533 + 1: 65,535 passes, the whole budget
    assert run(vk, "twice", 40_000, 25_533) == 65_533
    with pytest.raises(svk.LoopLimitError, match="kernel `twice`"):
        run(vk, "twice", 40_000, 25_534)


@needs_lavapipe
def test_device_resident_launches_report_too(vk):
    kernel = vk.kernel("count")
    y = kernel.device.empty(1, np.int32)
    with pytest.raises(svk.LoopLimitError, match="kernel `count`"):
        kernel.launch(y, 100_000, global_size=1)
    kernel.launch(y, 1_000, global_size=1)
    assert y.to_numpy().tolist() == [1_000]
    y.free()


@needs_lavapipe
def test_only_kernels_with_loops_get_the_hidden_buffer(vk):
    assert vk.compiled.interfaces["count"].loop_limit == LAVAPIPE_LOOP_LIMIT
    assert vk.compiled.interfaces["twice"].loop_limit == LAVAPIPE_LOOP_LIMIT  # its loops are in a helper
    assert vk.compiled.interfaces["straight"].loop_limit is None
    assert vk.compiled.interfaces["straight"].trap_param is None
    assert run(vk, "straight", 41) == 42


def test_the_software_backend_has_no_limit(sw):
    assert run(sw, "count", 100_000) == 100_000
    assert run(sw, "nested", 2, 100_000) == 200_000
    assert run(sw, "twice", 40_000, 30_000) == 70_000
    assert sw.compiled.interfaces["count"].loop_limit is None


def test_only_lavapipe_has_a_loop_limit():
    assert loop_limit_for("MESA_LLVMPIPE") == 65535
    assert loop_limit_for("NVIDIA_PROPRIETARY") is None and loop_limit_for(None) is None


@needs_lavapipe
def test_cli_run_prints_the_error_and_exits_2(tmp_path, capsys):
    from simple_vkbackend.cli.main import main
    path = tmp_path / "loops.spl"
    path.write_text(SOURCE)
    argv = ["run", str(path), "--kernel", "count", "--backend", "vulkan", "--global", "1",
            "--arg", "y=zeros:1:int32", "--arg", "n=100000"]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"simple-vk: error: {limit_message('count')}\n"

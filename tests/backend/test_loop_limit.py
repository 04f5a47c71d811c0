"""lavapipe (llvmpipe) ends every loop of an invocation once 65,535
loop back edges have run in it, counted across all loops of the kernel (helpers
inlined): two sequential loops of 40,000 iterations run 65,534 in all. Splitting a loop
cannot help (the budget is per invocation, not per loop), so the fix is detection
with a report to the host, which needs a device-to-host status word. Until then the
silent early exit is pinned here: these tests are strict expected failures on
lavapipe, so the fix turns them into failures that remove the marker."""
import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend import runtime

SOURCE = """#[gpu]
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
"""


def on_lavapipe() -> bool:
    if not runtime.is_available():
        return False
    from simple_vkbackend.vulkan.objects import Device
    with Device() as device:
        return "llvmpipe" in device.name


LAVAPIPE = on_lavapipe()
needs_fix = pytest.mark.xfail(LAVAPIPE, strict=True, reason="lavapipe's loop budget: detection needs a status word")


@pytest.fixture(scope="module")
def vk():
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    with svk.compile_source(SOURCE, backend="vulkan") as m:
        yield m


def run(module, kernel, *args) -> int:
    y = np.zeros(1, np.int32)
    module[kernel](y, *args, global_size=1)
    return int(y[0])


def test_short_loops_are_exact(vk):
    assert run(vk, "count", 65_000) == 65_000
    assert run(vk, "nested", 100, 600) == 60_000


@needs_fix
def test_count_to_100000(vk):
    assert run(vk, "count", 100_000) == 100_000


@needs_fix
@pytest.mark.parametrize("n, m", [(2, 100_000), (100_000, 2)])
def test_nested_loops_200000(vk, n, m):
    assert run(vk, "nested", n, m) == 200_000

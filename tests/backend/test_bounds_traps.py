"""Bounds traps (`@bounds(default=trap)` and the debug option `bounds="trap"`) on
the software backend and on Vulkan (lavapipe): the first out-of-range access is
reported after the launch naming kernel, buffer, index, length and FILE:LINE:COL;
the other policies; shared arrays start zeroed on both backends. The validation
layer is on; any message fails the test."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import CASES, FIXTURES, case_id, check_case_through_api
from simple_vkbackend.cli.main import main
from simple_vkbackend.errors import BackendError
from simple_vkbackend.frontend import CompileError
from simple_vkbackend.traps import BoundsTrapError

pytestmark = pytest.mark.usefixtures("no_validation_messages")

PATH = FIXTURES / "traps" / "bounds_policies.spl"
BACKENDS = ["software", "vulkan"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    """A backend name or, for Vulkan, the session's backend on the test device."""
    return request.getfixturevalue("vk_backend") if request.param == "vulkan" else "software"


def compiled(backend, bounds=None):
    return svk.compile_file(PATH, backend=backend, bounds=bounds)


def trap_text(line: int, col: int, kernel: str, index: int, buffer: str, length: int) -> str:
    return (f"{PATH}:{line}:{col}: bounds trap in kernel `{kernel}`: index {index} is out of range "
            f"for `{buffer}` of length {length}")


def src8() -> np.ndarray:
    return np.arange(1, 9, dtype=np.float32)


def test_trap_reports_the_read_past_the_end(backend):
    m = compiled(backend)
    dst = np.zeros(8, np.float32)
    with pytest.raises(BoundsTrapError) as info:
        m.copy_trap(src8(), dst, 1)
    assert str(info.value) == trap_text(8, 14, "copy_trap", 8, "src", 8)
    err = info.value
    assert (err.kernel, err.buffer, err.index, err.length) == ("copy_trap", "src", 8, 8)
    assert err.location == f"{PATH}:8:14" and isinstance(err, BackendError)
    assert dst[:7].tolist() == src8()[1:].tolist()  # the other work items ran


def test_trap_reports_a_negative_index(backend):
    with pytest.raises(BoundsTrapError, match=r":8:14: .* index -1 is out of range for `src` of length 8$"):
        compiled(backend).copy_trap(src8(), np.zeros(8, np.float32), -1)


def test_no_trap_in_range(backend):
    dst = np.zeros(8, np.float32)
    m = compiled(backend)
    m.copy_trap(src8(), dst, 0)
    assert dst.tolist() == src8().tolist()
    m.copy_trap(src8(), dst, 0)  # the hidden buffer is zeroed for every launch
    assert dst.tolist() == src8().tolist()


@pytest.mark.parametrize("bounds", [None, "trap"])
@pytest.mark.parametrize("policy, last", [("return", -1.0), ("clamp", 8.0), ("zero", 0.0)])
def test_the_other_policies_do_not_trap_even_under_the_debug_option(backend, policy, last, bounds):
    dst = np.full(8, -1, np.float32)
    getattr(compiled(backend, bounds), f"copy_{policy}")(src8(), dst, 1)
    assert dst.tolist() == [*src8()[1:].tolist(), last]


def test_trap_in_a_2d_kernel(backend):
    src = np.arange(11, dtype=np.float32)  # one element short of 4 x 3
    with pytest.raises(BoundsTrapError) as info:
        compiled(backend).transpose_trap(src, np.zeros(12, np.float32), 4, 3, global_size=(4, 3))
    assert str(info.value) == trap_text(33, 22, "transpose_trap", 11, "src", 11)


def test_trap_on_a_write_with_an_unsigned_index(backend):
    dst = np.zeros(4, np.uint32)
    with pytest.raises(BoundsTrapError) as info:
        compiled(backend).store_trap(dst, 10, global_size=4)
    assert str(info.value) == trap_text(40, 9, "store_trap", 10, "dst", 4)
    assert dst.tolist() == [0, 0, 0, 0]


def test_debug_option_traps_shared_and_private_arrays_of_a_plain_kernel(backend):
    m = compiled(backend, bounds="trap")
    src, dst = np.arange(8, dtype=np.int32), np.zeros(8, np.int32)
    with pytest.raises(BoundsTrapError) as info:
        m.window(src, dst, 1)
    assert str(info.value) == trap_text(51, 24, "window", 4, "tile", 4)
    with pytest.raises(BoundsTrapError) as info:
        m.window(src, dst, 3)
    assert str(info.value) == trap_text(50, 5, "window", 3, "taps", 3)
    m.window(src, dst, 0)
    assert dst.tolist() == (2 * src).tolist()


def test_debug_option_from_the_environment(backend, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_BOUNDS", "trap")
    with pytest.raises(BoundsTrapError, match="`taps` of length 3$"):
        compiled(backend).window(np.arange(8, dtype=np.int32), np.zeros(8, np.int32), 3)
    trap = compiled(backend, bounds="off").manifest["kernels"][6]["trap"]
    assert trap is None or trap["sites"] == []  # lavapipe: the buffer only reports its loop limit


def test_a_bad_bounds_option_is_a_compile_error(monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_BOUNDS", "loud")
    with pytest.raises(CompileError, match="SIMPLE_VK_BOUNDS: error: unknown bounds option 'loud'"):
        compiled("software")


def test_shared_arrays_start_zeroed_on_both_backends(backend):
    dst = np.full(8, -1, np.int32)
    compiled(backend).unwritten(dst)
    assert dst.tolist() == [0] * 8


def test_the_hidden_buffer_is_in_the_manifest_not_in_the_signature():
    m = compiled("software")
    assert "__trap" not in repr(m.copy_trap) and "shift: i32" in repr(m.copy_trap)
    entry = m.manifest["kernels"][0]
    assert entry["parameters"][-1] == {"name": "__trap", "kind": "buffer", "type": "u32", "binding": 2,
                                       "access": "readwrite", "hidden": True}
    assert entry["trap"] == {"parameter": "__trap", "words": 4, "sites": [
        {"buffer": "dst", "location": f"{PATH}:8:5", "signed": True},
        {"buffer": "src", "location": f"{PATH}:8:14", "signed": True}]}
    assert m.manifest["kernels"][1]["trap"] is None  # copy_return
    with pytest.raises(TypeError, match="takes 3 arguments"):
        m.copy_trap(src8(), np.zeros(8, np.float32), 0, np.zeros(4, np.uint32))


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_cli_run_prints_the_trap_and_exits_2(backend_name, capsys):
    argv = ["run", str(PATH), "--kernel", "copy_trap", "--backend", backend_name,
            "--arg", "src=arange:8:float32", "--arg", "dst=zeros:8:float32", "--arg", "shift=1"]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"simple-vk: error: {trap_text(8, 14, 'copy_trap', 8, 'src', 8)}\n"
    argv = ["run", str(PATH), "--kernel", "window", "--backend", backend_name, "--bounds", "trap",
            "--arg", "src=arange:8:int32", "--arg", "dst=zeros:8:int32", "--arg", "k=3"]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"simple-vk: error: {trap_text(50, 5, 'window', 3, 'taps', 3)}\n"


def test_device_resident_launches_check_after_the_launch_sync_or_download(vk_backend):
    m = svk.compile_file(PATH, backend=vk_backend)
    kernel = m.kernel("copy_trap")
    device = kernel.device
    src, dst = device.buffer_from(src8()), device.empty(8)
    expected = trap_text(8, 14, "copy_trap", 8, "src", 8)
    with pytest.raises(BoundsTrapError) as info:
        kernel.launch(src, dst, 1)
    assert str(info.value) == expected
    kernel.launch(src, dst, 1, wait=False)
    with pytest.raises(BoundsTrapError) as info:
        dst.to_numpy()
    assert str(info.value) == expected
    kernel.launch(src, dst, 1, wait=False)
    with pytest.raises(BoundsTrapError):
        device.sync()
    kernel.launch(src, dst, 0, wait=False)
    device.sync()
    assert dst.to_numpy().tolist() == src8().tolist()
    for b in (src, dst):
        b.free()


def test_the_c_header_documents_the_hidden_buffer(vk_backend):
    from simple_vkbackend.hostgen.aot import glue_header
    m = svk.compile_file(PATH, backend=vk_backend)
    header = glue_header("bounds_policies", {"copy_trap": m.compiled.interface("copy_trap")})
    assert "void *__trap, uint64_t __trap_bytes" in header
    assert f"Sites: 1 = dst at {PATH}:8:5; 2 = src at {PATH}:8:14 */" in header


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_fixture_case_gives_its_reference_under_the_debug_option(case, backend):
    check_case_through_api(case, backend, bounds="trap")


def test_an_atomic_on_an_element_out_of_range_traps_and_does_not_run(backend):
    bins = np.zeros(4, np.uint32)
    m = compiled(backend)
    m.count_trap(np.array([0, 1, 1, 3], np.int32), bins)
    assert bins.tolist() == [1, 2, 0, 1]
    with pytest.raises(BoundsTrapError) as info:
        m.count_trap(np.array([0, 1, 4, 3], np.int32), bins)
    assert str(info.value) == trap_text(66, 21, "count_trap", 4, "bins", 4)
    assert bins.tolist() == [2, 3, 0, 2]  # the in-range atomics ran


def test_cli_build_with_the_debug_option_writes_the_site_table(tmp_path, capsys):
    import json
    assert main(["build", str(PATH), "-o", str(tmp_path), "--bounds", "trap"]) == 0
    kernels = {k["name"]: k for k in json.loads((tmp_path / "manifest.json").read_text())["kernels"]}
    assert [s["buffer"] for s in kernels["window"]["trap"]["sites"]] == ["tile", "src", "taps", "tile", "dst",
                                                                         "taps", "tile"]
    assert kernels["copy_clamp"]["trap"] is None  # a @simd kernel's buffer policy stays
    assert main(["build", str(PATH), "-o", str(tmp_path / "plain")]) == 0
    plain = json.loads((tmp_path / "plain" / "manifest.json").read_text())["kernels"]
    assert [k["name"] for k in plain if k["trap"] and k["trap"]["sites"]] == ["copy_trap", "transpose_trap", "store_trap", "count_trap"]

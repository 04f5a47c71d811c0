"""`simple-vk run --backend software`: every fixture case (in-process through
`cli.main`, which is what the console script calls), and as a subprocess: the
`auto` fallback on a machine without a Vulkan driver (one warning line), a
run-time failure (exit 2) and `--device` with software (exit 1)."""
from __future__ import annotations

import numpy as np
import pytest

from backend_helpers import CASES, FIXTURES, assert_matches, case_expectation, case_id, run_argv
from simple_vkbackend import cli
from simple_vkbackend.cli.command_line import EXIT_OK
from test_cli import assert_clean_failure, simple_vk

SAXPY = str(FIXTURES / "saxpy.spl")
SAXPY_ARGS = ["--arg", "x=arange:8", "--arg", "y=zeros:8", "--arg", "a=2"]
SAXPY_OUTPUT = "y: float32[8] [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, ...] min=0.0 max=14.0 sum=56.0"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_case_through_run(case, tmp_path, capsys):
    code = cli.main(run_argv(case, tmp_path, "software"))
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert err == ""
    for name, want in case_expectation(case).items():
        assert f"{name}: " in out
        assert_matches(name, np.load(tmp_path / "out" / f"{name}.npy"), want, case)


def no_driver(tmp_path) -> dict:
    """The environment of a user's machine with the Vulkan loader but no driver: an
    empty driver folder, and the validation layer off (as by default; with it on,
    the loader itself prints "Found no drivers!")."""
    empty = tmp_path / "icd.d"
    empty.mkdir()
    return {"VK_ICD_FILENAMES": str(empty), "VK_DRIVER_FILES": str(empty), "SIMPLE_VK_VALIDATION": "0"}


def test_auto_without_a_vulkan_device_falls_back_with_one_warning(tmp_path):
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", *SAXPY_ARGS, env=no_driver(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SAXPY_OUTPUT
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simple-vk: warning: no Vulkan device (")
    assert lines[0].endswith("); using the software backend")


def test_software_needs_no_vulkan_and_says_nothing(tmp_path):
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "software", *SAXPY_ARGS,
                       env=no_driver(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == SAXPY_OUTPUT


def test_run_time_failure_exits_2(tmp_path):
    source = tmp_path / "spill.spl"
    source.write_text("#[gpu]\nfn spill(out: [i32]):\n    out[gpu.global_id(0) + 1] = 7\n")
    result = simple_vk("run", source, "--kernel", "spill", "--backend", "software", "--arg", "out=zeros:8")
    assert_clean_failure(result, 2, "simple-vk: error: kernel spill failed on the software backend: ")
    assert "index 8 is out of bounds for buffer array 'out' of length 8" in result.stderr


def test_device_with_software_is_bad_input():
    result = simple_vk("run", SAXPY, "--kernel", "saxpy", "--backend", "software", "--device", "0", *SAXPY_ARGS)
    assert_clean_failure(result, 1, "--device chooses a Vulkan device; the software backend has none")

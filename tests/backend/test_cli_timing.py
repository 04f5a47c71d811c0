"""`simple-vk run`: --kernel optional for one-kernel files, --seed, kernel dtype
names in generators, --time/--repeat."""
from __future__ import annotations

import re

from backend_helpers import FIXTURES
from test_cli import SAXPY, assert_clean_failure, simple_vk

SPECS = ("--arg=a=2", "--arg=x=rand:64:f32", "--arg=y=zeros:64:float32")


def test_kernel_is_optional_when_the_file_has_one():
    with_name = simple_vk("run", SAXPY, "--kernel", "saxpy", *SPECS)
    without = simple_vk("run", SAXPY, *SPECS)
    assert without.returncode == 0, without.stderr
    assert without.stdout == with_name.stdout and without.stdout.startswith("y: float32[64]")


def test_kernel_is_required_when_the_file_has_several():
    result = simple_vk("run", FIXTURES / "bitops.spl", "--arg=a=1")
    assert_clean_failure(result, 1, "has 2 kernels (int_ops, powers): pass --kernel NAME")


def test_seed_decides_rand_arguments():
    first = simple_vk("run", SAXPY, *SPECS, "--seed", "7")
    again = simple_vk("run", SAXPY, *SPECS, "--seed", "7")
    other = simple_vk("run", SAXPY, *SPECS, "--seed", "8")
    assert first.returncode == other.returncode == 0, first.stderr + other.stderr
    assert first.stdout == again.stdout != other.stdout


def test_kernel_type_names_as_dtypes():
    result = simple_vk("run", SAXPY, "--arg=a=1", "--arg=x=arange:4:u32", "--arg=y=zeros:4")
    assert_clean_failure(result, 1, "'x' takes a numpy array of float32, got one of uint32")
    bad = simple_vk("run", SAXPY, "--arg=a=1", "--arg=x=arange:4:q7", "--arg=y=zeros:4")
    assert_clean_failure(bad, 1, "unknown dtype 'q7'")


def test_time_prints_gpu_and_wall_time_per_launch():
    result = simple_vk("run", SAXPY, *SPECS, "--backend", "vulkan", "--time", "--repeat", "3")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"time: 3 launch\(es\) on .+: GPU mean [\d.]+ min [\d.]+ max [\d.]+ ms, "
                        r"wall mean [\d.]+ min [\d.]+ max [\d.]+ ms per launch", line), line
    assert result.stdout.splitlines()[0] == simple_vk("run", SAXPY, *SPECS).stdout.splitlines()[0]
    bad = simple_vk("run", SAXPY, *SPECS, "--time", "--repeat", "0")
    assert_clean_failure(bad, 1, "--repeat needs at least 1 launch")


def test_run_uses_the_on_disk_cache(tmp_path):
    env = {"SIMPLE_VK_CACHE_DIR": str(tmp_path)}
    first = simple_vk("run", SAXPY, *SPECS, "--backend", "vulkan", env=env)
    second = simple_vk("run", SAXPY, *SPECS, "--backend", "vulkan", env=env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert len(list((tmp_path / "modules").iterdir())) == 1
    assert len(list((tmp_path / "glue").iterdir())) == 1

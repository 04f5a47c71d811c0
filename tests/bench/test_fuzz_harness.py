"""bench/fuzz.py works: its fuzzers run and find nothing on a short deterministic run,
malformed SPIR-V gets a status from rt_vk_kernel_compile (in a child process), and a
crashing child is reported as a finding with the input it died on."""
from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from simple_vkbackend import runtime

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("bench_fuzz", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frontend_fuzzer_runs_and_finds_nothing(fuzz, tmp_path):
    import time
    findings = fuzz.Findings(tmp_path, "frontend")
    n = fuzz.fuzz_frontend(time.monotonic() + 2, findings)
    assert n > 0 and findings.count == 0, list(tmp_path.iterdir())


def test_spirv_mutations_are_deterministic_and_malformed(fuzz):
    blob = bytes.fromhex("03022307" "00030100" "00000000" "05000000" "00000000" "11000200" "01000000")
    a = [fuzz.mutate_spirv(random.Random(seed), blob) for seed in range(20)]
    assert a == [fuzz.mutate_spirv(random.Random(seed), blob) for seed in range(20)]
    assert sum(m != blob for m in a) >= 15


def test_malformed_spirv_gets_a_status_not_a_crash(fuzz, tmp_path):
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    rng = random.Random(1)
    blobs = fuzz.valid_modules()[:3]
    inputs = [fuzz.mutate_spirv(rng, rng.choice(blobs)) for _ in range(40)]
    done, reason = fuzz.batch_in_child("spirv", inputs, tmp_path / "progress")
    assert (done, reason) == (40, None)


def test_a_crashing_child_is_a_finding_with_its_input(fuzz, tmp_path):
    """An ABI script whose second step writes through a null pointer: the batch stops
    there and the finding holds the steps up to it."""
    if not runtime.is_available():
        pytest.skip("no Vulkan device")
    ok = json.dumps([["rt_vk_device_sync", 0]]).encode()
    findings = fuzz.Findings(tmp_path, "abi")
    done, reason = fuzz.batch_in_child("abi", [ok, b'[["crash", 0]]'], tmp_path / "progress")
    assert done == 1 and reason is not None and "exited with" in reason

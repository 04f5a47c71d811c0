"""Every fixture kernel, from Simple source to validated SPIR-V: golden disassembly
in fixtures/golden/<file>.<kernel>.spvasm, and a run on the Vulkan device through
the runtime (no backend, no host glue) compared with the case's numpy reference."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.frontend import compile_file
from simple_vkbackend.runtime.spirv import tools as spirv_tools
from simple_vkbackend.lowering.lower import Target, lower_kernel, lower_module
from simple_vkbackend.runtime.validation import recent_messages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCES = sorted(FIXTURES.glob("*.spl"))


def load_cases():
    spec = importlib.util.spec_from_file_location("fixture_cases", FIXTURES / "cases.py")
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    return cases.CASES


CASES = load_cases()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_fixture_spirv_matches_golden(source, golden):
    for lowered in lower_module(compile_file(source)):
        spirv_tools.validate(lowered.spirv, "vulkan1.1")
        golden(f"{source.stem}.{lowered.name}.spvasm", spirv_tools.disassemble(lowered.spirv))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_fixture_spirv_validates_for_spirv_1_5(source):
    for lowered in lower_module(compile_file(source), Target(spirv_version=(1, 5))):
        spirv_tools.validate(lowered.spirv, "vulkan1.2")


def test_every_fixture_kernel_has_a_case():
    kernels = {(s.name, k.name) for s in SOURCES for k in compile_file(s).kernels}
    assert kernels == {(c.file, c.kernel) for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_kernel_runs_on_device(case, gpu):
    before = runtime.validation_message_count()
    lowered = lower_kernel(compile_file(FIXTURES / case.file), case.kernel)
    missing = set(lowered.interface.features) - set(gpu.device.enabled_features)
    if missing:
        pytest.skip(f"{gpu.device.name} lacks {sorted(missing)}")
    args = case.make_args(np.random.default_rng(7))
    expected = case.reference({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()})
    local = case.local_size or lowered.interface.local_size
    local = tuple(local) + (1,) * (3 - len(local))
    global_size = tuple(case.global_size) + (1,) * (3 - len(case.global_size))
    groups = tuple(-(-g // l) for g, l in zip(global_size, local))
    arrays = [args[p.name] for p in lowered.interface.buffers]
    scalars = {p.name: args[p.name] for p in lowered.interface.scalars}
    gpu.run(lowered, arrays, scalars, groups, local=local)
    for name, want in expected.items():
        np.testing.assert_allclose(args[name], want, rtol=case.rtol, atol=case.atol, err_msg=name)
    assert runtime.validation_message_count() == before, recent_messages()

"""The GLSL equivalents that bench/compile.py hands to glslangValidator are faithful:
one per fixture kernel, and each, compiled by glslang, computes on the Vulkan device
what the fixture's numpy reference says (with the Simple kernel's interface:
bindings, push constants, local size)."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.frontend import compile_file
from simple_vkbackend.lowering.lower import LoweredKernel, lower_kernel
from simple_vkbackend.runtime.validation import recent_messages

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
GLSL_DIR = ROOT / "bench" / "glsl"
# float atomics: the GLSL uses the native ones, where the Simple kernel's default target
# lowers to a compare-exchange loop
GLSL_EXTENSION_FEATURES = {"GL_EXT_shader_atomic_float": {"shaderBufferFloat32AtomicAdd",
                                                          "shaderSharedFloat32AtomicAdd"},
                           "GL_KHR_cooperative_matrix": {"cooperativeMatrix"}}


def load_by_path(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = load_by_path("fixture_cases", FIXTURES / "cases.py").CASES


def glsl_path(case) -> Path:
    return GLSL_DIR / f"{case.file.removesuffix('.spl')}.{case.kernel}.comp"


def test_one_glsl_file_per_fixture_kernel():
    kernels = {f"{s.stem}.{k.name}.comp" for s in FIXTURES.glob("*.spl") for k in compile_file(s).kernels}
    assert {p.name for p in GLSL_DIR.glob("*.comp")} == kernels


@pytest.fixture(scope="module")
def glslang() -> str:
    path = shutil.which("glslangValidator")
    if path is None:
        pytest.skip("glslangValidator not installed (apt-get install glslang-tools)")
    return path


def glsl_features(source: Path) -> set[str]:
    text = source.read_text()
    return {f for ext, features in GLSL_EXTENSION_FEATURES.items() if ext in text for f in features}


def glslang_spirv(glslang: str, source: Path, tmp_path: Path) -> bytes:
    out = tmp_path / "kernel.spv"
    env = "vulkan1.3" if "GL_KHR_cooperative_matrix" in source.read_text() else "vulkan1.1"
    result = subprocess.run([glslang, "-V", "--target-env", env, str(source), "-o", str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0 and "extension not supported: GL_KHR_cooperative_matrix" in result.stdout:
        pytest.skip("this glslangValidator predates GL_KHR_cooperative_matrix")
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_glsl_equivalent_matches_reference(case, glslang, gpu, tmp_path):
    before = runtime.validation_message_count()
    ours = lower_kernel(compile_file(FIXTURES / case.file), case.kernel)
    needed = set(ours.interface.features) | glsl_features(glsl_path(case))
    missing = needed - set(gpu.device.enabled_features)
    if missing:
        pytest.skip(f"{gpu.device.name} lacks {sorted(missing)}")
    kernel = LoweredKernel(case.kernel, glslang_spirv(glslang, glsl_path(case), tmp_path), ours.interface)
    args = case.make_args(np.random.default_rng(11))
    expected = case.reference({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()})
    local = tuple(case.local_size or ours.interface.local_size)
    local += (1,) * (3 - len(local))
    global_size = tuple(case.global_size) + (1,) * (3 - len(case.global_size))
    groups = tuple(-(-g // n) for g, n in zip(global_size, local))
    gpu.run(kernel, [args[p.name] for p in ours.interface.buffers],
            {p.name: args[p.name] for p in ours.interface.scalars}, groups, local=local)
    for name, want in expected.items():
        np.testing.assert_allclose(args[name], want, rtol=case.rtol, atol=case.atol, err_msg=name)
    assert runtime.validation_message_count() == before, recent_messages()

"""Golden host glue: fixtures/golden/<stem>.<kernel>.ll for every kernel of every
fixture, for the portable target (`pytest --update-golden` rewrites them).

The embedded SPIR-V bytes are replaced by a note in the golden text: the SPIR-V
has goldens of its own (<stem>.<kernel>.spvasm), so a lowering change does not
rewrite every host-glue golden."""
from __future__ import annotations

import re

import llvmlite.binding as llvm
import pytest

from backend_helpers import FIXTURES, fixture_kernels
from simple_vkbackend import rt
from simple_vkbackend.frontend import compile_file
from simple_vkbackend.hostgen.glue import emit_glue
from simple_vkbackend.hostgen.jit import signatures_of
from simple_vkbackend.lowering.interface import Target
from simple_vkbackend.lowering.lower import lower_kernel

KERNELS = fixture_kernels() if FIXTURES.exists() else []


def glue_of(path, kernel: str) -> str:
    module = compile_file(str(path))
    lowered = lower_kernel(module, kernel, Target())
    return emit_glue(module.name, [(lowered.interface, lowered.spirv)], signatures_of(rt.table()))


def test_every_fixture_kernel_has_a_golden_file():
    assert KERNELS, "no fixture kernels found"


@pytest.mark.parametrize("path, kernel", KERNELS, ids=[f"{p.stem}.{k}" for p, k in KERNELS])
def test_host_glue_matches_golden(path, kernel, golden):
    text = glue_of(path, kernel)
    llvm.parse_assembly(text).verify()
    assert text == glue_of(path, kernel)  # deterministic
    golden(f"{path.stem}.{kernel}.ll", without_spirv_bytes(text))


def without_spirv_bytes(text: str) -> str:
    return re.sub(r'(\.spirv" = private unnamed_addr constant \[(\d+) x i8\] )c"[^"]*"',
                  r'\1<\2 bytes of SPIR-V>', text)

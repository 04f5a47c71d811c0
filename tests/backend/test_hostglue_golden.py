"""Golden host glue: fixtures/golden/<stem>.<kernel>.ll for every kernel of every
fixture, for the portable target (`pytest --update-golden` rewrites them).

The golden text is the glue exactly as `build` writes it, except that the embedded
SPIR-V (its bytes and byte count) is replaced by a placeholder: the SPIR-V has its
own goldens (<stem>.<kernel>.spvasm, the lowering's), so a change in the lowering
does not rewrite these files; the test checks separately that the real bytes are
embedded."""
from __future__ import annotations

import llvmlite.binding as llvm
import pytest

from backend_helpers import FIXTURES, fixture_kernels
from simple_vkbackend.frontend import compile_file
from simple_vkbackend.hostgen.glue import emit_glue
from simple_vkbackend.lowering.interface import Target
from simple_vkbackend.lowering.lower import lower_kernel

KERNELS = fixture_kernels() if FIXTURES.exists() else []


def glue_of(path, kernel: str) -> tuple[str, bytes]:
    module = compile_file(str(path))
    lowered = lower_kernel(module, kernel, Target())
    text = emit_glue(module.name, [(lowered.interface, lowered.spirv)])
    return text, lowered.spirv


def llvm_string(data: bytes) -> str:
    """`data` as an LLVM c"..." string body, escaped as llvmlite writes it."""
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:02x}" for b in data)


def without_spirv(text: str, kernel: str, spirv: bytes) -> str:
    n = len(spirv)
    embedded = f'@"simple_{kernel}.spirv" = private unnamed_addr constant [{n} x i8] c"{llvm_string(spirv)}"'
    assert text.count(embedded) == 1, "the SPIR-V is not embedded byte for byte"
    text = text.replace(embedded, f'@"simple_{kernel}.spirv" = private unnamed_addr constant [N x i8] c"<SPIR-V>"')
    call = f'ptr @"simple_{kernel}.spirv", i64 {n})'
    assert text.count(call) == 1
    return text.replace(call, f'ptr @"simple_{kernel}.spirv", i64 N)')


def test_every_fixture_kernel_has_a_golden_file():
    assert KERNELS, "no fixture kernels found"


@pytest.mark.parametrize("path, kernel", KERNELS, ids=[f"{p.stem}.{k}" for p, k in KERNELS])
def test_host_glue_matches_golden(path, kernel, golden):
    text, spirv = glue_of(path, kernel)
    llvm.parse_assembly(text).verify()
    assert glue_of(path, kernel)[0] == text  # deterministic
    golden(f"{path.stem}.{kernel}.ll", without_spirv(text, kernel, spirv))

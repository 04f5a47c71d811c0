"""Float arithmetic in the two modes: an exact kernel's OpFAdd/FSub/FMul/FDiv are
all decorated NoContraction (no fused multiply-add, no reassociation), a default
kernel's are not (the driver may contract); float `%` is exact long division, not
OpFRem, in both; float math builtins give NaN for a NaN argument. Behaviour on the
device is checked in tests/differential/test_regressions.py."""
from __future__ import annotations

import re

from simple_vkbackend.frontend import compile_source
from simple_vkbackend.lowering.lower import lower_kernel
from simple_vkbackend.runtime.spirv.tools import disassemble

SOURCE = """
#[gpu]
fn k(x: &[f32], y: [f32], n: [i32]):
    val i = gpu.global_id(0)
    y[i] = (x[i] * 2.0 + 1.0) / 3.0 - x[i] % 1.5
    n[i] = i * 3 + 1
    y[i] += atan(x[i])
"""


def disassembly(exact: bool = True) -> str:
    module = compile_source(SOURCE)
    module.kernels[0].exact = exact
    return disassemble(lower_kernel(module, "k").spirv)


def test_exact_float_arithmetic_is_no_contraction_and_integer_arithmetic_is_not():
    text = disassembly()
    exact = set(re.findall(r"OpDecorate (%\w+) NoContraction", text))
    floats = set(re.findall(r"(%\w+) = OpF(?:Add|Sub|Mul|Div) ", text))
    integers = set(re.findall(r"(%\w+) = OpI(?:Add|Mul) ", text))
    assert len(floats) >= 5 and floats <= exact
    assert "OpFRem" not in text
    assert integers and not integers & exact


def test_default_float_arithmetic_may_contract():
    """Only the long division of `%` keeps NoContraction (its steps must be exact)."""
    text = disassembly(exact=False)
    exact = set(re.findall(r"OpDecorate (%\w+) NoContraction", text))
    written = re.findall(r"(%\w+) = OpF(?:Add|Sub|Mul|Div) %float (%\w+) (%\w+)", text)
    plain = {r for r, *_ in written} - exact
    assert len(plain) >= 5
    assert "OpFRem" not in text
    # fmod's five: the negation, the scaling test's subtraction, the doubling,
    # the reducing subtraction and the halving
    assert len(exact) == 5


def test_exact_flag_is_in_the_interface():
    module = compile_source(SOURCE)
    assert not lower_kernel(module, "k").interface.exact
    module.kernels[0].exact = True
    assert lower_kernel(module, "k").interface.exact


def test_math_builtin_selects_nan_arguments():
    text = disassembly()
    atan = re.search(r"(%\w+) = OpExtInst %float %\w+ Atan (%\w+)", text)
    assert atan, text
    nan_test = re.search(rf"(%\w+) = OpIsNan %bool {atan.group(2)}", text)
    assert nan_test and re.search(rf"OpSelect %float {nan_test.group(1)} {atan.group(2)} {atan.group(1)}", text)

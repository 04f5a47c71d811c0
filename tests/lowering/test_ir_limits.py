"""The IR verifier keeps the limits of lowering/ir/limits.py: nothing 32-bit is
truncated, private memory has a ceiling, helper calls nest boundedly, names are short."""
import pytest

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRVerifyError
from simple_vkbackend.lowering.ir.limits import MAX_CALL_DEPTH, MAX_IDENTIFIER_LENGTH, PRIVATE_MEMORY_PER_ITEM
from simple_vkbackend.lowering.ir.text import parse_module
from simple_vkbackend.lowering.ir.verify import verify_module


def problems(text: str) -> str:
    with pytest.raises(IRVerifyError) as info:
        verify_module(parse_module(text))
    return str(info.value)


def kernel(decls: str, attrs: str = "") -> str:
    return f'module "t"\n\nkernel k(y: buf<f32>) dims=1{attrs} {{\n{decls}\n}}\n'


@pytest.mark.parametrize("decl", ["shared s: [f32; 1073741824]", "shared s: [f64; 4294967295]",
                                  "local p: [i32; 4294967296]"])
def test_array_bytes_beyond_32_bits(decl):
    assert "more than 4294967295 (32-bit sizes)" in problems(kernel(f"  {decl}"))


def test_private_memory_ceiling():
    n = PRIVATE_MEMORY_PER_ITEM // 4
    verify_module(parse_module(kernel(f"  local p: [f32; {n}]")))
    assert "per work item, more than 4096 bytes (4 KiB)" in problems(kernel(f"  local p: [f32; {n // 2}]\n"
                                                                             f"  local q: [f32; {n // 2 + 1}]"))


@pytest.mark.parametrize("attr", [" local_size=(4294967296, 1, 1)", " grid_size=(4294967296, 1, 1)"])
def test_sizes_beyond_32_bits(attr):
    assert "tuple of 3 positive ints" in problems(kernel("", attr))


def chain(n: int) -> str:
    fns = "fn h0(x: f32) -> f32 {\n  return x\n}\n"
    fns += "".join(f"fn h{i}(x: f32) -> f32 {{\n  return (call.f32 h{i - 1} x)\n}}\n" for i in range(1, n))
    return (f'module "t"\n{fns}kernel k(y: buf<f32>) dims=1 {{\n'
            f'  y[0:i32] = (call.f32 h{n - 1} y[0:i32])\n}}\n')


def test_call_depth():
    verify_module(parse_module(chain(MAX_CALL_DEPTH)))
    assert f"helper calls nest {MAX_CALL_DEPTH + 1} deep, more than {MAX_CALL_DEPTH}" in problems(
        chain(MAX_CALL_DEPTH + 1))


def test_name_length():
    verify_module(parse_module(kernel("").replace("kernel k", "kernel " + "k" * MAX_IDENTIFIER_LENGTH)))
    assert f"more than {MAX_IDENTIFIER_LENGTH}" in problems(
        kernel("").replace("kernel k", "kernel " + "k" * (MAX_IDENTIFIER_LENGTH + 1)))

"""The IR text form: exact printing, round trips, and parse errors with LINE:COL."""
import math
import re
from pathlib import Path

import pytest

from ir_samples import EVERY_NODE_TEXT, every_node_module
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRParseError
from simple_vkbackend.lowering.ir.equal import ir_diff
from simple_vkbackend.lowering.ir.text import parse_module, print_expr, print_module
from simple_vkbackend.lowering.ir.verify import verify_module

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kernel_ir.md"


def test_every_node_module_prints_exactly():
    module = every_node_module()
    verify_module(module)
    assert print_module(module) == EVERY_NODE_TEXT


def test_every_node_module_round_trips():
    module = every_node_module()
    parsed = parse_module(print_module(module))
    assert ir_diff(module, parsed) is None
    assert print_module(parsed) == EVERY_NODE_TEXT


def test_parse_resolves_types_from_declarations():
    module = parse_module(EVERY_NODE_TEXT)
    assign = module.kernel("saxpy").body.stmts[1].then.stmts[0]
    assert assign.target.type == ir.F32 and assign.target.checked
    assert module.function("square").body.stmts[1].value.type == ir.F32


@pytest.mark.parametrize("ty, value, text", [
    (ir.F32, float("nan"), "nan:f32"),
    (ir.F64, float("-inf"), "-inf:f64"),
    (ir.F64, -0.0, "-0.0:f64"),
    (ir.F64, 5e-324, "5e-324:f64"),
    (ir.F64, 0.1, "0.1:f64"),
    (ir.F16, 65504.0, "65504.0:f16"),
    (ir.I64, -(1 << 63), "-9223372036854775808:i64"),
    (ir.U64, (1 << 64) - 1, "18446744073709551615:u64"),
    (ir.BOOL, False, "false"),
])
def test_literals_round_trip_exactly(ty, value, text):
    assert print_expr(ir.Const(ty, value)) == text
    module = ir.Module(constants=[ir.Constant("C", ty, value)])
    parsed = parse_module(print_module(module)).constants[0]
    assert type(parsed.value) is type(value)
    assert parsed.value == value or (math.isnan(value) and math.isnan(parsed.value))
    assert math.copysign(1, parsed.value) == math.copysign(1, value)


def test_names_that_are_keywords_parse_by_position():
    text = '''module "m"

fn loop(step: i32, return: i32) -> i32 {
  local local: i32
  local if: [i32; 2]
  local inf: f32
  local = return
  if[0:i32] = step
  if (lt.bool local if[1:i32]) {
    return local
  }
  inf = (cast.f32 local)
  return (call.i32 loop2)
}

fn loop2() -> i32 {
  return 0:i32
}
'''
    module = parse_module(text)
    assert print_module(module) == text
    stmts = module.function("loop").body.stmts
    assert isinstance(stmts[0], ir.Assign) and stmts[0].target.name == "local"
    assert isinstance(stmts[2], ir.If) and isinstance(stmts[2].then.stmts[0], ir.Return)


def test_comments_blank_lines_and_missing_module_line_are_accepted():
    module = parse_module("# a comment\n\nkernel k() {  # trailing\n\n  return\n}")
    assert module.name == "module" and module.kernels[0].dims == 1
    assert isinstance(module.kernels[0].body.stmts[0], ir.Return)


def test_float_constants_accept_integer_spelling():
    assert parse_module("const C: f32 = 2\n").constants[0].value == 2.0


def test_docs_example_parses_verifies_and_round_trips():
    blocks = re.findall(r"```kir\n(.*?)```", DOCS.read_text(), re.S)
    assert blocks, "docs/kernel_ir.md has no ```kir example"
    for text in blocks:
        module = parse_module(text)
        verify_module(module)
        assert print_module(parse_module(print_module(module))) == print_module(module)


@pytest.mark.parametrize("text, where, message", [
    ("kernel k() {\n  x = 1:i32\n}\n", "2:3", "unknown name 'x'"),
    ("kernel k(b: buf<f32>) {\n  local v: f32\n  v = b\n}\n", "3:7", "'b' is a buffer"),
    ("kernel k(n: i32) {\n  n[0:i32] = 1:i32\n}\n", "2:3", "cannot be indexed"),
    ("kernel k() {\n  return\n", "3:1", "expected '}' before end of text"),
    ("kernel k() {\n  (frob.i32 1:i32)\n}\n", "2:4", "unknown operation 'frob'"),
    ("kernel k() {\n  (add 1:i32 2:i32)\n}\n", "2:4", "needs a type"),
    ("kernel k() {\n  (add.q32 1:i32 2:i32)\n}\n", "2:4", "unknown type 'q32'"),
    ("kernel k() {\n  (add.i32 1:i32)\n}\n", "2:17", "expected 2 operands"),
    ("kernel k() {\n  (math.frob.f32 1.0:f32)\n}\n", "2:4", "unknown math builtin 'frob'"),
    ("kernel k() {\n  (gpu.warp_id.i32 0)\n}\n", "2:4", "unknown gpu builtin 'warp_id'"),
    ("kernel k() {\n  (atomic.swap.i32 &b[0:i32] 1:i32)\n}\n", "2:4", "unknown atomic operation"),
    ("kernel k() {\n  return 1.5:i32\n}\n", "2:10", "expected an integer value for i32"),
    ("const C: bool = 1\n", "1:17", "a bool value is true or false"),
    ("kernel k() {\n  return\n  local x: i32\n}\n", "3:3", "declarations come first"),
    ("fn f() {\n  shared s: [f32; 4]\n}\n", "2:3", "only allowed in kernels"),
    ("kernel k() dims=2 dims=3 {\n}\n", "1:19", "expected a kernel attribute"),
    ("kernel k(x: buf<bool) {\n}\n", "1:21", "expected '>'"),
    ("kernel k() {\n  1:i32 = 2:i32\n}\n", "2:3", "only a name or an element can be assigned"),
    ("kernel k() {\n  return $\n}\n", "2:10", "unexpected character '$'"),
    ("struct S {\n}\n", "1:1", "expected 'const', 'fn' or 'kernel'"),
    ("kernel k() {\n  break break\n}\n", "2:9", "expected end of line"),
])
def test_parse_errors_give_line_and_column(text, where, message):
    with pytest.raises(IRParseError) as info:
        parse_module(text)
    assert str(info.value).startswith(where + ": "), str(info.value)
    assert message in str(info.value)

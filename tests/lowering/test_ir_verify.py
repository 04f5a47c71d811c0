"""The IR verifier: valid modules pass; each rule's violation is reported by name and place."""
import pytest

from ir_samples import every_node_module
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRVerifyError
from simple_vkbackend.lowering.ir import F32, I32
from simple_vkbackend.lowering.ir.text import parse_module
from simple_vkbackend.lowering.ir.verify import module_problems, verify_module

BASE = '''module "t"

const C: i32 = 1

fn helper(a: f32, b: i32) -> f32 {
  return a
}

fn void_fn() {
}

kernel k(n: i32, a: f32, x: rbuf<f32>, y: buf<f32>, w: buf<i64>, u: buf<u32>) dims=1 {
  shared s: [i32; 8]
  local m: i32
  local p: [i32; 4]
  local f: bool
BODY
}
'''


def kernel_module(body: str) -> ir.Module:
    """BASE with `body` (statement lines) as the kernel's body."""
    return parse_module(BASE.replace("BODY", body))


def problems_of(module: ir.Module) -> str:
    with pytest.raises(IRVerifyError) as info:
        verify_module(module)
    return str(info.value)


def test_base_and_every_node_module_verify():
    verify_module(kernel_module("  m = (add.i32 n C)"))
    verify_module(every_node_module())


# Each case breaks one rule in the kernel body and names the message that rule gives.
BODY_CASES = {
    "assign to param": ("  n = 1:i32", "assignment to param 'n'"),
    "assign to constant": ("  C = 1:i32", "assignment to constant 'C'"),
    "write to read-only buffer": ("  x[0:i32] = 1.0:f32", "write to read-only buffer 'x'"),
    "atomic on read-only buffer": ("  (atomic.add.f32 &x[0:i32] 1.0:f32)", "write to read-only buffer 'x'"),
    "assign type": ("  m = 1:i64", "assigned value has type i64, target 'm' has i32"),
    "element assign type": ("  y[0:i32] = 1:i32", "assigned value has type i32"),
    "len of scalar": ("  m = (len n)", "'n' is a param, not a buffer or array"),
    "binary operand types": ("  m = (add.i32 n 1:i64)", "operand types differ (i32 vs i64)"),
    "binary op on type": ("  a = (bitand.f32 a a)", "bitand.f32: operand type f32 not allowed"),
    "binary result type": ("  m = (cast.i32 (add.i64 n n))", "add.i64: operand has type i32, expected i64"),
    "comparison result bool": ("  m = (lt.i32 n n)", "a comparison has type bool, not i32"),
    "ordering of bools": ("  f = (lt.bool f f)", "lt.bool: operand type bool not allowed"),
    "unary op on type": ("  m = (not.i32 n)", "not.i32: operand type i32 not allowed"),
    "unary result type": ("  a = (cast.f32 (neg.i64 n))", "neg.i64: operand has type i32, expected i64"),
    "if condition bool": ("  if n {\n  }", "if condition must be bool, not i32"),
    "loop condition bool": ("  loop while a {\n  }", "loop condition must be bool, not f32"),
    "logical operands bool": ("  f = (and n true)", "and: operand must be bool, not i32"),
    "select condition bool": ("  m = (select.i32 n n n)", "select condition must be bool"),
    "select branch type": ("  m = (select.i32 true n 1:i64)", "else operand has type i64, expected i32"),
    "index integer": ("  a = y[1.0:f32]", "index must be an integer, not f32"),
    "call unknown": ("  (call nope)", "call of 'nope': unknown"),
    "call kernel": ("  (call k)", "call of 'k': a kernel, not a helper"),
    "call arg count": ("  a = (call.f32 helper a)", "call of 'helper': 1 args, it takes 2"),
    "call arg type": ("  a = (call.f32 helper a 1:i64)", "arg 2 has type i64, param 'b' is i32"),
    "call result type": ("  m = (call.i32 helper a n)", "has type i32, 'helper' returns f32"),
    "void value used": ("  m = (call void_fn)", "call of 'void_fn' returns nothing, but its value is used"),
    "expression statement": ("  n", "an expression statement must be a call, builtin or atomic"),
    "kernel returns nothing": ("  return 1:i32", "a kernel returns nothing"),
    "math arity": ("  a = (math.atan2.f32 a)", "builtin atan2 takes 2 args, got 1"),
    "math float only": ("  m = (math.sqrt.i32 n)", "builtin sqrt: args of type i32 not allowed"),
    "math arg types": ("  m = (math.min.i32 n 1:i64)", "builtin min: args differ in type"),
    "math result type": ("  a = (cast.f32 (math.isnan.f32 a))", "builtin isnan has type f32, expected bool"),
    "id dim range": ("  m = (gpu.global_id.i32 3)", "builtin global_id: dim must be 0, 1 or 2, not 3"),
    "id type": ("  m = (cast.i32 (gpu.local_id.u32 0))", "builtin local_id has type i32, not u32"),
    "sync type": ("  (gpu.barrier.i32)", "builtin barrier has type None, not i32"),
    "sync args": ("  (gpu.mem_fence 1:i32)", "builtin mem_fence takes no args, got 1"),
    "atomic element type": ("  (atomic.add.i64 &w[0:i32] 1:i64)", "atomics are on 32-bit integers (and f32 add), not i64"),
    "atomic f32 only add": ("  (atomic.sub.f32 &y[0:i32] 1.0:f32)", "atomics are on 32-bit integers (and f32 add), not f32"),
    "atomic private array": ("  (atomic.add.i32 &p[0:i32] 1:i32)", "'p' is a private array"),
    "atomic arg count": ("  (atomic.compare_exchange.u32 &u[0:i32] 1:u32)", "takes 2 value args, got 1"),
    "atomic arg type": ("  (atomic.add.u32 &u[0:i32] 1:i32)", "value arg 1 has type i32, element type is u32"),
    "atomic type": ("  m = (atomic.add.i32 &u[0:i32] 1:u32)", "element of 'u' has type u32, expected i32"),
    "atomic unknown base": ("  (atomic.add.i32 &q[0:i32] 1:i32)", "unknown name 'q'"),
    "break outside loop": ("  break", "break outside a loop body"),
    "continue in step": ("  loop {\n  } step {\n    continue\n  }", "continue outside a loop body"),
    "literal range": ("  m = (cast.i32 300:u8)", "value 300 out of range of u8 (0..255)"),
}


@pytest.mark.parametrize("body, message", BODY_CASES.values(), ids=BODY_CASES.keys())
def test_body_rule_violation_is_reported(body, message):
    assert message in problems_of(kernel_module(body))


# Cases that the text form cannot express (or that are about items): mutate the module.
def _set_stmt(expr_or_stmt):
    def mutate(m: ir.Module) -> None:
        s = expr_or_stmt if isinstance(expr_or_stmt, ir.Stmt) else ir.Assign(ir.Var(I32, "m"), expr_or_stmt)
        m.kernel("k").body.stmts.append(s)
    return mutate


def _set(attr, value, item="k"):
    return lambda m: setattr(m.kernel(item), attr, value)


MUTATION_CASES = {
    "unknown var": (_set_stmt(ir.Var(I32, "q")), "unknown name 'q'"),
    "var names buffer": (_set_stmt(ir.Var(I32, "y")), "Var 'y' names a buffer; use Index or Len"),
    "var type": (_set_stmt(ir.Var(F32, "n")), "Var 'n' has type f32, but param 'n' is i32"),
    "index of scalar": (_set_stmt(ir.Index(I32, "n", ir.Const(I32, 0))), "'n' is a param, not a buffer or array"),
    "index type": (_set_stmt(ir.Index(I32, "y", ir.Const(I32, 0))), "element of 'y' has type f32, expected i32"),
    "assign target kind": (_set_stmt(ir.Assign(ir.Const(I32, 0), ir.Const(I32, 0))), "target must be a Var or an Index"),
    "not an expression": (_set_stmt(3), "not an expression: 3"),
    "untyped expression": (_set_stmt(ir.Binary(None, "add", ir.Var(I32, "n"), ir.Var(I32, "n"))), "add has no type"),
    "unknown builtin": (_set_stmt(ir.Builtin(I32, "warp_id")), "unknown builtin 'warp_id'"),
    "dim on math builtin": (lambda m: _set_stmt(ir.Cast(I32, ir.Builtin(F32, "sqrt", [ir.Var(F32, "a")], dim=1)))(m),
                            "builtin sqrt: dim is only for id builtins"),
    "unknown binary op": (_set_stmt(ir.Binary(I32, "avg", ir.Var(I32, "n"), ir.Var(I32, "n"))), "unknown binary op 'avg'"),
    "unknown atomic op": (_set_stmt(ir.Atomic(ir.U32, "nand", "u", ir.Const(I32, 0), [ir.Const(ir.U32, 1)])),
                          "unknown atomic op 'nand'"),
    "literal python type": (_set_stmt(ir.Const(I32, True)), "i32 value must be a Python int, not True"),
    "float literal python type": (lambda m: m.kernel("k").body.stmts.append(
        ir.Assign(ir.Var(F32, "a"), ir.Const(F32, 1))), "f32 value must be a Python float"),
    "local size tuple": (_set("local_size", [64, 1, 1]), "local_size must be a tuple of 3 positive ints"),
    "local size positive": (_set("local_size", (0, 1, 1)), "local_size must be a tuple of 3 positive ints"),
    "local size product": (_set("local_size", (64, 32, 1)), "has 2048 invocations, more than 1024"),
    "dims range": (_set("dims", 4), "dims must be 1, 2 or 3, not 4"),
    "shared length": (lambda m: setattr(m.kernel("k").shared[0], "type", ir.ArrayType(I32, 0, "shared")),
                      "shared s: array length must be a positive int, not 0"),
    "private length": (lambda m: setattr(m.kernel("k").locals[1], "type", ir.ArrayType(I32, -2, "private")),
                       "local p: array length must be a positive int, not -2"),
    "array space": (lambda m: setattr(m.kernel("k").locals[1], "type", ir.ArrayType(I32, 4, "shared")),
                    "local p: array space must be 'private'"),
    "name identifier": (lambda m: setattr(m.kernel("k").locals[0], "name", "a b"), "name 'a b' is not an identifier"),
    "reserved name": (lambda m: setattr(m.kernel("k").locals[0], "name", "true"), "name 'true' is reserved"),
    "name collides with param": (lambda m: m.kernel("k").locals.append(ir.Local("n", I32)),
                                 "local 'n' collides with param 'n'"),
    "name collides with constant": (lambda m: m.kernel("k").locals.append(ir.Local("C", I32)),
                                    "local 'C' collides with constant 'C'"),
    "shared collides with local": (lambda m: m.kernel("k").shared.append(ir.SharedArray("m", ir.ArrayType(I32, 2, "shared"))),
                                   "shared array 'm' collides with local 'm'"),
    "duplicate item": (lambda m: m.functions.append(ir.Function("k", [], None, ir.Block())),
                       "duplicate item name 'k' (fn and kernel)"),
    "helper buffer param": (lambda m: m.function("void_fn").params.append(ir.Param("b", ir.BufferType(F32))),
                            "helper parameters must be scalars"),
    "buffer of bool": (lambda m: m.kernel("k").params.append(ir.Param("bb", ir.BufferType(ir.BOOL))),
                       "buffer element must be a numeric scalar"),
    "constant range": (lambda m: m.constants.append(ir.Constant("D", ir.F16, 70000.0)), "value 70000.0 out of range of f16"),
    "constant type": (lambda m: m.constants.append(ir.Constant("D", ir.U8, -1)), "constant D: value -1 out of range of u8"),
}


@pytest.mark.parametrize("mutate, message", MUTATION_CASES.values(), ids=MUTATION_CASES.keys())
def test_mutation_rule_violation_is_reported(mutate, message):
    module = kernel_module("")
    mutate(module)
    assert message in problems_of(module)


FUNCTION_CASES = {
    "returned type": ("fn g() -> i32 {\n  return 1.0:f32\n}", "returned value has type f32, the function returns i32"),
    "return without value": ("fn g() -> i32 {\n  return\n}", "return without a value in a function returning i32"),
    "return value in void fn": ("fn g() {\n  return 1:i32\n}", "return with a value in a function returning nothing"),
    "direct recursion": ("fn g() {\n  (call g)\n}", "fn g: recursion is not allowed: g -> g"),
    "indirect recursion": ("fn g() {\n  (call h)\n}\nfn h() {\n  (call g)\n}", "fn g: recursion is not allowed: g -> h -> g"),
}


@pytest.mark.parametrize("text, message", FUNCTION_CASES.values(), ids=FUNCTION_CASES.keys())
def test_function_rule_violation_is_reported(text, message):
    assert message in problems_of(parse_module(text))


def test_every_problem_is_listed_with_its_path():
    body = "  if f {\n    loop {\n    } step {\n      break\n    }\n  } else {\n    m = a\n  }\n  n = 2:i32"
    err_text = problems_of(kernel_module(body))
    problems = module_problems(kernel_module(body))
    assert problems == [
        "kernel k: stmt 1 (if) > then > stmt 1 (loop) > step > stmt 1 (break): break outside a loop body",
        "kernel k: stmt 1 (if) > else > stmt 1 (assign): assigned value has type f32, target 'm' has i32",
        "kernel k: stmt 2 (assign): assignment to param 'n'; only local scalars can be assigned",
    ]
    assert err_text.startswith("module 't' fails verification (3 problems):")
    assert all(p in err_text for p in problems)


def test_error_carries_the_problem_list():
    with pytest.raises(IRVerifyError) as info:
        verify_module(kernel_module("  break"))
    assert info.value.problems == ["kernel k: stmt 1 (break): break outside a loop body"]

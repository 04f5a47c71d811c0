"""The front end's side of bounds traps: which accesses trap, the hidden
parameter and site table, refused indexes, and the shared-array prologue."""
from __future__ import annotations

from simple_vkbackend.frontend import CompileOptions, compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import kernel_interface
from simple_vkbackend.lowering.ir.verify import verify_module
from simple_vkbackend.lowering.ir.walk import all_exprs

from .util import messages, src

TRAP_KERNEL = """
@simd
@bounds(default=trap)
fn k(a: [f32], b: [f32], n: i32):
    val i = gpu_global_id(0)
    var t: [f32; 4]
    t[i % 4] = a[i]
    b[i] = t[n] + 1.0
"""

PLAIN_KERNEL = """
#[gpu(local_size=8)]
fn k(a: [i32], b: [i32], n: i32):
    val i = gpu_global_id(0)
    shared s: [i32; 8]
    var t: [i32; 2]
    s[gpu_local_id(0)] = a[i]
    gpu.barrier()
    t[n] = s[n]
    b[i] = t[1] + s[0]
"""


def compile_text(text: str, bounds=None) -> ir.Module:
    module = compile_source(src(text), "t.spl", CompileOptions(bounds=bounds))
    verify_module(module)
    return module


def trap_atomics(kernel: ir.Kernel) -> list[ir.Atomic]:
    return [e for e in all_exprs(kernel.body) if isinstance(e, ir.Atomic) and e.base == ir.TRAP_PARAM]


def test_bounds_trap_traps_buffer_accesses_only():
    k = compile_text(TRAP_KERNEL).kernels[0]
    assert [(s.buffer, s.location) for s in k.traps] == [("a", "t.spl:6:16"), ("b", "t.spl:7:5")]
    assert k.params[-1].name == ir.TRAP_PARAM and k.params[-1].type == ir.BufferType(ir.U32, True)
    claims = [a for a in trap_atomics(k) if a.op == ir.AtomicOp.COMPARE_EXCHANGE]
    assert [a.args[1].value for a in claims] == [1, 2]  # site + 1, first writer wins word 0


def test_debug_option_traps_buffers_and_non_constant_array_indexes():
    k = compile_text(PLAIN_KERNEL, bounds="trap").kernels[0]
    assert [(s.buffer, s.location) for s in k.traps] == [
        ("s", "t.spl:6:5"), ("a", "t.spl:6:26"), ("t", "t.spl:8:5"), ("s", "t.spl:8:12"), ("b", "t.spl:9:5")]
    interface = kernel_interface(compile_text(PLAIN_KERNEL, bounds="trap"), k)
    assert interface.trap_param == ir.TRAP_PARAM and [p.name for p in interface.user_params] == ["a", "b", "n"]


def test_without_trap_mode_there_is_no_hidden_parameter():
    k = compile_text(PLAIN_KERNEL).kernels[0]
    assert k.traps == [] and [p.name for p in k.params] == ["a", "b", "n"]
    assert kernel_interface(compile_text(PLAIN_KERNEL), k).trap_param is None


def test_a_kernel_without_accesses_gets_no_hidden_parameter():
    k = compile_text("#[gpu]\nfn k(n: i32):\n    val i = n + 1\n", bounds="trap").kernels[0]
    assert k.traps == [] and [p.name for p in k.params] == ["n"]


def test_an_index_with_effects_is_refused_under_bounds_trap():
    assert messages("""
        @simd
        @bounds(default=trap)
        fn k(a: [u32], c: [u32]):
            val x = a[gpu.atomic_add(&c[0], 1u32)]
        """) == ["under `@bounds(default=trap)` an index must not call functions or atomics"]


def test_an_index_with_effects_stays_an_ordinary_access_under_the_debug_option():
    k = compile_text("""
        #[gpu]
        fn k(a: [u32], c: [u32], out: [u32]):
            val x = a[gpu.atomic_add(&c[0], 1u32)]
            out[gpu.atomic_add(&c[1], 1u32)] = x
        """, bounds="trap").kernels[0]
    # the read of `a` stays ordinary; a write's index is evaluated first anyway: into a local, so `out` traps
    assert [s.buffer for s in k.traps] == ["c", "c", "out"]


def test_shared_arrays_are_zeroed_before_the_body():
    k = compile_text(PLAIN_KERNEL).kernels[0]
    first = k.body.stmts[:3]
    assert isinstance(first[0], ir.Assign) and isinstance(first[1], ir.Loop)
    assert isinstance(first[2], ir.ExprStmt) and first[2].expr.name == ir.BuiltinName.BARRIER
    store = first[1].body.stmts[0]
    assert store.target.base == "s" and store.value.value == 0
    assert compile_text("#[gpu]\nfn k(a: [i32]):\n    a[0] = 1\n").kernels[0].body.stmts[0].value.value == 1


def test_the_hidden_name_is_kept_free():
    assert messages("@simd\n@bounds(default=trap)\nfn k(__trap: [u32]):\n    __trap[0] = 1u32\n") == [
        "`__trap` is the name of the hidden bounds-trap buffer"]
    source = "#[gpu]\nfn k(a: [i32], n: i32):\n    var __trap = n\n    a[n] = __trap\n"
    k = compile_text(source, bounds="trap").kernels[0]
    assert [v.name for v in k.locals] == ["__trap_1"] and k.params[-1].name == ir.TRAP_PARAM


def test_a_trapping_atomic_runs_only_in_range_in_both_positions():
    k = compile_text("""
        @simd
        @bounds(default=trap)
        fn k(c: [u32], out: [u32], n: i32):
            gpu.atomic_add(&c[n], 1u32)
            out[0] = gpu.atomic_add(&c[n + 1], 1u32)
        """).kernels[0]
    assert [(s.buffer, s.location) for s in k.traps] == [("c", "t.spl:4:21"), ("out", "t.spl:5:5"),
                                                         ("c", "t.spl:5:30")]
    guard = k.body.stmts[0]
    assert isinstance(guard, ir.If) and isinstance(guard.then.stmts[0].expr, ir.Atomic)
    assert guard.then.stmts[0].expr.base == "c"
    value = k.body.stmts[1].value
    assert isinstance(value, ir.Select) and isinstance(value.then, ir.Atomic) and value.then.base == "c"

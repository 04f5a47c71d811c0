"""The source forms of subgroup builtins (`gpu.subgroup_*`) and of `@exact`."""
import pytest

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering import ir

from .util import src


def kernel_of(text: str) -> ir.Kernel:
    return compile_source(src(text)).kernels[0]


def error_of(text: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "k.spl")
    return info.value.render()


def test_exact_marks_the_kernel():
    text = """
        @exact
        #[gpu]
        fn k(y: [f32]):
            y[0] = 1.0
    """
    assert kernel_of(text).exact
    assert not kernel_of(text.replace("@exact", "")).exact


def test_exact_takes_no_arguments_and_applies_to_kernels_only():
    assert "`@exact` takes no arguments" in error_of("""
        @exact(1)
        #[gpu]
        fn k(y: [f32]):
            y[0] = 1.0
    """)
    assert "`@exact` applies to kernels only" in error_of("""
        @exact
        fn f(x: f32) -> f32:
            return x
    """)


def test_subgroup_builtins_type_their_arguments():
    k = kernel_of("""
        #[gpu]
        fn k(x: &[f32], n: [i32], b: [u64]):
            val i = gpu.global_id(0)
            n[i] = gpu.subgroup_size() + gpu.subgroup_local_id() + gpu.subgroup_exclusive_xor(n[i])
            b[i] = gpu.subgroup_ballot(x[i] > 0.0)
            n[i] += gpu.subgroup_shuffle_down(i, 2) + gpu.subgroup_broadcast(i, 3)
            gpu.subgroup_barrier()
    """)
    names = {e.name: e for e in ir_walk(k) if isinstance(e, ir.Builtin)}
    assert names["subgroup_ballot"].type == ir.U64
    assert names["subgroup_exclusive_xor"].type == ir.I32
    assert isinstance(names["subgroup_broadcast"].args[1], ir.Const)
    assert "subgroup_barrier" in names


def ir_walk(k):
    from simple_vkbackend.lowering.ir.walk import all_exprs
    return all_exprs(k.body)


@pytest.mark.parametrize("call, message", [
    ("gpu.subgroup_xor(x[i])", "`gpu.subgroup_xor` needs integers, found `f32`"),
    ("gpu.subgroup_broadcast(x[i], i)", "must be a compile-time constant"),
    ("gpu.subgroup_add(x[i], 1)", "takes 1 argument"),
    ("gpu.subgroup_any(x[i])", "expected `bool`"),
])
def test_subgroup_errors(call, message):
    text = error_of(f"""
        #[gpu]
        fn k(x: &[f32], y: [f32]):
            val i = gpu.global_id(0)
            y[i] = {call} as f32
    """)
    assert message in text, text

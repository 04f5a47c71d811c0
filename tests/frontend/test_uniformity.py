"""Barriers under control flow that differs between the work items of a group are
compile errors at the condition (lowering/ir/uniformity.py, docs/language.md);
uniform control stays allowed (before, the backends disagreed silently)."""
import pytest

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering.ir.uniformity import barrier_problems

from .util import FIXTURE_FILES, compile_ok, src

HEAD = "#[gpu(local_size=64)]\nfn k(y: &mut [f32], n: i32):\n"

REJECTED = {
    "local id condition": ("""
        val i = gpu.local_id(0)
        if i < 32:
            gpu.barrier()
    """, "t.spl:4:8: error: `gpu.barrier()` on line 5 is reached under a condition that differs", "i < 32"),
    "early return of some work items": ("""
        val i = gpu.global_id(0)
        if i >= n:
            return
        gpu.barrier()
        y[i] = 1.0
    """, "t.spl:4:8: error: `gpu.barrier()` on line 6 is reached under a condition", "i >= n"),
    "loop counting to a thread id": ("""
        for j in 0..gpu.local_id(0):
            gpu.barrier()
    """, "t.spl:3:14: error: `gpu.barrier()` on line 4 is reached under a loop", "0..gpu.local_id(0)"),
    "while on a varying local": ("""
        var s = gpu.local_id(0)
        while s > 0:
            gpu.sync()
            s = s / 2
    """, "t.spl:4:11: error: `gpu.barrier()` on line 5 is reached under a loop", "s > 0"),
    "load indexed by a thread id": ("""
        if y[gpu.global_id(0)] > 0.0:
            gpu.barrier()
    """, "t.spl:3:8: error:", "y[gpu.global_id(0)] > 0.0"),
    "local assigned under varying control": ("""
        var t = 0
        if gpu.local_id(0) == 0:
            t = 1
        if t == 1:
            gpu.barrier()
    """, "t.spl:6:8: error:", "t == 1"),
    "varying break": ("""
        for j in 0..n:
            if j == gpu.local_id(0):
                break
            gpu.barrier()
    """, "t.spl:4:12: error:", "j == gpu.local_id(0)"),
    "atomic result": ("""
        if gpu.atomic_add(&y[0], 1.0) > 3.0:
            gpu.barrier()
    """, "t.spl:3:8: error:", "gpu.atomic_add(&y[0], 1.0) > 3.0"),
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_barrier_under_varying_control_is_an_error_at_the_condition(name):
    body, start, cond = REJECTED[name]
    with pytest.raises(CompileError) as info:
        compile_source(HEAD + src(body).replace("\n", "\n    ").rstrip() .join(["    ", "\n"]), "t.spl")
    text = info.value.render()
    assert text.startswith(start), text
    line, caret = text.splitlines()[1:3]
    col = caret.index("^")
    assert line[col:col + len(cond)] == cond and caret.strip() == "^" * len(cond), text


def test_barrier_in_a_helper_called_under_varying_control():
    with pytest.raises(CompileError) as info:
        compile_source(src("""
            fn sync_all():
                gpu.barrier()

            #[gpu(local_size=64)]
            fn k(y: &mut [f32]):
                if gpu.local_id(0) < 8:
                    sync_all()
        """), "t.spl")
    assert "a call of `sync_all` (it reaches a barrier) on line 7 is reached under a condition" in str(info.value)


ACCEPTED = {
    "barrier after a varying if": """
        val i = gpu.local_id(0)
        if i < 32:
            y[i] = 2.0
        gpu.barrier()
    """,
    "uniform loop halving a stride": """
        var s = 32
        while s > 0:
            if gpu.local_id(0) < s:
                y[gpu.local_id(0)] += 1.0
            gpu.barrier()
            s = s / 2
    """,
    "loop over a parameter": """
        for j in 0..n:
            gpu.barrier()
    """,
    "condition on a uniform load and group ids": """
        if y[0] > 0.0 and gpu.group_id(0) == 0 and n > gpu.num_groups(0):
            gpu.barrier()
    """,
    "varying return after the last barrier": """
        gpu.barrier()
        if gpu.global_id(0) >= n:
            return
        y[gpu.global_id(0)] = 1.0
    """,
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_barrier_under_uniform_control_is_accepted(name):
    compile_ok(HEAD + src(ACCEPTED[name]).replace("\n", "\n    ").rstrip().join(["    ", "\n"]))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_no_fixture_kernel_has_a_barrier_problem(path):
    assert barrier_problems(compile_source(path.read_text(), path.name)) == []


def test_helper_barrier_under_a_parameter_called_with_a_varying_argument():
    text = """
        fn maybe_sync(x: i32):
            if x < 8:
                gpu.barrier()

        #[gpu(local_size=64)]
        fn k(y: &mut [f32], n: i32):
            maybe_sync(n)
            maybe_sync(gpu.local_id(0))
    """
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "t.spl")
    assert len(info.value.diagnostics) == 1
    assert info.value.render().startswith("t.spl:2:8: error: a call of `maybe_sync` (it reaches a barrier) on line 8 "
                                          "is reached under a condition")
    compile_ok(text.replace("            maybe_sync(gpu.local_id(0))\n", ""))

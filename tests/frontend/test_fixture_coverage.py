"""The fixture kernels together use every construct of KERNEL_LANGUAGE.md: checked
on their tokens (spellings: aliases, binding forms, literals, operators) and on
their IR (builtins, atomics, types, dimensions)."""
import re

import pytest

from simple_vkbackend.frontend import compile_file
from simple_vkbackend.frontend.diagnostics import DiagnosticBag
from simple_vkbackend.frontend.lexer import tokenize
from simple_vkbackend.frontend.source import SourceFile
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.walk import all_exprs, walk_stmts

from .util import FIXTURE_FILES

MODULES = [compile_file(p) for p in FIXTURE_FILES]
FUNCTIONS = [f for m in MODULES for f in [*m.kernels, *m.functions]]
EXPRS = [e for f in FUNCTIONS for e in all_exprs(f.body)]
STMTS = [s for f in FUNCTIONS for s in walk_stmts(f.body)]


def token_texts() -> list[str]:
    """All tokens of all fixtures, as one space-separated string per line of code."""
    lines = []
    for path in FIXTURE_FILES:
        source = SourceFile(path.name, path.read_text())
        line = []
        for t in tokenize(source, DiagnosticBag(source)):
            if t.kind in ("NEWLINE", "INDENT", "DEDENT", "EOF"):
                if line:
                    lines.append(" ".join(line))
                line = []
            else:
                line.append(t.text)
    return lines


CODE = "\n".join(token_texts())


def test_fixtures_have_kernels_with_every_target_tag_and_a_program_with_host_code():
    assert {k.target for m in MODULES for k in m.kernels} == {None, "vulkan", "cuda"}
    assert any("use std" in p.read_text() and "fn main" in p.read_text() for p in FIXTURE_FILES)

SPELLINGS = [
    # items and attributes
    "#[ gpu ]", "@ gpu", "#[ gpu ( local_size = 64 ) ]", "#[ gpu ( local_size = ( 16 , 16 ) ) ]",
    "#[ gpu ( local_size = ( 4 , 2 , 2 ) ) ]", "@ simd", "@ simd ( local_size =", "const TILE : i32 =",
    "-> f32 :", "-> bool :", "-> i32 :",
    # buffer parameter types
    ": [ f32 ]", ": [ ] f32", ": Array [ f32 ]", ": & mut [", ": & [",
    # bindings and declarations
    "val ", "let k", "var ", "let mut ", "val fixed : i32 =", "var acc : f32 =", "var count : i32",
    "shared val ", "shared let ", "gpu . shared_memory < i32 > ( BLOCK )", "var v : [ i32 ; K ]",
    # statements
    "if ", "elif ", "else :", "while ", "for a in range ( 5 )", "for b in range ( 2 , 6 )",
    "for c in range ( 10 , 0 , - 3 )", "for d in range ( 0 , 9 , 4 )", "for kk in 0 .. TILE", "break",
    "continue", "return", "pass", "sync ( )",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
    # expressions
    "if v % 2 == 0 : 1 else : 2", " if from_a else ", " or ", " and ", "not ", " < ", " <= ", " > ", " >= ",
    " == ", " != ", " | ", " ^ ", " & ", " << ", " >> ", " + ", " - ", " * ", " / ", " % ", "- v", "~ bit", " ** ",
    " as f32", "f32 ( 0xff )", "i32 (", "u32 (", "f64 (", ". len ( )", "len ( ", "[ i ]",
    # literals
    "1_000", "0xff", "1.5", "1e-3", "2.5e2", "true", "false", "1u32",
    # ids and their aliases
    "gpu . global_id ( 0 )", "gpu . local_id ( 0 )", "gpu . group_id ( 0 )", "gpu . global_size ( 0 )",
    "gpu . local_size ( 0 )", "gpu . num_groups ( 0 )", "gpu . local_size ( )",
    "gpu_global_id ( 0 )", "gpu_local_id ( 0 )", "gpu_group_id ( 0 )", "gpu_group_id ( 2 )",
    "gpu_global_id_x ( )", "gpu_global_id_y ( )", "gpu_global_id_z ( )",
    "gpu_local_id_x ( )", "gpu_local_id_y ( )", "gpu_local_id_z ( )",
    "gpu_group_id_x ( )", "gpu_group_id_y ( )", "gpu_group_id_z ( )",
    "this . index ( )", "this . thread_index ( )", "this . group_index ( )",
    "gpu . barrier ( )", "gpu . mem_fence ( )",
    # upstream forms: markers, parameters, unit, shared, expressions, builtin spellings
    '@ gpu ( "vulkan" )', '@ gpu ( "cuda" )', "#[ gpu ( backend : Vulkan ) ]", "@ gpu_kernel", "@ vulkan_kernel",
    "kernel fn", "@ simd ( grid_size = 512 , group_size = 64 , dim = 1 , stream = 0 )",
    "@ simd @ bounds ( default = clamp , strict = true )", "@ bounds ( default = zero )",
    "mut output : [ u32 ]", ": f32 [ ]", ": [ f32 ] _gpu", ": GpuArray < i32 >", ": Buffer < i32 >", "-> ( ) :",
    "( )", "gpu_shared_mem < f32 > ( 64 )", "shared tile : [ f32 ; 64 ]", "shared val tile : Array [ i32 , BLOCK ]",
    "0 <= j < 64", "for d in [ - 1 , 0 , 1 ]", "gpu_atomic_cas (", "gpu_atomic_add (", "thread_group . barrier ( )",
    "gpu . barrier_and_fence ( )", "gpu_syncthreads ( )", "gpu_sync ( )", "gpu_mem_fence ( )",
    "vulkan_global_id_x ( )", "this . index ( 0 )", "gpu_thread_id_x ( )", "gpu_block_id_x ( )",
    "gpu_block_dim_x ( )", "gpu_block_dim ( 0 )", "gpu_grid_dim_x ( )", "gpu_num_groups ( 0 )", "50u32",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_fixtures_use_the_spelling(spelling):
    assert spelling in CODE


@pytest.mark.parametrize("name", sorted(ir.MATH_BUILTINS))
def test_fixtures_use_every_math_builtin(name):
    assert name in {e.name for e in EXPRS if isinstance(e, ir.Builtin)}
    assert re.search(rf"(^|[^.\w]){name} \(", CODE) or f"math . {name} (" in CODE


def test_fixtures_use_math_bare_qualified_and_as_methods():
    assert re.search(r"(^|[^.\w])sqrt \(", CODE) and "math . rsqrt (" in CODE and "v . sqrt ( )" in CODE


@pytest.mark.parametrize("op", ir.ATOMIC_OPS)
def test_fixtures_use_every_atomic(op):
    assert any(isinstance(e, ir.Atomic) and e.op == op for e in EXPRS)


def test_fixtures_use_atomics_on_buffers_and_shared_arrays_and_float_add():
    shared = {s.name for m in MODULES for k in m.kernels for s in k.shared}
    atomics = [e for e in EXPRS if isinstance(e, ir.Atomic)]
    assert any(a.base in shared for a in atomics) and any(a.base not in shared for a in atomics)
    assert {a.type.name for a in atomics} == {"i32", "u32", "f32"}
    assert any(a.type == ir.F32 and a.base in shared for a in atomics)


@pytest.mark.parametrize("name", [*ir.ID_BUILTINS, *ir.SYNC_BUILTINS])
def test_fixtures_use_every_gpu_builtin(name):
    assert any(isinstance(e, ir.Builtin) and e.name == name for e in EXPRS)


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_fixtures_use_ids_of_every_dimension(dim):
    for name in ("global_id", "local_id", "group_id", "global_size", "local_size", "num_groups"):
        assert any(isinstance(e, ir.Builtin) and e.name == name and e.dim == dim for e in EXPRS), name


def test_fixtures_have_kernels_of_every_dimensionality_and_kind():
    kernels = [k for m in MODULES for k in m.kernels]
    assert {k.dims for k in kernels} == {1, 2, 3}
    assert any(k.dims == 3 and k.local_size is None for k in kernels)  # dims from the ids used
    assert any(k.simd and k.local_size for k in kernels) and any(k.simd and not k.local_size for k in kernels)
    assert any(k.shared for k in kernels)


@pytest.mark.parametrize("type_name", [t for t in ir.SCALAR_TYPES if t != "bool"])
def test_fixtures_use_every_numeric_type_in_buffers(type_name):
    elems = {p.type.elem.name for f in FUNCTIONS for p in f.params if isinstance(p.type, ir.BufferType)}
    assert type_name in elems


def test_fixtures_use_bools_small_scalar_parameters_and_private_arrays():
    assert any(e.type == ir.BOOL for e in EXPRS if isinstance(e, ir.Var))
    scalars = {p.type.name for f in FUNCTIONS for p in f.params if isinstance(p.type, ir.ScalarType)}
    assert {"i8", "i16", "u8", "u16", "i64", "u64", "f16", "f32", "f64", "i32"} <= scalars
    privates = [loc for f in FUNCTIONS for loc in f.locals if isinstance(loc.type, ir.ArrayType)]
    assert privates


@pytest.mark.parametrize("op", [*ir.ARITH_OPS, *ir.BIT_OPS, *ir.COMPARE_OPS])
def test_fixtures_use_every_binary_op(op):
    assert any(isinstance(e, ir.Binary) and e.op == op for e in EXPRS)


def test_fixtures_use_every_other_expression_and_statement():
    kinds = {type(e) for e in EXPRS}
    assert {ir.Select, ir.Logical, ir.Cast, ir.Call, ir.Len, ir.Unary, ir.Index, ir.Atomic} <= kinds
    assert {e.op for e in EXPRS if isinstance(e, ir.Unary)} == set(ir.UNARY_OPS)
    assert {e.op for e in EXPRS if isinstance(e, ir.Logical)} == {"and", "or"}
    stmt_kinds = {type(s) for s in STMTS}
    assert {ir.Assign, ir.ExprStmt, ir.If, ir.Loop, ir.Break, ir.Continue, ir.Return} <= stmt_kinds
    assert {ir.VectorLoad, ir.VectorStore} <= stmt_kinds
    widths = {(type(s), len(getattr(s, "targets", getattr(s, "values", [])))) for s in STMTS}
    assert {(ir.VectorLoad, 2), (ir.VectorLoad, 4), (ir.VectorStore, 2), (ir.VectorStore, 4)} <= widths
    assert any(isinstance(s, (ir.VectorLoad, ir.VectorStore)) and s.checked for s in STMTS)
    assert any(isinstance(s, ir.Index) and s.checked for e in EXPRS for s in [e])
    assert any(isinstance(s, ir.Return) and s.value is not None for s in STMTS)
    assert [f for m in MODULES for f in m.functions if f.ret is None]  # a helper without a result

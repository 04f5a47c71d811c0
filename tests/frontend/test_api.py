"""The public entry points and the diagnostic objects."""
import pytest

from simple_vkbackend.frontend import CompileError, Diagnostic, compile_file, compile_source
from simple_vkbackend.lowering import ir

from .util import FIXTURES, kernel_body

SAXPY = (FIXTURES / "saxpy.spl").read_text()


def test_compile_file_accepts_str_and_path_and_names_the_module(tmp_path):
    path = tmp_path / "my_kernels.spl"
    path.write_text(SAXPY)
    for arg in (path, str(path)):
        module = compile_file(arg)
        assert isinstance(module, ir.Module) and module.name == "my_kernels"
        assert [k.name for k in module.kernels] == ["saxpy"]


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "windows.spl"
    path.write_bytes(b"\xef\xbb\xbf" + SAXPY.replace("\n", "\r\n").encode())
    assert compile_file(path).kernels[0].name == "saxpy"


def test_diagnostic_fields():
    with pytest.raises(CompileError) as info:
        compile_source(kernel_body("y[0] = n", "y: [f32], n: i32"), "dir/k.spl")
    err = info.value
    assert isinstance(err, Exception)
    (d,) = err.diagnostics
    assert isinstance(d, Diagnostic)
    assert (d.severity, d.line, d.col, d.span.text, d.hint) == ("error", 3, 12, "n", "write `n as f32`")
    assert d.message == "mismatched types: expected `f32` in the assignment to `y[0]`, found `i32`"
    assert str(err).startswith("dir/k.spl:3:12: error: mismatched types")


def test_diagnostic_without_a_place():
    d = Diagnostic("error", "cannot read file: gone", filename="x.spl", hint="check the path")
    assert (d.line, d.col) == (None, None)
    assert d.render() == "x.spl: error: cannot read file: gone\n  hint: check the path"


def test_error_at_end_of_file_points_past_the_last_character():
    with pytest.raises(CompileError) as info:
        compile_source("fn f(", "e.spl")
    assert info.value.render() == (
        "e.spl:1:5: error: `(` is never closed\n"
        "fn f(\n"
        "    ^")


def test_carets_span_the_whole_expression_on_its_first_line():
    with pytest.raises(CompileError) as info:
        compile_source(kernel_body("val v: i32 = (w +\n        w)", "w: i64"), "m.spl")
    lines = info.value.render().splitlines()
    assert lines[1:3] == ["    val v: i32 = (w +", "                 ^^^^"]


def test_compiling_twice_gives_independent_modules():
    a, b = compile_source(SAXPY), compile_source(SAXPY)
    assert a is not b and a.kernels[0] is not b.kernels[0]

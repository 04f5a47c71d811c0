"""Bad input: one test per error class with the exact rendered message, every
error of a file reported in one run, and nothing but CompileError ever raised."""
import pytest

from simple_vkbackend.frontend import CompileError, compile_file, compile_source
from simple_vkbackend.frontend import compile as compile_module

from .util import kernel_body, messages, src


def rendered(text: str, filename: str = "k.spl") -> str:
    with pytest.raises(CompileError) as info:
        compile_source(src(text), filename)
    assert str(info.value) == info.value.render()
    return info.value.render()


# --------------------------------------------------------------------------- one per class, exact rendering

def test_syntax_error():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            y[0] = 1.0 +
    """) == (
        "k.spl:3:17: error: expected an expression, found end of line\n"
        "    y[0] = 1.0 +\n"
        "                ^")


def test_unexpected_indent():
    assert rendered("""
        fn f():
            x = 1
                y = 2
    """) == (
        "k.spl:3:9: error: unexpected indent\n"
        "        y = 2\n"
        "        ^\n"
        "  hint: indent only after a line that ends with `:`")


def test_inconsistent_dedent():
    assert rendered("fn f():\n        x = 1\n    y = 2\n") == (
        "k.spl:3:1: error: unindent does not match any outer indentation level\n"
        "    y = 2\n"
        "^^^^")


def test_tab_in_indentation():
    assert rendered("fn f():\n\tx = 1\n") == (
        "k.spl:2:1: error: tab in indentation\n"
        "\tx = 1\n"
        "^\n"
        "  hint: indent with spaces; tabs are not allowed")


def test_caret_line_keeps_tabs_for_alignment():
    assert rendered("fn f():\n    x =\t$\n").splitlines()[1:] == ["    x =\t$", "   \t^"][:0] + [
        "    x =\t$", "       \t^"]


def test_unknown_name():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            val total = 1.0
            y[0] = totl
    """) == (
        "k.spl:4:12: error: unknown name `totl`\n"
        "    y[0] = totl\n"
        "           ^^^^\n"
        "  hint: did you mean `total`?")


def test_type_mismatch_says_which_cast_to_write():
    assert rendered("""
        #[gpu]
        fn k(y: [f32], n: i32):
            y[0] = y[1] + n
    """) == (
        "k.spl:3:19: error: mismatched types: `f32` and `i32` in `+`\n"
        "    y[0] = y[1] + n\n"
        "                  ^\n"
        "  hint: write `n as f32`")


def test_type_mismatch_in_an_assignment():
    assert rendered("""
        #[gpu]
        fn k(y: [i32], w: i64):
            y[0] = w * 2
    """) == (
        "k.spl:3:12: error: mismatched types: expected `i32` in the assignment to `y[0]`, found `i64`\n"
        "    y[0] = w * 2\n"
        "           ^^^^^\n"
        "  hint: write `(w * 2) as i32`")


def test_cast_hints_parenthesize_compound_operands():
    err = compile_error(kernel_body("val v: i32 = (w) + (w)\nval u: i32 = (w + w)\nval t: f32 = -n", "w: i64, n: i32"))
    assert [d.hint for d in err.diagnostics] == [
        "write `((w) + (w)) as i32`", "write `(w + w) as i32`", "write `(-n) as f32`"]


def test_write_to_a_read_only_buffer():
    assert rendered("""
        #[gpu]
        fn k(src: &[f32]):
            src[0] = 1.0
    """) == (
        "k.spl:3:5: error: cannot write to `src`: it is a read-only buffer (`&[f32]`)\n"
        "    src[0] = 1.0\n"
        "    ^^^^^^\n"
        "  hint: declare the parameter as `src: &mut [f32]` or `src: [f32]`")


def test_assignment_to_an_immutable_binding():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            val s = 1.0
            s = 2.0
    """) == (
        "k.spl:4:5: error: cannot assign twice to immutable binding `s`\n"
        "    s = 2.0\n"
        "    ^\n"
        "  hint: declare it with `var s` to make it mutable")


def test_wrong_arity():
    assert rendered("""
        fn f(a: f32) -> f32:
            return a

        #[gpu]
        fn k(y: [f32]):
            y[0] = f(1.0, 2.0)
    """) == (
        "k.spl:6:12: error: `f` takes 1 argument, got 2\n"
        "    y[0] = f(1.0, 2.0)\n"
        "           ^^^^^^^^^^^\n"
        "  hint: it is declared as `fn f(a: f32) -> f32`")


def test_non_constant_shared_size():
    assert rendered("""
        #[gpu]
        fn k(y: [f32], n: i32):
            shared val tile: [f32; n * 2]
    """) == (
        "k.spl:3:28: error: an array length must be a compile-time constant\n"
        "    shared val tile: [f32; n * 2]\n"
        "                           ^^^^^\n"
        "  hint: use a literal, a `const`, or arithmetic on them")


def test_direct_recursion():
    assert rendered("""
        fn f(a: i32) -> i32:
            return f(a - 1)
    """) == (
        "k.spl:2:12: error: `f` calls itself: recursion is not supported\n"
        "    return f(a - 1)\n"
        "           ^^^^^^^^\n"
        "  hint: rewrite the recursion as a loop")


def test_indirect_recursion():
    assert rendered("""
        fn a(v: i32) -> i32:
            return b(v)

        fn b(v: i32) -> i32:
            return c(v) + 1

        fn c(v: i32) -> i32:
            return a(v)
    """) == (
        "k.spl:8:12: error: recursion is not supported: `a` -> `b` -> `c` -> `a`\n"
        "    return a(v)\n"
        "           ^^^^\n"
        "  hint: rewrite the recursion as a loop")


def test_kernel_returning_a_value():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            return 1
    """) == (
        "k.spl:3:12: error: a kernel cannot return a value\n"
        "    return 1\n"
        "           ^\n"
        "  hint: write results into a buffer parameter; `return` alone ends the work item")


def test_kernel_with_a_return_type():
    assert rendered("#[gpu]\nfn k(y: [f32]) -> i32:\n    pass\n") == (
        "k.spl:2:19: error: kernel `k` cannot have a return type\n"
        "fn k(y: [f32]) -> i32:\n"
        "                  ^^^\n"
        "  hint: kernels write their results into buffer parameters")


def test_bad_builtin_dimension():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            y[0] = gpu.global_id(3) as f32
    """) == (
        "k.spl:3:26: error: dimension must be 0, 1 or 2, found 3\n"
        "    y[0] = gpu.global_id(3) as f32\n"
        "                         ^")


def test_non_constant_builtin_dimension():
    assert messages(kernel_body("val v = gpu.local_id(n)")) == ["a dimension must be a compile-time constant"]


def test_zero_range_step():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            for i in range(0, 10, 0):
                y[i] = 0.0
    """) == (
        "k.spl:3:27: error: the step of a range must not be zero\n"
        "    for i in range(0, 10, 0):\n"
        "                          ^")


def test_binary_file_is_not_text(tmp_path):
    path = tmp_path / "blob.spl"
    path.write_bytes(b"fn f():\n    x = 1\x00\x01\x02\n")
    with pytest.raises(CompileError) as info:
        compile_file(path)
    assert info.value.render() == (
        f"{path}:2:10: error: file is not text (it contains a NUL byte)\n"
        "    x = 1???\n"
        "         ^\n"
        "  hint: Simple source files are UTF-8 text")


def test_invalid_utf8_is_not_text(tmp_path):
    path = tmp_path / "latin1.spl"
    path.write_bytes("# caf\xe9\nfn f():\n    pass\n".encode("latin-1"))
    with pytest.raises(CompileError) as info:
        compile_file(str(path))
    (d,) = info.value.diagnostics
    assert (d.message, d.line, d.col) == ("file is not valid UTF-8 text (byte 0xe9)", 1, 6)


def test_bytes_source_is_decoded_or_rejected():
    assert compile_source(b"fn f():\n    pass\n").functions[0].name == "f"
    with pytest.raises(CompileError, match="not valid UTF-8"):
        compile_source(b"\xff\xfe")


def test_missing_file(tmp_path):
    with pytest.raises(CompileError) as info:
        compile_file(tmp_path / "nope.spl")
    assert info.value.render() == f"{tmp_path / 'nope.spl'}: error: cannot read file: No such file or directory"


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(CompileError, match="cannot read file"):
        compile_file(tmp_path)


# --------------------------------------------------------------------------- reporting

def test_every_error_of_a_file_is_reported_in_source_order():
    err_text = rendered("""
        fn helper(v: i32) -> i32:
            return v + 1.5

        #[gpu]
        fn k(x: &[f32], y: [f32]) -> f32:
            x[0] = 1.0
            y[0] = nope
            for i in range(0, 4, 0):
                pass
            y[1] = helper(1, 2)
    """)
    heads = [line for line in err_text.splitlines() if ": error: " in line]
    assert heads == [
        "k.spl:2:12: error: mismatched types: `i32` and a float literal in `+`",
        "k.spl:5:30: error: kernel `k` cannot have a return type",
        "k.spl:6:5: error: cannot write to `x`: it is a read-only buffer (`&[f32]`)",
        "k.spl:7:12: error: unknown name `nope`",
        "k.spl:8:26: error: the step of a range must not be zero",
        "k.spl:10:12: error: `helper` takes 1 argument, got 2",
    ]


def test_one_mistake_gives_one_message():
    # `v` failed to type, so its uses stay silent; the bad call's arguments are not re-reported
    assert messages(kernel_body("""
        val v = undefined_thing + 1
        y[0] = v
        y[1] = v * 2.0 + sqrt(v)
    """)) == ["unknown name `undefined_thing`"]


def test_too_many_errors_stop_early():
    text = "fn f():\n" + "".join(f"    x{i} = nope{i}\n" for i in range(150))
    diags = compile_error(text).diagnostics
    assert len(diags) == 101 and diags[-1].message == "too many errors (100); stopping"


def compile_error(text: str) -> CompileError:
    with pytest.raises(CompileError) as info:
        compile_source(text, "k.spl")
    return info.value


def test_internal_failures_become_a_diagnostic(monkeypatch):
    def broken(*args):
        raise KeyError("oops")

    monkeypatch.setattr(compile_module, "check_module", broken)
    err = compile_error("fn f():\n    pass\n")
    assert err.render() == (
        "k.spl: error: internal compiler error: KeyError: 'oops'\n"
        "  hint: this is a bug in the Simple front end; please report it with the source file")


def test_non_string_source():
    with pytest.raises(CompileError, match="source must be text, not int"):
        compile_source(42)


# --------------------------------------------------------------------------- messages of other errors

@pytest.mark.parametrize("body, message", [
    # names and values
    ("val v = gpu", "`gpu` is a namespace, not a value"),
    ("val v = x", "`x` is a buffer, not a value"),
    ("val v = helper", "`helper` is a function, not a value"),
    ("val v = n[0]", "`n` is a param of type `i32`, not a buffer or array"),
    ("val v = (n + 1)[0]", "only a buffer or array name can be indexed"),
    ("val v = gpu.global_id", "`gpu.global_id` must be called"),
    ("if true:\n    val inner = 1\nval v = inner", "unknown name `inner`"),
    ("val v = f33(1)", "unknown function `f33`"),
    ("val v: f33 = 1", "unknown type `f33`"),
    ("val v = nosuch(1)", "unknown function `nosuch`"),
    ("val v = barrier()", "unknown function `barrier`"),
    ("val v = gpu.globl_id(0)", "unknown GPU builtin `gpu.globl_id`"),
    ("val v = math.sqr(1.0)", "unknown math function `math.sqr`"),
    ("val v = this.idx()", "unknown method `this.idx`"),
    ("val v = n.foo()", "unknown method `foo`"),
    ("val v = (n)(1)", "`n` is a param, not a function"),
    ("val v = x[0](1)", "this expression cannot be called"),
    # literal and operator types
    ("val v: i32 = 1.5", "expected `i32` for `v`, found a float literal"),
    ("val v: u8 = 256", "literal `256` is out of range for `u8` (0..=255)"),
    ("val v: u32 = -1", "literal `-1` is out of range for `u32` (0..=4294967295)"),
    ("val v = 3000000000", "literal `3000000000` is out of range for `i32` (-2147483648..=2147483647)"),
    ("val v: f16 = 70000.0", "literal is out of range for `f16`"),
    ("val v = 1e400", "literal is out of range for `f32`"),
    ("val v: bool = 1", "expected `bool` for `v`, found an integer literal"),
    ("val v = n + true", "mismatched types: `i32` and `bool` in `+`"),
    ("val v = true + 1", "mismatched types: `bool` and an integer literal in `+`"),
    ("val v = x[0] & 1.0", "`&` needs integers, found `f32`"),
    ("val v = true & false", "`&` needs integers, found `bool`"),
    ("val v = not n", "mismatched types: expected `bool` for `not`, found `i32`"),
    ("val v = ~x[0]", "`~` needs an integer, found `f32`"),
    ("val v = ~1.5", "`~` needs an integer, found a float literal"),
    ("val v = -true", "`-` needs a number, found `bool`"),
    ("val v = n << 32", "shift amount must be an integer in 0..32 for `i32`"),
    ("val v = x[0] << 1", "`<<` needs an integer to shift, found `f32`"),
    ("val v = n << x[0]", "shift amount must be an integer, found `f32`"),
    ("val v = true < false", "`<` cannot compare `bool` values"),
    ("val v = 1 / 0", "division by zero in a constant expression"),
    ("val v = 2 ** 200", "constant overflows"),
    ("val v = 1 << 70", "constant overflows"),
    ("val v = 1u32 / 0u32", "division by zero in a constant expression"),
    ("val v = n if n else 0", "a condition must be `bool`, found `i32`"),
    ("val v = 1 if n > 0 else 2.5", "mismatched types: `i32` and a float literal in `if/else`"),
    ("val v = n and true", "mismatched types: expected `bool` for `and`, found `i32`"),
    ("val v = x[0] as [f32]", "expected a type, found `[`"),
    ("val v = i64(1, 2)", "`i64` takes 1 argument, got 2"),
    # indexing
    ("val v = x[1.5]", "an index must be a non-negative integer"),
    ("val v = x[-1]", "an index must be a non-negative integer"),
    ("val v = x[x[0]]", "an index must be an integer, found `f32`"),
    ("var a: [f32; 4]\nval v = a[4]", "index 4 is out of bounds for an array of length 4"),
    # builtins
    ("val v = gpu.global_id(0, 1)", "`gpu.global_id` takes 0 to 1 arguments, got 2"),
    ("val v = gpu_global_id_x(0)", "`gpu_global_id_x` takes no arguments"),
    ("val v = this.index(0, 1)", "`this.index` takes 0 to 1 arguments, got 2"),
    ("val v = gpu.global_id(-1)", "dimension must be 0, 1 or 2, found -1"),
    ("val v = gpu.global_id(1.0)", "a dimension must be an integer"),
    ("val v = sqrt(n)", "`sqrt` needs floats, found `i32`"),
    ("val v = sqrt(1.0, 2.0)", "`sqrt` takes 1 argument, got 2"),
    ("val v = min(x[0])", "`min` takes 2 arguments, got 1"),
    ("val v = min(n, x[0])", "mismatched types: expected `i32` for `min`, found `f32`"),
    ("val v = abs(true)", "`abs` needs numbers, found `bool`"),
    ("val v = len(n)", "`n` is a param of type `i32`, not a buffer or array"),
    ("val v = len(x, y)", "`len` takes 1 argument, got 2"),
    ("val v = x.len(1)", "`.len()` takes no arguments"),
    ("val v = gpu.barrier()", "`gpu.barrier()` does not produce a value"),
    ("gpu.barrier(1)", "`gpu.barrier` takes 0 arguments, got 1"),
    ("val v = nothing()", "`nothing()` does not produce a value"),
    ("val v = range(3)", "`range(...)` is only allowed as the iterable of a `for` loop"),
    ("val v = gpu.shared_memory(4)", "`gpu.shared_memory` needs an element type"),
    ("y[0] = gpu.shared_memory<f32>(4)", "`gpu.shared_memory<T>(n)` is only allowed as the value of a declaration"),
    ("val v = kern(1)", "cannot call kernel `kern`"),
    # atomics
    ("gpu.atomic_add(y[0], 1.0)", "the first argument of `gpu.atomic_add` must be an element address `&a[i]`"),
    ("gpu.atomic_add(&n, 1)", "the first argument of `gpu.atomic_add` must be an element address `&a[i]`"),
    ("val v = &y[0]", "`&` is only allowed in the first argument of an atomic"),
    ("gpu.atomic_sub(&y[0], 1.0)", "`gpu.atomic_sub` works on i32 or u32 elements; `y` has `f32` elements"),
    ("gpu.atomic_add(&x[0], 1.0)", "cannot write to `x`: it is a read-only buffer (`&[f32]`)"),
    ("var p: [i32; 2]\ngpu.atomic_add(&p[0], 1)",
     "`gpu.atomic_add` needs a buffer or shared array element; `p` is a private array"),
    ("gpu.atomic_compare_exchange(&c[0], 1)", "`gpu.atomic_compare_exchange` takes 3 arguments, got 2"),
    ("gpu.atomic_max(&c[0], 1.5)", "expected `i32` for `gpu.atomic_max`, found a float literal"),
    # statements
    ("x[0] = 1.0", "cannot write to `x`: it is a read-only buffer (`&[f32]`)"),
    ("n = 1", "cannot assign to parameter `n`"),
    ("N = 1", "cannot assign to constant `N`"),
    ("y = 1", "cannot assign to the buffer `y` as a whole"),
    ("for i in range(3):\n    i = 1", "cannot assign to loop variable `i`"),
    ("val a: [f32; 2]\na[0] = 1.0", "cannot assign to an element of `a`: it is declared with `val`"),
    ("f32(1) = 2", "cannot assign to this expression"),
    ("nope += 1", "unknown name `nope`"),
    ("var s: i32 = 0\ns += 1.5", "mismatched types: `i32` and a float literal in `+`"),
    ("var s: i32 = 0\ns += w", "mismatched types: `+=` on `i32` with a wider `i64` value"),
    ("n == 1", "this expression has no effect"),
    ("f32(1)", "this expression has no effect"),
    ("val v", "`v` needs a type or a value"),
    ("val v: i32", "immutable binding `v` needs a value"),
    ("val v: [f32]", "a buffer can only be a kernel parameter"),
    ("var a: [f32; 2] = 0.0", "array initializers are not supported"),
    ("var a: [bool; 2]", "array elements must be numbers, not `bool`"),
    ("var a: [f32; 0]", "an array length must be positive, found 0"),
    ("var a: [f32; n]", "an array length must be a compile-time constant"),
    ("shared val t: f32", "a shared declaration needs an array type"),
    ("val t: [f32; 4] = gpu.shared_memory<f32>(4)", "`gpu.shared_memory<T>(n)` already gives the type; drop the annotation"),
    ("val t = gpu.shared_memory<f32>(4, 5)", "`gpu.shared_memory<T>(n)` takes 1 argument (the length), got 2"),
    ("break", "`break` outside of a loop"),
    ("continue", "`continue` outside of a loop"),
    ("for i in x:\n    pass", "a `for` loop iterates over `range(...)` or `a..b`"),
    ("for i in range(1.5):\n    pass", "mismatched types: `i32` and a float literal in `range`"),
    ("for i in range(0, 10, n):\n    pass", "the step of a range must be a compile-time constant"),
    ("for i in range(0u8, 10u8, 300):\n    pass", "the step 300 does not fit the loop variable's type `u8`"),
    ("for i in range(true):\n    pass", "mismatched types: `bool` and an integer literal in `range`"),
    ("while 1:\n    pass", "expected `bool` as a condition, found an integer literal"),
])
def test_error_messages(body, message):
    prelude = "const N: i32 = 4\n\nfn helper(v: i32) -> i32:\n    return v\n\nfn nothing():\n    pass\n\n" \
              "#[gpu]\nfn kern(y: [f32]):\n    pass\n\n"
    params = "x: &[f32], y: [f32], n: i32, w: i64, c: [i32]"
    assert messages(prelude + kernel_body(body, params))[:1] == [message]


@pytest.mark.parametrize("text, message", [
    ("fn f(a: i32) -> i32:\n    if a > 0:\n        return 1\n", "`f` may reach the end of its body without returning a `i32`"),
    ("fn f() -> i32:\n    return\n", "`f` must return a `i32` value"),
    ("fn f():\n    return 1\n", "`f` has no return type, so it cannot return a value"),
    ("fn f(a: [f32]):\n    pass\n", "helper function parameters must be scalars"),
    ("#[gpu]\nfn k(a: [f32; 4]):\n    pass\n", "array parameters are not supported"),
    ("#[gpu]\nfn k(a: [bool]):\n    pass\n", "buffer elements must be numbers, not `bool`"),
    ("#[gpu]\nfn k(a: i32, a: f32):\n    pass\n", "parameter `a` appears twice"),
    ("const N = 1\nfn f(N: i32):\n    pass\n", "parameter `N` has the name of a module constant"),
    ("fn f(gpu: i32):\n    pass\n", "`gpu` is a reserved name"),
    ("fn f():\n    pass\nfn f():\n    pass\n", "`f` is defined twice"),
    ("const A = 1\nfn A():\n    pass\n", "`A` is defined twice"),
    ("fn len():\n    pass\n", "`len` is a reserved name"),
    ("const A: i32 = B\nconst B: i32 = A\n", "constant `A` depends on itself"),
    ("const A: i32 = 1.5\n", "expected `i32` for `A`, found a float literal"),
    ("const A = gpu.global_id(0)\n", "the value of constant `A` must be a compile-time constant"),
    ("const A = sqrt(2.0)\n", "the value of constant `A` must be a compile-time constant"),
    ("const A: [f32] = 1\n", "expected a scalar type such as `f32`"),
    ("const A = 1 / 0\n", "division by zero in a constant expression"),
    ("#[kernel]\nfn k():\n    pass\n", "unknown attribute `kernel`"),
    ("#[gpu(size=4)]\nfn k():\n    pass\n", "unknown kernel attribute argument `size`"),
    ("#[gpu(local_size=0)]\nfn k():\n    pass\n", "a local size must be positive, found 0"),
    ("#[gpu(local_size=(2, 2, 2, 2))]\nfn k():\n    pass\n", "`local_size` has at most 3 dimensions, found 4"),
    ("#[gpu(local_size=(64, 32))]\nfn k():\n    pass\n", "`local_size` has 2048 work items per group, more than 1024"),
    ("#[gpu(local_size=n)]\nfn k(n: i32):\n    pass\n", "unknown name `n`"),
    ("#[gpu(local_size=1.5)]\nfn k():\n    pass\n", "a local size must be an integer"),
    ("#[gpu(local_size=4)]\n@simd(local_size=4)\nfn k():\n    pass\n", "`local_size` is given twice"),
    ("fn f():\n    shared val t: [f32; 4]\n", "shared arrays are only allowed in kernels"),
    ("fn f():\n    val t = gpu.shared_memory<f32>(4)\n", "shared arrays are only allowed in kernels"),
    ("fn f() -> [f32]:\n    pass\n", "expected a scalar type such as `f32`"),
])
def test_item_error_messages(text, message):
    assert messages(text)[:1] == [message]


def test_hint_for_a_name_declared_in_an_ended_block():
    err = compile_error(kernel_body("if n > 0:\n    val inner = 1\ny[0] = inner as f32", "y: [f32], n: i32"))
    assert err.diagnostics[0].hint == (
        "`inner` was declared in a block that has ended; declare it before that block (e.g. `var inner = 0`) "
        "to use it here")

"""The upstream Simple forms (docs/language.md, "Upstream forms"): each spelling
compiles to the same IR as the form it stands for, the buffer rule of
`@gpu("...")` kernels and strict mode, thread ids typed by their uses, bounds
policies, and kernels inside programs with host code."""
import numpy as np
import pytest

from simple_vkbackend.frontend import CompileError, CompileOptions, compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.text import print_module
from simple_vkbackend.software import run_kernel

from .util import compile_ok, messages, src


def body_ir(text: str, options=None) -> str:
    """The IR text of a module without its header line (to compare spellings)."""
    return print_module(compile_source(src(text), "t.spl", options)).split("\n", 1)[1]


def rendered(text: str, options=None) -> str:
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "k.spl", options)
    return info.value.render()


# --------------------------------------------------------------------------- markers and spellings

@pytest.mark.parametrize("marker", ["@gpu_kernel\nfn", "@vulkan_kernel\nfn", "kernel fn", "#[gpu(backend: Vulkan)]\nfn",
                                    "@gpu(\"cuda\")\nfn", "@simd\n@bounds(default=return)\nfn"])
def test_kernel_markers(marker):
    m = compile_ok(f"{marker} k(mut y: [f32]):\n    y[0] = 1.0\n")
    assert [k.name for k in m.kernels] == ["k"]


def test_target_tags_are_recorded():
    m = compile_ok("""
        @gpu("vulkan")
        fn a(mut y: [f32]) -> ():
            y[0] = 1.0
        @gpu("CUDA")
        fn b(mut y: [f32]):
            y[0] = 1.0
        #[gpu(backend: Vulkan)]
        fn c(y: [f32]):
            y[0] = 1.0
        @gpu
        fn d(y: [f32]):
            y[0] = 1.0
    """)
    assert [k.target for k in m.kernels] == ["vulkan", "cuda", "vulkan", None]
    assert "kernel b(y: buf<f32>) dims=1 target=cuda {" in print_module(m)


@pytest.mark.parametrize("ptype", ["[f32]", "f32[]", "[f32]_gpu", "GpuArray<f32>", "Buffer<f32>", "Array[f32]",
                                   "[]f32", "&mut [f32]"])
def test_buffer_spellings_are_one_writable_buffer(ptype):
    want = body_ir("#[gpu]\nfn k(x: &[f32], y: [f32]):\n    y[0] = x[0]\n")
    assert body_ir(f"#[gpu]\nfn k(x: &[f32], y: {ptype}):\n    y[0] = x[0]\n") == want


def test_unit_result_and_statement():
    assert body_ir("#[gpu]\nfn k(y: [f32]) -> ():\n    ()\n    y[0] = 1.0\n") == \
        body_ir("#[gpu]\nfn k(y: [f32]):\n    pass\n    y[0] = 1.0\n")


@pytest.mark.parametrize("decl", ["shared t: [f32; 8]", "shared t: Array[f32, 8]", "shared val t: [f32; 8]",
                                  "shared let t: [f32; 8]", "val t = gpu_shared_mem<f32>(8)"])
def test_shared_spellings(decl):
    want = body_ir("#[gpu]\nfn k(y: [f32]):\n    shared val t: [f32; 8]\n    t[0] = 1.0\n    y[0] = t[0]\n")
    assert body_ir(f"#[gpu]\nfn k(y: [f32]):\n    {decl}\n    t[0] = 1.0\n    y[0] = t[0]\n") == want


@pytest.mark.parametrize("alias, canonical", [
    ("gpu_block_id(1)", "gpu.group_id(1)"), ("gpu_thread_id(2)", "gpu.local_id(2)"),
    ("gpu_block_dim(0)", "gpu.local_size(0)"), ("gpu_grid_dim(1)", "gpu.num_groups(1)"),
    ("gpu_thread_id_x()", "gpu.local_id(0)"), ("gpu_block_id_y()", "gpu.group_id(1)"),
    ("gpu_block_dim_z()", "gpu.local_size(2)"), ("gpu_grid_dim_x()", "gpu.num_groups(0)"),
    ("gpu_local_size(1)", "gpu.local_size(1)"), ("gpu_num_groups(0)", "gpu.num_groups(0)"),
    ("vulkan_global_id_x()", "gpu.global_id(0)"), ("this.index(1)", "gpu.global_id(1)"),
])
def test_id_spellings(alias, canonical):
    text = "#[gpu]\nfn k(y: [i32]):\n    y[0] = {}\n"
    assert body_ir(text.format(alias)) == body_ir(text.format(canonical))


@pytest.mark.parametrize("alias, canonical", [
    ("gpu_barrier()", "gpu.barrier()"), ("gpu_sync()", "gpu.barrier()"), ("gpu_syncthreads()", "gpu.barrier()"),
    ("thread_group.barrier()", "gpu.barrier()"), ("gpu.barrier_and_fence()", "gpu.barrier()"),
    ("gpu_mem_fence()", "gpu.mem_fence()"),
    ("gpu_atomic_add(&y[0], 1)", "gpu.atomic_add(&y[0], 1)"),
    ("gpu_atomic_xor(&y[0], 1)", "gpu.atomic_xor(&y[0], 1)"),
    ("gpu_atomic_cas(&y[0], 1, 2)", "gpu.atomic_compare_exchange(&y[0], 1, 2)"),
    ("gpu.atomic_cas(&y[0], 1, 2)", "gpu.atomic_compare_exchange(&y[0], 1, 2)"),
])
def test_sync_and_atomic_spellings(alias, canonical):
    text = "#[gpu]\nfn k(y: [i32]):\n    {}\n"
    assert body_ir(text.format(alias)) == body_ir(text.format(canonical))


def test_unknown_builtin_close_to_a_known_one_gets_did_you_mean():
    assert rendered("#[gpu]\nfn k(y: [i32]):\n    gpu_syncthread()\n") == (
        "k.spl:3:5: error: unknown function `gpu_syncthread`\n"
        "    gpu_syncthread()\n"
        "    ^^^^^^^^^^^^^^\n"
        "  hint: did you mean `gpu_syncthreads`?")
    assert messages("#[gpu]\nfn k(y: [i32]):\n    y[0] = gpu_thread_idx()\n") == ["unknown function `gpu_thread_idx`"]


def test_trailing_space_and_tab_after_the_last_token():
    compile_ok("#[gpu] \nfn k(y: [f32]):\t\n    y[0] = 1.0 \t \n")


# --------------------------------------------------------------------------- expressions

def test_chained_comparison_is_a_conjunction_with_the_middle_once():
    chained = "#[gpu]\nfn k(y: [i32], w: i32):\n    val x = gpu.global_id(0)\n    if 0 <= x < w:\n        y[x] = 1\n"
    assert body_ir(chained) == body_ir(chained.replace("0 <= x < w", "0 <= x and x < w"))
    m = compile_ok(chained)
    y = np.zeros(8, np.int32)
    run_kernel(m, "k", {"y": y, "w": np.int32(5)}, (8, 1, 1), (8, 1, 1))
    assert y.tolist() == [1, 1, 1, 1, 1, 0, 0, 0]


def test_chained_comparison_middle_with_effects_is_refused():
    assert messages("""
        #[gpu]
        fn k(y: [i32]):
            if 0 < gpu.atomic_add(&y[0], 1) < 4:
                y[1] = 1
    """) == ["the middle operand of a chained comparison must not call functions or atomics"]


def test_for_over_a_constant_list_is_unrolled():
    m = compile_ok("""
        #[gpu]
        fn k(src: [i32], dst: [i32]):
            val i = gpu.global_id(0)
            var acc = 0
            for d in [-1, 0, 1]:
                if 0 <= i + d < len(src):
                    acc += src[i + d] * (d + 2)
            dst[i] = acc
    """)
    assert not any(isinstance(s, ir.Loop) for s in m.kernels[0].body.stmts)
    src_ = np.arange(6, dtype=np.int32)
    dst = np.zeros(6, np.int32)
    run_kernel(m, "k", {"src": src_, "dst": dst}, (6, 1, 1), (6, 1, 1))
    padded = np.pad(src_, 1)
    assert dst.tolist() == (padded[:-2] * 1 + padded[1:-1] * 2 + padded[2:] * 3).tolist()


def test_break_in_an_unrolled_for_is_refused():
    assert messages("#[gpu]\nfn k(y: [i32]):\n    for d in [1, 2]:\n        break\n") == [
        "`break` is not supported in a `for` over a list (it is unrolled)"]


# --------------------------------------------------------------------------- buffer mutability

def test_writing_a_bare_buffer_of_a_target_tagged_kernel_is_refused_with_the_mut_hint():
    assert rendered("""
        @gpu("vulkan")
        fn k(input: [u32], mut output: [u32]):
            val i = gpu_global_id(0)
            input[i] = output[i]
    """) == (
        "k.spl:4:5: error: cannot write to `input`: it is an immutable storage buffer (a bare buffer parameter "
        "of a `@gpu(\"...\")` kernel, or of any kernel in strict mode, is read-only unless declared `mut`)\n"
        "    input[i] = output[i]\n"
        "    ^^^^^^^^\n"
        "  hint: declare it writable: `mut input: [u32]`")


def test_atomics_on_a_read_only_bare_buffer_are_refused():
    assert messages("@gpu(\"cuda\")\nfn k(c: [u32]):\n    gpu_atomic_add(&c[0], 1u32)\n")[0].startswith(
        "cannot write to `c`: it is an immutable storage buffer")


def test_other_markers_keep_bare_buffers_writable_and_strict_mode_does_not():
    text = "@gpu_kernel\nfn k(y: [f32]):\n    y[0] = 1.0\n"
    compile_source(text)
    with pytest.raises(CompileError) as info:
        compile_source(text, options=CompileOptions(strict=True))
    assert "hint: declare it writable: `mut y: [f32]`" in str(info.value)
    compile_source("@gpu_kernel\nfn k(mut y: [f32], z: &mut [f32]):\n    y[0] = 1.0\n    z[0] = 1.0\n",
                   options=CompileOptions(strict=True))


def test_mut_on_a_scalar_parameter_is_refused():
    assert messages("#[gpu]\nfn k(mut n: i32, y: [i32]):\n    y[0] = n\n") == [
        "`mut` applies only to buffer parameters written `mut n: [T]`"]


# --------------------------------------------------------------------------- thread ids

def test_ids_take_the_type_of_their_uses():
    m = compile_ok("""
        @gpu("vulkan")
        fn k(a: [u32], mut out: [u32], n: u32):
            val i = gpu_global_id(0)
            val j = i + 1
            if j < n:
                out[i + 50u32] = a[i]
    """)
    k = m.kernels[0]
    assert {loc.name: str(loc.type) for loc in k.locals} == {"i": "u32", "j": "u32"}
    a = np.arange(60, dtype=np.uint32)
    out = np.zeros(110, np.uint32)
    run_kernel(m, "k", {"a": a, "out": out, "n": np.uint32(60)}, (60, 1, 1), (60, 1, 1))
    assert out[50:109].tolist() == list(range(59)) and out[109] == 0


def test_an_id_without_a_deciding_use_is_i32_and_old_programs_keep_their_meaning():
    m = compile_ok("#[gpu]\nfn k(y: [i64], n: i64):\n    val i = gpu.global_id(0)\n    if i < n:\n        y[i] = i\n")
    assert [str(loc.type) for loc in m.kernels[0].locals] == ["i32"]


def test_an_id_used_at_two_types_names_both_uses():
    assert rendered("""
        @gpu("vulkan")
        fn k(mut out: [u32], n: u32, m: u64):
            val i = gpu_global_id(0)
            if i < n:
                out[0] = 1u32
            if i < m:
                out[1] = 1u32
    """) == (
        "k.spl:6:8: error: `i` is used as `u64` here and as `u32` on line 4\n"
        "    if i < m:\n"
        "       ^\n"
        "  hint: a thread id takes one integer type; cast at one of the uses, e.g. `i as u64`")


def test_an_id_typed_by_one_use_and_mismatched_by_another_says_where_its_type_came_from():
    assert rendered("""
        @gpu("vulkan")
        fn k(mut out: [i32], n: u32):
            val i = gpu_global_id(0)
            if i < n:
                out[i] = i
    """) == (
        "k.spl:5:18: error: mismatched types: expected `i32` in the assignment to `out[i]`, found `u32`\n"
        "        out[i] = i\n"
        "                 ^\n"
        "  hint: `i` is a thread id of type `u32`, from its use on line 4; an id takes one type: write `i as i32`")


# --------------------------------------------------------------------------- bounds policies

def bounds_kernel(policy: str) -> ir.Module:
    return compile_source(src(f"""
        @simd
        @bounds(default={policy}, strict=false)
        fn k(src: [i32], dst: [i32], s: i32):
            val i = gpu.global_id(0)
            dst[i + s] = src[i - s] + 100
    """))


@pytest.mark.parametrize("policy, expected", [
    # s = -2: dst[i - 2] = src[i + 2] + 100; work items 0, 1 write below 0, items 6, 7 read above 7
    ("return", [104, 105, 106, 107, 0, 0, 0, 0]),  # those items end
    ("clamp", [None, 105, 106, 107, 107, 107, 0, 0]),  # items 0, 1, 2 all write dst[0]: any of them wins
    ("zero", [104, 105, 106, 107, 100, 100, 0, 0]),  # reads out of range give 0, writes are skipped
])
def test_bounds_policies(policy, expected):
    m = bounds_kernel(policy)
    src_ = np.arange(8, dtype=np.int32)
    dst = np.zeros(8, np.int32)
    run_kernel(m, "k", {"src": src_, "dst": dst, "s": np.int32(-2)}, (8, 1, 1), (8, 1, 1))
    if expected[0] is None:
        assert dst[0] in (102, 103, 104)
        dst[0] = -1
        expected = [-1, *expected[1:]]
    assert dst.tolist() == expected


def test_bounds_needs_a_simd_kernel():
    assert messages("#[gpu]\n@bounds(default=zero)\nfn k(y: [i32]):\n    y[0] = 1\n") == [
        "`@bounds` applies to `@simd` kernels only"]


# --------------------------------------------------------------------------- programs with host code

PROGRAM = '''
use std.io.{println}

struct Point:
    x: f32

fn greet(name: str):
    println("hello {name}")

const LABEL = "points"
const SCALE: f32 = 2.0

@gpu_kernel
fn k(y: [f32]):
    y[0] = SCALE
{extra}
fn main():
    greet("world")

main()
'''


def test_host_items_are_skipped_and_listed():
    options = CompileOptions()
    m = compile_source(PROGRAM.replace("{extra}", ""), "p.spl", options)
    assert [k.name for k in m.kernels] == ["k"] and [c.name for c in m.constants] == ["SCALE"]
    assert [(i.kind, i.names) for i in options.skipped] == [
        ("use", ["std", "io", "println"]), ("struct", ["Point"]), ("fn", ["greet"]), ("const", ["LABEL"]),
        ("fn", ["main"]), ("statement", ["main"])]


@pytest.mark.parametrize("extra, message", [
    ("@gpu_kernel\nfn k2(y: [f32]):\n    greet(1)\n", "`greet` cannot be called from a kernel"),
    ("@gpu_kernel\nfn k2(y: [f32]):\n    y[0] = Point\n", "`Point` cannot be used in a kernel"),
    ("@gpu_kernel\nfn k2(y: [f32]):\n    println(1)\n", "`println` cannot be called from a kernel"),
])
def test_a_kernel_naming_a_host_item_gets_an_error_naming_it(extra, message):
    with pytest.raises(CompileError) as info:
        compile_source(PROGRAM.replace("{extra}", extra), "p.spl")
    assert [d.message for d in info.value.diagnostics] == [message]
    assert "it is host code" in info.value.diagnostics[0].hint


def test_errors_in_a_kernel_of_a_program_are_still_reported():
    with pytest.raises(CompileError) as info:
        compile_source(PROGRAM.replace("{extra}", "@gpu_kernel\nfn k2(y: [f32]):\n    y[0] = \"s\"\n"), "p.spl")
    assert [d.message for d in info.value.diagnostics] == ["string literals are not supported"]


def test_doc_strings_are_skipped_and_long_strings_span_lines():
    text = (
        '"""A module doc string\nover two lines."""\n'
        "use std.io\n\n"
        "fn host():\n"
        '    """Host doc, with "quotes",\nand a line at column 0\n    """\n'
        "    println('x')\n\n"
        "@gpu_kernel\n"
        "fn k(y: [f32]):\n"
        '    """Writes one."""\n'
        "    y[0] = 1.0\n")
    options = CompileOptions()
    m = compile_source(text, "p.spl", options)
    assert [k.name for k in m.kernels] == ["k"]
    assert [(i.kind, i.names) for i in options.skipped] == [("use", ["std", "io"]), ("fn", ["host"])]
    compile_ok('#[gpu]\nfn k(y: [f32]):\n    """doc"""\n    y[0] = 1.0\n')


@pytest.mark.parametrize("line", ['"a" + 1', 'y[0] = """x"""', "y[0] = 'c'"])
def test_strings_in_kernel_code_are_errors(line):
    assert messages(f"#[gpu]\nfn k(y: [f32]):\n    {line}\n") == ["string literals are not supported"]


def test_an_unterminated_long_string_is_reported():
    assert messages('#[gpu]\nfn k(y: [f32]):\n    """doc\n    y[0] = 1.0\n') == ["unterminated string literal"]


def test_pub_before_a_kernel_or_helper_is_accepted():
    m = compile_source("use std\n\npub fn twice(v: f32) -> f32:\n    return v * 2.0\n\n"
                       "@gpu_kernel\npub fn k(y: [f32]):\n    y[0] = twice(1.0)\n\npub kernel fn k2(y: [f32]):\n"
                       "    y[0] = 1.0\n")
    assert [k.name for k in m.kernels] == ["k", "k2"] and [f.name for f in m.functions] == ["twice"]


def test_simd_grid_size_is_the_default_global_size():
    import simple_vkbackend as svk
    module = svk.compile_source("@simd(grid_size=6, group_size=2)\nfn k(y: [i32]):\n    y[gpu.global_id(0)] = 1\n",
                                backend="software")
    assert module.ir_module.kernels[0].grid_size == (6, 1, 1)
    assert module.manifest["kernels"][0]["default_global_size"] == [6, 1, 1]
    y = np.zeros(10, np.int32)
    module.k(y)
    assert y.tolist() == [1] * 6 + [0] * 4
    module.k(y, global_size=10)
    assert y.tolist() == [1] * 10

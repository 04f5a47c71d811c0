"""Limits the front end reports against the source (lowering/ir/limits.py): 32-bit
array lengths, private memory per work item, helper call depth, name length. Each was
a crash or a silent truncation before (docs/reliability.md)."""
import pytest

from simple_vkbackend.backends.vulkan import compile_for_vulkan
from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering.ir.limits import MAX_CALL_DEPTH, MAX_IDENTIFIER_LENGTH, PRIVATE_MEMORY_PER_ITEM

from .util import compile_ok, src


def error_of(text: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "k.spl")
    return info.value.render()


SHARED = """
    @gpu
    fn k(y: &mut [f32]):
        val t = gpu.shared_memory<f32>({n})
        t[0] = 1.0
        y[0] = t[0]
"""


@pytest.mark.parametrize("n", [2**32, 2**32 + 1, 2**40])
def test_shared_length_beyond_32_bits_is_a_source_error(n):
    """2**32 + 1 became a 1-element array (heap corruption), 2**32 an internal error."""
    text = error_of(SHARED.format(n=n))
    assert text.startswith(f"k.spl:3:36: error: an array length must fit in 32 bits, found {n}")
    assert "^" * len(str(n)) in text


def test_private_length_beyond_32_bits_is_a_source_error():
    text = error_of("""
        @gpu
        fn k(y: &mut [f32]):
            var a: [f32; 4294967296]
            y[0] = a[0]
    """)
    assert text.startswith("k.spl:3:18: error: an array length must fit in 32 bits, found 4294967296")


def test_shared_bytes_beyond_32_bits_is_a_source_error():
    text = error_of(SHARED.format(n=2**31).replace("<f32>", "<f64>"))
    assert "shared array `t` of kernel `k` takes 17179869184 bytes (16 GiB), more than" in text


PRIVATE = """
    @gpu
    fn k(y: &mut [f32]):
        var a: [f32; {n}]
        a[0] = 1.0
        y[0] = a[0]
"""


def test_private_array_at_the_ceiling_compiles():
    compile_for_vulkan(compile_ok(PRIVATE.format(n=PRIVATE_MEMORY_PER_ITEM // 4)))


@pytest.mark.parametrize("n", [PRIVATE_MEMORY_PER_ITEM // 4 + 1, 16 * 2**20])
def test_private_array_over_the_ceiling_names_kernel_array_size_and_limit(n):
    """A 16 Mi float private array made lavapipe's pipeline creation grow past 24 GiB."""
    text = error_of(PRIVATE.format(n=n))
    assert text.startswith(f"k.spl:3:5: error: private array `a` of kernel `k` takes {n * 4} bytes")
    assert "more than the 4096 bytes (4 KiB) of private memory a work item may use" in text


def test_private_arrays_add_up_per_function():
    text = error_of("""
        fn h(x: f32) -> f32:
            var a: [f32; 600]
            var b: [f32; 500]
            a[0] = x
            b[0] = x
            return a[0] + b[0]

        @gpu
        fn k(y: &mut [f32]):
            y[0] = h(y[0])
    """)
    assert ("private array `b` of helper `h` takes 2000 bytes (with 2400 bytes of other private arrays), "
            "more than the 4096 bytes (4 KiB)") in text


def chain(n: int) -> str:
    helpers = "fn h0(x: f32) -> f32:\n    return x\n"
    helpers += "".join(f"fn h{i}(x: f32) -> f32:\n    return h{i - 1}(x) + 1.0\n" for i in range(1, n))
    return helpers + f"@gpu\nfn k(y: &mut [f32]):\n    y[0] = h{n - 1}(y[0])\n"


def test_helper_chain_at_the_limit_compiles_and_lowers():
    compile_for_vulkan(compile_source(chain(MAX_CALL_DEPTH), "k.spl"))


@pytest.mark.parametrize("n", [MAX_CALL_DEPTH + 1, 1000])
def test_helper_chain_over_the_limit_is_a_source_error(n):
    """1,000 chained helpers compiled, then lowering died of RecursionError."""
    with pytest.raises(CompileError) as info:
        compile_source(chain(n), "k.spl")
    text = info.value.render()
    assert f"error: helper calls nest too deeply: `h{MAX_CALL_DEPTH}` calls `h{MAX_CALL_DEPTH - 1}`" in text
    assert len(info.value.diagnostics) == 1


def test_name_at_the_limit_compiles_and_lowers():
    name = "a" * MAX_IDENTIFIER_LENGTH
    compile_for_vulkan(compile_ok(f"""
        @gpu
        fn k(y: &mut [f32]):
            val {name} = 1.0
            y[0] = {name}
    """))


@pytest.mark.parametrize("length", [MAX_IDENTIFIER_LENGTH + 1, 262140])
def test_long_name_is_a_source_error(length):
    """A 262,140-character name compiled, then the SPIR-V emitter raised OverflowError."""
    name = "b" * length
    text = error_of(f"""
        @gpu
        fn {name}(y: &mut [f32]):
            y[0] = 1.0
    """)
    assert text.startswith(f"k.spl:2:4: error: a name may have at most {MAX_IDENTIFIER_LENGTH} characters, "
                           f"this one has {length}")

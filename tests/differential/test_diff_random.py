"""Random well-typed Simple kernels (simple_gen.py) through the front end, on the
Vulkan backend and on the software backend: every buffer the kernel writes must be
the same (floats bit for bit, NaNs alike; approximated math in "sink" buffers
within SINK_TOLERANCE). Each kernel also runs on the software backend with its
literals hidden from the front end's constant folding (identity helpers): that
must change nothing either.

Deterministic in CI (derandomized, SIMPLE_DIFF_EXAMPLES examples, 40 by default);
`SIMPLE_DIFF_EXAMPLES=5000 SIMPLE_DIFF_SEED=N` runs thousands, randomized by N.
Every disagreement found so far is a test in test_regressions.py.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, seed, settings
from fuzz_budget import examples

import simple_vkbackend as svk
from diff_runner import SINK_TOLERANCE, compare_buffers, run
from simple_gen import Program, programs
from simple_vkbackend.frontend import compile_source

EXAMPLES = examples(40, "SIMPLE_DIFF_EXAMPLES")
SEED = os.environ.get("SIMPLE_DIFF_SEED")
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def differences(program: Program, vk_backend, sw_backend) -> list[str]:
    module = compile_source(program.source, "generated.spl")
    args = program.make_args()
    written = [b.name for b in program.written]
    sinks = {b.name: SINK_TOLERANCE[b.type] for b in program.written if b.role == "sink"}
    launch = (program.kernel, args, program.global_size, program.local_size)
    on_software = run(svk.compile_ir(module, sw_backend), *launch)
    on_vulkan = run(svk.compile_ir(module, vk_backend, exact=True), *launch)
    problems = compare_buffers(written, on_vulkan, on_software, sinks)
    opaque = compile_source(program.opaque_source, "generated_opaque.spl")
    unfolded = run(svk.compile_ir(opaque, sw_backend), *launch)
    problems += compare_buffers(written, unfolded, on_software, labels=("unfolded", "folded"))
    return problems


def random_programs_test(fn):
    fn = given(programs())(fn)
    return SETTINGS(seed(int(SEED))(fn) if SEED is not None else fn)


@random_programs_test
def test_random_kernels_agree_on_both_backends(vk_backend, sw_backend, program):
    problems = differences(program, vk_backend, sw_backend)
    assert not problems, "\n".join(problems) + "\n\n" + program.source


def test_generator_covers_the_language():
    """Over a few dozen programs, every construct the generator promises appears."""
    sources: list[str] = []

    @settings(max_examples=examples(40), derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(programs())
    def collect(program):
        sources.append(program.source + program.opaque_source)

    collect()
    text = "\n".join(sources)
    constructs = ["elif ", "else:", "while ", "for ", "range(", "..", "break", "continue", "return",
                  " if ", "(if ", " and ", " or ", "not ", " as ", "shared val", "gpu.barrier()", "sync_all()",
                  "gpu.atomic_add", "gpu.atomic_exchange", "gpu.atomic_compare_exchange", "const C",
                  "fn h", "opq_", "sink_", "@simd", "var pa", "acc_f32", " ** ", " % ", " / ", " << ", " >> ", "~", "clamp(", "isnan(",
                   ".load(in_", "vec[2, ", "vec[4, "]
    constructs += [f"{t}" for t in ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64")]
    missing = [c for c in constructs if c not in text]
    assert not missing

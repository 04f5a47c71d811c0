"""Random well-typed Simple kernels (simple_gen.py) compiled with the bounds-trap
debug option: on both backends they write exactly what the ordinary compile writes
on the software backend (the generator's accesses are in range, so no trap fires,
and the trap code must change nothing else)."""
from __future__ import annotations

from hypothesis import given, settings

import simple_vkbackend as svk
from diff_runner import SINK_TOLERANCE, compare_buffers, run
from simple_gen import Program, programs
from simple_vkbackend.frontend import CompileOptions, compile_source
from test_diff_random import SETTINGS

TRAP_SETTINGS = settings(SETTINGS, max_examples=min(SETTINGS.max_examples, 20))


@TRAP_SETTINGS
@given(programs())
def test_random_kernels_are_unchanged_by_the_debug_option(vk_backend, sw_backend, program: Program):
    plain = compile_source(program.source, "generated.spl")
    trapped = compile_source(program.source, "generated.spl", CompileOptions(bounds="trap"))
    args = program.make_args()
    written = [b.name for b in program.written]
    sinks = {b.name: SINK_TOLERANCE[b.type] for b in program.written if b.role == "sink"}
    launch = (program.kernel, args, program.global_size, program.local_size)
    want = run(svk.compile_ir(plain, sw_backend), *launch)
    problems = []
    for backend, label in ((sw_backend, "software"), (vk_backend, "vulkan")):
        got = run(svk.compile_ir(trapped, backend), *launch)
        problems += compare_buffers(written, got, want, sinks, labels=(f"{label} with traps", "software"))
    assert not problems, "\n".join(problems) + "\n\n" + program.source

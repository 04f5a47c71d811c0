"""Random well-typed Simple kernels (source text), for differential testing.

    from simple_gen import GenConfig, programs
    @given(programs())
    def test(program): program.source, program.kernel, program.make_args(), ...

A `Program` is one `.spl` source with helpers, constants and one kernel, its launch
(1-D or 2-D, global size a multiple of the local size), the kernel's buffers and
scalars, and the role of each buffer (which tells how to compare it). The generator keeps every result defined
and the same on any conforming device, so two backends that disagree have a bug:

- indexes are masked into bounds (`e & (len - 1)`; every array length is a power
  of two); loops have bounded trip counts (data-dependent `range` bounds masked to
  0..7, `while` loops with a counter checked first and incremented first);
- integer `/` and `%` mostly get a divisor in 1..16; now and then a raw one, since
  the IR defines x / 0 = 0 and MIN / -1 = MIN and both backends document that;
- floats use only correctly rounded operations (+ - * / %, sqrt, comparisons,
  casts, floor/ceil/trunc/round/fract, abs/sign/min/max/clamp/step) in values that
  flow anywhere; functions a device may approximate (sin, exp, pow, ...) only
  produce values written straight to a "sink" buffer compared with a tolerance,
  on arguments clamped to a well-conditioned range;
- floats stay finite: Vulkan without the SignedZeroInfNanPreserve execution mode
  lets a driver ignore infinities, NaN and the sign of zero (lavapipe folds
  `x * 0.0` to 0 even for an infinite x, and `x + 0.0` to x even for -0), so
  inputs are finite, every float operation's result is clamped to +-FLOAT_BOUND
  (an overflow to infinity is clamped right away, on both backends alike),
  divisors are `abs(d) + 1`, square roots take `abs(x)`; the sign of a zero is
  not compared;
- work items write only their own output slots; atomics on a shared element all
  use one commutative operation (add/sub, and, or, xor, min or max), their results
  are discarded, except exchange/compare-exchange on the item's own slot; f32
  atomic adds add whole numbers below 16, so every order sums exactly;
- barriers stand only in uniform control flow (the kernel's top level, before any
  `return`); shared arrays are written before they are read, one element per item;
- private arrays are indexed in bounds; in `@simd` kernels some buffer reads after
  the last barrier are not masked (an index out of bounds ends the work item).

`opaque=True` draws the same program with every literal in an expression passed
through an identity helper (`opq_i8(5i8)`), so the front end cannot fold it: the
software backend must then compute the same buffers as for the plain text (a
check of the front end's constant folding).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from hypothesis import strategies as st

from gen_expr import ExprGen, Helper, Scope
from gen_spellings import respell
from gen_stmt import StmtGen
from gen_values import (
    ATOMIC_FAMILIES, ATOMIC_TYPES, FLOAT_BOUND, FLOATS, IN_LEN, INT_COMPOUND, INTS, NARROWER, NUMERIC,
    POSITIVE_MATH, SCALARS, SINK_MATH, Buffer, GenConfig, Program, acc_initial, bits, buffer_data, dtype,
    family_start, int_range, random_values)

# the generator's names, wherever they now live (importers use `from simple_gen import ...`)
__all__ = ["ATOMIC_FAMILIES", "ATOMIC_TYPES", "FLOAT_BOUND", "FLOATS", "IN_LEN", "INT_COMPOUND", "INTS",
           "NARROWER", "NUMERIC", "POSITIVE_MATH", "SCALARS", "SINK_MATH", "Buffer", "ExprGen", "GenConfig",
           "Helper", "KernelParts", "Program", "Replay", "Scope", "SourceGen", "StmtGen", "acc_initial", "bits",
           "buffer_data", "dtype", "family_start", "int_range", "programs", "random_values"]


class SourceGen(StmtGen):
    """Draws one program; `opaque` passes literals through identity helpers."""

    def kernel(self) -> "KernelParts":
        if self.chance(25):  # 2-D: up to 8 x 8 items a group, 3 x 3 groups
            self.local_xy = (1 << self.int_in(0, 3), 1 << self.int_in(0, 3))
            self.groups_xy = (self.int_in(1, 3), self.int_in(1, 3))
        else:
            self.local_xy, self.groups_xy = (1 << self.int_in(0, 6), 1), (self.int_in(1, 4), 1)
        self.local_size = self.local_xy[0] * self.local_xy[1]
        self.linear_groups = self.local_xy[1] == 1
        hinted = self.chance(70)
        scalars = [(f"p{i}", t, self.literal_value(t)) for i, t in
                   enumerate(self.scalar_type() for _ in range(self.int_in(0, 3)))]
        scope = Scope(is_kernel=True, allow_return=False)
        scope.vars.update({"gid": "i32", "lid": "i32"})
        scope.vars.update({name: t for name, t, _ in scalars})
        if self.config.shared:
            for _ in range(self.int_in(0, 2)):
                t = self.scalar_type(numeric=True)
                self.shared[self.fresh("sh")] = (t, self.local_size)
        if self.local_xy[1] > 1 or self.groups_xy[1] > 1:  # work items numbered x fastest
            body = ["val gid = gpu.global_id(1) * gpu.global_size(0) + gpu.global_id(0)",
                    "val lid = gpu.local_id(1) * gpu.local_size(0) + gpu.local_id(0)"]
        else:
            body = ["val gid = gpu.global_id(0)", "val lid = gpu.local_id(0)"]
        body += [self.local_decl(scope, 0) for _ in range(self.int_in(1, self.config.max_locals))]
        for _ in range(self.int_in(0, 2) if self.config.vectors else 0):
            body += self.vector_decl(scope)
        for _ in range(self.int_in(0, 2) if self.config.private else 0):
            t, length = self.scalar_type(numeric=True), 1 << self.int_in(1, 3)
            name = self.fresh("pa")
            self.private[name] = (t, length)
            body.append(f"var {name}: [{t}; {length}]")
        self.simd = self.config.simd and self.chance(20)
        self.flush = self.flush_lines(scope)
        body += self.shared_phases(scope)
        self.late = True  # after the last barrier: work items may end anywhere
        body += self.block(scope.child(allow_return=True), self.config.max_depth, 0)
        body += self.flush
        return KernelParts(body, scalars, hinted)

    def vector_decl(self, scope: Scope) -> list[str]:
        """A vector load from an input buffer (one vector width per buffer, so the
        buffer's element reads go through its vector layout too), sometimes combined
        with a vector of expressions; its elements become readable names."""
        t = self.some_input()
        n = self.vector_widths.setdefault(t, self.pick([2, 4]))
        name = self.fresh("vv")
        lines = [f"val {name} = vec[{n}, {t}].load(in_{t}, ({self.index(scope, IN_LEN // n)}) * {n})"]
        if self.chance(50):
            parts = [self.expr(t, scope, 1) for _ in range(n)]
            other = f"vec[{n}, {t}]({', '.join(parts)})" if self.chance(60) else f"vec[{', '.join(parts)}]"
            op = self.pick(["+", "-", "*"])
            if t in FLOATS:  # keep it finite: the elements are small or clamped
                other = f"clamp({other}, {self.literal(t, -4.0)}, {self.literal(t, 4.0)})"
            combined = self.fresh("vv")
            lines.append(f"val {combined} = {name} {op} {other}")
            name = combined
        for j in range(n):
            scope.vars[f"{name}.{'xyzw'[j]}" if self.chance(70) else f"{name}[{j}]"] = t
        return lines

    def shared_phases(self, scope: Scope) -> list[str]:
        """Uniform code: each shared array written (one element per item), a barrier,
        reads of other items' elements, a barrier; a shared atomic likewise."""
        lines = []
        for name, (t, length) in list(self.shared.items()):
            targets = [n for n, vt in scope.mutable.items() if vt == t]
            lines.append(f"{name}[lid] = {self.expr(t, scope, 2)}")
            lines.append(self.barrier())
            self.readable[name] = (t, length)
            if targets:
                lines.append(f"{self.pick(targets)} = {name}[{self.index(scope, length)}]")
            if self.chance(50):
                lines += self.block(scope.child(allow_return=False), 1, 0)
            lines.append(self.barrier())
        if self.config.atomics and self.chance(40):
            lines += self.shared_atomic(scope)
        return lines

    def shared_atomic(self, scope: Scope) -> list[str]:
        t = self.pick(ATOMIC_TYPES)
        n = min(self.local_size, 1 << self.int_in(0, 2))
        family = ("add",) if t == "f32" else self.pick(ATOMIC_FAMILIES)
        name = self.fresh("sa")
        self.shared_atomics[name] = (t, n)
        start = self.literal_text(t, family_start(t, family))
        value = f"f32(({self.expr('i32', scope, 2)}) & 15)" if t == "f32" else self.expr(t, scope, 2)
        lines = [f"if lid < {n}:", f"    {name}[lid] = {start}", self.barrier(),
                 f"gpu.atomic_{self.pick(family)}(&{name}[{self.index(scope, n)}], {value})",
                 self.barrier()]
        self.readable[name] = (t, n)
        targets = [v for v, vt in scope.mutable.items() if vt == t]
        if targets:
            lines.append(f"{self.pick(targets)} = {name}[{self.index(scope, n)}]")
        return lines

    def barrier(self) -> str:
        if self.chance(30):
            self.uses_sync_helper = True
            return "sync_all()"
        return "gpu.barrier()"

    def flush_lines(self, scope: Scope) -> list[str]:
        """Writes of every kernel local to its type's output buffer (bool as u8)."""
        lines = []
        for name, t in scope.mutable.items():
            ot = "u8" if t == "bool" else t
            slot = self.out_slots.get(ot, 0)
            self.out_slots[ot] = slot + 1
            value = f"({name} as u8)" if t == "bool" else name
            lines.append(f"out_{ot}[gid * OUT_{ot.upper()} + {slot}] = {value}")
        for name, (t, length) in self.private.items():
            for j in range(length):
                slot = self.out_slots.get(t, 0)
                self.out_slots[t] = slot + 1
                lines.append(f"out_{t}[gid * OUT_{t.upper()} + {slot}] = {name}[{j}]")
        return lines

    def buffers(self, items: int) -> list[Buffer]:
        buffers = [Buffer(f"in_{t}", t, IN_LEN, "in") for t in NUMERIC if t in self.in_buffers]
        buffers += [Buffer(f"out_{t}", t, items * n, "out") for t, n in sorted(self.out_slots.items())]
        buffers += [Buffer(f"sink_{t}", t, items * n, "sink") for t, n in sorted(self.sinks.items())]
        buffers += [Buffer(f"acc_{t}", t, len(slots), "acc", tuple(f[0] for f in slots))
                    for t, slots in sorted(self.acc_slots.items())]
        if self.uses_own:
            buffers.append(Buffer("own_i32", "i32", items, "own"))
        return buffers

    # ----------------------------------------------------------------- the program

    def program(self) -> Program:
        constants = self.constant_items()
        helpers = []
        for _ in range(self.int_in(0, self.config.max_helpers)):
            helpers += self.helper() + [""]
        parts = self.kernel()
        items = self.local_size * self.groups_xy[0] * self.groups_xy[1]
        buffers = self.buffers(items)
        params = [f"{b.name}: {'&' if b.role == 'in' else ''}[{b.type}]" for b in buffers]
        for name, t, _ in parts.scalars:  # scalars interleaved with buffers
            params.insert(self.int_in(0, len(params)), f"{name}: {t}")
        order = [p.split(":")[0] for p in params]
        scalars = sorted(parts.scalars, key=lambda s: order.index(s[0]))
        buffers.sort(key=lambda b: order.index(b.name))
        lines = constants + [f"const OUT_{t.upper()}: i32 = {n}" for t, n in sorted(self.out_slots.items())]
        lines += [f"const SINK_{t.upper()}: i32 = {n}" for t, n in sorted(self.sinks.items())]
        lines += [""]
        for t in sorted(self.opaque_types):
            lines += [f"fn opq_{t}(x: {t}) -> {t}:", "    return x", ""]
        if self.uses_sync_helper:
            lines += ["fn sync_all():", "    gpu.barrier()", ""]
        lines += helpers
        two_d = self.local_xy[1] > 1 or self.groups_xy[1] > 1  # a 2-D launch needs a 2-D kernel (sizes.check_launch)
        hint = f"(local_size={self.local_xy})" if two_d else f"(local_size={self.local_size})"
        if self.simd:
            lines.append(f"@simd{hint}" if parts.hinted else "@simd")
        else:
            lines.append(f"#[gpu{hint}]" if parts.hinted else "#[gpu]")
        lines.append(f"fn kernel({', '.join(params)}):")
        for name, (t, n) in [*self.shared.items(), *self.shared_atomics.items()]:
            lines.append(f"    shared val {name}: [{t}; {n}]")
        lines += [f"    {line}" for line in parts.body]
        global_size = (self.local_xy[0] * self.groups_xy[0], self.local_xy[1] * self.groups_xy[1])
        seed = self.int_in(0, 2**32 - 1)
        source = respell("\n".join(lines) + "\n", random.Random(seed))  # equivalent spellings (gen_spellings)
        return Program(source, "kernel", global_size, None if parts.hinted else self.local_xy,
                       buffers, scalars, seed)


@dataclass
class KernelParts:
    body: list[str]
    scalars: list[tuple[str, str, object]]
    hinted: bool




class Replay:
    """A `draw` that records values, then plays them back in the same order."""

    def __init__(self, draw: Callable):
        self.draw, self.values, self.replaying, self.position = draw, [], False, 0

    def __call__(self, strategy):
        if not self.replaying:
            value = self.draw(strategy)
            self.values.append(value)
            return value
        value = self.values[self.position]
        self.position += 1
        return value

    def replay(self) -> "Replay":
        self.replaying, self.position = True, 0
        return self


@st.composite
def programs(draw, config: GenConfig = GenConfig()) -> Program:
    """A random program; `.opaque_source` is the same program with opaque literals."""
    recorder = Replay(draw)
    program = SourceGen(recorder, config).program()
    program.opaque_source = SourceGen(recorder.replay(), config, opaque=True).program().source
    return program

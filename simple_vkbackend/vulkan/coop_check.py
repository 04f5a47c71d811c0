"""Checking a kernel's cooperative matrices against the shapes a device lists
(VkCooperativeMatrixPropertiesKHR, read by the runtime), before anything runs."""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import COOP_FEATURE
from simple_vkbackend.lowering.ir.walk import coop_mul_adds, coop_types_of


EXTENSION = "VK_KHR_cooperative_matrix"


def shape_list(shapes: Sequence) -> str:
    """The device's shapes for a message ('none' for an empty list)."""
    return ", ".join(str(s) for s in shapes) or "none"


def _subgroup(shapes: Iterable) -> list:
    return [s for s in shapes if s.scope == "subgroup" and not s.saturating]


def coop_problem(kernel: ir.Kernel, shapes: Sequence, features: frozenset[str], device: str,
                 withheld: Mapping[str, str] = {}) -> Optional[str]:
    """Why `kernel`'s cooperative matrices cannot run on the device (None: they can):
    the feature is missing (`withheld`: extensions the device has that the runtime does
    not use, with why), a multiply-add has no listed shape, or a matrix type appears in
    no listed shape for its use."""
    types = coop_types_of(kernel)
    if not types:
        return None
    if COOP_FEATURE not in features:
        return (f"kernel {kernel.name} uses cooperative matrices, which need the device extension "
                f"{EXTENSION} (feature {COOP_FEATURE}, SPIR-V capability CooperativeMatrixKHR); "
                f"device {device} " + (f"has it, {withheld[EXTENSION]}" if EXTENSION in withheld else "lacks it"))
    usable = _subgroup(shapes)
    listed = f"device {device} lists these shapes (MxNxK a*b+c->result): {shape_list(usable)}"
    for e in coop_mul_adds(kernel):
        a, b, c = e.a.type, e.b.type, e.c.type
        want = (a.rows, b.cols, a.cols, a.elem.name, b.elem.name, c.elem.name, e.type.elem.name)
        if not any((s.m, s.n, s.k, s.a, s.b, s.c, s.result) == want for s in usable):
            return (f"kernel {kernel.name}: the multiply-add {want[0]}x{want[1]}x{want[2]} "
                    f"{want[3]}*{want[4]}+{want[5]}->{want[6]} is not a shape the device runs; {listed}")
    for t in types:
        if not any(_fits(t, s) for s in usable):
            return f"kernel {kernel.name}: no listed shape has a matrix {t}; {listed}"
    return None


def _fits(t: ir.CoopMatrixType, s) -> bool:
    elem = t.elem.name
    if t.use == "a":
        return (t.rows, t.cols, elem) == (s.m, s.k, s.a)
    if t.use == "b":
        return (t.rows, t.cols, elem) == (s.k, s.n, s.b)
    return (t.rows, t.cols) == (s.m, s.n) and elem in (s.c, s.result)

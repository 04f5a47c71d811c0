"""Driver workarounds: which lowering detours a driver needs, by its driver id.

A quirk names a driver behaviour the lowering works around; the workaround costs
instructions, so it is emitted only for the drivers known to need it. The table is
keyed by the Vulkan driver id (VkPhysicalDeviceDriverProperties::driverID, without
the `VK_DRIVER_ID_` prefix, e.g. "MESA_LLVMPIPE" for lavapipe) and, where a driver
fixed the bug, by its version (the first number sequence of `driverInfo`, e.g.
"Mesa 22.3.6" -> (22, 3, 6)).

Code generated without a device, or for a device whose driver id is unknown (older
than Vulkan 1.2 without VK_KHR_driver_properties), assumes every quirk (`ALL_QUIRKS`):
slower but right on every driver. `Target(quirks=quirks_for("NVIDIA_PROPRIETARY"))`
names a driver explicitly.

What the Vulkan specification itself leaves undefined (OpFRem's precision, OpSRem of
negative operands, Pow of negative bases, min/max/clamp/transcendentals of NaN) is
not a quirk: it is lowered the defined way for every driver (docs/spirv_lowering.md).
Nor is NaN through the builtins IEEE 754 defines (fma, sqrt, floor, ceil, trunc,
abs): one instruction everywhere (lavapipe propagates NaN through them too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional


class Quirk(str, Enum):
    """(What enum.StrEnum is, written out: StrEnum is Python 3.11+ and 3.10 is supported.)"""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)

    # The driver's own Asin/Acos are imprecise (lavapipe: 4e-4 in f32); with it they
    # are computed as atan2 forms (the precision GLSL defines them by).
    IMPRECISE_ASIN_ACOS = "imprecise_asin_acos"
    # A comparison of an OpSConvert'ed i32 with a 64-bit constant is miscompiled
    # (lavapipe, Mesa 22.3 / LLVM 15: `(x as i64) < 5` false for every x); with it,
    # i32 -> 64-bit sign extension is (zext(x) ^ 2^31) - 2^31.
    SCONVERT_COMPARE = "sconvert_compare"


ALL_QUIRKS: frozenset[Quirk] = frozenset(Quirk)


@dataclass(frozen=True)
class QuirkRule:
    """`quirk` applies to driver `driver` at versions below `fixed_in` (all when None)."""

    driver: str
    quirk: Quirk
    why: str
    fixed_in: Optional[tuple[int, ...]] = None


QUIRK_TABLE: tuple[QuirkRule, ...] = (
    QuirkRule("MESA_LLVMPIPE", Quirk.IMPRECISE_ASIN_ACOS, "Asin/Acos off by up to 4e-4 (f32)"),
    QuirkRule("MESA_LLVMPIPE", Quirk.SCONVERT_COMPARE,
              "Mesa 22.3.6 / LLVM 15 miscompiles a compare of an OpSConvert'ed i32 with a 64-bit constant"),
)


def driver_version(driver_info: str) -> Optional[tuple[int, ...]]:
    """The first dotted number in a driverInfo string ("Mesa 22.3.6 (LLVM 15.0.6)" ->
    (22, 3, 6)); None when it has none."""
    match = re.search(r"\d+(?:\.\d+)*", driver_info or "")
    return tuple(int(p) for p in match.group(0).split(".")) if match else None


def quirks_for(driver_id: Optional[str], driver_info: str = "") -> frozenset[Quirk]:
    """The quirks of a driver; `ALL_QUIRKS` when the driver id is unknown (None)."""
    if driver_id is None:
        return ALL_QUIRKS
    version = driver_version(driver_info)
    return frozenset(r.quirk for r in QUIRK_TABLE if r.driver == driver_id and
                     (r.fixed_in is None or version is None or version < r.fixed_in))


# Loop iterations after which a driver ends a work item's loops, counted over all of
# its loops (lavapipe: Mesa gallivm's per-invocation LP_MAX_TGSI_LOOP_ITERATIONS). Not
# worked around (splitting loops cannot help): the lowering counts and the launch
# reports reaching it (Target.loop_iteration_limit, codegen/loop_budget.py).
LOOP_LIMITS: dict[str, int] = {"MESA_LLVMPIPE": 65535}


def loop_limit_for(driver_id: Optional[str]) -> Optional[int]:
    """The driver's loop-iteration limit per work item; None: it has none we know of."""
    return LOOP_LIMITS.get(driver_id) if driver_id is not None else None

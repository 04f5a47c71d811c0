"""`@bounds(default=...)` policies of `@simd` kernels, written with the IR the
lowering already knows (no new IR node): every buffer access of a `@simd`
kernel stays a checked `Index` (an index outside 0..len ends the work item);
`clamp` and `zero` first bring the index into range, so the check fires only
for an empty buffer.

    return  a[i]                      (today's checked access)
    clamp   a[clamp(i, 0, len - 1)]   reads and writes the nearest element
    zero    reads: `a[clamp(i)] if 0 <= i < len else 0`; writes: skipped when out of range
"""
from __future__ import annotations

from ..lowering import ir
from ..lowering.ir import BOOL, I32
from .check_values import type_of
from .ir_util import clone_expr


def _wide(i: ir.Expr) -> ir.Expr:
    """The index in a 64-bit type of its signedness (no value changes)."""
    t = ir.U64 if not type_of(i).is_signed else ir.I64
    return i if i.type == t else ir.Cast(t, i)


def _length(base: str, t: ir.ScalarType) -> ir.Expr:
    return ir.Cast(t, ir.Len(I32, base))


def in_range(base: str, index: ir.Expr) -> ir.Expr:
    """`0 <= index < len(base)` (the index is evaluated once per use: no effects)."""
    i = _wide(clone_expr(index))
    below = ir.Binary(BOOL, "lt", i, _length(base, type_of(i)))
    if not type_of(i).is_signed:
        return below
    return ir.Logical(BOOL, "and", ir.Binary(BOOL, "ge", clone_expr(i), ir.Const(i.type, 0)), below)


def clamped(base: str, index: ir.Expr) -> ir.Expr:
    """`index` clamped to 0..len(base) - 1 (-1 or the top value for an empty buffer,
    which the checked access then refuses)."""
    i = _wide(index)
    t = type_of(i)
    last = ir.Binary(t, "sub", _length(base, t), ir.Const(t, 1))
    top = ir.Select(t, ir.Binary(BOOL, "ge", i, _length(base, t)), last, clone_expr(i))
    if not t.is_signed:
        return top
    return ir.Select(t, ir.Binary(BOOL, "lt", clone_expr(i), ir.Const(t, 0)), ir.Const(t, 0), top)


def read(policy: str, elem: ir.ScalarType, base: str, index: ir.Expr) -> ir.Expr:
    """A checked read of `base[index]` under `policy`."""
    if policy == "clamp":
        return ir.Index(elem, base, clamped(base, index), True)
    if policy == "zero":
        value = ir.Index(elem, base, clamped(base, clone_expr(index)), True)
        return ir.Select(elem, in_range(base, index), value, ir.Const(elem, 0.0 if elem.is_float else 0))
    return ir.Index(elem, base, index, True)


def write_index(policy: str, base: str, index: ir.Expr) -> ir.Expr:
    """The index a write under `policy` stores to (`zero` guards it with `in_range`)."""
    return clamped(base, index) if policy in ("clamp", "zero") else index


# --------------------------------------------------------------------------- trap

def _u32(e: ir.Expr) -> ir.Expr:
    return e if e.type == ir.U32 else ir.Cast(ir.U32, e)


def _narrow_in_range(base: str, i: ir.Expr) -> ir.Expr:
    """`0 <= i < len(base)` in the index's own type when it has 32 bits or more (no
    64-bit arithmetic for a 32-bit index, so the debug mode needs no Int64)."""
    if type_of(i).bits < 32:
        i = ir.Cast(I32 if type_of(i).is_signed else ir.U32, i)
    if type_of(i).bits == 64:
        return in_range(base, i)
    below = ir.Binary(BOOL, "lt", i, _length(base, type_of(i)))
    if not type_of(i).is_signed:
        return below
    return ir.Logical(BOOL, "and", ir.Binary(BOOL, "ge", clone_expr(i), ir.Const(i.type, 0)), below)


def _words(index: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
    """The index's low and high 32-bit words (sign-extended to 64 bits)."""
    t = type_of(index)
    if t.bits == 64:
        return _u32(clone_expr(index)), _u32(ir.Binary(t, "shr", clone_expr(index), ir.Const(t, 32)))
    if not t.is_signed:
        return _u32(clone_expr(index)), ir.Const(ir.U32, 0)
    wide = index if t == I32 else ir.Cast(I32, clone_expr(index))
    return _u32(clone_expr(wide)), _u32(ir.Binary(I32, "shr", clone_expr(wide), ir.Const(I32, 31)))


def recorded(base: str, index: ir.Expr, site: int) -> ir.Expr:
    """A bool expression that records the out-of-range access `base[index]` in the
    hidden buffer (the first writer wins word 0 with a compare-exchange and then
    fills the index and length words); its value carries no meaning."""
    trap = ir.TRAP_PARAM

    def word(n: int, value: ir.Expr) -> ir.Expr:
        return ir.Atomic(ir.U32, "exchange", trap, ir.Const(I32, n), [value])

    claim = ir.Atomic(ir.U32, "compare_exchange", trap, ir.Const(I32, 0),
                      [ir.Const(ir.U32, 0), ir.Const(ir.U32, site + 1)])
    low, high = _words(index)
    length = _u32(ir.Len(I32, base))
    fill = ir.Binary(ir.U32, "bitor", ir.Binary(ir.U32, "bitor", word(1, low), word(2, high)), word(3, length))
    won = ir.Binary(BOOL, "eq", claim, ir.Const(ir.U32, 0))
    record = ir.Select(ir.U32, won, fill, ir.Const(ir.U32, 0))
    return ir.Binary(BOOL, "eq", record, ir.Const(ir.U32, 0))


def trap_index(base: str, index: ir.Expr, site: int) -> ir.Expr:
    """The index of a trapping access `base[index]` (to be used in a checked `Index`):
    in range it is `index`; out of range the work item first records the site, then
    the checked access ends it:

        select(in_range, index, select(record() == 0, index, index))
    """
    out_of_range = ir.Select(index.type, recorded(base, index, site), clone_expr(index), clone_expr(index))
    return ir.Select(index.type, _narrow_in_range(base, clone_expr(index)), clone_expr(index), out_of_range)


def trap_atomic(atomic: ir.Atomic, site: int) -> ir.Expr:
    """A trapping atomic: `select(in_range, atomic, select(record() == 0, 0, 0))`. The
    atomic runs only in range; out of range it records the site and gives 0 (the
    launch then fails with the trap)."""
    zero = ir.Const(atomic.type, 0.0 if type_of(atomic).is_float else 0)
    out_of_range = ir.Select(atomic.type, recorded(atomic.base, atomic.index, site), zero,
                             ir.Const(atomic.type, zero.value))
    return ir.Select(atomic.type, _narrow_in_range(atomic.base, clone_expr(atomic.index)), atomic, out_of_range)


class TrapSites:
    """The trap sites of one kernel being checked: `index` gives the index of a
    checked trapping access and adds its site. `buffers`: buffer accesses trap;
    `arrays`: shared and private array accesses trap (the debug option);
    `explicit`: `@bounds(default=trap)` (an index with effects is refused rather
    than left as an ordinary access)."""

    def __init__(self, filename: str, buffers: bool, arrays: bool, explicit: bool):
        self.filename, self.buffers, self.arrays, self.explicit = filename, buffers, arrays, explicit
        self.sites: list[ir.TrapSite] = []

    def covers(self, kind_is_buffer: bool, index: ir.Expr) -> bool:
        """Whether an access traps (an array index that is a constant has been
        checked by the front end already)."""
        if kind_is_buffer:
            return self.buffers
        return self.arrays and not isinstance(index, ir.Const)

    def index(self, base: str, name: str, index: ir.Expr, span) -> ir.Expr:
        """The index of a trapping access (for a checked `Index`); adds its site."""
        return trap_index(base, index, self.add(name, index, span))

    def atomic(self, atomic: ir.Atomic, name: str, span) -> ir.Expr:
        """A trapping atomic (its element must be in range); adds its site."""
        return trap_atomic(atomic, self.add(name, atomic.index, span))

    def add(self, name: str, index: ir.Expr, span) -> int:
        self.sites.append(ir.TrapSite(name, f"{self.filename}:{span.line}:{span.col}", type_of(index).is_signed))
        return len(self.sites) - 1


def effect_statements(e: ir.Expr) -> list[ir.Stmt]:
    """Statements with the effects of evaluating `e` and dropping its value (the
    statement form of a trapping atomic: `select` becomes `if`, an operator its
    operands in order; an expression statement must be a call, builtin or atomic)."""
    if isinstance(e, (ir.Atomic, ir.Call, ir.Builtin)):
        return [ir.ExprStmt(e)]
    if isinstance(e, ir.Select):
        return [ir.If(e.cond, ir.Block(effect_statements(e.then)), ir.Block(effect_statements(e.otherwise)))]
    if isinstance(e, ir.Binary):
        return effect_statements(e.lhs) + effect_statements(e.rhs)
    if isinstance(e, ir.Cast):
        return effect_statements(e.value)
    return []  # no effects: the trap's structures have them only in the forms above

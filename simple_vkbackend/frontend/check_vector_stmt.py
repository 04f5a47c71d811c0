"""Statements with vectors: declarations `val v = <vector>` / `var v: vec[N, T]`,
assignments to a vector or one of its elements, and stores `v.store(buf, i * N)`.
The function checker (check_stmt.FunctionChecker) hands them here; each method
returns whether the statement was a vector one (and then handled)."""
from __future__ import annotations

from typing import Optional, Protocol

from ..lowering import ir
from . import ast
from .check_vector import VecValue, VectorExprs, VectorHost, declare_vector, lanes_assignments, load_type_node
from .scope import ERROR, Binding, NameAllocator, Scope
from .types import zero
from .vector_types import LANE_NAMES, VECTOR, VectorSlots, VectorType

class StatementHost(Protocol):
    """What vector statements use of the function checker (check_stmt.FunctionChecker)."""

    alloc: NameAllocator
    locals: list[ir.Local]
    scope: Scope
    mutable_names: set[str]

    @property
    def exprs(self) -> VectorHost: ...

    def error(self, message: str, span, hint: Optional[str] = None) -> None: ...

    def lookup(self, name: str) -> Optional[Binding]: ...

    def bindable(self, name: str, span) -> bool: ...

    def bind_error(self, name: str, span) -> None: ...

    def assigned_value(self, s: ast.Assign, current: Optional[ir.Expr], t: ir.ScalarType) -> Optional[ir.Expr]: ...


class VectorStatements:
    def __init__(self, fc: StatementHost):
        self.fc = fc

    def new_local(self, base: str, t: ir.ScalarType) -> str:
        name = self.fc.alloc.fresh(base)
        self.fc.locals.append(ir.Local(name, t))
        return name

    def exprs(self, out: list) -> VectorExprs:
        return VectorExprs(self.fc.exprs, out, self.new_local)

    # ------------------------------------------------------------------ declarations

    def let(self, s: ast.Let, out: list) -> bool:
        """`val v = <vector>`, `var v: vec[N, T] [= <vector>]`."""
        vx = self.exprs(out)
        if not isinstance(s.type, ast.VectorTypeExpr) and (s.type is not None or s.value is None
                                                            or not vx.is_vector(s.value)):
            return False  # a scalar declaration (a vector value for it is reported there)
        want = self.declared_type(s.type, vx) if isinstance(s.type, ast.VectorTypeExpr) else None
        if isinstance(s.type, ast.VectorTypeExpr) and want is None:  # (reported)
            self.fc.bind_error(s.name, s.name_span)
            return True
        if load_type_node(s.value) is not None:
            return self.let_load(s, want, vx)
        value = self.value(s, want, vx)
        if value is None:
            self.fc.bind_error(s.name, s.name_span)
            return True
        self.declare(s.name, s.name_span, value, s.mutable, out)
        return True

    def let_load(self, s: ast.Let, want: Optional[VectorType], vx: VectorExprs) -> bool:
        """`val v = vec[N, T].load(...)`: loaded straight into v's locals."""
        type_node = load_type_node(s.value)
        assert type_node is not None and isinstance(s.value, ast.Call)
        t = vx.type_form(type_node)
        if t is not None and want is not None and t != want:
            self.fc.error(f"mismatched types: expected `{want}` for `{s.name}`, found `{t}`", s.value.span)
            t = None
        if t is None:
            self.fc.bind_error(s.name, s.name_span)
            return True
        slots = declare_vector(self.new_local, s.name, t)
        if vx.load(t, s.value, into=slots.lanes) is None:
            self.fc.bind_error(s.name, s.name_span)
            return True
        if s.mutable:
            self.fc.mutable_names.update(slots.lanes)
        self.fc.scope.define(s.name, Binding(VECTOR, slots.lanes[0], slots, s.mutable, s.name_span))
        return True

    def declared_type(self, t: ast.VectorTypeExpr, vx: VectorExprs) -> Optional[VectorType]:
        elem = self.fc.exprs.scalar(t.elem)
        return None if elem is None else vx.vector_type(t.count, elem, t.elem.span, t.span)

    def value(self, s: ast.Let, want: Optional[VectorType], vx: VectorExprs) -> Optional[VecValue]:
        if s.value is None:
            if want is None:
                return None
            if not s.mutable:
                self.fc.error(f"immutable binding `{s.name}` needs a value", s.span,
                              f"write `val {s.name}: {want} = ...`, or `var {s.name}: {want}` for a zeroed vector")
                return None
            return VecValue(want, [ir.Const(want.elem, zero(want.elem)) for _ in range(want.count)])
        v = vx.vector(s.value, want)
        if v is not None and want is not None and v.type != want:
            self.fc.error(f"mismatched types: expected `{want}` for `{s.name}`, found `{v.type}`", s.value.span,
                          "convert the elements one by one")
            return None
        return v

    def declare(self, name: str, span, value: VecValue, mutable: bool, out: list) -> None:
        slots = declare_vector(self.new_local, name, value.type)
        if mutable:
            self.fc.mutable_names.update(slots.lanes)
        self.fc.scope.define(name, Binding(VECTOR, slots.lanes[0], slots, mutable, span))
        out.extend(lanes_assignments(slots, value.lanes, self.new_local))

    # ------------------------------------------------------------------ assignments

    def assign(self, s: ast.Assign, out: list) -> bool:
        """`v = <vector>`, `v op= <vector or scalar>`, `v.x = e`, `v[0] op= e`, and
        `w = <vector>` declaring `w`."""
        target = s.target
        vx = self.exprs(out)
        if isinstance(target, ast.Name):
            b = self.fc.lookup(target.id)
            if b is None and s.op == "=" and vx.is_vector(s.value):
                if self.fc.bindable(target.id, target.span):
                    value = vx.vector(s.value)
                    if value is None:
                        self.fc.bind_error(target.id, target.span)
                    else:
                        self.declare(target.id, target.span, value, True, out)
                return True
            if b is None or b.kind != VECTOR:
                return False
            return self.assign_whole(s, target, b, vx, out)
        if isinstance(target, (ast.Attribute, ast.Index)) and vx.binding(target.obj) is not None:
            b = vx.binding(target.obj)
            assert b is not None
            return self.assign_element(s, target, b, vx, out)
        return False

    def writable(self, b: Binding, name: str, span) -> bool:
        if not b.mutable:
            self.fc.error(f"cannot assign twice to immutable binding `{name}`", span,
                          f"declare it with `var {name}` to make it mutable")
            return False
        return True

    def assign_whole(self, s: ast.Assign, target: ast.Name, b: Binding, vx: VectorExprs, out: list) -> bool:
        slots = b.type
        assert isinstance(slots, VectorSlots)
        if not self.writable(b, target.id, target.span):
            return True
        t = slots.type
        value_node = s.value if s.op == "=" else ast.Binary(s.op, target, s.value, s.span, s.span)
        v = vx.vector(value_node, t)
        if v is None:
            return True
        if v.type != t:
            self.fc.error(f"mismatched types: expected `{t}` in the assignment to `{target.id}`, found `{v.type}`",
                          s.value.span, "convert the elements one by one")
            return True
        out.extend(lanes_assignments(slots, v.lanes, self.new_local))
        return True

    def assign_element(self, s: ast.Assign, target, b: Binding, vx: VectorExprs, out: list) -> bool:
        slots = b.type
        assert isinstance(slots, VectorSlots)
        name = target.obj.id
        if not self.writable(b, name, target.span):
            return True
        if isinstance(target, ast.Attribute):
            if target.name not in LANE_NAMES[:slots.type.count]:
                vx.lane_attribute(target)  # reports it
                return True
            j = LANE_NAMES.index(target.name)
        else:
            i = vx.constant_index(target.index)
            if i is None:
                return True
            if not 0 <= i < slots.type.count:
                self.fc.error(f"`{slots.type}` has no element {i}", target.index.span,
                              f"its elements are 0 to {slots.type.count - 1}")
                return True
            j = i
        elem = slots.type.elem
        lane = ir.Var(elem, slots.lanes[j])
        value = self.fc.assigned_value(s, lane if s.op != "=" else None, elem)
        if value is not None:
            out.append(ir.Assign(ir.Var(elem, slots.lanes[j]), value))
        return True

    # ------------------------------------------------------------------ stores

    def store(self, node, out: list) -> bool:
        """`<vector>.store(buf, i * N)`."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.name == "store"):
            return False
        vx = self.exprs(out)
        if not vx.is_vector(node.func.obj):
            b = self.fc.lookup(node.func.obj.id) if isinstance(node.func.obj, ast.Name) else None
            if b is not None and b.kind == ERROR:
                return True
            return False
        vx.store(node.func.obj, node.args, node)
        return True


"""Array declarations of a function body: shared arrays (`shared val a: [T; n]`,
`gpu.shared_memory<T>(n)`, kernels only) and private arrays, with their element type,
length and size checked against the memory they live in. A base of FunctionChecker."""
from __future__ import annotations

from typing import Optional

from ..lowering import ir
from ..lowering.ir import BOOL, I32
from ..lowering.ir.limits import (PRIVATE_MEMORY_PER_ITEM, U32_MAX, array_bytes, private_bytes, shared_bytes,
                                   show_bytes)
from . import ast
from .check_expr import ExprChecker
from .context import FnSig
from .scope import PRIVATE, SHARED, Binding, NameAllocator, Scope
from .source import Span
from .types import zero


class ArrayDeclarations:
    """The array part of FunctionChecker (which provides the state and `error`)."""

    exprs: ExprChecker
    sig: FnSig
    fn: ast.FnDef
    alloc: NameAllocator
    scope: Scope
    locals: list[ir.Local]
    shared: list[ir.SharedArray]
    loops: int

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        raise NotImplementedError

    def bind_error(self, name: str, span: Span) -> None:
        raise NotImplementedError

    def elem_type(self, tnode) -> Optional[ir.ScalarType]:
        t = self.exprs.scalar(tnode)
        if t is not None and t.is_bool:
            self.error("array elements must be numbers, not `bool`", tnode.span, "use `u8` or `i32` flags")
            return None
        return t

    def array_length(self, node: ast.Expr) -> Optional[int]:
        n = self.exprs.constant_int(node, "an array length")
        if n is not None and n <= 0:
            self.error(f"an array length must be positive, found {n}", node.span)
            return None
        if n is not None and n > U32_MAX:
            self.error(f"an array length must fit in 32 bits, found {n} (more than {U32_MAX})", node.span)
            return None
        return n

    def array_fits(self, what: str, name: str, t: ir.ArrayType, span, used: int, limit: int, room: str) -> bool:
        """Whether array `name` of type `t` fits next to `used` bytes under `limit`;
        else an error naming the function, the array, its size and the limit."""
        if used + array_bytes(t) <= limit:
            return True
        fn = f"{'kernel' if self.sig.is_kernel else 'helper'} `{self.fn.name}`"
        others = f" (with {show_bytes(used)} of other {what} arrays)" if used else ""
        self.error(f"{what} array `{name}` of {fn} takes {show_bytes(array_bytes(t))}{others}, more than "
                   f"the {show_bytes(limit)} {room}", span,
                   "keep large data in a buffer" + (" or in shared memory" if what == "private" else ""))
        return False

    def shared_decl(self, s: ast.Let) -> None:
        if not self.kernel_only(s):
            return
        if not isinstance(s.type, ast.ArrayTypeExpr):
            self.error("a shared declaration needs an array type", s.span,
                       f"write `shared val {s.name}: [f32; 256]`")
            return self.bind_error(s.name, s.name_span)
        self.declare_shared(s, self.elem_type(s.type.elem), self.array_length(s.type.length))

    def shared_memory_decl(self, s: ast.Let) -> None:
        call = s.value
        assert isinstance(call, ast.Call)  # (_is_shared_memory)
        if not self.kernel_only(s):
            return
        if s.type is not None:
            self.error("`gpu.shared_memory<T>(n)` already gives the type; drop the annotation", s.type.span)
        targ = call.type_args[0]
        elem = self.elem_type(targ) if isinstance(targ, ast.TypeName) else None
        if not isinstance(targ, ast.TypeName):
            self.error("the element type of shared memory must be a scalar type", targ.span)
        if len(call.args) != 1:
            self.error(f"`gpu.shared_memory<T>(n)` takes 1 argument (the length), got {len(call.args)}", call.span)
            return self.bind_error(s.name, s.name_span)
        self.declare_shared(s, elem, self.array_length(call.args[0]))

    def kernel_only(self, s: ast.Let) -> bool:
        if not self.sig.is_kernel:
            self.error("shared arrays are only allowed in kernels", s.span)
            self.bind_error(s.name, s.name_span)
        return self.sig.is_kernel

    def declare_shared(self, s: ast.Let, elem, length) -> None:
        if elem is None or length is None:
            return self.bind_error(s.name, s.name_span)
        t = ir.ArrayType(elem, length, "shared")
        if not self.array_fits("shared", s.name, t, s.span, shared_bytes(self.shared), U32_MAX,
                               "a work-group's shared memory can address"):
            return self.bind_error(s.name, s.name_span)
        ir_name = self.alloc.fresh(s.name)
        self.shared.append(ir.SharedArray(ir_name, t))
        self.scope.define(s.name, Binding(SHARED, ir_name, t, True, s.name_span))

    def private_array(self, s: ast.Let, out: list) -> None:
        if s.value is not None:
            self.error("array initializers are not supported", s.value.span,
                       "private arrays start zeroed; assign their elements afterwards")
        assert isinstance(s.type, ast.ArrayTypeExpr)  # (let)
        elem, length = self.elem_type(s.type.elem), self.array_length(s.type.length)
        if elem is None or length is None:
            return self.bind_error(s.name, s.name_span)
        t = ir.ArrayType(elem, length, "private")
        if not self.array_fits("private", s.name, t, s.span, private_bytes(self.locals), PRIVATE_MEMORY_PER_ITEM,
                               "of private memory a work item may use"):
            return self.bind_error(s.name, s.name_span)
        ir_name = self.alloc.fresh(s.name)
        self.locals.append(ir.Local(ir_name, t))
        self.scope.define(s.name, Binding(PRIVATE, ir_name, t, s.mutable, s.name_span))
        if self.loops:
            out.extend(self.zero_array(ir_name, t))

    def zero_array(self, name: str, t: ir.ArrayType) -> list[ir.Stmt]:
        """Statements that zero a private array (one declared inside a loop body)."""
        i = self.alloc.fresh(f"{name}_i")
        self.locals.append(ir.Local(i, I32))
        counter = ir.Var(I32, i)
        store = ir.Assign(ir.Index(t.elem, name, ir.Var(I32, i)), ir.Const(t.elem, zero(t.elem)))
        step = ir.Assign(ir.Var(I32, i), ir.Binary(I32, "add", ir.Var(I32, i), ir.Const(I32, 1)))
        cond = ir.Binary(BOOL, "lt", counter, ir.Const(I32, t.length))
        return [ir.Assign(ir.Var(I32, i), ir.Const(I32, 0)), ir.Loop(cond, ir.Block([store]), ir.Block([step]))]

"""A slow, simple reference interpreter of the kernel IR, for the front-end tests.

It runs each work item as a Python generator that pauses at `gpu.barrier()`, and
steps all items of a work-group in turn, so barriers, shared memory and atomics
behave as on a GPU. Floats use numpy scalars of the exact type (correct IEEE
rounding per operation); integers are Python ints wrapped to their type.
An unchecked out-of-bounds index or a division by zero raises: in a fixture
that is a bug. It is not the software backend: it is only the front end's
independent check that fixture kernels and their numpy references agree.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from simple_vkbackend.frontend.consteval import int_pow, trunc_div, trunc_rem
from simple_vkbackend.frontend.types import convert_constant, wrap_int
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import DEFAULT_LOCAL_SIZES

DTYPES = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
          "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
          "f32": np.float32, "f64": np.float64}


class EvalError(Exception):
    pass


class _Return(Exception):
    def __init__(self, value=None):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def value_of(t: ir.ScalarType, v):
    """A Python/numpy value of type t."""
    if t.is_bool:
        return bool(v)
    if t.is_float:
        return DTYPES[t.name](v)
    return wrap_int(int(v), t)


def _round_half_away(x):
    r = np.trunc(x)
    if abs(x - r) >= 0.5:
        r = r + np.sign(x)
    return type(x)(r)


def _smoothstep(e0, e1, x):
    t = min(max((x - e0) / (e1 - e0), type(x)(0)), type(x)(1))
    return t * t * (type(x)(3) - type(x)(2) * t)


MATH = {
    "sqrt": np.sqrt, "rsqrt": lambda x: type(x)(1) / np.sqrt(x), "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "atan2": np.arctan2,
    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "exp": np.exp, "exp2": np.exp2,
    "log": np.log, "log2": np.log2, "pow": np.power, "floor": np.floor, "ceil": np.ceil,
    "round": _round_half_away, "trunc": np.trunc, "fract": lambda x: x - np.floor(x),
    "fma": lambda a, b, c: type(a)(float(a) * float(b) + float(c)),
    "mix": lambda a, b, t: a * (type(t)(1) - t) + b * t,
    "step": lambda e, x: type(x)(0) if x < e else type(x)(1), "smoothstep": _smoothstep,
    "isnan": lambda x: bool(np.isnan(x)), "isinf": lambda x: bool(np.isinf(x)),
}


def _int_math(name, t, args):
    if name == "abs":
        return wrap_int(abs(args[0]), t)
    if name == "sign":
        return (args[0] > 0) - (args[0] < 0)
    if name == "min":
        return min(args)
    if name == "max":
        return max(args)
    if name == "clamp":
        return min(max(args[0], args[1]), args[2])
    raise EvalError(f"math {name} on integers")


def _float_math(name, args):
    if name == "abs":
        return abs(args[0])
    if name == "sign":
        return type(args[0])(np.sign(args[0]))
    if name == "min":
        return min(args[0], args[1])
    if name == "max":
        return max(args[0], args[1])
    if name == "clamp":
        return min(max(args[0], args[1]), args[2])
    with np.errstate(all="ignore"):
        return MATH[name](*args)


class Interpreter:
    def __init__(self, module: ir.Module):
        self.module = module
        self.constants = {c.name: value_of(c.type, c.value) for c in module.constants}
        self.functions = {f.name: f for f in module.functions}

    def run(self, kernel_name: str, args: dict, global_size, local_size=None) -> dict:
        """Run the kernel; returns the buffers (copies of the numpy inputs) by name."""
        k = self.module.kernel(kernel_name)
        gsize = tuple(global_size) + (1,) * (3 - len(global_size))
        lsize = tuple(local_size or k.local_size or DEFAULT_LOCAL_SIZES[k.dims])
        lsize = lsize + (1,) * (3 - len(lsize))
        groups = tuple(-(-g // l) for g, l in zip(gsize, lsize))
        self.buffers, scalars = {}, {}
        for p in k.params:
            if isinstance(p.type, ir.BufferType):
                self.buffers[p.name] = np.array(args[p.name], dtype=DTYPES[p.type.elem.name])
            else:
                scalars[p.name] = value_of(p.type, args[p.name])
        for group in itertools.product(*(range(n) for n in reversed(groups))):
            self.run_group(k, tuple(reversed(group)), lsize, groups, scalars)
        return self.buffers

    def run_group(self, k, group, lsize, groups, scalars):
        self.shared = {s.name: np.zeros(s.type.length, DTYPES[s.type.elem.name]) for s in k.shared}
        items = []
        for lid in itertools.product(*(range(n) for n in reversed(lsize))):
            lid = tuple(reversed(lid))
            ids = {"local_id": lid, "group_id": group, "local_size": lsize, "num_groups": groups,
                   "global_id": tuple(g * l + i for g, l, i in zip(group, lsize, lid)),
                   "global_size": tuple(g * l for g, l in zip(groups, lsize))}
            env = dict(scalars)
            env.update(self.fresh_locals(k.locals))
            items.append(self.item(k.body, env, ids))
        while items:
            items = [g for g in items if next(g, StopIteration) is not StopIteration]

    def fresh_locals(self, locals_):
        env = {}
        for loc in locals_:
            t = loc.type
            env[loc.name] = (np.zeros(t.length, DTYPES[t.elem.name]) if isinstance(t, ir.ArrayType)
                             else value_of(t, 0))
        return env

    def item(self, body, env, ids):
        self.ids = ids
        try:
            gen = self.block(body, env)
            while True:
                try:
                    next(gen)
                except StopIteration:
                    return
                yield
                self.ids = ids
        except _Return:
            return

    # ------------------------------------------------------------------ statements

    def block(self, block, env):
        for s in block.stmts:
            t = type(s)
            if t is ir.Assign:
                self.assign(s, env)
            elif t is ir.ExprStmt:
                e = s.expr
                if isinstance(e, ir.Builtin) and e.name == "barrier":
                    yield
                elif isinstance(e, ir.Call):
                    yield from self.call_gen(e, env)
                else:
                    self.eval(e, env)
            elif t is ir.If:
                yield from self.block(s.then if self.eval(s.cond, env) else s.otherwise, env)
            elif t is ir.Loop:
                yield from self.loop(s, env)
            elif t is ir.Return:
                raise _Return(None if s.value is None else self.eval(s.value, env))
            elif t is ir.Break:
                raise _Break()
            elif t is ir.Continue:
                raise _Continue()
            else:
                raise EvalError(f"unknown statement {s}")

    def loop(self, s, env):
        while s.cond is None or self.eval(s.cond, env):
            try:
                yield from self.block(s.body, env)
            except _Break:
                return
            except _Continue:
                pass
            yield from self.block(s.step, env)

    def assign(self, s, env):
        value = self.eval(s.value, env)
        target = s.target
        if isinstance(target, ir.Var):
            env[target.name] = value
            return
        arr, i = self.element(target, env)
        arr[i] = value

    def element(self, e, env):
        arr = self.array(e.base, env)
        i = self.eval(e.index, env)
        if not 0 <= i < len(arr):
            if getattr(e, "checked", False):
                raise _Return()
            raise EvalError(f"index {i} out of bounds of {e.base} (length {len(arr)})")
        return arr, i

    def array(self, name, env):
        a = env.get(name)
        if isinstance(a, np.ndarray):
            return a
        return self.shared[name] if name in self.shared else self.buffers[name]

    def call_gen(self, e, env):
        f = self.functions[e.func]
        callee = self.fresh_locals(f.locals)
        for p, a in zip(f.params, e.args):
            callee[p.name] = self.eval(a, env)
        try:
            yield from self.block(f.body, callee)
        except _Return as r:
            return r.value
        return None

    # ------------------------------------------------------------------ expressions

    def eval(self, e, env):
        t = type(e)
        if t is ir.Const:
            return value_of(e.type, e.value)
        if t is ir.Var:
            return env[e.name] if e.name in env else self.constants[e.name]
        if t is ir.Index:
            arr, i = self.element(e, env)
            return value_of(e.type, arr[i])
        if t is ir.Binary:
            return self.binary(e, env)
        if t is ir.Logical:
            lhs = self.eval(e.lhs, env)
            if (e.op == "and") != lhs:
                return lhs
            return self.eval(e.rhs, env)
        if t is ir.Unary:
            v = self.eval(e.operand, env)
            if e.op == "not":
                return not v
            if e.op == "bitnot":
                return wrap_int(~v, e.type)
            return -v if e.type.is_float else wrap_int(-v, e.type)
        if t is ir.Select:
            return self.eval(e.then if self.eval(e.cond, env) else e.otherwise, env)
        if t is ir.Cast:
            v = self.eval(e.value, env)
            if isinstance(v, np.floating) and e.type.is_int:
                if not math.isfinite(v):
                    raise EvalError("cast of a non-finite float to an integer")
            return value_of(e.type, convert_constant(v.item() if isinstance(v, np.generic) else v, e.type))
        if t is ir.Len:
            return len(self.array(e.base, env))
        if t is ir.Builtin:
            return self.builtin(e, env)
        if t is ir.Atomic:
            return self.atomic(e, env)
        if t is ir.Call:
            gen = self.call_gen(e, env)
            try:
                while True:
                    next(gen)
                    raise EvalError("barrier inside an expression")
            except StopIteration as stop:
                return stop.value
        raise EvalError(f"unknown expression {e}")

    def binary(self, e, env):
        a = self.eval(e.lhs, env)
        b = self.eval(e.rhs, env)
        op, t = e.op, e.lhs.type
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
        if t.is_float:
            with np.errstate(all="ignore"):
                if op == "div":
                    return a / b
                if op == "rem":
                    return np.fmod(a, b)
                if op == "pow":
                    return np.power(a, b)
                return {"add": a + b, "sub": a - b, "mul": a * b}[op]
        if op in ("div", "rem") and b == 0:
            raise EvalError("integer division by zero")
        if op in ("shl", "shr"):
            b %= t.bits
            return wrap_int(a << b if op == "shl" else a >> b, t)
        fn = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
              "div": lambda: trunc_div(a, b), "rem": lambda: trunc_rem(a, b),
              "pow": lambda: int_pow(a, b, None), "bitand": lambda: a & b,
              "bitor": lambda: a | b, "bitxor": lambda: a ^ b}[op]
        return wrap_int(fn(), t)

    def builtin(self, e, env):
        if e.name in ir.ID_BUILTINS:
            return self.ids[e.name][e.dim]
        if e.name == "mem_fence":
            return None
        args = [self.eval(a, env) for a in e.args]
        t = e.args[0].type
        if t.is_int:
            return wrap_int(_int_math(e.name, t, args), t)
        return _float_math(e.name, args)

    def atomic(self, e, env):
        arr, i = self.element(e, env)
        args = [self.eval(a, env) for a in e.args]
        old = value_of(e.type, arr[i])
        v = args[0]
        if e.op == "compare_exchange":
            new = args[1] if old == args[0] else old
        else:
            new = {"add": lambda: old + v, "sub": lambda: old - v, "min": lambda: min(old, v),
                   "max": lambda: max(old, v), "and": lambda: old & v, "or": lambda: old | v,
                   "xor": lambda: old ^ v, "exchange": lambda: v}[e.op]()
        arr[i] = new if e.type.is_float else wrap_int(new, e.type)
        return old

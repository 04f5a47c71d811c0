"""Statement generation of the random Simple kernel generator: `StmtGen` adds
blocks, assignments, control flow, sinks, atomics and private-array stores, and
the constants, helper functions and local declarations they use."""
from __future__ import annotations

from gen_expr import ExprGen, Helper, Scope
from gen_values import ATOMIC_FAMILIES, ATOMIC_TYPES, FLOATS, INT_COMPOUND, POSITIVE_MATH, SINK_MATH, bits


class StmtGen(ExprGen):
    """Statements and items on top of `ExprGen`; `SourceGen` assembles the kernel."""

    # ----------------------------------------------------------------- statements

    def block(self, scope: Scope, depth: int, indent: int) -> list[str]:
        lines: list[str] = []
        for _ in range(self.int_in(1, self.config.max_stmts)):
            lines += self.statement(scope, depth, indent)
        return lines

    def statement(self, scope: Scope, depth: int, indent: int) -> list[str]:
        pad = "    " * indent
        kinds = ["assign", "assign", "compound"]
        if depth > 0:
            kinds += ["if", "for", "while"]
        if scope.in_loop:
            kinds += ["break", "continue"]
        if scope.allow_return:
            kinds += ["return"]
        if scope.is_kernel:
            kinds += ["sink"] * self.config.sinks + ["atomic", "own"] * self.config.atomics
            kinds += ["store"] * bool(self.private)
        kind = self.pick(kinds)
        if kind in ("assign", "compound") and not scope.mutable:
            kind = "if" if depth > 0 else "return" if scope.allow_return else "pass"
        return getattr(self, f"stmt_{kind}")(scope, depth, pad, indent)

    def stmt_pass(self, scope, depth, pad, indent):
        return [f"{pad}pass"]

    def stmt_assign(self, scope, depth, pad, indent):
        name = self.pick(list(scope.mutable))
        return [f"{pad}{name} = {self.expr(scope.mutable[name], scope, self.config.max_expr_depth)}"]

    def stmt_compound(self, scope, depth, pad, indent):
        name = self.pick(list(scope.mutable))
        t = scope.mutable[name]
        if t == "bool":
            return self.stmt_assign(scope, depth, pad, indent)
        if t in FLOATS:  # clamped, so not as a compound assignment
            return [f"{pad}{name} = {self.binary(t, scope, 2)}"]
        op = self.pick(INT_COMPOUND)
        if op in ("/=", "%="):
            value = self.divisor(t, scope, 2)
        elif op in ("<<=", ">>="):
            value = self.literal_text("u32", self.int_in(0, bits(t) - 1))
        else:
            value = self.operand(t, scope, 2)
        return [f"{pad}{name} {op} {value}"]

    def stmt_if(self, scope, depth, pad, indent):
        branch = scope.child(uniform=False)
        lines = [f"{pad}if {self.expr('bool', scope, 2)}:"] + self.block(branch.child(), depth - 1, indent + 1)
        for _ in range(self.int_in(0, 2)):
            lines += [f"{pad}elif {self.expr('bool', branch, 2)}:"] + self.block(branch.child(), depth - 1, indent + 1)
        if self.chance(50):
            lines += [f"{pad}else:"] + self.block(branch.child(), depth - 1, indent + 1)
        return lines

    def stmt_for(self, scope, depth, pad, indent):
        var = self.fresh("k")
        lo = f"(({self.expr('i32', scope, 1)}) & 3)" if self.chance(50) else self.literal("i32", self.int_in(0, 3))
        hi = f"(({self.expr('i32', scope, 1)}) & 7)" if self.chance(60) else self.literal("i32", self.int_in(0, 7))
        form = self.int_in(0, 3)
        if form == 0:
            head = f"for {var} in range({hi}):"
        elif form == 1:
            head = f"for {var} in range({lo}, {hi}):"
        elif form == 2:
            step = self.pick([1, 2, 3, -1, -2])
            a, b = (lo, hi) if step > 0 else (hi, lo)
            head = f"for {var} in range({a}, {b}, {step}):"
        else:
            head = f"for {var} in {lo}..{hi}:"
        inner = scope.child(in_loop=True, uniform=False)
        inner.vars[var] = "i32"
        return [f"{pad}{head}"] + self.block(inner, depth - 1, indent + 1)

    def stmt_while(self, scope, depth, pad, indent):
        counter = self.fresh("w")
        trips = self.int_in(1, 6)
        inner = scope.child(in_loop=True, uniform=False)
        cond = f"{counter} < {trips}" + (f" and {self.expr('bool', inner, 2)}" if self.chance(70) else "")
        inner.vars[counter] = "i32"
        body = self.block(inner, depth - 1, indent + 1)
        return [f"{pad}var {counter}: i32 = 0", f"{pad}while {cond}:", f"{pad}    {counter} += 1"] + body

    def stmt_break(self, scope, depth, pad, indent):
        return self.guarded(scope, pad, "break")

    def stmt_continue(self, scope, depth, pad, indent):
        return self.guarded(scope, pad, "continue")

    def guarded(self, scope, pad, what: str) -> list[str]:
        if self.chance(80):
            return [f"{pad}if {self.expr('bool', scope, 2)}:", f"{pad}    {what}"]
        return [f"{pad}{what}"]

    def stmt_return(self, scope, depth, pad, indent):
        if scope.is_kernel:
            body = [f"{pad}    {line}" for line in self.flush] + [f"{pad}    return"]
        else:
            body = [f"{pad}    return {self.expr(scope.ret, scope, 2)}"]
        if self.chance(85):
            return [f"{pad}if {self.expr('bool', scope, 2)}:"] + body
        return [line[4:] for line in body]

    def stmt_store(self, scope, depth, pad, indent):
        name = self.pick(list(self.private))
        t, length = self.private[name]
        return [f"{pad}{name}[{self.index(scope, length)}] = {self.expr(t, scope, 2)}"]

    def stmt_sink(self, scope, depth, pad, indent):
        ft = self.pick([x for x in FLOATS if x in self.config.types] or ["f32"])
        slot = self.sinks.get(ft, 0)
        self.sinks[ft] = slot + 1
        name = self.pick(list(SINK_MATH))
        arity, span = SINK_MATH[name]
        args = []
        for _ in range(arity):
            x = self.expr(ft, scope, 2)
            if name in POSITIVE_MATH:
                args.append(f"clamp({x}, {self.literal(ft, 0.5)}, {self.literal(ft, 8.0)})")
            else:
                args.append(f"clamp({x}, {self.literal(ft, -span)}, {self.literal(ft, span)})")
        if name == "smoothstep":  # edges 0 and 1 apart: no division by a tiny width
            args[1] = f"({args[0]} + {self.literal(ft, 1.0)})"
        if name == "atan2":  # x > 0: the sign of a zero y does not matter
            args[1] = f"clamp({self.expr(ft, scope, 2)}, {self.literal(ft, 0.5)}, {self.literal(ft, 8.0)})"
        call = f"math.{name}({', '.join(args)})" if self.chance(30) else f"{name}({', '.join(args)})"
        if name == "pow" and self.chance(50):
            call = f"({args[0]} ** {args[1]})"
        return [f"{pad}sink_{ft}[gid * SINK_{ft.upper()} + {slot}] = {call}"]

    def stmt_atomic(self, scope, depth, pad, indent):
        t = self.pick(ATOMIC_TYPES)
        slots = self.acc_slots.setdefault(t, [])
        if not slots or (len(slots) < 6 and self.chance(40)):
            slots.append(("add",) if t == "f32" else self.pick(ATOMIC_FAMILIES))
        slot = self.int_in(0, len(slots) - 1)
        op = self.pick(slots[slot])
        if t == "f32":  # whole numbers below 16 sum exactly in any order
            return [f"{pad}gpu.atomic_add(&acc_f32[{slot}], f32(({self.expr('i32', scope, 2)}) & 15))"]
        return [f"{pad}gpu.atomic_{op}(&acc_{t}[{slot}], {self.expr(t, scope, 2)})"]

    def stmt_own(self, scope, depth, pad, indent):
        """Exchange or compare-exchange on the item's own slot: the old value is defined."""
        self.uses_own = True
        targets = [n for n, t in scope.mutable.items() if t == "i32"]
        value = self.expr("i32", scope, 2)
        if self.chance(50):
            call = f"gpu.atomic_exchange(&own_i32[gid], {value})"
        else:
            call = f"gpu.atomic_compare_exchange(&own_i32[gid], {self.expr('i32', scope, 2)}, {value})"
        if targets and self.chance(70):
            return [f"{pad}{self.pick(targets)} = {call}"]
        return [f"{pad}{call}"]

    # ----------------------------------------------------------------- items

    def constant_items(self) -> list[str]:
        lines = []
        for _ in range(self.int_in(0, 2)):
            t = self.scalar_type()
            name = self.fresh("C")
            text = self.literal_text(t, self.literal_value(t))
            self.constants[name] = (t, text)
            lines.append(f"const {name}: {t} = {text}")
        return lines

    def helper(self) -> list[str]:
        name = self.fresh("h")
        params = [self.scalar_type() for _ in range(self.int_in(0, 3))]
        ret = self.scalar_type()
        scope = Scope(ret=ret)
        names = [f"a{i}" for i in range(len(params))]
        scope.vars.update(zip(names, params))
        lines = [f"fn {name}({', '.join(f'{n}: {t}' for n, t in zip(names, params))}) -> {ret}:"]
        for _ in range(self.int_in(0, 2)):
            lines.append(self.local_decl(scope, 1))
        lines += self.block(scope, self.config.max_depth - 1, 1)
        lines.append(f"    return {self.expr(ret, scope, 2)}")
        self.helpers.append(Helper(name, params, ret))
        self.callable = list(self.helpers)
        return lines

    def local_decl(self, scope: Scope, indent: int) -> str:
        t = self.scalar_type()
        name = self.fresh("v")
        line = f"{'    ' * indent}var {name}: {t} = {self.expr(t, scope, 2)}"
        scope.vars[name] = t
        scope.mutable[name] = t
        return line

"""The closed sets of names in the kernel IR, as enums.

Each member is a `str` (it compares and hashes as its value, and formats as it),
so IR built with plain strings (`Binary(I32, "add", a, b)`) is coerced to members
by the nodes and comparisons with strings keep working. A name outside the set is
kept as given, for the verifier to report.
"""
from __future__ import annotations

from enum import Enum, StrEnum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


class IREnum(StrEnum):
    """A str-valued enum whose repr is its value's (messages read as before)."""

    def __repr__(self) -> str:
        return repr(self.value)


class ScalarKind(IREnum):
    BOOL = "bool"
    INT = "int"  # signed
    UINT = "uint"
    FLOAT = "float"


class ArraySpace(IREnum):
    SHARED = "shared"  # workgroup memory
    PRIVATE = "private"  # function memory


class UnaryOp(IREnum):
    NEG = "neg"
    NOT = "not"
    BITNOT = "bitnot"


class BinaryOp(IREnum):
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    REM = "rem"
    POW = "pow"
    BITAND = "bitand"
    BITOR = "bitor"
    BITXOR = "bitxor"
    SHL = "shl"
    SHR = "shr"
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


class LogicalOp(IREnum):
    AND = "and"
    OR = "or"


class BuiltinName(IREnum):
    # ids
    GLOBAL_ID = "global_id"
    LOCAL_ID = "local_id"
    GROUP_ID = "group_id"
    GLOBAL_SIZE = "global_size"
    LOCAL_SIZE = "local_size"
    NUM_GROUPS = "num_groups"
    # math
    SQRT = "sqrt"
    RSQRT = "rsqrt"
    SIN = "sin"
    COS = "cos"
    TAN = "tan"
    ASIN = "asin"
    ACOS = "acos"
    ATAN = "atan"
    ATAN2 = "atan2"
    SINH = "sinh"
    COSH = "cosh"
    TANH = "tanh"
    EXP = "exp"
    EXP2 = "exp2"
    LOG = "log"
    LOG2 = "log2"
    POW = "pow"
    ABS = "abs"
    SIGN = "sign"
    FLOOR = "floor"
    CEIL = "ceil"
    ROUND = "round"
    TRUNC = "trunc"
    FRACT = "fract"
    MIN = "min"
    MAX = "max"
    CLAMP = "clamp"
    FMA = "fma"
    MIX = "mix"
    STEP = "step"
    SMOOTHSTEP = "smoothstep"
    ISNAN = "isnan"
    ISINF = "isinf"
    # synchronization
    BARRIER = "barrier"
    MEM_FENCE = "mem_fence"


class AtomicOp(IREnum):
    ADD = "add"
    SUB = "sub"
    MIN = "min"
    MAX = "max"
    AND = "and"
    OR = "or"
    XOR = "xor"
    EXCHANGE = "exchange"
    COMPARE_EXCHANGE = "compare_exchange"


def coerce(enum: type[E], value: object) -> object:
    """`value` as a member of `enum` when it is a plain string naming one; otherwise
    unchanged (members, and anything else for the verifier to report)."""
    if type(value) is not str:
        return value
    return enum._value2member_map_.get(value, value)

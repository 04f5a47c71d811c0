"""The closed sets of names in the kernel IR, as enums.

Each member is a `str` (it compares and hashes as its value, and formats as it),
so IR built with plain strings (`Binary(I32, "add", a, b)`) is coerced to members
by the nodes and comparisons with strings keep working. A name outside the set is
kept as given, for the verifier to report.
"""
from __future__ import annotations

from enum import Enum
from typing import TypeVar, cast

E = TypeVar("E", bound=Enum)


class IREnum(str, Enum):
    """A str-valued enum whose repr is its value's (messages read as before). What
    enum.StrEnum is, written out: StrEnum is Python 3.11+ and 3.10 is supported."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)

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
    # subgroups: values (i32, no args)
    SUBGROUP_SIZE = "subgroup_size"
    SUBGROUP_LOCAL_ID = "subgroup_local_id"
    SUBGROUP_ID = "subgroup_id"
    NUM_SUBGROUPS = "num_subgroups"
    # subgroups: reductions and scans over the active lanes
    SUBGROUP_ADD = "subgroup_add"
    SUBGROUP_MUL = "subgroup_mul"
    SUBGROUP_MIN = "subgroup_min"
    SUBGROUP_MAX = "subgroup_max"
    SUBGROUP_AND = "subgroup_and"
    SUBGROUP_OR = "subgroup_or"
    SUBGROUP_XOR = "subgroup_xor"
    SUBGROUP_INCLUSIVE_ADD = "subgroup_inclusive_add"
    SUBGROUP_INCLUSIVE_MUL = "subgroup_inclusive_mul"
    SUBGROUP_INCLUSIVE_MIN = "subgroup_inclusive_min"
    SUBGROUP_INCLUSIVE_MAX = "subgroup_inclusive_max"
    SUBGROUP_INCLUSIVE_AND = "subgroup_inclusive_and"
    SUBGROUP_INCLUSIVE_OR = "subgroup_inclusive_or"
    SUBGROUP_INCLUSIVE_XOR = "subgroup_inclusive_xor"
    SUBGROUP_EXCLUSIVE_ADD = "subgroup_exclusive_add"
    SUBGROUP_EXCLUSIVE_MUL = "subgroup_exclusive_mul"
    SUBGROUP_EXCLUSIVE_MIN = "subgroup_exclusive_min"
    SUBGROUP_EXCLUSIVE_MAX = "subgroup_exclusive_max"
    SUBGROUP_EXCLUSIVE_AND = "subgroup_exclusive_and"
    SUBGROUP_EXCLUSIVE_OR = "subgroup_exclusive_or"
    SUBGROUP_EXCLUSIVE_XOR = "subgroup_exclusive_xor"
    # subgroups: moving values between lanes
    SUBGROUP_BROADCAST = "subgroup_broadcast"
    SUBGROUP_BROADCAST_FIRST = "subgroup_broadcast_first"
    SUBGROUP_SHUFFLE = "subgroup_shuffle"
    SUBGROUP_SHUFFLE_XOR = "subgroup_shuffle_xor"
    SUBGROUP_SHUFFLE_UP = "subgroup_shuffle_up"
    SUBGROUP_SHUFFLE_DOWN = "subgroup_shuffle_down"
    # subgroups: votes
    SUBGROUP_BALLOT = "subgroup_ballot"
    SUBGROUP_ANY = "subgroup_any"
    SUBGROUP_ALL = "subgroup_all"
    SUBGROUP_ELECT = "subgroup_elect"
    # subgroups: synchronization
    SUBGROUP_BARRIER = "subgroup_barrier"


class CoopUse(IREnum):
    """Which operand of a multiply-add a cooperative matrix is (coop_matrix.py)."""

    A = "a"  # MatrixAKHR: the left operand of a multiply-add
    B = "b"  # MatrixBKHR: the right operand
    ACC = "acc"  # MatrixAccumulatorKHR: the accumulator and result


class CoopLayout(IREnum):
    ROW_MAJOR = "row_major"
    COL_MAJOR = "col_major"


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


def coerce(enum: type[E], value: E | str) -> E | str:
    """`value` as a member of `enum` when it is a plain string naming one; otherwise
    unchanged (members, and anything else for the verifier to report)."""
    if type(value) is not str:
        return value
    return cast("E | str", enum._value2member_map_.get(value, value))  # the map holds enum's members

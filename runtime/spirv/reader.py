"""Reading a SPIR-V module's words: the header check, the instruction stream and
literal strings. Used by runtime reflection and by the tests; errors are
SpirvFormatError."""
from __future__ import annotations

import array
import sys
from typing import Iterator, Sequence

from .errors import SpirvFormatError
from .grammar import grammar

HEADER_WORDS = 5


def to_words(code: bytes) -> array.array:
    """The module's 32-bit words in host order; checks size and magic number."""
    if len(code) < 20 or len(code) % 4:
        raise SpirvFormatError(f"not a SPIR-V module: {len(code)} bytes (need a multiple of 4, at least 20)")
    words = array.array("I")
    words.frombytes(code)
    magic = grammar().magic_number
    if words[0] != magic:
        words.byteswap()
        if words[0] != magic:
            raise SpirvFormatError("not a SPIR-V module: bad magic number")
    return words


def instructions(words: Sequence[int]) -> Iterator[tuple[int, Sequence[int]]]:
    """(opcode, operand words) for each instruction after the 5-word header."""
    i, n = HEADER_WORDS, len(words)
    while i < n:
        count, op = words[i] >> 16, words[i] & 0xFFFF
        if count == 0 or i + count > n:
            raise SpirvFormatError(f"malformed SPIR-V: bad instruction length at word {i}")
        yield op, words[i + 1:i + count]
        i += count


def find(words: Sequence[int], opname: str) -> list[list[int]]:
    """Every instruction `opname` of the module, as its whole words (the first one
    holding word count and opcode)."""
    op = grammar().opcode(opname)
    return [[(len(ops) + 1) << 16 | code, *ops] for code, ops in instructions(words) if code == op]


def literal_string(operands: Sequence[int]) -> tuple[str, int]:
    """Decode a NUL-terminated literal string; returns (text, words used)."""
    raw = array.array("I", operands).tobytes() if sys.byteorder == "little" else \
        b"".join(w.to_bytes(4, "little") for w in operands)
    end = raw.find(b"\0")
    if end < 0:
        raise SpirvFormatError("malformed SPIR-V: unterminated string")
    return raw[:end].decode("utf-8", "replace"), end // 4 + 1

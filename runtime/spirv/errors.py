"""Errors of the SPIR-V toolkit."""


class SpirvError(Exception):
    """Base of the toolkit's errors."""


class GrammarError(SpirvError, LookupError):
    """The grammar is missing, or names no such instruction or enumerant."""


class SpirvFormatError(SpirvError):
    """The bytes are not a well-formed SPIR-V module (size, magic, lengths, strings)."""


class SpirvToolsError(SpirvError):
    """SPIRV-Tools could not be loaded or run (assemble, disassemble, optimize)."""


class SpirvValidationError(SpirvToolsError):
    """The validator rejected a module; the message quotes it."""

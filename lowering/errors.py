"""Errors raised by the lowering layer. (The SPIR-V toolkit's own errors, such as
SpirvToolsError, are in simple_vkbackend.runtime.spirv.errors.)"""


class LoweringError(Exception):
    """Base of all lowering-layer errors."""


class IRVerifyError(LoweringError):
    """A kernel IR module breaks a rule of the IR (see ir/nodes.py); names where."""


class IRParseError(LoweringError):
    """The IR text form could not be parsed; the message starts with LINE:COL."""


class InternalCompilerError(LoweringError):
    """The compiler produced SPIR-V that fails validation: a bug, never passed on
    to a driver. The message names the kernel and quotes the validator."""

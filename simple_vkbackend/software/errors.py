"""Errors raised by the software backend."""


class SoftwareError(Exception):
    """Base of all software-backend errors."""


class SoftwareArgumentError(SoftwareError):
    """`run_kernel` was called with a wrong kernel name, arguments or sizes."""


class SoftwareExecutionError(SoftwareError):
    """A kernel did something the interpreter refuses to carry out (an unchecked
    out-of-bounds access on an active work item, an IR construct it does not
    know); the message names the kernel and what went wrong."""

"""`simple-vk` (also `python -m simple_vkbackend`): build, check, emit, run, devices.

Exit status: 0 success; 1 compile errors (diagnostics on stderr) and bad input
(arguments, files); 2 runtime failures (no usable backend or device, a missing
device feature, a failing rt_vk_* call); 3 an internal error. Never a traceback.
"""
from __future__ import annotations

import sys
from typing import Optional, Sequence

from ..errors import BackendError
from .command_line import EXIT_INPUT, EXIT_INTERNAL, EXIT_RUNTIME, UsageError, build_parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        from . import commands  # after parsing: --help and --version need no numpy
        return getattr(commands, args.command)(args)
    except UsageError as err:
        return fail(str(err), EXIT_INPUT)
    except BackendError as err:
        return fail(str(err), EXIT_RUNTIME)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exit_:  # --help, --version
        return int(exit_.code or 0)
    except Exception as err:  # noqa: BLE001 - the one place that turns bugs into a message
        return handle_other(err)


def handle_other(err: Exception) -> int:
    from ..frontend import CompileError
    if isinstance(err, CompileError):
        print(str(err), file=sys.stderr)
        return EXIT_INPUT
    if isinstance(err, OSError):
        return fail(f"{err.strerror or err}: {err.filename}" if err.filename else str(err), EXIT_INPUT)
    from simple_vkbackend.lowering.errors import InternalCompilerError, LoweringError
    from simple_vkbackend.runtime.spirv.errors import SpirvError
    if isinstance(err, InternalCompilerError):
        return fail(f"internal compiler error: {err}", EXIT_INPUT)
    if isinstance(err, (LoweringError, SpirvError)):
        return fail(str(err), EXIT_INPUT)
    return fail(f"internal error: {type(err).__name__}: {err}", EXIT_INTERNAL)


def fail(message: str, code: int) -> int:
    print(f"simple-vk: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())

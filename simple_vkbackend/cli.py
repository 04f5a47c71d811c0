"""`simple-vk` (also `python -m simple_vkbackend`): build, check, emit, run, devices.

Exit status: 0 success; 1 compile errors (diagnostics on stderr) and bad input
(arguments, files); 2 runtime failures (no usable backend or device, a missing
device feature, a failing rt_vk_* call); 3 an internal error. Never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .errors import BackendError

EXIT_OK, EXIT_INPUT, EXIT_RUNTIME, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command-line input (exit 1)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit 2, which means a runtime failure here
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="simple-vk", description="Compile and run Simple GPU kernels on Vulkan.")
    p.add_argument("--version", action="version", version=f"simple-vk {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    b = sub.add_parser("build", help="write SPIR-V, disassembly, manifest.json and host glue .ll")
    b.add_argument("file")
    b.add_argument("--backend", default="vulkan", choices=["vulkan"])
    b.add_argument("-o", "--output", required=True, help="output folder (created if missing)")

    c = sub.add_parser("check", help="report the file's diagnostics; exit 0 when clean")
    c.add_argument("file")
    c.add_argument("--strict", action="store_true",
                   help="upstream's buffer rule for every kernel: a bare buffer parameter is read-only unless `mut`")
    c.add_argument("-v", "--verbose", action="store_true", help="also list the host items skipped")

    e = sub.add_parser("emit", help="print kernel IR, SPIR-V assembly or host glue LLVM IR")
    e.add_argument("file")
    e.add_argument("--emit", required=True, choices=["ir", "spirv-asm", "llvm"])
    e.add_argument("--kernel", help="only this kernel")

    r = sub.add_parser("run", help="run one kernel and summarise the buffers it writes")
    r.add_argument("file")
    r.add_argument("--kernel", required=True)
    r.add_argument("--arg", action="append", default=[], metavar="NAME=SPEC",
                   help="a number, a .npy file, or zeros:N[:dtype], arange:N[:dtype], rand:N[:dtype]")
    r.add_argument("--global", dest="global_size", metavar="N[,M[,L]]")
    r.add_argument("--local", dest="local_size", metavar="N[,M[,L]]")
    r.add_argument("--backend", default="auto", choices=["vulkan", "software", "auto"])
    r.add_argument("--device", help="device index or part of its name (vulkan)")
    r.add_argument("--save", metavar="DIR", help="write each written buffer as DIR/NAME.npy")

    sub.add_parser("devices", help="list Vulkan devices with key limits and features")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        from . import commands
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
    from .frontend import CompileError
    if isinstance(err, CompileError):
        print(str(err), file=sys.stderr)
        return EXIT_INPUT
    if isinstance(err, OSError):
        return fail(f"{err.strerror or err}: {err.filename}" if err.filename else str(err), EXIT_INPUT)
    from simple_vkbackend.lowering.errors import InternalCompilerError, LoweringError
    if isinstance(err, InternalCompilerError):
        return fail(f"internal compiler error: {err}", EXIT_INPUT)
    if isinstance(err, LoweringError):
        return fail(str(err), EXIT_INPUT)
    return fail(f"internal error: {type(err).__name__}: {err}", EXIT_INTERNAL)


def fail(message: str, code: int) -> int:
    print(f"simple-vk: error: {message}", file=sys.stderr)
    return code


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())

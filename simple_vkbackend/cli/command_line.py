"""The `simple-vk` argument parser and what its usage errors and exit codes are."""
from __future__ import annotations

import argparse

from .. import __version__

EXIT_OK, EXIT_INPUT, EXIT_RUNTIME, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command-line input (exit 1)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit 2, which means a runtime failure here
        raise UsageError(f"{message} (see {self.prog} --help)")


EXACT_HELP = ("float arithmetic exactly as written in every kernel (no fused multiply-add "
              "contraction, no reassociation)")


DRIVER_HELP = ("generate for this Vulkan driver id (e.g. NVIDIA_PROPRIETARY, MESA_LLVMPIPE): only its "
               "workarounds; default: the device's, or every workaround without a device")


def driver_id(text: str) -> str:
    """A VkDriverId name, with or without its VK_DRIVER_ID_ prefix, upper case."""
    name = text.strip().upper().removeprefix("VK_DRIVER_ID_")
    if not name.replace("_", "").isalnum():
        raise argparse.ArgumentTypeError(f"not a driver id: {text!r}")
    return name


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="simple-vk", description="Compile and run Simple GPU kernels on Vulkan.")
    p.add_argument("--version", action="version", version=f"simple-vk {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    b = sub.add_parser("build", help="write SPIR-V, disassembly, manifest.json and host glue .ll")
    b.add_argument("file")
    b.add_argument("--backend", default="vulkan", choices=["vulkan"])
    b.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    b.add_argument("--exact", action="store_true", help=EXACT_HELP)
    b.add_argument("--driver", metavar="DRIVER_ID", type=driver_id, help=DRIVER_HELP)
    b.add_argument("--object", action="store_true",
                   help="also compile the host glue to MODULE.o for this machine, with MODULE.h "
                        "(link with librt_vk.so: simple-vk native build)")

    c = sub.add_parser("check", help="report the file's diagnostics; exit 0 when clean")
    c.add_argument("file")
    c.add_argument("--strict", action="store_true",
                   help="upstream's buffer rule for every kernel: a bare buffer parameter is read-only unless `mut`")
    c.add_argument("-v", "--verbose", action="store_true", help="also list the host items skipped")
    c.add_argument("--max-shared-memory", type=int, metavar="BYTES",
                   help="the target's maxComputeSharedMemorySize: a kernel using more is an error "
                        "(`simple-vk devices` lists it; build checks against the device it compiles for)")

    e = sub.add_parser("emit", help="print kernel IR, SPIR-V assembly or host glue LLVM IR")
    e.add_argument("file")
    e.add_argument("--emit", required=True, choices=["ir", "spirv-asm", "llvm"])
    e.add_argument("--kernel", help="only this kernel")
    e.add_argument("--exact", action="store_true", help=EXACT_HELP)
    e.add_argument("--driver", metavar="DRIVER_ID", type=driver_id, help=DRIVER_HELP)

    r = sub.add_parser("run", help="run one kernel and summarise the buffers it writes")
    r.add_argument("file")
    r.add_argument("--kernel", help="the kernel to run (optional when the file has one)")
    r.add_argument("--arg", action="append", default=[], metavar="NAME=SPEC",
                   help="a number, a .npy file, or zeros:N[:dtype], arange:N[:dtype], rand:N[:dtype] "
                        "(dtype: f32, u32, i64, ... or a numpy name)")
    r.add_argument("--seed", type=int, default=0, help="seed of rand: arguments (default 0)")
    r.add_argument("--time", action="store_true",
                   help="also time the kernel: GPU and wall time per launch over --repeat launches")
    r.add_argument("--repeat", type=int, default=10, metavar="N", help="launches timed by --time (default 10)")
    r.add_argument("--global", dest="global_size", metavar="N[,M[,L]]")
    r.add_argument("--local", dest="local_size", metavar="N[,M[,L]]")
    r.add_argument("--backend", default="auto", choices=["vulkan", "software", "auto"])
    r.add_argument("--device", help="device index or part of its name (vulkan)")
    r.add_argument("--exact", action="store_true", help=EXACT_HELP)
    r.add_argument("--save", metavar="DIR", help="write each written buffer as DIR/NAME.npy")
    for sp in (b, e, r):
        sp.add_argument("--bounds", choices=["trap", "off"], default=None,
                        help="trap: every buffer and array access of every kernel reports its first "
                             "out-of-range index (default: SIMPLE_VK_BOUNDS, else off)")

    sub.add_parser("devices", help="list Vulkan devices with key limits and features")

    n = sub.add_parser("native", help="build librt_vk.so and rt_vk.h (the runtime as C symbols)")
    n.add_argument("action", choices=["build"])
    n.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    return p

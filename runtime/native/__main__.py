"""`python -m simple_vkbackend.runtime.native build -o DIR`: write rt_vk.h and librt_vk.so."""
from __future__ import annotations

import argparse
import sys

from .build import NativeBuildError, build_library


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simple_vkbackend.runtime.native",
                                     description="Build librt_vk.so and rt_vk.h.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write rt_vk.h, rt_vk_shim.c and librt_vk.so into DIR")
    b.add_argument("-o", "--output", required=True, metavar="DIR")
    b.add_argument("--python", help="the Python the library starts (default: this one)")
    args = parser.parse_args(argv)
    try:
        lib = build_library(args.output, args.python)
    except NativeBuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {lib.library} and {lib.header}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

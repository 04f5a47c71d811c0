"""Front-end compile time per fixture: Simple source -> verified-ready kernel IR.

Prints, for every fixture file, the best-of-rounds time of `compile_source`
(lex, parse, type-check, build IR) per file and per kernel, beside its anchor
measured in the same run: `parse_module` of the same module's IR text (the
project's other reader of the same kernels, which only lexes and parses).
Times are process CPU time, best of ROUNDS rounds of REPEAT compiles, so that
other processes on a shared machine disturb them less.

    .venv/bin/python bench/frontend.py
"""
import sys
import time
from pathlib import Path

from simple_vkbackend.frontend import compile_source
from simple_vkbackend.lowering.ir.text import parse_module, print_module

ROOT = Path(__file__).resolve().parent.parent
ROUNDS, REPEAT = 7, 50


def best_ms(fn) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        t = time.process_time()
        for _ in range(REPEAT):
            fn()
        best = min(best, (time.process_time() - t) / REPEAT * 1e3)
    return best


def main() -> int:
    print(f"{'fixture':20s} {'kernels':>7s} {'lines':>5s} {'front end ms':>12s} {'per kernel':>10s} "
          f"{'anchor: IR text parse ms':>24s}")
    total_front = total_anchor = total_kernels = 0
    for path in sorted((ROOT / "fixtures").glob("*.spl")):
        text = path.read_text()
        module = compile_source(text, path.name)
        ir_text = print_module(module)
        front = best_ms(lambda: compile_source(text, path.name))
        anchor = best_ms(lambda: parse_module(ir_text))
        n = len(module.kernels)
        total_front, total_anchor, total_kernels = total_front + front, total_anchor + anchor, total_kernels + n
        print(f"{path.stem:20s} {n:7d} {len(text.splitlines()):5d} {front:12.3f} {front / n:10.3f} {anchor:24.3f}")
    print(f"{'all fixtures':20s} {total_kernels:7d} {'':5s} {total_front:12.3f} {total_front / total_kernels:10.3f} "
          f"{total_anchor:24.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Writes one benchmark's section of docs/benchmarks.md: the `## HEADING` section is
replaced (up to the next `## ` heading), or appended when the file has none. Keep
figures that another run must not overwrite (another device's, say) under a heading
of their own."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(heading: str, intro: str, text: str) -> Path:
    old = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = f"## {heading}\n\n{intro}\n\n{text}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: section + "\n", old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + section
    DOC.write_text(new.rstrip("\n") + "\n")
    return DOC


def bench_arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes: --quick and --no-write."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="fewer samples (a short run)")
    p.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    return p


def publish(text: str, write: bool, heading: str, intro: str) -> None:
    """Print a benchmark's text and, with `write`, make it its section of the docs."""
    print(text)
    if write:
        path = write_section(heading, intro, text)
        print(f"\nwritten to {path.relative_to(DOC.parent.parent)}")

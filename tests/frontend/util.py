"""Helpers shared by the front-end tests."""
from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.verify import verify_module

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
FIXTURE_FILES = sorted(FIXTURES.glob("*.spl"))


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def compile_ok(text: str, filename: str = "test.spl") -> ir.Module:
    """Compile (dedented) source that must be valid; the IR must verify."""
    module = compile_source(src(text), filename)
    verify_module(module)
    return module


def compile_err(text: str, filename: str = "test.spl") -> CompileError:
    """Compile (dedented) source that must fail; the CompileError."""
    with pytest.raises(CompileError) as info:
        compile_source(src(text), filename)
    return info.value


def messages(text: str) -> list[str]:
    return [d.message for d in compile_err(text).diagnostics]


def kernel_body(body: str, params: str = "x: &[f32], y: [f32], n: i32", attr: str = "#[gpu]") -> str:
    """A kernel with the given (unindented) body lines."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    return f"{attr}\nfn k({params}):\n" + "\n".join("    " + line for line in lines) + "\n"


def load_cases():
    spec = importlib.util.spec_from_file_location("fixture_cases", FIXTURES / "cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

"""`simple-vk check` (a subprocess, as a user runs it) on every Simple source of the
repository's fixtures/ and examples/: each is clean; `-v` lists the host items a
program skips; `--strict` applies upstream's buffer rule everywhere."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("fixtures/**/*.spl"), *ROOT.glob("examples/**/*.spl")])


def simple_vk(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simple_vkbackend", *map(str, args)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def test_there_are_sources_to_check():
    assert len(SOURCES) >= 20


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_check_is_clean(path):
    result = simple_vk("check", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{path}: ok (") and result.stderr == ""


def test_check_verbose_lists_the_skipped_host_items():
    path = ROOT / "fixtures" / "upstream_program.spl"
    result = simple_vk("check", "-v", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: ok (2 kernel(s): integrate, norm_scale)"
    assert f"{path}:9: skipped struct Particle (host code)" in lines
    assert f"{path}:40: skipped fn report (host code)" in lines
    assert len(lines) == 1 + 14


def test_check_strict_applies_the_mut_rule_to_every_kernel():
    path = ROOT / "fixtures" / "upstream_guide.spl"
    assert simple_vk("check", path).returncode == 0
    result = simple_vk("check", "--strict", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error: cannot write to `y`: it is an immutable storage buffer" in result.stderr
    assert "hint: declare it writable: `mut y: [f32]`" in result.stderr

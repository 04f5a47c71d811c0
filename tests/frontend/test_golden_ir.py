"""Golden kernel IR text of every fixture (`pytest --update-golden` rewrites them)."""
import pytest

from simple_vkbackend.frontend import compile_file
from simple_vkbackend.lowering.ir.text import print_module

from .util import FIXTURE_FILES


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_golden_ir(path, golden):
    golden(f"{path.stem}.ir", print_module(compile_file(path)))


def test_ir_text_is_deterministic():
    path = FIXTURE_FILES[0]
    assert print_module(compile_file(path)) == print_module(compile_file(path))

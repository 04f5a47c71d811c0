"""The static checks of scripts/static_checks.py (ruff and mypy over the three layers, with
the settings in pyproject.toml) report nothing. A deliberate exception is marked where it
stands: `# noqa: CODE - why` or `# type: ignore[code]  # why`."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("static_checks", ROOT / "scripts" / "static_checks.py")
assert spec is not None and spec.loader is not None
static_checks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(static_checks)


@pytest.mark.parametrize("tool", sorted(static_checks.CHECKS))
def test_static_check_is_clean(tool):
    if importlib.util.find_spec(tool) is None:
        pytest.fail(f"{tool} is not installed in {sys.prefix}: it comes with the test extra (pip install -e '.[test]')")
    code, out = static_checks.CHECKS[tool]()
    assert code == 0, f"{tool} findings (fix them, or mark a deliberate exception where it stands):\n{out}"

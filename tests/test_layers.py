"""The layering rules of DESIGN.md, checked on the source: runtime/ and lowering/
import nothing else of the project, and importing the package does not start Vulkan."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def project_imports(folder: str) -> list[str]:
    """(file, module) pairs of imports of simple_vkbackend.* inside `folder`."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 1:
                names = ["." * node.level + (node.module or "")]
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names
                      if n.startswith(("simple_vkbackend", "..", "runtime", "lowering"))]
    return found


@pytest.mark.parametrize("folder", ["runtime", "lowering"])
def test_bottom_layers_import_nothing_of_the_project(folder):
    assert project_imports(folder) == []


def test_importing_the_package_and_lowering_does_not_start_vulkan():
    code = ("import sys, simple_vkbackend, simple_vkbackend.lowering.ir; "
            "print(sorted(m for m in sys.modules if m == 'vulkan' or m.startswith('simple_vkbackend.runtime')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_package_folder_is_listed_in_pyproject():
    """A wheel (non-editable install) holds only the packages pyproject lists."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"simple_vkbackend.lowering": "lowering", "simple_vkbackend.runtime": "runtime"}
    found = set()
    for init in (ROOT / "simple_vkbackend").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT).parts))
    found |= set(folders)
    assert found == listed

"""The layering rules of DESIGN.md, checked on the source: runtime/ and lowering/
import nothing else of the project, and importing the package does not start Vulkan."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


PACKAGES = {"lowering": "simple_vkbackend.lowering", "runtime": "simple_vkbackend.runtime"}
# What each bottom layer may import of the project besides itself: lowering may use the
# runtime's SPIR-V toolkit (importable without Vulkan), never its Vulkan parts.
ALLOWED = {"runtime": (), "lowering": ("simple_vkbackend.runtime.spirv",)}


def module_name(path: Path) -> tuple[str, bool]:
    """The import name of the file at `path` and whether it is a package __init__."""
    rel = path.relative_to(ROOT)
    parts = [PACKAGES.get(rel.parts[0], rel.parts[0]), *rel.parts[1:]]
    is_package = parts[-1] == "__init__.py"
    parts = parts[:-1] if is_package else [*parts[:-1], parts[-1][:-3]]
    return ".".join(parts), is_package


def imported_modules(path: Path) -> list[str]:
    """The absolute names of the modules `path` imports (relative imports resolved)."""
    name, is_package = module_name(path)
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[:len(base) - (node.level - 1)]
            found.append(".".join(base + ([node.module] if node.module else [])))
    return found


def project_imports(folder: str) -> list[str]:
    """'file: module' for each import by a file in `folder` of the project outside the
    folder's own package and outside what ALLOWED grants it."""
    own, allowed = PACKAGES[folder], ALLOWED[folder]
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for mod in imported_modules(path):
            if not mod.startswith(("simple_vkbackend", "runtime", "lowering")):
                continue
            if mod == own or mod.startswith(own + "."):
                continue
            if any(mod == a or mod.startswith(a + ".") for a in allowed):
                continue
            found.append(f"{path.relative_to(ROOT)}: {mod}")
    return found


@pytest.mark.parametrize("folder", ["runtime", "lowering"])
def test_bottom_layers_import_nothing_of_the_project(folder):
    assert project_imports(folder) == []


def test_the_spirv_toolkit_imports_nothing_else_of_the_runtime():
    """What lowering may import of the runtime stands alone: runtime/spirv/ imports
    only itself, so no Vulkan part comes with it."""
    found = [f"{path.relative_to(ROOT)}: {mod}"
             for path in sorted((ROOT / "runtime" / "spirv").rglob("*.py"))
             for mod in imported_modules(path)
             if mod.startswith(("simple_vkbackend", "runtime", "lowering"))
             and not mod.startswith("simple_vkbackend.runtime.spirv")]
    assert found == []


def test_lowering_loads_no_vulkan():
    code = ("import sys, simple_vkbackend.lowering.lower; "
            "print('vulkan' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_the_package_and_lowering_does_not_start_vulkan():
    code = ("import sys, simple_vkbackend, simple_vkbackend.lowering.ir; "
            "print(sorted(m for m in sys.modules if m == 'vulkan' or m.startswith('simple_vkbackend.runtime')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_package_folder_is_listed_in_pyproject():
    """A wheel (non-editable install) holds only the packages pyproject lists."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder in ("simple_vkbackend", "lowering", "runtime"):
        for init in (ROOT / folder).rglob("__init__.py"):
            found.add(module_name(init)[0])
    assert found == listed

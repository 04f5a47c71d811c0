"""The layering rules of DESIGN.md, checked on the source: runtime/ and lowering/
import nothing above them, the sub-layers of the package import only what they may,
no two modules import each other (no cycles), and importing the package does not
start Vulkan."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "simple_vkbackend"
# top-level folder -> its import name
FOLDERS = {"simple_vkbackend": PACKAGE, "lowering": f"{PACKAGE}.lowering", "runtime": f"{PACKAGE}.runtime"}
LOWERING, RUNTIME = f"{PACKAGE}.lowering", f"{PACKAGE}.runtime"
# The IR (and the kernel interface computed with it): what the layers above the
# lowering may use of it; its codegen is the lowering's business.
IR = (f"{LOWERING}.ir", f"{LOWERING}.interface", f"{LOWERING}.errors")
# The runtime's pure-data ABI description: usable where the runtime's Vulkan parts are not.
ABI = (f"{RUNTIME}.abi",)
# The runtime's SPIR-V toolkit (grammar, reader, SPIRV-Tools binding): importable without Vulkan.
SPIRV = f"{RUNTIME}.spirv"


def module_files() -> dict[str, Path]:
    """Import name -> source file of every module of the three folders."""
    found = {}
    for folder, name in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((name, *parts))] = path
    return found


MODULES = module_files()


def is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def imports_of(module: str) -> set[str]:
    """The project modules `module` imports (anywhere in the file, lazy imports too)."""
    path = MODULES[module]
    package = module if is_package(module) else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != module}


GRAPH = {m: imports_of(m) for m in MODULES}


def under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") or module.startswith(p + "_") for p in prefixes)


def violations(importers: tuple[str, ...], allowed) -> list[str]:
    return sorted(f"{m} imports {d}" for m in MODULES if under(m, *importers)
                  for d in GRAPH[m] if not allowed(m, d))


def test_runtime_imports_nothing_above_it():
    assert violations((RUNTIME,), lambda m, d: under(d, RUNTIME)) == []


def test_lowering_imports_nothing_above_it():
    # the lowering may use the runtime's SPIR-V toolkit, never its Vulkan parts
    assert violations((LOWERING,), lambda m, d: under(d, LOWERING) or under(d, SPIRV)) == []


def test_the_spirv_toolkit_imports_nothing_else_of_the_runtime():
    """What the lowering may import of the runtime stands alone: runtime/spirv/ imports
    only itself, so no Vulkan part comes with it."""
    assert violations((SPIRV,), lambda m, d: under(d, SPIRV)) == []


def test_the_ir_imports_nothing_above_it():
    ir_proper = (f"{LOWERING}.ir", f"{LOWERING}.errors")
    assert violations(ir_proper, lambda m, d: under(d, *ir_proper)) == []


@pytest.mark.parametrize("sub_layer", ["frontend", "software", "hostgen"])
def test_front_end_software_backend_and_host_glue_use_only_the_ir(sub_layer):
    """They see the lowering only through the IR (not its codegen), and the runtime
    not at all (the host glue: only its ABI description)."""
    prefix = f"{PACKAGE}.{sub_layer}"
    abi = ABI if sub_layer == "hostgen" else ()

    def allowed(m: str, d: str) -> bool:
        if under(d, LOWERING):
            return under(d, *IR)
        if under(d, RUNTIME):
            return under(d, *abi) if abi else False
        return under(d, prefix) or d == PACKAGE
    assert violations((prefix,), allowed) == []




def test_no_import_cycles():
    """No two modules import each other, directly or through others (a package's
    __init__ importing its own submodules excepted: they come from it)."""
    def edges(m: str) -> set[str]:
        return {d for d in GRAPH[m] if not (is_package(d) and m.startswith(d + "."))}
    cycles, state = [], {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = "open"
        for d in sorted(edges(m)):
            if state.get(d) == "open":
                cycles.append(" -> ".join(path[path.index(d):] + [d]))
            elif d not in state:
                visit(d, path + [d])
        state[m] = "done"
    for m in sorted(MODULES):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_lowering_loads_no_vulkan():
    code = "import sys, simple_vkbackend.lowering.lower; print('vulkan' in sys.modules)"
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
    folders = {"simple_vkbackend.lowering": "lowering", "simple_vkbackend.runtime": "runtime"}
    found = set()
    for init in (ROOT / "simple_vkbackend").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT).parts))
    for package, folder in folders.items():     # and their subpackages, e.g. runtime/native
        for init in (ROOT / folder).rglob("__init__.py"):
            found.add(".".join((package, *init.parent.relative_to(ROOT / folder).parts)))
    assert found == listed

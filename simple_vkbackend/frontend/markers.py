"""The words that mark kernels and host code at module level (shared by the
parser, which must tell kernels from host items before it checks anything, and
the module checker)."""
from __future__ import annotations

# `@NAME` / `#[NAME]` that make a function a kernel; `kernel fn` is the marker `kernel fn`.
KERNEL_MARKERS = frozenset({"gpu", "simd", "gpu_kernel", "vulkan_kernel", "kernel fn"})
# Attributes that modify a kernel but do not make one.
KERNEL_MODIFIERS = frozenset({"bounds", "exact"})

# Leading words of host items: a file with one of them at module level (or a
# `fn main`) is a program, whose host items are skipped by indentation block.
HOST_KEYWORDS = frozenset({
    "use", "import", "export", "from", "struct", "class", "enum", "impl", "trait", "extern",
    "pub", "type", "mod", "union", "actor", "interface", "mixin", "alias", "macro", "static",
})
# Host items whose names a kernel may try to use: every NAME of the item counts.
IMPORT_KEYWORDS = frozenset({"use", "import", "export", "from"})


def is_host_program(tokens) -> bool:
    """Whether a module-level line starts with a host keyword or `fn main`."""
    depth, line_start = 0, True
    for i, t in enumerate(tokens):
        if t.kind in ("INDENT", "DEDENT"):
            depth += 1 if t.kind == "INDENT" else -1
            continue
        if t.kind == "NEWLINE":
            line_start = True
            continue
        elif line_start and depth == 0:
            if t.kind == "NAME" and t.text in HOST_KEYWORDS:
                return True
            if t.kind == "fn" and tokens[i + 1].text == "main":
                return True
        line_start = False
    return False

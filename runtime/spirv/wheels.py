"""Files of the cmeel wheels (SPIRV-Tools, SPIR-V headers), found without a scan of
every installed distribution when they sit in a folder on the import path.

`importlib.metadata` (and the mail-parsing modules it imports) costs a new process
tens of milliseconds, `sysconfig`'s paths a few, so the folders of `sys.path` (where
wheels install: site-packages, or a `pip install --target` folder) are looked at first
and the metadata only when none holds the file.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional, Sequence


def site_file(parts: Sequence[str]) -> Optional[Path]:
    """`parts` under a folder of `sys.path`, if one holds it."""
    for entry in sys.path:
        if entry and os.path.isabs(entry):
            path = Path(entry).joinpath(*parts)
            if path.exists():
                return path
    return None


def dist_file(dist: str, parts: Sequence[str]) -> Optional[Path]:
    """`parts` located through distribution `dist`'s metadata (which need not exist);
    None when `dist` is not installed."""
    import importlib.metadata
    try:
        found = importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
    return Path(str(found.locate_file(Path(*parts))))


def wheel_file(dist: str, parts: Sequence[str]) -> Optional[Path]:
    """Where `parts` of the installed wheel `dist` is: the site folders first, then
    the distribution's metadata (the path may not exist); None: `dist` not installed."""
    return site_file(parts) or dist_file(dist, parts)

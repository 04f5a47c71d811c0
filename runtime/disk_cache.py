"""The on-disk cache folder and safe reads and writes in it.

One folder per user: `SIMPLE_VK_CACHE_DIR`, else `$XDG_CACHE_HOME/simple-vkbackend`,
else `~/.cache/simple-vkbackend`; `SIMPLE_VK_CACHE=0` turns caching off. Entries are
written to a temporary file in the same folder and renamed into place (`os.replace`
is atomic), so several processes may write one entry at once and a reader sees
either a whole old file or a whole new one. Each entry carries a magic, a length and
a SHA-256 of its payload; anything that does not check out reads as absent.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import struct
from pathlib import Path

MAGIC = b"SVKCACHE"
_HEADER = struct.Struct("<8sQ32s")     # magic, payload length, sha256(payload)
OFF = ("0", "false", "no", "off")
_SERIAL = itertools.count()     # temporary names: pid + serial + random, unique per writer


def cache_root() -> Path | None:
    """The cache folder (not created), or None when caching is off."""
    if os.environ.get("SIMPLE_VK_CACHE", "1").strip().lower() in OFF:
        return None
    explicit = os.environ.get("SIMPLE_VK_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "simple-vkbackend"


def entry_path(section: str, name: str) -> Path | None:
    """Where entry `name` of `section` lives, or None when caching is off."""
    root = cache_root()
    return None if root is None else root / section / name


def read_entry(path: Path | None) -> bytes | None:
    """The payload stored at `path`, or None when missing, unreadable or corrupt."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, length, digest = _HEADER.unpack_from(data)
    payload = data[_HEADER.size:]
    if magic != MAGIC or length != len(payload) or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def write_entry(path: Path | None, payload: bytes) -> bool:
    """Store `payload` at `path` atomically; False (and nothing written) on any OS error
    (a read-only or full disk must never fail the caller)."""
    if path is None:
        return False
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        name = path.parent / f".{path.name}.{os.getpid()}.{next(_SERIAL)}.{os.urandom(4).hex()}.tmp"
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        tmp = name          # ours from here: removed if anything below fails
        with os.fdopen(fd, "wb") as f:
            f.write(_HEADER.pack(MAGIC, len(payload), hashlib.sha256(payload).digest()))
            f.write(payload)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False

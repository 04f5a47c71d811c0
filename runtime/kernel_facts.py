"""What the runtime learns of a SPIR-V module before it builds a pipeline (the
validator's verdict and the reflection), remembered so that a module seen before is
neither validated nor reflected again: per process, and on disk across processes.

The disk entry's name is a SHA-256 over the module's bytes (hashed anew at every
load: an entry is found only for exactly those bytes), the target environment, the
validator library (path, size, modification time) and this code's own files, so a
new SPIRV-Tools or a change to the reflection misses. Only modules that passed the
validator are remembered; with validation off (SIMPLE_VK_SPIRV_VALIDATE=0) or no
SPIRV-Tools, every module is reflected anew. The entry (marshal of plain values)
sits in `disk_cache`'s checksummed, atomically written files and is checked field by
field on load: anything else reads as a miss and is rewritten.
"""
from __future__ import annotations

import hashlib
import marshal
import threading
from pathlib import Path

from . import disk_cache
from . import reflect as reflection
from .errors import CompilationError
from .reflect import ModuleInfo
from .spirv import tools as spirv_tools

SECTION = "spirv"
REVISION = 1                 # bump when the entry's layout changes
_FIELDS = ("entry_point", "bindings", "push_constant_size", "local_size", "local_size_spec_ids",
           "capabilities", "version", "shared_memory_size")
_memo: dict[tuple[bytes, str, str], ModuleInfo] = {}
_lock = threading.Lock()


def _code_identity() -> str:
    parts = []
    for path in (Path(__file__), Path(reflection.__file__)):
        st = path.stat()
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def entry_name(code_digest: bytes, env: str, validator: str) -> str:
    digest = hashlib.sha256(code_digest)
    for part in (str(REVISION), env, validator, _code_identity()):
        data = part.encode()
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest() + ".bin"


def checked_info(code: bytes, env: str) -> ModuleInfo:
    """The reflection of `code`, after the validator passed it for `env` ("vulkan1.2");
    CompilationError when either refuses it."""
    validator = spirv_tools.validator_identity()
    if validator is None:
        return _check_and_reflect(code, env)
    code_digest = hashlib.sha256(code).digest()
    key = (code_digest, env, validator)
    info = _memo.get(key)
    if info is not None:
        return info
    path = disk_cache.entry_path(SECTION, entry_name(code_digest, env, validator))
    info = _decode(disk_cache.read_entry(path), code_digest, env)
    if info is None:
        info = _check_and_reflect(code, env)
        if not spirv_tools.validates(env):
            return info                 # not validated after all: nothing to remember
        disk_cache.write_entry(path, _encode(info, code_digest, env))
    with _lock:
        _memo[key] = info
    return info


def _check_and_reflect(code: bytes, env: str) -> ModuleInfo:
    error = spirv_tools.check(code, env)     # before reflection
    if error:
        raise CompilationError(f"invalid SPIR-V: {error}")
    return reflection.reflect(code)


def _encode(info: ModuleInfo, code_digest: bytes, env: str) -> bytes:
    values = {name: getattr(info, name) for name in _FIELDS}
    return marshal.dumps((REVISION, code_digest, env, values))


def _decode(data: bytes | None, code_digest: bytes, env: str) -> ModuleInfo | None:
    """The ModuleInfo in an entry for exactly this module and environment, or None."""
    if data is None:
        return None
    try:
        revision, digest, entry_env, values = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if revision != REVISION or digest != code_digest or entry_env != env or not isinstance(values, dict) \
            or set(values) != set(_FIELDS):
        return None
    try:
        info = ModuleInfo(**values)
    except TypeError:
        return None
    return info if _well_formed(info) else None


def _well_formed(info: ModuleInfo) -> bool:
    def ints(value, count=None) -> bool:
        return isinstance(value, tuple) and all(type(v) is int and v >= 0 for v in value) \
            and (count is None or len(value) == count)
    return (isinstance(info.entry_point, str) and ints(info.bindings)
            and type(info.push_constant_size) is int and ints(info.local_size, 3)
            and isinstance(info.local_size_spec_ids, tuple) and len(info.local_size_spec_ids) == 3
            and all(s is None or type(s) is int for s in info.local_size_spec_ids)
            and isinstance(info.capabilities, frozenset) and all(isinstance(c, str) for c in info.capabilities)
            and ints(info.version, 2) and type(info.shared_memory_size) is int)


def forget() -> None:
    """Drop the per-process memory (tests; the disk entries stay)."""
    with _lock:
        _memo.clear()

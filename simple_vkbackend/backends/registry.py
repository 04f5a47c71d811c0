"""Backends by name: the built-in ones and those registered under the entry-point
group `simple.backends`, plus `auto` (vulkan when a device exists, else software).

Backend classes are imported only when asked for, so listing names never starts
Vulkan. A built-in name resolves without reading the installed distributions' entry
points (that scan, and importing `importlib.metadata`, cost a new process more than
its whole cached compile); other names and the listings read them.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

from ..errors import BackendUnavailableError
from .base import Backend

ENTRY_POINT_GROUP = "simple.backends"
# The same targets pyproject.toml registers, so a source checkout that was never
# installed still finds them; an entry point cannot rename a built-in.
BUILTIN = {
    "vulkan": "simple_vkbackend.backends.vulkan:VulkanBackend",
    "software": "simple_vkbackend.backends.software:SoftwareBackend",
}
AUTO = "auto"


def backend_targets() -> dict[str, str]:
    """name -> "module:Class" for every registered backend, sorted by name."""
    from importlib import metadata
    targets = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    targets.update(BUILTIN)
    return dict(sorted(targets.items()))


def backend_target(name: str) -> str | None:
    """The "module:Class" registered as `name`, or None."""
    return BUILTIN[name] if name in BUILTIN else backend_targets().get(name)


def registered_backends() -> list[str]:
    """Names of all registered backends, installed or not (without `auto`)."""
    return list(backend_targets())


def backend_class(name: str) -> type[Backend]:
    """The class registered as `name`; a clear error when it is unknown or cannot
    be imported."""
    target = backend_target(name)
    if target is None:
        raise BackendUnavailableError(
            f"unknown backend {name!r}; choose one of: {', '.join([*backend_targets(), AUTO])}")
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise BackendUnavailableError(
            f"the {name} backend is not installed ({target} cannot be loaded: {err})") from err
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise BackendUnavailableError(f"{target} is not a Backend subclass")
    return cls


def available_backends() -> list[str]:
    """Names of the backends that load and can run here."""
    names = []
    for name in registered_backends():
        try:
            if backend_class(name).is_available():
                names.append(name)
        except BackendUnavailableError:
            continue
    return names


def get_backend(name: str = AUTO, **options: Any) -> Backend:
    """A ready backend. `options` go to the backend's constructor (for vulkan:
    `device`, `features`). `auto` picks vulkan when a device exists, otherwise
    software with a one-line warning on stderr."""
    if name == AUTO:
        return _auto_backend(options)
    cls = backend_class(name)
    if not cls.is_available():
        raise BackendUnavailableError(f"the {name} backend cannot run here: {cls.unavailable_reason()}")
    return cls(**options)


def _auto_backend(options: dict[str, Any]) -> Backend:
    vulkan_reason = _vulkan_unavailable_reason()
    if not vulkan_reason:
        return get_backend("vulkan", **options)
    try:
        software = backend_class("software")
    except BackendUnavailableError as err:
        raise BackendUnavailableError(
            f"no backend can run here: no Vulkan device ({vulkan_reason}), and {err}") from err
    print(f"simple-vk: warning: no Vulkan device ({vulkan_reason}); using the software backend",
          file=sys.stderr)
    return software()


def _vulkan_unavailable_reason() -> str:
    try:
        cls = backend_class("vulkan")
    except BackendUnavailableError as err:
        return str(err)
    return "" if cls.is_available() else cls.unavailable_reason()

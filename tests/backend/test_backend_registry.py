"""Backend registry: names, entry points, `auto` fallback and its warning."""
from __future__ import annotations

import pytest

from simple_vkbackend.backends import registry
from simple_vkbackend.errors import BackendUnavailableError


@pytest.fixture
def targets(monkeypatch):
    table = {"vulkan": "backend_fake_backends:NeverAvailable", "software": "backend_fake_backends:Recording"}
    monkeypatch.setattr(registry, "BUILTIN", table)
    return table


def test_builtin_names_are_registered():
    assert {"vulkan", "software"} <= set(registry.registered_backends())


def test_entry_point_group_lists_vulkan():
    from importlib import metadata
    names = {ep.name for ep in metadata.entry_points(group=registry.ENTRY_POINT_GROUP)}
    assert "vulkan" in names


def test_builtin_names_resolve_without_reading_entry_points(monkeypatch):
    def scan():
        raise AssertionError("entry points read for a built-in name")
    monkeypatch.setattr(registry, "backend_targets", scan)
    assert registry.backend_target("software") == registry.BUILTIN["software"]
    assert registry.backend_class("software").__name__ == "SoftwareBackend"


def test_entry_points_cannot_rename_a_builtin(monkeypatch):
    from importlib import metadata
    fake = metadata.EntryPoint("software", "backend_fake_backends:Recording", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(metadata, "entry_points", lambda group: [fake] if group == registry.ENTRY_POINT_GROUP else [])
    assert registry.backend_targets()["software"] == registry.BUILTIN["software"]


def test_unknown_backend_names_the_choices():
    with pytest.raises(BackendUnavailableError, match="unknown backend 'cuda'.*vulkan"):
        registry.get_backend("cuda")


def test_uninstalled_backend_is_a_clear_error(targets):
    targets["software"] = "no_such_module_here:SoftwareBackend"
    with pytest.raises(BackendUnavailableError, match="software backend is not installed"):
        registry.backend_class("software")


def test_auto_falls_back_to_software_with_one_warning_line(targets, capsys):
    backend = registry.get_backend("auto")
    assert backend.name == "recording"
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "warning: no Vulkan device (no device in this test); using the software backend" in err


def test_auto_without_software_names_both_reasons(targets):
    targets["software"] = "no_such_module_here:SoftwareBackend"
    with pytest.raises(BackendUnavailableError, match="no Vulkan device .*no device in this test.*not installed"):
        registry.get_backend("auto")


def test_asking_for_an_unavailable_backend_says_why(targets):
    with pytest.raises(BackendUnavailableError, match="vulkan backend cannot run here: no device in this test"):
        registry.get_backend("vulkan")


def test_available_backends_skips_unavailable(targets):
    assert registry.available_backends() == ["software"]


def test_non_backend_class_is_rejected(targets):
    targets["software"] = "backend_fake_backends:module_manifest"
    with pytest.raises(BackendUnavailableError, match="not a Backend subclass"):
        registry.backend_class("software")

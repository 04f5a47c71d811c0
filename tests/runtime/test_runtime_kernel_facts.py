"""The validator's verdict and the reflection of a module, remembered per process and
on disk by content hash (runtime/kernel_facts.py): hits, misses, corruption, foreign
entries, and nothing remembered of what the validator did not pass."""
from __future__ import annotations

import pytest

from simple_vkbackend.runtime import CompilationError, disk_cache, reflect, kernel_facts
from simple_vkbackend.runtime.spirv import tools as spirv_tools

ENV = "vulkan1.1"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SIMPLE_VK_CACHE", raising=False)
    monkeypatch.delenv("SIMPLE_VK_SPIRV_VALIDATE", raising=False)
    kernel_facts.forget()
    yield tmp_path
    kernel_facts.forget()


def entries(root) -> list:
    folder = root / kernel_facts.SECTION
    return sorted(folder.iterdir()) if folder.is_dir() else []


def counting(monkeypatch) -> dict:
    """Count the validator and reflection runs behind checked_info."""
    calls = {"check": 0, "reflect": 0}
    check, reflect_fn = spirv_tools.check, kernel_facts.reflection.reflect

    def counted_check(*args):
        calls["check"] += 1
        return check(*args)

    def counted_reflect(*args):
        calls["reflect"] += 1
        return reflect_fn(*args)
    monkeypatch.setattr(spirv_tools, "check", counted_check)
    monkeypatch.setattr(kernel_facts.reflection, "reflect", counted_reflect)
    return calls


def test_miss_then_hit_on_disk_and_in_process(cache_dir, spirv, monkeypatch):
    calls = counting(monkeypatch)
    code = spirv("saxpy")
    first = kernel_facts.checked_info(code, ENV)
    assert first == reflect(code) and calls == {"check": 1, "reflect": 1}
    assert len(entries(cache_dir)) == 1
    assert kernel_facts.checked_info(code, ENV) == first and calls["check"] == 1   # this process
    kernel_facts.forget()                                                           # a new process
    assert kernel_facts.checked_info(code, ENV) == first and calls == {"check": 1, "reflect": 1}


def test_key_covers_bytes_and_environment(cache_dir, spirv):
    for name in ("saxpy", "add_one"):
        kernel_facts.checked_info(spirv(name), ENV)
    kernel_facts.checked_info(spirv("saxpy"), "vulkan1.2")
    assert len(entries(cache_dir)) == 3


def test_corrupt_and_foreign_entries_are_misses_and_rewritten(cache_dir, spirv, monkeypatch):
    saxpy, add_one = spirv("saxpy"), spirv("add_one")
    kernel_facts.checked_info(saxpy, ENV)
    [path] = entries(cache_dir)
    good = path.read_bytes()
    calls = counting(monkeypatch)
    for bad in (good[:-1], b"garbage", disk_cache.MAGIC + bytes(40)):
        path.write_bytes(bad)
        kernel_facts.forget()
        assert kernel_facts.checked_info(saxpy, ENV) == reflect(saxpy)
        assert disk_cache.read_entry(path) is not None           # rewritten
    assert calls["check"] == 3
    # a well-formed entry of another module under this module's name is not believed
    kernel_facts.checked_info(add_one, ENV)
    other = next(p for p in entries(cache_dir) if p != path)
    path.write_bytes(other.read_bytes())
    kernel_facts.forget()
    assert kernel_facts.checked_info(saxpy, ENV).entry_point == "saxpy"
    assert calls["check"] == 5


def test_invalid_modules_are_refused_and_not_remembered(cache_dir, spirv):
    code = bytearray(spirv("saxpy"))
    code[-4:] = bytes(4)            # the last instruction broken
    for _ in range(2):
        with pytest.raises(CompilationError):
            kernel_facts.checked_info(bytes(code), ENV)
    assert entries(cache_dir) == []


def test_nothing_remembered_without_validation(cache_dir, spirv, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_SPIRV_VALIDATE", "0")
    calls = counting(monkeypatch)
    for _ in range(2):
        kernel_facts.checked_info(spirv("saxpy"), ENV)
    assert calls == {"check": 2, "reflect": 2} and entries(cache_dir) == []


def test_disabled_cache_still_checks_and_writes_nothing(cache_dir, spirv, monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_CACHE", "0")
    assert kernel_facts.checked_info(spirv("saxpy"), ENV) == reflect(spirv("saxpy"))
    assert not any(cache_dir.iterdir())

"""Runtime test fixtures: a shared device, the fixtures' SPIR-V, the rt_vk_* table
through ctypes, and a check that the validation layer reported nothing during a test."""
from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import ffi, validation

import runtime_spirv

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Without a Vulkan device, skip the runtime tests (but not the unavailability tests)."""
    if runtime.is_available():
        return
    skip = pytest.mark.skip(reason=f"Vulkan not available: {runtime.unavailable_reason()}")
    here = str(HERE)
    for item in items:
        path = str(item.path)
        if path.startswith(here) and not path.endswith("test_runtime_unavailable.py"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def no_validation_messages():
    """Fail the test if the validation layer reported a warning or error during it."""
    before = runtime.validation_message_count()
    yield
    after = runtime.validation_message_count()
    if after != before:
        recent = "\n".join(validation.recent_messages()[-(after - before):])
        pytest.fail(f"{after - before} validation message(s):\n{recent}")


@pytest.fixture(scope="session")
def validation_on() -> bool:
    from simple_vkbackend.runtime.instance import Instance
    return Instance.get().validation


@pytest.fixture(scope="session")
def device():
    """One device shared by the tests that do not need their own."""
    dev = runtime.Device()
    yield dev
    dev.free()


@pytest.fixture
def spirv():
    """spirv(name) -> bytes of fixtures/spirv/<name>.spvasm (assembled, validated)."""
    return runtime_spirv.fixture


class RT:
    """The rt_vk_* table called through ctypes at the TABLE addresses, as native code would."""

    def __init__(self) -> None:
        for name, entry in ffi.TABLE.items():
            proto = ctypes.CFUNCTYPE(ffi.CTYPES[entry.ret], *(ffi.CTYPES[p] for p in entry.params))
            setattr(self, name.removeprefix("rt_vk_"), proto(entry.address))

    def error(self) -> str:
        buf = ctypes.create_string_buffer(1024)
        self.last_error(buf, len(buf))
        return buf.value.decode()

    def handles(self, *hs: int):
        return (ctypes.c_uint64 * max(len(hs), 1))(*hs)


@pytest.fixture(scope="session")
def rt() -> RT:
    return RT()

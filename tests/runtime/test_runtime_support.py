"""Test plumbing and tools: fixtures assemble and validate, validation messages are
routed to logging and counted, the demo runs, the runtime imports nothing else."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import runtime_spirv


@pytest.mark.parametrize("name", runtime_spirv.FIXTURES)
def test_fixture_assembles_and_validates(name):
    code = runtime_spirv.fixture(name)   # spirv-as, then spirv-val (asserts on failure)
    assert code[:4] == b"\x03\x02\x23\x07" and len(code) % 4 == 0


def test_validation_messages_are_logged_and_counted():
    script = textwrap.dedent("""
        import logging
        records = []
        class Keep(logging.Handler):
            def emit(self, record): records.append(record)
        logging.getLogger("simple_vkbackend.runtime.validation").addHandler(Keep())
        from simple_vkbackend.runtime import Device, validation_message_count
        dev = Device()
        ctx, ffi, vk = dev.ctx, dev.ctx.ffi, dev.ctx.vk
        info = ffi.new("VkBufferCreateInfo*", {"sType": vk.VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                                               "size": 0, "usage": vk.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT})
        out = ffi.new("VkBuffer*")
        if ctx.lib.vkCreateBuffer(ctx.handle, info, ffi.NULL, out) == 0:   # size 0: invalid usage
            ctx.lib.vkDestroyBuffer(ctx.handle, out[0], ffi.NULL)
        print("count", validation_message_count())
        print("logged", len(records), records[0].levelname, "VUID-VkBufferCreateInfo-size" in records[0].getMessage())
        dev.free()
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SIMPLE_VK_VALIDATION="1"))
    assert r.returncode == 0, r.stderr
    assert "count 1" in r.stdout
    assert "logged 1 ERROR True" in r.stdout


def test_demo_runs():
    r = subprocess.run([sys.executable, str(runtime_spirv.ROOT / "examples" / "demo.py")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("device: ") and "correct" in r.stdout


def test_demo_failure_is_one_line():
    r = subprocess.run([sys.executable, str(runtime_spirv.ROOT / "examples" / "demo.py")],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, VK_ICD_FILENAMES="/nonexistent.json",
                                VK_DRIVER_FILES="/nonexistent.json", SIMPLE_VK_VALIDATION="0"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("demo: ")
    assert "Traceback" not in r.stderr


def test_runtime_imports_nothing_else_of_the_project():
    script = textwrap.dedent("""
        import sys
        import simple_vkbackend.runtime, simple_vkbackend.runtime.ffi
        mods = [m for m in sys.modules if m.startswith("simple_vkbackend")
                and not m.startswith("simple_vkbackend.runtime") and m != "simple_vkbackend"]
        print(mods)
        print("vulkan" in sys.modules)
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "[]"


def test_importing_the_runtime_does_not_start_vulkan():
    script = "import sys, simple_vkbackend.runtime as r; print('vulkan' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr

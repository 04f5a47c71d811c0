"""Backends for registry tests: one that is never available, one that records runs."""
from __future__ import annotations

from simple_vkbackend.backends.base import Backend, CompiledModule, module_manifest
from simple_vkbackend.lowering.interface import kernel_interface


class NeverAvailable(Backend):
    name = "never"

    @classmethod
    def is_available(cls):
        return False

    @classmethod
    def unavailable_reason(cls):
        return "no device in this test"

    def compile(self, module):
        raise AssertionError("must not compile")

    def run(self, compiled, kernel, args, global_size, local_size=None):
        raise AssertionError("must not run")


class Recording(Backend):
    """Compiles to interfaces only and records each run's arguments."""

    name = "recording"

    def __init__(self):
        self.runs = []

    @classmethod
    def is_available(cls):
        return True

    def compile(self, module):
        interfaces = {k.name: kernel_interface(module, k) for k in module.kernels}
        return CompiledModule(self.name, module, interfaces, module_manifest(module.name, self.name, []))

    def run(self, compiled, kernel, args, global_size, local_size=None):
        self.runs.append((kernel, dict(args), global_size, local_size))

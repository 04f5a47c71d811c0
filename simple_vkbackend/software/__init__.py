"""The software backend's engine: a numpy interpreter of the kernel IR.

Work items are lanes of numpy vectors; all work-groups of a launch run at once,
in lockstep, so barriers, shared memory, atomics and divergent control flow
behave as on a GPU. Imports only `simple_vkbackend.lowering` of the project.
"""
from .errors import SoftwareArgumentError, SoftwareError, SoftwareExecutionError
from .launch import run_kernel

__all__ = ["run_kernel", "SoftwareError", "SoftwareArgumentError", "SoftwareExecutionError"]

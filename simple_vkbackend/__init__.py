"""simple-vkbackend: a Vulkan compute backend for the Simple language.

Importing this package is cheap: it does not start Vulkan. The lowering layer
(`simple_vkbackend.lowering`) and the runtime (`simple_vkbackend.runtime`) are
subpackages that live in the top-level folders `lowering/` and `runtime/`.
"""

__version__ = "0.1.0"

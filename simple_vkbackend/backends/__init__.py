"""Backends: the Backend trait, registry, and the vulkan and software backends."""

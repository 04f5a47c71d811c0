"""Code generation of one function's SPIR-V: the emitter (emitter.py) with block
discipline, typed values and structured control-flow helpers."""

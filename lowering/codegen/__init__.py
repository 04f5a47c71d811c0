"""IR -> SPIR-V code generation: `module.build_kernel_module` (one kernel's module:
`prescan` finds the helpers it calls, `resources` declares its globals, `type_map`
its types), `function.FunctionCodegen` (the codegen of one function: a visitor with
a method per IR node kind, owning the helper objects of arith.py, fmod.py, casts.py,
builtin_math.py and memory_access.py) and `emitter.Emitter` (blocks, block
discipline, structured control-flow helpers, typed `Value`s)."""

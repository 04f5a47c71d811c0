"""Host glue: LLVM IR (llvmlite) per kernel that runs it through the rt_vk_* table,
and its in-process JIT. See glue.py for the ABI."""

"""Transitional alias of `lowering.ir.verify`, kept while the front end still imports
it by this name; new code imports `simple_vkbackend.lowering.ir.verify`."""
from .ir.verify import *  # noqa: F403 - the alias re-exports the module
from .ir.verify import (BOOL_MATH_BUILTINS, FLOAT_MAX, INT_MATH_BUILTINS,  # noqa: F401
                        MATH_ARITY, MAX_WORKGROUP_INVOCATIONS)

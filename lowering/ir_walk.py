"""Transitional alias of `lowering.ir.walk`, kept while the front end still imports
it by this name; new code imports `simple_vkbackend.lowering.ir.walk`."""
from .ir.walk import *  # noqa: F403 - the alias re-exports the module
from .ir.walk import child_blocks, walk_expr  # noqa: F401  (the names the front end uses)

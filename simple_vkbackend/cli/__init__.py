"""The `simple-vk` command line: main.py (entry point, exit codes from errors),
parser.py (arguments), commands.py (the subcommands), argspec.py (--arg specs)."""
from .main import main

__all__ = ["main"]

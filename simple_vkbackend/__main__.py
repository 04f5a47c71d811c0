"""`python -m simple_vkbackend` runs the `simple-vk` command line."""
import sys

from .cli import main

sys.exit(main())

"""`python -m dsinfo`: the same command line as `dsinfo`."""

import sys

from .cli import main

sys.exit(main(prog_name="python -m dsinfo"))

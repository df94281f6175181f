#!/usr/bin/env python3
"""Build the privacy notices and consent sheets of every school in schools/ into output/.

A thin entry point: `python build.py [command] [options]` runs the same command line as the
installed `dsinfo` script, with this folder as the project. See `python build.py --help`.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

from dsinfo.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(root=ROOT))

"""Arshif's entry point: `python generate.py --help` lists the commands."""

import sys

from arshif.cli import main

if __name__ == "__main__":
    sys.exit(main())

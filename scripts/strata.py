#!/usr/bin/env python3
"""Shim for `strata` (stratalib.cli) where the project is not installed: `python scripts/strata.py ARGS`
runs the same as the venv's `strata ARGS` (Python puts this folder, and so stratalib, on the path)."""

from stratalib.cli import run

if __name__ == "__main__":
    run()

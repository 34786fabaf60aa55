"""`generate.py serve`: the live-reload preview server (issue 5; being written)."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the serve command; heavy imports wait until it runs, so other commands stay fast."""
    serve = commands.add_parser("serve", parents=[common], help="preview the site with live reload")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("serve is not written yet")

"""`generate.py deploy`: publish a production build (issue 7; being written)."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the deploy command; heavy imports wait until it runs, so other commands stay fast."""
    deploy = commands.add_parser("deploy", parents=[common], help="publish a production build")
    deploy.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("deploy is not written yet")

"""Problems found in a site's sources, collected so a build can report them all at once."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the sources: where it is, what is wrong and what to do about it."""

    path: str
    line: int | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text}\n    → {self.hint}" if self.hint else text


class BuildFailed(Exception):
    """Raised with every problem of a build, so the CLI can print them all and stop."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems)


def display_path(path: Path, root: Path) -> str:
    """A path as the user knows it: relative to the site root when it is inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def print_failure(failure: BuildFailed, outcome: str) -> None:
    """Every problem on standard error, then what the failure left as it was (OUTCOME)."""
    for problem in failure.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"\nbuild failed with {len(failure.problems)} problem(s); {outcome}.", file=sys.stderr)

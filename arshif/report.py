"""What a build did, for the summary line, and how long work reports its progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

Progress = Callable[[str, int, int], None]


def default_workers() -> int:
    """Processes for the parallel phases: the CPU count, at most 8 (more only add memory)."""
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class SiteChanges:
    """What a build changed in its output folder, by path: so that a deploy sends and checks just that."""

    written: frozenset[str]  # files new or rewritten (pre-compressed copies too)
    deleted: frozenset[str]  # files gone, and the folders they left empty

    def paths(self) -> frozenset[str]:
        return self.written | self.deleted


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    articles: int
    pages: int
    tags: int
    files: int
    seconds: float
    warnings: tuple[str, ...]
    rendered: int = 0
    unchanged: bool = False
    changes: SiteChanges | None = None  # None: not known (the output folder was made whole)


def progress_printer(stream: TextIO | None = None) -> Progress:
    """Progress of long stages (a thousand items or more) on STREAM: a live counter on a terminal,
    otherwise a line per tenth."""
    out = stream or sys.stderr
    interactive = out.isatty()
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if total < 1000 or (not interactive and shown.get(stage) == tenth and done < total):
            return
        shown[stage] = tenth
        end = "\n" if done == total or not interactive else ""
        print(f"\r  {stage} {done}/{total}", end=end, file=out, flush=True)
    return progress

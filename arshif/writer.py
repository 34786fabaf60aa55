"""The only module that touches build/: the new site is written aside, then swapped in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType

from .problems import BuildFailed, Problem

MARKER = ".arshif-build"


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse an output folder whose replacement could destroy sources or anything not ours."""
    output, root = output.resolve(), root.resolve()
    sources = [root / "content", root / "templates", root / "theme"]
    reason = ""
    if root.is_relative_to(output):
        reason = "it is the site's folder or contains it"
    elif any(output.is_relative_to(s) for s in sources):
        reason = "it is inside content/, templates/ or theme/"
    elif output.exists() and not output.is_dir():
        reason = "it is a file, not a folder"
    elif output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        reason = "it holds files that Arshif did not write (it has no .arshif-build marker)"
    if reason:
        raise BuildFailed([Problem(str(output), None, f"refusing to build into this folder: {reason}",
                                   "choose another --output, or empty the folder yourself")])


class SiteWriter:
    """Writes the new site into a staging folder beside OUTPUT; commit() swaps it in.

    If the build fails, abort() (or leaving the with-block on an exception) removes the
    staging folder and OUTPUT stays exactly as it was.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.staging = output.parent / f".{output.name}.partial"
        self.count = 0

    def __enter__(self) -> SiteWriter:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging)

    def _target(self, path: str) -> Path:
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        self.count += 1
        return target

    def write(self, path: str, data: bytes | str) -> None:
        """Write one file of the site, PATH relative to the site root."""
        target = self._target(path)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8", newline="\n")
        else:
            target.write_bytes(data)

    def copy(self, path: str, source: Path) -> None:
        shutil.copyfile(source, self._target(path))

    def commit(self) -> None:
        """Swap the finished site in for the old one."""
        (self.staging / MARKER).write_text("This folder is written by Arshif; each build replaces it.\n")
        old = self.output.parent / f".{self.output.name}.old"
        if old.exists():
            shutil.rmtree(old)
        if self.output.exists():
            os.rename(self.output, old)
        os.rename(self.staging, self.output)
        if old.exists():
            shutil.rmtree(old)

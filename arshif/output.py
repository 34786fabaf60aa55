"""The output folder: the marker that says Arshif wrote it, and the check that a folder may be replaced."""

from __future__ import annotations

from pathlib import Path

from .problems import BuildFailed, Problem

MARKER = ".arshif-build"


def refusal(folder: Path, root: Path, *, ours_only: bool = True) -> str:
    """Why writing the site of ROOT into FOLDER could destroy something; empty when it is safe.

    OURS_ONLY also refuses a non-empty folder without the marker (one Arshif did not write).
    """
    folder, root = folder.resolve(), root.resolve()
    if root.is_relative_to(folder):
        return "it is the site's folder or contains it"
    for source in ("content", "templates", "theme"):
        if folder.is_relative_to(root / source):
            return f"it is inside {source}/"
    if folder.exists() and not folder.is_dir():
        return "it is a file, not a folder"
    if ours_only and folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).exists():
        return f"it holds files that Arshif did not write (it has no {MARKER} marker)"
    return ""


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse an output folder whose replacement could destroy sources or anything not ours."""
    reason = refusal(output, root)
    if reason:
        raise BuildFailed([Problem(str(output.resolve()), None, f"refusing to build into this folder: {reason}",
                                   "choose another --output, or empty the folder yourself")])

"""What changed in deploy's folder since each of its readers last took it in: the link check, and
each destination. So a deploy after one edit checks and sends just the files that edit changed,
instead of looking at the 55,000 files of a 10,000-article site.

The lists are only as good as the build's word on what it changed (BuildReport.changes), and are
kept for one deploy folder (its generation, deploy._generation). Whenever a list could be
incomplete it is dropped, and its reader then looks at everything, as on a first deploy: the file
is deleted while the build runs, since a build stopped after its commit leaves changes no list has.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .report import SiteChanges

PENDING_FILE = "pending.json"
LINKS = ""  # the link check's list; destinations are never empty strings


class Pending:
    """For each reader that is up to date but for them, the paths changed since: files written or
    deleted, and folders deleted."""

    def __init__(self, cache: Path, generation: str | None) -> None:
        self.path = cache / PENDING_FILE
        self.lists: dict[str, set[str]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == 1 and data.get("generation") == generation and generation is not None:
                self.lists = {name: set(paths) for name, paths in data["lists"].items()
                              if isinstance(name, str) and isinstance(paths, list)
                              and all(isinstance(p, str) for p in paths)}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # none, or unreadable: every reader looks at everything once

    def get(self, reader: str) -> set[str] | None:
        """The paths changed since READER was last up to date; None: not known, look at everything."""
        return self.lists.get(reader)

    def suspend(self) -> None:
        """Before the build changes the folder: until save(), no list on disk claims to be complete."""
        self.path.unlink(missing_ok=True)

    def add(self, changes: SiteChanges | None) -> None:
        """A build's CHANGES reach every list; not known (the folder was made whole), they end them all."""
        if changes is None:
            self.lists.clear()
            return
        paths = changes.paths()
        for listed in self.lists.values():
            listed |= paths

    def taken(self, reader: str) -> None:
        """READER is up to date with the folder now."""
        self.lists[reader] = set()

    def drop(self, reader: str) -> None:
        """READER's state is not known any more (a failed publish, say): it looks at everything next time."""
        self.lists.pop(reader, None)

    def save(self, generation: str | None) -> None:
        if generation is None:
            self.suspend()
            return
        temporary = self.path.with_name(f".{PENDING_FILE}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps({"version": 1, "generation": generation,
                                             "lists": {k: sorted(v) for k, v in self.lists.items()}},
                                            ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:  # not saved: every reader looks at everything next time, which only costs time
            temporary.unlink(missing_ok=True)
            self.path.unlink(missing_ok=True)

"""Watching the sources: what a change on disk means, the observer that reports it, one build per burst.

watchdog is imported only when a watch starts, so other commands never load it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUIET_SECONDS = 0.05  # a burst of events (one editor save can be several) ends after this much quiet
MAX_WAIT_SECONDS = 1.0  # ...or after this long, so a long stream of events still gets builds
POLL_SECONDS = 0.5  # how often --poll looks at the files

# Names editors write beside the file they save: backups, swap files, lock files, vim's probe.
IGNORED_PREFIXES = (".", "#")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".swn", ".tmp", ".part", ".crdownload", ".kate-swp", ".bak")
IGNORED_NAMES = {"4913"}
WATCHED_EVENTS = {"created", "deleted", "modified", "moved", "closed", "attrib"}


def classify(root: Path, path: str | bytes) -> str | None:
    """What the file at PATH is to the site: "config", "template", "css", "theme", "content" or None.

    ROOT must be absolute and resolved, like the paths the watcher reports. Editor droppings
    (swap files, backups, lock files), hidden files and anything outside the sources are None.
    """
    try:
        parts = Path(os.path.abspath(os.fsdecode(path))).relative_to(root).parts
    except ValueError:
        return None
    if not parts:
        return None
    name = parts[-1]
    if (any(part.startswith(".") for part in parts) or name.startswith(IGNORED_PREFIXES)
            or name.endswith(IGNORED_SUFFIXES) or name in IGNORED_NAMES):
        return None
    top = parts[0]
    if len(parts) == 1:
        return {"site.toml": "config", "content": "content", "templates": "template",
                "theme": "theme"}.get(top)
    if top == "content":
        # The build skips names starting with "_" (drafts folders, notes): so do we.
        return None if any(part.startswith("_") for part in parts[1:]) else "content"
    if top == "templates":
        return "template"
    if top == "theme":
        return "css" if name.endswith(".css") else "theme"
    return None


def reload_kind(kinds: set[str]) -> str:
    """"css" when only stylesheets changed (pages can swap them in place), else "reload"."""
    return "css" if kinds == {"css"} else "reload"


def content_paths(root: Path, paths: list[str | bytes], is_directory: bool) -> set[str] | None:
    """The files below ROOT/content/ that an event names, relative to it; None for a folder (look at all)."""
    found: set[str] = set()
    for path in paths:
        if classify(root, path) == "content":
            if is_directory:
                return None
            found.add(Path(os.path.abspath(os.fsdecode(path))).relative_to(root / "content").as_posix())
    return found


def watch(root: Path, poll: bool, notify: Callable[[set[str], set[str] | None], object]) -> Any:
    """Start a watchdog observer that calls NOTIFY with the kinds of each change under ROOT, and the content
    files it names (None when a whole folder changed); returns it.

    The root itself is watched without its subfolders (for site.toml, and source folders that
    appear), content/, templates/ and theme/ with theirs: the preview's output under .cache/ is not
    walked. POLL uses the polling observer, for file systems where change events do not arrive.
    Raises OSError if the system refuses (inotify limits, say).
    """
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type not in WATCHED_EVENTS or (event.is_directory and event.event_type == "modified"):
                return
            paths = [event.src_path] + ([event.dest_path] if event.event_type == "moved" else [])
            kinds = {kind for kind in (classify(root, p) for p in paths) if kind}
            if kinds and event.event_type in ("deleted", "moved"):
                kinds.add("removed")
            notify(kinds, content_paths(root, paths, event.is_directory))

    observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
    handler = Changes()
    observer.schedule(handler, str(root), recursive=False)  # site.toml, and folders appearing
    for name in ("content", "templates", "theme"):
        if (root / name).is_dir():
            observer.schedule(handler, str(root / name), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


class Debouncer:
    """Kinds of change gathered until the files go quiet, then handed over together.

    One editor save is often several events, a checkout hundreds: each burst becomes one call of
    HANDLE (one rebuild), made from the thread that runs run(). Events that arrive during that call
    make the next burst.
    """

    def __init__(self, handle: Callable[[set[str], set[str] | None], object]) -> None:
        self._handle = handle
        self._pending: set[str] = set()
        self._paths: set[str] | None = set()  # the content files named, None once a change named a folder
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False

    def add(self, kinds: set[str], paths: set[str] | None = None) -> None:
        """Files of these kinds changed (PATHS: which content files; None, unknown): HANDLE gets them once
        the burst is over."""
        if not kinds:
            return
        with self._lock:
            self._pending |= kinds
            self._paths = None if paths is None or self._paths is None else self._paths | paths
            self._wake.set()

    def stop(self) -> None:
        """Make run() return; a call of HANDLE under way finishes first."""
        self._stopping = True
        self._wake.set()

    def run(self) -> None:
        """Wait for bursts and hand each over, until stopped (a thread's target)."""
        while True:
            self._wake.wait()
            if self._stopping:
                return
            began = time.monotonic()
            while True:  # wait for QUIET_SECONDS without events, or MAX_WAIT_SECONDS in all
                self._wake.clear()
                if not self._wake.wait(QUIET_SECONDS) or time.monotonic() - began > MAX_WAIT_SECONDS:
                    break
            if self._stopping:
                return
            with self._lock:
                kinds, self._pending = self._pending, set()
                paths, self._paths = self._paths, set()
                self._wake.clear()
            if kinds:
                self._handle(kinds, paths)

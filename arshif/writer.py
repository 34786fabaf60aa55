"""The only module that touches build/: the new site is written aside, then swapped in whole."""

from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from . import compress
from .output import MARKER
from .report import SiteChanges

COMPRESS_THREADS = 2
# A folder's modification time is trusted only once it is this old: a change within the file system's
# timestamp granularity of the last one could leave it the same (git's "racily clean" entries). Times in whole
# seconds (FAT, ext3, HFS+) may not move for up to 2 s; finer ones (ext4, XFS, btrfs, APFS, NTFS) for a clock tick.
SETTLED_NS = 2_000_000_000
FINE_SETTLED_NS = 20_000_000


def settled(mtime: int, seen: int) -> bool:
    """Whether a folder whose time was MTIME when looked at, at SEEN, shows any later change in its time."""
    return seen - mtime >= (SETTLED_NS if mtime % 1_000_000_000 == 0 else FINE_SETTLED_NS)


class FolderLook(NamedTuple):
    """What look_at_folders found of the folders a build left, for SiteWriter."""

    when: int  # when they were looked at, before any was
    moved: dict[str, int | None]  # those whose time is no longer the one given (None: gone)
    # The build's files in folders it gave no time (made too recently to trust it), and those folders.
    unrecorded: frozenset[str] = frozenset()
    unrecorded_folders: frozenset[str] = frozenset()


def look_at_folders(output: Path, folders: dict[str, int], listing: str = "") -> FolderLook:
    """What SiteWriter would find looking at each of the FOLDERS of OUTPUT that a build left, done at once (in a
    forked child, build.py, pipeline.py); LISTING, that build's files one a line (cache.Summary.listing)."""
    when = time.time_ns()
    files = listing.split("\n") if listing else []
    unrecorded = frozenset(path for path in files if path.rpartition("/")[0] not in folders)
    unrecorded_folders = frozenset(path.rpartition("/")[0] for path in unrecorded)
    moved: dict[str, int | None] = {}
    try:
        top = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return FolderLook(when, dict.fromkeys(folders), unrecorded, unrecorded_folders)
    try:
        for folder, mtime in folders.items():
            try:
                now = os.stat(folder or ".", dir_fd=top).st_mtime_ns
            except OSError:
                moved[folder] = None
                continue
            if now != mtime:
                moved[folder] = now
    finally:
        os.close(top)
    return FolderLook(when, moved, unrecorded, unrecorded_folders)


class SiteWriter:
    """Stages the files of a build beside OUTPUT; commit() moves them in, and only then.

    Files whose bytes are already in OUTPUT are not staged, so an unchanged file is never
    rewritten. If the build fails, leaving the with-block removes the staging folder and OUTPUT
    stays exactly as it was.

    Text files (compress.SUFFIXES, from compress.MIN_SIZE bytes) get pre-compressed siblings,
    PATH.gz and PATH.br (with the brotli package), staged with them; the siblings follow their
    file everywhere: an unchanged file gets missing or damaged siblings written again, and commit()
    keeps the siblings of expected files and deletes those of stale ones.
    """

    def __init__(self, output: Path, precompress: bool = True, present: frozenset[str] | None = None,
                 before: tuple[frozenset[str], dict[str, int]] | None = None,
                 looked: FolderLook | None = None) -> None:
        self.output = output
        self.precompress = precompress
        self.present = present if not precompress else None  # what OUTPUT holds, when known without looking
        # What the last build left: its site files, and the times of the folders it left as they are.
        self.files_before, self.folders_before = before or (frozenset(), {})
        self._stamps: dict[str, tuple[int, int] | None] = {}  # folder -> its time and when it was looked at
        self._looked = looked  # the folders of FOLDERS_BEFORE already looked at (look_at_folders)
        self._touched: set[str] = set()
        self._top = str(output) + os.sep  # plain strings: pathlib's joins cost more than the look-ups
        self._top_descriptor: int | None = None  # OUTPUT, opened to look folders up from (_as_left)
        self._threads: ThreadPoolExecutor | None = None
        self._threads_pid = 0
        self._pending: list[Future[None]] = []
        self._counting = threading.Lock()
        self.staging = output.parent / f".{output.name}.partial"
        self._count = 0
        self._listings: dict[str, frozenset[str]] = {}

    def __enter__(self) -> SiteWriter:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with contextlib.suppress(Exception):  # a failed copy must not hide the build's own error
            self.drain()
        if self._top_descriptor is not None:
            os.close(self._top_descriptor)
            self._top_descriptor = None
        if self.staging.exists():
            shutil.rmtree(self.staging)

    def _stage(self, path: str) -> Path:
        target = self.staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._counting:
            self._count += 1
        return target

    @property
    def count(self) -> int:
        """Files staged so far (compressed copies included, once they are written)."""
        self.drain()
        return self._count

    @count.setter
    def count(self, value: int) -> None:
        self._count = value

    def write(self, path: str, data: bytes | str) -> None:
        """Stage one file of the site, PATH relative to the site root, unless OUTPUT has it already."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            unchanged = (self.output / path).read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            self._stage(path).write_bytes(data)
        wanted = self._wanted(path, len(data))
        if wanted:
            self._in_background(self._write_siblings, path, data, unchanged, wanted)

    def _write_siblings(self, path: str, data: bytes, unchanged: bool,
                        wanted: tuple[compress.Encoding, ...]) -> None:
        for encoding in wanted:
            sibling = path + encoding.suffix
            if unchanged:
                # The file stays; its copy too, unless it is missing or does not match (a build
                # stopped half-way, a hand edit).
                try:
                    if compress.matches(encoding, (self.output / sibling).read_bytes(), data):
                        continue
                except OSError:
                    pass
            self._stage(sibling).write_bytes(encoding.compress(data))

    def _in_background(self, task: Callable[..., None], *args: Any) -> None:
        """Compress on threads (zlib and brotli let go of the GIL), a bounded number at a time."""
        if self._threads is None or self._threads_pid != os.getpid():
            self._threads, self._threads_pid, self._pending = ThreadPoolExecutor(COMPRESS_THREADS), os.getpid(), []
        self._pending.append(self._threads.submit(task, *args))
        if len(self._pending) > 4 * COMPRESS_THREADS:
            self._pending.pop(0).result()

    def drain(self) -> None:
        """Wait for the compressed copies still being written (in this process)."""
        if self._threads is not None and self._threads_pid == os.getpid():
            for task in self._pending:
                task.result()
            self._pending = []

    def copy(self, path: str, source: Path) -> None:
        """Stage a copy of SOURCE, unless OUTPUT has the same bytes."""
        if self.precompress and compress.compressible(path):
            self.write(path, source.read_bytes())
            return
        current = self.output / path
        if current.is_file() and current.stat().st_size == source.stat().st_size \
                and filecmp.cmp(current, source, shallow=False):
            return
        shutil.copyfile(source, self._stage(path))

    def missing(self, path: str) -> bool:
        """Whether OUTPUT lacks PATH or one of its pre-compressed siblings (then it must be written).

        A folder whose time is the one the last build left holds just what that build left there
        (deleting or adding a file changes it), so only folders changed since are listed, each once; a
        writer told what OUTPUT holds (PRESENT: the preview's own folder, which only its builds change)
        does not look at all.
        """
        if self.present is not None:
            return path not in self.present
        folder, _, name = path.rpartition("/")
        names = self._listings.get(folder)
        if names is None:
            if self._as_left(folder):
                return path not in self.files_before
            try:
                names = self._listings[folder] = frozenset(os.listdir(self._top + folder))
            except OSError:
                names = self._listings[folder] = frozenset()
        if name not in names:
            return True
        if not self.precompress or not compress.compressible(path) \
                or all(name + e.suffix in names for e in compress.encodings()):
            return False
        return not all(name + e.suffix in names for e in self._wanted(path, os.stat(self.output / path).st_size))

    def missing_among(self, paths: Iterable[str]) -> set[str]:
        """Those of PATHS that are missing, found at once: when the folders looked at ahead (look_at_folders) had
        none moved, a file the last build left in one of them is there (at 10,000 articles 0.01 s less)."""
        if self._looked is None or self._looked.moved or self.present is not None:
            return {path for path in paths if self.missing(path)}
        asked = set(paths)
        return {path for path in (asked - self.files_before) | (asked & self._looked.unrecorded) if self.missing(path)}

    def _as_left(self, folder: str) -> bool:
        """Whether FOLDER has the time the last build left it with (looked up once, before any listing)."""
        if folder not in self._stamps:
            if self._looked is not None and folder in self.folders_before:
                mtime = self._looked.moved.get(folder, self.folders_before[folder])
                self._stamps[folder] = None if mtime is None else (mtime, self._looked.when)
            else:
                try:
                    self._stamps[folder] = self._folder_time(folder), time.time_ns()
                except OSError:
                    self._stamps[folder] = None
        seen = self._stamps[folder]
        return seen is not None and self.folders_before.get(folder) == seen[0]

    def folder_times(self, expected: Iterable[str] = ()) -> dict[str, int]:
        """For the next build: the time of each folder known to hold just what this build left.

        After the commit, each folder of EXPECTED (the site's files, each made sure of or written by this build) is
        looked at again where no time of it is known, the folders this build changed among them: otherwise the
        next build lists each one (after a cold build of 10,000 articles, 0.3 s; of 100,000, 6 s and more). Left
        out: folders seen changed but not looked into, and times too recent when seen (settled).
        """
        times = {folder: stamp for folder, stamp in self.folders_before.items() if folder not in self._stamps}
        for folder, seen in self._stamps.items():
            if seen is not None and (folder in self._listings or self.folders_before.get(folder) == seen[0]) \
                    and settled(*seen):
                times[folder] = seen[0]
        for folder in self._touched:
            times.pop(folder, None)
        if self._looked is not None and self.present is None and expected == self.files_before:
            # The folders of the last build's files: those it gave a time, and the others (look_at_folders).
            unknown = (self.folders_before.keys() | self._looked.unrecorded_folders) - times.keys()
        else:
            unknown = {path.rpartition("/")[0] for path in expected} - times.keys()
        now = time.time_ns()  # before looking: a folder counts as changed that recently, never less
        for folder in unknown:
            try:
                mtime = self._folder_time(folder)
            except OSError:
                continue
            if settled(mtime, now):
                times[folder] = mtime
        return times

    def _folder_time(self, folder: str) -> int:
        """FOLDER's modification time, looked up from OUTPUT's descriptor: a third cheaper at 18,000 folders."""
        if self._top_descriptor is None:
            self._top_descriptor = os.open(self.output, os.O_RDONLY | os.O_DIRECTORY)
        return os.stat(folder or ".", dir_fd=self._top_descriptor).st_mtime_ns

    def _wanted(self, path: str, size: int) -> tuple[compress.Encoding, ...]:
        return compress.wanted(path, size) if self.precompress else ()

    def _with_siblings(self, paths: set[str], moved: set[str]) -> set[str]:
        """PATHS and the pre-compressed siblings that their files in OUTPUT should have.

        A file not written by this build keeps the siblings it has; only the MOVED ones are looked at.
        """
        if not self.precompress:
            return paths
        siblings = set()
        kept = [e.suffix for e in compress.encodings()]
        for path in paths:
            if compress.compressible(path):
                if path not in moved:
                    siblings.update(path + suffix for suffix in kept)
                    continue
                try:
                    size = os.stat(self.output / path).st_size
                except OSError:
                    continue
                siblings.update(path + e.suffix for e in self._wanted(path, size))
        return paths | siblings

    def commit(self, expected: set[str], previous: set[str] | None, had_copies: bool = True) -> SiteChanges | None:
        """Move the staged files in and delete what the new site no longer has; returns what changed
        (None when OUTPUT was made whole).

        PREVIOUS is what the last build wrote; without it, anything in OUTPUT not EXPECTED goes.
        (Compressed copies still being written are waited for first.)
        Both name site files only: the pre-compressed siblings of EXPECTED files are expected too
        (those their current size calls for), and any sibling a PREVIOUS file may have had goes
        with it, unless the last build wrote no copies (HAD_COPIES false).
        """
        self.drain()
        if not (self.output / MARKER).exists():
            (self.staging / MARKER).write_text("This folder is written by Arshif; each build replaces it.\n")
        if not self.output.exists():
            os.rename(self.staging, self.output)
            return None
        moved = set()
        for top, _dirs, names in os.walk(self.staging):
            relative = Path(top).relative_to(self.staging)
            (self.output / relative).mkdir(parents=True, exist_ok=True)
            prefix = "" if str(relative) == "." else relative.as_posix() + "/"
            if names:
                self._touched.add(prefix.rstrip("/"))
            for name in names:
                os.replace(Path(top) / name, self.output / relative / name)
                moved.add(prefix + name)
        if previous is not None and previous == expected and had_copies and self.precompress \
                and len(compress.encodings()) == len(compress.ALL_SUFFIXES):
            # The same site files (one edit, say): only a rewritten file's copies can have gone (it shrank).
            rewritten = moved & expected
            copies = {p + suffix for p in rewritten if compress.compressible(p) for suffix in compress.ALL_SUFFIXES}
            stale_paths = copies - self._with_siblings(rewritten, moved)
        else:
            expected = self._with_siblings(expected, moved)
            if previous is None:
                previous = {p.relative_to(self.output).as_posix() for p in self.output.rglob("*") if p.is_file()}
            elif had_copies:
                previous = previous | {p + suffix for p in previous if compress.compressible(p)
                                       for suffix in compress.ALL_SUFFIXES}
            stale_paths = previous - expected
        emptied: set[Path] = set()
        deleted = set()
        for stale in sorted(stale_paths - {MARKER}):
            target = self.output / stale
            if target.is_file() or target.is_symlink():
                target.unlink()
                deleted.add(stale)
                self._touched.add(stale.rpartition("/")[0])
                emptied.update(p for p in target.parents if p.is_relative_to(self.output) and p != self.output)
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # not empty: it keeps other files of the site
                folder.rmdir()
                deleted.add(folder.relative_to(self.output).as_posix())
        shutil.rmtree(self.staging)
        return SiteChanges(frozenset(moved), frozenset(deleted))

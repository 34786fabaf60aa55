"""One build from sources to build/: the checks, the no-change test, then the pipeline (pipeline.py)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from . import __version__
from .cache import BuildCache, Summary, cache_folder, input_signature, last_folders
from .config import CONFIG_NAME, Config, load_config
from .content import FileStat, PackedScan, packed, parse_settings, scan_files, unpacked
from .output import MARKER, check_output_dir
from .pool import Forked
from .problems import BuildFailed, Problem
from .report import BuildReport, Progress, SiteChanges, default_workers

if TYPE_CHECKING:
    from .writer import FolderLook

__all__ = ["BuildReport", "BuildRequest", "BuildSession", "build_site"]


@dataclass
class BuildSession:
    """What a long-lived process (the preview server) keeps between its builds: the build cache as
    the last build left it, so the next one need not read it back from disk. A failed build drops it."""

    caches: dict[Path, BuildCache] = field(default_factory=dict)

    def finish(self) -> None:
        """Record the last build in the cache on disk: the preview does it after the page has reloaded."""
        for cache in self.caches.values():
            cache.finish_saving()

    def keeps_site(self) -> bool:
        """Whether the next build can patch the site the last one assembled (pipeline._kept_site)."""
        return any(cache.assembled is not None for cache in self.caches.values())

    def missed_changes(self) -> bool:
        """Whether a content file changed that the last build did not see (one told what changed, say)."""
        return any(cache.scan is not None and cache.scan != scan_files(cache.content_dir)
                   for cache in self.caches.values())


def _content_scan(content_dir: Path, known: dict[str, FileStat] | None,
                  changes: set[str] | None) -> dict[str, FileStat]:
    """The files of CONTENT_DIR (scan_files): KNOWN, the last scan, with the CHANGES since looked at again.

    At 10,000 articles looking at every file costs 0.1 s of a preview's 0.3 s rebuild. A new file, or no
    CHANGES known, means looking at all (a new file's place in the scan's order follows from the walk).
    """
    if known is None or changes is None or not changes <= known.keys():
        return scan_files(content_dir)
    scan = dict(known)
    for relative in changes:
        try:
            stat = os.stat(content_dir / relative)
        except FileNotFoundError:
            del scan[relative]
            continue
        if not S_ISREG(stat.st_mode):
            return scan_files(content_dir)
        scan[relative] = FileStat(stat.st_mtime_ns, stat.st_size)
    return scan


def _as_last_time(last: Summary, signature: tuple[Any, ...], now: datetime) -> bool:
    """Whether the last build was made from these sources (SIGNATURE) and no article has come due since."""
    return last.signature == signature and (last.next_due is None or now < last.next_due)


def _changed_scan(config: Config, key: str, last: Summary, now: datetime) -> PackedScan | None:
    """In a forked child (_scan_reading_ahead): the content scan, packed; None when the sources are as last time."""
    scan = scan_files(config.content_dir)
    return None if _as_last_time(last, input_signature(config.root, key, scan), now) else packed(scan)


def _look_at_last_folders(folder: Path, output: Path, listing: str) -> tuple[Any, FolderLook | None]:
    """In a forked child (_scan_reading_ahead): the output folders of the last build's record looked at, with the
    record file's stamp (cache.last_folders); LISTING, that build's files (cache.Summary.listing)."""
    from .writer import look_at_folders

    stamp, folders = last_folders(folder)
    return stamp, look_at_folders(output, folders, listing) if folders else None


def _scan_reading_ahead(cache: BuildCache, config: Config, key: str, now: datetime, output: Path,
                        changes: set[str] | None) -> dict[str, FileStat] | None:
    """The content scan (_content_scan), or None when a forked child found the sources as last time (_as_last_time).

    In a new process after a build, the child scans while this process reads the last build's parsed articles
    (a file at a time) and record, which a build with work to do needs: at 10,000 articles the scan takes 0.04 s,
    the reading 0.09 s. The reading stops once the child is done, so that a build with nothing to do waits
    hardly longer than before. When the child found changes, a second one looks at the output folders the last
    build left (cache.looking_ahead): forked now, while this process is still small, it costs less than one forked
    later (pipeline.run_pipeline). What was read is frozen for the collector (build_site unfreezes it).
    """
    if cache.scan is not None or not cache.trust or not cache.summary.signature or (os.cpu_count() or 1) < 2:
        return _content_scan(config.content_dir, cache.scan, changes)
    scanning = Forked(partial(_changed_scan, config, key, cache.summary, now))
    if not scanning.running:
        return _content_scan(config.content_dir, None, None)
    collecting = gc.isenabled()
    gc.disable()  # reading makes no garbage; collections would walk all that was read, again and again
    try:
        cache.load_index(until=scanning.ready)
        if not scanning.ready():
            cache.load_record()
        found = scanning.result()
        if found is None:
            return None
        cache.looking_ahead = Forked(partial(_look_at_last_folders, cache.folder, output, cache.summary.listing))
        return unpacked(found)
    finally:
        scanning.close()
        gc.freeze()
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class BuildRequest:
    """What was asked of a build, once checked: everything the pipeline's steps read besides the cache."""

    config: Config
    output: Path
    now: datetime
    drafts: bool
    future: bool
    workers: int
    progress: Progress | None
    key: str
    signature: Any
    scan: dict[str, FileStat]
    started: float
    save_later: bool = False  # leave the cache's saving to BuildSession.finish


def _build_key(config: Config, root: Path, base_url: str | None, drafts: bool, future: bool) -> str:
    """Everything global that shapes the output: a change in it re-renders every page."""
    parts = (__version__, (root / CONFIG_NAME).read_bytes(), base_url, drafts, future, config.precompress,
             parse_settings(config))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _outputs_intact(output: Path, outputs: list[str]) -> bool:
    """Every file the last build wrote is still there (someone may have deleted some).

    Each is looked up from OUTPUT's descriptor, not by its full path: half the time, and a no-change
    build at 10,000 articles looks up 18,000 of them.
    """
    try:
        top = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        return all(os.access(path, os.F_OK, dir_fd=top) for path in (MARKER, *outputs))
    finally:
        os.close(top)


def _scratch_folder() -> Any:
    """A folder for a build without a cache, gone after it (tempfile is imported here: every build paid 4 ms)."""
    import tempfile

    return tempfile.TemporaryDirectory(prefix="arshif-")


def build_site(root: Path, output: Path | None = None, *, drafts: bool = False, future: bool = False,
               base_url: str | None = None, now: datetime | None = None, progress: Progress | None = None,
               clean: bool = False, use_cache: bool = True, workers: int | None = None,
               precompress: bool | None = None, precompress_unset: bool = False,
               session: BuildSession | None = None, content_changes: set[str] | None = None,
               keep_site: bool = False) -> BuildReport:
    """Build the site in ROOT into OUTPUT (default ROOT/build); raise BuildFailed with every problem.

    Whatever goes wrong, OUTPUT is either the complete new site or exactly what it was before.
    With the cache (ROOT/.cache/), only pages whose inputs changed are rendered, and a build
    with nothing changed writes nothing; CLEAN ignores what the cache holds. PRECOMPRESS overrides
    site.toml's setting (a preview has no use for .gz copies); when neither says, PRECOMPRESS_UNSET
    decides: where the site goes (most hosts compress themselves, nginx wants .gz files beside).
    A SESSION keeps the cache in memory from one build to the next; CONTENT_CHANGES, the files below content/
    changed since its last build (a watcher's events), spare looking at the others. KEEP_SITE: assemble
    the site even when nothing changed, for the session to keep (then the next edit need not).
    """
    started = time.perf_counter()
    config = load_config(root, base_url)
    if precompress is None:
        precompress = precompress_unset if config.precompress is None else config.precompress
    config = replace(config, precompress=precompress)
    output = output if output is not None else root / "build"
    check_output_dir(output, root)
    for folder in (config.content_dir, config.templates_dir):
        if not folder.is_dir():
            raise BuildFailed([Problem(folder.name + "/", None, "folder not found",
                                       f"create {folder.name}/ in {root}")])
    now = now or datetime.now(config.zone)
    key = _build_key(config, root, base_url, drafts, future)
    with contextlib.nullcontext() if use_cache else _scratch_folder() as scratch:
        folder = cache_folder(root, output) if scratch is None else Path(scratch)
        settings = parse_settings(config)
        kept = session.caches.pop(folder, None) if session is not None else None
        if kept is not None:
            kept.finish_saving()
        if kept is not None and kept.settings == settings and kept.content_dir == config.content_dir and not clean:
            cache = kept.renewed()
        else:
            cache = BuildCache(folder, config.content_dir, settings, trust=use_cache and not clean, persist=use_cache)
        try:
            def unchanged() -> BuildReport:
                articles, pages, tags = cache.summary.counts
                if session is not None and use_cache:
                    session.caches[folder] = cache
                return BuildReport(articles, pages, tags, 0, time.perf_counter() - started, config.warnings,
                                   unchanged=True, changes=SiteChanges(frozenset(), frozenset()))

            keep = keep_site and session is not None and cache.assembled is None  # to assemble, with nothing to do
            scan = _scan_reading_ahead(cache, config, key, now, output, content_changes)
            looked = scan is None  # a child found the sources as last time: only the outputs are left to look at
            if looked and not keep and _outputs_intact(output, cache.summary.outputs):
                return unchanged()
            # Kept for the session's next build; a build that fails drops the whole cache from the session.
            scan = cache.scan = scan if scan is not None else _content_scan(config.content_dir, None, None)
            signature = input_signature(config.root, key, scan)
            last = cache.summary
            if not (looked or keep) and _as_last_time(last, signature, now) and _outputs_intact(output, last.outputs):
                return unchanged()
            # Imported here so that a build with nothing to do does not pay for Jinja, Markdown and feedgen.
            from .pipeline import run_pipeline

            request = BuildRequest(config, output, now, drafts, future, workers or default_workers(), progress,
                                   key, signature, scan, started, save_later=session is not None)
            report = run_pipeline(request, cache)
            if session is not None and use_cache:
                session.caches[folder] = cache
            return report
        finally:
            cache.bodies.close()
            if cache.looking_ahead is not None:  # not taken by run_pipeline: the build ended before
                cache.looking_ahead.close()
                cache.looking_ahead = None
            gc.unfreeze()  # what _scan_reading_ahead read (run_pipeline, when it runs, unfreezes it first)

"""The preview itself: its builds, the state pages are told (version, problems), and its threads.

One Preview ties the parts together: the watcher (watch.py) feeds a debouncer whose thread
rebuilds, the HTTP server (http.py) reads files under the same lock the build holds.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..build import BuildSession
from ..problems import BuildFailed, Problem
from ..report import progress_printer
from .http import make_server
from .watch import Debouncer, reload_kind, watch

DEFAULT_PORT = 8000
WARM = "warm"  # the kind of change of the build that only assembles the site, after a start with nothing changed


class Preview:
    """One preview of ROOT: built into OUTPUT, served on HOST:PORT, rebuilt on every change.

    start() binds, builds and serves; stop() ends everything. The tests run it in a thread.
    """

    def __init__(self, root: Path, output: Path, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 drafts: bool = True, future: bool = True, poll: bool = False, jobs: int | None = None,
                 log: Any = None) -> None:
        self.root = root.resolve()
        self.output = output.resolve()
        self.host, self.port = host, port
        self.drafts, self.future, self.poll, self.jobs = drafts, future, poll, jobs
        self.log = log or sys.stdout
        self.lock = threading.Lock()  # held by a build, and by a request while it reads a file
        self.changed = threading.Condition()  # notified when version or problems change
        self.version = time.time_ns() // 1_000_000  # a page from an earlier server is always stale
        self.css_from = self.version  # changes after this version were only stylesheets
        self.problems: list[Problem] = []
        self.base_path = "/"
        self.stopping = False
        self.building = False
        self.builds = 0
        self.last_build_seconds = 0.0
        self._printed: tuple[Any, ...] = ()
        self._warnings: tuple[str, ...] = ()
        self._changes = Debouncer(self.rebuild)
        self.session = BuildSession()
        self._server: Any = None
        self._observer: Any = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle

    def bind(self) -> None:
        """Take the port (raises OSError if it is in use); PORT 0 picks a free one."""
        self._server = make_server(self.host, self.port, self)
        self.port = self._server.server_address[1]

    def start(self) -> None:
        """Bind (unless done), build once, then serve and watch in background threads."""
        if self._server is None:
            self.bind()
        warm = self.rebuild(set(), None, first=True) and not self.session.keeps_site()
        self._start_thread(lambda: self._server.serve_forever(poll_interval=0.1), "arshif-http")
        self._start_thread(self._changes.run, "arshif-builder")
        if warm:  # nothing had changed since the last preview: assemble the site now, not at the first edit
            self.notify({WARM}, set())
        self._observer = watch(self.root, self.poll, self.notify)

    def stop(self) -> None:
        """End the server, the watcher and the builder; a build under way is finished first."""
        self.stopping = True
        with self.changed:
            self.changed.notify_all()
        self._changes.stop()
        if self._observer is not None:
            self._observer.stop()
        if self._server is not None:
            if any(t.name == "arshif-http" for t in self._threads):
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join()  # the builder finishes the build under way: the preview stays whole
        if self._observer is not None:
            self._observer.join(timeout=5)

    def _start_thread(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    @property
    def url(self) -> str:
        """Where the site is, for the terminal: a wildcard address is shown as this machine's."""
        return f"http://{_url_host(self.host)}:{self.port}{self.base_path}"

    def notify(self, kinds: set[str], paths: set[str] | None = None) -> None:
        """Files of these kinds changed (PATHS: the content files, when known): a rebuild follows once the
        burst is over."""
        self._changes.add(kinds, paths)

    # -- building

    def rebuild(self, kinds: set[str], paths: set[str] | None = None, first: bool = False) -> bool:
        """Build the preview; on success bump the version (pages reload), on failure show the problems.

        PATHS, the content files the watcher saw change, spare the build looking at every file; once the
        page has reloaded, every file is looked at, and a change the events missed gets a build of its own.
        """
        from ..build import build_site
        from ..config import load_config

        started = time.perf_counter()
        problems: list[Problem] = []
        report = None
        try:
            base_path = load_config(self.root).base_path or "/"
            base_url = f"http://{_url_host(self.host)}:{self.port}{base_path}"
            if first:
                self.base_path = base_path  # even if this build fails, a previous one may be there
            with self.lock:
                self.building = True
                report = build_site(self.root, self.output, drafts=self.drafts, future=self.future,
                                    base_url=base_url, progress=progress_printer() if first else None,
                                    workers=self.jobs, precompress=False, session=self.session,
                                    content_changes=paths, keep_site=not first)
                self.base_path = base_path
                changed = not report.unchanged and (report.files > 0 or "removed" in kinds)
                with self.changed:  # pages read after the lock is released see the new version
                    self.problems = []
                    if changed and not first:
                        self.version += 1
                        if reload_kind(kinds) != "css":
                            self.css_from = self.version
        except BuildFailed as failure:
            problems = list(failure.problems)
        except OSError as error:  # an unreadable file, a full disk: shown like any problem
            problems = [Problem(str(error.filename or "(build)"), None, error.strerror or str(error),
                                "check the file's permissions and the free disk space")]
        except Exception as error:  # a bug must not stop the server either
            if self.stopping:  # Ctrl-C reached the build's worker processes too
                return False
            problems = [Problem("(build)", None, f"{type(error).__name__}: {error}",
                                "this looks like a bug in Arshif; the traceback is in the terminal")]
            import traceback

            traceback.print_exc()
        finally:
            self.building = False
        self.builds += 1
        self.last_build_seconds = time.perf_counter() - started
        with self.changed:
            self.problems = problems
            self.changed.notify_all()
        self._report(report, problems, kinds, first)
        self._save_cache()
        if paths is not None and self.session.missed_changes():
            self.notify({"content"})
        return not problems

    def _save_cache(self) -> None:
        """Record the build in the cache on disk once the pages reload: a later build starts from it."""
        try:
            self.session.finish()  # builds run one at a time on this thread; readers need no lock for it
        except Exception as error:  # the preview goes on; the next build only does more work
            self._say(f"could not save the build cache ({type(error).__name__}: {error}); "
                      "the next build renders more pages")

    def _report(self, report: Any, problems: list[Problem], kinds: set[str], first: bool) -> None:
        """Print a build's outcome; the same problems are printed only once."""
        say = self._say
        if kinds == {WARM} and not problems:
            return
        if problems:
            key = tuple(problems)
            if key != self._printed:
                self._printed = key
                for problem in problems:
                    say(f"error: {problem}")
                say(f"build failed with {len(problems)} problem(s); the preview keeps the last good "
                    "build and shows them in the browser. Fix and save to go on.")
            return
        if report.warnings != self._warnings:
            self._warnings = report.warnings
            for warning in report.warnings:
                say(f"warning: {warning}")
        fixed = " (fixed)" if self._printed else ""
        self._printed = ()
        seconds = f"{self.last_build_seconds:.2f} s"
        if first:
            say(f"built {report.articles} articles, {report.pages} pages"
                f"{', nothing changed' if report.unchanged else f' ({report.rendered} rendered)'} in {seconds}")
        elif report.unchanged or report.files == 0:
            say(f"rebuilt{fixed}: nothing changed ({seconds})")
        else:
            what = "stylesheet" if reload_kind(kinds) == "css" else "reload"
            say(f"rebuilt{fixed}: {report.rendered} pages rendered, {report.files} files written "
                f"in {seconds} → {what}")

    def _say(self, text: str) -> None:
        print(text, file=self.log, flush=True)

    # -- what pages are told

    def state(self) -> dict[str, Any]:
        """What the pages are told: the site's version, and the problems of the last build."""
        return {"version": self.version, "css_from": self.css_from,
                "problems": [{"path": p.path, "line": p.line, "message": p.message, "hint": p.hint}
                             for p in self.problems]}

    def wait_for_change(self, seen: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        """The state once it differs from SEEN (or after TIMEOUT, or when stopping)."""
        with self.changed:
            self.changed.wait_for(lambda: self.stopping or self.state() != seen, timeout=timeout)
            return self.state()


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host

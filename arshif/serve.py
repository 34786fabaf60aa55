"""`generate.py serve`: build a preview of the site, serve it, rebuild on every save, reload the browser.

The preview is built with the ordinary incremental build into its own folder (ROOT/.cache/serve/,
never build/), with drafts and future articles unless --production. Watchdog reports changes to
content/, templates/, theme/ and site.toml; a burst of events becomes one rebuild. Every HTML
response gets a small script (added on the way out; the files on disk stay as a build writes
them) that listens on a Server-Sent Events stream: after a rebuild the page reloads itself, after
a CSS-only change it swaps its stylesheets, and while the sources are broken it shows the problems
over the last good page. A lock around the build and around every file read means a request never
sees a half-applied build.
"""

from __future__ import annotations

import argparse
import errno
import functools
import os
import posixpath
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .problems import BuildFailed, Problem
from .report import progress_printer

EVENTS_PATH = "/__arshif__/events"
SCRIPT_PATH = "/__arshif__/live.js"
DEFAULT_PORT = 8000
QUIET_SECONDS = 0.1  # a burst of events (one editor save can be several) ends after this much quiet
MAX_WAIT_SECONDS = 1.0  # ...or after this long, so a long stream of events still gets builds
POLL_SECONDS = 0.5  # how often --poll looks at the files
KEEPALIVE_SECONDS = 15.0

# Names editors write beside the file they save: backups, swap files, lock files, vim's probe.
IGNORED_PREFIXES = (".", "#")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".swn", ".tmp", ".part", ".crdownload", ".kate-swp", ".bak")
IGNORED_NAMES = {"4913"}
WATCHED_EVENTS = {"created", "deleted", "modified", "moved", "closed", "attrib"}

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",  # pre-compressed copies, should anyone ask for them by name
    ".br": "application/octet-stream",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the serve command; heavy imports wait until it runs, so other commands stay fast."""
    serve = commands.add_parser(
        "serve", parents=[common], help="preview the site with live reload",
        description="Build a preview of the site (drafts and future articles included), serve it at "
                    "http://127.0.0.1:8000/ under the path of base_url, and rebuild it whenever "
                    "content/, templates/, theme/ or site.toml change: open pages reload themselves, "
                    "and a broken edit is shown over the last good page. build/ is not touched.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, this machine only; "
                            "0.0.0.0 shows your drafts to your whole network)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port (default: {DEFAULT_PORT})")
    serve.add_argument("--production", action="store_true",
                       help="preview exactly what will be published: no drafts, no future articles")
    serve.add_argument("--poll", action="store_true",
                       help="look for changes by polling (for network and container file systems, "
                            "where change events do not arrive)")
    serve.add_argument("--output", type=Path,
                       help="where to build the preview (default: ROOT/.cache/serve/preview, "
                            "or .../production with --production)")
    serve.add_argument("--jobs", type=int, metavar="N",
                       help="processes for Markdown and rendering on large builds (default: the CPU count)")
    serve.set_defaults(run=run)


# --- what a change on disk means --------------------------------------------------------------


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


# --- mapping a request to a file ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a request leads: a file to send, a redirect, or not found (the 404 page)."""

    status: int
    file: str | None = None
    location: str | None = None


NOT_FOUND = Target(404)


def resolve(top: str, base_path: str, raw: str) -> Target:
    """The file under TOP (a resolved folder) that the request path RAW asks for.

    The site lives under BASE_PATH ("/archive/"); "/" redirects there. Pretty URLs lead to
    index.html, a folder without its final slash redirects to it. Anything that would leave TOP
    (dot segments, encoded or not, backslashes, NUL, empty segments, symlinks pointing outside)
    and hidden files are not found.
    """
    path, query = _split_target(raw)
    if not path.startswith("/"):
        return NOT_FOUND
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return NOT_FOUND
    base = unquote(base_path)
    if (decoded == "/" and base != "/") or decoded + "/" == base:
        return Target(302, location=quote(base, safe="/"))
    if not decoded.startswith(base) or "\x00" in decoded or "\\" in decoded:
        return NOT_FOUND
    segments = decoded[len(base):].split("/")
    for index, segment in enumerate(segments):
        if segment.startswith(".") or (segment == "" and index != len(segments) - 1):
            return NOT_FOUND
    found = os.path.realpath(os.path.join(top, *segments))
    if not _inside(found, top):
        return NOT_FOUND
    if os.path.isdir(found):
        if not path.endswith("/"):
            return Target(302, location=path + "/" + (f"?{query}" if query else ""))
        found = os.path.realpath(os.path.join(found, "index.html"))
        if not _inside(found, top):
            return NOT_FOUND
    if not os.path.isfile(found):
        return NOT_FOUND
    return Target(200, file=found)


def _split_target(raw: str) -> tuple[str, str]:
    """The path and query of a request target: "/a/b?q" (or the rare absolute form "http://host/a/b?q")."""
    if not raw.startswith("/"):
        split = urlsplit(raw)
        return (split.path or "/", split.query) if split.scheme in ("http", "https") else ("", "")
    path, _, query = raw.partition("?")
    return path.partition("#")[0], query


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    import mimetypes

    guess = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return guess + "; charset=utf-8" if guess.startswith("text/") else guess


def inject(html: bytes, version: int) -> bytes:
    """HTML with the live-reload script added before </body> (or at the end)."""
    tag = (f'<script src="{SCRIPT_PATH}" data-version="{version}" data-events="{EVENTS_PATH}">'
           "</script>").encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


FALLBACK_404 = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>غير موجود — Not found</title></head>
<body><h1>الصفحة غير موجودة</h1><p>Not found. The preview has no page here (yet).</p></body></html>
"""


# --- the preview: state, builds, watcher, server ------------------------------------------------


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
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._wake = threading.Event()
        self._server: Any = None
        self._observer: Any = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle

    def bind(self) -> None:
        """Take the port (raises OSError if it is in use); PORT 0 picks a free one."""
        from http.server import ThreadingHTTPServer

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            address_family = _family(self.host)

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
                    super().handle_error(request, client_address)

        self._server = Server((self.host, self.port), handler_class())
        self._server.preview = self
        self.port = self._server.server_address[1]

    def start(self) -> None:
        """Bind (unless done), build once, then serve and watch in background threads."""
        if self._server is None:
            self.bind()
        self.rebuild(set(), first=True)
        self._start_thread(lambda: self._server.serve_forever(poll_interval=0.1), "arshif-http")
        self._start_thread(self._builder, "arshif-builder")
        self._watch()

    def stop(self) -> None:
        self.stopping = True
        with self.changed:
            self.changed.notify_all()
        self._wake.set()
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
        return f"http://{_url_host(self.host)}:{self.port}{self.base_path}"

    # -- watching

    def _watch(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        preview = self

        class Changes(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type not in WATCHED_EVENTS or (event.is_directory and event.event_type == "modified"):
                    return
                paths = [event.src_path] + ([event.dest_path] if event.event_type == "moved" else [])
                kinds = {kind for kind in (classify(preview.root, p) for p in paths) if kind}
                if kinds and event.event_type in ("deleted", "moved"):
                    kinds.add("removed")
                preview.notify(kinds)

        observer = PollingObserver(timeout=POLL_SECONDS) if self.poll else Observer()
        handler = Changes()
        observer.schedule(handler, str(self.root), recursive=False)  # site.toml, and folders appearing
        for name in ("content", "templates", "theme"):
            if (self.root / name).is_dir():
                observer.schedule(handler, str(self.root / name), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def notify(self, kinds: set[str]) -> None:
        """Files of these kinds changed: a rebuild follows once the burst is over."""
        if not kinds:
            return
        with self._pending_lock:
            self._pending |= kinds
            self._wake.set()

    def _builder(self) -> None:
        while True:
            self._wake.wait()
            if self.stopping:
                return
            began = time.monotonic()
            while True:  # wait for QUIET_SECONDS without events, or MAX_WAIT_SECONDS in all
                self._wake.clear()
                if not self._wake.wait(QUIET_SECONDS) or time.monotonic() - began > MAX_WAIT_SECONDS:
                    break
            if self.stopping:
                return
            with self._pending_lock:
                kinds, self._pending = self._pending, set()
                self._wake.clear()
            if kinds:
                self.rebuild(kinds)

    # -- building

    def rebuild(self, kinds: set[str], first: bool = False) -> bool:
        """Build the preview; on success bump the version (pages reload), on failure show the problems."""
        from .build import build_site
        from .config import load_config

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
                                    workers=self.jobs,
                                    precompress=False)
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
        return not problems

    def _report(self, report: Any, problems: list[Problem], kinds: set[str], first: bool) -> None:
        """Print a build's outcome; the same problems are printed only once."""
        say = self._say
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

    # -- serving

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

    def read(self, raw: str) -> tuple[int, str, bytes, str | None]:
        """Status, content type, body and redirect location for request path RAW."""
        with self.lock:
            top = str(self.output)
            target = resolve(top, self.base_path, raw)
            version = self.version
            if target.location is not None:
                return target.status, "text/plain; charset=utf-8", b"", target.location
            file = target.file
            if file is None:
                page = resolve(top, "/", "/404.html")
                file = page.file
            body = FALLBACK_404.encode() if file is None else Path(file).read_bytes()
        kind = content_type(file or "404.html")
        if kind.startswith("text/html"):
            body = inject(body, version)
        return target.status, kind, body, None


def _family(host: str) -> int:
    import socket

    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host




@functools.cache
def handler_class() -> type:
    """The request handler (http.server is imported only when a preview runs)."""
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        """GET and HEAD for the preview's files, the live-reload script and the event stream."""

        protocol_version = "HTTP/1.1"
        timeout = 60  # an idle kept-alive connection frees its thread after this

        def version_string(self) -> str:
            return "Arshif-preview"

        def do_GET(self) -> None:
            self._respond(head=False)

        def do_HEAD(self) -> None:
            self._respond(head=True)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _respond(self, head: bool) -> None:
            preview: Preview = self.server.preview
            path = _split_target(self.path)[0]
            if path == EVENTS_PATH:
                self._events(preview, head)
                return
            if path == SCRIPT_PATH:
                self._send(200, "text/javascript; charset=utf-8", LIVE_JS.encode(), head)
                return
            try:
                status, kind, body, location = preview.read(self.path)
            except OSError:
                status, kind, body, location = 404, "text/html; charset=utf-8", inject(FALLBACK_404.encode(), 0), None
            self._send(status, kind, body, head, location)

        def _send(self, status: int, kind: str, body: bytes, head: bool, location: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            if location is not None:
                self.send_header("Location", location)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _events(self, preview: Preview, head: bool) -> None:
            """The Server-Sent Events stream: the state now, then each time it changes."""
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return
            import json

            sent: dict[str, Any] | None = None
            try:
                self.wfile.write(b"retry: 1000\n\n")
                self.wfile.flush()
                while not preview.stopping:
                    state = preview.wait_for_change(sent, KEEPALIVE_SECONDS)
                    if preview.stopping:
                        return
                    if state != sent:
                        data = json.dumps(state, ensure_ascii=False)
                        self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                        sent = state
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except OSError:
                return

    return Handler


LIVE_JS = r"""// Arshif preview: live reload, stylesheet swap and the error overlay. Added by `serve` only.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = Number(script.getAttribute("data-version"));
  var host = null;
  var css = ":host{all:initial;position:fixed;inset:0;z-index:2147483647;display:flex;justify-content:center;"
    + "align-items:flex-start;overflow:auto;background:rgba(15,15,15,.55);font:16px/1.6 system-ui,sans-serif}"
    + ".box{box-sizing:border-box;max-width:52rem;width:calc(100% - 2rem);margin:3rem 1rem;padding:1.25rem 1.5rem;"
    + "background:#fff;color:#1b1b1b;border-block-start:6px solid #c62828;border-radius:6px;"
    + "box-shadow:0 10px 40px rgba(0,0,0,.35)}"
    + "h2{margin:0 0 .25rem;font-size:1.25rem;color:#b71c1c}p{margin:.25rem 0;color:#444}"
    + ".english{margin-block-end:1rem}"
    + "ol{margin:0;padding-inline-start:1.25rem}li{margin:.75rem 0}"
    + ".where{font-family:ui-monospace,monospace;direction:ltr;unicode-bidi:isolate;font-weight:bold}"
    + ".hint{color:#555}button{font:inherit;margin-block-start:1rem;cursor:pointer}";

  function add(parent, tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    node.setAttribute("dir", "auto");
    parent.appendChild(node);
    return node;
  }

  function hide() {
    if (host) { host.remove(); host = null; }
  }

  function show(problems) {
    hide();
    host = document.createElement("div");
    host.id = "arshif-overlay";
    host.setAttribute("role", "alert");
    host.setAttribute("dir", "rtl");
    var root = host.attachShadow({mode: "open"});
    add(root, "style", css);
    var box = add(root, "div", "", "box");
    add(box, "h2", "تعذّر بناء الموقع");
    add(box, "p", "هذه آخر نسخة سليمة من الصفحة؛ أصلح الملف واحفظه فتتحدّث وحدها.");
    add(box, "p", "The site could not be built. This is the last good version of the page: "
      + "fix the file and save, and it updates itself.", "english");
    var list = add(box, "ol");
    problems.forEach(function (problem) {
      var item = add(list, "li");
      add(item, "div", problem.path + (problem.line ? ":" + problem.line : ""), "where");
      add(item, "div", problem.message, "message");
      if (problem.hint) { add(item, "div", "→ " + problem.hint, "hint"); }
    });
    add(box, "button", "إخفاء · Dismiss").addEventListener("click", hide);
    document.documentElement.appendChild(host);
  }

  // Put the page's new stylesheets in place of the old ones: the new link loads beside the old
  // one, which goes once it has, so the page never shows unstyled. Hashed names tell which
  // changed; if none did (names without hashes), every stylesheet is fetched again.
  function swapStylesheets() {
    fetch(location.href, {cache: "no-store"}).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelectorAll('link[rel="stylesheet"]');
      var current = document.querySelectorAll('link[rel="stylesheet"]');
      if (fresh.length !== current.length) { location.reload(); return; }
      var hrefs = Array.prototype.map.call(fresh, function (link) { return link.getAttribute("href"); });
      var same = hrefs.every(function (href, i) { return current[i].getAttribute("href") === href; });
      current.forEach(function (link, i) {
        if (!same && link.getAttribute("href") === hrefs[i]) { return; }
        var next = link.cloneNode();
        next.setAttribute("href", same ? hrefs[i] + (hrefs[i].indexOf("?") < 0 ? "?" : "&") + "v=" + version
                                       : hrefs[i]);
        next.onload = function () { link.remove(); };
        next.onerror = function () { location.reload(); };
        link.after(next);
      });
    }).catch(function () { location.reload(); });
  }

  var events = new EventSource(script.getAttribute("data-events"));
  events.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    if (state.version !== version) {
      if (version >= state.css_from) {
        version = state.version;
        swapStylesheets();
      } else {
        events.close();
        location.reload();
        return;
      }
    }
    if (state.problems.length) { show(state.problems); } else { hide(); }
  });
})();
"""


# --- the command ------------------------------------------------------------------------------


def default_output(root: Path, production: bool) -> Path:
    return root / ".cache" / "serve" / ("production" if production else "preview")


def run(args: argparse.Namespace) -> int:
    import signal

    from .output import check_output_dir

    root: Path = args.root.resolve()
    if not (root / "site.toml").is_file():
        print(f"error: {root} has no site.toml; run serve in the site's folder or pass --root",
              file=sys.stderr)
        return 1
    output: Path = (args.output or default_output(root, args.production)).resolve()
    if output == (root / "build").resolve():
        print("error: build/ is the production output; the preview is built elsewhere "
              "(leave out --output, or choose another folder)", file=sys.stderr)
        return 1
    check_output_dir(output, root)  # BuildFailed is printed by the CLI
    output.parent.mkdir(parents=True, exist_ok=True)
    claim = _claim(output)
    if claim is None:
        print(f"error: another `serve` is already building its preview into {output}; stop it, "
              "or give this one another --output", file=sys.stderr)
        return 1
    preview = Preview(root, output, host=args.host, port=args.port, drafts=not args.production,
                      future=not args.production, poll=args.poll, jobs=args.jobs)
    try:
        preview.bind()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"error: port {args.port} on {args.host} is already in use (another server, or another "
                  f"`serve`?); stop it or choose another port with --port", file=sys.stderr)
        else:
            print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    with _interrupt_on_sigterm(signal):
        try:
            mode = "what will be published" if args.production else "drafts and future articles included"
            print(f"building the preview ({mode}) into {output}", flush=True)
            preview.start()
            print(f"serving at {preview.url}  (Ctrl-C to stop)", flush=True)
            if args.host not in ("127.0.0.1", "localhost", "::1"):
                print(f"warning: listening on {args.host}: other machines can see this preview, drafts included",
                      file=sys.stderr)
            print(f"watching content/, templates/, theme/ and site.toml{' by polling' if args.poll else ''}",
                  flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nstopping…", flush=True)
        except OSError as error:  # the watcher: inotify limits, say
            print(f"error: cannot watch the site's files: {error}; try --poll", file=sys.stderr)
            preview.stop()
            return 1
        try:
            if preview.building:
                print("waiting for the build under way to finish (Ctrl-C again to quit at once)", flush=True)
            preview.stop()
        except KeyboardInterrupt:
            print("quit without waiting; the next serve finishes the preview", flush=True)
            return 0
    claim.close()
    print("stopped.", flush=True)
    return 0


def _claim(output: Path) -> Any:
    """An open lock file that says this process builds into OUTPUT; None if another one does."""
    import fcntl

    handle = (output.parent / f".{output.name}.serve-lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


class _interrupt_on_sigterm:
    """SIGTERM stops the server like Ctrl-C does."""

    def __init__(self, signal: Any) -> None:
        self.signal = signal
        self.previous: Any = None

    def __enter__(self) -> None:
        def interrupt(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        try:
            self.previous = self.signal.signal(self.signal.SIGTERM, interrupt)
        except ValueError:  # not the main thread
            self.previous = None

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            self.signal.signal(self.signal.SIGTERM, self.previous)

"""The HTTP side of the preview: which file a request gets, its type, the injected script, the event stream.

http.server is imported only when a server is made, so other commands never load it.
"""

from __future__ import annotations

import os
import posixpath
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from .preview import Preview

EVENTS_PATH = "/__arshif__/events"
SCRIPT_PATH = "/__arshif__/live.js"
KEEPALIVE_SECONDS = 15.0

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

FALLBACK_404 = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>غير موجود — Not found</title></head>
<body><h1>الصفحة غير موجودة</h1><p>Not found. The preview has no page here (yet).</p></body></html>
"""


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
    """The Content-Type for PATH: a fixed table for what sites hold (the system's guess varies), then mimetypes."""
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


def read(preview: Preview, raw: str) -> tuple[int, str, bytes, str | None]:
    """Status, content type, body and redirect location for request path RAW.

    The file is found and read under the preview's lock, so a request never sees a half-applied
    build; the page is tagged with the version it was read at.
    """
    with preview.lock:
        top = str(preview.output)
        target = resolve(top, preview.base_path, raw)
        version = preview.version
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


def live_js() -> bytes:
    """The live-reload script, read from the package on every request: what is served is the file."""
    from importlib.resources import files

    return files("arshif.serve").joinpath("live.js").read_bytes()


# --- the server -----------------------------------------------------------------------------------


def make_server(host: str, port: int, preview: Preview) -> Any:
    """A threading HTTP server for PREVIEW, bound to HOST:PORT (OSError if taken; PORT 0 picks a free one)."""
    from http.server import ThreadingHTTPServer

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = _family(host)

        def handle_error(self, request: Any, client_address: Any) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
                super().handle_error(request, client_address)

    server = Server((host, port), _handler_class())
    server.preview = preview  # type: ignore[attr-defined]
    return server


def _family(host: str) -> int:
    import socket

    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _handler_class() -> type:
    """The request handler (a function, so http.server is imported only when a server is made)."""
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
            preview: Preview = self.server.preview  # type: ignore[attr-defined]
            path = _split_target(self.path)[0]
            if path == EVENTS_PATH:
                self._events(preview, head)
                return
            if path == SCRIPT_PATH:
                self._send(200, "text/javascript; charset=utf-8", live_js(), head)
                return
            try:
                status, kind, body, location = read(preview, self.path)
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

"""`generate.py serve`: build a preview of the site, serve it, rebuild on every save, reload the browser.

The preview is built with the ordinary incremental build into its own folder (ROOT/.cache/serve/,
never build/), with drafts and future articles unless --production. Watchdog reports changes to
content/, templates/, theme/ and site.toml; a burst of events becomes one rebuild. Every HTML
response gets a small script (added on the way out; the files on disk stay as a build writes
them) that listens on a Server-Sent Events stream: after a rebuild the page reloads itself, after
a CSS-only change it swaps its stylesheets, and while the sources are broken it shows the problems
over the last good page. A lock around the build and around every file read means a request never
sees a half-applied build.

By job: watch.py (what a change means, the observer, one rebuild per burst), preview.py (the
builds and the state pages are told), http.py (requests to files, the injected tag, the event
stream), live.js (the script pages run); this module is the command.
"""

from __future__ import annotations

import argparse
import errno
import sys
import time
from pathlib import Path
from typing import Any

from .http import EVENTS_PATH, SCRIPT_PATH, Target, content_type, inject, resolve
from .preview import DEFAULT_PORT, Preview
from .watch import classify, reload_kind

__all__ = ["EVENTS_PATH", "SCRIPT_PATH", "Preview", "Target", "add_parser", "classify", "content_type",
           "inject", "reload_kind", "resolve", "run"]


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


# --- the command ------------------------------------------------------------------------------


def default_output(root: Path, production: bool) -> Path:
    """Where the preview is built unless --output says: under .cache/, never build/, one folder per mode."""
    return root / ".cache" / "serve" / ("production" if production else "preview")


def run(args: argparse.Namespace) -> int:
    """The serve command: check, claim the output folder and the port, then serve until Ctrl-C (exit status)."""
    import signal

    from ..output import check_output_dir

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

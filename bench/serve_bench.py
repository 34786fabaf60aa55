"""`generate.py serve` on a large archive: the time from saving an article to its new page being served.

    python3 bench/serve_bench.py SITE [--edits 5] [--port 8765]

SITE is an Arshif site folder (bench/corpus.py makes one; it is not changed: the bench works on a copy
in a temporary folder). The preview server runs as its own process, as a user starts it; the bench
waits for its first build, then several times appends a sentence to one article's body and measures,
as a browser with the page open would see it, until the Server-Sent Events stream announces a new
version and the article's page, fetched again, holds the new sentence. It prints each time and the
median, and the server's own "rebuilt" lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ENGINE = Path(__file__).resolve().parent.parent
PYTHON = ENGINE / ".venv" / "bin" / "python" if (ENGINE / ".venv").is_dir() else Path(sys.executable)


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD", "/")
            connection.getresponse()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the preview server did not answer on port {port} within {timeout:.0f} s")


def next_state(response: http.client.HTTPResponse) -> dict:
    data = None
    while True:
        line = response.fp.readline().decode("utf-8")
        if not line:
            raise SystemExit("the event stream ended")
        if line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "\n" and data is not None:
            return data


def page(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    return connection.getresponse().read().decode("utf-8")


def main() -> int:
    # A user's Python keeps compiled bytecode; without it every measured build would compile Arshif again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the first build")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("build", ".cache"))
        articles = sorted((site / "content").rglob("*.md"))
        target = articles[len(articles) // 2]
        front = target.read_text(encoding="utf-8").split("---")[1]
        fields = dict(line.split(":", 1) for line in front.strip().splitlines() if ":" in line)
        slug = fields.get("slug", target.stem).strip().strip('"')
        year = fields["date"].strip().strip('"')[:4]
        print(f"{len(articles)} articles; editing {target.relative_to(site)}; load {os.getloadavg()[0]:.2f}",
              flush=True)
        log = open(Path(scratch) / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 (read after the server stops)
        server = subprocess.Popen([str(PYTHON), str(ENGINE / "generate.py"), "serve", "--root", str(site),
                                   "--port", str(args.port)], stdout=log, stderr=subprocess.STDOUT)
        try:
            started = time.perf_counter()
            wait_for_port(args.port, args.timeout)
            print(f"first build and start: {time.perf_counter() - started:.1f} s", flush=True)
            events = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
            events.request("GET", "/__arshif__/events")
            stream = events.getresponse()
            state = next_state(stream)
            probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            probe.request("GET", "/")
            answer = probe.getresponse()
            base = answer.getheader("location") or "/" if answer.status in (301, 302) else "/"
            times = []
            for number in range(args.edits):
                sentence = f"جملة القياس رقم {number} {time.time_ns()}."
                saved = time.perf_counter()
                with target.open("a", encoding="utf-8") as handle:
                    handle.write(f"\n\n{sentence}\n")
                while True:
                    new = next_state(stream)
                    if new["version"] != state["version"]:
                        state = new
                        break
                shown = page(args.port, f"{base}{quote(year)}/{quote(slug)}/")
                took = time.perf_counter() - saved
                if sentence not in shown:
                    raise SystemExit(f"edit {number}: the page does not show the new sentence")
                times.append(took)
                print(f"  edit {number + 1}: {took:.3f} s", flush=True)
                time.sleep(1.0)
            print(f"save -> new page served: median {statistics.median(times):.3f} s of {len(times)}, "
                  f"min {min(times):.3f}, max {max(times):.3f}; load {os.getloadavg()[0]:.2f}")
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.close()
        for line in (Path(scratch) / "serve.log").read_text(encoding="utf-8").splitlines():
            if "rebuilt" in line or "built" in line:
                print(f"  server: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

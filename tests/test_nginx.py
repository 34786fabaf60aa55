"""The deployed sample archive served by a real nginx under /archive/: crawled from the home page.

The test deploys the sample archive with `generate.py deploy --to DIR` (production build, link
check, rsync), then starts Debian's nginx on a free loopback port with its own configuration
(the one README.md shows: the site under /archive/ through `alias`, `gzip_static on`, charset
utf-8, feed content types) and its own pid, log and temp paths in tmp_path. nginx must be
installed: without it the test fails and says how to install it.
"""

from __future__ import annotations

import gzip
import html
import http.client
import os
import shutil
import socket
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from arshif.cli import main
from tests.htmlcheck import css_links, html_links
from tests.sitekit import PROJECT

NGINX_CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css text/plain text/xml application/xml application/javascript application/json
                  application/rss+xml application/atom+xml image/svg+xml;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /archive/ {{
            alias {site}/;
            gzip_static on;
            gzip_vary on;
            error_page 404 /archive/404.html;
            location ~ /feed\\.xml$ {{ types {{ }} default_type application/rss+xml; }}
            location ~ /atom\\.xml$ {{ types {{ }} default_type application/atom+xml; }}
        }}
    }}
}}
"""
INSTALL = ("nginx is needed for this test and is not installed: on Debian/Ubuntu run "
           "`apt-get install -y nginx` (as root; .ci/run does it), then run the tests again")


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                           if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail(INSTALL)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """The deployed site (a folder) and the nginx serving it at base_url."""

    folder: Path
    port: int
    base_url: str

    def get(self, path: str, gzip_ok: bool = False) -> tuple[int, dict[str, str], bytes]:
        """Status, headers (lower-case names) and raw body of a GET of PATH (already percent-encoded)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


@contextmanager
def nginx_serving(folder: Path, tmp: Path, port: int) -> Iterator[Served]:
    """Debian's nginx serving FOLDER under /archive/ on PORT, with its own files in TMP, until the block ends."""
    binary = nginx_binary()
    base_url = f"http://127.0.0.1:{port}/archive/"
    config = tmp / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(tmp=tmp, port=port, site=folder), encoding="utf-8")
    checked = subprocess.run([binary, "-t", "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
                             capture_output=True, text=True)
    if checked.returncode != 0:
        pytest.fail(f"nginx rejects the test's configuration:\n{checked.stderr}\n{INSTALL}")
    log = (tmp / "nginx.out").open("w")
    process = subprocess.Popen([binary, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx stopped at once (exit {process.returncode}):\n"
                            f"{(tmp / 'nginx.out').read_text()}\n{(tmp / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen on port {port} within 15 s:\n{(tmp / 'error.log').read_text()}")
                time.sleep(0.05)
        yield Served(folder, port, base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("nginx")
    folder = tmp / "www"
    port = free_port()
    assert main(["deploy", "--root", str(PROJECT), "--to", str(folder), "--base-url",
                 f"http://127.0.0.1:{port}/archive/"]) == 0
    with nginx_serving(folder, tmp, port) as server:
        yield server


def crawl(served: Served) -> dict[str, tuple[int, str]]:
    """Every URL of the site reachable from the home page: path -> (status, content type).

    Followed: the links, style sheets, scripts and images of every HTML page, the url()s of every
    style sheet, the sitemap (and each URL it lists), and the feeds the pages link to.
    """
    base = urlsplit(served.base_url)
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([base.path, base.path + "sitemap.xml", base.path + "robots.txt"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        status, headers, body = served.get(path)
        kind = headers.get("content-type", "")
        seen[path] = (status, kind)
        if status != 200:
            continue
        found: list[str] = []
        if kind.startswith("text/html"):
            found = [link.value for link in html_links(body.decode("utf-8"))]
        elif kind.startswith("text/css"):
            found = [link.value for link in css_links(body.decode("utf-8"))]
        elif path.endswith("sitemap.xml"):
            found = [html.unescape(part.split("<")[0]) for part in body.decode("utf-8").split("<loc>")[1:]]
        page_url = f"http://127.0.0.1:{served.port}{path}"
        for link in found:
            target = urlsplit(urljoin(page_url, link))
            if target.netloc == base.netloc and target.path.startswith(base.path):
                queue.append(target.path)
    return seen


@pytest.fixture(scope="module")
def crawled(served: Served) -> dict[str, tuple[int, str]]:
    return crawl(served)


def test_every_page_reachable_from_the_home_page_is_served(served: Served,
                                                          crawled: dict[str, tuple[int, str]]) -> None:
    broken = {path: status for path, (status, _) in crawled.items() if status != 200}
    assert not broken, f"nginx answered these with an error: {broken}"
    pages = {unquote(p) for p, (_, kind) in crawled.items() if kind.startswith("text/html")}
    built = {"/archive/" + p.relative_to(served.folder).as_posix().removesuffix("index.html")
             for p in served.folder.rglob("*.html") if p.name != "404.html"}
    assert built <= pages, f"pages no link leads to: {sorted(built - pages)[:10]}"
    assert len(pages) > 40


def test_arabic_urls_work(served: Served, crawled: dict[str, tuple[int, str]]) -> None:
    arabic = [p for p in crawled if "%D8" in p.upper() or "%D9" in p.upper()]
    assert arabic, "the sample archive should have Arabic (percent-encoded) URLs"
    assert all(crawled[p][0] == 200 for p in arabic)
    assert any(p.startswith("/archive/tags/%") for p in arabic), "an Arabic tag page"
    article = next(p for p in served.folder.glob("20*/*/index.html") if not p.parent.name.isascii())
    relative = article.parent.relative_to(served.folder).as_posix()
    status, headers, body = served.get("/archive/" + "/".join(
        "".join(f"%{b:02X}" for b in part.encode()) if not part.isascii() else part
        for part in relative.split("/")) + "/")
    assert status == 200 and body == article.read_bytes()
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_feeds_and_sitemaps_have_their_content_types(served: Served, crawled: dict[str, tuple[int, str]]) -> None:
    expected = {
        "/archive/feed.xml": "application/rss+xml; charset=utf-8",
        "/archive/atom.xml": "application/atom+xml; charset=utf-8",
        "/archive/tags/libya/feed.xml": "application/rss+xml; charset=utf-8",
        "/archive/tags/libya/atom.xml": "application/atom+xml; charset=utf-8",
    }
    for path, kind in expected.items():
        status, headers, _ = served.get(path)
        assert (status, headers["content-type"]) == (200, kind), path
    for path in ("/archive/sitemap.xml", "/archive/news-sitemap.xml"):
        status, headers, body = served.get(path)
        assert status == 200 and headers["content-type"] in ("text/xml; charset=utf-8",
                                                             "application/xml; charset=utf-8"), path
        assert body.startswith(b"<?xml")
    assert crawled["/archive/robots.txt"] == (200, "text/plain; charset=utf-8")
    assert "/archive/feed.xml" in crawled and "/archive/atom.xml" in crawled, "the pages link their feeds"


def test_pre_compressed_files_are_sent_to_clients_that_take_gzip(served: Served) -> None:
    # The configuration has no `gzip on`: a gzip body can only be the .gz file beside the page.
    css = next(served.folder.glob("assets/css/site.*.css")).relative_to(served.folder).as_posix()
    for relative in ("index.html", "feed.xml", "atom.xml", "sitemap.xml", "tags/index.html", css):
        path = "/archive/" + relative.removesuffix("index.html")
        file = served.folder / relative
        status, headers, body = served.get(path, gzip_ok=True)
        assert status == 200, path
        assert headers.get("content-encoding") == "gzip", path
        assert "Accept-Encoding" in headers.get("vary", ""), path
        assert body == Path(f"{file}.gz").read_bytes(), path
        assert gzip.decompress(body) == file.read_bytes(), path
        status, headers, body = served.get(path)
        assert status == 200 and "content-encoding" not in headers and body == file.read_bytes(), path


def test_a_missing_page_gets_the_sites_404_page(served: Served) -> None:
    status, headers, body = served.get("/archive/2020/no-such-article/")
    assert status == 404
    assert body == (served.folder / "404.html").read_bytes()
    status, headers, body = served.get("/archive/%D8%BA%D9%8A%D8%B1-%D9%85%D9%88%D8%AC%D9%88%D8%AF/", gzip_ok=True)
    assert status == 404 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == (served.folder / "404.html").read_bytes()

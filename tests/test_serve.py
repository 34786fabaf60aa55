"""The preview server: what a change means, what a request gets, rebuilds, and the command itself."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

import arshif.serve
from arshif.serve import EVENTS_PATH, SCRIPT_PATH, Preview, classify, content_type, inject, reload_kind, resolve
from tests.sitekit import BASE_CONFIG, PROJECT, SiteMaker, article

ARCHIVE_CONFIG = BASE_CONFIG.replace('base_url = "https://example.org/"', 'base_url = "https://example.org/archive/"')
ARABIC = "ليبيا-اليوم"
SECRET = "this line is in site.toml only"
LIVE_JS = Path(arshif.serve.__file__).with_name("live.js")  # the script as the package ships it


def wait_until(condition: Callable[[], object], timeout: float = 20.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


# --- change classification --------------------------------------------------------------------


@pytest.mark.parametrize(("relative", "kind"), [
    ("site.toml", "config"),
    ("content/2020/a.md", "content"),
    ("content/2020/photo.jpg", "content"),
    ("content/2020", "content"),
    ("templates/article.html", "template"),
    ("templates/_macros.html", "template"),
    ("theme/css/site.css", "css"),
    ("theme/css/fonts.css", "css"),
    ("theme/fonts/noto.woff2", "theme"),
    ("theme/js/search.js", "theme"),
    ("theme", "theme"),
    # editor droppings, hidden files, what the build skips, and what is not a source
    ("content/2020/.a.md.swp", None),
    ("content/2020/a.md~", None),
    ("content/2020/.#a.md", None),
    ("content/2020/#a.md#", None),
    ("content/2020/4913", None),
    ("content/2020/a.md.tmp", None),
    ("content/_notes/a.md", None),
    ("content/2020/_draft.md", None),
    ("templates/.article.html.swp", None),
    (".git/index", None),
    (".cache/serve/preview/index.html", None),
    ("build/index.html", None),
    ("README.md", None),
    ("site.toml~", None),
])
def test_classify_changes(tmp_path: Path, relative: str, kind: str | None) -> None:
    root = tmp_path.resolve()
    assert classify(root, str(root / relative)) == kind


def test_classify_ignores_paths_outside_the_site(tmp_path: Path) -> None:
    root = (tmp_path / "site").resolve()
    assert classify(root, str(tmp_path / "other" / "content" / "a.md")) is None
    assert classify(root, str(root)) is None
    assert classify(root, os.fsencode(root / "content" / "a.md")) == "content"


@pytest.mark.parametrize(("kinds", "expected"), [
    ({"css"}, "css"),
    ({"css", "content"}, "reload"),
    ({"css", "removed"}, "reload"),
    ({"template"}, "reload"),
    ({"config"}, "reload"),
    ({"theme"}, "reload"),
])
def test_only_stylesheet_changes_swap_in_place(kinds: set[str], expected: str) -> None:
    assert reload_kind(kinds) == expected


# --- request mapping, pure --------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> str:
    top = tmp_path / "out"
    (top / "2020" / ARABIC).mkdir(parents=True)
    (top / "2020" / ARABIC / "index.html").write_text("<p>x</p>", encoding="utf-8")
    (top / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (top / ".arshif-build").write_text("marker")
    (tmp_path / "site.toml").write_text(SECRET)
    return str(top.resolve())


@pytest.mark.parametrize(("raw", "status", "location"), [
    ("/", 302, "/archive/"),
    ("/archive", 302, "/archive/"),
    ("/archive/", 200, None),
    ("/archive/index.html", 200, None),
    ("/archive/?q=1", 200, None),
    (f"/archive/2020/{quote(ARABIC)}/", 200, None),
    (f"/archive/2020/{quote(ARABIC)}", 302, f"/archive/2020/{quote(ARABIC)}/"),
    (f"/archive/2020/{quote(ARABIC)}?a=b", 302, f"/archive/2020/{quote(ARABIC)}/?a=b"),
    ("/archive/nothing/", 404, None),
    ("/index.html", 404, None),
    ("/archive/.arshif-build", 404, None),
    ("/archive/../site.toml", 404, None),
    ("/../site.toml", 404, None),
    ("/archive/%2e%2e/site.toml", 404, None),
    ("/archive/%2E%2E/site.toml", 404, None),
    ("/archive/..%2fsite.toml", 404, None),
    ("/archive/..%5csite.toml", 404, None),
    ("/archive/2020/%2e%2e/%2e%2e/site.toml", 404, None),
    ("/archive//etc/passwd", 404, None),
    ("/archive/%2fetc%2fpasswd", 404, None),
    ("/archive/index.html%00.png", 404, None),
    ("/archive/%ff", 404, None),
    ("archive/index.html", 404, None),
    ("http://evil.example/archive/../site.toml", 404, None),
    ("http://127.0.0.1:8000/archive/", 200, None),
    ("ftp://127.0.0.1/archive/", 404, None),
    ("//archive/", 404, None),
])
def test_resolve(tree: str, raw: str, status: int, location: str | None) -> None:
    target = resolve(tree, "/archive/", raw)
    assert (target.status, target.location) == (status, location)
    if status == 200:
        assert target.file is not None and target.file.startswith(tree + os.sep)
        assert target.file.endswith("index.html")
    else:
        assert target.file is None


def test_resolve_at_the_root_path(tree: str) -> None:
    assert resolve(tree, "/", "/").file == os.path.join(tree, "index.html")
    assert resolve(tree, "/", "/../site.toml").status == 404
    assert resolve(tree, "/", "//index.html").status == 404
    assert resolve(tree, "/", "/index.html#top").file == os.path.join(tree, "index.html")


def test_symlinks_pointing_outside_are_not_followed(tree: str) -> None:
    outside = Path(tree).parent / "site.toml"
    os.symlink(outside, Path(tree) / "leak.txt")
    os.symlink(Path(tree).parent, Path(tree) / "up")
    os.symlink(Path(tree) / "index.html", Path(tree) / "inside.html")
    assert resolve(tree, "/", "/leak.txt").status == 404
    assert resolve(tree, "/", "/up/site.toml").status == 404
    assert resolve(tree, "/", "/up/").status == 404
    assert resolve(tree, "/", "/inside.html").status == 200


@pytest.mark.parametrize(("name", "kind"), [
    ("index.html", "text/html; charset=utf-8"),
    ("assets/css/site.abc.css", "text/css; charset=utf-8"),
    ("assets/js/search.abc.js", "text/javascript; charset=utf-8"),
    ("feed.xml", "application/xml; charset=utf-8"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("search.json", "application/json; charset=utf-8"),
    ("assets/fonts/a.woff2", "font/woff2"),
    ("assets/img/logo.PNG", "image/png"),
    ("2020/a/photo.jpg", "image/jpeg"),
    ("logo.svg", "image/svg+xml; charset=utf-8"),
    ("unknown.bin", "application/octet-stream"),
    ("index.html.gz", "application/gzip"),
    ("index.html.br", "application/octet-stream"),
])
def test_content_types(name: str, kind: str) -> None:
    assert content_type(name) == kind


def test_inject_before_the_last_body_end() -> None:
    page = b"<html><body><pre>&lt;/body&gt;</body>\n</html>\n"
    injected = inject(page, 7)
    assert injected.startswith(b"<html><body><pre>&lt;/body&gt;<script src=\"/__arshif__/live.js\" data-version=\"7\"")
    assert injected.endswith(b"</script></body>\n</html>\n")
    assert inject(b"<p>no body</p>", 1).startswith(b"<p>no body</p><script")
    assert inject(b"<P>x</BODY>", 1).endswith(b"</script></BODY>")


# --- a running preview --------------------------------------------------------------------------


class Running:
    """A Preview of a throwaway site, serving on a free port in this process."""

    def __init__(self, site: SiteMaker, output: Path, **options: object) -> None:
        self.site = site
        self.log = io.StringIO()
        self.preview = Preview(site.root, output, port=0, log=self.log, **options)  # type: ignore[arg-type]
        self.preview.start()

    def request(self, raw: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.preview.port, timeout=10)
        try:
            connection.putrequest(method, raw, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def wait_for_version(self, after: int, what: str = "a rebuild") -> None:
        wait_until(lambda: self.preview.version > after, what=what)


def make_site(site: SiteMaker) -> SiteMaker:
    site.config(ARCHIVE_CONFIG)
    site.add("2020/first.md", article("المقال الأول", tags="[libya]", body="نص المقال الأول."))
    site.add(f"2020/{ARABIC}.md", article("ليبيا اليوم", date="2020-02-01 10:00", body="خبر من ليبيا."))
    site.add("2021/draft.md", article("مسودة المحرر", date="2021-01-01 10:00", draft="true"))
    return site


@pytest.fixture
def running(site: SiteMaker, tmp_path: Path) -> Iterator[Running]:
    make_site(site)
    (site.root / "secret.txt").write_text(SECRET)
    serving = Running(site, tmp_path / "preview")
    yield serving
    serving.preview.stop()


def test_serves_the_site_under_its_base_path(running: Running) -> None:
    status, headers, _ = running.request("/")
    assert (status, headers["location"]) == (302, "/archive/")
    assert running.preview.url == f"http://127.0.0.1:{running.preview.port}/archive/"
    status, headers, body = running.request("/archive/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert "المقال الأول" in text and 'href="/archive/2020/first/"' in text
    assert f'<link rel="canonical" href="http://127.0.0.1:{running.preview.port}/archive/">' in text
    status, headers, body = running.request(f"/archive/2020/{quote(ARABIC)}/")
    assert status == 200 and "خبر من ليبيا." in body.decode("utf-8")
    status, headers, _ = running.request("/archive/tags/libya")
    assert (status, headers["location"]) == (302, "/archive/tags/libya/")
    assert running.request("/archive/tags/libya/")[0] == 200


def test_drafts_are_previewed_with_their_mark(running: Running) -> None:
    status, _, body = running.request("/archive/2021/draft/")
    assert status == 200
    assert "مسودة" in body.decode("utf-8")


def test_the_script_goes_into_html_responses_only(running: Running) -> None:
    output = running.preview.output
    on_disk = (output / "index.html").read_bytes()
    _, _, served = running.request("/archive/")
    assert SCRIPT_PATH.encode() not in on_disk
    assert served == inject(on_disk, running.preview.version)
    css = next((output / "assets" / "css").glob("site.*.css"))
    status, headers, body = running.request(f"/archive/assets/css/{css.name}")
    assert (status, headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert body == css.read_bytes()
    for name, kind in [("feed.xml", "application/xml; charset=utf-8"), ("robots.txt", "text/plain; charset=utf-8"),
                       ("sitemap.xml", "application/xml; charset=utf-8")]:
        status, headers, body = running.request(f"/archive/{name}")
        assert (status, headers["content-type"]) == (200, kind)
        assert body == (output / name).read_bytes()
    font = next((output / "assets" / "fonts").glob("*.woff2"))
    status, headers, body = running.request(f"/archive/assets/fonts/{font.name}")
    assert (status, headers["content-type"], body) == (200, "font/woff2", font.read_bytes())
    status, headers, body = running.request(SCRIPT_PATH)
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert body == LIVE_JS.read_bytes() and b"EventSource" in body


def test_missing_pages_get_the_404_page_with_status_404(running: Running) -> None:
    status, headers, body = running.request("/archive/2020/no-such-article/")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert "الصفحة غير موجودة" in body.decode("utf-8") and SCRIPT_PATH.encode() in body
    assert running.request("/elsewhere/")[0] == 404


@pytest.mark.parametrize("raw", [
    "/../site.toml", "/archive/../site.toml", "/archive/../../site.toml", "/archive/%2e%2e/site.toml",
    "/archive/%2E%2E/%2e%2e/site.toml", "/archive/.%2e/secret.txt", "/archive/..%2fsecret.txt",
    "/archive/..%5csecret.txt", "/archive//etc/passwd", "/archive/%2fetc%2fpasswd", "//etc/passwd",
    "/archive/%00", "/archive/.arshif-build", "http://127.0.0.1/archive/../secret.txt",
    "/archive/leak/", "/archive/leak/secret.txt", "/archive/leak.txt",
])
def test_traversal_attempts_get_404_and_never_a_file(running: Running, raw: str) -> None:
    output = running.preview.output
    if not (output / "leak").is_symlink():
        os.symlink(running.site.root, output / "leak")
        os.symlink(running.site.root / "secret.txt", output / "leak.txt")
    for method in ("GET", "HEAD"):
        status, _, body = running.request(raw, method)
        assert status == 404
        assert SECRET.encode() not in body and b"base_url" not in body and b"root:" not in body


def test_head_sends_headers_only(running: Running) -> None:
    status, headers, body = running.request("/archive/", "HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def read_event(response: http.client.HTTPResponse) -> dict[str, object]:
    """The next `state` event of a Server-Sent Events stream."""
    data = None
    while True:
        line = response.fp.readline().decode("utf-8")
        if line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "\n" and data is not None:
            return data


def test_events_stream_tells_the_state_and_its_changes(running: Running) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", running.preview.port, timeout=20)
    connection.request("GET", EVENTS_PATH)
    response = connection.getresponse()
    assert response.getheader("content-type") == "text/event-stream; charset=utf-8"
    first = read_event(response)
    assert first == {"version": running.preview.version, "css_from": running.preview.version, "problems": []}
    running.site.add("2020/first.md", article("عنوان جديد للمقال الأول", tags="[libya]"))
    second = read_event(response)
    assert second["version"] == first["version"] + 1 and second["css_from"] == second["version"]
    connection.close()


def test_rebuilds_reload_swap_css_and_report_problems(running: Running) -> None:
    preview, site = running.preview, running.site
    version = preview.version
    site.add("2020/first.md", article("عنوان معدل", tags="[libya]", body="نص جديد تماما."))
    running.wait_for_version(version, "the edit")
    assert "نص جديد تماما." in running.request("/archive/2020/first/")[2].decode("utf-8")
    assert preview.css_from == preview.version

    # A stylesheet alone: a new version that pages may take by swapping stylesheets.
    version = preview.version
    css = site.root / "theme" / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.arshif-test { color: red; }\n", encoding="utf-8")
    running.wait_for_version(version, "the stylesheet")
    assert preview.css_from == version

    # Broken front matter: the problem is reported, the last good page stays.
    version, builds = preview.version, preview.builds
    site.add("2020/first.md", '---\ntitle: "غير مغلق\ndate: 2020-01-13\n---\n\nنص.\n')
    wait_until(lambda: preview.problems, what="the problem")
    [problem] = preview.problems
    assert problem.path == "content/2020/first.md"
    assert preview.version == version
    assert "نص جديد تماما." in running.request("/archive/2020/first/")[2].decode("utf-8")
    # The same problem again is not printed again.
    site.add("2020/first.md", '---\ntitle: "غير مغلق\ndate: 2020-01-13\n---\n\nنص آخر.\n')
    wait_until(lambda: preview.builds >= builds + 2, what="the second broken build")
    assert running.log.getvalue().count("error: content/2020/first.md") == 1

    # The next good save clears it.
    site.add("2020/first.md", article("عنوان معدل", tags="[libya]", body="نص مصلح."))
    wait_until(lambda: not preview.problems and preview.version > version, what="the fix")
    assert "(fixed)" in running.log.getvalue()

    # A save that changes nothing in the output does not reload pages.
    version, builds = preview.version, preview.builds
    path = site.root / "content" / "2020" / "first.md"
    os.utime(path)
    wait_until(lambda: preview.builds > builds, what="the rebuild after touch")
    assert preview.version == version


def test_deleting_an_article_reloads_and_its_page_goes(running: Running) -> None:
    version = running.preview.version
    (running.site.root / "content" / "2020" / f"{ARABIC}.md").unlink()
    running.wait_for_version(version, "the deletion")
    assert running.request(f"/archive/2020/{quote(ARABIC)}/")[0] == 404
    assert "ليبيا اليوم" not in running.request("/archive/")[2].decode("utf-8")


def test_a_page_opened_while_broken_gets_the_problems(running: Running) -> None:
    running.site.add("2020/first.md", "---\ntitle: [\n---\n")
    wait_until(lambda: running.preview.problems, what="the problem")
    connection = http.client.HTTPConnection("127.0.0.1", running.preview.port, timeout=20)
    connection.request("GET", EVENTS_PATH)
    state = read_event(connection.getresponse())
    connection.close()
    assert [p["path"] for p in state["problems"]] == ["content/2020/first.md"]  # type: ignore[index]


def test_a_broken_template_is_a_problem_not_a_crash(running: Running) -> None:
    template = running.site.root / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("{% block main %}", "{% block main %}{% if %}", 1), encoding="utf-8")
    wait_until(lambda: running.preview.problems, what="the template problem")
    assert any("article.html" in p.path for p in running.preview.problems)
    template.write_text(good + "\n", encoding="utf-8")
    wait_until(lambda: not running.preview.problems, what="the template fix")


def test_editing_a_partial_template_reloads(running: Running) -> None:
    macros = running.site.root / "templates" / "_macros.html"
    version = running.preview.version
    text = macros.read_text(encoding="utf-8").replace("</article>", "<p class=\"edited\">معدل</p></article>", 1)
    macros.write_text(text, encoding="utf-8")
    wait_until(lambda: running.preview.builds > 1, what="the rebuild")
    assert running.preview.version > version
    assert "معدل" in running.request("/archive/")[2].decode("utf-8")


def test_polling_mode_sees_changes(site: SiteMaker, tmp_path: Path) -> None:
    make_site(site)
    serving = Running(site, tmp_path / "preview", poll=True)
    try:
        version = serving.preview.version
        site.add("2022/new.md", article("مقال من الاستطلاع", date="2022-05-05 10:00"))
        serving.wait_for_version(version, "the polled change")
        assert "مقال من الاستطلاع" in serving.request("/archive/")[2].decode("utf-8")
    finally:
        serving.preview.stop()


def test_production_preview_leaves_out_drafts(site: SiteMaker, tmp_path: Path) -> None:
    make_site(site)
    serving = Running(site, tmp_path / "preview", drafts=False, future=False)
    try:
        assert serving.request("/archive/2021/draft/")[0] == 404
    finally:
        serving.preview.stop()


def test_a_broken_site_at_start_is_served_with_its_problems(site: SiteMaker, tmp_path: Path) -> None:
    site.config(ARCHIVE_CONFIG)
    site.add("2020/bad.md", "---\ntitle: [\n---\n")
    serving = Running(site, tmp_path / "preview")
    try:
        assert serving.preview.problems
        assert serving.request("/")[1]["location"] == "/archive/"
        status, _, body = serving.request("/archive/")
        assert status == 404 and SCRIPT_PATH.encode() in body
        site.add("2020/bad.md", article("صار سليما"))
        wait_until(lambda: not serving.preview.problems, what="the fix")
        assert "صار سليما" in serving.request("/archive/")[2].decode("utf-8")
    finally:
        serving.preview.stop()


def test_changing_base_url_moves_the_site(running: Running) -> None:
    version = running.preview.version
    running.site.config(ARCHIVE_CONFIG.replace("/archive/", "/news/"))
    running.wait_for_version(version, "the config change")
    assert running.request("/")[1]["location"] == "/news/"
    assert running.request("/news/")[0] == 200
    assert running.request("/archive/")[0] == 404


# --- the command ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(root: Path, *options: str) -> list[str]:
    return [sys.executable, str(PROJECT / "generate.py"), "serve", "--root", str(root), *options]


def start_command(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start `serve` and wait (at most a minute) for its "serving at" line; the output so far."""
    # As from a terminal: a test run started in the background (`pytest &` from a script) ignores SIGINT,
    # and the child would inherit that and never see the test's Ctrl-C.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        with contextlib.suppress(ValueError):  # the stream closed under it: communicate() read the rest
            for line in process.stdout:
                lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    seen = ""
    deadline = time.monotonic() + 60
    while "serving at" not in seen:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            line = ""
        seen += line
        if not line:
            process.kill()
            process.communicate()
            pytest.fail(f"serve did not start:\n{seen}")
    return process, seen


def stop_command(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C, then the exit status and standard error."""
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return process.returncode, err


def test_the_command_serves_and_stops_cleanly_on_ctrl_c(site: SiteMaker, tmp_path: Path) -> None:
    make_site(site)
    port = free_port()
    process, out = start_command(serve_command(site.root, "--port", str(port), "--output", str(tmp_path / "out")))
    try:
        assert f"serving at http://127.0.0.1:{port}/archive/" in out
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/archive/")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        status, err = stop_command(process)
    assert status == 0, err
    assert "Traceback" not in err
    assert not (site.root / "build").exists()


def test_a_port_in_use_is_a_clear_error(site: SiteMaker, tmp_path: Path) -> None:
    make_site(site)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(serve_command(site.root, "--port", str(port), "--output", str(tmp_path / "out")),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_commands_cannot_share_a_preview_folder(site: SiteMaker, tmp_path: Path) -> None:
    make_site(site)
    command = serve_command(site.root, "--port", str(free_port()), "--output", str(tmp_path / "out"))
    first, _ = start_command(command)
    try:
        command[command.index("--port") + 1] = str(free_port())
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
    finally:
        stop_command(first)
    assert second.returncode == 1 and "another `serve`" in second.stderr


def test_the_command_refuses_build_as_the_preview_folder(site: SiteMaker) -> None:
    make_site(site)
    result = subprocess.run(serve_command(site.root, "--output", str(site.root / "build")),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "production output" in result.stderr


def test_live_js_is_installed_with_the_package() -> None:
    """An installed Arshif serves live.js from its package: pyproject must list the folder and the file."""
    import tomllib

    setuptools = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "arshif.serve" in setuptools["packages"]
    assert "live.js" in setuptools["package-data"]["arshif.serve"]


def test_a_build_loads_neither_watchdog_nor_http_server(site: SiteMaker) -> None:
    make_site(site)
    probe = ("import sys\nfrom arshif.cli import main\nstatus = main(['build', '--root', sys.argv[1]])\n"
             "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'watchdog' or m == 'http.server'))")
    result = subprocess.run([sys.executable, "-c", probe, str(site.root)], cwd=PROJECT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_serve_help_lists_the_options() -> None:
    result = subprocess.run([sys.executable, "generate.py", "serve", "--help"], cwd=PROJECT,
                            capture_output=True, text=True, check=True)
    for option in ("--host", "--port", "--production", "--poll", "--output", "--jobs", "--root"):
        assert option in result.stdout

"""The sample archive in headless Chromium: right to left, fonts loaded, readable on a phone."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from arshif.build import build_site
from tests.sitekit import NOW, PROJECT

SEED = "2020/liqaa-haftar-wal-sarraj-fi-rusia/"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample archive built under /archive/ and served on a free loopback port."""
    top = tmp_path_factory.mktemp("www")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(top)))
    base = f"http://127.0.0.1:{server.server_port}/archive/"
    build_site(PROJECT, top / "archive", base_url=base, now=NOW, use_cache=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()



@pytest.mark.parametrize("width", [390, 1280])
def test_article_is_rtl_with_arabic_fonts_and_no_sideways_scroll(served: str, browser, width: int,
                                                                 tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(served + SEED)
    page.evaluate("document.fonts.ready")
    facts = page.evaluate("""() => {
        const h1 = document.querySelector('h1');
        const body = document.querySelector('.article-body p');
        return {
            dir: getComputedStyle(document.body).direction,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            naskh: document.fonts.check('16px "Noto Naskh Arabic"', 'ليبيا'),
            kufi: document.fonts.check('bold 16px "Noto Kufi Arabic"', 'ليبيا'),
            h1Font: getComputedStyle(h1).fontFamily,
            h1Right: h1.getBoundingClientRect().right,
            bodyRight: body.getBoundingClientRect().right,
            width: document.documentElement.clientWidth,
        };
    }""")
    page.screenshot(path=str(tmp_path / f"article-{width}.png"), full_page=True)
    page.close()
    assert failed == []
    assert facts["dir"] == "rtl"
    assert facts["overflow"] <= 0
    assert facts["naskh"] and facts["kufi"]
    assert "Noto Kufi Arabic" in facts["h1Font"]
    # Right to left: text starts at the right edge of its column, so both sit far to the right.
    assert facts["h1Right"] > facts["width"] * 0.6
    assert abs(facts["h1Right"] - facts["bodyRight"]) < 2


def test_navigation_follows_links_to_tag_and_back_home(served: str, browser) -> None:
    page = browser.new_page()
    page.goto(served + SEED)
    page.get_by_role("link", name="ليبيا").first.click()
    assert page.url.endswith("/archive/tags/libya/")
    assert page.locator("h1").inner_text() == "ليبيا"
    page.get_by_role("link", name="الأقدم ←").click()
    assert page.url.endswith("/archive/tags/libya/page/2/")
    page.get_by_role("link", name="الرئيسية").click()
    assert page.url == served
    page.close()

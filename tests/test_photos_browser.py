"""Photos in headless Chromium: the lead photo loads first, the others wait until they near the screen,
and nothing moves while they arrive (no layout shift)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from arshif.build import build_site
from tests.sitekit import NOW, PROJECT, SiteMaker, article, photo
from tests.test_browser import QuietHandler

SAMPLE_ARTICLE = "2026/maarad-al-robotat-al-talimiya/"
PARAGRAPH = "فقرة طويلة من نص الخبر تصف ما جرى في المدينة وما قاله الشهود والمسؤولون عن الأحداث الأخيرة. " * 6
# The second photo starts well past Chromium's lazy-loading distance (1,250 px below the window).
LONG_BODY = "\n\n".join([PARAGRAPH] * 16 + ["![الصورة الثانية](second.jpg)"] + [PARAGRAPH] * 30
                        + ["![الصورة الثالثة](third.png)", "الخاتمة."])
# Every layout shift. The web fonts are not served to these pages (they would swap in for their
# fallbacks and move text: a matter of the fonts, not of the photos), so what could move is the photos.
SHIFTS = """
window.shifts = [];
new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.shifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample archive at /archive/ and a long article with photos far below the fold at /long/."""
    top = tmp_path_factory.mktemp("www")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(top)))
    origin = f"http://127.0.0.1:{server.server_port}/"
    build_site(PROJECT, top / "archive", base_url=origin + "archive/", now=NOW, use_cache=False)
    site = SiteMaker(tmp_path_factory.mktemp("long") / "site")
    site.config(f'title = "موقع تجريبي"\nbase_url = "{origin}long/"\n')
    site.add("2020/long.md", article("خبر طويل بالصور", body=LONG_BODY,
                                     image='{src: lead.jpg, alt: "الصورة الأولى", caption: "تعليق"}'))
    site.add("2020/lead.jpg", photo(1800, 1200))
    site.add("2020/second.jpg", photo(1200, 900, color=(30, 120, 60)))
    site.add("2020/third.png", photo(900, 600, "PNG", color=(200, 200, 40)))
    build_site(site.root, top / "long", now=NOW, use_cache=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()


def fetched(page: object) -> list[str]:
    return page.evaluate("performance.getEntriesByType('resource').map(entry => entry.name)")  # type: ignore[attr-defined]


def settle(page: object) -> None:
    """Wait for the fonts and every image already asked for."""
    page.evaluate("""async () => {
        await document.fonts.ready;
        await Promise.all([...document.images].filter(i => i.loading !== 'lazy' || i.complete)
            .map(i => i.decode().catch(() => null)));
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    }""")  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [390, 1280])
def test_lead_photo_loads_first_the_others_wait_and_nothing_shifts(served: str, browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.add_init_script(SHIFTS)
    page.route("**/*.woff2", lambda route: route.abort())
    page.goto(served + "long/2020/long/")
    settle(page)
    lead = page.evaluate("""() => { const img = document.querySelector('.lead-photo img');
        return {complete: img.complete, natural: img.naturalWidth, src: img.currentSrc,
                priority: img.getAttribute('fetchpriority')}; }""")
    assert lead["complete"] and lead["natural"] > 0 and lead["priority"] == "high"
    assert lead["src"].endswith(".webp"), "the browser picked the WebP source"
    assert f"-{480 if width == 390 else 960}." in lead["src"], f"a {width} px window wants a narrower copy"
    names = fetched(page)
    assert not any("/second-" in n or "/third-" in n for n in names), "a photo far below the fold was fetched"
    for name in ("second", "third"):
        page.evaluate(f"document.querySelector('img[src*=\"/{name}-\"]').scrollIntoView()")
        page.wait_for_function(f"() => {{ const i = document.querySelector('img[src*=\"/{name}-\"]');"
                               " return i.complete && i.naturalWidth > 0; }")
    settle(page)
    assert any("/third-" in n for n in fetched(page))
    assert page.evaluate("window.shifts") == [], "layout shifted while the page and its photos loaded"
    page.close()


def test_sample_article_with_photos_loads_without_layout_shift(served: str, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.add_init_script(SHIFTS)
    page.route("**/*.woff2", lambda route: route.abort())
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(served + "archive/" + SAMPLE_ARTICLE)
    settle(page)
    facts = page.evaluate("""() => [...document.querySelectorAll('.article img')].map(img => ({
        complete: img.complete, natural: img.naturalWidth, height: img.naturalHeight,
        lazy: img.loading === 'lazy', box: img.getBoundingClientRect().width / img.getBoundingClientRect().height,
        ratio: img.width / img.height}))""")
    assert len(facts) == 2 and not facts[0]["lazy"] and facts[1]["lazy"]
    assert facts[0]["complete"] and facts[0]["natural"] > facts[0]["height"], "the sideways photo stands upright"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("[...document.querySelectorAll('.article img')].every(i => i.complete && i.naturalWidth)")
    settle(page)
    assert page.evaluate("window.shifts") == []
    assert failed == []
    page.close()

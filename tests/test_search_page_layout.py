"""The search page in headless Chromium does not move while it loads: results and the status line
arrive where there was room for them, the header keeps its rows when the web fonts arrive, and
the "more" button adds pages of results below."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from arshif.build import build_site
from tests.sitekit import NOW, PROJECT, SiteMaker, article
from tests.test_browser import QuietHandler

# Lighthouse's mobile screen. Not Playwright's is_mobile: with it Chromium marks every shift as
# following an input (hadRecentInput), which hides them.
MOBILE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75}

# Every layout shift the page reports, with what moved.
OBSERVE_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    window.__shifts.push({value: entry.value, input: entry.hadRecentInput, sources: entry.sources.map(s =>
      s.node ? (s.node.nodeName + ' ' + (s.node.id || s.node.className || s.node.textContent.slice(0, 30))) : '?')});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def serve(top: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(top)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/archive/"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample archive, served under /archive/."""
    top = tmp_path_factory.mktemp("www")
    server, base = serve(top)
    build_site(PROJECT, top / "archive", base_url=base, now=NOW, use_cache=False, precompress=False)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site of 45 articles that all have the word قطار, served under /archive/."""
    top = tmp_path_factory.mktemp("www")
    site = SiteMaker(tmp_path_factory.mktemp("src") / "site")
    for n in range(45):
        site.add(f"2021/a{n}.md", article(title=f"خبر رقم {n}", date=f"2021-{1 + n // 28:02d}-{1 + n % 28:02d}",
                                          body="وصل القطار إلى المحطة في موعده."))
    server, base = serve(top)
    site.build(output=top / "archive", base_url=base)
    yield base + "search/"
    server.shutdown()


def shifts_of(page) -> list[dict]:
    """Every shift: nothing is typed or clicked meanwhile, so all of them count."""
    return page.evaluate("window.__shifts")


def test_results_arriving_late_move_nothing(sample: str, browser) -> None:
    """The status line and the results come after the first paint (their files are held back),
    the fonts never (so no font swap either): the page must not shift at all."""
    context = browser.new_context(**MOBILE)
    page = context.new_page()
    page.add_init_script(OBSERVE_SHIFTS)
    page.route("**/*.woff2", lambda route: route.abort())

    def late(route) -> None:
        time.sleep(0.4)  # holds only the test's side: the browser goes on painting meanwhile
        route.continue_()

    page.route("**/search/terms/*.json", late)
    page.route("**/search/docs/*.json", late)
    page.goto(sample + "search/?q=" + quote("ليبيا"))
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=15000)
    page.wait_for_timeout(300)
    found = page.locator(".search-result").count()
    status = page.inner_text("#search-status")
    shifts = shifts_of(page)
    context.close()
    assert found > 1 and status
    assert shifts == []


def test_a_new_query_replaces_the_results_at_once(sample: str, browser) -> None:
    context = browser.new_context(**MOBILE)
    page = context.new_page()
    page.goto(sample + "search/?q=" + quote("ليبيا"))
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=15000)
    form = page.locator("#search-form").bounding_box()
    # Every change the list goes through is recorded: it must never be empty or half-built.
    page.evaluate("""() => {
        window.listStates = [];
        const list = document.getElementById('search-results');
        new MutationObserver(() => window.listStates.push([list.querySelectorAll('.search-result').length,
                                                          list.querySelectorAll('.search-result h2 a').length]))
            .observe(list, {childList: true, subtree: true});
    }""")
    page.fill("#search-input", "روسيا")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'روسيا'")  # its search began
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=15000)
    states = page.evaluate("window.listStates")
    assert states and all(items > 0 and items == links for items, links in states), states
    titles = page.eval_on_selector_all(".search-result h2", "hs => hs.map(h => h.textContent)")
    assert titles and all(len(t) > 0 for t in titles)
    assert page.locator("#search-form").bounding_box() == form
    context.close()


@pytest.mark.parametrize("width", [360, 412, 800, 1280])
@pytest.mark.parametrize("path", ["", "search/?q=" + quote("ليبيا"), "2020/liqaa-haftar-wal-sarraj-fi-rusia/"])
def test_the_header_keeps_its_size_when_the_fonts_arrive(sample: str, browser, width: int, path: str) -> None:
    """Laid out in the fallback fonts or in the web fonts, the header has the same height, and the
    main column starts at the same place."""
    sizes = []
    for fonts in (False, True):
        page = browser.new_page(viewport={"width": width, "height": 800})
        if not fonts:
            page.route("**/*.woff2", lambda route: route.abort())
        page.goto(sample + path)
        if fonts:
            page.evaluate("document.fonts.ready")
            assert page.evaluate("document.fonts.check('bold 16px \"Noto Kufi Arabic\"', 'ليبيا')")
        sizes.append(page.evaluate("""() => {
            const root = document.documentElement;
            return [document.querySelector('.site-header').offsetHeight,
                    document.querySelector('main').getBoundingClientRect().top, root.scrollWidth - root.clientWidth];
        }"""))
        page.close()
    without, with_fonts = sizes
    assert without == with_fonts, (width, path, sizes)
    assert with_fonts[2] <= 0  # no sideways scroll


def test_more_adds_pages_of_results_below(many: str, browser) -> None:
    page = browser.new_page()
    page.goto(many + "?q=" + quote("القطار"))
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=15000)
    assert page.locator(".search-result").count() == 20
    assert page.inner_text("#search-status") == "٤٥ نتيجة"
    first = page.eval_on_selector_all(".search-result h2 a", "links => links.map(a => a.href)")
    # Two clicks in a row: the second, while the first page loads, adds nothing.
    page.evaluate("() => { const more = document.getElementById('search-more'); more.click(); more.click(); }")
    page.wait_for_function("document.querySelectorAll('.search-result').length >= 40")
    page.wait_for_timeout(300)
    assert page.locator(".search-result").count() == 40
    page.click("#search-more")
    page.wait_for_function("document.querySelectorAll('.search-result').length === 45")
    assert page.is_hidden("#search-more")
    links = page.eval_on_selector_all(".search-result h2 a", "links => links.map(a => a.href)")
    assert links[:20] == first
    assert len(set(links)) == 45
    page.close()

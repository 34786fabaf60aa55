"""The preview server in headless Chromium: edits on disk show up in the open page by themselves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import arshif.serve
from arshif.serve import EVENTS_PATH, SCRIPT_PATH, Preview, inject
from tests.sitekit import BASE_CONFIG, SiteMaker, article

TIMEOUT_MS = 20_000
ARCHIVE_CONFIG = BASE_CONFIG.replace('base_url = "https://example.org/"', 'base_url = "https://example.org/archive/"'
                                     ).replace("page_size = 3", "page_size = 10")  # every article on the home page
LIVE_JS = Path(arshif.serve.__file__).with_name("live.js")  # the script as the package ships it


@pytest.fixture
def preview(site: SiteMaker, tmp_path: Path) -> Iterator[Preview]:
    """A preview of a small site under /archive/, serving on a free port in this process."""
    site.config(ARCHIVE_CONFIG)
    site.add("2020/haftar.md", article("لقاء في موسكو", tags="[libya, russia]", body="النص الأول للمقال."))
    site.add("2020/gold.md", article("الذهب يقفز", date="2020-03-01 09:00", body="ارتفع سعر الذهب."))
    site.add("2019/old.md", article("خبر قديم سيحذف", date="2019-06-01 09:00", body="خبر من الأرشيف."))
    serving = Preview(site.root, tmp_path / "preview", port=0, log=open(tmp_path / "serve.log", "w", buffering=1))  # noqa: SIM115
    serving.start()
    yield serving
    serving.stop()
    serving.log.close()


def open_page(browser, url: str):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function("() => document.readyState === 'complete'")
    return page, errors


def test_article_follows_edits_breakage_and_fix(browser, preview: Preview, site: SiteMaker) -> None:
    from playwright.sync_api import expect

    source = site.root / "content" / "2020" / "haftar.md"
    page, errors = open_page(browser, preview.url + "2020/haftar/")
    expect(page.locator(".article-body")).to_contain_text("النص الأول للمقال.")
    page.wait_for_timeout(200)  # the event stream is open

    # An edit on disk: the page shows it with nothing done in the browser.
    source.write_text(article("لقاء في موسكو", tags="[libya, russia]", body="نص جديد كتبه المحرر الآن."),
                      encoding="utf-8")
    expect(page.locator(".article-body")).to_contain_text("نص جديد كتبه المحرر الآن.", timeout=TIMEOUT_MS)

    # Broken YAML: an overlay names the file and line, over the last good page.
    source.write_text('---\ntitle: "لقاء في موسكو\ndate: 2020-01-13 12:00\n---\n\nنص لن يظهر.\n', encoding="utf-8")
    overlay = page.locator("#arshif-overlay")
    expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
    expect(overlay).to_contain_text("content/2020/haftar.md:2")
    expect(overlay).to_contain_text("broken YAML")
    expect(overlay).to_contain_text("تعذّر بناء الموقع")
    expect(overlay).to_contain_text("The site could not be built")
    expect(page.locator(".article-body")).to_contain_text("نص جديد كتبه المحرر الآن.")

    # The next good save clears it and shows the fixed text.
    source.write_text(article("لقاء في موسكو", tags="[libya, russia]", body="النص بعد الإصلاح."), encoding="utf-8")
    expect(page.locator(".article-body")).to_contain_text("النص بعد الإصلاح.", timeout=TIMEOUT_MS)
    expect(overlay).to_have_count(0, timeout=TIMEOUT_MS)
    assert errors == []
    page.close()


def test_overlay_clears_without_reload_when_the_fix_restores_the_last_good_text(
        browser, preview: Preview, site: SiteMaker) -> None:
    from playwright.sync_api import expect

    source = site.root / "content" / "2020" / "gold.md"
    good = source.read_text(encoding="utf-8")
    page, _ = open_page(browser, preview.url + "2020/gold/")
    page.evaluate("window.arshifMarker = 'same page'")
    page.wait_for_timeout(200)
    source.write_text(good.replace("date:", "date: [", 1), encoding="utf-8")
    expect(page.locator("#arshif-overlay")).to_be_visible(timeout=TIMEOUT_MS)
    source.write_text(good + "\n", encoding="utf-8")
    expect(page.locator("#arshif-overlay")).to_have_count(0, timeout=TIMEOUT_MS)
    assert page.evaluate("window.arshifMarker") == "same page"
    page.close()


def test_stylesheet_change_swaps_without_reload(browser, preview: Preview, site: SiteMaker) -> None:
    page, errors = open_page(browser, preview.url + "2020/gold/")
    page.evaluate("window.arshifMarker = 'same page'")
    page.wait_for_timeout(200)
    css = site.root / "theme" / "css" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n", encoding="utf-8")
    page.wait_for_function("() => getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'",
                           timeout=TIMEOUT_MS)
    assert page.evaluate("window.arshifMarker") == "same page"
    assert page.evaluate("document.querySelectorAll('link[rel=stylesheet]').length") == 2
    assert errors == []
    page.close()


def test_home_page_shows_new_articles_and_loses_deleted_ones(browser, preview: Preview, site: SiteMaker) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, preview.url)
    main = page.locator("main")
    expect(main).to_contain_text("خبر قديم سيحذف")
    page.wait_for_timeout(200)

    site.add("2026/jadid.md", article("مقال جديد ظهر للتو", date="2026-01-05 08:00", body="جديد."))
    expect(main).to_contain_text("مقال جديد ظهر للتو", timeout=TIMEOUT_MS)

    (site.root / "content" / "2019" / "old.md").unlink()
    expect(main).not_to_contain_text("خبر قديم سيحذف", timeout=TIMEOUT_MS)
    expect(main).to_contain_text("مقال جديد ظهر للتو")

    # The deleted article's page is gone: the 404 page, with status 404.
    status = page.goto(preview.url + "2019/old/").status  # type: ignore[union-attr]
    assert status == 404
    assert errors == []
    page.close()


def test_a_template_change_reloads_every_page(browser, preview: Preview, site: SiteMaker) -> None:
    from playwright.sync_api import expect

    page, _ = open_page(browser, preview.url + "tags/libya/")
    page.wait_for_timeout(200)
    base = site.root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        '<footer class="site-footer">', '<footer class="site-footer"><p id="stamp">تذييل معدل</p>', 1),
        encoding="utf-8")
    expect(page.locator("#stamp")).to_have_text("تذييل معدل", timeout=TIMEOUT_MS)
    page.close()


def test_pages_load_live_js_exactly_as_the_package_file(browser, preview: Preview) -> None:
    page, errors = open_page(browser, preview.url + "2020/gold/")
    loaded = page.evaluate("""async () => {
        const script = document.querySelector('script[data-events]');
        const response = await fetch(script.src);
        return {src: script.getAttribute("src"), type: response.headers.get("content-type"),
                fetched: performance.getEntriesByName(script.src).length > 0,
                bytes: Array.from(new Uint8Array(await response.arrayBuffer()))};
    }""")
    assert (loaded["src"], loaded["type"], loaded["fetched"]) == (SCRIPT_PATH, "text/javascript; charset=utf-8", True)
    assert bytes(loaded["bytes"]) == LIVE_JS.read_bytes()
    assert errors == []
    page.close()


def test_live_js_on_its_own_against_a_scripted_event_stream(browser) -> None:
    """The package's live.js with no server behind it: each state it is sent gets the right response."""
    from playwright.sync_api import expect

    origin = "http://arshif.test"
    served: dict[str, Any] = {"color": "rgb(1, 2, 3)", "state": {"version": 5, "css_from": 5, "problems": [
        {"path": "content/2020/a.md", "line": 3, "message": "broken YAML", "hint": "close the quote"}]}}
    html_requests: list[str] = []

    def handle(route: Any) -> None:
        path = urlsplit(route.request.url).path
        if path == SCRIPT_PATH:
            route.fulfill(body=LIVE_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
        elif path == EVENTS_PATH:  # one state per connection; the script reconnects after 50 ms
            data = json.dumps(served["state"], ensure_ascii=False)
            route.fulfill(body=f"retry: 50\n\nevent: state\ndata: {data}\n\n".encode(),
                          content_type="text/event-stream; charset=utf-8")
        elif path == "/site.css":
            route.fulfill(body=f"body {{ color: {served['color']} }}", content_type="text/css; charset=utf-8")
        else:
            html_requests.append(path)
            html = b'<!DOCTYPE html><html><head><link rel="stylesheet" href="/site.css"></head><body>x</body></html>'
            route.fulfill(body=inject(html, served["state"]["version"]), content_type="text/html; charset=utf-8")

    context = browser.new_context()
    context.route(f"{origin}/**", handle)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(origin + "/")
    page.evaluate("window.arshifMarker = 'same page'")

    # Problems: the overlay names the file and line, the message and the hint.
    overlay = page.locator("#arshif-overlay")
    expect(overlay).to_contain_text("content/2020/a.md:3")
    expect(overlay).to_contain_text("broken YAML")
    expect(overlay).to_contain_text("→ close the quote")

    # A stylesheet-only version: the overlay goes, the new stylesheet replaces the old, no reload.
    served["color"] = "rgb(4, 5, 6)"
    served["state"] = {"version": 6, "css_from": 5, "problems": []}
    expect(overlay).to_have_count(0)
    page.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(4, 5, 6)'")
    page.wait_for_function("() => document.querySelectorAll('link[rel=stylesheet]').length === 1")
    assert page.evaluate("document.querySelector('link[rel=stylesheet]').getAttribute('href')") == "/site.css?v=6"
    assert page.evaluate("window.arshifMarker") == "same page"

    # Any other new version: the page reloads, once.
    with page.expect_event("load"):
        served["state"] = {"version": 7, "css_from": 7, "problems": []}
    assert page.evaluate("window.arshifMarker") is None
    page.wait_for_timeout(300)  # a few more deliveries of version 7: the reloaded page stays
    assert html_requests == ["/", "/", "/"]  # the first load, the stylesheet swap's fetch, the reload
    assert errors == []
    context.close()

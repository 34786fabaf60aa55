"""Search in headless Chromium: Arabic queries typed into the search page, asserted on result links."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from urllib.parse import quote

import pytest

from tests.sitekit import SiteMaker, article
from tests.test_browser import QuietHandler

ARTICLES = {
    "2020/diacritics.md": article(title="العَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ", date="2020-01-01",
                                  body="نَصٌّ مُشَكَّلٌ عن المُعَلِّمِينَ في المدارس."),
    "2020/tatweel.md": article(title="مقال عن الجـــمال", date="2020-02-01", body="الجمال في كل مكان."),
    "2021/hamza.md": article(title="أحمد وإبراهيم في إسطنبول", date="2021-01-01", body="رحلة إلى آسيا."),
    "2021/taa.md": article(title="مدرسه القريه", date="2021-02-01", body="مبنى جديد للطلاب."),
    "2022/affixes.md": article(title="المفاوضات والاتفاقيات", date="2022-01-01",
                               body="بالمفاوضات وللمفاوضين والمفاوضون."),
    "2022/digits.md": article(title="ميزانية عام ٢٠٢٤", date="2022-02-01", body="أرقام الميزانية الجديدة."),
    "2023/latin.md": article(title="شركة OpenAI تطلق GPT-4o", date="2023-01-01", body="نموذج جديد على iPhone."),
    "2023/multi.md": article(title="لقاء في موسكو", date="2023-02-01", body="حفتر والسراج يلتقيان في موسكو."),
    "2023/moscow.md": article(title="طقس موسكو", date="2023-03-01", body="ثلوج كثيفة في العاصمة."),
    "2024/xss.md": article(title="<img src=x onerror=alert(1)> عنوان خبيث", date="2024-01-01",
                           body="نص عن الأمن الرقمي والحماية."),
    "2024/draft.md": article(title="مسودة", date="2024-02-01", draft="true", body="كلمة زمردية سرية جدا."),
    # Proclitics: each article has the word in one form only.
    "2024/italy.md": article(title="وفد تجاري يصل لإيطاليا", date="2024-03-01",
                             body="وصل الوفد لإيطاليا صباح الأحد في زيارة تستمر ثلاثة أيام."),
    "2024/bank.md": article(title="البنك المركزي يرفع الفائدة", date="2024-04-01",
                            body="قرر البنك المركزي في لبنان رفع الفائدة."),
    "2024/festival.md": article(title="مهرجان للأغنية", date="2024-05-01", body="أقيم المهرجان بفلسطين وسط حضور كبير."),
    "2024/names.md": article(title="علي بن عامر يسجل", date="2024-06-01",
                             body="سجل علي بن عامر هدفا، وتبادل الجمهور النكات في المدرجات."),
}


@pytest.fixture(scope="module")
def search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    top = tmp_path_factory.mktemp("www")
    site = SiteMaker(tmp_path_factory.mktemp("src") / "site")
    for path, text in ARTICLES.items():
        site.add(path, text)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(top)))
    base = f"http://127.0.0.1:{server.server_port}/archive/"
    site.build(output=top / "archive", base_url=base)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base + "search/"
    server.shutdown()


def results(page, url: str, query: str) -> tuple[list[str], str]:
    """Open the search page for QUERY; the result links' paths and the status line."""
    page.goto(url + "?q=" + quote(query))
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=15000)
    links = page.eval_on_selector_all(".search-result h2 a", "links => links.map(a => a.getAttribute('href'))")
    return [link.split("/archive/", 1)[1] for link in links], page.inner_text("#search-status")


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert errors == []


@pytest.mark.parametrize(("query", "expected"), [
    ("العربية جميلة", "2020/diacritics/"),
    ("المعلمين", "2020/diacritics/"),
    ("الجَمَال", "2020/tatweel/"),
    ("الجمال", "2020/tatweel/"),
    ("ابراهيم", "2021/hamza/"),
    ("اسطنبول", "2021/hamza/"),
    ("مدرسة القرية", "2021/taa/"),
    ("مفاوضات", "2022/affixes/"),
    ("المفاوضين", "2022/affixes/"),
    ("اتفاقية", "2022/affixes/"),
    ("2024", "2022/digits/"),
    ("٢٠٢٤", "2022/digits/"),
    ("openai", "2023/latin/"),
    ("GPT", "2023/latin/"),
    ("iphone", "2023/latin/"),
    ("حفتر موسكو", "2023/multi/"),
])
def test_arabic_queries_find_their_article(page, search_url: str, query: str, expected: str) -> None:
    found, _status = results(page, search_url, query)
    assert found and found[0] == expected, (query, found)


def test_multi_word_query_ranks_the_article_with_both_words_first(page, search_url: str) -> None:
    found, status = results(page, search_url, "حفتر موسكو")
    assert found[:2] == ["2023/multi/", "2023/moscow/"]
    assert status == "نتيجتان"
    found, _ = results(page, search_url, "+حفتر +موسكو")
    assert found == ["2023/multi/"]


@pytest.mark.parametrize(("query", "expected"), [
    ("بموسكو", ["2023/moscow/", "2023/multi/"]),  # both say موسكو, never بموسكو
    ("إيطاليا", ["2024/italy/"]),  # it says only لإيطاليا
    ("ايطاليا", ["2024/italy/"]),
    ("بإيطاليا", ["2024/italy/"]),
    ("لبنان", ["2024/bank/"]),  # not بن of علي بن عامر
    ("بنك", ["2024/bank/"]),  # البنك; not النكات
    ("فلسطين", ["2024/festival/"]),  # بفلسطين
    ("+بموسكو", ["2023/moscow/", "2023/multi/"]),  # required: any reading of the word, as without +
    ("+ليبيا -بموسكو", []),
])
def test_proclitic_forms_find_each_other(page, search_url: str, query: str, expected: list[str]) -> None:
    found, status = results(page, search_url, query)
    assert sorted(found) == expected, (query, found)
    assert "تقريبية" not in status  # found by the query's own terms, not by the retry with one edit


def test_a_word_found_through_its_proclitic_form_is_highlighted(page, search_url: str) -> None:
    _found, status = results(page, search_url, "إيطاليا")
    assert "تقريبية" not in status
    marks = page.eval_on_selector_all(".search-result mark", "marks => marks.map(m => m.textContent)")
    assert "لإيطاليا" in marks


def test_a_drafts_unique_word_finds_nothing(page, search_url: str) -> None:
    found, status = results(page, search_url, "زمردية")
    assert found == []
    assert "لا نتائج" in status


def test_a_title_with_markup_shows_as_text(page, search_url: str) -> None:
    found, _ = results(page, search_url, "خبيث")
    assert found == ["2024/xss/"]
    title = page.inner_text(".search-result h2 a")
    assert "<img src=x onerror=alert(1)>" in title
    assert page.locator(".search-result img").count() == 0


def test_matches_are_highlighted_even_with_diacritics_in_the_text(page, search_url: str) -> None:
    results(page, search_url, "المعلمين")
    marks = page.eval_on_selector_all(".search-result mark", "marks => marks.map(m => m.textContent)")
    assert "المُعَلِّمِينَ" in marks


def test_typing_updates_results_and_the_address(page, search_url: str) -> None:
    page.goto(search_url)
    page.fill("#search-input", "موسكو")
    page.wait_for_function("document.querySelectorAll('.search-result').length == 2")
    assert "q=%D9%85%D9%88%D8%B3%D9%83%D9%88" in page.url
    page.select_option("#search-sort", "newest")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'newest'")
    page.wait_for_selector("#search-app[data-state=done]", state="attached")
    first = page.get_attribute(".search-result h2 a", "href")
    assert first.endswith("2023/moscow/")
    page.go_back()
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === null")


def test_keyboard_moves_from_the_box_to_the_results(page, search_url: str) -> None:
    results(page, search_url, "موسكو")
    page.focus("#search-input")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "search-input"


def test_header_search_box_goes_to_the_search_page(page, search_url: str) -> None:
    page.goto(search_url.replace("search/", ""))
    page.fill("#site-search-input", "الجمال")
    page.press("#site-search-input", "Enter")
    page.wait_for_selector("#search-app[data-state=done]", state="attached")
    assert page.url.startswith(search_url)
    assert page.get_attribute(".search-result h2 a", "href").endswith("2020/tatweel/")


def test_one_query_fetches_only_part_of_the_index(page, search_url: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    results(page, search_url, "موسكو")
    shards = [url for url in fetched if "/search/terms/" in url]
    docs = [url for url in fetched if "/search/docs/" in url]
    assert len(shards) == 1
    assert [url.rsplit("/", 1)[1] for url in docs] == ["0.json"]  # both results are in the first bundle
    assert len(set(fetched)) == len(fetched)


def test_a_query_with_no_results_is_tried_again_with_one_edit_and_says_so(page, search_url: str) -> None:
    found, status = results(page, search_url, "اسطنبوك")  # one letter off إسطنبول
    assert "2021/hamza/" in found
    assert status.startswith("نتائج تقريبية")
    found, status = results(page, search_url, "+اسطنبوك")  # an operator: the query is taken as written
    assert found == [] and "تقريبية" not in status

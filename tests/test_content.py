"""Reading one article: front matter, dates in the site's zone, slugs, summaries, body HTML."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from arshif.config import load_config
from arshif.content import ArticleError, lead_summary, new_markdown, parse_date, read_article
from tests.sitekit import SiteMaker, article


def read(site: SiteMaker, relative: str, text: str):
    path = site.add(relative, text)
    return read_article(path, load_config(site.root), new_markdown())


def test_front_matter_fields_and_extra_keys(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(
        title="عنوان المقال", author="وكالات", tags="[libya, روسيا]", category="سياسة",
        updated="2020-01-14 09:00", source_url="https://example.org/x", body="الفقرة الأولى.\n\nالثانية."))
    assert item.title == "عنوان المقال"
    assert item.author == "وكالات"
    assert item.tags == ("libya", "روسيا")
    assert item.category == "سياسة"
    assert item.updated is not None and item.updated > item.date
    assert item.extra == {"source_url": "https://example.org/x"}
    assert item.summary == "الفقرة الأولى."
    assert item.url == "2020/x/"


def test_naive_dates_are_in_the_site_time_zone(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(date="2024-07-01 10:30"))
    assert item.date.utcoffset() == timedelta(hours=3)  # Cairo summer time (DST since 2023)
    explicit = read(site, "2020/y.md", article(date="2020-07-01T10:30:00+00:00"))
    assert explicit.date.utcoffset() == timedelta(0)


def test_dates_in_arabic_indic_digits_are_understood() -> None:
    from zoneinfo import ZoneInfo
    assert parse_date("٢٠٢٠-٠١-١٣", ZoneInfo("Asia/Riyadh")) == datetime(2020, 1, 13, tzinfo=ZoneInfo("Asia/Riyadh"))


@pytest.mark.parametrize("value", ["2020-02-30", "2020-13-01", "13/01/2020", "2020-01-01 25:00", "غدا"])
def test_impossible_or_unreadable_dates_raise(value: str) -> None:
    from zoneinfo import ZoneInfo
    with pytest.raises(ValueError):
        parse_date(value, ZoneInfo("UTC"))


def test_slug_from_arabic_file_name_and_from_front_matter(site: SiteMaker) -> None:
    assert read(site, "2024/مهرجان القاهرة.md", article()).slug == "مهرجان-القاهرة"
    assert read(site, "2024/x.md", article(slug="My Story")).slug == "my-story"


def test_summary_is_the_lead_paragraph_cut_on_a_word_boundary() -> None:
    words = " ".join(["كلمة"] * 100)
    summary = lead_summary(f"<h2>عنوان</h2><p>{words}</p><p>ثانية</p>", 50)
    assert summary.endswith("…")
    assert len(summary) <= 51
    assert summary[:-1].split() == ["كلمة"] * len(summary[:-1].split())


def test_summary_from_front_matter_wins(site: SiteMaker) -> None:
    assert read(site, "2020/x.md", article(summary='"ملخص مكتوب"')).summary == "ملخص مكتوب"


def test_markdown_features_and_heading_anchors(site: SiteMaker) -> None:
    body = "مقدمة.\n\n## عنوان فرعي\n\n- أ\n- ب\n\n> اقتباس\n\n| أ | ب |\n|---|---|\n| ١ | ٢ |\n"
    item = read(site, "2020/x.md", article(body=body))
    assert '<h2 id="عنوان-فرعي">عنوان فرعي</h2>' in item.body_html
    assert "<ul>" in item.body_html and "<blockquote>" in item.body_html and "<table>" in item.body_html


@pytest.mark.parametrize("body", [
    "## عنوان\n\nنص.\n\n## عنوان\n\n### عنوان [^1] **بارز**\n\n[^1]: حاشية.",
    '<h2 id="عنوان">قديم</h2>\n\n## عنوان\n\n## عنوان\n\n## Title & <b>x</b>',
    "[TOC]\n\n## أول\n\n### ثان\n\n## أول",
    "    [TOC]\n\n## في الشيفرة فقط",
    "> [TOC]\n\n## في اقتباس",
    "نص عادي بلا جدول ولا حاشية، فيه \\| وخط.\n\n## عنوان",
    "| أ | ب |\n|---|---|\n| ١ | ٢ |\n\nنص [^ن].\n\n[^ن]: حاشية.\n\n```\n~~~ code | x\n```",
    "~~~\nشيفرة\n~~~\n\n- أ\n- ب",
])
def test_site_markdown_gives_the_extensions_bytes(body: str) -> None:
    """Arshif's anchors skip the contents list, and a body without a table's, footnote's or fence's syntax
    is converted without those extensions: either way the bytes must be the extensions' own, [TOC] included."""
    import markdown
    from markdown.extensions.toc import TocExtension, slugify_unicode

    toc = markdown.Markdown(extensions=["tables", "footnotes", "fenced_code", "sane_lists",
                                        TocExtension(slugify=slugify_unicode)], output_format="html")
    converter = new_markdown()
    assert converter.convert(body) == toc.convert(body)
    if body.startswith("[TOC]"):
        assert '<div class="toc">' in converter.convert(body)


def test_relative_image_beside_the_article_gets_a_site_path(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(body="![صورة](photo.jpg) [رابط](https://example.org/) [د](#a)"))
    assert 'src="/2020/photo.jpg"' in item.body_html
    assert 'href="https://example.org/"' in item.body_html
    assert 'href="#a"' in item.body_html


def test_relative_links_are_percent_encoded_once(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(body="![خريطة](<صورة خريطة.png>) [ب](a%20b.pdf#p2)"))
    assert f'src="/2020/{quote("صورة خريطة.png")}"' in item.body_html
    assert 'href="/2020/a%20b.pdf#p2"' in item.body_html


def test_link_leaving_content_is_a_problem(site: SiteMaker) -> None:
    with pytest.raises(ArticleError, match="points outside content/"):
        read(site, "2020/x.md", article(body="[x](../../outside.html)"))


def test_reading_time_counts_words(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(body=" ".join(["كلمة"] * 650)))
    assert item.words == 650
    assert item.reading_minutes == 3


def test_html_in_title_is_kept_as_text(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", article(title="<b>عنوان</b> & \\\"اقتباس\\\""))
    assert item.title == '<b>عنوان</b> & "اقتباس"'


def test_tags_accept_one_per_line(site: SiteMaker) -> None:
    item = read(site, "2020/x.md", "---\ntitle: ع\ndate: 2020-01-01\ntags:\n  - libya\n  - تركيا\n---\nنص\n")
    assert item.tags == ("libya", "تركيا")


def test_error_carries_line(site: SiteMaker) -> None:
    with pytest.raises(ArticleError) as error:
        read(site, "2020/x.md", '---\ntitle: "ع"\nauthor: x\ndate: 2020-02-31\n---\n')
    assert error.value.line == 4


def test_sources_skip_hidden_files(site: SiteMaker) -> None:
    from arshif.content import article_sources, scan_files, static_sources
    site.add("2020/a.md", article())
    site.add("2020/.draft.md", "garbage")
    site.add("_notes/b.md", "garbage")
    site.add("2020/photo.jpg", b"jpg")
    scan = scan_files(Path(site.root / "content"))
    assert (article_sources(scan), static_sources(scan)) == (["2020/a.md"], ["2020/photo.jpg"])

"""Issue 13 (parts 1, 2 and 4): sections, authors and corrections, as a reader, a feed reader and a search
engine see them on small built sites (feeds read with feedparser, JSON-LD with json, HTML with the W3C checker).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest

from arshif.build import build_site
from arshif.problems import BuildFailed, Problem
from tests.htmlcheck import html_links, link_problem, site_links
from tests.sitekit import BASE_CONFIG, NOW, PROJECT, SiteMaker, article
from tests.test_incremental import tree

BASE = "https://example.org/"
CAIRO = ZoneInfo("Africa/Cairo")
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NEWSROOM_CONFIG = BASE_CONFIG + """
[sections]
politics = "سياسة"
economy = "اقتصاد"

[authors.salma]
name = "سلمى حداد"
bio = "محررة الشؤون السياسية."
picture = "content/people/سلمى.png"
links = ["https://social.example.net/salma"]

[authors.nader]
name = "نادر المصراتي"
picture = "/theme/img/authors/nader-al-misrati.svg"
"""


def newsroom(site: SiteMaker) -> SiteMaker:
    """Seven articles: four in politics (named three ways), one each in economy and an unlisted section,
    one without; bylines of one writer, two writers, a writer and an agency, an agency, nobody."""
    site.add("people/سلمى.png", b"\x89PNG\r\n\x1a\n salma")
    site.config(NEWSROOM_CONFIG)
    site.add("2020/p1.md", article("سياسة أولى", "2020-01-01 10:00", category="سياسة", author="سلمى حداد"))
    site.add("2020/p2.md", article("سياسة ثانية", "2020-01-02 10:00", category="politics",
                                   author='["salma", "نادر المصراتي"]'))
    site.add("2020/p3.md", article("سياسة ثالثة", "2020-01-03 10:00", category="سِياسة", author="رويترز"))
    site.add("2020/p4.md", article("سياسة رابعة", "2020-01-04 10:00", category="سياسة",
                                   author='["كاتب ضيف", "وكالات"]'))
    site.add("2020/e1.md", article("اقتصاد أول", "2020-01-05 10:00", category="اقتصاد", author="نادر المصراتي"))
    site.add("2020/s1.md", article("رياضة أولى", "2020-01-06 10:00", category="رياضة", author="كاتب ضيف"))
    site.add("2020/none.md", article("بلا قسم", "2020-01-07 10:00"))
    return site


@pytest.fixture
def built(site: SiteMaker) -> SiteMaker:
    newsroom(site).build()
    return site


# --- reading pages ---------------------------------------------------------------------------------

def main_of(html: str) -> str:
    found = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert found, "page has no <main>"
    return found.group(0)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def inline_text(html: str) -> str:
    """The text of an inline fragment: tags dropped without a space (a link right after و stays joined)."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def article_titles(site: SiteMaker, url_path: str) -> list[str]:
    """The titles of the list entries a page shows, in order."""
    return re.findall(r'<h2 class="entry-title"><a href="[^"]+">([^<]+)</a>', main_of(site.page(url_path)))


def decoded_hrefs(html: str) -> list[str]:
    return [unquote(link.value) for link in html_links(html) if link.tag == "a"]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.found[-1] += data


def json_ld(html: str) -> dict[str, dict[str, Any]]:
    """The page's JSON-LD objects by @type."""
    parser = _Scripts()
    parser.feed(html)
    objects = [json.loads(raw) for raw in parser.found]
    by_type = {data["@type"]: data for data in objects}
    assert len(by_type) == len(objects), f"two JSON-LD objects of one type: {objects}"
    return by_type


def served_file(url: str, site: SiteMaker) -> Path:
    """The built file an absolute URL of the site leads to (and that it exists)."""
    assert url.startswith(BASE), url
    relative = unquote(urlsplit(url).path).removeprefix("/")
    path = site.out / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)
    assert path.is_file(), f"{url} leads to no built file"
    return path


# --- sections ----------------------------------------------------------------------------------------

def test_section_pages_list_their_articles_paginated(built: SiteMaker) -> None:
    """A category given as Arabic name, slug or with diacritics lands in one section, newest first, three a page."""
    assert article_titles(built, "sections/politics/") == ["سياسة رابعة", "سياسة ثالثة", "سياسة ثانية"]
    assert article_titles(built, "sections/politics/page/2/") == ["سياسة أولى"]
    assert not (built.out / "sections/politics/page/3").exists()
    page = built.page("sections/politics/")
    assert re.search(r"<h1[^>]*>سياسة</h1>", page)
    assert "٤ مقالات" in text_of(main_of(page))
    assert "الصفحة ٢ من ٢" not in text_of(page) and "الصفحة ١ من ٢" in text_of(page)
    assert article_titles(built, "sections/economy/") == ["اقتصاد أول"]
    assert article_titles(built, "sections/رياضة/") == ["رياضة أولى"], "an unlisted section has its page too"
    assert sorted(p.name for p in (built.out / "sections").iterdir()) == sorted(["politics", "economy", "رياضة"])


def test_every_page_has_the_sections_menu_in_site_toml_order(built: SiteMaker) -> None:
    """The header's section menu: site.toml's sections in its order, then the unlisted ones; the current one marked."""
    for url_path in ("", "2020/none/", "tags/", "archive/2020/", "search/", "404.html", "authors/salma/"):
        nav = re.search(r'<nav class="section-nav" aria-label="الأقسام">.*?</nav>', built.page(url_path), re.DOTALL)
        assert nav, f"{url_path}: no sections menu"
        assert decoded_hrefs(nav.group(0)) == ["/sections/politics/", "/sections/economy/", "/sections/رياضة/"]
        assert text_of(nav.group(0)) == "سياسة اقتصاد رياضة"
    nav = re.search(r'<nav class="section-nav".*?</nav>', built.page("sections/economy/"), re.DOTALL)
    assert nav and re.search(r'href="/sections/economy/" aria-current="page"', nav.group(0))
    assert nav.group(0).count("aria-current") == 1


def test_article_shows_its_section_as_a_link(built: SiteMaker) -> None:
    """The kicker above the headline is the section's configured name, linking to its page."""
    kicker = re.search(r'<p class="kicker">(.*?)</p>', built.page("2020/p2/"))
    assert kicker and decoded_hrefs(kicker.group(1)) == ["/sections/politics/"]
    assert text_of(kicker.group(1)) == "سياسة", "category: politics shows the section's Arabic name"
    assert '<p class="kicker">' not in built.page("2020/none/")


def test_section_and_author_feeds(built: SiteMaker) -> None:
    """Each section and each writer has an RSS and an Atom feed of their articles; agencies have none."""
    expected = {"sections/politics/": ["سياسة رابعة", "سياسة ثالثة", "سياسة ثانية", "سياسة أولى"],
                "sections/رياضة/": ["رياضة أولى"],
                "authors/salma/": ["سياسة ثانية", "سياسة أولى"],
                "authors/nader/": ["اقتصاد أول", "سياسة ثانية"],
                "authors/كاتب-ضيف/": ["رياضة أولى", "سياسة رابعة"]}
    for folder, titles in expected.items():
        for name in ("feed.xml", "atom.xml"):
            parsed = feedparser.parse((built.out / folder / name).read_bytes())
            assert not parsed.bozo, f"{folder}{name}: {parsed.get('bozo_exception')}"
            assert [e.title for e in parsed.entries] == titles, folder + name
            assert parsed.feed.get("language") == "ar"
            assert unquote(parsed.feed.link) == BASE + folder
        page = built.page(folder)
        assert f'href="{quote("/" + folder)}feed.xml"' in page and f'href="{quote("/" + folder)}atom.xml"' in page
    assert not (built.out / "authors" / "رويترز").exists() and not (built.out / "authors" / "وكالات").exists()
    feeds = sorted(p.relative_to(built.out).as_posix() for p in built.out.rglob("feed.xml"))
    assert [f for f in feeds if f.startswith("authors/")] == sorted(f"{f}feed.xml" for f in expected
                                                                    if f.startswith("authors/"))


def test_feed_entries_name_every_author(built: SiteMaker) -> None:
    """Atom entries carry each byline with the author page as its uri; RSS a dc:creator per author."""
    entry = next(e for e in feedparser.parse((built.out / "atom.xml").read_bytes()).entries if e.title == "سياسة ثانية")
    assert [(a.get("name"), a.get("href")) for a in entry.authors] == [
        ("سلمى حداد", BASE + "authors/salma/"), ("نادر المصراتي", BASE + "authors/nader/")]
    root = ET.parse(built.out / "feed.xml").getroot()
    item = next(i for i in root.iter("item") if i.findtext("title") == "سياسة رابعة")
    assert [c.text for c in item.findall("{http://purl.org/dc/elements/1.1/}creator")] == ["كاتب ضيف", "وكالات"]


# --- authors -----------------------------------------------------------------------------------------

def test_author_page_shows_profile_and_articles(built: SiteMaker) -> None:
    """site.toml's name, bio and links head the page; the byline matched by Arabic name or slug lists the articles."""
    page = built.page("authors/salma/")
    main = main_of(page)
    assert re.search(r"<h1[^>]*>سلمى حداد</h1>", main)
    assert "محررة الشؤون السياسية." in main
    assert "https://social.example.net/salma" in [link.value for link in html_links(main)]
    assert article_titles(built, "authors/salma/") == ["سياسة ثانية", "سياسة أولى"]
    assert "<title>سلمى حداد — موقع تجريبي</title>" in page
    assert re.search(r'<meta name="description" content="محررة الشؤون السياسية.">', page)
    [picture] = re.findall(r'<img class="author-picture" src="([^"]+)" alt="" width="96" height="96">', main)
    assert unquote(picture) == "/people/سلمى.png"
    assert (built.out / "people" / "سلمى.png").read_bytes().endswith(b" salma")
    [picture] = re.findall(r'<img class="author-picture" src="([^"]+)"', built.page("authors/nader/"))
    assert re.fullmatch(r"/assets/img/authors/nader-al-misrati\.[0-9a-f]+\.svg", picture), picture
    assert (built.out / picture.removeprefix("/")).read_bytes() == (
        PROJECT / "theme/img/authors/nader-al-misrati.svg").read_bytes()
    guest = built.page("authors/كاتب-ضيف/")
    assert re.search(r"<h1[^>]*>كاتب ضيف</h1>", guest), "an unconfigured writer is named as written"
    assert "author-picture" not in guest
    assert article_titles(built, "authors/كاتب-ضيف/") == ["رياضة أولى", "سياسة رابعة"]


def test_bylines_link_writers_and_name_agencies(built: SiteMaker) -> None:
    """On the article and on list entries: writers link to their pages, agencies are plain names."""
    header = re.search(r'<header class="article-header">.*?</header>', built.page("2020/p2/"), re.DOTALL)
    assert header
    byline = re.search(r'<span class="author">(.*?)</span>', header.group(0))
    assert byline and decoded_hrefs(byline.group(1)) == ["/authors/salma/", "/authors/nader/"]
    assert inline_text(byline.group(1)) == "سلمى حداد ونادر المصراتي"
    entry = re.search(r'سياسة رابعة</a></h2>\s*<p class="meta">(.*?)</p>', built.page("sections/politics/"))
    assert entry and decoded_hrefs(entry.group(1)) == ["/authors/كاتب-ضيف/"]
    assert inline_text(entry.group(1)).endswith("كاتب ضيف ووكالات")
    agency = re.search(r'<span class="author">(.*?)</span>', built.page("2020/p3/"))
    assert agency and agency.group(1) == "رويترز"


def test_json_ld_persons_organizations_section_and_breadcrumbs(built: SiteMaker) -> None:
    """NewsArticle authors are Person (name, url of the built author page, sameAs) or Organization; articleSection
    is the section's name; a BreadcrumbList leads home, to the section, to the article."""
    data = json_ld(built.page("2020/p2/"))
    article, crumbs = data["NewsArticle"], data["BreadcrumbList"]
    assert article["author"] == [
        {"@type": "Person", "name": "سلمى حداد", "url": BASE + "authors/salma/",
         "sameAs": ["https://social.example.net/salma"]},
        {"@type": "Person", "name": "نادر المصراتي", "url": BASE + "authors/nader/"}]
    for person in article["author"]:
        assert served_file(person["url"], built).name == "index.html"
    assert article["articleSection"] == "سياسة"
    assert [(i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        (1, "موقع تجريبي", BASE), (2, "سياسة", BASE + "sections/politics/"), (3, "سياسة ثانية", BASE + "2020/p2/")]
    for item in crumbs["itemListElement"]:
        served_file(item["item"], built)
    mixed = json_ld(built.page("2020/p4/"))["NewsArticle"]["author"]
    assert mixed == [{"@type": "Person", "name": "كاتب ضيف", "url": BASE + quote("authors/كاتب-ضيف/")},
                     {"@type": "Organization", "name": "وكالات"}]
    assert json_ld(built.page("2020/p3/"))["NewsArticle"]["author"] == [{"@type": "Organization", "name": "رويترز"}]
    plain = json_ld(built.page("2020/none/"))
    assert "author" not in plain["NewsArticle"] and "articleSection" not in plain["NewsArticle"]
    assert [i["name"] for i in plain["BreadcrumbList"]["itemListElement"]] == ["موقع تجريبي", "بلا قسم"]


def test_agencies_can_be_configured(site: SiteMaker) -> None:
    """agencies = [...] replaces the default list: a listed name is an Organization, a default one is a writer."""
    site.config(BASE_CONFIG.replace("[tags]", 'agencies = ["وكالة المغرب العربي"]\n\n[tags]'))
    site.add("2020/a.md", article("خبر", author="وكالة المغرب العربي"))
    site.add("2020/b.md", article("خبر آخر", "2020-01-14 10:00", author="رويترز"))
    site.build()
    assert json_ld(site.page("2020/a/"))["NewsArticle"]["author"][0]["@type"] == "Organization"
    assert json_ld(site.page("2020/b/"))["NewsArticle"]["author"][0]["@type"] == "Person"
    assert (site.out / "authors" / "رويترز" / "index.html").is_file()


def test_sitemap_lists_section_and_author_pages(built: SiteMaker) -> None:
    """The new pages are in sitemap.xml, each dated by the newest change of what it lists."""
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ET.parse(built.out / "sitemap.xml").getroot()
    lastmod = {unquote(u.findtext(f"{namespace}loc") or ""): u.findtext(f"{namespace}lastmod")
               for u in root.iter(f"{namespace}url")}
    for path in ("sections/politics/", "sections/politics/page/2/", "sections/رياضة/", "authors/salma/",
                 "authors/كاتب-ضيف/"):
        assert BASE + path in lastmod, path
    assert datetime.fromisoformat(lastmod[BASE + "sections/politics/page/2/"]) == datetime(2020, 1, 1, 10, tzinfo=CAIRO)
    assert datetime.fromisoformat(lastmod[BASE + "authors/salma/"]) == datetime(2020, 1, 2, 10, tzinfo=CAIRO)


def test_new_pages_are_valid_html_and_their_links_resolve(built: SiteMaker) -> None:
    """The W3C checker finds no error in the section, author and article pages; every internal link resolves."""
    broken = [f"{source}: {link.value}: {problem}" for source, url, link in site_links(built.out, BASE)
              if (problem := link_problem(link.value, url, BASE, built.out))]
    assert not broken, "\n".join(broken)
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail("the W3C checker needs java and node_modules/vnu-jar (run `make test`, which runs npm ci)")
    pages = [str(p) for p in sorted(built.out.rglob("*.html"))
             if p.relative_to(built.out).parts[0] in ("sections", "authors", "2020")]
    assert len(pages) >= 12
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *pages],
                          capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
    report = done.stderr if "{" in done.stderr else done.stdout
    messages = json.JSONDecoder().raw_decode(report[report.index("{"):])[0]["messages"]
    errors = [f"{unquote(m.get('url', ''))}:{m.get('lastLine')}: {m.get('message')}" for m in messages
              if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(errors)
    assert done.returncode == 0


def test_a_section_of_drafts_only_is_not_published(site: SiteMaker) -> None:
    """A section or author whose only article is a draft has no page and no place in the menu."""
    site.add("2020/a.md", article("منشور", category="سياسة", author="كاتب"))
    site.add("2020/b.md", article("مسودة", "2020-01-14 10:00", category="رياضة", author="كاتبة", draft="true"))
    site.build()
    assert "رياضة" not in site.page("") and not (site.out / "sections" / "رياضة").exists()
    assert not (site.out / "authors" / "كاتبة").exists()
    site.build(drafts=True, output=site.root / "preview")
    assert (site.root / "preview" / "sections" / "رياضة" / "index.html").is_file()


# --- corrections -------------------------------------------------------------------------------------

CORRECTED = """\
---
title: "خبر مصحح"
date: 2023-05-22 08:15
updated: {updated}
category: اقتصاد
corrections:
  - date: 2023-05-24 10:00
    text: "ذكرت نسخة سابقة أن المشروع في أسيوط، والصحيح أنه في المنيا."
  - date: 2023-05-23
    text: "صُحّح اسم الوزارة."
---

نص الخبر.
"""


@pytest.mark.parametrize(("updated", "modified"), [("2023-05-22 09:00", "2023-05-24T10:00:00+03:00"),
                                                   ("2023-06-01 12:00", "2023-06-01T12:00:00+03:00")])
def test_corrections_show_and_set_date_modified(site: SiteMaker, updated: str, modified: str) -> None:
    """The notice lists every correction oldest first with its Arabic date; dateModified, the feed entry's
    update and the sitemap take the latest of the corrections and updated:."""
    site.add("2023/fixed.md", CORRECTED.format(updated=updated))
    site.build()
    page = site.page("2023/fixed/")
    notice = re.search(r'<aside class="corrections"[^>]*>(.*?)</aside>', page, re.DOTALL)
    assert notice, "no corrections notice"
    assert text_of(notice.group(1)) == ("تصحيحات ٢٣ مايو ٢٠٢٣ : صُحّح اسم الوزارة. ٢٤ مايو ٢٠٢٣ : ذكرت نسخة سابقة أن "
                                        "المشروع في أسيوط، والصحيح أنه في المنيا.")
    assert '<time datetime="2023-05-24T10:00:00+03:00">٢٤ مايو ٢٠٢٣</time>' in notice.group(1)
    data = json_ld(page)["NewsArticle"]
    assert data["dateModified"] == modified and data["datePublished"] == "2023-05-22T08:15:00+03:00"
    assert f'<meta property="article:modified_time" content="{modified}">' in page
    atom = feedparser.parse((site.out / "atom.xml").read_bytes())
    assert atom.entries[0].updated == modified
    assert datetime.fromisoformat(ET.parse(site.out / "atom.xml").getroot().findtext(
        "{http://www.w3.org/2005/Atom}updated") or "") == datetime.fromisoformat(modified)
    assert f"<loc>{BASE}2023/fixed/</loc><lastmod>{modified}</lastmod>" in (site.out / "sitemap.xml").read_text()


def test_one_correction_is_called_tashih(site: SiteMaker) -> None:
    site.add("2020/one.md", article("خبر", corrections='[{date: 2020-01-14, text: "صحح الرقم"}]'))
    site.build()
    assert re.search(r'<h2 id="corrections-heading">تصحيح</h2>', site.page("2020/one/"))
    assert json_ld(site.page("2020/one/"))["NewsArticle"]["dateModified"] == "2020-01-14T00:00:00+02:00"


BAD_CORRECTIONS = {
    "not a list": ("corrections: صححنا الخبر\n", 4, "corrections must be a list"),
    "item not a mapping": ("corrections:\n  - صححنا الخبر\n", 5, "correction 1 must have a date and a text"),
    "no date": ("corrections:\n  - date: 2020-02-01\n    text: أول\n  - text: بلا تاريخ\n", 7,
                "correction 2 has no date"),
    "impossible date": ("corrections:\n  - date: 2020-02-30\n    text: تاريخ مستحيل\n", 5, "not a real date"),
    "date that is no date": ("corrections:\n  - date: أمس\n    text: نص\n", 5, "is not a date"),
    "missing text": ("corrections:\n  - date: 2020-02-01\n", 5, "correction 1 has no text"),
    "empty text": ("corrections:\n  - date: 2020-02-01\n    text: \"  \"\n", 6, "correction 1 has no text"),
    "unknown key": ("corrections:\n  - date: 2020-02-01\n    text: نص\n    by: أحد\n", 5, "unknown key 'by'"),
}


@pytest.mark.parametrize("name", sorted(BAD_CORRECTIONS))
def test_bad_corrections_name_file_and_line(site: SiteMaker, name: str) -> None:
    """Each broken correction is a problem naming the article and the line of the bad entry; build/ is not made."""
    text, line, words = BAD_CORRECTIONS[name]
    site.add("2020/good.md", article())
    site.add("2020/bad.md", '---\ntitle: "عنوان"\ndate: 2020-01-01\n' + text + "---\nنص\n")
    with pytest.raises(BuildFailed) as failure:
        site.build()
    [problem] = failure.value.problems
    assert (problem.path, problem.line) == ("content/2020/bad.md", line), problem
    assert words in problem.message, problem
    assert problem.hint
    assert not site.out.exists()


def test_author_must_be_names(site: SiteMaker) -> None:
    site.add("2020/bad.md", article(author="[سلمى, {name: x}]"))
    with pytest.raises(BuildFailed) as failure:
        site.build()
    [problem] = failure.value.problems
    assert (problem.path, problem.line) == ("content/2020/bad.md", 4) and "author must be" in problem.message


# --- site.toml -----------------------------------------------------------------------------------------

BAD_CONFIG = {
    "section without a name": ('[sections]\npolitics = ""\n', "sections", 'section \'politics\''),
    "sections not a table": ('sections = ["سياسة"]\n', "sections", "must be dict"),
    "author not a table": ('[authors]\nsalma = "سلمى"\n', "authors.salma", "must be a table"),
    "author without a name": ('[authors.salma]\nbio = "نبذة"\n', "authors.salma", "needs a non-empty Arabic name"),
    "bio not text": ('[authors.salma]\nname = "سلمى"\nbio = 3\n', "authors.salma", "bio must be str"),
    "links not a list": ('[authors.salma]\nname = "سلمى"\nlinks = "https://a.example"\n', "authors.salma",
                         "links must be list"),
    "link not a URL": ('[authors.salma]\nname = "سلمى"\nlinks = ["a.example/salma"]\n', "authors.salma",
                       "is not an absolute http(s) URL"),
    "picture missing": ('[authors.salma]\nname = "سلمى"\npicture = "theme/img/nope.jpg"\n', "authors.salma",
                        "picture 'theme/img/nope.jpg' is not a file in theme/ or content/"),
    "picture outside": ('[authors.salma]\nname = "سلمى"\npicture = "site.toml"\n', "authors.salma",
                        "is not a file in theme/ or content/"),
    "picture not text": ('[authors.salma]\nname = "سلمى"\npicture = ["a.png"]\n', "authors.salma",
                         "picture must be str"),
    "agencies not a list": ('agencies = "رويترز"\n', "agencies", "must be list"),
    "empty agency": ('agencies = ["رويترز", ""]\n', "agencies", "non-empty name"),
}


def config_problems(site: SiteMaker, addition: str) -> list[Problem]:
    """Build with ADDITION in site.toml: tables after the others, top-level keys before them."""
    site.config(BASE_CONFIG + "\n" + addition if addition.startswith("[") else
                BASE_CONFIG.replace("[tags]", addition + "\n[tags]"))
    site.add("2020/a.md", article())
    with pytest.raises(BuildFailed) as failure:
        site.build()
    return failure.value.problems


@pytest.mark.parametrize("name", sorted(BAD_CONFIG))
def test_bad_newsroom_settings_name_the_key_and_line(site: SiteMaker, name: str) -> None:
    addition, key, words = BAD_CONFIG[name]
    [problem] = config_problems(site, addition)
    assert problem.path == "site.toml" and problem.message.startswith(f"{key}:"), problem
    assert words in problem.message, problem
    lines = (site.root / "site.toml").read_text(encoding="utf-8").splitlines()
    assert problem.line is not None, problem
    assert lines[problem.line - 1] in addition.splitlines(), (problem, lines[problem.line - 1])
    assert problem.hint


def test_unknown_author_key_is_a_warning(site: SiteMaker) -> None:
    site.config(BASE_CONFIG + '\n[authors.salma]\nname = "سلمى"\nphoto = "x.jpg"\n')
    site.add("2020/a.md", article(author="سلمى"))
    report = site.build()
    assert any("authors.salma" in w and "'photo'" in w for w in report.warnings), report.warnings
    assert (site.out / "authors" / "salma" / "index.html").is_file()


# --- incremental builds ----------------------------------------------------------------------------------

def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_mtime_ns + 1_000_000_000,) * 2)


def test_an_older_article_joining_a_section_updates_its_first_page(site: SiteMaker, tmp_path: Path) -> None:
    """Page 1 of a section keeps its articles when an older one joins (on page 2), but its count changes:
    the section's member list is a key of its own. The same for an author's page."""
    for n in range(1, 5):
        site.add(f"2020/a{n}.md", article(f"مقال {n}", f"2020-02-1{n} 10:00", category="سياسة", author="كاتب"))
    site.add("2020/old.md", article("قديم", "2020-01-01 10:00"))
    site.build(precompress=False)
    assert "٤ مقالات" in site.page("sections/سياسة/") and "٤ مقالات" in site.page("authors/كاتب/")
    touch_later(site.add("2020/old.md", article("قديم", "2020-01-01 10:00", category="سياسة", author="كاتب")))
    site.build(precompress=False)
    assert "٥ مقالات" in site.page("sections/سياسة/") and "٥ مقالات" in site.page("authors/كاتب/")
    build_site(site.root, tmp_path / "cold", now=NOW, use_cache=False, precompress=False)
    assert tree(site.out) == tree(tmp_path / "cold")


def test_a_new_section_reaches_every_menu(site: SiteMaker, tmp_path: Path) -> None:
    """A category no article had adds a section to the menu of pages that show nothing of that article."""
    site.add("2020/a.md", article("أ", category="سياسة", tags="[libya]"))
    site.add("2020/b.md", article("ب", "2020-01-14 10:00", tags="[russia]"))
    site.build(precompress=False)
    touch_later(site.add("2020/b.md", article("ب", "2020-01-14 10:00", tags="[russia]", category="ثقافة")))
    site.build(precompress=False)
    assert "/sections/ثقافة/" in decoded_hrefs(site.page("tags/libya/"))
    build_site(site.root, tmp_path / "cold", now=NOW, use_cache=False, precompress=False)
    assert tree(site.out) == tree(tmp_path / "cold")


# --- the sample archive --------------------------------------------------------------------------------

def test_the_sample_archive_shows_sections_authors_an_agency_and_a_correction(tmp_path: Path) -> None:
    """Issue 13 part 5 (photos aside): the repository's own archive has several sections, described authors,
    an agency byline and a corrected article, and they reach the built pages."""
    settings = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    build_site(PROJECT, output=out, now=NOW, base_url=BASE, use_cache=False, precompress=False)
    sections = sorted(p.name for p in (out / "sections").iterdir())
    assert len(sections) >= 5 and set(settings["sections"]) <= set(sections)
    described = {slug: table for slug, table in settings["authors"].items() if table.get("bio")}
    assert len(described) >= 2
    for slug, table in described.items():
        page = (out / "authors" / slug / "index.html").read_text(encoding="utf-8")
        assert table["bio"] in page and table["name"] in page
        assert ('class="author-picture"' in page) == bool(table.get("picture")), slug
    pages = {p: p.read_text(encoding="utf-8") for p in out.glob("20*/*/index.html")}
    agencies = [p for p, html in pages.items() if {"@type": "Organization", "name": "وكالات"} in
                json_ld(html)["NewsArticle"].get("author", [])]
    assert agencies, "no article of the sample has an agency byline"
    corrected = [p for p, html in pages.items() if '<aside class="corrections"' in html]
    assert len(corrected) == 1
    data = json_ld(pages[corrected[0]])["NewsArticle"]
    assert datetime.fromisoformat(data["dateModified"]) > datetime.fromisoformat(data["datePublished"])

"""Issue 3: feeds, sitemaps, robots.txt and search-engine metadata, checked on the built files.

Feeds are read with feedparser (a real feed reader) and as raw XML, sitemaps with ElementTree,
page metadata and JSON-LD with html.parser and json. What the sample archive should contain is
read from its sources here (plain YAML and TOML, not the engine), so the engine is checked
against its input. Small inline sites (SiteMaker) cover settings and edge cases.
"""

from __future__ import annotations

import html
import json
import math
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml

from arshif.build import build_site
from arshif.config import DEFAULT_AGENCIES, load_config
from arshif.content import load_articles
from arshif.site import assemble, routes
from arshif.sitemap import sitemap_files
from tests.htmlcheck import html_links, target_file, url_of
from tests.sitekit import BASE_CONFIG, NOW, PROJECT, SiteMaker, article, photo

BASE = "https://example.org/archive/"
BASE_PATH = urlsplit(BASE).path
ZONE = ZoneInfo("Africa/Cairo")
SITE_TOML = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))
TAG_NAMES: dict[str, str] = SITE_TOML["tags"]
SECTION_NAMES: dict[str, str] = SITE_TOML.get("sections", {})
AUTHOR_NAMES: dict[str, str] = {slug: table["name"] for slug, table in SITE_TOML.get("authors", {}).items()}
AGENCIES = set(SITE_TOML.get("agencies", DEFAULT_AGENCIES))
PUBLISHER = SITE_TOML.get("publisher") or SITE_TOML["title"]
DEFAULT_ITEMS = 50

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
RSS_ZONE = re.compile(r"[+-]\d{4}$")
ISO_ZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


# --- what the sources say (read without the engine) ---------------------------------------------

@dataclass(frozen=True)
class Source:
    """One sample article as its file says it."""

    url: str
    title: str
    date: datetime
    updated: datetime | None
    authors: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    summary: str
    lead: str
    draft: bool
    photo: bool = False  # image: or a photo in the body
    section: str = ""
    writers: tuple[str, ...] = ()  # the slugs of the bylines that are people (agencies have no page)
    corrected: datetime | None = None

    @property
    def changed(self) -> datetime:
        return max(d for d in (self.date, self.updated, self.corrected) if d is not None)

    @property
    def slugs(self) -> list[str]:
        return [slug for slug, _ in self.tags]

    @property
    def tag_names(self) -> list[str]:
        return [name for _, name in self.tags]


def source_date(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZONE)


def source_tag(value: str) -> tuple[str, str]:
    if value in TAG_NAMES:
        return value, TAG_NAMES[value]
    by_name = {name: slug for slug, name in TAG_NAMES.items()}
    return (by_name[value], value) if value in by_name else ("-".join(value.split()), value)


def slug_of(value: str, configured: dict[str, str]) -> str:
    """A section's or author's slug as site.toml gives it, else the name's words joined by hyphens."""
    if value in configured:
        return value
    by_name = {name: slug for slug, name in configured.items()}
    return by_name.get(value, "-".join(value.split()))


def read_sources() -> list[Source]:
    """Every sample article, newest first."""
    sources = []
    for path in sorted((PROJECT / "content").rglob("*.md")):
        front, body = path.read_text(encoding="utf-8").removeprefix("---\n").split("\n---\n", 1)
        meta = yaml.safe_load(front)
        date = source_date(meta["date"])
        assert date is not None
        lead = " ".join(body.strip().split("\n\n", 1)[0].split())
        bylines = meta.get("author") or []
        bylines = bylines if isinstance(bylines, list) else [bylines]
        corrected = [source_date(c["date"]) for c in meta.get("corrections", [])]
        sources.append(Source(
            url=f"{date.year}/{meta.get('slug') or path.stem}/", title=meta["title"], date=date,
            updated=source_date(meta.get("updated")), authors=tuple(bylines),
            tags=tuple(source_tag(str(t)) for t in meta.get("tags", [])), summary=meta.get("summary", ""),
            lead=lead, draft=meta.get("draft", False), photo=bool(meta.get("image")) or "![" in body,
            section=slug_of(meta["category"], SECTION_NAMES) if meta.get("category") else "",
            writers=tuple(slug_of(name, AUTHOR_NAMES) for name in bylines if name not in AGENCIES),
            corrected=max((d for d in corrected if d is not None), default=None)))
    return sorted(sources, key=lambda s: (s.date, s.url.split("/")[1]), reverse=True)


SOURCES = read_sources()
PUBLISHED = [s for s in SOURCES if not s.draft]
DRAFTS = [s for s in SOURCES if s.draft]
BY_URL = {s.url: s for s in PUBLISHED}
TAG_SLUGS = sorted({slug for s in PUBLISHED for slug in s.slugs})
SECTION_SLUGS = sorted({s.section for s in PUBLISHED if s.section})
WRITER_SLUGS = sorted({slug for s in PUBLISHED for slug in s.writers})
FEED_FOLDERS = ["", *(f"tags/{slug}/" for slug in TAG_SLUGS), *(f"sections/{slug}/" for slug in SECTION_SLUGS),
                *(f"authors/{slug}/" for slug in WRITER_SLUGS)]
FEEDS = [folder + name for folder in FEED_FOLDERS for name in ("feed.xml", "atom.xml")]


def listed(folder: str, items: int = DEFAULT_ITEMS) -> list[Source]:
    """The articles the feed in FOLDER must carry, newest first."""
    kind, _, slug = folder.removesuffix("/").partition("/")
    members = {"tags": lambda s: slug in s.slugs, "sections": lambda s: s.section == slug,
               "authors": lambda s: slug in s.writers}
    return [s for s in PUBLISHED if not folder or members[kind](s)][:items]


def folder_of(feed: str) -> str:
    """The list a feed belongs to: "" for the whole site, "tags/<slug>/" for a tag (sections/, authors/ alike)."""
    return feed.rpartition("/")[0] + "/" if "/" in feed else ""


def site_path(url: str, base_url: str = BASE) -> str:
    """The decoded path below the base of an absolute URL of the site ("" if it is not one)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    path = unquote(parts.path)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not path.startswith(base.path):
        return ""
    return path.removeprefix(base.path)


def file_of(url: str, out: Path, base_url: str = BASE) -> Path | None:
    """The built file an absolute URL of the site is served from, or None if there is none."""
    if not url.startswith(base_url):
        return None
    target, reason = target_file(url, base_url, base_url, out)
    return target if target is not None and not reason and target.is_file() else None


# --- built sites ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive, built once under a base URL with a path."""
    out = tmp_path_factory.mktemp("sample") / "out"
    build_site(PROJECT, output=out, now=NOW, base_url=BASE, use_cache=False)
    return out


@cache
def parsed_feed(path: Path) -> Any:
    return feedparser.parse(path.read_bytes())


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def page_url(path: Path, out: Path, base_url: str = BASE) -> str:
    return url_of(quote(path.relative_to(out).as_posix()), base_url)


class Head(HTMLParser):
    """The <title>, meta tags, link tags and JSON-LD scripts of a page, entities decoded."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in values:
            key = values.get("property") or values.get("name")
            if key:
                self.meta.setdefault(key, []).append(values["content"])
        elif tag == "link":
            self.links.append(values)
        elif tag == "title":
            self._in = "title"
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in = "ld"
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "ld":
            self.json_ld[-1] += data

    def one(self, key: str) -> str | None:
        """The content of the meta tag KEY; None if absent; fails if there are several."""
        values = self.meta.get(key, [])
        assert len(values) <= 1, f"{len(values)} meta tags {key!r}"
        return values[0] if values else None

    def hrefs(self, rel: str, kind: str | None = None) -> list[str]:
        return [link.get("href", "") for link in self.links
                if rel in link.get("rel", "").split() and (kind is None or link.get("type") == kind)]


def head_of(path: Path) -> Head:
    return Head(path.read_text(encoding="utf-8"))


def json_ld_of(path: Path, kind: str = "NewsArticle") -> tuple[str, dict[str, Any]]:
    """The raw text and the parsed object of the page's one JSON-LD script of @type KIND (an article page
    also has its BreadcrumbList)."""
    scripts = [(raw, json.loads(raw)) for raw in head_of(path).json_ld]
    assert all(isinstance(data, dict) and "@type" in data for _, data in scripts), f"{path.name}: {scripts}"
    found = [(raw, data) for raw, data in scripts if data["@type"] == kind]
    assert len(found) == 1, f"{path.name}: {len(found)} JSON-LD scripts of type {kind}"
    return found[0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def xml_text(root: ET.Element, path: str) -> str:
    found = root.find(path)
    assert found is not None, f"no {path} in <{root.tag}>"
    return found.text or ""


# --- feeds of the sample: well-formed, Arabic, complete ----------------------------------------------

def test_every_list_has_both_feeds(sample: Path) -> None:
    """The whole site and every tag, section and author (taken from the sources) get an RSS and an Atom feed,
    no more (agencies have no page, so no feed)."""
    built = sorted(p.relative_to(sample).as_posix() for p in sample.rglob("*.xml")
                   if p.name in ("feed.xml", "atom.xml"))
    assert built == sorted(FEEDS)


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_is_wellformed_arabic_and_links_itself(sample: Path, feed: str) -> None:
    """A feed reader accepts it, sees language ar and finds the feed's own and its list page's URL."""
    parsed = parsed_feed(sample / feed)
    assert not parsed.bozo, f"{feed}: {parsed.get('bozo_exception')}"
    assert parsed.feed.get("language") == "ar"
    root = ET.parse(sample / feed).getroot()
    if feed.endswith("atom.xml"):
        assert root.tag == f"{ATOM}feed"
        assert root.get(XML_LANG) == "ar", "Atom feed needs xml:lang=\"ar\""
    else:
        assert root.tag == "rss" and root.get("version") == "2.0"
        assert xml_text(root, "channel/language") == "ar"
    links = {link.get("rel", "alternate"): link.get("href") for link in parsed.feed.get("links", [])}
    assert links.get("self") == BASE + quote(feed), f"self link {links.get('self')!r}"
    alternate = parsed.feed.get("link", "")
    assert alternate == BASE + quote(folder_of(feed)), alternate
    assert file_of(alternate, sample) is not None, f"{feed}: list page {alternate} is not in the build"


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_entries_are_the_lists_articles_newest_first(sample: Path, feed: str) -> None:
    """min(items, articles) entries, newest first, Arabic titles as written, links to built pages."""
    folder = folder_of(feed)
    expected = listed(folder)
    entries = parsed_feed(sample / feed).entries
    assert len(entries) == min(DEFAULT_ITEMS, len(expected))
    assert [site_path(e.link) for e in entries] == [s.url for s in expected]
    assert [e.title for e in entries] == [s.title for s in expected]
    for entry in entries:
        assert entry.link.startswith(BASE), f"entry link not absolute under {BASE}: {entry.link}"
        target = file_of(entry.link, sample)
        assert target is not None and target.name == "index.html", f"{entry.link} has no page in the build"
        assert entry.get("id") == entry.link, "entry id/guid should be the article's permanent URL"


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_dates_are_aware_and_right(sample: Path, feed: str) -> None:
    """Dates carry their zone and name the same instant as the source; the feed date is its newest change."""
    folder = folder_of(feed)
    expected = listed(folder)
    newest = max(s.changed for s in expected)
    for entry in parsed_feed(sample / feed).entries:
        assert entry.get("published_parsed"), f"{entry.link}: feedparser found no publication date"
    root = ET.parse(sample / feed).getroot()
    if feed.endswith("atom.xml"):
        updated = xml_text(root, f"{ATOM}updated")
        assert ISO_ZONE.search(updated) and datetime.fromisoformat(updated) == newest, updated
        for entry, source in zip(root.findall(f"{ATOM}entry"), expected, strict=True):
            published, changed = xml_text(entry, f"{ATOM}published"), xml_text(entry, f"{ATOM}updated")
            assert ISO_ZONE.search(published) and ISO_ZONE.search(changed), (published, changed)
            assert datetime.fromisoformat(published) == source.date, source.url
            assert datetime.fromisoformat(changed) == source.changed, source.url
    else:
        built = xml_text(root, "channel/lastBuildDate")
        assert RSS_ZONE.search(built) and parsedate_to_datetime(built) == newest, built
        for item, source in zip(root.findall("channel/item"), expected, strict=True):
            published = xml_text(item, "pubDate")
            assert RSS_ZONE.search(published), f"pubDate without a numeric zone: {published}"
            assert parsedate_to_datetime(published) == source.date, source.url


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_entries_have_author_and_arabic_categories(sample: Path, feed: str) -> None:
    """Each entry names its authors (Atom author elements, RSS dc:creator) and carries its tags as categories
    under their Arabic names."""
    folder = folder_of(feed)
    items = ET.parse(sample / feed).getroot().iter("item")
    rss_items = {site_path(item.findtext("link") or ""): item for item in items}
    for entry, source in zip(parsed_feed(sample / feed).entries, listed(folder), strict=True):
        if feed.endswith("atom.xml"):
            assert [a.get("name") for a in entry.get("authors", [])] == list(source.authors), source.url
        else:
            creators = [c.text for c in rss_items[source.url].findall(f"{DC}creator")]
            assert creators == list(source.authors), source.url
        tags = entry.get("tags", [])
        if feed.endswith("atom.xml"):
            assert [t.get("label") for t in tags] == source.tag_names, source.url
            assert [t.get("term") for t in tags] == source.slugs, source.url
        else:
            assert [t.get("term") for t in tags] == source.tag_names, source.url


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_entries_carry_summary_and_full_html(sample: Path, feed: str) -> None:
    """Full content is on by default: content:encoded / content type=html with the body; a summary too."""
    folder = folder_of(feed)
    expected = listed(folder)
    for entry, source in zip(parsed_feed(sample / feed).entries, expected, strict=True):
        contents = entry.get("content", [])
        assert len(contents) == 1 and contents[0].type == "text/html", f"{source.url}: {contents!r}"
        assert source.lead.replace("**", "") in " ".join(re.sub(r"<[^>]+>", " ", contents[0].value).split()), \
            f"{source.url}: first paragraph missing from the feed's content"
        for link in html_links(contents[0].value):
            assert urlsplit(link.value).scheme in ("http", "https"), f"{source.url}: relative link {link.value}"
        summary = entry.get("summary", "")
        if source.summary:
            assert summary == source.summary
        else:
            assert summary and source.lead.startswith(summary.removesuffix("…")), f"{source.url}: {summary!r}"
    root = ET.parse(sample / feed).getroot()
    if feed.endswith("atom.xml"):
        contents = [e.find(f"{ATOM}content") for e in root.findall(f"{ATOM}entry")]
        assert all(c is not None and c.get("type") == "html" for c in contents)
    else:
        assert all(item.find(CONTENT_ENCODED) is not None for item in root.findall("channel/item"))


def test_draft_is_in_no_feed_or_sitemap(sample: Path) -> None:
    """The sample's draft must not leak through any machine-read file."""
    assert DRAFTS, "the sample has no draft any more: this test checks nothing"
    files = [*sample.rglob("*.xml"), sample / "robots.txt"]
    for draft in DRAFTS:
        for path in files:
            text = unquote(path.read_text(encoding="utf-8"))
            assert draft.url not in text and draft.title not in text, f"draft {draft.url} in {path.name}"


# --- feed settings --------------------------------------------------------------------------------

def small_site(maker: SiteMaker, extra_config: str = "") -> None:
    """Four articles: three tagged libya (one with its own summary), one tagged russia."""
    maker.config(BASE_CONFIG + extra_config)
    maker.add("a/one.md", article("الأول", "2020-01-10 10:00", "فقرة أولى.\n\nفقرة ثانية خاصة بالأول.",
                                  tags="[libya]", author="كاتب"))
    maker.add("a/two.md", article("الثاني", "2020-01-11 10:00", "نص الثاني.\n\nبقية الثاني.", tags="[russia]"))
    maker.add("a/three.md", article("الثالث", "2020-01-12 10:00", "نص الثالث.\n\nبقية الثالث.",
                                    tags="[libya]", summary='"ملخص مكتوب للثالث"'))
    maker.add("a/four.md", article("الرابع", "2020-01-13 10:00", "نص الرابع.\n\nبقية الرابع.", tags="[libya]"))


def test_feeds_items_limits_every_feed(site: SiteMaker) -> None:
    """[feeds] items = 2: each feed keeps only its two newest articles (a one-article tag keeps one)."""
    small_site(site, "\n[feeds]\nitems = 2\n")
    site.build()
    expected = {"": ["الرابع", "الثالث"], "tags/libya/": ["الرابع", "الثالث"], "tags/russia/": ["الثاني"]}
    for folder, titles in expected.items():
        for name in ("feed.xml", "atom.xml"):
            parsed = feedparser.parse((site.out / folder / name).read_bytes())
            assert not parsed.bozo
            assert [e.title for e in parsed.entries] == titles, folder + name


def test_full_content_off_keeps_only_the_summary(site: SiteMaker) -> None:
    """[feeds] full_content = false: no content:encoded, no Atom <content>, the body's rest not shipped."""
    small_site(site, "\n[feeds]\nfull_content = false\n")
    site.build()
    for name in ("feed.xml", "atom.xml"):
        raw = (site.out / name).read_text(encoding="utf-8")
        root = ET.fromstring(raw)
        assert root.findall(f".//{CONTENT_ENCODED}") == [] and root.findall(f".//{ATOM}content") == [], name
        assert "بقية" not in raw and "فقرة ثانية" not in raw, f"{name} still carries article bodies"
        entries = feedparser.parse(raw.encode()).entries
        assert len(entries) == 4 and all("content" not in e for e in entries)
        assert {e.title: e.summary for e in entries} == {
            "الرابع": "نص الرابع.", "الثالث": "ملخص مكتوب للثالث", "الثاني": "نص الثاني.", "الأول": "فقرة أولى."}


def test_full_content_is_on_by_default(site: SiteMaker) -> None:
    """Without a [feeds] table, the whole article goes into the feeds (the counterpart of the test above)."""
    small_site(site)
    site.build()
    for name in ("feed.xml", "atom.xml"):
        entries = feedparser.parse((site.out / name).read_bytes()).entries
        first = next(e for e in entries if e.title == "الأول")
        assert "فقرة ثانية خاصة بالأول" in first.content[0].value, name


def test_feed_content_links_point_where_the_page_links_point(site: SiteMaker) -> None:
    """An image beside the article, under a base path: the feed's absolute URL reaches the copied file."""
    site.config(BASE_CONFIG.replace('base_url = "https://example.org/"', f'base_url = "{BASE}"'))
    site.add("2020/pic.md", article("صورة", body="نص الخبر.\n\n![غلاف](غلاف.jpg)\n\n[المصدر](https://example.com/x)"))
    site.add("2020/غلاف.jpg", photo(1200, 800))
    site.build()
    page = site.out / "2020" / "pic" / "index.html"
    on_page = [urljoin(page_url(page, site.out), link.value)
               for link in html_links(page.read_text(encoding="utf-8").split('class="article-body"')[1])
               if link.tag in ("img", "a")][:2]
    content = feedparser.parse((site.out / "feed.xml").read_bytes()).entries[0].content[0].value
    in_feed = [link.value for link in html_links(content)]
    assert in_feed == on_page
    image = file_of(in_feed[0], site.out)
    assert image is not None and image.read_bytes().startswith(b"\xff\xd8"), "the feed's photo is a JPEG variant"
    assert 'width="960"' in content and 'height="640"' in content, "the feed's photo has its size"


def test_article_opening_with_a_photo_keeps_summary_and_full_content(site: SiteMaker) -> None:
    """News often opens with a photo: the page and the feeds must still carry a summary, and the
    RSS item its full HTML in content:encoded."""
    site.add("2020/photo-first.md", article("صورة أولاً", body="![غلاف](غلاف.jpg)\n\nنص الخبر بعد الصورة."))
    site.add("2020/غلاف.jpg", photo())
    site.build()
    problems = []
    description = head_of(site.out / "2020" / "photo-first" / "index.html").one("description")
    if "نص الخبر بعد الصورة" not in (description or ""):
        problems.append(f"page meta description {description!r}")
    item = ET.parse(site.out / "feed.xml").getroot().find("channel/item")
    if item is None or item.find(CONTENT_ENCODED) is None:
        problems.append("RSS item has no content:encoded")
    for name in ("feed.xml", "atom.xml"):
        entry = feedparser.parse((site.out / name).read_bytes()).entries[0]
        if "نص الخبر بعد الصورة" not in entry.get("summary", ""):
            problems.append(f"{name}: summary {entry.get('summary')!r}")
        if "<img" not in "".join(c.value for c in entry.get("content", [])):
            problems.append(f"{name}: no full content")
    assert not problems, "\n".join(problems)


def test_feed_keeps_protocol_relative_links_on_their_host(site: SiteMaker) -> None:
    """A link written //cdn.example.net/x.png means another host; the feed must not graft it onto ours."""
    site.add("2020/cdn.md", article("صورة من شبكة توزيع", body="نص الخبر.\n\n![صورة](//cdn.example.net/x.png)"))
    site.build()
    content = feedparser.parse((site.out / "feed.xml").read_bytes()).entries[0].content[0].value
    sources = [link.value for link in html_links(content) if link.tag == "img"]
    assert [urljoin("https://example.org/feed.xml", src) for src in sources] == ["https://cdn.example.net/x.png"], \
        sources


# --- deterministic ------------------------------------------------------------------------------------

def test_feeds_and_sitemaps_do_not_depend_on_build_time(sample: Path, tmp_path: Path) -> None:
    """Built again hours later, every feed, sitemap and robots.txt is byte-identical."""
    out = tmp_path / "again"
    build_site(PROJECT, output=out, now=NOW + timedelta(hours=7), base_url=BASE, use_cache=False)
    names = sorted(p.relative_to(sample).as_posix() for p in [*sample.rglob("*.xml"), sample / "robots.txt"])
    assert names == sorted(p.relative_to(out).as_posix() for p in [*out.rglob("*.xml"), out / "robots.txt"])
    changed = [name for name in names if (sample / name).read_bytes() != (out / name).read_bytes()]
    assert not changed, f"differ between builds: {changed}"


# --- feed links in <head> --------------------------------------------------------------------------

def test_every_page_links_the_site_feeds(sample: Path) -> None:
    """Each page's <head> has RSS and Atom alternate links leading to the site's feed files."""
    problems = []
    for path in html_pages(sample):
        head, url = head_of(path), page_url(path, sample)
        for kind, name in (("application/rss+xml", "feed.xml"), ("application/atom+xml", "atom.xml")):
            targets = [target_file(href, url, BASE, sample)[0] for href in head.hrefs("alternate", kind)]
            if sample / name not in targets:
                problems.append(f"{path.relative_to(sample)}: no {kind} link to {name} ({targets})")
    assert not problems, "\n".join(problems)


def test_tag_pages_also_link_their_own_feeds(sample: Path) -> None:
    """Every page of a tag (page 2 too) links that tag's RSS and Atom feeds, which exist."""
    pages = [p for p in html_pages(sample) if re.fullmatch(r"tags/[^/]+/(page/\d+/)?index\.html",
                                                            p.relative_to(sample).as_posix())]
    assert any("/page/" in p.as_posix() for p in pages), "no paginated tag page in the sample"
    for path in pages:
        folder = sample / path.relative_to(sample).parts[0] / path.relative_to(sample).parts[1]
        head, url = head_of(path), page_url(path, sample)
        for kind, name in (("application/rss+xml", "feed.xml"), ("application/atom+xml", "atom.xml")):
            targets = [target_file(href, url, BASE, sample)[0] for href in head.hrefs("alternate", kind)]
            assert folder / name in targets and (folder / name).is_file(), f"{path}: {kind} {targets}"


# --- sitemap and robots ------------------------------------------------------------------------------

def sitemap_entries(data: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(data)
    assert root.tag == f"{SM}urlset", root.tag
    return [(xml_text(url, f"{SM}loc"), xml_text(url, f"{SM}lastmod")) for url in root.findall(f"{SM}url")]


def test_sitemap_lists_every_public_page_once(sample: Path) -> None:
    """Every <loc> is an absolute URL of a built file; every HTML page but 404.html is there, once."""
    entries = sitemap_entries((sample / "sitemap.xml").read_bytes())
    locs = [loc for loc, _ in entries]
    assert [loc for loc, n in Counter(locs).items() if n > 1] == []
    files = []
    for loc in locs:
        assert loc.startswith(BASE), f"not under {BASE}: {loc}"
        target = file_of(loc, sample)
        assert target is not None, f"{loc} maps to no file in the build"
        files.append(target)
    pages = [p for p in html_pages(sample) if p != sample / "404.html"]
    assert sorted(files) == pages
    assert sample / "404.html" not in files


def test_sitemap_lastmod_is_iso_with_zone_and_right_for_articles(sample: Path) -> None:
    """lastmod is W3C date-time with a zone; an article's is its update (or publication) date."""
    lastmods = dict(sitemap_entries((sample / "sitemap.xml").read_bytes()))
    for loc, lastmod in lastmods.items():
        assert ISO_ZONE.search(lastmod) and datetime.fromisoformat(lastmod).tzinfo is not None, f"{loc}: {lastmod}"
    by_path = {site_path(loc): datetime.fromisoformat(lastmod) for loc, lastmod in lastmods.items()}
    for source in PUBLISHED:
        assert by_path[source.url] == source.changed, source.url


def test_robots_txt_points_to_the_sitemap(sample: Path) -> None:
    """Crawlers find the sitemap through robots.txt, by its absolute URL."""
    lines = (sample / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert "Disallow: /" not in lines


@pytest.fixture(scope="module")
def split_sitemaps() -> tuple[dict[str, bytes], list[str]]:
    """sitemap_files on the assembled sample with at most 5 URLs a file, and the unsplit URL list."""
    config = load_config(PROJECT, BASE)
    articles, problems = load_articles(config)
    assert not problems
    site = assemble(config, articles, NOW)
    pages = routes(site)
    unsplit = dict(sitemap_files(site, pages))
    return dict(sitemap_files(site, pages, max_urls=5)), [loc for loc, _ in sitemap_entries(unsplit["sitemap.xml"])]


def index_children(files: dict[str, bytes]) -> list[str]:
    root = ET.fromstring(files["sitemap.xml"])
    assert root.tag == f"{SM}sitemapindex", "past max_urls, sitemap.xml must be a sitemap index"
    children = root.findall(f"{SM}sitemap")
    for child in children:
        assert ISO_ZONE.search(xml_text(child, f"{SM}lastmod")), "index entries need a lastmod with zone"
    return [xml_text(child, f"{SM}loc") for child in children]


def test_large_sitemap_splits_into_an_index(split_sitemaps: tuple[dict[str, bytes], list[str]]) -> None:
    """With max_urls=5: an index whose files exist, hold at most 5 URLs and list every URL exactly once."""
    files, all_locs = split_sitemaps
    assert len(all_locs) > 5, "the sample is too small to be split"
    children = index_children(files)
    assert len(children) == math.ceil(len(all_locs) / 5)
    listed_locs: list[str] = []
    for child in children:
        assert child.startswith(BASE), child
        assert site_path(child) in files, f"index points to {child}, which is not written"
        locs = [loc for loc, _ in sitemap_entries(files[site_path(child)])]
        assert 1 <= len(locs) <= 5, f"{child}: {len(locs)} URLs"
        listed_locs += locs
    assert sorted(listed_locs) == sorted(all_locs)
    assert len(listed_locs) == len(set(listed_locs))


def test_split_sitemaps_may_list_what_they_list(split_sitemaps: tuple[dict[str, bytes], list[str]]) -> None:
    """sitemaps.org: a sitemap may only list URLs at or below its own folder, so files of a split
    index must sit at the site's top (e.g. sitemap-1.xml), not in a subfolder such as sitemaps/."""
    files, _ = split_sitemaps
    outside = []
    for child in index_children(files):
        folder = child.rpartition("/")[0] + "/"
        outside += [f"{child}: {loc}" for loc, _ in sitemap_entries(files[site_path(child)])
                    if not loc.startswith(folder)]
    assert not outside, f"{len(outside)} URLs outside their sitemap's folder, e.g.:\n" + "\n".join(outside[:5])


def test_news_sitemap_lists_the_last_two_days_before_the_newest(make_site: Callable[[str], SiteMaker]) -> None:
    """Only articles within 2 days before the newest published one, compared as instants, each with
    publication name and language ar, an aware publication date and the title."""
    maker = make_site("news")
    maker.config(BASE_CONFIG.replace("[tags]", 'publisher = "دار <الأخبار> & الرأي"\n\n[tags]'))
    dates = {
        "newest": ("2026-11-20 12:00", True),          # 10:00 UTC
        "yesterday": ("2026-11-19 08:00", True),
        "utc-inside": ("2026-11-18 11:00 +00:00", True),  # 1 h inside the window
        "cairo-outside": ("2026-11-18 11:00", False),   # 09:00 UTC: 1 h outside
        "old": ("2026-11-01 09:00", False),
        "draft": ("2026-11-20 08:00", False),
        "future": ("2026-12-10 09:00", False),          # after NOW: not published, not the newest
    }
    for slug, (date, _) in dates.items():
        extra = {"draft": "true"} if slug == "draft" else {}
        maker.add(f"news/{slug}.md", article(f"خبر {slug}", date, **extra))
    maker.build()
    root = ET.parse(maker.out / "news-sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    found = {}
    for url in root.findall(f"{SM}url"):
        news = url.find(f"{NEWS}news")
        assert news is not None
        assert xml_text(news, f"{NEWS}publication/{NEWS}name") == "دار <الأخبار> & الرأي"
        assert xml_text(news, f"{NEWS}publication/{NEWS}language") == "ar"
        published = xml_text(news, f"{NEWS}publication_date")
        assert ISO_ZONE.search(published), published
        found[site_path(xml_text(url, f"{SM}loc"), "https://example.org/")] = (
            xml_text(news, f"{NEWS}title"), datetime.fromisoformat(published))
    expected = {f"2026/{slug}/": (f"خبر {slug}", source_date(date.replace(" +", "+")))
                for slug, (date, inside) in dates.items() if inside}
    assert found == expected


# --- page metadata -----------------------------------------------------------------------------------

def test_every_page_has_title_description_canonical_og_and_twitter(sample: Path) -> None:
    """Title, description, canonical = own absolute URL = og:url, og:locale ar_AR, og:type, twitter:card.

    404.html is the exception for the canonical: the host serves it at any missing URL, so it is
    marked noindex instead.
    """
    articles = {sample / s.url / "index.html": s for s in PUBLISHED}
    problems = []
    for path in html_pages(sample):
        name, head, url = path.relative_to(sample).as_posix(), head_of(path), page_url(path, sample)
        canonical = head.hrefs("canonical")
        description = head.one("description")
        checks = {
            "title": bool(head.title.strip()),
            "meta description": bool(description and description.strip()),
        }
        if name == "404.html":  # served at any missing URL: not to be indexed, no canonical of its own
            checks["404 is noindex"] = "noindex" in (head.one("robots") or "")
            checks["404 has no canonical"] = not canonical and head.one("og:url") is None
        else:
            checks["one canonical"] = len(canonical) == 1
            checks["canonical is the page's absolute URL"] = (
                bool(canonical) and canonical[0].startswith(BASE)
                and unquote(canonical[0]) == unquote(url) and file_of(canonical[0], sample) == path)
            checks["og:url = canonical"] = head.one("og:url") == (canonical or [None])[0]
        checks |= {
            "og:locale ar_AR": head.one("og:locale") == "ar_AR",
            "og:type": head.one("og:type") == ("article" if path in articles else "website"),
            "og:title = title": head.one("og:title") == head.title,
            "og:description = description": head.one("og:description") == description,
        }
        shows_photo = path in articles and articles[path].photo
        checks |= {
            "twitter:card": head.one("twitter:card") == ("summary_large_image" if shows_photo else "summary"),
            "og:image only with a photo": (head.one("og:image") is not None) == shows_photo,
        }
        if path in articles:
            checks["title starts with the article's"] = head.title.startswith(articles[path].title)
        problems += [f"{name}: {check}" for check, ok in checks.items() if not ok]
    assert not problems, "\n".join(problems)


def test_article_image_gives_og_image_and_large_card(site: SiteMaker) -> None:
    """image: beside the article gives og:image/twitter:image = the absolute URL of its 1,200 px copy
    (or the photo's own width when narrower), a large card and JSON-LD images; an article without one
    gets none of these."""
    site.config(BASE_CONFIG.replace('base_url = "https://example.org/"', f'base_url = "{BASE}"'))
    site.add("2020/photo.md", article("بصورة", image="photo.jpg"))
    site.add("2020/photo.jpg", photo(1600, 900))
    site.add("2020/nested.md", article("بصورة عربية", "2020-01-14 12:00", image="صور/غلاف عربي.jpg"))
    site.add("2020/صور/غلاف عربي.jpg", photo(640, 480, "PNG"))
    site.add("2020/plain.md", article("بلا صورة", "2020-01-15 12:00"))
    site.build()
    for slug, magic, width in (("photo", b"\xff\xd8", 1200), ("nested", b"\x89PNG", 640)):
        page = site.out / "2020" / slug / "index.html"
        head = head_of(page)
        image = head.one("og:image")
        assert image and image.startswith(BASE), f"{slug}: og:image {image!r}"
        target = file_of(image, site.out)
        assert target is not None and target.read_bytes().startswith(magic), f"{slug}: {image} is not a variant"
        assert head.one("og:image:width") == str(width)
        assert head.one("twitter:card") == "summary_large_image"
        assert head.one("twitter:image") == image
        crops = as_list(json_ld_of(page)[1].get("image"))
        assert len(crops) == 3 and all(file_of(url, site.out) for url in crops), crops
    plain = site.out / "2020" / "plain" / "index.html"
    head = head_of(plain)
    assert head.one("og:image") is None and head.one("twitter:card") == "summary"
    assert "image" not in json_ld_of(plain)[1]


# --- JSON-LD ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", PUBLISHED, ids=[s.url for s in PUBLISHED])
def test_article_json_ld_is_a_complete_news_article(sample: Path, source: Source) -> None:
    """NewsArticle with headline, aware dates, author, publisher + logo file, ar, keywords, mainEntityOfPage."""
    page = sample / source.url / "index.html"
    raw, data = json_ld_of(page)
    assert "<" not in raw
    assert data.get("@context") in ("https://schema.org", "http://schema.org", "https://schema.org/")
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == source.title
    for key, expected in (("datePublished", source.date), ("dateModified", source.changed)):
        assert ISO_ZONE.search(data[key]), f"{key} {data[key]!r} has no zone"
        assert datetime.fromisoformat(data[key]) == expected, key
    assert [a.get("name") for a in as_list(data["author"])] == list(source.authors)
    publisher = data["publisher"]
    assert publisher.get("@type") == "Organization" and publisher.get("name") == PUBLISHER
    logo = publisher.get("logo", {})
    assert logo.get("@type") == "ImageObject"
    logo_file = file_of(logo.get("url", ""), sample)
    assert logo_file is not None and logo_file.read_bytes().startswith(b"\x89PNG"), logo
    assert data["inLanguage"] == "ar"
    keywords = data.get("keywords", [])
    keywords = [k.strip() for k in keywords.split(",")] if isinstance(keywords, str) else keywords
    assert keywords == source.tag_names
    canonical = head_of(page).hrefs("canonical")
    main = data["mainEntityOfPage"]
    assert (main.get("@id") if isinstance(main, dict) else main) == canonical[0]
    if source.photo:
        images = as_list(data.get("image"))
        assert len(images) == 3 and all(file_of(url, sample) for url in images), images
    else:
        assert "image" not in data


def test_updated_article_has_its_own_date_modified(sample: Path) -> None:
    """At least one sample article sets updated:, and its dateModified differs from datePublished."""
    updated = [s for s in PUBLISHED if s.updated]
    assert updated, "no sample article has updated: any more"
    for source in updated:
        data = json_ld_of(sample / source.url / "index.html")[1]
        assert data["dateModified"] != data["datePublished"]
        assert datetime.fromisoformat(data["dateModified"]) == source.updated


def test_only_article_pages_carry_news_article(sample: Path) -> None:
    """List pages are not news articles: no NewsArticle JSON-LD outside article pages."""
    articles = {sample / s.url / "index.html" for s in PUBLISHED}
    stray = [p.relative_to(sample).as_posix() for p in html_pages(sample)
             if p not in articles and "NewsArticle" in "".join(head_of(p).json_ld)]
    assert not stray


# --- escaping ------------------------------------------------------------------------------------------

TRICKY_TITLE = 'عنوان <b>مهم</b> & "اقتباس" \'x\''
TRICKY_SUMMARY = 'ملخص <i>مائل</i> & "q" \'y\' </script>'
TRICKY_TAG = 'وسم <u> & "t" \'z\''
TRICKY_AUTHOR = "كاتب & <شريك>"


def yaml_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture
def tricky(site: SiteMaker) -> SiteMaker:
    """A site under a base path whose one article has <, &, " and ' in title, summary, tag and author."""
    site.config(BASE_CONFIG.replace('base_url = "https://example.org/"', f'base_url = "{BASE}"'))
    site.add("2020/tricky.md", "---\n"
             f"title: {yaml_single(TRICKY_TITLE)}\n"
             "date: 2020-01-13 12:00\n"
             f"summary: {yaml_single(TRICKY_SUMMARY)}\n"
             f"tags: [{yaml_single(TRICKY_TAG)}]\n"
             f"author: {yaml_single(TRICKY_AUTHOR)}\n"
             "---\n\nفقرة أولى.\n")
    site.build()
    return site


def test_tricky_text_is_escaped_in_html(tricky: SiteMaker) -> None:
    """No markup from the title, summary or tag reaches any page; the head gives the exact text back."""
    for path in html_pages(tricky.out):
        html = path.read_text(encoding="utf-8")
        for raw in ("<b>", "<i>", "<u>"):
            assert raw not in html, f"{path.relative_to(tricky.out)}: raw {raw} in the page"
        assert html.count("</script") == html.count("<script"), f"{path.relative_to(tricky.out)}: stray </script"
    head = head_of(tricky.out / "2020" / "tricky" / "index.html")
    assert head.title.startswith(TRICKY_TITLE)
    assert head.one("og:title") == head.one("twitter:title") == head.title
    assert head.one("description") == head.one("og:description") == TRICKY_SUMMARY
    assert head.meta.get("article:tag") == [TRICKY_TAG]
    tag_pages = [p for p in html_pages(tricky.out) if re.fullmatch(r"tags/[^/]+/index\.html",
                                                                   p.relative_to(tricky.out).as_posix())]
    assert len(tag_pages) == 1 and head_of(tag_pages[0]).title.startswith(TRICKY_TAG)


def test_tricky_text_survives_json_ld(tricky: SiteMaker) -> None:
    """The JSON-LD text has no "<" (so no "</script"), and parses back to the exact strings."""
    raw, data = json_ld_of(tricky.out / "2020" / "tricky" / "index.html")
    assert "<" not in raw and "</script" not in raw.lower()
    assert data["headline"] == TRICKY_TITLE
    assert data.get("description") == TRICKY_SUMMARY
    assert data["keywords"] == [TRICKY_TAG]
    assert [a["name"] for a in as_list(data["author"])] == [TRICKY_AUTHOR]


def test_tricky_text_survives_feeds(tricky: SiteMaker) -> None:
    """Every feed is valid XML and gives title, summary, tag and author back exactly: Atom through
    feedparser (its text constructs are typed), RSS as the XML text of its elements."""
    feeds = sorted(p for p in tricky.out.rglob("*.xml") if p.name in ("feed.xml", "atom.xml"))
    assert len(feeds) == 6  # the site's, the tag's and the author's
    for path in feeds:
        root = ET.parse(path).getroot()
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        entry = parsed.entries[0]
        assert entry.title == TRICKY_TITLE and entry.author == TRICKY_AUTHOR, path
        if path.name == "atom.xml":
            assert entry.summary == TRICKY_SUMMARY
            assert [t.get("label") for t in entry.tags] == [TRICKY_TAG], path
        else:
            item = root.find("channel/item")
            assert item is not None
            assert xml_text(item, "title") == TRICKY_TITLE
            assert [c.text for c in item.findall("category")] == [TRICKY_TAG]
        if "tags" in path.parts:
            assert parsed.feed.title.startswith(TRICKY_TAG), path
        if "authors" in path.parts:
            assert parsed.feed.title.startswith(TRICKY_AUTHOR), path


def test_rss_description_shows_the_summary_as_text(tricky: SiteMaker) -> None:
    """RSS <description> is HTML by convention, and readers render it: a plain-text summary put there
    needs HTML escaping on top of XML escaping, or "<i>" turns italic and "</script>" is stripped.
    Read by feedparser, what a reader renders must be the summary as written."""
    entry = feedparser.parse((tricky.out / "feed.xml").read_bytes()).entries[0]
    assert entry.summary_detail.type == "text/html"
    assert html.unescape(re.sub(r"<[^>]+>", "", entry.summary)) == TRICKY_SUMMARY, entry.summary


def test_tricky_text_survives_sitemaps(tricky: SiteMaker) -> None:
    """sitemap.xml and news-sitemap.xml stay valid XML; the news title is the exact title."""
    locs = [loc for loc, _ in sitemap_entries((tricky.out / "sitemap.xml").read_bytes())]
    assert all(file_of(loc, tricky.out) is not None for loc in locs)
    root = ET.parse(tricky.out / "news-sitemap.xml").getroot()
    assert [t.text for t in root.iter(f"{NEWS}title")] == [TRICKY_TITLE]

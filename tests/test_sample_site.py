"""End to end: build the repository's own sample archive and check what a reader gets.

The sample (content/, templates/, theme/, site.toml) is built once per base URL into a temporary
folder. Expectations about which articles exist, their years, months and tags are read from the
sources here (plain YAML, not the engine), so the tests check the engine against its input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml

from arshif.build import build_site
from tests.htmlcheck import css_links, html_links, link_problem, site_links
from tests.sitekit import NOW, PROJECT

ARCHIVE_BASE = "https://example.org/archive/"
ROOT_BASE = "https://example.org/"
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

SEED = "2020/liqaa-haftar-wal-sarraj-fi-rusia/"
DRAFT_SOURCE = "2026/dawri-al-sahil-al-mawsim-al-jadid.md"
DRAFT = "2026/dawri-al-sahil-al-mawsim-al-jadid/"
ARABIC_NAMED = "2024/مهرجان-القاهرة-السينمائي/"
BIDI_SAMPLE = "2024/numadhij-al-dhakaa-ala-al-hawatif/"
ARTICLE_PATH = re.compile(r"\d{4}/[^/]+/")
TO_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# --- what the sources say (read without the engine) ---------------------------------------------

@dataclass(frozen=True)
class Source:
    """One article as its file says it."""

    file: str
    url: str
    title: str
    year: int
    month: int
    tags: tuple[str, ...]
    draft: bool


def read_sources() -> list[Source]:
    configured = tomllib.loads((PROJECT / "site.toml").read_text(encoding="utf-8"))["tags"]
    slug_of_name = {name: slug for slug, name in configured.items()}
    sources = []
    for path in sorted((PROJECT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
        year, month = (int(part) for part in str(meta["date"])[:7].split("-"))
        tags = tuple(t if t in configured else slug_of_name.get(t, "-".join(t.split())) for t in meta["tags"])
        sources.append(Source(path.relative_to(PROJECT / "content").as_posix(),
                              f"{year}/{meta.get('slug') or path.stem}/", meta["title"], year, month, tags,
                              meta.get("draft", False)))
    return sources


SOURCES = read_sources()
PUBLISHED = [s for s in SOURCES if not s.draft]


def articles_count(n: int) -> str:
    """How the UI must count N articles in Arabic (CLDR plural categories for ar)."""
    number = str(n).translate(TO_ARABIC_DIGITS)
    if n == 1:
        return "مقال واحد"
    if n == 2:
        return "مقالان"
    if 3 <= n % 100 <= 10:
        return f"{number} مقالات"
    if 11 <= n % 100 <= 99:
        return f"{number} مقالًا"
    return f"{number} مقال"


# --- built sites ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    """A build of the sample: its output folder and the base URL it was built for."""

    out: Path
    base_url: str

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path

    def file(self, url_path: str) -> Path:
        return self.out / (url_path + "index.html" if url_path == "" or url_path.endswith("/") else url_path)

    def page(self, url_path: str) -> str:
        """The HTML a reader gets at URL_PATH below the base path (e.g. "2020/slug/")."""
        return self.file(url_path).read_text(encoding="utf-8")

    def href(self, url_path: str) -> str:
        """How a page of this build must link to URL_PATH: under the base path, percent-encoded."""
        return self.base_path + quote(url_path)

    def site_paths(self, html: str) -> list[str]:
        """The site-relative, decoded targets of the <a> links in HTML that stay inside the site."""
        paths = []
        for link in html_links(html):
            path = unquote(urlsplit(link.value).path)
            if link.tag == "a" and path.startswith(self.base_path):
                paths.append(path.removeprefix(self.base_path))
        return paths

    def article_links(self, html: str) -> list[str]:
        """The articles a page links to, in page order, each once."""
        return list(dict.fromkeys(p for p in self.site_paths(html) if ARTICLE_PATH.fullmatch(p)))

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))


def build_sample(folder: Path, base_url: str, **options: bool) -> Built:
    build_site(PROJECT, output=folder / "out", now=NOW, base_url=base_url, use_cache=False, **options)
    return Built(folder / "out", base_url)


@pytest.fixture(scope="module")
def archive_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_sample(tmp_path_factory.mktemp("archive"), ARCHIVE_BASE)


@pytest.fixture(scope="module")
def root_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_sample(tmp_path_factory.mktemp("root"), ROOT_BASE)


@pytest.fixture(scope="module")
def draft_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_sample(tmp_path_factory.mktemp("drafts"), ARCHIVE_BASE, drafts=True)


@pytest.fixture(scope="module", params=["archive_site", "root_site"])
def any_site(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def main_of(html: str) -> str:
    found = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert found, "page has no <main>"
    return found.group(0)


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def start_tags(html: str, name: str) -> list[dict[str, str | None]]:
    parser = _StartTags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


# --- links and assets resolve -------------------------------------------------------------------

def test_every_internal_link_and_css_url_resolves(any_site: Built) -> None:
    """A reader following any link, style sheet, image or font URL must never get a 404."""
    links = site_links(any_site.out, any_site.base_url)
    assert any(source.endswith(".css") for source, _, _ in links), "no url(...) found in the built CSS"
    with_links = {source for source, _, _ in links}
    assert {p.relative_to(any_site.out).as_posix() for p in any_site.html_files()} <= with_links, \
        "some pages have no links at all: is the link collector still reading them?"
    problems = [f"{source}: <{link.tag} {link.attribute}={link.value!r}>: {problem}"
                for source, page_url, link in links
                if (problem := link_problem(link.value, page_url, any_site.base_url, any_site.out))]
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_no_root_relative_link_leaves_the_base_path(archive_site: Built) -> None:
    """Hosted under /archive/, a link starting "/" but not "/archive/" leads out of the site."""
    escaping = [f"{source}: {link.value}" for source, _, link in site_links(archive_site.out, ARCHIVE_BASE)
                if link.value.startswith("/") and not link.value.startswith("/archive/")]
    assert not escaping, "links outside /archive/:\n" + "\n".join(escaping)


def test_404_page_links_work_from_any_path(archive_site: Built) -> None:
    """The host serves 404.html at whatever URL was missing, so its links and assets must not be relative."""
    html = archive_site.page("404.html")
    assert 'lang="ar"' in html
    relative = [link.value for link in html_links(html)
                if not link.value.startswith(("/", "#", "http://", "https://"))]
    assert not relative, f"relative links in 404.html: {relative}"
    assert archive_site.href("") in {link.value for link in html_links(html)}, "404 page has no way home"


# --- valid HTML ------------------------------------------------------------------------------------

CANARY = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>فحص</title></head>
<body><main canary-attribute="1"></main></body></html>
"""


def test_every_page_is_valid_html(archive_site: Built, draft_site: Built, tmp_path: Path) -> None:
    """The W3C Nu checker finds no error in any page (drafts included), in one run over the output.

    A deliberately invalid page in a folder with an Arabic name is checked in the same run: if the
    checker ever stopped reading such paths, this test would notice instead of passing silently.
    """
    java = shutil.which("java")
    if java is None:
        pytest.fail("java not found: the W3C Nu HTML checker needs a Java runtime "
                    "(Debian/Ubuntu: apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR.relative_to(PROJECT)} not found: run `make test` (it runs `npm ci`), "
                    "or `npm ci` in the project folder")
    canary = tmp_path / "فحص" / "index.html"
    canary.parent.mkdir()
    canary.write_text(CANARY, encoding="utf-8")
    command = [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json",
               str(archive_site.out), str(draft_site.out), str(canary)]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False)
    report = done.stderr if "{" in done.stderr else done.stdout
    try:
        messages = json.JSONDecoder().raw_decode(report[report.index("{"):])[0]["messages"]
    except (ValueError, KeyError) as error:
        pytest.fail(f"no JSON report from vnu ({error}), exit {done.returncode}:\n{done.stdout}\n{done.stderr}")
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    canary_url = canary.as_uri()
    assert any(unquote(m.get("url", "")).endswith("فحص/index.html") for m in errors), \
        f"vnu did not report the canary error in {canary_url}; did it check anything? {messages}"
    site_errors = [m for m in errors if not unquote(m.get("url", "")).endswith("فحص/index.html")]
    assert not site_errors, "HTML errors:\n" + "\n".join(
        f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')!r}]" for m in site_errors)


# --- deterministic ----------------------------------------------------------------------------------

BUILD_IN_SUBPROCESS = """\
import sys
from pathlib import Path
from arshif.build import build_site
from tests.sitekit import NOW
build_site(Path(sys.argv[1]), output=Path(sys.argv[2]), now=NOW, base_url=sys.argv[3])
"""
SAMPLE_SOURCES = ("content", "templates", "theme", "site.toml")


def copy_sample(target: Path) -> Path:
    """A snapshot of the sample's sources, so edits made while the tests run cannot differ between builds."""
    target.mkdir()
    for name in SAMPLE_SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copyfile(source, target / name)
    return target


def all_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Same sources, same bytes. The second build runs from a copy in another folder, in another
    process with another hash seed, into another output folder: set order or folder names cannot leak."""
    first_root = copy_sample(tmp_path / "first")
    second_root = tmp_path / "second-copy"
    shutil.copytree(first_root, second_root)
    build_site(first_root, output=tmp_path / "out-a", now=NOW, base_url=ARCHIVE_BASE)
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-c", BUILD_IN_SUBPROCESS, str(second_root), str(tmp_path / "out-b"),
                           ARCHIVE_BASE], cwd=PROJECT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONHASHSEED": seed})
    assert done.returncode == 0, done.stderr
    first, second = all_files(tmp_path / "out-a"), all_files(tmp_path / "out-b")
    assert len(first) > 50
    assert sorted(first) == sorted(second)
    differing = [path for path in first if first[path] != second[path]]
    assert not differing, f"files differ between two builds: {differing}"


# --- what a reader sees -----------------------------------------------------------------------------

def test_every_page_is_arabic_right_to_left(archive_site: Built) -> None:
    """Browsers, screen readers and search engines learn the language and direction from <html>."""
    wrong = []
    for path in archive_site.html_files():
        roots = start_tags(path.read_text(encoding="utf-8"), "html")
        if not roots or roots[0].get("lang") != "ar" or roots[0].get("dir") != "rtl":
            wrong.append(f"{path.relative_to(archive_site.out)}: {roots[:1]}")
    assert len(archive_site.html_files()) > 50
    assert not wrong, "pages without <html lang=ar dir=rtl>:\n" + "\n".join(wrong)


def test_seed_article_shows_title_author_dates_and_tags(archive_site: Built) -> None:
    """The first article of the archive as a reader sees it: headline, byline, both dates, tags."""
    source = next(s for s in SOURCES if s.url == SEED)
    html = archive_site.page(SEED)
    main = main_of(html)
    header = re.search(r"<header\b.*?</header>", main, re.DOTALL)
    assert header, "the article has no <header>"
    header_text = visible_text(header.group(0))
    assert visible_text(re.search(r"<h1\b.*?</h1>", main, re.DOTALL).group(0)) == source.title
    assert re.search(r"<title>" + re.escape(source.title), html)
    assert "وكالات" in header_text
    assert re.search(r'<time datetime="2020-01-13[^"]*">١٣ يناير ٢٠٢٠</time>', header.group(0))
    assert "جمادى الأولى" in header_text
    assert "١٨ جمادى الأولى ١٤٤١" in header_text
    hrefs = {link.value for link in html_links(main)}
    for tag in ("libya", "russia", "turkey"):
        assert archive_site.href(f"tags/{tag}/") in hrefs, f"no link to tag {tag}"


def test_seed_article_has_no_scraped_leftovers(archive_site: Built) -> None:
    """Share buttons and "read also" boxes from the original site must not survive into the archive."""
    html = archive_site.page(SEED)
    assert "WhatsApp" not in html
    assert "إقرأ أيضاً" not in html
    assert "اقرأ أيضاً" not in html


def test_draft_is_not_published_anywhere(archive_site: Built) -> None:
    """A draft: true article has no page, and no list (home, tags, archives) mentions it."""
    draft = next(s for s in SOURCES if s.file == DRAFT_SOURCE)
    assert draft.draft, "the sample's draft article is no longer marked draft: true"
    assert not archive_site.file(DRAFT).exists()
    assert not (archive_site.out / DRAFT).exists()
    slug = DRAFT.split("/")[1]
    mentions = [p.relative_to(archive_site.out).as_posix() for p in archive_site.html_files()
                if slug in p.read_text(encoding="utf-8") or draft.title in p.read_text(encoding="utf-8")]
    assert not mentions, f"the draft is mentioned in {mentions}"
    for listing in ("", "page/2/", "tags/libya/", "tags/libya/page/2/", "tags/sports/"):
        if archive_site.file(listing).exists():
            assert DRAFT not in archive_site.article_links(archive_site.page(listing)), listing


def test_drafts_build_shows_the_draft_marked(draft_site: Built) -> None:
    """With drafts=True the editor previews the draft: its page, its place on the home and libya pages, marked."""
    page = draft_site.page(DRAFT)
    assert "مسودة" in visible_text(main_of(page))
    home = draft_site.page("")
    assert DRAFT in draft_site.article_links(home)
    entry = re.search(re.escape(draft_site.href(DRAFT)) + r".*?</li>", home, re.DOTALL)
    assert entry and "مسودة" in visible_text(entry.group(0)), "the draft is not marked on the home page"
    assert DRAFT in draft_site.article_links(draft_site.page("tags/libya/"))


def test_arabic_file_name_gives_arabic_path_linked_percent_encoded(archive_site: Built) -> None:
    """An article named in Arabic lives at an Arabic path, and links to it are percent-encoded."""
    assert (archive_site.out / "2024" / "مهرجان-القاهرة-السينمائي" / "index.html").is_file()
    encoded = archive_site.href(ARABIC_NAMED)
    assert "%D9%85" in encoded
    for listing in ("tags/egypt/", "archive/2024/", "archive/2024/11/"):
        hrefs = [link.value for link in html_links(archive_site.page(listing))]
        assert encoded in hrefs, f"{listing} does not link to {encoded}"
    raw = [(p.relative_to(archive_site.out).as_posix(), link.value)
           for p in archive_site.html_files() for link in html_links(p.read_text(encoding="utf-8"))
           if re.search("[\u0600-\u06ff]", link.value)]
    assert not raw, f"links with raw Arabic letters: {raw[:5]}"


def test_tag_given_by_arabic_name_lands_on_configured_tag(archive_site: Built) -> None:
    """tags: ["مصر"] means the egypt tag of site.toml, not a second "مصر" tag."""
    source = next(s for s in SOURCES if s.file == "2023/al-mashruat-al-saghira-fi-al-said.md")
    assert source.url in archive_site.article_links(archive_site.page("tags/egypt/"))
    assert not (archive_site.out / "tags" / "مصر").exists()
    article_hrefs = {link.value for link in html_links(main_of(archive_site.page(source.url)))}
    assert archive_site.href("tags/egypt/") in article_hrefs


def test_unknown_arabic_tag_gets_its_own_page(archive_site: Built) -> None:
    """A tag not in site.toml still gets a page, at an Arabic slug, showing the name as written."""
    html = archive_site.page("tags/الذكاء-الاصطناعي/")
    assert visible_text(re.search(r"<h1\b.*?</h1>", html, re.DOTALL).group(0)) == "الذكاء الاصطناعي"
    assert archive_site.article_links(html) == ["2025/al-dhakaa-al-istinai-wa-suq-al-amal/"]
    assert archive_site.href("tags/الذكاء-الاصطناعي/") in {link.value for link in html_links(
        archive_site.page("tags/"))}


def test_home_pages_exist_for_19_articles_at_5_a_page(archive_site: Built) -> None:
    """19 published articles at page_size 5 make exactly four home pages."""
    assert len(PUBLISHED) == 19
    for page in ("", "page/2/", "page/3/", "page/4/"):
        assert archive_site.file(page).is_file(), page
    assert not (archive_site.out / "page" / "5").exists()
    assert not (archive_site.out / "page" / "1").exists()


def test_home_pages_list_every_article_once_newest_first(archive_site: Built) -> None:
    """Reading the home pages in order shows each published article once, newest to oldest."""
    pages = [archive_site.page(p) for p in ("", "page/2/", "page/3/", "page/4/")]
    links = [link for html in pages for link in archive_site.article_links(main_of(html))]
    assert sorted(links) == sorted(s.url for s in PUBLISHED)
    assert all(len(archive_site.article_links(main_of(html))) <= 5 for html in pages)
    stamps = [datetime.fromisoformat(attrs["datetime"] or "")
              for html in pages for attrs in start_tags(main_of(html), "time")]
    assert len(stamps) == 19
    assert stamps == sorted(stamps, reverse=True), [s.isoformat() for s in stamps]


def test_tags_index_counts_articles_in_arabic_plural_forms(archive_site: Built) -> None:
    """Each tag shows its count in the right Arabic form: مقال واحد، مقالان، ٣ مقالات، ١١ مقالًا."""
    counts = Counter(tag for s in PUBLISHED for tag in s.tags)
    expected = {archive_site.href(f"tags/{tag}/"): articles_count(n) for tag, n in counts.items()}
    html = archive_site.page("tags/")
    shown = dict(re.findall(r'<a href="([^"]+)">.*?</a>\s*<span class="count">([^<]+)</span>', main_of(html)))
    assert shown == expected
    assert shown[archive_site.href("tags/russia/")] == "مقالان"


def test_year_and_month_archives_list_exactly_their_articles(archive_site: Built) -> None:
    """Every year and month with a published article has a page listing exactly those articles."""
    years = sorted({s.year for s in PUBLISHED})
    assert years == list(range(2018, 2027))
    built_years = sorted(int(p.name) for p in (archive_site.out / "archive").iterdir() if p.is_dir())
    assert built_years == years
    for year in years:
        expected = {s.url for s in PUBLISHED if s.year == year}
        assert set(listed(archive_site, f"archive/{year}/")) == expected, year
        months = sorted({s.month for s in PUBLISHED if s.year == year})
        built_months = sorted(int(p.name) for p in (archive_site.out / "archive" / str(year)).iterdir()
                              if p.is_dir() and p.name != "page")
        assert built_months == months, year
        for month in months:
            expected = {s.url for s in PUBLISHED if (s.year, s.month) == (year, month)}
            assert set(listed(archive_site, f"archive/{year}/{month:02d}/")) == expected, (year, month)


def listed(site: Built, first: str) -> list[str]:
    """The articles a paginated list shows, over all its pages."""
    links = site.article_links(main_of(site.page(first)))
    number = 2
    while site.file(f"{first}page/{number}/").is_file():
        links += site.article_links(main_of(site.page(f"{first}page/{number}/")))
        number += 1
    return links


def test_404_page_exists(archive_site: Built) -> None:
    """Static hosts serve 404.html from the site root for missing pages."""
    assert "الصفحة غير موجودة" in archive_site.page("404.html")


HASHES = ("sha256", "sha1", "md5", "blake2b")


def test_theme_assets_carry_a_content_hash(archive_site: Built) -> None:
    """Hashed names let a host cache CSS, JS and fonts forever: the hash must be of the bytes served."""
    assets = sorted(p for p in (archive_site.out / "assets").rglob("*") if p.is_file())
    checked = 0
    for path in assets:
        if path.suffix in (".txt", ".md"):
            continue
        if path.suffix in (".gz", ".br"):
            assert path.with_suffix("").is_file(), f"{path.name} has no file beside it"
            continue
        found = re.fullmatch(r".+\.([0-9a-f]{8,})\.[a-z0-9]+", path.name)
        assert found, f"{path.name} has no content hash in its name"
        data = path.read_bytes()
        assert any(hashlib.new(h, data).hexdigest().startswith(found.group(1)) for h in HASHES), \
            f"{path.name}: the hash in the name is not a hash of its content"
        checked += 1
    assert checked >= 2
    stylesheets = [attrs.get("href") for attrs in start_tags(archive_site.page(""), "link")
                   if attrs.get("rel") == "stylesheet"]
    assert stylesheets and all(re.search(r"\.[0-9a-f]{8,}\.css$", s or "") for s in stylesheets), stylesheets


def test_fonts_are_woff2_with_their_licences(archive_site: Built) -> None:
    """Fonts are served as woff2 only, and the licence of every font family ships beside them."""
    fonts_dir = archive_site.out / "assets" / "fonts"
    fonts = sorted(fonts_dir.glob("*.woff2"))
    assert fonts
    other_fonts = [p.name for p in (archive_site.out / "assets").rglob("*")
                   if p.suffix.lower() in (".ttf", ".otf", ".woff", ".eot")]
    assert not other_fonts
    for font in fonts:
        assert font.read_bytes()[:4] == b"wOF2", f"{font.name} is not WOFF2"
    licences = {p.name: p.read_bytes() for p in fonts_dir.glob("LICENSE*")}
    for theme_licence in (PROJECT / "theme" / "fonts").glob("LICENSE*"):
        assert licences.get(theme_licence.name) == theme_licence.read_bytes(), theme_licence.name
    for font in fonts:
        assert any(font.name.startswith(name.removeprefix("LICENSE-").removesuffix(".txt") + "-")
                   for name in licences), f"no licence for {font.name}"
    css = "".join(p.read_text(encoding="utf-8") for p in (archive_site.out / "assets").rglob("*.css"))
    referenced = [link.value for link in css_links(css)]
    assert referenced and all(value.endswith(".woff2") for value in referenced), referenced


class _LatinOutsideBdi(HTMLParser):
    """Latin words in the article body that are not inside <bdi> (or code, which is isolated)."""

    ISOLATING: ClassVar[frozenset[str]] = frozenset({"bdi", "code", "pre", "kbd", "samp"})
    VOID: ClassVar[frozenset[str]] = frozenset({"br", "img", "hr", "wbr", "input", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.body_depth: int | None = None
        self.seen_body = False
        self.loose: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "div" and "article-body" in (dict(attrs).get("class") or "").split():
            self.body_depth, self.seen_body = len(self.stack), True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
        if self.body_depth is not None and len(self.stack) < self.body_depth:
            self.body_depth = None

    def handle_data(self, data: str) -> None:
        if self.body_depth is not None and not self.ISOLATING & set(self.stack):
            self.loose += re.findall(r"[A-Za-z][\w.\-/:]*", data)


def test_latin_runs_in_arabic_text_are_bidi_isolated(archive_site: Built) -> None:
    """Latin names inside Arabic sentences must be in <bdi>, or "GPT-4o" and punctuation scramble."""
    html = archive_site.page(BIDI_SAMPLE)
    for run in ("GPT-4o", "OpenAI", "iPhone 15 Pro", "Samsung Galaxy S24"):
        assert f"<bdi>{run}</bdi>" in html, run
    parser = _LatinOutsideBdi()
    parser.feed(html)
    assert parser.seen_body, "no <div class=article-body> found"
    assert not parser.loose, f"Latin text outside <bdi> in the article body: {parser.loose}"

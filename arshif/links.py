"""The link check before a deploy: every internal link of a built site leads to a file of that build.

Internal means on the host of `base_url` (or relative); such a link must stay under the base
path (a root link `/x/` on a site served from `/archive/` is a 404 on the host) and lead to a
file of the build, or to a folder with an index.html. Checked: in HTML, the href/src/srcset of
every element that loads or links something, the URL metadata (`og:url`, `og:image`…) and the
URLs in JSON-LD; in CSS, url() and @import; in feeds and sitemaps, every link, loc, href and url;
in robots.txt, the Sitemap lines. Links to other hosts are not fetched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from .pool import batches_of, map_forked

# element -> attributes holding a URL to check
URL_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
    "source": ("src", "srcset"), "iframe": ("src",), "embed": ("src",), "object": ("data",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
}
# <meta property|name=... content=URL>
URL_META = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "og:audio", "og:video",
            "twitter:image", "twitter:image:src"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
XML_URL_ELEMENTS = {"link", "loc", "url", "icon", "logo", "comments", "docs"}
XML_URL_ATTRIBUTES = ("href", "url", "src")
IGNORED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "geo:")


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link that does not resolve: the file it is in (below the build), the link as written, why."""

    source: str
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.link} ({self.reason})"


class _HtmlLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in URL_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if value is None:
                continue
            if name == "srcset":
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]
            else:
                self.links.append(value)
        if tag == "meta" and (values.get("property") or values.get("name") or "") in URL_META \
                and values.get("content"):
            self.links.append(values["content"] or "")
        if tag == "script" and (values.get("type") or "").lower() == "application/ld+json":
            self._json_ld = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._json_ld = None if tag == "script" else self._json_ld

    def handle_data(self, data: str) -> None:
        if self._json_ld is not None:
            self._json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld is not None:
            # Invalid JSON-LD is not this check's to report (the HTML and metadata tests judge it).
            with contextlib.suppress(ValueError):
                self.links += [s for s in _strings(json.loads("".join(self._json_ld)))
                               if s.startswith(("http://", "https://"))]
            self._json_ld = None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def html_links(html: str) -> list[str]:
    """Every URL an HTML page links to or loads, entities decoded, in document order."""
    parser = _HtmlLinks()
    parser.feed(html)
    parser.close()
    return parser.links


def css_links(css: str) -> list[str]:
    """Every url(...) and @import "..." of a style sheet."""
    return [next(g for g in match.groups() if g is not None) for match in CSS_URL.finditer(css)]


def xml_links(data: bytes) -> list[str]:
    """The URLs of a feed or sitemap: link/loc/url elements' text, href/url/src attributes, permalink guids."""
    found = []
    for element in ElementTree.fromstring(data).iter():
        name = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        text = (element.text or "").strip()
        if text and (name in XML_URL_ELEMENTS or (name == "guid" and element.get("isPermaLink") != "false")) \
                and text.startswith(("http://", "https://", "/")):
            found.append(text)
        found += [element.get(a) or "" for a in XML_URL_ATTRIBUTES if element.get(a)]
    return found


def robots_links(text: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("sitemap:")]


def url_of(relative: str, base_url: str) -> str:
    """The URL a file of the build (e.g. "tags/index.html") is served at."""
    return base_url + quote(relative.removesuffix("index.html") if relative.endswith("/index.html")
                            or relative == "index.html" else relative)


class _Resolver:
    """Decides where an absolute URL leads in the build; remembers each answer."""

    def __init__(self, base_url: str, files: set[str]) -> None:
        self.base = urlsplit(base_url)
        self.base_path = self.base.path if self.base.path.endswith("/") else self.base.path + "/"
        self.files = files
        self.folders = {f.removesuffix("/index.html") for f in files if f.endswith("/index.html")}
        self.known: dict[str, str | None] = {}

    def problem(self, absolute: str) -> str | None:
        """None when ABSOLUTE resolves or is not the site's to check, else the reason."""
        if absolute not in self.known:
            self.known[absolute] = self._problem(absolute)
        return self.known[absolute]

    def _exists(self, relative: str) -> bool:
        if relative == "" or relative.endswith("/"):
            return relative + "index.html" in self.files
        return relative in self.files or relative in self.folders

    def _problem(self, absolute: str) -> str | None:
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != self.base.netloc.lower():
            return None
        path = unquote(parts.path, errors="strict") if "%" in parts.path else parts.path
        if path + "/" == self.base_path:
            return None
        if not path.startswith(self.base_path):
            # Elsewhere on the same host (say the newsroom's main site): not this build's to check,
            # unless it names a file of this build from the host's root, i.e. it forgot the base path.
            guess = path.lstrip("/")
            if guess and self._exists(guess):
                return f"outside the base path {self.base_path}: the site serves this at {self.base_path}{guess}"
            return None
        relative = path[len(self.base_path):]
        if self._exists(relative):
            return None
        return f"no file {relative + 'index.html' if relative == '' or relative.endswith('/') else relative}"


PARALLEL_FILES = 400


def _check(job: tuple[Path, str, _Resolver], paths: Sequence[str]) -> list[BrokenLink]:
    """Check the links of some files of the build; runs in the main process or in a forked worker."""
    folder, base_url, resolver = job
    broken = []
    for relative in paths:
        kind = relative.rpartition(".")[2].lower()
        try:
            data = (folder / relative).read_bytes()
            if kind == "html":
                links = html_links(data.decode("utf-8"))
            elif kind == "css":
                links = css_links(data.decode("utf-8"))
            elif kind == "xml":
                links = xml_links(data)
            else:
                links = robots_links(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ElementTree.ParseError) as error:
            broken.append(BrokenLink(relative, "", f"cannot be read: {error}"))
            continue
        page_url = url_of(relative, base_url)
        for link in dict.fromkeys(link.strip() for link in links):
            if not link or link.startswith("#") or link.lower().startswith(IGNORED_SCHEMES):
                continue
            try:
                reason = resolver.problem(urljoin(page_url, link))
            except (ValueError, UnicodeDecodeError) as error:
                reason = f"not a valid URL: {error}"
            if reason:
                broken.append(BrokenLink(relative, link, reason))
    return broken


def check_links(folder: Path, base_url: str, workers: int | None = None) -> list[BrokenLink]:
    """Every broken internal link of the built site in FOLDER served at BASE_URL, sorted by file.

    A file that cannot be read or parsed is reported too, with an empty link. Large sites are
    checked in WORKERS processes (default: the CPU count).
    """
    files = set()
    for top, _dirs, names in os.walk(folder):
        relative = Path(top).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        files.update(prefix + name for name in names)
    checked = sorted(f for f in files if f == "robots.txt"
                     or ("." in f.rpartition("/")[2] and f.rpartition(".")[2].lower() in ("html", "css", "xml")))
    job = (folder, base_url, _Resolver(base_url, files))
    workers = workers or os.cpu_count() or 1
    if len(checked) < PARALLEL_FILES:
        workers = 1
    chunks = batches_of(checked, max(50, len(checked) // (workers * 4)))
    return sorted(b for found in map_forked(_check, job, chunks, workers) for b in found)

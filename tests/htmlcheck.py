"""Read a built site the way a browser would: the links in its HTML and CSS, and where they lead."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")


@dataclass(frozen=True)
class Link:
    """One reference found in a file: the element (or "css"), the attribute and the value as written."""

    tag: str
    attribute: str
    value: str


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LINK_ATTRIBUTES.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.links.append(Link(tag, name, value))

    handle_startendtag = handle_starttag


def html_links(html: str) -> list[Link]:
    """The href/src of every a, link, img and script element, entities decoded."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.links


def css_links(css: str) -> list[Link]:
    """Every url(...) in a style sheet, quoted or not."""
    return [Link("css", "url", next(g for g in match.groups() if g is not None)) for match in CSS_URL.finditer(css)]


def url_of(relative: str, base_url: str) -> str:
    """The URL a file of the site (path below the output folder, e.g. "tags/index.html") is served at."""
    return base_url + relative.removesuffix("index.html")


def target_file(link: str, page_url: str, base_url: str, out: Path) -> tuple[Path | None, str]:
    """Where LINK on the page at PAGE_URL leads in the output folder OUT.

    Returns (file, "") for a link into the site (file = the index.html of a folder), (None, "")
    for a link a static site does not serve (another host, mailto:, data:), and (None, reason)
    for a link to this host that is outside the site's base path.
    """
    absolute = urljoin(page_url, link)
    parts, base = urlsplit(absolute), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None, ""
    path = unquote(parts.path)
    if not path.startswith(base.path):
        return None, f"{absolute} is outside the base path {base.path}"
    relative = path.removeprefix(base.path)
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    target = out / relative
    if not target.resolve().is_relative_to(out.resolve()):
        return None, f"{absolute} leads outside the output folder"
    return target, ""


def link_problem(link: str, page_url: str, base_url: str, out: Path) -> str:
    """Why LINK on the page at PAGE_URL is broken, or "" if it resolves (or leads to another host)."""
    target, reason = target_file(link, page_url, base_url, out)
    if reason or target is None:
        return reason
    return "" if target.is_file() else f"no file {target.relative_to(out).as_posix()}"


def site_links(out: Path, base_url: str) -> list[tuple[str, str, Link]]:
    """Every link in the HTML and CSS files under OUT: (file below OUT, URL the file is served at, link)."""
    found = []
    for source in sorted(out.rglob("*.html")) + sorted(out.rglob("*.css")):
        relative = source.relative_to(out).as_posix()
        text = source.read_text(encoding="utf-8")
        if source.suffix == ".css":
            found += [(relative, base_url + quote(relative), link) for link in css_links(text)]
        else:
            found += [(relative, url_of(quote(relative), base_url), link) for link in html_links(text)]
    return found

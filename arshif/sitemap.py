"""sitemap.xml (split into an index past 50,000 URLs), the Google News sitemap and robots.txt."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from html import escape as _html_escape

from .config import Config
from .content import Article
from .feeds import newest_change
from .render import absolute_url
from .site import Page, Site

MAX_URLS = 50_000
NEWS_WINDOW = timedelta(days=2)
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def escape(text: str) -> str:
    """&, < and > as entities, as xml.sax.saxutils.escape does (whose import pulls in urllib.request, ssl
    and email: about 25 ms of every build that gets past the no-change check)."""
    return _html_escape(text, quote=False)


def page_articles(page: Page, site: Site) -> Sequence[Article]:
    """The articles a page shows, which decide when it last changed."""
    if page.kind == "article":
        return [page.context["article"]]
    if page.kind in ("home", "tag", "section", "author", "year", "month"):
        return page.context["pager"].items
    return site.articles


def _urlset(config: Config, entries: Sequence[tuple[str, datetime]]) -> bytes:
    rows = "".join(f"<url><loc>{escape(absolute_url(config, path))}</loc><lastmod>{when.isoformat()}</lastmod></url>\n"
                   for path, when in entries)
    return f"{_XML}<urlset {_SITEMAP_NS}>\n{rows}</urlset>\n".encode()


def _listed(pages: Sequence[Page]) -> list[Page]:
    return [page for page in pages if page.kind not in ("404", "redirect")]


def listed_count(pages: Sequence[Page]) -> int:
    """How many of PAGES the sitemaps list (which decides their files: sitemap_names)."""
    return len(_listed(pages))


def sitemap_names(count: int, max_urls: int = MAX_URLS) -> list[str]:
    """The files sitemap_files and small_files make for COUNT listed pages, without making them."""
    numbered = [f"sitemap-{n}.xml" for n in range(1, -(-count // max_urls) + 1)] if count > max_urls else []
    return [*numbered, "sitemap.xml", "news-sitemap.xml", "robots.txt"]


def sitemap_entries(site: Site, pages: Sequence[Page]) -> list[tuple[str, datetime]]:
    """What the sitemaps show: each public page's path and when it last changed (see page_articles)."""
    whole_site = newest_change(site.articles)
    return [(page.url, page.context["article"].modified if page.kind == "article"
             else whole_site if (shown := page_articles(page, site)) is site.articles else newest_change(shown))
            for page in _listed(pages)]


def sitemap_files(site: Site, pages: Sequence[Page], max_urls: int = MAX_URLS) -> Iterator[tuple[str, bytes]]:
    """sitemap.xml for every public page; past MAX_URLS, an index of sitemap-N.xml files beside it."""
    config = site.config
    entries = sitemap_entries(site, pages)
    if len(entries) <= max_urls:
        yield "sitemap.xml", _urlset(config, entries)
    else:
        chunks = [entries[i:i + max_urls] for i in range(0, len(entries), max_urls)]
        index = []
        for number, chunk in enumerate(chunks, start=1):
            path = f"sitemap-{number}.xml"
            yield path, _urlset(config, chunk)
            index.append(f"<sitemap><loc>{escape(absolute_url(config, path))}</loc>"
                         f"<lastmod>{max(when for _, when in chunk).isoformat()}</lastmod></sitemap>\n")
        yield "sitemap.xml", f"{_XML}<sitemapindex {_SITEMAP_NS}>\n{''.join(index)}</sitemapindex>\n".encode()


def small_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The news sitemap and robots.txt: cheap enough to make on every build."""
    config = site.config
    yield "news-sitemap.xml", news_sitemap(site)
    yield "robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(config, 'sitemap.xml')}\n".encode()


def news_sitemap(site: Site) -> bytes:
    """The articles of the two days before the newest one, as Google News asks for them."""
    config = site.config
    newest = site.articles[0].date if site.articles else None
    rows = []
    for article in site.articles:
        if newest is None or article.date < newest - NEWS_WINDOW:
            break
        rows.append(
            f"<url><loc>{escape(absolute_url(config, article.url))}</loc><news:news>"
            f"<news:publication><news:name>{escape(config.publisher)}</news:name>"
            f"<news:language>{escape(config.language)}</news:language></news:publication>"
            f"<news:publication_date>{article.date.isoformat()}</news:publication_date>"
            f"<news:title>{escape(article.title)}</news:title></news:news></url>\n")
    return f"{_XML}<urlset {_SITEMAP_NS} {_NEWS_NS}>\n{''.join(rows)}</urlset>\n".encode()

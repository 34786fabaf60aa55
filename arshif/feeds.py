"""RSS 2.0 and Atom feeds (feedgen) for the whole site and for every tag."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from . import __version__
from .content import Article
from .render import absolute_url
from .site import Site

FEED_NAMES = {"rss": "feed.xml", "atom": "atom.xml"}
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_SITE_PATH_LINK = re.compile(r'(\s(?:src|href)=")/')


def newest_change(articles: Sequence[Article]) -> datetime:
    """When a list last changed: its newest date or update, never the build's clock (determinism)."""
    return max((a.updated or a.date for a in articles), default=_EPOCH)


def absolute_links_html(body_html: str, base_url: str) -> str:
    """Feed readers have no page URL to resolve against: make site paths absolute."""
    parts = urlsplit(base_url)
    return _SITE_PATH_LINK.sub(rf"\g<1>{parts.scheme}://{parts.netloc}/", body_html)


def _feed(site: Site, articles: Sequence[Article], folder: str, title: str, description: str,
          kind: str) -> bytes:
    config = site.config
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)
    self_url = absolute_url(config, folder + FEED_NAMES[kind])
    feed.id(absolute_url(config, folder))
    feed.title(title)
    feed.description(description or title)
    feed.language(config.language)
    feed.generator("Arshif", __version__)
    feed.link(href=self_url, rel="self")
    feed.link(href=absolute_url(config, folder), rel="alternate")
    items = articles[:config.feeds_items]
    changed = newest_change(items)
    feed.updated(changed)
    feed.lastBuildDate(changed)
    for article in items:
        url = absolute_url(config, article.url)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url)
        entry.title(article.title)
        entry.published(article.date)
        entry.updated(article.updated or article.date)
        if article.author:
            entry.author({"name": article.author})
            entry.dc.dc_creator(article.author)
        for tag in site.tags_of[article.url]:
            entry.category({"term": tag.slug, "label": tag.name,
                            "scheme": absolute_url(config, "tags/")})
        entry.summary(article.summary)
        if config.feeds_full_content:
            entry.content(absolute_links_html(article.body_html, config.base_url), type="html")
    return feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)


def feed_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of every feed: feed.xml and atom.xml at the root and under each tag."""
    config = site.config
    lists = [("", config.title, config.description, site.articles)]
    lists += [(tag.url, f"{tag.name} — {config.title}", f"مقالات عن {tag.name} في {config.title}",
               tag.articles) for tag in site.tags]
    for folder, title, description, articles in lists:
        for kind, name in FEED_NAMES.items():
            yield folder + name, _feed(site, articles, folder, title, description, kind)

"""RSS 2.0 and Atom feeds (feedgen) for the whole site and for every tag, section and author."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from . import __version__
from .content import Article
from .render import absolute_url
from .site import Site

FEED_NAMES = {"rss": "feed.xml", "atom": "atom.xml"}
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_SITE_PATH_LINK = re.compile(r'(\s(?:src|href)=")/(?!/)')


def newest_change(articles: Sequence[Article]) -> datetime:
    """When a list last changed: its newest date or update, never the build's clock (determinism)."""
    return max((a.modified for a in articles), default=_EPOCH)


def absolute_links_html(body_html: str, base_url: str) -> str:
    """Feed readers have no page URL to resolve against: make site paths absolute."""
    parts = urlsplit(base_url)
    return _SITE_PATH_LINK.sub(rf"\g<1>{parts.scheme}://{parts.netloc}/", body_html)


@dataclass(frozen=True)
class FeedSpec:
    """One list that has feeds: the whole site, a tag, a section or an author."""

    folder: str
    title: str
    description: str
    articles: tuple[Article, ...]

    def items(self, limit: int) -> tuple[Article, ...]:
        return self.articles[:limit]


def feed_specs(site: Site) -> list[FeedSpec]:
    config = site.config
    specs = [FeedSpec("", config.title, config.description, site.articles)]
    specs += [FeedSpec(tag.url, f"{tag.name} — {config.title}", f"مقالات عن {tag.name} في {config.title}",
                       tag.articles) for tag in site.tags]
    specs += [FeedSpec(section.url, f"{section.name} — {config.title}", f"مقالات قسم {section.name} في {config.title}",
                       section.articles) for section in site.sections]
    specs += [FeedSpec(author.url, f"{author.name} — {config.title}", f"مقالات {author.name} في {config.title}",
                       author.articles) for author in site.authors if not author.agency]
    return specs


def render_feed(site: Site, spec: FeedSpec, kind: str, body_of: Callable[[Article], str]) -> bytes:
    """The RSS ("rss") or Atom ("atom") document of SPEC; BODY_OF gives an article's HTML."""
    config = site.config
    folder, title, description = spec.folder, spec.title, spec.description
    from feedgen.feed import FeedGenerator  # here: a build whose feeds all stand needs neither it nor lxml

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
    items = spec.items(config.feeds_items)
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
        entry.updated(article.modified)
        authors = site.authors_of[article.url]
        for author in authors:
            entry.author({"name": author.name, **({"uri": absolute_url(config, author.url)} if author.url else {})})
        if authors:
            entry.dc.dc_creator([author.name for author in authors])
        for tag in site.tags_of[article.url]:
            entry.category({"term": tag.slug, "label": tag.name,
                            "scheme": absolute_url(config, "tags/")})
        entry.summary(html.escape(article.summary, quote=False) if kind == "rss" else article.summary)
        if config.feeds_full_content:
            entry.content(absolute_links_html(body_of(article), config.base_url), type="html")
    return feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)

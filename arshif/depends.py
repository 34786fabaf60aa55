"""What each page showed: the site objects its templates read, so an edit re-renders exactly those pages.

Nothing here lists by hand which fields a template shows. While a page renders, every attribute or
item a template reads of an article, tag, section, author, year or month is recorded as a *key*; the build keeps, per
page, its key set and its context (which objects it holds). Each key has a *state* computed from the site: an
article's state is its source digest (every field of an article comes from its file and the parse
settings) with its resolved tags; a tag's name and its list of articles are separate keys, so a
page showing a tag's name is not rendered again when an article joins the tag (sections and authors
likewise). Which sections the site has, in their order, is one more key (SECTION_LIST), read by the
navigation of every page. A page is rendered again when its context changed or the state of any key
it read changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from .content import Article
from .site import Author, Month, Pager, Section, Site, Tag, Year

Key = tuple[Any, ...]

# Attributes that reach a list's members; every other attribute of a tag, section, author, year or month
# is its name (an author's bio and links included).
_MEMBERS = frozenset({"articles", "months"})
SECTION_LIST: Key = ("sections",)


def read_key(value: Any, attribute: Any) -> Key | None:
    """The key a template read of VALUE.ATTRIBUTE depends on; None for objects that are not tracked."""
    kind = type(value)
    if kind is Article:
        return ("a", value.source)
    if kind is Tag:
        return ("T" if attribute in _MEMBERS else "t", value.slug)
    if kind is Section:
        return ("S" if attribute in _MEMBERS else "s", value.slug)
    if kind is Author:
        return ("W" if attribute in _MEMBERS else "w", value.slug)
    if kind is Month:
        return ("M" if attribute in _MEMBERS else "m", value.year, value.month)
    if kind is Year:
        return ("Y" if attribute in _MEMBERS else "y", value.year)
    return None


def _digest(parts: Iterable[Any]) -> str:
    return hashlib.sha1(repr(tuple(parts)).encode(), usedforsecurity=False).hexdigest()


def key_states(site: Site) -> dict[Key, str]:
    """The state of every key of SITE; a key whose state differs from the last build's has changed."""
    states: dict[Key, str] = {}
    for article in site.articles:
        tags = tuple((t.slug, t.name) for t in site.tags_of[article.url])
        section = site.section_of[article.url]
        authors = tuple((w.slug, w.name, w.agency) for w in site.authors_of[article.url])
        states[("a", article.source)] = _digest((article.digest, tags, section and (section.slug, section.name),
                                                 authors))
    for tag in site.tags:
        states[("t", tag.slug)] = tag.name
        states[("T", tag.slug)] = _digest(a.source for a in tag.articles)
    states[SECTION_LIST] = _digest(s.slug for s in site.sections)
    for section in site.sections:
        states[("s", section.slug)] = section.name
        states[("S", section.slug)] = _digest(a.source for a in section.articles)
    for author in site.authors:
        states[("w", author.slug)] = _digest((author.name, author.bio, author.picture, author.links, author.agency))
        states[("W", author.slug)] = _digest(a.source for a in author.articles)
    for year in site.years:
        states[("y", year.year)] = ""
        states[("Y", year.year)] = _digest((tuple(m.month for m in year.months), *(a.source for a in year.articles)))
        for month in year.months:
            states[("m", month.year, month.month)] = ""
            states[("M", month.year, month.month)] = _digest(a.source for a in month.articles)
    return states


def identity(value: Any) -> Any:
    """A page's context reduced to which objects it holds (what they show is covered by the reads)."""
    kind = type(value)
    if kind is Article:
        return ("a", value.source)
    reduce = _IDENTITIES.get(kind)
    return reduce(value) if reduce is not None else value


def _sequence(items: Any) -> tuple[Any, ...]:
    return tuple([("a", item.source) if type(item) is Article else identity(item) for item in items])


_IDENTITIES: dict[type, Any] = {
    Tag: lambda t: ("t", t.slug),
    Section: lambda s: ("s", s.slug),
    Author: lambda w: ("w", w.slug),
    Month: lambda m: ("m", m.year, m.month),
    Year: lambda y: ("y", y.year),
    Pager: lambda p: ("pager", p.number, p.total, p.first_url, tuple([("a", a.source) for a in p.items])),
    list: _sequence,
    tuple: _sequence,
    dict: lambda d: tuple([(k, identity(v)) for k, v in d.items()]),  # routes() builds contexts in a fixed order
}


def context_key(url: str, template: str, context: Mapping[str, Any], *parts: str) -> tuple[Any, ...]:
    """What decides a page besides the objects it reads: its path, template and context (compared whole,
    not hashed: comparing tuples is cheaper than hashing their text)."""
    return (url, template, identity(context), parts)


def article_digests(articles: Iterable[Article], states: Mapping[Key, str]) -> list[str]:
    """The states of ARTICLES, for outputs made in Python (feeds, search) that show all of an article."""
    return [states[("a", a.source)] for a in articles]


class Recorder:
    """Collects the keys read while one output renders (in whichever process renders it)."""

    def __init__(self) -> None:
        self.reads: set[Key] = set()

    def note(self, value: Any, attribute: Any = None) -> None:
        key = read_key(value, attribute)
        if key is not None:
            self.reads.add(key)

    def take(self) -> frozenset[Key]:
        """The keys read since the last take."""
        reads, self.reads = frozenset(self.reads), set()
        return reads


def stale(pages: Mapping[str, tuple[Any, frozenset[Key]]], contexts: Mapping[str, Any],
          before: Mapping[Key, str], now: Mapping[Key, str]) -> set[str]:
    """The outputs to make again: new ones, ones whose context changed, ones that read a changed key."""
    changed = {key for key in before.keys() | now.keys() if before.get(key) != now.get(key)}
    todo = set()
    for path, context in contexts.items():
        known = pages.get(path)
        if known is None or known[0] != context or not changed.isdisjoint(known[1]):
            todo.add(path)
    return todo

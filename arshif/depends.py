"""What each page showed: the site objects its templates read, so an edit re-renders exactly those pages.

Nothing here lists by hand which fields a template shows. While a page renders, every attribute or
item a template reads of an article, tag, section, author, year or month is recorded as a *key*; the build keeps, per
page, its key set and its context (which objects it holds). Each key has a *state* computed from the site: an
article's state is its source digest (every field of an article comes from its file and the parse
settings) with its resolved tags; a tag's name and its list of articles are separate keys, so a
page showing a tag's name is not rendered again when an article joins the tag (sections and authors
likewise). Which sections the site has, in their order, is one more key (SECTION_LIST), read by the
navigation of every page. An article's body and photos are its "p" key, whose state adds the photos'
contents to the source digest. A page is rendered again when its context changed or the state of any
key it read changed. Contexts and states are kept as 16-byte digests (_digest).
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from .content import Article
from .site import Author, Month, Pager, Section, Site, Tag, Year

Key = tuple[Any, ...]

# Attributes that reach a list's members; every other attribute of a tag, section, author, year or month
# is its name (an author's bio and links included).
_MEMBERS = frozenset({"articles", "months"})
# What of an article shows its photos (their sizes and file names): the "p" key, whose state also
# covers the photos' contents, so replacing a photo renders again only the pages that show it.
PHOTO_ATTRIBUTES = frozenset({"body_html", "lead", "figures"})
SECTION_LIST: Key = ("sections",)


def read_key(value: Any, attribute: Any) -> Key | None:
    """The key a template read of VALUE.ATTRIBUTE depends on; None for objects that are not tracked."""
    kind = type(value)
    if kind is Article:
        return ("p" if attribute in PHOTO_ATTRIBUTES else "a", value.source)
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


def key_states(site: Site, photos: Mapping[str, tuple[str, ...]] | None = None) -> dict[Key, bytes]:
    """The state of every key of SITE; a key whose state differs from the last build's has changed.

    PHOTOS gives, by source, the keys of the photos an article shows (images.Photos.states), for the
    state of its "p" key: the article's body and photos. Each state is kept as a digest (_digest): a build
    that places articles anew holds this build's and the last one's, 200,000 of each at 100,000 articles.
    """
    photos = photos or {}
    states: dict[Key, bytes] = {}
    for article in site.articles:
        states[("a", article.source)] = article_state(site, article)
        states[("p", article.source)] = photo_state(article, photos.get(article.source, ()))
    for tag in site.tags:
        states[("t", tag.slug)] = _digest(tag.name)
        states[("T", tag.slug)] = _digest(tuple([a.source for a in tag.articles]))
    states[SECTION_LIST] = _digest(tuple([s.slug for s in site.sections]))
    for section in site.sections:
        states[("s", section.slug)] = _digest(section.name)
        states[("S", section.slug)] = _digest(tuple([a.source for a in section.articles]))
    for author in site.authors:
        states[("w", author.slug)] = _digest((author.name, author.bio, author.picture, author.links, author.agency))
        states[("W", author.slug)] = _digest(tuple([a.source for a in author.articles]))
    for year in site.years:
        states[("y", year.year)] = _digest("")
        states[("Y", year.year)] = _digest((tuple([m.month for m in year.months]),
                                              tuple([a.source for a in year.articles])))
        for month in year.months:
            states[("m", month.year, month.month)] = _digest("")
            states[("M", month.year, month.month)] = _digest(tuple([a.source for a in month.articles]))
    return states


def article_state(site: Site, article: Article) -> bytes:
    """The state of ARTICLE's "a" key: its source digest and the names of its tags, section and authors."""
    section = site.section_of[article.url]
    return _digest((article.digest, tuple([(t.slug, t.name) for t in site.tags_of[article.url]]),
                      section and (section.slug, section.name),
                      tuple([(w.slug, w.name, w.agency) for w in site.authors_of[article.url]])))


def photo_state(article: Article, photos: tuple[str, ...]) -> bytes:
    """The state of ARTICLE's "p" key: its source digest and the keys of the PHOTOS it shows."""
    return _digest((article.digest, photos))


def _digest(value: Any) -> bytes:
    """A 16-byte digest of VALUE, a tree of tuples, strings and numbers: marshal's version 0 writes equal trees as
    equal bytes however their parts are shared or interned. Anything else is written by its repr (an object
    without one of its own then differs each build, and what holds it is made again)."""
    try:
        data = marshal.dumps(value, 0)
    except ValueError:
        data = repr(value).encode()
    return hashlib.blake2b(data, digest_size=16).digest()


# The keys of contexts, one object per key: an article is in the context of many pages (its own, lists,
# related articles, neighbours). When the record kept contexts whole, a new tuple per mention took ~0.1 GB at
# 100,000 articles; now that it keeps their digests, sharing only spares making them. Bounded like search's
# run cache, for a long-lived preview.
_KEYS: dict[Any, Key] = {}
_MAX_KEYS = 1_000_000


def _article_key(article: Article) -> Key:
    key = _KEYS.get(article.source)
    if key is None:
        if len(_KEYS) > _MAX_KEYS:
            _KEYS.clear()
        key = _KEYS[article.source] = ("a", article.source)
    return key


def _shared(key: Key) -> Key:
    return _KEYS.setdefault(key, key)


def identity(value: Any) -> Any:
    """A page's context reduced to which objects it holds (what they show is covered by the reads).

    Called for every value of every page's context on each build, so the common kinds come first.
    """
    kind = type(value)
    if kind is Article:
        return _article_key(value)
    if kind is dict:  # routes() builds contexts in a fixed order
        return tuple([(k, identity(v)) for k, v in value.items()])
    if kind is tuple or kind is list:
        return tuple([_article_key(item) if type(item) is Article else identity(item) for item in value])
    reduce = _IDENTITIES.get(kind)
    return reduce(value) if reduce is not None else value


_IDENTITIES: dict[type, Any] = {
    Tag: lambda t: _shared(("t", t.slug)),
    Section: lambda s: _shared(("s", s.slug)),
    Author: lambda w: _shared(("w", w.slug)),
    Month: lambda m: _shared(("m", m.year, m.month)),
    Year: lambda y: _shared(("y", y.year)),
    Pager: lambda p: ("pager", p.number, p.total, p.first_url, p.url, p.previous_url, p.next_url,
                      tuple([a.source for a in p.items])),
}


def context_key(url: str, template: str, context: Mapping[str, Any], *parts: str) -> bytes:
    """What decides a page besides the objects it reads: its path, template and context, as a digest.

    A build that places articles anew holds the key of every page and the last build's: as the tuples they are
    made from, those took 0.4 GB of a 1.7 GB peak at 100,000 articles (see _digest).
    """
    return _digest((url, template, identity(context), parts))


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


def changed_keys(before: Mapping[Key, Any], now: Mapping[Key, Any]) -> set[Key]:
    """The keys whose state differs between two builds, or that only one of them has."""
    return {key for key, _state in before.items() ^ now.items()}  # set operations on the pairs run in C


def reads_any(changed: str) -> Callable[[str], Any]:
    """A test of whether an output's reads (KeyTable.encode) hold any of the CHANGED characters (KeyTable.chars):
    one call in C an output, where testing each character cost an edit at 10,000 articles 5 ms."""
    return re.compile(f"[{re.escape(changed)}]").search if changed else _reads_none


def _reads_none(reads: str) -> None:
    return None


def stale(pages: Mapping[str, tuple[Any, str]], contexts: Mapping[str, Any], changed: str) -> set[str]:
    """The outputs to make again: new ones, ones whose context changed, ones that read a CHANGED key (as
    KeyTable.chars gives them)."""
    todo = set()
    reads_changed = reads_any(changed)
    for path, context in contexts.items():
        known = pages.get(path)
        if known is None or known[0] != context or reads_changed(known[1]):
            todo.add(path)
    return todo


Made = dict[str, tuple[Any, str]]  # each output's context and reads (KeyTable.encode), as a build's record keeps them


class KeyTable:
    """Keys as one character each, so that an output's reads are one short string.

    The record keeps every output's reads: as tuples of keys, loading them took 0.1 s of a 10,000-article
    edit and testing them for a changed key 0.05 s; a string loads as one object and `in` tests it in C.
    A key keeps its character from build to build (the record saves the table, which only grows until it
    is compacted); a clean build starts a new one.
    """

    def __init__(self, keys: list[Key] | None = None) -> None:
        self.keys: list[Key] = list(keys or [])
        count = len(self.keys)  # characters made in C: a call each cost an edit at 10,000 articles 5 ms
        characters = map(chr, chain(range(min(count, _SURROGATES)), range(_SURROGATES + 0x800, count + 0x800)))
        self._chars = dict(zip(self.keys, characters, strict=True))

    def add(self, keys: Iterable[Key]) -> None:
        """Give KEYS their characters, those that have none yet.

        A build adds its states' keys before rendering: the table then holds this process's own key objects,
        made together, not the copies that come back from the render workers (at 100,000 articles, keeping those
        left 64 MB more in use once the record was saved, and the cold build's peak 28 MB higher).
        """
        chars = self._chars
        for key in keys:
            if key not in chars:
                chars[key] = _character(len(self.keys))
                self.keys.append(key)

    def encode(self, reads: Collection[Key]) -> str:
        """READS as a string, its characters sorted: the same reads give the same string in every process."""
        self.add(reads)
        chars = self._chars
        return "".join(sorted([chars[key] for key in reads]))

    def decode(self, reads: str) -> list[Key]:
        return [self.keys[_number(char)] for char in reads]

    def compacted(self, made: Made, live: int) -> tuple[KeyTable, Made] | None:
        """A table of only the keys MADE reads, and MADE in it, once this one holds twice the LIVE keys (deleted
        articles' keys stay in it until then); None while it does not."""
        if len(self.keys) <= 2 * live + SPARE_KEYS:
            return None
        table = KeyTable()
        return table, {path: (context, table.encode(self.decode(reads))) for path, (context, reads) in made.items()}

    def chars(self, keys: Iterable[Key]) -> str:
        """The characters of KEYS; a key without one was read by no output."""
        chars = self._chars
        return "".join([chars[key] for key in keys if key in chars])


SPARE_KEYS = 1000  # a table holds this many keys more than twice the live ones before it is compacted
_SURROGATES = 0xD800  # characters from here to 0xDFFF cannot be written as UTF-8, so none stands for a key


def _character(number: int) -> str:
    return chr(number if number < _SURROGATES else number + 0x800)


def _number(char: str) -> int:
    code = ord(char)
    return code if code < _SURROGATES else code - 0x800


@dataclass
class Readers:
    """Which outputs of the record's PAGES read each key (by its KeyTable character): a preview finds the pages
    an edit touches without looking at every page (at 10,000 articles that look cost 0.08 s of a 0.45 s rebuild)."""

    pages: Made
    of: dict[str, set[str]]

    @classmethod
    def index(cls, pages: Made) -> Readers:
        of: dict[str, set[str]] = {}
        for path, (_context, reads) in pages.items():
            for key in reads:
                of.setdefault(key, set()).add(path)
        return cls(pages, of)

    def due(self, changed: str) -> set[str]:
        """The outputs that read a CHANGED key (KeyTable.chars)."""
        return set().union(*[self.of[key] for key in changed if key in self.of])

    def moved(self, pages: Made, rendered: set[str]) -> Readers:
        """This index for PAGES, the next record: the RENDERED outputs read anew, the others as before."""
        for path in rendered | (self.pages.keys() - pages.keys()):
            before = set(self.pages[path][1]) if path in self.pages else set()
            now = set(pages[path][1]) if path in pages else set()
            for key in before - now:
                self.of[key].discard(path)
            for key in now - before:
                self.of.setdefault(key, set()).add(path)
        return Readers(pages, self.of)

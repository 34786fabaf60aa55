"""The whole-site pass: publishable articles, tags, archives, pagination and every page's route."""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from .arabic import normalize, slugify
from .config import Config
from .content import Article, front_matter_line
from .problems import Problem

RELATED_COUNT = 4


@dataclass(frozen=True)
class Tag:
    """A tag with its display name and its articles, newest first."""

    slug: str
    name: str
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Section:
    """A section of the paper (front-matter category) with its Arabic name and its articles, newest first."""

    slug: str
    name: str
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        return f"sections/{self.slug}/"


@dataclass(frozen=True)
class Author:
    """A byline: a writer with their page, or a news agency (AGENCY: no page), with their articles."""

    slug: str
    name: str
    bio: str
    picture: str
    links: tuple[str, ...]
    agency: bool
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        """The author's page below the site root; empty for an agency, which has none."""
        return "" if self.agency else f"authors/{self.slug}/"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        return f"archive/{self.year}/{self.month:02d}/"


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]
    articles: tuple[Article, ...]

    @property
    def url(self) -> str:
        return f"archive/{self.year}/"


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list, which runs newest first, and where its neighbours are.

    With site.toml's pagination = "newest", page 1 is the list's own URL (the front) and each page holds the
    next PAGE_SIZE articles, so a new article moves every page. With "stable", pages are numbered from the
    oldest: page 1 holds the oldest PAGE_SIZE articles for good, and the front (numbered last) holds what no
    numbered page does, from PAGE_SIZE to twice that less one. A stable list's numbered pages do not know how
    many pages there are (TOTAL is None), so a new article changes its front only, and, one time in
    PAGE_SIZE, adds a numbered page and changes the next older one's link to the newer page.
    """

    items: tuple[Article, ...]
    number: int
    total: int | None
    first_url: str
    url: str
    previous_url: str | None  # the newer page
    next_url: str | None  # the older page

    @property
    def front(self) -> bool:
        """Whether this is the list's own URL, where its newest articles are."""
        return self.url == self.first_url


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: what it is (KIND), its path below the site root, its template and what it shows.

    Kinds: home, article, tags, tag, section, author, archive, year, month, search, 404, redirect. Lists (home,
    tag, section, author, year, month) have a "pager" in their context, an article page and a redirect (at one of
    the article's aliases) its "article".
    """

    kind: str
    url: str
    template: str
    context: Mapping[str, Any]
    output_path: str = field(init=False, repr=False, compare=False)  # where it is written, below the output

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_path", self.url + "index.html" if self.url.endswith("/") or not self.url
                           else self.url)


@dataclass(frozen=True)
class Site:
    """Everything the templates may show, assembled once for the whole build."""

    config: Config
    articles: tuple[Article, ...]
    tags: tuple[Tag, ...]
    years: tuple[Year, ...]
    tags_of: Mapping[str, tuple[Tag, ...]]
    sections: tuple[Section, ...]
    section_of: Mapping[str, Section | None]
    authors: tuple[Author, ...]
    authors_of: Mapping[str, tuple[Author, ...]]
    related: Mapping[str, tuple[Article, ...]]
    older: Mapping[str, Article]
    newer: Mapping[str, Article]
    related_key: str = ""


def paginate(articles: Sequence[Article], first_url: str, page_size: int, stable: bool = False,
             keep: Container[str] | None = None) -> list[Pager]:
    """Split a list into pages, the front first (see Pager); an empty list still gets one (empty) page.
    KEEP: only the pages at these URLs are made."""
    count = len(articles)
    total: int | None
    if stable:
        numbered, total = max(0, count // page_size - 1), None
        spans = [(numbered + 1, 0, count - numbered * page_size)] + [
            (n, count - n * page_size, count - (n - 1) * page_size) for n in range(numbered, 0, -1)]
    else:
        total = max(1, math.ceil(count / page_size))
        spans = [(n, (n - 1) * page_size, n * page_size) for n in range(1, total + 1)]
    urls = [first_url] + [f"{first_url}page/{number}/" for number, _, _ in spans[1:]]
    return [Pager(tuple(articles[start:end]), number, total, first_url, urls[i], urls[i - 1] if i else None,
                  urls[i + 1] if i + 1 < len(urls) else None) for i, (number, start, end) in enumerate(spans)
            if keep is None or urls[i] in keep]


def publishable(articles: Sequence[Article], now: datetime, drafts: bool, future: bool) -> list[Article]:
    """Leave out drafts and articles dated after NOW unless asked to show them."""
    return [a for a in articles if (drafts or not a.draft) and (future or a.date <= now)]


def newest_first(articles: Sequence[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)


def _by_source(articles: Sequence[Article]) -> list[Article]:
    """The order in which the first article naming a tag, section or author gives its name: stable."""
    return sorted(articles, key=lambda a: a.source)


def _members(articles: Sequence[Article], slugs_of: Mapping[str, Sequence[str]]) -> dict[str, list[Article]]:
    """Each slug's articles, in the order of ARTICLES (newest first, so no list needs sorting again)."""
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for slug in slugs_of[article.url]:
            members[slug].append(article)
    return members


def _named(by_source: Iterable[Article], given: Callable[[Article], tuple[str, ...]], slug_of: Callable[[str], str],
           keep_empty: bool = False) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each article's slugs (by URL) for the names it is GIVEN, each once; and each slug's first name as written,
    in the order BY_SOURCE first gives them. Articles given the same names share the work (at 10,000 articles
    20,000 tags come in a few hundred combinations). An empty slug is left out unless KEEP_EMPTY."""
    firsts: dict[str, str] = {}
    known: dict[tuple[str, ...], tuple[str, ...]] = {}
    slugs_of: dict[str, tuple[str, ...]] = {}
    for article in by_source:
        values = given(article)
        slugs = known.get(values)
        if slugs is None:
            found: list[str] = []
            for value in values:
                slug = slug_of(value)
                if (slug or keep_empty) and slug not in found:
                    found.append(slug)
                    firsts.setdefault(slug, value)
            slugs = known[values] = tuple(found)
        slugs_of[article.url] = slugs
    return slugs_of, firsts


def _by_slugs(slugs_of: Mapping[str, tuple[str, ...]], items: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each URL's ITEMS (tags, authors) for its slugs; the same slugs give the very same tuple."""
    shared: dict[tuple[str, ...], tuple[Any, ...]] = {}
    return {url: shared.get(slugs) or shared.setdefault(slugs, tuple([items[s] for s in slugs]))
            for url, slugs in slugs_of.items()}


def resolve_tags(articles: Sequence[Article], config: Config,
                 by_source: Sequence[Article] | None = None) -> tuple[list[Tag], dict[str, tuple[Tag, ...]]]:
    """Tags from front matter (slugs or Arabic names) matched to site.toml; unknown ones still work.

    ARTICLES are newest first; BY_SOURCE, the same sorted by source (made here when not given).
    """
    slugs_of, firsts = _named(_by_source(articles) if by_source is None else by_source, _tags_given,
                              _slugger(config.tags), keep_empty=True)
    members = _members(articles, slugs_of)
    tags = {slug: Tag(slug, config.tags.get(slug, value), tuple(members[slug]))
            for slug, value in firsts.items()}  # in the order named
    ordered = sorted(tags.values(), key=lambda t: (-len(t.articles), normalize(t.name)))
    return ordered, _by_slugs(slugs_of, tags)


def _tags_given(article: Article) -> tuple[str, ...]:
    return article.tags


def _section_given(article: Article) -> tuple[str, ...]:
    return (article.category,) if article.category else ()


def _authors_given(article: Article) -> tuple[str, ...]:
    return article.authors


def _slugger(configured: Mapping[str, str]) -> Callable[[str], str]:
    """What gives a front-matter name its slug: a configured slug as it is, a configured Arabic name (normalised)
    its slug, any other name its own; each name is worked out once."""
    by_name = {normalize(name): slug for slug, name in configured.items()}
    known: dict[str, str] = {}

    def slug_of(value: str) -> str:
        if value not in known:
            known[value] = value if value in configured else by_name.get(normalize(value)) or slugify(value)
        return known[value]
    return slug_of


def _listed_first(slugs: Iterable[str], listed: list[str], names: Mapping[str, str]) -> list[str]:
    """SLUGS in the order site.toml LISTED them, then the others by name (a stable order, not by size)."""
    return sorted(slugs, key=lambda s: (listed.index(s), "") if s in listed else (len(listed), normalize(names[s])))


def resolve_sections(articles: Sequence[Article], config: Config, by_source: Sequence[Article] | None = None
                     ) -> tuple[list[Section], dict[str, Section | None]]:
    """Sections from front-matter category (slugs or Arabic names): site.toml's first, in its order, then the
    others by name; a section without published articles has no page. (ARTICLES, BY_SOURCE: see resolve_tags.)"""
    slugs_of, firsts = _named(_by_source(articles) if by_source is None else by_source, _section_given,
                              _slugger(config.sections))
    names = {slug: config.sections.get(slug, value) for slug, value in firsts.items()}
    members = _members(articles, slugs_of)
    sections = {slug: Section(slug, names[slug], tuple(members[slug]))
                for slug in _listed_first(names, list(config.sections), names)}
    return list(sections.values()), {url: sections[s[0]] if s else None for url, s in slugs_of.items()}


def resolve_authors(articles: Sequence[Article], config: Config, by_source: Sequence[Article] | None = None
                    ) -> tuple[list[Author], dict[str, tuple[Author, ...]]]:
    """Bylines (one name or a list) matched to site.toml's [authors] by slug or Arabic name; agencies are
    recognised by name (site.toml agencies); unknown writers still get a page, named as written.
    (ARTICLES, BY_SOURCE: see resolve_tags.)"""
    configured = {slug: profile.name for slug, profile in config.authors.items()}
    agencies = {normalize(name) for name in config.agencies}
    # The first byline of a slug names it (by source path, so stably).
    slugs_of, firsts = _named(_by_source(articles) if by_source is None else by_source, _authors_given,
                              _slugger(configured))
    names = {slug: configured.get(slug, value) for slug, value in firsts.items()}
    members = _members(articles, slugs_of)
    authors = {}
    for slug in _listed_first(names, list(config.authors), names):
        profile = config.authors.get(slug)
        bio, picture, links = (profile.bio, profile.picture, profile.links) if profile else ("", "", ())
        agency = slug not in configured and normalize(firsts[slug]) in agencies
        authors[slug] = Author(slug, names[slug], bio, picture, links, agency, tuple(members[slug]))
    return list(authors.values()), _by_slugs(slugs_of, authors)


def find_related(articles: Sequence[Article], tags_of: Mapping[str, tuple[Tag, ...]]) -> dict[str, tuple[Article, ...]]:
    """For each article, the others sharing the most tags, newest first.

    An index from every combination of an article's tags to the articles having them all (newest
    first) is walked from the largest combination down; each level only needs the heads of a
    few lists, so a popular tag does not make this quadratic.
    """
    ordered = newest_first(articles)
    slugs = [sorted(t.slug for t in tags_of[a.url]) for a in ordered]
    having: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for position, tags in enumerate(slugs):
        for size in range(1, len(tags) + 1):
            for combination in combinations(tags, size):
                having[combination].append(position)
    related: dict[str, tuple[Article, ...]] = {}
    for position, tags in enumerate(slugs):
        chosen: list[int] = []
        seen = {position}
        for size in range(len(tags), 0, -1):
            for other in heapq.merge(*(having[c] for c in combinations(tags, size))):
                if other not in seen:
                    seen.add(other)
                    chosen.append(other)
                    if len(chosen) == RELATED_COUNT:
                        break
            if len(chosen) == RELATED_COUNT:
                break
        related[ordered[position].url] = tuple(ordered[i] for i in chosen)
    return related


def group_by_date(articles: Sequence[Article]) -> list[Year]:
    """Years and months, newest first, each with its articles newest first."""
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        months[(article.date.year, article.date.month)].append(article)
    years: dict[int, list[Month]] = defaultdict(list)
    for (year, month), items in sorted(months.items(), reverse=True):
        years[year].append(Month(year, month, tuple(items)))
    return [Year(year, tuple(ms), tuple(a for m in ms for a in m.articles)) for year, ms in years.items()]


Related = tuple[Any, dict[str, tuple[str, ...]]]  # what related articles were found from, and them by URL


def related_of(site: Site) -> Related:
    """The related articles of SITE by URL, to hand to the next build's assemble()."""
    return site.related_key, {url: tuple(a.url for a in items) for url, items in site.related.items()}


def _related_key(published: Sequence[Article], tags_of: Mapping[str, tuple[Tag, ...]]) -> str:
    """A digest of everything find_related looks at: each article's place in the order and its tags."""
    return digest_of([(a.url, a.date.isoformat(), a.slug, *[t.slug for t in tags_of[a.url]]) for a in published])


def digest_of(rows: Iterable[Iterable[str]]) -> str:
    """The SHA-256 of ROWS of strings (joined with separators no name holds): cheaper than hashing their repr,
    and smaller to keep than the rows."""
    return hashlib.sha256("\x1e".join(["\x1f".join(row) for row in rows]).encode()).hexdigest()


def assemble(config: Config, articles: Sequence[Article], now: datetime,
             drafts: bool = False, future: bool = False, known: Related | None = None, placed: bool = False) -> Site:
    """Place the publishable articles in the site: order, tags, archives, neighbours.

    KNOWN is the last build's related articles (related_of): when the order and tags are the same,
    they are taken from it instead of being looked for again. PLACED: the caller knows they are (every
    article is placed as in that build: pipeline._placed_as_before), so they are not compared.
    """
    published = newest_first(publishable(articles, now, drafts, future))
    by_source = _by_source(published)
    tags, tags_of = resolve_tags(published, config, by_source)
    sections, section_of = resolve_sections(published, config, by_source)
    authors, authors_of = resolve_authors(published, config, by_source)
    key = known[0] if placed and known is not None else _related_key(published, tags_of)
    places = _Places(tuple(published))
    related = _KnownRelated(places, known[1]) if known is not None and known[0] == key \
        else find_related(published, tags_of)
    return Site(
        config=config,
        articles=places.articles,
        tags=tuple(tags),
        years=tuple(group_by_date(published)),
        tags_of=tags_of,
        sections=tuple(sections),
        section_of=section_of,
        authors=tuple(authors),
        authors_of=authors_of,
        related=related,
        older=_Neighbours(places, 1),
        newer=_Neighbours(places, -1),
        related_key=key,
    )


class _Places:
    """Each published article's place in the order (ARTICLES), worked out when first asked for: routes() asks for
    those of the few articles a build renders (making every article's neighbours and related articles cost an edit at
    10,000 articles 0.015 s)."""

    def __init__(self, articles: tuple[Article, ...]) -> None:
        self.articles = articles
        self._places: dict[str, int] | None = None

    def of(self, url: str) -> int:
        if self._places is None:
            self._places = {a.url: place for place, a in enumerate(self.articles)}
        return self._places[url]


class _Neighbours(Mapping[str, Article]):
    """By URL, the article STEP places on in the order: 1 the next older, -1 the next newer."""

    def __init__(self, places: _Places, step: int) -> None:
        self._places, self._step = places, step

    def __getitem__(self, url: str) -> Article:
        place = self._places.of(url) + self._step
        if not 0 <= place < len(self._places.articles):
            raise KeyError(url)
        return self._places.articles[place]

    def __iter__(self) -> Iterator[str]:
        articles = self._places.articles
        return (a.url for a in (articles[:-1] if self._step > 0 else articles[1:]))

    def __len__(self) -> int:
        return max(0, len(self._places.articles) - 1)


class _KnownRelated(Mapping[str, tuple[Article, ...]]):
    """The related articles an earlier build found (their URLs by URL, as related_of keeps them), as this build's
    articles when asked for."""

    def __init__(self, places: _Places, urls: Mapping[str, tuple[str, ...]]) -> None:
        self._places, self._urls = places, urls

    def __getitem__(self, url: str) -> tuple[Article, ...]:
        articles, of = self._places.articles, self._places.of
        return tuple([articles[of(other)] for other in self._urls[url]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._urls)

    def __len__(self) -> int:
        return len(self._urls)


def _list_pages(kind: str, articles: Sequence[Article], first_url: str, template: str, config: Config,
                keep: Container[str] | None, **context: Any) -> list[Page]:
    return [Page(kind, p.url, template, {"pager": p, **context})
            for p in paginate(articles, first_url, config.page_size, config.pagination == "stable", keep)]


def routes(site: Site, only: Container[str] | None = None) -> list[Page]:
    """Every page of the site, each with the template and context that render it; or those of them whose output
    path is in ONLY (a build that renders a few pages of a site placed as before: 0.05 s less at 10,000 articles)."""
    config = site.config
    keep = None if only is None else {path.removesuffix("index.html") for path in only}  # list pages' URLs
    pages = _list_pages("home", site.articles, "", "index.html", config, keep)
    for article in site.articles:
        if only is not None and article.url + "index.html" not in only:
            continue
        pages.append(Page("article", article.url, article.template, {
            "article": article,
            "tags": site.tags_of[article.url],
            "section": site.section_of[article.url],
            "authors": site.authors_of[article.url],
            "related": site.related[article.url],
            "older": site.older.get(article.url),
            "newer": site.newer.get(article.url),
        }))
    pages.append(Page("tags", "tags/", "tags.html", {"tags": site.tags}))
    for tag in site.tags:
        pages += _list_pages("tag", tag.articles, tag.url, "tag.html", config, keep, tag=tag)
    for section in site.sections:
        pages += _list_pages("section", section.articles, section.url, "section.html", config, keep,
                             section=section)
    for author in site.authors:
        if not author.agency:
            pages += _list_pages("author", author.articles, author.url, "author.html", config, keep, author=author)
    pages.append(Page("archive", "archive/", "archive.html", {"years": site.years}))
    for year in site.years:
        pages += _list_pages("year", year.articles, year.url, "year.html", config, keep, year=year)
        for month in year.months:
            pages += _list_pages("month", month.articles, month.url, "month.html", config, keep, month=month)
    pages.append(Page("search", "search/", "search.html", {}))
    pages.append(Page("404", "404.html", "404.html", {}))
    if any(a.aliases for a in site.articles):
        if only is None:
            pages += _redirect_pages(site, {page.output_path for page in pages})
        else:  # which alias is taken by another page needs every page
            return [page for page in routes(site) if page.output_path in only]
    return pages if only is None else [page for page in pages if page.output_path in only]


def _redirect_pages(site: Site, taken: set[str]) -> list[Page]:
    """A page at each alias of an article that leads to it; an alias already TAKEN is alias_collisions' problem."""
    redirects = []
    for article in sorted(site.articles, key=lambda a: a.source):
        for alias in article.aliases:
            redirect = Page("redirect", alias, "redirect.html", {"article": article})
            if redirect.output_path not in taken:
                taken.add(redirect.output_path)
                redirects.append(redirect)
    return redirects


def placement(article: Article) -> tuple[Any, ...]:
    """What assemble() and routes() place an article by: with these the same, an edit changes only what the
    article's pages and lists show, which the keys of depends.py follow (a preview then keeps its site)."""
    return (article.source, article.slug, article.date, article.draft, article.tags, article.category,
            article.authors, article.template, article.aliases)


def route_shape(site: Site) -> str:
    """A digest of what routes() makes the pages and their contexts from, besides SITE.related_key and the
    config: when both are as in the last build, so is every page's context (pipeline._plan then reuses them)."""
    return digest_of([
        *[(a.source, a.template, section.slug if (section := site.section_of[a.url]) else "",
           *[w.slug for w in site.authors_of[a.url]], "aliases", *a.aliases) for a in site.articles],
        ("tags",), *[(t.slug, t.name, str(len(t.articles))) for t in site.tags],
        ("sections",), *[(s.slug, s.name, str(len(s.articles))) for s in site.sections],
        ("authors",), *[(w.slug, w.name, str(w.agency), str(len(w.articles))) for w in site.authors]])


def alias_collisions(articles: Sequence[Article], pages: Sequence[Page], static_paths: Sequence[str],
                     root: Path) -> list[Problem]:
    """Aliases that cannot become redirect pages: another page's or file's path, or one that two articles claim."""
    if not any(article.aliases for article in articles):
        return []
    owners = {page.output_path: page.context["article"].source if page.kind == "article" else f"the {page.kind} page"
              for page in pages if page.kind != "redirect"}
    owners.update((path, f"content/{path}") for path in static_paths)
    problems = []
    for article in sorted(articles, key=lambda a: a.source):
        for alias in article.aliases:
            path = Page("redirect", alias, "", {}).output_path
            owner = owners.setdefault(path, article.source)
            if owner != article.source:
                problems.append(Problem(article.source, front_matter_line(root / article.source, "aliases"),
                                        f"the alias /{alias} is already the address of {owner}",
                                        "remove that alias, or give the other page another address"))
    return problems


def url_collisions(articles: Sequence[Article], static_paths: Sequence[str]) -> list[Problem]:
    """Two sources that would be published at the same path: a problem naming both."""
    owners: dict[str, list[str]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.source):
        owners[article.url + "index.html"].append(article.source)
    for path in static_paths:
        owners[path].append(f"content/{path}")
    return [Problem(names[1], None,
                    f"{names[0]} and {names[1]} would both be published at /{path.removesuffix('index.html')}",
                    "give one of them another slug: in its front matter")
            for path, names in sorted(owners.items()) if len(names) > 1]

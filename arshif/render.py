"""The Jinja2 environment and its Arabic-aware filters; a page becomes an HTML string, no disk access."""

from __future__ import annotations

import functools
import hashlib
import json
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import hijridate
import jinja2
from jinja2 import meta
from markupsafe import Markup

from . import arabic
from .config import Config
from .content import Article
from .depends import SECTION_LIST, Recorder
from .problems import Problem, display_path
from .site import Author, Page, Section, Site, Tag

if TYPE_CHECKING:
    from .images import Photos

_URL_SAFE = "/#?=&%"


@functools.lru_cache(maxsize=8192)
def _quoted(path: str) -> str:
    """PATH percent-encoded: a page links to the same few hundred paths as the others, and encoding Arabic
    slugs byte by byte took 8% of rendering. Bounded small: a search step that links every article of 100,000
    would otherwise keep 15 MB of them at its peak."""
    return quote(path, safe=_URL_SAFE)


def site_url(config: Config, path: str) -> str:
    """A link to PATH below the site root, under the base path, percent-encoded (Arabic slugs too)."""
    return config.base_path + _quoted(path)


def absolute_url(config: Config, path: str) -> str:
    """The full URL of PATH, for canonical links, feeds and sitemaps; full URLs pass through."""
    if "://" in path:
        return path
    return config.base_url + _quoted(path)


def local_date(moment: datetime, config: Config) -> str:
    """"13 يناير 2020": the Gregorian date in the locale's month names and the chosen digits.

    Babel's pattern "d MMMM y", written out: format_date parses its pattern on every call, which
    cost a cold build of 10,000 articles half a second in the search step alone.
    """
    day = moment.astimezone(config.zone).date()
    month = arabic.locale_facts(config.locale).months[day.month - 1]
    return arabic.to_digits(f"{day.day} {month} {day.year}", config.digits)


def hijri_date(moment: datetime, config: Config) -> str:
    """"18 جمادى الأولى 1441 هـ" by the Umm al-Qura calendar; empty outside its range."""
    day = moment.astimezone(config.zone).date()
    try:
        hijri = hijridate.Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    text = f"{hijri.day} {hijri.month_name('ar')} {hijri.year} {hijri.notation('ar')}"
    return arabic.to_digits(text, config.digits)


def month_name(year: int, month: int, config: Config) -> str:
    """"يناير 2020" for archive headings."""
    return arabic.to_digits(f"{arabic.locale_facts(config.locale).months[month - 1]} {year}", config.digits)


def _script_json(data: Any) -> Markup:
    """DATA as JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def byline_json(author: Author, config: Config) -> dict[str, Any]:
    """A writer as a schema.org Person with their page (as Google's article guidelines ask), an agency as
    an Organization."""
    if author.agency:
        return {"@type": "Organization", "name": author.name}
    data: dict[str, Any] = {"@type": "Person", "name": author.name, "url": absolute_url(config, author.url)}
    if author.links:
        data["sameAs"] = list(author.links)
    return data


def breadcrumb_json(article: Article, section: Section | None, config: Config) -> Markup:
    """schema.org BreadcrumbList: home, the article's section (when it has one), the article."""
    trail = [(config.title, ""), *([(section.name, section.url)] if section else []), (article.title, article.url)]
    return _script_json({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": absolute_url(config, path)}
                            for n, (name, path) in enumerate(trail, start=1)],
    })


def news_article_json(article: Article, tags: Sequence[Tag], config: Config, logo_url: str,
                      section: Section | None = None, authors: Sequence[Author] = (),
                      images: Sequence[str] = ()) -> Markup:
    """schema.org NewsArticle, what news search engines read; safe inside a <script> element.

    IMAGES are the URLs of the article's photo in several shapes (images.Photos.crops)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "inLanguage": config.language,
        "url": absolute_url(config, article.url),
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute_url(config, article.url)},
        "publisher": {"@type": "Organization", "name": config.publisher,
                      "logo": {"@type": "ImageObject", "url": logo_url}},
    }
    if authors:
        data["author"] = [byline_json(author, config) for author in authors]
    if section is not None:
        data["articleSection"] = section.name
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    if images:
        data["image"] = list(images)
    elif article.image:
        data["image"] = [absolute_url(config, article.image)]
    return _script_json(data)


class TemplateProblem(Exception):
    """A template failed; carries the template file and line for the report."""


MEMO_SIZE = 20_000  # results remembered per filter: a page's neighbours and lists are near it in time


def _memo(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Remember results per argument: the same dates are written on many pages of a build.

    Bounded (started afresh past MEMO_SIZE): a rendering worker kept every title's isolated text and
    every date it wrote, so its memory grew with the archive.
    """
    results: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        if value not in results:
            if len(results) >= MEMO_SIZE:
                results.clear()
            results[value] = function(value)
        return results[value]
    return remembered


class RecordingEnvironment(jinja2.Environment):
    """An environment that notes every attribute and item its templates read of site objects.

    Templates reach objects only through getattr and getitem (loops, filters such as map and sort
    included), so what a page showed is known without a list of fields kept by hand.
    """

    recorder: Recorder

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.recorder.note(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.recorder.note(obj, argument)
        return super().getitem(obj, argument)


def make_environment(config: Config, site: Site, assets: Mapping[str, str],
                     compiled: Path | None = None, photos: Photos | None = None) -> RecordingEnvironment:
    """Templates from templates/, autoescaped, strict about undefined names, with the site's helpers.

    COMPILED is a folder where compiled templates are kept between builds (Jinja checks each
    against its source), so an edit does not parse and compile every template again.
    """
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = RecordingEnvironment(
        loader=jinja2.FileSystemLoader(config.templates_dir),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def asset(name: str) -> str:
        if name not in assets:
            raise TemplateProblem(f"unknown asset {name!r}: there is no theme/{name}")
        return site_url(config, assets[name])

    def file_url(path: str) -> str:
        """The link to a file named from the site's folder (an author's picture): theme/ files under their
        hashed names, content/ files where they are published."""
        return asset(path.removeprefix("theme/")) if path.startswith("theme/") else site_url(
            config, path.removeprefix("content/"))

    recorder = env.recorder = Recorder()
    remembered: dict[tuple[str, str], tuple[bytes, tuple[Any, ...]]] = {}

    def once(key: str, macro: Any, *args: Any) -> Any:
        """Render a macro once per KEY in a build: an article's list entry is the same on every list.

        What the macro read is kept with its output and noted again on every page that reuses it. Outputs are
        kept as UTF-8, a third smaller than Python's two bytes a character for Arabic text: at 100,000
        articles each render worker keeps an entry of every article (0.25 GB as text).
        """
        slot = (getattr(macro, "name", ""), key)
        if slot not in remembered:
            outer = recorder.take()
            output = macro(*args)
            reads = recorder.take()
            remembered[slot] = (str(output).encode(), tuple(reads))
            recorder.reads |= outer | reads  # the page that renders it first showed it too
            return output
        output, reads = remembered[slot]
        recorder.reads.update(reads)
        return Markup(output.decode())

    def tags_of(article: Article) -> tuple[Tag, ...]:
        recorder.note(article)
        return site.tags_of[article.url]

    def section_of(article: Article) -> Section | None:
        recorder.note(article)
        return site.section_of[article.url]

    def authors_of(article: Article) -> tuple[Author, ...]:
        recorder.note(article)
        return site.authors_of[article.url]

    def sections() -> tuple[Section, ...]:
        """The site's sections in menu order (which they are is a key of its own)."""
        recorder.reads.add(SECTION_LIST)
        return site.sections

    def article_json(article: Article, tags: Sequence[Tag], section: Section | None = None,
                     authors: Sequence[Author] = ()) -> Markup:
        for value in (article, *tags, *([section] if section else []), *authors):
            recorder.note(value)
        recorder.note(article, "figures")
        return news_article_json(article, tags, config, absolute_url(config, assets.get(config.logo, "")),
                                 section, authors, photos.crops(article) if photos else ())

    def article_breadcrumbs(article: Article, section: Section | None) -> Markup:
        for value in (article, *([section] if section else [])):
            recorder.note(value)
        return breadcrumb_json(article, section, config)

    def lead_photo(article: Article) -> Markup:
        recorder.note(article, "lead")
        return Markup(photos.lead_html(article) if photos else "")

    def photo_card(article: Article) -> dict[str, Any] | None:
        recorder.note(article, "figures")
        return photos.card(article) if photos else None

    env.globals.update(
        once=once,
        config=config,
        tags_of=tags_of,
        section_of=section_of,
        authors_of=authors_of,
        sections=sections,
        asset=asset,
        file_url=file_url,
        url=lambda path: site_url(config, path),
        absolute_url=lambda path: absolute_url(config, path),
        count=lambda n, noun: arabic.count(n, noun, config.locale, config.digits),
        month_name=lambda year, month: month_name(year, month, config),
        plural_forms=lambda noun: json.dumps(arabic.NOUNS[noun], ensure_ascii=False),
        news_article_json=article_json,
        lead_photo=lead_photo,
        photo_card=photo_card,
        breadcrumb_json=article_breadcrumbs,
    )
    env.filters.update(
        date=_memo(lambda moment: local_date(moment, config)),
        hijri=_memo(lambda moment: hijri_date(moment, config)),
        iso=lambda moment: moment.isoformat(),
        number=lambda n: arabic.format_number(n, config.locale, config.digits),
        digits=lambda text: arabic.to_digits(str(text), config.digits),
        bidi=_memo(arabic.isolate_text),
    )
    return env


TemplateRefs = dict[str, frozenset[Any]]


def template_digests(env: jinja2.Environment, known: TemplateRefs | None = None) -> tuple[dict[str, str], TemplateRefs]:
    """Each template's digest together with every template it extends, includes or imports.

    A page is re-rendered when the digest of its template changes; a reference that cannot be
    followed (a name computed at render time) makes the template depend on all of them. KNOWN maps
    a source's digest to what it references, from the last build, so unchanged templates are not
    parsed again; the map for the next build is returned with the digests.
    """
    assert env.loader is not None
    names = env.list_templates()
    sources = {name: env.loader.get_source(env, name)[0] for name in names}
    found_by_source: dict[str, frozenset[Any]] = {}
    references: dict[str, set[str]] = {}
    for name, source in sources.items():
        digest = hashlib.sha256(source.encode()).hexdigest()
        found = (known or {}).get(digest)
        if found is None:
            try:
                found = frozenset(meta.find_referenced_templates(env.parse(source)))
            except jinja2.TemplateSyntaxError:
                found = frozenset()
        found_by_source[digest] = found
        references[name] = set(names) if None in found else {n for n in found if isinstance(n, str)}
    digests = {}
    for name in names:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in closure:
                closure.add(current)
                todo += references.get(current, ())
        text = "\0".join(f"{n}\0{sources.get(n, '')}" for n in sorted(closure))
        digests[name] = hashlib.sha256(text.encode()).hexdigest()
    return digests, found_by_source


def render_page(env: jinja2.Environment, page: Page) -> str:
    """The HTML of one page."""
    return env.get_template(page.template).render(page=page, **page.context)


def template_problem(error: Exception, config: Config, page: Page) -> Problem:
    """Turn a template failure into a problem naming the template file and line."""
    where, line = f"templates/{page.template}", None
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        where, line = display_path(Path(error.filename), config.root), error.lineno
    elif isinstance(error, jinja2.TemplateNotFound):
        return Problem(where, None, f"template {error.name!r} not found in templates/",
                       "create it, or fix the name in the page or {% extends %} that asks for it")
    else:
        templates = str(config.templates_dir.resolve())
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename and str(Path(frame.filename).resolve()).startswith(templates):
                where, line = display_path(Path(frame.filename), config.root), frame.lineno
                break
    message = getattr(error, "message", None) or str(error)
    return Problem(where, line, f"template error: {message}", "fix the template at that line")


def render_all(env: jinja2.Environment, pages: list[Page], config: Config,
               problems: list[Problem]) -> Any:
    """Yield (output path, HTML) for each page; failures go to PROBLEMS, each reported once."""
    for page in pages:
        try:
            yield page.output_path, render_page(env, page)
        except Exception as error:
            problem = template_problem(error, config, page)
            if problem not in problems:
                problems.append(problem)

"""Saved article pages (.html, .htm) into items: main text and metadata by trafilatura, boilerplate by the
[import] patterns of site.toml (see boilerplate.py).

trafilatura rather than readability-lxml: besides the main text it reads the metadata an article needs
(title, author, date through htmldate, tags, categories, canonical URL) from meta tags, JSON-LD and the
page itself, and it scores best of the open extractors in published comparisons; readability finds the
text and a title only. Its fallbacks (readability, jusText) come with it.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from ..arabic import normalize, slugify
from ..config import Config
from ..problems import BuildFailed, Problem, display_path
from .boilerplate import Boilerplate, fold
from .items import Item, Reading, old_path, slug_from_url
from .tomarkdown import html_to_markdown

PAGE_SUFFIXES = (".html", ".htm")
_DATE_META = ("article:published_time", "og:published_time", "datePublished", "date", "pubdate", "dc.date")
_KEEP = frozenset({"html", "body", "main", "article"})


class PageError(Exception):
    """A saved page that gives no article (no text, no date); the others are still imported."""


def read_pages(folder: Path, config: Config, boilerplate: Boilerplate, shown: str) -> Reading:
    """Every saved page below FOLDER; raise BuildFailed when there is none."""
    if not folder.is_dir():
        raise BuildFailed([Problem(shown, None, "not a folder", "give the folder holding the saved .html pages")])
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
    if not files:
        raise BuildFailed([Problem(shown, None, "no .html or .htm pages in this folder",
                                   "save the old site's article pages as HTML (e.g. with wget --mirror) into it")])
    reading = Reading()
    for path in files:
        where = display_path(path, config.root)
        try:
            item = read_page(path, folder, config, boilerplate, reading, where)
        except PageError as error:
            reading.problems.append(Problem(where, None, f"{error}; skipped",
                                            "check that it is an article page, or add the article by hand"))
            continue
        reading.items.append(item)
    return reading


def _meta(tree: Any, *names: str) -> str:
    for name in names:
        for element in tree.iter("meta"):
            if name in (element.get("property"), element.get("name"), element.get("itemprop")):
                value = (element.get("content") or "").strip()
                if value:
                    return value
    return ""


def _published(tree: Any, fallback: str | None, zone: Any) -> datetime | None:
    """The page's publication time from its meta tags or first <time datetime>; else trafilatura's date (a day)."""
    times = [t.get("datetime", "") for t in tree.iter("time") if t.get("datetime")]
    for value in (_meta(tree, *_DATE_META), *times[:1]):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    if fallback:
        try:
            return datetime.combine(datetime.fromisoformat(fallback).date(), time(), zone)
        except ValueError:
            return None
    return None


def _drop_boilerplate_elements(tree: Any, boilerplate: Boilerplate) -> None:
    doomed = [element for element in tree.iter() if isinstance(element.tag, str) and element.tag not in _KEEP
              and boilerplate.element_is_boilerplate(f"{element.get('class', '')} {element.get('id', '')}")]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def read_page(path: Path, folder: Path, config: Config, boilerplate: Boilerplate, reading: Reading,
              where: str) -> Item:
    """One saved page as an item; raise PageError when it holds no article."""
    import lxml.html
    import trafilatura

    data = path.read_bytes()
    try:
        tree = lxml.html.document_fromstring(data)
    except (ValueError, lxml.etree.ParserError) as error:
        raise PageError(f"not an HTML page ({error})") from None
    metadata = trafilatura.extract_metadata(copy.deepcopy(tree), date_config={"extensive_search": False})
    canonical = next((link.get("href", "") for link in tree.iter("link") if link.get("rel") == "canonical"), "") \
        or _meta(tree, "og:url") or (metadata.url or "")
    date = _published(tree, metadata.date, config.zone)
    title = " ".join((_meta(tree, "og:title") or metadata.title or "").split())
    if not title:
        raise PageError("no title found (no og:title, <title> or <h1>)")
    if date is None:
        raise PageError("no publication date found (article:published_time, <time datetime> or a date in the "
                        "page)")
    _drop_boilerplate_elements(tree, boilerplate)
    main = trafilatura.extract(lxml.html.tostring(tree), output_format="html", include_tables=True,
                               include_images=True, include_links=True, include_formatting=True,
                               include_comments=False)
    if not main:
        raise PageError("no article text found")
    tags = list(dict.fromkeys(t.strip() for value in metadata.tags or [] for t in re.split("[,،]", value)
                              if t.strip()))
    category = next((c.strip() for c in (metadata.categories or []) if c.strip()), "")
    body = lxml.html.fragment_fromstring(main, create_parent="div")
    byline = _clean_body(body, boilerplate, {fold(n) for n in (title, *tags, category) if n})
    files = _local_files(body, path, folder, canonical, reading, where)
    authors = [byline] if byline else [
        boilerplate.byline(a) or a.strip() for a in (metadata.author or "").split(";") if a.strip()]
    for name in authors:
        if normalize(name) not in {normalize(a) for a in config.agencies}:
            reading.authors.setdefault(slugify(name), name)
    for name in tags:
        reading.tags.setdefault(slugify(name), name)
    if category:
        reading.sections.setdefault(slugify(category), category)
    alias = old_path(canonical) if canonical else ""
    relative = path.relative_to(folder).as_posix()
    return Item(
        import_id=canonical or f"html:{relative}",
        title=title,
        date=date,
        body=html_to_markdown("".join(lxml.html.tostring(child, encoding="unicode") for child in body)),
        where=where,
        slug=slug_from_url(canonical or relative),
        authors=authors,
        tags=tags,
        category=category,
        aliases=[alias] if alias else [],
        files=files,
    )


def _clean_body(body: Any, boilerplate: Boilerplate, headings: set[str]) -> str:
    """Remove boilerplate paragraphs from the extracted text (in place): a byline, the title, tag or section
    names before the text, share labels, and everything from a "read also" or "breaking" heading on; the
    byline's name is returned."""
    byline = ""
    started = False
    children = list(body)
    for index, child in enumerate(children):
        text = " ".join(child.text_content().split())
        folded = fold(text)
        if not started and (folded in headings or not folded):
            body.remove(child)
            continue
        if not started and not byline and (name := boilerplate.byline(text)):
            byline = name
            body.remove(child)
            continue
        started = True
        if folded in boilerplate.cut_from:
            for rest in children[index:]:
                body.remove(rest)
            break
        if folded in boilerplate.drop_lines:
            body.remove(child)
    return byline


def _local_files(body: Any, page: Path, folder: Path, canonical: str, reading: Reading,
                 where: str) -> dict[str, Path]:
    """Images saved with the page are copied beside the article; other relative links and images are made
    absolute on the old site (from the canonical URL), or, without one, kept as text."""
    files: dict[str, Path] = {}
    for element, attribute in [(e, "src") for e in body.iter("img")] + [(e, "href") for e in body.iter("a")]:
        value = (element.get(attribute) or "").strip()
        if not value or urlsplit(value).scheme in ("http", "https", "mailto") or value.startswith("#"):
            continue
        local = (page.parent / unquote(urlsplit(value).path)).resolve()
        if attribute == "src" and local.is_file() and local.is_relative_to(folder.resolve()):
            files[local.name] = local
            element.set("src", quote(local.name))
        elif canonical:
            element.set(attribute, urljoin(canonical, value))
        elif attribute == "src":
            reading.warnings.append(f"{where}: image {value} ({element.get('alt', '')!r}) was not saved with the "
                                    "page and has no address to point at; left out")
            element.drop_tree()
        else:
            element.drop_tag()
    return files


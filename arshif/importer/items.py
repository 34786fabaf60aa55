"""What every importer hands on: articles read from an old archive, and what it left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..arabic import slugify
from ..problems import Problem


@dataclass
class Item:
    """One article as an old archive has it, ready to be written as Markdown with front matter.

    FILES are the photos and attachments to copy beside the article (name there -> file to copy);
    the body, IMAGE and PHOTOS refer to them by those names.
    """

    import_id: str
    title: str
    date: datetime
    body: str
    where: str
    slug: str = ""
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    category: str = ""
    summary: str = ""
    draft: bool = False
    aliases: list[str] = field(default_factory=list)
    image: str | dict[str, str] = ""
    photos: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    summary_only: bool = False


@dataclass
class Reading:
    """All an importer found in one input: the articles, what it skipped (where, title, reason), the items it
    could not read (reported; the rest are imported), warnings, and the names of tags, sections and authors
    by slug (those site.toml lacks are added to it)."""

    items: list[Item] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)


def old_path(url: str, site_url: str = "") -> str:
    """The path of an old article's URL below its old site's root (SITE_URL), decoded, for aliases:; "" when it
    has a query (?p=12, which a static host cannot serve) or lies on another host."""
    parts, site = urlsplit(url.strip()), urlsplit(site_url.strip())
    if not parts.path.strip("/") or parts.query or (site.netloc and parts.netloc and parts.netloc != site.netloc):
        return ""
    path, prefix = unquote(parts.path), unquote(site.path).rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    return "/" + path.lstrip("/")


def slug_from_url(url: str) -> str:
    """The slug an old URL's last part gives ("/2020/01/13/%d8%a3%d8%b3%d8%b1%d8%a7%d8%b1/" -> "أسرار"); "" for a
    number or an id, which make poor slugs."""
    last = unquote(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
    stem = last.rsplit(".", 1)[0] if last.lower().endswith((".html", ".htm", ".php", ".aspx")) else last
    slug = slugify(stem)
    return "" if not slug or slug.isdigit() else slug

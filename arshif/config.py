"""site.toml into a frozen, typed Config; every problem is reported at once, naming the key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .problems import BuildFailed, Problem

CONFIG_NAME = "site.toml"
DIGIT_SYSTEMS = ("arab", "latn")
PAGINATIONS = ("newest", "stable")
# Bylines that name a news agency, not a person: schema.org Organization, and no author page.
DEFAULT_AGENCIES = ("وكالات", "رويترز", "فرانس برس", "أ ف ب", "أ.ف.ب", "الأناضول", "أسوشيتد برس", "د ب أ",
                    "وكالة الأنباء الألمانية", "شينخوا", "سبوتنيك", "Reuters", "AFP", "AP", "Anadolu")
_AUTHOR_KEYS = {"name": str, "bio": str, "picture": str, "links": list}
PICTURE_FOLDERS = ("theme/", "content/")


@dataclass(frozen=True)
class AuthorProfile:
    """What site.toml says about one author ([authors.<slug>]): the Arabic name, a short bio, a picture
    (a file of theme/ or content/, as "theme/img/salma.jpg"), profile links."""

    name: str
    bio: str = ""
    picture: str = ""
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The site's settings, checked once so the rest of the engine can trust them."""

    root: Path
    title: str
    description: str
    base_url: str
    language: str
    locale: str
    timezone: str
    digits: str
    hijri: bool
    page_size: int
    pagination: str
    summary_length: int
    tags: Mapping[str, str]
    sections: Mapping[str, str]
    authors: Mapping[str, AuthorProfile]
    agencies: tuple[str, ...]
    feeds_items: int
    feeds_full_content: bool
    publisher: str
    logo: str
    precompress: bool | None  # None: site.toml does not say, and where the site goes decides (build_site)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, e.g. "/archive/" (always ends in "/")."""
        return urlsplit(self.base_url).path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def theme_dir(self) -> Path:
        return self.root / "theme"


# key: (python type, default, what a good value looks like)
_SCHEMA: dict[str, tuple[type, Any, str]] = {
    "title": (str, None, 'a string, e.g. title = "أرشيف الأخبار"'),
    "description": (str, "", "a string"),
    "base_url": (str, None, 'an absolute URL, e.g. base_url = "https://example.org/archive/"'),
    "language": (str, "ar", 'a language code, e.g. language = "ar"'),
    "locale": (str, "ar_EG", 'a locale for dates, e.g. locale = "ar_EG" (يناير), "ar_SY" (كانون الثاني)'),
    "timezone": (str, "Africa/Cairo", 'an IANA time zone, e.g. timezone = "Africa/Tripoli"'),
    "digits": (str, "", 'digits = "arab" for ٠١٢٣ or digits = "latn" for 0123'),
    "hijri": (bool, False, "hijri = true or hijri = false"),
    "page_size": (int, 10, "a whole number from 1 up, e.g. page_size = 10"),
    "pagination": (str, "newest", 'pagination = "newest" (page 2 holds the next newest articles) or "stable" (pages '
                                  "are numbered from the oldest and keep their articles, so a new article changes "
                                  "only the first page of each list)"),
    "summary_length": (int, 200, "a whole number of characters, e.g. summary_length = 200"),
    "tags": (dict, {}, 'a table of tag slugs to Arabic names: [tags] libya = "ليبيا"'),
    "sections": (dict, {}, 'a table of section slugs to Arabic names, in menu order: [sections] politics = "سياسة"'),
    "authors": (dict, {}, '[authors.<slug>] tables: name = "سلمى حداد", bio = "...", '
                          'picture = "theme/img/authors/salma.jpg", links = ["https://..."]'),
    "agencies": (list, list(DEFAULT_AGENCIES), 'bylines that are news agencies: agencies = ["وكالات", "رويترز"]'),
    "publisher": (str, "", "the publisher's name for search engines (default: the title)"),
    "logo": (str, "img/logo.png", 'the publisher logo, a file in theme/, e.g. logo = "img/logo.png"'),
    "precompress": (bool, None, "precompress = true writes .gz (and .br) copies of text files, for servers such "
                                "as nginx with gzip_static; false writes none (unset: deploys to a folder or server)"),
    "feeds.items": (int, 50, "[feeds] items = 50: how many articles each feed carries"),
    "feeds.full_content": (bool, True, "[feeds] full_content = true to put whole articles in feeds"),
}
_TABLES = {key.split(".")[0] for key in _SCHEMA if "." in key}
_MAY_BE_UNSET = {"precompress"}  # left out, the build decides (see build.build_site)
OTHER_TABLES = {"import"}  # read by their own command (importer/boilerplate.py), not by builds


def key_line(text: str, key: str) -> int | None:
    """Where a key is set in a TOML text: tomllib keeps no positions, so look for it.

    A dotted key ("authors.salma.bio") is looked for in its own table ([authors.salma]) first.
    """
    lines = text.splitlines()
    parts = key.split(".")

    def header(names: list[str]) -> re.Pattern[str]:
        dotted = r"\s*\.\s*".join(rf"\"?{re.escape(n)}\"?" for n in names)
        return re.compile(rf"^\s*\[\s*{dotted}\s*\]")

    setting = re.compile(rf"^\s*\"?{re.escape(parts[-1])}\"?\s*=")
    for depth in range(len(parts), 0, -1):
        found = next((n for n, line in enumerate(lines) if header(parts[:depth]).match(line)), None)
        if found is None:
            continue
        if depth == len(parts):
            return found + 1
        for number in range(found + 1, len(lines)):
            if lines[number].lstrip().startswith("["):
                break
            if setting.match(lines[number]):
                return number + 1
        return found + 1
    for number, line in enumerate(lines, start=1):
        if setting.match(line) or header(parts[-1:]).match(line):
            return number
    return None


def load_config(root: Path, base_url: str | None = None) -> Config:
    """Read and check ROOT/site.toml; raise BuildFailed listing every problem found."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise BuildFailed([Problem(CONFIG_NAME, None, f"no {CONFIG_NAME} in {root}",
                                   "run Arshif from the site's folder, or pass --root")])
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        raise BuildFailed([Problem(CONFIG_NAME, int(found.group(1)) if found else None,
                                   f"not valid TOML: {error}", "fix the syntax of site.toml")]) from None
    if base_url is not None:
        raw["base_url"] = base_url

    problems: list[Problem] = []
    warnings: list[str] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(CONFIG_NAME, key_line(text, key), f"{key}: {message}", _SCHEMA[key][2]))

    values: dict[str, Any] = {}
    for key, (kind, default, _) in _SCHEMA.items():
        table, _, name = key.rpartition(".")
        section = raw.get(table, {}) if table else raw
        if not isinstance(section, dict):
            problems.append(Problem(CONFIG_NAME, key_line(text, table), f"{table} must be a table",
                                    f"write it as [{table}] followed by its keys"))
            section = {}
        value = section.get(name if table else key, default)
        if value is None and key in _MAY_BE_UNSET:
            values[key] = None
        elif value is None:
            bad(key, "is required")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            bad(key, f"must be {kind.__name__}, not {type(value).__name__}")
        else:
            values[key.replace(".", "_")] = value
    given = {f"{k}.{sub}" for k in _TABLES if isinstance(raw.get(k), dict) for sub in raw[k]}
    for key in sorted((set(raw) - _TABLES - OTHER_TABLES | given) - set(_SCHEMA)):
        warnings.append(f"{CONFIG_NAME}:{key_line(text, key) or '?'}: unknown key {key!r} is ignored")

    if "base_url" in values:
        parts = urlsplit(values["base_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            bad("base_url", f"{values['base_url']!r} is not an absolute http(s) URL")
        else:
            values["base_url"] = values["base_url"].rstrip("/") + "/"
    if "locale" in values:
        try:
            locale = Locale.parse(values["locale"])
            if locale.language != "ar":
                warnings.append(f"{CONFIG_NAME}: locale {values['locale']!r} is not Arabic; "
                                "dates will not use Arabic month names")
            if not values.get("digits"):
                values["digits"] = "arab" if locale.default_numbering_system == "arab" else "latn"
        except (UnknownLocaleError, ValueError):
            bad("locale", f"unknown locale {values['locale']!r}")
    if values.get("pagination", "newest") not in PAGINATIONS:
        bad("pagination", f"{values['pagination']!r} is neither 'newest' nor 'stable'")
    if values.get("digits") and values["digits"] not in DIGIT_SYSTEMS:
        bad("digits", f"{values['digits']!r} is neither 'arab' nor 'latn'")
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            bad("timezone", f"unknown time zone {values['timezone']!r}")
    if "logo" in values and not (root / "theme" / values["logo"]).is_file():
        bad("logo", f"there is no theme/{values['logo']}")
    if not values.get("publisher"):
        values["publisher"] = values.get("title", "")
    for key in ("page_size", "summary_length", "feeds_items"):
        if key in values and values[key] < 1:
            bad(key.replace("feeds_", "feeds."), "must be at least 1")
    for table, what in (("tags", "tag"), ("sections", "section")):
        for slug, name in values.get(table, {}).items():
            if not isinstance(name, str) or not name.strip():
                bad(table, f"{what} {slug!r} needs a non-empty display name")
    if "agencies" in values and not all(isinstance(name, str) and name.strip() for name in values["agencies"]):
        bad("agencies", "every agency must be a non-empty name")
    authors = _author_profiles(values.get("authors", {}), root, text, problems, warnings)

    if problems:
        raise BuildFailed(problems)
    values["tags"] = MappingProxyType(dict(values["tags"]))
    values["sections"] = MappingProxyType(dict(values["sections"]))
    values["authors"] = MappingProxyType(authors)
    values["agencies"] = tuple(name.strip() for name in values["agencies"])
    return Config(root=root, warnings=tuple(warnings), **values)


def _author_profiles(raw: Mapping[str, Any], root: Path, text: str, problems: list[Problem],
                     warnings: list[str]) -> dict[str, AuthorProfile]:
    """The [authors.<slug>] tables, checked: each needs a name; bio is text; a picture is a file of theme/ or
    content/; links are http(s) URLs."""
    hint = _SCHEMA["authors"][2]
    profiles = {}
    for slug, table in raw.items():
        key = f"authors.{slug}"

        def bad(message: str, line_key: str = "", key: str = key) -> None:
            problems.append(Problem(CONFIG_NAME, key_line(text, line_key or key), f"{key}: {message}", hint))

        if not isinstance(table, dict):
            bad(f"must be a table ([{key}] with name = ...), not {type(table).__name__}")
            continue
        for name in sorted(set(table) - set(_AUTHOR_KEYS)):
            warnings.append(f"{CONFIG_NAME}:{key_line(text, f'{key}.{name}') or '?'}: "
                            f"unknown key {key}.{name!r} is ignored (known: {', '.join(_AUTHOR_KEYS)})")
        wrong = [name for name, kind in _AUTHOR_KEYS.items() if name in table and not isinstance(table[name], kind)]
        for name in wrong:
            bad(f"{name} must be {_AUTHOR_KEYS[name].__name__}, not {type(table[name]).__name__}", f"{key}.{name}")
        name = table.get("name")
        if "name" not in wrong and (not isinstance(name, str) or not name.strip()):
            bad("needs a non-empty Arabic name: name = \"...\"")
        links = table.get("links", []) if "links" not in wrong else []
        for link in links:
            parts = urlsplit(link) if isinstance(link, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                bad(f"link {link!r} is not an absolute http(s) URL", f"{key}.links")
        picture = table.get("picture", "").strip().lstrip("/") if "picture" not in wrong else ""
        if picture and (not picture.startswith(PICTURE_FOLDERS) or ".." in picture.split("/")
                        or not (root / picture).is_file()):
            bad(f"picture {picture!r} is not a file in theme/ or content/ (write it from the site's folder, "
                f"e.g. theme/img/authors/{slug}.jpg)", f"{key}.picture")
        if not wrong and isinstance(name, str) and name.strip():
            profiles[slug] = AuthorProfile(name.strip(), table.get("bio", "").strip(), picture, tuple(links))
    return profiles

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
    summary_length: int
    tags: Mapping[str, str]
    feeds_items: int
    feeds_full_content: bool
    publisher: str
    logo: str
    precompress: bool
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
    "summary_length": (int, 200, "a whole number of characters, e.g. summary_length = 200"),
    "tags": (dict, {}, 'a table of tag slugs to Arabic names: [tags] libya = "ليبيا"'),
    "publisher": (str, "", "the publisher's name for search engines (default: the title)"),
    "logo": (str, "img/logo.png", 'the publisher logo, a file in theme/, e.g. logo = "img/logo.png"'),
    "precompress": (bool, True, "precompress = true writes .gz (and .br) copies of text files for static hosts"),
    "feeds.items": (int, 50, "[feeds] items = 50: how many articles each feed carries"),
    "feeds.full_content": (bool, True, "[feeds] full_content = true to put whole articles in feeds"),
}
_TABLES = {key.split(".")[0] for key in _SCHEMA if "." in key}


def key_line(text: str, key: str) -> int | None:
    """Where a key is set in a TOML text: tomllib keeps no positions, so look for it."""
    key = key.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*(\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
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
        if value is None:
            bad(key, "is required")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            bad(key, f"must be {kind.__name__}, not {type(value).__name__}")
        else:
            values[key.replace(".", "_")] = value
    given = {f"{k}.{sub}" for k in _TABLES if isinstance(raw.get(k), dict) for sub in raw[k]}
    for key in sorted((set(raw) - _TABLES | given) - set(_SCHEMA)):
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
    for slug, name in values.get("tags", {}).items():
        if not isinstance(name, str) or not name.strip():
            bad("tags", f"tag {slug!r} needs a non-empty display name")

    if problems:
        raise BuildFailed(problems)
    values["tags"] = MappingProxyType(dict(values["tags"]))
    return Config(root=root, warnings=tuple(warnings), **values)

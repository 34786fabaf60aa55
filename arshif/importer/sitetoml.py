"""Adding the tags, sections and authors an import brought to site.toml, as text: its comments, order and
formatting stay exactly as they were, and the result is parsed again before it is written."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping

from ..arabic import normalize

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)


def new_names(wanted: Mapping[str, str], known: Mapping[str, str]) -> dict[str, str]:
    """The slugs and names of WANTED that KNOWN (site.toml's table) has neither by slug nor by name."""
    names = {normalize(name) for name in known.values() if isinstance(name, str)}
    return {slug: name for slug, name in wanted.items() if slug not in known and normalize(name) not in names}


def _table_end(lines: list[str], table: str) -> int | None:
    """The index after the last key line of [TABLE] (before the blank lines and comments that lead to the next
    table); None when the file has no [TABLE] header."""
    header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$")
    start = next((n for n, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return None
    end = start + 1
    for number in range(start + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped.startswith("["):
            break
        if stripped and not stripped.startswith("#"):
            end = number + 1
    return end


def add_names(text: str, tags: Mapping[str, str], sections: Mapping[str, str],
              authors: Mapping[str, str]) -> str:
    """TEXT (site.toml) with new [tags] and [sections] keys at the end of their tables (the tables made at the
    end when missing) and an [authors.<slug>] table per new author; raise ValueError if the result would not
    be what was meant (a table written inline, say), so the caller writes nothing."""
    lines = text.split("\n")
    for table, names in (("tags", tags), ("sections", sections)):
        if not names:
            continue
        added = [f"{toml_key(slug)} = {toml_string(name)}" for slug, name in names.items()]
        end = _table_end(lines, table)
        if end is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ["", f"[{table}]", *added, ""]
        else:
            lines[end:end] = added
    result = "\n".join(lines)
    if authors:
        result = result.rstrip("\n") + "\n" + "".join(
            f"\n[authors.{toml_key(slug)}]\nname = {toml_string(name)}\n" for slug, name in authors.items())
    if not result.endswith("\n"):
        result += "\n"
    try:
        parsed = tomllib.loads(result)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"adding them would make site.toml invalid ({error})") from None
    for table, names in (("tags", tags), ("sections", sections)):
        if any(parsed.get(table, {}).get(slug) != name for slug, name in names.items()):
            raise ValueError(f"[{table}] is not written as a table of its own")
    if any(parsed.get("authors", {}).get(slug, {}).get("name") != name for slug, name in authors.items()):
        raise ValueError("[authors] is not written as tables of their own")
    return result

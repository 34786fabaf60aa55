"""Imported items into content/<year>/<slug>.md: front matter, the files beside them, and what a second
import of the same archive changes (an import_id per article; nothing is duplicated).

Each written file records `import_digest:`, the digest of what the import wrote. On the next import an
article whose source is the same is left alone (unchanged), one whose source changed is written again
(updated), unless it was edited here since: then it is skipped, so an editor's work is never lost.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from ..arabic import slugify
from ..config import Config
from ..content import ArticleError, parse_front_matter, split_front_matter
from .items import Item

_IMPORT_ID = re.compile(r"^import_id:", re.MULTILINE)
_DIGEST_LINE = re.compile(r"^import_digest: *(\S*) *\n", re.MULTILINE)


@dataclass
class Action:
    """What the import does for one item: "new", "updated", "unchanged" or "skipped" (edited here)."""

    kind: str
    item: Item
    path: Path
    text: str = ""
    copies: dict[Path, Path] = field(default_factory=dict)  # destination -> source


def existing_imports(content: Path) -> dict[str, tuple[Path, str]]:
    """Articles of content/ written by an import: by import id, their file and text."""
    found: dict[str, tuple[Path, str]] = {}
    for path in sorted(content.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            if not _IMPORT_ID.search(text.split("\n---", 1)[0] if text.startswith("---") else ""):
                continue
            meta, _lines = parse_front_matter(split_front_matter(text)[0])
        except (OSError, UnicodeDecodeError, ArticleError):
            continue
        if meta.get("import_id"):
            found.setdefault(str(meta["import_id"]), (path, text))
    return found


def _yaml_line(key: str, value: Any) -> str:
    """KEY: VALUE as YAML: lists on one line ([ليبيا, روسيا]), mappings as blocks."""
    if isinstance(value, list):
        return f"{key}: " + yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True).strip()
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10_000,
                          default_flow_style=False).rstrip("\n")


def article_text(item: Item, config: Config) -> str:
    """The Markdown file for ITEM, without its import_digest line."""
    zone = config.zone
    lines = [_yaml_line("title", item.title), f"date: {item.date.astimezone(zone):%Y-%m-%d %H:%M}"]
    if item.updated and item.updated > item.date:
        lines.append(f"updated: {item.updated.astimezone(zone):%Y-%m-%d %H:%M}")
    values: list[tuple[str, Any]] = [
        ("author", item.authors[0] if len(item.authors) == 1 else item.authors),
        ("category", item.category), ("tags", item.tags), ("summary", item.summary), ("draft", item.draft or None),
        ("image", item.image), ("photos", item.photos), ("aliases", item.aliases),
        ("summary_only", item.summary_only or None), ("import_id", item.import_id),
    ]
    lines += [_yaml_line(key, value) for key, value in values if value]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + item.body.strip() + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def with_digest(text: str) -> str:
    """TEXT with its import_digest line at the end of the front matter."""
    head, _, body = text.partition("\n---\n")
    return f"{head}\nimport_digest: {_digest(text)}\n---\n{body}"


def _recorded(text: str) -> tuple[str, str | None]:
    """A written file's text without its import_digest line, and the digest it records (None: no line)."""
    found = _DIGEST_LINE.search(text)
    return (text, None) if found is None else (text[:found.start()] + text[found.end():], found.group(1))


def _free_name(name: str, source: Path, folder: Path, slug: str, taken: dict[Path, Path]) -> str:
    """NAME, unless another file has it in FOLDER: then the article's slug before it."""
    for candidate in (name, f"{slug}-{name}"):
        target = folder / candidate
        owner = taken.get(target)
        if owner == source or (owner is None and (not target.exists() or _same_file(target, source))):
            return candidate
    return f"{slug}-{_digest(str(source))[:6]}-{name}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _rename_files(item: Item, renames: dict[str, str]) -> None:
    """Point the body, image: and photos: of ITEM at the names its files got beside the article."""
    for old, new in renames.items():
        item.body = item.body.replace(f"]({quote(old)})", f"]({quote(new)})").replace(
            f"]({quote(old)} ", f"]({quote(new)} ")
        if isinstance(item.image, dict) and item.image.get("src") == old:
            item.image["src"] = new
        elif item.image == old:
            item.image = new
        if old in item.photos:
            item.photos[new] = item.photos.pop(old)
    item.files = {renames.get(name, name): source for name, source in item.files.items()}


def plan(items: list[Item], config: Config) -> list[Action]:
    """What to do for each item, given what content/ holds: new files get a free content/<year>/<slug>.md,
    known ones (by import id) keep their file."""
    known = existing_imports(config.content_dir)
    used = {path for path, _ in known.values()}
    taken: dict[Path, Path] = {}
    actions = []
    for item in items:
        slug = slugify(item.slug or item.title) or "article"
        previous = known.get(item.import_id)
        if previous is not None:
            path = previous[0]
        else:
            folder = config.content_dir / str(item.date.astimezone(config.zone).year)
            path = folder / f"{slug}.md"
            number = 1
            while path in used or path.exists():
                number += 1
                path = folder / f"{slug}-{number}.md"
            used.add(path)
        item.slug = path.stem
        renames = {}
        for name, source in item.files.items():
            free = _free_name(name, source, path.parent, path.stem, taken)
            taken[path.parent / free] = source
            if free != name:
                renames[name] = free
        _rename_files(item, renames)
        text = article_text(item, config)
        copies = {path.parent / name: source for name, source in item.files.items()}
        if previous is None:
            actions.append(Action("new", item, path, with_digest(text), copies))
            continue
        current, recorded = _recorded(previous[1])
        if recorded == _digest(text):
            actions.append(Action("unchanged", item, path))
        elif recorded is not None and recorded != _digest(current):
            actions.append(Action("skipped", item, path))
        else:
            actions.append(Action("updated", item, path, with_digest(text), copies))
    return actions


def apply(actions: list[Action]) -> None:
    """Write the files of the new and updated articles and copy what goes beside them."""
    for action in actions:
        if action.kind not in ("new", "updated"):
            continue
        action.path.parent.mkdir(parents=True, exist_ok=True)
        for target, source in action.copies.items():
            if not target.exists() or not _same_file(target, source):
                shutil.copyfile(source, target)
        partial = action.path.with_name(f".{action.path.name}.partial")  # a dot: no build publishes it
        partial.write_text(action.text, encoding="utf-8")
        partial.replace(action.path)

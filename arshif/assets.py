"""Theme files under content-hashed names, so a static host can cache them forever."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = "assets"
UNHASHED_SUFFIXES = {".txt", ".md"}
_CSS_URL = re.compile(r'url\("([^"#?:]+)"\)')


@dataclass(frozen=True)
class Assets:
    """Theme files ready to write: output path to bytes, and theme name to output path."""

    files: dict[str, bytes]
    names: dict[str, str]


def hashed_name(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def collect_assets(theme_dir: Path) -> Assets:
    """Read theme/; CSS last, with its url("...") references rewritten to the hashed names."""
    sources = sorted(p for p in theme_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for path in sorted(sources, key=lambda p: (p.suffix == ".css", p.as_posix())):
        name = path.relative_to(theme_dir).as_posix()
        data = path.read_bytes()
        if path.suffix == ".css":
            data = _rewrite_css(data.decode("utf-8"), name, names).encode("utf-8")
        out = name if path.suffix in UNHASHED_SUFFIXES else hashed_name(name, data)
        names[name] = f"{ASSETS_DIR}/{out}"
        files[f"{ASSETS_DIR}/{out}"] = data
    return Assets(files, names)


def _rewrite_css(css: str, name: str, names: dict[str, str]) -> str:
    folder = posixpath.dirname(name)

    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(folder, match.group(1)))
        if target not in names:
            return match.group(0)
        relative = posixpath.relpath(names[target], posixpath.join(ASSETS_DIR, folder))
        return f'url("{relative}")'

    return _CSS_URL.sub(replace, css)

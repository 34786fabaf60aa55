"""Which photos an article shows, and the words that go with them: read at parse time, from the
front matter (`image:`, `photos:`) and the body's images. Pillow never runs here (see images.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

# The raster formats that get responsive variants; others (SVG, GIF) are published as they are.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
TEXT_KEYS = ("alt", "caption", "credit")

_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
# A photo alone in its paragraph (becomes a <figure>), or any other image.
_IMAGES = re.compile(r"<p>(<img\b[^>]*>)</p>|(<img\b[^>]*>)")


@dataclass(frozen=True)
class Figure:
    """A photo an article shows: its file below content/ ("2020/harbour.jpg") and its words."""

    path: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


def is_photo(path: str) -> bool:
    return path.lower().endswith(PHOTO_SUFFIXES)


def attributes(tag: str) -> dict[str, str]:
    """The attributes of one HTML start tag, entities decoded."""
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}


def local_photo(src: str, base_path: str) -> str:
    """The content path of an image URL of this site (under BASE_PATH), or "" for any other image."""
    if src.startswith("//") or not src.startswith(base_path):
        return ""
    path = unquote(src[len(base_path):].partition("#")[0].partition("?")[0])
    return path if is_photo(path) else ""


def text_keys(value: Any, where: str) -> dict[str, str]:
    """alt/caption/credit of a front-matter mapping, checked; raise ValueError saying what is wrong."""
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a mapping with {', '.join(TEXT_KEYS)}")
    unknown = sorted(str(k) for k in value if k not in TEXT_KEYS)
    if unknown:
        raise ValueError(f"{where} has unknown keys {', '.join(unknown)} (known: {', '.join(TEXT_KEYS)})")
    found = {}
    for key in TEXT_KEYS:
        text = value.get(key)
        if text is not None and not isinstance(text, (str, int, float)):
            raise ValueError(f"{where}: {key} must be text")
        found[key] = "" if text is None else str(text).strip()
    return found


def caption_html(caption: str, credit: str) -> str:
    """The <figcaption> of a photo, empty when it has neither caption nor credit."""
    if not caption and not credit:
        return ""
    credit_html = f'<span class="credit">{html.escape(credit)}</span>' if credit else ""
    return f"<figcaption>{html.escape(caption)}{' ' if caption and credit else ''}{credit_html}</figcaption>"


def body_figures(body_html: str, base_path: str, words: dict[str, dict[str, str]]) -> tuple[str, list[Figure]]:
    """The body with each photo standing alone in its paragraph made a <figure> with its caption, and
    every photo of this site the body shows, in order.

    WORDS gives captions and credits by content path (the front matter's `photos:`); an image's
    Markdown title is its caption otherwise.
    """
    figures: list[Figure] = []

    def note(tag: str) -> Figure | None:
        found = attributes(tag)
        path = local_photo(found.get("src", ""), base_path)
        if not path:
            return None
        extra = words.get(path, {})
        figure = Figure(path, extra.get("alt") or found.get("alt", ""),
                        extra.get("caption") or found.get("title", ""), extra.get("credit", ""))
        figures.append(figure)
        return figure

    def each(match: re.Match[str]) -> str:
        if match.group(1) is None:
            note(match.group(2))
            return match.group(0)
        figure = note(match.group(1))
        if figure is None:
            return match.group(0)
        tag = re.sub(r'\s(?:title|alt)="[^"]*"', "", match.group(1)).replace(
            "<img", f'<img alt="{html.escape(figure.alt)}"', 1)
        return f'<figure class="photo">{tag}{caption_html(figure.caption, figure.credit)}</figure>'

    return _IMAGES.sub(each, body_html), figures

"""Small throwaway sites built with the project's own templates and theme, for the tests."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from arshif.build import BuildReport, build_site

PROJECT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("Africa/Cairo"))

BASE_CONFIG = """\
title = "موقع تجريبي"
description = "موقع للاختبار"
base_url = "https://example.org/"
locale = "ar_EG"
timezone = "Africa/Cairo"
digits = "arab"
hijri = true
page_size = 3

[tags]
libya = "ليبيا"
russia = "روسيا"
turkey = "تركيا"
"""


def article(title: str = "عنوان", date: str = "2020-01-13 12:00", body: str = "فقرة أولى.", **keys: str) -> str:
    """The text of an article file with the given front-matter keys (values are YAML as written)."""
    lines = [f'title: "{title}"', f"date: {date}"] + [f"{k}: {v}" for k, v in keys.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"


class SiteMaker:
    """A site folder in tmp_path with the project's templates and theme, and helpers to fill it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(PROJECT / "templates", root / "templates")
        shutil.copytree(PROJECT / "theme", root / "theme")
        (root / "content").mkdir()
        self.config(BASE_CONFIG)

    def config(self, text: str) -> None:
        (self.root / "site.toml").write_text(text, encoding="utf-8")

    def add(self, relative: str, text: str | bytes) -> Path:
        path = self.root / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, **options: object) -> BuildReport:
        options.setdefault("now", NOW)
        return build_site(self.root, **options)  # type: ignore[arg-type]

    @property
    def out(self) -> Path:
        return self.root / "build"

    def page(self, url_path: str) -> str:
        """The HTML a reader gets at URL_PATH (e.g. "2020/slug/")."""
        target = self.out / url_path
        if url_path == "" or url_path.endswith("/"):
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


def photo(width: int = 800, height: int = 600, kind: str = "JPEG", color: tuple[int, int, int] = (180, 90, 40),
          exif: object = None) -> bytes:
    """A small real picture made with Pillow: a colour field with a darker band (so crops differ)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).rectangle((0, height // 3, width // 2, height // 2), fill=(20, 40, 90))
    out = io.BytesIO()
    options: dict[str, object] = {"exif": exif} if exif is not None else {}
    image.save(out, kind, **options)
    return out.getvalue()

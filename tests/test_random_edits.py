"""Random sequences of edits: after every one, the incremental build equals a cold build, byte for byte.

The cache re-renders a page only when a digest of what it shows changes, and what it shows depends on
the templates, which may start (or stop) showing any field of an article or of a list's context at any
time. test_incremental.py checks one edit of each kind, once; here seeded random sequences mix them,
so that edits meet: a list template starts showing a field, then that field changes in one article,
then the template stops showing it. A failure names the seed, the step and every step before it.
"""

from __future__ import annotations

import difflib
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import arshif.content
import arshif.pipeline
from arshif.arabic import to_digits
from arshif.build import BuildSession, build_site
from arshif.problems import BuildFailed
from tests.sitekit import NOW, SiteMaker, article, photo
from tests.test_incremental import tree

SEEDS = (1, 2, 3, 4)
STEPS = 12

WORDS = ("أعلنت", "الحكومة", "اليوم", "عن", "خطة", "جديدة", "لدعم", "الاقتصاد", "في", "المدن", "الساحلية",
         "بعد", "اجتماع", "طويل", "مع", "الوزراء", "والخبراء", "وممثلي", "النقابات", "وقال", "المتحدث", "إن",
         "المفاوضات", "ستستمر", "خلال", "الأسبوع", "المقبل", "في", "العاصمة")
TAG_POOL = ("libya", "russia", "turkey", '"ليبيا"', '"روسيا"', '"تركيا"', "economy", '"الطاقة المتجددة"', '"مصر"')
TAG_NAMES = {"libya": ("ليبيا", "ليبيا الجديدة"), "russia": ("روسيا", "روسيا الاتحادية"),
             "turkey": ("تركيا", "الجمهورية التركية")}
FOLDERS = ("2019", "2020", "2021")
# Categories and bylines as front matter writes them: Arabic names, slugs, unlisted names, agencies.
SECTION_POOL = ("سياسة", "اقتصاد", "رياضة", "politics", '"ثقافة"', '"شؤون دولية"')
AUTHOR_POOL = ('"سلمى حداد"', "salma", '"نادر المصراتي"', '"وكالات"', '"رويترز"', '"مراسلنا في طرابلس"', '"Reuters"')
# site.toml's [sections] and [authors.<slug>] as the edits may set them.
SECTION_NAMES = {"politics": ("سياسة", "السياسة"), "economy": ("اقتصاد", "الاقتصاد"), "sports": ("رياضة", "الرياضة")}
AUTHOR_PROFILES = {"salma": ("سلمى حداد", "سلمى الحداد"), "nader": ("نادر المصراتي", "نادر")}

# What a list entry (templates/_macros.html, macro entry) may start showing, and later stop showing.
ENTRY_ANCHOR = '<p class="summary">{{ article.summary|bidi }}</p>\n'
ENTRY_FIELDS = {
    "kicker": '    <p class="kicker">{{ article.extra.get("kicker", "") }}</p>\n',
    "minutes": '    <span class="mins">{{ article.reading_minutes }}</span>\n',
    "words": '    <span class="words">{{ article.words }}</span>\n',
    "author": '    <span class="by">{{ article.author }}</span>\n',
    "category": '    <span class="category">{{ article.category }}</span>\n',
    "section": '    <span class="section">{{ (section_of(article) or article).slug }}</span>\n',
    "corrections": '    <span class="fixes">{{ article.corrections|length }} {{ article.modified }}</span>\n',
    "updated": '    <span class="updated">{{ article.updated }}</span>\n',
    "template": '    <span class="template">{{ article.template }}</span>\n',
}
# What other list pages may start showing of their context: (template, anchor, what follows it).
LIST_PROBES = {
    "tags newest title": ("tags.html", "{{ count(tag.articles|length, 'article') }}</span>",
                          ' <span class="newest">{{ tag.articles[0].title }}</span>'),
    "tag oldest title": ("tag.html", "{{ lead_count(pager, tag.articles) }}\n",
                         '<p class="oldest">{{ tag.articles[-1].title }}</p>\n'),
    "archive newest title": ("archive.html", "</h2>\n", '  <p class="newest">{{ year.articles[0].title }}</p>\n'),
    "section oldest title": ("section.html",
                             "{{ lead_count(pager, section.articles) }}\n",
                             '<p class="oldest">{{ section.articles[-1].title }}</p>\n'),
    "author newest title": ("author.html",
                            "{{ lead_count(pager, author.articles) }}\n",
                            '<p class="newest">{{ author.articles[0].title }} {{ author.bio }}</p>\n'),
}


# Each kind of edit and how often it comes; every kind is also in the share of one seed (see share).
WEIGHTS = {
    "body": 4, "title": 3, "kicker": 4, "summary": 2, "author": 2, "category": 4, "updated": 1, "draft": 2,
    "tags": 3, "date": 3, "add article": 2, "delete article": 2, "rename article": 2, "static file": 2,
    "unused template": 2, "article template": 2, "alt template": 2, "list entry field": 5, "list page probe": 3,
    "site.toml": 2, "theme css": 1, "photo": 6, "authors": 4, "corrections": 3, "site.toml sections": 2,
    "site.toml authors": 2, "new section": 2, "aliases": 3,
}


def share(seed: int) -> list[str]:
    """The kinds of edit the sequence of SEED makes at least once: together, the seeds make them all."""
    return sorted(WEIGHTS)[SEEDS.index(seed)::len(SEEDS)] if seed in SEEDS else []


@dataclass
class Source:
    """One article file as the test wrote it: front-matter keys other than title and date are YAML text."""

    path: str
    title: str
    date: str
    body: str
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return Path(self.path).stem

    def text(self) -> str:
        return article(self.title, self.date, self.body, **self.keys)


@dataclass(frozen=True)
class Step:
    """One edit: what it does, in words for the failure message, and the function that does it."""

    kind: str
    description: str
    apply: Callable[[SiteMaker], None]


class RandomSite:
    """A SiteMaker and a model of what the test put in it, from which random valid edits are drawn.

    Every written file gets a modification time one second after the previous write (the engine
    trusts size and mtime_ns, and two writes in one clock tick could leave the same pair). Every
    article file has its own stem, so no two articles ever share a URL (year and slug). The
    sequence of SEED makes every kind of edit in share(SEED) at least once.
    """

    def __init__(self, site: SiteMaker, seed: int) -> None:
        self.site = site
        self.rng = random.Random(seed)
        self.required = share(seed)
        self.sources: dict[str, Source] = {}
        self.statics: dict[str, bytes] = {}
        self.counter = 0
        self.clock = max(p.stat().st_mtime_ns for p in site.root.rglob("*") if p.is_file())
        self.originals = {name: (site.root / "templates" / name).read_text(encoding="utf-8")
                          for name in ("_macros.html", "tags.html", "tag.html", "archive.html", "article.html",
                                       "section.html", "author.html")}
        self.entry_fields: list[str] = []
        self.probes: list[str] = []
        self.page_size = 3
        self.pagination = "stable" if seed % 2 == 0 else "newest"  # half the seeds edit a stable site throughout
        self.digits = "arab"
        self.tag_names = {slug: names[0] for slug, names in TAG_NAMES.items()}
        self.section_names = {slug: names[0] for slug, names in SECTION_NAMES.items() if slug != "sports"}
        self.profiles = {"salma": (AUTHOR_PROFILES["salma"][0], "محررة الثقافة")}
        self.alt_marker = ""
        self.unused_marker = ""
        self.css_rules = 0
        self.photos: dict[str, bytes] = {}  # photos beside articles ("2020/ph3.jpg"), shown by some of them
        self.drawn: set[str] = set()

    # Files

    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def bump(self, path: Path) -> None:
        self.clock += 1_000_000_000
        os.utime(path, ns=(self.clock, self.clock))

    def write(self, path: Path, data: str | bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        self.bump(path)

    def save(self, source: Source) -> None:
        self.sources[source.path] = source
        self.write(self.site.root / "content" / source.path, source.text())

    def save_template(self, name: str) -> None:
        text = self.originals[name]
        if name == "_macros.html":
            assert ENTRY_ANCHOR in text
            for shown in self.entry_fields:
                text = text.replace(ENTRY_ANCHOR, ENTRY_ANCHOR + ENTRY_FIELDS[shown], 1)
        for probe in self.probes:
            template, anchor, addition = LIST_PROBES[probe]
            if template == name:
                assert anchor in text, (name, anchor)
                text = text.replace(anchor, anchor + addition, 1)
        self.write(self.site.root / "templates" / name, text)

    def save_config(self) -> None:
        tags = "".join(f'{slug} = "{name}"\n' for slug, name in self.tag_names.items())
        sections = "".join(f'{slug} = "{name}"\n' for slug, name in self.section_names.items())
        authors = "".join(f'\n[authors.{slug}]\nname = "{name}"\nbio = "{bio}"\n'
                          for slug, (name, bio) in self.profiles.items())
        self.write(self.site.root / "site.toml", f"""\
title = "موقع تجريبي"
description = "موقع للاختبار"
base_url = "https://example.org/"
locale = "ar_EG"
timezone = "Africa/Cairo"
digits = "{self.digits}"
hijri = true
page_size = {self.page_size}
pagination = "{self.pagination}"

[tags]
{tags}
[sections]
{sections}{authors}""")

    # Random values

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def body(self) -> str:
        """One to three paragraphs; long enough, at times, for a reading time of two or three minutes."""
        size = self.rng.choice((4, 25, 70, 330, 650))
        paragraphs = self.rng.randint(1, 3)
        return "\n\n".join(self.words(max(1, size // paragraphs)) + "." for _ in range(paragraphs))

    def date(self) -> str:
        roll = self.rng.random()
        if roll < 0.15:  # just before or after NOW, or well after it: future articles are left out
            return self.rng.choice(("2026-11-29 11:00", "2026-11-29 13:00", "2027-02-01 09:00"))
        text = (f"{self.rng.choice(FOLDERS)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d} "
                f"{self.rng.randint(0, 23):02d}:{self.rng.choice((0, 15, 30, 45)):02d}")
        return to_digits(text, "arab") if roll > 0.9 else text

    def tags(self) -> str:
        chosen = self.rng.sample(TAG_POOL, self.rng.randint(0, 3))
        if self.rng.random() < 0.2:
            chosen.append(f'"وسم {self.fresh()}"')
        return "[" + ", ".join(chosen) + "]"

    def bylines(self) -> str | None:
        """None (no author), one name, or a list of two or three (agencies among them at times)."""
        roll = self.rng.random()
        if roll < 0.15:
            return None
        if roll < 0.6:
            return self.rng.choice(AUTHOR_POOL)
        return "[" + ", ".join(self.rng.sample(AUTHOR_POOL, self.rng.randint(2, 3))) + "]"

    def category(self) -> str:
        """A category from the pool or, at times, a section no article had (so the menu changes)."""
        return f'"قسم {self.fresh()}"' if self.rng.random() < 0.4 else self.rng.choice(SECTION_POOL)

    def corrections(self) -> str | None:
        """None, or one or two corrections, dated before or after the article's update (or NOW)."""
        count = self.rng.choice((0, 1, 1, 2))
        if not count:
            return None
        items = [f'{{date: "{self.rng.choice(("2021-03-04 10:00", "2025-12-30 08:30", "2026-01-03", "2027-01-05"))}", '
                 f'text: "تصحيح {self.words(3)} {self.fresh()}"}}' for _ in range(count)]
        return "[" + ", ".join(items) + "]"

    def pick(self) -> Source:
        return self.sources[self.rng.choice(sorted(self.sources))]

    def new_source(self, path: str) -> Source:
        source = Source(path, f"مقال {self.words(3)}", self.date(), self.body(), {"tags": self.tags()})
        for key, value in (("author", self.bylines()), ("category", self.category()),
                           ("kicker", '"عاجل"'), ("corrections", self.corrections())):
            if value is not None and self.rng.random() < 0.4:
                source.keys[key] = value
        return source

    # The first site

    def populate(self) -> None:
        """Ten articles over two years, several tags, some with author, category and kicker, two with a photo;
        lists show some fields."""
        for n in range(1, 11):
            year = 2020 if n <= 6 else 2021
            source = Source(f"{year}/a{n}.md", f"مقال {n}", f"{year}-{1 + n % 4:02d}-{10 + n} 10:00",
                            f"الفقرة الأولى من المقال {n}.\n\n{self.words(10 + 40 * (n % 3))}.",
                            {"tags": ["[libya, russia]", "[turkey]", '["ليبيا"]', "[economy, libya]"][n % 4]})
            if n % 3 == 0:
                source.keys["author"] = '"مراسلنا"'
            elif n % 3 == 1:
                source.keys["author"] = ['"سلمى حداد"', '["نادر المصراتي", "وكالات"]', "salma", '"رويترز"'][n % 4]
            if n % 4 == 1:
                source.keys["category"] = "اقتصاد"
            elif n % 4 == 2:
                source.keys["category"] = SECTION_POOL[n % len(SECTION_POOL)]
            elif n in (3, 8):  # sections of one article: a delete, draft or date edit can empty them
                source.keys["category"] = f'"قسم {n}"'
            if n % 5 == 0:
                source.keys["corrections"] = f'[{{date: "2025-0{n % 9 + 1}-02 09:00", text: "تصحيح أول {n}"}}]'
            if n % 5 == 2:
                source.keys["kicker"] = '"تحليل"'
            self.save(source)
        for path, shown_by in (("2020/ph-a.jpg", "2020/a1.md"), ("2021/ph-b.png", "2021/a8.md")):
            data = self.photo_bytes(path)
            self.write(self.site.root / "content" / path, data)
            self.photos[path] = data
            self.show_photo(self.sources[shown_by], path)
            self.save(self.sources[shown_by])
        # Lists already show some fields from the first build on, so that edits meet them more often.
        self.entry_fields = [name for name in sorted(ENTRY_FIELDS) if self.rng.random() < 0.5]
        self.probes = [name for name in sorted(LIST_PROBES) if self.rng.random() < 0.5]
        for name in ("_macros.html", "tags.html", "tag.html", "archive.html", "section.html", "author.html"):
            self.save_template(name)
        self.save_config()

    # Edits: each returns a Step, or None when it does not apply to the site as it is

    def edit_key(self, kind: str, key: str, values: tuple[str, ...]) -> Step:
        source = self.pick()
        old = source.keys.get(key)
        options = [v for v in values if v != old] + ([None] if old is not None else [])
        value = self.rng.choice(options)

        def apply(_: SiteMaker) -> None:
            if value is None:
                source.keys.pop(key, None)
            else:
                source.keys[key] = value
            self.save(source)
        return Step(kind, f"{source.path}: {key} {old} -> {value}", apply)

    def edit_body(self) -> Step:
        source, body = self.pick(), self.body()

        def apply(_: SiteMaker) -> None:
            source.body = body
            self.save(source)
        return Step("body", f"{source.path}: body of {len(body.split())} words", apply)

    def edit_title(self) -> Step:
        source, title = self.pick(), f"عنوان {self.words(2)} {self.fresh()}"

        def apply(_: SiteMaker) -> None:
            source.title = title
            self.save(source)
        return Step("title", f"{source.path}: title {title}", apply)

    def edit_date(self) -> Step:
        source, date = self.pick(), self.date()

        def apply(_: SiteMaker) -> None:
            source.date = date
            self.save(source)
        return Step("date", f"{source.path}: date {source.date} -> {date}", apply)

    def edit_tags(self) -> Step:
        source, tags = self.pick(), self.tags()

        def apply(_: SiteMaker) -> None:
            source.keys["tags"] = tags
            self.save(source)
        return Step("tags", f"{source.path}: tags {source.keys.get('tags')} -> {tags}", apply)

    def add_article(self) -> Step:
        source = self.new_source(f"{self.rng.choice(FOLDERS)}/n{self.fresh()}.md")
        return Step("add article", f"add {source.path} dated {source.date}", lambda _: self.save(source))

    def delete_article(self) -> Step | None:
        if len(self.sources) <= 5:
            return None
        source = self.pick()

        def apply(site: SiteMaker) -> None:
            (site.root / "content" / source.path).unlink()
            del self.sources[source.path]
        return Step("delete article", f"delete {source.path}", apply)

    def rename_article(self) -> Step:
        source = self.pick()
        folder = self.rng.choice(FOLDERS)
        # A new name, or the same name in another folder (same URL, another source path).
        if self.rng.random() < 0.7 or folder == source.path.split("/")[0]:
            target = f"{folder}/r{self.fresh()}.md"
        else:
            target = f"{folder}/{source.stem}.md"

        def apply(site: SiteMaker) -> None:
            new = site.root / "content" / target
            new.parent.mkdir(parents=True, exist_ok=True)
            (site.root / "content" / source.path).rename(new)
            self.bump(new)
            del self.sources[source.path]
            source.path = target
            self.sources[target] = source
        return Step("rename article", f"rename {source.path} -> {target}", apply)

    def edit_static(self) -> Step:
        choices = ["add"] + (["change", "delete"] if self.statics else [])
        action = self.rng.choice(choices)
        if action == "add":
            path = f"{self.rng.choice(FOLDERS)}/pic{self.fresh()}.png"
        else:
            path = self.rng.choice(sorted(self.statics))
        data = b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(self.rng.choice((8, 16)))

        def apply(site: SiteMaker) -> None:
            if action == "delete":
                (site.root / "content" / path).unlink()
                del self.statics[path]
            else:
                self.write(site.root / "content" / path, data)
                self.statics[path] = data
        return Step("static file", f"{action} content/{path}", apply)

    def photo_bytes(self, path: str) -> bytes:
        size = (self.rng.randint(120, 1100), self.rng.randint(90, 800))
        color = (self.rng.randint(0, 255), self.rng.randint(0, 255), self.rng.randint(0, 255))
        return photo(*size, "PNG" if path.endswith(".png") else "JPEG", color)

    def show_photo(self, source: Source, path: str) -> None:
        """SOURCE shows the photo at PATH: as its image: or in its body (by site path, so a move keeps it)."""
        if self.rng.random() < 0.4 and "image" not in source.keys:
            source.keys["image"] = "/" + path
        else:
            source.body += f'\n\n![صورة {self.fresh()}](/{path} "تعليق الصورة")'

    def edit_photo(self) -> Step:
        """Add a photo shown by an article, replace one (other size or colour, or the same bytes), show one
        in another article too, or stop showing one and delete it."""
        actions = ["add"] + (["replace", "same bytes", "share", "remove"] if self.photos else [])
        action = self.rng.choice(actions)
        source = self.pick()
        if action == "add":
            path = f"{source.path.split('/')[0]}/ph{self.fresh()}.{self.rng.choice(('jpg', 'png'))}"
        else:
            path = self.rng.choice(sorted(self.photos))
        data = self.photos.get(path, b"") if action == "same bytes" else self.photo_bytes(path)

        def apply(site: SiteMaker) -> None:
            file = site.root / "content" / path
            if action == "remove":
                for other in self.sources.values():
                    body = re.sub(rf'\n\n!\[[^\]]*\]\(/{re.escape(path)} "[^"]*"\)', "", other.body)
                    if body != other.body or other.keys.get("image") == "/" + path:
                        other.body = body
                        if other.keys.get("image") == "/" + path:
                            del other.keys["image"]
                        self.save(other)
                file.unlink()
                del self.photos[path]
                return
            if action in ("add", "replace", "same bytes"):
                self.write(file, data)
                self.photos[path] = data
            if action in ("add", "share"):
                self.show_photo(source, path)
                self.save(source)
        return Step("photo", f"{action} content/{path}" + (f" shown by {source.path}" if action in ("add", "share")
                                                          else ""), apply)

    def edit_unused_template(self) -> Step:
        action = self.rng.choice(("change", "delete")) if self.unused_marker else "add"
        marker = "" if action == "delete" else f"قالب لا يستعمله أحد {self.fresh()}"

        def apply(site: SiteMaker) -> None:
            path = site.root / "templates/unused.html"
            if marker:
                self.write(path, '{% extends "base.html" %}\n{% block main %}<p>' + marker + "</p>{% endblock %}\n")
            else:
                path.unlink()
            self.unused_marker = marker
        return Step("unused template", f"{action} templates/unused.html", apply)

    def write_alt(self, marker: str) -> None:
        text = self.originals["article.html"].replace(
            '<article class="article">', f'<article class="article alt">\n<p class="alt-mark">{marker}</p>', 1)
        assert marker in text
        self.write(self.site.root / "templates/alt.html", text)
        self.alt_marker = marker

    def use_template(self) -> Step:
        source = self.pick()
        old = source.keys.get("template")
        marker = self.alt_marker or f"قالب بديل {self.fresh()}"

        def apply(_: SiteMaker) -> None:
            if old is None:
                if not self.alt_marker:
                    self.write_alt(marker)
                source.keys["template"] = "alt.html"
            else:
                del source.keys["template"]
            self.save(source)
        return Step("article template", f"{source.path}: template {old} -> {'alt.html' if old is None else None}",
                    apply)

    def edit_alt_template(self) -> Step:
        """Create or change templates/alt.html, whether or not an article uses it yet."""
        marker = f"قالب بديل {self.fresh()}"
        action = "change" if self.alt_marker else "add"
        return Step("alt template", f"{action} templates/alt.html showing {marker}", lambda _: self.write_alt(marker))

    def toggle_entry_field(self) -> Step:
        shown = self.rng.choice(sorted(ENTRY_FIELDS))
        start = shown not in self.entry_fields

        def apply(_: SiteMaker) -> None:
            if start:
                self.entry_fields.append(shown)
            else:
                self.entry_fields.remove(shown)
            self.save_template("_macros.html")
        return Step("list entry field", f"_macros.html entry {'starts' if start else 'stops'} showing {shown}", apply)

    def toggle_list_probe(self) -> Step:
        probe = self.rng.choice(sorted(LIST_PROBES))
        start = probe not in self.probes

        def apply(_: SiteMaker) -> None:
            if start:
                self.probes.append(probe)
            else:
                self.probes.remove(probe)
            self.save_template(LIST_PROBES[probe][0])
        return Step("list page probe", f"{LIST_PROBES[probe][0]} {'starts' if start else 'stops'} showing {probe}",
                    apply)

    def edit_config(self) -> Step:
        what = self.rng.choice(("page_size", "digits", "tag name", "economy", "pagination"))
        if what == "page_size":
            value: Any = self.rng.choice([n for n in (2, 3, 4) if n != self.page_size])
        elif what == "pagination":
            value = "stable" if self.pagination == "newest" else "newest"
        elif what == "digits":
            value = "latn" if self.digits == "arab" else "arab"
        elif what == "tag name":
            slug = self.rng.choice(sorted(TAG_NAMES))
            value = (slug, next(n for n in TAG_NAMES[slug] if n != self.tag_names[slug]))
        else:
            value = None if "economy" in self.tag_names else "اقتصاد"

        def apply(_: SiteMaker) -> None:
            if what == "page_size":
                self.page_size = value
            elif what == "pagination":
                self.pagination = value
            elif what == "digits":
                self.digits = value
            elif what == "tag name":
                self.tag_names[value[0]] = value[1]
            elif value is None:
                del self.tag_names["economy"]
            else:
                self.tag_names["economy"] = value
            self.save_config()
        return Step("site.toml", f"site.toml {what} -> {value}", apply)

    def edit_bylines(self) -> Step:
        source, value = self.pick(), self.bylines()
        old = source.keys.get("author")

        def apply(_: SiteMaker) -> None:
            if value is None:
                source.keys.pop("author", None)
            else:
                source.keys["author"] = value
            self.save(source)
        return Step("authors", f"{source.path}: author {old} -> {value}", apply)

    def edit_corrections(self) -> Step:
        source, value = self.pick(), self.corrections()
        old = source.keys.get("corrections")

        def apply(_: SiteMaker) -> None:
            if value is None:
                source.keys.pop("corrections", None)
            else:
                source.keys["corrections"] = value
            self.save(source)
        return Step("corrections", f"{source.path}: corrections {old} -> {value}", apply)

    def edit_config_sections(self) -> Step:
        """[sections]: list a section or stop listing it, rename one, or reverse the menu's order."""
        slug = self.rng.choice(sorted(SECTION_NAMES))
        what = self.rng.choice(("toggle", "rename", "reorder"))
        if what == "rename" and slug in self.section_names:
            names = dict(self.section_names)
            names[slug] = next(n for n in SECTION_NAMES[slug] if n != names[slug])
        elif what == "reorder":
            names = dict(reversed(self.section_names.items()))
        elif slug in self.section_names:
            names = {k: v for k, v in self.section_names.items() if k != slug}
        else:
            names = {**self.section_names, slug: SECTION_NAMES[slug][0]}

        def apply(_: SiteMaker) -> None:
            self.section_names = names
            self.save_config()
        return Step("site.toml sections", f"site.toml [sections] -> {names}", apply)

    def edit_config_authors(self) -> Step:
        """[authors.<slug>]: describe an author or stop, rename one, or change a bio."""
        slug = self.rng.choice(sorted(AUTHOR_PROFILES))
        profiles = dict(self.profiles)
        if slug not in profiles:
            profiles[slug] = (AUTHOR_PROFILES[slug][0], f"نبذة {self.words(3)}")
        else:
            name, bio = profiles[slug]
            what = self.rng.choice(("remove", "rename", "bio"))
            if what == "remove":
                del profiles[slug]
            elif what == "rename":
                profiles[slug] = (next(n for n in AUTHOR_PROFILES[slug] if n != name), bio)
            else:
                profiles[slug] = (name, f"نبذة {self.words(3)} {self.fresh()}")

        def apply(_: SiteMaker) -> None:
            self.profiles = profiles
            self.save_config()
        return Step("site.toml authors", f"site.toml [authors] -> {profiles}", apply)

    def edit_css(self) -> Step:
        def apply(site: SiteMaker) -> None:
            path = site.root / "theme/css/site.css"
            self.css_rules += 1
            self.write(path, path.read_text(encoding="utf-8") + f"\n.r{self.css_rules} {{ color: red; }}\n")
        return Step("theme css", "theme/css/site.css gets a rule", apply)

    def edits(self) -> dict[str, Callable[[], Step | None]]:
        """The function drawing each kind of edit (it gives None when that edit is not possible now)."""
        return {
            "body": self.edit_body,
            "title": self.edit_title,
            "kicker": lambda: self.edit_key("kicker", "kicker", (f'"عاجل {self.fresh()}"', '"تحليل"', '"حصري"')),
            "summary": lambda: self.edit_key("summary", "summary", (f'"ملخص {self.words(6)}"',)),
            "author": lambda: self.edit_key("author", "author", ('"وكالات"', '"مراسلنا في طرابلس"', '"Reuters"')),
            "category": lambda: self.edit_key("category", "category", (self.category(), self.category())),
            "updated": lambda: self.edit_key("updated", "updated", ("2026-01-02 10:00", "2025-05-05")),
            "draft": lambda: self.edit_key("draft", "draft", ("true",)),
            "tags": self.edit_tags,
            "date": self.edit_date,
            "add article": self.add_article,
            "delete article": self.delete_article,
            "rename article": self.rename_article,
            "static file": self.edit_static,
            "unused template": self.edit_unused_template,
            "article template": self.use_template,
            "alt template": self.edit_alt_template,
            "list entry field": self.toggle_entry_field,
            "list page probe": self.toggle_list_probe,
            "site.toml": self.edit_config,
            "theme css": self.edit_css,
            "photo": self.edit_photo,
            "authors": self.edit_bylines,
            "corrections": self.edit_corrections,
            # A section no article had: every page's menu gains it.
            "new section": lambda: self.edit_key("new section", "category", (f'"قسم {self.fresh()}"',)),
            "site.toml sections": self.edit_config_sections,
            "site.toml authors": self.edit_config_authors,
            # Old addresses: redirect pages appear, change with their article's title or URL, and go.
            "aliases": lambda: self.edit_key("aliases", "aliases", (f"[old/{self.fresh()}/]",
                                                                   f"[old/{self.fresh()}.html, old/x{self.fresh()}/]")),
        }

    def draw(self, left: int) -> Step:
        """One random edit valid for the site as it is now (apply it before drawing the next).

        The kinds in self.required all come within the sequence (LEFT steps remain, this one
        included); the other steps are of any kind, by weight, so that kinds repeat and meet: a
        template starts showing a field, the field changes, the template stops showing it.
        """
        edits = self.edits()
        assert set(edits) == set(WEIGHTS)
        due = [kind for kind in self.required if kind not in self.drawn]
        while True:
            if due and (len(due) >= left or self.rng.random() < len(due) / left):
                kind = self.rng.choice(due)
            else:
                kind = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            step = edits[kind]()
            if step is not None:
                assert step.kind == kind
                self.drawn.add(kind)
                return step
            if kind in due:  # not possible now (e.g. too few articles to delete one): try it later
                due.remove(kind)

    def steps(self, count: int) -> Iterator[Step]:
        """COUNT random edits, each drawn once the one before has been applied."""
        for left in range(count, 0, -1):
            yield self.draw(left)


def differences(incremental: dict[str, bytes], cold: dict[str, bytes]) -> str:
    """The first few differing files, and a short diff of the first one present on both sides."""
    names = sorted(n for n in incremental.keys() | cold.keys() if incremental.get(n) != cold.get(n))
    lines = []
    for name in names[:6]:
        where = " (only in the incremental build)" if name not in cold else (
            " (only in the cold build)" if name not in incremental else "")
        lines.append(f"  {name}{where}")
    both = next((n for n in names if n in incremental and n in cold), None)
    if both is not None:
        diff = difflib.unified_diff(cold[both].decode("utf-8", "replace").splitlines(),
                                    incremental[both].decode("utf-8", "replace").splitlines(),
                                    f"cold/{both}", f"incremental/{both}", n=1, lineterm="")
        lines += ["", *list(diff)[:24]]
    return f"{len(names)} differing files:\n" + "\n".join(lines)


def check_step(site: SiteMaker, cold: Path, where: str, session: BuildSession | None = None) -> None:
    """Build incrementally and cold, and fail with WHERE and the differences if the trees are not equal."""
    try:
        site.build(precompress=False, session=session)
        build_site(site.root, cold, now=NOW, use_cache=False, precompress=False)
    except BuildFailed as error:
        pytest.fail(f"the site is not valid (a bug in the test?) {where}\n{error}")
    except Exception as error:
        error.add_note(f"while building {where}")
        raise
    incremental, fresh = tree(site.out), tree(cold)
    if incremental != fresh:
        pytest.fail(f"incremental build differs from a cold one {where}\n{differences(incremental, fresh)}",
                    pytrace=False)
    shutil.rmtree(cold)


@pytest.mark.parametrize(("seed", "in_memory"), [(seed, False) for seed in SEEDS] + [(5, True), (6, True)])
def test_random_edits_give_the_cold_build_bytes(site: SiteMaker, tmp_path: Path, seed: int, in_memory: bool) -> None:
    """IN_MEMORY: one session for all the builds, as the preview server keeps its cache between them."""
    session = BuildSession() if in_memory else None
    model = RandomSite(site, seed)
    model.populate()
    check_step(site, tmp_path / f"cold-{seed}-0", f"at seed {seed}, first build", session)
    done: list[str] = []
    for number, step in enumerate(model.steps(STEPS), start=1):
        step.apply(site)
        done.append(f"{number}. [{step.kind}] {step.description}")
        check_step(site, tmp_path / f"cold-{seed}-{number}",
                   f"at seed {seed}, step {number}, after:\n  " + "\n  ".join(done) + "\n", session)


PHOTO_COMPANIONS = ("body", "title", "date", "draft", "tags", "delete article", "rename article", "add article")


@pytest.mark.parametrize("seed", [7, 8])
def test_random_photo_edits_give_the_cold_build_bytes(site: SiteMaker, tmp_path: Path, seed: int) -> None:
    """Mostly photo edits (added, replaced, shared, the same bytes again, removed), among the edits of the
    articles that show them: every build equals a cold one, whose variants are all made afresh."""
    model = RandomSite(site, seed)
    model.populate()
    check_step(site, tmp_path / f"cold-{seed}-0", f"at seed {seed}, first build")
    edits = model.edits()
    done: list[str] = []
    for number in range(1, STEPS + 1):
        step = None
        while step is None:
            kind = "photo" if model.rng.random() < 0.6 else model.rng.choice(PHOTO_COMPANIONS)
            step = edits[kind]()
        step.apply(site)
        done.append(f"{number}. [{step.kind}] {step.description}")
        check_step(site, tmp_path / f"cold-{seed}-{number}",
                   f"at seed {seed}, step {number}, after:\n  " + "\n  ".join(done) + "\n")


# Edits after which a preview keeps its assembled site (pipeline._kept_site), and a few after which it cannot.
KEEPING_PLACES = ("body", "kicker", "summary", "updated", "corrections", "photo", "title")
MOVING = ("tags", "date", "add article", "list entry field", "author", "draft")


def counting(monkeypatch: pytest.MonkeyPatch, name: str, found: Callable[[Any], bool]) -> list[bool]:
    """Replace arshif.pipeline.NAME by itself, noting for each call whether FOUND says it found something."""
    calls: list[bool] = []
    function = getattr(arshif.pipeline, name)

    def counted(*arguments: Any) -> Any:
        result = function(*arguments)
        calls.append(found(result))
        return result

    monkeypatch.setattr(arshif.pipeline, name, counted)
    return calls


def edit_mostly_in_place(site: SiteMaker, tmp_path: Path, seed: int, session: BuildSession | None) -> list[str]:
    """STEPS builds, each after an edit that mostly leaves every article in its place, each equal to a cold build;
    returns what was done."""
    model = RandomSite(site, seed)
    model.populate()
    check_step(site, tmp_path / f"cold-{seed}-0", f"at seed {seed}, first build", session)
    edits = model.edits()
    done: list[str] = []
    for number in range(1, STEPS + 1):
        step = None
        while step is None:
            kind = model.rng.choice(KEEPING_PLACES if model.rng.random() < 0.75 else MOVING)
            step = edits[kind]()
        step.apply(site)
        done.append(f"{number}. [{step.kind}] {step.description}")
        check_step(site, tmp_path / f"cold-{seed}-{number}",
                   f"at seed {seed}, step {number}, after:\n  " + "\n  ".join(done) + "\n", session)
    return done


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_a_preview_that_keeps_its_site_gives_the_cold_build_bytes(site: SiteMaker, tmp_path: Path, seed: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """One session, mostly edits that leave every article in its place: the preview patches its kept site
    (the articles' objects take the new fields) instead of assembling it again, and still equals a cold build."""
    kept = counting(monkeypatch, "_kept_site", lambda found: found[0] is not None)
    done = edit_mostly_in_place(site, tmp_path, seed, BuildSession())
    assert sum(kept) >= STEPS // 3, f"the kept site served {sum(kept)} of {len(kept)} builds:\n  " + "\n  ".join(done)


@pytest.mark.parametrize("seed", [12, 13])
def test_builds_that_place_every_article_as_before_give_the_cold_build_bytes(
        site: SiteMaker, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process for each build, mostly edits that leave every article in its place: the build keeps the last
    one's key states and routes (pipeline._placed_as_before) and never loads the pages' contexts, and still equals
    a cold build. Without ARSHIF_CHECK_PLAN, as users run it: the check would load every context."""
    placed = counting(monkeypatch, "_placed_as_before", lambda found: found is not None)
    monkeypatch.delenv("ARSHIF_CHECK_PLAN")
    done = edit_mostly_in_place(site, tmp_path, seed, None)
    assert sum(placed) >= STEPS // 3, \
        f"placed as before in {sum(placed)} of {len(placed)} builds:\n  " + "\n  ".join(done)


def test_a_preview_follows_what_a_page_starts_reading(site: SiteMaker, tmp_path: Path) -> None:
    """A page that starts reading another article's photo (its template shows the older article's lead photo
    only for one kicker) is rendered again when that photo is replaced: both edits keep the site as it was
    placed, so the preview finds the page through its index of what each page read."""
    template = site.root / "templates/article.html"
    anchor = "{% if older or newer %}"
    assert anchor in template.read_text(encoding="utf-8")
    template.write_text(template.read_text(encoding="utf-8").replace(anchor, (
        '{% if article.extra.get("kicker") == "صور" %}<div class="probe">{{ lead_photo(older) }}</div>{% endif %}'
        + anchor)), encoding="utf-8")
    site.add("2020/lead.jpg", photo(640, 480))
    site.add("2020/first.md", article("الأول", "2020-01-10 10:00", "فقرة.", slug="first", image="/2020/lead.jpg"))
    second = {"title": "الثاني", "date": "2020-01-11 10:00", "body": "فقرة.", "slug": "second"}
    site.add("2020/second.md", article(**second, kicker='"عادي"'))
    session = BuildSession()
    check_step(site, tmp_path / "cold-0", "at the first build", session)
    site.add("2020/second.md", article(**second, kicker='"صور"'))
    check_step(site, tmp_path / "cold-1", "once the second article shows the first one's photo", session)
    shown = (site.out / "2020/second/index.html").read_text(encoding="utf-8")
    site.add("2020/lead.jpg", photo(900, 300, color=(10, 200, 30)))
    check_step(site, tmp_path / "cold-2", "once that photo is replaced", session)
    assert '<div class="probe"><figure' in shown
    assert (site.out / "2020/second/index.html").read_text(encoding="utf-8") != shown


def test_the_seeds_draw_every_kind_of_edit(make_site: Callable[[str], SiteMaker]) -> None:
    """The sequences above (drawn again here, without building) try every kind of edit at least once."""
    kinds = set()
    for seed in SEEDS:
        model = RandomSite(make_site(f"s{seed}"), seed)
        model.populate()
        for step in model.steps(STEPS):
            step.apply(model.site)
            kinds.add(step.kind)
    assert kinds == set(WEIGHTS), f"never drawn: {sorted(set(WEIGHTS) - kinds)}"


def test_list_entries_show_a_new_kicker(site: SiteMaker, tmp_path: Path) -> None:
    """The bug report: the home page's entries show article.extra["kicker"], and one article's kicker changes."""
    macros = site.root / "templates/_macros.html"
    text = macros.read_text(encoding="utf-8")
    assert ENTRY_ANCHOR in text
    macros.write_text(text.replace(ENTRY_ANCHOR, ENTRY_ANCHOR + ENTRY_FIELDS["kicker"]), encoding="utf-8")
    for n in range(1, 4):
        site.add(f"2020/k{n}.md", article(title=f"مقال {n}", date=f"2020-01-1{n} 10:00", kicker=f'"قديم {n}"'))
    site.build(precompress=False)
    assert '<p class="kicker">قديم 2</p>' in site.page("")
    path = site.add("2020/k2.md", article(title="مقال 2", date="2020-01-12 10:00", kicker='"جديد تماما"'))
    stat = path.stat()
    os.utime(path, ns=(stat.st_mtime_ns + 1_000_000_000,) * 2)
    site.build(precompress=False)
    assert '<p class="kicker">جديد تماما</p>' in site.page(""), "build/index.html still shows the old kicker"
    cold = tmp_path / "cold"
    build_site(site.root, cold, now=NOW, use_cache=False, precompress=False)
    assert tree(site.out) == tree(cold)


def test_a_new_template_file_parses_no_article_again(site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that nothing uses changes no article: the next build reads them all from the cache."""
    parsed: list[str] = []

    def counting(original: Any) -> Any:
        def parse(path: Path, *args: Any, **kwargs: Any) -> Any:
            parsed.append(path.name)
            return original(path, *args, **kwargs)
        return parse

    monkeypatch.setattr(arshif.content, "_read_article", counting(arshif.content._read_article))  # load_articles'
    monkeypatch.setattr(arshif.pipeline, "read_article", counting(arshif.pipeline.read_article))  # a body gone
    for n in range(1, 6):
        site.add(f"2020/p{n}.md", article(title=f"مقال {n}", date=f"2020-02-1{n} 10:00", tags="[libya]"))
    site.build(precompress=False)
    assert sorted(parsed) == [f"p{n}.md" for n in range(1, 6)], "the counter does not see parsing"
    parsed.clear()
    (site.root / "templates/unused.html").write_text('{% extends "base.html" %}\n', encoding="utf-8")
    report = site.build(precompress=False)
    assert not report.unchanged
    assert parsed == [], f"adding templates/unused.html parsed again: {parsed}"

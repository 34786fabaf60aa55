"""WordPress exports (WXR: Tools → Export → All content) into items.

Posts become articles: publish and future as they are, draft, pending and private as `draft: true`;
trash and auto-drafts are skipped, and so are pages, menus and other post types (each counted). The
first category is the section, further ones become tags. Dates are the local ones, or the GMT ones
turned into the site's zone where WordPress left the local date empty (0000-00-00 00:00:00). The
featured image, attachments and every image of the uploads folder a post shows are copied beside the
article; shortcodes become Markdown ([caption], [gallery], [embed], [audio], [video]) or stay in the
text, visible, with a warning.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..arabic import normalize, slugify
from ..config import Config
from ..problems import BuildFailed, Problem
from .items import Item, Reading, old_path
from .tomarkdown import html_to_markdown

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
WXR_NS = "http://wordpress.org/export/"
DRAFT_STATUSES = ("draft", "pending", "private")
UNCATEGORIZED = {"uncategorized", "غير-مصنف", "غير-مصنفة", "بدون-تصنيف"}
EXPORT_HINT = "export again from WordPress (Tools → Export → All content), or fix the file at that line"
_UPLOAD_URL = re.compile(r"""(["'])((?:https?:)?//[^"'\s]*?/wp-content/uploads/|/wp-content/uploads/)([^"'?#\s]+)"""
                         r"""([^"'\s]*)\1""")
_SIZED = re.compile(r"-\d+x\d+(?=\.\w+$)")
_SHORTCODE = re.compile(r"\[([A-Za-z_][A-Za-z0-9_-]*)([^\]]*)\](?:(.*?)\[/\1\])?", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_BLOCK_START = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|thead|tbody|tr|blockquote|pre|figure|hr|iframe|"
                          r"section|dl|form|address|style|script|!--)\b", re.IGNORECASE)


def _text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _shortcode_attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
            for m in _ATTRIBUTE.finditer(text)}


def autop(text: str) -> str:
    """WordPress's wpautop, simply: blank lines separate paragraphs, single line breaks are <br>, and blocks
    that already are HTML elements stay as they are."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "\n".join(block if _BLOCK_START.match(block) else "<p>" + block.strip().replace("\n", "<br>\n") + "</p>"
                     for block in blocks if block.strip())


class Uploads:
    """The uploads folder (wp-content/uploads) of the old site, and what of it the articles need."""

    def __init__(self, folder: Path | None, reading: Reading) -> None:
        self.folder = folder
        self.reading = reading
        self.remote = 0  # images left pointing at the old site because no --uploads was given
        self.missing: set[str] = set()

    def file(self, relative: str, where: str) -> Path | None:
        """The file for an uploads path ("2020/01/photo-300x200.jpg"): the original size when it is there too;
        None, with a warning, when it is missing."""
        if self.folder is None:
            self.remote += 1
            return None
        for candidate in (_SIZED.sub("", relative), relative):
            path = self.folder / candidate
            if ".." not in Path(candidate).parts and path.is_file():
                return path
        if relative not in self.missing:
            self.missing.add(relative)
            self.reading.warnings.append(f"{where}: missing upload {relative} (not in {self.folder}); "
                                         "its link still points at the old site")
        return None


def _upload_relative(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.split("/wp-content/uploads/", 1)[1] if "/wp-content/uploads/" in path else ""


def _date(local: str, gmt: str, zone: Any) -> datetime | None:
    """The post's date: the local one in the site's zone, else the GMT one turned into it."""
    for value, given in ((local, zone), (gmt, UTC)):
        if value and not value.startswith("0000"):
            try:
                return datetime.fromisoformat(value).replace(tzinfo=given).astimezone(zone)
            except ValueError:
                continue
    return None


def read_wordpress(path: Path, config: Config, uploads: Path | None, shown: str) -> Reading:
    """Every post of the export at PATH; raise BuildFailed naming the file and line when it is not a well-formed
    WordPress export (then nothing is written)."""
    from lxml import etree

    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as error:
        raise BuildFailed([Problem(shown, error.lineno or None, f"not well-formed XML: {error.msg}",
                                   EXPORT_HINT)]) from None
    root = tree.getroot()
    wp = next((uri for uri in root.nsmap.values() if uri and uri.startswith(WXR_NS) and "excerpt" not in uri), None)
    channel = root.find("channel")
    if root.tag != "rss" or wp is None or channel is None:
        raise BuildFailed([Problem(shown, root.sourceline, "not a WordPress export (WXR): no <rss> with the "
                                   "wp: namespace and a <channel>", EXPORT_HINT)])
    excerpt = next((uri for uri in root.nsmap.values() if uri and uri.startswith(WXR_NS) and "excerpt" in uri), "")
    base = _text(channel, f"{{{wp}}}base_blog_url") or _text(channel, "link")
    reading = Reading()
    store = Uploads(uploads, reading)
    authors = {_text(a, f"{{{wp}}}author_login"): _text(a, f"{{{wp}}}author_display_name")
               for a in channel.findall(f"{{{wp}}}author")}
    items = channel.findall("item")
    attachments = {_text(i, f"{{{wp}}}post_id"): i for i in items if _text(i, f"{{{wp}}}post_type") == "attachment"}
    agencies = {normalize(name) for name in config.agencies}
    for element in items:
        kind, status = _text(element, f"{{{wp}}}post_type"), _text(element, f"{{{wp}}}status")
        title = html.unescape(_text(element, "title"))
        where = f"{shown}:{element.sourceline}"
        if kind == "attachment":
            continue
        reason = ("in the trash" if status == "trash" else "an auto-draft (never written)" if status == "auto-draft"
                  else "" if kind == "post" else f"a {kind or 'item without a type'}, not a post")
        if reason:
            reading.skipped.append((where, title, reason))
            continue
        post = _Post(element, wp, excerpt, attachments, store, where)
        date = _date(_text(element, f"{{{wp}}}post_date"), _text(element, f"{{{wp}}}post_date_gmt"), config.zone)
        if date is None:
            reading.problems.append(Problem(shown, element.sourceline, f"post «{title}» has no date it can use "
                                            "(post_date and post_date_gmt are empty or not dates); skipped",
                                            "give it a date in WordPress and export again"))
            continue
        if not title:
            reading.problems.append(Problem(shown, element.sourceline, f"post {post.id} has no title; skipped",
                                            "give it a title in WordPress and export again"))
            continue
        login = _text(element, f"{{{DC_NS}}}creator")
        byline = authors.get(login) or login
        if byline and normalize(byline) not in agencies:
            reading.authors.setdefault(slugify(login) or slugify(byline), byline)
        categories, tags = [], []
        for category in element.findall("category"):
            name = html.unescape((category.text or "").strip())
            slug = slugify(unquote(category.get("nicename", ""))) or slugify(name)
            if not name or slug in UNCATEGORIZED:
                continue
            if category.get("domain") == "category":
                categories.append((slug, name))
            elif category.get("domain") == "post_tag":
                tags.append((slug, name))
        section = categories[0] if categories else None
        if section:
            reading.sections.setdefault(*section)
        for slug, name in categories[1:] + tags:
            reading.tags.setdefault(slug, name)
        link = _text(element, "link")
        alias = old_path(link, base)
        updated = _date(_text(element, f"{{{wp}}}post_modified"), _text(element, f"{{{wp}}}post_modified_gmt"),
                        config.zone)
        reading.items.append(Item(
            import_id=_text(element, "guid") or f"{base.rstrip('/')}/?p={post.id}",
            title=title,
            date=date,
            updated=updated if updated and (updated - date).days >= 1 else None,
            body=post.markdown(),
            where=where,
            slug=slugify(unquote(_text(element, f"{{{wp}}}post_name"))),
            authors=[byline] if byline else [],
            tags=list(dict.fromkeys(name for _, name in categories[1:] + tags)),
            category=section[1] if section else "",
            summary=" ".join(html.unescape(re.sub(r"<[^>]+>", " ", post.excerpt)).split()),
            draft=status in DRAFT_STATUSES,
            aliases=[alias] if alias else [],
            image=post.featured(),
            photos=post.captions,
            files=post.files,
        ))
    if store.remote:
        reading.warnings.append(f"{store.remote} images and attachments still point at the old site: "
                                "pass --uploads with its wp-content/uploads folder to copy them beside the articles")
    return reading


class _Post:
    """One post's content on its way to Markdown: its uploads made local files, its shortcodes converted."""

    def __init__(self, element: Any, wp: str, excerpt_ns: str, attachments: dict[str, Any], uploads: Uploads,
                 where: str) -> None:
        self.element, self.wp, self.attachments, self.uploads, self.where = element, wp, attachments, uploads, where
        self.id = _text(element, f"{{{wp}}}post_id")
        self.excerpt = _text(element, f"{{{excerpt_ns}}}encoded") if excerpt_ns else ""
        self.files: dict[str, Path] = {}
        self.captions: dict[str, dict[str, str]] = {}
        self.meta = {_text(m, f"{{{wp}}}meta_key"): _text(m, f"{{{wp}}}meta_value")
                     for m in element.findall(f"{{{wp}}}postmeta")}
        for attachment in attachments.values():  # the post's own attachments go with it, shown or not
            if _text(attachment, f"{{{wp}}}post_parent") == self.id:
                self.local(self.attachment_url(attachment))

    def attachment_url(self, attachment: Any) -> str:
        return _text(attachment, f"{{{self.wp}}}attachment_url") or _text(attachment, "guid")

    def local(self, url: str) -> str:
        """The name beside the article of an uploads URL (the file is then copied there); else the URL."""
        relative = _upload_relative(url)
        found = self.uploads.file(relative, self.where) if relative else None
        if found is None:
            return url
        name = found.name
        self.files[name] = found
        return quote(name)

    def featured(self) -> str | dict[str, str]:
        attachment = self.attachments.get(self.meta.get("_thumbnail_id", ""))
        if attachment is None:
            return ""
        src = self.local(self.attachment_url(attachment))
        src = unquote(src) if "://" not in src else src
        alt = _attachment_meta(attachment, self.wp, "_wp_attachment_image_alt") or html.unescape(
            _text(attachment, "title"))
        return {"src": src, "alt": alt} if alt else src

    def markdown(self) -> str:
        content = _text(self.element, f"{{{CONTENT_NS}}}encoded")

        def uploaded(match: re.Match[str]) -> str:
            url = match.group(2) + match.group(3) + match.group(4)
            return f'{match.group(1)}{self.local(url)}{match.group(1)}'

        content = _UPLOAD_URL.sub(uploaded, content)
        # A thumbnail linking to its own full-size file is one photo.
        content = re.sub(r'<a\b[^>]*href="([^":/]+)"[^>]*>\s*(<img\b[^>]*src="\1"[^>]*>)\s*</a>', r"\2", content)
        content = _SHORTCODE.sub(self.shortcode, content)
        return html_to_markdown(autop(content))

    def shortcode(self, match: re.Match[str]) -> str:
        name, attributes = match.group(1).lower(), _shortcode_attributes(match.group(2))
        inner = match.group(3) or ""
        if name in ("caption", "wp_caption"):
            image = re.search(r"<img\b[^>]*>", inner)
            caption = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner[image.end():] if image else inner)).split())
            caption = caption or attributes.get("caption", "")
            if image is None:
                return f"<p>{html.escape(caption)}</p>"
            src = re.search(r'src="([^"]*)"', image.group(0))
            if src and "/" not in src.group(1) and caption:
                self.captions.setdefault(unquote(src.group(1)), {})["caption"] = caption
                return f"<p>{image.group(0)}</p>"
            return f"<p>{image.group(0)}</p>" + (f"<p><em>{html.escape(caption)}</em></p>" if caption else "")
        if name == "gallery":
            ids = [i.strip() for i in attributes.get("ids", "").split(",") if i.strip()]
            if not ids:
                ids = [key for key, a in self.attachments.items() if _text(a, f"{{{self.wp}}}post_parent") == self.id]
            shown = [self.attachments[i] for i in ids if i in self.attachments]
            if not shown:
                return self.visible(match)
            return "".join(f'<p><img src="{html.escape(self.local(self.attachment_url(a)))}" alt="'
                           f'{html.escape(_attachment_meta(a, self.wp, "_wp_attachment_image_alt"))}"></p>'
                           for a in shown)
        if name in ("embed", "audio", "video"):
            url = inner.strip() or next((v for k, v in attributes.items() if k in ("src", "url", "mp3", "mp4",
                                                                                  "m4a", "ogg", "webm")), "")
            if url.startswith(("http://", "https://")):
                return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
        return self.visible(match)

    def visible(self, match: re.Match[str]) -> str:
        self.uploads.reading.warnings.append(f"{self.where}: shortcode [{match.group(1)}] left in the text as it was")
        return match.group(0)


def _attachment_meta(attachment: Any, wp: str, key: str) -> str:
    for meta in attachment.findall(f"{{{wp}}}postmeta"):
        if _text(meta, f"{{{wp}}}meta_key") == key:
            return _text(meta, f"{{{wp}}}meta_value")
    return ""

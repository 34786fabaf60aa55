"""Heading anchors: the ids Python-Markdown's toc extension gives headings, without the table of contents.

Articles link to their headings but never show a contents list, and making that list (finding a
[TOC] marker, building and serialising the list) was half of what the extension cost: 4% of
parsing an article. A body that does hold a [TOC] paragraph still gets the whole extension's work.
"""

from __future__ import annotations

import html
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions.toc import (
    TocExtension,
    TocTreeprocessor,
    remove_fnrefs,
    render_inner_html,
    slugify_unicode,
    strip_tags,
    unique,
)


class _AnchorsTreeprocessor(TocTreeprocessor):
    def run(self, doc: Element) -> None:
        headings = []
        used_ids = set()
        for element in doc.iter():
            if "id" in element.attrib:
                used_ids.add(element.attrib["id"])
            if not isinstance(element.tag, str):
                continue
            if self.header_rgx.match(element.tag):
                headings.append(element)
            elif element.text and len(element) == 0 and element.text.strip() == self.marker:
                super().run(doc)  # a contents list was asked for: made as the extension makes it
                return
        counters: dict[str, int] = {}
        for heading in headings:
            self.set_level(heading)
            if "id" not in heading.attrib:
                name = strip_tags(render_inner_html(remove_fnrefs(heading), self.md))
                heading.attrib["id"] = unique(self.slugify(html.unescape(name), self.sep), used_ids, counters)


class HeadingAnchors(TocExtension):
    """The toc extension, with Unicode slugs (Arabic headings keep Arabic ids), that skips the contents list."""

    def __init__(self) -> None:
        super().__init__(slugify=slugify_unicode)

    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        md.treeprocessors.register(_AnchorsTreeprocessor(md, self.getConfigs()), "toc", 5)

"""The site's one Markdown configuration: tables, footnotes, fenced code, sane lists and heading ids.

Two things make it cheaper than Python-Markdown with those extensions, for the same bytes:

- Heading ids are made as the toc extension makes them, without the table of contents no article shows
  (finding a [TOC] marker, building and serialising the list was half of what the extension cost). A
  body that does hold a [TOC] paragraph gets the whole extension's work.
- Tables, footnotes and fenced code only act on their own syntax (a "|", "[^", ``` or ~~~), and a body
  without it is converted without them: their processors look at every block and every inline run of
  every article, 9.5% of a plain conversion on the bench corpus.

Extensions are given made, never by name: a name sends Markdown through every installed package's entry
points, 50 ms of each build that parses anything.
"""

from __future__ import annotations

import html
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
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
    """Heading ids as TocTreeprocessor gives them; the contents list only where a [TOC] paragraph asks for it."""

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


# Each extension that acts only on its own syntax, with the text that syntax cannot do without.
_SYNTAX_ONLY: tuple[tuple[type[Extension], tuple[str, ...]], ...] = (
    (TableExtension, ("|",)),
    (FootnoteExtension, ("[^",)),
    (FencedCodeExtension, ("```", "~~~")),
)


class SiteMarkdown:
    """Converts article bodies with the site's configuration; one per process, like a Markdown instance."""

    def __init__(self) -> None:
        self._converters: dict[tuple[bool, ...], Markdown] = {}

    def convert(self, text: str) -> str:
        """TEXT as HTML, with only the extensions whose syntax it holds (the others would change nothing)."""
        uses = tuple(any(sign in text for sign in signs) for _, signs in _SYNTAX_ONLY)
        converter = self._converters.get(uses)
        if converter is None:
            extensions = [kind() for (kind, _), used in zip(_SYNTAX_ONLY, uses, strict=True) if used]
            converter = self._converters[uses] = Markdown(
                extensions=[*extensions, SaneListExtension(), HeadingAnchors()], output_format="html")
        converter.reset()
        return converter.convert(text)

"""HTML to Markdown for imported articles.

markdownify (MIT, built on BeautifulSoup) rather than html2text: it keeps tables as pipe tables, lists,
quotes, links and images, lets one element's conversion be changed by a method (scripts, iframes
below), and its license fits the project's; html2text is GPL-3.0.
"""

from __future__ import annotations

import re
from typing import Any

from markdownify import MarkdownConverter


class _ArticleConverter(MarkdownConverter):  # type: ignore[misc]
    """Drops what a reader never saw (scripts, styles, forms); an embedded frame becomes a link to it, so
    nothing that was shown disappears without a trace."""

    def convert_script(self, el: Any, text: str, parent_tags: Any) -> str:
        return ""

    convert_style = convert_noscript = convert_form = convert_button = convert_script

    def convert_iframe(self, el: Any, text: str, parent_tags: Any) -> str:
        src = el.get("src") or ""
        return f"\n\n<{src}>\n\n" if src.startswith(("http://", "https://")) else ""


def html_to_markdown(html: str) -> str:
    """Markdown for an article's HTML: ATX headings, "-" bullets, at most one blank line between blocks."""
    text = _ArticleConverter(heading_style="ATX", bullets="-", escape_misc=False).convert(html)
    text = "\n".join(line.rstrip() if not line.endswith("  ") else line for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

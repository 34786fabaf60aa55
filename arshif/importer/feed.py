"""RSS and Atom feeds into items, read by feedparser.

The full text where the feed has it (content:encoded, Atom content), else the summary, and then the
article says so (`summary_only: true`). Categories become tags; an entry's link on the feed's own site
becomes an alias, so the old address keeps working.
"""

from __future__ import annotations

import calendar
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..arabic import normalize, slugify
from ..config import Config
from ..problems import BuildFailed, Problem
from .items import Item, Reading, old_path, slug_from_url
from .tomarkdown import html_to_markdown

FEED_HINT = "give the file or address of an RSS or Atom feed (often /feed/, /rss.xml or /atom.xml)"
FETCH_SECONDS = 60


def fetch(url: str) -> bytes:
    """The feed at URL (the one time an import uses the network: when the user gives an address)."""
    request = urllib.request.Request(url, headers={"User-Agent": "Arshif import"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response:
            return bytes(response.read())
    except (OSError, ValueError) as error:
        raise BuildFailed([Problem(url, None, f"could not fetch the feed: {error}",
                                   "check the address, or save the feed to a file and import that")]) from None


def _when(entry: Any, key: str, zone: Any) -> datetime | None:
    parsed = dict.get(entry, f"{key}_parsed")  # as the feed says it: feedparser's get falls back to another date
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).astimezone(zone) if parsed else None


def read_feed(data: bytes, config: Config, shown: str) -> Reading:
    """Every entry of the feed in DATA; raise BuildFailed naming the file and line when DATA is not a feed or not
    well-formed XML (then nothing is written)."""
    import feedparser

    parsed = feedparser.parse(data)
    error = parsed.get("bozo_exception")
    line = error.getLineNumber() if hasattr(error, "getLineNumber") else None
    if not parsed.get("version"):
        raise BuildFailed([Problem(shown, line or 1, "not an RSS or Atom feed" + (f" ({error})" if error else ""),
                                   FEED_HINT)])
    if error is not None and type(error).__name__ == "SAXParseException":
        raise BuildFailed([Problem(shown, line, f"the feed is not well-formed XML: {error.getMessage()}",
                                   "fix the feed at that line, or ask its site to")])
    site = parsed.feed.get("link", "")
    agencies = {normalize(name) for name in config.agencies}
    reading = Reading()
    for number, entry in enumerate(parsed.entries, start=1):
        title = " ".join(entry.get("title", "").split())
        where = f"{shown}: entry {number}"
        date = _when(entry, "published", config.zone) or _when(entry, "updated", config.zone)
        full = next((c for c in entry.get("content", []) if c.get("value", "").strip()), None)
        text = full.get("value") if full else entry.get("summary", "")
        if date is None or not title:
            what = "no date (pubDate, published or updated)" if date is None else "no title"
            reading.problems.append(Problem(shown, None, f"entry {number} «{title or entry.get('link', '')}» has "
                                            f"{what}; skipped", "fix it in the feed, or add the article by hand"))
            continue
        if not text.strip():
            reading.skipped.append((where, title, "no text: neither content nor a summary"))
            continue
        link = entry.get("link", "")
        on_site = not site or urlsplit(link).netloc == urlsplit(site).netloc
        alias = old_path(link, site) if on_site else ""
        authors = [a.get("name", "").strip() for a in entry.get("authors", []) if a.get("name", "").strip()]
        for name in authors:
            if normalize(name) not in agencies:
                reading.authors.setdefault(slugify(name), name)
        tags = list(dict.fromkeys((t.get("label") or t.get("term") or "").strip() for t in entry.get("tags", [])))
        tags = [t for t in tags if t and slugify(t)]
        for name in tags:
            reading.tags.setdefault(slugify(name), name)
        updated = _when(entry, "updated", config.zone)
        images = [m.get("url", "") for m in entry.get("media_content", []) + entry.get("enclosures", [])
                  if str(m.get("type", "image")).startswith("image") and m.get("url", "").startswith("http")]
        content_type = (full or entry.get("summary_detail") or {}).get("type", "text/html")
        body = html_to_markdown(text) if "html" in content_type else text.strip() + "\n"
        reading.items.append(Item(
            import_id=entry.get("id") or link or f"{shown}#{title}",
            title=title,
            date=date,
            updated=updated if updated and (updated - date).days >= 1 else None,
            body=body,
            where=where,
            slug=slug_from_url(link),
            authors=authors,
            tags=tags,
            aliases=[alias] if alias else [],
            image=images[0] if images else "",
            summary_only=full is None,
        ))
    return reading


def read_feed_source(source: str, config: Config) -> Reading:
    """A feed file, or a feed address fetched once."""
    if source.startswith(("http://", "https://")):
        return read_feed(fetch(source), config, source)
    return read_feed(Path(source).read_bytes(), config, source)

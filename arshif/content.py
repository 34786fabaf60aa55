"""Find and read articles: split and check front matter, aware dates, slugs, Markdown to HTML."""

from __future__ import annotations

import hashlib
import html
import operator
import os
import posixpath
import re
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .markup import SiteMarkdown

from .arabic import isolate_latin, slugify, to_digits
from .config import Config
from .figures import Figure, body_figures, is_photo, text_keys
from .problems import Problem, display_path

KNOWN_KEYS = {"title", "date", "updated", "author", "tags", "category", "summary", "slug", "draft", "template", "image",
              "photos", "corrections", "aliases"}
DEFAULT_TEMPLATE = "article.html"
PARSE_VERSION = "arshif-parse-6"
WORDS_PER_MINUTE = 200
DATE_HINT = "write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM, e.g. date: 2020-01-13 14:30"


@dataclass(frozen=True)
class Correction:
    """A correction or update notice on an article: when it was made and what it says."""

    date: datetime
    text: str


@dataclass(frozen=True, slots=True)  # slots: with Page's, 100 MB less held at 100,000 articles
class Article:
    """One article as its source says it, checked; the site pass places it among the others."""

    source: str
    slug: str
    title: str
    date: datetime
    updated: datetime | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    category: str
    summary: str
    body_html: str
    words: int
    draft: bool = False
    template: str = DEFAULT_TEMPLATE
    image: str = ""
    corrections: tuple[Correction, ...] = ()
    digest: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    lead: Figure | None = None  # the front matter's image:, when it is a photo in content/
    figures: tuple[Figure, ...] = ()  # the photos of the body, in order
    aliases: tuple[str, ...] = ()  # old paths below the site root that redirect here ("2019/05/old-slug/")
    # Made from the fields above, once (a build reads them for every page): the article's path below the site
    # root, and when it last changed for its readers (its publication, its update or its latest correction).
    url: str = field(init=False, repr=False, compare=False)
    modified: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", f"{self.date.year}/{self.slug}/")
        object.__setattr__(self, "modified", max((self.date, *([self.updated] if self.updated else []),
                                                  *(c.date for c in self.corrections))))

    def __getstate__(self) -> tuple[Any, ...]:
        return _ARTICLE_STATE(self)

    def __setstate__(self, state: Sequence[Any]) -> None:
        # dataclasses' own, for frozen classes with slots, looks up fields() for every object: a third of
        # loading 10,000 cached articles. The slots' own setters, called from C, take a fifth less than a loop.
        if len(state) != len(_ARTICLE_SETTERS):
            raise ValueError(f"an article saved with {len(state)} fields, not {len(_ARTICLE_SETTERS)}")
        deque(map(operator.call, _ARTICLE_SETTERS, repeat(self), state), maxlen=0)

    @property
    def author(self) -> str:
        """The byline as one text: the authors' names as written, joined."""
        return "، ".join(self.authors)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))  # the order dataclasses pickles them in
_ARTICLE_STATE = operator.attrgetter(*_ARTICLE_FIELDS)
_ARTICLE_SETTERS = tuple(getattr(Article, name).__set__ for name in _ARTICLE_FIELDS)


@cache
def _front_matter_loader() -> Any:
    """Safe YAML that leaves dates as text, so impossible dates get our message, not a crash.

    Made on first use: a build with nothing to do never imports YAML.
    """
    import yaml

    class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return FrontMatterLoader


def new_markdown() -> SiteMarkdown:
    """The site's one Markdown configuration (tables, footnotes, fenced code, heading anchors): see markup.py."""
    from .markup import SiteMarkdown  # here, not at the top: a build with nothing to do never imports Markdown

    return SiteMarkdown()


class ArticleError(Exception):
    """A problem in one article's source, with the line it is on when known."""

    def __init__(self, message: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.hint = hint


class FileStat(NamedTuple):
    """What a build uses of a file's stat (a whole os.stat_result takes ~700 bytes: 70 MB at 100,000 files)."""

    st_mtime_ns: int
    st_size: int


def scan_files(top: Path, skip: tuple[str, ...] = (".", "_")) -> dict[str, FileStat]:
    """Every file below TOP with its stat, by relative path; names starting with SKIP are left out.

    Files come folder by folder in name order, each folder's files before its subfolders (os.walk's
    order), and each is looked up from its folder's descriptor: at 10,000 articles that is a third
    cheaper than a full path per file, and every no-change build pays it.
    """
    found: dict[str, FileStat] = {}

    def walk(folder: int, prefix: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted((entry.name, entry.is_dir(), entry.is_symlink())
                                 for entry in listing if not entry.name.startswith(skip))
        except OSError:
            return  # as os.walk: a folder that cannot be listed is left out
        subfolders = []
        for name, is_folder, is_link in entries:
            if is_folder:
                if not is_link:  # as os.walk: a link to a folder is not followed
                    subfolders.append(name)
            else:
                stat = os.stat(name, dir_fd=folder)
                found[prefix + name] = FileStat(stat.st_mtime_ns, stat.st_size)
        for name in subfolders:
            try:
                inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
            except OSError:
                continue
            try:
                walk(inner, prefix + name + "/")
            finally:
                os.close(inner)

    try:
        descriptor = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return found
    try:
        walk(descriptor, "")
    finally:
        os.close(descriptor)
    return found


PackedScan = tuple[list[str], "array[int]"]


def packed(scan: dict[str, FileStat]) -> PackedScan:
    """SCAN (scan_files) as its names and one array of their numbers: sent from a forked child (build.py), pickled
    in 1 ms instead of 10 at 10,000 files."""
    return list(scan), array("q", [number for stat in scan.values() for number in stat])


def unpacked(scan: PackedScan) -> dict[str, FileStat]:
    names, numbers = scan
    values = numbers.tolist()
    return dict(zip(names, map(FileStat._make, zip(values[0::2], values[1::2], strict=True)), strict=True))


def article_sources(scan: dict[str, FileStat]) -> list[str]:
    """The article files of a content scan, in a stable order (so builds are deterministic)."""
    return sorted(name for name in scan if name.endswith(".md"))


def static_sources(scan: dict[str, FileStat]) -> list[str]:
    """Images and other files kept beside articles; they are published at the same path."""
    return sorted(name for name in scan if not name.endswith(".md"))


def split_front_matter(text: str) -> tuple[str, str]:
    """The front matter and the body of an article's text."""
    if not text.strip():
        raise ArticleError("the file is empty", None,
                           "write front matter (---, title:, date:, ---) and a body, or delete the file")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ArticleError("no front matter: the first line must be ---", 1,
                           "start the file with ---, then title: and date:, then --- and the body")
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1:])
    raise ArticleError("the front matter is never closed", 1, "add a line --- after the last front-matter key")


def parse_front_matter(front: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The front matter as a dict and the line of each key (counted from the file's first line)."""
    import yaml

    loader = _front_matter_loader()(front)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and start:
            problem = f"{problem} ({context} that starts on line {start.line + 2})"
            if "end of stream" in problem:
                mark = start
        raise ArticleError(f"broken YAML in the front matter: {problem}",
                           mark.line + 2 if mark else None,
                           "check quotes, colons and indentation on that line") from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ArticleError("the front matter must be key: value lines", 2, "e.g. title: \"...\" and date: 2020-01-13")
    lines: dict[str, int] = {}
    for key, value in node.value if node is not None else ():
        lines[str(key.value)] = key.start_mark.line + 2
        if isinstance(value, yaml.SequenceNode):  # "corrections[0]", "corrections[0].date": where each item is
            for index, item in enumerate(value.value):
                lines[f"{key.value}[{index}]"] = item.start_mark.line + 2
                if isinstance(item, yaml.MappingNode):
                    for sub, _ in item.value:
                        lines[f"{key.value}[{index}].{sub.value}"] = sub.start_mark.line + 2
    return data, lines


def parse_date(value: Any, zone: ZoneInfo) -> datetime:
    """An aware datetime from front matter; naive values are in the site's time zone."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        text = to_digits(value.strip(), "latn").replace("Z", "+00:00")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([+-]\d{2}:?\d{2})?)?", text):
            raise ValueError(f"{value!r} is not a date")
        try:
            parsed = datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-"))
        except ValueError as error:
            raise ValueError(f"{value!r} is not a real date ({error})") from None
    else:
        raise ValueError(f"{value!r} is not a date")
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def plain_text(body_html: str) -> str:
    """The text a reader sees in an HTML fragment, with whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body_html)).split())


def lead_summary(body_html: str, length: int) -> str:
    """The lead paragraph as plain text, cut on a word boundary to at most LENGTH characters.

    The lead is the first paragraph with text: one holding only a photo does not count.
    """
    paragraphs = (plain_text(p.group(1)) for p in re.finditer(r"<p>(.*?)</p>", body_html, re.DOTALL))
    return cut_on_word(next((p for p in paragraphs if p), "") or plain_text(body_html), length)


def cut_on_word(text: str, length: int) -> str:
    """TEXT, or its first words up to LENGTH characters and "…": never half a word."""
    if len(text) <= length:
        return text
    cut = text[:length + 1].rsplit(" ", 1)[0] if " " in text[:length + 1] else text[:length]
    return cut.rstrip(" ،,؛;:.-") + "…"


_RELATIVE_URL = re.compile(r'(<(?:img|a)\b[^>]*?\s(?:src|href)=")(?![a-z][a-z0-9+.-]*:|/|#)([^"]+)"')


def site_path(link: str, source_dir: str) -> str:
    """The percent-encoded site path of LINK written relative to an article in SOURCE_DIR."""
    path, hash_mark, fragment = link.partition("#")
    target = posixpath.normpath(posixpath.join(source_dir, unquote(path)))
    if target == ".." or target.startswith("../"):
        raise ArticleError(f"the link {link!r} points outside content/", None,
                           "link to a file inside content/, or write a full https:// address")
    return quote(target.removeprefix("."), safe="/") + hash_mark + fragment


def absolute_links(body_html: str, source_dir: str, base_path: str) -> str:
    """Rewrite links relative to the article's file (an image beside it) to percent-encoded site paths."""
    def fix(match: re.Match[str]) -> str:
        url = base_path + site_path(html.unescape(match.group(2)), source_dir)
        return f'{match.group(1)}{html.escape(url, quote=True)}"'
    return _RELATIVE_URL.sub(fix, body_html)


def parse_settings(config: Config) -> str:
    """Everything besides an article's bytes that shapes its parsed form; part of its cache key."""
    return repr((PARSE_VERSION, config.timezone, config.base_path, config.summary_length))


def source_digest(data: bytes, settings: str, relative: str) -> str:
    """What a parsed article is keyed by: its bytes, where it is, and how it is parsed."""
    return hashlib.sha256(f"{settings}\0{relative}\0".encode() + data).hexdigest()


def read_article(path: Path, config: Config, converter: SiteMarkdown, data: bytes | None = None,
                 digest: str = "") -> Article:
    """Read and check one article; raise ArticleError naming the first thing wrong with it."""
    return _read_article(path, config, converter, data, digest)[0]


def _read_article(path: Path, config: Config, converter: SiteMarkdown, data: bytes | None = None,
                  digest: str = "", source: str | None = None) -> tuple[Article, str]:
    """read_article, and the text of the body (plain_text). SOURCE, when the caller knows it: the path
    as display_path gives it (_SourceNames)."""
    data = path.read_bytes() if data is None else data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ArticleError(f"not UTF-8 text (byte 0x{data[error.start]:02x})", line,
                           "save the file as UTF-8 in your editor") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body = split_front_matter(text)
    meta, lines = parse_front_matter(front)

    def require_text(key: str, required: bool = False) -> str:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ArticleError(f"missing {key}", lines.get(key, 2), f"add a line {key}: ... to the front matter")
            return ""
        if isinstance(value, (dict, list, bool)):
            raise ArticleError(f"{key} must be text, not {type(value).__name__}", lines.get(key))
        return str(value).strip()

    title = require_text("title", required=True)
    if "date" not in meta or meta["date"] in (None, ""):
        raise ArticleError("missing date", 2, "add a line date: YYYY-MM-DD (e.g. date: 2020-01-13)")
    dates = {}
    for key in ("date", "updated"):
        if meta.get(key) not in (None, ""):
            try:
                dates[key] = parse_date(meta[key], config.zone)
            except ValueError as error:
                raise ArticleError(f"{key}: {error}", lines.get(key), DATE_HINT) from None

    authors = meta.get("author")
    authors = [] if authors in (None, "") else authors if isinstance(authors, list) else [authors]
    if not all(isinstance(a, (str, int)) and not isinstance(a, bool) and str(a).strip() for a in authors):
        raise ArticleError("author must be a name or a list of names", lines.get("author"),
                           "write author: سلمى حداد, or one '- name' line per author")
    corrections = read_corrections(meta.get("corrections"), lines, config.zone)
    aliases = read_aliases(meta.get("aliases"), lines.get("aliases"))

    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) and str(t).strip() for t in tags):
        raise ArticleError("tags must be a list of tag names", lines.get("tags"),
                           "write tags: [libya, russia] or one '- tag' line per tag")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ArticleError("draft must be true or false", lines.get("draft"))

    template = require_text("template") or DEFAULT_TEMPLATE
    relative = path.relative_to(config.content_dir)
    slug = slugify(require_text("slug") or relative.stem)
    if not slug:
        raise ArticleError("the slug is empty once made URL-safe", lines.get("slug"),
                           "set slug: to letters, digits and hyphens")

    image, lead, words = _photo_keys(meta, lines, relative.parent.as_posix())
    body_html = absolute_links(converter.convert(body), relative.parent.as_posix(), config.base_path)
    body_html, figures = body_figures(body_html, config.base_path, words)
    unused = sorted(set(words) - {f.path for f in figures})
    if unused:
        raise ArticleError(f"photos: lists {unused[0]}, which the body does not show", lines.get("photos"),
                           "show it with ![description](file) in the body, or remove it from photos:")
    body_html = str(isolate_latin(body_html))
    body_text = plain_text(body_html)
    return Article(
        source=source or display_path(path, config.root),
        slug=slug,
        title=title,
        date=dates["date"],
        updated=dates.get("updated"),
        authors=tuple(dict.fromkeys(str(a).strip() for a in authors)),
        tags=tuple(dict.fromkeys(str(t).strip() for t in tags)),
        category=require_text("category"),
        summary=require_text("summary") or lead_summary(body_html, config.summary_length),
        body_html=body_html,
        words=len(body_text.split()),
        draft=draft,
        template=template,
        image=image,
        corrections=corrections,
        digest=digest,
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
        lead=lead,
        figures=tuple(figures),
        aliases=aliases,
    ), body_text


def _photo_keys(meta: dict[str, Any], lines: dict[str, int],
                folder: str) -> tuple[str, Figure | None, dict[str, dict[str, str]]]:
    """image: (a file, a site path or a URL; or a mapping with src, alt, caption, credit) and photos:
    (the captions and credits of the body's photos, by file name): the image's site path or URL, the
    lead photo when it is a file of content/, and the words of the body's photos by content path."""
    value = meta.get("image")
    found: dict[str, str] = {}
    try:
        if isinstance(value, dict):
            src = value.get("src")
            if not isinstance(src, str) or not src.strip():
                raise ValueError("image: needs src: the photo's file name")
            found = text_keys({k: v for k, v in value.items() if k != "src"}, "image:")
            value = src
        elif value is not None and not isinstance(value, (str, int, float)):
            raise ValueError("image must be a file name or a mapping with src, alt, caption and credit")
        photos = meta.get("photos") or {}
        if not isinstance(photos, dict):
            raise ArticleError("photos must map file names to their caption and credit", lines.get("photos"),
                               "e.g. photos: {market.jpg: {caption: ..., credit: ...}}")
        words = {unquote(site_path(str(name), folder)): text_keys(keys, f"photos: {name}")
                 for name, keys in photos.items()}
    except ValueError as error:
        key = "image" if str(error).startswith("image") else "photos"
        raise ArticleError(str(error), lines.get(key), "see the front-matter keys in README.md") from None
    image = "" if value is None else str(value).strip()
    if not image or re.match(r"[a-z][a-z0-9+.-]*://", image):
        return image, None, words
    try:
        path = unquote(image.lstrip("/")) if image.startswith("/") else unquote(site_path(image, folder))
    except ArticleError as error:
        raise ArticleError(str(error), lines.get("image"), error.hint) from None
    if not is_photo(path):
        return quote(path, safe="/"), None, words
    return quote(path, safe="/"), Figure(path, found.get("alt", ""), found.get("caption", ""),
                                        found.get("credit", "")), words


ALIASES_HINT = "write aliases: then one '- 2019/05/12/old-slug/' line per old address (a path or a full URL)"


def read_aliases(value: Any, line: int | None) -> tuple[str, ...]:
    """The aliases: of front matter as paths below the site root, decoded ("2019/05/أسرار/"), so an old
    address keeps working: a full URL gives its path, and a last part without a file extension is a folder."""
    if value in (None, ""):
        return ()
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        if not isinstance(item, str) or not item.strip():
            raise ArticleError("aliases must be a list of old addresses", line, ALIASES_HINT)
        parts = urlsplit(item.strip())
        if parts.query:
            raise ArticleError(f"the alias {item!r} has a query (?{parts.query}), which a static host cannot serve",
                               line, "leave it out: only the path of an old address can become a redirect page")
        path = posixpath.normpath("/" + unquote(parts.path)).strip("/")
        if not path or path == "." or ".." in path.split("/"):
            raise ArticleError(f"the alias {item!r} is not a path below the site root", line, ALIASES_HINT)
        if "." not in path.rsplit("/", 1)[-1]:
            path += "/"
        found.append(path)
    return tuple(dict.fromkeys(found))


CORRECTIONS_HINT = "write corrections: then one '- date: YYYY-MM-DD' line per correction, with 'text: ...' under it"


def read_corrections(value: Any, lines: dict[str, int], zone: ZoneInfo) -> tuple[Correction, ...]:
    """The corrections: list of front matter, oldest first; raise ArticleError at the first bad one."""
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise ArticleError("corrections must be a list of date and text", lines.get("corrections"), CORRECTIONS_HINT)
    found = []
    for index, item in enumerate(value):
        where = f"corrections[{index}]"
        line = lines.get(where, lines.get("corrections"))
        if not isinstance(item, dict):
            raise ArticleError(f"correction {index + 1} must have a date and a text", line, CORRECTIONS_HINT)
        if item.get("date") in (None, ""):
            raise ArticleError(f"correction {index + 1} has no date", line, CORRECTIONS_HINT)
        try:
            when = parse_date(item["date"], zone)
        except ValueError as error:
            raise ArticleError(f"correction {index + 1}: date {error}", lines.get(f"{where}.date", line),
                               DATE_HINT) from None
        text = item.get("text")
        if not isinstance(text, (str, int)) or isinstance(text, bool) or not str(text).strip():
            raise ArticleError(f"correction {index + 1} has no text", lines.get(f"{where}.text", line),
                               "say what was corrected: text: ...")
        unknown = sorted(set(item) - {"date", "text"})
        if unknown:
            raise ArticleError(f"correction {index + 1}: unknown key {unknown[0]!r}", line,
                               "a correction has only date: and text:")
        found.append(Correction(when, str(text).strip()))
    return tuple(sorted(found, key=lambda c: c.date))


def missing_templates(articles: Iterable[Article], templates: Iterable[str], config: Config) -> list[Problem]:
    """Articles whose template: names no file of templates/.

    Checked once the articles are read, not while parsing, so adding a template re-parses nothing.
    """
    known = set(templates)
    problems = []
    for article in articles:
        if article.template not in known:
            problems.append(Problem(article.source, front_matter_line(config.root / article.source, "template"),
                                    f"unknown template {article.template!r}: there is no templates/{article.template}",
                                    "name a template that exists, or remove the template: line"))
    return problems


def front_matter_line(path: Path, key: str) -> int | None:
    """The line of KEY in the front matter of PATH, for a problem found after parsing."""
    try:
        front, _body = split_front_matter(path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
        return parse_front_matter(front)[1].get(key)
    except (OSError, UnicodeDecodeError, ArticleError):
        return None


class ArticleStore(Protocol):
    """Where parsed articles are kept between builds (see cache.py); a no-op store caches nothing."""

    def unchanged(self, sources: Iterable[str], stats: dict[str, FileStat]) -> dict[str, Article]: ...

    def lookup(self, relative: str, stat: FileStat) -> tuple[Article | None, bytes | None, str]: ...

    def keep(self, relative: str, stat: FileStat, article: Article, terms: Any = None) -> Article: ...

    def spill(self, articles: list[Article], terms: list[Any]) -> list[Article]: ...


class NoStore:
    """Caches nothing: every article is read and parsed."""

    def __init__(self, settings: str) -> None:
        self.settings = settings

    def unchanged(self, sources: Iterable[str], stats: dict[str, FileStat]) -> dict[str, Article]:
        return {}

    def lookup(self, relative: str, stat: FileStat) -> tuple[Article | None, bytes | None, str]:
        return None, None, ""

    def keep(self, relative: str, stat: FileStat, article: Article, terms: Any = None) -> Article:
        return article

    def spill(self, articles: list[Article], terms: list[Any]) -> list[Article]:
        return articles


Outcome = tuple[str, Article | None, Problem | None]
Parsed = tuple[str, Article | None, Problem | None, Any]  # and the article's search terms (search.ArticleTerms)
ParseJob = tuple[str, bytes | None, str]
PARALLEL_THRESHOLD = 200
PARSE_BATCH = 50  # small and fixed: a batch's parsed bodies travel back whole, so big ones cost memory


def _parse_many(shared: tuple[Config, ArticleStore], jobs: Sequence[ParseJob]) -> list[Outcome]:
    """Parse a batch in a worker process; the bodies go to the store from here, not back to the parent."""
    config, store = shared
    outcomes = list(_parse_each(config, jobs))
    slim = iter(store.spill([article for _, article, _, _ in outcomes if article is not None],
                            [terms for _, article, _, terms in outcomes if article is not None]))
    return [(relative, next(slim) if article is not None else None, problem)
            for relative, article, problem, _ in outcomes]


class _SourceNames:
    """display_path of the files of content/ without resolving each one's path (4% of parsing an article):
    only a file or folder that is a link sends it to display_path."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.content = display_path(config.content_dir, config.root)
        self.plain_folders: dict[str, bool] = {"": not config.content_dir.is_symlink()}

    def of(self, relative: str) -> str:
        folder = relative.rpartition("/")[0]
        if self._plain(folder) and not (self.config.content_dir / relative).is_symlink():
            return f"{self.content}/{relative}"
        return display_path(self.config.content_dir / relative, self.config.root)

    def _plain(self, folder: str) -> bool:
        plain = self.plain_folders.get(folder)
        if plain is None:
            plain = self._plain(folder.rpartition("/")[0]) and not (self.config.content_dir / folder).is_symlink()
            self.plain_folders[folder] = plain
        return plain


def _parse_each(config: Config, jobs: Iterable[ParseJob]) -> Iterator[Parsed]:
    """Parse (relative path, bytes or None, digest) jobs one by one; each article comes with its search
    terms, counted from the body's text that the word count found (finding it again costs 3% of a parse)."""
    from .search import text_terms  # here: search.py imports this module

    converter = new_markdown()
    settings = parse_settings(config)
    names = _SourceNames(config)
    for relative, data, digest in jobs:
        path = config.content_dir / relative
        try:
            data = path.read_bytes() if data is None else data
            article, text = _read_article(path, config, converter, data,
                                          digest or source_digest(data, settings, relative), names.of(relative))
            yield relative, article, None, text_terms(article.title, article.author, article.summary, text)
        except ArticleError as error:
            yield relative, None, Problem(display_path(path, config.root), error.line, str(error), error.hint), None


def load_articles(config: Config, progress: Callable[[str, int, int], None] | None = None,
                  store: ArticleStore | None = None, workers: int = 1,
                  scan: dict[str, FileStat] | None = None) -> tuple[list[Article], list[Problem]]:
    """Every article of the site, and a problem for each source that could not be read.

    Articles the store knows unchanged are taken from it; the others are parsed, in WORKERS
    processes when there are many (Markdown is the slow part of a cold build).
    """
    store = store or NoStore(parse_settings(config))
    stats = scan if scan is not None else scan_files(config.content_dir)
    sources = article_sources(stats)
    found = store.unchanged(sources, stats)
    jobs: list[ParseJob] = []
    for relative in sources:
        if relative in found:
            continue
        article, data, digest = store.lookup(relative, stats[relative])
        if article is not None:
            found[relative] = article
        else:
            jobs.append((relative, data, digest))

    problems: list[Problem] = []
    done = len(found)
    if workers > 1 and len(jobs) >= PARALLEL_THRESHOLD:
        from .pool import batches_of, map_forked  # here: a build with nothing to do never starts workers

        batches = batches_of(jobs, PARSE_BATCH)
        outcomes = ((*outcome, None) for batch in map_forked(_parse_many, (config, store), batches, workers)
                    for outcome in batch)
        _collect(outcomes, found, problems, store, stats, progress, done, len(sources))
    else:
        _collect(_parse_each(config, jobs), found, problems, store, stats, progress, done, len(sources))
    return [found[r] for r in sorted(found)], problems


def _collect(outcomes: Iterable[Parsed], found: dict[str, Article], problems: list[Problem],
             store: ArticleStore, stats: dict[str, FileStat],
             progress: Callable[[str, int, int], None] | None, done: int, total: int) -> int:
    for relative, article, problem, terms in outcomes:
        if article is not None:
            found[relative] = store.keep(relative, stats[relative], article, terms)
        elif problem is not None:
            problems.append(problem)
        done += 1
        if progress and (done % 500 == 0 or done == total):
            progress("reading", done, total)
    return done

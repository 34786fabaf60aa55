"""The link check before a deploy: every internal link of a built site leads to a file of that build.

Internal means on the host of `base_url` (or relative); such a link must stay under the base
path (a root link `/x/` on a site served from `/archive/` is a 404 on the host) and lead to a
file of the build, or to a folder with an index.html. Checked: in HTML, the href/src/srcset of
every element that loads or links something, the URL metadata (`og:url`, `og:image`…) and the
URLs in JSON-LD; in CSS, url() and @import; in feeds and sitemaps, every link, loc, href and url;
in robots.txt, the Sitemap lines. Links to other hosts are not fetched.

check_changed_links does the same for a build that is updated in place (deploy's folder): it reads
only the files that are new or rewritten since the last check that passed, and the files whose
links' answers depended on a path that has appeared or gone since. Every answer depends only on the
file's bytes, its path, the base URL and whether a few paths of the build exist, so nothing else can
change it; what a check saw is kept in a record file, and a record that is damaged or was made for
anything else means a full check.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pickle
import re
import sys
import time
import xml.etree.ElementTree as ElementTree
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from stat import S_ISDIR
from urllib.parse import quote, unquote, urljoin, urlsplit

from .pool import batches_of, map_forked

# element -> attributes holding a URL to check
URL_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
    "source": ("src", "srcset"), "iframe": ("src",), "embed": ("src",), "object": ("data",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
}
# <meta property|name=... content=URL>
URL_META = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "og:audio", "og:video",
            "twitter:image", "twitter:image:src"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""")
XML_URL_ELEMENTS = {"link", "loc", "url", "icon", "logo", "comments", "docs"}
XML_URL_ATTRIBUTES = ("href", "url", "src")
IGNORED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:", "geo:")


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link that does not resolve: the file it is in (below the build), the link as written, why."""

    source: str
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.link} ({self.reason})"


class _HtmlLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in URL_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if value is None:
                continue
            if name == "srcset":
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]
            else:
                self.links.append(value)
        if tag == "meta" and (values.get("property") or values.get("name") or "") in URL_META \
                and values.get("content"):
            self.links.append(values["content"] or "")
        if tag == "script" and (values.get("type") or "").lower() == "application/ld+json":
            self._json_ld = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._json_ld = None if tag == "script" else self._json_ld

    def handle_data(self, data: str) -> None:
        if self._json_ld is not None:
            self._json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld is not None:
            # Invalid JSON-LD is not this check's to report (the HTML and metadata tests judge it).
            with contextlib.suppress(ValueError):
                self.links += [s for s in _strings(json.loads("".join(self._json_ld)))
                               if s.startswith(("http://", "https://"))]
            self._json_ld = None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def html_links(html: str) -> list[str]:
    """Every URL an HTML page links to or loads, entities decoded, in document order."""
    parser = _HtmlLinks()
    parser.feed(html)
    parser.close()
    return parser.links


def css_links(css: str) -> list[str]:
    """Every url(...) and @import "..." of a style sheet."""
    return [next(g for g in match.groups() if g is not None) for match in CSS_URL.finditer(css)]


def xml_links(data: bytes) -> list[str]:
    """The URLs of a feed or sitemap: link/loc/url elements' text, href/url/src attributes, permalink guids."""
    found = []
    for element in ElementTree.fromstring(data).iter():
        name = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        text = (element.text or "").strip()
        if text and (name in XML_URL_ELEMENTS or (name == "guid" and element.get("isPermaLink") != "false")) \
                and text.startswith(("http://", "https://", "/")):
            found.append(text)
        found += [element.get(a) or "" for a in XML_URL_ATTRIBUTES if element.get(a)]
    return found


def robots_links(text: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.lower().startswith("sitemap:")]


def url_of(relative: str, base_url: str) -> str:
    """The URL a file of the build (e.g. "tags/index.html") is served at."""
    return base_url + quote(relative.removesuffix("index.html") if relative.endswith("/index.html")
                            or relative == "index.html" else relative)


class _Resolver:
    """Decides where an absolute URL leads in the build, and which files' presence decided it."""

    def __init__(self, base_url: str, files: set[str]) -> None:
        self.base = urlsplit(base_url)
        self.base_path = self.base.path if self.base.path.endswith("/") else self.base.path + "/"
        self.files = files
        self.known: dict[str, tuple[str | None, tuple[str, ...]]] = {}

    def resolve(self, absolute: str) -> tuple[str | None, tuple[str, ...]]:
        """Why ABSOLUTE is broken (None when it resolves or is not the site's to check), and the paths of
        the build whose presence or absence decided that: only a change to those can change the answer."""
        found = self.known.get(absolute)
        if found is None:
            found = self.known[absolute] = self._resolve(absolute)
        return found

    def problem(self, absolute: str) -> str | None:
        return self.resolve(absolute)[0]

    @staticmethod
    def _candidates(relative: str) -> tuple[str, ...]:
        """The files that make RELATIVE exist: a folder's index.html; a file, or a folder without its slash."""
        if relative == "" or relative.endswith("/"):
            return (relative + "index.html",)
        return (relative, relative + "/index.html")

    def _resolve(self, absolute: str) -> tuple[str | None, tuple[str, ...]]:
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != self.base.netloc.lower():
            return None, ()
        path = unquote(parts.path, errors="strict") if "%" in parts.path else parts.path
        if path + "/" == self.base_path:
            return None, ()
        if not path.startswith(self.base_path):
            # Elsewhere on the same host (say the newsroom's main site): not this build's to check,
            # unless it names a file of this build from the host's root, i.e. it forgot the base path.
            guess = path.lstrip("/")
            if not guess:
                return None, ()
            needs = self._candidates(guess)
            if any(need in self.files for need in needs):
                return f"outside the base path {self.base_path}: the site serves this at {self.base_path}{guess}", needs
            return None, needs
        needs = self._candidates(path[len(self.base_path):])
        if any(need in self.files for need in needs):
            return None, needs
        return f"no file {needs[0]}", needs


PARALLEL_FILES = 400
Job = tuple[Path, str, _Resolver, bool]
Stamp = tuple[int, int, int, int]


def _read(path: Path) -> bytes:
    """The one place the check reads a file of the build (the tests count the calls)."""
    return path.read_bytes()


def _check(job: Job, paths: Sequence[str]) -> tuple[list[BrokenLink], dict[str, tuple[str, ...]]]:
    """Check the links of some files of the build; runs in the main process or in a forked worker.

    Returns the broken links and, when the job asks, for each file the paths its answers depended on.
    """
    folder, base_url, resolver, keep_needs = job
    broken = []
    needs_of = {}
    for relative in paths:
        kind = relative.rpartition(".")[2].lower()
        try:
            data = _read(folder / relative)
            if kind == "html":
                links = html_links(data.decode("utf-8"))
            elif kind == "css":
                links = css_links(data.decode("utf-8"))
            elif kind == "xml":
                links = xml_links(data)
            else:
                links = robots_links(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ElementTree.ParseError) as error:
            broken.append(BrokenLink(relative, "", f"cannot be read: {error}"))
            continue
        page_url = url_of(relative, base_url)
        needs: set[str] = set()
        for link in dict.fromkeys(link.strip() for link in links):
            if not link or link.startswith("#") or link.lower().startswith(IGNORED_SCHEMES):
                continue
            try:
                reason, decided = resolver.resolve(urljoin(page_url, link))
            except (ValueError, UnicodeDecodeError) as error:
                reason, decided = f"not a valid URL: {error}", ()
            needs.update(decided)
            if reason:
                broken.append(BrokenLink(relative, link, reason))
        if keep_needs:
            needs_of[relative] = tuple(needs)
    return broken, needs_of


def has_links(relative: str) -> bool:
    """Whether the check reads this file of the build: pages, style sheets, feeds and sitemaps, robots.txt."""
    name = relative.rpartition("/")[2]
    return relative == "robots.txt" or ("." in name and name.rpartition(".")[2].lower() in ("html", "css", "xml"))


def scan_site(folder: Path) -> tuple[set[str], dict[str, Stamp]]:
    """Every file of the build in FOLDER (paths relative to it), and the stamp (inode, modification and
    change times, size) of each one that has links: a file rewritten or touched gets another stamp."""
    files: set[str] = set()
    stamps: dict[str, Stamp] = {}
    top = str(folder) + os.sep
    pending = [""]
    while pending:
        prefix = pending.pop()
        with os.scandir(top + prefix) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir():
                    if not entry.is_symlink():  # like os.walk: a linked folder is not entered
                        pending.append(relative + "/")
                    continue
                files.add(relative)
                if has_links(relative):
                    try:
                        stat = entry.stat()
                        stamps[relative] = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
                    except OSError:  # a dangling link: never matches a record, and reading it fails
                        stamps[relative] = (-1, -1, -1, -1)
    return files, stamps


def _check_files(folder: Path, base_url: str, files: set[str], paths: list[str], workers: int | None,
                 keep_needs: bool) -> tuple[list[BrokenLink], dict[str, tuple[str, ...]]]:
    job = (folder, base_url, _Resolver(base_url, files), keep_needs)
    workers = workers or os.cpu_count() or 1
    if len(paths) < PARALLEL_FILES:
        workers = 1
    broken: list[BrokenLink] = []
    needs_of: dict[str, tuple[str, ...]] = {}
    for found, decided in map_forked(_check, job, batches_of(paths, max(50, len(paths) // (workers * 4))), workers):
        broken += found
        needs_of.update(decided)
    return sorted(broken), needs_of


def check_links(folder: Path, base_url: str, workers: int | None = None) -> list[BrokenLink]:
    """Every broken internal link of the built site in FOLDER served at BASE_URL, sorted by file.

    A file that cannot be read or parsed is reported too, with an empty link. Large sites are
    checked in WORKERS processes (default: the CPU count).
    """
    files, stamps = scan_site(folder)
    return _check_files(folder, base_url, files, sorted(stamps), workers, keep_needs=False)[0]


# --- checking only what changed -----------------------------------------------------------------

RECORD_VERSION = 1
COARSE_MARGIN_NS = 2_000_000_000  # on a file system with whole-second times, younger stamps are not kept
_RECORD_HEADER = b"Arshif link check record\n"


@dataclass
class _Record:
    """What the last check that passed saw: every file of the build, and for each file with links its
    stamp and the paths its links' answers depended on (NEEDS[OFFSETS[i]:OFFSETS[i + 1]] index NAMES)."""

    files: set[str]
    checked: list[str]
    stamps: array  # four numbers per checked file
    names: list[str]
    offsets: array
    needs: array


def _joined(names: Iterable[str]) -> str:
    return "\0".join(names)  # no path has a NUL in it


def _split(text: str) -> list[str]:
    return text.split("\0") if text else []


def _record_key(folder: Path, base_url: str) -> tuple[object, ...]:
    """What a record is valid for: this checker (its source, and the Python whose parsers it uses),
    the base URL and the folder."""
    checker = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return (RECORD_VERSION, checker, sys.version, base_url, str(folder.resolve()))


def _load_record(path: Path, key: tuple[object, ...]) -> _Record | None:
    """The record at PATH if it is whole and made for KEY; None (so: check everything) otherwise."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_RECORD_HEADER):
        return None
    digest, newline, payload = data[len(_RECORD_HEADER):].partition(b"\n")
    if not newline or hashlib.sha256(payload).hexdigest().encode() != digest:
        return None  # damaged: it is not read at all
    try:
        raw = pickle.loads(payload)
        if raw["key"] != key:
            return None
        record = _Record(set(_split(raw["files"])), _split(raw["checked"]), array("q", raw["stamps"]),
                         _split(raw["names"]), array("I", raw["offsets"]), array("I", raw["needs"]))
    except Exception:  # whatever is wrong with it, the answer is a full check
        return None
    count, offsets = len(record.checked), record.offsets
    if len(record.stamps) != 4 * count or len(offsets) != count + 1 or offsets[0] != 0 \
            or offsets[-1] != len(record.needs) or any(a > b for a, b in itertools.pairwise(offsets)) \
            or (record.needs and max(record.needs) >= len(record.names)):
        return None
    return record


def _save_record(path: Path, key: tuple[object, ...], record: _Record) -> None:
    payload = pickle.dumps({"key": key, "files": _joined(record.files), "checked": _joined(record.checked),
                            "stamps": record.stamps.tobytes(), "names": _joined(record.names),
                            "offsets": record.offsets.tobytes(), "needs": record.needs.tobytes()},
                           protocol=pickle.HIGHEST_PROTOCOL)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(_RECORD_HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(temporary, path)
    except OSError:  # not saved: the next check reads everything, which only costs time
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _to_recheck(last: _Record, files: set[str], stamps: dict[str, Stamp]) -> list[str]:
    """The files with links that are new or rewritten since LAST, and those whose links' answers
    depended on a path that appeared or went away since."""
    position = {name: i for i, name in enumerate(last.checked)}
    todo = set()
    for name, stamp in stamps.items():
        i = position.get(name)
        if i is None or tuple(last.stamps[4 * i:4 * i + 4]) != stamp:
            todo.add(name)
    moved = files ^ last.files
    if moved:
        ids = {i for i, name in enumerate(last.names) if name in moved}
        if ids:
            for i, name in enumerate(last.checked):
                if name in stamps and name not in todo \
                        and not ids.isdisjoint(last.needs[last.offsets[i]:last.offsets[i + 1]]):
                    todo.add(name)
    return sorted(todo)


def _updated(last: _Record | None, files: set[str], stamps: dict[str, Stamp],
             needs_of: dict[str, tuple[str, ...]], started: int) -> _Record:
    """LAST with the files just checked (NEEDS_OF) in, and the files that are gone out.

    The files kept from LAST are copied in runs, not one by one. A file just checked whose change
    time is too close to STARTED (the scan) on a file system with whole-second times is given a stamp
    that matches nothing: a change in the same second would not show in its stamp.
    """
    names = list(last.names) if last else []
    index = {name: i for i, name in enumerate(names)}
    record = _Record(files, [], array("q"), names, array("I", [0]), array("I"))
    if last:
        dropped = [i for i, name in enumerate(last.checked) if name in needs_of or name not in stamps]
        start = 0
        for stop in [*dropped, len(last.checked)]:  # kept: unchanged and still there
            if stop > start:
                first, shift = last.offsets[start], len(record.needs) - last.offsets[start]
                record.checked += last.checked[start:stop]
                record.stamps += last.stamps[4 * start:4 * stop]
                record.needs += last.needs[first:last.offsets[stop]]
                record.offsets += array("I", [offset + shift for offset in last.offsets[start + 1:stop + 1]])
            start = stop + 1
    for name, decided in needs_of.items():
        for need in decided:
            i = index.get(need)
            if i is None:
                i = index[need] = len(names)
                names.append(need)
            record.needs.append(i)
        stamp = stamps[name]
        coarse = stamp[2] % 1_000_000_000 == 0
        record.checked.append(name)
        record.stamps.extend((-1, -1, -1, -1) if coarse and stamp[2] > started - COARSE_MARGIN_NS else stamp)
        record.offsets.append(len(record.needs))
    if len(names) > 2 * len(set(record.needs)) + 1000:  # names no file depends on any more: drop them
        kept = sorted(set(record.needs))
        renumber = {old: new for new, old in enumerate(kept)}
        record.names = [names[i] for i in kept]
        record.needs = array("I", (renumber[i] for i in record.needs))
    return record


@dataclass(frozen=True)
class LinkCheck:
    """What check_changed_links found and how much it read."""

    broken: list[BrokenLink]
    read: int  # files whose links were read this time
    total: int  # files of the build that have links
    files: int  # files of the build
    full: bool  # there was no usable record: every file was read


def check_changed_links(folder: Path, base_url: str, record: Path, workers: int | None = None,
                        full: bool = False, changed: set[str] | None = None) -> LinkCheck:
    """check_links, reading only what may have changed since the last check that passed.

    RECORD (a file) keeps what that check saw. Read again: every file with links that is new or
    whose stamp changed (so rewritten or touched), and every file one of whose links' answers
    depended on a path that appeared or went away (a deleted page, or a file that a link without
    the base path now names). Without a usable record (none, damaged, made by another version of
    this checker, for another base URL or folder), or with FULL, every file is read. The record is
    replaced only when nothing is broken; otherwise the next check compares with the same one.

    A stamp is the inode, modification and change times and size: the build replaces a file it
    rewrites (a new inode), and a change made in place shows in the change time, which nothing can
    set back (see _updated for file systems whose times have whole seconds only). CHANGED, when
    known, names every path that changed since that check (deploy's pending list): only those are
    looked at, instead of every file of the folder.
    """
    started = time.time_ns()
    key = _record_key(folder, base_url)
    last = None if full else _load_record(record, key)
    if last is not None and changed is not None:
        files, stamps = _rescanned(folder, last, changed)
    else:
        files, stamps = scan_site(folder)
    todo = sorted(stamps) if last is None else _to_recheck(last, files, stamps)
    broken, needs_of = _check_files(folder, base_url, files, todo, workers, keep_needs=True)
    if not broken and (last is None or todo or files != last.files):  # else the record stays as it is
        _save_record(record, key, _updated(last, files, stamps, needs_of, started))
    return LinkCheck(broken, len(todo), len(stamps), len(files), last is None)


def _rescanned(folder: Path, last: _Record, changed: set[str]) -> tuple[set[str], dict[str, Stamp]]:
    """What scan_site would find, knowing that only the CHANGED paths differ from what LAST saw."""
    files = set(last.files)
    stamps = {name: tuple(last.stamps[4 * i:4 * i + 4]) for i, name in enumerate(last.checked)}
    top = str(folder) + os.sep
    for relative in changed:
        path = top + relative
        try:
            stat = os.stat(path)
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        except OSError:
            stat, stamp = None, (-1, -1, -1, -1)  # as scan_site: a dangling link never matches a record
        if (stat is None and not os.path.lexists(path)) or (stat is not None and S_ISDIR(stat.st_mode)):
            files.discard(relative)
            stamps.pop(relative, None)
            continue
        files.add(relative)
        if has_links(relative):
            stamps[relative] = stamp
    return files, stamps

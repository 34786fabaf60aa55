"""Persistent build state in ROOT/.cache/: parsed articles, their HTML, and what each output was made from.

Nothing here is trusted blindly: a missing, corrupt or old-version cache only costs time (it is
rebuilt), and every entry is keyed by digests of what produced it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import operator
import os
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from . import arabic
from .content import Article, FileStat, scan_files, source_digest
from .search import ArticleTerms, article_terms

CACHE_VERSION = 11
CACHE_DIR = ".cache/arshif"
FLUSH_EVERY = 500
CHUNKS = 32  # the big maps are saved in this many files, so an edit rewrites the few it changed


def cache_folder(root: Path, output: Path) -> Path:
    """One cache per output folder, since base URL and flags shape what is written there."""
    key = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:12]
    return root / CACHE_DIR / key


def _load_pickle(path: Path) -> Any:
    collecting = gc.isenabled()
    gc.disable()  # loading makes no cycles, and collections would walk everything loaded so far, again and again
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except Exception:  # any unreadable cache file is simply not used
        return None
    finally:
        if collecting:
            gc.enable()
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None


def _load_entry(path: Path, kind: type) -> Any:
    """The dataclass of KIND saved at PATH, or None when it is missing, damaged or of another version."""
    data = _load_pickle(path)
    entry = data.get("entry") if data else None
    if not isinstance(entry, kind) or not all(f.name in vars(entry) for f in fields(kind)):
        return None  # of another version of Arshif
    return entry


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Which file PATH is now: one saved again (os.replace) has another inode."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def last_folders(folder: Path) -> tuple[tuple[int, int, int] | None, dict[str, int]]:
    """The record file of the cache in FOLDER (its _stamp) and the output folders it holds, for a forked child
    to look at while the build reads the rest (build._scan_reading_ahead)."""
    path = folder / "record.pickle"
    stamp = _stamp(path)
    record = _load_entry(path, Record)
    return stamp, record.folders if record is not None else {}


def _pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _save_pickle(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump({**data, "version": CACHE_VERSION}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def _chunk(key: Any) -> int:
    """Which chunk file holds KEY: a path, or a key of depends.py (by its last part, a source or a slug)."""
    if type(key) is tuple:
        key = key[-1] if type(key[-1]) is str else repr(key)
    return zlib.crc32(key.encode()) % CHUNKS


def _save_chunked(folder: Path, stem: str, mapping: dict[Any, Any], before: dict[Any, Any] | None,
                  files: dict[int, str], same: Callable[[Any, Any], bool] = operator.is_) -> dict[int, str]:
    """Save MAPPING in CHUNKS files; returns each chunk's file name, to be kept where it is looked up.

    A chunk whose entries are all the SAME as in BEFORE (the map last saved in FILES; by default the
    very objects) keeps its file; the others are written under new names, so the files of the last
    save stay whole until the map that names the new ones replaces it. A few changed chunks are their
    last files with the changes made (finding every entry's chunk cost an edit 0.02 s at 10,000 articles);
    many are made from MAPPING (loading their files cost more). BEFORE None: MAPPING holds only changes to the
    map in FILES (then a damaged file loses the map: {}).
    """
    patch = before is None
    before = before or {}
    numbers = set(range(CHUNKS))  # the chunks to write
    if len(files) == CHUNKS:
        changed = [key for key, value in mapping.items() if not same(before.get(key), value)]
        gone = before.keys() - mapping.keys()
        numbers = {_chunk(key) for key in changed} | {_chunk(key) for key in gone}
        if not numbers:
            return files
        if patch or len(numbers) <= CHUNKS // 4:
            groups = {number: _load_pickle(folder / files[number]) for number in numbers}
            if all(data is not None and isinstance(data.get("entries"), dict) for data in groups.values()):
                entries = {number: data["entries"] for number, data in groups.items()}
                for key in gone:
                    entries[_chunk(key)].pop(key, None)
                for key in changed:
                    entries[_chunk(key)][key] = mapping[key]
                return _write_chunks(folder, stem, entries, files)
            numbers = set(range(CHUNKS))  # a damaged file: every chunk made afresh
    if patch:
        return {}
    entries = {number: {} for number in numbers}
    for key, value in mapping.items():
        group = entries.get(_chunk(key))
        if group is not None:
            group[key] = value
    return _write_chunks(folder, stem, entries, files)


def _write_chunks(folder: Path, stem: str, entries: dict[int, dict[Any, Any]], files: dict[int, str]) -> dict[int, str]:
    """Write each chunk of ENTRIES under a new name; returns FILES with those names."""
    token = os.urandom(6).hex()  # not uuid: importing it costs a no-change build 3 ms
    names = dict(files)
    for number, group in entries.items():
        names[number] = f"{stem}-{number}-{token}.pickle"
        _save_pickle(folder / names[number], {"entries": group})
    return names


def _load_chunked(folder: Path, files: dict[int, str]) -> dict[Any, Any] | None:
    """The map saved in FILES, or None when any of them is missing or damaged."""
    reading = _ChunkedReading(folder, files)
    reading.run()
    return reading.mapping


class _ChunkedReading:
    """A map saved in FILES (see _save_chunked), read a file at a time: MAPPING, once all are read; None when any
    of them is missing or damaged."""

    def __init__(self, folder: Path, files: dict[int, str]) -> None:
        self.folder, self.files = folder, files
        self._names = list(files.values()) if len(files) == CHUNKS else []
        self._done = 0
        self.mapping: dict[Any, Any] | None = {} if self._names else None

    def run(self, until: Callable[[], bool] | None = None) -> bool:
        """Read the files left, until UNTIL() is true (asked before each); whether all are read."""
        while self.mapping is not None and self._done < len(self._names):
            if until is not None and until():
                return False
            data = _load_pickle(self.folder / self._names[self._done])
            if data is None or not isinstance(data.get("entries"), dict):
                self.mapping = None
                break
            self.mapping.update(data["entries"])
            self._done += 1
        return True


def _remove_unnamed(folder: Path, stems: dict[str, set[str]]) -> None:
    """Delete the chunk files of each stem of STEMS that no saved map names any more (its set of names)."""
    for name in os.listdir(folder):
        stem, _, rest = name.partition("-")
        if stem in stems and rest.endswith(".pickle") and name not in stems[stem]:
            (folder / name).unlink(missing_ok=True)


class _Kept:
    """The context an output had in the last build, left in the record's files (BuildCache.load_contexts).
    Never saved: _save_contexts keeps the files or puts the loaded contexts in its place."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = _Kept()


@dataclass(slots=True)
class _Entry:
    mtime_ns: int
    size: int
    digest: str
    article: Article

    def __reduce__(self) -> tuple[Any, ...]:
        # Made again by a call: pickle's default for slots sets each from a dict (10,000 cost an edit 5 ms).
        return _Entry, (self.mtime_ns, self.size, self.digest, self.article)


class BodyStore:
    """Article HTML by source digest, in SQLite: read lazily, so a build never holds every body.

    A damaged database costs time only: once any statement reports damage the store is BROKEN for
    the rest of the build (reads find nothing, so bodies are parsed again; writes are dropped), and
    close() starts it afresh, when no worker holds it any more.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: dict[str, str] = {}
        self.pending_terms: dict[str, bytes] = {}
        self.pending_blobs: dict[tuple[str, int], bytes | None] = {}
        self.broken = False
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._owner = os.getpid()

    def _damaged(self) -> None:
        self.broken = True
        self.pending.clear()
        self.pending_terms.clear()
        self.pending_blobs.clear()

    def _read(self, sql: str, *arguments: Any) -> Any:
        if self.broken:
            return None
        try:
            return self._db().execute(sql, arguments).fetchone()
        except sqlite3.DatabaseError:
            self._damaged()
            return None

    def _write(self, *statements: tuple[str, Any]) -> None:
        """Run STATEMENTS (sql and its rows, or None for one run) in one transaction."""
        if self.broken:
            return
        try:
            with self._db() as db:
                for sql, rows in statements:
                    if rows is None:
                        db.execute(sql)
                    else:
                        db.executemany(sql, rows)
        except sqlite3.DatabaseError:
            self._damaged()

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self._connection = sqlite3.connect(self.path, timeout=60)
            # A cache loses nothing but time if the last writes are lost with the power: no waiting for the disk on
            # each commit (at 10,000 articles, 0.03 s of a one-body edit).
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._pid = os.getpid()
        return self._connection

    def prepare(self) -> None:
        """Create the database, or start it afresh when it is damaged; only before any worker runs.

        Workers open what this made and never delete anything: a file another process holds is
        never removed under it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._create()
        except sqlite3.DatabaseError:
            self._start_afresh()
            self._create()

    def _start_afresh(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.broken = False

    def _create(self) -> None:
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")  # parsing workers write while others read
        db.execute("CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS terms (key TEXT PRIMARY KEY, data BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS blobs (kind TEXT, number INTEGER, data BLOB, "
                   "PRIMARY KEY (kind, number))")
        for table in ("bodies", "terms", "blobs"):
            db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()

    def put(self, digest: str, html: str) -> None:
        """Keep HTML for DIGEST; written in batches, so a cold build never holds every body at once."""
        self.pending[digest] = html
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def get(self, digest: str) -> str | None:
        if digest in self.pending:
            return self.pending[digest]
        row = self._read("SELECT html FROM bodies WHERE digest = ?", digest)
        return row[0] if row else None

    def flush(self, strict: bool = False) -> None:
        """Write pending bodies, term counts and files, so worker processes and later builds can read them.

        STRICT (in a worker) raises on damage instead, so the bodies go back to the main process.
        """
        if self.pending or self.pending_terms or self.pending_blobs:
            blobs = list(self.pending_blobs.items())
            statements = [
                ("INSERT OR REPLACE INTO bodies VALUES (?, ?)", list(self.pending.items())),
                ("INSERT OR REPLACE INTO terms VALUES (?, ?)", list(self.pending_terms.items())),
                ("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)", [(k, n, d) for (k, n), d in blobs if d is not None]),
                ("DELETE FROM blobs WHERE kind = ? AND number = ?", [(k, n) for (k, n), d in blobs if d is None]),
            ]
            if strict:
                with self._db() as db:
                    for sql, rows in statements:
                        db.executemany(sql, rows)
            else:
                self._write(*statements)
            self.pending.clear()
            self.pending_terms.clear()
            self.pending_blobs.clear()

    def get_blob(self, kind: str, number: int) -> bytes | None:
        """An encoded file kept for the next build (a search shard or bundle); None when there is none."""
        if (kind, number) in self.pending_blobs:
            return self.pending_blobs[(kind, number)]
        row = self._read("SELECT data FROM blobs WHERE kind = ? AND number = ?", kind, number)
        return row[0] if row else None

    def get_named(self, kind: str, name: str) -> bytes | None:
        """An encoded file kept under a name (a search shard, by its first term)."""
        return self.get_blob(f"{kind}:{name}", 0)

    def put_named(self, kind: str, name: str, data: bytes | None) -> None:
        self.put_blob(f"{kind}:{name}", 0, data)

    def put_blob(self, kind: str, number: int, data: bytes | None) -> None:
        """Keep DATA (None: nothing) as file NUMBER of KIND."""
        self.pending_blobs[(kind, number)] = data
        if len(self.pending_blobs) >= 200:
            self.flush()

    def mark_layout(self, layout: Any) -> None:
        """Note which search layout the kept files belong to (None: to none, they are being changed)."""
        self.put_blob("layout", 0, b"" if layout is None else str(layout.generation).encode())
        self.flush()

    def layout_is(self, layout: Any) -> bool:
        """Whether the kept search files are those of LAYOUT (a build stopped half-way leaves them not)."""
        mark = self.get_blob("layout", 0)
        return layout is not None and not self.broken and bool(mark) and mark == str(layout.generation).encode()

    def forget_blobs(self) -> None:
        """Before every file is made afresh: none of the old ones may be read back."""
        self.pending_blobs.clear()
        self._write(("DELETE FROM blobs", None))

    def put_terms(self, key: str, counts: Any) -> None:
        """Keep an article's search term counts (KEY is its source digest)."""
        self.pending_terms[key] = _pickled(counts)
        if len(self.pending_terms) >= FLUSH_EVERY:
            self.flush()

    def get_terms(self, key: str) -> Any:
        if key in self.pending_terms:
            return pickle.loads(self.pending_terms[key])
        row = self._read("SELECT data FROM terms WHERE key = ?", key)
        try:
            return pickle.loads(row[0]) if row else None
        except Exception:  # a damaged row only costs counting the article again
            return None

    def keep_only(self, digests: set[str]) -> None:
        """Drop the bodies of articles that are gone or changed."""
        self._write(("CREATE TEMP TABLE IF NOT EXISTS live (digest TEXT PRIMARY KEY)", None),
                    ("DELETE FROM live", None),
                    ("INSERT OR IGNORE INTO live VALUES (?)", [(d,) for d in digests]),
                    ("DELETE FROM bodies WHERE digest NOT IN (SELECT digest FROM live)", None),
                    ("DELETE FROM terms WHERE substr(key, 1, 64) NOT IN (SELECT digest FROM live)", None))

    def forget(self, digests: set[str]) -> None:
        """Drop the bodies and term counts of DIGESTS (articles changed or gone since the last build)."""
        if digests:
            self._write(("DELETE FROM bodies WHERE digest = ?", [(d,) for d in digests]),
                        ("DELETE FROM terms WHERE key >= ? AND key < ?", [(d, d + "~") for d in digests]))

    def close(self) -> None:
        """Close this process's connection; in the process that made the store, start a damaged one afresh."""
        if self.broken and os.getpid() == self._owner:
            self._start_afresh()
            return
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


@dataclass
class Summary:
    """What the no-change check needs of the last build: small, so a build with nothing to do is quick."""

    signature: Any = None
    next_due: datetime | None = None
    counts: tuple[int, int, int] = (0, 0, 0)
    listing: str = ""  # the last build's site files, one per line (one string loads faster than thousands)
    precompressed: bool = True  # whether those outputs got .gz/.br copies

    @property
    def outputs(self) -> list[str]:
        return self.listing.split("\n") if self.listing else []


@dataclass
class Record:
    """What the last build made, for planning the next: each output's context digest and reads, the
    state of every key it read (see depends.py), the static files copied, and the search files."""

    key: str = ""
    pages: dict[str, tuple[Any, str]] = field(default_factory=dict)  # reads as KEYS encodes them (depends.KeyTable)
    states: dict[Any, Any] | None = field(default_factory=dict)  # None: in STATE_FILES, not loaded (load_states)
    static: dict[str, tuple[int, int]] = field(default_factory=dict)
    sitemap: str = ""
    search: str = ""
    search_files: list[str] = field(default_factory=list)
    search_layout: Any = None
    template_refs: dict[str, frozenset[Any]] = field(default_factory=dict)  # template source digest -> names
    related: tuple[str, dict[str, tuple[str, ...]]] = ("", {})  # site.related_of: found from what, and them
    folders: dict[str, int] = field(default_factory=dict)  # output folders as this build left them: SiteWriter
    page_files: dict[int, str] = field(default_factory=dict)  # where PAGES' reads are saved (see _save_chunked)
    context_files: dict[int, str] = field(default_factory=dict)  # where PAGES' contexts are saved
    state_files: dict[int, str] = field(default_factory=dict)  # where STATES is saved
    shape: str = ""  # a digest of what the pages' contexts were made from (pipeline.Shaped.shape)
    keys: list[Any] = field(default_factory=list)  # the keys of PAGES' reads, in the order of their characters
    key_file: str = ""  # where KEYS is saved
    routes: str = ""  # site.route_shape of the site this build placed its articles in
    placed: str = ""  # the build key (build._build_key) they were placed under
    listed: int = 0  # how many pages the sitemaps list
    published: str = ""  # which articles were published (pipeline.Shaped.published)
    beside: str = ""  # the files beside the articles, with their times (pipeline.Shaped.beside)


@dataclass
class BuildCache:
    """The article store for content.load_articles, and the record of the last build's outputs."""

    folder: Path
    content_dir: Path
    settings: str
    trust: bool = True
    persist: bool = True
    index: dict[str, _Entry] = field(default_factory=dict)
    seen: dict[str, _Entry] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    record: Record | None = None  # what the last build made, once read or saved
    index_loaded: bool = False
    index_reading: _ChunkedReading | None = None  # the index as far as load_index has read it
    index_files: dict[int, str] = field(default_factory=dict)  # where INDEX is saved (see _save_chunked)
    in_session: bool = False  # kept in memory by a long-lived process since its last build
    unsaved: Any = None  # what finish_saving still has to do (a session's build leaves its saving for later)
    assembled: Any = None  # a session's last assembled site, for the next build to keep (pipeline._kept_site)
    readers: Any = None  # in a session, which outputs of RECORD read each key (depends.Readers)
    scan: dict[str, FileStat] | None = None  # in a session, the content files as its last build saw them
    record_stamp: Any = None  # the record file load_record read (_stamp)
    looking_ahead: Any = None  # a child looking at the output folders of a record file (build._look_at_last_folders)

    def __post_init__(self) -> None:
        self.bodies = BodyStore(self.folder / "bodies.sqlite")
        self.bodies.prepare()
        if self.trust:
            self.summary = _load_entry(self.folder / "summary.pickle", Summary) or Summary()

    def load_record(self) -> Record:
        """What the last build made (only read when the fast no-change check failed).

        Its outputs' contexts are KEPT, left on disk until load_contexts: a build that places every page as the
        last one did never looks at them (at 10,000 articles loading them costs 0.05 s, saving them again 0.03 s).
        """
        if self.record is None:
            self.record_stamp = _stamp(self.folder / "record.pickle")
            record = _load_entry(self.folder / "record.pickle", Record) if self.trust else None
            reads = _load_chunked(self.folder, record.page_files) if record is not None else None
            keys = _load_pickle(self.folder / record.key_file) if reads is not None and record.key_file else None
            if keys is not None and isinstance(keys.get("entries"), list) and len(record.context_files) == CHUNKS \
                    and len(record.state_files) == CHUNKS:
                pages = {path: (KEPT, read) for path, read in reads.items()}
                self.record = replace(record, pages=pages, states=None, keys=keys["entries"])
            else:
                self.record = Record()
        return self.record

    def know_locale(self, locale: str) -> None:
        """Have the pages use LOCALE's facts (arabic.LocaleFacts) as an earlier build kept them here, else keep
        Babel's for the next build: loading Babel's data for them cost a body edit 0.035 s."""
        data = _load_pickle(self.folder / "locale.pickle") if self.trust else None
        facts = data.get("facts") if data is not None else None
        if getattr(facts, "locale", None) == locale and arabic.remember(facts):
            return
        if self.persist:
            _save_pickle(self.folder / "locale.pickle", {"facts": arabic.locale_facts(locale)})

    def load_states(self) -> None:
        """Read the record's key states, which load_record leaves on disk: a build that places every article as the
        last one did knows which changed without them (pipeline._placed_as_before). Damaged files cost time only: no
        key then has a state to compare with, so every page is rendered again."""
        if self.record is not None and self.record.states is None:
            self.record.states = _load_chunked(self.folder, self.record.state_files) or {}

    def load_contexts(self) -> None:
        """Put the last build's contexts in the record's outputs, where they are KEPT.

        Damaged files cost time only: each output then gets a context no build makes, so it is rendered again.
        """
        record = self.record
        if record is None or not any(context is KEPT for context, _reads in record.pages.values()):
            return
        contexts = _load_chunked(self.folder, record.context_files) or {}
        for path, (context, reads) in record.pages.items():
            if context is KEPT:
                record.pages[path] = (contexts.get(path), reads)

    def load_index(self, until: Callable[[], bool] | None = None) -> None:
        """Read the parsed articles of the last build (only when the fast no-change check failed). UNTIL is asked
        before each file: once it is true, the rest is left for the next call (build.py reads ahead while the
        content is scanned)."""
        if self.index_loaded:
            return
        if self.index_reading is None:
            data = _load_pickle(self.folder / "articles.pickle") if self.trust else None
            files = data.get("files", {}) if data and data.get("settings") == self.settings else {}
            self.index_reading = _ChunkedReading(self.folder, files)
        if not self.index_reading.run(until):
            return
        if self.index_reading.mapping is not None:
            self.index, self.index_files = self.index_reading.mapping, self.index_reading.files
        self.index_reading, self.index_loaded = None, True

    def renewed(self) -> BuildCache:
        """This cache, for the next build of a session: what the last build saw is what it knows."""
        renewed = replace(self, index=(self.seen or self.index) if self.index_loaded else {}, seen={},
                          in_session=True, looking_ahead=None)
        renewed.bodies.close()
        renewed.bodies = self.bodies
        return renewed

    def unchanged(self, sources: Iterable[str], stats: dict[str, FileStat]) -> dict[str, Article]:
        """The articles of SOURCES whose files have the size and time they had, found in one pass (a lookup
        a file cost an edit at 10,000 articles 0.01 s)."""
        index, seen, found = self.index, self.seen, {}
        for relative in sources:
            entry = index.get(relative)
            if entry is not None:
                stat = stats[relative]
                if entry.mtime_ns == stat.st_mtime_ns and entry.size == stat.st_size:
                    seen[relative] = entry
                    found[relative] = entry.article
        return found

    def lookup(self, relative: str, stat: FileStat) -> tuple[Article | None, bytes | None, str]:
        entry = self.index.get(relative)
        if entry is None:
            # Nothing to compare with: the parser reads the file (in a worker, on a cold build). Reading it
            # here would hold every source's bytes in this process until all are parsed (0.8 GB at 100,000).
            return None, None, ""
        if (entry.mtime_ns, entry.size) == (stat.st_mtime_ns, stat.st_size):
            self.seen[relative] = entry
            return entry.article, None, entry.digest
        data = (self.content_dir / relative).read_bytes()
        digest = source_digest(data, self.settings, relative)
        if entry.digest == digest:
            self.seen[relative] = _Entry(stat.st_mtime_ns, stat.st_size, digest, entry.article)
            return entry.article, None, digest
        return None, data, digest

    def spill(self, articles: list[Article], terms: list[ArticleTerms]) -> list[Article]:
        """In a parsing worker: store the bodies (and each article's search TERMS) where every process reads
        them, return the articles without.

        If the database cannot take them, the bodies go back whole and the parent stores them.
        """
        for article, counted in zip(articles, terms, strict=True):
            self.bodies.pending[article.digest] = article.body_html
            self.bodies.pending_terms[article.digest] = _pickled(counted)
        try:
            self.bodies.flush(strict=True)
        except sqlite3.Error:
            self.bodies.pending.clear()
            self.bodies.pending_terms.clear()
            return articles
        return [replace(article, body_html="") for article in articles]

    def keep(self, relative: str, stat: FileStat, article: Article, terms: ArticleTerms | None = None) -> Article:
        """Record a freshly parsed article (and its search TERMS, when counted); what the build keeps in memory
        has no body."""
        slim = replace(article, body_html="")
        if article.body_html:
            self.bodies.put(article.digest, article.body_html)
            self.bodies.put_terms(article.digest, terms or article_terms(article, article.body_html))
        self.seen[relative] = _Entry(stat.st_mtime_ns, stat.st_size, article.digest, slim)
        return slim

    def body(self, article: Article) -> str | None:
        return self.bodies.get(article.digest)

    def save(self, summary: Summary, record: Record) -> None:
        """Record this build; called only after its output is in place."""
        if not self.persist:
            return
        self.bodies.flush()
        live = {entry.digest for entry in self.seen.values()}
        if self.index:
            self.bodies.forget({entry.digest for entry in self.index.values()} - live)
        else:
            self.bodies.keep_only(live)
        files = _save_chunked(self.folder, "articles", self.seen, self.index, self.index_files)
        if files != self.index_files:
            _save_pickle(self.folder / "articles.pickle", {"settings": self.settings, "files": files})
        self.index_files = files
        if record.pages or not record.page_files:  # else save_ahead saved them
            record = replace(record, **self.save_ahead(record.pages, record.states, record.keys))
        _save_pickle(self.folder / "record.pickle", {"entry": replace(record, pages={}, states=None, keys=[])})
        _remove_unnamed(self.folder, {"articles": set(files.values()), "keys": {record.key_file},
                                      "pages": set(record.page_files.values()),
                                      "contexts": set(record.context_files.values()),
                                      "states": set(record.state_files.values())})
        _save_pickle(self.folder / "summary.pickle", {"entry": summary})
        self.summary, self.record = summary, record

    def save_ahead(self, pages: dict[str, tuple[Any, str]], states: dict[Any, Any], keys: list[Any],
                   patched: bool = False) -> dict[str, Any]:
        """Save a record's big parts, its PAGES, STATES and KEYS, ahead of the rest (see save); returns the
        record's page_files, state_files and key_file. Nothing reads them until a record naming them is saved, so
        a build that fails after this loses nothing. PATCHED: STATES holds only those that changed."""
        if not self.persist:
            return {}
        last = self.record if self.record is not None else Record()
        key_file = last.key_file
        if not key_file or keys != last.keys:  # a key table only grows, unless compacted
            key_file = f"keys-{os.urandom(6).hex()}.pickle"
            _save_pickle(self.folder / key_file, {"entries": keys})
        reads = {path: entry[1] for path, entry in pages.items()}
        before = {path: entry[1] for path, entry in last.pages.items()}
        return {"page_files": _save_chunked(self.folder, "pages", reads, before, last.page_files, operator.eq),
                "context_files": self._save_contexts(pages, last),
                "state_files": _save_chunked(self.folder, "states", states, None if patched else last.states or {},
                                             last.state_files, operator.eq),
                "key_file": key_file}

    def _save_contexts(self, pages: dict[str, tuple[Any, str]], last: Record) -> dict[int, str]:
        """Save the contexts of PAGES; where all are the last build's, unlooked at (KEPT), its files stay."""
        if pages.keys() == last.pages.keys() and len(last.context_files) == CHUNKS \
                and all(entry[0] is KEPT for entry in pages.values()):
            return last.context_files
        if any(entry[0] is KEPT for entry in pages.values()):
            self.load_contexts()  # the KEPT entries of PAGES are the last record's
            pages = {path: (last.pages[path][0] if context is KEPT else context, reads)
                     for path, (context, reads) in pages.items()}
        contexts = {path: entry[0] for path, entry in pages.items()}
        before = {path: entry[0] for path, entry in last.pages.items()}
        return _save_chunked(self.folder, "contexts", contexts, before, last.context_files, operator.eq)

    def finish_saving(self) -> None:
        """Save what the last build left unsaved; the connection is closed after, for whichever thread builds next."""
        if self.unsaved is not None:
            unsaved, self.unsaved = self.unsaved, None
            try:
                unsaved()
            finally:
                self.bodies.close()

    def forget_outputs(self) -> None:
        """Before output files are replaced: a build stopped half-way must not trust the old record."""
        for name in ("summary.pickle", "record.pickle"):
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()


def input_signature(root: Path, key: str, content: dict[str, FileStat]) -> tuple[Any, ...]:
    """Every source file's path, size and modification time, and KEY: equal means nothing changed."""
    files = []
    for folder, scan in (("content", content), ("templates", scan_files(root / "templates", (".",))),
                         ("theme", scan_files(root / "theme", (".",)))):
        files += [(folder, name, stat.st_mtime_ns, stat.st_size) for name, stat in scan.items()]
    stat = (root / "site.toml").stat()
    return (key, stat.st_mtime_ns, stat.st_size, tuple(files))


def next_due(articles: list[Article], now: datetime) -> datetime | None:
    """When the first article held back as future becomes due (then a build has work to do)."""
    return min((a.date for a in articles if a.date > now), default=None)



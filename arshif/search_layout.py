"""The search files the browser reads, kept up to date edit by edit.

The browser scores with BM25 itself (theme/js/search-index.js, lunr's formula, k1 1.2, b 0.75), so
nothing written here depends on global statistics:

- search/terms/ID.json, a shard: a run of terms, each with, per field, the flat list
  [document, term frequency, …].
- search/docs/N.json, a bundle: what BUNDLE consecutive documents show as results (address, title,
  date, tags and the opening of the body for the snippet).
- search/index.json, the manifest: fields and boosts, the live documents, each one's field lengths
  and day (for "newest first"), the totals BM25 averages over, and where each shard starts.

Every file is a function of the published articles alone, so an incremental build writes the bytes
a cold one writes. Documents are numbered oldest first (a new article takes the next number and
touches one bundle). A shard starts at a term whose hash is a multiple of BOUNDARY_EVERY (so an edit
moves no boundary but at the terms it adds or removes), or where the shard would pass SHARD_MAX
bytes; an edit re-encodes only the shards between the hash boundaries around its terms.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import orjson

from .arabic import SEARCH_LABEL
from .search import (
    FIELDS,
    LUNR_VERSION,
    SNIPPET_CHARACTERS,
    ArticleTerms,
    Counts,
    Packed,
    document_counts,
    document_fields,
)

FORMAT_VERSION = 6  # of the files, as the manifest says
LAYOUT_VERSION = 7  # of the layout kept between builds: another means starting afresh
BOUNDARY_EVERY = 1024  # one term in this many starts a shard (terms per shard, on average)
SHARD_MAX = 104_000  # bytes of JSON past which a shard is cut early (96,000 made 101 files for 1,000 articles)
BUNDLE = 20  # documents per result bundle
ENTRY_CHUNK = 512  # documents per kept chunk of entries (Layout.entries)

Shard = dict[str, list[list[int]]]  # term -> per field: the flat [document, tf, …] list, by document


def hash_boundary(term: str) -> bool:
    """Whether TERM starts a shard whatever the other terms are."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "big") % BOUNDARY_EVERY == 0


def shard_id(start: str) -> str:
    """A shard's file name, from its first term."""
    return hashlib.blake2b(start.encode(), digest_size=5).hexdigest()


class CountStore(Protocol):
    """Where articles' counted terms (by article digest) and encoded files are kept between builds (cache.BodyStore)."""

    def get_terms(self, key: str) -> Any: ...
    def put_terms(self, key: str, counts: Any) -> None: ...
    def get_blob(self, kind: str, number: int) -> bytes | None: ...
    def put_blob(self, kind: str, number: int, data: bytes | None) -> None: ...
    def get_named(self, kind: str, name: str) -> bytes | None: ...
    def put_named(self, kind: str, name: str, data: bytes | None) -> None: ...
    def forget_blobs(self) -> None: ...


# One document of the index, what it was counted from: its key, its article's digest (its terms in the store) and
# its tags. A plain tuple: the layout is saved on every build, and 10,000 dataclasses took five times as long.
Entry = tuple[str, str, tuple[str, ...]]


@dataclass
class Layout:
    """The search files' shape between builds: document numbers and where shards start."""

    version: int = LAYOUT_VERSION
    shape: tuple[int, ...] = ()  # the constants it was cut with (see _shape): others mean starting afresh
    generation: int = 0  # which build made it: the kept files say which layout they belong to
    numbers: dict[str, int] = field(default_factory=dict)  # article source -> document number
    starts: list[str] = field(default_factory=lambda: [""])  # first term of each shard, sorted
    # What the manifest says of each document, by number (0 where there is none): kept as the manifest
    # writes them, so writing it after an edit costs no pass over the documents.
    lengths: list[list[int]] = field(default_factory=lambda: [[] for _ in FIELDS])
    days: list[int] = field(default_factory=list)
    # Each document's entry by number, as far as read: the store keeps them in chunks of ENTRY_CHUNK documents
    # (SearchUpdate.entry, keep_entries), so an edit reads and writes one chunk. Saved with the layout, they
    # were half of every build's record: at 10,000 articles 0.02 s to load and save again.
    entries: dict[int, Entry] = field(default_factory=dict)
    loaded: set[int] = field(default_factory=set)  # the chunks whose entries ENTRIES holds
    changed: set[int] = field(default_factory=set)  # the chunks changed since the store had them

    def __getstate__(self) -> dict[str, Any]:
        return {**vars(self), "entries": {}, "loaded": set(), "changed": set()}


@dataclass(frozen=True)
class SearchItem:
    """A published article as search sees it.

    KEY changes whenever anything the index holds of it does (its digest, its tags, what its result
    shows); TERMS counts it when the store has not kept its counts; SHOWS makes its result from its snippet.
    """

    source: str
    key: str
    day: int
    digest: str
    tags: tuple[str, ...]
    terms: Callable[[], ArticleTerms]
    shows: Callable[[str], dict[str, Any]]


def _dump(data: Any) -> bytes:
    """Compact JSON in UTF-8 (the bytes of json.dumps with ensure_ascii=False and no spaces, checked on
    every file of a 10,000-article index), nine times as fast: encoding was a third of an edit's search step.

    Copied out: the bytes orjson returns keep the buffer it grew (1 MB held for a 76 KB shard), and a
    build keeps the files it writes until they are staged.
    """
    return memoryview(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)).tobytes()


def _encode(terms: Iterable[str], shard: Shard) -> bytes:
    return _dump([[term, *shard[term]] for term in terms])


def _decode(data: bytes) -> Shard:
    return {entry[0]: entry[1:] for entry in orjson.loads(data)}


def _size(term: str, entry: list[list[int]]) -> int:
    """About the bytes TERM's entry takes in a shard: counted, not encoded (the same in every build)."""
    return 2 * len(term) + 8 + 4 * sum(map(len, entry)) + 3 * len(entry)


def cut(terms: list[str], flats: Callable[[str], list[list[int]]], first: str) -> list[tuple[str, bytes]]:
    """TERMS (sorted) cut into shards: at hash boundaries, and early where one would pass SHARD_MAX.

    FIRST is the start of the first shard ("" for the first shard of all).
    """
    return list(cuts(terms, flats, first))


def cuts(terms: list[str], flats: Callable[[str], list[list[int]]], first: str) -> Iterator[tuple[str, bytes]]:
    """cut(), one shard at a time: FLATS is asked for each term once, in order, as its shard is made."""
    chunk: Shard = {}
    size = 0
    start = first
    for term in terms:
        entry = flats(term)
        length = _size(term, entry)
        if chunk and (hash_boundary(term) or size + length > SHARD_MAX):
            yield start, _encode(chunk, chunk)
            chunk, size, start = {}, 0, term
        chunk[term] = entry
        size += length
    yield start, _encode(chunk, chunk)


class SearchUpdate:
    """One build's changes to the search files: what to write (WRITTEN) and what goes (DELETED)."""

    def __init__(self, layout: Layout, store: CountStore, sink: Callable[[str, bytes], None] | None = None) -> None:
        self.layout = layout
        self.store = store
        self.width = len(FIELDS)
        self.changes: dict[int, dict[str, list[dict[int, int | None]]]] = defaultdict(dict)
        self.bundles: dict[int, dict[int, dict[str, Any] | None]] = defaultdict(dict)
        self.written: dict[str, bytes] = {}
        self.deleted: set[str] = set()
        # A cold build gives each file to SINK as soon as it is made (it writes every file once), instead of
        # holding them all in WRITTEN: at 100,000 articles they are about 0.35 GB. SENT names those files.
        self.sink = sink
        self.sent: set[str] = set()

    def _terms(self, item: SearchItem) -> ArticleTerms:
        """The item's own fields counted: from the store when it has them (they are counted as the
        article is parsed), else counted now."""
        terms = self._stored(item.digest)
        if terms is None:
            terms = item.terms()
            self.store.put_terms(item.digest, terms)
        return terms

    def fields(self, item: SearchItem) -> tuple[list[Packed], dict[str, Any]]:
        """The item's counted fields, packed, and its result."""
        terms = self._terms(item)
        return document_fields(terms, item.tags), item.shows(terms.snippet)

    def counts(self, item: SearchItem) -> tuple[Counts, dict[str, Any]]:
        """The item's counted fields as dicts, and its result."""
        terms = self._terms(item)
        return document_counts(terms, item.tags), item.shows(terms.snippet)

    def _stored(self, digest: str) -> ArticleTerms | None:
        stored = self.store.get_terms(digest)
        return stored if isinstance(stored, ArticleTerms) else None  # else of an older Arshif

    def _old_counts(self, entry: Entry | None) -> Counts | None:
        if entry is None:
            return None
        _key, digest, tags = entry
        terms = self._stored(digest)
        return document_counts(terms, tags) if terms is not None else None

    def entry(self, number: int) -> Entry | None:
        """Document NUMBER's entry, its chunk read from the store if need be; None when there is none (or the
        store lost it: then the caller starts afresh)."""
        layout = self.layout
        chunk = number // ENTRY_CHUNK
        if chunk not in layout.loaded:
            data = self.store.get_blob("entries", chunk)
            try:
                kept = marshal.loads(data) if data else {}
            except (EOFError, ValueError, TypeError):
                kept = {}
            if isinstance(kept, dict):
                for kept_number, kept_entry in kept.items():
                    layout.entries.setdefault(kept_number, kept_entry)
            layout.loaded.add(chunk)
        return layout.entries.get(number)

    def holds(self, number: int, item: SearchItem) -> bool:
        """Whether document NUMBER is ITEM as the index has it (same key and day)."""
        entry = self.entry(number)
        return entry is not None and (entry[0], self.layout.days[number]) == (item.key, item.day)

    def keep_entries(self) -> None:
        """Give the store the chunks of entries this update changed."""
        layout = self.layout
        for chunk in sorted(layout.changed):
            first = chunk * ENTRY_CHUNK
            kept = {n: layout.entries[n] for n in range(first, first + ENTRY_CHUNK) if n in layout.entries}
            self.store.put_blob("entries", chunk, marshal.dumps(kept) if kept else None)
        layout.changed.clear()

    def enter(self, number: int, item: SearchItem, lengths: list[int], shown: dict[str, Any]) -> None:
        layout = self.layout
        self.entry(number)  # its chunk read first: the chunk is kept whole
        layout.entries[number] = (item.key, item.digest, item.tags)
        layout.changed.add(number // ENTRY_CHUNK)
        missing = number + 1 - len(layout.days)
        if missing > 0:
            layout.days += [0] * missing
            for row in layout.lengths:
                row += [0] * missing
        layout.days[number] = item.day
        for row, length in zip(layout.lengths, lengths, strict=True):
            row[number] = length
        self.bundles[number // BUNDLE][number] = shown

    def remove(self, number: int) -> bool:
        """Take a document out; False when its counts are not in the store (then start afresh)."""
        layout = self.layout
        counts = self._old_counts(self.entry(number))
        if counts is None:
            return False
        del layout.entries[number]
        layout.changed.add(number // ENTRY_CHUNK)
        layout.days[number] = 0
        for row in layout.lengths:
            row[number] = 0
        self._note(number, counts, remove=True)
        self.bundles[number // BUNDLE].setdefault(number, None)
        return True

    def add(self, number: int, item: SearchItem) -> None:
        counts, shown = self.counts(item)
        self._note(number, counts, remove=False)
        self.enter(number, item, [length for _, length in counts], shown)

    def replace(self, number: int, item: SearchItem) -> bool:
        """A document changed in place: only the terms whose frequency changed are noted."""
        old = self._old_counts(self.entry(number))
        if old is None:
            return False
        counts, shown = self.counts(item)
        for slot, ((before, _), (after, _)) in enumerate(zip(old, counts, strict=True)):
            gone = {term: before[term] for term in before.keys() - after.keys()}
            changed = {term: tf for term, tf in after.items() if before.get(term) != tf}
            self._note(number, [({}, 0)] * slot + [(gone, 0)], remove=True)
            self._note(number, [({}, 0)] * slot + [(changed, 0)], remove=False)
        self.enter(number, item, [length for _, length in counts], shown)
        return True

    def _note(self, number: int, counts: Counts, remove: bool) -> None:
        starts = self.layout.starts
        for slot, (frequencies, _length) in enumerate(counts):
            for term, tf in frequencies.items():
                shard = bisect.bisect_right(starts, term) - 1
                per_field = self.changes[shard].setdefault(term, [{} for _ in range(self.width)])
                if remove:
                    per_field[slot].setdefault(number, None)
                else:
                    per_field[slot][number] = tf

    def _segment(self, position: int) -> tuple[int, int]:
        """The shards from the hash boundary at or before POSITION to the next one: what is re-cut together."""
        starts = self.layout.starts
        low = high = position
        while low > 0 and not hash_boundary(starts[low]):
            low -= 1
        while high + 1 < len(starts) and not hash_boundary(starts[high + 1]):
            high += 1
        return low, high

    def apply(self) -> None:
        """Re-encode the shards and bundles the changes touch.

        Within the segment between two hash boundaries a shard's end depends on the shards before it,
        so each stretch of changed shards is cut again from its first (from the shard before, when the
        first's own first term changed), and only as far as the new cut meets an old boundary again: from
        there to the next changed shard the old cut stays.
        """
        regions: list[tuple[int, int]] = []
        for position in sorted(self.changes):
            low, high = self._segment(position)
            if regions and low <= regions[-1][1] + 1:
                regions[-1] = (regions[-1][0], max(high, regions[-1][1]))
            else:
                regions.append((low, high))
        # From the last region to the first, so that re-cutting one does not move the others' positions.
        while regions:
            low, high = regions.pop()
            changed = sorted(position for position in self.changes if low <= position <= high)
            changed_set = set(changed)
            loaded: dict[str, bytes | None] = {}
            if changed[0] == low > 0 and self._first_gone(low, loaded):
                previous = self._segment(low - 1)[0]  # the segment's first term is gone: it joins the one before
                if regions and previous <= regions[-1][1] + 1:
                    previous = min(previous, regions.pop()[0])
                regions.append((previous, high))
                continue
            starts = self.layout.starts
            new_starts: list[str] = []
            done = low  # the old shards before DONE are accounted for
            for first_changed in changed:
                if first_changed < done:
                    continue  # re-cut with the stretch before
                # The shard before ends where it did unless this shard's first term changed (whether that
                # term fits in it is what ends it).
                unmoved = starts[first_changed] not in self.changes[first_changed]
                begin = first_changed if unmoved else max(done, first_changed - 1)
                new_starts += starts[done:begin]
                done = self._recut(begin, first_changed, high, changed_set, loaded, new_starts) + 1
            new_starts += starts[done:high + 1]
            old = starts[low:high + 1]
            starts[low:high + 1] = new_starts
            for start in set(old) - set(new_starts):
                self.store.put_named("shard", start, None)
                self._file(f"search/terms/{shard_id(start)}.json", None)
        self.changes.clear()
        self.apply_bundles()

    def _first_gone(self, low: int, loaded: dict[str, bytes | None]) -> bool:
        postings: Shard = {}
        self._load(low, postings, loaded)
        return self.layout.starts[low] not in postings

    def _recut(self, begin: int, end: int, high: int, changed: set[int], loaded: dict[str, bytes | None],
               new_starts: list[str]) -> int:
        """Cut shards BEGIN to END again, and the ones after as far as the new cut needs (to HIGH at most);
        adds the new starts to NEW_STARTS, writes the shards that differ, returns the last old shard used."""
        starts = self.layout.starts
        postings: Shard = {}
        for position in range(begin, end + 1):
            self._load(position, postings, loaded)
        while True:
            while end < high and end + 1 in changed:  # cut with these in any case: loaded before cutting once
                end += 1
                self._load(end, postings, loaded)
            terms = sorted(postings)
            pieces = cut(terms, postings.__getitem__, starts[begin])
            if end == high:
                break
            following: Shard = {}
            self._load(end + 1, following, loaded)
            first = starts[end + 1]
            last = terms[bisect.bisect_left(terms, pieces[-1][0]):]
            if sum(_size(term, postings[term]) for term in last) + _size(first, following[first]) > SHARD_MAX:
                break  # the new cut ends where the old one did: the shards after it stay as they are
            postings.update(following)
            end += 1
        for start, data in pieces:
            new_starts.append(start)
            if loaded.get(start) != data:
                self.store.put_named("shard", start, data)
                self._file(f"search/terms/{shard_id(start)}.json", data)
        return end

    def _load(self, position: int, postings: Shard, loaded: dict[str, bytes | None]) -> None:
        """Add shard POSITION's postings, with this build's changes to them, to POSTINGS."""
        start = self.layout.starts[position]
        loaded[start] = self.store.get_named("shard", start)
        postings.update(_decode(loaded[start] or b"[]"))
        for term, per_field in self.changes.get(position, {}).items():
            self._merge(postings, term, per_field)

    def _merge(self, postings: Shard, term: str, per_field: list[dict[int, int | None]]) -> None:
        flats = postings.get(term) or [[] for _ in range(self.width)]
        merged = []
        for flat, docs in zip(flats, per_field, strict=True):
            if docs:
                current = dict(zip(flat[0::2], flat[1::2], strict=True))
                for number, tf in docs.items():
                    if tf is None:
                        current.pop(number, None)
                    else:
                        current[number] = tf
                flat = [v for doc in sorted(current) for v in (doc, current[doc])]
            merged.append(flat)
        if any(merged):
            postings[term] = merged
        else:
            postings.pop(term, None)

    def apply_bundles(self) -> None:
        for bundle, members in self.bundles.items():
            data = self.store.get_blob("bundle", bundle)
            shown = {int(k): v for k, v in orjson.loads(data).items()} if data else {}
            for number, shows in members.items():
                if shows is None:
                    shown.pop(number, None)
                else:
                    shown[number] = shows
            encoded = _dump({str(k): shown[k] for k in sorted(shown)}) if shown else None
            self.store.put_blob("bundle", bundle, encoded)
            self._file(f"search/docs/{bundle}.json", encoded)
        self.bundles.clear()

    def _file(self, path: str, data: bytes | None) -> None:
        if data is not None and self.sink is not None:
            self.sink(path, data)
            self.sent.add(path)
        elif data is None:
            self.written.pop(path, None)
            self.deleted.add(path)
        else:
            self.written[path] = data
            self.deleted.discard(path)

    def files(self) -> list[str]:
        """Every search file of the site as the layout now is (written this build or not)."""
        layout = self.layout
        bundles = sorted({number // BUNDLE for number in layout.numbers.values()})
        return (["search/index.json"] + [f"search/terms/{shard_id(start)}.json" for start in layout.starts]
                + [f"search/docs/{b}.json" for b in bundles])

    def kept(self, path: str) -> bytes | None:
        """The bytes of search file PATH as this layout has it, from the store."""
        kind, _, name = path.removeprefix("search/").partition("/")
        if kind == "docs":
            return self.store.get_blob("bundle", int(name.removesuffix(".json")))
        named = {f"{shard_id(start)}.json": start for start in self.layout.starts}
        return self.store.get_named("shard", named[name]) if name in named else None

    def manifest(self) -> bytes:
        """Everything BM25 needs besides the postings, and where the shards start."""
        layout = self.layout
        numbers = sorted(layout.numbers.values())
        live: list[list[int]] = []
        for number in numbers:
            if live and live[-1][1] == number:
                live[-1][1] = number + 1
            else:
                live.append([number, number + 1])
        top = numbers[-1] + 1 if numbers else 0
        lengths = [row[:top] for row in layout.lengths]
        days = layout.days[:top]
        return _dump({"version": FORMAT_VERSION, "lunr": LUNR_VERSION, "pipeline": SEARCH_LABEL,
                      "fields": [name for name, _ in FIELDS], "boosts": [boost for _, boost in FIELDS],
                      "count": len(numbers), "totals": [sum(row) for row in lengths], "live": live,
                      "lengths": lengths, "days": days, "bundle": BUNDLE,
                      "shards": [[start, shard_id(start)] for start in layout.starts]})


def _shape() -> tuple[int, ...]:
    """What the files' layout is cut by; read when used, so a test may set small shards."""
    return (LAYOUT_VERSION, BOUNDARY_EVERY, SHARD_MAX, BUNDLE, SNIPPET_CHARACTERS)


def update_search(layout: Layout | None, items: Iterable[SearchItem], store: CountStore,
                  sink: Callable[[str, bytes], None] | None = None,
                  only: list[SearchItem] | None = None) -> tuple[Layout, SearchUpdate]:
    """Bring the search files to ITEMS (the published articles, oldest first); returns what changed.

    ONLY, when given, holds the items that may differ from LAYOUT's, the others being the articles it
    holds, in the same order: then ITEMS is not read at all unless the layout turns out unusable.
    Without a usable layout (a first or --clean build, a damaged cache) everything is encoded afresh;
    then, with a SINK, each file goes to it as it is made (and is named in the update's SENT, not WRITTEN).
    """
    generation = layout.generation + 1 if layout is not None else 1
    if layout is not None and layout.version == LAYOUT_VERSION and layout.shape == _shape():
        update = SearchUpdate(layout, store)
        if _replace(update, only) if only is not None else _patch(update, list(items)):
            update.apply()
            update.keep_entries()
            layout.generation = generation
            return layout, update
    layout, update = _cold(items, store, sink)
    update.keep_entries()
    layout.generation = generation
    return layout, update


def _replace(update: SearchUpdate, items: list[SearchItem]) -> bool:
    """Note the changes of ITEMS, each in its place; False when that cannot be done."""
    layout = update.layout
    for item in items:
        number = layout.numbers.get(item.source)
        if number is None:
            return False
        if not update.holds(number, item) and not update.replace(number, item):
            return False
    return True


def _patch(update: SearchUpdate, items: list[SearchItem]) -> bool:
    """Note the documents that are gone, new, renumbered or changed; False when that cannot be done."""
    layout = update.layout
    wanted = {item.source: number for number, item in enumerate(items)}
    for source, number in list(layout.numbers.items()):
        new = wanted.get(source)
        if new == number and not update.holds(number, items[new]):
            if not update.replace(number, items[new]):
                return False
        elif new != number:
            del layout.numbers[source]
            if not update.remove(number):
                return False
    for number, item in enumerate(items):
        if item.source not in layout.numbers:
            layout.numbers[item.source] = number
            update.add(number, item)
    return True


def _unpack(packed: array[int] | None, big: dict[int, int] | None) -> list[int]:
    """The flat [document, tf, …] list of a term's postings in one field (see _cold)."""
    if packed is None:
        return []
    values = packed.tolist()
    flat = [0] * (2 * len(values))
    flat[0::2] = [value >> 8 for value in values]
    flat[1::2] = [value & 255 for value in values]
    if big:
        for position in range(0, len(flat), 2):
            if flat[position + 1] == 255:
                flat[position + 1] = big[flat[position]]
    return flat


def _cold(items: Iterable[SearchItem], store: CountStore,
          sink: Callable[[str, bytes], None] | None) -> tuple[Layout, SearchUpdate]:
    """Every document counted into compact arrays, then cut into shards.

    ITEMS are taken one at a time (a cold build never holds them all). A term's postings in a field are
    one array of NUMBER << 8 | TF, 4 bytes a posting instead of 8 for [number, tf] (the arrays are most
    of a cold search step's memory: 44 million postings at 100,000 articles); a frequency of 255 or more
    is kept aside, in BIG.
    """
    store.forget_blobs()
    update = SearchUpdate(Layout(), store, sink)
    postings: list[defaultdict[str, array[int]]] = [defaultdict(partial(array, "I")) for _ in FIELDS]
    big: dict[tuple[str, int], dict[int, int]] = {}
    for number, item in enumerate(items):
        if number == 1 << 24:  # past 16 million documents NUMBER << 8 needs more than 32 bits
            postings = [defaultdict(partial(array, "Q"), {term: array("Q", flat) for term, flat in field.items()})
                        for field in postings]
        update.layout.numbers[item.source] = number
        packed = number << 8
        fields, shown = update.fields(item)
        for slot, counted in enumerate(fields):
            field = postings[slot]
            if max(array("I", counted.frequencies), default=0) < 255:
                for term, tf in counted.pairs():
                    field[term].append(packed | tf)
            else:
                for term, tf in counted.pairs():
                    if tf >= 255:
                        big.setdefault((term, slot), {})[number] = tf
                    field[term].append(packed | min(tf, 255))
        update.enter(number, item, [counted.length for counted in fields], shown)
        if number % BUNDLE == BUNDLE - 1:
            update.apply_bundles()  # a bundle is complete: encoded now, not held with all the others

    def flats(term: str) -> list[list[int]]:  # each term once, in order: its arrays go as its shard is made
        return [_unpack(field.pop(term, None), big.get((term, slot))) for slot, field in enumerate(postings)]

    layout = update.layout
    layout.shape = _shape()
    layout.starts = []
    terms = sorted(set().union(*postings))
    for start, data in cuts(terms, flats, ""):
        layout.starts.append(start)
        store.put_named("shard", start, data)
        update._file(f"search/terms/{shard_id(start)}.json", data)
    update.apply_bundles()
    return layout, update

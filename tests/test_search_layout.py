"""The search files edit by edit: always the bytes a cold build writes, and only the files an edit touches."""

from __future__ import annotations

import json
import pickle
import random
from collections.abc import Iterator
from typing import Any

import pytest

from arshif import search_layout
from arshif.search import FIELDS, field_terms, text_terms
from arshif.search_layout import BUNDLE, Layout, SearchItem, SearchUpdate, shard_id, update_search

WORDS = [f"{a}{b}{c}" for a in "بتثجحخدذرزسشصضطظعغفقكلمنهوي" for b in "ابتثجحخد" for c in "رزسش"][:600]


class MemoryStore:
    """The cache's store, in a dict."""

    def __init__(self) -> None:
        self.terms: dict[str, Any] = {}
        self.blobs: dict[tuple[str, Any], bytes] = {}

    def get_terms(self, key: str) -> Any:
        return self.terms.get(key)

    def put_terms(self, key: str, counts: Any) -> None:
        self.terms[key] = counts

    def get_blob(self, kind: str, number: int) -> bytes | None:
        return self.blobs.get((kind, number))

    def put_blob(self, kind: str, number: int, data: bytes | None) -> None:
        if data is None:
            self.blobs.pop((kind, number), None)
        else:
            self.blobs[(kind, number)] = data

    def get_named(self, kind: str, name: str) -> bytes | None:
        return self.get_blob(kind, name)  # type: ignore[arg-type]

    def put_named(self, kind: str, name: str, data: bytes | None) -> None:
        self.put_blob(kind, name, data)  # type: ignore[arg-type]

    def forget_blobs(self) -> None:
        self.blobs.clear()


def item(source: str, text: str, day: int) -> SearchItem:
    words = text.split()
    return SearchItem(source, f"{source}:{text}", day, f"{source}:{text}", (),
                      lambda: text_terms(words[0], "", " ".join(words[:3]), text),
                      lambda snippet: {"title": words[0], "text": snippet[:20]})


def files_of(update: SearchUpdate, before: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """The search files after UPDATE: BEFORE with what it wrote and deleted."""
    current = dict(before or {})
    for path in update.deleted:
        current.pop(path, None)
    current.update(update.written)
    current["search/index.json"] = update.manifest()
    return current


def cold(items: list[SearchItem]) -> dict[str, bytes]:
    _layout, update = update_search(None, items, MemoryStore())
    return files_of(update)


@pytest.fixture(params=[(7, 600), (60, 300)], ids=["short segments", "long segments"])
def small_shards(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Shards of a few terms, so a small index has many and edits cross their boundaries; with long
    segments most shards are cut by size, so an edit's re-cut must find the old boundaries again."""
    boundary_every, shard_max = request.param
    monkeypatch.setattr(search_layout, "BOUNDARY_EVERY", boundary_every)
    monkeypatch.setattr(search_layout, "SHARD_MAX", shard_max)


def random_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS[:rng.choice((40, 200, 600))]) for _ in range(rng.randint(3, 60)))


@pytest.mark.parametrize("seed", range(6))
def test_every_edit_gives_the_cold_files(small_shards: None, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Edits of every kind; on odd seeds the layout goes through pickle between updates, as a build's record
    keeps it (its entries then come back from the store, a chunk at a time)."""
    monkeypatch.setattr(search_layout, "ENTRY_CHUNK", 4)
    rng = random.Random(seed)
    articles = {f"a{n}": (random_text(rng), n) for n in range(30)}

    def items() -> list[SearchItem]:
        ordered = sorted(articles.items(), key=lambda pair: (pair[1][1], pair[0]))
        return [item(source, text, day) for source, (text, day) in ordered]

    store = MemoryStore()
    layout, update = update_search(None, items(), store)
    files = files_of(update)
    shards_seen = set()
    for step in range(25):
        action = rng.choice(["edit", "edit", "add", "delete", "redate", "none"])
        source = rng.choice(sorted(articles))
        if action == "edit":
            articles[source] = (random_text(rng), articles[source][1])
        elif action == "add":
            articles[f"n{step}"] = (random_text(rng), 100 + step)
        elif action == "delete" and len(articles) > 5:
            del articles[source]
        elif action == "redate":
            articles[source] = (articles[source][0], rng.randint(0, 120))
        if seed % 2:
            layout = pickle.loads(pickle.dumps(layout))
        layout, update = update_search(layout, items(), store)
        files = files_of(update, files)
        shards_seen.add(len(layout.starts))
        expected = cold(items())
        assert files == expected, f"seed {seed}, step {step} ({action} {source}): " + ", ".join(
            sorted(p for p in files.keys() | expected.keys() if files.get(p) != expected.get(p))[:5])
    assert max(shards_seen) > 10  # the edits really crossed many shard boundaries


def test_a_body_edit_rewrites_only_the_shards_of_its_changed_terms(small_shards: None) -> None:
    texts = {f"a{n}": " ".join(WORDS[(n * 7 + k) % 600] for k in range(40)) for n in range(40)}
    items = [item(source, text, n) for n, (source, text) in enumerate(texts.items())]
    store = MemoryStore()
    layout, update = update_search(None, items, store)
    assert len(layout.starts) > 20
    edited = texts["a5"] + " " + WORDS[599]
    terms = set(field_terms(WORDS[599])[0])
    items[5] = item("a5", edited, 5)
    layout, update = update_search(layout, items, store)
    shard_of = {shard_id(start): start for start in layout.starts}
    rewritten = {path for path in update.written if path.startswith("search/terms/")}
    assert rewritten and not update.deleted
    for path in rewritten:
        start = shard_of[path.removeprefix("search/terms/").removesuffix(".json")]
        position = layout.starts.index(start)
        end = layout.starts[position + 1] if position + 1 < len(layout.starts) else "\uffff"
        assert any(start <= term < end for term in terms), f"{path} holds none of the edit's terms"
    bundles = {path for path in update.written if path.startswith("search/docs/")}
    assert bundles == {f"search/docs/{5 // BUNDLE}.json"}


def test_a_new_article_touches_one_bundle(small_shards: None) -> None:
    items = [item(f"a{n}", " ".join(WORDS[n:n + 10]), n) for n in range(BUNDLE * 3 + 2)]
    store = MemoryStore()
    layout, _update = update_search(None, items, store)
    items.append(item("new", "كلمة جديدة تماما", 999))
    layout, update = update_search(layout, items, store)
    newest = len(items) - 1
    assert {p for p in update.written if p.startswith("search/docs/")} == {f"search/docs/{newest // BUNDLE}.json"}


def test_a_lost_count_starts_afresh_with_the_same_files(small_shards: None) -> None:
    items = [item(f"a{n}", random_text(random.Random(n)), n) for n in range(20)]
    store = MemoryStore()
    layout, _update = update_search(None, items, store)
    store.terms.clear()  # a damaged cache: the old counts are gone
    items[3] = item("a3", "نص آخر مختلف", 3)
    layout, update = update_search(layout, items, store)
    assert files_of(update) == cold(items)
    assert isinstance(layout, Layout) and layout.generation == 2


def test_a_body_edit_reads_and_writes_one_chunk_of_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_layout, "ENTRY_CHUNK", 4)
    items = [item(f"a{n}", random_text(random.Random(n)), n) for n in range(30)]
    store = MemoryStore()
    layout, first = update_search(None, items, store)
    before = files_of(first)
    assert {number for kind, number in store.blobs if kind == "entries"} == set(range(8))
    read, written = [], []
    monkeypatch.setattr(store, "get_blob", lambda kind, number: read.append((kind, number)) or
                        MemoryStore.get_blob(store, kind, number))
    monkeypatch.setattr(store, "put_blob", lambda kind, number, data: written.append((kind, number)) or
                        MemoryStore.put_blob(store, kind, number, data))
    items[9] = item("a9", "نص آخر مختلف", 9)
    layout, update = update_search(pickle.loads(pickle.dumps(layout)), items, store, only=[items[9]])
    assert [key for key in read if key[0] == "entries"] == [("entries", 2)]
    assert [key for key in written if key[0] == "entries"] == [("entries", 2)]
    assert files_of(update, before) == cold(items)


def test_a_lost_chunk_of_entries_starts_afresh_with_the_same_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_layout, "ENTRY_CHUNK", 4)
    items = [item(f"a{n}", random_text(random.Random(n)), n) for n in range(20)]
    store = MemoryStore()
    layout, _update = update_search(None, items, store)
    store.blobs[("entries", 1)] = b"damaged"
    items[5] = item("a5", "نص آخر مختلف", 5)
    layout, update = update_search(pickle.loads(pickle.dumps(layout)), items, store, only=[items[5]])
    assert files_of(update) == cold(items)  # every file written again: the update started afresh
    assert layout.generation == 2


def test_files_cut_with_other_constants_are_made_afresh(small_shards: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an upgrade that cuts shards differently, an edit must not leave old boundaries around it."""
    items = [item(f"a{n}", random_text(random.Random(n)), n) for n in range(30)]
    store = MemoryStore()
    layout, _update = update_search(None, items, store)
    monkeypatch.setattr(search_layout, "BOUNDARY_EVERY", 3)
    items[4] = item("a4", "نص جديد", 4)
    _layout, update = update_search(layout, items, store)
    assert files_of(update) == cold(items)


def long_segment(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], list[SearchItem], MemoryStore, Layout,
                                                           SearchUpdate]:
    """Forty articles indexed in one segment (every shard cut by size): their texts, items, store and index."""
    monkeypatch.setattr(search_layout, "BOUNDARY_EVERY", 10**9)
    monkeypatch.setattr(search_layout, "SHARD_MAX", 300)
    texts = {f"a{n}": " ".join(WORDS[(n * 7 + k) % 600] for k in range(40)) for n in range(40)}
    items = [item(source, text, n) for n, (source, text) in enumerate(texts.items())]
    store = MemoryStore()
    layout, update = update_search(None, items, store)
    return texts, items, store, layout, update


def shards_read_by_update(monkeypatch: pytest.MonkeyPatch, store: MemoryStore, layout: Layout,
                          items: list[SearchItem], before: SearchUpdate) -> list[str]:
    """The shards an update to ITEMS reads, after checking it leaves the files a cold build makes."""
    read: list[str] = []
    original = store.get_named
    monkeypatch.setattr(store, "get_named", lambda kind, name: read.append(name) or original(kind, name))
    _layout, update = update_search(layout, items, store)
    assert files_of(update, files_of(before)) == cold(items)
    return read


def test_an_edit_in_a_long_segment_reads_only_the_shards_around_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts, items, store, layout, first = long_segment(monkeypatch)
    assert len(layout.starts) > 40
    items[5] = item("a5", texts["a5"] + " " + texts["a5"].split()[0], 5)  # one term's frequency changes
    read = shards_read_by_update(monkeypatch, store, layout, items, first)
    assert 1 <= len(read) <= 4, f"read {len(read)} of {len(layout.starts)} shards for one changed term"


def test_two_changes_far_apart_in_one_segment_read_only_the_shards_around_each(
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts, items, store, layout, first = long_segment(monkeypatch)
    terms = sorted(set(field_terms(texts["a5"])[0]))
    assert layout.starts.index(max(s for s in layout.starts if s <= terms[-1])) >= 10  # far apart
    items[5] = item("a5", f"{texts['a5']} {terms[0]} {terms[-1]}", 5)
    read = shards_read_by_update(monkeypatch, store, layout, items, first)
    assert 2 <= len(read) <= 8, f"read {len(read)} of {len(layout.starts)} shards for two changed terms"


def test_told_which_items_changed_it_reads_no_other_item(small_shards: None) -> None:
    items = [item(f"a{n}", random_text(random.Random(n)), n) for n in range(30)]
    store = MemoryStore()
    layout, first = update_search(None, items, store)
    items[7] = item("a7", "نص جديد تماما", 7)

    def untouched() -> Iterator[SearchItem]:
        raise AssertionError("the other items were read")
        yield  # a generator: raising only if iterated

    layout, update = update_search(layout, untouched(), store, only=[items[7]])
    assert files_of(update, files_of(first)) == cold(items)


def test_cold_build_streams_the_same_files_and_keeps_large_frequencies() -> None:
    """A cold build given a sink writes each file to it once, the files it collects otherwise; a term
    frequency past what the packed postings hold in a byte comes out whole."""
    items = [item("a.md", "كلمة " * 300 + "أخرى", 1), item("b.md", "أخرى كلمة", 2)]
    collected = cold(items)
    sent: dict[str, bytes] = {}
    _layout, update = update_search(None, items, MemoryStore(), sent.__setitem__)
    assert not update.written and set(sent) == update.sent
    sent["search/index.json"] = update.manifest()
    assert sent == collected
    shards = {entry[0]: entry[1:] for path, data in collected.items() if path.startswith("search/terms/")
              for entry in json.loads(data)}
    body = [name for name, _ in FIELDS].index("body")
    terms = field_terms("كلمة")[0]
    assert terms and all(shards[term][body] == [0, 300, 1, 1] for term in terms)

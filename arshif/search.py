"""The search index: lunr's data format and scoring, built fast and split by term for the browser.

The build computes exactly what lunr.py's Builder computes with the Arabic pipeline (tests compare
the two), then writes it in pieces: search/index.json (fields, document count, where each term
shard starts), search/terms/N.json (the postings and weights of a run of terms) and
search/docs/REF.json (what a result shows, with the text its snippet is cut from). A query fetches the
shards of its terms only; lunr scores a document by the dot product over the query's terms, so the
partial index the browser assembles gives exactly the scores of the whole one.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .arabic import _SEARCH_WORD, SEARCH_LABEL, search_normalize, search_term
from .content import Article, plain_text

LUNR_VERSION = "2.3.9"
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("tags", 5), ("author", 2), ("summary", 2), ("body", 1))
SHARD_BYTES = 48_000
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class SearchDocument:
    """One article as the index sees it: its reference and the text of each field."""

    ref: str
    fields: dict[str, str]


def doc_ref(position: int) -> str:
    """Short references keep the shards small: base 36 of the article's position."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        position, rest = divmod(position, 36)
        text = digits[rest] + text
        if position == 0:
            return text


# Runs of text between characters that are separators before and after normalisation alike: each
# distinct run is normalised once, which gives the same words as normalising the whole text.
_RUN = re.compile(r"[^\s!-/:-@\[-`{-~\u060c\u061b\u061f\u066a\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d]+")


_TERM_OF_RUN: dict[str, Any] = {}  # run -> its term, "" for none, a tuple when it holds several
_SEVERAL: set[str] = set()


def _terms_of(run: str) -> Any:
    terms = tuple(t for t in map(search_term, _SEARCH_WORD.findall(search_normalize(run))) if t)
    return terms[0] if len(terms) == 1 else terms or ""


def field_terms(text: str) -> tuple[Counter[str], int]:
    """Term frequencies and field length, as lunr's tokenizer plus the Arabic pipeline give them.

    Counting runs through a dict lookup keeps the per-word work in C; only runs never seen before
    are normalised and stemmed.
    """
    runs = _RUN.findall(text.lower())
    distinct = set(runs)
    for run in distinct.difference(_TERM_OF_RUN):
        _TERM_OF_RUN[run] = _terms_of(run)
        if isinstance(_TERM_OF_RUN[run], tuple):
            _SEVERAL.add(run)
    if _SEVERAL.isdisjoint(distinct):
        counts = Counter(map(_TERM_OF_RUN.__getitem__, runs))
        counts.pop("", None)
    else:
        counts = Counter(term for run in runs for term in _as_terms(_TERM_OF_RUN[run]))
    return counts, counts.total()


def _as_terms(value: Any) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,) if value else ()


class IndexBuilder:
    """Computes what lunr's Builder computes, in compact arrays: documents are added one at a time and
    dropped, so a large archive's index is built without holding its text."""

    def __init__(self, fields: Sequence[tuple[str, int]] = FIELDS) -> None:
        self.names = [name for name, _ in fields]
        self.boosts = [boost for _, boost in fields]
        self.numbers: dict[str, int] = {}
        self.with_term: Counter[str] = Counter()
        self.totals = [0] * len(fields)
        self.refs: list[str] = []
        self.counted: list[tuple[int, int, array[int], array[int], int] | None] = []

    def count(self, document: SearchDocument) -> list[tuple[Counter[str], int]]:
        """Each field's term frequencies and length: the slow part, kept by the cache per article."""
        return [field_terms(document.fields.get(name, "")) for name in self.names]

    def add(self, document: SearchDocument) -> None:
        self.add_counted(document.ref, self.count(document))

    def add_counted(self, ref: str, counts: list[tuple[Counter[str], int]]) -> None:
        position = len(self.refs)
        self.refs.append(ref)
        for number, (frequencies, length) in enumerate(counts):
            self.totals[number] += length
            new = [term for term in frequencies if term not in self.numbers]
            self.numbers.update(zip(new, range(len(self.numbers), len(self.numbers) + len(new)), strict=True))
            self.with_term.update(frequencies.keys())
            self.counted.append((position, number, array("I", map(self.numbers.__getitem__, frequencies)),
                                 array("I", frequencies.values()), length))

    def finish(self) -> IndexData:
        """BM25 weights as lunr computes them (rounded to three places), grouped by term and field."""
        count, width = len(self.refs), len(self.names)
        idf = [0.0] * len(self.numbers)
        for term, n in self.with_term.items():
            idf[self.numbers[term]] = math.log(1 + abs((count - n + 0.5) / (n + 0.5)))
        docs = [array("I") for _ in range(len(self.numbers) * width)]
        weights = [array("d") for _ in range(len(self.numbers) * width)]
        for index, entry in enumerate(self.counted):
            assert entry is not None
            position, number, terms, frequencies, length = entry
            self.counted[index] = None  # freed as it goes, so the counts and the postings are not both whole
            average = self.totals[number] / count
            norm = K1 * (1 - B + B * (length / average)) if average else K1
            scale = (K1 + 1) * self.boosts[number]
            for term, tf in zip(terms, frequencies, strict=True):
                slot = term * width + number
                docs[slot].append(position)
                weights[slot].append(round(idf[term] * scale * tf / (norm + tf), 3))
        self.counted = []
        return IndexData(self.names, self.numbers, self.refs, docs, weights)


@dataclass
class IndexData:
    """A built index: term numbers and, per term and field, the documents and their weights."""

    fields: list[str]
    numbers: dict[str, int]
    refs: list[str]
    docs: list[array[int]]
    weights: list[array[float]]

    def postings(self, term: str) -> list[list[Any]]:
        """Per field, the flat [ref, weight, ref, weight, …] list of TERM."""
        base = self.numbers[term] * len(self.fields)
        return [[value for position, weight in zip(self.docs[base + f], self.weights[base + f], strict=True)
                 for value in (self.refs[position], weight)] for f in range(len(self.fields))]

    def serialize(self) -> dict[str, Any]:
        """The dict lunr.py's Index.serialize() gives for the same documents (used by the tests)."""
        vectors: dict[str, list[tuple[int, float]]] = {f"{name}/{ref}": [] for ref in self.refs for name in self.fields}
        inverted = []
        for term in sorted(self.numbers):
            posting: dict[str, Any] = {}
            for name, flat in zip(self.fields, self.postings(term), strict=True):
                posting[name] = {ref: {} for ref in flat[0::2]}
                for ref, weight in zip(flat[0::2], flat[1::2], strict=True):
                    vectors[f"{name}/{ref}"].append((self.numbers[term], weight))
            inverted.append([term, {**posting, "_index": self.numbers[term]}])
        return {"version": LUNR_VERSION, "fields": self.fields, "invertedIndex": inverted,
                "fieldVectors": [[key, [v for pair in sorted(pairs) for v in pair]] for key, pairs in vectors.items()],
                "pipeline": [SEARCH_LABEL]}


def build_index(documents: Iterable[SearchDocument], fields: Sequence[tuple[str, int]] = FIELDS) -> IndexData:
    """Term numbers, postings and BM25 weights exactly as lunr's Builder computes them."""
    builder = IndexBuilder(fields)
    for document in documents:
        builder.add(document)
    return builder.finish()


def search_document(position: int, article: Article, tags: list[str], body_html: str) -> SearchDocument:
    """An article as a search document; its position among the published ones, oldest first, is its reference."""
    return SearchDocument(doc_ref(position), {"title": article.title, "tags": " ".join(tags),
                                              "author": article.author, "summary": article.summary,
                                              "body": plain_text(body_html)})


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shard_files(index: IndexData) -> Iterator[tuple[str, bytes]]:
    """The term shards and the manifest (see the module docstring)."""
    starts: list[str] = []
    shard: list[bytes] = []
    size = 0
    for term in sorted(index.numbers):
        encoded = _dump([term, index.numbers[term], *index.postings(term)])
        if shard and size + len(encoded) > SHARD_BYTES:
            yield f"search/terms/{len(starts) - 1}.json", b"[" + b",".join(shard) + b"]"
            shard, size = [], 0
        if not shard:
            starts.append(term)
        shard.append(encoded)
        size += len(encoded) + 1
    if shard:
        yield f"search/terms/{len(starts) - 1}.json", b"[" + b",".join(shard) + b"]"
    manifest = {"version": 1, "lunr": LUNR_VERSION, "pipeline": SEARCH_LABEL, "fields": index.fields,
                "count": len(index.refs), "shards": starts}
    yield "search/index.json", _dump(manifest)


def document_file(document: SearchDocument, shows: dict[str, Any]) -> tuple[str, bytes]:
    """What a result shows, and the text its snippet is cut from."""
    return f"search/docs/{document.ref}.json", _dump({**shows, "text": document.fields["body"]})

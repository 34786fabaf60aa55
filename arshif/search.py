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
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
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


@dataclass
class IndexData:
    """A lunr index as built: each term's number and, per field, its documents and weights."""

    fields: list[str]
    numbers: dict[str, int]
    postings: dict[str, list[list[Any]]]
    field_refs: list[str]

    def serialize(self) -> dict[str, Any]:
        """The dict lunr.py's Index.serialize() gives for the same documents (used by the tests)."""
        vectors: dict[str, list[tuple[int, float]]] = {key: [] for key in self.field_refs}
        inverted = []
        for term in sorted(self.postings):
            posting: dict[str, Any] = {}
            for name, flat in zip(self.fields, self.postings[term], strict=True):
                posting[name] = {ref: {} for ref in flat[0::2]}
                for ref, weight in zip(flat[0::2], flat[1::2], strict=True):
                    vectors[f"{name}/{ref}"].append((self.numbers[term], weight))
            inverted.append([term, {**posting, "_index": self.numbers[term]}])
        return {"version": LUNR_VERSION, "fields": self.fields, "invertedIndex": inverted,
                "fieldVectors": [[key, [v for pair in sorted(pairs) for v in pair]] for key, pairs in vectors.items()],
                "pipeline": [SEARCH_LABEL]}


def build_index(documents: Sequence[SearchDocument], fields: Sequence[tuple[str, int]] = FIELDS) -> IndexData:
    """Term numbers, postings and BM25 weights exactly as lunr's Builder computes them."""
    names = [name for name, _ in fields]
    first_seen: dict[str, None] = {}
    with_term: Counter[str] = Counter()
    counted: list[tuple[str, int, Counter[str], int]] = []
    totals = [0] * len(names)
    for document in documents:
        for number, name in enumerate(names):
            frequencies, length = field_terms(document.fields.get(name, ""))
            counted.append((document.ref, number, frequencies, length))
            totals[number] += length
            first_seen.update(dict.fromkeys(frequencies))
            with_term.update(frequencies.keys())
    count = len(documents)
    numbers = {term: number for number, term in enumerate(first_seen)}
    idf = {term: math.log(1 + abs((count - n + 0.5) / (n + 0.5))) for term, n in with_term.items()}
    postings: dict[str, list[list[Any]]] = {term: [[] for _ in names] for term in numbers}
    boosts = [boost for _, boost in fields]
    field_refs = []
    for ref, number, frequencies, length in counted:
        average = totals[number] / count
        norm = K1 * (1 - B + B * (length / average)) if average else K1
        scale = (K1 + 1) * boosts[number]
        field_refs.append(f"{names[number]}/{ref}")
        for term, tf in frequencies.items():
            postings[term][number] += (ref, round(idf[term] * scale * tf / (norm + tf), 3))
    return IndexData(names, numbers, postings, field_refs)


def search_documents(articles: Sequence[Article], tag_names: Callable[[Article], list[str]],
                     body_of: Callable[[Article], str]) -> list[SearchDocument]:
    """The published articles as search documents, newest first (their position is their reference)."""
    return [SearchDocument(doc_ref(i), {"title": a.title, "tags": " ".join(tag_names(a)), "author": a.author,
                                         "summary": a.summary, "body": plain_text(body_of(a))})
            for i, a in enumerate(articles)]


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shard_files(index: IndexData, documents: Sequence[SearchDocument],
                shows: Sequence[dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """The index in the pieces the browser fetches (see the module docstring)."""
    starts: list[str] = []
    shard: list[bytes] = []
    size = 0
    for term in sorted(index.postings):
        encoded = _dump([term, index.numbers[term], *index.postings[term]])
        if shard and size + len(encoded) > SHARD_BYTES:
            yield f"search/terms/{len(starts) - 1}.json", b"[" + b",".join(shard) + b"]"
            shard, size = [], 0
        if not shard:
            starts.append(term)
        shard.append(encoded)
        size += len(encoded) + 1
    if shard:
        yield f"search/terms/{len(starts) - 1}.json", b"[" + b",".join(shard) + b"]"
    for document, show in zip(documents, shows, strict=True):
        yield f"search/docs/{document.ref}.json", _dump({**show, "text": document.fields["body"]})
    manifest = {"version": 1, "lunr": LUNR_VERSION, "pipeline": SEARCH_LABEL, "fields": index.fields,
                "count": len(documents), "shards": starts}
    yield "search/index.json", _dump(manifest)

"""The search index: lunr's data format and scoring, built fast and split by term for the browser.

The build computes exactly what lunr.py's Builder computes with the Arabic pipeline (tests compare
the two), then writes it in pieces: search/index.json (fields, document count, where each term
shard starts), search/terms/N.json (the postings and weights of a run of terms), search/docs/N.json
(what a result shows) and search/text/REF.txt (the text a snippet is cut from). A query fetches the
shards of its terms only; lunr scores a document by the dot product over the query's terms, so the
partial index the browser assembles gives exactly the scores of the whole one.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .arabic import _SEARCH_WORD, SEARCH_LABEL, search_normalize, search_term
from .content import Article, plain_text

LUNR_VERSION = "2.3.9"
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("tags", 5), ("author", 2), ("summary", 2), ("body", 1))
SHARD_BYTES = 48_000
DOCS_PER_CHUNK = 25
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


def field_terms(text: str) -> tuple[Counter[str], int]:
    """Term frequencies and field length, as lunr's tokenizer plus the Arabic pipeline give them."""
    frequencies: Counter[str] = Counter()
    length = 0
    for word, times in Counter(_SEARCH_WORD.findall(search_normalize(text.lower()))).items():
        term = search_term(word)
        if term:
            frequencies[term] += times
            length += times
    return frequencies, length


def build_index(documents: Sequence[SearchDocument], fields: Sequence[tuple[str, int]] = FIELDS) -> dict[str, Any]:
    """The serialized lunr index of DOCUMENTS (the same dict lunr.py's Index.serialize() gives)."""
    names = [name for name, _ in fields]
    term_index: dict[str, int] = {}
    postings: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    counted: list[tuple[str, str, Counter[str], int]] = []
    totals = dict.fromkeys(names, 0)
    for document in documents:
        for name in names:
            frequencies, length = field_terms(document.fields.get(name, ""))
            counted.append((document.ref, name, frequencies, length))
            totals[name] += length
            for term in frequencies:
                if term not in term_index:
                    term_index[term] = len(term_index)
                    postings[term] = {field: {} for field in names}
                postings[term][name][document.ref] = {}
    count = len(documents)
    average = {name: totals[name] / count if count else 0 for name in names}
    boosts = dict(fields)
    idf: dict[str, float] = {}
    vectors = []
    for ref, name, frequencies, length in counted:
        norm = K1 * (1 - B + B * (length / average[name])) if average[name] else K1 * (1 - B)
        boost = boosts[name]
        elements = []
        for term, tf in frequencies.items():
            weight = idf.get(term)
            if weight is None:
                with_term = sum(len(docs) for docs in postings[term].values())
                weight = idf[term] = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
            elements.append((term_index[term], round(weight * ((K1 + 1) * tf) / (norm + tf) * boost, 3)))
        elements.sort()
        vectors.append([f"{name}/{ref}", [value for pair in elements for value in pair]])
    inverted = [[term, {**postings[term], "_index": term_index[term]}] for term in sorted(postings)]
    return {"version": LUNR_VERSION, "fields": names, "fieldVectors": vectors, "invertedIndex": inverted,
            "pipeline": [SEARCH_LABEL]}


def search_documents(articles: Sequence[Article], tag_names: Callable[[Article], list[str]],
                     body_of: Callable[[Article], str]) -> list[SearchDocument]:
    """The published articles as search documents, newest first (their position is their reference)."""
    return [SearchDocument(doc_ref(i), {"title": a.title, "tags": " ".join(tag_names(a)), "author": a.author,
                                         "summary": a.summary, "body": plain_text(body_of(a))})
            for i, a in enumerate(articles)]


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def shard_files(index: dict[str, Any], documents: Sequence[SearchDocument],
                shows: Sequence[dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """The index in the pieces the browser fetches (see the module docstring)."""
    names = index["fields"]
    weights: dict[tuple[str, int], dict[str, float]] = {}
    for field_ref, elements in index["fieldVectors"]:
        name, ref = field_ref.split("/", 1)
        for position in range(0, len(elements), 2):
            weights.setdefault((name, elements[position]), {})[ref] = elements[position + 1]
    starts: list[str] = []
    shard: list[Any] = []
    size = 0
    for term, posting in index["invertedIndex"]:
        number = posting["_index"]
        entry = [term, number] + [[value for ref in posting[name]
                                   for value in (ref, weights[(name, number)][ref])] for name in names]
        encoded = len(_dump(entry))
        if shard and size + encoded > SHARD_BYTES:
            yield f"search/terms/{len(starts) - 1}.json", _dump(shard)
            shard, size = [], 0
        if not shard:
            starts.append(term)
        shard.append(entry)
        size += encoded
    if shard:
        yield f"search/terms/{len(starts) - 1}.json", _dump(shard)
    for first in range(0, len(shows), DOCS_PER_CHUNK):
        yield f"search/docs/{first // DOCS_PER_CHUNK}.json", _dump(shows[first:first + DOCS_PER_CHUNK])
    for document in documents:
        yield f"search/text/{document.ref}.txt", document.fields["body"].encode("utf-8")
    manifest = {"version": 1, "lunr": LUNR_VERSION, "pipeline": SEARCH_LABEL, "fields": names,
                "count": len(documents), "shards": starts, "docsPerChunk": DOCS_PER_CHUNK}
    yield "search/index.json", _dump(manifest)

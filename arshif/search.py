"""What search counts: an article's fields as lunr's tokenizer and the Arabic pipeline see them.

Term frequencies and field lengths are all the browser needs to score with lunr's BM25 (see
search_layout.py for the files and theme/js/search-index.js for the scoring); the tests compare
the scores with lunr.py's own index over the same documents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .arabic import search_tokens
from .content import Article, plain_text

LUNR_VERSION = "2.3.9"
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("tags", 5), ("author", 2), ("summary", 2), ("body", 1))


@dataclass(frozen=True)
class SearchDocument:
    """One article as the index sees it: its reference and the text of each field."""

    ref: str
    fields: dict[str, str]


# Runs of text between characters that are separators before and after normalisation alike: each
# distinct run is normalised once, which gives the same words as normalising the whole text.
_RUN = re.compile(r"[^\s!-/:-@\[-`{-~\u060c\u061b\u061f\u066a\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d]+")


_TERM_OF_RUN: dict[str, Any] = {}  # run -> its term, "" for none, a tuple when it holds several
_SEVERAL: set[str] = set()
_MAX_RUNS = 1_000_000  # past this many remembered runs start afresh: a long-lived preview stays bounded


def _terms_of(run: str) -> Any:
    terms = tuple(search_tokens(run))  # a word may give two terms (arabic.search_terms)
    return terms[0] if len(terms) == 1 else terms or ""


def field_terms(text: str) -> tuple[Counter[str], int]:
    """Term frequencies and field length, as lunr's tokenizer plus the Arabic pipeline give them.

    Counting runs through a dict lookup keeps the per-word work in C; only runs never seen before
    are normalised and stemmed.
    """
    runs = _RUN.findall(text.lower())
    distinct = set(runs)
    if len(_TERM_OF_RUN) > _MAX_RUNS:
        _TERM_OF_RUN.clear()
        _SEVERAL.clear()
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


def search_document(article: Article, tags: list[str], body_of: Callable[[Article], str],
                    ref: str = "") -> SearchDocument:
    """An article as a search document: the text of each field (BODY_OF gives its HTML)."""
    return SearchDocument(ref, {"title": article.title, "tags": " ".join(tags), "author": article.author,
                                "summary": article.summary, "body": plain_text(body_of(article))})

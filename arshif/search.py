"""What search counts: an article's fields as lunr's tokenizer and the Arabic pipeline see them.

Term frequencies and field lengths are all the browser needs to score with lunr's BM25 (see
search_layout.py for the files and theme/js/search-index.js for the scoring); the tests compare
the scores with lunr.py's own index over the same documents.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import chain
from typing import NamedTuple

from .arabic import search_tokens
from .content import Article, cut_on_word, plain_text

LUNR_VERSION = "2.3.9"
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("tags", 5), ("author", 2), ("summary", 2), ("body", 1))
SNIPPET_CHARACTERS = 160  # about 25 words: enough to recognise a result; most of what a query downloads is snippets
Counts = list[tuple[dict[str, int], int]]  # per field of FIELDS: term frequencies and the field's length


# Runs of text between characters that are separators before and after normalisation alike: each
# distinct run is normalised once, which gives the same words as normalising the whole text.
_RUN = re.compile(r"[^\s!-/:-@\[-`{-~\u060c\u061b\u061f\u066a\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d]+")


class _TermsOf(dict[str, tuple[str, ...]]):
    """Text -> its terms, worked out when first met and kept (bounded, for a long-lived preview)."""

    def __init__(self, terms: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._terms = terms

    def __missing__(self, text: str) -> tuple[str, ...]:
        if len(self) > _MAX_KEPT:
            self.clear()
        terms = self[text] = self._terms(text)
        return terms


_MAX_KEPT = 1_000_000
# A run's terms: none, one, or two (arabic.search_terms), normalised and stemmed.
_TERMS_OF_RUN = _TermsOf(lambda run: tuple(search_tokens(run)))
# A word as str.split() cuts the text at white space (a separator for _RUN too): the terms of its runs, lowered.
_TERMS_OF_WORD = _TermsOf(lambda word: tuple(chain.from_iterable(map(_TERMS_OF_RUN.__getitem__,
                                                                      _RUN.findall(word.lower())))))


def field_terms(text: str) -> tuple[Counter[str], int]:
    """Term frequencies and field length, as lunr's tokenizer plus the Arabic pipeline give them.

    Words are mapped to their terms through dicts and counted in C: a cold build counts some 60 million
    words at 100,000 articles, and only a few hundred thousand distinct ones. Cutting at white space
    with str.split() and each distinct word into runs once costs 30% less than finding the runs of
    every text with the regular expression.
    """
    counts = Counter(chain.from_iterable(map(_TERMS_OF_WORD.__getitem__, text.split())))
    return counts, counts.total()


class Packed(NamedTuple):
    """One field's counts as the cache keeps them: its distinct terms joined by newlines (no term holds
    one) and their frequencies as the bytes of an array("I").

    Loading and splitting 10,000 articles' counts this way takes a third of the time unpickling dicts
    takes (0.6 s against 1.9 s): one string per field, not hundreds.
    """

    terms: str
    frequencies: bytes
    length: int

    def pairs(self) -> Iterator[tuple[str, int]]:
        """Each term with its frequency."""
        return zip(self.terms.split("\n"), array("I", self.frequencies), strict=True) if self.terms else iter(())


def pack(counts: Counter[str], length: int) -> Packed:
    """COUNTS and LENGTH (what field_terms gives) as the cache keeps them."""
    return Packed("\n".join(counts), array("I", counts.values()).tobytes(), length)


class ArticleTerms(NamedTuple):
    """What search needs of an article, counted once when it is parsed: its own fields and its snippet.

    Tags are counted when the site is assembled (their names come from site.toml).
    """

    title: Packed
    author: Packed
    summary: Packed
    body: Packed
    snippet: str


def article_terms(article: Article, body_html: str) -> ArticleTerms:
    """ARTICLE's fields counted, with BODY_HTML as its body (the parsed article may hold none)."""
    return text_terms(article.title, article.author, article.summary, plain_text(body_html))


def text_terms(title: str, author: str, summary: str, body: str) -> ArticleTerms:
    """An article's own fields, given as plain text, counted."""
    return ArticleTerms(*[pack(*field_terms(text)) for text in (title, author, summary, body)],
                        cut_on_word(body, SNIPPET_CHARACTERS))


def document_fields(terms: ArticleTerms, tags: tuple[str, ...]) -> list[Packed]:
    """Every field of FIELDS counted: the article's own and its tags."""
    return [terms.title, pack(*field_terms(" ".join(tags))), terms.author, terms.summary, terms.body]


def document_counts(terms: ArticleTerms, tags: tuple[str, ...]) -> Counts:
    """document_fields() as dicts, for comparing a document's counts with what they were."""
    return [(dict(field.pairs()), field.length) for field in document_fields(terms, tags)]

"""Arabic text rules in one place: digits, numbers, plurals, slugs, normalisation, bidi isolation and search.

Search gives each word its light10 stem and, when the word starts with a proclitic (بـ لـ كـ, فـ, or
و/ف before بـ لـ كـ), also the stem of the word after it: see search_terms for the rule and its limits.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel import __version__ as BABEL_VERSION
from babel.numbers import UnsupportedNumberingSystemError, format_decimal, get_group_symbol
from babel.plural import PluralRule
from markupsafe import Markup, escape

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
LATIN_DIGITS = "0123456789"
_TO_ARAB = str.maketrans(LATIN_DIGITS + PERSIAN_DIGITS, ARABIC_INDIC_DIGITS * 2)
_TO_LATN = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, LATIN_DIGITS * 2)

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"


def to_digits(text: str, digits: str) -> str:
    """Write every digit in TEXT in one system: "arab" (٠١٢٣) or "latn" (0123)."""
    return text.translate(_TO_ARAB if digits == "arab" else _TO_LATN)


@dataclass(frozen=True)
class LocaleFacts:
    """What the pages need of a locale's CLDR data, as Babel gives it: loading that data costs a build that
    renders a few pages 0.035 s, so builds keep these (cache.BuildCache.know_locale) and ask Babel only for
    anything else. BABEL: the version they come from."""

    locale: str
    babel: str
    months: tuple[str, ...]  # the wide names, January first
    plural_rules: dict[str, str]  # category -> CLDR rule
    affixes: tuple[str, str]  # what the decimal pattern puts before and after a positive number
    grouping: tuple[int, int]  # the sizes of the first group of digits and of the others
    groups: dict[str, str]  # digit system -> grouping separator, for those the locale has


_FACTS: dict[str, LocaleFacts] = {}  # by locale: one or two for the life of a process


def locale_facts(locale: str) -> LocaleFacts:
    """LOCALE's facts: those a build kept (remember), else Babel's."""
    facts = _FACTS.get(locale)
    if facts is None:
        facts = _FACTS[locale] = facts_from_babel(locale)
    return facts


def remember(facts: Any) -> bool:
    """Use FACTS (kept by an earlier build) for their locale, when they are facts of this Babel."""
    if not isinstance(facts, LocaleFacts) or facts.babel != BABEL_VERSION:
        return False
    _FACTS[facts.locale] = facts
    return True


def facts_from_babel(locale: str) -> LocaleFacts:
    """LOCALE's facts from Babel's data; a digit system whose counts Babel writes otherwise than format_number
    would from them (a pattern of another shape) is left out, so Babel writes them."""
    parsed = Locale.parse(locale)
    pattern = parsed.decimal_formats[None]
    groups = {}
    for digits in ("arab", "latn"):
        with contextlib.suppress(UnsupportedNumberingSystemError):
            groups[digits] = get_group_symbol(parsed, numbering_system=digits)
    months = parsed.months["format"]["wide"]
    facts = LocaleFacts(locale, BABEL_VERSION, tuple(months[m] for m in range(1, 13)),
                        dict(parsed.plural_form.rules), (pattern.prefix[0], pattern.suffix[0]), pattern.grouping[:2],
                        groups)
    for digits in list(groups):
        if any(_written(n, facts, groups[digits]) != format_decimal(n, locale=parsed, numbering_system=digits)
               for n in (0, 7, 1234, 12345, 1234567890)):
            del groups[digits]
    return facts


def _written(number: int, facts: LocaleFacts, group: str) -> str:
    """A count written by FACTS' pattern with GROUP between the groups of digits."""
    text, size, grouped = str(number), facts.grouping[0], []
    while len(text) > size:
        grouped.append(text[-size:])
        text, size = text[:-size], facts.grouping[1]
    grouped.append(text)
    return facts.affixes[0] + group.join(reversed(grouped)) + facts.affixes[1]


def format_number(number: int, locale: str, digits: str) -> str:
    """A count as the locale writes it (grouping separators included) in the chosen digits."""
    facts = locale_facts(locale)
    group = facts.groups.get(digits)
    if type(number) is not int or number < 0 or group is None:  # not a count: as Babel writes it
        return to_digits(format_decimal(number, locale=locale, numbering_system=digits), digits)
    return to_digits(_written(number, facts, group), digits)


@cache
def _plural_rule(locale: str) -> PluralRule:
    return PluralRule(locale_facts(locale).plural_rules)


@lru_cache(maxsize=64)
def plural_category(number: int, locale: str = "ar") -> str:
    """The CLDR plural category (zero, one, two, few, many, other) of NUMBER in LOCALE."""
    return _plural_rule(locale)(number)


# Each noun the UI counts, in every Arabic plural category; {n} is the formatted number.
NOUNS: dict[str, dict[str, str]] = {
    "minute": {"zero": "أقل من دقيقة", "one": "دقيقة واحدة", "two": "دقيقتان",
               "few": "{n} دقائق", "many": "{n} دقيقة", "other": "{n} دقيقة"},
    "article": {"zero": "لا مقالات", "one": "مقال واحد", "two": "مقالان",
                "few": "{n} مقالات", "many": "{n} مقالًا", "other": "{n} مقال"},
    "page": {"zero": "لا صفحات", "one": "صفحة واحدة", "two": "صفحتان",
             "few": "{n} صفحات", "many": "{n} صفحة", "other": "{n} صفحة"},
    "tag": {"zero": "لا وسوم", "one": "وسم واحد", "two": "وسمان",
            "few": "{n} وسوم", "many": "{n} وسمًا", "other": "{n} وسم"},
    "result": {"zero": "لا نتائج", "one": "نتيجة واحدة", "two": "نتيجتان",
               "few": "{n} نتائج", "many": "{n} نتيجة", "other": "{n} نتيجة"},
}


def count(number: int, noun: str, locale: str = "ar_EG", digits: str = "arab") -> str:
    """"3 دقائق", "دقيقتان", "11 دقيقة": a number with its noun in the right plural form."""
    form = NOUNS[noun][plural_category(number, locale)]
    return form.format(n=format_number(number, locale, digits))


def normalize(text: str) -> str:
    """Fold the differences readers ignore: diacritics, tatweel, presentation forms, case."""
    text = unicodedata.normalize("NFKC", text)
    return DIACRITICS.sub("", text).replace(TATWEEL, "").lower()


_SLUG_DROP = re.compile(r"[^0-9a-z\u0621-\u063a\u0641-\u064a\u0660-\u0669\u06f0-\u06f9]+")


def slugify(text: str) -> str:
    """A URL slug that keeps Arabic letters (browsers show them; links percent-encode them)."""
    text = normalize(text)
    return _SLUG_DROP.sub("-", text).strip("-")


# A run of Latin words with the digits, spaces and punctuation between them: "GPT-4o", "iPhone 15 Pro".
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ .\-_/:+&@'’]*[A-Za-z0-9]+)*")
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?[0-9A-Za-z]+;)")
_LATIN_LETTER = re.compile("[A-Za-z]")
_SKIP_ELEMENTS = re.compile(r"<(/?)(code|pre|bdi|kbd|samp|script|style)\b", re.IGNORECASE)


def isolate_latin(html: str) -> Markup:
    """Wrap Latin runs in <bdi> so mixed Arabic and Latin text never displays scrambled.

    Works on HTML text between tags, so it serves both a Markdown body and escaped titles;
    code and elements that are already isolated are left alone.
    """
    html = str(html)
    if _LATIN_LETTER.search(_TAG_OR_ENTITY.sub("", html)) is None:
        return Markup(html)  # nothing to isolate, found at a third of the cost of looking at each part
    parts = _TAG_OR_ENTITY.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:
            found = _SKIP_ELEMENTS.match(part)
            if found:
                depth += -1 if found.group(1) else 1
        elif depth == 0 and part:
            parts[index] = _LATIN_RUN.sub(r"<bdi>\g<0></bdi>", part)
    return Markup("".join(parts))


def isolate_text(text: str) -> Markup:
    """Escape plain TEXT for HTML and isolate its Latin runs."""
    return isolate_latin(escape(text))


# Search: the same rules run here (index time) and in theme/js/arabic-search.js (query time).
# Both sides use explicit code-point ranges only, and tests/data/arabic_search_vectors.json checks both.
SEARCH_LABEL = "arshif-arabic-2"
_SEARCH_FOLD = str.maketrans({
    **{chr(c): None for c in range(0x064B, 0x0653)}, "\u0670": None, TATWEEL: None,
    **{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
    **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
})
_ARABIC_LETTERS = "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff"
_SEARCH_WORD = re.compile(f"[a-z0-9{_ARABIC_LETTERS}]+")
_ARABIC_WORD = re.compile(f"[{_ARABIC_LETTERS}]+")
# Written as they are after hamza folding and before ى/ة folding, so the name علي is never dropped.
SEARCH_STOP_WORDS = frozenset((
    "في", "من", "على", "الى", "عن", "ان", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي", "الذين", "كان", "كانت",
    "قد", "ما", "لا", "لم", "لن", "او", "ثم", "مع", "هو", "هي", "هم", "و",
))
_STEM_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "ولل", "فلل", "لل", "و")
_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "ب", "ل", "ك", "ف")  # longest first
_STEM_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def search_normalize(text: str) -> str:
    """Fold what searchers ignore: presentation forms, case, diacritics, tatweel, digit shapes, hamza."""
    return unicodedata.normalize("NFKC", text).translate(_SEARCH_FOLD)


def light_stem(word: str) -> str:
    """Light10-style stemming (Larkey et al.): one prefix, then each suffix in turn, keeping 2+ letters."""
    for prefix in _STEM_PREFIXES:
        if word.startswith(prefix) and len(word) >= (4 if len(prefix) == 1 else len(prefix) + 2):
            word = word[len(prefix):]
            break
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[:-len(suffix)]
    return word


def _fold_letters(word: str) -> str:
    return word.replace("\u0649", "\u064a").replace("\u0629", "\u0647")


def proclitic_reading(word: str) -> str:
    """The stem of a normalised Arabic WORD read without its proclitic ("" if it has none to read).

    The longest of _PROCLITICS it starts with is taken (never a shorter one: فلسطين is فـ لـ سطين);
    what follows is a word of its own, kept if it is no stop word and its stem has 3+ letters. After
    لـ, a word that starts with لـ is one only if it does not itself read as لـ + a word: للمدرسة is
    لـ + المدرسة (light_stem's لل), للبنان is لـ + لبنان.
    """
    for proclitic in _PROCLITICS:
        if word.startswith(proclitic):
            rest = word[len(proclitic):]
            if rest in SEARCH_STOP_WORDS or (proclitic[-1] == rest[:1] == "\u0644" and proclitic_reading(rest)):
                return ""
            stem = light_stem(_fold_letters(rest))
            return stem if len(stem) >= 3 else ""
    return ""


@lru_cache(maxsize=200_000)
def search_terms(word: str) -> tuple[str, ...]:
    """The index terms of one normalised word: none for a stop word, else one or two.

    1. Its light10 stem (light_stem): one prefix of _STEM_PREFIXES (و and the article's forms), then
       the suffixes.
    2. Its proclitic reading (proclitic_reading), when it differs: the word after the longest of
       _PROCLITICS it starts with (بـ لـ كـ, فـ, or و/ف before بـ لـ كـ), read as a word of its own,
       kept when it is no stop word and its stem has 3+ letters. "بموسكو" gives بموسكو and موسكو,
       "لإيطاليا" لايطاليا and ايطاليا, "وبالكتاب" بالكتاب and كتاب.

    Articles are indexed and queries looked up with both, the same way in the browser, so a word and
    its proclitic forms share a term in both directions: "بموسكو" finds "في موسكو", "إيطاليا" finds
    "لإيطاليا". No vocabulary is needed, and a word that merely begins with one of those letters keeps
    its whole stem, so it still matches itself and its own forms: بنك (نك is too short), لبنان (بنان
    has the stem بن) and فلسطين (read فـ لـ سطين, too short; never فـ لسطين) get no second term;
    كتاب, فرنسا and بريطانيا get تاب, رنسا and ريطانيا too, which only their own forms share unless
    another word has that stem (كمال also gives مال: the price of the rule). Known limits: فـ before a
    word that begins with لـ/بـ/كـ reads the longer proclitic (فلبنان is not found by لبنان), and
    light10's لل reads للبنان as لـ + البنان (بن) besides لـ + لبنان (لبن).
    """
    if word in SEARCH_STOP_WORDS:
        return ()
    folded = _fold_letters(word)
    if not _ARABIC_WORD.fullmatch(folded):
        return (folded,)
    stem, reading = light_stem(folded), proclitic_reading(word)
    return (stem, reading) if reading and reading != stem else (stem,)


def search_tokens(text: str) -> list[str]:
    """The index terms of a text, in order: what lunr stores and what a query is matched against."""
    return [term for word in _SEARCH_WORD.findall(search_normalize(text)) for term in search_terms(word)]

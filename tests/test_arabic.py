"""Arabic text rules: digits, plural forms, slugs, normalisation and bidi isolation."""

from __future__ import annotations

import pytest
from babel import Locale
from babel.numbers import format_decimal

from arshif import arabic

ARABIC_LOCALES = ["ar", "ar_EG", "ar_SA", "ar_AE", "ar_IQ", "ar_SY", "ar_LB", "ar_LY", "ar_TN", "ar_DZ", "ar_MA"]


@pytest.mark.parametrize(("number", "expected"), [
    (0, "أقل من دقيقة"), (1, "دقيقة واحدة"), (2, "دقيقتان"), (3, "٣ دقائق"), (10, "١٠ دقائق"),
    (11, "١١ دقيقة"), (99, "٩٩ دقيقة"), (100, "١٠٠ دقيقة"), (102, "١٠٢ دقيقة"), (103, "١٠٣ دقائق"),
])
def test_minutes_use_all_arabic_plural_categories(number: int, expected: str) -> None:
    assert arabic.count(number, "minute", "ar_EG", "arab") == expected


def test_articles_plural_and_latin_digits() -> None:
    assert arabic.count(2, "article", "ar_EG", "latn") == "مقالان"
    assert arabic.count(5, "article", "ar_EG", "latn") == "5 مقالات"
    assert arabic.count(25, "article", "ar_EG", "latn") == "25 مقالًا"
    assert arabic.count(1234, "article", "ar_EG", "arab") == "١٬٢٣٤ مقالًا"


@pytest.mark.parametrize("locale", ARABIC_LOCALES)
def test_the_kept_locale_facts_write_what_babel_writes(locale: str) -> None:
    """Counts, plural categories and month names come from facts a build keeps (LocaleFacts), not from Babel's
    data each time: they must say exactly what Babel says."""
    facts = arabic.facts_from_babel(locale)
    assert facts.groups, "each Arabic locale's counts are written from its facts"
    for digits in ("arab", "latn"):
        for number in (0, 3, 12, 999, 1000, 12345, 123456, 1234567, 10**9 + 5):
            babel = arabic.to_digits(format_decimal(number, locale=locale, numbering_system=digits), digits)
            assert arabic.format_number(number, locale, digits) == babel
    parsed = Locale.parse(locale)
    assert [arabic.plural_category(n, locale) for n in range(250)] == [parsed.plural_form(n) for n in range(250)]
    assert facts.months == tuple(parsed.months["format"]["wide"][m] for m in range(1, 13))


def test_a_locale_whose_counts_the_facts_would_write_otherwise_is_left_to_babel() -> None:
    facts = arabic.facts_from_babel("de_CH")  # Babel writes 1234567 with no separator, though its pattern has one
    assert "latn" not in facts.groups
    assert arabic.format_number(1234567, "de_CH", "latn") == format_decimal(1234567, locale="de_CH")
    assert arabic.format_number(-1234, "ar_EG", "arab") == arabic.to_digits(
        format_decimal(-1234, locale="ar_EG", numbering_system="arab"), "arab")


def test_to_digits_converts_both_ways_and_persian_digits() -> None:
    assert arabic.to_digits("2020-01-13", "arab") == "٢٠٢٠-٠١-١٣"
    assert arabic.to_digits("٢٠٢٠ و۱۴", "latn") == "2020 و14"


@pytest.mark.parametrize(("text", "slug"), [
    ("مهرجان القاهرة السينمائي", "مهرجان-القاهرة-السينمائي"),
    ("مَرْحَبًا بِكُم", "مرحبا-بكم"),
    ("أخبار ـــ اليوم!", "أخبار-اليوم"),
    ("Hello World 2020", "hello-world-2020"),
    ("  --  ", ""),
])
def test_slugify_keeps_arabic_and_drops_marks(text: str, slug: str) -> None:
    assert arabic.slugify(text) == slug


def test_normalize_removes_diacritics_tatweel_and_presentation_forms() -> None:
    assert arabic.normalize("العَرَبِيّة") == "العربية"
    assert arabic.normalize("جـــميل") == "جميل"
    assert arabic.normalize("\ufefb") == "لا"
    assert arabic.normalize("GPT") == "gpt"


def test_isolate_latin_wraps_runs_but_not_code_or_markup() -> None:
    html = '<p>أطلقت OpenAI نموذج GPT-4o و<a href="https://x.org/a">iPhone 15 Pro</a> <code>x = 1</code></p>'
    out = arabic.isolate_latin(html)
    assert "<bdi>OpenAI</bdi>" in out
    assert "<bdi>GPT-4o</bdi>" in out
    assert '<a href="https://x.org/a"><bdi>iPhone 15 Pro</bdi></a>' in out
    assert "<code>x = 1</code>" in out


def test_isolate_text_escapes_first() -> None:
    out = arabic.isolate_text('عنوان <script>alert("x")</script> & AT&T')
    assert "<script>" not in out
    assert "&lt;<bdi>script</bdi>&gt;" in out
    assert "&amp;" in out

"""Arabic text rules: digits, plural forms, slugs, normalisation and bidi isolation."""

from __future__ import annotations

import pytest

from arshif import arabic


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

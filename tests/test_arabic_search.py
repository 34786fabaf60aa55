"""The Arabic search rules: shared test vectors, and parity of the Python and JavaScript sides."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from arshif.arabic import _SEARCH_WORD, light_stem, proclitic_reading, search_normalize, search_terms, search_tokens
from tests.sitekit import PROJECT

VECTORS = json.loads((PROJECT / "tests/data/arabic_search_vectors.json").read_text(encoding="utf-8"))
EXPECTED = {case["input"]: case["tokens"] for case in VECTORS}


def js_tokens(texts: list[str], tmp_path: Path) -> list[list[str]]:
    """Run theme/js/arabic-search.js in Node over TEXTS."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to check the browser side of search (apt-get install nodejs)")
    source = tmp_path / "inputs.json"
    source.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, str(PROJECT / "tests/js/arabic_tokens.js"), str(source)],
                            capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout)


def test_there_are_hundreds_of_vectors() -> None:
    assert len(VECTORS) >= 300
    assert any(v["tokens"] == [] for v in VECTORS) and any(len(v["tokens"]) > 2 for v in VECTORS)


@pytest.mark.parametrize("case", VECTORS, ids=lambda case: case["input"][:30] or "(empty)")
def test_python_side_follows_the_vectors(case: dict) -> None:
    assert search_tokens(case["input"]) == case["tokens"]


def test_javascript_side_follows_the_vectors(tmp_path: Path) -> None:
    got = js_tokens([case["input"] for case in VECTORS], tmp_path)
    wrong = [(case["input"], case["tokens"], tokens) for case, tokens in zip(VECTORS, got, strict=True)
             if tokens != case["tokens"]]
    assert wrong == []


def sample_words() -> list[str]:
    """Every distinct word of the sample archive, as written (with its punctuation neighbours cut)."""
    words: set[str] = set()
    for path in (PROJECT / "content").rglob("*.md"):
        words.update(re.split(r"[\s\"'«»()\[\]{}*#>|،؛؟!.,:;]+", path.read_text(encoding="utf-8")))
    return sorted(w for w in words if w)


def test_python_and_javascript_agree_on_the_sample_archive_and_its_variants(tmp_path: Path) -> None:
    """Every sample word, with prefixes, suffixes, diacritics and tatweel added, gives the same terms."""
    base = sample_words()
    assert len(base) > 1000
    texts = list(base)
    for word in base[::3]:
        texts += [f"وال{word}", f"بال{word}", f"لل{word}", f"{word}ها", f"{word}ات", f"{word}ية", f"{word}ين",
                  "\u064e".join(word), word[:1] + "\u0640" + word[1:], f"{word}\u0651\u064b",
                  f"ب{word}", f"ل{word}", f"ك{word}", f"ف{word}", f"وب{word}", f"ول{word}", f"فل{word}", f"ولل{word}"]
    got = js_tokens(texts, tmp_path)
    differences = [(text, search_tokens(text), js) for text, js in zip(texts, got, strict=True)
                   if search_tokens(text) != js]
    assert len(texts) > 7000
    assert differences == []


def test_stop_words_never_drop_the_name_ali() -> None:
    assert search_tokens("على") == []
    assert search_tokens("علي") == search_tokens("عَلِيّ") != []


def test_hamza_taa_marbuta_and_alef_maqsura_fold() -> None:
    assert search_tokens("أحمد") == search_tokens("احمد") == search_tokens("إحمد")
    assert search_tokens("مدرسة") == search_tokens("مدرسه")
    assert search_terms("مصطفى") == search_terms("مصطفي")


def test_light_stem_keeps_two_letters() -> None:
    assert light_stem("ان") == "ان"
    assert light_stem("الكتابات") == "كتاب"
    assert search_normalize("ﻟﻠﻜﺘﺎﺏ") == "للكتاب"


# Pairs of inputs of the vectors that must share an index term (so each finds the other) or must not.
FIND_EACH_OTHER = [
    ("بموسكو", "موسكو"), ("بموسكو", "في موسكو"), ("وبموسكو", "موسكو"), ("فبموسكو", "موسكو"),
    ("إيطاليا", "لإيطاليا"), ("إيطاليا", "ولإيطاليا"), ("إيطاليا", "فلإيطاليا"), ("إيطاليا", "بإيطاليا"),
    ("مصر", "بمصر"), ("ليبيا", "لليبيا"), ("ليبيا", "بليبيا"), ("لاعب", "للاعب"), ("لاعب", "فلاعب"),
    ("بنك", "البنك"), ("بنك", "وبنك"), ("بنك", "بالبنك"), ("بنك", "للبنك"), ("بنك", "ببنك"), ("بنك", "لبنك"),
    ("لبنان", "ولبنان"), ("لبنان", "بلبنان"), ("لبنان", "للبنان"),
    ("كتاب", "الكتاب"), ("كتاب", "بالكتاب"), ("كتاب", "وبالكتاب"), ("كتاب", "وكتاب"), ("كتاب", "لكتاب"),
    ("كتاب", "للكتاب"), ("كتاب", "كتابها"), ("كتاب", "فكتاب"),
    ("فرنسا", "وفرنسا"), ("فرنسا", "بفرنسا"), ("فرنسا", "لفرنسا"), ("فرنسا", "ولفرنسا"),
    ("بريطانيا", "لبريطانيا"), ("بريطانيا", "وبريطانيا"),
    ("فلسطين", "بفلسطين"), ("فلسطين", "وفلسطين"), ("فلسطين", "لفلسطين"),
    ("مدرسة", "للمدرسة"), ("مدرسة", "وللمدرسة"), ("مدرسة", "فللمدرسة"),
]
NEVER_MATCH = [
    ("بنك", "نكات"), ("بنك", "نكهة"), ("لبنان", "بنان"), ("ولبنان", "بنان"), ("فلسطين", "لسطين"),
    ("وفلسطين", "لسطين"), ("بفلسطين", "لسطين"), ("فكرة", "كرة"), ("لجنة", "جنة"), ("فتاة", "تاة"),
]


@pytest.mark.parametrize(("one", "other"), FIND_EACH_OTHER)
def test_a_word_and_its_proclitic_forms_share_a_term(one: str, other: str) -> None:
    assert one in EXPECTED and other in EXPECTED  # so the JavaScript side is held to it too
    assert set(EXPECTED[one]) & set(EXPECTED[other]), (one, other)


@pytest.mark.parametrize(("one", "other"), NEVER_MATCH)
def test_a_word_that_only_begins_with_a_proclitic_letter_is_not_cut(one: str, other: str) -> None:
    assert not set(search_tokens(one)) & set(search_tokens(other)), (search_tokens(one), search_tokens(other))
    if one in EXPECTED:
        assert not set(EXPECTED[one]) & set(search_tokens(other))


def test_the_proclitic_reading_is_the_longest_proclitic_and_three_letters() -> None:
    assert proclitic_reading("بموسكو") == proclitic_reading("وبموسكو") == "موسكو"
    assert proclitic_reading("فلسطين") == ""  # فـ لـ سطين, never فـ لسطين
    assert proclitic_reading("بنك") == proclitic_reading("لبنان") == proclitic_reading("بهذا") == ""
    assert proclitic_reading("للمدرسة") == ""  # لـ + المدرسة: light_stem's own reading
    assert proclitic_reading("للبنان") == "لبن"
    assert proclitic_reading("موسكو") == proclitic_reading("الكتاب") == ""


def test_each_sample_word_gives_at_most_two_distinct_terms() -> None:
    for word in sample_words():
        for found in map(search_terms, _SEARCH_WORD.findall(search_normalize(word))):
            assert len(found) == len(set(found)) <= 2, (word, found)
            assert all(len(term) >= 3 for term in found[1:]), (word, found)

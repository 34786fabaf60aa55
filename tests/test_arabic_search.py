"""The Arabic search rules: shared test vectors, and parity of the Python and JavaScript sides."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from arshif.arabic import light_stem, search_normalize, search_term, search_tokens
from tests.sitekit import PROJECT

VECTORS = json.loads((PROJECT / "tests/data/arabic_search_vectors.json").read_text(encoding="utf-8"))


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
                  "\u064e".join(word), word[:1] + "\u0640" + word[1:], f"{word}\u0651\u064b"]
    got = js_tokens(texts, tmp_path)
    differences = [(text, search_tokens(text), js) for text, js in zip(texts, got, strict=True)
                   if search_tokens(text) != js]
    assert len(texts) > 5000
    assert differences == []


def test_stop_words_never_drop_the_name_ali() -> None:
    assert search_tokens("على") == []
    assert search_tokens("علي") == search_tokens("عَلِيّ") != []


def test_hamza_taa_marbuta_and_alef_maqsura_fold() -> None:
    assert search_tokens("أحمد") == search_tokens("احمد") == search_tokens("إحمد")
    assert search_tokens("مدرسة") == search_tokens("مدرسه")
    assert search_term("مصطفى") == search_term("مصطفي")


def test_light_stem_keeps_two_letters() -> None:
    assert light_stem("ان") == "ان"
    assert light_stem("الكتابات") == "كتاب"
    assert search_normalize("ﻟﻠﻜﺘﺎﺏ") == "للكتاب"

"""Writes arabic_search_vectors.json: inputs and the index terms they must give.

The expectations are written by hand for the base cases below and derived for the variants by the
rules themselves (a diacritic, a tatweel or a presentation form changes nothing; a prefix or suffix
from the light10 lists is removed; a word with a proclitic gives its own stem, then the stem of the
word after the proclitic), never by running the implementation. Run it again after changing the
cases: `python3 tests/data/make_search_vectors.py`.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

# Stems whose last letter is not itself a suffix letter, so adding one suffix removes exactly it.
NOUNS = {
    "كتاب": "كتاب", "مدرس": "مدرس", "مهندس": "مهندس", "طالب": "طالب", "مفاوض": "مفاوض",
    "مشروع": "مشروع", "اتفاق": "اتفاق", "مجلس": "مجلس", "حكومت": "حكومت",
    "سلام": "سلام", "قطار": "قطار", "رئيس": "رئيس",
    "معرض": "معرض", "مطار": "مطار", "مصرف": "مصرف", "مزارع": "مزارع", "لاعب": "لاعب",
}
# The nouns that start with a proclitic letter, and the stem of the rest: their second term (كتاب is
# also read كـ + تاب), which their forms share with them.
READINGS = {"كتاب": "تاب", "لاعب": "اعب"}
BASES: list[tuple[str, list[str]]] = [
    ("ليبيا", ["ليبيا", "يبيا"]), ("روسيا", ["روسيا"]), ("تركيا", ["تركيا"]), ("مصر", ["مصر"]),
    ("الليبية", ["ليب"]), ("الليبي", ["ليب"]), ("ليبي", ["ليب"]), ("الروسية", ["روس"]),
    ("المفاوضات", ["مفاوض"]), ("مفاوضات", ["مفاوض"]), ("الحكومة", ["حكوم"]), ("حكومة", ["حكوم"]),
    ("وزارة", ["زار"]), ("طرابلس", ["طرابلس"]), ("موسكو", ["موسكو"]), ("إسطنبول", ["اسطنبول"]),
    ("أحمد", ["احمد"]), ("إبراهيم", ["ابراهيم"]), ("آمال", ["امال"]), ("ٱلقمر", ["قمر"]),
    ("علي", ["عل"]), ("على", []), ("في", []), ("من", []), ("إلى", []), ("الى", []), ("عن", []),
    ("أن", []), ("إن", []), ("هذا", []), ("التي", []), ("و", []), ("قد", []), ("لا", []),
    ("مدرسة", ["مدرس"]), ("المدرسة", ["مدرس"]), ("بالمدرسة", ["مدرس"]), ("للمدرسة", ["مدرس"]),
    ("والمدرسة", ["مدرس"]), ("كالمدرسة", ["مدرس"]), ("فالمدرسة", ["مدرس"]),
    ("مستشفى", ["مستشف"]), ("المستشفى", ["مستشف"]), ("فتاة", ["فتا"]), ("البرلمان", ["برلم"]),
    ("وهو", ["وهو"]), ("ولد", ["ولد"]), ("وطن", ["وطن"]), ("والد", ["الد"]), ("والدي", ["دي"]),
    ("كتابها", ["كتاب", "تاب"]), ("كتابان", ["كتاب", "تاب"]), ("كتابه", ["كتاب", "تاب"]),
    ("كتابي", ["كتاب", "تاب"]),
    ("مهندسون", ["مهندس"]), ("مهندسين", ["مهندس"]), ("مهندسات", ["مهندس"]),
    ("2020", ["2020"]), ("١٢", ["12"]), ("۱۴۰۰", ["1400"]), ("GPT-4o", ["gpt", "4o"]),
    ("OpenAI", ["openai"]), ("iPhone 15 Pro", ["iphone", "15", "pro"]), ("COVID19", ["covid19"]),
    ("https://example.org/report", ["https", "example", "org", "report"]),
    ("حفتر و السراج", ["حفتر", "سراج"]), ("مُحَمَّدٌ", ["محمد"]), ("جـــميل", ["جميل"]),
    ("العَرَبِيَّة", ["عرب"]), ("قُرْآن", ["قر"]), ("القرآن", ["قر"]), ("ﻻ", []), ("ﷲ", ["له"]),
    ("«السلام»", ["سلام"]), ("(طرابلس)", ["طرابلس"]),
    ("ليبيا،روسيا؛تركيا؟", ["ليبيا", "يبيا", "روسيا", "تركيا"]), ("ليبيا-روسيا", ["ليبيا", "يبيا", "روسيا"]),
    ("ليبيا/روسيا", ["ليبيا", "يبيا", "روسيا"]), ("", []), ("   ", []), ("!!!", []), ("«»", []),
    # Proclitics: بـ لـ كـ, فـ, and و or ف before بـ لـ كـ. The word's own stem, then the stem after them.
    ("بموسكو", ["بموسكو", "موسكو"]), ("لموسكو", ["لموسكو", "موسكو"]), ("كموسكو", ["كموسكو", "موسكو"]),
    ("فموسكو", ["فموسكو", "موسكو"]), ("وبموسكو", ["بموسكو", "موسكو"]), ("فبموسكو", ["فبموسكو", "موسكو"]),
    ("في موسكو", ["موسكو"]), ("إيطاليا", ["ايطاليا"]), ("لإيطاليا", ["لايطاليا", "ايطاليا"]),
    ("ولإيطاليا", ["لايطاليا", "ايطاليا"]), ("فلإيطاليا", ["فلايطاليا", "ايطاليا"]),
    ("بإيطاليا", ["بايطاليا", "ايطاليا"]), ("وإيطاليا", ["ايطاليا"]), ("الإيطالية", ["ايطال"]),
    ("بمصر", ["بمصر", "مصر"]), ("لليبيا", ["يبيا"]), ("بليبيا", ["بليبيا", "ليبيا"]),
    ("فقال", ["فقال", "قال"]), ("بسبب", ["بسبب", "سبب"]), ("وبالكتاب", ["بالكتاب", "كتاب"]),
    ("وللمدرسة", ["مدرس"]), ("فللمدرسة", ["مدرس"]),
    # ... kept only when that stem has 3+ letters and is no stop word.
    ("بنك", ["بنك"]), ("البنك", ["بنك"]), ("وبنك", ["بنك"]), ("بالبنك", ["بنك"]), ("للبنك", ["بنك"]),
    ("ببنك", ["ببنك", "بنك"]), ("لبنك", ["لبنك", "بنك"]), ("بنكها", ["بنك"]), ("نكات", ["نك"]),
    ("نكهة", ["نكه"]), ("لبنان", ["لبن"]), ("ولبنان", ["لبن"]), ("بلبنان", ["بلبن", "لبن"]),
    ("للبنان", ["بن", "لبن"]), ("بنان", ["بن", "نان"]), ("بهذا", ["بهذا"]), ("لذلك", ["لذلك"]), ("فتاة", ["فتا"]),
    ("فكرة", ["فكر"]), ("لجنة", ["لجن"]), ("بعد", ["بعد"]), ("بين", ["بين"]), ("لكن", ["لكن"]),
    # The longest proclitic is read, never a shorter one: فلسطين is فـ لـ سطين, too short to read.
    ("فلسطين", ["فلسط"]), ("بفلسطين", ["بفلسط", "فلسط"]), ("وفلسطين", ["فلسط"]),
    ("لفلسطين", ["لفلسط", "فلسط"]), ("لسطين", ["لسط"]), ("فكتاب", ["فكتاب", "تاب"]),
    ("فلاعب", ["فلاعب", "اعب"]), ("للاعب", ["اعب"]),
    ("فرنسا", ["فرنسا", "رنسا"]), ("وفرنسا", ["فرنسا"]), ("بفرنسا", ["بفرنسا", "فرنسا"]),
    ("لفرنسا", ["لفرنسا", "فرنسا"]), ("ولفرنسا", ["لفرنسا", "فرنسا"]), ("بريطانيا", ["بريطانيا", "ريطانيا"]),
    ("لبريطانيا", ["لبريطانيا", "بريطانيا"]), ("وبريطانيا", ["بريطانيا", "ريطانيا"]),
]
DIACRITICS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u064c", "\u064d", "\u0670"]
PREFIXES = ["ال", "وال", "بال", "كال", "فال", "لل", "ولل"]
PROCLITICS = ["ب", "ل", "ك", "ف", "وب", "ول", "وك", "فب", "فل", "فك"]
SUFFIXES = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة"]
ARABIC = range(0x0621, 0x064B)


def isolated_forms() -> dict[str, str]:
    """Arabic letter -> its isolated presentation form (U+FE70–U+FEFF), from the Unicode database."""
    forms = {}
    for code in range(0xFE70, 0xFEFF):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] == "<isolated>":
            forms.setdefault(chr(int(parts[1], 16)), chr(code))
    return forms


def with_diacritics(word: str, n: int) -> str:
    out = []
    for i, char in enumerate(word):
        out.append(char)
        if ord(char) in ARABIC:
            out.append(DIACRITICS[(i + n) % len(DIACRITICS)])
    return "".join(out)


def cases() -> list[dict[str, object]]:
    forms = isolated_forms()
    found: dict[str, list[str]] = {}

    def add(text: str, tokens: list[str]) -> None:
        found.setdefault(text, tokens)

    for text, tokens in BASES:
        add(text, tokens)
        if any(ord(c) in ARABIC for c in text):
            add(with_diacritics(text, 0), tokens)
            add(with_diacritics(text, 3), tokens)
            if len(text) > 1 and ord(text[0]) in ARABIC and ord(text[1]) in ARABIC:
                add(text[0] + "\u0640\u0640" + text[1:], tokens)
            if all(c in forms for c in text):
                add("".join(forms[c] for c in text), tokens)
        add(f"  {text}. ", tokens)
    for noun, stem in NOUNS.items():
        reading = [READINGS[noun]] if noun in READINGS else []
        add(noun, [stem, *reading])
        for prefix in PREFIXES:
            if prefix.endswith("لل") and noun.startswith("ل"):
                continue  # لـ + اللاعب is written للاعب (a base case above)
            add(prefix + noun, [stem])
            add(with_diacritics(prefix + noun, 1), [stem])
        for suffix in SUFFIXES:
            if not noun.endswith(("ى", "ي")):
                add(noun + suffix, [stem, *reading])
        add("و" + noun, [stem, *reading])
        for proclitic in PROCLITICS:
            if (proclitic == "ف" and noun in READINGS) or (proclitic.endswith("ل") and noun.startswith("ل")):
                continue  # read as the longer proclitic: a base case above
            whole = proclitic[1:] if proclitic.startswith("و") else proclitic  # light10 strips و
            add(proclitic + noun, [whole + stem, stem])
            add(with_diacritics(proclitic + noun, 2), [whole + stem, stem])
    for digits in ("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"):
        add(digits, ["0123456789"])
        add(f"عام {digits[2]}{digits[0]}{digits[2]}{digits[4]}", ["عام", "2024"])
    sentence_parts = [b for b in BASES if b[1]][:40]
    for i in range(0, len(sentence_parts) - 2, 2):
        (a, ta), (b, tb), (c, tc) = sentence_parts[i:i + 3]
        add(f"{a} في {b}، {c}!", ta + tb + tc)
    return [{"input": text, "tokens": tokens} for text, tokens in found.items()]


if __name__ == "__main__":
    target = Path(__file__).with_name("arabic_search_vectors.json")
    data = cases()
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(data)} cases written to {target}")

"""A deterministic, seeded corpus of Arabic news articles for benchmarking Arshif.

    python bench/corpus.py N OUTDIR [--seed S] [--hugo DIR] [--pelican DIR] [--stats]

writes a complete Arshif site folder in OUTDIR (site.toml, content/<year>/<slug>.md, templates/
and theme/ copied from the Arshif checkout) holding N articles, and, with --hugo / --pelican, the
same articles as a Hugo site and as a Pelican site, so all three tools build the same content.

Each article depends only on the seed and its own number, so the corpus for N=1,000 is the first
1,000 articles of the corpus for N=10,000. The words come from a generated lexicon of tens of
thousands of distinct Arabic word forms (roots x patterns x clitics), drawn with a Zipf
distribution like real text, mixed with function words and names.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ARSHIF_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 1
DEFAULT_PAGE_SIZE = 10
LEXICON_SIZE = 60_000
FEED_ITEMS = 50  # Arshif's default [feeds] items; Hugo and Pelican are set to the same
START = datetime(2011, 1, 1)
END = datetime(2026, 1, 1)  # 15 years; every date is before END (and so not in the future)

# --- word material -----------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


# Triliteral roots (real ones, mostly from news vocabulary).
ROOTS = _words("""
كتب درس علم عمل قتل حكم سلم حرب نصر خرج دخل جلس ذهب رجع وصل قرر شرك نظم قدم صنع زرع تجر سوق
بيع مول غزو طير سفر نقل حمل عقد جمع فرق حزب نخب صوت رشح فوز خسر لعب هدف ربح كسب صدر ورد نتج
سعر ضرب رفع خفض نمو ثمر وقع بحث كشف فحص طبب مرض علج صحح حفظ حمي امن قوي جيش سلح هجم قصف صرع
نزع هدأ وفق فوض حور حدث خبر نبأ نشر طبع صحف علن صور رسم فنن شعر قصص روي غني لحن ثقف شرح
بني هدم عمر سكن نزل طرق جسر مطر زلزل برد حرر سخن جفف فيض بحر نهر زرع حصد قمح شجر غبت بنك نقد
صرف ودع قرض دين ضرب عجز فقر غني رخص غلو حسب دقق راقب حقق قضي شهد حكم سجن عفو جرم تهم دفع وكل
سفر مثل وزر رأس خلف نوب شعب دول وطن قوم ولي حدد حضر غيب وجد فقد طلب سأل جوب نقش حوار عرض
رفض قبل وعد نفذ خطط برمج حوسب رقم شبك تصل نقل سرع بطء وقف منع سمح أذن شرط قنن شرع نظر رأي فكر
عقل ذكر نسي حفل عيد زور ضيف رحب جمل قبح صدق كذب كرم بخل صبر غضب فرح حزن خوف أمل يأس سعد شقي
قلق هدأ ضغط وزن كيل قيس ربط فصل جدد قدم حدث عصر وقت زمن يوم شهر سنة عمق طول عرض كثر قلل زيد نقص
صعد هبط سقط نهض قوم شغل بطل وظف أجر عمل سوق صدر ورد خزن وزع بذل جهد نجح فشل
""")

# Patterns: 1, 2 and 3 stand for the root's consonants.
PATTERNS = [
    "123", "1ا23", "م12و3", "م123", "م123ة", "ت12ي3", "ا1ت2ا3", "است12ا3", "ان12ا3", "م1ا23ة",
    "12ا3ة", "12ي3", "12و3", "ي123", "ت123", "ي1ا23", "ت1ا23", "مت1ا23", "مست123", "م1ت23",
    "123ي", "123ية", "123ان", "أ12ا3", "1وا23", "م1ا2ي3", "1ا23ة", "أ123", "ي1ت23", "يست123",
    "ت12ي3ات", "م12و3ات", "12ا3ات", "1ا23ون", "م1ت23ين",
]

PREFIXES = {"": 40, "ال": 25, "و": 8, "وال": 8, "ب": 3, "بال": 5, "ل": 3, "لل": 4, "ف": 1, "فال": 1, "ك": 1}
SUFFIXES = {"": 50, "ات": 6, "ون": 4, "ين": 5, "ة": 5, "ي": 3, "ية": 4, "ان": 2, "ها": 4, "هم": 3,
            "نا": 2, "ه": 3, "هما": 1}
PRONOUNS = {"ها", "هم", "نا", "ه", "هما"}

FUNCTION_WORDS = _words("""
في في في من من من على على إلى إلى أن أن التي الذي عن مع هذا هذه كان كانت قد بين بعد قبل حيث كما
أو ثم لم لن إن ذلك تلك عند حتى خلال ضد نحو منذ وفق لدى أيضا وقد وهو وهي التي الذين ما لا كل بعض
غير أكثر أقل عدد عام اليوم أمس حول عبر دون أمام وراء فيما بينما إذ إذا لكن وكان ويذكر وأضاف وقال
وأكد وأشار بحسب نقلا عنه عنها فيه فيها لها له لهم هناك هنا جدا تماما أيضاً
""")

NAMES = _words("""
طرابلس بنغازي مصراتة سبها القاهرة الإسكندرية تونس الجزائر الرباط الدار البيضاء الخرطوم دمشق
حلب بيروت بغداد البصرة عمان القدس غزة صنعاء عدن الرياض جدة دبي أبوظبي الدوحة الكويت مسقط المنامة
أنقرة إسطنبول طهران موسكو واشنطن باريس لندن برلين روما مدريد بكين جنيف نيويورك أثينا فاليتا
محمد أحمد علي عمر خالد سالم فاطمة عائشة مريم ليلى يوسف إبراهيم مصطفى حسن حسين طارق نادية سعاد
""")

FIRST_NAMES = _words("""محمد أحمد علي عمر خالد سالم فاطمة هالة مريم ليلى يوسف إبراهيم مصطفى حسن نادية سعاد
رانيا طارق وليد عبدالله""")
FAMILY_NAMES = _words("""السنوسي المصراتي الورفلي الزاوي العبيدي الشريف المغربي الحداد النجار الخطيب الفيتوري
القذافي البرغثي الترهوني المقريف""")

CATEGORIES = ["سياسة", "اقتصاد", "رياضة", "ثقافة", "تقنية", "صحة", "مجتمع", "دولي", "محلي", "رأي",
              "بيئة", "تعليم"]

# ~60 tags, in order of popularity (a Zipf-like weight by rank makes the first ones large).
# The first twelve keep the names /work/main/site.toml gives them.
TAGS = [
    ("libya", "ليبيا"), ("economy", "اقتصاد"), ("egypt", "مصر"), ("sports", "رياضة"),
    ("turkey", "تركيا"), ("russia", "روسيا"), ("syria", "سوريا"), ("culture", "ثقافة"),
    ("energy", "طاقة"), ("health", "صحة"), ("technology", "تقنية"), ("climate", "مناخ"),
    ("tunisia", "تونس"), ("algeria", "الجزائر"), ("morocco", "المغرب"), ("sudan", "السودان"),
    ("lebanon", "لبنان"), ("iraq", "العراق"), ("jordan", "الأردن"), ("palestine", "فلسطين"),
    ("yemen", "اليمن"), ("saudi-arabia", "السعودية"), ("uae", "الإمارات"), ("qatar", "قطر"),
    ("kuwait", "الكويت"), ("oman", "سلطنة عمان"), ("bahrain", "البحرين"), ("iran", "إيران"),
    ("usa", "الولايات المتحدة"), ("china", "الصين"), ("europe", "أوروبا"), ("africa", "أفريقيا"),
    ("un", "الأمم المتحدة"), ("arab-league", "الجامعة العربية"), ("oil", "النفط"),
    ("markets", "الأسواق"), ("banks", "المصارف"), ("trade", "التجارة"), ("agriculture", "الزراعة"),
    ("tourism", "السياحة"), ("football", "كرة القدم"), ("olympics", "الألعاب الأولمبية"),
    ("cinema", "السينما"), ("literature", "الأدب"), ("music", "الموسيقى"), ("heritage", "التراث"),
    ("internet", "الإنترنت"), ("ai", "الذكاء الاصطناعي"), ("space", "الفضاء"), ("covid", "كورونا"),
    ("education", "التعليم"), ("universities", "الجامعات"), ("environment", "البيئة"),
    ("water", "المياه"), ("migration", "الهجرة"), ("elections", "الانتخابات"),
    ("parliament", "البرلمان"), ("human-rights", "حقوق الإنسان"), ("security", "الأمن"),
    ("transport", "النقل"), ("women", "المرأة"), ("youth", "الشباب"), ("media", "الإعلام"),
    ("justice", "القضاء"),
]
TAG_WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(TAGS))]

LINK_HOSTS = ["https://example.org/ar/", "https://example.com/news/", "https://example.net/archive/"]

_TRANSLIT = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "ت": "t", "ث": "th",
    "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y", "ى": "a", "ة": "a",
}


def transliterate(text: str) -> str:
    """A rough Latin spelling for slugs: "الانتخابات" -> "alantkhabat"."""
    out = "".join(_TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "-") for ch in text)
    return re.sub(r"-+", "-", out).strip("-").lower()


_AWKWARD = re.compile("اأ|أا|ءا|وو|يي|اا|أأ|ىا|(.)\\1\\1")


def _form(root: str, pattern: str, prefix: str, suffix: str) -> str | None:
    """One word form, or None where the clitics do not combine."""
    stem = pattern.replace("1", root[0]).replace("2", root[1]).replace("3", root[2])
    if _AWKWARD.search(stem):
        return None
    if "ال" in prefix and suffix in PRONOUNS:
        return None
    if stem.endswith(("ات", "ون", "ين")) and suffix:
        return None
    if stem.endswith("ة"):
        if suffix == "ات":
            stem = stem[:-1]
        elif suffix in PRONOUNS:
            stem = stem[:-1] + "ت"
        elif suffix:
            return None
    elif stem.endswith("ي") and suffix in {"ي", "ية"}:
        return None
    word = prefix + stem + suffix
    if prefix in {"لل", "ل"} and stem.startswith("ال"):
        word = "لل" + stem[2:] + suffix
    return word


def build_lexicon(seed: int, size: int = LEXICON_SIZE) -> list[str]:
    """SIZE distinct word forms in a seeded random order (their rank decides their frequency)."""
    rng = random.Random(f"lexicon:{seed}")
    prefixes, prefix_w = zip(*PREFIXES.items(), strict=True)
    suffixes, suffix_w = zip(*SUFFIXES.items(), strict=True)
    roots = list(dict.fromkeys(ROOTS))
    # Every bare stem first (so each root/pattern exists), then clitic combinations.
    seen: dict[str, None] = {}
    stems = [(r, p) for r in roots for p in PATTERNS]
    rng.shuffle(stems)
    for root, pattern in stems:
        word = _form(root, pattern, "", "")
        if word:
            seen.setdefault(word)
    attempts = 0
    while len(seen) < size and attempts < size * 50:
        attempts += 1
        root, pattern = rng.choice(stems)
        word = _form(root, pattern, rng.choices(prefixes, prefix_w)[0], rng.choices(suffixes, suffix_w)[0])
        if word:
            seen.setdefault(word)
    words = list(seen)[:size]
    rng.shuffle(words)
    return words


# --- articles ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Article:
    number: int
    title: str
    slug: str
    date: datetime
    author: str
    category: str
    tags: tuple[str, ...]  # tag slugs
    body: str  # Markdown
    words: int

    @property
    def year(self) -> int:
        return self.date.year


class Writer:
    """Makes articles from a lexicon; article K depends only on the seed and K."""

    def __init__(self, seed: int = DEFAULT_SEED, lexicon_size: int = LEXICON_SIZE) -> None:
        self.seed = seed
        self.lexicon = build_lexicon(seed, lexicon_size)
        weights = [1 / (rank + 2.7) for rank in range(len(self.lexicon))]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)
        self.authors = [f"{first} {family}" for first in FIRST_NAMES for family in FAMILY_NAMES]
        random.Random(f"authors:{seed}").shuffle(self.authors)
        self.authors = self.authors[:40]

    # words and sentences
    def words(self, rng: random.Random, n: int) -> list[str]:
        out = rng.choices(self.lexicon, cum_weights=self.cum, k=n)
        for i in range(n):
            roll = rng.random()
            if roll < 0.30:
                out[i] = rng.choice(FUNCTION_WORDS)
            elif roll < 0.34:
                out[i] = rng.choice(NAMES)
            elif roll < 0.345:
                out[i] = str(rng.choice([rng.randint(2, 99), rng.randint(100, 5000), rng.randint(1990, 2025)]))
        return out

    def sentence(self, rng: random.Random, lo: int = 8, hi: int = 24) -> list[str]:
        words = self.words(rng, rng.randint(lo, hi))
        if len(words) > 9 and rng.random() < 0.5:
            words[rng.randint(3, len(words) - 4)] += "،"
        words[-1] += "."
        return words

    def phrase(self, rng: random.Random, lo: int, hi: int) -> list[str]:
        return [w for w in self.words(rng, rng.randint(lo, hi)) if not w.isdigit()] or ["خبر"]

    def paragraph(self, rng: random.Random, sentences: int, link: bool, bold: bool) -> tuple[str, int, bool]:
        """A paragraph, its word count, and whether it holds a link."""
        words: list[str] = []
        for _ in range(sentences):
            words += self.sentence(rng)
        count = len(words)
        if bold:
            at, size = rng.randrange(len(words) - 2), rng.randint(2, 4)
            end = min(at + size, len(words)) - 1
            words[at] = "**" + words[at]
            words[end] = words[end].rstrip("،.") + "**" + ("." if words[end].endswith(".") else "")
        linked = False
        for _ in range(8 if link else 0):
            at, size = rng.randrange(len(words) - 3), rng.randint(2, 3)
            end = at + size - 1
            if any("**" in w for w in words[at:end + 1]):
                continue
            target = LINK_HOSTS[rng.randrange(len(LINK_HOSTS))] + \
                f"{rng.randint(2000, 2025)}/{transliterate(words[at]) or 'item'}-{rng.randint(1, 99999)}"
            tail = "." if words[end].endswith(".") else ""
            words[at] = "[" + words[at]
            words[end] = words[end].rstrip("،.") + f"]({target}){tail}"
            linked = True
            break
        return " ".join(words), count, linked

    def article(self, number: int) -> Article:
        rng = random.Random(f"article:{self.seed}:{number}")
        title_words = self.phrase(rng, 6, 11)
        if rng.random() < 0.2:
            title_words[rng.randint(1, 3)] += ":"
        title = " ".join(title_words)
        span = (END - START).total_seconds() / 60
        date = START + timedelta(minutes=int(span * rng.random() ** 0.8))  # later years a little denser
        slug_words = [w for w in title_words if w not in FUNCTION_WORDS][:4] or title_words[:4]
        slug = "-".join(filter(None, (transliterate(w) for w in slug_words)))[:60].strip("-")
        slug = f"{slug}-{number:x}" if slug else f"article-{number:x}"
        tag_count = rng.choices([1, 2, 3, 4], [30, 35, 22, 13])[0]
        tags: list[str] = []
        while len(tags) < tag_count:
            slug_ = rng.choices(TAGS, TAG_WEIGHTS)[0][0]
            if slug_ not in tags:
                tags.append(slug_)

        # 300-900 words: blocks are added while the budget lasts; the first sections carry at least
        # one link, one bulleted list and one quote, so every article has each kind of Markdown.
        target = rng.randint(315, 885)
        blocks: list[str] = []
        lead, words, _ = self.paragraph(rng, rng.randint(2, 3), link=False, bold=True)
        blocks.append(lead)
        sections = 0
        has = {"list": False, "quote": False, "link": False}
        while words < target - 12 or not all(has.values()):
            heading = self.phrase(rng, 3, 6)
            blocks.append("## " + " ".join(heading).rstrip("،."))
            words += len(heading)
            sections += 1
            for k in range(rng.randint(1, 3)):
                budget = target - words
                if k and budget < 25 and has["link"]:
                    break
                text, n, linked = self.paragraph(rng, max(1, min(rng.randint(2, 4), budget // 16)),
                                                 link=rng.random() < 0.35 or not has["link"],
                                                 bold=rng.random() < 0.3)
                has["link"] |= linked
                blocks.append(text)
                words += n
            if (not has["list"] and sections >= 2) or (rng.random() < 0.35 and target - words > 40):
                items = []
                for _ in range(rng.randint(3, 5)):
                    item = self.phrase(rng, 4, 10)
                    words += len(item)
                    if rng.random() < 0.4:
                        item[0] = f"**{item[0]}:**"
                    items.append("- " + " ".join(item).rstrip("،."))
                blocks.append("\n".join(items))
                has["list"] = True
            if (not has["quote"] and sections >= 2) or (rng.random() < 0.25 and target - words > 30):
                quote = [" ".join(self.sentence(rng, 8, 18)) for _ in range(rng.randint(1, 2))]
                words += sum(len(q.split()) for q in quote)
                blocks.append("\n>\n".join("> " + q for q in quote))
                has["quote"] = True
        body = "\n\n".join(blocks) + "\n"
        return Article(number, title, slug, date, self.authors[rng.randrange(len(self.authors))],
                       rng.choice(CATEGORIES), tuple(tags), body, words)


# --- the three site formats --------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def arshif_source(a: Article) -> str:
    return (f"---\ntitle: {_quote(a.title)}\ndate: {a.date:%Y-%m-%d %H:%M}\nauthor: {_quote(a.author)}\n"
            f"tags: [{', '.join(a.tags)}]\ncategory: {_quote(a.category)}\nslug: {a.slug}\n---\n\n{a.body}")


def hugo_source(a: Article) -> str:
    return (f"---\ntitle: {_quote(a.title)}\ndate: {a.date:%Y-%m-%dT%H:%M:%S}\nauthor: {_quote(a.author)}\n"
            f"tags: [{', '.join(a.tags)}]\ncategory: {_quote(a.category)}\nslug: {a.slug}\n---\n\n{a.body}")


TAG_NAMES = dict(TAGS)


def pelican_source(a: Article) -> str:
    tags = ", ".join(TAG_NAMES[t] for t in a.tags)
    return (f"Title: {a.title}\nDate: {a.date:%Y-%m-%d %H:%M}\nAuthor: {a.author}\nCategory: {a.category}\n"
            f"Tags: {tags}\nSlug: {a.slug}\n\n{a.body}")


def arshif_site_toml(model: str, page_size: int) -> str:
    """The Arshif checkout's site.toml with our page size and every tag in its [tags] table."""
    tags = "[tags]\n" + "".join(f'{slug} = "{name}"\n' for slug, name in TAGS)
    text = re.sub(r"^page_size\s*=.*$", f"page_size = {page_size}", model, count=1, flags=re.M)
    if "page_size" not in text:
        text = text.replace("\n[", f"\npage_size = {page_size}\n\n[", 1)
    match = re.search(r"^\[tags\]\s*$", text, flags=re.M)
    if match:
        rest = text[match.end():]
        following = re.search(r"^\[", rest, flags=re.M)
        text = text[:match.start()] + tags + ("\n" + rest[following.start():] if following else "")
    else:
        text = text.rstrip("\n") + "\n\n" + tags
    return text


def toml_value(model: str, key: str, default: str) -> str:
    found = re.search(rf'^{key}\s*=\s*"([^"]*)"', model, flags=re.M)
    return found.group(1) if found else default


# Hugo 0.111 looks for _default/terms.html for the list of tags and _default/term.html for one tag.
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{ end }}</head>
<body>
<header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a> · <a href="{{ "tags/" | relURL }}">الوسوم</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "partials/item.html": """<article class="item">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="meta">{{ with .Params.author }}{{ . }} · {{ end }}
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time></p>
<p>{{ .Summary }}</p>
</article>
""",
    "partials/pager.html": """{{ $p := .Paginator }}{{ if gt $p.TotalPages 1 }}<nav class="pager">
{{ if $p.HasPrev }}<a rel="prev" href="{{ $p.Prev.URL }}">الأحدث</a>{{ end }}
<span>{{ $p.PageNumber }} / {{ $p.TotalPages }}</span>
{{ if $p.HasNext }}<a rel="next" href="{{ $p.Next.URL }}">الأقدم</a>{{ end }}
</nav>{{ end }}
""",
    "index.html": """{{ define "main" }}
{{ $p := .Paginate .Site.RegularPages }}
{{ range $p.Pages }}{{ partial "item.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $p := .Paginate .Pages }}
{{ range $p.Pages }}{{ partial "item.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "_default/single.html": """{{ define "main" }}
<article>
{{ with .Params.category }}<p class="kicker">{{ . }}</p>{{ end }}
<h1>{{ .Title }}</h1>
<p class="meta">{{ with .Params.author }}{{ . }} · {{ end }}
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02 15:04" }}</time>
· {{ .ReadingTime }} د</p>
<div class="body">{{ .Content }}</div>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ $related := .Site.RegularPages.Related . | first 4 }}
{{ with $related }}<h2>ذات صلة</h2>
<ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
<nav>{{ with .Prev }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .Next }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>
{{ end }}
""",
    "_default/rss.xml": """{{- $pctx := . -}}
{{- if .IsHome -}}{{ $pctx = .Site }}{{- end -}}
{{- $pages := slice -}}
{{- if or $.IsHome $.IsSection -}}{{- $pages = $pctx.RegularPages -}}{{- else -}}{{- $pages = $pctx.Pages -}}{{- end -}}
{{- $pages = $pages | first """ + str(FEED_ITEMS) + """ -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ .Site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
<language>{{ .Site.LanguageCode }}</language>
{{ with .OutputFormats.Get "RSS" -}}
{{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType | safeHTML }}
{{- end }}
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
{{ range .GetTerms "tags" }}<category>{{ .LinkTitle }}</category>{{ end }}
<description>{{ .Content | html }}</description>
</item>
{{ end }}</channel>
</rss>
""",
}


HUGO_LAYOUTS["_default/term.html"] = HUGO_LAYOUTS["_default/list.html"]


def hugo_config(title: str, base_url: str, page_size: int) -> str:
    return f"""baseURL = {_quote(base_url)}
title = {_quote(title)}
languageCode = "ar"
defaultContentLanguage = "ar"
timeZone = "Africa/Cairo"
paginate = {page_size}
paginatePath = "page"
enableRobotsTXT = true
disableKinds = []

[taxonomies]
tag = "tags"

[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML", "RSS"]
page = ["HTML"]

[services.rss]
limit = {FEED_ITEMS}

[markup.goldmark.renderer]
unsafe = false
"""


PELICAN_CONF = """# Pelican settings comparable to Arshif's output: article pages at YEAR/SLUG/, paginated home and
# tag pages, year and month archives, Atom and RSS feeds for the site and for every tag.
from pathlib import Path

from markdown.extensions.toc import slugify_unicode

_HERE = Path(__file__).resolve().parent
PATH = str(_HERE / "content")
SITENAME = {title!r}
SITEURL = {site_url!r}
FEED_DOMAIN = SITEURL
TIMEZONE = "Africa/Cairo"
DEFAULT_LANG = "ar"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_PAGINATION = {page_size}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
ARTICLE_URL = "{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_URL = "archive/{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/index.html"
MONTH_ARCHIVE_URL = "archive/{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/{{date:%m}}/index.html"
# Arshif has no category or author pages: Pelican writes none either.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "archives"]
PAGE_PATHS = []
STATIC_PATHS = []
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "feed.xml"
TAG_FEED_ATOM = "tags/{{slug}}/atom.xml"
TAG_FEED_RSS = "tags/{{slug}}/feed.xml"
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = {feed_items}
RSS_FEED_SUMMARY_ONLY = False
# The same Markdown extensions as Arshif (arshif/content.py new_markdown()).
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.toc": {{"slugify": slugify_unicode}},
        "markdown.extensions.meta": {{}},
    }},
    "output_format": "html5",
}}
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def write_sites(n: int, arshif_dir: Path | None, *, seed: int = DEFAULT_SEED, hugo_dir: Path | None = None,
                pelican_dir: Path | None = None, page_size: int = DEFAULT_PAGE_SIZE,
                arshif_root: Path = ARSHIF_ROOT, manifest: Path | None = None,
                progress: bool = False) -> dict:
    """Write N articles as each requested site; return the manifest (articles' year, slug, tags)."""
    model = (arshif_root / "site.toml").read_text(encoding="utf-8")
    title = toml_value(model, "title", "أرشيف الأخبار")
    base_url = toml_value(model, "base_url", "https://example.org/archive/")
    dirs = [d for d in (arshif_dir, hugo_dir, pelican_dir) if d is not None]
    for d in dirs:
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    if arshif_dir is not None:
        (arshif_dir / "site.toml").write_text(arshif_site_toml(model, page_size), encoding="utf-8")
        shutil.copytree(arshif_root / "templates", arshif_dir / "templates")
        shutil.copytree(arshif_root / "theme", arshif_dir / "theme")
    if hugo_dir is not None:
        (hugo_dir / "config.toml").write_text(hugo_config(title, base_url, page_size), encoding="utf-8")
        for path, text in HUGO_LAYOUTS.items():
            (hugo_dir / "layouts" / path).parent.mkdir(parents=True, exist_ok=True)
            (hugo_dir / "layouts" / path).write_text(text, encoding="utf-8")
        (hugo_dir / "content" / "tags").mkdir(parents=True)
        (hugo_dir / "content" / "tags" / "_index.md").write_text('---\ntitle: "الوسوم"\n---\n', encoding="utf-8")
        for slug, name in TAGS:
            (hugo_dir / "content" / "tags" / slug).mkdir()
            (hugo_dir / "content" / "tags" / slug / "_index.md").write_text(
                f"---\ntitle: {_quote(name)}\n---\n", encoding="utf-8")
    if pelican_dir is not None:
        (pelican_dir / "pelicanconf.py").write_text(PELICAN_CONF.format(
            title=title, site_url=base_url.rstrip("/"), page_size=page_size, feed_items=FEED_ITEMS),
            encoding="utf-8")

    writer = Writer(seed)
    records = []
    words_total = 0
    vocabulary: set[str] = set()
    made_dirs: set[tuple[Path, int]] = set()
    for number in range(n):
        a = writer.article(number)
        words_total += a.words
        if manifest is not None or progress:
            vocabulary.update(re.findall(r"[\u0621-\u064a]+", a.body))
        records.append({"number": number, "year": a.year, "slug": a.slug, "tags": list(a.tags),
                        "date": f"{a.date:%Y-%m-%d %H:%M}", "file": f"content/{a.year}/{a.slug}.md"})
        for d, render in ((arshif_dir, arshif_source), (hugo_dir, hugo_source), (pelican_dir, pelican_source)):
            if d is None:
                continue
            folder = d / "content" / str(a.year)
            if (d, a.year) not in made_dirs:
                folder.mkdir(parents=True, exist_ok=True)
                made_dirs.add((d, a.year))
            (folder / f"{a.slug}.md").write_text(render(a), encoding="utf-8")
        if progress and (number + 1) % 5000 == 0:
            print(f"  {number + 1}/{n} articles", file=sys.stderr)
    data = {
        "n": n, "seed": seed, "page_size": page_size, "feed_items": FEED_ITEMS,
        "words": words_total, "distinct_word_forms": len(vocabulary),
        "tags": [slug for slug, _ in TAGS],
        "tags_used": sorted({t for r in records for t in r["tags"]}),
        "articles": records,
    }
    if manifest is not None:
        manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", type=Path, help="the Arshif site folder to write (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--hugo", type=Path, help="also write the same articles as a Hugo site here")
    parser.add_argument("--pelican", type=Path, help="also write the same articles as a Pelican site here")
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                        help=f"articles per list page, for all three tools (default {DEFAULT_PAGE_SIZE})")
    parser.add_argument("--arshif-root", type=Path, default=ARSHIF_ROOT,
                        help="the Arshif checkout whose site.toml, templates/ and theme/ are used")
    parser.add_argument("--manifest", type=Path, help="write a JSON list of the articles here")
    parser.add_argument("--stats", action="store_true", help="print word and vocabulary counts")
    args = parser.parse_args(argv)
    data = write_sites(args.n, args.outdir, seed=args.seed, hugo_dir=args.hugo, pelican_dir=args.pelican,
                       page_size=args.page_size, arshif_root=args.arshif_root, manifest=args.manifest,
                       progress=args.stats)
    if args.stats:
        print(f"{args.n} articles, {data['words']} words, {data['distinct_word_forms']} distinct Arabic "
              f"word forms, {len(data['tags_used'])} tags used")
    return 0


if __name__ == "__main__":
    sys.exit(main())

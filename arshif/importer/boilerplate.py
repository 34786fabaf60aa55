"""What of a saved page is not the article: share buttons, "اقرأ أيضا" blocks, "عاجل" tickers, related
headlines. The patterns are site.toml's [import] table, defaulting to those of Arabic news sites:

    [import]
    drop_elements = ["share", "related", "ticker"]   # words of a class or id: the element goes
    drop_lines = ["WhatsApp", "Telegram"]             # a paragraph that is only one of these goes
    cut_from = ["اقرأ أيضا", "عاجل"]                  # a paragraph that is only one of these ends the article
    bylines = ["كتب", "بقلم"]                          # "كتب : وكالات" at the top is the author, not text

Text is compared as search compares it (hamza, diacritics, tatweel and case folded), so "إقرأ أيضاً"
matches "اقرأ أيضا".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..arabic import search_normalize
from ..config import CONFIG_NAME, key_line
from ..problems import BuildFailed, Problem

DEFAULTS: dict[str, tuple[str, ...]] = {
    "drop_elements": ("share", "sharing", "social", "related", "read-also", "readalso", "read-more", "more-news",
                      "ticker", "breaking", "urgent", "newsletter", "comments", "advert", "ads", "banner",
                      "most-read", "popular", "breadcrumb", "tags"),
    "drop_lines": ("WhatsApp", "Telegram", "Facebook", "Twitter", "X", "Messenger", "LinkedIn", "Email",
                   "طباعة", "شارك", "شارك الخبر", "مشاركة", "فيسبوك", "تويتر", "واتساب", "تيليجرام", "تلجرام"),
    "cut_from": ("اقرأ أيضا", "اقرأ أيضًا", "إقرأ أيضاً", "اقرأ ايضا", "عاجل", "أخبار ذات صلة", "مواضيع ذات صلة",
                 "أخبار متعلقة", "اقرأ المزيد", "الأكثر قراءة", "شاهد أيضا", "تابعونا"),
    "bylines": ("كتب", "كتبت", "بقلم", "إعداد", "تقرير"),
}
HINT = 'write it as a list of texts, e.g. [import] cut_from = ["اقرأ أيضا", "عاجل"]'


def fold(text: str) -> str:
    """TEXT as patterns are compared: folded as search folds it, spaces and edge punctuation trimmed."""
    return " ".join(search_normalize(text).split()).strip(" .:،,؛;-–—|»«\"'!؟?")


@dataclass(frozen=True)
class Boilerplate:
    """The [import] patterns, folded once."""

    drop_elements: tuple[str, ...]
    drop_lines: frozenset[str]
    cut_from: frozenset[str]
    bylines: tuple[str, ...]

    def element_is_boilerplate(self, classes: str) -> bool:
        """Whether an element's class and id words (CLASSES) name boilerplate ("share-buttons" holds "share")."""
        words = set(re.split(r"[\s_]+", classes.lower()))
        joined = " ".join(words)
        return any(word in words or re.search(rf"(^|[\s-]){re.escape(word)}($|[\s-])", joined)
                   for word in self.drop_elements)

    def byline(self, text: str) -> str:
        """The name in a byline paragraph ("كتب : وكالات" -> "وكالات"); "" when TEXT is not one."""
        folded = text.strip()
        for word in self.bylines:
            found = re.match(rf"^\s*{re.escape(word)}\s*[:：\-–]?\s*(.{{2,60}})$", folded)
            if found and len(found.group(1).split()) <= 6:
                return found.group(1).strip(" :.")
        return ""


def load_boilerplate(root: Path) -> Boilerplate:
    """site.toml's [import] table with the defaults for the keys it leaves out; raise BuildFailed naming the
    key and its line when a value is not a list of texts."""
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    try:
        table = tomllib.loads(text).get("import", {})
    except tomllib.TOMLDecodeError:
        table = {}  # load_config, which runs first, names the syntax error
    values: dict[str, tuple[str, ...]] = {}
    problems = []
    if not isinstance(table, dict):
        table = {}
        problems.append(Problem(CONFIG_NAME, key_line(text, "import"), "import must be a table", HINT))
    for key, default in DEFAULTS.items():
        value = table.get(key, default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Problem(CONFIG_NAME, key_line(text, f"import.{key}"),
                                    f"import.{key} must be a list of texts", HINT))
            value = default
        values[key] = tuple(value)
    for key in sorted(set(table) - set(DEFAULTS)):
        problems.append(Problem(CONFIG_NAME, key_line(text, f"import.{key}"), f"unknown key import.{key}",
                                f"the [import] keys are {', '.join(DEFAULTS)}"))
    if problems:
        raise BuildFailed(problems)
    return Boilerplate(tuple(v.lower() for v in values["drop_elements"]),
                       frozenset(fold(v) for v in values["drop_lines"]),
                       frozenset(fold(v) for v in values["cut_from"]), values["bylines"])

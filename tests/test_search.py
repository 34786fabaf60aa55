"""The search index: exactly lunr.py's data, split into shards that score exactly like the whole."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lunr.builder import Builder
from lunr.pipeline import Pipeline

from arshif.arabic import SEARCH_LABEL, search_tokens
from arshif.build import build_site
from arshif.config import load_config
from arshif.content import load_articles, plain_text
from arshif.search import FIELDS, text_terms
from arshif.search_layout import SearchItem, update_search
from arshif.site import assemble
from tests.sitekit import NOW, PROJECT, SiteMaker, article
from tests.test_search_layout import MemoryStore


def _arabic(token, i, tokens):  # lunr.py's pipeline function signature
    return [token.clone(lambda s, m, term=term: term) for term in search_tokens(str(token))]


if SEARCH_LABEL not in Pipeline.registered_functions:
    Pipeline.register_function(_arabic, SEARCH_LABEL)


@dataclass(frozen=True)
class SearchDocument:
    """One article as lunr.py indexes it: its reference and the text of each field."""

    ref: str
    fields: dict[str, str]


def lunr_py_index(documents: list[SearchDocument]) -> dict:
    """The reference: lunr.py's own Builder with the same Arabic pipeline and fields."""
    builder = Builder()
    builder.pipeline.add(Pipeline.registered_functions[SEARCH_LABEL])
    builder.search_pipeline.add(Pipeline.registered_functions[SEARCH_LABEL])
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost)
    for document in documents:
        builder.add({"ref": document.ref, **document.fields})
    return json.loads(json.dumps(builder.build().serialize()))


def doc_ref(number: int) -> str:
    """A document's lunr reference, as the browser writes it (base 36 of its number)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = digits[number % 36]
    while number >= 36:
        number //= 36
        text = digits[number % 36] + text
    return text


def sample_documents(root: Path) -> list[SearchDocument]:
    config = load_config(root)
    articles, _ = load_articles(config)
    site = assemble(config, articles, NOW)
    return [SearchDocument(doc_ref(i), {"title": a.title, "tags": " ".join(t.name for t in site.tags_of[a.url]),
                                        "author": a.author, "summary": a.summary, "body": plain_text(a.body_html)})
            for i, a in enumerate(reversed(site.articles))]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    build_site(PROJECT, out, now=NOW, use_cache=False)
    return out


def test_shards_hold_exactly_the_whole_index(built: Path) -> None:
    """Every term once, in order across the shards, with the documents lunr.py's index gives it."""
    full = lunr_py_index(sample_documents(PROJECT))
    manifest = json.loads((built / "search/index.json").read_text(encoding="utf-8"))
    entries = [entry for _start, ident in manifest["shards"]
               for entry in json.loads((built / f"search/terms/{ident}.json").read_text(encoding="utf-8"))]
    assert [e[0] for e in entries] == [term for term, _ in full["invertedIndex"]]
    for entry, (_term, posting) in zip(entries, full["invertedIndex"], strict=True):
        for flat, (name, _boost) in zip(entry[1:], FIELDS, strict=True):
            assert [doc_ref(n) for n in flat[0::2]] == sorted(posting[name], key=lambda ref: int(ref, 36))
    assert manifest["shards"][0][0] == ""
    assert [start for start, _ in manifest["shards"][1:]] == sorted(start for start, _ in manifest["shards"][1:])
    assert manifest["count"] == 19 and manifest["live"] == [[0, 19]] and manifest["pipeline"] == SEARCH_LABEL


def test_drafts_and_future_articles_are_not_searchable(site: SiteMaker) -> None:
    site.add("2020/pub.md", article(title="منشور", body="كلمة زعفرانية ظاهرة"))
    site.add("2020/draft.md", article(title="مسودة", draft="true", body="كلمة قرنفلية سرية"))
    site.add("2027/future.md", article(title="قادم", date="2027-01-01", body="كلمة بنفسجية مؤجلة"))
    site.build()
    everything = "".join(p.read_text(encoding="utf-8") for p in (site.out / "search").rglob("*.*")
                         if p.suffix in (".json", ".txt"))
    assert "زعفران" in everything
    assert "قرنفل" not in everything and "بنفسج" not in everything
    assert json.loads((site.out / "search/index.json").read_text())["count"] == 1


QUERIES = ["ليبيا", "الليبية", "ليبي", "مفاوضات حفتر", "حفتر السراج موسكو", "+ليبيا +روسيا", "ليبيا -روسيا",
           "title:طاقة", "tags:اقتصاد", "كتا*", "ليبا~1", "GPT", "٢٠٢٤", "الطّاقة", "طاقـــة", "إسطنبول",
           "اسطنبول", "مدرسه", "المدرسة", "زززز", "title:حفتر^10 موسكو", "-ليبيا", "بموسكو", "لليبيا", "+ليبيا"]


def test_sharded_layout_gives_the_full_index_results_and_scores(built: Path, tmp_path: Path) -> None:
    """Run in Node with the vendored lunr.js: whole index and assembled shards, query by query."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for this test (apt-get install nodejs)")
    full = tmp_path / "full.json"
    whole = lunr_py_index(sample_documents(PROJECT))
    full.write_text(json.dumps(whole, ensure_ascii=False), encoding="utf-8")
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(QUERIES, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, str(PROJECT / "tests/js/compare_shards.js"), str(full), str(built / "search"),
                             str(queries)], capture_output=True, text=True, check=True, timeout=120)
    report = json.loads(result.stdout)
    for row in report:
        assert row["sharded"] == row["full"], row["query"]
    found = {row["query"]: row for row in report}
    assert len(found["ليبيا"]["full"]) >= 5
    assert found["زززز"]["full"] == []
    assert found["الطّاقة"]["full"] == found["طاقـــة"]["full"] != []
    assert found["-ليبيا"]["full"]
    one_word = [row for row in report if " " not in row["query"] and "~" not in row["query"]]
    assert all(row["shards"] <= 2 for row in one_word)  # its stem and its proclitic reading (ليبيا: يبيا)
    assert all(row["shards"] == 1 for row in one_word if len(search_tokens(row["query"])) == 1)
    assert found["بموسكو"]["full"] and found["لليبيا"]["full"] and found["+ليبيا"]["full"]


def ranked(results: list[list]) -> list[tuple]:
    """Results by score; documents with equal scores may come in either order (lunr sorts by score only)."""
    return sorted(((-score, ref) for ref, score in results))


def compare_in_node(tmp_path: Path, whole: dict, search_dir: Path, queries: list[str]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for this test (apt-get install nodejs)")
    full = tmp_path / "full.json"
    full.write_text(json.dumps(whole, ensure_ascii=False), encoding="utf-8")
    asked = tmp_path / "queries.json"
    asked.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, str(PROJECT / "tests/js/compare_shards.js"), str(full), str(search_dir),
                             str(asked)], capture_output=True, text=True, check=True, timeout=600)
    return json.loads(result.stdout)


def test_scores_from_many_shards_equal_lunr_py_on_thousands_of_documents(tmp_path: Path) -> None:
    """A generated archive of 2,500 documents (many shards, long postings) scored both ways in Node."""
    rng = random.Random(7)
    stems = [a + b + c for a in "بتجحدرسصطعفقكلمنهي" for b in "اوير" for c in "بتدرسلمن"]
    words = stems + ["ال" + s for s in stems[:200]] + ["و" + s for s in stems[:100]] + ["ليبيا", "موسكو", "GPT"]
    weights = [1 / (rank + 1) for rank in range(len(words))]

    def text(length: int) -> str:
        return " ".join(rng.choices(words, weights, k=length))

    documents = [SearchDocument(doc_ref(n), {"title": text(rng.randint(3, 9)), "tags": text(rng.randint(0, 3)),
                                             "author": text(rng.randint(0, 2)), "summary": text(rng.randint(10, 30)),
                                             "body": text(rng.randint(50, 400))}) for n in range(2500)]
    items = [SearchItem(str(n), str(n), n, str(n), (d.fields["tags"],) if d.fields["tags"] else (),
                        lambda f=d.fields: text_terms(f["title"], f["author"], f["summary"], f["body"]),
                        lambda snippet: {}) for n, d in enumerate(documents)]
    _layout, update = update_search(None, items, MemoryStore())
    out = tmp_path / "search"
    for path, data in [*update.written.items(), ("search/index.json", update.manifest())]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    assert len(list((out / "terms").iterdir())) > 5
    fuzzy = f"{words[30]}~1"
    queries = [words[0], words[3], words[40], "ليبيا", "موسكو ليبيا", f"+{words[1]} -{words[2]}", f"title:{words[5]}",
               f"{words[7][:2]}*", "GPT", f"-{words[300]}", fuzzy]
    report = {row["query"]: row for row in compare_in_node(tmp_path, lunr_py_index(documents), out, queries)}
    for query in queries[:-1]:
        assert ranked(report[query]["sharded"]) == ranked(report[query]["full"]), query
        assert report[query]["full"], f"{query} finds nothing: the test would prove little"
    # A fuzzy term looks only at words sharing its first two letters on a large index: fewer matches, never others.
    near, everywhere = ({ref for ref, _ in report[fuzzy][side]} for side in ("sharded", "full"))
    assert near and near <= everywhere and report[fuzzy]["shards"] < report[fuzzy]["of"]


def test_a_result_shows_the_opening_of_its_article_in_whole_words(site: SiteMaker) -> None:
    words = [f"كلمة{n}" for n in range(200)]
    site.add("2020/long.md", article(title="طويل", body=" ".join(words)))
    site.build()
    bundle = json.loads((site.out / "search/docs/0.json").read_text(encoding="utf-8"))
    text = bundle["0"]["text"]
    assert text.endswith("…") and len(text) <= 241
    assert text[:-1].split() == words[:len(text[:-1].split())]

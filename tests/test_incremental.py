"""The build cache: incremental builds give exactly the bytes of a cold build, and no change writes nothing."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arshif import arabic, depends, writer
from arshif.build import BuildSession, build_site
from arshif.cache import CACHE_DIR
from arshif.depends import KeyTable, context_key
from tests.sitekit import BASE_CONFIG, NOW, PROJECT, SiteMaker, article, photo


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def assert_same_as_cold(site: SiteMaker, tmp_path: Path, name: str) -> None:
    """Build incrementally into build/ and from nothing into another folder: same files, same bytes."""
    site.build()
    cold = tmp_path / f"cold-{name}"
    build_site(site.root, cold, now=NOW, use_cache=False)
    assert tree(site.out) == tree(cold), f"incremental build differs from a cold one after: {name}"


def seed(site: SiteMaker) -> None:
    for n in range(1, 9):
        tags = ["[libya, russia]", "[turkey]", "[libya]", "[economy, libya]"][n % 4]
        site.add(f"2020/a{n}.md", article(title=f"مقال {n}", date=f"2020-0{1 + n % 3}-{10 + n} 10:00", tags=tags,
                                           body=f"الفقرة الأولى من المقال {n}.\n\nنص إضافي."))


EDITS = {
    "body": lambda s: s.add("2020/a3.md", article(title="مقال 3", date="2020-01-13 10:00", tags="[libya]",
                                                   body="فقرة أولى جديدة تماما.\n\nوأخرى.")),
    "title": lambda s: s.add("2020/a5.md", article(title="عنوان مختلف", date="2020-03-15 10:00", tags="[turkey]")),
    "tags": lambda s: s.add("2020/a2.md", article(title="مقال 2", date="2020-03-12 10:00", tags="[sports, مصر]")),
    "date": lambda s: s.add("2020/a4.md", article(title="مقال 4", date="2021-06-01 10:00", tags="[economy]")),
    "new article": lambda s: s.add("2021/new.md", article(title="جديد", date="2021-07-01", tags="[libya]")),
    "delete": lambda s: (s.root / "content/2020/a6.md").unlink(),
    "rename": lambda s: (s.root / "content/2020/a7.md").rename(s.root / "content/2020/renamed.md"),
    "draft": lambda s: s.add("2020/a8.md", article(title="مقال 8", date="2020-01-18 10:00", draft="true")),
    "image beside": lambda s: s.add("2020/pic.png", b"\x89PNG"),
    "photo shown": lambda s: (s.add("2020/ph.jpg", photo(700, 500)), s.add("2020/a1.md", article(
        title="مقال 1", date="2020-02-11 10:00", tags="[turkey]", body="فقرة.\n\n![صورة](ph.jpg)"))),
    "photo replaced": lambda s: s.add("2020/ph.jpg", photo(500, 400, color=(10, 200, 90))),
    "photo as image:": lambda s: s.add("2020/a2.md", article(title="مقال 2", date="2020-03-12 10:00",
                                                             tags="[sports, مصر]", image="ph.jpg")),
    "photo no longer shown": lambda s: (s.add("2020/a1.md", article(title="مقال 1", date="2020-02-11 10:00",
                                                                    tags="[turkey]")),
                                        (s.root / "content/2020/a2.md").unlink()),
    "template": lambda s: (s.root / "templates/tag.html").write_text(
        (s.root / "templates/tag.html").read_text().replace("page-title", "page-title tag-title"), encoding="utf-8"),
    "macro template": lambda s: (s.root / "templates/_macros.html").write_text(
        (s.root / "templates/_macros.html").read_text().replace('class="entry"', 'class="entry item"'),
        encoding="utf-8"),
    "theme css": lambda s: (s.root / "theme/css/site.css").write_text(
        (s.root / "theme/css/site.css").read_text() + "\n.x { color: red; }\n", encoding="utf-8"),
    "site.toml": lambda s: s.config((s.root / "site.toml").read_text().replace("page_size = 3", "page_size = 2")
                                    .replace('digits = "arab"', 'digits = "latn"')),
    # Every page's menu lists the sections: a first one, a second, then one emptied.
    "first section": lambda s: s.add("2020/a2.md", article(title="مقال 2", date="2020-03-12 10:00", category="رياضة")),
    "second section": lambda s: s.add("2020/a5.md", article(title="عنوان مختلف", date="2020-03-15 10:00",
                                                           tags="[turkey]", category="سياسة")),
    "section emptied": lambda s: s.add("2020/a2.md", article(title="مقال 2", date="2020-03-12 10:00")),
    "co-authors": lambda s: s.add("2020/a3.md", article(title="مقال 3", date="2020-01-13 10:00", tags="[libya]",
                                                       author='["سلمى حداد", "وكالات"]')),
    "one author": lambda s: s.add("2020/a3.md", article(title="مقال 3", date="2020-01-13 10:00", tags="[libya]",
                                                       author="سلمى حداد")),
    "correction": lambda s: s.add("2020/a5.md", article(title="عنوان مختلف", date="2020-03-15 10:00", tags="[turkey]",
                                                       category="سياسة",
                                                       corrections='[{date: 2020-04-01, text: "صُحّح الاسم"}]')),
    "site.toml sections and authors": lambda s: s.config((s.root / "site.toml").read_text() + (
        '\n[sections]\npolitics = "سياسة"\n\n[authors.salma]\nname = "سلمى حداد"\nbio = "محررة"\n')),
}


def test_every_kind_of_edit_gives_the_cold_build_bytes(site: SiteMaker, tmp_path: Path) -> None:
    seed(site)
    assert_same_as_cold(site, tmp_path, "first build")
    for name, edit in EDITS.items():
        edit(site)
        assert_same_as_cold(site, tmp_path, name)


def test_no_change_rebuild_writes_nothing(site: SiteMaker) -> None:
    seed(site)
    site.build()
    before = mtimes(site.out)
    report = site.build()
    assert report.unchanged and report.files == 0
    assert mtimes(site.out) == before


def test_a_session_saves_its_cache_for_a_later_build_once_finished(site: SiteMaker) -> None:
    """The preview server leaves a build's saving until its page has reloaded (BuildSession.finish)."""
    seed(site)
    session = BuildSession()
    site.build(session=session)
    site.add("2020/a1.md", article(title="مقال 1", date="2020-02-11 10:00", tags="[libya, russia]",
                                   body="نص جديد تماما."))
    assert site.build(session=session).rendered > 0
    session.finish()
    later = site.build()  # a new process: it reads the cache from disk
    assert later.unchanged and later.files == 0
    assert "نص جديد تماما" in site.page("2020/a1/")
    assert site.build(session=session).unchanged


def test_touching_a_file_renders_nothing_and_writes_nothing(site: SiteMaker) -> None:
    seed(site)
    site.build()
    before = mtimes(site.out)
    os.utime(site.root / "content/2020/a1.md")
    report = site.build()
    assert not report.unchanged
    assert (report.rendered, report.files) == (0, 0)
    assert mtimes(site.out) == before


def test_one_edit_renders_only_what_shows_it(site: SiteMaker) -> None:
    seed(site)
    first = site.build()
    EDITS["body"](site)
    report = site.build()
    assert 0 < report.rendered < first.rendered / 2
    assert "فقرة أولى جديدة تماما" in site.page("2020/a3/")


def test_a_body_edit_keeps_the_cache_files_of_the_pages_it_renders_again(site: SiteMaker) -> None:
    """The pages rendered again after a body edit show the same objects and read the same keys: their
    record is unchanged, so the cache's pages files are not written again (at 10,000 articles, 4.6 MB)."""
    seed(site)
    site.build()
    source = site.root / "content/2020/a3.md"
    pages = set()
    for sentence in ("جملة أضيفت في آخر المقال.", "وجملة ثانية بعدها."):
        source.write_text(source.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
        assert site.build().rendered > 0
        assert sentence in site.page("2020/a3/")
        pages, before = {p.name for p in (site.root / CACHE_DIR).rglob("pages-*.pickle")}, pages
    assert pages == before  # the first edit's build rendered them the same way: nothing to save again
    EDITS["tags"](site)  # the lists that show the article differ, so their record does
    site.build()
    assert {p.name for p in (site.root / CACHE_DIR).rglob("pages-*.pickle")} != pages


def test_a_deleted_output_file_is_written_again(site: SiteMaker) -> None:
    seed(site)
    site.build()
    (site.out / "2020/a1/index.html").unlink()
    site.build()
    assert "مقال 1" in site.page("2020/a1/")


def test_builds_in_new_processes_scan_in_a_child_while_they_read_the_last_build(site: SiteMaker,
                                                                                 tmp_path: Path) -> None:
    """As a user runs them, each build its own process: a forked child scans content/ while the build reads the
    last one's record (build._scan_reading_ahead). Nothing changed; an output deleted with the sources as they
    were; an edit: each time the output is a cold build's."""
    seed(site)

    script = ("import sys; from datetime import datetime; from arshif.cli import main; "
              f"sys.exit(main(sys.argv[1:], now=datetime.fromisoformat({NOW.isoformat()!r})))")

    def build() -> str:
        done = subprocess.run([sys.executable, "-c", script, "build", "--root", str(site.root), "--output",
                               str(site.out)], cwd=PROJECT, capture_output=True, text=True, check=True)
        return done.stdout

    def cold() -> dict[str, bytes]:
        folder = tmp_path / "cold"
        shutil.rmtree(folder, ignore_errors=True)
        build_site(site.root, folder, now=NOW, use_cache=False)
        return tree(folder)

    build()
    stamp = (site.out / "index.html").stat().st_mtime_ns
    assert build().startswith("nothing changed")
    assert (site.out / "index.html").stat().st_mtime_ns == stamp
    (site.out / "2020/a1/index.html").unlink()
    assert not build().startswith("nothing changed")
    assert tree(site.out) == cold()
    EDITS["body"](site)
    build()
    assert tree(site.out) == cold()


def age_folders(folder: Path, seconds: int = 3600) -> None:
    """Make every folder of FOLDER look untouched for a while, as folders of a build from an hour ago are."""
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        stamp = path.stat().st_mtime - seconds
        os.utime(path, (stamp, stamp))


def test_outputs_deleted_from_folders_the_last_build_left_are_written_again(site: SiteMaker, tmp_path: Path) -> None:
    """Folders whose time is the one the last build saw are trusted without listing: any deletion changes it."""
    site.config("precompress = true\n" + BASE_CONFIG)
    seed(site)
    site.build()
    age_folders(site.out)
    EDITS["title"](site)
    site.build()  # lists the aged folders once and records their times
    gone = ["2020/a1/index.html", "tags/libya/index.html.gz", "feed.xml", "search/index.json"]
    for path in gone:
        (site.out / path).unlink()

    shutil.rmtree(site.out / "2020/a2")
    EDITS["tags"](site)
    assert_same_as_cold(site, tmp_path, "outputs deleted from trusted folders")
    assert all((site.out / path).exists() for path in gone)


def test_outputs_deleted_right_after_a_cold_build_are_written_again(site: SiteMaker, tmp_path: Path) -> None:
    """A cold build notes the times of the folders it wrote (so the next build need not list them): a deletion
    just after it still changes a folder's time, and the next build writes the file again."""
    site.config("precompress = true\n" + BASE_CONFIG)
    seed(site)
    site.build()
    gone = ["2020/a1/index.html", "tags/libya/index.html.gz", "feed.xml", "search/index.json"]
    for path in gone:
        (site.out / path).unlink()
    EDITS["body"](site)
    assert_same_as_cold(site, tmp_path, "outputs deleted right after a cold build")
    assert all((site.out / path).exists() for path in gone)


def test_the_edit_after_a_cold_build_lists_no_folder(site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the folders' times settled (here at once), the build after a cold one trusts each folder the cold
    build left instead of listing it."""
    monkeypatch.setattr(writer, "FINE_SETTLED_NS", 0)
    seed(site)
    site.build()
    untrusted = []
    as_left = writer.SiteWriter._as_left

    def noted(self: writer.SiteWriter, folder: str) -> bool:
        trusted = as_left(self, folder)
        if not trusted:
            untrusted.append(folder)
        return trusted

    monkeypatch.setattr(writer.SiteWriter, "_as_left", noted)
    EDITS["body"](site)
    site.build()
    assert untrusted == []


def test_a_build_takes_the_locale_facts_the_last_one_kept(site: SiteMaker, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Month names and counts come from the facts kept in the cache: Babel's data is not loaded again."""
    seed(site)
    site.build()
    monkeypatch.setattr(arabic, "_FACTS", {})

    def no_babel(locale: str) -> arabic.LocaleFacts:
        raise AssertionError(f"Babel's data for {locale} was loaded again")

    monkeypatch.setattr(arabic, "facts_from_babel", no_babel)
    EDITS["body"](site)
    site.build()
    monkeypatch.undo()
    assert "يناير" in site.page("2020/a3/")  # its date, 13 January
    assert_same_as_cold(site, tmp_path, "facts kept")


def test_a_future_article_appears_when_its_date_comes(site: SiteMaker) -> None:
    from datetime import timedelta
    seed(site)
    site.add("2026/soon.md", article(title="قريبا", date="2026-11-30 09:00"))
    site.build()
    assert not (site.out / "2026/soon").exists()
    site.build(now=NOW + timedelta(days=2))
    assert "قريبا" in site.page("2026/soon/")


@pytest.mark.parametrize("damage", ["garbage", "empty", "delete bodies"])
def test_a_damaged_cache_only_costs_time(site: SiteMaker, tmp_path: Path, damage: str) -> None:
    seed(site)
    site.build()
    for path in (site.root / CACHE_DIR).rglob("*"):
        if path.is_file():
            if damage == "garbage":
                path.write_bytes(b"\x00not a pickle or a database")
            elif damage == "empty":
                path.write_bytes(b"")
            elif path.name == "bodies.sqlite":
                path.unlink()
    EDITS["title"](site)
    assert_same_as_cold(site, tmp_path, damage)


def test_clean_ignores_the_cache_and_leaves_a_fresh_one(site: SiteMaker) -> None:
    seed(site)
    site.build()
    report = site.build(clean=True)
    assert not report.unchanged and report.rendered == report.pages
    assert site.build().unchanged


def test_parallel_build_gives_the_same_bytes(make_site, tmp_path: Path) -> None:
    """Enough articles to use worker processes for Markdown and rendering, compared with one process."""
    sites = []
    for workers in (1, 2):
        site = make_site(f"w{workers}")
        for n in range(260):
            date = f"2019-{1 + n % 12:02d}-{1 + n % 28:02d}"
            site.add(f"2019/p{n:03d}.md", article(title=f"مقال رقم {n}", date=date, tags=f"[t{n % 7}, libya]",
                                                  body=f"نص المقال {n}.\n\n## عنوان\n\nفقرة."))
        report = site.build(workers=workers)
        assert report.pages > 400
        sites.append(site)
    assert tree(sites[0].out) == tree(sites[1].out)


def test_the_key_table_gives_each_key_one_character_for_good() -> None:
    table = KeyTable()
    keys = [("a", f"content/{n}.md") for n in range(0xD900)]  # past the characters that UTF-8 cannot write
    reads = table.encode(keys)
    assert len(reads) == len(keys) and len(set(reads)) == len(keys)
    assert sorted(table.decode(reads)) == sorted(keys)
    assert all(not 0xD800 <= ord(char) <= 0xDFFF for char in reads)
    again = KeyTable(table.keys)  # as the next build loads it
    assert again.encode(keys) == reads  # each character as the table gave it, those past the surrogates too
    assert again.encode([keys[5], keys[0]]) == again.encode([keys[0], keys[5]]) == table.encode([keys[0], keys[5]])
    assert again.chars([("a", "content/unknown.md"), keys[7]]) == table.encode([keys[7]])


def test_reads_any_finds_a_changed_key_among_the_reads_of_an_output() -> None:
    """The plan's test of each output's reads, with every character a key table gives, those that mean something
    in a pattern (] ^ - \\) among them."""
    table = KeyTable()
    keys = [("a", f"content/{n}.md") for n in range(0xD900)]
    table.encode(keys)
    rng = random.Random(7)
    for changed_count in (0, 1, 2, 5):
        for _ in range(300):
            reads = table.encode(rng.sample(keys[:200] + keys[-50:], rng.randint(0, 12)))
            changed = table.chars(rng.sample(keys[:200] + keys[-50:], changed_count))
            assert bool(depends.reads_any(changed)(reads)) == any(char in reads for char in changed), (reads, changed)


def test_a_context_key_depends_on_what_the_context_holds_not_on_how_it_is_shared() -> None:
    """Each page's context is kept as a digest: equal contexts, made apart (as by two builds), give equal digests."""
    source = "".join(["2020/", "a1.md"])
    shared = {"title": source, "items": (source, source), "n": 3, "none": None}
    apart = {"title": "".join(["2020/", "a1.md"]),  # equal strings, each its own object
             "items": ("".join(["2020/", "a1", ".md"]), "".join(["2020/a1", ".md"])), "n": 3, "none": None}
    key = context_key("2020/a1/", "article.html", shared, "digest")
    assert key == context_key("2020/a1/", "article.html", apart, "digest")
    assert key != context_key("2020/a1/", "article.html", {**shared, "n": 4}, "digest")
    assert key != context_key("2020/a1/", "article.html", shared, "another digest")
    assert len(key) == 16


def test_a_key_table_grown_with_dead_keys_is_compacted(site: SiteMaker, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleted articles' keys stay in the table until it is twice the live keys: then the reads are encoded
    afresh, and the builds after (in a preview and in a new process) are still exact."""
    table = KeyTable()
    made = {"a/index.html": ("context", table.encode([("a", "x"), ("t", "libya")]))}
    table.encode([("a", f"gone{n}") for n in range(1500)])
    assert table.compacted(made, live=2000) is None
    compact = KeyTable.compacted
    compacted, again = table.compacted(made, live=2)
    assert compacted.keys and len(compacted.keys) == 2
    assert sorted(compacted.decode(again["a/index.html"][1])) == [("a", "x"), ("t", "libya")]
    monkeypatch.setattr(depends, "SPARE_KEYS", -10**6)  # every build compacts its table
    compactions = []
    monkeypatch.setattr(KeyTable, "compacted", lambda self, *args: compactions.append(
        compact(self, *args)) or compactions[-1])
    seed(site)
    session = BuildSession()
    site.build(session=session)
    for name in ("delete", "rename", "new article", "body"):
        EDITS[name](site)
        site.build(session=session)
        session.finish()
        assert_same_as_cold(site, tmp_path, name)
    assert len(compactions) >= 8 and all(compactions)


def test_the_page_that_first_renders_a_list_entry_notes_what_the_entry_showed(site: SiteMaker, tmp_path: Path) -> None:
    """A list entry is rendered once per build and reused (render.py's once): the page that renders it first
    must note its reads as well as the pages that reuse it. Here the entry shows how many articles each of
    its tags has, which the article's own key does not cover; a tag gaining an article changes it."""
    macros = site.root / "templates/_macros.html"
    macros.write_text(macros.read_text(encoding="utf-8").replace(
        "{{ tag.name|bidi }}</a>", "{{ tag.name|bidi }} ({{ tag.articles|length }})</a>"), encoding="utf-8")
    site.add("2019/old.md", article(title="مقال قديم", date="2019-05-01 10:00", tags="[rare]"))
    for n in range(1, 8):
        site.add(f"2020/n{n}.md", article(title=f"مقال {n}", date=f"2020-0{n}-10 10:00", tags="[libya]"))
    assert_same_as_cold(site, tmp_path, "first build")
    assert "rare</bdi> (1)" in site.page("archive/2019/")
    site.add("2020/n3.md", article(title="مقال 3", date="2020-03-10 10:00", tags="[libya, rare]"))
    assert_same_as_cold(site, tmp_path, "a tag gains an article")
    assert "rare</bdi> (2)" in site.page("archive/2019/")

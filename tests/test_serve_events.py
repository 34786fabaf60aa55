"""The preview told what changed: the watcher's events name the content files, the build looks at only
those, and a full look after the page reloads catches whatever the events missed."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from arshif.build import BuildSession, build_site
from arshif.serve import Preview
from arshif.serve.watch import Debouncer, content_paths
from tests.sitekit import NOW, SiteMaker, article
from tests.test_incremental import tree
from tests.test_serve import wait_until


def test_events_name_the_content_files_they_touch(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    content = root / "content"
    assert content_paths(root, [str(content / "2020/a.md")], False) == {"2020/a.md"}
    assert content_paths(root, [str(content / "2020/a.md"), str(content / "2021/b.md")], False) == \
        {"2020/a.md", "2021/b.md"}  # a move names both ends
    assert content_paths(root, [str(content / "2020/photo.jpg")], False) == {"2020/photo.jpg"}
    assert content_paths(root, [str(content / "2020")], True) is None  # a folder: look at everything
    assert content_paths(root, [str(root / "templates/article.html")], False) == set()
    assert content_paths(root, [str(content / "2020/.a.md.swp"), str(content / "_notes/x.md")], False) == set()


def test_a_burst_hands_over_every_file_named_or_none() -> None:
    handed: list[tuple[set[str], set[str] | None]] = []
    done = threading.Semaphore(0)

    def handle(kinds: set[str], paths: set[str] | None) -> None:
        handed.append((kinds, paths))
        done.release()

    debouncer = Debouncer(handle)
    thread = threading.Thread(target=debouncer.run, daemon=True)
    thread.start()
    try:
        debouncer.add({"content"}, {"2020/a.md"})
        debouncer.add({"content", "removed"}, {"2020/b.md"})
        assert done.acquire(timeout=5)
        debouncer.add({"content"}, {"2020/a.md"})
        debouncer.add({"content"}, None)  # a folder changed in the same burst
        assert done.acquire(timeout=5)
        debouncer.add({"template"}, set())
        assert done.acquire(timeout=5)
    finally:
        debouncer.stop()
        thread.join(timeout=5)
    assert handed == [({"content", "removed"}, {"2020/a.md", "2020/b.md"}), ({"content"}, None),
                      ({"template"}, set())]


def equals_cold(site: SiteMaker, tmp_path: Path, name: str) -> None:
    cold = tmp_path / name
    build_site(site.root, cold, now=NOW, use_cache=False, precompress=False)
    assert tree(site.out) == tree(cold), name
    shutil.rmtree(cold)


def session_site(site: SiteMaker) -> BuildSession:
    site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص أول.", slug="a"))
    site.add("2020/b.md", article("الثاني", "2020-01-11 10:00", "نص ثان.", slug="b"))
    session = BuildSession()
    site.build(precompress=False, session=session)
    return session


def test_a_build_told_what_changed_equals_a_cold_build(site: SiteMaker, tmp_path: Path) -> None:
    session = session_site(site)
    site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص أول معدل وأطول من قبل.", slug="a"))
    site.build(precompress=False, session=session, content_changes={"2020/a.md"})
    assert "نص أول معدل" in (site.out / "2020/a/index.html").read_text(encoding="utf-8")
    equals_cold(site, tmp_path, "after an edit")
    (site.root / "content/2020/b.md").unlink()
    site.build(precompress=False, session=session, content_changes={"2020/b.md"})
    assert not (site.out / "2020/b").exists()
    equals_cold(site, tmp_path, "after a deletion")
    site.add("2020/c.md", article("الثالث", "2020-01-12 10:00", "نص ثالث.", slug="c"))
    site.build(precompress=False, session=session, content_changes={"2020/c.md"})
    assert (site.out / "2020/c/index.html").is_file()
    equals_cold(site, tmp_path, "after a new article")
    assert not session.missed_changes()


def test_a_change_the_events_missed_is_found_and_built(site: SiteMaker, tmp_path: Path) -> None:
    session = session_site(site)
    site.add("2020/b.md", article("الثاني", "2020-01-11 10:00", "تعديل لم يبلغ عنه.", slug="b"))
    site.build(precompress=False, session=session, content_changes=set())  # told of nothing: sees nothing
    assert "تعديل لم يبلغ عنه." not in (site.out / "2020/b/index.html").read_text(encoding="utf-8")
    assert session.missed_changes()
    site.build(precompress=False, session=session)
    assert not session.missed_changes()
    equals_cold(site, tmp_path, "after the full look")


def test_the_preview_builds_again_when_its_events_missed_a_change(site: SiteMaker, tmp_path: Path) -> None:
    site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص أول.", slug="a"))
    preview = Preview(site.root, tmp_path / "preview", port=0, log=open(tmp_path / "log", "w"))  # noqa: SIM115
    asked: list[tuple[set[str], set[str] | None]] = []
    preview.notify = lambda kinds, paths=None: asked.append((kinds, paths))  # type: ignore[method-assign]
    try:
        preview.bind()
        assert preview.rebuild(set(), None, first=True)
        site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص جديد.", slug="a"))
        assert preview.rebuild({"content"}, {"2020/a.md"})
        assert asked == []  # the events named the change: nothing was missed
        site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص لم يره المراقب.", slug="a"))
        assert preview.rebuild({"content"}, set())
        assert asked == [({"content"}, None)]  # a build that looks at every file follows
    finally:
        preview.stop()
        preview.log.close()


def test_a_preview_started_on_an_unchanged_site_assembles_it_before_the_first_edit(site: SiteMaker,
                                                                                   tmp_path: Path) -> None:
    site.add("2020/a.md", article("الأول", "2020-01-10 10:00", "نص أول.", slug="a"))
    output = tmp_path / "preview"
    first = Preview(site.root, output, port=0, log=open(tmp_path / "log1", "w"))  # noqa: SIM115
    first.start()
    port = first.port  # the same address again: the same build
    first.stop()
    first.log.close()
    again = Preview(site.root, output, port=port, log=open(tmp_path / "log2", "w"))  # noqa: SIM115
    try:
        again.start()
        version = again.version
        wait_until(again.session.keeps_site, what="the site assembled after the start")
        assert again.version == version  # nothing to reload
        wait_until(lambda: again.builds == 2, what="the warming build counted")
    finally:
        again.stop()
        again.log.close()
    log = (tmp_path / "log2").read_text(encoding="utf-8")
    assert "nothing changed" in log and "rebuilt" not in log, log

"""Pre-compressed siblings (PATH.gz, PATH.br): written with their file, deterministic, kept in step, pruned."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
import pytest

from arshif import compress
from arshif.build import build_site
from arshif.writer import MARKER, SiteWriter
from tests.sitekit import BASE_CONFIG, NOW, SiteMaker, article

PAGE = "<!DOCTYPE html><html lang=ar dir=rtl><title>صفحة</title>" + "<p>نص عربي طويل يتكرر.</p>" * 40


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()}


def write_site(out: Path, pages: dict[str, str | bytes], previous: set[str] | None = None) -> int:
    with SiteWriter(out) as writer:
        for path, data in pages.items():
            writer.write(path, data)
        writer.commit(set(pages), previous)
        return writer.count


def test_text_files_get_gzip_and_brotli_copies_of_exactly_their_bytes(tmp_path: Path) -> None:
    out = tmp_path / "build"
    css = "a { color: red; }\n" * 30
    count = write_site(out, {"index.html": PAGE, "assets/site.css": css, "font.woff2": b"\0" * 4000,
                             "feed.xml": "<rss>" + "<item>عنوان</item>" * 30 + "</rss>", "tiny.txt": "x"})
    assert files(out) == sorted([MARKER, "index.html", "index.html.gz", "index.html.br", "assets/site.css",
                                 "assets/site.css.gz", "assets/site.css.br", "feed.xml", "feed.xml.gz",
                                 "feed.xml.br", "font.woff2", "tiny.txt"])
    assert count == 11  # every file staged, siblings included (what "files written" reports)
    page = (out / "index.html").read_bytes()
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == page
    assert brotli.decompress((out / "index.html.br").read_bytes()) == page
    assert len((out / "index.html.gz").read_bytes()) < len(page) / 3


def test_gzip_copies_are_deterministic(tmp_path: Path) -> None:
    packed = compress.GZIP.compress(PAGE.encode())
    assert packed[4:8] == b"\0\0\0\0"  # mtime 0
    assert not packed[3] & 0x08  # no file name in the header
    write_site(tmp_path / "a", {"index.html": PAGE})
    write_site(tmp_path / "b", {"index.html": PAGE})
    for name in ("index.html.gz", "index.html.br"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_unchanged_file_and_its_copies_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"index.html": PAGE})
    before = stamps(out)
    assert write_site(out, {"index.html": PAGE}, {"index.html"}) == 0
    assert stamps(out) == before


def test_missing_or_damaged_copies_of_an_unchanged_file_are_written_again(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"index.html": PAGE})
    page_stamp = stamps(out)["index.html"]
    (out / "index.html.gz").unlink()
    (out / "index.html.br").write_bytes(b"not brotli")
    with SiteWriter(out) as writer:
        assert writer.missing("index.html")
        writer.write("index.html", PAGE)
        assert writer.count == 2  # the two copies, not the page
        writer.commit({"index.html"}, {"index.html"})
    assert stamps(out)["index.html"] == page_stamp
    assert gzip.decompress((out / "index.html.gz").read_bytes()) == PAGE.encode()
    assert brotli.decompress((out / "index.html.br").read_bytes()) == PAGE.encode()


def test_copies_follow_their_file_when_it_changes_shrinks_or_goes(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"a.html": PAGE, "b.html": PAGE, "c.html": PAGE})
    changed = PAGE.replace("صفحة", "أخرى")
    write_site(out, {"a.html": changed, "b.html": "<p>قصير</p>"}, {"a.html", "b.html", "c.html"})
    assert files(out) == [MARKER, "a.html", "a.html.br", "a.html.gz", "b.html"]
    assert gzip.decompress((out / "a.html.gz").read_bytes()) == changed.encode()


def test_with_the_same_files_as_last_time_a_file_that_shrank_loses_its_copies(tmp_path: Path) -> None:
    """The commonest build (one edit: the site has the files it had) only looks at what it rewrote."""
    out = tmp_path / "build"
    write_site(out, {"a.html": PAGE, "b.html": PAGE, "c.html": PAGE})
    changed = PAGE.replace("صفحة", "أخرى")
    write_site(out, {"a.html": changed, "b.html": "<p>قصير</p>", "c.html": PAGE}, {"a.html", "b.html", "c.html"})
    assert files(out) == [MARKER, "a.html", "a.html.br", "a.html.gz", "b.html", "c.html", "c.html.br", "c.html.gz"]
    assert gzip.decompress((out / "a.html.gz").read_bytes()) == changed.encode()
    write_site(out, {"a.html": changed, "b.html": PAGE, "c.html": PAGE}, {"a.html", "b.html", "c.html"})
    assert files(out) == [MARKER, "a.html", "a.html.br", "a.html.gz", "b.html", "b.html.br", "b.html.gz",
                          "c.html", "c.html.br", "c.html.gz"]


def test_without_a_record_stale_copies_go_and_live_ones_stay(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"a.html": PAGE, "b.html": PAGE})
    (out / "orphan.html.gz").write_bytes(b"left over")
    write_site(out, {"a.html": PAGE}, None)
    assert files(out) == [MARKER, "a.html", "a.html.br", "a.html.gz"]


def test_without_brotli_only_gzip_copies_and_old_br_copies_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    write_site(out, {"a.html": PAGE})
    monkeypatch.setattr(compress, "brotli", None)
    assert compress.encodings() == (compress.GZIP,)
    write_site(out, {"a.html": PAGE}, {"a.html"})
    assert files(out) == [MARKER, "a.html", "a.html.gz"]


def test_static_text_files_from_content_get_copies(tmp_path: Path) -> None:
    out = tmp_path / "build"
    source = tmp_path / "chart.svg"
    source.write_text("<svg xmlns='http://www.w3.org/2000/svg'>" + "<rect width='1' height='1'/>" * 30 + "</svg>")
    with SiteWriter(out) as writer:
        writer.copy("2020/chart.svg", source)
        writer.commit({"2020/chart.svg"}, None)
    assert gzip.decompress((out / "2020/chart.svg.gz").read_bytes()) == source.read_bytes()


def test_a_site_build_compresses_pages_feeds_and_sitemaps_and_stays_deterministic(site: SiteMaker,
                                                                                   tmp_path: Path) -> None:
    site.config("precompress = true\n" + BASE_CONFIG)
    for n in range(4):
        site.add(f"2020/a{n}.md", article(title=f"مقال {n}", date=f"2020-01-1{n} 10:00", tags="[libya]",
                                          body="فقرة أولى طويلة بما يكفي. " * 20))
    site.build()
    out = site.out
    for name in ("index.html", "feed.xml", "atom.xml", "sitemap.xml", "2020/a1/index.html", "tags/libya/feed.xml"):
        data = (out / name).read_bytes()
        assert gzip.decompress((out / f"{name}.gz").read_bytes()) == data, name
        assert brotli.decompress((out / f"{name}.br").read_bytes()) == data, name
    css = next((out / "assets/css").glob("site.*.css"))
    assert (out / "assets/css" / (css.name + ".gz")).is_file()
    assert not list(out.rglob("*.woff2.gz")) and not list(out.rglob("*.png.gz"))
    for sibling in list(out.rglob("*.gz")) + list(out.rglob("*.br")):
        assert sibling.with_suffix("").is_file(), f"{sibling} has no file beside it"

    cold = tmp_path / "cold"
    build_site(site.root, cold, now=NOW, use_cache=False)
    assert {p: (out / p).read_bytes() for p in files(out)} == {p: (cold / p).read_bytes() for p in files(cold)}


def test_a_deleted_copy_comes_back_on_the_next_build_that_runs(site: SiteMaker) -> None:
    site.config("precompress = true\n" + BASE_CONFIG)
    site.add("2020/a.md", article(body="فقرة أولى طويلة بما يكفي. " * 20))
    site.build()
    (site.out / "2020/a/index.html.gz").unlink()
    os.utime(site.root / "content/2020/a.md")  # past the no-change check, which looks at file times only
    site.build()
    page = (site.out / "2020/a/index.html").read_bytes()
    assert gzip.decompress((site.out / "2020/a/index.html.gz").read_bytes()) == page


@pytest.mark.parametrize(("setting", "server", "copies"), [
    ("", False, False),  # build, serve, deploy to gh-pages: hosts that compress themselves
    ("", True, True),  # deploy to a folder or over ssh: a server of one's own, such as nginx
    ("precompress = true\n", False, True),
    ("precompress = false\n", True, False),
])
def test_site_toml_decides_the_copies_and_where_the_site_goes_decides_when_it_does_not(
        site: SiteMaker, setting: str, server: bool, copies: bool) -> None:
    site.config(setting + BASE_CONFIG)
    site.add("2020/a.md", article(body="فقرة أولى طويلة بما يكفي. " * 20))
    site.build(precompress_unset=server)
    made = {p.suffix for p in site.out.rglob("*") if p.suffix in (".gz", ".br")}
    assert made == ({".gz", ".br"} if copies else set())
    assert (site.out / "2020/a/index.html").is_file()

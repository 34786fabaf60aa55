"""Theme assets get content hashes; the writer swaps whole sites and never half-writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from arshif.assets import collect_assets
from arshif.writer import MARKER, SiteWriter, look_at_folders


def test_hashed_names_and_css_references(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "a.woff2").write_bytes(b"font")
    (tmp_path / "fonts" / "LICENSE.txt").write_text("OFL")
    (tmp_path / "css" / "x.css").write_text('@font-face { src: url("../fonts/a.woff2") format("woff2"); }')
    assets = collect_assets(tmp_path)
    font = assets.names["fonts/a.woff2"]
    css = assets.names["css/x.css"]
    assert font.startswith("assets/fonts/a.") and font.endswith(".woff2") and font != "assets/fonts/a.woff2"
    assert assets.names["fonts/LICENSE.txt"] == "assets/fonts/LICENSE.txt"
    assert f'url("../fonts/{Path(font).name}")' in assets.files[css].decode()


def test_css_name_changes_when_a_font_changes(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "x.css").write_text('a { background: url("fonts/a.woff2"); }')
    (tmp_path / "fonts" / "a.woff2").write_bytes(b"one")
    first = collect_assets(tmp_path).names["x.css"]
    (tmp_path / "fonts" / "a.woff2").write_bytes(b"two")
    assert collect_assets(tmp_path).names["x.css"] != first


def test_writer_swaps_in_a_complete_site(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with SiteWriter(out) as writer:
        writer.write("index.html", "أ")
        writer.write("old/index.html", "قديم")
        writer.commit({"index.html", "old/index.html"}, None)
    with SiteWriter(out) as writer:
        writer.write("index.html", "أ")
        writer.write("a/b/index.html", "ب")
        assert writer.count == 1
        writer.commit({"index.html", "a/b/index.html"}, {"index.html", "old/index.html"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MARKER, "a/b/index.html", "index.html"]
    assert not (out / "old").exists()
    assert list(tmp_path.iterdir()) == [out]


def test_writer_without_a_record_removes_what_is_not_expected(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with SiteWriter(out) as writer:
        writer.write("a.html", "1")
        writer.write("b.html", "2")
        writer.commit({"a.html", "b.html"}, None)
    with SiteWriter(out) as writer:
        writer.commit({"a.html"}, None)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.html"]


def test_writer_leaves_the_old_site_when_the_build_fails(tmp_path: Path) -> None:
    out = tmp_path / "build"
    with SiteWriter(out) as writer:
        writer.write("index.html", "old")
        writer.commit({"index.html"}, None)
    with pytest.raises(RuntimeError), SiteWriter(out) as writer:
        writer.write("index.html", "new")
        raise RuntimeError("template broke")
    assert (out / "index.html").read_text() == "old"
    assert list(tmp_path.iterdir()) == [out]


def test_looking_at_the_folders_a_build_left_finds_moved_and_unrecorded_ones(tmp_path: Path) -> None:
    """writer.look_at_folders, as a forked child runs it for the writer: folders whose time moved or that are gone,
    and the files the build left in folders it gave no time (those made too recently to trust their time)."""
    out = tmp_path / "site"
    for folder in ("a", "b", "c/d"):
        (out / folder).mkdir(parents=True)
        (out / folder / "index.html").write_text(folder)
    times = {folder: (out / folder).stat().st_mtime_ns for folder in ("a", "b", "c/d")}
    listing = "\n".join(["a/index.html", "b/index.html", "c/d/index.html", "e/index.html", "index.html"])
    (out / "b" / "new.html").write_text("b")  # b's time moves
    recorded = {"a": times["a"], "b": times["b"], "gone": 1}
    look = look_at_folders(out, recorded, listing)
    assert set(look.moved) == {"b", "gone"} and look.moved["gone"] is None
    assert look.unrecorded == {"c/d/index.html", "e/index.html", "index.html"}
    assert look.unrecorded_folders == {"c/d", "e", ""}
    assert look_at_folders(tmp_path / "nowhere", recorded).moved == dict.fromkeys(recorded)

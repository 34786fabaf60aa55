"""`generate.py deploy`: production build, link check, then gh-pages (git) or rsync; nothing from a bad build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from arshif import links
from arshif.build import build_site
from arshif.cli import main
from arshif.deploy import is_remote, parse_itemized
from arshif.links import check_links
from tests.sitekit import SiteMaker, article

BODY = "فقرة أولى من المقال.\n\nنص ثانٍ فيه [رابط خارجي](https://example.com/x) و[بريد](mailto:x@example.org)."


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed: apt-get install -y {tool} (Debian/Ubuntu); .ci/run installs it")


def git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


def ls_tree(revision: str, *where: str) -> set[str]:
    """The files of a commit's tree (git ls-tree), names as they are (Arabic too)."""
    return set(git(*where, "ls-tree", "-r", "-z", "--name-only", revision).split("\0")) - {""}


def fill(site: SiteMaker) -> None:
    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY))
    site.add("2020/b.md", article(title="مقال ثان", date="2020-02-13 10:00", tags="[russia]", body=BODY))
    site.add("2021/مهرجان.md", article(title="مهرجان", date="2021-03-01 10:00", tags="[libya, turkey]", body=BODY))
    site.add("2021/draft.md", article(title="مسودة", date="2021-04-01 10:00", draft="true"))
    site.add("2099/future.md", article(title="لاحقا", date="2099-01-01 10:00"))


def deploy(site: SiteMaker, *args: str) -> int:
    return main(["deploy", "--root", str(site.root), *args])


def reference(site: SiteMaker, tmp_path: Path) -> Path:
    """The production build the deploy should publish, built the ordinary way."""
    out = tmp_path / "reference"
    if out.exists():
        shutil.rmtree(out)
    build_site(site.root, out, use_cache=False)
    return out


def tree_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()}


# --- gh-pages -------------------------------------------------------------------------------------


def test_gh_pages_to_a_bare_repository(site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("git")
    fill(site)
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote))

    assert deploy(site, "--to", "gh-pages", "--remote", str(remote)) == 0
    assert "pushed to branch gh-pages" in capsys.readouterr().out
    listed = ls_tree("gh-pages", "--git-dir", str(remote))
    expected = reference(site, tmp_path)
    assert listed == tree_files(expected) | {".nojekyll"}
    assert "2021/draft/index.html" not in listed and not any(p.startswith("2099/") for p in listed)
    assert "2021/مهرجان/index.html" in listed and "2021/مهرجان/index.html.gz" in listed
    shown = subprocess.run(["git", "--git-dir", str(remote), "show", "gh-pages:2021/مهرجان/index.html"],
                           capture_output=True, check=True).stdout
    assert shown == (expected / "2021/مهرجان/index.html").read_bytes()
    first = git("--git-dir", str(remote), "rev-parse", "gh-pages").strip()

    # Again with nothing changed: no new commit.
    assert deploy(site, "--to", "gh-pages", "--remote", str(remote)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages").strip() == first

    # An article removed and one edited: one commit on top of the first, the tree follows.
    (site.root / "content/2020/b.md").unlink()
    site.add("2020/a.md", article(title="عنوان جديد", date="2020-01-13 10:00", tags="[libya]", body=BODY))
    assert deploy(site, "--to", "gh-pages", "--remote", str(remote)) == 0
    out = capsys.readouterr().out
    assert "committed and pushed to branch gh-pages" in out and "deleted" in out
    second = git("--git-dir", str(remote), "rev-parse", "gh-pages").strip()
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages~1").strip() == first
    listed = ls_tree(second, "--git-dir", str(remote))
    assert listed == tree_files(reference(site, tmp_path)) | {".nojekyll"}
    assert not any(p.startswith("2020/b/") for p in listed)


def test_gh_pages_in_the_site_repository_leaves_the_working_branch_alone(
        site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("git")
    fill(site)
    git("init", "--quiet", "-b", "main", cwd=site.root)
    assert deploy(site, "--to", "gh-pages", "--branch", "pages", "--message", "نشر الموقع") == 0
    assert "committed to branch pages" in capsys.readouterr().out
    listed = ls_tree("pages", "-C", str(site.root))
    assert listed == tree_files(reference(site, tmp_path)) | {".nojekyll"}
    assert git("log", "-1", "--format=%s", "pages", cwd=site.root).strip() == "نشر الموقع"
    assert git("symbolic-ref", "--short", "HEAD", cwd=site.root).strip() == "main"
    assert not (site.root / "build").exists()

    # The same site to a remote that has no such branch yet: the local commit is pushed as it is.
    local = git("rev-parse", "pages", cwd=site.root).strip()
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote))
    assert deploy(site, "--to", "gh-pages", "--branch", "pages", "--remote", str(remote)) == 0
    assert "pushed to branch pages" in capsys.readouterr().out
    assert git("--git-dir", str(remote), "rev-parse", "pages").strip() == local

    git("checkout", "--quiet", "pages", cwd=site.root)
    assert deploy(site, "--to", "gh-pages", "--branch", "pages") == 1
    assert "is checked out" in capsys.readouterr().err


def test_gh_pages_outside_a_repository_needs_a_remote(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    need("git")
    fill(site)
    assert deploy(site, "--to", "gh-pages") == 1
    err = capsys.readouterr().err
    assert "not in a git repository" in err and "Traceback" not in err
    assert deploy(site, "--to", "gh-pages", "--remote", str(site.root / "no-such.git")) == 1
    assert "nothing was published" in capsys.readouterr().err


# --- rsync ----------------------------------------------------------------------------------------


def test_rsync_twice_the_second_run_changes_nothing(site: SiteMaker, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    assert "synced to" in capsys.readouterr().out
    assert tree_files(www) == tree_files(reference(site, tmp_path))
    before = stamps(www)

    assert deploy(site, "--to", str(www)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert stamps(www) == before  # not one file rewritten or even touched

    (site.root / "content/2020/b.md").unlink()
    assert deploy(site, "--to", str(www)) == 0
    assert "deleted" in capsys.readouterr().out
    after = stamps(www)
    assert tree_files(www) == tree_files(reference(site, tmp_path))
    assert not (www / "2020/b").exists()
    kept = {p for p in after if p in before and after[p] == before[p]}
    css = next(p for p in after if p.startswith("assets/css/site.") and p.endswith(".css"))
    assert {css, css + ".gz", css + ".br", "tags/turkey/index.html", "tags/turkey/index.html.gz"} <= kept
    assert after["index.html"] != before["index.html"]


def test_dry_run_lists_what_would_change_and_publishes_nothing(site: SiteMaker, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    need("git")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www), "--dry-run") == 0
    assert "+ index.html" in capsys.readouterr().out
    assert not www.exists()
    assert deploy(site, "--to", str(www)) == 0
    before = stamps(www)
    site.add("2020/a.md", article(title="عنوان جديد", date="2020-01-13 10:00", tags="[libya]", body=BODY))
    capsys.readouterr()
    assert deploy(site, "--to", str(www), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "~ 2020/a/index.html" in out and "~ 2020/a/index.html.gz" in out
    assert "+ " not in out and "- " not in out
    assert "dry run:" in out and "nothing was published" in out
    assert stamps(www) == before

    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote))
    assert deploy(site, "--to", "gh-pages", "--remote", str(remote), "--dry-run") == 0
    assert "+ .nojekyll" in capsys.readouterr().out
    assert git("--git-dir", str(remote), "branch", "--list").strip() == ""


def test_a_folder_with_files_of_its_own_is_refused(site: SiteMaker, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    www.mkdir()
    (www / "notes.txt").write_text("لا تحذفني")
    assert deploy(site, "--to", str(www)) == 1
    assert "did not publish" in capsys.readouterr().err
    assert tree_files(www) == {"notes.txt"}
    assert deploy(site, "--to", str(site.root / "content")) == 1


# --- nothing from a bad build ---------------------------------------------------------------------


def test_a_broken_link_stops_the_deploy(site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    site.add("2020/c.md", article(title="روابط", date="2020-03-01 10:00",
                                  body="انظر [هذا](/2019/no-such-article/) و![صورة](missing.png)."))
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 1
    err = capsys.readouterr().err
    assert "2020/c/index.html: /2019/no-such-article/ (no file 2019/no-such-article/index.html)" in err
    assert "2020/c/index.html: /2020/missing.png (no file 2020/missing.png)" in err
    assert "nothing was published" in err
    assert not www.exists()

    assert deploy(site, "--to", str(www), "--no-check") == 0
    assert "link check skipped" in capsys.readouterr().out
    assert (www / "2020/c/index.html").is_file()


def test_a_failed_build_publishes_nothing(site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    before = stamps(www)
    site.add("2020/bad.md", "---\ntitle: [غير مغلق\n---\n\nنص.\n")
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 1
    err = capsys.readouterr().err
    assert "2020/bad.md" in err and "nothing was published" in err and "Traceback" not in err
    assert stamps(www) == before


# --- the pieces -----------------------------------------------------------------------------------


def test_remote_destinations_are_told_from_folders() -> None:
    assert is_remote("deploy@example.org:/srv/www") and is_remote("host:www") and is_remote("rsync://h/m")
    assert not is_remote("/srv/www") and not is_remote("./a:b") and not is_remote("www")


def test_rsync_itemized_output_is_read() -> None:
    changes = parse_itemized(">f+++++++++ new.html\n>fcs....... changed.html\n.d..t...... dir/\n"
                             "cd+++++++++ folder/\n*deleting   old.html\n*deleting   gone/\n")
    assert (changes.new, changes.changed, changes.deleted) == (["new.html"], ["changed.html"], ["old.html"])


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def test_link_check_finds_what_a_visitor_would_not(tmp_path: Path) -> None:
    base = "https://example.org/archive/"
    write(tmp_path, {
        "index.html": """<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/archive/assets/site.css">
            <link rel="alternate" type="application/rss+xml" href="https://example.org/archive/feed.xml">
            <meta property="og:image" content="https://example.org/archive/img/missing.png">
            <script type="application/ld+json">{"url": "https://example.org/archive/tags/", "x": "https://a.b/"}</script>
            </head><body>
            <a href="2020/%D9%85%D9%87%D8%B1%D8%AC%D8%A7%D9%86/">ok, encoded Arabic</a>
            <a href="2020/مهرجان">ok, a folder without its slash</a>
            <a href="/archive">ok, the site's root</a>
            <a href="/ar/2009/news-1">another part of the host: not ours</a>
            <a href="/tags/">forgot the base path</a>
            <a href="tags/nothing/">missing</a>
            <a href="https://other.example/">other host</a> <a href="mailto:x@example.org">mail</a>
            <a href="#top">fragment</a>
            <img src="img/a.png" srcset="img/a.png 1x, img/b.png 2x">
            </body></html>""",
        "2020/مهرجان/index.html": '<a href="../../">home</a><a href="../">up: no index</a>',
        "tags/index.html": "<p>tags</p>",
        "img/a.png": "",
        "assets/site.css": 'body { background: url("../img/a.png"); } @import "fonts.css";',
        "feed.xml": '<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><link>https://example.org/archive/</link>'
                    '<atom:link href="https://example.org/archive/feed.xml" rel="self"/>'
                    '<item><link>https://example.org/archive/2021/gone/</link>'
                    '<guid isPermaLink="false">tag:example.org,2020:1</guid></item></channel></rss>',
        "sitemap.xml": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                       '<url><loc>https://example.org/archive/2020/%D9%85%D9%87%D8%B1%D8%AC%D8%A7%D9%86/</loc></url>'
                       '<url><loc>https://example.org/archive/page/9/</loc></url></urlset>',
        "robots.txt": "User-agent: *\nSitemap: https://example.org/archive/sitemap-9.xml\n",
    })
    found = {(b.source, b.link, b.reason.split(":")[0]) for b in check_links(tmp_path, base, workers=1)}
    assert found == {
        ("index.html", "https://example.org/archive/img/missing.png", "no file img/missing.png"),
        ("index.html", "/tags/", "outside the base path /archive/"),
        ("index.html", "tags/nothing/", "no file tags/nothing/index.html"),
        ("index.html", "img/b.png", "no file img/b.png"),
        ("2020/مهرجان/index.html", "../", "no file 2020/index.html"),
        ("assets/site.css", "fonts.css", "no file assets/fonts.css"),
        ("feed.xml", "https://example.org/archive/2021/gone/", "no file 2021/gone/index.html"),
        ("sitemap.xml", "https://example.org/archive/page/9/", "no file page/9/index.html"),
        ("robots.txt", "https://example.org/archive/sitemap-9.xml", "no file sitemap-9.xml"),
    }


def test_link_check_passes_a_real_build_with_a_sub_path(site: SiteMaker, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fill(site)
    out = tmp_path / "out"
    build_site(site.root, out, base_url="https://example.org/archive/", use_cache=False)
    assert check_links(out, "https://example.org/archive/", workers=1) == []
    monkeypatch.setattr(links, "PARALLEL_FILES", 1)  # the worker processes of large sites, here too
    assert check_links(out, "https://example.org/archive/", workers=2) == []
    page = out / "2020/a/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace('href="/archive/tags/', 'href="/tags/'),
                    encoding="utf-8")
    broken = check_links(out, "https://example.org/archive/", workers=1)
    assert broken and all(b.source == "2020/a/index.html" and b.link.startswith("/tags/") for b in broken)

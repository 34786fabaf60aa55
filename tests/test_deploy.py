"""`generate.py deploy`: production build, link check, then gh-pages (git) or rsync; nothing from a bad build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from arshif import build as build_module
from arshif import deploy as deploy_module
from arshif import links
from arshif.build import build_site
from arshif.cli import main
from arshif.deploy import DEPLOY_CACHE, is_remote, parse_itemized, parse_stats
from arshif.links import check_changed_links, check_links
from tests.sitekit import BASE_CONFIG, SiteMaker, article

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


def reference(site: SiteMaker, tmp_path: Path, precompress: bool) -> Path:
    """The production build the deploy should publish, built the ordinary way (with the .gz copies a
    folder or server gets, or without them, as for gh-pages)."""
    out = tmp_path / "reference"
    if out.exists():
        shutil.rmtree(out)
    build_site(site.root, out, use_cache=False, precompress=precompress)
    return out


def tree_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()}


def deploy_folder(site: SiteMaker) -> Path:
    return site.root / DEPLOY_CACHE / "site"


def count_reads(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """The files of the build in FOLDER that the link check reads from now on."""
    read: list[str] = []
    real = links._read

    def reading(path: Path) -> bytes:
        read.append(path.relative_to(folder).as_posix())
        return real(path)

    monkeypatch.setattr(links, "_read", reading)
    return read


# --- gh-pages -------------------------------------------------------------------------------------


def test_gh_pages_to_a_bare_repository(site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("git")
    fill(site)
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote))

    assert deploy(site, "--to", "gh-pages", "--remote", str(remote)) == 0
    assert "pushed to branch gh-pages" in capsys.readouterr().out
    listed = ls_tree("gh-pages", "--git-dir", str(remote))
    expected = reference(site, tmp_path, precompress=False)
    assert listed == tree_files(expected) | {".nojekyll"}
    assert "2021/draft/index.html" not in listed and not any(p.startswith("2099/") for p in listed)
    assert "2021/مهرجان/index.html" in listed
    assert not any(p.endswith((".gz", ".br")) for p in listed)  # GitHub Pages compresses what it sends
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
    assert listed == tree_files(reference(site, tmp_path, precompress=False)) | {".nojekyll"}
    assert not any(p.startswith("2020/b/") for p in listed)


def test_gh_pages_in_the_site_repository_leaves_the_working_branch_alone(
        site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need("git")
    fill(site)
    git("init", "--quiet", "-b", "main", cwd=site.root)
    assert deploy(site, "--to", "gh-pages", "--branch", "pages", "--message", "نشر الموقع") == 0
    assert "committed to branch pages" in capsys.readouterr().out
    listed = ls_tree("pages", "-C", str(site.root))
    assert listed == tree_files(reference(site, tmp_path, precompress=False)) | {".nojekyll"}
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
    assert tree_files(www) == tree_files(reference(site, tmp_path, precompress=True))
    before = stamps(www)

    assert deploy(site, "--to", str(www)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert stamps(www) == before  # not one file rewritten or even touched

    (site.root / "content/2020/b.md").unlink()
    assert deploy(site, "--to", str(www)) == 0
    assert "deleted" in capsys.readouterr().out
    after = stamps(www)
    assert tree_files(www) == tree_files(reference(site, tmp_path, precompress=True))
    assert not (www / "2020/b").exists()
    kept = {p for p in after if p in before and after[p] == before[p]}
    css = next(p for p in after if p.startswith("assets/css/site.") and p.endswith(".css"))
    assert {css, css + ".gz", css + ".br", "tags/turkey/index.html", "tags/turkey/index.html.gz"} <= kept
    assert after["index.html"] != before["index.html"]
    assert not (site.root / "build").exists()  # deploy builds in its own folder, never in build/
    # The destination's files have the deploy folder's times: the next sync compares by time.
    built = deploy_folder(site)
    assert all(after[p][0] == (built / p).stat().st_mtime_ns for p in after)


def record_rsync(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], str | None]]:
    """Every rsync that deploy runs from now on, with what it was given on standard input."""
    calls: list[tuple[list[str], str | None]] = []
    real = deploy_module._run

    def running(command: list[str], *args: object, given: str | None = None, **kwargs: object) -> object:
        if command[0] == "rsync" and "--version" not in command:
            calls.append((command, given))
        return real(command, *args, given=given, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(deploy_module, "_run", running)
    return calls


def test_after_an_edit_rsync_is_given_just_the_files_the_build_changed(
        site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """At 10,000 articles rsync's look at all 55,000 files took 0.9 s of a one-edit deploy; the build
    says what it changed, and rsync gets that list: new folders made, deleted ones gone whole."""
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    calls = record_rsync(monkeypatch)
    assert deploy(site, "--to", str(www)) == 0
    assert not any("--files-from=-" in command for command, _ in calls)  # the first one syncs everything

    calls.clear()
    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY + "\n\nتصحيح."))
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 0
    out = capsys.readouterr().out
    [(command, given)] = calls
    assert "--files-from=-" in command and given is not None
    listed = set(given.split("\0"))
    assert {"2020/a/index.html", "2020/a/index.html.gz", "2020/a/index.html.br"} <= listed
    assert "tags/turkey/index.html" not in listed and not any(p.startswith("assets/") for p in listed)
    assert "synced to" in out and "0 new, " in out and "unchanged" not in out  # rsync looked at the listed only
    assert "تصحيح" in (www / "2020/a/index.html").read_text(encoding="utf-8")

    calls.clear()
    site.add("2020/جديد.md", article(title="مقال جديد", date="2020-06-01 10:00", tags="[turkey]", body=BODY))
    (site.root / "content/2020/b.md").unlink()
    assert deploy(site, "--to", str(www)) == 0
    [(command, given)] = calls
    # rsync is given what is new; what the deploy folder lost is deleted here (see RsyncTarget.publish)
    assert given is not None and "2020/جديد/index.html" in given.split("\0") and "2020/b" not in given.split("\0")
    assert "--delete-missing-args" not in command
    deleted = re.search(r", (\d+) deleted", capsys.readouterr().out)
    assert deleted and int(deleted.group(1)) >= 3  # the page and its compressed copies, and lists it left empty
    expected = reference(site, tmp_path, precompress=True)
    assert tree_files(www) == tree_files(expected)
    assert all((www / p).read_bytes() == (expected / p).read_bytes() for p in tree_files(expected)
               if not p.endswith((".gz", ".br")) and p != ".arshif-build")
    assert not (www / "2020/b").exists()
    assert (www / "2020/جديد").stat().st_mode & 0o777 == 0o755  # readable by the web server, as rsync's own

    calls.clear()
    assert deploy(site, "--to", str(www)) == 0
    assert calls == [] and "nothing changed" in capsys.readouterr().out  # nothing pending: rsync not even run


def test_a_deploy_stopped_after_its_build_leaves_no_list_behind(
        site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Stopped between the build and saving what it changed, the next deploy cannot trust any list: it
    checks every file and syncs the whole folder, and the destination gets the edit."""
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    real = build_module.build_site

    def stopped(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build_site", stopped)
    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY + "\n\nتصحيح."))
    assert deploy(site, "--to", str(www)) == 130
    monkeypatch.setattr(build_module, "build_site", real)
    calls = record_rsync(monkeypatch)
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 0
    out = capsys.readouterr().out
    assert "nothing changed since the last deploy" in out  # the stopped deploy's build had done it all
    assert "files read" in out and "(0 of " not in out  # the check looked at every file and read the new ones
    assert calls and not any("--files-from=-" in command for command, _ in calls)
    assert "تصحيح" in (www / "2020/a/index.html").read_text(encoding="utf-8")

    # A damaged list is no list at all.
    (site.root / DEPLOY_CACHE / "pending.json").write_text('{"version": 1, "generation": ', encoding="utf-8")
    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY + "\n\nثانٍ."))
    calls.clear()
    assert deploy(site, "--to", str(www)) == 0
    assert calls and not any("--files-from=-" in command for command, _ in calls)
    assert "ثانٍ" in (www / "2020/a/index.html").read_text(encoding="utf-8")
    assert tree_files(www) == tree_files(reference(site, tmp_path, precompress=True))


def test_precompress_false_in_site_toml_keeps_copies_off_a_folder_too(site: SiteMaker, tmp_path: Path) -> None:
    need("rsync")
    fill(site)
    site.config("precompress = false\n" + BASE_CONFIG)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    assert (www / "2021/مهرجان/index.html").is_file()
    assert not [p for p in tree_files(www) if p.endswith((".gz", ".br"))]
    assert tree_files(www) == tree_files(reference(site, tmp_path, precompress=False))


def test_a_cleared_deploy_cache_only_costs_time(site: SiteMaker, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Published from elsewhere (here: the deploy cache deleted), rsync compares contents once; an
    unchanged file keeps its time and inode throughout, and the next deploys compare by time again."""
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    before = stamps(www)

    shutil.rmtree(site.root / DEPLOY_CACHE)
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert stamps(www) == before
    built = deploy_folder(site)
    assert all(before[p][0] == (built / p).stat().st_mtime_ns for p in before)  # it took the destination's times

    assert deploy(site, "--to", str(www)) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert stamps(www) == before

    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY + "\n\nتصحيح."))
    assert deploy(site, "--to", str(www)) == 0
    after = stamps(www)
    assert after["2020/a/index.html"] != before["2020/a/index.html"]
    assert after["tags/turkey/index.html"] == before["tags/turkey/index.html"]
    assert (www / "2020/a/index.html").read_bytes() == (built / "2020/a/index.html").read_bytes()

    # A damaged deploy folder (its marker gone), record of the link check and of what was published.
    (built / ".arshif-build").unlink()
    (site.root / DEPLOY_CACHE / "published.json").write_text("{not json", encoding="utf-8")
    record = site.root / DEPLOY_CACHE / "links.record"
    record.write_bytes(record.read_bytes()[:-7] + b"damaged")
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 0
    out = capsys.readouterr().out
    assert "nothing changed" in out and "links checked" in out and " files read" in out
    assert stamps(www) == after
    assert tree_files(www) == tree_files(reference(site, tmp_path, precompress=True))


def test_another_base_url_is_another_build(site: SiteMaker, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www), "--base-url", "https://one.example/archive/") == 0
    assert deploy(site, "--to", str(www), "--base-url", "https://two.example/") == 0
    out = capsys.readouterr().out
    assert out.count("(all ") == 2  # the link check's record is for one base URL: all read again
    expected = tmp_path / "expected"
    build_site(site.root, expected, base_url="https://two.example/", use_cache=False, precompress=True)
    assert tree_files(www) == tree_files(expected)
    for path in ("index.html", "2020/a/index.html", "feed.xml", "sitemap.xml"):
        assert (www / path).read_bytes() == (expected / path).read_bytes(), path
    assert "one.example" not in (www / "index.html").read_text(encoding="utf-8")


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
                                  body="انظر [هذا](/2019/no-such-article/) و[الملف](missing.pdf)."))
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 1
    err = capsys.readouterr().err
    assert "2020/c/index.html: /2019/no-such-article/ (no file 2019/no-such-article/index.html)" in err
    assert "2020/c/index.html: /2020/missing.pdf (no file 2020/missing.pdf)" in err
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


def test_a_redeploy_reads_only_the_files_that_changed(site: SiteMaker, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    read = count_reads(monkeypatch, deploy_folder(site))
    assert deploy(site, "--to", str(www)) == 0
    first = len(read)
    assert f"(all {first} files read" in capsys.readouterr().out and "2020/a/index.html" in read

    read.clear()
    assert deploy(site, "--to", str(www)) == 0
    assert read == [] and f"(0 of {first} files read" in capsys.readouterr().out

    site.add("2020/a.md", article(title="مقال أول", date="2020-01-13 10:00", tags="[libya]", body=BODY + "\n\nتصحيح."))
    read.clear()
    assert deploy(site, "--to", str(www)) == 0
    assert "2020/a/index.html" in read and len(read) < first / 3
    assert "tags/turkey/index.html" not in read


def test_an_edit_that_breaks_a_link_is_refused(site: SiteMaker, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    before = stamps(www)
    broken = article(title="مقال ثان", date="2020-02-13 10:00", tags="[russia]", body=BODY + "\n\n[قديم](/2019/gone/)")
    site.add("2020/b.md", broken)
    capsys.readouterr()
    for _ in range(2):  # and again: a failed check does not count as a check that passed
        assert deploy(site, "--to", str(www)) == 1
        err = capsys.readouterr().err
        assert "2020/b/index.html: /2019/gone/ (no file 2019/gone/index.html)" in err and "nothing was published" in err
        assert stamps(www) == before

    site.add("2020/b.md", broken.replace("/2019/gone/", "/2020/a/"))
    assert deploy(site, "--to", str(www)) == 0
    assert "/2020/a/" in (www / "2020/b/index.html").read_text(encoding="utf-8")


def test_deleting_a_page_that_an_unchanged_page_links_to_is_refused(site: SiteMaker, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    need("rsync")
    fill(site)
    site.add("2019/old.md", article(title="قديم", date="2019-05-01 10:00", body="انظر [المهرجان](/2021/مهرجان/)."))
    www = tmp_path / "www"
    assert deploy(site, "--to", str(www)) == 0
    old_page = deploy_folder(site) / "2019/old/index.html"
    stamp = old_page.stat()
    before = stamps(www)

    (site.root / "content/2021/مهرجان.md").unlink()
    read = count_reads(monkeypatch, deploy_folder(site))
    capsys.readouterr()
    assert deploy(site, "--to", str(www)) == 1
    err = capsys.readouterr().err
    assert "2019/old/index.html: " in err and "(no file 2021/مهرجان/index.html)" in err
    assert (old_page.stat().st_ino, old_page.stat().st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)  # not rewritten
    assert "2019/old/index.html" in read and "tags/russia/index.html" not in read  # read again for its link
    assert stamps(www) == before and (www / "2021/مهرجان/index.html").is_file()


# --- the pieces -----------------------------------------------------------------------------------


def test_remote_destinations_are_told_from_folders() -> None:
    assert is_remote("deploy@example.org:/srv/www") and is_remote("host:www") and is_remote("rsync://h/m")
    assert not is_remote("/srv/www") and not is_remote("./a:b") and not is_remote("www")


def test_rsync_itemized_output_is_read() -> None:
    changes = parse_itemized(">f+++++++++ new.html\n>fcs....... changed.html\n.d..t...... dir/\n"
                             "cd+++++++++ folder/\n*deleting   old.html\n*deleting   gone/\n")
    assert (changes.new, changes.changed, changes.deleted) == (["new.html"], ["changed.html"], ["old.html"])
    stats = "\nNumber of files: 94608 (reg: 79298, dir: 15310)\nTotal file size: 865123456 bytes\n" \
            "Total transferred file size: 1234 bytes\n"
    assert parse_itemized(stats).lines() == [] and parse_stats(stats) == (79298, 865123456, 1234)


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


def test_the_link_check_reads_again_what_a_change_can_affect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = "https://example.org/archive/"
    folder, record = tmp_path / "site", tmp_path / "links.record"
    write(folder, {
        "index.html": '<a href="a/">a</a> <a href="b">b, a folder without its slash</a> <a href="/tags/">elsewhere</a>',
        "a/index.html": '<a href="../">home</a>', "b/index.html": "<p>b</p>",
        "c/index.html": '<a href="../a/">a</a>', "style.css": 'body { background: url("img.png"); }', "img.png": "",
    })
    read = count_reads(monkeypatch, folder)

    def check(**options: bool) -> set[tuple[str, str]]:
        read.clear()
        return {(b.source, b.link) for b in check_changed_links(folder, base, record, workers=1, **options).broken}

    assert check() == set() and len(read) == 5  # the first check reads every file with links
    assert check() == set() and read == []
    (folder / "c/index.html").write_text('<a href="../a/">a</a> <a href="../d/">d</a>', encoding="utf-8")
    assert check() == {("c/index.html", "../d/")} and read == ["c/index.html"]
    assert check() == {("c/index.html", "../d/")}  # a failed check is not recorded as passed
    (folder / "c/index.html").write_text('<a href="../a/">a</a>', encoding="utf-8")
    assert check() == set() and read == ["c/index.html"]

    (folder / "b/index.html").unlink()  # index.html, unchanged, links to it
    assert check() == {("index.html", "b")} and read == ["index.html"]
    write(folder, {"b/index.html": "<p>b</p>", "tags/index.html": "<p>tags</p>"})  # now /tags/ names a file here
    assert check() == {("index.html", "/tags/")} and sorted(read) == ["b/index.html", "index.html", "tags/index.html"]
    (folder / "tags/index.html").unlink()
    assert check() == set()
    (folder / "img.png").unlink()
    assert check() == {("style.css", "img.png")} and read == ["style.css"]
    (folder / "img.png").write_bytes(b"")
    assert check() == set()

    (folder / "a/index.html").touch()  # same bytes, another time: read again
    assert check() == set() and read == ["a/index.html"]
    assert check(full=True) == set() and len(read) == 5
    for damage in (b"", record.read_bytes()[:-1], record.read_bytes()[:-1] + b"?", b"garbage"):
        record.write_bytes(damage)
        assert check() == set() and len(read) == 5, damage[:20]  # damaged: everything is read
    assert check_changed_links(folder, "https://example.org/", record, workers=1).full  # another base URL
    # On a file system with whole-second times, a file changed in the same second as its check could
    # keep its stamp: one checked that recently is read again next time.
    coarse = {"a/index.html": (7, 41_000_000_000, 41_000_000_000, 25)}
    assert links._updated(None, {"a/index.html"}, coarse, {"a/index.html": ()}, 42_000_000_000).stamps.tolist() \
        == [-1] * 4
    assert links._updated(None, {"a/index.html"}, coarse, {"a/index.html": ()}, 44_000_000_000).stamps.tolist() \
        == list(coarse["a/index.html"])

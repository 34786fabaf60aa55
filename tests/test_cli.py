"""The command line a user types: help, build summary, check, new."""

from __future__ import annotations

import subprocess
import sys

import pytest

from arshif.cli import main
from tests.sitekit import NOW, PROJECT, SiteMaker, article


def test_help_explains_commands() -> None:
    result = subprocess.run([sys.executable, "generate.py", "--help"], cwd=PROJECT,
                            capture_output=True, text=True, check=True)
    for word in ("build", "check", "new", "content/", "site.toml"):
        assert word in result.stdout


def test_build_is_the_default_and_prints_a_summary(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site.add("2020/a.md", article(tags="[libya, russia]"))
    assert main(["--root", str(site.root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("built 1 articles, 2 tags,")
    assert (site.out / "index.html").is_file()


def test_unknown_config_key_is_a_warning_not_an_error(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    (site.root / "site.toml").write_text((site.root / "site.toml").read_text().replace(
        "page_size = 3", "page_size = 3\ncolour = \"red\""), encoding="utf-8")
    site.add("2020/a.md", article())
    assert main(["build", "--root", str(site.root)]) == 0
    assert "warning: site.toml:9: unknown key 'colour'" in capsys.readouterr().err


def test_check_writes_nothing(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site.add("2020/a.md", article())
    assert main(["check", "--root", str(site.root)]) == 0
    assert "no problems" in capsys.readouterr().out
    assert not site.out.exists()
    site.add("2020/b.md", "")
    assert main(["check", "--root", str(site.root)]) == 1


def test_new_scaffolds_an_article_that_builds(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "عنوان المقال الجديد", "--root", str(site.root), "--tags", "libya, تركيا"], now=NOW) == 0
    [created] = list((site.root / "content").rglob("*.md"))
    assert created.name == "عنوان-المقال-الجديد.md"
    text = created.read_text(encoding="utf-8")
    assert 'title: "عنوان المقال الجديد"' in text and 'tags: ["libya", "تركيا"]' in text
    assert created.parent.name == str(NOW.year) and f"date: {NOW:%Y-%m-%d %H:%M}" in text
    assert main(["new", "عنوان المقال الجديد", "--root", str(site.root)], now=NOW) == 1
    assert "already exists" in capsys.readouterr().err
    site.build()
    assert "عنوان المقال الجديد" in site.page("")


def test_new_title_with_quotes_stays_valid_yaml(site: SiteMaker) -> None:
    assert main(["new", 'قال "نعم" \\ لا', "--root", str(site.root), "--slug", "quotes"], now=NOW) == 0
    site.build()
    assert "قال &#34;نعم&#34; \\ لا" in site.page("")


def test_missing_site_toml_is_a_clear_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--root", str(tmp_path)]) == 1
    assert "no site.toml" in capsys.readouterr().err


def test_our_own_bug_is_a_short_message_exit_2_and_a_log(site: SiteMaker, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    site.add("2020/a.md", article())
    site.build()
    before = (site.out / "index.html").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug in the engine")

    monkeypatch.setattr("arshif.pipeline.key_states", broken)
    site.add("2020/a.md", article(title="عنوان آخر"))
    assert main(["build", "--root", str(site.root)], now=NOW) == 2
    err = capsys.readouterr().err
    assert "Arshif failed unexpectedly (KeyError: 'a bug in the engine')" in err
    assert "build/ was left unchanged" in err and "Traceback" not in err
    log = site.root / ".cache/arshif/crash.log"
    assert str(log) in err and "Traceback" in log.read_text(encoding="utf-8")
    assert (site.out / "index.html").read_bytes() == before

"""Bad sources get clear problems naming file and line, all at once, and build/ is left untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from arshif.cli import main
from arshif.problems import BuildFailed, Problem
from tests.sitekit import SiteMaker, article


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def problems_of(site: SiteMaker) -> list[Problem]:
    with pytest.raises(BuildFailed) as failure:
        site.build()
    return failure.value.problems


BROKEN = {
    "broken YAML": ('---\ntitle: "غير مغلق\ndate: 2020-01-01\n---\nنص\n', 2, "broken YAML"),
    "no front matter": ("مجرد نص بلا مقدمة\n", 1, "no front matter"),
    "unclosed front matter": ('---\ntitle: "عنوان"\ndate: 2020-01-01\n', 1, "never closed"),
    "missing title": ("---\ndate: 2020-01-01\n---\nنص\n", 2, "missing title"),
    "missing date": ('---\ntitle: "عنوان"\n---\nنص\n', 2, "missing date"),
    "impossible date": ('---\ntitle: "عنوان"\ndate: 2020-02-30\n---\nنص\n', 3, "not a real date"),
    "date that is no date": ('---\ntitle: "عنوان"\ndate: أمس\n---\nنص\n', 3, "is not a date"),
    "tags not a list": ('---\ntitle: "عنوان"\ndate: 2020-01-01\ntags: libya\n---\nنص\n', 4, "tags must be a list"),
    "front matter not a mapping": ("---\n- a\n- b\n---\nنص\n", 2, "key: value"),
    "draft not a boolean": ('---\ntitle: "عنوان"\ndate: 2020-01-01\ndraft: maybe\n---\nنص\n', 4, "draft must be"),
    "unknown template": ('---\ntitle: "عنوان"\ndate: 2020-01-01\ntemplate: nope.html\n---\nنص\n', 4,
                         "unknown template"),
    "empty file": ("", None, "the file is empty"),
    "blank file": ("\n  \n", None, "the file is empty"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_article_is_reported_with_file_and_line(site: SiteMaker, name: str) -> None:
    """Each kind of broken article names its file, its line where known, and says what is wrong."""
    text, line, words = BROKEN[name]
    site.add("2020/good.md", article())
    site.add("2020/bad.md", text)
    [problem] = problems_of(site)
    assert problem.path == "content/2020/bad.md"
    assert problem.line == line
    assert words in problem.message
    assert not site.out.exists()


def test_broken_yaml_line_points_into_the_file(site: SiteMaker) -> None:
    """The YAML line is counted from the file's first line (the opening --- is line 1)."""
    site.add("2020/bad.md", '---\ntitle: "عنوان"\ndate: 2020-01-01\ntags: [libya\nauthor: x\n---\nنص\n')
    [problem] = problems_of(site)
    assert problem.line in (4, 5, 6)
    assert "broken YAML" in problem.message


def test_non_utf8_file_names_the_line_of_the_bad_byte(site: SiteMaker) -> None:
    site.add("2020/latin1.md", '---\ntitle: "x"\ndate: 2020-01-01\n---\ncaf\xe9\n'.encode("latin-1"))
    [problem] = problems_of(site)
    assert problem.line == 5
    assert "not UTF-8" in problem.message
    assert "UTF-8" in problem.hint


def test_bom_and_crlf_are_fine(site: SiteMaker) -> None:
    text = article(title="مع علامة ترتيب البايت", tags="[libya]").replace("\n", "\r\n")
    site.add("2020/bom.md", "\ufeff".encode() + text.encode("utf-8"))
    site.build()
    page = site.page("2020/bom/")
    assert "مع علامة ترتيب البايت" in page
    assert "\r" not in page


def test_duplicate_urls_name_both_files(site: SiteMaker) -> None:
    site.add("2020/one.md", article(slug="same"))
    site.add("2020/two.md", article(title="آخر", slug="same"))
    [problem] = problems_of(site)
    assert "content/2020/one.md" in problem.message and "content/2020/two.md" in problem.message
    assert "/2020/same/" in problem.message


def test_every_problem_is_reported_at_once(site: SiteMaker) -> None:
    """Editors fix a whole batch in one go: a build lists all its problems, not only the first."""
    site.add("2020/a.md", "---\ndate: 2020-01-01\n---\nنص\n")
    site.add("2020/b.md", '---\ntitle: "ب"\ndate: 2020-13-01\n---\nنص\n')
    site.add("2020/c.md", "")
    (site.root / "templates" / "tags.html").write_text("{% extends 'base.html' %}{% block main %}{{ nope }}"
                                                       "{% endblock %}", encoding="utf-8")
    site.add("2020/d.md", article())
    paths = {p.path for p in problems_of(site)}
    assert paths == {"content/2020/a.md", "content/2020/b.md", "content/2020/c.md", "templates/tags.html"}


def test_template_syntax_error_names_template_and_line(site: SiteMaker) -> None:
    site.add("2020/a.md", article())
    (site.root / "templates" / "404.html").write_text("<p>\n{% if %}\n</p>\n", encoding="utf-8")
    [problem] = problems_of(site)
    assert (problem.path, problem.line) == ("templates/404.html", 2)
    assert "template error" in problem.message


def test_template_runtime_error_names_template_and_line(site: SiteMaker) -> None:
    site.add("2020/a.md", article())
    (site.root / "templates" / "archive.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n<p>ok</p>\n{{ no_such_name.title }}\n{% endblock %}\n",
        encoding="utf-8")
    [problem] = problems_of(site)
    assert (problem.path, problem.line) == ("templates/archive.html", 4)
    assert "no_such_name" in problem.message


def test_failed_build_leaves_previous_build_exactly_as_it_was(site: SiteMaker) -> None:
    site.add("2020/a.md", article(tags="[libya]"))
    site.build()
    before = snapshot(site.out)
    site.add("2020/b.md", "---\ntitle: [\n---\n")
    problems_of(site)
    assert snapshot(site.out) == before
    assert not (site.root / ".build.partial").exists()


def test_config_problems_name_the_key_and_line(site: SiteMaker) -> None:
    site.config('title = "x"\nbase_url = "example.org"\npage_size = "ten"\ndigits = "roman"\n'
                'timezone = "Mars/Base"\nhijri = 1\n')
    problems = problems_of(site)
    found = {p.message.split(":")[0]: p.line for p in problems}
    assert found == {"base_url": 2, "page_size": 3, "digits": 4, "timezone": 5, "hijri": 6}
    assert all(p.path == "site.toml" and p.hint for p in problems)


def test_invalid_toml_names_the_line(site: SiteMaker) -> None:
    site.config('title = "x"\nbase_url = \n')
    [problem] = problems_of(site)
    assert (problem.path, problem.line) == ("site.toml", 2)


@pytest.mark.parametrize("where", [".", "content", "..", "theme/out"])
def test_refuses_output_that_would_destroy_sources(site: SiteMaker, where: str) -> None:
    site.add("2020/a.md", article())
    before = snapshot(site.root)
    with pytest.raises(BuildFailed) as failure:
        site.build(output=site.root / where)
    assert "refusing" in failure.value.problems[0].message
    assert snapshot(site.root) == before


def test_refuses_to_replace_a_folder_it_did_not_write(site: SiteMaker) -> None:
    site.add("2020/a.md", article())
    precious = site.root / "elsewhere" / "notes.txt"
    precious.parent.mkdir()
    precious.write_text("keep me")
    with pytest.raises(BuildFailed):
        site.build(output=precious.parent)
    assert precious.read_text() == "keep me"


def test_cli_prints_problems_without_traceback(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site.add("2020/a.md", "---\ntitle: x\n---\n")
    site.add("2020/b.md", "")
    status = main(["build", "--root", str(site.root)])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    assert "error: content/2020/a.md:2: missing date" in err
    assert "error: content/2020/b.md: the file is empty" in err
    assert "2 problem(s)" in err

"""Stable pagination (site.toml's pagination = "stable"): pages numbered from the oldest keep their articles,
so publishing an article rewrites the fronts of its lists, not every page of them."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pytest

from arshif.content import Article
from arshif.problems import BuildFailed
from arshif.site import paginate
from tests.sitekit import BASE_CONFIG, NOW, SiteMaker, article

STABLE = BASE_CONFIG.replace("page_size = 3", 'page_size = 3\npagination = "stable"')


def titles_on(html: str) -> list[str]:
    return re.findall(r'class="entry-title"><a href="[^"]+">([^<]+)</a>', html)


def fill(site: SiteMaker, first: int, last: int) -> None:
    for n in range(first, last + 1):
        site.add(f"2020/a{n:02d}.md", article(title=f"مقال {n}", date=f"2020-01-{n:02d} 10:00", tags="[libya]"))


LISTS = ("", "tags/libya/", "archive/2020/", "archive/2020/01/")  # every list the test's articles are on


def list_pages(out: Path) -> dict[str, bytes]:
    """The bytes of every numbered page of LISTS."""
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for top in LISTS if (out / top / "page").exists() for p in sorted((out / top / "page").rglob("index.html"))}


def fake(n: int) -> Article:
    return Article(source=f"content/{n}.md", slug=f"s{n}", title=str(n), date=NOW, updated=None, authors=(),
                   tags=(), category="", summary="", body_html="", words=1, draft=False, template="article.html")


@pytest.mark.parametrize("size", [1, 3, 10])
def test_stable_pages_keep_their_articles_as_the_list_grows(size: int) -> None:
    newest_first = [fake(n) for n in range(60, 0, -1)]
    kept: dict[int, tuple[Article, ...]] = {}
    for count in range(0, 61):
        articles = newest_first[60 - count:]
        pagers = paginate(articles, "tags/x/", size, stable=True)
        front, numbered = pagers[0], pagers[1:]
        assert front.front and front.url == "tags/x/" and front.total is None
        assert [a for p in pagers for a in p.items] == articles  # front first, then older and older
        assert [p.number for p in pagers] == list(range(len(pagers), 0, -1))
        assert size <= len(front.items) < 2 * size or (count < size and len(front.items) == count)
        for pager in numbered:
            assert len(pager.items) == size and pager.url == f"tags/x/page/{pager.number}/"
            assert kept.setdefault(pager.number, pager.items) == pager.items  # never moves once made
        assert [p.previous_url for p in pagers] == [None, *[p.url for p in pagers[:-1]]]
        assert [p.next_url for p in pagers] == [*[p.url for p in pagers[1:]], None]


def test_stable_pages_are_numbered_from_the_oldest(site: SiteMaker) -> None:
    site.config(STABLE)
    fill(site, 1, 8)
    site.build()
    assert titles_on(site.page("")) == [f"مقال {n}" for n in range(8, 3, -1)]
    assert titles_on(site.page("page/1/")) == ["مقال 3", "مقال 2", "مقال 1"]
    assert not (site.out / "page" / "2").exists()
    front, oldest = site.page(""), site.page("page/1/")
    assert 'rel="next" href="/page/1/"' in front and 'rel="prev"' not in front
    assert "<h1 class=\"page-title\">أحدث المقالات</h1>" in front
    assert 'rel="prev" href="/"' in oldest and 'rel="next"' not in oldest
    assert '<span class="pager-position">الصفحة ١</span>' in oldest  # no "of N": that would change as the list grows
    assert "المقالات — الصفحة ١</h1>" in oldest
    assert "<title>موقع تجريبي — الصفحة ١</title>" in oldest


def test_a_new_article_rewrites_only_the_fronts_of_its_lists(site: SiteMaker, tmp_path: Path) -> None:
    site.config(STABLE)
    fill(site, 1, 10)
    site.build()
    before = list_pages(site.out)
    assert sorted(before) == sorted(f"{top}page/{n}/index.html" for top in LISTS for n in (1, 2))
    fill(site, 11, 11)
    report = site.build()
    assert report.changes is not None
    assert not {path for path in report.changes.written if "/page/" in f"/{path}"}
    assert list_pages(site.out) == before
    assert titles_on(site.page("tags/libya/")) == [f"مقال {n}" for n in range(11, 6, -1)]

    fill(site, 12, 12)  # twelve articles, four pages of three: the front's oldest three get a page of their own
    report = site.build()
    after = list_pages(site.out)
    assert report.changes is not None
    assert {path for path in report.changes.written if path.endswith("index.html") and "/page/" in f"/{path}"} \
        == {f"{top}page/{n}/index.html" for top in LISTS for n in (2, 3)}
    assert all(after[f"{top}page/1/index.html"] == before[f"{top}page/1/index.html"] for top in LISTS)
    assert titles_on(site.page("tags/libya/page/3/")) == ["مقال 9", "مقال 8", "مقال 7"]
    assert 'rel="prev" href="/tags/libya/page/3/"' in site.page("tags/libya/page/2/")

    clean = tmp_path / "clean"
    site.build(output=clean, clean=True)
    compared = filecmp.dircmp(site.out, clean)
    assert not compared.diff_files and not compared.left_only and not compared.right_only
    assert list_pages(clean) == after


def test_newest_first_pagination_moves_every_page(site: SiteMaker) -> None:
    """The default, for contrast: the same new article changes every numbered page of its lists."""
    fill(site, 1, 10)
    site.build()
    before = list_pages(site.out)
    fill(site, 11, 11)
    site.build()
    after = list_pages(site.out)
    assert all(after[path] != data for path, data in before.items())


def test_an_unknown_pagination_is_refused_with_its_line(site: SiteMaker) -> None:
    site.config(BASE_CONFIG.replace("page_size = 3", 'page_size = 3\npagination = "oldest"'))
    fill(site, 1, 2)
    with pytest.raises(BuildFailed) as failed:
        site.build()
    (problem,) = failed.value.problems
    assert problem.path == "site.toml" and problem.line == 9
    assert "'oldest' is neither 'newest' nor 'stable'" in problem.message
    assert not site.out.exists()

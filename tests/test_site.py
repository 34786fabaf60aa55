"""The whole-site pass and what readers see on small inline sites: tags, drafts, pages, neighbours."""

from __future__ import annotations

import re
from itertools import pairwise
from urllib.parse import quote

from arshif.config import load_config
from arshif.content import load_articles
from arshif.site import assemble, related_of
from tests.sitekit import BASE_CONFIG, NOW, PROJECT, SiteMaker, article


def titles_on(html: str) -> list[str]:
    return re.findall(r'class="entry-title"><a href="[^"]+">([^<]+)</a>', html)


def fill(site: SiteMaker, count: int, tags: str = "[libya]") -> None:
    for n in range(1, count + 1):
        site.add(f"2020/a{n:02d}.md", article(title=f"مقال {n}", date=f"2020-01-{n:02d} 10:00", tags=tags))


def test_home_is_paginated_newest_first(site: SiteMaker) -> None:
    fill(site, 7)
    site.build()
    assert titles_on(site.page("")) == ["مقال 7", "مقال 6", "مقال 5"]
    assert titles_on(site.page("page/2/")) == ["مقال 4", "مقال 3", "مقال 2"]
    assert titles_on(site.page("page/3/")) == ["مقال 1"]
    assert not (site.out / "page" / "4").exists()
    assert 'rel="next" href="/page/2/"' in site.page("")
    assert 'rel="prev" href="/"' in site.page("page/2/")
    assert "الصفحة ٣ من ٣" in site.page("page/3/")


def test_tags_by_slug_by_arabic_name_and_unknown(site: SiteMaker) -> None:
    site.add("2020/a.md", article(title="أ", tags="[libya]"))
    site.add("2020/b.md", article(title="ب", tags='["ليبيا", "الطاقة المتجددة"]'))
    site.add("2020/c.md", article(title="ج", tags="[Economy]"))
    site.build()
    assert titles_on(site.page("tags/libya/")) == ["ب", "أ"]
    assert "الطاقة المتجددة" in site.page("tags/الطاقة-المتجددة/")
    assert "Economy" in site.page("tags/economy/")
    index = site.page("tags/")
    assert "مقالان" in index
    assert "مقال واحد" in index
    assert f'href="/tags/{quote("الطاقة-المتجددة")}/"' in index


def test_tag_pages_paginate(site: SiteMaker) -> None:
    fill(site, 4)
    site.build()
    assert titles_on(site.page("tags/libya/")) == ["مقال 4", "مقال 3", "مقال 2"]
    assert titles_on(site.page("tags/libya/page/2/")) == ["مقال 1"]
    assert "٤ مقالات" in site.page("tags/libya/")


def test_drafts_and_future_articles_are_left_out_unless_asked(site: SiteMaker) -> None:
    site.add("2020/pub.md", article(title="منشور", tags="[libya]"))
    site.add("2020/draft.md", article(title="مسودة سرية", draft="true", tags="[libya]"))
    site.add("2027/future.md", article(title="مقال قادم", date="2027-01-01", tags="[libya]"))
    site.build()
    everything = "".join(p.read_text() for p in site.out.rglob("*.html"))
    assert "مسودة سرية" not in everything and "مقال قادم" not in everything
    assert not (site.out / "2020" / "draft").exists()
    site.build(drafts=True, future=True)
    assert "مسودة سرية" in site.page("2020/draft/")
    assert 'class="draft-mark"' in site.page("2020/draft/")
    assert "مقال قادم" in site.page("2027/future/")


def test_article_page_shows_dates_reading_time_and_neighbours(site: SiteMaker) -> None:
    fill(site, 3)
    site.build()
    page = site.page("2020/a02/")
    assert '<time datetime="2020-01-02T10:00:00+02:00">٢ يناير ٢٠٢٠</time>' in page
    assert "جمادى الأولى ١٤٤١ هـ" in page
    assert "مدة القراءة: دقيقة واحدة" in page
    assert 'rel="next" href="/2020/a03/"' in page
    assert 'rel="prev" href="/2020/a01/"' in page


def test_related_prefers_more_shared_tags_then_newer(site: SiteMaker) -> None:
    site.add("2020/main.md", article(title="الأصل", date="2020-01-10", tags="[libya, russia, turkey]"))
    site.add("2020/two.md", article(title="وسمان", date="2020-01-01", tags="[libya, russia]"))
    site.add("2020/one-new.md", article(title="وسم حديث", date="2020-01-09", tags="[turkey]"))
    site.add("2020/one-old.md", article(title="وسم قديم", date="2020-01-02", tags="[libya]"))
    site.add("2020/none.md", article(title="لا صلة", date="2020-01-08", tags="[sports]"))
    site.add("2020/three.md", article(title="ثلاثة", date="2019-01-01", tags="[libya, russia, turkey]"))
    site.build()
    related = site.page("2020/main/").split('id="related-heading"')[1].split("</section>")[0]
    order = re.findall(r'<a href="[^"]+">([^<]+)</a>', related)
    assert order == ["ثلاثة", "وسمان", "وسم حديث", "وسم قديم"]


def test_year_and_month_archives(site: SiteMaker) -> None:
    site.add("2019/a.md", article(title="قديم", date="2019-05-01"))
    site.add("2020/b.md", article(title="يناير", date="2020-01-05"))
    site.add("2020/c.md", article(title="مارس", date="2020-03-05"))
    site.build()
    assert titles_on(site.page("archive/2020/")) == ["مارس", "يناير"]
    assert titles_on(site.page("archive/2020/03/")) == ["مارس"]
    assert "مارس ٢٠٢٠" in site.page("archive/")
    assert titles_on(site.page("archive/2019/05/")) == ["قديم"]


def test_levant_and_maghreb_month_names_and_latin_digits(make_site) -> None:
    for locale, month in (("ar_SY", "كانون الثاني"), ("ar_DZ", "جانفي")):
        site = make_site(locale)
        site.config(BASE_CONFIG.replace('locale = "ar_EG"', f'locale = "{locale}"')
                    .replace('digits = "arab"', 'digits = "latn"'))
        site.add("2020/a.md", article())
        site.build()
        assert f"13 {month} 2020" in site.page("2020/a/")
        assert not re.search("[٠-٩]", site.page("2020/a/"))


def test_everything_links_under_the_base_path(site: SiteMaker) -> None:
    site.config(BASE_CONFIG.replace('base_url = "https://example.org/"', 'base_url = "https://example.org/archive"'))
    site.add("2020/a.md", article(tags="[libya]"))
    site.build()
    page = site.page("2020/a/")
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert links and all(link.startswith(("/archive/", "#", "https://")) for link in links)
    assert 'href="/archive/tags/libya/"' in page


def test_builds_are_byte_identical(make_site) -> None:
    outputs = []
    for name in ("one", "two"):
        site = make_site(name)
        fill(site, 5, "[libya, russia]")
        site.build()
        outputs.append({p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]


def test_titles_with_markup_are_escaped(site: SiteMaker) -> None:
    site.add("2020/x.md", article(title="<img src=x onerror=alert(1)> & 'ع'"))
    site.build()
    for page in (site.page("2020/x/"), site.page("")):
        assert "<img src=x" not in page
        assert "&lt;<bdi>img src</bdi>=<bdi>x onerror</bdi>=<bdi>alert</bdi>(1)&gt; &amp; &#39;ع&#39;" in page


def test_static_files_beside_articles_are_published(site: SiteMaker) -> None:
    """Files beside articles are published as they are (photos an article shows get variants instead:
    tests/test_images.py)."""
    site.add("2020/x.md", article(body="[التقرير](report.pdf) ![شعار](logo.svg)"))
    site.add("2020/report.pdf", b"%PDF fake")
    site.add("2020/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    site.add("2020/unused.png", b"\x89PNG fake")
    site.build()
    assert (site.out / "2020" / "report.pdf").read_bytes() == b"%PDF fake"
    assert (site.out / "2020" / "unused.png").read_bytes() == b"\x89PNG fake"
    assert 'href="/2020/report.pdf"' in site.page("2020/x/")
    assert 'src="/2020/logo.svg"' in site.page("2020/x/")


def test_not_found_page_and_assets(site: SiteMaker) -> None:
    site.add("2020/x.md", article())
    site.build()
    page = (site.out / "404.html").read_text()
    assert "الصفحة غير موجودة" in page
    css = re.findall(r'href="/(assets/css/site\.[0-9a-f]{10}\.css)"', page)
    assert css and (site.out / css[0]).is_file()


def test_a_site_placed_as_before_gives_the_same_neighbours_and_related_articles() -> None:
    """A build placed as the last one takes the related articles it found, and works out neighbours only when
    a page asks for them: the same as a site assembled afresh."""
    config = load_config(PROJECT)
    articles, problems = load_articles(config)
    assert not problems and len(articles) >= 20
    found = assemble(config, articles, NOW)
    placed = assemble(config, articles, NOW, known=related_of(found), placed=True)
    order = list(found.articles)
    assert list(placed.articles) == order
    assert {url: [a.url for a in items] for url, items in placed.related.items()} \
        == {url: [a.url for a in items] for url, items in found.related.items()}
    assert any(placed.related.values())
    for site in (found, placed):
        assert dict(site.older) == {a.url: b for a, b in pairwise(order)}
        assert dict(site.newer) == {b.url: a for a, b in pairwise(order)}
        assert site.older.get(order[-1].url) is None and site.newer.get(order[0].url) is None
        assert len(site.older) == len(site.newer) == len(order) - 1

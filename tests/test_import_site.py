"""An imported archive as readers get it: it builds, its pages pass the W3C checker, and its old addresses
(aliases:) lead to the new pages, in the build and through a real nginx. Also the aliases: key itself:
redirect pages, their clashes, and incremental builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from arshif.cli import main
from arshif.problems import BuildFailed
from tests.sitekit import NOW, PROJECT, SiteMaker, article
from tests.test_import import DATA, EXPORT, SITE_TOML, UPLOADS
from tests.test_nginx import free_port, nginx_serving

VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
OLD_WORDPRESS = "2020/01/13/أسرار-لقاء-حفتر-والسراج-في-روسيا/"
NEW_WORDPRESS = "2020/أسرار-لقاء-حفتر-والسراج-في-روسيا/"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> SiteMaker:
    """A site with the WordPress export, both feeds and the saved pages imported, built."""
    site = SiteMaker(tmp_path_factory.mktemp("imported") / "site")
    site.config(SITE_TOML)
    root = ["--root", str(site.root)]
    assert main(["import", "wordpress", *root, str(EXPORT), "--uploads", str(UPLOADS)], now=NOW) == 1  # one bad post
    assert main(["import", "feed", *root, str(DATA / "feeds" / "rss.xml")], now=NOW) == 1  # one entry without date
    assert main(["import", "feed", *root, str(DATA / "feeds" / "atom.xml")], now=NOW) == 0
    assert main(["import", "html", *root, str(DATA / "pages")], now=NOW) == 1  # about.html has no date
    report = site.build()
    assert report.articles == 30 + 3 + 2 + 2 and not report.warnings
    return site


def test_old_addresses_have_redirect_pages(archive: SiteMaker) -> None:
    page = archive.page(OLD_WORDPRESS)
    new = "/" + quote(NEW_WORDPRESS)
    assert f'<link rel="canonical" href="https://example.org{new}">' in page
    assert f'<meta http-equiv="refresh" content="0; url={new}">' in page
    assert '<meta name="robots" content="noindex">' in page and f'<a href="{new}">' in page
    assert "أسرار لقاء حفتر والسراج في روسيا" in archive.page(NEW_WORDPRESS)
    assert "url=/2020/" in archive.page("news/2020/01/13/12345.html")  # a saved page's .html address
    sitemap = unquote((archive.out / "sitemap.xml").read_text(encoding="utf-8"))
    assert NEW_WORDPRESS in sitemap and OLD_WORDPRESS not in sitemap and "12345.html" not in sitemap


def test_imported_pages_are_valid_html(archive: SiteMaker) -> None:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail("the W3C checker needs java and node_modules/vnu-jar (run `make test`, which runs npm ci)")
    pages = [p for p in sorted(archive.out.rglob("index.html")) if p.parent.parent.name in ("2019", "2020", "2021")]
    redirects = [archive.out / OLD_WORDPRESS / "index.html", archive.out / "news/2020/01/13/12345.html"]
    assert len(pages) >= 30
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           *map(str, pages + redirects)], capture_output=True, text=True, encoding="utf-8",
                          timeout=300, check=False, env={**os.environ, "LC_ALL": "C.UTF-8"})
    report = done.stderr if "{" in done.stderr else done.stdout
    messages = json.JSONDecoder().raw_decode(report[report.index("{"):])[0]["messages"]
    errors = [f"{unquote(m.get('url', ''))}:{m.get('lastLine')}: {m.get('message')}" for m in messages
              if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(errors)


def test_nginx_leads_old_addresses_to_the_new_pages(archive: SiteMaker, tmp_path: Path) -> None:
    port = free_port()
    folder = tmp_path / "www"
    assert main(["build", "--root", str(archive.root), "--output", str(folder), "--quiet",
                 "--base-url", f"http://127.0.0.1:{port}/archive/"], now=NOW) == 0
    with nginx_serving(folder, tmp_path, port) as served:
        for old in (OLD_WORDPRESS, "news/2020/01/13/12345.html", "news/سوق-السمك/", "2020/02/الدينار/"):
            status, _, body = served.get("/archive/" + quote(old))
            assert status == 200, old
            target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body.decode()).group(1)
            assert target.startswith("/archive/")
            status, _, page = served.get(target)
            assert status == 200 and b'<article' in page and b"noindex" not in page, target


# --- aliases: in any site ----------------------------------------------------------------------------


def test_alias_clashes_name_the_file_and_line(site: SiteMaker) -> None:
    site.add("2020/a.md", article("أ", aliases='["/old/a/", "/tags/"]'))
    site.add("2020/b.md", article("ب", aliases="[old/a]"))
    site.add("2020/c.md", article("ج", aliases='["2020/photo.png"]'))
    site.add("2020/photo.png", b"\x89PNG")
    with pytest.raises(BuildFailed) as failure:
        site.build()
    problems = [str(p) for p in failure.value.problems]
    assert "content/2020/a.md:4: the alias /tags/ is already the address of the tags page" in problems[0]
    assert "content/2020/b.md:4: the alias /old/a/ is already the address of content/2020/a.md" in problems[1]
    assert "content/2020/c.md:4: the alias /2020/photo.png is already the address of content/2020/photo.png" in \
        problems[2]
    site.add("2020/b.md", article("ب", aliases='["https://old.example.com/?p=12"]'))
    with pytest.raises(BuildFailed) as failure:
        site.build()
    assert any("b.md:4: the alias 'https://old.example.com/?p=12' has a query" in str(p)
               for p in failure.value.problems)


def test_redirect_pages_follow_their_article_in_incremental_builds(site: SiteMaker) -> None:
    site.add("2020/a.md", article("العنوان الأول", aliases="[/old/a.html]"))
    site.build()
    assert "العنوان الأول" in site.page("old/a.html")
    site.add("2020/a.md", article("العنوان الثاني", aliases="[/old/a.html, /old/b/]"))
    site.build()
    assert "العنوان الثاني" in site.page("old/a.html") and "العنوان الثاني" in site.page("old/b/")
    site.add("2020/a.md", article("العنوان الثاني", slug="جديد", aliases="[/old/b/]"))
    site.build()
    assert not (site.out / "old" / "a.html").exists()
    assert "url=/2020/%D8%AC%D8%AF%D9%8A%D8%AF/" in site.page("old/b/")
    site.add("2020/a.md", article("العنوان الثاني", slug="جديد", draft="true", aliases="[/old/b/]"))
    site.build()
    assert not (site.out / "old").exists()

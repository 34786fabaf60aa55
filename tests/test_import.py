"""`generate.py import`: WordPress exports, RSS and Atom feeds and saved pages into content/, from the files of
tests/data/import/ (no network). What is checked is what a user gets: the files written, their front matter
read back with YAML, site.toml, the messages, and the site built from them."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from arshif.cli import main
from arshif.content import split_front_matter
from tests.sitekit import NOW, SiteMaker

DATA = Path(__file__).resolve().parent / "data" / "import"
EXPORT = DATA / "wordpress" / "export.xml"
UPLOADS = DATA / "wordpress" / "uploads"
SITE_TOML = """\
# The test site's settings: these comments must survive an import.
title = "موقع تجريبي"
description = "موقع للاختبار"
base_url = "https://example.org/"
locale = "ar_EG"
timezone = "Africa/Cairo"   # dates without a zone are Cairo's
digits = "arab"
page_size = 5

[tags]
libya = "ليبيا"    # the most used tag
russia = "روسيا"

# Sections, in the menu's order.
[sections]
politics = "سياسة"
"""


@pytest.fixture
def site(tmp_path: Path) -> SiteMaker:
    maker = SiteMaker(tmp_path / "site")
    maker.config(SITE_TOML)
    return maker


def run(site: SiteMaker, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `generate.py import ARGS` in SITE: exit status, standard output and standard error."""
    capsys.readouterr()
    status = main(["import", *args[:1], "--root", str(site.root), *args[1:]], now=NOW)
    out, err = capsys.readouterr()
    return status, out, err


def articles(site: SiteMaker) -> dict[str, tuple[Path, dict[str, Any], str]]:
    """The imported articles by title: their file, front matter and body."""
    found = {}
    for path in sorted((site.root / "content").rglob("*.md")):
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(front)
        found[meta["title"]] = (path, meta, body)
    return found


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def imported(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> tuple[SiteMaker, str, str]:
    status, out, err = run(site, capsys, "wordpress", str(EXPORT), "--uploads", str(UPLOADS))
    assert status == 1, "the post without a date is an error, reported; the others are imported"
    return site, out, err


# --- WordPress ------------------------------------------------------------------------------------


def test_wordpress_posts_become_articles_by_status(imported: tuple[SiteMaker, str, str]) -> None:
    site, out, err = imported
    found = articles(site)
    assert len(found) == 34
    drafts = {title for title, (_, meta, _) in found.items() if meta.get("draft")}
    assert drafts == {"مسودة: خطة لإصلاح قطاع الكهرباء", "مسودة بلا تاريخ محلي: تقرير عن المياه",
                      "بانتظار المراجعة: حوار مع وزير الاقتصاد", "خاص: مذكرة داخلية عن التحرير"}
    assert "مجدول: حصاد العام" in found and not found["مجدول: حصاد العام"][1].get("draft")
    for left_out in ("محذوف: خبر قديم مكرر", "محذوف: تجربة", "من نحن", "الرئيسية", "خبر بلا تاريخ"):
        assert left_out not in found
    assert "imported 34 new, 0 updated, 0 unchanged; skipped 6" in out
    assert "2 in the trash" in out and "1 a page, not a post" in out and "1 an auto-draft" in out
    assert "export.xml:1479: post «خبر بلا تاريخ» has no date" in err


def test_wordpress_slugs_dates_sections_tags_and_authors(imported: tuple[SiteMaker, str, str]) -> None:
    site, _, _ = imported
    found = articles(site)
    path, meta, _ = found["أسرار لقاء حفتر والسراج في روسيا"]
    assert path == site.root / "content" / "2020" / "أسرار-لقاء-حفتر-والسراج-في-روسيا.md"  # the decoded post_name
    assert meta["date"] == "2020-01-13 14:30"
    assert meta["author"] == "سلمى حداد" and meta["category"] == "سياسة" and meta["tags"] == ["ليبيا", "روسيا"]
    assert meta["aliases"] == ["/2020/01/13/أسرار-لقاء-حفتر-والسراج-في-روسيا/"]
    assert meta["import_id"] == "https://old.example.com/?p=1"
    # The local date is 0000-00-00 00:00:00: the GMT one (07:30) in Cairo's time.
    assert found["مسودة بلا تاريخ محلي: تقرير عن المياه"][1]["date"] == "2021-06-02 09:30"
    assert found["مسودة: خطة لإصلاح قطاع الكهرباء"][0].name == "مسودة-خطة-لإصلاح-قطاع-الكهرباء.md"
    assert "category" not in found["البرلمان يناقش ميزانية عام 2020 (2019-1)"][1]  # Uncategorized is no section
    assert found["المنتخب الليبي يفوز في افتتاح البطولة العربية"][1]["category"] == "رياضة"
    assert "updated" in found["محطة شمسية جديدة في الجنوب الليبي (2019-4)"][1]


def test_wordpress_images_attachments_and_shortcodes(imported: tuple[SiteMaker, str, str]) -> None:
    site, _, err = imported
    found = articles(site)
    folder = site.root / "content" / "2020"
    _, meta, body = found["أسرار لقاء حفتر والسراج في روسيا"]
    assert meta["image"] == {"src": "libya-talks.jpg", "alt": "وفدا التفاوض في موسكو"}
    assert (folder / "libya-talks.jpg").read_bytes() == (UPLOADS / "2020/01/libya-talks.jpg").read_bytes()
    assert "![وفدا التفاوض في موسكو](libya-talks.jpg)" in body  # the 300x188 copy became the original
    assert "> الآن موجودون في الخارجية الروسية" in body
    _, meta, body = found["ميناء طرابلس يستقبل أول شحنة قمح منذ شهور"]
    assert meta["photos"] == {"tripoli-port.jpg": {"caption": "سفينة القمح لدى وصولها إلى ميناء طرابلس"}}
    assert "![سفينة في ميناء طرابلس](tripoli-port.jpg)" in body and "[caption" not in body
    _, _, body = found["المنتخب الليبي يفوز في افتتاح البطولة العربية"]
    assert "![الملعب قبل المباراة](stadium-1.png)" in body and "![الجماهير في المدرجات](stadium-2.png)" in body
    assert (folder / "stadium-2.png").is_file()
    _, _, body = found["البرلمان يناقش ميزانية عام 2020"]
    assert "| الرواتب | 24 |" in body and "- خفض الإنفاق الإداري" in body
    assert "[نص الميزانية كاملا](budget-2020.pdf)" in body and (folder / "budget-2020.pdf").is_file()
    assert "<https://www.youtube.com/watch?v=abc123>" in body
    assert '[contact-form-7 id="12" title="راسلنا"]' in body, "an unknown shortcode stays visible"
    assert "shortcode [contact-form-7] left in the text" in err
    _, _, body = found["تركيا وروسيا تدعوان إلى وقف إطلاق النار"]
    assert "(https://old.example.com/wp-content/uploads/2020/05/missing-photo.jpg)" in body
    assert err.count("missing upload 2020/05/missing-photo.jpg") == 1


def test_site_toml_gets_the_new_names_and_keeps_its_comments(imported: tuple[SiteMaker, str, str]) -> None:
    site, out, _ = imported
    text = (site.root / "site.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    kept = [line for line in SITE_TOML.splitlines() if line.strip()]
    assert [line for line in lines if line in kept] == kept
    settings = tomllib.loads(text)
    assert settings["tags"] == {"libya": "ليبيا", "russia": "روسيا", "turkey": "تركيا", "كرة-القدم": "كرة القدم",
                                "oil": "النفط", "الطاقة-المتجددة": "الطاقة المتجددة"}
    assert list(settings["sections"]) == ["politics", "economy", "رياضة"]
    assert settings["authors"] == {"salma": {"name": "سلمى حداد"}, "karim": {"name": "كريم بن علي"}}
    assert lines.index('"الطاقة-المتجددة" = "الطاقة المتجددة"') < lines.index("# Sections, in the menu's order.")
    assert "added to site.toml: 4 tags, 2 sections, 2 authors" in out


def test_a_second_import_changes_nothing(imported: tuple[SiteMaker, str, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    site, _, _ = imported
    before = tree(site.root / "content"), (site.root / "site.toml").read_bytes()
    status, out, _ = run(site, capsys, "wordpress", str(EXPORT), "--uploads", str(UPLOADS))
    assert status == 1
    assert "imported 0 new, 0 updated, 34 unchanged" in out and "added to" not in out
    assert (tree(site.root / "content"), (site.root / "site.toml").read_bytes()) == before


def test_a_changed_export_updates_its_articles_and_spares_local_edits(
        imported: tuple[SiteMaker, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site, _, _ = imported
    found = articles(site)
    port, stadium = found["ميناء طرابلس يستقبل أول شحنة قمح منذ شهور"][0], found[
        "المنتخب الليبي يفوز في افتتاح البطولة العربية"][0]
    edited = stadium.read_text(encoding="utf-8").replace("وقال مراقبون", "وقال محررنا")
    stadium.write_text(edited, encoding="utf-8")
    export = tmp_path / "export.xml"
    text = EXPORT.read_text(encoding="utf-8").replace("سفينة القمح لدى وصولها", "سفينة القمح الأولى لدى وصولها")
    export.write_text(text.replace('[gallery ids="103,104"', '[gallery ids="104,103"'), encoding="utf-8")
    status, out, _ = run(site, capsys, "wordpress", str(export), "--uploads", str(UPLOADS))
    assert status == 1 and "imported 0 new, 1 updated, 32 unchanged" in out
    assert "1 edited here since it was imported (not overwritten)" in out
    assert "سفينة القمح الأولى لدى وصولها" in port.read_text(encoding="utf-8")
    assert stadium.read_text(encoding="utf-8") == edited
    assert len(articles(site)) == 34


def test_dry_run_lists_what_it_would_write_and_writes_nothing(site: SiteMaker,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = tree(site.root)
    status, out, _ = run(site, capsys, "wordpress", str(EXPORT), "--uploads", str(UPLOADS), "--dry-run")
    assert status == 1
    assert tree(site.root) == before
    assert "would write content/2020/أسرار-لقاء-حفتر-والسراج-في-روسيا.md (new)" in out
    assert "to content/2020/libya-talks.jpg" in out
    assert "would import 34 new" in out and "would add to site.toml: 4 tags" in out


@pytest.mark.parametrize(("source", "name", "message"), [
    ("wordpress", "wordpress/broken-export.xml", "broken-export.xml:16: not well-formed XML: Opening and ending tag"),
    ("wordpress", "feeds/rss.xml", "feeds/rss.xml:3: not a WordPress export"),
    ("feed", "feeds/not-a-feed.xml", "not-a-feed.xml:1: not an RSS or Atom feed"),
    ("feed", "feeds/broken.xml", "broken.xml:6: the feed is not well-formed XML"),
])
def test_a_broken_input_names_file_and_line_and_writes_nothing(site: SiteMaker, capsys: pytest.CaptureFixture[str],
                                                               source: str, name: str, message: str) -> None:
    before = tree(site.root)
    status, _, err = run(site, capsys, source, str(DATA / name))
    assert status == 1 and message in err and "nothing was written" in err
    assert tree(site.root) == before


def test_without_uploads_images_point_at_the_old_site(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    run(site, capsys, "wordpress", str(EXPORT))
    _, meta, body = articles(site)["أسرار لقاء حفتر والسراج في روسيا"]
    assert meta["image"]["src"] == "https://old.example.com/wp-content/uploads/2020/01/libya-talks.jpg"
    assert "(https://old.example.com/wp-content/uploads/2020/01/libya-talks.jpg)" in body
    assert not list((site.root / "content").rglob("*.jpg"))


# --- Feeds ----------------------------------------------------------------------------------------


def test_rss_full_text_or_summary_marked_as_such(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(site, capsys, "feed", str(DATA / "feeds" / "rss.xml"))
    assert status == 1 and "entry 3 «خبر بلا تاريخ نشر» has no date" in err
    assert "imported 3 new" in out
    found = articles(site)
    path, meta, body = found["افتتاح سوق السمك الجديد في مصراتة"]
    assert path.name == "سوق-السمك.md" and meta["date"] == "2020-01-14 08:30"
    assert meta["aliases"] == ["/news/سوق-السمك/"] and meta["import_id"] == "sahel-1001"
    assert meta["tags"] == ["ليبيا", "اقتصاد محلي"] and meta["author"] == "سلمى حداد"
    assert meta["image"] == "https://sahel-news.example.net/img/market.jpg"
    assert "**أربعين**" in body and "- مبردات حديثة" in body and "> السوق حلم قديم" in body
    assert "summary_only" not in meta
    _, meta, body = found["أمطار غزيرة تغلق طريق الساحل"]
    assert meta["summary_only"] is True and meta["author"] == "وكالات"
    assert "[أمطار غزيرة](https://sahel-news.example.net/weather/)" in body
    assert found["مهرجان الشعر الشعبي في زليتن"][0].name == "poetry-festival.md"
    assert "أمطار-غزيرة" in found["أمطار غزيرة تغلق طريق الساحل"][0].name  # 12345.html gives no slug
    assert "agency" not in (site.root / "site.toml").read_text(encoding="utf-8")
    assert "وكالات" not in str(tomllib.loads((site.root / "site.toml").read_text(encoding="utf-8")).get("authors"))


def test_atom_authors_updates_and_summaries(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(site, capsys, "feed", str(DATA / "feeds" / "atom.xml"))
    assert status == 0 and "imported 2 new" in out
    found = articles(site)
    _, meta, body = found["الدينار الليبي أمام تحديات جديدة"]
    assert meta["date"] == "2020-02-18 11:00" and meta["updated"] == "2020-02-25 11:00"
    assert meta["tags"] == ["اقتصاد", "ليبيا"] and meta["aliases"] == ["/2020/02/الدينار/"]
    assert "## الأسباب" in body and "1. تراجع الصادرات" in body and "ملخص قصير" not in body
    _, meta, body = found["توقعات النمو لعام 2020"]
    assert meta["author"] == ["منى عبد الرحمن", "كريم بن علي"] and meta["summary_only"] is True
    assert "*ثلاثة*" in body


# --- Saved pages ----------------------------------------------------------------------------------

def seed_paragraphs() -> list[str]:
    """The article paragraphs of the saved seed page: those between its byline and its share buttons."""
    import lxml.html

    page = lxml.html.parse(str(DATA / "pages" / "news" / "2020" / "01" / "12345.html"))
    paragraphs = [p.text_content() for p in page.iterfind(".//div[@class='entry-content']/p")]
    return paragraphs[:paragraphs.index("WhatsApp")]


def test_saved_pages_lose_their_boilerplate(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(site, capsys, "html", str(DATA / "pages"))
    assert status == 1 and "about.html: no publication date found" in err
    assert "imported 2 new" in out
    found = articles(site)
    path, meta, body = found["أسرار لقاء حفتر و السراج في روسيا وتفاصيل الاتفاق المبدئي لوقف الحرب في ليبيا"]
    assert meta["author"] == "وكالات" and meta["category"] == "سياسة" and meta["tags"] == ["ليبيا", "روسيا"]
    assert meta["date"] == "2020-01-13 16:45" and meta["aliases"] == ["/news/2020/01/13/12345.html"]
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    assert paragraphs == seed_paragraphs() and len(paragraphs) == 10
    assert paragraphs[0].startswith("كشف مصدر مطلع") and paragraphs[-1].startswith("يذكر أن ليبيا")
    for boilerplate in ("WhatsApp", "Telegram", "إقرأ أيضاً", "عاجل", "زلزال", "خبر آخر عن مصر", "الأكثر قراءة",
                        "كتب", "الرئيسية", "جميع الحقوق"):
        assert boilerplate not in body, boilerplate
    _, meta, body = found["أسعار الخضار ترتفع في سوق الجمعة"]
    assert meta["author"] == "نادر المصراتي" and meta["tags"] == ["اقتصاد", "أسعار"]
    assert meta["date"] == "2020-01-20 10:15"
    assert "![باعة الخضار في سوق الجمعة](souk.jpg)" in body and (path.parent / "souk.jpg").is_file()
    assert "| الطماطم | 2 | 3.5 |" in body
    assert "إن ارتفاع أسعار الوقود انعكس" in body, "a link to the old site without its address keeps its text"
    for boilerplate in ("شارك", "اقرأ أيضا", "أزمة الخبز", "فيسبوك"):
        assert boilerplate not in body, boilerplate


def test_boilerplate_patterns_come_from_site_toml(site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    site.config(SITE_TOML + '\n[import]\ndrop_lines = ["WhatsApp"]\ncut_from = ["عاجل"]\n')
    run(site, capsys, "html", str(DATA / "pages"))
    body = next(b for title, (_, _, b) in articles(site).items() if title.startswith("أسرار لقاء"))
    assert "WhatsApp" not in body and "Telegram" in body and "إقرأ أيضاً" in body and "عاجل" not in body
    site.config(SITE_TOML + '\n[import]\ncut_from = "عاجل"\n')
    status, _, err = run(site, capsys, "html", str(DATA / "pages"))
    assert status == 1 and "site.toml:19: import.cut_from must be a list of texts" in err


def test_every_import_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    for source in ("wordpress", "feed", "html"):
        with pytest.raises(SystemExit) as stop:
            main(["import", source, "--help"])
        assert stop.value.code == 0
        text = capsys.readouterr().out
        assert f"python generate.py import {source}" in text and "--dry-run" in text


def test_the_sample_sites_settings_stay_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An import into a copy of the project's own site.toml (comments, tables of authors) keeps it loading."""
    site = SiteMaker(tmp_path / "copy")
    shutil.copy(Path(__file__).resolve().parent.parent / "site.toml", site.root / "site.toml")
    shutil.copytree(Path(__file__).resolve().parent.parent / "theme", site.root / "theme", dirs_exist_ok=True)
    status, out, _ = run(site, capsys, "feed", str(DATA / "feeds" / "atom.xml"))
    assert status == 0 and "added to site.toml: 1 authors (كريم بن علي)" in out
    settings = tomllib.loads((site.root / "site.toml").read_text(encoding="utf-8"))
    assert settings["authors"]["كريم-بن-علي"] == {"name": "كريم بن علي"} and "salma-haddad" in settings["authors"]

"""Photos: responsive variants made once per image content, the HTML that shows them, and bad images."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

import arshif.images
from arshif.build import build_site
from arshif.cli import main
from arshif.problems import BuildFailed
from tests.sitekit import NOW, PROJECT, SiteMaker, article, photo
from tests.test_incremental import tree

VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BODY = """\
الفقرة الأولى من الخبر.

![سوق المدينة القديمة](market.jpg "السوق في الصباح")

نص بين الصورتين.

![خريطة المنطقة](map.png)

الفقرة الأخيرة.
"""
LEAD = '{src: harbour.jpg, alt: "الميناء عند الفجر", caption: "سفن الصيد في الميناء", credit: "تصوير: سالم"}'


def photo_site(site: SiteMaker) -> SiteMaker:
    """An article with a lead photo (2000 px), a JPEG (1000 px) and a PNG (300 px) in its body."""
    site.add("2020/a.md", article("خبر بالصور", body=BODY, image=LEAD,
                                  photos='{map.png: {caption: "خريطة", credit: "OpenStreetMap"}}'))
    site.add("2020/harbour.jpg", photo(2000, 1250))
    site.add("2020/market.jpg", photo(1000, 750, color=(40, 140, 60)))
    site.add("2020/map.png", photo(300, 200, "PNG"))
    site.add("2020/b.md", article("خبر بلا صور", "2020-01-14 12:00"))
    return site


def images_of(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def srcset_widths(value: str) -> list[int]:
    return [int(part.rsplit(" ", 1)[1].removesuffix("w")) for part in value.split(", ")]


def built_file(site: SiteMaker, url: str) -> Path:
    return site.out / url.removeprefix("https://example.org/").removeprefix("/")


def schema_image_sizes(site: SiteMaker, html: str) -> list[tuple[int, int]]:
    """The pixel sizes of the files the page's JSON-LD gives as its image (the 16:9, 4:3 and 1:1 crops)."""
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    sizes = []
    for url in data["image"]:
        with Image.open(built_file(site, url)) as image:
            sizes.append(image.size)
    return sizes


def test_article_shows_responsive_pictures_with_sizes_captions_and_priorities(site: SiteMaker) -> None:
    photo_site(site).build()
    html = site.page("2020/a/")
    tags = images_of(html)
    assert len(tags) == 3 and html.count("<picture>") == 3
    for tag in tags:
        assert attribute(tag, "width") and attribute(tag, "height"), tag
        assert attribute(tag, "sizes") == arshif.images.SIZES
    lead, market, chart = tags
    assert attribute(lead, "fetchpriority") == "high" and attribute(lead, "loading") is None
    assert (attribute(lead, "width"), attribute(lead, "height")) == ("1600", "1000")
    assert srcset_widths(attribute(lead, "srcset") or "") == [480, 960, 1600]
    assert attribute(lead, "alt") == "الميناء عند الفجر"
    for tag in (market, chart):
        assert attribute(tag, "loading") == "lazy" and attribute(tag, "fetchpriority") is None
    assert srcset_widths(attribute(market, "srcset") or "") == [480, 960, 1000]  # never upscaled
    assert srcset_widths(attribute(chart, "srcset") or "") == [300]
    assert (attribute(chart, "width"), attribute(chart, "height")) == ("300", "200")
    webp = re.findall(r'<source type="image/webp" srcset="([^"]+)"', html)
    assert [srcset_widths(s) for s in webp] == [[480, 960, 1600], [480, 960, 1000], [300]]
    figures = re.findall(r"<figure class=\"photo[^\"]*\">.*?</figure>", html, re.DOTALL)
    assert len(figures) == 3
    assert "<figcaption>سفن الصيد في الميناء <span class=\"credit\">تصوير: سالم</span></figcaption>" in figures[0]
    assert "<figcaption>السوق في الصباح</figcaption>" in figures[1]
    assert '<span class="credit"><bdi>OpenStreetMap</bdi></span>' in figures[2]
    for tag in tags:  # every URL in the page leads to a file of the build
        candidates = [part.split(" ")[0] for part in (attribute(tag, "srcset") or "").split(", ")]
        for url in [attribute(tag, "src") or "", *candidates]:
            assert built_file(site, url).is_file(), url
    # The originals are not published: they keep their EXIF data.
    assert not (site.out / "2020" / "harbour.jpg").exists() and not (site.out / "2020" / "map.png").exists()
    assert "<img" not in site.page("2020/b/")


def test_variants_have_their_sizes_and_formats(site: SiteMaker) -> None:
    photo_site(site).build()
    html = site.page("2020/a/")
    for source in re.findall(r'srcset="([^"]+)"', html):
        for part in source.split(", "):
            url, width = part.split(" ")
            with Image.open(built_file(site, url)) as image:
                assert image.width == int(width.removesuffix("w")), url
                assert image.format == {"webp": "WEBP", "jpg": "JPEG", "png": "PNG"}[url.rsplit(".", 1)[1]]
    names = sorted(p.name for p in (site.out / "2020").iterdir() if p.is_file())
    assert len([n for n in names if n.startswith("harbour-")]) == 10  # 3 widths x 2 formats, og, 3 crops
    assert len([n for n in names if n.startswith("map-")]) == 5  # one width x 2 formats, 3 crops (og is it)


def test_exif_orientation_is_applied_and_no_exif_is_kept(site: SiteMaker) -> None:
    """A camera photo stored sideways (EXIF Orientation 6) with a GPS position: upright, and nothing of it left."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(0x8825)[2] = (30.0, 2.0, 40.0)  # GPSLatitude
    stored = photo(800, 400, exif=exif)
    with Image.open(io.BytesIO(stored)) as check:
        assert check.getexif().get(0x0112) == 6 and check.getexif().get_ifd(0x8825), "the test photo has no EXIF"
    site.add("2020/a.md", article("صورة من الهاتف", body="نص.\n\n![صورة](phone.jpg)"))
    site.add("2020/phone.jpg", stored)
    site.build()
    tag = images_of(site.page("2020/a/"))[0]
    assert (attribute(tag, "width"), attribute(tag, "height")) == ("400", "800")
    variants = [p for p in (site.out / "2020").iterdir() if p.name.startswith("phone-")]
    assert len(variants) == 5  # 400 px (its own width) x 2 formats, 3 crops
    for path in variants:
        data = path.read_bytes()
        assert b"Exif" not in data and b"Camera Maker" not in data, path.name
        with Image.open(path) as image:
            assert not image.getexif(), path.name
            if path.name.startswith("phone-400."):
                assert image.size == (400, 800)
                # Turned clockwise, the dark band (stored in the left half, a third of the way down) stands
                # upright in the top half, just right of the middle.
                pixels = image.convert("RGB")
                assert pixels.getpixel((230, 100))[2] > 60
                assert pixels.getpixel((230, 600))[2] < 60 and pixels.getpixel((100, 100))[2] < 60


def test_og_image_and_json_ld_crops(site: SiteMaker) -> None:
    photo_site(site).build()
    html = site.page("2020/a/")
    og = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    with Image.open(built_file(site, og)) as image:
        assert image.size == (1200, 750)
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:alt" content="الميناء عند الفجر">' in html
    assert schema_image_sizes(site, html) == [(1200, 675), (1200, 900), (1200, 1200)]


def test_small_photo_crops_take_the_largest_size_possible(site: SiteMaker) -> None:
    """Without image:, the body's first photo stands for the article and is the one fetched first."""
    site.add("2020/a.md", article("صورة صغيرة", body="نص.\n\n![صورة](small.png)\n\n![أخرى](other.png)"))
    site.add("2020/small.png", photo(640, 480, "PNG"))
    site.add("2020/other.png", photo(500, 500, "PNG"))
    site.build()
    html = site.page("2020/a/")
    first, second = images_of(html)
    assert attribute(first, "fetchpriority") == "high" and attribute(second, "loading") == "lazy"
    assert schema_image_sizes(site, html) == [(640, 360), (640, 480), (480, 480)]
    assert '<meta property="og:image:width" content="640">' in html


def test_variants_are_made_once_per_content(site: SiteMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm build opens no image: not after an edit, not for the same photo under another name;
    --clean makes them again."""
    made: list[int] = []
    original = arshif.images.make_variants

    def counting(data: bytes) -> object:
        made.append(len(data))
        return original(data)

    monkeypatch.setattr(arshif.images, "make_variants", counting)
    photo_site(site).build(workers=1)
    assert len(made) == 3
    made.clear()
    site.add("2020/a.md", article("خبر بالصور بعنوان آخر", body=BODY + "\nسطر جديد.", image=LEAD,
                                  photos='{map.png: {caption: "خريطة", credit: "OpenStreetMap"}}'))
    report = site.build(workers=1)
    assert not report.unchanged and made == []
    site.add("2021/c.md", article("الصورة نفسها", "2021-02-01 10:00", body="نص.\n\n![الميناء](same.jpg)"))
    site.add("2021/same.jpg", (site.root / "content/2020/harbour.jpg").read_bytes())
    site.build(workers=1)
    assert made == [], "the same bytes under another name are made again"
    assert list((site.out / "2021").glob("same-960.*.webp"))
    site.build(workers=1, clean=True)
    assert len(made) == 3


def test_replacing_a_photo_renders_only_the_pages_that_show_it(site: SiteMaker, tmp_path: Path) -> None:
    photo_site(site).build(precompress=False)
    old = {p.name for p in (site.out / "2020").glob("market-*")}
    path = site.root / "content/2020/market.jpg"
    path.write_bytes(photo(1400, 700, color=(200, 200, 30)))
    report = site.build(precompress=False)
    assert report.rendered == 1, "only the article page shows the photo (its feeds are made again too)"
    market = images_of(site.page("2020/a/"))[1]
    assert (attribute(market, "width"), attribute(market, "height")) == ("1400", "700")
    new = {p.name for p in (site.out / "2020").glob("market-*")}
    assert new and not new & old, "the old variants are still in build/"
    cold = tmp_path / "cold"
    build_site(site.root, cold, now=NOW, use_cache=False, precompress=False)
    assert tree(site.out) == tree(cold)


BAD = {
    "truncated": (photo(900, 600)[:600], "is damaged or cut short"),
    "not an image": (b"<html>not a photo</html>", "is not an image Pillow can read"),
    "enormous": (None, "is too large: over 50 million pixels"),
    "a GIF named .png": (None, "is a GIF image; photos must be JPEG, PNG or WebP"),
}


def enormous() -> bytes:
    out = io.BytesIO()
    Image.new("1", (9000, 6000)).save(out, "PNG")  # 54 megapixels, a few kilobytes
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_photo_is_a_problem_naming_the_article_and_the_file(site: SiteMaker, case: str) -> None:
    data, message = BAD[case]
    data = data if data is not None else (enormous() if case == "enormous" else gif())
    site.add("2020/a.md", article("خبر", body="نص.\n\n![صورة](bad.png)"))
    site.add("2020/bad.png", photo(300, 200, "PNG"))
    site.build()
    before = tree(site.out)
    stat = site.add("2020/bad.png", data).stat()
    os.utime(site.root / "content/2020/bad.png", ns=(stat.st_mtime_ns + 1_000_000_000,) * 2)
    with pytest.raises(BuildFailed) as failure:
        site.build()
    [problem] = failure.value.problems
    assert problem.path == "content/2020/a.md"
    assert problem.message.startswith("the photo content/2020/bad.png ") and message in problem.message
    assert tree(site.out) == before, "build/ changed after a failed build"


def test_missing_photos_are_reported_by_the_cli_without_traceback(site: SiteMaker,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    site.add("2020/a.md", article("خبر", body="نص.\n\n![صورة](nowhere.jpg)"))
    site.add("2020/b.md", article("خبر آخر", image="lost.png"))
    status = main(["build", "--root", str(site.root)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "error: content/2020/a.md: the photo content/2020/nowhere.jpg does not exist" in err
    assert "error: content/2020/b.md: the photo content/2020/lost.png does not exist" in err
    assert not site.out.exists()


@pytest.mark.parametrize(("keys", "message"), [
    ({"image": "{alt: بلا ملف}"}, "image: needs src"),
    ({"image": "{src: a.jpg, colour: red}"}, "image: has unknown keys colour"),
    ({"photos": "{x.jpg: {caption: نص}}", "body": "بلا صور."},
     "photos: lists 2020/x.jpg, which the body does not show"),
    ({"photos": "[a.jpg]"}, "photos must map file names"),
])
def test_photo_front_matter_mistakes_name_the_key(site: SiteMaker, keys: dict[str, str], message: str) -> None:
    body = keys.pop("body", "نص.")
    site.add("2020/a.md", article("خبر", body=body, **keys))
    with pytest.raises(BuildFailed) as failure:
        site.build()
    [problem] = failure.value.problems
    assert problem.path == "content/2020/a.md" and message in problem.message and problem.line is not None


def test_an_article_with_photos_is_valid_html(site: SiteMaker) -> None:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail("the W3C checker needs java and node_modules/vnu-jar (make test installs it)")
    photo_site(site).build()
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           str(site.out / "2020/a/index.html")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False)
    report = done.stderr if "{" in done.stderr else done.stdout
    messages = json.JSONDecoder().raw_decode(report[report.index("{"):])[0]["messages"]
    assert messages == [], messages

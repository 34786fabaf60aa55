"""Photos done right: responsive variants made with Pillow once per image content, kept in the build
cache, and the HTML that shows them (<picture>, srcset, sizes, width and height).

An article's photos (figures.py) are its front matter's image: and the body's images of this site in
JPEG, PNG or WebP. Each gets, by the digest of its bytes and SETTINGS: a few widths (never upscaled)
in WebP and in its own format, a 1,200 px copy for og:image, and 16:9, 4:3 and 1:1 crops for JSON-LD;
EXIF orientation is applied and no EXIF data is kept. The variants live in ROOT/.cache/arshif/images/,
one folder per digest and settings, so a build that has them opens no image. They are published
beside the article's folder with the key in their names ("harbour-960.1a2b3c4d5e.webp"), so a
replaced image gets new names and its old variants leave build/ with the rest of the stale files.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import os
import pickle
import re
import shutil
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import PIL

from .arabic import isolate_latin
from .config import Config
from .figures import Figure, attributes, caption_html, local_photo
from .problems import Problem

if TYPE_CHECKING:
    from .content import Article, FileStat

WIDTHS = (480, 960, 1600)
OG_WIDTH = 1200
CROPS = ((16, 9), (4, 3), (1, 1))
MAX_PIXELS = 50_000_000  # a 50-megapixel photo is the most a page needs; more is a mistake or an attack
QUALITY = {"JPEG": 82, "WEBP": 78}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
SETTINGS = repr(("arshif-images-1", PIL.__version__, WIDTHS, OG_WIDTH, CROPS, MAX_PIXELS, QUALITY))
# The article column: 42rem wide from a 44rem window, the window less its padding below.
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
PARALLEL_PHOTOS = 2

File = tuple[str, str, int, int]  # label ("960", "16x9"), extension, width, height
Made = tuple[int, int, tuple[File, ...]]  # a photo's width and height (upright) and its variants


class PhotoError(Exception):
    """An image file that cannot become variants; the message says what is wrong with it."""


@dataclass(frozen=True)
class ImageSet:
    """One image file of content/ and the variants made from it."""

    source: str  # below content/: "2020/harbour.jpg"
    key: str  # digest of the bytes and SETTINGS
    width: int  # once EXIF orientation is applied
    height: int
    files: tuple[File, ...]

    def site_path(self, label: str, extension: str) -> str:
        """Where a variant is published, below the site root (not percent-encoded)."""
        folder, _, name = self.source.rpartition("/")
        stem = name.rpartition(".")[0] or name
        return f"{folder + '/' if folder else ''}{stem}-{label}.{self.key[:10]}.{extension}"

    @property
    def extension(self) -> str:
        return self.files[0][1]

    def responsive(self, extension: str) -> list[File]:
        """The variants of EXTENSION by width, narrowest first (crops and the og:image copy left out)."""
        widths = self.widths
        return [f for f in self.files if f[1] == extension and f[0].isdigit() and int(f[0]) in widths]

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(sorted({w for w in WIDTHS if w < self.width} | {min(self.width, WIDTHS[-1])}))

    def file(self, label: str) -> File:
        return next(f for f in self.files if f[0] == label and f[1] == self.extension)


def variant_key(digest: str) -> str:
    return hashlib.sha256(f"{SETTINGS}\0{digest}".encode()).hexdigest()


def make_variants(data: bytes) -> tuple[int, int, list[tuple[File, bytes]]]:
    """Decode DATA, apply its EXIF orientation, and encode every variant (no EXIF in any of them)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                kind = opened.format or ""
                if kind not in EXTENSIONS:
                    raise PhotoError(f"is a {kind} image; photos must be JPEG, PNG or WebP")
                if opened.width * opened.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                icc = opened.info.get("icc_profile")
                image = ImageOps.exif_transpose(opened)
                image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"is too large: over {MAX_PIXELS // 1_000_000} million pixels") from None
    except UnidentifiedImageError:
        raise PhotoError("is not an image Pillow can read (JPEG, PNG or WebP)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoError(f"is damaged or cut short ({error})") from None
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGB")
    width, height = image.size
    extension = EXTENSIONS[kind]
    made: list[tuple[File, bytes]] = []
    widths = sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})
    for size in sorted(set(widths) | {min(OG_WIDTH, width)}):
        tall = max(1, round(height * size / width))
        small = image if size == width else image.resize((size, tall), Image.Resampling.LANCZOS)
        made.append(((str(size), extension, size, tall), _encode(small, kind, icc)))
        if size in widths and kind != "WEBP":
            made.append(((str(size), "webp", size, tall), _encode(small, "WEBP", icc)))
    for across, down in CROPS:
        crop_width, crop_height = (round(height * across / down), height) if width * down > height * across \
            else (width, round(width * down / across))
        left, top = (width - crop_width) // 2, (height - crop_height) // 2
        size = min(OG_WIDTH, crop_width)
        tall = max(1, round(size * down / across))
        crop = image.resize((size, tall), Image.Resampling.LANCZOS,
                            box=(left, top, left + crop_width, top + crop_height))
        made.append(((f"{across}x{down}", extension, size, tall), _encode(crop, kind, icc)))
    return width, height, made


def _encode(image: Any, kind: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        image.save(out, "JPEG", quality=QUALITY["JPEG"], optimize=True, progressive=True, icc_profile=icc, exif=b"")
    elif kind == "WEBP":
        image = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=QUALITY["WEBP"], method=4, icc_profile=icc, exif=b"")
    else:
        image.save(out, "PNG", optimize=True, icc_profile=icc)
    return out.getvalue()


class ImageCache:
    """Variants by key in FOLDER (key[:2]/key/: the files and meta.json), and the digest of each image
    file by its size and modification time, so that a build reads no image it knew.

    An entry appears whole (made aside, then renamed) and is checked against meta.json's sizes when
    used: a damaged one costs making it again, never a wrong file. TRUST false (--clean) uses nothing.
    """

    def __init__(self, folder: Path, trust: bool) -> None:
        self.folder = folder
        self.trust = trust
        self.index_path = folder / "index.pickle"
        self.index: dict[str, tuple[int, int, str]] = {}
        if trust:
            with contextlib.suppress(Exception):  # an unreadable index only costs reading the images
                loaded = pickle.loads(self.index_path.read_bytes())
                if isinstance(loaded, dict) and loaded.get("settings") == SETTINGS:
                    self.index = loaded["index"]
        self.seen: dict[str, tuple[int, int, str]] = {}

    def digest(self, path: Path, relative: str, stat: FileStat) -> str:
        known = self.index.get(relative)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            digest = known[2]
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.seen[relative] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    def save_index(self) -> None:
        if self.seen != self.index:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.index_path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(pickle.dumps({"settings": SETTINGS, "index": self.seen}))
            os.replace(temporary, self.index_path)

    def entry_folder(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def lookup(self, key: str) -> Made | None:
        """The size and variants of KEY when its entry is whole (and the cache is trusted)."""
        return self._read(key) if self.trust else None

    def _read(self, key: str) -> Made | None:
        folder = self.entry_folder(key)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            files = tuple((str(label), str(ext), int(w), int(h)) for label, ext, w, h, _ in meta["files"])
            if any((folder / f"{label}.{ext}").stat().st_size != size for label, ext, _, _, size in meta["files"]):
                return None
            return int(meta["width"]), int(meta["height"]), files
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, key: str, width: int, height: int, made: list[tuple[File, bytes]]) -> None:
        """Keep the variants of KEY, unless a whole entry is there already (a --clean build, or another
        build at the same moment, made the same bytes: it stays, so no build copying from it loses it)."""
        if self._read(key) is not None:
            return
        final = self.entry_folder(key)
        aside = final.with_name(f"{key}.{os.getpid()}.tmp")
        shutil.rmtree(aside, ignore_errors=True)
        aside.mkdir(parents=True)
        for (label, ext, _, _), data in made:
            (aside / f"{label}.{ext}").write_bytes(data)
        meta = {"width": width, "height": height, "files": [[*file, len(data)] for file, data in made]}
        (aside / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = final.with_name(f"{key}.{os.getpid()}.old")
        with contextlib.suppress(OSError):
            os.rename(final, old)
        try:
            os.rename(aside, final)
        except OSError:  # another build stored the same variants at the same moment
            shutil.rmtree(aside, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _make_batch(content_dir: Path, batch: Sequence[str]) -> list[tuple[str, Any]]:
    """Make the variants of some image files (in a worker process); an error travels back as text."""
    results: list[tuple[str, Any]] = []
    for relative in batch:
        try:
            results.append((relative, make_variants((content_dir / relative).read_bytes())))
        except PhotoError as error:
            results.append((relative, str(error)))
        except OSError as error:
            results.append((relative, f"cannot be read ({error.strerror or error})"))
    return results


def prepare_photos(config: Config, shown: Sequence[Article], scan: Mapping[str, FileStat], cache: ImageCache,
                   workers: int = 1) -> tuple[Photos, list[Problem]]:
    """The variants of every photo the SHOWN articles use, made where the cache lacks them; a problem,
    naming the article and the photo, for each photo that is missing or cannot be read."""
    wanted: dict[str, list[Article]] = {}
    for article in shown:
        for figure in _figures_of(article):
            wanted.setdefault(figure.path, []).append(article)
    failed: dict[str, str] = {}
    keys: dict[str, str] = {}
    by_key: dict[str, Made | str] = {}  # the variants of each key, or what is wrong with its file
    todo: dict[str, str] = {}  # key -> a file with those bytes: the same bytes under two names are made once
    for relative in sorted(wanted):
        stat = scan.get(relative)
        if stat is None:
            failed[relative] = "does not exist"
            continue
        try:
            key = keys[relative] = variant_key(cache.digest(config.content_dir / relative, relative, stat))
        except OSError as error:
            failed[relative] = f"cannot be read ({error.strerror or error})"
            continue
        if key not in by_key and key not in todo:
            known = cache.lookup(key)
            if known is None:
                todo[key] = relative
            else:
                by_key[key] = known
    by_key |= _make_missing(todo, config.content_dir, cache, workers)
    cache.save_index()
    found = {}
    for relative, key in keys.items():
        result = by_key[key]
        if isinstance(result, str):
            failed[relative] = result
        else:
            found[relative] = ImageSet(relative, key, *result)
    problems = [Problem(article.source, None, f"the photo content/{relative} {reason}",
                        "put a JPEG, PNG or WebP file there, or fix the name in image: or ![…](…)"
                        if reason == "does not exist" else
                        "save the photo again as JPEG, PNG or WebP (and under 50 megapixels)")
                for relative, reason in sorted(failed.items()) for article in wanted[relative]]
    return Photos(config, found, cache), problems


def _make_missing(todo: Mapping[str, str], content_dir: Path, cache: ImageCache, workers: int) -> dict[str, Made | str]:
    """Make and keep the variants of each key of TODO (from its file), in WORKERS processes when it pays."""
    if not todo:
        return {}
    from .pool import batches_of, map_forked

    keys = {relative: key for key, relative in todo.items()}
    parallel = workers if workers > 1 and len(todo) >= PARALLEL_PHOTOS else 1
    made: dict[str, Made | str] = {}
    for results in map_forked(_make_batch, content_dir, batches_of(sorted(keys), 1), parallel):
        for relative, result in results:
            if isinstance(result, str):
                made[keys[relative]] = result
                continue
            width, height, files = result
            cache.store(keys[relative], width, height, files)
            made[keys[relative]] = (width, height, tuple(f for f, _ in files))
    return made


def _figures_of(article: Article) -> list[Figure]:
    return ([article.lead] if article.lead is not None else []) + list(article.figures)


def referenced(articles: Iterable[Article]) -> set[str]:
    """Every photo file any article uses: these are published as variants only, never as they are
    (the original keeps its EXIF data, GPS position included)."""
    return {figure.path for article in articles for figure in _figures_of(article)}


class Photos:
    """The photos of a build and the HTML that shows them."""

    def __init__(self, config: Config, found: Mapping[str, ImageSet], cache: ImageCache | None = None) -> None:
        self.config = config
        self.found = dict(found)
        self.cache = cache

    def states(self, article: Article) -> tuple[str, ...]:
        """What the article's pages show of its photos: their keys (dimensions and names follow from them)."""
        return tuple(self.found[f.path].key for f in _figures_of(article) if f.path in self.found)

    def outputs(self) -> dict[str, Path]:
        """Every variant's site path and its file in the cache."""
        assert self.cache is not None
        return {image.site_path(label, ext): self.cache.entry_folder(image.key) / f"{label}.{ext}"
                for image in self.found.values() for label, ext, _, _ in image.files}

    def url(self, image: ImageSet, label: str, extension: str) -> str:
        return self.config.base_path + quote(image.site_path(label, extension))

    def absolute(self, image: ImageSet, label: str, extension: str) -> str:
        return self.config.base_url + quote(image.site_path(label, extension))

    def picture(self, image: ImageSet, alt: str, lead: bool, title: str = "") -> str:
        """<picture> with a WebP source and an <img> in the photo's own format, sized for the article column.

        The lead photo is fetched first (fetchpriority="high"); the others wait until they near the screen.
        """
        own = image.responsive(image.extension)
        fallback = max((f for f in own if f[2] <= 960), key=lambda f: f[2], default=own[0])
        largest = own[-1]

        def srcset(files: list[File]) -> str:
            return ", ".join(f"{self.url(image, f[0], f[1])} {f[2]}w" for f in files)

        source = ""
        if image.extension != "webp":
            source = f'<source type="image/webp" srcset="{srcset(image.responsive("webp"))}" sizes="{SIZES}">'
        loading = ' fetchpriority="high"' if lead else ' loading="lazy" decoding="async"'
        title_attribute = f' title="{html.escape(title)}"' if title else ""
        return (f'<picture>{source}<img src="{self.url(image, fallback[0], fallback[1])}" srcset="{srcset(own)}" '
                f'sizes="{SIZES}" width="{largest[2]}" height="{largest[3]}" alt="{html.escape(alt)}"'
                f'{title_attribute}{loading}></picture>')

    def lead_html(self, article: Article) -> str:
        """The figure at the head of an article: its image: with caption and credit."""
        lead = article.lead
        if lead is None or lead.path not in self.found:
            return ""
        picture = self.picture(self.found[lead.path], lead.alt, lead=True)
        return str(isolate_latin(f'<figure class="photo lead-photo">{picture}'
                                 f'{caption_html(lead.caption, lead.credit)}</figure>'))

    def body_html(self, body: str, article: Article) -> str:
        """The article's body with every photo as a responsive <picture>; without a lead photo, the
        body's first photo is the one fetched first."""
        first = [article.lead is None or article.lead.path not in self.found]

        def swap(tag: str) -> str:
            found = attributes(tag)
            image = self.found.get(local_photo(found.get("src", ""), self.config.base_path))
            if image is None:
                return tag
            lead, first[0] = first[0], False
            return self.picture(image, found.get("alt", ""), lead, found.get("title", ""))

        return _swap_images(body, swap)

    def feed_html(self, body: str) -> str:
        """The body for feeds: each photo a plain <img> of its middle width, with its size."""
        def swap(tag: str) -> str:
            found = attributes(tag)
            image = self.found.get(local_photo(found.get("src", ""), self.config.base_path))
            if image is None:
                return tag
            own = image.responsive(image.extension)
            chosen = max((f for f in own if f[2] <= 960), key=lambda f: f[2], default=own[0])
            return (f'<img src="{self.url(image, chosen[0], chosen[1])}" width="{chosen[2]}" height="{chosen[3]}" '
                    f'alt="{html.escape(found.get("alt", ""))}">')

        return _swap_images(body, swap)

    def main(self, article: Article) -> ImageSet | None:
        """The photo that stands for the article (og:image, JSON-LD): its lead, else the body's first."""
        if article.lead is not None:
            return self.found.get(article.lead.path)
        if article.image:  # a URL, or a file that is not a photo: shown as it is
            return None
        return next((self.found[f.path] for f in article.figures if f.path in self.found), None)

    def card(self, article: Article) -> dict[str, Any] | None:
        """og:image and its size and description, or None when the article has no photo of its own."""
        image = self.main(article)
        if image is None:
            return None
        label, ext, width, height = image.file(str(min(OG_WIDTH, image.width)))
        figure = article.lead or next(f for f in article.figures if f.path == image.source)
        return {"url": self.absolute(image, label, ext), "width": width, "height": height,
                "type": MIME[ext], "alt": figure.alt or figure.caption}

    def crops(self, article: Article) -> list[str]:
        """The 16:9, 4:3 and 1:1 crops for JSON-LD's image."""
        image = self.main(article)
        if image is None:
            return []
        return [self.absolute(image, *image.file(f"{a}x{b}")[:2]) for a, b in CROPS]


def _swap_images(body: str, swap: Any) -> str:
    return re.sub(r"<img\b[^>]*>", lambda match: swap(match.group(0)), body)

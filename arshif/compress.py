"""Pre-compressed copies of text files (PATH.gz, and PATH.br with the `brotli` package) for static hosts.

A web server with nginx's `gzip_static on` (or `brotli_static on`) sends PATH.gz instead of
compressing PATH on every request. The copies are deterministic: the same bytes give the same
.gz and .br on every build (gzip header with mtime 0 and no file name).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass

try:
    import brotli
except ImportError:  # optional: without it only .gz copies are written
    brotli = None

# Text formats a server sends compressed; fonts, images and archives are compressed already.
SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".txt", ".svg"})
# Smaller files gain next to nothing (a .gz has ~20 bytes of header alone); nginx configs such as
# h5bp's use `gzip_min_length 256` for the same reason.
MIN_SIZE = 256
# Every build compresses what it writes, so the levels trade size for build time. Measured on the
# 67 MB of text of a 1,000-article build (CPU seconds, compressed size): gzip -5 1.6 s 30.9%,
# -6 3.0 s 29.8%, -9 7.1 s 29.3%; brotli 4 1.0 s 30.4%, 5 1.6 s 28.2%, 11 about 50x slower.
GZIP_LEVEL = 5
BROTLI_QUALITY = 5


@dataclass(frozen=True)
class Encoding:
    """One kind of pre-compressed copy: the suffix added to the file name and how to make and read it."""

    suffix: str
    compress: Callable[[bytes], bytes]
    decompress: Callable[[bytes], bytes]


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _brotli(data: bytes) -> bytes:
    assert brotli is not None
    return brotli.compress(data, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)


def _gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def _unbrotli(data: bytes) -> bytes:
    assert brotli is not None
    return brotli.decompress(data)


GZIP = Encoding(".gz", _gzip, _gunzip)
BROTLI = Encoding(".br", _brotli, _unbrotli)
# Every suffix a copy may have had, whether or not this machine can make it now (for pruning).
ALL_SUFFIXES = (GZIP.suffix, BROTLI.suffix)


def encodings() -> tuple[Encoding, ...]:
    """The copies this machine writes: always gzip, brotli when the package is importable."""
    return (GZIP, BROTLI) if brotli is not None else (GZIP,)


def compressible(path: str) -> bool:
    """Whether PATH (relative, with "/") is a text format that gets pre-compressed copies."""
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:].lower() in SUFFIXES


def wanted(path: str, size: int) -> tuple[Encoding, ...]:
    """The copies a file at PATH of SIZE bytes should have beside it."""
    if size < MIN_SIZE or not compressible(path):
        return ()
    return encodings()


def matches(encoding: Encoding, packed: bytes, data: bytes) -> bool:
    """Whether PACKED (an existing copy) decompresses to exactly DATA."""
    try:
        return encoding.decompress(packed) == data
    except Exception:  # a damaged copy, of whatever kind, is simply not a match
        return False

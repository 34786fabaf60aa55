"""Stress: builds whose forked parsing workers fill the body cache (SQLite in WAL mode) at once.

Cold builds of large archives crashed now and then with `sqlite3.OperationalError: no such table:
bodies` in a parsing worker: the workers created ROOT/.cache/.../bodies.sqlite together, and one
that failed to open it (a passing "database is locked" was enough) deleted the file the others
held, so they went on in a database nobody would read again. That hangs on timing, so these tests
repeat the moments it hangs on: cold builds with a new cache, two builds at once, a cache database
with garbage in it, and workers filling one store from the same instant. Every build must succeed
and give the same bytes; no stored body may be lost.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arshif.build import build_site
from arshif.cache import BodyStore
from tests.sitekit import BASE_CONFIG, NOW, PROJECT, SiteMaker, article

ARTICLES = 500  # >= PARALLEL_THRESHOLD (200), so workers parse: 10 batches of PARSE_BATCH (50)
ROUNDS = 5  # cold builds in a row, each with the cache deleted first
WORKERS = 2
WORDS = ("الحكومة", "المجلس", "الاقتصاد", "طرابلس", "بنغازي", "الانتخابات", "النفط", "المصرف", "الوزير",
         "الأسواق", "المدينة", "الشعب", "القرار", "الاجتماع", "الدولة", "البرلمان", "اليوم", "في", "من",
         "على", "إلى", "أن", "التي", "الذي", "عن", "مع", "قال", "أكد", "أضاف", "خلال", "بعد", "قبل")
TAGS = ("libya", "russia", "turkey")


def _body(rng: random.Random, number: int) -> str:
    """About a kilobyte of Markdown: a heading, paragraphs with a link, a list."""
    parts = [f"## القسم {number}"]
    for paragraph in range(3):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 40)))
        parts.append(f"فقرة {paragraph}: **{rng.choice(WORDS)}** {words} [المصدر](https://example.org/{number}).")
    parts.append("\n".join(f"- {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(3)))
    return "\n\n".join(parts)


def _make_archive(root: Path) -> SiteMaker:
    """ARTICLES articles, all dated 2020 (so the real clock of a CLI build changes nothing), fixed seed."""
    site = SiteMaker(root)
    site.config(BASE_CONFIG.replace("page_size = 3", "page_size = 25\nprecompress = false"))
    rng = random.Random(20200113)
    for number in range(ARTICLES):
        date = f"2020-{1 + number % 12:02d}-{1 + number % 28:02d} {number % 24:02d}:{number % 60:02d}"
        tags = "[" + ", ".join(rng.sample(TAGS, rng.randint(1, 2))) + "]"
        site.add(f"2020/n{number:04d}.md", article(f"خبر رقم {number}", date, _body(rng, number), tags=tags))
    return site


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _article_pages(folder: Path) -> int:
    return sum(1 for _ in (folder / "2020").glob("n[0-9][0-9][0-9][0-9]/index.html"))


def _fresh_cache(root: Path) -> None:
    shutil.rmtree(root / ".cache", ignore_errors=True)


def _build(root: Path, output: Path, **options: object) -> dict[str, str]:
    report = build_site(root, output, now=NOW, workers=WORKERS, **options)  # type: ignore[arg-type]
    assert report.articles == ARTICLES
    assert _article_pages(output) == ARTICLES
    return _digests(output)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The archive's root and the digests of its output, built once without any cache."""
    root = tmp_path_factory.mktemp("stress") / "site"
    _make_archive(root)
    reference = root.parent / "reference"
    build_site(root, reference, now=NOW, workers=1, use_cache=False)
    digests = _digests(reference)
    assert _article_pages(reference) == ARTICLES
    return root, digests


def test_cold_builds_with_a_fresh_cache_succeed_and_agree(archive: tuple[Path, dict[str, str]]) -> None:
    """Each build makes the cache database anew, and its parsing workers fill it side by side."""
    root, reference = archive
    output = root.parent / "cold"
    for round_ in range(ROUNDS):
        _fresh_cache(root)
        assert _build(root, output) == reference, f"round {round_}: output differs"


def test_two_builds_at_once_both_succeed(archive: tuple[Path, dict[str, str]]) -> None:
    """Two CLI builds of one site into two output folders, started together, each with a new cache."""
    root, reference = archive
    _fresh_cache(root)
    outputs = [root.parent / f"at-once-{n}" for n in range(2)]
    processes = [subprocess.Popen([sys.executable, "generate.py", "build", "--root", str(root), "--output",
                                   str(output), "--jobs", str(WORKERS), "--quiet"],
                                  cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for output in outputs]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results.append((process.returncode, out + err))
    for returncode, text in results:
        assert returncode == 0, text[-3000:]
    for output in outputs:
        assert _article_pages(output) == ARTICLES
        assert _digests(output) == reference


DAMAGE = {"whole": 0.0, "pages": None, "tail": 0.5}  # where the garbage starts; None: after two pages


def _databases(root: Path) -> list[Path]:
    return sorted((root / ".cache" / "arshif").glob("*/*.sqlite"))


def _damage(root: Path, how: str) -> None:
    """Write garbage into the cache database from some point to its end: over all of it, over all
    but its first two pages (the header and the table definitions then still read well), or over
    its second half (the first rows of every table still read well)."""
    databases = _databases(root)
    assert databases, "the build left no cache database to damage"
    rng = random.Random(7)
    for path in databases:
        data = path.read_bytes()
        page = int.from_bytes(data[16:18], "big")  # the page size, from the SQLite header
        fraction = DAMAGE[how]
        start = 2 * page if fraction is None else int(len(data) * fraction) // page * page
        assert len(data) > start + page
        with path.open("r+b") as handle:
            handle.seek(start)
            handle.write(rng.randbytes(len(data) - start))


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_cache_database_only_costs_time(archive: tuple[Path, dict[str, str]], how: str) -> None:
    """A cache database with garbage in it (a disk error, a killed build) is rebuilt or done without."""
    root, reference = archive
    output = root.parent / f"damaged-{how}"
    _fresh_cache(root)
    assert _build(root, output) == reference
    # Warm: the article index is trusted, the bodies cannot be read (the output is gone, so pages are made).
    _damage(root, how)
    shutil.rmtree(output)
    assert _build(root, output) == reference
    # Cold: every article is parsed again, by the workers, with the damaged database in place.
    if not _databases(root):  # the warm build met the damage itself, so its store was started afresh
        assert _build(root, output, clean=True) == reference
    _damage(root, how)
    assert _build(root, output, clean=True) == reference
    # And what they left is a good cache: an unchanged rebuild does nothing.
    report = build_site(root, output, now=NOW, workers=WORKERS)
    assert report.unchanged and _digests(output) == reference


STORE_PROCESSES = 2  # as many as the parsing workers of a --jobs 2 build
STORE_ROUNDS = 42  # each a new store that new processes open and fill at one instant
STORE_BATCHES = 2
STORE_BATCH = 50


def _stored_html(number: int, batch: int, item: int) -> str:
    return f"<p>جسم {number} {batch} {item}</p>" + "<p>نص الخبر هنا.</p>" * 20


def _fill_store(store: BodyStore, number: int, ready: ctypes.Array[ctypes.c_byte], start: ctypes.c_double,
                delay: float) -> None:
    """In a forked process, like a parsing worker with the store it inherited: say it is ready, wait
    busily (so as not to be asleep then) until DELAY after the instant START of the monotonic clock,
    which all processes share, then store bodies in batches."""
    ready[number] = 1
    while not start.value or time.monotonic() < start.value + delay:
        pass
    for batch in range(STORE_BATCHES):
        for item in range(STORE_BATCH):
            store.put(f"{number}-{batch}-{item}", _stored_html(number, batch, item))
        store.flush()


def test_body_store_filled_by_several_processes_at_once(tmp_path: Path) -> None:
    """As in a build: one process makes the store, forked workers open and fill it at the same
    instant (the moment the race was lost), and no body is lost."""
    context = multiprocessing.get_context("fork")
    damaged: dict[int, int] = {}
    for round_ in range(STORE_ROUNDS):
        store = BodyStore(tmp_path / str(round_) / "bodies.sqlite")
        store.prepare()
        ready, start = context.RawArray("b", STORE_PROCESSES), context.RawValue("d", 0.0)
        # Which gap between the processes loses a race varies by machine: sweep it over ±200 µs.
        gap = ((round_ % 21) - 10) * 20e-6
        processes = [context.Process(target=_fill_store, args=(store, n, ready, start, n * gap))
                     for n in range(STORE_PROCESSES)]
        for process in processes:
            process.start()
        deadline = time.monotonic() + 60
        while not all(ready) and time.monotonic() < deadline and all(p.is_alive() for p in processes):
            time.sleep(0.0005)
        start.value = time.monotonic() + 0.001
        for process in processes:
            process.join(60)
            if process.is_alive():  # stuck: end it, the assertion below says so
                process.kill()
                process.join()
        try:
            assert [p.exitcode for p in processes] == [0] * STORE_PROCESSES, f"round {round_}: a process failed"
            lost = sum(store.get(f"{n}-{b}-{i}") != _stored_html(n, b, i) for n in range(STORE_PROCESSES)
                       for b in range(STORE_BATCHES) for i in range(STORE_BATCH))
        finally:
            store.close()
        if lost:
            damaged[round_] = lost
    assert not damaged, f"bodies lost (round: how many): {damaged}"

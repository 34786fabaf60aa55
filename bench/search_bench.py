"""Arshif's search index (search v2) against Pagefind on the same built pages, in one run (issue 11's figures).

    python3 bench/search_bench.py --sizes 1000 10000 [--out bench/search-results.md]

For each size: build the generated archive with Arshif (ARSHIF_TIMINGS=1 under /usr/bin/time -v) and
read the search part of the build, its time and memory, and time the word counting the parsing workers
did for it (again, in one process, from the build's cache); count and measure the files under search/;
append a sentence to one article's body, rebuild, and read the search part of that build and the
search files it rewrote; index the same article pages with Pagefind (timed the same way); then open
the search page for each query in headless Chromium, count on the bench's own HTTP server every byte
the browser fetched for the first results (gzip on the wire, as a static host with pre-compressed
files sends them) and check it against what the page should fetch. Prints a Markdown table per size
and writes them to --out. README.md in this folder explains each row.

Needs Playwright for Python (in the engine's .venv: the script re-runs itself there when the Python
that started it lacks it), Debian's chromium and GNU time, and Pagefind in its own venv:
python3 -m venv bench/.venv-pagefind && bench/.venv-pagefind/bin/pip install 'pagefind[extended]'
"""

from __future__ import annotations

import argparse
import bisect
import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

BENCH = Path(__file__).resolve().parent
ENGINE = BENCH.parent
ENGINE_PYTHON = ENGINE / ".venv" / "bin" / "python"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # system python3: run again with the engine's venv, which has Playwright
    if ENGINE_PYTHON.exists() and not os.environ.get("SEARCH_BENCH_REEXEC"):
        os.environ["SEARCH_BENCH_REEXEC"] = "1"
        os.execv(str(ENGINE_PYTHON), [str(ENGINE_PYTHON), __file__, *sys.argv[1:]])
    sys.exit("Playwright for Python is missing: make build (it installs the engine's .venv with it)")

sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402
import run as bench_run  # noqa: E402  - the shared corpus cache (bench/out/corpus/) and /usr/bin/time parsing

OUT = BENCH / "out" / "search"
TIME = "/usr/bin/time"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PAGEFIND_VENV = BENCH / ".venv-pagefind"
PAGEFIND_PYTHON = PAGEFIND_VENV / "bin" / "python"
PAGEFIND_BINARY = "from pagefind.service import get_executable; print(get_executable())"  # which one it runs
# The pages Pagefind indexes: the article pages only (/YEAR/SLUG/, slugs start with a Latin letter), and in
# them the <article> element, so that both tools index the same documents (Pagefind's default would also
# index the home, tag and archive list pages and the "related articles" list beside each article).
PAGEFIND_GLOB = "[0-9][0-9][0-9][0-9]/[a-z]*/index.html"
PAGEFIND_ROOT = "article"
FIRST = 20  # results whose details both pages load (Arshif's search page shows 20 at a time)
GZIP_LEVEL = 6  # zlib's default, nginx's `gzip on` compresses at 1..9 (default 1); Arshif writes .gz at 6
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".txt", ".xml", ".svg"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".mjs": "text/javascript; charset=utf-8", ".json": "application/json", ".css": "text/css",
         ".txt": "text/plain; charset=utf-8", ".xml": "application/xml", ".svg": "image/svg+xml",
         ".woff2": "font/woff2", ".png": "image/png", ".wasm": "application/wasm"}
TIMING_LINE = re.compile(r"^\s+(\S.*?)\s+([\d.]+) s wall\s+([\d.]+) s user\s+([\d.]+) s sys(?:\s+\d+ MB peak)?\s*$")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- the wire: what a static host with pre-compressed files sends ------------------------------

def wire(path: Path, accept_gzip: bool = True) -> tuple[bytes, str]:
    """The body sent for PATH and its Content-Encoding: the .gz sibling when there is one (nginx's
    gzip_static), else text compressed on the fly (nginx's gzip), else the file as it is (fonts,
    images, and Pagefind's files, which are gzip inside already)."""
    data = path.read_bytes()
    if not accept_gzip or path.suffix not in COMPRESSIBLE:
        return data, ""
    sibling = path.with_name(path.name + ".gz")
    if sibling.is_file():
        return sibling.read_bytes(), "gzip"
    packed = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    return (packed, "gzip") if len(packed) < len(data) else (data, "")


@dataclass
class Fetch:
    path: str  # below the site's base path
    status: int
    raw: int  # bytes of the file
    sent: int  # bytes of the body sent
    encoding: str


class Server:
    """OUT served under the site's base path on 127.0.0.1, every request logged with its bytes."""

    def __init__(self, root: Path, base: str) -> None:
        self.root, self.base = root, base
        self.log: list[Fetch] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def take(self) -> list[Fetch]:
        with self.lock:
            taken, self.log = self.log, []
        return taken

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, server_: Server, *args, **kwargs) -> None:
        self.site = server_
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        relative = path[len(self.site.base):] if path.startswith(self.site.base) else None
        target = None
        if relative is not None and ".." not in relative.split("/"):
            target = self.site.root / relative
            if target.is_dir():
                target = target / "index.html"
        if target is None or not target.is_file():
            self._send(404, b"not found", "text/plain", "", relative or path, 0)
            return
        body, encoding = wire(target, "gzip" in self.headers.get("Accept-Encoding", ""))
        self._send(200, body, TYPES.get(target.suffix, "application/octet-stream"), encoding, relative,
                   target.stat().st_size)

    def _send(self, status: int, body: bytes, kind: str, encoding: str, relative: str, raw: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)
        with self.site.lock:
            self.site.log.append(Fetch(relative, status, raw, len(body), encoding))


# --- timing and memory -------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Timed:
    """One process under /usr/bin/time -v, its standard error read live with the time of each line."""

    wall: float | None = None
    cpu: float | None = None
    rss_mb: float | None = None
    rc: int = 0
    lines: list[tuple[float, str]] = field(default_factory=list)
    rss_samples: list[tuple[float, int]] = field(default_factory=list)  # (time, kB) of the timed process

    def phase(self, name: str) -> dict | None:
        """A phase of ARSHIF_TIMINGS: its wall, CPU, and the RSS of the build process during it."""
        timings = [(t, TIMING_LINE.match(line)) for t, line in self.lines]
        timings = [(t, m) for t, m in timings if m]
        for i, (end, match) in enumerate(timings):
            if match.group(1) == name:
                start = timings[i - 1][0] if i else None
                during = [kb for t, kb in self.rss_samples if (start is None or t >= start) and t <= end]
                before = [kb for t, kb in self.rss_samples if start is not None and t <= start]
                return {"wall": float(match.group(2)), "cpu": float(match.group(3)) + float(match.group(4)),
                        "rss_peak_mb": max(during) / 1024 if during else None,
                        "rss_before_mb": before[-1] / 1024 if before else None}
        return None


def timed(cmd: list, log: Path, env: dict | None = None, cwd: Path | None = None) -> Timed:
    """Run CMD under /usr/bin/time -v; standard output goes to LOG, standard error to LOG too and
    is kept line by line with the time it arrived; the RSS of CMD is sampled every 20 ms."""
    log.parent.mkdir(parents=True, exist_ok=True)
    time_file = log.with_suffix(".time")
    result = Timed()
    with open(log, "wb") as out:
        process = subprocess.Popen([TIME, "-v", "-o", str(time_file), *map(str, cmd)], cwd=cwd, env=env,
                                   stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            child = None
            while not done.is_set():
                child = child or next(iter(_children(process.pid)), None)
                if child:
                    result.rss_samples.append((time.perf_counter(), _rss_kb(child)))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            result.lines.append((time.perf_counter(), line))
            out.write(raw)
        result.rc = process.wait()
        done.set()
        sampler.join()
    values = bench_run.parse_time_v(time_file.read_text(errors="replace")) if time_file.exists() else {}
    result.wall = values.get("wall")
    result.cpu = values["user"] + values["system"] if "user" in values else None
    result.rss_mb = values["rss_kb"] / 1024 if "rss_kb" in values else None
    return result


# --- the index on disk -------------------------------------------------------------------------

SIBLINGS = (".gz", ".br")  # the pre-compressed copies the build writes beside a file


def arshif_index_files(out: Path) -> dict[str, list[Path]]:
    """The files of Arshif's search index by kind: the manifest, the term shards and the result
    bundles (the search page search/index.html is not one, nor the .gz/.br siblings)."""
    search = out / "search"
    kinds = {"manifest": [search / "index.json"]}
    for kind in ("terms", "docs"):
        folder = search / kind
        kinds[kind] = sorted(p for p in folder.iterdir() if p.suffix == ".json") if folder.is_dir() else []
    return kinds


def file_count(folder: Path) -> dict[str, int]:
    """Every file below FOLDER, and those that are not a .gz/.br sibling: what a static host counts."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return {"all": len(files), "own": sum(1 for p in files if p.suffix not in SIBLINGS)}


def sizes(paths: list[Path]) -> dict[str, int]:
    """Raw bytes, bytes sent gzipped (see wire()) and bytes of the build's .br siblings (else raw)."""
    raw = sent = brotli = 0
    for path in paths:
        size = path.stat().st_size
        raw += size
        sent += len(wire(path)[0])
        br = path.with_name(path.name + ".br")
        brotli += br.stat().st_size if br.is_file() else size
    return {"files": len(paths), "raw": raw, "gzip": sent, "br": brotli}


def compression_seconds(paths: list[Path]) -> dict[str, float]:
    """How long this process takes to gzip (level 6) and brotli (quality 5) the index files: roughly
    the pre-compression share of the build's search phase, which writes .gz and .br siblings."""
    datas = [p.read_bytes() for p in paths]
    started = time.process_time()
    for data in datas:
        if len(data) >= 256:
            gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    result = {"gzip": time.process_time() - started}
    try:
        import brotli
    except ImportError:
        return result
    started = time.process_time()
    for data in datas:
        if len(data) >= 256:
            brotli.compress(data, quality=5, mode=brotli.MODE_TEXT)
    result["br"] = time.process_time() - started
    return result


def pagefind_files(bundle: Path) -> dict[str, list[Path]]:
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    kinds: dict[str, list[Path]] = collections.defaultdict(list)
    for path in files:
        if path.parent.name == "index":
            kinds["index"].append(path)
        elif path.parent.name == "fragment":
            kinds["fragment"].append(path)
        elif path.suffix == ".pf_meta" or path.name == "pagefind-entry.json":
            kinds["meta"].append(path)
        elif path.suffix == ".pagefind" or path.name in ("pagefind.js", "pagefind-worker.js"):
            kinds["search code"].append(path)
        else:
            kinds["UI (not used here)"].append(path)
    return dict(kinds)


# --- queries -----------------------------------------------------------------------------------

@dataclass
class Query:
    label: str
    text: str


def default_queries(corpus_folder: Path, manifest: dict) -> list[Query]:
    """A tag name, a place name and three frequent words, chosen the same way at every size: from the
    first 1,000 articles of the corpus (article K depends only on the seed and K)."""
    words: collections.Counter[str] = collections.Counter()
    documents: collections.Counter[str] = collections.Counter()
    articles = sorted(manifest["articles"], key=lambda a: a["number"])[:1000]
    for item in articles:
        text = (corpus_folder / "arshif" / item["file"]).read_text(encoding="utf-8").split("\n---", 2)[-1]
        found = re.findall("[\u0621-\u064a]+", text)
        words.update(found)
        documents.update(set(found))
    function_words = set(corpus.FUNCTION_WORDS)
    place = max((n for n in corpus.NAMES if n not in corpus.FIRST_NAMES), key=lambda n: (words[n], n))
    frequent = [w for w, _ in words.most_common()
                if w not in function_words and len(w) >= 4 and documents[w] <= len(articles) / 2][:3]
    tag = corpus.TAG_NAMES[manifest["tags"][0]] if manifest.get("tags") else corpus.TAGS[0][1]
    return [Query("one word (a place name, in the text)", place),
            Query("one word (the most used tag, only in the tags)", tag),
            Query("three words (frequent, each in ≤ half the articles)", " ".join(frequent))]


PAGEFIND_PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>Pagefind bench</title><link rel="icon" href="data:,">
</head>
<body data-state="searching">
<script type="module">
const query = new URLSearchParams(location.search).get('q');
try {
  const pagefind = await import('%(bundle)spagefind.js');
  const found = await pagefind.search(query);
  const data = await Promise.all(found.results.slice(0, %(first)d).map(r => r.data()));
  document.body.dataset.count = String(found.results.length);
  document.body.dataset.urls = JSON.stringify(data.map(d => d.url));
} catch (error) {
  document.body.dataset.error = String(error && error.stack || error);
}
window.__doneAt = performance.now();
document.body.dataset.state = 'done';
</script>
</body></html>
"""

# Records when the search page reports results (performance.now(), from the start of navigation).
DONE_WATCH = """
new MutationObserver(function () {
  var app = document.getElementById('search-app');
  if (app && app.getAttribute('data-state') === 'done' && !window.__doneAt) window.__doneAt = performance.now();
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-state']});
"""


@dataclass
class QueryResult:
    tool: str
    query: str
    count: int | None = None
    shown: int = 0
    ms: float | None = None
    urls: list[str] = field(default_factory=list)  # of the results shown
    approximate: bool = False  # Arshif found nothing and retried with one-edit fuzzy matching
    terms: list[str] = field(default_factory=list)  # Arshif: the index terms of the query's words
    planned: list[str] = field(default_factory=list)  # Arshif: the shards its own plan says it needs
    fetches: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: str = ""  # Arshif: what the fetches were found to be, when they are as they should be

    def total(self, predicate) -> tuple[int, int, int]:
        """(requests, bytes sent, raw bytes) of the fetches PREDICATE accepts."""
        chosen = [f for f in self.fetches if predicate(f["path"])]
        return len(chosen), sum(f["sent"] for f in chosen), sum(f["raw"] for f in chosen)


def arshif_data(path: str) -> bool:
    return path.startswith("search/") and path != "search/" and not path.startswith("search/index.html") \
        and not path.startswith("search/?")


def arshif_code(path: str) -> bool:
    return path.startswith("assets/js/") and any(name in path for name in ("lunr", "search"))


def pagefind_data(path: str) -> bool:
    return path.startswith("pagefind/") and not pagefind_code(path)


def pagefind_code(path: str) -> bool:
    return path.startswith("pagefind/") and (path.endswith(".pagefind") or path.endswith(".js"))


# What the search page's own code says a query needs (theme/js/search-index.js), asked in the page
# once the results are shown; the manifest is passed in, so that asking fetches nothing.
ARSHIF_PLAN = """([manifest, text, retry]) => {
  const words = text.split(/\\s+/).filter(Boolean);
  const terms = [...new Set(words.flatMap(word => ArshifArabic.tokens(word)))];
  const shards = ArshifSearchIndex.plan(manifest, text).shards;
  const retried = retry ? ArshifSearchIndex.plan(manifest, retry).shards : [];
  return {terms, shards: [...new Set([...shards, ...retried])]};
}"""


def fuzzy_retry(text: str) -> str | None:
    """The query search.js tries again when one finds nothing: each word allowed one edit."""
    if re.search(r"[+\-:*~^]", text):
        return None
    words = text.split()
    return " ".join(f"{word}~1" for word in words) if words else None


def run_query(browser, server: Server, url: str, tool: str, query: str, timeout_ms: float,
              manifest: dict | None = None) -> QueryResult:
    """One query in a fresh browser context; for Arshif, MANIFEST lets the page say what it needed."""
    result = QueryResult(tool, query)
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(DONE_WATCH)
    page.on("pageerror", lambda error: result.errors.append(f"page error: {error}"))
    page.on("console", lambda m: result.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    server.take()
    try:
        page.goto(url, wait_until="domcontentloaded")
        if tool == "arshif":
            page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=timeout_ms)
        else:
            page.wait_for_selector("body[data-state=done]", state="attached", timeout=timeout_ms)
        time.sleep(0.3)  # anything still in flight after the results are shown is counted too
        result.ms = page.evaluate("window.__doneAt || null")
        if tool == "arshif":
            status = page.inner_text("#search-status")
            digits = re.sub(r"[٬,.\u066c\s]", "", status.translate(DIGITS))
            number = re.search(r"\d+", digits)
            result.count = int(number.group()) if number else (0 if "لا نتائج" in status else None)
            result.urls = page.eval_on_selector_all("#search-results .search-result h2 a",
                                                    "links => links.map(a => a.getAttribute('href'))")
            result.shown = len(result.urls)
            if page.locator("#search-status.no-results").count() and "لا نتائج" not in status:
                result.errors.append(f"search page status: {status}")
            result.approximate = bool(page.locator("#search-status.approximate").count())
            if manifest is not None:
                retry = fuzzy_retry(query) if result.approximate or result.count == 0 else None
                plan = page.evaluate(ARSHIF_PLAN, [manifest, query, retry])
                result.terms, result.planned = plan["terms"], plan["shards"]
        else:
            error = page.get_attribute("body", "data-error")
            if error:
                result.errors.append(f"pagefind: {error}")
            count = page.get_attribute("body", "data-count")
            result.count = int(count) if count else None
            result.urls = json.loads(page.get_attribute("body", "data-urls") or "[]")
            result.shown = len(result.urls)
    except Exception as error:
        result.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        context.close()
    result.fetches = [asdict(f) for f in server.take()]
    for fetch in result.fetches:
        if fetch["status"] != 200:
            result.errors.append(f"HTTP {fetch['status']} for {fetch['path']}")
    return result


def shard_id(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".json")


def shards_of(terms: list[str], manifest: dict) -> set[str]:
    """The shards that hold TERMS: for each, the last shard starting at or before it (as the manifest
    lists them, sorted by first term), found here apart from the page's own code."""
    starts = [start for start, _ in manifest["shards"]]
    return {manifest["shards"][max(bisect.bisect_right(starts, term) - 1, 0)][1] for term in terms}


def arshif_expectations(result: QueryResult, numbers: dict[str, int], manifest: dict) -> list[str]:
    """What Arshif's search page should fetch for a query: index.json once; the shards its own plan
    names, which for a plain query are the shards holding its terms, at most one per term (a fuzzy
    or prefix query may need more); the bundles that hold the results shown (NUMBERS: a result's
    address to its document number) and no other; nothing twice. Sets result.checked to a summary
    when all holds; returns the differences."""
    problems = []
    paths = [f["path"] for f in result.fetches if arshif_data(f["path"])]
    counts = collections.Counter(paths)
    twice = [p for p, n in counts.items() if n > 1]
    if twice:
        problems.append(f"fetched more than once: {', '.join(sorted(twice)[:5])}")
    kind = collections.Counter(_arshif_kind(p) for p in counts)
    if counts["search/index.json"] != 1:
        problems.append(f"index.json fetched {counts['search/index.json']} times")
    shards = {shard_id(p) for p in counts if _arshif_kind(p) == "terms"}
    planned = set(result.planned)
    if shards - planned:
        problems.append(f"{len(shards - planned)} shards fetched that the plan does not name")
    if planned - shards:
        problems.append(f"{len(planned - shards)} shards of the plan not fetched")
    plain = not result.approximate and not re.search(r"[*~]", result.query)
    if plain and len(shards) > len(result.terms):
        problems.append(f"{len(shards)} shards for {len(result.terms)} terms ({', '.join(result.terms)})")
    if plain and shards != shards_of(result.terms, manifest):
        problems.append(f"the shards fetched are not those holding the terms {', '.join(result.terms)}")
    unknown = [url for url in result.urls if url not in numbers]
    if unknown:
        problems.append(f"{len(unknown)} results shown that no bundle holds: {', '.join(unknown[:3])}")
    wanted = {f"search/docs/{numbers[url] // manifest['bundle']}.json" for url in result.urls if url in numbers}
    bundles = {p for p in counts if _arshif_kind(p) == "docs"}
    if bundles - wanted:
        problems.append(f"{len(bundles - wanted)} bundles fetched that hold none of the results shown")
    if wanted - bundles:
        problems.append(f"{len(wanted - bundles)} bundles of the results shown not fetched")
    if result.count is not None and result.shown != min(result.count, FIRST):
        problems.append(f"{result.shown} results shown of {result.count} (expected {min(result.count, FIRST)})")
    other = set(kind) - {"index", "terms", "docs"}
    if other:
        problems.append(f"unexpected fetches: {sorted(other)}")
    if not problems:
        result.checked = (f"as it should: index.json once, {len(shards)} shard{'s' * (len(shards) != 1)} for "
                          f"{len(result.terms)} term{'s' * (len(result.terms) != 1)} "
                          f"({', '.join(result.terms)}){', after a fuzzy retry' if result.approximate else ''}, "
                          f"{len(bundles)} bundles for {result.shown} results, nothing twice")
    return problems


# --- one size ----------------------------------------------------------------------------------

@dataclass
class SizeResult:
    n: int
    build: dict = field(default_factory=dict)
    edit: dict = field(default_factory=dict)
    pagefind: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # file counts: Arshif's search/, its whole output, Pagefind's bundle
    pagefind_index: dict = field(default_factory=dict)
    queries: list[dict] = field(default_factory=list)
    loads: list[tuple[str, list[float]]] = field(default_factory=list)  # the load average as the run went
    notes: list[str] = field(default_factory=list)

    def note_load(self, moment: str) -> None:
        self.loads.append((moment, [round(x, 2) for x in os.getloadavg()]))


def prepare_site(n: int, args: argparse.Namespace) -> tuple[bench_run.Workspace, Path]:
    """A fresh copy of the cached corpus with the checkout's site.toml, templates/ and theme/, as
    run.py's Workspace lays it out (so run.py's edits apply), under OUT/nN."""
    source = bench_run.ensure_corpus(n, args.seed, args.page_size, ENGINE)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    ws = bench_run.Workspace(n, OUT / f"n{n}", manifest, ENGINE, args.page_size)
    bench_run.rm(ws.site, ws.out)
    say(f"copying the corpus of {n} articles to {ws.site.relative_to(ENGINE)}")
    shutil.copytree(source / "arshif" / "content", ws.site / "content")
    model = (ENGINE / "site.toml").read_text(encoding="utf-8")
    (ws.site / "site.toml").write_text(corpus.arshif_site_toml(model, args.page_size), encoding="utf-8")
    shutil.copytree(ENGINE / "templates", ws.site / "templates")
    shutil.copytree(ENGINE / "theme", ws.site / "theme")
    return ws, source


def arshif_build(ws: bench_run.Workspace, log: Path, clean: bool) -> tuple[Timed, dict]:
    cmd = [ENGINE_PYTHON, ENGINE / "generate.py", "build", "--root", ws.site, "--output", ws.out, "--quiet"]
    build = timed(cmd + (["--clean"] if clean else []), log, env={**os.environ, "ARSHIF_TIMINGS": "1"}, cwd=ws.root)
    return build, {"wall": build.wall, "cpu": build.cpu, "rss_mb": build.rss_mb, "rc": build.rc,
                   "search": build.phase("search index")}


# Counting an article's words happens as it is parsed, in the parsing workers, so the "search index"
# phase no longer shows it: this times the same counting, in one process, over the built site's articles
# as its cache holds them (drafts too, as the build counts them), from fresh memos.
COUNTING = """
import sqlite3, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from arshif import cache, search
folder = max(Path(sys.argv[2], ".cache", "arshif").glob("*/articles.pickle"), key=lambda p: p.stat().st_mtime).parent
entries = cache._load_chunked(folder, cache._load_pickle(folder / "articles.pickle")["files"])
bodies = dict(sqlite3.connect(folder / "bodies.sqlite").execute("SELECT digest, html FROM bodies"))
articles = [entry.article for entry in entries.values()]
start = time.process_time()
for article in articles:
    search.article_terms(article, bodies.get(article.digest, ""))
print(len(articles), time.process_time() - start)
"""


def counting_seconds(ws: bench_run.Workspace) -> dict:
    """CPU seconds counting every article's search terms (what the parsing workers do beside parsing)."""
    done = subprocess.run([ENGINE_PYTHON, "-c", COUNTING, ENGINE, ws.site], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    articles, seconds = done.stdout.split()
    return {"articles": int(articles), "cpu": float(seconds)}


def own_files(snapshot: bench_run.Snapshot) -> dict[str, tuple]:
    return {path: stat for path, stat in snapshot.items() if Path(path).suffix not in SIBLINGS}


def edit_one_article(ws: bench_run.Workspace, result: SizeResult) -> None:
    """Append a sentence to one article's body (run.py's edit), rebuild, and note the search part of
    that build and which files under search/ it wrote or deleted (.gz/.br siblings left out)."""
    search = ws.out / "search"
    before = own_files(bench_run.snapshot(search))
    edited = bench_run.edit_body(ws, 0)
    say(f"n={ws.n}: Arshif rebuild after one article's body was edited ({edited.relative_to(ws.site)})")
    build, result.edit = arshif_build(ws, ws.logs / "arshif-edit.log", clean=False)
    result.edit["article"] = str(edited.relative_to(ws.site))
    if build.rc != 0:
        result.notes.append(f"the rebuild after the edit failed (exit {build.rc}); see {ws.logs}/arshif-edit.log")
        return
    if result.edit["search"] is None:
        result.notes.append("no 'search index' line in the ARSHIF_TIMINGS output of the edit's rebuild")
    after = own_files(bench_run.snapshot(search))
    written = sorted(path for path, stat in after.items() if before.get(path) != stat)
    result.edit["written"] = written
    result.edit["deleted"] = sorted(path for path in before if path not in after)


def run_size(n: int, args: argparse.Namespace, queries: list[Query] | None,
             playwright) -> tuple[SizeResult, list[Query]]:
    result = SizeResult(n)
    result.note_load("start")
    ws, source = prepare_site(n, args)
    queries = queries or default_queries(source, ws.manifest)
    out = ws.out

    say(f"n={n}: Arshif cold build")
    build, result.build = arshif_build(ws, ws.logs / "arshif-build.log", clean=True)
    result.note_load("after the cold build")
    if build.rc != 0 or not (out / "search" / "index.json").is_file():
        result.notes.append(f"the Arshif build failed (exit {build.rc}); see {ws.logs}/arshif-build.log")
        return result, queries
    if result.build["search"] is None:
        result.notes.append("no 'search index' line in the ARSHIF_TIMINGS output")
    result.build["counting"] = counting_seconds(ws)

    kinds = arshif_index_files(out)
    everything = [p for paths in kinds.values() for p in paths]
    result.index = {kind: sizes(paths) for kind, paths in kinds.items()}
    result.index["total"] = sizes(everything)
    result.index["compress_s"] = compression_seconds(everything)
    result.files = {"search": file_count(out / "search"), "site": file_count(out)}

    edit_one_article(ws, result)
    result.note_load("after the edit's rebuild")
    manifest = json.loads((out / "search" / "index.json").read_text(encoding="utf-8"))
    result.index["count"] = manifest.get("count")
    if manifest.get("count") != n:
        result.notes.append(f"the manifest counts {manifest.get('count')} documents, not {n}")
    numbers = {doc["url"]: int(number) for path in (out / "search" / "docs").glob("*.json")
               for number, doc in json.loads(path.read_text(encoding="utf-8")).items()}

    say(f"n={n}: Pagefind over the same {n} article pages")
    bundle = out / "pagefind"
    bench_run.rm(bundle)
    pf_log = ws.logs / "pagefind.log"
    pf = timed([PAGEFIND_PYTHON, "-m", "pagefind", "--site", out, "--glob", PAGEFIND_GLOB,
                "--root-selector", PAGEFIND_ROOT], pf_log, cwd=ws.root)
    result.note_load("after Pagefind")
    indexed = re.search(r"Indexed (\d+) pages", pf_log.read_text(errors="replace"))
    words = re.search(r"Indexed (\d+) words", pf_log.read_text(errors="replace"))
    result.pagefind = {"wall": pf.wall, "cpu": pf.cpu, "rss_mb": pf.rss_mb, "rc": pf.rc,
                       "pages": int(indexed.group(1)) if indexed else None,
                       "words": int(words.group(1)) if words else None}
    if pf.rc != 0:
        result.notes.append(f"Pagefind failed (exit {pf.rc}); see {pf_log}")
    elif result.pagefind["pages"] != n:
        result.notes.append(f"Pagefind indexed {result.pagefind['pages']} pages, not {n}")
    pf_kinds = pagefind_files(bundle) if bundle.is_dir() else {}
    result.pagefind_index = {kind: sizes(paths) for kind, paths in pf_kinds.items()}
    used = [p for kind, paths in pf_kinds.items() if kind != "UI (not used here)" for p in paths]
    result.pagefind_index["total"] = sizes(used)
    result.files["pagefind"] = {"all": sum(len(paths) for paths in pf_kinds.values()), "used": len(used)}

    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    base = re.search(r'data-index="([^"]*)search/"', search_page)
    base_path = base.group(1) if base else "/"
    (out / "pf-bench.html").write_text(PAGEFIND_PAGE % {"bundle": base_path + "pagefind/", "first": FIRST},
                                       encoding="utf-8")
    server = Server(out, base_path)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        for query in queries:
            for tool, url in (("arshif", f"{base_path}search/?q={quote(query.text)}"),
                              ("pagefind", f"{base_path}pf-bench.html?q={quote(query.text)}")):
                say(f"n={n}: {tool} «{query.text}»")
                if tool == "pagefind" and pf.rc != 0:
                    continue
                answer = run_query(browser, server, server.origin + url, tool, query.text, args.query_timeout * 1000,
                                   manifest if tool == "arshif" else None)
                if tool == "arshif" and not answer.errors:
                    answer.errors += arshif_expectations(answer, numbers, manifest)
                result.queries.append({"label": query.label, **asdict(answer)})
    finally:
        browser.close()
        server.close()
    result.note_load("after the queries")
    return result, queries


# --- the report --------------------------------------------------------------------------------

def kb(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1024:,.1f} KB" if value < 1024 * 1024 else f"{value / 1024 / 1024:,.2f} MB"


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}"


COLD_TARGET, EDIT_TARGET, BYTES_TARGET = 3.0, 0.1, 200 * 1024  # issue 11's bars at 10,000 articles
TARGET_SIZE = 10_000


def per_ten(files: int | None, n: int) -> str:
    return "–" if files is None else f"{files * 10 / n:.2f}"


def _edit_files(edit: dict) -> str:
    """What the edit's rebuild wrote under search/, by kind."""
    kinds = collections.Counter(_arshif_kind("search/" + path) for path in edit.get("written", []))
    gone = len(edit.get("deleted", []))
    parts = [f"{kinds.pop('index', 0)} manifest", f"{kinds.pop('terms', 0)} shards", f"{kinds.pop('docs', 0)} bundles"]
    parts += [f"{count} {kind}" for kind, count in sorted(kinds.items())]
    return ", ".join(parts) + (f"; {gone} deleted" if gone else "")


def size_table(r: SizeResult) -> str:
    rows = ["| | Arshif | Pagefind | Arshif ÷ Pagefind |", "|---|---|---|---|"]
    b, p, s = r.build, r.pagefind, r.build.get("search") or {}
    e, es = r.edit, r.edit.get("search") or {}
    bar = r.n >= TARGET_SIZE
    cold_mark = (" ✓" if s.get("cpu") is not None and s["cpu"] <= COLD_TARGET else " ✗") if bar else ""
    edit_mark = (" ✓" if es.get("cpu") is not None and es["cpu"] <= EDIT_TARGET else " ✗") if bar else ""
    rows.append(f"| **search index, cold build: CPU s** (user + sys; target at 10k ≤ {COLD_TARGET:g}) "
                f"| **{num(s.get('cpu'))}**{cold_mark} (wall {num(s.get('wall'))}; the whole build "
                f"{num(b.get('cpu'), 1)} s CPU, {num(b.get('wall'), 1)} s wall) "
                f"| **{num(p.get('cpu'))}** (wall {num(p.get('wall'))}) | {ratio(s.get('cpu'), p.get('cpu'))} |")
    counting = b.get("counting") or {}
    if "cpu" in counting:
        total = counting["cpu"] + (s.get("cpu") or 0)
        total_mark = (" ✓" if total <= COLD_TARGET else " ✗") if bar else ""
        rows.append(f"| …counting the articles' words, done while they are parsed (in the parsing workers; "
                    f"re-timed by the bench in one process, CPU s) | {num(counting['cpu'])} for "
                    f"{counting['articles']:,} articles: with the phase above, **{num(total)}**{total_mark} "
                    f"for search in all | | |")
    elif counting:
        rows.append(f"| …counting the articles' words | not measured: {counting['error']} | | |")
    rows.append(f"| **search index, one-article edit: CPU s** (target at 10k ≤ {EDIT_TARGET:g}) "
                f"| **{num(es.get('cpu'), 3)}**{edit_mark} (wall {num(es.get('wall'), 3)}; the whole rebuild "
                f"{num(e.get('cpu'), 2)} s CPU, {num(e.get('wall'), 2)} s wall) "
                f"| as cold: it has no incremental indexing, an edit means indexing every page again | |")
    rows.append(f"| …search files the edit's rebuild wrote (.gz/.br siblings aside) | {_edit_files(e)} "
                f"| – (no incremental run) | |")
    compress = r.index.get("compress_s", {})
    if compress:
        rows.append(f"| …of the cold figure, pre-compressing the index (re-timed by the bench, CPU s) | "
                    f"{num(compress.get('gzip'))} gzip + {num(compress.get('br'))} brotli | – (its files are "
                    f"gzip inside) | |")
    rows.append(f"| peak RSS MB | {num(s.get('rss_peak_mb'), 0)} during the search part "
                f"(+{num((s.get('rss_peak_mb') or 0) - (s.get('rss_before_mb') or 0), 0)} over its start); "
                f"{num(b.get('rss_mb'), 0)} for the whole build | {num(p.get('rss_mb'), 0)} "
                f"| {ratio(s.get('rss_peak_mb'), p.get('rss_mb'))} |")
    t, pt = r.index.get("total", {}), r.pagefind_index.get("total", {})
    i, f = r.index, r.files
    search, site, pagefind = f.get("search", {}), f.get("site", {}), f.get("pagefind", {})
    own = search.get("own")
    files_mark = (" ✓" if own is not None and own * 10 <= r.n else " ✗") if own is not None else ""
    rows.append(f"| **files under search/** (bar: ≤ 1 per 10 articles) | **{_n(own)}**{files_mark} "
                f"({per_ten(own, r.n)} per 10 articles); {_n(search.get('all'))} with the .gz/.br siblings "
                f"({per_ten(search.get('all'), r.n)} per 10) | **{_n(pagefind.get('all'))}** "
                f"({per_ten(pagefind.get('all'), r.n)} per 10 articles; {_n(pagefind.get('used'))} without the "
                f"UI files) | {ratio(own, pagefind.get('all'))} |")
    pfk = r.pagefind_index
    files = (f"index.json + {i.get('terms', {}).get('files', 0)} term shards + {i.get('docs', {}).get('files', 0)} "
             f"result bundles + the search page")
    pf_files = (f"{pfk.get('index', {}).get('files', 0)} index chunks + "
                f"{pfk.get('fragment', {}).get('files', 0)} fragments + {pfk.get('meta', {}).get('files', 0)} meta + "
                f"{pfk.get('search code', {}).get('files', 0)} code + "
                f"{pfk.get('UI (not used here)', {}).get('files', 0)} UI")
    rows.append(f"| …of which | {files} | {pf_files} | |")
    rows.append(f"| files of the whole site | {_n(site.get('own'))}; {_n(site.get('all'))} with the siblings | | |")
    rows.append(f"| index size, raw | {kb(t.get('raw'))} | {kb(pt.get('raw'))} (as written, its data gzip inside) "
                f"| {ratio(t.get('raw'), pt.get('raw'))} |")
    rows.append(f"| index size, gzip | **{kb(t.get('gzip'))}** (brotli: {kb(t.get('br'))}) | **{kb(pt.get('gzip'))}** "
                f"| {ratio(t.get('gzip'), pt.get('gzip'))} |")
    parts = ", ".join(f"{k} {kb(i[k]['gzip'])}" for k in ("manifest", "terms", "docs") if k in i)
    pf_parts = ", ".join(f"{k} {kb(v['gzip'])}" for k, v in pfk.items() if k not in ("total", "UI (not used here)"))
    rows.append(f"| …by part, gzip | {parts} | {pf_parts} | |")
    by_query: dict[str, dict[str, dict]] = collections.defaultdict(dict)
    for q in r.queries:
        by_query[q["query"]][q["tool"]] = q
    for text, tools in by_query.items():
        a, f = QueryResult(**_fields(tools.get("arshif"))), QueryResult(**_fields(tools.get("pagefind")))
        label = (tools.get("arshif") or tools.get("pagefind"))["label"]
        rows.append(f"| **«{text}»**: {label} | | | |")
        rows.append(f"| results found (details loaded for the first {FIRST}) | {_n(a.count)} ({a.shown}) "
                    f"| {_n(f.count)} ({f.shown}) | |")
        an, asent, _ = a.total(arshif_data)
        fn, fsent, _ = f.total(pagefind_data)
        one_word = len(text.split()) == 1
        mark = (" ✓" if asent <= BYTES_TARGET else " ✗") if bar and one_word and an else ""
        rows.append(f"| index data fetched, gzip (requests){' (bar: ≤ 200 KB)' if bar and one_word else ''} "
                    f"| **{kb(asent)}**{mark} ({an}: {_arshif_breakdown(a)}) "
                    f"| **{kb(fsent)}** ({fn}: {_pagefind_breakdown(f)}) | **{ratio(asent, fsent)}** |")
        cn, csent, _ = a.total(arshif_code)
        pn, psent, _ = f.total(pagefind_code)
        rows.append(f"| + search code, gzip (requests) | {kb(asent + csent)} (+{cn}: lunr.js and 3 scripts) "
                    f"| {kb(fsent + psent)} (+{pn}: pagefind.js, wasm) | {ratio(asent + csent, fsent + psent)} |")
        rows.append(f"| time to results, ms (from navigation; indicative) | {num(a.ms, 0)} | {num(f.ms, 0)} | |")
        if a.checked:
            rows.append(f"| what Arshif's page fetched | {a.checked} | | |")
        for tool, answer in (("Arshif", a), ("Pagefind", f)):
            if answer.errors:
                rows.append(f"| ⚠ {tool} | {'; '.join(dict.fromkeys(answer.errors))[:600]} | | |")
    return "\n".join(rows)


def _fields(q: dict | None) -> dict:
    if not q:
        return {"tool": "", "query": ""}
    return {k: v for k, v in q.items() if k != "label"}


def _n(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _arshif_kind(path: str) -> str:
    parts = path.split("/")
    return "index" if len(parts) == 2 else parts[1]


def _arshif_breakdown(q: QueryResult) -> str:
    kinds, sent = collections.Counter(), collections.Counter()
    for f in q.fetches:
        if arshif_data(f["path"]):
            kinds[_arshif_kind(f["path"])] += 1
            sent[_arshif_kind(f["path"])] += f["sent"]
    names = {"index": "index.json", "terms": "shards", "docs": "bundles"}
    return ", ".join(f"{names[k]} {kinds[k]}× {kb(sent[k])}" for k in names if kinds[k])


def _pagefind_breakdown(q: QueryResult) -> str:
    def kind(path: str) -> str:
        if "/index/" in path:
            return "index"
        if "/fragment/" in path:
            return "fragments"
        return "meta"
    kinds, sent = collections.Counter(), collections.Counter()
    for f in q.fetches:
        if pagefind_data(f["path"]):
            kinds[kind(f["path"])] += 1
            sent[kind(f["path"])] += f["sent"]
    return ", ".join(f"{k} {kinds[k]}× {kb(sent[k])}" for k in ("meta", "index", "fragments") if kinds[k])


def report(results: list[SizeResult], queries: list[Query], meta: dict) -> str:
    lines = ["# Arshif search (v2) against Pagefind", "",
             f"Run {meta['when']} on {meta['machine']}; Pagefind {meta['pagefind']}, Chromium {meta['chromium']}. "
             f"Engine {meta['engine']}. One run per size on a shared machine (the load average as the run went "
             "is under each table): the times are indicative, the byte and file counts are exact.", "",
             "Queries (the same at every size): " + "; ".join(f"{q.label}: «{q.text}»" for q in queries) + ".", "",
             "*Search index* times are the \"search index\" phase of `ARSHIF_TIMINGS=1`: of a cold "
             "`build --clean`, then of a rebuild after a sentence was appended to one article's body. "
             f"Bytes are what the bench's server sent for the first {FIRST} results with an empty browser cache: "
             "the build's .gz sibling where it has one, else gzip -6 on the fly for text, else the file "
             "(Pagefind's index files are gzip inside). *Index data* is Arshif's search/ files (index.json, "
             "term shards, result bundles) and Pagefind's bundle less its code; *search code* adds lunr.js and "
             "Arshif's three search scripts, or pagefind.js and its wasm. Pagefind indexes the same article pages "
             f"(`--glob '{PAGEFIND_GLOB}' --root-selector {PAGEFIND_ROOT}`). ✓/✗ mark issue 11's bars, which are "
             f"set at {TARGET_SIZE:,} articles (the file count's at every size).", ""]
    for r in results:
        lines += [f"## {r.n:,} articles", "", size_table(r), ""]
        if r.loads:
            lines += ["Load average (1, 5, 15 min): " + "; ".join(
                f"{moment} {', '.join(f'{x:.2f}' for x in load)}" for moment, load in r.loads) + ".", ""]
        lines += [f"- ⚠ {note}" for note in r.notes]
        if r.notes:
            lines.append("")
    return "\n".join(lines)


def metadata() -> dict:
    def output(cmd: list) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    commit = output(["git", "-C", str(ENGINE), "log", "-1", "--format=%h %s"])
    dirty = subprocess.run(["git", "-C", str(ENGINE), "status", "--porcelain", "arshif", "templates", "theme"],
                           capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()
    return {"when": f"{datetime.now():%Y-%m-%d %H:%M}",
            "machine": f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the start",
            "pagefind": re.sub(r"^pagefind(_extended)? ", "", output([PAGEFIND_PYTHON, "-m", "pagefind", "--version"]))
            + (" (extended)" if "extended" in output([PAGEFIND_PYTHON, "-c", PAGEFIND_BINARY]) else ""),
            "chromium": output([CHROMIUM, "--version"]).replace("Chromium ", ""),
            "engine": f"`{commit[:60]}`" + (" with uncommitted changes" if dirty else "")}


def main(argv: list[str] | None = None) -> int:
    # A user's Python keeps compiled bytecode; without it every measured build would compile Arshif again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=BENCH / "search-results.md")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--page-size", type=int, default=corpus.DEFAULT_PAGE_SIZE)
    parser.add_argument("--query", action="append", default=[], metavar="WORDS",
                        help="a query to measure instead of the defaults (repeat for several)")
    parser.add_argument("--query-timeout", type=float, default=180, help="seconds to wait for results")
    args = parser.parse_args(argv)

    problems = [f"{tool} is missing" for tool in (TIME, CHROMIUM) if not Path(tool).exists()]
    if not ENGINE_PYTHON.exists():
        problems.append("the engine's .venv is missing: make build")
    if not PAGEFIND_PYTHON.exists():
        problems.append(f"Pagefind is missing: python3 -m venv {PAGEFIND_VENV.relative_to(ENGINE)} && "
                        f"{PAGEFIND_VENV.relative_to(ENGINE)}/bin/pip install 'pagefind[extended]'")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    meta = metadata()
    queries = [Query("given", q) for q in args.query] or None
    results = []
    with sync_playwright() as playwright:
        for n in sorted(set(args.sizes)):
            result, queries = run_size(n, args, queries, playwright)
            results.append(result)
    text = report(results, queries or [], meta)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    raw = OUT / f"results-{datetime.now():%Y%m%d-%H%M%S}.json"
    raw.write_text(json.dumps({"meta": meta, "queries": [asdict(q) for q in queries or []],
                               "results": [asdict(r) for r in results]}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    say(f"wrote {args.out} and {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark Arshif against Hugo, Pelican and the Python-Markdown floor, side by side, in one run.

    python bench/run.py --sizes 1000 10000 [--repeat 3] [--cold-only-size 100000] [--out bench/results.md]

For each size: generate (or reuse) the corpus, then, --repeat times, time with /usr/bin/time -v:
Arshif cold, no-change rebuild and rebuilds after one edit each (body, new article, tags,
template), Hugo cold, Pelican cold and the floor. Prints a Markdown table of medians, with ratios
to Hugo and Pelican from the same run, and writes it to --out. README.md in this folder explains
each row.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

OUT = BENCH / "out"
TIME = "/usr/bin/time"
HUGO = shutil.which("hugo") or "hugo"
PELICAN = BENCH / ".venv-pelican" / "bin" / "pelican"
ADDED_NAME = "bench-added-article"


# --- timing ------------------------------------------------------------------------------------

@dataclass
class Sample:
    """One timed process: /usr/bin/time's figures, the sampled memory of its process tree."""

    wall: float | None = None
    cpu: float | None = None
    rss_mb: float | None = None
    tree_mb: float | None = None
    rc: int = 0
    written: int | None = None
    deleted: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0 and self.wall is not None


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and all its descendants, keeping the peak.

    /usr/bin/time's "Maximum resident set size" is that of the largest single process; a build
    that forks workers needs the sum, which this gives (PSS shares copy-on-write pages fairly).
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            children = _children_map()
            todo, total = list(children.get(self.pid, [])), 0  # skip /usr/bin/time itself
            while todo:
                pid = todo.pop()
                total += _pss_kb(pid)
                todo += children.get(pid, [])
            self.peak_kb = max(self.peak_kb, total)
            self.stopped.wait(self.interval)


def parse_time_v(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key.startswith("Elapsed (wall clock) time"):
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            values["wall"] = seconds
        elif key == "User time (seconds)":
            values["user"] = float(value)
        elif key == "System time (seconds)":
            values["system"] = float(value)
        elif key == "Maximum resident set size (kbytes)":
            values["rss_kb"] = float(value)
        elif key == "Exit status":
            values["status"] = float(value)
    return values


def timed(cmd: list[str], log: Path, *, cwd: Path | None = None, timeout: float | None = None) -> Sample:
    """Run CMD under /usr/bin/time -v; its output goes to LOG."""
    log.parent.mkdir(parents=True, exist_ok=True)
    time_file = log.with_suffix(".time")
    with open(log, "wb") as out:
        process = subprocess.Popen([TIME, "-v", "-o", str(time_file), *map(str, cmd)], cwd=cwd,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        sampler = TreeMemory(process.pid)
        sampler.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            sampler.stopped.set()
            return Sample(rc=-1, note=f"timed out after {timeout:.0f} s")
        finally:
            sampler.stopped.set()
            sampler.join()
    values = parse_time_v(time_file.read_text(errors="replace")) if time_file.exists() else {}
    sample = Sample(wall=values.get("wall"), rc=process.returncode,
                    cpu=values.get("user", 0) + values.get("system", 0) if "user" in values else None,
                    rss_mb=values["rss_kb"] / 1024 if "rss_kb" in values else None,
                    tree_mb=sampler.peak_kb / 1024 if sampler.peak_kb else None)
    if process.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        sample.note = f"exit {process.returncode}: " + " / ".join(t.strip() for t in tail)[:300]
    return sample


# --- output inspection -------------------------------------------------------------------------

Snapshot = dict[str, tuple[int, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file below FOLDER with its inode, modification time and size."""
    files: Snapshot = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            files[os.path.relpath(path, folder)] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return files


def changes(before: Snapshot, after: Snapshot) -> tuple[int, int]:
    """(files written: new, or with another inode or modification time; files deleted)."""
    written = sum(1 for path, stat in after.items() if before.get(path) != stat)
    return written, sum(1 for path in before if path not in after)


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def inspect_output(out: Path, manifest: dict, feed_names: tuple[str, ...]) -> dict:
    """What a build wrote: files, article pages present for the corpus, tag pages, list pages, feeds."""
    files = [p for p in out.rglob("*") if p.is_file()]
    articles = sum(1 for a in manifest["articles"] if (out / str(a["year"]) / a["slug"] / "index.html").is_file())
    tag_pages = sum(1 for p in (out / "tags").glob("*/index.html")) if (out / "tags").is_dir() else 0
    paged = sum(1 for p in files if p.name == "index.html" and p.parent.parent.name == "page"
                and p.parent.name.isdigit() and int(p.parent.name) >= 2)
    feeds = sum(1 for p in files if p.name in feed_names)
    return {"files": len(files), "articles": articles, "expected": len(manifest["articles"]),
            "tag_pages": tag_pages, "tags_used": len(manifest["tags_used"]), "later_list_pages": paged,
            "feeds": feeds}


# --- the corpus and the working copies ---------------------------------------------------------

def corpus_dir(n: int, seed: int, page_size: int) -> Path:
    digest = hashlib.sha256((BENCH / "corpus.py").read_bytes()).hexdigest()[:10]
    return OUT / "corpus" / f"n{n}-s{seed}-p{page_size}-{digest}"


def ensure_corpus(n: int, seed: int, page_size: int, engine: Path) -> Path:
    """The corpus for (N, seed, page size, corpus.py version), generated once and cached."""
    folder = corpus_dir(n, seed, page_size)
    if (folder / "DONE").exists():
        return folder
    for stale in folder.parent.glob(f"n{n}-s{seed}-p{page_size}-*"):
        shutil.rmtree(stale)
    say(f"generating the corpus of {n} articles (seed {seed}) in {folder.relative_to(BENCH.parent)}")
    started = time.perf_counter()
    corpus.write_sites(n, folder / "arshif", seed=seed, hugo_dir=folder / "hugo", pelican_dir=folder / "pelican",
                       page_size=page_size, arshif_root=engine, manifest=folder / "manifest.json",
                       progress=n >= 20_000)
    (folder / "DONE").write_text(f"{time.perf_counter() - started:.1f} s\n")
    return folder


def fresh_copy(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def rm(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


@dataclass
class Workspace:
    n: int
    root: Path
    manifest: dict
    engine: Path
    page_size: int

    @property
    def site(self) -> Path:
        return self.root / "arshif-site"

    @property
    def out(self) -> Path:
        return self.root / "arshif-out"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @classmethod
    def prepare(cls, n: int, seed: int, page_size: int, engine: Path) -> Workspace:
        """Copies of the cached corpus; the Arshif site gets site.toml, templates/ and theme/ afresh
        from the engine checkout, so it always matches the engine being measured."""
        source = ensure_corpus(n, seed, page_size, engine)
        root = OUT / "work" / f"n{n}"
        rm(root)
        root.mkdir(parents=True)
        say(f"copying the corpus of {n} articles to {root.relative_to(BENCH.parent)}")
        shutil.copytree(source / "arshif" / "content", root / "arshif-site" / "content")
        model = (engine / "site.toml").read_text(encoding="utf-8")
        (root / "arshif-site" / "site.toml").write_text(corpus.arshif_site_toml(model, page_size), encoding="utf-8")
        shutil.copytree(engine / "templates", root / "arshif-site" / "templates")
        shutil.copytree(engine / "theme", root / "arshif-site" / "theme")
        fresh_copy(source / "hugo", root / "hugo-site")
        fresh_copy(source / "pelican", root / "pelican-site")
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
        return cls(n, root, manifest, engine, page_size)


# --- the tools ---------------------------------------------------------------------------------

class Arshif:
    def __init__(self, engine: Path) -> None:
        self.engine = engine
        self.python = engine / ".venv" / "bin" / "python"
        if not self.python.exists():
            self.python = Path(sys.executable)
        help_text = subprocess.run([self.python, engine / "generate.py", "build", "--help"], cwd=engine,
                                   capture_output=True, text=True).stdout
        self.has_clean = "--clean" in help_text

    def command(self, ws: Workspace, clean: bool = False) -> list:
        cmd = [self.python, self.engine / "generate.py", "build", "--root", ws.site, "--output", ws.out, "--quiet"]
        return cmd + (["--clean"] if clean and self.has_clean else [])

    def cold(self, ws: Workspace, log: Path, timeout: float) -> Sample:
        rm(ws.site / ".cache", ws.out)
        return timed(self.command(ws, clean=True), log, cwd=ws.root, timeout=timeout)

    def rebuild(self, ws: Workspace, log: Path, timeout: float) -> Sample:
        before = snapshot(ws.out)
        sample = timed(self.command(ws), log, cwd=ws.root, timeout=timeout)
        if sample.ok:
            sample.written, sample.deleted = changes(before, snapshot(ws.out))
        return sample

    def untimed(self, ws: Workspace, log: Path, timeout: float) -> str:
        """A build that puts the cache and output back in step after an edit was undone."""
        with open(log, "wb") as out:
            try:
                done = subprocess.run(list(map(str, self.command(ws))), cwd=ws.root, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=timeout)
            except subprocess.TimeoutExpired:
                return "the restoring build timed out"
        return "" if done.returncode == 0 else f"the restoring build failed (exit {done.returncode}), see {log}"


def hugo_cold(ws: Workspace, log: Path, timeout: float) -> Sample:
    site, out = ws.root / "hugo-site", ws.root / "hugo-out"
    rm(out, site / "resources", site / ".hugo_build.lock", site / "public")
    return timed([HUGO, "--source", site, "--destination", out, "--quiet", "--ignoreCache"], log,
                 cwd=ws.root, timeout=timeout)


def pelican_cold(ws: Workspace, log: Path, timeout: float) -> Sample:
    site, out = ws.root / "pelican-site", ws.root / "pelican-out"
    rm(out, site / "cache", site / "__pycache__")
    sample = timed([PELICAN, site / "content", "--settings", site / "pelicanconf.py", "--output", out, "--quiet"],
                   log, cwd=site, timeout=timeout)
    problems = [line for line in log.read_text(errors="replace").splitlines() if re.search(r"ERROR|CRITICAL", line)]
    if problems:
        sample.note = (sample.note + " " if sample.note else "") + f"{len(problems)} error lines: {problems[0][:200]}"
    return sample


def floor(ws: Workspace, log: Path, timeout: float, python: Path) -> Sample:
    sample = timed([python, BENCH / "floor.py", ws.site, "--arshif-root", ws.engine], log,
                   cwd=ws.root, timeout=timeout)
    if sample.ok:
        try:
            report = json.loads(log.read_text().strip().splitlines()[-1])
            sample.note = f"converting alone: {report['seconds']:.2f} s ({report['files']} bodies)"
        except (ValueError, IndexError, KeyError):
            pass
    return sample


# --- the edits ---------------------------------------------------------------------------------

def target_article(ws: Workspace) -> dict:
    """The article the edits touch: the middle one in date order (deterministic)."""
    ordered = sorted(ws.manifest["articles"], key=lambda a: (a["date"], a["slug"]))
    return ordered[len(ordered) // 2]


@contextmanager
def restoring(*paths: Path) -> Iterator[None]:
    """Put PATHS back exactly as they were (bytes and modification time, or absence)."""
    saved = {p: (p.read_bytes(), p.stat()) if p.exists() else None for p in paths}
    try:
        yield
    finally:
        for path, state in saved.items():
            if state is None:
                rm(path)
            else:
                path.write_bytes(state[0])
                os.utime(path, ns=(state[1].st_atime_ns, state[1].st_mtime_ns))


def edit_body(ws: Workspace, round_: int) -> Path:
    path = ws.site / target_article(ws)["file"]
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\nفقرة أضيفت إلى نص المقال لقياس إعادة البناء، المرة {round_ + 1}.\n")
    return path


def edit_tags(ws: Workspace, round_: int) -> Path:
    """Drop the article's first tag and add the most popular tag it does not have."""
    path = ws.site / target_article(ws)["file"]
    text = path.read_text(encoding="utf-8")
    found = re.search(r"^tags: \[(.*)\]$", text, flags=re.M)
    assert found, f"no tags line in {path}"
    tags = [t.strip() for t in found.group(1).split(",") if t.strip()]
    new = [*tags[1:], next(slug for slug, _ in corpus.TAGS if slug not in tags)]
    path.write_text(text[:found.start()] + f"tags: [{', '.join(new)}]" + text[found.end():], encoding="utf-8")
    return path


def add_article(ws: Workspace, round_: int) -> Path:
    """A new article, newest of all (as a newsroom adds them), in the corpus's own style."""
    writer = corpus.Writer(ws.manifest["seed"])
    article = writer.article(ws.n + round_)
    article = dataclasses.replace(article, slug=f"{ADDED_NAME}-{round_ + 1}",
                                  date=corpus.END - timedelta(minutes=1))
    path = ws.site / "content" / str(article.year) / f"{article.slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(corpus.arshif_source(article), encoding="utf-8")
    return path


def edit_template(ws: Workspace, round_: int) -> Path:
    """An HTML comment added at the end of the article template's last block, so that every
    article page changes (text appended after the last {% endblock %} of a child template would
    never reach the output)."""
    path = ws.site / "templates" / "article.html"
    text = path.read_text(encoding="utf-8")
    comment = f"<!-- bench: template edit {round_ + 1} -->\n"
    at = text.rfind("{% endblock")
    text = text[:at] + comment + text[at:] if at != -1 else text + comment
    path.write_text(text, encoding="utf-8")
    return path


EDITS: list[tuple[str, Callable[[Workspace, int], Path], Callable[[Workspace, int], Path]]] = [
    ("Arshif rebuild, one article's body edited", edit_body, lambda ws, r: ws.site / target_article(ws)["file"]),
    ("Arshif rebuild, one article added", add_article,
     lambda ws, r: ws.site / "content" / str((corpus.END - timedelta(minutes=1)).year) / f"{ADDED_NAME}-{r + 1}.md"),
    ("Arshif rebuild, one article's tags changed", edit_tags, lambda ws, r: ws.site / target_article(ws)["file"]),
    ("Arshif rebuild, templates/article.html edited", edit_template,
     lambda ws, r: ws.site / "templates" / "article.html"),
]
COLD, NOCHANGE = "Arshif cold", "Arshif no-change rebuild"
SETTLE = "Arshif rebuild right after the cold one"
HUGO_ROW, PELICAN_ROW, FLOOR_ROW = "Hugo cold", "Pelican cold", "Floor: Python-Markdown, all bodies"


# --- the run -----------------------------------------------------------------------------------

def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass
class SizeResult:
    n: int
    cold_only: bool
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    corpus: dict = field(default_factory=dict)

    def add(self, row: str, sample: Sample) -> None:
        self.samples.setdefault(row, []).append(sample)
        shown = (f"{sample.wall:.2f} s wall, {fmt(sample.cpu)} s CPU, {fmt(sample.rss_mb, 0)} MB"
                 if sample.ok else "FAILED")
        extra = f", {sample.written} files written" if sample.written is not None else ""
        say(f"N={self.n} {row}: {shown}{extra}{' — ' + sample.note if sample.note else ''}")

    def median(self, row: str, attr: str) -> float | None:
        values = [getattr(s, attr) for s in self.samples.get(row, []) if s.ok and getattr(s, attr) is not None]
        return statistics.median(values) if values else None


def run_size(n: int, args: argparse.Namespace, arshif: Arshif, cold_only: bool,
             previous: list[SizeResult]) -> SizeResult:
    ws = Workspace.prepare(n, args.seed, args.page_size, args.engine)
    result = SizeResult(n, cold_only)
    result.corpus = {k: ws.manifest[k] for k in ("words", "distinct_word_forms")}
    result.corpus["tags_used"] = len(ws.manifest["tags_used"])
    run_pelican = not args.skip_pelican
    pelican_timeout = args.timeout
    if cold_only and run_pelican:
        measured = [(r.n, r.median(PELICAN_ROW, "wall")) for r in previous if r.median(PELICAN_ROW, "wall")]
        if measured:
            small, wall = max(measured)
            estimate = wall * n / small
            if estimate > args.pelican_limit:
                run_pelican = False
                result.notes[PELICAN_ROW] = (
                    f"not run: estimated ≥ {duration(estimate)} from {wall:.1f} s at N={small:,} "
                    f"(linear scaling), over the {duration(args.pelican_limit)} limit")
        else:
            pelican_timeout = args.pelican_limit
    if args.skip_pelican:
        result.notes[PELICAN_ROW] = "not run (--skip-pelican)"
    if args.skip_hugo:
        result.notes[HUGO_ROW] = "not run (--skip-hugo)"
    for round_ in range(args.repeat):
        tag = f"r{round_ + 1}"
        say(f"N={n}: round {round_ + 1} of {args.repeat}")
        sample = arshif.cold(ws, ws.logs / f"arshif-cold-{tag}.log", args.timeout)
        result.add(COLD, sample)
        cold_digests = None
        if round_ == 0 and sample.ok:
            result.outputs["Arshif"] = inspect_output(ws.out, ws.manifest, ("feed.xml", "atom.xml"))
            cold_digests = digests(ws.out)
        if not cold_only and sample.ok:
            # A --clean build may not save its cache: this build, measured, brings the cache in step
            # (with an engine whose cold build saves it, it is just another no-change build).
            result.add(SETTLE, arshif.rebuild(ws, ws.logs / f"arshif-settle-{tag}.log", args.timeout))
            result.add(NOCHANGE, arshif.rebuild(ws, ws.logs / f"arshif-nochange-{tag}.log", args.timeout))
            for number, (row, edit, touched) in enumerate(EDITS):
                with restoring(touched(ws, round_)):
                    edit(ws, round_)
                    result.add(row, arshif.rebuild(ws, ws.logs / f"arshif-edit{number}-{tag}.log", args.timeout))
                problem = arshif.untimed(ws, ws.logs / f"arshif-restore{number}-{tag}.log", args.timeout)
                if problem:
                    result.notes[row] = problem
            if cold_digests is not None:
                # Every edit was undone and rebuilt: the output must be the cold build's, byte for byte.
                now = digests(ws.out)
                differ = sorted(p for p in cold_digests.keys() | now.keys() if cold_digests.get(p) != now.get(p))
                result.notes[NOCHANGE] = ("after the edits were undone, the output is byte-identical to the cold "
                                          "build's" if not differ else
                                          f"after the edits were undone, {len(differ)} files differ from the cold "
                                          f"build's, e.g. {differ[0]}")
        if not args.skip_hugo:
            sample = hugo_cold(ws, ws.logs / f"hugo-cold-{tag}.log", args.timeout)
            result.add(HUGO_ROW, sample)
            if round_ == 0 and sample.ok:
                result.outputs["Hugo"] = inspect_output(ws.root / "hugo-out", ws.manifest, ("index.xml",))
        if run_pelican:
            sample = pelican_cold(ws, ws.logs / f"pelican-cold-{tag}.log", pelican_timeout)
            result.add(PELICAN_ROW, sample)
            if round_ == 0 and sample.ok:
                result.outputs["Pelican"] = inspect_output(ws.root / "pelican-out", ws.manifest,
                                                           ("feed.xml", "atom.xml"))
            if not sample.ok:
                run_pelican = False  # a timeout or failure would only repeat
                result.notes[PELICAN_ROW] = sample.note
        result.add(FLOOR_ROW, floor(ws, ws.logs / f"floor-{tag}.log", args.timeout, arshif.python))
    return result


# --- the report --------------------------------------------------------------------------------

def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if digits and abs(value) < 1:
        return f"{value:.3f}"
    return f"{value:,.{digits}f}"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return "1×" if value == base else f"{value / base:.2f}×"


def report(results: list[SizeResult], args: argparse.Namespace, meta: dict) -> str:
    lines = [f"# Arshif benchmark — {meta['date']}", ""]
    lines += [f"- Machine: {meta['machine']}",
              f"- Arshif: {meta['arshif']}; Hugo: {meta['hugo']}; Pelican: {meta['pelican']}; "
              f"Python-Markdown {meta['markdown']}",
              f"- Corpus seed {args.seed}, page size {args.page_size}; medians of {args.repeat} run(s); "
              f"\"× Hugo\" and \"× Pelican\" divide a row's wall time (or peak memory) by that tool's cold build "
              f"at the same N, measured in this run.",
              "- Wall and CPU (user + system) seconds and peak RSS from `/usr/bin/time -v` (the RSS of the "
              "largest single process); \"tree PSS\" is the peak summed PSS of the build's whole process tree, "
              "sampled every 0.1 s (what a build with worker processes really holds).",
              "- \"Files written\": files in the output that are new or have a new inode or modification time "
              "after the build, and (after \"+\") files deleted.", ""]
    lines += ["| N | measurement | wall s | CPU s | peak RSS MB | tree PSS MB | files written | wall × Hugo | "
              "wall × Pelican | RSS × Hugo | note |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    order = [COLD, SETTLE, NOCHANGE, *(row for row, _, _ in EDITS), HUGO_ROW, PELICAN_ROW, FLOOR_ROW]
    for result in results:
        hugo_wall, pelican_wall = result.median(HUGO_ROW, "wall"), result.median(PELICAN_ROW, "wall")
        hugo_rss = result.median(HUGO_ROW, "rss_mb")
        for row in order:
            samples = result.samples.get(row, [])
            note = result.notes.get(row, "")
            failed = [s for s in samples if not s.ok]
            if failed:
                note = (note + "; " if note else "") + f"{len(failed)} of {len(samples)} runs failed: {failed[0].note}"
            elif samples and samples[-1].note and samples[-1].note not in note:
                note = (note + "; " if note else "") + samples[-1].note
            if not samples and not note:
                continue
            wall, rss = result.median(row, "wall"), result.median(row, "rss_mb")
            written = result.median(row, "written")
            deleted = result.median(row, "deleted")
            files = "—" if written is None else f"{written:,.0f}" + (f" + {deleted:,.0f}" if deleted else "")
            lines.append(
                f"| {result.n:,} | {row} | {fmt(wall)} | {fmt(result.median(row, 'cpu'))} | {fmt(rss, 0)} | "
                f"{fmt(result.median(row, 'tree_mb'), 0)} | {files} | "
                f"{ratio(wall, hugo_wall)} | {ratio(wall, pelican_wall)} | {ratio(rss, hugo_rss)} | "
                f"{note.replace('|', '/')} |")
    lines += ["", "## What each tool wrote (first cold build)", "",
              "| N | tool | files | article pages found / articles | tag pages (first page) / tags used | "
              "list pages 2+ | feeds |", "|---:|---|---:|---:|---:|---:|---:|"]
    for result in results:
        for tool, o in result.outputs.items():
            mark = "" if o["articles"] == o["expected"] else " ⚠"
            lines.append(f"| {result.n:,} | {tool} | {o['files']:,} | {o['articles']:,} / {o['expected']:,}{mark} | "
                         f"{o['tag_pages']:,} / {o['tags_used']} | {o['later_list_pages']:,} | {o['feeds']:,} |")
    lines += ["", "## Corpora", ""]
    for result in results:
        c = result.corpus
        lines.append(f"- N = {result.n:,}: {c['words']:,} words, {c['distinct_word_forms']:,} distinct Arabic word "
                     f"forms, {c['tags_used']} tags used")
    return "\n".join(lines) + "\n"


def version(cmd: list) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def metadata(arshif: Arshif) -> dict:
    engine = arshif.engine
    commit = version(["git", "-C", engine, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", engine, "status", "--porcelain", "--", "arshif", "templates", "generate.py"],
                           capture_output=True, text=True).stdout.strip()
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {int(mem) / 1024 / 1024:.1f} GB RAM, {platform.platform()}",
        "arshif": f"commit {commit}{' with uncommitted engine changes' if dirty else ''}"
                  f"{'' if arshif.has_clean else ' (no --clean option: cold = cache and output deleted)'}",
        "hugo": version([HUGO, "version"]).split(" BuildDate")[0],
        "pelican": version([PELICAN, "--version"]),
        "markdown": version([arshif.python, "-c", "import markdown; print(markdown.__version__)"]),
    }


def main(argv: list[str] | None = None) -> int:
    # A user's Python keeps compiled bytecode; without it every measured build would compile Arshif again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes, all rows")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the table shows medians")
    parser.add_argument("--cold-only-size", type=int, nargs="*", default=[],
                        help="sizes measured with cold builds only (e.g. 100000)")
    parser.add_argument("--out", type=Path, default=BENCH / "results.md", help="where to write the Markdown table")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument("--page-size", type=int, default=corpus.DEFAULT_PAGE_SIZE)
    parser.add_argument("--engine", type=Path, default=BENCH.parent, help="the Arshif checkout to measure")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds before a build is killed")
    parser.add_argument("--pelican-limit", type=float, default=15 * 60,
                        help="at cold-only sizes, skip Pelican if its estimated time is over this (seconds)")
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-pelican", action="store_true")
    args = parser.parse_args(argv)
    args.engine = args.engine.resolve()

    problems = []
    if not Path(TIME).exists():
        problems.append(f"{TIME} is missing: apt-get install time")
    if not args.skip_hugo and not shutil.which(HUGO):
        problems.append("hugo is missing: apt-get install hugo")
    if not args.skip_pelican and not PELICAN.exists():
        problems.append(f"Pelican is missing: python3 -m venv {PELICAN.parent.parent} && "
                        f"{PELICAN.parent}/pip install pelican markdown")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    arshif = Arshif(args.engine)
    meta = metadata(arshif)
    results: list[SizeResult] = []
    for n in sorted(set(args.sizes)):
        results.append(run_size(n, args, arshif, False, results))
    for n in sorted(set(args.cold_only_size) - set(args.sizes)):
        results.append(run_size(n, args, arshif, True, results))
    text = report(results, args, meta)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    raw = OUT / f"results-{datetime.now():%Y%m%d-%H%M%S}.json"
    raw.write_text(json.dumps({"meta": meta, "args": {k: str(v) for k, v in vars(args).items()},
                               "results": [dataclasses.asdict(r) for r in results]}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    say(f"wrote {args.out} and {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How long `generate.py deploy --to DIR` takes after one edit, on a generated archive.

    python bench/deploy_bench.py --articles 1000 [--runs 5] [--work /tmp/deploy1k]
    python bench/deploy_bench.py --copy-from /tmp/c10k --work /tmp/deploy10k [--runs 5]

Makes the site folder WORK (with bench/corpus.py, or as a copy of --copy-from; an existing WORK is
used as it is, --fresh makes it again), deploys it once to WORK-www (the first deploy: full build,
every link checked, everything copied), then --runs times each: append a sentence to one article's
body and run `generate.py deploy --to WORK-www`, with the link check and (after another edit)
with --no-check, each timed as a whole process with ARSHIF_TIMINGS=1. A deploy with nothing
changed is timed too. Prints the medians (wall time of the process; the phases it printed: the
build's own, of which the search index, then deploy's link check and publishing), the phase lines
of one run, and the load average before and after, since the machine may be shared. No test
asserts on these numbers; they are for reading.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ENGINE = BENCH.parent
PHASE = re.compile(r"^  (\S.*?)\s+(\d+\.\d+) s wall")


@dataclass
class Run:
    wall: float
    cpu: float  # user + system time of the process and its children: less sensitive to a busy machine
    phases: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def phase(self, name: str) -> float:
        return self.phases.get(name, 0.0)

    @property
    def build_other(self) -> float:
        """The build's phases other than the search index (its Python start-up is not in them)."""
        return self.phase("deploy build") - self.phase("search index")

    @property
    def without_search(self) -> float:
        return self.wall - self.phase("search index")


def deploy(python: str, work: Path, www: Path, *extra: str) -> Run:
    """One `generate.py deploy` process, timed whole; its phase lines (ARSHIF_TIMINGS=1) parsed."""
    command = [python, str(ENGINE / "generate.py"), "deploy", "--root", str(work), "--to", str(www), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ARSHIF_TIMINGS": "1"},
                            stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"deploy failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    run = Run(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    for line in (result.stderr + result.stdout).splitlines():
        found = PHASE.match(line)
        if found:
            run.phases[found.group(1)] = run.phases.get(found.group(1), 0.0) + float(found.group(2))
        if found or line.startswith(("built ", "links checked", "link check", "synced", "nothing changed")):
            run.lines.append(line)
    return run


def edit(article: Path, number: int) -> str:
    """Append a sentence to the article's body; returns it, to look for in the published page."""
    mark = f"تصحيح رقم {number} للمقال."
    with article.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{mark}\n")
    return mark


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def median(runs: list[Run], value: str) -> float:
    derived = ("wall", "cpu", "build_other", "without_search")
    return statistics.median(getattr(run, value) if value in derived else run.phase(value) for run in runs)


def main() -> int:
    # A user's Python keeps compiled bytecode; without it every measured build would compile Arshif again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--articles", type=int, help="generate a corpus of this many articles (bench/corpus.py)")
    source.add_argument("--copy-from", type=Path, help="copy this site folder (it is not modified)")
    parser.add_argument("--work", type=Path, help="the site folder to deploy (default: /tmp/deploy-bench-N)")
    parser.add_argument("--runs", type=int, default=5, help="edits deployed with, and as many without, the check")
    parser.add_argument("--fresh", action="store_true", help="make WORK again even if it exists")
    parser.add_argument("--python", default=str(ENGINE / ".venv/bin/python"))
    args = parser.parse_args()

    work = args.work or Path(f"/tmp/deploy-bench-{args.articles or args.copy_from.name}")
    www = work.with_name(work.name + "-www")
    if args.fresh or not (work / "site.toml").exists():
        for folder in (work, www):
            if folder.exists():
                shutil.rmtree(folder)
        if args.copy_from:
            subprocess.run(["cp", "-a", str(args.copy_from), str(work)], check=True)
        else:
            subprocess.run([args.python, str(BENCH / "corpus.py"), str(args.articles), str(work),
                            "--arshif-root", str(ENGINE)], check=True, stdout=subprocess.DEVNULL)
    articles = sorted((work / "content").rglob("*.md"))
    print(f"site {work}: {len(articles)} articles; deploying to {www}; load average {load()} "
          f"({os.cpu_count()} CPUs)", flush=True)

    first = deploy(args.python, work, www)
    print(f"first deploy: {first.wall:.1f} s wall, {first.cpu:.1f} s cpu", flush=True)
    unchanged = [deploy(args.python, work, www) for _ in range(args.runs)]
    checked: list[Run] = []
    unchecked: list[Run] = []
    for number in range(2 * args.runs):
        article = articles[(number * 7919 + 11) % len(articles)]
        mark = edit(article, number)
        run = deploy(args.python, work, www, *(["--no-check"] if number % 2 else []))
        (unchecked if number % 2 else checked).append(run)
        published = www / article.parent.name / article.stem / "index.html"
        if not published.is_file() or mark not in published.read_text(encoding="utf-8"):
            sys.exit(f"the edit of {article} is not in {www}")
        print(f"  edit {number + 1}: {run.wall:.2f} s wall, {run.cpu:.2f} s cpu{' (--no-check)' if number % 2 else ''}",
              flush=True)

    rows = [("nothing changed", unchanged), ("one edit", checked), ("one edit, --no-check", unchecked)]
    print(f"\n{len(articles)} articles, median of {args.runs} runs each; load average now {load()}\n")
    print("| deploy --to DIR | wall | cpu | build | of which search index | build without search | link check "
          "| publish | wall without search |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, runs in rows:
        wall, search = median(runs, "wall"), median(runs, "search index")
        print(f"| {name} | {wall:.2f} s | {median(runs, 'cpu'):.2f} s | {median(runs, 'deploy build'):.2f} s "
              f"| {search:.2f} s "
              f"| {median(runs, 'build_other'):.2f} s | {median(runs, 'link check'):.2f} s "
              f"| {median(runs, 'publish'):.2f} s | {median(runs, 'without_search'):.2f} s |")
    shown = sorted(checked, key=lambda r: r.wall)[len(checked) // 2]
    print(f"\nthe phase lines of the median one-edit deploy ({shown.wall:.2f} s wall):")
    for line in shown.lines:
        print("    " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

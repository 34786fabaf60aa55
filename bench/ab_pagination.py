"""One article published at a time into two copies of a bench workspace, one with pagination = "newest", one with
"stable", each built after each article, the order swapped every round: what stable pagination saves a newsroom.

    python3 bench/ab_pagination.py [--size 10000] [--rounds 5]

Needs the workspace run.py makes (bench/out/work/nN/arshif-site); the stable copy is made beside it, with the
engine's templates and theme, and built cold first. The added articles are left in both copies.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

SUMMARY = re.compile(r"\((\d+) rendered, (\d+) files written\)")


def build(python: Path, site: Path) -> tuple[float, str, str, str]:
    """Wall seconds, pages rendered, files written and peak RSS (KB) of one build of SITE."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", python, BENCH.parent / "generate.py", "build", "--root", site,
                           "--output", f"{site}-out"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    found = SUMMARY.search(done.stdout)
    rendered, written = found.groups() if found else ("?", "?")
    return wall, rendered, written, done.stderr.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="the workspace's number of articles")
    parser.add_argument("--rounds", type=int, default=5, help="articles published, one per round")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    python = BENCH.parent / ".venv" / "bin" / "python"
    work = BENCH / "out" / "work" / f"n{args.size}"
    newest, stable = work / "arshif-site", work / "stable-site"
    if not newest.is_dir():
        sys.exit(f"no workspace at {newest}: run bench/run.py --sizes {args.size} first")
    shutil.rmtree(stable, ignore_errors=True)
    shutil.rmtree(f"{stable}-out", ignore_errors=True)
    shutil.copytree(newest, stable, ignore=shutil.ignore_patterns(".cache", "templates", "theme"))
    for site in (newest, stable):
        for folder in ("templates", "theme"):
            shutil.rmtree(site / folder, ignore_errors=True)
            shutil.copytree(BENCH.parent / folder, site / folder)
    toml = (newest / "site.toml").read_text(encoding="utf-8")
    # First: a key after a [table] would belong to the table.
    (stable / "site.toml").write_text('pagination = "stable"\n' + re.sub(r"(?m)^pagination = .*\n", "", toml),
                                      encoding="utf-8")
    (newest / "site.toml").write_text(re.sub(r"(?m)^pagination = .*\n", "", toml), encoding="utf-8")
    for site in (newest, stable):
        print(f"cold/first build of {site.name}: {build(python, site)[0]:.1f} s", flush=True)
    sites = {"newest": newest, "stable": stable}
    walls: dict[str, list[float]] = {name: [] for name in sites}
    writer, run = corpus.Writer(1), time.strftime("%Y%m%d%H%M%S")  # new articles, however often it runs
    print("| round | pagination | wall s | pages rendered | files written | peak RSS KB |")
    print("|---:|---|---:|---:|---:|---:|")
    for round_ in range(1, args.rounds + 1):
        article = dataclasses.replace(writer.article(args.size + round_), slug=f"ab-published-{run}-{round_}",
                                      date=corpus.END - timedelta(minutes=args.rounds - round_))
        for site in sites.values():
            path = site / "content" / str(article.year) / f"{article.slug}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(corpus.arshif_source(article), encoding="utf-8")
        for name in (list(sites) if round_ % 2 else list(reversed(sites))):
            wall, rendered, written, rss = build(python, sites[name])
            walls[name].append(wall)
            print(f"| {round_} | {name} | {wall:.2f} | {rendered} | {written} | {rss} |", flush=True)
    load = os.getloadavg()
    medians = {name: statistics.median(values) for name, values in walls.items()}
    print(f"\nmedians: newest {medians['newest']:.2f} s, stable {medians['stable']:.2f} s "
          f"({medians['stable'] / medians['newest']:.2f}×); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Reading's cost against Python-Markdown's, counted in instructions (valgrind), so a busy host cannot move it.

    python3 bench/reading_cost.py SITE [--articles 1000] [--modes plain arshif parse count]

Each mode runs in a process of its own under `valgrind --tool=callgrind`, once over the first N articles
of SITE/content and once over none; the difference is what the N articles cost, start-up excluded:

- plain: Python-Markdown with no extension (issue 12's floor);
- arshif: Python-Markdown as Arshif configures it (content.new_markdown: tables, footnotes, fenced code,
  sane lists, heading ids);
- parse: Arshif's reading of each article (front matter, Markdown, photos, links, bidi isolation, summary,
  word count) without counting its search terms;
- count: the same with the search terms counted, as the parsing workers do (issue 11's share).

Needs Debian's valgrind. One process reads the articles one after another, as one parsing worker does;
a worker of a real build reads more articles, so its search memo misses less than here.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("plain", "arshif", "parse", "count")


def run_mode(site: Path, articles: int, mode: str) -> None:
    """Read ARTICLES articles of SITE the way MODE says (in this process, under valgrind)."""
    sys.path.insert(0, str(ROOT))
    # Every mode imports the same, so that the run over no article subtracts the imports too.
    import markdown
    import yaml  # noqa: F401

    from arshif import content, search  # noqa: F401
    from arshif.config import load_config

    config = load_config(site)
    sources = content.article_sources(content.scan_files(config.content_dir))[:articles]
    data = [(config.content_dir / source).read_bytes() for source in sources]
    converter = content.new_markdown()
    if mode in ("plain", "arshif"):
        plain = markdown.Markdown()
        for raw in data:
            plain.reset()
            (plain if mode == "plain" else converter).convert(content.split_front_matter(raw.decode("utf-8"))[1])
    elif mode == "parse":
        names = content._SourceNames(config)
        for source, raw in zip(sources, data, strict=True):
            content._read_article(config.content_dir / source, config, converter, raw, "-", names.of(source))
    else:
        for _ in content._parse_each(config, [(source, raw, "-") for source, raw in zip(sources, data, strict=True)]):
            pass


def instructions(site: Path, articles: int, mode: str) -> int:
    """The instructions one process of MODE over ARTICLES articles executes."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                        __file__, str(site), "--run", mode, "--articles", str(articles)],
                       check=True, capture_output=True)
        for line in out.read_text().splitlines():
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"no instruction count in callgrind's output for {mode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="an Arshif site, e.g. bench/out/work/n10000/arshif-site")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--run", choices=MODES, help=argparse.SUPPRESS)  # the measured process itself
    args = parser.parse_args(argv)
    if args.run:
        run_mode(args.site, args.articles, args.run)
        return 0
    costs = {mode: instructions(args.site, args.articles, mode) - instructions(args.site, 0, mode)
             for mode in args.modes}
    floor = costs.get("plain")
    print(f"{args.articles} articles of {args.site}, instructions (start-up subtracted):")
    for mode, cost in costs.items():
        ratio = f"  {cost / floor:.3f}x plain" if floor else ""
        print(f"  {mode:7s} {cost / 1e9:8.2f} G  {cost / args.articles / 1e6:6.2f} M per article{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lighthouse scores of the sample archive: home, an article, a tag, a section, an author and the search page.

One command: builds the sample archive (this checkout's content/, templates/ and theme/) into a
temporary folder under a base path, serves it on a loopback port, runs Google Lighthouse 12.2.3 on
the pages with Debian's Chromium, and prints a table of the four category scores (performance,
accessibility, best practices, SEO) and the cumulative layout shift and largest contentful paint
of each page; with --runs N, the median of N runs (a shared machine is noisy) and the range.

Lighthouse is not a dependency of the project and is never committed. Install it once into a
scratch folder outside the repository (Node.js 20 and npm from Debian are enough):

    mkdir -p /tmp/lh && cd /tmp/lh && npm init -y && npm install lighthouse@12.2.3

and pass --lighthouse /tmp/lh (the folder, its node_modules/.bin/lighthouse, or the CLI's
cli/index.js). Without --lighthouse, /tmp/lh is tried. Chromium: `apt-get install chromium`.

    .venv/bin/python bench/lighthouse.py --lighthouse /tmp/lh --runs 3
    .venv/bin/python bench/lighthouse.py --pages search --query روسيا --keep /tmp/lh-reports

Lighthouse's defaults are used (mobile form factor, simulated throttling); --desktop uses its
desktop preset. --keep DIR keeps every JSON report, to read an audit's details. Lighthouse 12.2.3's
own list of what shifts fails with current Chromium; --shifts lists it from the browser instead.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parent.parent

VERSION = "12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADINGS = ("perf", "a11y", "best", "seo")
PAGES = ("home", "article", "tag", "section", "author", "search")
DEFAULT_LIGHTHOUSE = Path("/tmp/lh")
DEFAULT_QUERY = "ليبيا"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def find_cli(given: Path) -> Path:
    """The Lighthouse CLI's index.js from a scratch install folder, its .bin link or the file itself."""
    candidates = [given / "node_modules" / "lighthouse" / "cli" / "index.js", given / "cli" / "index.js"]
    if given.is_file():
        candidates.insert(0, given.resolve())
    for candidate in candidates:
        if candidate.is_file():
            package = candidate.parent.parent / "package.json"
            if package.is_file():
                version = json.loads(package.read_text(encoding="utf-8")).get("version")
                if version != VERSION:
                    print(f"note: Lighthouse {version} at {candidate}, not {VERSION}", file=sys.stderr)
            return candidate
    sys.exit(f"Lighthouse not found at {given}: install it with\n"
             f"  mkdir -p /tmp/lh && cd /tmp/lh && npm init -y && npm install lighthouse@{VERSION}\n"
             f"and pass --lighthouse /tmp/lh")


def build(output: Path, base_url: str, engine: Path) -> None:
    sys.path.insert(0, str(engine))
    from arshif.build import build_site
    build_site(PROJECT, output, base_url=base_url, use_cache=False, precompress=False)


def first_link(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    if not match:
        raise SystemExit(f"no link matching {pattern!r} in the built page")
    return match.group(1)


def page_urls(site: Path, origin: str, base_path: str, query: str, article_path: str = "") -> dict[str, str]:
    """The address of each measured page: the home page's first article (or ARTICLE_PATH below the
    base path), its first section and author links, and the first tag of the tag index."""
    base = origin + base_path
    home = (site / "index.html").read_text(encoding="utf-8")
    article = (base_path + quote(article_path) if article_path
               else first_link(home, r'<h2 class="entry-title"><a href="([^"]+)"'))
    tags = (site / "tags" / "index.html").read_text(encoding="utf-8")
    tag = first_link(tags, r'<a href="(' + re.escape(base_path) + r'tags/[^"]+)"')
    section = first_link(home, r'<a href="(' + re.escape(base_path) + r'sections/[^"]+)"')
    author = first_link(home, r'<a href="(' + re.escape(base_path) + r'authors/[^"]+)"')
    def absolute(link: str) -> str:
        return link if link.startswith("http") else origin + link

    return {"home": base, "article": absolute(article), "tag": absolute(tag), "section": absolute(section),
            "author": absolute(author), "search": base + "search/?q=" + quote(query)}


def run_lighthouse(cli: Path, chrome: str, url: str, out: Path, desktop: bool) -> dict:
    command = ["node", str(cli), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=" + ",".join(CATEGORIES),
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if desktop:
        command.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=chrome)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse runtime error on {url}: {report['runtimeError']}")
    return report


def summary(report: dict) -> dict[str, float | None]:
    row: dict[str, float | None] = {c: report["categories"][c]["score"] for c in CATEGORIES}
    row["cls"] = report["audits"]["cumulative-layout-shift"].get("numericValue")
    row["lcp"] = report["audits"]["largest-contentful-paint"].get("numericValue")
    return row


OBSERVE_SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) {
  const name = n => !n ? '?' : n.nodeType === 1 ? n.nodeName.toLowerCase() + (n.id ? '#' + n.id : '')
      + (n.className ? '.' + String(n.className).split(' ').join('.') : '')
      : 'text "' + n.textContent.slice(0, 24) + '"';
  const box = r => [r.x, r.y, r.width, r.height].map(Math.round).join(',');
  window.__shifts.push({time: Math.round(e.startTime), value: e.value,
    sources: e.sources.map(s => name(s.node) + ' ' + box(s.previousRect) + ' -> ' + box(s.currentRect))});
}}).observe({type: 'layout-shift', buffered: true});
"""


def shifts(chrome: str, urls: dict[str, str], desktop: bool) -> list[str]:
    """Each page's layout shifts and what moved, from Chromium's Layout Instability API.

    Lighthouse 12.2.3's own list (the layout-shifts audit) fails with current Chromium ("Cannot read
    properties of undefined (reading 'frame_sequence')"), so this loads each page once more, on
    Lighthouse's screen without its throttling, and prints the shifts the browser reports.
    """
    from playwright.sync_api import sync_playwright
    lines = []
    # Not Playwright's is_mobile: with it Chromium marks every shift as following an input.
    screen = ({"viewport": {"width": 1350, "height": 940}, "device_scale_factor": 1} if desktop else
              {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chrome, args=["--no-sandbox"])
        for name, url in urls.items():
            context = browser.new_context(**screen)
            page = context.new_page()
            page.add_init_script(OBSERVE_SHIFTS)
            page.goto(url, wait_until="load")
            page.wait_for_timeout(3000)
            found = page.evaluate("window.__shifts")
            context.close()
            lines.append(f"\n{name}: layout shift {sum(s['value'] for s in found):.4f} in {len(found)} shift(s)")
            for shift in found:
                lines.append(f"  at {shift['time']} ms: {shift['value']:.4f}")
                lines.extend(f"    {source}" for source in shift["sources"])
        browser.close()
    return lines


def cell(values: list[float | None], key: str) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    middle = statistics.median(present)
    if key == "lcp":
        text = f"{middle / 1000:.2f} s"
        spread = f" ({min(present) / 1000:.2f}–{max(present) / 1000:.2f})"
    elif key == "cls":
        text = f"{middle:.3f}"
        spread = f" ({min(present):.3f}–{max(present):.3f})"
    else:
        text = f"{middle:.2f}"
        spread = f" ({min(present):.2f}–{max(present):.2f})"
    return text + (spread if len(present) > 1 and min(present) != max(present) else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lighthouse", type=Path, default=DEFAULT_LIGHTHOUSE,
                        help=f"a scratch npm folder with lighthouse@{VERSION} installed, or its CLI "
                             f"(default: {DEFAULT_LIGHTHOUSE})")
    parser.add_argument("--chrome", default="/usr/bin/chromium", help="Chromium to run (CHROME_PATH)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the table shows medians")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--query", default=DEFAULT_QUERY, help=f"the search page's query (default {DEFAULT_QUERY})")
    parser.add_argument("--base-path", default="/archive/", help="the path the site is served under")
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop preset instead of mobile")
    parser.add_argument("--engine", type=Path, default=PROJECT,
                        help="the checkout whose arshif package builds the sample (default: this one); "
                             "the content, templates and theme are always this checkout's")
    parser.add_argument("--article", default="", metavar="PATH",
                        help="the article to measure, below the base path (default: the newest, which has photos),"
                             " e.g. 2022/suq-al-hiraf-fi-halab/")
    parser.add_argument("--keep", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument("--shifts", action="store_true",
                        help="also list each page's layout shifts and the elements that moved (Playwright)")
    args = parser.parse_args(argv)
    cli = find_cli(args.lighthouse)
    if not Path(args.chrome).exists():
        sys.exit(f"{args.chrome} not found: apt-get install chromium")
    base_path = "/" + args.base_path.strip("/") + "/" if args.base_path.strip("/") else "/"

    with tempfile.TemporaryDirectory(prefix="arshif-lh-") as scratch:
        top = Path(scratch) / "www"
        reports = args.keep or Path(scratch) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(top)))
        origin = f"http://127.0.0.1:{server.server_port}"
        base = origin + base_path
        site = top / base_path.strip("/")  # the built site is the served folder's BASE_PATH
        started = time.perf_counter()
        build(site, base, args.engine)
        print(f"built the sample into {site} in {time.perf_counter() - started:.1f} s; serving {base}",
              file=sys.stderr)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            urls = page_urls(site, origin, base_path, args.query, args.article)
            rows: dict[str, list[dict[str, float | None]]] = {name: [] for name in args.pages}
            for run in range(args.runs):
                for name in args.pages:
                    out = reports / f"{name}-{run + 1}.json"
                    report = run_lighthouse(cli, args.chrome, urls[name], out, args.desktop)
                    row = summary(report)
                    rows[name].append(row)
                    print(f"run {run + 1}/{args.runs} {name}: " + " ".join(
                        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                        file=sys.stderr)
            moved = shifts(args.chrome, {name: urls[name] for name in args.pages}, args.desktop) if args.shifts else []
        finally:
            server.shutdown()
            server.server_close()

    version = json.loads((cli.parent.parent / "package.json").read_text(encoding="utf-8")).get("version")
    mode = "desktop" if args.desktop else "mobile"
    print(f"Lighthouse {version}, {mode}, {args.runs} run(s) per page"
          + (", medians (range)" if args.runs > 1 else ""))
    print()
    keys = (*CATEGORIES, "cls", "lcp")
    print("| page | " + " | ".join((*HEADINGS, "CLS", "LCP")) + " | address |")
    print("| --- " * (len(keys) + 2) + "|")
    for name in args.pages:
        cells = [cell([r[k] for r in rows[name]], k) for k in keys]
        print(f"| {name} | " + " | ".join(cells) + f" | {urls[name].removeprefix(origin)} |")
    if moved:
        print("\n".join(moved))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The command line: build, check and new; problems are printed as a list, never as a traceback."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from . import __version__
from .arabic import slugify
from .build import build_site
from .config import load_config
from .problems import BuildFailed, print_failure
from .report import progress_printer

DESCRIPTION = """\
Arshif (أرشيف) builds a right-to-left static news site from Markdown articles.

Articles live in content/<year>/<slug>.md with YAML front matter (title and date
are required); templates/ holds the Jinja2 templates, theme/ the CSS, fonts and
scripts, and site.toml the site's settings. The site is written to build/.
"""

EPILOG = """\
examples:
  python generate.py                      build the site into build/
  python generate.py build --drafts       include articles marked draft: true
  python generate.py check                report every problem without writing anything
  python generate.py new "عنوان المقال"    start a new article dated now
  python generate.py import wordpress export.xml   bring an old archive in (also: feed, html)
  python generate.py build --help         the options of one command
"""


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    parser.add_argument("--future", action="store_true", help="include articles dated in the future")
    parser.add_argument("--base-url", help="override base_url from site.toml (e.g. for a preview host)")


# Commands whose parsers live here; the others' come with their (heavier) modules.
OWN_COMMANDS = ("build", "check", "new")


def make_parser(everything: bool = True) -> argparse.ArgumentParser:
    """The command line; without EVERYTHING only OWN_COMMANDS, so a build does not import serve and deploy."""
    parser = argparse.ArgumentParser(prog="generate.py", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"Arshif {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path("."),
                        help="the site's folder, holding site.toml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", parents=[common], help="build the site (the default command)",
                                description="Build the site into build/ (or --output). On any problem the "
                                            "old build/ is left exactly as it was.")
    _add_build_options(build)
    build.add_argument("--output", type=Path, help="where to write the site (default: ROOT/build)")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--clean", action="store_true",
                       help="ignore the build cache (.cache/) and render every page again")
    build.add_argument("--jobs", type=int, metavar="N",
                       help="processes for Markdown and rendering on large builds (default: the CPU count)")

    check = commands.add_parser("check", parents=[common],
                                help="report every problem in the sources without writing the site")
    _add_build_options(check)

    new = commands.add_parser("new", parents=[common], help="create a new article dated now, in the site's time zone")
    new.add_argument("title", help="the article's title, e.g. \"عنوان المقال\"")
    new.add_argument("--slug", help="the URL slug (default: made from the title; Arabic stays Arabic)")
    new.add_argument("--tags", default="", help="comma-separated tags, e.g. libya,russia")
    new.add_argument("--author", default="", help="the author's name")

    if everything:
        from . import deploy, importer, serve

        serve.add_parser(commands, common)
        deploy.add_parser(commands, common)
        importer.add_parser(commands, common)
    return parser


def main(argv: list[str] | None = None, now: datetime | None = None) -> int:
    """Run one command; the return value is the process's exit status.

    NOW stands in for the clock (tests pass one, so they never depend on today's date).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    args = make_parser(everything=argv[0] not in OWN_COMMANDS).parse_args(argv)
    root: Path = args.root
    try:
        if args.command == "new":
            return _new(args, root, now)
        if args.command in ("serve", "deploy", "import"):
            return int(args.run(args))
        if args.command == "check":
            import tempfile

            with tempfile.TemporaryDirectory() as scratch:
                report = build_site(root, Path(scratch) / "site", drafts=args.drafts,
                                    future=args.future, base_url=args.base_url, use_cache=False, now=now)
            _print_warnings(report.warnings)
            print(f"no problems: {report.articles} articles, {report.pages} pages")
            return 0
        return _build(args, root, now)
    except BuildFailed as failure:
        print_failure(failure, "build/ was left unchanged")
        return 1
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; build/ was left unchanged.", file=sys.stderr)
        return 130
    except Exception as error:  # our own bug: a short message here, the traceback in a file
        log = _write_crash_log(root)
        print(f"error: Arshif failed unexpectedly ({type(error).__name__}: {error}); build/ was left unchanged.\n"
              f"The full traceback is in {log}; please include it when you report this.", file=sys.stderr)
        return 2


CRASH_LOG = ".cache/arshif/crash.log"


def _write_crash_log(root: Path) -> Path:
    """The traceback of the exception being handled, in ROOT/.cache/ (else the temporary folder)."""
    import tempfile
    import traceback  # only when a build crashes

    text = f"Arshif {__version__}, {datetime.now().isoformat(timespec='seconds')}\n{traceback.format_exc()}"
    for path in (root / CRASH_LOG, Path(tempfile.gettempdir()) / "arshif-crash.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("(nowhere: no writable folder)")


def _print_warnings(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _build(args: argparse.Namespace, root: Path, now: datetime | None) -> int:
    quiet = getattr(args, "quiet", False)
    report = build_site(root, args.output, drafts=args.drafts, future=args.future,
                        base_url=args.base_url, progress=None if quiet else progress_printer(), clean=args.clean,
                        workers=args.jobs, now=now)
    _print_warnings(report.warnings)
    if quiet:
        return 0
    if report.unchanged:
        print(f"nothing changed: {report.articles} articles, {report.pages} pages; "
              f"no file written ({report.seconds:.2f} s)")
    else:
        print(f"built {report.articles} articles, {report.tags} tags, {report.pages} pages "
              f"({report.rendered} rendered, {report.files} files written) in {report.seconds:.2f} s")
    return 0


def _new(args: argparse.Namespace, root: Path, now: datetime | None) -> int:
    config = load_config(root)
    now = (now or datetime.now(config.zone)).astimezone(config.zone)
    slug = slugify(args.slug or args.title)
    if not slug:
        print("error: the title gives an empty slug; pass --slug", file=sys.stderr)
        return 1
    path = config.content_dir / str(now.year) / f"{slug}.md"
    if path.exists():
        print(f"error: {path} already exists; choose another --slug", file=sys.stderr)
        return 1
    tags = ", ".join(f'"{t.strip()}"' for t in args.tags.split(",") if t.strip())
    title = args.title.replace("\\", "\\\\").replace('"', '\\"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'---\ntitle: "{title}"\ndate: {now:%Y-%m-%d %H:%M}\nauthor: "{args.author}"\n'
        f"tags: [{tags}]\n---\n\nاكتب الفقرة الأولى هنا: هي ملخص المقال.\n",
        encoding="utf-8")
    print(f"created {path}")
    return 0

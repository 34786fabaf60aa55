"""`generate.py import`: bring an existing archive in, from a WordPress export, an RSS or Atom feed, or saved
pages, as Markdown articles in content/<year>/<slug>.md.

By job: wordpress.py, feed.py and pages.py read their input into items (items.py); articles.py writes
them (and knows what an earlier import wrote); tomarkdown.py turns HTML into Markdown; boilerplate.py
holds what of a saved page is not the article; sitetoml.py adds new tags, sections and authors to
site.toml. This module is the command. Its parsers are light: the readers' libraries load when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import CONFIG_NAME, Config, load_config
from ..problems import BuildFailed, Problem, display_path, print_failure
from .items import Reading

if TYPE_CHECKING:
    from .articles import Action

DESCRIPTION = """\
Bring an existing archive into content/: each article becomes content/<year>/<slug>.md with
front matter (title, date, author, category, tags, draft, image, aliases). Its old address is kept
in aliases:, so the built site has a redirect page there. Tags, sections and authors the site does
not know yet are added to site.toml with their Arabic names (its comments stay as they are).

Importing the same archive again updates what changed and adds what is new: every article
records its import_id. An article edited here since it was imported is never overwritten.
"""

EPILOG = """\
examples:
  python generate.py import wordpress export.xml --uploads wp-content/uploads
  python generate.py import feed https://old.example.com/feed/
  python generate.py import feed saved-feed.xml --dry-run
  python generate.py import html saved-pages/
  python generate.py import wordpress --help      the options of one source
"""

SOURCES = {
    "wordpress": ("a WordPress export (Tools → Export → All content, a .xml file)", """\
examples:
  python generate.py import wordpress export.xml
  python generate.py import wordpress export.xml --uploads /backup/wp-content/uploads --dry-run

Posts become articles: publish and future as they are; draft, pending and private with draft: true;
trash and auto-drafts are skipped, and so are pages and menus. The first category is the section,
the others and the tags are tags. Shortcodes [caption], [gallery], [embed], [audio] and [video]
become Markdown; others stay in the text, visible, with a warning.
"""),
    "feed": ("an RSS or Atom feed (a file or an address)", """\
examples:
  python generate.py import feed feed.xml
  python generate.py import feed https://old.example.com/feed/ --dry-run

The full text where the feed carries it, else the summary (the article is then marked
summary_only: true). A feed only carries the newest articles: a WordPress export has them all.
"""),
    "html": ("a folder of saved article pages (.html, .htm)", """\
examples:
  python generate.py import html saved-pages/
  python generate.py import html mirror/old.example.com/news/ --dry-run

Title, date, author, tags and the main text are read from each page; share buttons, "اقرأ أيضا"
blocks, "عاجل" tickers and related headlines are removed. What counts as such is site.toml's
[import] table: drop_elements (words of class or id), drop_lines, cut_from, bylines (README.md).
"""),
}


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the import command and its three sources."""
    command = commands.add_parser("import", help="bring an existing archive in: WordPress, feeds, saved pages",
                                  description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    options = argparse.ArgumentParser(add_help=False, parents=[common])
    options.add_argument("--dry-run", action="store_true",
                         help="list what would be written, and write nothing")
    sources = command.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for name, (what, epilog) in SOURCES.items():
        parser = sources.add_parser(name, parents=[options], help=f"import {what}", epilog=epilog,
                                    description=f"Import {what} into content/. {DESCRIPTION}",
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "wordpress":
            parser.add_argument("input", metavar="EXPORT.xml", help="the export file")
            parser.add_argument("--uploads", type=Path, metavar="DIR",
                                help="the old site's wp-content/uploads folder: the featured images, attachments "
                                     "and photos the posts show are copied beside the articles from it")
        elif name == "feed":
            parser.add_argument("input", metavar="FILE|URL", help="the feed's file, or its address")
        else:
            parser.add_argument("input", metavar="DIR", help="the folder of saved pages (searched with its subfolders)")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read the source, plan, write (unless --dry-run) and report; 1 when something could not be imported."""
    try:
        return _run(args)
    except BuildFailed as failure:
        print_failure(failure, "nothing was written")
        return 1


def _read(args: argparse.Namespace, config: Config) -> Reading:
    from .boilerplate import load_boilerplate
    from .feed import read_feed_source
    from .pages import read_pages
    from .wordpress import read_wordpress

    root: Path = args.root
    if args.source == "feed":
        return read_feed_source(args.input, config)
    path = Path(args.input)
    shown = display_path(path, root) if path.is_absolute() else str(path)
    if args.source == "html":
        return read_pages(path, config, load_boilerplate(root), shown)
    if not path.is_file():
        raise BuildFailed([Problem(shown, None, "no such file", "give the path of the exported .xml file")])
    if args.uploads is not None and not args.uploads.is_dir():
        raise BuildFailed([Problem(str(args.uploads), None, "--uploads is not a folder",
                                   "give the old site's wp-content/uploads folder")])
    return read_wordpress(path, config, args.uploads, shown)


def _run(args: argparse.Namespace) -> int:
    from .articles import apply, plan
    from .sitetoml import add_names, new_names

    root: Path = args.root
    config = load_config(root)
    reading = _read(args, config)
    actions = plan(reading.items, config)
    tags = new_names(reading.tags, config.tags)
    sections = new_names(reading.sections, config.sections)
    authors = new_names(reading.authors, {slug: profile.name for slug, profile in config.authors.items()})
    settings_path = root / CONFIG_NAME
    settings = settings_path.read_text(encoding="utf-8-sig")
    try:
        updated_settings = add_names(settings, tags, sections, authors)
    except ValueError as error:
        raise BuildFailed([Problem(CONFIG_NAME, None, f"could not add the new tags, sections and authors: {error}",
                                   "write [tags], [sections] and [authors.<slug>] as tables of their own")]) from None
    dry = args.dry_run
    for action in actions:
        if dry and action.kind in ("new", "updated"):
            print(f"would write {display_path(action.path, root)} ({action.kind})")
            for target, source in action.copies.items():
                print(f"  and copy {source} to {display_path(target, root)}")
    added = [f"{len(names)} {what}" for names, what in ((tags, "tags"), (sections, "sections"),
                                                          (authors, "authors")) if names]
    if added:
        print(f"{'would add' if dry else 'added'} to {CONFIG_NAME}: {', '.join(added)} "
              f"({', '.join([*tags.values(), *sections.values(), *authors.values()])})")
    if not dry:
        apply(actions)
        if updated_settings != settings:
            settings_path.write_text(updated_settings, encoding="utf-8")
    _summary(actions, reading, root, dry)
    return 1 if reading.problems else 0


def _summary(actions: list[Action], reading: Reading, root: Path, dry: bool) -> None:
    counts = Counter(action.kind for action in actions)
    edited = [a for a in actions if a.kind == "skipped"]
    reasons = Counter(reason for _, _, reason in reading.skipped)
    reasons.update({"edited here since it was imported (not overwritten)": len(edited)} if edited else {})
    reasons.update({"could not be read (see the errors above)": len(reading.problems)} if reading.problems else {})
    for warning in reading.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in reading.problems:
        print(f"error: {problem}", file=sys.stderr)
    for where, title, reason in reading.skipped:
        print(f"skipped {where}" + (f" «{title}»" if title else "") + f": {reason}")
    for action in edited:
        print(f"skipped {display_path(action.path, root)}: edited here since it was imported; delete its "
              "import_digest: line to let the next import overwrite it")
    verb = "would import" if dry else "imported"
    print(f"{verb} {counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged; "
          f"skipped {sum(reasons.values())}" + "".join(f"\n  {n} {reason}" for reason, n in reasons.most_common()))

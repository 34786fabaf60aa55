"""One build from sources to build/: read, check, assemble, render, write, swap."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .assets import collect_assets
from .config import load_config
from .content import find_static_files, load_articles
from .feeds import feed_files
from .problems import BuildFailed, Problem
from .render import make_environment, render_all
from .site import assemble, publishable, routes, url_collisions
from .sitemap import sitemap_files
from .writer import SiteWriter, check_output_dir

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    articles: int
    pages: int
    tags: int
    files: int
    seconds: float
    warnings: tuple[str, ...]


def build_site(root: Path, output: Path | None = None, *, drafts: bool = False, future: bool = False,
               base_url: str | None = None, now: datetime | None = None,
               progress: Progress | None = None) -> BuildReport:
    """Build the site in ROOT into OUTPUT (default ROOT/build); raise BuildFailed with every problem.

    Whatever goes wrong, OUTPUT is either the complete new site or exactly what it was before.
    """
    started = time.perf_counter()
    config = load_config(root, base_url)
    output = output if output is not None else root / "build"
    check_output_dir(output, root)
    for folder in (config.content_dir, config.templates_dir):
        if not folder.is_dir():
            raise BuildFailed([Problem(folder.name + "/", None, "folder not found",
                                       f"create {folder.name}/ in {root}")])
    articles, problems = load_articles(config, progress)
    static_files = find_static_files(config.content_dir)
    static_paths = [p.relative_to(config.content_dir).as_posix() for p in static_files]
    now = now or datetime.now(config.zone)
    chosen = publishable(articles, now, drafts, future)
    collisions = url_collisions(chosen, static_paths)
    problems += collisions
    clashing = {p.path for p in collisions}
    site = assemble(config, [a for a in chosen if a.source not in clashing], now, drafts=True, future=True)
    pages = routes(site)
    assets = collect_assets(config.theme_dir)
    env = make_environment(config, site, assets.names)

    with SiteWriter(output) as writer:
        for path, data in assets.files.items():
            writer.write(path, data)
        for path, source in zip(static_paths, static_files, strict=False):
            writer.copy(path, source)
        for path, data in [*feed_files(site), *sitemap_files(site, pages)]:
            writer.write(path, data)
        for done, (path, html) in enumerate(render_all(env, pages, config, problems), start=1):
            if not problems:
                writer.write(path, html)
            if progress and (done % 500 == 0 or done == len(pages)):
                progress("rendering", done, len(pages))
        if problems:
            raise BuildFailed(problems)
        writer.commit()
        files = writer.count
    return BuildReport(len(site.articles), len(pages), len(site.tags), files,
                       time.perf_counter() - started, config.warnings)

"""One build from sources to build/: read, check, assemble, render what changed, write, swap in."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .assets import collect_assets
from .cache import BuildCache, cache_folder, input_signature, next_due
from .config import CONFIG_NAME, Config, load_config
from .content import Article, ArticleError, find_static_files, load_articles, new_markdown, parse_settings, read_article
from .feeds import FEED_NAMES, feed_specs, render_feed
from .problems import BuildFailed, Problem
from .render import make_environment, render_page, template_digests, template_problem
from .site import Fingerprints, Page, assemble, publishable, routes, url_collisions
from .sitemap import sitemap_files
from .writer import MARKER, SiteWriter, check_output_dir

Progress = Callable[[str, int, int], None]
PARALLEL_PAGES = 400


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    articles: int
    pages: int
    tags: int
    files: int
    seconds: float
    warnings: tuple[str, ...]
    rendered: int = 0
    unchanged: bool = False


def _build_key(config: Config, root: Path, base_url: str | None, drafts: bool, future: bool) -> str:
    """Everything global that shapes the output: a change in it re-renders every page."""
    parts = (__version__, (root / CONFIG_NAME).read_bytes(), base_url, drafts, future, parse_settings(config))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _outputs_intact(output: Path, outputs: Any) -> bool:
    return (output / MARKER).is_file() and all((output / path).is_file() for path in outputs)


def build_site(root: Path, output: Path | None = None, *, drafts: bool = False, future: bool = False,
               base_url: str | None = None, now: datetime | None = None, progress: Progress | None = None,
               clean: bool = False, use_cache: bool = True, workers: int | None = None) -> BuildReport:
    """Build the site in ROOT into OUTPUT (default ROOT/build); raise BuildFailed with every problem.

    Whatever goes wrong, OUTPUT is either the complete new site or exactly what it was before.
    With the cache (ROOT/.cache/), only pages whose inputs changed are rendered, and a build
    with nothing changed writes nothing; CLEAN ignores what the cache holds.
    """
    started = time.perf_counter()
    config = load_config(root, base_url)
    output = output if output is not None else root / "build"
    check_output_dir(output, root)
    for folder in (config.content_dir, config.templates_dir):
        if not folder.is_dir():
            raise BuildFailed([Problem(folder.name + "/", None, "folder not found",
                                       f"create {folder.name}/ in {root}")])
    now = now or datetime.now(config.zone)
    workers = workers or default_workers()
    key = _build_key(config, root, base_url, drafts, future)
    with tempfile.TemporaryDirectory(prefix="arshif-") as scratch:
        folder = cache_folder(root, output) if use_cache else Path(scratch)
        cache = BuildCache(folder, config.content_dir, parse_settings(config), enabled=use_cache and not clean)
        try:
            return _build(config, output, cache, key, now, drafts, future, progress, workers, started)
        finally:
            cache.bodies.close()


def _build(config: Config, output: Path, cache: BuildCache, key: str, now: datetime, drafts: bool,
           future: bool, progress: Progress | None, workers: int, started: float) -> BuildReport:
    state = cache.state
    signature = input_signature(config.root, key)
    due = state.get("next_due")
    if (state.get("signature") == signature and (due is None or now < due)
            and _outputs_intact(output, state.get("outputs", ()))):
        articles, pages, tags = state["counts"]
        return BuildReport(articles, pages, tags, 0, time.perf_counter() - started, config.warnings,
                           unchanged=True)

    cache.load_index()
    articles, problems = load_articles(config, progress, cache, workers)
    static_files = find_static_files(config.content_dir)
    static_paths = [p.relative_to(config.content_dir).as_posix() for p in static_files]
    chosen = publishable(articles, now, drafts, future)
    collisions = url_collisions(chosen, static_paths)
    problems += collisions
    clashing = {p.path for p in collisions}
    site = assemble(config, [a for a in chosen if a.source not in clashing], now, drafts=True, future=True)
    pages = routes(site)
    assets = collect_assets(config.theme_dir)
    env = make_environment(config, site, assets.names)
    templates = template_digests(env)
    prints = Fingerprints(site)
    build_key = hashlib.sha256(repr((key, sorted(assets.names.items()))).encode()).hexdigest()
    known = state.get("fingerprints", {}) if state.get("key") == build_key else {}
    cache.bodies.flush()
    bodies = Bodies(config, cache)

    fingerprints: dict[str, str] = {}
    with SiteWriter(output) as writer:
        for path, data in assets.files.items():
            writer.write(path, data)
        for path, source in zip(static_paths, static_files, strict=True):
            writer.copy(path, source)
        for spec in feed_specs(site):
            for kind, name in FEED_NAMES.items():
                path = spec.folder + name
                fingerprints[path] = prints.feed(spec.items(config.feeds_items), build_key, kind, spec.folder,
                                                 spec.title, spec.description)
                if known.get(path) != fingerprints[path] or writer.missing(path):
                    writer.write(path, render_feed(site, spec, kind, bodies.get))
        sitemap_paths = set()
        for path, data in sitemap_files(site, pages):
            writer.write(path, data)
            sitemap_paths.add(path)

        todo = []
        for index, page in enumerate(pages):
            digest = prints.page(page) + templates.get(page.template, "") + build_key
            fingerprints[page.output_path] = digest
            if known.get(page.output_path) != digest or writer.missing(page.output_path):
                todo.append(index)
        render_problems = _render(env, pages, todo, writer, bodies, config, workers, progress)
        problems += list(dict.fromkeys(render_problems))
        if problems:
            raise BuildFailed(problems)

        expected = set(assets.files) | set(static_paths) | set(fingerprints) | sitemap_paths
        previous = set(state["outputs"]) if "outputs" in state else None
        cache.forget_outputs()
        writer.commit(expected, previous)
        files = writer.count

    cache.save({"signature": signature, "key": build_key, "fingerprints": fingerprints,
                "outputs": sorted(expected), "next_due": next_due(articles, now),
                "counts": (len(site.articles), len(pages), len(site.tags))})
    return BuildReport(len(site.articles), len(pages), len(site.tags), files, time.perf_counter() - started,
                       config.warnings, rendered=len(todo))


class Bodies:
    """Article HTML for the pages and feeds that show it: from the cache, else parsed again."""

    def __init__(self, config: Config, cache: BuildCache) -> None:
        self.config = config
        self.cache = cache
        self._converter: Any = None

    def get(self, article: Article) -> str:
        body = self.cache.body(article)
        if body is None:
            self._converter = self._converter or new_markdown()
            try:
                body = read_article(self.config.root / article.source, self.config, self._converter).body_html
            except (OSError, ArticleError):
                body = ""
        return body


_JOB: tuple[jinja2.Environment, list[Page], SiteWriter, Bodies, Config] | None = None


def _render_indices(indices: list[int]) -> list[Problem]:
    """Render and stage some pages; runs in the main process or in a forked worker."""
    assert _JOB is not None
    env, pages, writer, bodies, config = _JOB
    problems = []
    for index in indices:
        page = pages[index]
        if "article" in page.context:
            article = page.context["article"]
            page = replace(page, context={**page.context, "article": replace(article, body_html=bodies.get(article))})
        try:
            writer.write(page.output_path, render_page(env, page))
        except Exception as error:  # any template failure becomes a report line
            problems.append(template_problem(error, config, page))
    return problems


def _batches(todo: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(todo), size):
        yield todo[start:start + size]


def _render(env: jinja2.Environment, pages: list[Page], todo: list[int], writer: SiteWriter, bodies: Bodies,
            config: Config, workers: int, progress: Progress | None) -> list[Problem]:
    """Render the pages at TODO, across processes when there are many (each writes its own files)."""
    global _JOB
    _JOB = (env, pages, writer, bodies, config)
    problems: list[Problem] = []
    done = 0
    if workers > 1 and len(todo) >= PARALLEL_PAGES:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            batches = list(_batches(todo, 200))
            for batch, found in zip(batches, pool.map(_render_indices, batches), strict=True):
                problems += found
                done += len(batch)
                if progress:
                    progress("rendering", done, len(todo))
        writer.count = sum(len(files) for _, _, files in os.walk(writer.staging))
    else:
        for batch in _batches(todo, 500):
            problems += _render_indices(batch)
            done += len(batch)
            if progress:
                progress("rendering", done, len(todo))
    _JOB = None
    return problems

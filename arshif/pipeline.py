"""The full build once something changed: read, assemble, render what changed, write, swap in."""

from __future__ import annotations

import hashlib
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from .assets import collect_assets
from .build import BuildReport, Progress
from .cache import BuildCache, next_due
from .config import Config
from .content import (
    Article,
    ArticleError,
    load_articles,
    missing_templates,
    new_markdown,
    read_article,
    scan_files,
    static_sources,
)
from .depends import Key, article_digests, context_digest, key_states, stale
from .feeds import FEED_NAMES, feed_specs, render_feed
from .pool import batches_of, map_forked
from .problems import BuildFailed, Problem
from .render import (
    RecordingEnvironment,
    local_date,
    make_environment,
    render_page,
    site_url,
    template_digests,
    template_problem,
)
from .search import IndexBuilder, doc_ref, document_file, search_document, shard_files
from .site import Page, Site, assemble, publishable, routes, url_collisions
from .sitemap import sitemap_files
from .writer import SiteWriter

PARALLEL_PAGES = 400


def full_build(config: Config, output: Path, cache: BuildCache, state: dict[str, Any], signature: Any,
               key: str, scan: dict[str, os.stat_result], now: datetime, drafts: bool, future: bool,
               progress: Progress | None, workers: int, started: float) -> BuildReport:
    """Everything after the no-change check; see build.build_site."""
    lap = Stopwatch()
    cache.load_index()
    articles, problems = load_articles(config, progress, cache, workers, scan)
    lap("read articles")
    static_paths = static_sources(scan)
    static_files = [config.content_dir / path for path in static_paths]
    chosen = publishable(articles, now, drafts, future)
    collisions = url_collisions(chosen, static_paths)
    problems += collisions
    unknown = missing_templates(articles, scan_files(config.templates_dir, (".",)), config)
    problems += unknown
    left_out = {p.path for p in collisions + unknown}
    site = assemble(config, [a for a in chosen if a.source not in left_out], now, drafts=True, future=True)
    pages = routes(site)
    lap("assemble")
    assets = collect_assets(config.theme_dir)
    env = make_environment(config, site, assets.names)
    templates = template_digests(env)
    states = key_states(site)
    build_key = hashlib.sha256(repr((key, sorted(assets.names.items()))).encode()).hexdigest()
    trusted = state.get("key") == build_key
    known_pages: dict[str, tuple[str, frozenset[Key]]] = state.get("pages", {}) if trusted else {}
    cache.bodies.flush()
    lap("store bodies")
    bodies = Bodies(config, cache)

    with SiteWriter(output, config.precompress) as writer:
        for path, data in assets.files.items():
            writer.write(path, data)
        copied = {path: (scan[path].st_mtime_ns, scan[path].st_size) for path in static_paths}
        for path, source in zip(static_paths, static_files, strict=True):
            if state.get("static", {}).get(path) != copied[path] or writer.missing(path):
                writer.copy(path, source)
        sitemap_paths = set()
        for path, data in sitemap_files(site, pages):
            writer.write(path, data)
            sitemap_paths.add(path)
        lap("sitemaps")
        search_digest = hashlib.sha256(repr((build_key, article_digests(site.articles, states))).encode()).hexdigest()
        search_files: dict[str, str] = state.get("search_files", {})
        if state.get("search") != search_digest or writer.missing("search/index.json"):
            search_files = _write_search(site, bodies, writer, cache, build_key, search_files)
        lap("search index")

        jobs: list[Job] = []
        for spec in feed_specs(site):
            items = spec.items(config.feeds_items)
            for kind, name in FEED_NAMES.items():
                digest = context_digest(spec.folder + name, kind, {"items": items}, spec.title, spec.description,
                                        build_key)
                jobs.append(Job(spec.folder + name, digest, partial(render_feed, site, spec, kind, bodies.get),
                                reads=frozenset(("a", a.source) for a in items)))
        for page in pages:
            digest = context_digest(page.url, page.template, page.context, templates.get(page.template, ""),
                                    build_key)
            jobs.append(Job(page.output_path, digest, partial(_render_one, env, page, bodies), page))
        digests = {job.path: job.digest for job in jobs}
        due = stale(known_pages, digests, state.get("states", {}) if trusted else {}, states)
        todo = [i for i, job in enumerate(jobs) if job.path in due or writer.missing(job.path)]
        lap("fingerprints")
        render_problems, reads = _render(jobs, todo, env, writer, config, workers, progress)
        lap("render pages")
        rendered = {jobs[i].path for i in todo}
        recorded = {job.path: (job.digest, reads[job.path] if job.path in rendered else known_pages[job.path][1])
                    for job in jobs}
        problems += list(dict.fromkeys(render_problems))
        if problems:
            raise BuildFailed(problems)

        expected = set(assets.files) | set(static_paths) | set(digests) | sitemap_paths | set(search_files)
        previous = set(state["outputs"]) if "outputs" in state else None
        cache.forget_outputs()
        writer.commit(expected, previous)
        lap("commit")
        files = writer.count

    cache.save({"signature": signature, "key": build_key, "pages": recorded, "states": states,
                "outputs": sorted(expected), "next_due": next_due(articles, now),
                "counts": (len(site.articles), len(pages), len(site.tags)), "static": copied,
                "search": search_digest, "search_files": search_files})
    lap("save cache")
    return BuildReport(len(site.articles), len(pages), len(site.tags), files, time.perf_counter() - started,
                       config.warnings, rendered=sum(1 for i in todo if jobs[i].page is not None))


def _write_search(site: Site, bodies: Bodies, writer: SiteWriter, cache: BuildCache, build_key: str,
                  known: dict[str, str]) -> dict[str, str]:
    """Index every published article and stage the search files; returns each file's input key.

    An article's term counts come from the cache when its source and tags are unchanged, and its
    result file is written again only when what it shows changed; articles are read one at a time,
    so memory does not grow with their text. They are numbered oldest first, so a new article does
    not renumber the others.
    """
    config = site.config
    builder = IndexBuilder()
    keys = {}
    for position, article in enumerate(reversed(site.articles)):
        tags = [t.name for t in site.tags_of[article.url]]
        key = article.digest + hashlib.sha256(repr((build_key, tags)).encode()).hexdigest()
        path = f"search/docs/{doc_ref(position)}.json"
        keys[path] = key
        counts = cache.bodies.get_terms(key)
        if counts is not None and known.get(path) == key and not writer.missing(path):
            builder.add_counted(doc_ref(position), counts)
            continue
        document = search_document(position, article, tags, bodies.get(article))
        counts = builder.count(document)
        cache.bodies.put_terms(key, counts)
        builder.add_counted(document.ref, counts)
        writer.write(*document_file(document, {
            "url": site_url(config, article.url), "title": article.title, "date": local_date(article.date, config),
            "iso": article.date.isoformat(), "tags": tags, "summary": article.summary}))
    for path, data in shard_files(builder.finish()):
        writer.write(path, data)
        keys[path] = ""
    return keys


class Stopwatch:
    """Phase timings on standard error when ARSHIF_TIMINGS is set: where a slow build spends its time."""

    def __init__(self) -> None:
        self.enabled = bool(os.environ.get("ARSHIF_TIMINGS"))
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float]:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.perf_counter(), own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime)

    def __call__(self, phase: str) -> None:
        now = self._read()
        if self.enabled:
            wall, user, system = (b - a for a, b in zip(self.last, now, strict=True))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"  {phase:<14} {wall:7.3f} s wall {user:7.3f} s user {system:7.3f} s sys {peak:6d} MB peak",
                  file=sys.stderr)
        self.last = now


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


@dataclass(frozen=True)
class Job:
    """One output file to make: where it goes, the digest of its context, and how to make it.

    A page's reads are recorded while it renders; an output made in Python states them (READS).
    """

    path: str
    digest: str
    make: Callable[[], str | bytes]
    page: Page | None = None
    reads: frozenset[Key] = frozenset()


def _render_one(env: jinja2.Environment, page: Page, bodies: Bodies) -> str:
    if page.kind == "article":
        article = page.context["article"]
        page = replace(page, context={**page.context, "article": replace(article, body_html=bodies.get(article))})
    return render_page(env, page)


Rendered = tuple[list[Problem], dict[str, frozenset[Key]]]


def _run_jobs(shared: tuple[list[Job], SiteWriter, Config, RecordingEnvironment], indices: Sequence[int]) -> Rendered:
    """Make and stage some outputs, noting what each read; runs in the main process or in a forked worker."""
    jobs, writer, config, env = shared
    problems = []
    reads = {}
    for index in indices:
        job = jobs[index]
        env.recorder.take()
        try:
            writer.write(job.path, job.make())
        except Exception as error:  # any template failure becomes a report line
            if job.page is None:
                raise
            problems.append(template_problem(error, config, job.page))
        reads[job.path] = job.reads | env.recorder.take()
    writer.drain()
    return problems, reads


def _render(jobs: list[Job], todo: list[int], env: RecordingEnvironment, writer: SiteWriter, config: Config,
            workers: int, progress: Progress | None) -> Rendered:
    """Make the outputs at TODO, across processes when there are many (each stages its own files)."""
    parallel = workers > 1 and len(todo) >= PARALLEL_PAGES
    batches = batches_of(todo, 100 if parallel else 500)
    problems: list[Problem] = []
    reads: dict[str, frozenset[Key]] = {}
    done = 0
    for batch, (found, read) in zip(batches, map_forked(_run_jobs, (jobs, writer, config, env), batches,
                                                         workers if parallel else 1), strict=True):
        problems += found
        reads.update(read)
        done += len(batch)
        if progress:
            progress("rendering", done, len(todo))
    if parallel:
        writer.drain()
        writer.count = sum(len(files) for _, _, files in os.walk(writer.staging))
    return problems, reads

"""The full build once something changed: read, assemble, render what changed, write, swap in."""

from __future__ import annotations

import gc
import hashlib
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import jinja2

from .assets import Assets, collect_assets
from .build import BuildRequest
from .cache import BuildCache, Record, Summary, next_due
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
from .depends import (
    Key,
    KeyTable,
    Made,
    Readers,
    article_state,
    changed_keys,
    context_key,
    key_states,
    photo_state,
    reads_any,
    stale,
)
from .feeds import FEED_NAMES, feed_specs, render_feed
from .images import ImageCache, Photos, prepare_photos, referenced
from .pool import Forked, batches_of, map_forked
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
from .report import BuildReport, Progress
from .search import article_terms
from .search_layout import SearchItem, update_search
from .site import (
    Page,
    Site,
    alias_collisions,
    assemble,
    digest_of,
    placement,
    publishable,
    related_of,
    route_shape,
    routes,
    url_collisions,
)
from .sitemap import listed_count, sitemap_files, sitemap_names, small_files
from .writer import FolderLook, SiteWriter, look_at_folders

PARALLEL_PAGES = 400
# A build makes millions of small objects that are kept to its end: the cyclic collector runs less often
# (its default, 700, walked them again and again: 0.45 s of a 10k-article edit's 2.4 s).
COLLECTOR_THRESHOLDS = (50_000, 20, 100)
DAY_ZERO = 730120  # 2000-01-01: search's days are counted from it, so they stay short


@dataclass
class Shaped:
    """The assembled site and what renders it: the steps after reading work from this."""

    articles: list[Article]
    problems: list[Problem]
    static_paths: list[str]
    site: Site
    pages: list[Page] | None  # None: the last build's, as the site is placed as before (see all_pages)
    env: RecordingEnvironment
    assets: Assets
    templates: dict[str, str]
    template_refs: dict[str, frozenset[Any]]
    states: dict[Key, Any]
    key: str
    photos: Photos
    shape: str  # a digest of what the pages' contexts are made from: the templates, the key and ROUTES
    routes: str  # site.route_shape
    listed: int  # how many pages the sitemaps list
    published: str  # a digest of which articles are published
    patched: bool = False  # STATES holds only the keys whose state changed: the others' are the last record's
    dated_as_before: bool = False  # placed as before, and every article changed last when it did then
    beside: str = ""  # a digest of the files beside the articles (photos and others), with their times

    def all_pages(self) -> list[Page]:
        """Every page: a build of a site placed as before routes only those it renders (_plan), unless asked."""
        if self.pages is None:
            self.pages = routes(self.site)
        return self.pages


@dataclass
class Plan:
    """Every output of the build with its context key, and which must be made again."""

    jobs: list[Job]
    todo: list[int]
    changed: set[Key]  # the keys whose state changed since the last build
    keys: KeyTable  # the characters that stand for keys in the outputs' reads (the last build's, and new ones)
    unplanned: list[str]  # outputs left out of JOBS, as the last build made them (see _plan's READERS)
    readers: Readers | None  # the index that found the pages to do, when one did


@dataclass(frozen=True)
class SearchFiles:
    """What a build's search step leaves for the next: what the index was made from, its files, its layout."""

    digest: str
    files: list[str]
    layout: Any


def run_pipeline(request: BuildRequest, cache: BuildCache) -> BuildReport:
    """Everything after the no-change check, as named steps; see build.build_site."""
    lap = Stopwatch()
    thresholds, collecting = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    looking: Forked[Any] | None = None
    looked_at: Callable[[], FolderLook | None] = _nothing_looked_at
    try:
        # What the cache holds stays to the end of the build: the collector need not walk it while it
        # loads (each chunk loaded would start a collection over all those before), nor after.
        gc.disable()
        last = cache.load_record()
        lap("load record")
        ahead, cache.looking_ahead = cache.looking_ahead, None
        if ahead is not None:  # a child forked before the record was read looks at its folders (build.py)
            looking = ahead
            looked_at = partial(_looked_at, ahead, cache.record_stamp)
        elif last.folders and not cache.in_session:
            # The output folders' times, looked at on another processor while this one reads and assembles
            # (at 10,000 articles 17,000 look-ups, 0.06 s).
            looking = Forked(partial(look_at_folders, request.output, last.folders, cache.summary.listing))
            looked_at = looking.result
        cache.load_index()
        lap("load index")
        gc.freeze()
        if collecting:
            gc.enable()
        shaped = _read_and_assemble(request, cache, last, lap)
        gc.freeze()
        return _rest(request, cache, last, shaped, lap, looked_at)
    finally:
        if looking is not None:
            looking.close()
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if collecting:
            gc.enable()


def _nothing_looked_at() -> None:
    return None


def _looked_at(looking: Forked[tuple[Any, FolderLook | None]], stamp: Any) -> FolderLook | None:
    """What a child looking ahead found of the output folders, when it looked at those of the record file this build
    read (STAMP, cache._stamp)."""
    found_in, looked = looking.result()
    return looked if found_in is not None and found_in == stamp else None


def _rest(request: BuildRequest, cache: BuildCache, last: Record, shaped: Shaped, lap: Stopwatch,
          looked_at: Callable[[], FolderLook | None]) -> BuildReport:
    """Render, write the search files, swap the new site in and record the build. LOOKED_AT gives the output
    folders looked at ahead (writer.look_at_folders), asked for only when the last record holds."""
    trusted = last.key == shaped.key
    cache.bodies.flush()
    cache.bodies.close()
    bodies = Bodies(request.config, cache, shaped.photos)
    left = frozenset(cache.summary.outputs)
    present = left if cache.in_session and left else None
    looked = looked_at() if trusted else None
    with SiteWriter(request.output, request.config.precompress, present,
                    (left, last.folders) if trusted else None, looked) as writer:
        copied = _write_assets_and_static(request, shaped, writer, last if trusted else Record())
        sitemap = _write_sitemaps(shaped, writer, last if trusted else Record())
        lap("sitemaps")
        if trusted and (last.shape != shaped.shape or _checking()):
            cache.load_contexts()  # else every page's context is the last build's, and none need be looked at
        plan = _plan(shaped, bodies, writer, last if trusted else Record(), cache.readers)
        lap("plan")
        problems, reads = _render(plan.jobs, plan.todo, shaped.env, writer, request.config, request.workers,
                                  request.progress, plan.keys)
        lap("render pages")
        problems = shaped.problems + list(dict.fromkeys(problems))
        if problems:
            raise BuildFailed(problems)
        rendered = {plan.jobs[i].path for i in plan.todo}
        pages_rendered = sum(1 for i in plan.todo if plan.jobs[i].page is not None)
        made, changed, keys = _made(plan, rendered, reads, last), plan.changed, plan.keys
        cache.readers = plan.readers.moved(made, rendered) if plan.readers is not None else None
        compacted = None if shaped.patched else keys.compacted(made, len(shaped.states))  # patched: no key is new
        if compacted is not None:
            (keys, made), cache.readers = compacted, None
        del plan, reads  # the jobs are done with: the search step's memory comes on top of what is left
        pages_made, saved = set(made) | set(sitemap_names(shaped.listed)), {}
        page_count = len(shaped.pages) if shaped.pages is not None else cache.summary.counts[1]
        states, key_list = shaped.states, keys.keys
        del keys  # the table's lookup (28 MB at 100,000 articles); the record keeps its list
        if not request.save_later:
            # A build that ends here needs neither its pages nor the record's big parts again: those saved now,
            # all make room for the search step (at 100,000 articles the parent's peak in it fell from 1,098 to 915 MB).
            saved, made, states, key_list = cache.save_ahead(made, states, key_list, shaped.patched), {}, {}, []
            shaped.pages = []
            shaped.states = {}
            lap("record ahead")
        # After the pages, so that a failed build leaves the kept search files as the last good build made them.
        search = _write_search(shaped, bodies, writer, cache, last if trusted else Record(), changed)
        lap("search index")
        expected = (set(shaped.assets.files) | set(shaped.static_paths) | pages_made | set(search.files)
                    | set(shaped.photos.outputs()))
        listing = cache.summary.listing
        previous = set(listing.split("\n")) if listing else None
        cache.forget_outputs()
        changes = writer.commit(expected, previous, cache.summary.precompressed)
        lap("commit")
        files = writer.count
        folders = writer.folder_times(expected)
    site = shaped.site
    related = last.related if last.related[0] == site.related_key else related_of(site)  # found from the same
    summary = Summary(request.signature, next_due(shaped.articles, request.now),
                      (len(site.articles), page_count, len(site.tags)),
                      listing if previous == expected else "\n".join(sorted(expected)),
                      request.config.precompress)
    record = Record(shaped.key, made, states, copied, sitemap, search.digest, search.files,
                    search.layout, shaped.template_refs, related, folders, shape=shaped.shape, keys=key_list,
                    routes=shaped.routes, placed=request.key, listed=shaped.listed, published=shaped.published,
                    beside=shaped.beside,
                    **saved)
    # Until saved, the cache on disk holds no record (forget_outputs), so a stop before then costs time only.
    cache.unsaved = partial(_save_cache, cache, summary, record, search.layout, request.save_later)
    if request.save_later:
        cache.assembled = (_frame(request), shaped)
    else:
        cache.finish_saving()
        lap("save cache")
    return BuildReport(len(site.articles), page_count, len(site.tags), files, time.perf_counter() - request.started,
                       request.config.warnings, rendered=pages_rendered, changes=changes)


def _save_cache(cache: BuildCache, summary: Summary, record: Record, layout: Any, session: bool) -> None:
    cache.save(summary, record)
    cache.bodies.mark_layout(layout)
    if session and (cache.readers is None or cache.readers.pages is not record.pages):
        cache.readers = Readers.index(record.pages)  # after the page reloaded: the next edit's plan uses it


def _made(plan: Plan, rendered: set[str], reads: dict[str, str], last: Record) -> Made:
    """Each output's context and reads, for the next build: the last record's entry where it was not rendered
    (then its context is unchanged), so only what this build rendered is made anew."""
    made = {path: last.pages[path] for path in plan.unplanned}
    made.update((job.path, (job.context, reads[job.path]) if job.path in rendered else last.pages[job.path])
                for job in plan.jobs)
    return made


def _read_and_assemble(request: BuildRequest, cache: BuildCache, last: Record, lap: Stopwatch) -> Shaped:
    """Read the articles (parsing only the changed ones) and place the publishable ones in the site."""
    config = request.config
    cache.bodies.close()  # no connection is carried into forked workers (SQLite forbids it)
    articles, problems = load_articles(config, request.progress, cache, request.workers, request.scan)
    lap("read articles")
    photo_files = referenced(articles)
    scan = request.scan
    beside_articles = static_sources(scan)
    static_paths = [path for path in beside_articles if path not in photo_files]
    # The files beside the articles as they are now: the same as last time, no photo changed (_placed_as_before).
    beside = digest_of([(path, str(scan[path].st_mtime_ns), str(scan[path].st_size)) for path in beside_articles])
    kept, rewritten = _kept_site(request, cache.assembled, articles, static_paths)
    placed = None
    if kept is not None:
        articles, site, pages, assets = kept.articles, kept.site, kept.all_pages(), kept.assets
        published = kept.published
    else:
        chosen = publishable(articles, request.now, request.drafts, request.future)
        published = digest_of([[a.source for a in chosen]])
        unknown = missing_templates(articles, scan_files(config.templates_dir, (".",)), config)
        placed, dated_as_before = (None, False) if unknown or problems else _placed_as_before(
            request, cache, last, chosen, published, static_paths, beside)
        # Placed as before, the last build found no collision among the same paths.
        collisions = url_collisions(chosen, static_paths) if placed is None else []
        problems += collisions + unknown
        left_out = {p.path for p in collisions + unknown}
        site = assemble(config, [a for a in chosen if a.source not in left_out], request.now, drafts=True,
                        future=True, known=last.related if last.related[0] else None, placed=placed is not None)
        pages = routes(site) if placed is None or _checking() else None
        if placed is None:
            problems += alias_collisions(site.articles, pages, static_paths, config.root)
        assets = collect_assets(config.theme_dir)
    lap("assemble")
    cache.bodies.close()  # photos may be made in forked workers
    images = ImageCache(cache.folder.parent / "images" if cache.persist else cache.folder / "images", cache.trust)
    photos, photo_problems = prepare_photos(config, site.articles, request.scan, images, request.workers)
    problems += photo_problems
    lap("photos")
    cache.know_locale(config.locale)
    env = make_environment(config, site, assets.names, cache.folder / "templates" if cache.persist else None,
                           photos)
    templates, references = template_digests(env, last.template_refs)
    patched = placed is not None and not request.save_later  # a session keeps every state, for _kept_site
    if not patched or _checking():
        cache.load_states()
    if kept is not None:
        states = dict(kept.states)  # the last record holds the kept dict: it is compared with this one
        states.update((("a", a.source), article_state(site, a)) for a in rewritten)
        # With the photos of last time, only a rewritten article can show others (at 10,000: 25 ms a preview build).
        showing = rewritten if photos.found == kept.photos.found else site.articles
        states.update((("p", a.source), photo_state(a, photos.states(a))) for a in showing)
        key, shape, route_digest = kept.key, kept.shape, kept.routes
    else:
        if placed is None:
            states = key_states(site, {a.source: photos.states(a) for a in site.articles})
            route_digest = route_shape(site)
        else:  # the last build's states hold but for what the rewritten articles show
            states = {} if patched else dict(last.states)
            states.update((("a", a.source), article_state(site, a)) for a in placed)
            states.update((("p", a.source), photo_state(a, photos.states(a))) for a in placed)
            if patched and _checking():
                _check_patch(last.states, states, key_states(site, {a.source: photos.states(a) for a in site.articles}))
            route_digest = last.routes
        key = hashlib.sha256(repr((request.key, sorted(assets.names.items()))).encode()).hexdigest()
        shape = digest_of([(key, site.related_key, route_digest), *sorted(templates.items())])
    listed = listed_count(pages) if pages is not None else last.listed
    shaped = Shaped(articles, problems, static_paths, site, pages, env, assets, templates, references,
                    states, key, photos, shape, route_digest, listed, published, patched,
                    placed is not None and dated_as_before, beside)
    lap("key states")
    return shaped


def _placed_as_before(request: BuildRequest, cache: BuildCache, last: Record, chosen: list[Article], published: str,
                      static_paths: list[str], beside: str) -> tuple[list[Article] | None, bool]:
    """The published articles rewritten since the last build, when it placed every article as now (site.placement),
    published the same ones (PUBLISHED, Shaped.published) and had the same files beside them (BESIDE, Shaped.beside),
    else None; and whether each of them changed last when it did then (Article.modified, which the sitemaps show).

    Then the order, lists, related articles and pages are the last build's, and so are the states of its keys but
    for what the rewritten articles show (no photo changed: those are files beside them): a new process need not
    work them out over the whole site again (at 10,000 articles 0.15 s of a body edit). A preview's kept site
    (_kept_site) rests on the same argument.
    """
    if not last.routes or last.placed != request.key or last.published != published or last.beside != beside \
            or static_paths != list(last.static) or cache.seen.keys() != cache.index.keys():
        return None, False
    rewritten, dated_as_before = [], True
    for relative, entry in cache.seen.items():
        before = cache.index[relative].article
        if entry.article is not before:
            if placement(entry.article) != placement(before):
                return None, False
            rewritten.append(entry.article)
            dated_as_before = dated_as_before and entry.article.modified == before.modified
    shown = {a.source for a in chosen}
    return [a for a in rewritten if a.source in shown], dated_as_before


def _check_patch(last: dict[Key, Any], patch: dict[Key, Any], states: dict[Key, Any]) -> None:
    """ARSHIF_CHECK_PLAN: the last states with PATCH are the STATES worked out whole, and PATCH holds just those
    that changed."""
    if {**last, **patch} != states or changed_keys(last, states) != set(patch):
        raise RuntimeError(f"the patched key states differ: {sorted(changed_keys({**last, **patch}, states))[:3]}")


def _frame(request: BuildRequest) -> tuple[Any, ...]:
    """Every input of a build but its articles: the options, site.toml, and the templates and theme as scanned."""
    key, *site_toml, files = request.signature
    return (key, *site_toml, tuple([f for f in files if f[0] != "content"]), request.config, request.drafts,
            request.future)


def _kept_site(request: BuildRequest, assembled: tuple[Any, Shaped] | None, articles: list[Article],
               static_paths: list[str]) -> tuple[Shaped | None, list[Article]]:
    """A preview's last assembled site, when this build's would be placed the same; and the articles rewritten.

    The same options and templates, the same articles published in the same places (site.placement) and the
    same files beside them: then every list, page and neighbour is as it was, and only what articles show
    differs (their keys' states tell which pages). The kept Article objects are given the edited articles'
    fields in place, since every list and page of the kept site holds them; assembling again costs 0.3 s
    at 10,000 articles. A build that fails after this drops the whole session cache (BuildSession).
    """
    if assembled is None:
        return None, []
    frame, kept = assembled
    if len(articles) != len(kept.articles) or static_paths != kept.static_paths or frame != _frame(request):
        return None, []
    edits = []
    for new, old in zip(articles, kept.articles, strict=True):
        if new is not old and (new.source != old.source or new.digest != old.digest):
            if placement(new) != placement(old):
                return None, []
            edits.append((old, new))
    published = {a.source for a in publishable(kept.articles, request.now, request.drafts, request.future)}
    if published != {a.source for a in kept.site.articles}:
        return None, []
    for old, new in edits:
        for name in Article.__slots__:
            object.__setattr__(old, name, getattr(new, name))
    return kept, [old for old, _new in edits if old.source in published]


def _write_assets_and_static(request: BuildRequest, shaped: Shaped, writer: SiteWriter,
                             last: Record) -> dict[str, tuple[int, int]]:
    """Theme assets, and the files beside articles that changed since they were copied."""
    for path, data in shaped.assets.files.items():
        writer.write(path, data)
    scan = request.scan
    copied = {path: (scan[path].st_mtime_ns, scan[path].st_size) for path in shaped.static_paths}
    for path in shaped.static_paths:
        if last.static.get(path) != copied[path] or writer.missing(path):
            writer.copy(path, request.config.content_dir / path)
    for path, variant in shaped.photos.outputs().items():  # named by their content: one there is the same
        if writer.missing(path):
            writer.copy(path, variant)
    return copied


def _write_sitemaps(shaped: Shaped, writer: SiteWriter, last: Record) -> str:
    """The sitemaps, when the pages or their dates changed; returns the digest of what they come from.

    They show each page's URL and the latest change of the articles it lists: the site's shape decides
    the pages and their lists, so with it the articles' dates of change decide everything.
    """
    site = shaped.site
    for path, data in small_files(site):
        writer.write(path, data)
    if shaped.dated_as_before and last.sitemap and last.shape == shaped.shape and not _checking():
        shown = last.sitemap  # made from the same: at 10,000 articles 0.01 s less for an edit
    else:
        shown = digest_of([(shaped.shape,), [a.modified.isoformat() for a in site.articles]])
        if _checking() and shaped.dated_as_before and last.sitemap and last.shape == shaped.shape \
                and shown != last.sitemap:
            raise RuntimeError("an article placed as before changed its date of change unseen")
    if shown != last.sitemap or any(writer.missing(path) for path in sitemap_names(shaped.listed)):
        for path, data in sitemap_files(site, shaped.all_pages()):
            writer.write(path, data)
    return shown


def _plan(shaped: Shaped, bodies: Bodies, writer: SiteWriter, last: Record, readers: Readers | None = None) -> Plan:
    """Every page and feed with its context key; those whose context or reads changed are to do.

    With the site's shape unchanged, the pages to do are those that read a changed key, and any missing, and only
    they get jobs: READERS, a preview's index of the last record's reads, says which; else the reads are looked at.
    """
    site, config = shaped.site, shaped.site.config
    same_shape = last.shape == shaped.shape  # then every page's and feed's context is the last build's
    checking = _checking()
    jobs: list[Job] = []
    for spec in feed_specs(site):
        items = spec.items(config.feeds_items)
        for kind, name in FEED_NAMES.items():
            known = last.pages.get(spec.folder + name) if same_shape and not checking else None
            context = known[0] if known is not None else context_key(
                spec.folder + name, kind, {"items": items}, spec.title, spec.description, shaped.key)
            if checking and same_shape and spec.folder + name in last.pages \
                    and last.pages[spec.folder + name][0] != context:
                raise RuntimeError(f"the plan would reuse a stale context for {spec.folder + name}")
            jobs.append(Job(spec.folder + name, context, partial(render_feed, site, spec, kind, bodies.feed),
                            reads=frozenset(key for a in items for key in (("a", a.source), ("p", a.source)))))
    changed = set(shaped.states) if shaped.patched else changed_keys(last.states, shaped.states)
    keys = KeyTable(last.keys)
    keys.add(shaped.states)
    changed_chars = keys.chars(changed)
    if not same_shape or checking:
        shaped.all_pages()
    pages, unplanned, planned = shaped.pages, [], set()
    if same_shape:
        if readers is not None and readers.pages is last.pages:
            due = readers.due(changed_chars)
        else:  # a new process has no index: the record's reads, tested in C, cost less than making it
            readers = None
            reads_changed = reads_any(changed_chars)
            due = {path for path, (_context, reads) in last.pages.items() if reads_changed(reads)}
        if shaped.pages is None:  # the pages are the last build's: only those to render are routed
            feeds = {job.path for job in jobs}
            routed = [path for path in last.pages if path not in feeds]
            pages = routes(site, {path for path in routed if path in due} | writer.missing_among(routed))
            planned = {page.output_path for page in pages}
            unplanned = [path for path in last.pages if path not in planned and path not in feeds]
        else:
            pages = [page for page in shaped.pages if page.output_path in due or page.output_path not in last.pages
                     or writer.missing(page.output_path)]
            planned = {page.output_path for page in pages}
            unplanned = [page.output_path for page in shaped.pages if page.output_path not in planned]
        if checking:
            missed = [path for path in unplanned if not set(changed_chars).isdisjoint(last.pages[path][1])]
            if missed:
                raise RuntimeError(f"the index of reads misses {missed[0]}, which read a changed key")
    else:
        readers = None
    for page in shaped.pages if checking else pages:
        known = last.pages.get(page.output_path) if same_shape else None
        if known is None or checking:
            context = context_key(page.url, page.template, page.context, shaped.templates.get(page.template, ""),
                                  shaped.key)
            if known is not None and known[0] != context:
                raise RuntimeError(f"the plan would reuse a stale context for {page.output_path}")
        else:
            context = known[0]
        if pages is shaped.pages or page.output_path in planned:
            jobs.append(Job(page.output_path, context,
                            partial(_render_one, shaped.env, page, bodies, shaped.photos), page))
    due = stale(last.pages, {job.path: job.context for job in jobs}, changed_chars)
    todo = [i for i, job in enumerate(jobs) if job.path in due or writer.missing(job.path)]
    return Plan(jobs, todo, changed, keys, unplanned, readers)


def _write_search(shaped: Shaped, bodies: Bodies, writer: SiteWriter, cache: BuildCache, last: Record,
                  changed_keys: set[Key]) -> SearchFiles:
    """The search files, when an article they hold changed: only the shards and bundles it touches."""
    site, config = shaped.site, shaped.site.config
    sources = [a.source for a in site.articles]
    digest = digest_of([(shaped.key, *sources)])  # what the index holds, in order; what each shows is its state
    changed = None  # the articles whose state changed, when the index holds the same ones in the same order
    if last.search == digest:
        sources_changed = {key[1] for key in changed_keys if key[0] == "a"}
        changed = [a for a in site.articles if a.source in sources_changed]
        if not changed and not any(writer.missing(path) for path in last.search_files):
            return SearchFiles(digest, last.search_files, last.search_layout)
    layout = last.search_layout if cache.bodies.layout_is(last.search_layout) else None
    tags_key = hashlib.sha256(shaped.key.encode()).hexdigest()[:16]

    def item(article: Article) -> SearchItem:
        tags = tuple(t.name for t in site.tags_of[article.url])

        def shows(snippet: str) -> dict[str, Any]:
            return {"url": site_url(config, article.url), "title": article.title,
                    "date": local_date(article.date, config), "iso": article.date.isoformat(), "tags": list(tags),
                    "text": snippet}

        return SearchItem(article.source, article.digest + tags_key + "".join(tags),
                          article.date.toordinal() - DAY_ZERO, article.digest, tags,
                          lambda: article_terms(article, bodies.get(article)), shows)

    cache.bodies.mark_layout(None)  # until this build's record is saved, the kept files match no layout
    layout, update = update_search(layout, map(item, reversed(site.articles)), cache.bodies, writer.write,
                                   None if changed is None else [item(a) for a in changed])
    for path, data in update.written.items():
        writer.write(path, data)
    writer.write("search/index.json", update.manifest())
    files = update.files()
    for path in files:
        if path not in update.written and path not in update.sent and path != "search/index.json" \
                and writer.missing(path):
            data = update.kept(path)
            if data is not None:
                writer.write(path, data)
    return SearchFiles(digest, files, layout)


def _checking() -> bool:
    """Whether ARSHIF_CHECK_PLAN asks the plan to work out every context and compare it with the one it reuses."""
    return bool(os.environ.get("ARSHIF_CHECK_PLAN"))


class Stopwatch:
    """Phase timings on standard error when ARSHIF_TIMINGS is set: where a slow build spends its time."""

    def __init__(self) -> None:
        self.enabled = bool(os.environ.get("ARSHIF_TIMINGS"))
        self.last = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float, int]:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.perf_counter(), own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime,
                own.ru_minflt + children.ru_minflt)

    def __call__(self, phase: str) -> None:
        now = self._read()
        if self.enabled:
            wall, user, system, faults = (b - a for a, b in zip(self.last, now, strict=True))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"  {phase:<14} {wall:7.3f} s wall {user:7.3f} s user {system:7.3f} s sys {peak:6d} MB peak "
                  f"{faults:7d} page faults", file=sys.stderr)
        self.last = now


class Bodies:
    """Article HTML for the pages and feeds that show it: from the cache, else parsed again."""

    def __init__(self, config: Config, cache: BuildCache, photos: Photos) -> None:
        self.config = config
        self.cache = cache
        self.photos = photos
        self._converter: Any = None

    def feed(self, article: Article) -> str:
        """The body as feeds show it: photos as plain <img> with their size."""
        return self.photos.feed_html(self.get(article))

    def get(self, article: Article) -> str:
        body = self.cache.body(article)
        if body is None:
            self._converter = self._converter or new_markdown()
            try:
                body = read_article(self.config.root / article.source, self.config, self._converter).body_html
            except (OSError, ArticleError):
                body = ""
        return body


@dataclass(frozen=True, slots=True)
class Job:
    """One output file to make: where it goes, the key of its context, and how to make it.

    A page's reads are recorded while it renders; an output made in Python states them (READS).
    """

    path: str
    context: Any
    make: Callable[[], str | bytes]
    page: Page | None = None
    reads: frozenset[Key] = frozenset()


def _render_one(env: jinja2.Environment, page: Page, bodies: Bodies, photos: Photos) -> str:
    if page.kind == "article":
        article = page.context["article"]
        body = photos.body_html(bodies.get(article), article)
        page = replace(page, context={**page.context, "article": replace(article, body_html=body)})
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
            workers: int, progress: Progress | None, keys: KeyTable) -> tuple[list[Problem], dict[str, str]]:
    """Make the outputs at TODO, across processes when there are many (each stages its own files).

    Returns the problems and each output's reads, as KEYS encodes them.
    """
    parallel = workers > 1 and len(todo) >= PARALLEL_PAGES
    batches = batches_of(todo, 100 if parallel else 500)
    problems: list[Problem] = []
    reads: dict[str, str] = {}
    done = 0
    for batch, (found, read) in zip(batches, map_forked(_run_jobs, (jobs, writer, config, env), batches,
                                                         workers if parallel else 1), strict=True):
        problems += found
        for path, page_reads in read.items():
            reads[path] = keys.encode(page_reads)
        done += len(batch)
        if progress:
            progress("rendering", done, len(todo))
    if parallel:
        writer.drain()
        writer.count = sum(len(files) for _, _, files in os.walk(writer.staging))
    return problems, reads

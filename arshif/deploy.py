"""`generate.py deploy`: publish a production build to a gh-pages branch, a folder or a server.

Every deploy builds the site for production (no drafts, no future articles) into a folder of its
own, ROOT/.cache/deploy/site, with the build cache (never build/ or the preview's folder): a deploy
after one edit renders and writes only what that edit changed. It then checks the links of the
files that changed since the last check that passed (links.check_changed_links; the first deploy
checks every file), and only then publishes. The build says which files it changed, and pending.py
keeps that for the link check and each destination, so neither looks at the files that did not:

- `--to gh-pages` commits the build, with `.nojekyll`, to a branch of the site's git repository
  with ghp-import (the tree is replaced whole, history is kept) and pushes it when `--remote` is
  given; a site folder outside any repository can still push to a remote through a scratch one.
- `--to DIR` or `--to user@host:path` syncs with rsync: removed files are deleted, and a file
  whose bytes did not change is not touched at all (same time, inode and cache validators). The
  destination's files carry the times of the deploy folder's, so rsync compares sizes and times
  (to the nanosecond) of just the files that can have changed (--files-from); when the destination
  was published from somewhere else (another machine, a cleared deploy cache), rsync compares
  contents instead and the deploy folder then takes the destination's times (see RsyncTarget).
  A file changed by hand in the destination is put right by `--clean` only.

`--dry-run` does all of it but the publishing, and lists what would change. A failed build, a
broken link (unless `--no-check`), or a destination that holds files Arshif did not put there
stops the deploy before anything is published. The deploy folder is only ever replaced whole by
the build, so a failed build leaves it as it was; whatever happens to the deploy cache (deleted,
damaged) only costs time: `--clean` trusts none of it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .output import MARKER, refusal
from .pending import LINKS, Pending

GH_PAGES = "gh-pages"
DEPLOY_CACHE = ".cache/deploy"  # under ROOT: the deploy folder, the link check's record, what went where
RSYNC_OPTIONS = [
    "--recursive", "--links", "--perms", "--chmod=D755,F644",  # readable by the web server, whatever the umask
    "--delete-after", "--delay-updates",  # new files appear together at the end, then old ones go
    "--itemize-changes", "--8-bit-output",  # Arabic file names as they are, not as \#ooo escapes
    "--stats", "--no-human-readable",
]
# The destination has the deploy folder's times: equal size and time (to the nanosecond: a file
# rewritten within the same second is not equal) means equal bytes, and only changed files are read.
RSYNC_BY_TIME = ["--times", "--modify-window=-1"]
# Published from elsewhere: compare contents, and leave the times of files whose bytes are equal.
RSYNC_BY_CONTENT = ["--checksum"]
# Only the files named on standard input (deploy's pending list): sent, or deleted when the deploy folder
# has them no more (a folder it deleted goes whole). rsync 3.1 and later.
RSYNC_LISTED = ["--files-from=-", "--from0", "--delete-missing-args", "--force"]
# Then the deploy folder takes the destination's times (never its bytes, never its extra files).
RSYNC_ADOPT_TIMES = ["--recursive", "--times", "--omit-dir-times", "--existing", "--size-only", "--modify-window=-1",
                     "--itemize-changes", "--8-bit-output"]
EXAMPLES = """\
examples:
  python generate.py deploy --to gh-pages                      commit the site to the gh-pages branch
  python generate.py deploy --to gh-pages --remote origin      ...and push it
  python generate.py deploy --to /var/www/archive              sync a folder on this machine
  python generate.py deploy --to deploy@example.org:/srv/www   sync a folder on a server (rsync over ssh)
  python generate.py deploy --to /var/www/archive --dry-run    list what would change, publish nothing
"""


class DeployError(Exception):
    """A reason to stop the deploy, worded for the user (the CLI prints it, never a traceback)."""


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the deploy command; heavy imports wait until it runs, so other commands stay fast."""
    deploy = commands.add_parser(
        "deploy", parents=[common], help="publish a production build (gh-pages, a folder, or a server)",
        description="Build the site for production (no drafts, no future articles) into its own folder "
                    "(ROOT/.cache/deploy/site, incrementally), check the internal links of what changed, then "
                    "publish it. Nothing is published from a failed build or when a link is broken.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    deploy.add_argument("--to", required=True, metavar="TARGET",
                        help="gh-pages (a git branch, see --branch and --remote), a folder, or user@host:path "
                             "for rsync over ssh; a folder named gh-pages is ./gh-pages")
    deploy.add_argument("--base-url", help="override base_url from site.toml (the URL the site is served at)")
    deploy.add_argument("--branch", default=GH_PAGES, help="with --to gh-pages: the branch (default: gh-pages)")
    deploy.add_argument("--remote", help="with --to gh-pages: a remote name or URL to push the branch to "
                                         "(default: commit only, push nothing)")
    deploy.add_argument("--message", help="with --to gh-pages: the commit message")
    deploy.add_argument("--dry-run", action="store_true",
                        help="build and check, list what would change, publish nothing")
    deploy.add_argument("--no-check", action="store_true", help="skip the link check")
    deploy.add_argument("--clean", action="store_true",
                        help="trust nothing from earlier deploys: render every page, check every link, "
                             "compare the destination's files by content")
    deploy.add_argument("--jobs", type=int, metavar="N", help="processes for the build and the link check "
                                                             "(default: the CPU count)")
    deploy.set_defaults(run=run)


# --- what changes --------------------------------------------------------------------------------


@dataclass
class Changes:
    """What a publish did, or would do: files new, changed and deleted, and how many stayed."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int | None = 0  # None: not looked at (only the files that could have changed were)
    size: int | None = None  # bytes of the whole site, and of the files sent (rsync tells)
    sent: int | None = None

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.deleted)

    def summary(self) -> str:
        sizes = "" if self.sent is None else f"; {_megabytes(self.sent)} sent" if self.size is None else \
            f"; {_megabytes(self.sent)} of {_megabytes(self.size)} sent"
        unchanged = "" if self.unchanged is None else f", {self.unchanged} unchanged"
        return f"{len(self.new)} new, {len(self.changed)} changed, {len(self.deleted)} deleted{unchanged}{sizes}"

    def lines(self) -> list[str]:
        return sorted([f"+ {p}" for p in self.new] + [f"~ {p}" for p in self.changed]
                      + [f"- {p}" for p in self.deleted], key=lambda line: (line[2:], line[0]))


def _site_files(folder: Path) -> list[str]:
    from .links import scan_site

    return sorted(scan_site(folder)[0])


# --- rsync: a folder here or on a server -----------------------------------------------------------


def is_remote(target: str) -> bool:
    """rsync's own rule: host:path when a colon comes before any slash, or an rsync:// URL."""
    if target.startswith("rsync://"):
        return True
    head, colon, _ = target.partition(":")
    return bool(colon) and bool(head) and "/" not in head


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
         given: str | None = None) -> subprocess.CompletedProcess[str]:
    """COMMAND's outcome; GIVEN is its standard input (else it has none)."""
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, errors="replace",
                          input=given, stdin=subprocess.DEVNULL if given is None else None)


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


class RsyncTarget:
    """A folder on this machine, or user@host:path over ssh.

    rsync compares by size and time when the destination was last published from this deploy
    folder (published.json in the deploy cache says so), else by content, after which the deploy
    folder takes the destination's times (adopt_times), so that the next deploy compares by time
    again and a file whose bytes did not change keeps its time in the destination throughout.
    """

    # A server of one's own (nginx with gzip_static) sends the .gz beside a file instead of compressing
    # it on every request: these get the copies unless site.toml says precompress = false.
    PRECOMPRESS = True

    def __init__(self, destination: str, root: Path) -> None:
        self.remote = is_remote(destination)
        self.destination = destination if self.remote else str(Path(destination).expanduser().resolve())
        self.root = root
        self.label = destination
        self.empty = False  # the destination has no files yet (then times are simply copied)

    def preflight(self) -> None:
        """Stop now, before building, if rsync is missing or the destination holds someone else's files."""
        if shutil.which("rsync") is None:
            raise DeployError("rsync is not installed (Debian: apt-get install rsync; macOS: brew install rsync)")
        if not self.remote:
            self._check_local(Path(self.destination))
        names = self._listing()
        self.empty = not names
        if names and MARKER not in names:
            raise DeployError(
                f"{self.label} holds files that Arshif did not publish (it has no {MARKER}), and a deploy "
                f"deletes every file the site does not have: empty it or choose another folder "
                f"(first entries: {', '.join(sorted(names)[:5])})")

    def _check_local(self, folder: Path) -> None:
        reason = refusal(folder, self.root, ours_only=False)
        cache = (self.root / DEPLOY_CACHE).resolve()
        if not reason and (folder.is_relative_to(cache) or cache.is_relative_to(folder)):
            reason = f"it holds Arshif's deploy cache ({cache})"
        if reason:
            raise DeployError(f"refusing to deploy into {folder}: {reason}")

    def _listing(self) -> set[str] | None:
        """The names in the destination folder; None when it does not exist yet."""
        if not self.remote:
            folder = Path(self.destination)
            return {p.name for p in folder.iterdir()} if folder.is_dir() else None
        result = _run(["rsync", "--list-only", "--no-motd", self.destination.rstrip("/") + "/"])
        if result.returncode == 23 and "No such file or directory" in result.stderr:
            return None
        if result.returncode != 0:
            raise DeployError(f"cannot list {self.label} (rsync exit {result.returncode}):\n{_tail(result.stderr)}")
        names = {line.split(None, 4)[4] for line in result.stdout.splitlines() if len(line.split(None, 4)) == 5}
        return names - {"."}

    def publish(self, site: Path, dry_run: bool, by_time: bool, listed: set[str] | None = None) -> Changes:
        """Sync SITE to the destination, comparing sizes and times when BY_TIME (or the destination is
        empty), else contents. LISTED, when known with BY_TIME: the only paths that can differ (deploy's
        pending list), so only they are looked at; an rsync that cannot take a list syncs everything."""
        if not self.remote:
            if dry_run and not Path(self.destination).exists():
                return Changes(new=_site_files(site))
            Path(self.destination).mkdir(parents=True, exist_ok=True)
        by_time = by_time or self.empty
        if by_time and not self.empty and listed is not None and _lists_paths():
            if not listed:
                return Changes(unchanged=None)
            options = [o for o in RSYNC_OPTIONS if o not in ("--recursive", "--delete-after")] + RSYNC_LISTED
            gone: list[str] = []
            if not self.remote:
                # rsync 3.2.7 as Debian patched it in 2026 (and 3.4.3) refuses its own --delete-missing-args
                # (RsyncProject/rsync#910): a folder on this machine has what the deploy folder lost deleted here.
                gone = sorted(p for p in listed if not os.path.lexists(site / p))
                listed, options = set(listed) - set(gone), [o for o in options if o != "--delete-missing-args"]
            result = self._sync(site, [*options, *RSYNC_BY_TIME], dry_run, "\0".join(sorted(listed)), check=False) \
                if listed else None
            if result is None or result.returncode == 0 or (
                    result.returncode == 24 and _only_deletions_vanished(result.stderr, site)):
                changes = parse_itemized(result.stdout) if result is not None else Changes()
                changes.deleted += _delete_below(Path(self.destination), gone, dry_run)
                changes.unchanged = None  # rsync saw only the listed files
                changes.sent = parse_stats(result.stdout)[2] if result is not None else 0
                return changes
            # An rsync at the other end too old for the list, say: the whole sync below also mends a partial one.
        result = self._sync(site, [*RSYNC_OPTIONS, *(RSYNC_BY_TIME if by_time else RSYNC_BY_CONTENT)], dry_run)
        changes = parse_itemized(result.stdout)
        files, changes.size, changes.sent = parse_stats(result.stdout)
        if files is None:
            files = len(_site_files(site))
        changes.unchanged = files - len(changes.new) - len(changes.changed)
        return changes

    def _sync(self, site: Path, options: list[str], dry_run: bool, given: str | None = None,
              check: bool = True) -> subprocess.CompletedProcess[str]:
        result = _run(["rsync", *options, *(["--dry-run"] if dry_run else []),
                       f"{site}/", self.destination.rstrip("/") + "/"], given=given)
        if check and result.returncode != 0:
            raise DeployError(f"rsync to {self.label} failed (exit {result.returncode}); the destination may be "
                              f"partly updated, run the deploy again:\n{_tail(result.stderr)}")
        return result

    def adopt_times(self, site: Path) -> bool:
        """After a sync by content: give the deploy folder's files the destination's times, so that the
        next sync compares by time. Only times change here; should a file differ in size (someone
        changed the destination meanwhile), rsync would bring its bytes: such a file is deleted from
        the deploy folder (the next build writes it again) and False says the times are not to be
        trusted."""
        result = _run(["rsync", *RSYNC_ADOPT_TIMES, self.destination.rstrip("/") + "/", f"{site}/"])
        foreign = [line[12:] for line in result.stdout.splitlines() if line.startswith(">f") and len(line) > 12]
        for path in foreign:
            with contextlib.suppress(OSError):
                (site / path).unlink()
        return result.returncode == 0 and not foreign


def _only_deletions_vanished(errors: str, site: Path) -> bool:
    """Whether rsync's "vanished" warnings (exit 24) name only folders that SITE no longer has: rsync
    says so of every deleted folder on the list, and deletes it all the same."""
    vanished = [re.fullmatch(r'file has vanished: "(.*)"', line) for line in errors.strip().splitlines()
                if not line.startswith("rsync warning:")]
    return all(found is not None and not os.path.lexists(found.group(1)) and Path(found.group(1)).is_relative_to(site)
               for found in vanished)


def _delete_below(folder: Path, paths: list[str], dry_run: bool) -> list[str]:
    """Delete PATHS (files or whole folders) below FOLDER; returns the files among them, as rsync lists deletions."""
    deleted = []
    for path in paths:
        target = folder / path
        if ".." in Path(path).parts or Path(path).is_absolute() or not os.path.lexists(target):
            continue  # already gone with a folder above it
        if target.is_dir() and not target.is_symlink():
            deleted += sorted(p.relative_to(folder).as_posix() for p in target.rglob("*") if not p.is_dir())
            if not dry_run:
                shutil.rmtree(target)
        else:
            deleted.append(path)
            if not dry_run:
                target.unlink()
    return deleted


def _lists_paths() -> bool:
    """Whether this machine's rsync takes RSYNC_LISTED (3.1 and later; macOS's own is 2.6)."""
    found = re.search(r"version (\d+)\.(\d+)", _run(["rsync", "--version"]).stdout)
    return found is not None and (int(found.group(1)), int(found.group(2))) >= (3, 1)


def parse_stats(output: str) -> tuple[int | None, int | None, int | None]:
    """From rsync's --stats: the number of regular files, their total size, and the bytes of files sent."""
    def number(pattern: str) -> int | None:
        found = re.search(pattern, output, re.MULTILINE)
        return int(re.sub(r"\D", "", found.group(1))) if found else None

    return (number(r"^Number of files: [\d,.]+ \(reg: ([\d,.]+)"), number(r"^Total file size: ([\d,.]+)"),
            number(r"^Total transferred file size: ([\d,.]+)"))


def parse_itemized(output: str) -> Changes:
    """Files new, changed and deleted from rsync's --itemize-changes output (folders are left out)."""
    changes = Changes()
    for line in output.splitlines():
        if line.startswith("*deleting "):
            path = line.removeprefix("*deleting ").strip()
            if not path.endswith("/"):
                changes.deleted.append(path)
        elif len(line) > 12 and line[1] == "f" and line[0] in "<>c.h":
            flags, path = line[:11], line[12:]
            if "+++++++++" in flags:
                changes.new.append(path)
            elif line[0] in "<>c":  # content sent; "." means attributes only
                changes.changed.append(path)
    return changes


# --- gh-pages: a git branch --------------------------------------------------------------------


class GitTarget:
    """A branch of the site's git repository (or of a scratch one), pushed to --remote if given."""

    # GitHub Pages compresses what it sends and would publish .gz copies as downloads of their own.
    PRECOMPRESS = False

    def __init__(self, root: Path, branch: str, remote: str | None, message: str | None) -> None:
        self.root = root.resolve()
        self.branch = branch
        # A remote given as a relative path means from here, but git runs in the repository.
        self.remote = str(Path(remote).resolve()) if remote and Path(remote).exists() else remote
        self.message = message
        self.repository: Path | None = None  # the site's repository; None: a scratch one
        self.remote_head: str | None = None
        self.did: list[str] = []  # "committed", "pushed"
        self.label = f"branch {branch}" + (f" of {remote}" if remote else "")

    def git(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = _run(["git", *args], cwd=cwd or self.repository or self.root)
        if check and result.returncode != 0:
            raise DeployError(f"git {args[0]} failed:\n{_tail(result.stderr or result.stdout)}")
        return result

    def preflight(self) -> None:
        if shutil.which("git") is None:
            raise DeployError("git is not installed (Debian: apt-get install git)")
        try:
            import ghp_import  # noqa: F401
        except ImportError:
            raise DeployError("the ghp-import package is missing: reinstall Arshif "
                              "(pip install -e . installs it)") from None
        if self.git("check-ref-format", "--branch", self.branch, check=False).returncode != 0:
            raise DeployError(f"{self.branch!r} is not a valid branch name")
        inside = self.git("rev-parse", "--show-toplevel", cwd=self.root, check=False)
        if inside.returncode == 0:
            self.repository = self.root
            current = self.git("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
            if current == self.branch:
                raise DeployError(f"the branch {self.branch} is checked out in {inside.stdout.strip()}: a deploy "
                                  f"replaces all its files; switch to your working branch first")
        elif self.remote is None:
            raise DeployError(f"{self.root} is not in a git repository: run `git init` there, or pass "
                              f"--remote URL to push the branch to a repository elsewhere")
        elif "://" not in self.remote and ":" not in self.remote and not Path(self.remote).exists():
            raise DeployError(f"--remote {self.remote}: outside a git repository the remote must be a URL or a path")
        if self.remote is not None:
            cwd = self.repository or self.root
            heads = self.git("ls-remote", "--heads", self.remote, f"refs/heads/{self.branch}", cwd=cwd, check=False)
            if heads.returncode != 0:
                raise DeployError(f"cannot reach the remote {self.remote}:\n{_tail(heads.stderr)}")
            self.remote_head = heads.stdout.split()[0] if heads.stdout.strip() else None

    def _tree(self, revision: str) -> dict[str, str]:
        """Path -> blob id of every file at REVISION."""
        listing = self.git("ls-tree", "-r", "-z", "--full-tree", revision).stdout
        files = {}
        for entry in listing.split("\0"):
            if entry:
                meta, path = entry.split("\t", 1)
                files[path] = meta.split()[2]
        return files

    def _old_tree(self, dry_run: bool) -> tuple[str | None, dict[str, str]]:
        """The branch's commit before this deploy (fetched from the remote when there is one) and its files."""
        ref = f"refs/heads/{self.branch}"
        if self.remote_head is not None:
            if dry_run:  # look, but leave the local branch as it is
                self.git("fetch", "--quiet", "--no-tags", self.remote, ref)
                head = self.git("rev-parse", "FETCH_HEAD").stdout.strip()
            else:  # like ghp-import: the remote's branch is the one to build on
                self.git("fetch", "--quiet", "--no-tags", self.remote, f"+{ref}:{ref}")
                head = self.git("rev-parse", ref).stdout.strip()
            return head, self._tree(head)
        local = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if local.returncode == 0 and self.repository is not None:
            head = local.stdout.strip()
            return head, self._tree(head)
        return None, {}

    def publish(self, site: Path, dry_run: bool, scratch: Path) -> Changes:
        if self.repository is None:
            self.repository = scratch / "repository.git"
            self.git("init", "--quiet", "--bare", str(self.repository), cwd=scratch)
        head, old = self._old_tree(dry_run)  # the commit to build on: the remote's, else the local one
        changes = _compare(site, old)
        on_branch = changes
        if self.remote is not None and self.remote_head is None:
            changes = _compare(site, {})  # the remote has no such branch yet: all of it is new there
        if dry_run:
            return changes
        tip = head
        if head is None or on_branch:
            self._commit(site)
            tip = self.git("rev-parse", f"refs/heads/{self.branch}").stdout.strip()
            if head is not None and self._tree(tip) == old:  # nothing new after all: no empty commit
                self.git("update-ref", f"refs/heads/{self.branch}", head, tip)
                tip = head
            else:
                self.did.append("committed")
        if self.remote is not None and tip != self.remote_head:
            pushed = self.git("push", "--quiet", self.remote, f"refs/heads/{self.branch}:refs/heads/{self.branch}",
                              check=False)
            if pushed.returncode != 0:
                where = ("the commit is on the local branch; push it with "
                         f"`git push {self.remote} {self.branch}`" if self.root == self.repository
                         else "nothing was published")
                raise DeployError(f"pushing {self.branch} to {self.remote} failed ({where}):\n{_tail(pushed.stderr)}")
            self.did.append("pushed")
        return changes

    def _commit(self, site: Path) -> None:
        import ghp_import

        message = self.message or (f"Deploy {len(_site_files(site))} files with Arshif "
                                   f"({time.strftime('%Y-%m-%d %H:%M %z')})")
        with contextlib.chdir(self.repository or self.root), _committer(self):
            try:
                # "refs/heads" as the remote makes ghp-import continue the local branch, which
                # _old_tree has just set to the remote's when there is one.
                ghp_import.ghp_import(str(site), branch=self.branch, mesg=message, nojekyll=True, push=False,
                                      remote="refs/heads")
            except ghp_import.GhpError as error:
                raise DeployError(f"ghp-import could not commit the site: {error.message}") from None
            except Exception:  # how ghp-import 2.1 fails when git fast-import does (its error is above)
                raise DeployError("ghp-import could not commit the site: git fast-import failed") from None


@contextlib.contextmanager
def _committer(target: GitTarget) -> Iterator[None]:
    """A committer identity for ghp-import when git has none configured (a fresh CI machine)."""
    saved = {key: os.environ.get(key) for key in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")}
    for key, config, fallback in (("GIT_COMMITTER_NAME", "user.name", "Arshif"),
                                  ("GIT_COMMITTER_EMAIL", "user.email", "arshif@localhost")):
        if not os.environ.get(key) and not target.git("config", config, check=False).stdout.strip():
            os.environ[key] = fallback
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _compare(site: Path, old: dict[str, str]) -> Changes:
    """What committing SITE (plus .nojekyll) over a tree with the files OLD changes."""
    new = {path: _blob_id((site / path).read_bytes()) for path in _site_files(site)}
    new[".nojekyll"] = _blob_id(b"")
    changes = Changes(deleted=sorted(set(old) - set(new)))
    for path, blob in new.items():
        if path not in old:
            changes.new.append(path)
        elif old[path] != blob:
            changes.changed.append(path)
        else:
            changes.unchanged += 1
    return changes


# --- the command ------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


@contextlib.contextmanager
def _exclusive(cache: Path) -> Iterator[None]:
    """One deploy of a site at a time: they share the deploy folder."""
    if cache.is_symlink() or (cache.exists() and not cache.is_dir()):
        cache.unlink()  # not the folder it should be: ours to replace
    cache.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(cache / "lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another deploy of this site to finish...", file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # closing the file lets go of the lock


def _usable(site: Path) -> None:
    """Make way for the build if the deploy folder is damaged: not a folder, or without the marker
    (the build refuses such a folder). It is ours alone, so it is simply deleted: that costs a full build."""
    if site.is_symlink() or (site.exists() and not site.is_dir()):
        site.unlink()
    elif site.is_dir() and not (site / MARKER).exists() and any(site.iterdir()):
        shutil.rmtree(site)


def _generation(site: Path) -> str | None:
    """Which deploy folder this is: its marker is written once, when the folder is made."""
    try:
        stat = (site / MARKER).stat()
    except OSError:
        return None
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def _published(cache: Path) -> dict[str, str]:
    """Destination -> the deploy folder generation whose times its files have (see RsyncTarget)."""
    try:
        data = json.loads((cache / "published.json").read_text(encoding="utf-8"))
        destinations = data["destinations"] if data.get("version") == 1 else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: every destination is compared by content once
    if not isinstance(destinations, dict):
        return {}
    return {k: v for k, v in destinations.items() if isinstance(k, str) and isinstance(v, str)}


def _save_published(cache: Path, destinations: dict[str, str]) -> None:
    destinations = {k: v for k, v in destinations.items() if is_remote(k) or Path(k).is_dir()}  # not gone ones
    temporary = cache / f".published.{os.getpid()}.tmp"
    try:
        temporary.write_text(json.dumps({"version": 1, "destinations": destinations}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
        os.replace(temporary, cache / "published.json")
    except OSError:  # not saved: the next deploy compares by content, which only costs time
        temporary.unlink(missing_ok=True)


class _Phases:
    """Deploy's phase timings on standard error when ARSHIF_TIMINGS is set (the build prints its own)."""

    def __init__(self) -> None:
        self.enabled = bool(os.environ.get("ARSHIF_TIMINGS"))
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> float:
        now = time.perf_counter()
        seconds, self.last = now - self.last, now
        if self.enabled:
            print(f"  {phase:<14} {seconds:7.3f} s wall", file=sys.stderr, flush=True)
        return seconds

    def reset(self) -> None:
        self.last = time.perf_counter()


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not (root / "site.toml").is_file():
        print(f"error: {root.resolve()} has no site.toml; run deploy in the site's folder or pass --root",
              file=sys.stderr)
        return 1
    target: GitTarget | RsyncTarget
    if args.to == GH_PAGES:
        target = GitTarget(root, args.branch, args.remote, args.message)
    else:
        if args.remote or args.branch != GH_PAGES or args.message:
            print("error: --remote, --branch and --message are for --to gh-pages", file=sys.stderr)
            return 2
        target = RsyncTarget(args.to, root)
    cache = root / DEPLOY_CACHE
    try:
        with _exclusive(cache):
            target.preflight()
            return _deploy(args, root, cache, target)  # it reports its own errors, publishing or not
    except DeployError as error:
        print(f"error: {error}\nnothing was published.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was published.", file=sys.stderr)
        return 130


def _deploy(args: argparse.Namespace, root: Path, cache: Path, target: GitTarget | RsyncTarget) -> int:
    from .build import build_site
    from .config import load_config
    from .links import check_changed_links
    from .problems import BuildFailed, print_failure
    from .report import progress_printer

    site = cache / "site"
    lap = _Phases()
    publishing = False
    try:
        _usable(site)
        pending = Pending(cache, None if args.clean else _generation(site))
        pending.suspend()
        try:
            report = build_site(root, site, drafts=False, future=False, base_url=args.base_url, clean=args.clean,
                                workers=args.jobs, progress=progress_printer(), precompress_unset=target.PRECOMPRESS)
        except BuildFailed as failure:
            pending.save(_generation(site))  # a failed build leaves the deploy folder as it was
            print_failure(failure, "nothing was published")
            return 1
        pending.add(report.changes)
        pending.save(_generation(site))
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        base_url = load_config(root, args.base_url).base_url
        done = "nothing changed since the last deploy" if report.unchanged else \
            f"{report.rendered} pages rendered, {report.files} files written"
        print(f"built {report.articles} articles, {report.pages} pages for {base_url}: {done} "
              f"({lap('deploy build'):.2f} s)", flush=True)
        if args.no_check:
            print("link check skipped (--no-check)")
        else:
            check = check_changed_links(site, base_url, cache / "links.record", workers=args.jobs, full=args.clean,
                                        changed=pending.get(LINKS))
            if check.broken:
                for link in check.broken:
                    print(f"error: broken link in {link}", file=sys.stderr)
                print(f"\n{len(check.broken)} broken link(s); nothing was published. Fix them, or deploy with "
                      f"--no-check to publish anyway.", file=sys.stderr)
                return 1
            pending.taken(LINKS)
            pending.save(_generation(site))
            read = f"all {check.total}" if check.read == check.total else f"{check.read} of {check.total}"
            print(f"links checked: every internal link resolves ({read} files read; {lap('link check'):.2f} s)",
                  flush=True)
        lap.reset()
        publishing = not args.dry_run
        if isinstance(target, GitTarget):
            import tempfile

            with tempfile.TemporaryDirectory(prefix="arshif-deploy-") as scratch:
                changes = target.publish(site, args.dry_run, Path(scratch))
        else:
            published = _published(cache)
            generation = _generation(site)
            by_time = not args.clean and generation is not None and published.get(target.destination) == generation
            listed = pending.get(target.destination) if by_time else None
            if not args.dry_run:
                pending.drop(target.destination)  # until this publish is over, the destination's state is not known
                pending.save(generation)
            changes = target.publish(site, args.dry_run, by_time, listed)
            if not args.dry_run:
                # The destination's files now have the deploy folder's times (or the other way round).
                same_times = by_time or target.empty or target.adopt_times(site)
                generation = _generation(site)
                if same_times and generation is not None:
                    published[target.destination] = generation
                    pending.taken(target.destination)
                else:
                    published.pop(target.destination, None)
                _save_published(cache, published)
                pending.save(generation)
        publishing = False
        seconds = lap("publish")
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        if not publishing:
            print("nothing was published.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted during publishing: the destination may be partly updated; deploy again."
              if publishing else "\ninterrupted; nothing was published.", file=sys.stderr)
        return 130
    if args.dry_run:
        for line in changes.lines():
            print(line)
        print(f"dry run: {target.label} would get {changes.summary()}; nothing was published.")
    elif not changes or (isinstance(target, GitTarget) and not target.did):
        files = "" if changes.unchanged is None else f"{changes.unchanged} files; "
        print(f"nothing changed: {target.label} already has this site ({files}{seconds:.2f} s)")
    else:
        verb = " and ".join(target.did) if isinstance(target, GitTarget) else "synced"
        print(f"{verb} to {target.label}: {changes.summary()} ({seconds:.2f} s)")
    return 0

"""The search index: Pagefind over exactly what the theme marks searchable, rebuilt only where that changed.

What reaches the index is each page's *search record*: the one element the theme marks
``data-pagefind-body`` (the article, on a published article's page — nothing else), with the page's
``<html>`` tag for its language, as a small document of its own. Pagefind makes the same index from
that document as from the whole page (``tests/test_search.py`` compares the two byte for byte); a
page whose Pagefind markup is anything else (no single body element, or ``data-pagefind-*`` markup
outside it) is handed over whole, so Pagefind decides as it always does. A page with no
``data-pagefind-body`` element is never indexed, even when no page has one (Pagefind itself would
then index every page's ``<body>``): the theme says what is searchable, not the absence of a mark.

The records are split by a hash of their URL into a power of two of shards of about :data:`SHARD_PAGES` pages or fewer, and
each shard is one Pagefind index, built by the Pagefind program (``--site`` over the shard's records)
and kept in the press's cache folder under a key of everything that goes into it: the Pagefind
command and version, and each record's URL and bytes. A rebuild runs Pagefind only for the shards
whose records changed (an edit, a vote or a retraction changes one record, so one shard) and copies
the others from the cache. Shard 0 is ``pagefind/`` itself (with Pagefind's JavaScript); shard *i*
is ``pagefind/shard-<i>/``, listed in ``pagefind/shards.json`` and merged into the search by the
search page (Pagefind's ``mergeIndex``). Sharding also bounds Pagefind's memory, which grows with the
pages of one index (about 75 KiB a page while it writes).

Every run of Pagefind goes through :func:`press.build.run_bounded` (stdin closed, its own process
group, killed with its children when the build's ``PRESS_SUBPROCESS_TIMEOUT`` is spent).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from .. import clock
from ..cache import keep, press_version
from ..store import copy_file

# Pages per Pagefind index. Smaller shards rebuild faster and use less memory; each shard costs a
# reader's browser two more small requests per search. Pagefind's memory is ~75 KiB a page.
SHARD_PAGES = 2000
FOLDER = "pagefind"
SHARDS_FILE = "shards.json"
# Bump when what a record is or how shards are laid out changes: older cache entries are then unused.
FORMAT = 2  # 2: records carry section filters, and a shard's records reach Pagefind in sorted order
_DONE = ".complete"

_MARK = "data-pagefind-body"
# A tag, a comment, or a raw-text element's end: enough HTML to find elements by their attributes
# without mistaking text inside attribute values or comments for markup. Every repeat is possessive:
# an attribute name can be read one way only, so a tag that never closes fails in one pass instead
# of trying every way to split its names (exponential: 3 s for a 22-letter name). The pages are the
# press's own output, where a '<' in text is escaped: each '<' opens a token that closes.
_TOKEN = re.compile(
    r"""<!--.*?-->|<(/?+)([a-zA-Z][a-zA-Z0-9:-]*+)((?:\s*+[^\s"'>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++))?+|\s*+/)*+)\s*+>""",
    re.S,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++))?+""")
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "noembed", "noframes", "plaintext", "iframe", "noscript"}
# Elements whose end tag is never implied by another start tag: the body element's extent is then
# exactly the span from its start tag to the matching end tag.
_CONTAINERS = {"article", "main", "section", "div", "body"}


@functools.lru_cache(maxsize=None)
def _raw_end(name: str) -> re.Pattern:
    return re.compile(rf"</{name}\s*>", re.I)


class SearchFailed(Exception):
    """Pagefind did not build a shard; the message says why."""


def record_of(html: str) -> str | None:
    """The document Pagefind indexes for a page, or None when the page is not searchable.

    Handing Pagefind the whole page is always right; the small document is made only when the page
    has exactly one ``data-pagefind-body`` element, of a kind whose end is its matching end tag, and
    no other Pagefind markup (nor the word ``data-pagefind``) outside it."""
    if _MARK not in html:
        return None
    html_tag = None
    marks_outside = False
    body_name, depth, start = None, 0, 0
    position = 0
    while True:
        match = _TOKEN.search(html, position)
        if match is None:
            return None if body_name is None else html  # a mark that is no element's; or never closed
        position = match.end()
        closing, name, attributes = match.group(1), match.group(2), match.group(3)
        if name is None:  # a comment
            continue
        name = name.lower()
        if body_name is not None and name == body_name:
            depth += -1 if closing else 1
            if depth == 0:
                break
            continue
        if closing:
            continue
        if name == "html" and html_tag is None:
            html_tag = match.group(0)
        if body_name is None and attributes and "data-pagefind" in attributes.lower():
            names = {a.group(1).lower() for a in _ATTRIBUTE.finditer(attributes)}
            if _MARK in names:
                if name not in _CONTAINERS or match.group(0).endswith("/>"):
                    return html  # an element we cannot delimit exactly: let Pagefind read the page
                body_name, depth, start = name, 1, match.start()
            elif any(n.startswith("data-pagefind") for n in names):
                marks_outside = True
        if name in _RAW_TEXT:  # its text is not markup: skip to its end tag
            end = _raw_end(name).search(html, position)
            position = end.end() if end else len(html)
    if marks_outside or html_tag is None or html.find("data-pagefind", position) != -1:
        return html  # Pagefind markup outside the body (or another body): the whole page
    return f"<!DOCTYPE html>\n{html_tag}<body>{html[start:position]}</body></html>\n"


def _pages(site: Path) -> list[tuple[str, str]]:
    """The site's HTML pages, sorted, as (relative path, stamp), not counting the search bundle
    itself. The stamp (inode, size, modification time) is the same only for the very same file
    unchanged: an unchanged page the build hard-linked from the previous site."""
    found = []
    folders = [("", str(site))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if prefix or entry.name != FOLDER:
                        folders.append((prefix + entry.name + "/", entry.path))
                elif entry.name.endswith(".html") and entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    found.append((prefix + entry.name, f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"))
    return sorted(found)


def shard_count(pages: int) -> int:
    """How many shards for this many searchable pages: a power of two, so it changes (and every shard
    with it) only when the press doubles or halves, not each time a vote crosses a multiple of SHARD_PAGES."""
    count = 1
    while count * SHARD_PAGES < pages:
        count *= 2
    return count


def shard_of(url: str, shards: int) -> int:
    """Which shard a page goes to: a hash of its path, so a page stays where it is as others come and go."""
    return int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big") % shards


class RecordCache:
    """Page bytes' digest -> its record's digest (or None: not searchable), and each page file's stamp
    -> its bytes' digest, kept between builds: an unchanged page costs a ``stat``, a changed one a
    read and a hash, and only a page with a new record is parsed."""

    def __init__(self, folder: Path | None):
        self.path = folder / "records.json" if folder is not None else None
        self.known: dict[str, str | None] = {}
        self.stamps: dict[str, str] = {}
        self.used: dict[str, str | None] = {}
        self.used_stamps: dict[str, str] = {}
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text())
                if data.get("format") == [FORMAT, press_version()]:  # records made by this very code
                    self.known, self.stamps = dict(data["records"]), dict(data["stamps"])
            except (OSError, ValueError, KeyError, AttributeError, TypeError):
                self.known, self.stamps = {}, {}

    def save(self) -> None:
        if self.path is None or (self.used == self.known and self.used_stamps == self.stamps):
            return
        data = json.dumps({"format": [FORMAT, press_version()], "records": self.used, "stamps": self.used_stamps}).encode()
        keep(self.path, lambda f: f.write(data))  # a read-only cache folder: work without it


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def index_site(
    site: Path,
    cache: Path | None,
    command: list[str],
    timeout: float,
    run: Callable[[list[str], float], tuple[int | None, str]],
) -> list[str]:
    """Write the search index of the staged ``site`` into ``site/pagefind/``; returns errors, if any.

    ``cache``: the folder for records and built shards (None: build every shard, keep nothing).
    ``command``: how to run Pagefind; ``run``: how to run it within ``timeout`` seconds in all."""
    if cache is None:
        with tempfile.TemporaryDirectory(prefix="press-search-") as scratch:
            return _index(site, Path(scratch), command, timeout, run, keep=False)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two builds of one press (to two outputs) take turns here
        return _index(site, cache, command, timeout, run, keep=True)


def _index(site: Path, cache: Path, command, timeout: float, run, keep: bool) -> list[str]:
    deadline = time.monotonic() + timeout
    records = RecordCache(cache if keep else None)
    pages: list[tuple[str, str]] = []  # (path, record digest) of each searchable page
    made: dict[str, bytes] = {}  # records extracted in this build, by path
    base = str(site) + os.sep
    mark = _MARK.encode()
    for rel, stamp in _pages(site):
        key = f"{rel}:{stamp}"
        page = records.stamps.get(key)
        if page is not None and page in records.known:
            record = records.known[page]
        else:
            with open(base + rel, "rb") as f:
                data = f.read()
            page = _digest(data)
            if page in records.known:
                record = records.known[page]
            elif mark not in data:
                record = None
            else:
                doc = record_of(data.decode("utf-8", errors="replace"))
                record = None
                if doc is not None:
                    made[rel] = doc.encode()
                    record = _digest(made[rel])
        records.used[page] = record
        records.used_stamps[key] = page
        if record is not None:
            pages.append((rel, record))
    records.save()
    if not pages:
        return []  # nothing is searchable: no index (the search page says search is unavailable)

    count = shard_count(len(pages))
    buckets: dict[int, list[tuple[str, str]]] = {}
    for rel, record in pages:
        buckets.setdefault(shard_of(rel, count), []).append((rel, record))
    salt = json.dumps([FORMAT, command, _pagefind_version()])
    kept: set[str] = set()
    # Shard 0 is pagefind/ itself, with Pagefind's script; empty buckets make no shard.
    for number, bucket in enumerate(sorted(buckets)):
        shard = buckets[bucket]
        key = _digest(json.dumps([salt, shard]).encode())[:32]
        kept.add(key)
        built = cache / "shards" / key
        files = _intact(built)
        if files:
            os.utime(built)  # in use: pruning by another version's build leaves it alone
        else:
            try:
                sources = _sync_sources(site, shard, made, cache, cache / "sources" / f"{count}-{bucket}")
                with _in_order(sources, [rel for rel, _ in shard]) as ordered:
                    _build_shard(ordered, built, command, deadline, run, timeout)
            except SearchFailed as failure:
                return [str(failure)]
            files = _intact(built)
            if not files:
                return [f"the search index could not be built: Pagefind's files for shard {number} changed as they were written — build again"]
        if number == 0:
            _link_tree(built / "index", files, site / FOLDER)
        else:  # a merged shard: its index only (Pagefind's scripts, styles and WebAssembly come from pagefind/)
            _link_tree(built / "index", [rel for rel in files if _merged_index_file(rel)], site / FOLDER / f"shard-{number}")
    others = [f"shard-{n}/" for n in range(1, len(buckets))]
    (site / FOLDER / SHARDS_FILE).write_text(json.dumps(others) + "\n")
    _prune(cache / "shards", kept)
    _prune(cache / "sources", {f"{count}-{bucket}" for bucket in buckets})
    return []


def _sync_sources(site: Path, shard: list[tuple[str, str]], made: dict[str, bytes], cache: Path, sources: Path) -> Path:
    """The folder Pagefind reads for a shard: one file per record, at the page's path (Pagefind makes
    the URL from it). Kept between builds, so only records that changed are extracted and written."""
    manifest = sources / ".records.json"
    try:
        held = json.loads(manifest.read_text())
        manifest.unlink()  # while it is being changed, the folder matches no manifest
    except (OSError, ValueError):
        shutil.rmtree(sources, ignore_errors=True)
        held = {}
    wanted = dict(shard)
    for rel in held.keys() - wanted.keys():
        (sources / rel).unlink(missing_ok=True)
    for rel, record in shard:
        if held.get(rel) != record:
            doc = made.get(rel)
            if doc is None:  # known from an earlier build: extract it again
                text = record_of((site / rel).read_bytes().decode("utf-8", errors="replace"))
                doc = text.encode() if text is not None else b""
            if _digest(doc) != record:  # the cache of records is not this code's: forget it
                (cache / "records.json").unlink(missing_ok=True)
                raise SearchFailed(f"the search index could not be built: the search cache disagrees with {rel} — build again")
            (sources / rel).parent.mkdir(parents=True, exist_ok=True)
            (sources / rel).write_bytes(doc)
    manifest.write_text(json.dumps(wanted))
    return sources


@contextlib.contextmanager
def _in_order(sources: Path, rels: list[str]):
    """The shard's records in a new folder, linked in the order of ``rels`` (sorted): Pagefind numbers
    pages in the order it finds them, and its filter index (a section's articles) lists those numbers,
    so a folder kept between builds, whose files were replaced in another order, would make another
    index than a clean build's."""
    ordered = sources.with_name(sources.name + f".{os.getpid()}.ordered")
    shutil.rmtree(ordered, ignore_errors=True)
    try:
        for rel in rels:
            (ordered / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(sources / rel, ordered / rel)
        yield ordered
    finally:
        shutil.rmtree(ordered, ignore_errors=True)


def _build_shard(sources: Path, built: Path, command, deadline, run, timeout) -> None:
    """Run Pagefind over one shard's records; its index goes to ``built/index`` (read-only: it is
    linked into sites), marked complete last."""
    partial = built.with_name(built.name + f".{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    stopped = f"the search index could not be built: pagefind did not finish within {timeout:g} seconds and was stopped"
    left = deadline - time.monotonic()
    if left <= 0:
        raise SearchFailed(stopped)
    code, output = run([*command, "--site", str(sources), "--output-path", str(partial / "index"), "--silent"], left)
    if code is None or code != 0 or not (partial / "index" / "pagefind-entry.json").is_file():
        shutil.rmtree(partial, ignore_errors=True)
        raise SearchFailed(stopped if code is None else f"the search index could not be built (pagefind exit {code}): {output.strip()}")
    files = {}
    for dirpath, _dirs, names in os.walk(partial / "index"):
        for name in names:
            path = os.path.join(dirpath, name)
            os.chmod(path, 0o444)
            st = os.stat(path)
            with open(path, "rb") as f:
                files[os.path.relpath(path, partial / "index")] = [st.st_size, st.st_mtime_ns, _digest(f.read())]
    (partial / _DONE).write_text(json.dumps(files))
    _remove(built)
    partial.rename(built)


def _intact(built: Path) -> list[str]:
    """The files of a built shard, if every one is inside it and holds the bytes Pagefind wrote
    (hashed each time: damage that keeps a file's size and time is never copied into a site); else none."""
    try:
        files = json.loads((built / _DONE).read_text())
        index = str(built / "index") + os.sep
        for rel, (size, _mtime, digest) in files.items():
            parts = rel.split("/")
            if rel.startswith("/") or any(part in ("", ".", "..") for part in parts) or os.sep != "/" and os.sep in rel:
                return []  # names a file outside the shard: the list is not Pagefind's
            with open(index + rel, "rb") as f:
                data = f.read(size + 1)
            if len(data) != size or _digest(data) != digest:
                return []
        return sorted(files)
    except (OSError, ValueError, TypeError, AttributeError):
        return []


# The files of a Pagefind bundle that ``pagefind.mergeIndex`` fetches (its merged instances load no
# WebAssembly, script or style of their own; tests/test_search.py searches a sharded site in Chromium).
_MERGED_INDEX_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")


def _merged_index_file(rel: str) -> bool:
    return rel == "pagefind-entry.json" or rel.endswith(_MERGED_INDEX_SUFFIXES)


def _link_tree(source: Path, files: list[str], target: Path) -> None:
    """Put a built shard's files into the staged site as plain files: copies of the cache's (reflinks
    where the file system has them), never hard links — damage to the cache would reach the served
    site at once, and damage to the site the cache."""
    source_base, target_base = str(source) + os.sep, str(target) + os.sep
    for folder in sorted({os.path.dirname(rel) for rel in files}):
        os.makedirs(target_base + folder, exist_ok=True)
    for rel in files:
        copy_file(source_base + rel, target_base + rel)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# A shard another build used this recently is kept: two builds of one press (to two outputs) may run at once.
PRUNE_AFTER = 600


def _prune(store: Path, kept: set[str]) -> None:
    """Drop shards no build of this press has used for a while (and partial ones a killed build left)."""
    try:
        entries = list(store.iterdir())
    except OSError:
        return
    now = clock.wall_ns() / 1e9
    for entry in entries:
        try:
            stale = now - entry.stat().st_mtime > PRUNE_AFTER
        except OSError:
            continue
        if entry.name not in kept and stale:
            _remove(entry)


def _pagefind_version() -> str:
    from importlib import metadata

    versions = []
    for package in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return ",".join(versions)

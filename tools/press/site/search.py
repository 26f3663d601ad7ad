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
and kept in the press's store (:mod:`press.store`): each of its files as an object named by its
digest, its list of files as another, under the manifest :data:`SHARDS` by a key of everything that
goes into it — the Pagefind command and version, the press's version salt, and each record's URL and
bytes. A rebuild runs Pagefind only for the shards whose records changed (an edit, a vote or a
retraction changes one record, so one shard); every file of the index reaches the site through the
build's rules (:mod:`press.site.rules`): last build's file when its key is unchanged, else a copy of
the store's, checked against its digest. A shard whose list or files are missing or damaged is built
again. Shard 0 is ``pagefind/`` itself (with Pagefind's JavaScript); shard *i*
is ``pagefind/shard-<i>/``, listed in ``pagefind/shards.json`` and merged into the search by the
search page (Pagefind's ``mergeIndex``). Sharding also bounds Pagefind's memory, which grows with the
pages of one index (about 75 KiB a page while it writes).

Every run of Pagefind goes through :func:`press.build.run_bounded` (stdin closed, its own process
group, killed with its children when the build's ``PRESS_SUBPROCESS_TIMEOUT`` is spent).
"""

from __future__ import annotations

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

from ..store import Store, copy_file
from ..store import salt as store_salt
from .rules import Rules

# Pages per Pagefind index. Smaller shards rebuild faster and use less memory; each shard costs a
# reader's browser two more small requests per search. Pagefind's memory is ~75 KiB a page.
SHARD_PAGES = 2000
FOLDER = "pagefind"
SHARDS_FILE = "shards.json"
# Bump when what a record is or how shards are laid out changes: older cache entries are then unused.
FORMAT = 2  # 2: records carry section filters, and a shard's records reach Pagefind in sorted order

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
    -> its bytes' digest, kept between builds as one plain value of the store: an unchanged page
    costs a ``stat``, a changed one a read and a hash, and only a page with a new record is parsed."""

    def __init__(self, store: Store | None, salt: str):
        self.store, self.salt = store, salt
        self.known: dict[str, str | None] = {}
        self.stamps: dict[str, str] = {}
        self.used: dict[str, str | None] = {}
        self.used_stamps: dict[str, str] = {}
        if store is not None:
            kept = store.value(RECORDS, salt, plain=True)
            try:
                known, stamps = dict(kept["records"]), dict(kept["stamps"])
                if all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in known.items()) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in stamps.items()
                ):
                    self.known, self.stamps = known, stamps
            except (TypeError, KeyError, ValueError, AttributeError):
                pass  # none kept, or in another shape: every page is read

    def save(self) -> None:
        if self.store is None or (self.used == self.known and self.used_stamps == self.stamps):
            return
        self.store.keep_value(RECORDS, self.salt, {"records": self.used, "stamps": self.used_stamps}, plain=True)

    def forget(self) -> None:
        if self.store is not None:
            self.store.forget(RECORDS)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The store's manifests (press.store): the search records' table, and the built shards — shard key ->
# the list of its files (an object: {path: sha256}), "<shard key>/<path>" -> each file, and
# "sources/<count>-<bucket>" -> the records Pagefind read for that bucket ({path: record}).
RECORDS = "search-records"
SHARDS = "search-shards"
REASON = "the search index, made by Pagefind from the published pages' search records"


def index_site(
    site: Path,
    store: Store | None,
    command: list[str],
    timeout: float,
    run: Callable[[list[str], float], tuple[int | None, str]],
    rules: Rules,
) -> list[str]:
    """Write the search index of the staged ``site`` into ``site/pagefind/``; returns errors, if any.

    ``store``: where records and built shards are kept (None: build every shard, keep nothing).
    ``command``: how to run Pagefind; ``run``: how to run it within ``timeout`` seconds in all.
    ``rules``: the build's rules, through which every file of the index is put in the site."""
    with tempfile.TemporaryDirectory(prefix="press-search-") as scratch:
        return _index(site, store, Path(scratch), command, timeout, run, rules)


class _Damaged(Exception):
    """A kept shard file no longer hashes to its name."""


def _index(site: Path, store: Store | None, scratch: Path, command, timeout: float, run, rules: Rules) -> list[str]:
    deadline = time.monotonic() + timeout
    salt = json.dumps([FORMAT, command, _pagefind_version(), store_salt()])
    records = RecordCache(store, salt)
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
    kept = store.manifest(SHARDS, salt) if store is not None else {}
    keeping: dict[str, str] = {}
    # Shard 0 is pagefind/ itself, with Pagefind's script; empty buckets make no shard.
    for number, bucket in enumerate(sorted(buckets)):
        shard = buckets[bucket]
        key = _digest(json.dumps([salt, shard]).encode())[:32]
        folder = FOLDER if number == 0 else f"{FOLDER}/shard-{number}"
        files = _listing(store, kept.get(key))
        try:
            if files is None:
                raise _Damaged
            _place(site, store, rules, key, folder, files, number)
        except _Damaged:  # not kept, or damaged: Pagefind builds it (again)
            try:
                sources = f"sources/{count}-{bucket}"
                docs = _sources(site, shard, made, store, kept.get(sources), records)
                files, found = _build_shard(scratch / key, shard, docs, command, deadline, run, timeout, store)
            except SearchFailed as failure:
                return [str(failure)]
            if store is not None:
                keeping[sources] = store.put(json.dumps(docs, sort_keys=True).encode()) or ""
            try:
                _place(site, store, rules, key, folder, files, number, found)
            except _Damaged:
                return [f"the search index could not be built: Pagefind's files for shard {number} changed as they were written — build again"]
        else:
            sources = f"sources/{count}-{bucket}"
            if sources in kept:
                keeping[sources] = kept[sources]
        if store is not None:
            listing = store.put(json.dumps(files, sort_keys=True).encode())
            if listing is not None:
                keeping[key] = listing
                keeping.update({f"{key}/{rel}": digest for rel, digest in files.items()})
    others = [f"shard-{n}/" for n in range(1, len(buckets))]
    rules.make(f"{FOLDER}/{SHARDS_FILE}", REASON, lambda o: (json.dumps(o) + "\n").encode(), others, rule="search shard list")
    if store is not None:
        store.save_manifest(SHARDS, salt, {k: v for k, v in keeping.items() if v})
    return []


def _listing(store: Store | None, digest: str | None) -> dict[str, str] | None:
    """The files of a kept shard ({path in the index: sha256}), or None when it is not kept whole."""
    if store is None or digest is None:
        return None
    data = store.get(digest)
    try:
        files = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not isinstance(files, dict) or not files:
        return None
    for rel, digest in files.items():
        if not (isinstance(rel, str) and isinstance(digest, str) and _inside(rel)):
            return None  # names a file outside the shard: the list is not Pagefind's
    return files


def _inside(rel: str) -> bool:
    """Whether ``rel`` names a file inside a shard's folder (no ``..``, no absolute path)."""
    parts = rel.split("/")
    return not rel.startswith("/") and all(part not in ("", ".", "..") for part in parts) and not (os.sep != "/" and os.sep in rel)


def _place(site: Path, store: Store | None, rules: Rules, key: str, folder: str, files: dict[str, str],
           number: int, found: dict[str, Path] | None = None) -> None:  # fmt: skip
    """Each file of a shard into the staged site through its rule (inputs: the shard's key and the
    file's digest): last build's file, else a checked copy of the store's (or of the fresh build's).
    Merged shards hold their index alone (Pagefind's scripts, styles and WebAssembly come from pagefind/)."""
    for rel, digest in sorted(files.items()):
        if number and not _merged_index_file(rel):
            continue

        def write(path: Path, rel=rel, digest=digest) -> None:
            if store is not None and store.copy_out(digest, path):
                return
            if found is None or rel not in found:
                raise _Damaged(rel)
            copy_file(found[rel], path)  # the store cannot be written: the fresh build's file

        rules.place(f"{folder}/{rel}", REASON, write, key, digest, rule="search shard")


def _sources(site: Path, shard: list[tuple[str, str]], made: dict[str, bytes], store: Store | None,
             kept: str | None, records: RecordCache) -> dict[str, str]:  # fmt: skip
    """The records Pagefind reads for a shard, {path: record}: extracted in this build, kept with the
    shard's last build, or extracted again from the page. A record that is not what the table of
    records says fails the build (the table is not this code's: it is forgotten)."""
    held: dict = {}
    if store is not None and kept is not None:
        data = store.get(kept)
        try:
            held = json.loads(data) if data is not None else {}
        except ValueError:
            held = {}
        if not isinstance(held, dict):
            held = {}
    docs = {}
    for rel, record in shard:
        # A kept record is used as it was read: a shard's records are megabytes, not to be copied
        doc = made[rel].decode() if rel in made else held.get(rel)
        if not (isinstance(doc, str) and _digest(doc.encode()) == record):  # known from an earlier build: extract it again
            doc = record_of((site / rel).read_bytes().decode("utf-8", errors="replace")) or ""
            if _digest(doc.encode()) != record:
                records.forget()
                raise SearchFailed(f"the search index could not be built: the search cache disagrees with {rel} — build again")
        docs[rel] = doc
    return docs


def _build_shard(work: Path, shard: list[tuple[str, str]], docs: dict[str, str], command, deadline, run, timeout,
                 store: Store | None) -> tuple[dict[str, str], dict[str, Path]]:  # fmt: skip
    """Run Pagefind over one shard's records; its files ({path: sha256}, kept in the store) and where
    they are in ``work``. The records are written in sorted order into a new folder: Pagefind numbers
    pages in the order it finds them, and its filter index (a section's articles) lists those numbers."""
    sources, index = work / "records", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    for rel, _record in shard:
        (sources / rel).parent.mkdir(parents=True, exist_ok=True)
        (sources / rel).write_text(docs[rel])
    stopped = f"the search index could not be built: pagefind did not finish within {timeout:g} seconds and was stopped"
    left = deadline - time.monotonic()
    if left <= 0:
        raise SearchFailed(stopped)
    code, output = run([*command, "--site", str(sources), "--output-path", str(index), "--silent"], left)
    if code is None or code != 0 or not (index / "pagefind-entry.json").is_file():
        raise SearchFailed(stopped if code is None else f"the search index could not be built (pagefind exit {code}): {output.strip()}")
    files, found = {}, {}
    for dirpath, _dirs, names in os.walk(index):
        for name in names:
            path = Path(dirpath) / name
            rel = path.relative_to(index).as_posix()
            data = path.read_bytes()
            files[rel] = store.put(data) if store is not None else None
            files[rel] = files[rel] or _digest(data)
            found[rel] = path
    return files, found


# The files of a Pagefind bundle that ``pagefind.mergeIndex`` fetches (its merged instances load no
# WebAssembly, script or style of their own; tests/test_search.py searches a sharded site in Chromium).
_MERGED_INDEX_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")


def _merged_index_file(rel: str) -> bool:
    return rel == "pagefind-entry.json" or rel.endswith(_MERGED_INDEX_SUFFIXES)


def _pagefind_version() -> str:
    from importlib import metadata

    versions = []
    for package in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    return ",".join(versions)

"""Incremental builds: render a page only when what its template reads has changed.

For each template, the press asks Jinja which context variables the template (with everything it
extends, includes and imports) refers to. A page's fingerprint is a hash of exactly those values —
articles by their source, decision and metadata; lists by their items; the press's records by their
fields — plus the theme's files and the settings. If the fingerprint equals last build's for the
same file, the previous site's file is written again instead of rendering the template.

A value the fingerprinter does not understand makes the page uncacheable: it is always rendered.
So a theme that starts using new context is never served stale pages; at worst it is slower.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

from jinja2 import meta, nodes
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

from ..store import Store, copy_file, is_digest
from ..store import salt as store_salt
from ..keys import Unkeyable, keyer
from .outputs import COPIED, vacate
from .pagination import StablePage
from .pelican_adapter import raw_content

# Attributes Pelican (not the press) sets on every page, and why they are not part of its key:
# the press's own attributes (its decision, its assembly, ...) are keyed whole, by press.keys.
_PELICAN_ATTRIBUTES = {
    "_context": "the whole build's context: a page's template inputs are keyed one by one instead",
    "settings": "in the salt (the settings that change rendering)",
    "_content": "keyed as the page's text",
    "_summary": "made from the text, which is keyed",
    "metadata": "keyed item by item",
    "translations": "other languages' pages: the press publishes one language (DEFAULT_LANG)",
    "jsonld": "made on demand from the article, its decision and the settings, all keyed",
}
_NOTHING = object()  # no value at all (None is a value)
_LINK_MARKERS = ("{filename}", "{static}", "{attach}", "{tag}", "{category}", "{author}", "{index}", "|filename|", "|static|")
# The store's manifest of every kept page: fingerprint (hex) -> sha256 of the page's bytes.
PAGES = "pages"


class Uncacheable(Exception):
    """A value the fingerprinter cannot see into."""


def memo_name(site: Path) -> str:
    """The store's name of the manifest of the build folder ``site`` (:func:`build_manifest`): one per
    build folder, so keys never describe a site other than the one they were saved with."""
    return "build-" + hashlib.sha256(str(Path(site)).encode()).hexdigest()[:16]


def _entries(kept) -> dict[str, dict]:
    """The well-formed file entries of a kept build manifest; anything else in it is left out (a miss)."""
    files = kept.get("files") if isinstance(kept, dict) else None
    if not isinstance(files, dict):
        return {}
    found = {}
    for name, entry in files.items():
        if not (isinstance(name, str) and isinstance(entry, dict) and isinstance(entry.get("rule"), str)):
            continue
        key, sha, st = entry.get("key"), entry.get("sha256"), entry.get("stat")
        if not (key is None or is_digest(key)) or not is_digest(sha):
            continue
        if st is not None and not (isinstance(st, list) and len(st) == 3 and all(type(n) is int for n in st)):
            continue
        found[name] = entry
    return found


def build_manifest(store: Store, site: Path, salt: str) -> dict[str, dict]:
    """The manifest of the build folder ``site``, as its build saved it under ``salt`` (the render
    memo's): output path -> {"rule": the rule that made it, "key": its key (hex; None for a file made
    on every build), "sha256": the sha256 of its bytes as published}, and for a file the next build
    may reuse from the folder, "stat" (size, modification time, inode). Empty when missing, damaged
    or saved under another salt: a miss, never an error."""
    return _entries(store.value(memo_name(site), salt, plain=True))


class RenderMemo:
    """Fingerprints of last build's files, and the links that reuse them."""

    def __init__(self, settings: dict, previous: Path, root: Path, version: str):
        self.previous = Path(previous)
        self.root = root
        self.name = memo_name(self.previous)
        # output name -> (fingerprint, (size, mtime_ns, inode) of the file left in the site): a file is
        # reused only if it is still exactly the file this press left, so a hand-edited one is replaced.
        self.before: dict[str, tuple[bytes, tuple[int, int, int]]] = {}
        self.after: dict[str, bytes] = {}  # this build's fingerprints
        # the names of the files hard-linked from the last build into the folder _linked_into: each is
        # the very file reuse checked (its status is self.before's), so the manifest asks no status of
        # it. Names alone: at 20,000 articles a status and a path kept for each was ~20 MiB at the peak.
        self._linked: set[str] = set()
        self._linked_into: str | None = None  # "" once links went into two folders: then none is trusted
        self.rendered = self.reused = 0
        self.salt = hashlib.sha256(version.encode() + store_salt(settings).encode()).digest()  # the one version salt
        self._values: dict[int, tuple[object, bytes]] = {}  # id -> (object kept alive, fingerprint)
        self._keys = keyer(self._pelican, self._values)
        self._wrappers: dict[tuple, bytes] = {}  # (class, name, slug) of a tag, author or category -> its key
        # template name -> the context names it reads; kept across builds while the theme, the
        # settings and the press are the same (parsing every template again costs a second)
        self._templates: dict[str, frozenset[str]] = {}
        # The store: every page of the last build by the sha256 of its bytes, and fingerprint -> sha256.
        self.store = Store(root)
        self.stored: dict[bytes, str] = {}
        self._checked: dict[str, bool] = {}  # sha256 -> the store's object still hashes to it
        self._fetched: tuple[str, bytes | None] = ("", None)  # the object reusable() just read, for link()
        try:
            kept = self.store.value(self.name, self.salt.hex(), plain=True) or {}
            self.before = {name: (bytes.fromhex(entry["key"]), tuple(entry["stat"]))
                           for name, entry in _entries(kept).items() if entry["key"] is not None and entry.get("stat") is not None}  # fmt: skip
            self._templates = {name: frozenset(names) for name, names in kept.get("templates", {}).items()}
            self.stored = {bytes.fromhex(fp): sha for fp, sha in self.store.manifest(PAGES, self.salt.hex()).items()}
        except (TypeError, ValueError, AttributeError):  # damaged or foreign: every page is made again
            self.before, self._templates, self.stored = {}, {}, {}

    # ------------------------------------------------------------------ templates

    def variables(self, template) -> frozenset[str]:
        """Context names ``template`` refers to, through extends, include and import."""
        name = template.name
        if name not in self._templates:
            env = template.environment
            names: set[str] = set()
            seen: set[str] = set()
            todo = [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                source = env.loader.get_source(env, current)[0]
                tree = env.parse(source)
                names |= meta.find_undeclared_variables(tree)
                for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
                    if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                        todo.append(node.template.value)
                    else:  # a computed template name: we cannot know what it reads
                        names.add("\0dynamic")
            self._templates[name] = frozenset(names)
        return self._templates[name]

    # ------------------------------------------------------------------ fingerprints

    def of(self, value) -> bytes:
        """A digest of ``value`` as templates can see it (:func:`press.keys.key_of`, with Pelican's
        objects keyed by :meth:`_pelican`); raises :class:`Uncacheable`."""
        try:
            return self._keys.of(value)
        except Unkeyable as e:
            raise Uncacheable(str(e)) from None

    def _pelican(self, value) -> bytes:
        """Pelican's objects, which are not the press's types: pages, taxonomy links, paginators."""
        digest = hashlib.sha256()
        if isinstance(value, Content):
            self._content(value, digest)
        elif isinstance(value, URLWrapper):
            # its URL is its settings' pattern (one per build) filled with its name and slug: each
            # tag, author and category is formatted once, not once for every article that has it
            known = (type(value), value.name, value.slug)
            if known not in self._wrappers:
                self._wrappers[known] = repr((value.name, value.slug, value.url)).encode()
            digest.update(self._wrappers[known])
        elif isinstance(value, StablePage):  # what it shows: its articles and its neighbours, not the list's length
            digest.update(self.of(value.shown()))
        elif isinstance(value, Page):
            digest.update(repr((value.number, value.paginator.num_pages, value.base_name, value.base_url)).encode())
            digest.update(self.of(value.object_list))
        elif isinstance(value, Paginator):  # ``articles_paginator``: its pages' articles are a template's to read
            digest.update(repr((type(value).__name__, value.name, value.url, value.num_pages, value.count, value.per_page, value.orphans)).encode())
            digest.update(self.of(list(value.object_list)))
        else:
            raise Unkeyable(type(value).__name__)
        return digest.digest()

    def _content(self, item: Content, digest) -> None:
        """An article or page: its text, URL, metadata and every other attribute (the press's
        decision and assembly among them), keyed like any value, but for Pelican's own (see
        :data:`_PELICAN_ATTRIBUTES`)."""
        raw = raw_content(item)
        text = hashlib.sha256(raw.encode()).hexdigest()
        if any(marker in raw for marker in _LINK_MARKERS):  # links resolve to other pages' URLs
            text += hashlib.sha256(item.content.encode()).hexdigest()
        digest.update(repr((text, item.url, item.save_as)).encode())
        part = self._keys.part  # each value's self-delimiting part: one digest for the whole page
        metadata = item.metadata
        digest.update(b"".join([b"m" + name.encode() + b"\0" + part(value) for name, value in sorted(metadata.items())]))
        # Pelican's own, or the very value its metadata holds (keyed just above); an attribute
        # the press set to another value than the metadata's counts too
        digest.update(b"".join([b"a" + name.encode() + b"\0" + part(value) for name, value in sorted(vars(item).items())
                                if name not in _PELICAN_ATTRIBUTES and metadata.get(name, _NOTHING) is not value]))  # fmt: skip

    def fingerprint(self, template, localcontext: dict, name: str) -> bytes | None:
        names = self.variables(template)
        if "\0dynamic" in names:
            return None
        digest = hashlib.sha256(self.salt + template.name.encode() + b"\0" + name.encode())
        try:
            for variable in sorted(names):
                if variable in localcontext:
                    digest.update(variable.encode() + self.of(localcontext[variable]))
        except Uncacheable:
            return None
        return digest.digest()

    def keyed(self) -> None:
        """Every page is keyed: let go of the values kept alive for keying (the build's articles
        among them), so that what comes after (the search index, the manifests) does not add to them.
        Keying again later only costs the time to key afresh."""
        self._values.clear()
        self._wrappers.clear()

    def key(self, *parts) -> bytes | None:
        """A fingerprint of press output (feeds, calendars, JSON) from the values it is made of."""
        try:
            return hashlib.sha256(self.salt + b"".join(self.of(p) for p in parts)).digest()
        except Uncacheable:
            return None

    # ------------------------------------------------------------------ reuse

    def reusable(self, name: str, fingerprint: bytes | None) -> Path | None:
        """A file to reuse for ``name``, if its fingerprint is unchanged: last build's file when it is
        still exactly as this press left it (same size, modification time and inode: a hand-edited
        or replaced output file is never trusted), else the store's copy of the page when its bytes
        hash to what was stored (a fresh clone in CI, with the cache folder restored)."""
        if fingerprint is None:
            return None
        entry = self.before.get(name)
        if entry is not None and entry[0] == fingerprint:
            path = self.previous / name
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                st = None
            if st is not None and stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns, st.st_ino) == entry[1]:
                return path
        sha = self.stored.get(fingerprint)
        if sha is None:
            return None
        if sha not in self._checked:
            data = self.store.get(sha)  # hashed: a damaged object is a miss, made again
            self._checked[sha] = data is not None
            self._fetched = (sha, data)  # link() writes these very bytes: read and hashed once
        return self.store.path(sha) if self._checked[sha] else None

    def link(self, name: str, fingerprint: bytes, source: Path, target: Path) -> None:
        """Put ``source``, the reusable file :meth:`reusable` gave for ``name``, at ``target``: a page of
        the store is copied — the bytes reuse read and checked against its digest — never linked
        (damage to the site would reach the store, and damage to the store the site); last build's
        file is hard-linked."""
        self._linked.discard(name)  # a page written twice keeps only the status of the last write
        if source.parent == self.store.objects:
            sha, data = self._fetched
            self._fetched = ("", None)
            if not self.store.copy_out(source.name, target, data if sha == source.name else None):
                raise OSError(f"{name}: the cache's copy was damaged while the build read it — build again")
        elif _link(source, target) and name in self.before:  # last build's file, as this press left it, under a second name
            where = os.fspath(target)
            into = where[: -len(name) - 1] if where.endswith(os.sep + name) else ""
            self._linked_into = into if self._linked_into in (None, into) else ""  # one folder, or none trusted
            self._linked.add(name)
        self.after[name] = fingerprint
        self.reused += 1

    def record(self, name: str, fingerprint: bytes | None, kept: str | None = None) -> None:
        """``name`` was made afresh; with a fingerprint, the next build may reuse it. ``kept``: the
        store holds its bytes already, under that sha256 (put there by whoever made them)."""
        self.rendered += 1
        self._linked.discard(name)
        if fingerprint is not None:
            self.after[name] = fingerprint
            if kept is not None:
                self.stored[fingerprint] = kept
                self._checked[kept] = True  # as RenderMemo.save needs it: put in this build (an object found there is not hashed again; it is before any reuse)
        else:
            self.after.pop(name, None)

    def save(self, site: Path | None = None, made: dict | None = None) -> None:
        """Keep the manifest of this build for the build folder ``site`` (default: the previous one) and
        drop the previous folder's: it no longer describes the site that will be served. For every file
        ``made`` names (path -> :class:`~press.site.outputs.Made`, the claims' rules), the rule, its key
        and the sha256 of its bytes; for each file with a fingerprint, its size, modification time and
        inode as it is there now (the next build reuses it only if it is still exactly that file). Every
        page with a fingerprint is kept in the store too (a copy, named by the sha256 of its bytes);
        pages no build uses any more leave it."""
        site = Path(site) if site is not None else self.previous
        files: dict[str, dict] = {}
        stored: dict[str, str] = {}
        present = self.store.listing()  # the store's objects, listed once (not a status asked per page)
        linked = self._linked if self._linked_into and self._linked_into == os.fspath(site) else ()
        for name, fingerprint in self.after.items():
            path = site / name
            try:
                st = self.before[name][1] if name in linked else _status(path)
                sha = self.stored.get(fingerprint)
                if sha is None or not self._checked.get(sha, True) or sha not in present:
                    sha = self.store.put_file(path)  # a copy: the served file and the store never share bytes
                    if sha is None:
                        return  # the store cannot be written (said once): keep none of the memo, not half of it
                files[name] = {"rule": "", "key": fingerprint.hex(), "sha256": sha, "stat": list(st)}
                stored[fingerprint.hex()] = sha
            except OSError:
                continue
        for name, rule in (made or {}).items():
            if rule is None:
                continue
            entry = files.get(name)
            if entry is None:
                if rule.inputs == COPIED and rule.key is not None:
                    sha = rule.key  # a copy's key is the sha256 of its bytes, checked by the positive list
                else:
                    try:  # made on every build: its bytes are read once, here
                        with open(site / name, "rb") as f:
                            sha = hashlib.sha256(f.read()).hexdigest()
                    except OSError:
                        continue
                entry = files[name] = {"key": rule.key, "sha256": sha}
            entry["rule"] = rule.rule
        salt = self.salt.hex()
        templates = {name: sorted(names) for name, names in self._templates.items()}
        if self.store.save_manifest(PAGES, salt, stored):
            self.store.keep_value(memo_name(site), salt, {"templates": templates, "files": files}, plain=True)
        if memo_name(site) != self.name:
            self.store.forget(self.name)
        self.store.sweep()  # what no manifest names any more: pages, images and Markdown of earlier builds


def _status(path: Path) -> tuple[int, int, int]:
    """(size, modification time, inode) of the file ``path``, as reuse compares them."""
    st = os.stat(path, follow_symlinks=False)
    return st.st_size, st.st_mtime_ns, st.st_ino


def _link(source: Path, target: Path) -> bool:
    """``source``, a file of the previous build folder, at ``target`` in the new one: a hard link
    where the filesystem allows (True), else a copy (False). Whatever was at ``target`` is unlinked
    first, never written through (see outputs.vacate)."""
    try:
        os.link(source, target)  # the common case, one system call: the folder is there and the name free
        return True
    except OSError:  # the name taken, the folder missing, or no hard links here: as below
        pass
    vacate(target)
    try:
        os.link(source, target)
        return True
    except OSError:
        shutil.copyfile(source, target)
        return False


def place(source: Path, target: Path) -> None:
    """A copy of ``source`` (a file of the cache folder) at ``target`` in a build folder, never a link:
    damage to either never reaches the other. Whatever was at ``target`` is unlinked first."""
    try:
        copy_file(source, target)  # the common case: a new name in a folder that is there (copy_file never writes through)
        return
    except (FileExistsError, FileNotFoundError):
        pass
    vacate(target)
    copy_file(source, target)

"""Markdown for many articles at once, on every core, and kept in the press's store.

Pelican reads articles one by one in one process; on a cold build that is most of the time. The
press renders the Markdown of the published articles first: from its store (:mod:`press.store`)
when a file's bytes are unchanged, else in a pool of forked workers. Workers return plain strings
(HTML and raw metadata), kept as JSON by the digest of each file's path and bytes (one pack per
folder of articles), and the parent turns metadata into Pelican's objects exactly as Pelican's
Markdown reader does. (This replaces Pelican's own reader cache, a pickle: loading one runs code.)

Every rendering carries the SHA-256 of the very bytes it was rendered from (:class:`SourceDigest`):
the gate checks that digest against the vote, never the file read again later — a file changed
during a build can neither publish a rendering of other bytes nor be kept in the store under them.
"""

from __future__ import annotations

from markdown import Markdown
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader

import hashlib
import io
import json
import os

from .. import frontmatter
from ..bundle import sha256
from ..reading import kept_part
from ..sanitize import clean_html
from ..store import Store, salt
from .workers import Workers, cores_for, inherited

# Below this many files a pool costs more than it saves.
MIN_FILES = 64
# The metadata field in which the press's reader hands the gate the digest of what it rendered.
SOURCE = "press_source_sha256"


class SourceDigest(str):
    """The SHA-256 (hex) of the Markdown bytes an article's HTML was rendered from. Only the press's
    reader makes one (YAML and Markdown headers make plain strings), after a writer's own metadata,
    so the gate knows exactly which bytes the page it publishes shows."""


class _Converters:
    """What each worker inherits (through fork): the settings, and its own converters, made on first use."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.made: tuple | None = None  # (reader, Markdown for files, Markdown for fields)

    def get(self) -> tuple:
        """One Markdown instance per worker, reset between articles (building one costs more than
        converting a short article): one with the metadata preprocessor, one without (for fields)."""
        if self.made is None:
            reader = MarkdownReader(self.settings)  # normalises MARKDOWN settings as Pelican does
            fields = Markdown(**reader.settings["MARKDOWN"])
            fields.preprocessors.deregister("meta")
            self.made = (reader, Markdown(**reader.settings["MARKDOWN"]), fields)
        return self.made


def _render(path: str) -> tuple[str, str, dict, dict]:
    """In a worker: ``path`` rendered with the converters the pool handed down."""
    return _render_with(inherited(), path)


def _render_with(converters: _Converters, path: str) -> tuple[str, str, dict, dict, str]:
    """``path`` read once: its rendering and the SHA-256 of the bytes rendered."""
    with open(path, "rb") as f:
        data = f.read()
    return (*_render_text(converters, path, decoded(data)), sha256(data))


def _render_text(converters: _Converters, path: str, text: str) -> tuple[str, str, dict, dict]:
    """``text``, the Markdown of the article at ``path``, rendered and sanitized."""
    reader, md, fields = converters.get()
    md.reset()
    content = md.convert(frontmatter.to_header(text))
    meta = getattr(md, "Meta", {})
    formatted = {}
    for name, value in meta.items():
        if name.lower() in reader.settings["FORMATTED_FIELDS"]:
            fields.reset()
            formatted[name.lower()] = fields.convert("\n".join(value))
    hosts = frozenset(converters.settings.get("PRESS_IFRAME_HOSTS", ()))
    return path, clean_html(content, hosts), meta, {k: clean_html(v, hosts) for k, v in formatted.items()}


def render_all(paths: list[str], settings: dict) -> dict[str, tuple[str, dict, dict, str]]:
    """``{path: (content_html, raw_meta, formatted_fields, sha256_of_the_bytes)}`` for ``paths``, rendered in parallel;
    empty when a pool would not pay off (few files, one core, no fork)."""
    cores = cores_for(len(paths), MIN_FILES)
    if not cores:
        return {}
    with Workers("rendering Markdown", cores, inherited=_Converters(settings)) as workers:
        return {path: tuple(rest) for path, *rest in workers.map(_render, paths, chunksize=32)}


# The store's manifests of rendered Markdown: digest of a file's path and bytes -> the pack holding its
# rendering; one for the files of the work tree, one for the approved revisions read from git. A pack
# is one object per part of the press (press.reading.kept_part: an assembly's articles), {key: rendering}:
# a first build writes one object per assembly, not one per article (a new file costs about half a
# millisecond on a busy disk), and a warm build reads as many.
MARKDOWN = "markdown"
REVISIONS = "markdown-revisions"


def render_kept(paths: list[str], settings: dict, root, texts: dict[str, bytes] | None = None,
                manifest: str = MARKDOWN) -> dict[str, tuple[str, dict, dict, str]]:  # fmt: skip
    """:func:`render_all` of ``paths``, taking each file whose bytes are unchanged from the store
    (its folder's pack checked against its digest: a damaged one is rendered again) and keeping what
    was rendered. Fewer than :data:`MIN_FILES` missing are rendered in this process (a pool costs more).

    ``texts`` gives, for each path, the bytes to render instead of the file's (an approved revision
    from git, kept in the manifest ``manifest``): they are rendered in this process."""
    store, version = Store(root), salt(settings)
    kept = store.manifest(manifest, version)
    packs: dict[str, dict] = {}  # pack digest -> its renderings by key, read and checked once
    found: dict[str, tuple[str, dict, dict, str]] = {}
    keys: dict[str, str] = {}
    shas: dict[str, str] = {}  # path -> the SHA-256 of the bytes read for it
    for path in paths:
        try:
            if texts is not None:
                data = texts[path]
            else:
                with open(path, "rb") as f:
                    data = f.read()
        except OSError:
            continue  # Pelican reports it
        shas[path] = sha = sha256(data)  # the Markdown's digest as a vote names it (press.bundle)
        keys[path] = key = hashlib.sha256(path.encode() + b"\0" + sha.encode()).hexdigest()
        pack = kept.get(key)
        if pack is not None and pack not in packs:
            packs[pack] = _pack(store, pack)
        try:
            content, meta, formatted, source = packs[pack][key] if pack is not None else (None, None, None, None)
        except (KeyError, ValueError, TypeError):  # not in its pack, or of another shape: rendered again
            content = meta = formatted = source = None
        # kept with the digest of the bytes it was rendered from: a manifest entry pointed at another
        # file's rendering is a miss, never that rendering published under these bytes
        if source == sha and _plain(content, meta, formatted):
            found[path] = (content, meta, formatted, sha)
    missing = [path for path in keys if path not in found]
    if texts is not None:
        converters = _Converters(settings)
        rendered = {}
        for path in missing:
            try:
                rendered[path] = (*_render_text(converters, path, decoded(texts[path]))[1:], shas[path])
            except ValueError:  # not UTF-8: the reader says so when it reads it
                continue
    else:
        rendered = render_all(missing, settings) or _render_here(missing, settings)
    found.update(rendered)
    if rendered and _keep(store, root, kept, keys, shas, found, rendered):
        store.save_manifest(manifest, version, {key: kept[key] for key in keys.values() if key in kept})
    return found


def _plain(content, meta, formatted) -> bool:
    """Whether a kept rendering has the shape a rendering has: HTML, each metadata field's lines and
    each formatted field's HTML as text (anything else in the store is a miss, rendered again)."""
    return (
        isinstance(content, str)
        and isinstance(meta, dict)
        and all(type(lines) is list and all(type(line) is str for line in lines) for lines in meta.values())
        and isinstance(formatted, dict)
        and all(type(html) is str for html in formatted.values())
    )


def _pack(store: Store, digest: str) -> dict:
    """The renderings in the pack ``digest``, by key; empty when it is missing, damaged or of another shape."""
    data = store.get(digest)  # hashed: a damaged pack is a miss
    try:
        pack = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):  # garbage, or nested too deep
        return {}
    return pack if isinstance(pack, dict) else {}


def _keep(store: Store, root, kept: dict[str, str], keys: dict[str, str], shas: dict[str, str], found: dict, rendered: dict) -> bool:
    """Pack again each part of the press (:func:`press.reading.kept_part`, as the parsed records are kept)
    with a rendering made now: one new pack holding every rendering of its files this build read, each
    of the very bytes read (a file changed since it was read is rendered, never kept under the bytes
    read). ``kept`` then names the new packs; False when none was written."""
    base = os.path.abspath(root)
    folders: dict[str, list[str]] = {}
    for path in keys:
        folders.setdefault(kept_part(os.path.relpath(path, base).replace(os.sep, "/")), []).append(path)
    written = False
    for members in folders.values():
        if not any(path in rendered for path in members):
            continue  # nothing new in this folder: its pack stays as it is
        entries = {keys[path]: list(found[path]) for path in members if path in found and found[path][3] == shas[path]}
        digest = store.put(json.dumps(entries).encode()) if entries else None
        if digest is not None:
            kept.update(dict.fromkeys(entries, digest))
            written = True
    return written


def decoded(data: bytes) -> str:
    """Bytes as Pelican's ``pelican_open`` reads a file: UTF-8 less a leading byte-order mark, with
    universal newlines."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()


def _render_here(paths: list[str], settings: dict) -> dict[str, tuple[str, dict, dict, str]]:
    """:func:`render_all` in this process, as the workers would."""
    converters = _Converters(settings)
    return {path: tuple(rest) for path, *rest in (_render_with(converters, path) for path in paths)}


def metadata(reader: MarkdownReader, meta: dict, formatted: dict, ignored: tuple[str, ...] = ()) -> dict:
    """Raw Markdown metadata -> Pelican's processed metadata (as ``MarkdownReader._parse_metadata``),
    less the fields ``ignored`` (never processed)."""
    output = {}
    for name, value in meta.items():
        name = name.lower()
        if name in ignored:
            continue
        if name in formatted:
            output[name] = reader.process_metadata(name, formatted[name])
        elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True) or len(value) == 1:
            output[name] = reader.process_metadata(name, value[0])
        else:
            output[name] = reader.process_metadata(name, value)
    return output

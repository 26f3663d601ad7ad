"""Markdown for many articles at once, on every core.

Pelican reads articles one by one in one process; on a cold build that is most of the time. When
many published articles are not in Pelican's cache, the press renders their Markdown first in a
pool of forked workers. Workers return plain strings (HTML and raw metadata), and the parent turns
metadata into Pelican's objects exactly as Pelican's Markdown reader does.
"""

from __future__ import annotations

import multiprocessing
import os

from markdown import Markdown
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from .. import frontmatter
from ..sanitize import clean_html

# Below this many files a pool costs more than it saves.
MIN_FILES = 64

_settings: dict | None = None  # the worker's copy, inherited through fork


def _render(path: str) -> tuple[str, str, dict, dict]:
    reader = MarkdownReader(_settings)  # normalises MARKDOWN settings as Pelican does
    md = Markdown(**reader.settings["MARKDOWN"])
    with pelican_open(path) as text:
        content = md.convert(frontmatter.to_header(text))
    meta = getattr(md, "Meta", {})
    md.preprocessors.deregister("meta")
    formatted = {}
    for name, value in meta.items():
        if name.lower() in reader.settings["FORMATTED_FIELDS"]:
            md.reset()
            formatted[name.lower()] = md.convert("\n".join(value))
    hosts = frozenset(_settings.get("PRESS_IFRAME_HOSTS", ()))
    return path, clean_html(content, hosts), meta, {k: clean_html(v, hosts) for k, v in formatted.items()}


def render_all(paths: list[str], settings: dict) -> dict[str, tuple[str, dict, dict]]:
    """``{path: (content_html, raw_meta, formatted_fields)}`` for ``paths``, rendered in parallel;
    empty when a pool would not pay off (few files, one core, no fork)."""
    cores = os.cpu_count() or 1
    if len(paths) < MIN_FILES or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {}
    global _settings
    _settings = settings
    try:
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            return {path: rest for path, *rest in pool.imap_unordered(_render, paths, chunksize=32)}
    finally:
        _settings = None


def metadata(reader: MarkdownReader, meta: dict, formatted: dict) -> dict:
    """Raw Markdown metadata -> Pelican's processed metadata (as ``MarkdownReader._parse_metadata``)."""
    output = {}
    for name, value in meta.items():
        name = name.lower()
        if name in formatted:
            output[name] = reader.process_metadata(name, formatted[name])
        elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True) or len(value) == 1:
            output[name] = reader.process_metadata(name, value[0])
        else:
            output[name] = reader.process_metadata(name, value)
    return output

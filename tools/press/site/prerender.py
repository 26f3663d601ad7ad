"""Markdown for many articles at once, on every core.

Pelican reads articles one by one in one process; on a cold build that is most of the time. When
many published articles are not in Pelican's cache, the press renders their Markdown first in a
pool of forked workers. Workers return plain strings (HTML and raw metadata), and the parent turns
metadata into Pelican's objects exactly as Pelican's Markdown reader does.
"""

from __future__ import annotations

from markdown import Markdown
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from .. import frontmatter
from ..sanitize import clean_html
from .workers import Workers, cores_for, inherited

# Below this many files a pool costs more than it saves.
MIN_FILES = 64

class _Converters:
    """What each worker inherits: the settings, and its own converters, made on first use."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.made: tuple | None = None  # (reader, Markdown for files, Markdown for fields), in the worker

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
    converters = inherited()
    reader, md, fields = converters.get()
    md.reset()
    with pelican_open(path) as text:
        content = md.convert(frontmatter.to_header(text))
    meta = getattr(md, "Meta", {})
    formatted = {}
    for name, value in meta.items():
        if name.lower() in reader.settings["FORMATTED_FIELDS"]:
            fields.reset()
            formatted[name.lower()] = fields.convert("\n".join(value))
    hosts = frozenset(converters.settings.get("PRESS_IFRAME_HOSTS", ()))
    return path, clean_html(content, hosts), meta, {k: clean_html(v, hosts) for k, v in formatted.items()}


def render_all(paths: list[str], settings: dict) -> dict[str, tuple[str, dict, dict]]:
    """``{path: (content_html, raw_meta, formatted_fields)}`` for ``paths``, rendered in parallel;
    empty when a pool would not pay off (few files, one core, no fork)."""
    cores = cores_for(len(paths), MIN_FILES)
    if not cores:
        return {}
    with Workers("rendering Markdown", cores, inherited=_Converters(settings)) as workers:
        return {path: rest for path, *rest in workers.map(_render, paths, chunksize=32)}


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

"""Every place the press reaches into Pelican beyond its public API, in one module.

The plugin uses Pelican's signals, readers, generators and ``Writer.write_file``. Where Pelican has
no hook for what the press needs, the workaround lives here, named for what it does, so that a
Pelican upgrade is checked against this file alone (``tests/test_pelican_adapter.py`` fails on a
private Pelican name used anywhere else in the package). docs/building.md ("Pelican's missing
hooks") lists each one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from markdown import Markdown
from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader
from pelican import writers as pelican_writers
from pelican.writers import FileOverwriteFailedError, Writer

log = logging.getLogger("pelican.press")


# --------------------------------------------------------------------------- the writer

class Rendered(str):
    """What a template the press wraps returns: the text Pelican writes (empty when the press
    decided otherwise) and ``decision``, which reaches :meth:`PelicanWriter.decided` through
    Pelican's own ``f.write(output)`` — the page's decision travels with the page, not in a field."""

    decision: Any

    def __new__(cls, text: str, decision: Any = None) -> "Rendered":
        made = super().__new__(cls, text)
        made.decision = decision
        return made


class _Page:
    """The file Pelican's writer writes one page (or feed) into: a decided page goes to the writer's
    :meth:`~PelicanWriter.decided`; plain text is written to the file, opened on the first write."""

    def __init__(self, writer: "PelicanWriter", path: str, encoding: str):
        self.writer, self.path, self.encoding = writer, path, encoding
        self.file = None
        self.decided = False

    def write(self, text: str) -> int:
        if isinstance(text, Rendered) and text.decision is not None:
            self.writer.decided(self.path, text.decision)
            self.decided = True
            return len(text)
        if self.file is None:
            self.file = self.writer.open_page(self.path, self.encoding)
        return self.file.write(text)

    def __enter__(self) -> "_Page":
        return self

    def __exit__(self, *exc) -> None:
        if self.file is None and not self.decided:  # an empty page is still a page
            self.file = self.writer.open_page(self.path, self.encoding)
        if self.file is not None:
            self.file.close()


class PelicanWriter(Writer):
    """Pelican's writer with the file it writes into handed to the press.

    Missing hook: Pelican renders a page and opens its file inside ``write_file`` with no way to
    say "this page is last build's file" or "render this one later". The template the press passes
    returns a :class:`Rendered` carrying that decision; ``_open_w`` (Pelican's private opener) is
    replaced by one that keeps Pelican's rules for a path written twice and hands the decision to
    :meth:`decided`, with the path it belongs to."""

    def _open_w(self, filename, encoding, override=False):
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time (was previously overwritten)')
            return open(os.devnull, "w", encoding=encoding)  # the earlier, overriding page stays
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" as Pelican has already written to it previously')
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _Page(self, filename, encoding)

    def open_page(self, path: str, encoding: str):
        """Open ``path`` to write a page Pelican rendered."""
        return open(path, "w", encoding=encoding)

    def decided(self, path: str, decision: Any) -> None:
        """The page for ``path`` was not rendered: ``decision`` (from the template) says why."""
        raise NotImplementedError


def paginate_with(cls: type, setting: str) -> None:
    """Pelican's writer paginates with ``cls`` (a subclass of its ``Paginator``) for the builds whose
    settings set ``setting``; with Pelican's own paginator for any other build in the process.

    Missing hook: the writer makes its paginators inside ``write_file`` from the module-level name
    ``pelican.writers.Paginator``, and no setting chooses another; that name is replaced, once per
    process, by a function that picks by the build's settings."""
    current = pelican_writers.Paginator
    if getattr(current, "press_chooses", False):
        return
    pelican = current

    def choose(name, url, object_list, settings, per_page=None):
        return (cls if settings.get(setting) else pelican)(name, url, object_list, settings, per_page)

    choose.press_chooses = True
    pelican_writers.Paginator = choose


# --------------------------------------------------------------------------- readers

def read_markdown_text(reader: MarkdownReader, text: str, source_path: str, ignored: tuple[str, ...] = ()) -> tuple[str, dict]:
    """``MarkdownReader.read`` on ``text`` instead of the file's bytes: the HTML and the metadata,
    processed as Pelican's Markdown reader does, less the fields ``ignored`` (never processed).

    Missing hook: Pelican's reader only reads a file; the press reads YAML front matter as the
    equivalent header, so the text differs from the file. This sets the reader's private
    ``_source_path`` and ``_md`` and calls its private ``_parse_metadata``, as ``read`` does."""
    reader._source_path = source_path
    reader._md = Markdown(**reader.settings["MARKDOWN"])
    content = reader._md.convert(text)
    if not hasattr(reader._md, "Meta"):
        return content, {}
    return content, reader._parse_metadata({k: v for k, v in reader._md.Meta.items() if k.lower() not in ignored})


def raw_content(content: Content) -> str:
    """An article's or page's HTML before Pelican replaces its intra-site links (``{filename}``…).

    Missing hook: Pelican keeps it only in the private ``_content``."""
    return content._content or ""


# --------------------------------------------------------------------------- generators

def keep_files(generator, keep: Callable[[list[str]], set[str]]) -> None:
    """Let ``generator`` read only ``keep(files)`` of the files it finds.

    Missing hook: no signal lets a plugin choose which files a generator reads (``*_preread`` comes
    per file, after the choice); the generator's ``get_files`` is wrapped on this one instance."""
    find = generator.get_files

    def get_files(paths, exclude=None, extensions=None):
        return keep(find(paths, exclude, extensions))

    generator.get_files = get_files


def make_articles_generator(generator, cls: type) -> None:
    """Make Pelican's own articles generator (exactly that class) an instance of ``cls``, its subclass.

    Missing hook: ``get_generators`` can only add generators, never replace the built-in one."""
    if type(generator) is ArticlesGenerator and issubclass(cls, ArticlesGenerator):
        generator.__class__ = cls


# --------------------------------------------------------------------------- Pelican's caches

def never_load_pelican_caches() -> None:
    """Pelican's reader caches are pickles (loading one runs code): never loaded or kept. What they
    gave, rendered Markdown, the press keeps in its store as plain data (prerender.render_kept).

    Missing hook: ``CACHE_CONTENT`` turns on both Pelican's pickles and the press's own memo; no
    setting turns off the pickles alone. ``FileDataCacher.__init__`` is wrapped (caching and loading
    off), and ``save_cache``, ``cache_data`` and ``get_cached_data`` do nothing, once per process (with
    nothing loaded or kept, the last two only hashed every article twice, with ``CHECK_MODIFIED_METHOD``)."""
    if getattr(FileDataCacher, "press_never_loaded", False):
        return
    pelican_init = FileDataCacher.__init__

    def init(self, settings, cache_name, caching_policy, load_policy):
        pelican_init(self, settings, cache_name, False, False)

    def save(self) -> None:
        """Nothing: see :func:`never_load_pelican_caches`."""

    def cache_data(self, filename, data) -> None:
        """Nothing: see :func:`never_load_pelican_caches`."""

    def get_cached_data(self, filename, default=None):
        """Nothing kept: ``default``."""
        return default

    FileDataCacher.__init__, FileDataCacher.save_cache = init, save
    FileStampDataCacher.cache_data, FileStampDataCacher.get_cached_data = cache_data, get_cached_data
    FileDataCacher.press_never_loaded = True

"""The Pelican plugin: the editorial gate, plus the press's own pages and feeds.

The plugin decides nothing. It asks :mod:`press.model` once per build and applies the
answer: an article reaches Pelican's writers only if its decision is ``published`` and the
file's bytes still match the approved digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from itertools import chain
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.contents import Article
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Category
from pelican.writers import Writer

from ..decisions import PUBLISHED, ArticleDecision
from ..model import Press, load
from ..records import digest_bytes
from ..sanitize import clean_html
from . import prerender
from .memo import MemoTemplate

log = logging.getLogger("pelican.press")  # Pelican's logger tree: press build reports these

# The press model of each running build, keyed by the identity of Pelican's settings dict. It is
# kept out of the settings themselves: Pelican pickles settings into its caches.
_PRESSES: dict[int, Press] = {}
_preloaded: list[tuple] = []
_MEMOS: dict[int, object] = {}  # settings id -> RenderMemo of the running build
_PRERENDERED: dict[str, tuple] = {}  # path -> rendered Markdown, consumed by PressReader


def provide(press: Press, memo=None) -> None:
    """Hand an already loaded press (and the build's render memo) to the next Pelican run."""
    _preloaded[:] = [(press, memo)]


def memo_of(settings: dict):
    """The build's :class:`~press.site.memo.RenderMemo`, or None (a plain ``pelican`` run)."""
    return _MEMOS.get(id(settings))

# Metadata a writer may not set: it would decide publication, dates or where the page is written.
WRITER_CANNOT_SET = ("status", "date", "modified", "save_as", "url", "slug", "template", "translation", "category")
PLACEHOLDER_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)


def _warn_missing_alt(html: str, file: str, source_path: str, content_path: str) -> None:
    """Images need alt text for readers who cannot see them: warn with the file and line."""
    text = None
    for tag in _IMG.findall(html):
        alt = _ALT.search(tag)
        if alt and (alt[1] or alt[2] or "").strip():
            continue
        src = (_SRC.search(tag) or [None, "?"])[1]
        if text is None:
            text = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
        line = next((n for n, l in enumerate(text, 1) if src.split("}")[-1].lstrip("/") in l), 0)
        rel = Path(source_path).resolve().relative_to(Path(content_path).resolve().parent).as_posix()
        log.warning("%s:%d: image %s has no alt text — describe it: ![what it shows](%s)", rel, line, src, src)


class PressReader(MarkdownReader):
    """Pelican's Markdown reader, minus what would let a writer publish, move or script a page.

    HTML is sanitized with an allowlist. An article's category is its assembly (its folder);
    its date is a placeholder until the gate sets the approval date. Static pages keep their
    metadata except where they would be written (``Save_as``, ``URL``).
    """

    def read(self, source_path: str):
        return self.read_as(source_path, source_path)

    def read_as(self, file: str, source_path: str):
        """Read the bytes in ``file`` as if they were the article at ``source_path``."""
        done = _PRERENDERED.pop(file, None) if file == source_path else None
        if done is not None:  # rendered (and sanitized) in parallel: see prerender.py
            content, raw, formatted = done
            metadata = prerender.metadata(self, raw, formatted)
        else:
            content, metadata = super().read(file)
            hosts = frozenset(self.settings.get("PRESS_IFRAME_HOSTS", ()))
            content = clean_html(content, hosts)
            if isinstance(metadata.get("summary"), str):
                metadata["summary"] = clean_html(metadata["summary"], hosts)
        _warn_missing_alt(content, file, source_path, self.settings["PATH"])
        rel = Path(source_path).resolve().relative_to(Path(self.settings["PATH"]).resolve())
        if rel.parts[0] in self.settings.get("PAGE_PATHS", ["pages"]):
            for key in ("save_as", "url"):
                metadata.pop(key, None)
            return content, metadata
        for key in WRITER_CANNOT_SET:
            metadata.pop(key, None)
        metadata["category"] = Category(rel.parts[0] if len(rel.parts) > 1 else "unfiled", self.settings)
        metadata["date"] = PLACEHOLDER_DATE
        return content, metadata


# Settings the gate depends on. They are the press's, not the site maintainer's: a
# pelicanconf.py that changes them is overridden, so no configuration can reopen a side door.
ENFORCED_SETTINGS = {
    "ARTICLE_URL": "{category}/{slug}.html",
    "ARTICLE_SAVE_AS": "{category}/{slug}.html",
    "ARTICLE_LANG_URL": "{category}/{slug}.html",
    "ARTICLE_LANG_SAVE_AS": "{category}/{slug}.html",
    "ARTICLE_TRANSLATION_ID": None,  # every file is its own article, voted on by itself
    "DRAFT_URL": "",
    "DRAFT_SAVE_AS": "",
    "DRAFT_LANG_URL": "",
    "DRAFT_LANG_SAVE_AS": "",
    "WITH_FUTURE_DATES": True,  # dates come from votes; a future date must not turn anything into a draft
    "USE_FOLDER_AS_CATEGORY": True,
    "SLUGIFY_SOURCE": "basename",
    "CATEGORY_URL": "{slug}/",
    "CATEGORY_SAVE_AS": "",  # chapter pages replace category pages
    "CATEGORIES_SAVE_AS": "",
    "AUTHOR_URL": "author/{slug}.html",
    "AUTHOR_SAVE_AS": "author/{slug}.html",
    "TAG_URL": "tag/{slug}.html",
    "TAG_SAVE_AS": "tag/{slug}.html",
    "PAGE_URL": "{slug}.html",
    "PAGE_SAVE_AS": "{slug}.html",
    "PAGE_LANG_URL": "{slug}-{lang}.html",
    "PAGE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "DRAFT_PAGE_URL": "",
    "DRAFT_PAGE_SAVE_AS": "",
    "DRAFT_PAGE_LANG_URL": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "",
    "MONTH_ARCHIVE_SAVE_AS": "",
    "DAY_ARCHIVE_SAVE_AS": "",
    "DIRECT_TEMPLATES": ["index", "tags", "authors", "archives", "search"],
    "PAGINATED_TEMPLATES": {"index": None, "tag": None, "author": None, "chapter": None},
    # Only images/ is copied wholesale: files beside articles are copied only when a published
    # article links them.
    "STATIC_PATHS": ["images"],
    "PAGE_PATHS": ["pages"],
    "ARTICLE_PATHS": [""],
    "ARTICLE_EXCLUDES": ["pages", "images"],
    "READERS": {"html": None, "htm": None, "rst": None, **dict.fromkeys(MarkdownReader.file_extensions, PressReader)},
    # Titles and record fields are text: templates escape everything not marked |safe.
    "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []},
    # Pelican's own feeds overlap (category and author feeds share a default path);
    # the press writes every feed itself with feedgen.
    **dict.fromkeys(
        [
            f"{what}_{kind}"
            for what in ("FEED", "FEED_ALL", "CATEGORY_FEED", "AUTHOR_FEED", "TAG_FEED", "TRANSLATION_FEED")
            for kind in ("ATOM", "RSS")
        ],
        None,
    ),
}

def newest_first(article: Article):
    """Latest approval first; within one meeting, the motion taken later first."""
    approved = article.press.first_approved
    return (-article.date.timestamp(), -approved.motion.index, article.press.article.id)


def press_of(settings: dict) -> Press:
    return _PRESSES[id(settings)]


def article_id(source_path: str, content_path: str) -> str | None:
    """``/…/content/springfield/rent.md`` -> ``springfield/rent``; None for anything else.

    (Symbolic links are refused when records are read, so plain path arithmetic is enough.)"""
    rel = os.path.relpath(os.path.abspath(source_path), os.path.abspath(content_path))
    parts = rel.split(os.sep)
    if len(parts) != 2 or not parts[1].endswith(".md") or parts[0] in ("..", "."):
        return None
    return f"{parts[0]}/{parts[1][:-3]}"


def approval_datetime(day: dt.date, timezone: str) -> dt.datetime:
    """Midnight of ``day`` in the assembly's timezone (for records that name no meeting)."""
    return dt.datetime.combine(day, dt.time(0, 0), ZoneInfo(timezone))


def motion_datetime(outcome) -> dt.datetime:
    """When a motion was decided: its meeting's start (the record's ``time:``, else the time in the
    assembly's ``meets``, else midnight) plus one minute per motion before it.

    Distinct for every motion of an assembly and the same on every build, so feed readers can tell
    entries apart and never see them change."""
    meeting, assembly = outcome.meeting, outcome.assembly
    starts = meeting.time or assembly.usual_time or dt.time(0, 0)
    begin = dt.datetime.combine(meeting.date, starts, ZoneInfo(assembly.timezone))
    return begin + dt.timedelta(minutes=outcome.motion.index)


def on_initialized(pelican) -> None:
    settings = pelican.settings
    settings.update(ENFORCED_SETTINGS)
    if _preloaded:
        _PRESSES[id(settings)], memo = _preloaded.pop()
        if memo is not None:
            _MEMOS[id(settings)] = memo
    else:
        root = settings.get("PRESS_ROOT") or str(Path(settings["PATH"]).parent)
        _PRESSES[id(settings)] = load(root)


def _apply(article: Article, decision: ArticleDecision, settings: dict) -> None:
    assembly = decision.approved.assembly
    article.category = Category(assembly.id, settings)
    article.slug = decision.article.slug
    article.status = "published"
    article.template = "article"
    for attr in ("override_url", "override_save_as", "modified", "locale_modified"):
        article.__dict__.pop(attr, None)
    article.date = motion_datetime(decision.first_approved)
    article.locale_date = article.date.strftime(article.date_format)
    if decision.updated_on:
        article.modified = motion_datetime(decision.approved)
        article.locale_modified = article.modified.strftime(article.date_format)
    # The URL follows from the enforced settings; work it out once (Pelican would on every access).
    article.override_url, article.override_save_as = article.url, article.save_as
    article.press = decision
    article.assembly = assembly
    article.jsonld = _LazyJSON(lambda: _news_article(article, decision, settings))


class _LazyJSON:
    """JSON-LD made only when a page is rendered (most pages of a rebuild are not)."""

    def __init__(self, make):
        self.make = make

    def __str__(self) -> str:
        return self.make()


def _news_article(article: Article, decision: ArticleDecision, settings: dict) -> str:
    """schema.org NewsArticle as JSON-LD, safe to put inside <script>."""
    base = settings["FEED_DOMAIN"].rstrip("/")
    url = f"{base}/{article.url}"
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(),
        "dateModified": getattr(article, "modified", article.date).isoformat(),
        "author": [{"@type": "Person", "name": a.name} for a in getattr(article, "authors", [])],
        "publisher": {"@type": "Organization", "name": settings["SITENAME"], "url": base + "/"},
        "sourceOrganization": {"@type": "Organization", "name": decision.approved.assembly.name, "url": f"{base}/{decision.approved.assembly.id}/"},
        "isAccessibleForFree": True,
        "inLanguage": getattr(article, "lang", settings.get("DEFAULT_LANG", "en")),
    }
    if decision.updated_on:
        data["correction"] = {
            "@type": "CorrectionComment",
            "text": decision.update_note or "Revised text approved by the assembly.",
            "datePublished": article.modified.isoformat(),
        }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def only_published_files(generator) -> None:
    """Pelican reads only the files whose assembly approved them as they are: nothing else is ever
    rendered. (Approved revisions of edited articles are added by the gate, from git history.)"""
    press = press_of(generator.settings)
    content_path = generator.settings["PATH"]
    find = generator.get_files

    def get_files(paths, exclude=None, extensions=None):
        files = find(paths, exclude, extensions)
        published = set()
        for file in files:
            aid = article_id(os.path.join(content_path, file), content_path)
            decision = press.decisions.articles.get(aid) if aid else None
            if decision is not None and decision.state == PUBLISHED:
                published.add(file)
        # On a cold cache, render the Markdown of the files Pelican will read on every core first.
        uncached = [
            path for path in (os.path.abspath(os.path.join(content_path, f)) for f in sorted(published))
            if generator.readers.get_cached_data(path, None) is None
        ]  # fmt: skip
        _PRERENDERED.update(prerender.render_all(uncached, generator.settings))
        return published

    generator.get_files = get_files

    # Pelican rewrites its whole reader cache after every build; do so only when something was read.
    readers, misses = generator.readers, []
    cache_data, save_cache = readers.cache_data, readers.save_cache

    def note_miss(filename, data):
        misses.append(filename)
        cache_data(filename, data)

    readers.cache_data = note_miss
    readers.save_cache = lambda: save_cache() if misses else None


class _RevisionCache:
    """Rendered approved revisions, keyed by their digest and the reader's settings: the bytes of a
    revision never change, so an entry never goes stale."""

    def __init__(self, settings: dict):
        self.path = Path(settings["CACHE_PATH"]) / "press-revisions.pickle"
        self.enabled = bool(settings.get("CACHE_CONTENT"))
        relevant = {k: settings.get(k) for k in ("MARKDOWN", "PRESS_IFRAME_HOSTS", "FORMATTED_FIELDS", "TIMEZONE", "DEFAULT_LANG")}
        self.salt = hashlib.sha256(repr(sorted(relevant.items())).encode()).hexdigest()[:16]
        self.entries: dict = {}
        if self.enabled and self.path.is_file():
            try:
                with self.path.open("rb") as f:
                    self.entries = pickle.load(f)
            except Exception:  # a damaged cache is rebuilt, never trusted
                self.entries = {}
        self.dirty = False

    def read(self, generator, source_path: str, data: bytes):
        key = (self.salt, digest_bytes(data))
        if key not in self.entries:
            with tempfile.TemporaryDirectory(prefix="press-revision-") as folder:
                file = Path(folder) / Path(source_path).name
                file.write_bytes(data)
                self.entries[key] = PressReader(generator.settings).read_as(str(file), source_path)
            self.dirty = True
        return self.entries[key]

    def save(self) -> None:
        if self.enabled and self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("wb") as f:
                pickle.dump(self.entries, f, protocol=pickle.HIGHEST_PROTOCOL)


def gate(generator) -> None:
    """Keep only articles whose assembly voted to publish exactly these bytes, and add the approved
    revisions of articles edited since their approval."""
    press = press_of(generator.settings)
    decisions = press.decisions.articles
    content_path = generator.settings["PATH"]
    everything = chain(
        generator.articles,
        generator.translations,
        generator.drafts,
        generator.drafts_translations,
        generator.hidden_articles,
        generator.hidden_translations,
    )
    candidates: list[tuple[Article, ArticleDecision, bytes]] = []
    for article in everything:
        aid = article_id(article.source_path, content_path)
        decision = decisions.get(aid) if aid else None
        if decision is None or decision.state != PUBLISHED:
            generator.context["generated_content"].pop(article.get_relative_source_path(), None)
            continue
        candidates.append((article, decision, Path(article.source_path).read_bytes()))
    revisions = _RevisionCache(generator.settings)
    for aid, revision in sorted(press.revisions.items()):
        decision = decisions[aid]
        source_path = os.path.join(content_path, decision.article.path.removeprefix("content/"))
        content, metadata = revisions.read(generator, source_path, revision.data)
        article = Article(content, metadata=dict(metadata), settings=generator.settings, source_path=source_path, context=generator.context)
        generator.context["generated_content"][article.get_relative_source_path()] = article
        candidates.append((article, decision, revision.data))
    revisions.save()
    _PRERENDERED.clear()

    kept: list[Article] = []
    for article, decision, data in candidates:
        if digest_bytes(data) != decision.approved_digest:  # the file changed during the build
            generator.context["generated_content"].pop(article.get_relative_source_path(), None)
            continue
        _apply(article, decision, generator.settings)
        first = press.history.first(decision.article.path)
        article.submitted = first.when if first else None
        article.git_authors = press.history.authors(decision.article.path)
        kept.append(article)
    generator.articles = sorted(kept, key=newest_first)
    generator.translations, generator.drafts, generator.drafts_translations = [], [], []
    generator.hidden_articles, generator.hidden_translations = [], []
    # Files linked with {static}/{attach} are copied only for articles that are published.
    generator.context["static_links"] = set().union(*(a.get_static_links() for a in kept))


def get_generators(pelican):
    from .generator import PressGenerator

    return PressGenerator


def get_writer(pelican):
    return PressWriter


def on_finalized(pelican) -> None:
    _PRESSES.pop(id(pelican.settings), None)
    _MEMOS.pop(id(pelican.settings), None)


class PressWriter(Writer):
    """Pelican's writer, rendering a page only when what its template reads has changed."""

    def write_file(self, name, template, context, *args, **kwargs):
        memo = memo_of(self.settings)
        if memo is not None:
            template = MemoTemplate(template, memo)
        return super().write_file(name, template, context, *args, **kwargs)


def register() -> None:
    signals.initialized.connect(on_initialized)
    signals.finalized.connect(on_finalized)
    signals.article_generator_init.connect(only_published_files)
    signals.article_generator_pretaxonomy.connect(gate)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)

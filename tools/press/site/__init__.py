"""The Pelican plugin: the editorial gate, plus the press's own pages and feeds.

The plugin decides nothing. It asks :mod:`press.model` once per build and applies the
answer: an article reaches Pelican's writers only if its decision is ``published`` and its
bundle (the Markdown and its attachments) still matches the approved digest. Every file written
is claimed on the build's positive list (:mod:`press.site.outputs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
from itertools import chain
from pathlib import Path
from zoneinfo import ZoneInfo

from contextlib import contextmanager
from markupsafe import Markup
from pelican import signals
from pelican.contents import Article
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Category, URLWrapper

from .. import bundle, frontmatter, records
from .. import cache as _cache
from ..cache import settings_salt
from ..decisions import PUBLISHED, ArticleDecision
from ..model import Press, load
from ..records import digest_bytes
from ..sanitize import clean_html, script_json
from . import fastgroups, parallel, pelican_adapter, prerender
from .images import image_size
from .pagination import StablePaginator
from .rules import Rules, RuleTemplate
from .shared import motion_datetime, newest_first
from .outputs import OutputList, vacate

log = logging.getLogger("pelican.press")  # Pelican's logger tree: press build reports these
for _filter in list(log.filters):  # Pelican's LimitFilter would say each warning once per process, not per build
    log.removeFilter(_filter)

# Metadata a writer may not set: it would decide publication, dates or where the page is written.
WRITER_CANNOT_SET = ("status", "date", "modified", "save_as", "url", "slug", "template", "translation", "category")
# Metadata a maintainers' page may not set: it would move the page out of its URL space.
PAGE_CANNOT_SET = ("save_as", "url", "lang", "translation", "translations", "template", "category")
PLACEHOLDER_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


_IMG = re.compile(r"<img\b[^>]*+>", re.I)  # sanitized HTML: each <img closes at its own >
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.I)


ALT_WARNINGS = 20  # each warning searches the file for its line: a bounded number keeps that linear


def _lines(source_path: str, data: bytes | None) -> list[str]:
    """The lines a warning about ``source_path`` counts in: ``data`` (an approved revision's bytes)
    when given, else the file's."""
    if data is None:
        with open(source_path, "rb") as f:
            data = f.read()
    return data.decode("utf-8", errors="replace").splitlines()


def _warn_missing_alt(html: str, data: bytes | None, source_path: str, content_path: str) -> None:
    """Images need alt text for readers who cannot see them: warn with the file and line."""
    text = None
    missing = [tag for tag in _IMG.findall(html) if not ((alt := _ALT.search(tag)) and (alt[1] or alt[2] or "").strip())]
    for tag in missing[:ALT_WARNINGS]:
        src = (_SRC.search(tag) or [None, "?"])[1]
        if text is None:
            text = _lines(source_path, data)
        line = next((n for n, l in enumerate(text, 1) if src.split("}")[-1].lstrip("/") in l), 0)
        rel = Path(source_path).resolve().relative_to(Path(content_path).resolve().parent).as_posix()
        log.warning("%s:%d: image %s has no alt text — describe it: ![what it shows](%s)", rel, line, src, src)
    if len(missing) > ALT_WARNINGS:
        rel = Path(source_path).resolve().relative_to(Path(content_path).resolve().parent).as_posix()
        log.warning("%s: %d more images have no alt text — describe each: ![what it shows](file)", rel, len(missing) - ALT_WARNINGS)


def _warn_ignored(keys: list[str], data: bytes | None, source_path: str, content_path: str) -> None:
    """Metadata a page may not use is dropped; its maintainer hears so, with the line."""
    lines = _lines(source_path, data)
    rel = Path(source_path).resolve().relative_to(Path(content_path).resolve().parent).as_posix()
    for key in keys:
        line = next((n for n, l in enumerate(lines, 1) if l.lower().startswith(key + ":")), 1)
        log.warning("%s:%d: '%s' is ignored in a page — a page lives at <slug>.html, in the pages' own URL space", rel, line, key.capitalize())


class PressReader(MarkdownReader):
    """Pelican's Markdown reader, minus what would let a writer publish, move or script a page.

    HTML is sanitized with an allowlist. An article's category is its assembly (its folder);
    its date is a placeholder until the gate sets the approval date. Static pages keep their
    metadata except where they would be written (``Save_as``, ``URL``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # path -> Markdown rendered in parallel (prerender.py): the build's, handed over by BuildContext
        self.prerendered: dict[str, tuple] = {}
        # (kind, name) -> the one tag, author or category of that name this reader hands out
        self.wrappers: dict[tuple[type, str], URLWrapper] = {}
        self._folders: dict[str, Path] = {}  # a folder of content/ -> where it really is (resolved once, not per file)
        self._base: Path | None = None  # the content folder itself, resolved

    def _relative(self, source_path: str) -> Path:
        """``source_path`` relative to the content folder, both as they really are (links resolved):
        each folder is resolved once per build rather than once for every file in it."""
        folder, name = os.path.split(source_path)
        if folder not in self._folders:
            self._folders[folder] = Path(folder).resolve()
        if self._base is None:
            self._base = Path(self.settings["PATH"]).resolve()
        where = self._folders[folder] / name
        if where.is_symlink():  # a link (refused by the press's reading): where it leads, as before
            where = where.resolve()
        return where.relative_to(self._base)

    def read(self, source_path: str):
        return self.read_as(source_path)

    def _read_markdown(self, file: str, ignored: tuple[str, ...], data: bytes | None = None) -> tuple[str, dict, str]:
        """``MarkdownReader.read``, with YAML front matter read as the equivalent header (see
        frontmatter.py), less the fields ``ignored``, and the SHA-256 of the bytes read: the file
        is read once (``data``: the bytes to read instead of the file's)."""
        if data is None:
            with open(file, "rb") as f:
                data = f.read()
        text = prerender.decoded(data)
        if frontmatter.has_front_matter(text):
            text = frontmatter.to_header(text)
        return (*pelican_adapter.read_markdown_text(self, text, file, ignored), bundle.sha256(data))

    def read_as(self, source_path: str, done: tuple | None = None, data: bytes | None = None):
        """Read the article at ``source_path``: its file, or ``data`` when given (an approved revision's
        bytes, from git); ``done``: that Markdown already rendered, see prerender.py."""
        if done is None and data is None:
            done = self.prerendered.pop(source_path, None)
        rel = self._relative(source_path)
        page = rel.parts[0] in self.settings.get("PAGE_PATHS", ["pages"])
        # An article's fields that a writer may not set are never even processed: a writer's Date: is
        # no date of the press's (parsing it cost a second at 20,000 articles, and a bad one failed the build).
        ignored = () if page else WRITER_CANNOT_SET
        if done is not None:  # rendered (and sanitized) in parallel: see prerender.py
            content, raw, formatted, sha = done
            metadata = prerender.metadata(self, raw, formatted, ignored)
        else:
            content, metadata, sha = self._read_markdown(source_path, ignored, data)
            hosts = frozenset(self.settings.get("PRESS_IFRAME_HOSTS", ()))
            content = clean_html(content, hosts)
            if isinstance(metadata.get("summary"), str):
                metadata["summary"] = clean_html(metadata["summary"], hosts)
        _warn_missing_alt(content, data, source_path, self.settings["PATH"])
        _one_of_each(metadata, self.wrappers)
        metadata[prerender.SOURCE] = prerender.SourceDigest(sha)  # over any writer's field of that name
        if page:
            # A page lives at <slug>.html and nowhere else: no language or translation moves it.
            moved = [key for key in PAGE_CANNOT_SET if metadata.pop(key, None) is not None]
            if moved:
                _warn_ignored(moved, data, source_path, self.settings["PATH"])
            return content, metadata
        for key in WRITER_CANNOT_SET:
            metadata.pop(key, None)
        metadata["category"] = _one_named(self.wrappers, Category, rel.parts[0] if len(rel.parts) > 1 else "unfiled", self.settings)
        metadata["date"] = PLACEHOLDER_DATE
        return content, metadata


def _one_named(wrappers: dict[tuple[type, str], URLWrapper], kind: type, name: str, settings: dict) -> URLWrapper:
    """The one ``kind`` (a tag, author or category) named ``name`` in ``wrappers``, made on first use."""
    found = wrappers.get((kind, name))
    if found is None:
        found = wrappers[kind, name] = kind(name, settings)
    return found


def _one_of_each(metadata: dict, wrappers: dict[tuple[type, str], URLWrapper]) -> None:
    """One object per tag, author and category name: Pelican's reader makes new ones for every
    article, and at 20,000 articles the copies were about 20 MiB of a build's peak memory. They are
    plain values (name and settings), so sharing them changes nothing a page shows."""
    for key in ("tags", "authors", "author", "category"):
        value = metadata.get(key)
        if isinstance(value, URLWrapper):
            metadata[key] = wrappers.setdefault((type(value), value.name), value)
        elif isinstance(value, list):
            metadata[key] = [wrappers.setdefault((type(v), v.name), v) if isinstance(v, URLWrapper) else v for v in value]


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
    "PAGE_LANG_URL": "",  # pages have no language of their own (PressReader drops Lang)
    "PAGE_LANG_SAVE_AS": "",
    "PAGE_TRANSLATION_ID": None,
    "DRAFT_PAGE_URL": "",
    "DRAFT_PAGE_SAVE_AS": "",
    "DRAFT_PAGE_LANG_URL": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "",
    "MONTH_ARCHIVE_SAVE_AS": "",
    "DAY_ARCHIVE_SAVE_AS": "",
    "DIRECT_TEMPLATES": ["index", "tags", "authors", "archives", "search", "404"],
    "PAGINATED_TEMPLATES": {"index": None, "tag": None, "author": None, "chapter": None, "section": None},
    "PRESS_STABLE_PAGES": True,  # lists cut from their oldest article: press/site/pagination.py
    # Only images/ is copied wholesale (a positive list of types, see bundle.py); an article's
    # attachments are written by the press from the approved bundle, never by Pelican.
    "STATIC_PATHS": ["images"],
    "STATIC_SAVE_AS": "{path}",
    "STATIC_URL": "{path}",
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


def _script_json_filter(value) -> Markup:
    return Markup(script_json(value))


# An <img> tag of sanitized HTML: attribute values are quoted (a '>' may stand inside quotes).
_IMG_TAG = re.compile(r"""<img\b(?:"[^"]*"|'[^']*'|[^'">])*>""", re.I)


def _without_pictures_filter(value) -> Markup:
    """A summary for a card: its text and links without the pictures of the article's body, which
    come unmeasured (no width and height) and would stand beside the card's own picture."""
    return Markup(_IMG_TAG.sub("", str(value or "")))


# The frame a picture the press cannot measure (another site's) is shown in: its width and height
# reserve the room, and the theme keeps that ratio and fits the picture inside (img.framed).
FRAME = (1600, 900)
# One attribute of an <img> tag as the sanitizer writes it (sanitize.clean_html: nh3 quotes every value
# with '"' and escapes any '"' inside), read one after another from the tag's name on: a value's text
# ('… width=', '… class=') is never taken for an attribute, nor an attribute's end for a value's.
_IMG_ATTRIBUTE = re.compile(r'[ \t\n\f\r]++([^\s"\'>/=]++)(?:="([^"]*+)")?+')
_IMG_END = re.compile(r"[ \t\n\f\r]*+/?>")


def _img_attributes(tag: str) -> list[tuple[str, str | None]] | None:
    """The attributes of ``tag`` (``<img …>``) in order, or None when it is not written as the
    sanitizer writes tags (it is then left as it is: rewriting what we cannot read could open it)."""
    found, at = [], len("<img")
    while (m := _IMG_ATTRIBUTE.match(tag, at)) is not None:
        found.append((m[1].lower(), m[2]))
        at = m.end()
    return found if _IMG_END.fullmatch(tag, at) else None


def _measured_pictures_filter(value, article=None) -> Markup:
    """``article``'s HTML with a width and height on every picture, so that the page reserves its
    room: a picture of the article's own bundle its measured size (``article.picture_sizes``, an
    attribute of the article, so that the page's key covers it), any other the :data:`FRAME`. Each
    tag is read attribute by attribute and written again whole, the writer's values as they were."""
    sizes = getattr(article, "picture_sizes", None) or {}
    slug = article.press.article.slug if sizes and hasattr(article, "press") else None

    def measure(tag: re.Match) -> str:
        attributes = _img_attributes(tag[0])
        if attributes is None:
            return tag[0]
        given = dict(attributes)
        if given.get("width") is not None and given.get("height") is not None:
            return tag[0]  # the writer gave both
        src = given.get("src") or ""
        size = sizes.get(src.removeprefix(f"{slug}/")) if slug and src.startswith(f"{slug}/") else None
        width, height = size or FRAME
        kept = [(n, v) for n, v in attributes if n not in ("width", "height")]  # one alone would be doubled
        if not size:  # the frame's class, beside the writer's own classes
            if "class" in given:
                kept = [(n, f"{v or ''} framed".lstrip() if n == "class" else v) for n, v in kept]
            else:
                kept.append(("class", "framed"))
        written = "".join(f' {n}="{v}"' if v is not None else f" {n}" for n, v in kept)
        return f'<img{written} width="{width}" height="{height}">'

    return Markup(_IMG_TAG.sub(measure, str(value or "")))


def enforce_settings(settings: dict) -> None:
    """The press's settings over the site maintainer's (see :data:`ENFORCED_SETTINGS`)."""
    settings.update(ENFORCED_SETTINGS)
    static_dir = str(settings.get("THEME_STATIC_DIR", "theme"))
    if not static_dir or static_dir.startswith("/") or ".." in Path(static_dir).parts:
        raise ValueError(f"THEME_STATIC_DIR {static_dir!r} must be a folder inside the output, like 'theme'")
    # Inline JSON in templates: {{ data|script_json }} (see sanitize.script_json).
    settings["JINJA_FILTERS"] = {
        **settings.get("JINJA_FILTERS", {}), "script_json": _script_json_filter, "without_pictures": _without_pictures_filter,
        "measured_pictures": _measured_pictures_filter,
    }  # fmt: skip
    # Pelican's reader cache is keyed by file content only: keep one per settings and press code,
    # so a change to either is never answered from an older cache.
    if settings.get("CACHE_PATH"):
        settings["CACHE_PATH"] = os.path.join(settings["CACHE_PATH"], settings_salt(settings))
        if settings.get("CACHE_CONTENT") and _cache.usable(settings["CACHE_PATH"]) is None:
            settings["CACHE_CONTENT"] = settings["LOAD_CONTENT_CACHE"] = False  # said once by press.cache


def _apply(article: Article, decision: ArticleDecision, settings: dict, categories: dict[tuple[type, str], URLWrapper]) -> None:
    """``categories``: the assemblies' categories made so far in this build (one object each)."""
    assembly = decision.approved.assembly
    article.category = _one_named(categories, Category, assembly.id, settings)
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
    # The URL follows from the enforced settings; work it out once (Pelican would on every access,
    # copying the metadata each time).
    fields = article.url_format
    article.override_url = str(settings["ARTICLE_URL"]).format(**fields)
    article.override_save_as = str(settings["ARTICLE_SAVE_AS"]).format(**fields)
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
    return script_json(data)


def only_published_files(build: "BuildContext", generator) -> None:
    """Pelican reads only the files whose assembly approved them as they are: nothing else is ever
    rendered. (Approved revisions of edited articles are added by the gate, from git history.)"""
    press = build.press
    content_path = generator.settings["PATH"]
    for reader in generator.readers.readers.values():
        if isinstance(reader, PressReader):
            reader.prerendered = build.prerendered

    def published_only(files) -> set[str]:
        published = set()
        for file in files:
            aid = article_id(os.path.join(content_path, file), content_path)
            decision = press.decisions.articles.get(aid) if aid else None
            if decision is not None and decision.state == PUBLISHED:
                published.add(file)
        # The Markdown of the files Pelican will read: from the store, or rendered on every core first.
        paths = [os.path.abspath(os.path.join(content_path, f)) for f in sorted(published)]
        if generator.settings.get("CACHE_CONTENT"):
            build.prerendered.update(prerender.render_kept(paths, generator.settings, press.root))
        else:
            build.prerendered.update(prerender.render_all(paths, generator.settings))
        return published

    pelican_adapter.keep_files(generator, published_only)


class _RevisionCache:
    """Rendered approved revisions of this build, keyed by their path, their digest and the reader's settings.
    Their Markdown comes from the store (prerender.REVISIONS) when it was rendered before; Pelican's
    metadata is made again from it (it holds Pelican's objects, not plain data). A revision is read
    from its bytes, never from a file: warnings count lines in the revision itself."""

    def __init__(self, settings: dict, kept: dict[str, tuple] | None = None):
        self.salt = settings_salt(settings)
        self.entries: dict = {}
        self.kept = kept or {}  # source path -> the revision's Markdown, rendered (prerender.render_kept)
        self.reader: PressReader | None = None  # one for all of them, made on first use

    def read(self, generator, source_path: str, data: bytes):
        # by path too: what the reader makes of the bytes depends on where they are (the category is
        # the assembly's folder, warnings name the file), so two articles with the same bytes share nothing
        key = (self.salt, source_path, digest_bytes(data))
        if key not in self.entries:
            if self.reader is None:
                self.reader = PressReader(generator.settings)
            done = self.kept.get(os.path.abspath(source_path))
            self.entries[key] = self.reader.read_as(source_path, done=done, data=data)
        return self.entries[key]


def gate(build: "BuildContext", generator) -> None:
    """Keep only articles whose assembly voted to publish exactly these bytes, and add the approved
    revisions of articles edited since their approval."""
    press = build.press
    decisions = press.shown  # the decisions as the public may see them: approved titles and metadata
    content_path = generator.settings["PATH"]

    def drop(article: Article) -> None:  # nothing of it is published: no {filename} link resolves to it
        generator.context["generated_content"].pop(article.get_relative_source_path(), None)

    everything = chain(
        generator.articles,
        generator.translations,
        generator.drafts,
        generator.drafts_translations,
        generator.hidden_articles,
        generator.hidden_translations,
    )
    # (article, its decision, the Markdown's bytes when in hand (an approved revision from git), its attachments)
    candidates: list[tuple[Article, ArticleDecision, bytes | None, dict[str, bytes]]] = []
    for article in everything:
        aid = article_id(article.source_path, content_path)
        decision = decisions.get(aid) if aid else None
        if decision is None or decision.state != PUBLISHED:
            drop(article)
            continue
        folder = Path(article.source_path[:-3])
        try:
            files = {name: (folder / name).read_bytes() for name in decision.article.attachments}
        except OSError:  # removed during the build: nothing of it is published, and the build fails (below)
            log.error("%s: changed while the build read it — build again", decision.article.path)
            drop(article)
            continue
        candidates.append((article, decision, None, files))
    if press.history.lacking:  # no article needs the history (else loading the press said so): say what is left off
        log.warning("submission dates and git authors are left off the pages: %s", press.history.lacking)
    kept = None
    if generator.settings.get("CACHE_CONTENT") and press.revisions:
        texts = {os.path.abspath(os.path.join(content_path, decisions[aid].article.path.removeprefix("content/"))): revision.data
                 for aid, revision in press.revisions.items()}  # fmt: skip
        kept = prerender.render_kept(sorted(texts), generator.settings, press.root, texts, prerender.REVISIONS)
    revisions = _RevisionCache(generator.settings, kept)
    for aid, revision in sorted(press.revisions.items()):
        decision = decisions[aid]
        source_path = os.path.join(content_path, decision.article.path.removeprefix("content/"))
        content, metadata = revisions.read(generator, source_path, revision.data)
        article = Article(content, metadata=dict(metadata), settings=generator.settings, source_path=source_path, context=generator.context)
        generator.context["generated_content"][article.get_relative_source_path()] = article
        candidates.append((article, decision, revision.data, revision.files))
    build.prerendered.clear()

    kept: list[Article] = []
    bundles: dict[str, dict[str, bytes]] = {}
    categories: dict[tuple[type, str], URLWrapper] = {}
    for article, decision, data, files in candidates:
        # What will be published, as voted: the Markdown its HTML was rendered from (the digest of the
        # bytes the reader rendered, never the file read again) and every attachment, hashed here.
        # Loading the press found them as voted: other bytes now were changed during the build, which
        # fails (the site served stays as it was) rather than publish a page without them.
        read = article.metadata.get(prerender.SOURCE)
        if type(read) is not prerender.SourceDigest:  # another reader's HTML: the press cannot say which bytes it shows
            log.error("%s: not read by the press's Markdown reader (does a plugin replace it?) — nothing of it is published", decision.article.path)
            drop(article)
            continue
        if (data is not None and read != bundle.sha256(data)) or \
                bundle.digest_of(decision.article.slug, read, {name: bundle.sha256(b) for name, b in files.items()}) != decision.approved_digest:  # fmt: skip
            log.error("%s: changed while the build read it — build again", decision.article.path)
            drop(article)
            continue
        if not _metadata_allowed(press, decision, files):
            drop(article)
            continue
        _apply(article, decision, generator.settings, categories)
        first = press.history.first(decision.article.path)
        article.submitted = first.when if first else None
        article.git_authors = press.history.authors(decision.article.path)
        for key in bundle.METADATA_FILES:  # Audio:/Image:/Video…: as the plain <slug>/<file> the theme links
            value = str(getattr(article, key, "") or "").strip()
            if value and not value.startswith("https://"):
                setattr(article, key, f"{decision.article.slug}/{_bundle_file(decision.article.slug, value)}")
        if getattr(article, "video_poster", None):
            article.video_size = image_size(files.get(article.video_poster.split("/", 1)[1], b""))
        # each picture of the bundle's measured size, for the article's <img> tags (the measured_pictures filter)
        article.picture_sizes = {name: size for name, data in files.items() if bundle.kind_of(name) == "image" and (size := image_size(data))}
        shown = {key: getattr(article, key, None) for key in ("image", "image_alt", "video", "video_captions")}
        text = (lambda data=data, path=article.source_path: (data if data is not None else _bytes_of(path)).decode("utf-8", "replace"))
        for warning in records.accessibility_warnings(decision.article.path, text, shown):
            log.warning("%s", warning)
        bundles[decision.article.id] = files
        kept.append(article)
    generator.articles = sorted(kept, key=newest_first)
    generator.translations, generator.drafts, generator.drafts_translations = [], [], []
    generator.hidden_articles, generator.hidden_translations = [], []
    # Attachments are written by the press from the approved bytes (see PressGenerator): Pelican
    # copies nothing an article links, it only resolves {static}/{attach} links to their URLs.
    generator.context["static_links"] = set()
    generator.context["press_bundles"] = bundles
    for article in kept:
        aid = article.press.article.id
        for name in bundles[aid]:
            rel = f"{aid}/{name}"
            generator.context["static_content"][rel] = _Attached(rel)


def _bytes_of(path: str) -> bytes:
    """The file's bytes, for a warning's line number (nothing when it is gone)."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def _metadata_allowed(press, decision, files: dict[str, bytes]) -> bool:
    """The one metadata rule (press.media) over the bytes about to be published, from the work tree or
    from git: a bundle voted before the cut-over publishes with a warning; any other bundle whose files
    carry metadata its assembly does not keep is left out, with a warning saying how to fix it."""
    from .. import media

    allowed = True
    folder = decision.article.path.removesuffix(".md")
    keep = media.keep_of(press.records, decision.article.assembly)
    before = media.voted_before_cutover(decision, decision.approved_digest)  # these bytes: checked against it above
    for name, data in sorted(files.items()):
        try:
            found = media.fields(name, data)
        except Exception:  # pragma: no cover - fields() reports unreadable files as found fields
            found = (media.Field("unreadable", "other"),)
        verdict = media.finding(f"{folder}/{name}", found, keep, before)
        if verdict is None:
            continue
        if verdict[0] == "warning":
            log.warning("%s", verdict[1])
        else:
            log.warning("%s — %s is not published until it is stripped and voted again", verdict[1], decision.article.id)
            allowed = False
    return allowed


def _bundle_file(slug: str, value: str) -> str:
    match = bundle.INTRASITE_RE.match(value)
    path = match["path"] if match else value
    return bundle.bundle_path(slug, path) or path


class _Attached:
    """What a {static}/{attach} link to an approved attachment resolves to: its URL in the output."""

    def __init__(self, url: str):
        self.url = url

    def attach_to(self, content) -> None:
        """Attachments stay at <assembly>/<slug>/<file>, next to the article's page."""


def _written_reason(context: dict, rel: str) -> str:
    """Why a page Pelican's writer wrote is published, from the context it was rendered with."""
    if "article" in context and getattr(context["article"], "press", None) is not None:
        decision = context["article"].press
        return f"the page of {decision.article.id}, approved {decision.approved.date}"
    if context.get("retraction") is not None and context.get("decision") is not None:
        return f"the retraction notice of {context['decision'].article.id}"
    if "page" in context and context.get("page") is not None and hasattr(context["page"], "source_path"):
        source = Path(context["page"].source_path)
        return f"the maintainers' page content/pages/{source.name}"
    return f"a page of the site ({context.get('template_name') or context.get('page_name') or rel})"


def on_static_written(build: "BuildContext", generator) -> None:
    """Shared files of content/images/ (the only static path) and the theme's: copy rules, claimed
    with their source's bytes (Pelican copied them)."""
    rules = build.rules
    for static in generator.staticfiles:
        source = Path(static.source_path)
        rules.copied(static.save_as, f"the shared file content/{static.relative_source_path}", source.read_bytes(), "copy of a shared file")
    theme = Path(generator.theme)
    for folder in generator.settings["THEME_STATIC_PATHS"]:
        base = theme / folder
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []
        for file in files:
            rel = file.name if file == base else file.relative_to(base).as_posix()
            rules.copied(f"{generator.settings['THEME_STATIC_DIR']}/{rel}", "a file of the theme", file.read_bytes(), "copy of a theme file")


class BuildContext:
    """One build: its press model, settings, render memo, output list, rules and instant, and the plugin's
    handlers as bound methods, connected to Pelican's signals for this run only.

    ``press build`` makes one, :meth:`attached` around its Pelican run; a plain ``pelican`` run with
    the plugin gets one from :func:`register`'s handler. Two builds in one process share nothing."""

    def __init__(self, settings: dict, press: Press | None = None, memo=None, outputs: OutputList | None = None,
                 now: dt.datetime | None = None, plain: bool = False):  # fmt: skip
        self.settings = settings
        self.plain = plain  # a plain `pelican` run: nobody disconnects this context but itself
        self.press = press
        self.memo = memo  # RenderMemo, or None: every page rendered
        self.outputs = outputs if outputs is not None else OutputList(settings["OUTPUT_PATH"])
        self.rules = Rules(self.outputs, memo)  # every output file is made through them
        self.now = now
        self.prerendered: dict[str, tuple] = {}  # path -> Markdown rendered in parallel, read once
        self.writer: PressWriter | None = None
        self.writer_class = type("PressWriter", (PressWriter,), {"build": self})
        from .generator import PressGenerator

        self.generator_class = type("PressGenerator", (PressGenerator,), {"build": self})
        self.connected: list[tuple] = []

    # -- connecting
    def handlers(self) -> list[tuple]:
        return [
            (signals.initialized, self.on_initialized),
            (signals.finalized, self.on_finalized),
            (signals.article_generator_init, self.on_article_generator_init),
            (signals.article_generator_pretaxonomy, self.on_pretaxonomy),
            (signals.get_generators, self.get_generators),
            (signals.get_writer, self.get_writer),
            (signals.content_written, self.on_content_written),
            (signals.static_generator_finalized, self.on_static_written),
        ]

    def connect(self) -> None:
        pelican_adapter.never_load_pelican_caches()  # press build drops the plugin from PLUGINS: register() never runs there
        pelican_adapter.paginate_with(StablePaginator, "PRESS_STABLE_PAGES")
        for signal, handler in self.handlers():
            signal.connect(handler, weak=False)  # the build holds the context; disconnect() lets it go
            self.connected.append((signal, handler))

    def disconnect(self) -> None:
        while self.connected:
            signal, handler = self.connected.pop()
            signal.disconnect(handler)

    @contextmanager
    def attached(self):
        """Connected for the ``with`` block, disconnected after it — also when the build fails."""
        self.connect()
        try:
            yield self
        finally:
            self.disconnect()

    def mine(self, sender) -> bool:
        """Whether a signal's sender (the Pelican object, a generator, a writer) belongs to this run."""
        return getattr(sender, "settings", None) is self.settings

    # -- the handlers
    def on_initialized(self, pelican) -> None:
        if not self.mine(pelican):
            return
        enforce_settings(self.settings)
        if self.press is None:
            root = self.settings.get("PRESS_ROOT") or str(Path(self.settings["PATH"]).parent)
            self.press = load(root, self.now)

    def on_article_generator_init(self, generator) -> None:
        if self.mine(generator):
            only_published_files(self, generator)
            fastgroups.install(generator)

    def on_pretaxonomy(self, generator) -> None:
        if self.mine(generator):
            gate(self, generator)

    def get_generators(self, pelican):
        return self.generator_class if self.mine(pelican) else None

    def get_writer(self, pelican):
        return self.writer_class if self.mine(pelican) else None

    def on_content_written(self, path: str, context: dict | None = None) -> None:
        """Every file Pelican's writer writes into this build's folder is claimed on the positive
        list, with the reason."""
        if self.writer is not None and path in self.writer.deferred:
            return  # rendered at the end of the run, and claimed then
        try:
            rel = self.outputs.relative(path)
        except Exception:
            return  # another run's file
        self.rules.written(rel, _written_reason(context or {}, rel))

    def on_static_written(self, generator) -> None:
        if self.mine(generator):
            on_static_written(self, generator)

    def on_finalized(self, pelican) -> None:
        if not self.mine(pelican):
            return
        try:
            if self.writer is not None:
                self.writer.finish()  # renders the deferred pages and claims them
        finally:
            if self.plain:  # (a plain run that fails before this stays connected, answering no other run)
                self.disconnect()


class PressWriter(pelican_adapter.PelicanWriter):
    """Pelican's writer, rendering a page only when what its template reads has changed: an
    unchanged page is last build's file, hard-linked into the new site (nothing read or written);
    the pages to make are rendered at the end of the run on every core (see parallel.py).

    Made per build by :class:`BuildContext`, as a subclass whose ``build`` is that context."""

    build: BuildContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deferred: dict[str, parallel.Job] = {}  # path -> the page to render at the end
        self.build.writer = self

    def write_file(self, name, template, context, *args, **kwargs):
        template = RuleTemplate(template, self.build.rules, context)  # every page is a rule (press.site.rules)
        return super().write_file(name, template, context, *args, **kwargs)

    def open_page(self, path: str, encoding: str):
        self.deferred.pop(path, None)  # a later page at the same path replaces a deferred one
        vacate(path)
        return super().open_page(path, encoding)

    def decided(self, path: str, decision) -> None:
        """A page its rule decided (see :meth:`press.site.rules.Rules.page`): last build's file,
        linked now, or a page to render at the end."""
        self.deferred.pop(path, None)
        if isinstance(decision, parallel.Job):
            self.deferred[path] = dataclasses.replace(decision, path=path)
        else:
            name, source, fingerprint = decision
            self.build.rules.link(name, fingerprint, source, Path(path))

    def finish(self) -> None:
        """Render the deferred pages on every core, then claim each as written."""
        jobs, self.deferred = list(self.deferred.values()), {}
        if not jobs:
            return
        kept = parallel.render(jobs)
        for job, sha in zip(jobs, kept):
            self.build.rules.made(job.name, job.fingerprint, sha)
            self.build.on_content_written(job.path, job.localcontext)


def _plain_run(pelican) -> None:
    """A plain ``pelican`` run with the plugin: a build context for this run alone, let go when it
    finishes. (``press build`` makes its own and leaves the plugin out of PLUGINS.)"""
    if not any(plugin in ("press.site", __name__) or getattr(plugin, "__name__", None) == __name__
               for plugin in pelican.settings.get("PLUGINS") or ()):  # fmt: skip
        return
    build = BuildContext(pelican.settings, plain=True)
    build.connect()
    build.on_initialized(pelican)


def without_plugin(plugins) -> list:
    """PLUGINS without this plugin: ``press build`` attaches its own :class:`BuildContext`."""
    return [p for p in (plugins or ()) if p not in ("press.site", __name__) and getattr(p, "__name__", None) != __name__]


def register() -> None:
    """Pelican's plugin entry point: one handler, making a build context for each plain run."""
    pelican_adapter.never_load_pelican_caches()
    pelican_adapter.paginate_with(StablePaginator, "PRESS_STABLE_PAGES")
    signals.initialized.connect(_plain_run)

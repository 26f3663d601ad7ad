"""Article bundles: the Markdown file plus the folder of attachments a publish vote covers.

An article is ``content/<assembly>/<slug>.md``; its attachments live in ``content/<assembly>/<slug>/``.
The digest a publish motion names covers both. It is recomputable with standard tools::

    cd content/<assembly>
    find <slug>.md <slug> -type f | LC_ALL=C sort | xargs sha256sum | sha256sum

that is: one ``sha256sum`` line (``<hex>  <path>``) per file, paths relative to the assembly's
folder, sorted bytewise, and the SHA-256 of those lines. An article with no attachments keeps the
single-file digest, the SHA-256 of the Markdown bytes (``sha256sum <slug>.md``).

Attachments are a positive list of types (images, audio, video, WebVTT captions, PDF), checked by
name and by content, some with a size limit; HTML, SVG and anything else is refused, because a file
served from the site's origin can run script.
Links in articles may name only the article's own bundle; links in pages only ``content/images/``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import limits
from .media import ebml_number, fields
from .problems import Problem

# Names of attachment files and folders: no spaces, quotes, backslashes or newlines, so that a
# sha256sum line never needs escaping and a URL never needs quoting.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_DEPTH = 4  # folders below the bundle folder


def _is_mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _is_mp4(data: bytes) -> bool:
    return data[4:8] == b"ftyp"


def _is_riff(kind: bytes):
    return lambda data: data[:4] == b"RIFF" and data[8:12] == kind


def _is_webm(data: bytes) -> bool:
    """An EBML header (1A 45 DF A3) whose DocType element (42 82) says ``webm`` (Matroska is not WebM)."""
    if not data.startswith(b"\x1a\x45\xdf\xa3"):
        return False
    size = ebml_number(data, 4, keep_marker=False)
    if size is None:
        return False
    at, end = size[1], min(len(data), size[1] + size[0])
    while at < end:
        element = ebml_number(data, at, keep_marker=True)
        length = ebml_number(data, element[1], keep_marker=False) if element else None
        if element is None or length is None:
            return False
        if element[0] == 0x4282:  # DocType
            return data[length[1] : length[1] + length[0]].rstrip(b"\0") == b"webm"
        at = length[1] + length[0]
    return False


def _is_webvtt(data: bytes) -> bool:
    """The WebVTT signature: an optional BOM, ``WEBVTT``, then a space, tab, line break or the end."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data.startswith(b"WEBVTT") and data[6:7] in (b"", b" ", b"\t", b"\n", b"\r")


def _text_problem(name: str, data: bytes) -> str | None:
    """Why a captions file is not plain text: captions are read by the browser's WebVTT parser, and a
    control character or a byte that is not UTF-8 is never part of what a writer wrote."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"'{name}' is not UTF-8 text (byte {exc.start:,}) — save the captions as UTF-8"
    if bad := next((c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0), None):
        return f"'{name}' holds the control character U+{ord(bad):04X} — captions are plain text"
    return None


# Extension -> (kind, media type, content check). The content check keeps a script-bearing file
# from passing under an image's name (some servers and browsers sniff content).
TYPES: dict[str, tuple[str, str, object]] = {
    "png": ("image", "image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image", "image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image", "image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    "gif": ("image", "image/gif", lambda d: d[:6] in (b"GIF87a", b"GIF89a")),
    "webp": ("image", "image/webp", _is_riff(b"WEBP")),
    "avif": ("image", "image/avif", lambda d: d[4:12] in (b"ftypavif", b"ftypavis")),
    "mp3": ("audio", "audio/mpeg", _is_mp3),
    "m4a": ("audio", "audio/mp4", _is_mp4),
    "ogg": ("audio", "audio/ogg", lambda d: d.startswith(b"OggS")),
    "opus": ("audio", "audio/ogg", lambda d: d.startswith(b"OggS")),
    "wav": ("audio", "audio/wav", _is_riff(b"WAVE")),
    "mp4": ("video", "video/mp4", _is_mp4),
    "webm": ("video", "video/webm", _is_webm),
    "vtt": ("captions", "text/vtt", _is_webvtt),
    "pdf": ("document", "application/pdf", lambda d: d.startswith(b"%PDF-")),
}
ALLOWED = ", ".join(f".{ext}" for ext in TYPES)

# The largest attachment of a kind, in bytes, where it is below limits.MAX_ATTACHMENT_BYTES.
MAX_BYTES = {"video": limits.MAX_VIDEO_BYTES, "captions": limits.MAX_CAPTIONS_BYTES}


def kind_of(name: str) -> str | None:
    """``image``, ``audio``, ``video``, ``captions`` or ``document`` for an allowed file name, else None."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TYPES[ext][0] if ext in TYPES else None


def media_type(name: str) -> str:
    return TYPES[name.rsplit(".", 1)[-1].lower()][1]


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):,.0f} MiB" if count >= 1024 * 1024 else f"{count / 1024:,.0f} KiB"


def file_problem(name: str, data: bytes, size: int | None = None) -> str | None:
    """Why a file may not be published as an attachment, or None if it may. ``data``: the file's
    bytes, or at least its first :data:`HEAD` (all of them for captions); ``size``: its length, if
    ``data`` is not the whole file."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        if ext in ("svg", "svgz"):
            return "SVG files can carry script and are not published — convert it to PNG"
        if ext in ("html", "htm", "xhtml", "xml", "js", "mjs", "css"):
            return f".{ext} files would run on the site's origin and are never published"
        return f"'{name}' is not an allowed attachment type — allowed: {ALLOWED}"
    kind = TYPES[ext][0]
    size = len(data) if size is None else size
    if kind in MAX_BYTES and size > MAX_BYTES[kind]:
        return f"'{name}' is {limits.size(size)}; a {kind} attachment is at most {_size(MAX_BYTES[kind])} ({limits.size(MAX_BYTES[kind])}) — make it shorter or smaller"
    if not TYPES[ext][2](data):
        if kind == "captions":
            return f"'{name}' does not start with WEBVTT — captions are WebVTT files (.vtt)"
        return f"'{name}' does not contain {TYPES[ext][1]} data — save it in the format its name says"
    if kind == "captions":
        return _text_problem(name, data)
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(slug: str, markdown_sha256: str, files: dict[str, str]) -> bytes:
    """The ``sha256sum`` lines the bundle digest is the hash of. ``files`` maps paths relative to the
    bundle folder (``photo.jpg``, ``audio/ep1.mp3``) to their SHA-256 (hex)."""
    lines = {f"{slug}.md": markdown_sha256}
    lines.update({f"{slug}/{rel}": value for rel, value in files.items()})
    return "".join(f"{lines[path]}  {path}\n" for path in sorted(lines, key=lambda p: p.encode())).encode()


def digest_of(slug: str, markdown_sha256: str, files: dict[str, str]) -> str:
    """The digest a publish vote names, from the SHA-256 of each file: the Markdown's own when there
    are no attachments, else the SHA-256 of the bundle's manifest (see the module docstring)."""
    if not files:
        return "sha256:" + markdown_sha256
    return "sha256:" + sha256(manifest(slug, markdown_sha256, files))


def digest_bytes(data: bytes) -> str:
    """The content digest a publish vote names: ``sha256:`` + hex SHA-256 of the file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest(slug: str, markdown: bytes, files: dict[str, bytes]) -> str:
    """:func:`digest_of` for bytes in hand."""
    return digest_of(slug, sha256(markdown), {rel: sha256(data) for rel, data in files.items()})


HEAD = 64  # bytes the content checks look at (a WebM's DocType is some 30 bytes in)


def hash_file(path: Path) -> tuple[str, bytes]:
    """SHA-256 (hex) and first bytes of a file, read in chunks: a long recording never sits in memory."""
    value = hashlib.sha256()
    with path.open("rb") as f:
        head = f.read(1 << 20)
        value.update(head)
        while chunk := f.read(1 << 20):
            value.update(chunk)
    return value.hexdigest(), head[:HEAD]


def read_folder(folder: Path, rel_folder: str, problems: list[Problem], cache=None, media: dict | None = None) -> dict[str, str]:
    """The files of a bundle folder (``rel_folder`` relative to the press root) with their SHA-256,
    each checked against the allowlist; a file that is refused is reported and still counted in the
    digest (it is there). ``cache``: a :class:`press.reading.ParsedRecords`, which knows the hashes
    of files whose status did not change (a long recording is not read again). ``media``: filled with
    the metadata fields (:func:`press.media.fields`) of each allowed file that has any, by path."""
    files: dict[str, str] = {}
    hashed = cache.attachment if cache is not None else hash_file
    total = 0

    def walk(path: Path, rel: str, depth: int) -> None:
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            name = f"{rel}{entry.name}"
            where = f"{rel_folder}/{name}"
            if entry.is_symlink():
                continue  # reported by reading._links
            if not NAME_RE.match(entry.name):
                problems.append(Problem(where, 0, "attachment names are letters, digits, '.', '-' and '_' (no spaces) — rename it"))
                if entry.is_file():
                    files[name] = hashed(entry)[0]  # still part of the bundle: it is there
                continue
            if entry.is_dir():
                if depth >= MAX_DEPTH:
                    problems.append(Problem(where, 0, f"attachments are at most {MAX_DEPTH} folders deep"))
                    continue
                walk(entry, name + "/", depth + 1)
            elif entry.is_file():
                nonlocal total
                size = entry.stat().st_size
                total += size
                if size > limits.MAX_ATTACHMENT_BYTES:
                    problems.append(Problem(where, 0, f"attachment is {limits.size(size)}; an attachment is limited to {limits.size(limits.MAX_ATTACHMENT_BYTES)} — compress it or link it from elsewhere"))
                files[name], head = hashed(entry)
                if kind_of(entry.name) == "captions" and size <= MAX_BYTES["captions"]:
                    head = entry.read_bytes()  # checked whole: text only
                if entry.suffix == ".md" and rel_folder.count("/") == 2:
                    problems.append(Problem(where, 0, f"articles live directly in {rel_folder.rsplit('/', 1)[0]}/, not in sub-folders"))
                elif why := file_problem(entry.name, head, size):
                    problems.append(Problem(where, 0, why))
                elif media is not None and (found := _media_fields(entry, files[name], cache)):
                    media[where] = found

    walk(folder, "", 0)
    if total > limits.MAX_BUNDLE_BYTES and rel_folder != "content/images":
        problems.append(Problem(rel_folder, 0, f"the article's attachments are {limits.size(total)} together; an article's attachments are limited to {limits.size(limits.MAX_BUNDLE_BYTES)} — compress them or leave some out"))
    return files


def _media_fields(path: Path, sha: str, cache) -> tuple:
    """:func:`press.media.fields` of a file, remembered by its SHA-256 across runs."""
    key = ("media", path.suffix.lower(), sha)
    found = cache.get(key) if cache is not None else None
    if type(found) is not tuple:  # none kept, or not what is put below: read again
        found = fields(path.name, path.read_bytes())
        if cache is not None:
            cache.put(key, found)
    return found


# --------------------------------------------------------------------------- links

# Every pattern here runs in time linear in what it reads: each is anchored on a literal (``](``,
# a line start, a tag's whitespace) and its repeats are possessive (``*+``, ``++``), so a failed
# attempt gives nothing back to try again. Tags and fences are found by the loops below, which move
# forward only. docs/building.md ("Scanners") reviews each one.
INLINE_LINK_RE = re.compile(r"""\]\(\s*+<?+([^\s"'<>)]++)""")
REFERENCE_RE = re.compile(r"""^[ ]{0,3}+\[[^\]\n]++\]:[ \t]*+<?+([^\s"'<>]++)""", re.M)
ATTRIBUTE_RE = re.compile(r"""\s(?:src|href|poster|data|cite|formaction|action|content)\s*+=\s*+["']?+(?P<target>[^\s"'<>]++)""", re.I)
INTRASITE_RE = re.compile(r"^(?:\{(?P<what>\w++)\}|\|(?P<what2>\w++)\|)(?P<path>.*+)$", re.S)
_TAG_OPEN = re.compile(r"<[A-Za-z]")  # two characters: no repeat, nothing to backtrack
# Front-matter fields naming a file of the bundle, and the kind of file each must name.
METADATA_FILES = {"audio": "audio", "image": "image", "video": "video", "video_poster": "image", "video_captions": "captions"}


@dataclass(frozen=True)
class Link:
    line: int
    target: str  # as written
    what: str | None  # attach, static, filename, … or None for a plain URL
    path: str  # the path part, unquoted
    key: str | None = None  # the metadata field (audio, image, video, …) naming the file, if any


def tags(text: str):
    """``(offset, tag)`` for each HTML start tag (``<`` and a letter, up to the next ``>``), in one
    forward pass: once no ``>`` is left, no later ``<`` can open a tag, so nothing is read twice."""
    at = 0
    while opening := _TAG_OPEN.search(text, at):
        start = opening.start()
        end = text.find(">", start + 2)
        if end < 0:
            return
        yield start, text[start : end + 1]
        at = end + 1


def fences(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of fenced code blocks (three or more backticks or tildes, closed
    by a line opening with at least as many; an unclosed fence runs to the end), line by line."""
    spans: list[tuple[int, int]] = []
    opened, fence, start, size = -1, "", 0, len(text)
    while True:
        end = text.find("\n", start)
        end = size if end < 0 else end
        line = text[start:end]
        body = line.lstrip(" ")
        if len(line) - len(body) <= 3:
            if opened < 0:
                mark = body[:1]
                if mark in ("`", "~") and body.startswith(mark * 3) and end < size:
                    opened, fence = start, mark * (len(body) - len(body.lstrip(mark)))
            elif body.startswith(fence):
                spans.append((opened, end))
                opened = -1
        if end == size:
            break
        start = end + 1
    if opened >= 0:
        spans.append((opened, size))
    return spans


def links(text: str) -> list[Link]:
    """Every link target in Markdown/HTML text, with its line: Markdown links and reference
    definitions, and URL attributes of HTML tags — not in fenced code, which is shown, not linked.
    Linear in the length of ``text`` (see the patterns above)."""
    if "](" not in text and "]:" not in text and "<" not in text:
        return []
    fenced = fences(text) if ("```" in text or "~~~" in text) else []
    found = [(m.start(), m[1]) for m in INLINE_LINK_RE.finditer(text)] if "](" in text else []
    if "]:" in text:
        found += [(m.start(), m[1]) for m in REFERENCE_RE.finditer(text)]
    for at, tag in tags(text) if "<" in text else ():
        found += [(at + m.start(), m["target"]) for m in ATTRIBUTE_RE.finditer(tag)]
    result = []
    line, counted, fence = 1, 0, 0  # lines and fences are counted forward, once
    for at, target in sorted(found):
        while fence < len(fenced) and fenced[fence][1] <= at:
            fence += 1
        if fence < len(fenced) and fenced[fence][0] <= at:
            continue
        line += text.count("\n", counted, at)
        counted = at
        intrasite = INTRASITE_RE.match(target)
        what = (intrasite["what"] or intrasite["what2"]).lower() if intrasite else None
        raw = intrasite["path"] if intrasite else target
        result.append(Link(line, target, what, unquote(urlsplit(raw).path)))
    return result


def metadata_links(text: str, meta: dict[str, str]) -> list[Link]:
    """``Audio:``, ``Image:``, ``Video:``, ``Video_poster:`` and ``Video_captions:`` values naming
    local files, as links."""
    found = []
    lines = text.splitlines()
    for key in METADATA_FILES:
        value = (meta.get(key) or "").strip()
        if not value or value.startswith("https://"):
            continue
        line = next((n for n, l in enumerate(lines, 1) if l.lower().startswith(key + ":")), 1)
        intrasite = INTRASITE_RE.match(value)
        what = (intrasite["what"] or intrasite["what2"]).lower() if intrasite else None
        raw = intrasite["path"] if intrasite else value
        found.append(Link(line, value, what, unquote(urlsplit(raw).path), key))
    return found


def _external(link: Link) -> bool:
    target = link.target
    parts = urlsplit(target)
    return link.what is None and (bool(parts.scheme) or target.startswith(("#", "//", "?")))


def bundle_path(slug: str, path: str) -> str | None:
    """``<slug>/photo.jpg`` -> ``photo.jpg``; None if the path is not a plain path into the bundle."""
    segments = path.split("/")
    if segments[0] != slug or len(segments) < 2 or any(s in ("", ".", "..") for s in segments):
        return None
    return "/".join(segments[1:])


def article_link_problems(rel: str, assembly: str, slug: str, text: str, meta: dict[str, str],
                          files: dict[str, str]) -> list[Problem]:  # fmt: skip
    """Links of the article ``content/<assembly>/<slug>.md`` that would reach outside its bundle."""
    problems = []
    for link in links(text) + metadata_links(text, meta):
        if _external(link) or link.what in ("tag", "category", "author", "index"):
            continue
        path = link.path
        if link.what == "filename":
            if _article_target(path, assembly):
                continue  # becomes the article's URL if it is published, else stays unresolved
        elif not path:
            continue  # a plain "?query" or "#anchor"
        why = _why_not(path, slug, assembly, files, link)
        label = f"{link.key.capitalize()}: {link.target}" if link.key else f"link {link.target}"
        if why:
            problems.append(Problem(rel, link.line, f"{label} {why}"))
        elif link.key and kind_of(path) != (kind := METADATA_FILES[link.key]):
            problems.append(Problem(rel, link.line, f"{label} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind} file of the bundle"))
    return problems


def _article_target(path: str, assembly: str) -> bool:
    """``{filename}other.md`` or ``{filename}/<assembly>/other.md``: a link to an article's page."""
    parts = path.lstrip("/").split("/") if path.startswith("/") else [assembly, *path.split("/")]
    return len(parts) == 2 and parts[1].endswith(".md") and all(p not in ("", ".", "..") for p in parts)


def _why_not(path: str, slug: str, assembly: str, files: dict[str, str], link: Link) -> str | None:
    last = path.rsplit("/", 1)[-1]
    if link.what is None and link.key is None and (not last or last.endswith(".html") or "." not in last):
        return None  # a page of the site (another article, a chapter): a URL, nothing is copied
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return f"is an absolute path — attachments are linked as {slug}/<file>"
    segments = path.split("/")
    if ".." in segments:
        return f"climbs out with '..' — an article links only the files of its own folder {slug}/"
    if path.lower().endswith((".md", ".markdown", ".mdown")):
        return "names a Markdown file — link another article as {filename}<slug>.md, never its source"
    inner = bundle_path(slug, path)
    if inner is None:
        return f"is not in this article's folder {slug}/ — put the file there and link {slug}/<file>"
    if inner not in files:
        return f"names {slug}/{inner}, which is not in the bundle — add the file or fix the link"
    return None


def page_link_problems(rel: str, text: str) -> list[Problem]:
    """Maintainers' pages may link the shared ``content/images/`` files and articles, nothing else
    of content/."""
    problems = []
    for link in links(text):
        if link.what not in ("static", "attach"):
            if link.what == "filename" and not _article_target(link.path, "") and not link.path.startswith("/"):
                problems.append(Problem(rel, link.line, f"link {link.target}: a page links an article as {{filename}}/<assembly>/<slug>.md"))
            continue
        path = link.path.lstrip("/") if link.path.startswith("/") else "/".join(["pages", *link.path.split("/")])
        segments = path.split("/")
        if ".." in segments or segments[0] != "images" or len(segments) < 2 or "" in segments:
            problems.append(Problem(rel, link.line, f"link {link.target}: pages link only shared files in content/images/, as {{static}}/images/<file>"))
    return problems

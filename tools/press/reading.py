"""Reading a whole press: every body's records (the assemblies', the council's), the articles and
the pages, into one :class:`Records`. Never raises for bad input: problems are collected.

It sits above :mod:`press.records` (one assembly, one meeting, one article) and
:mod:`press.council.records` (the council, which builds on the assemblies' readers), so neither of
those imports the other's reader back.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import bundle, clock, limits
from . import cache as _cache
from .store import Store, decode, encode, salt
from .ballot_records import BallotRecord, read_ballots
from .council.records import COUNCIL, Council, council_path, read_council
from .problems import Problem
from .records import (
    NOT_ASSEMBLIES,
    RECORD_LIMIT,
    RESERVED_PAGES,
    ROSTER_SIGNATURE_RE,
    SLUG_RE,
    Article,
    Assembly,
    Meeting,
    Section,
    _cached,
    parse_metadata,
    read_article,
    read_assembly,
    read_meetings,
    read_press_config,
)


@dataclass
class Records:
    root: Path
    assemblies: dict[str, Assembly]
    meetings: list[Meeting]
    articles: dict[str, Article]
    problems: list[Problem]
    maintainers: tuple[str, ...] = ()  # GitHub users and org/teams of editorial/press.yml
    council: Council | None = None  # editorial/council.yml, if the press has a council (press.council)
    media: dict[str, tuple] = field(default_factory=dict)  # attachment path -> its metadata fields (press.media.Field)
    sections: tuple[Section, ...] = ()  # the site's sections across assemblies, from editorial/press.yml
    ballots: list[BallotRecord] = field(default_factory=list)  # editorial/ballots/ (press.ballot_records)
    ballots_origin: str | None = None  # the site's own origin (press.yml ballots: origin:); None: no ballots



def read_records(root: Path, rosters: Path | None = None, cache=None) -> Records:
    """Read every record and article under ``root``. Never raises for bad input: problems are collected.

    ``rosters`` reads the assembly records from another folder (a pull request is checked
    against the rosters and rules of its base branch); problems still name editorial/assemblies/.
    ``cache`` (a :class:`ParsedRecords`) skips parsing records whose bytes are unchanged.
    """
    root = Path(root)
    problems: list[Problem] = []
    assemblies: dict[str, Assembly] = {}
    known_ids: set[str] = set()

    assemblies_dir = rosters or root / "editorial" / "assemblies"
    for path in sorted(assemblies_dir.glob("*")):
        rel = f"editorial/assemblies/{path.name}"
        if path.is_symlink():
            continue  # reported by _links()
        if path.is_file() and ROSTER_SIGNATURE_RE.match(path.name):
            continue  # a signature of a roster change: press check counts it (check.py: _roster_guard)
        if not path.is_file() or path.suffix != ".yml":
            problems.append(Problem(rel, 0, "editorial/assemblies/ holds only <assembly>.yml files (and <assembly>.yml.<member>.sig, signatures of a change)"))
            continue
        known_ids.add(path.stem)
        assembly = _cached(cache, problems, ("assembly", rel), path, lambda found, raw=None: read_assembly(path, rel, found, raw), RECORD_LIMIT)
        if assembly:
            assemblies[assembly.id] = assembly

    council, meetings = read_council(root, rosters, problems, cache)  # type: ignore[assignment]
    if council is not None or council_path(root, rosters).is_file():
        known_ids.add(COUNCIL)  # its statements live in content/council/ (even while council.yml has problems)
    meetings_dir = root / "editorial" / "meetings"
    for folder in sorted(meetings_dir.glob("*")):
        rel_folder = folder.relative_to(root).as_posix()
        if folder.is_symlink() or folder.name == COUNCIL:
            continue  # reported by _links(); read by read_council()
        if not folder.is_dir():
            problems.append(Problem(rel_folder, 0, "editorial/meetings/ holds one folder per assembly"))
            continue
        if folder.name not in known_ids:
            problems.append(
                Problem(rel_folder, 0, f"no assembly '{folder.name}' — add editorial/assemblies/{folder.name}.yml")
            )
            continue
        ballot = assemblies[folder.name].rules.ballot if folder.name in assemblies else "roll-call"
        meetings += read_meetings(root, folder, folder.name, ballot, problems, cache)

    articles: dict[str, Article] = {}
    media: dict[str, tuple] = {}
    content_dir = root / "content"
    for folder in sorted(content_dir.glob("*")):
        if folder.name in NOT_ASSEMBLIES or folder.name.startswith("."):
            continue
        rel_folder = folder.relative_to(root).as_posix()
        if folder.is_symlink():
            continue  # reported by _links()
        if not folder.is_dir():
            if folder.suffix == ".md":
                problems.append(Problem(rel_folder, 0, "articles go in content/<assembly>/, not directly in content/"))
            continue
        if folder.name not in known_ids:
            problems.append(
                Problem(rel_folder, 0, f"no assembly '{folder.name}' — articles go in a folder named after an assembly")
            )
            continue
        with os.scandir(folder) as entries:
            listing = sorted(entries, key=lambda e: e.name)
        names = {entry.name for entry in listing}
        folders = {entry.name for entry in listing if entry.is_dir(follow_symlinks=False)}  # from the listing: no stat
        for entry in listing:
            if entry.is_symlink():
                continue  # reported by _links()
            rel = f"{rel_folder}/{entry.name}"
            if entry.is_dir():
                if f"{entry.name}.md" not in names:
                    nested = sorted(Path(entry.path).rglob("*.md"))
                    for path in nested:
                        problems.append(Problem(path.relative_to(root).as_posix(), 0, f"articles live directly in {rel_folder}/, not in sub-folders"))
                    if not nested:
                        problems.append(Problem(rel, 0, f"{entry.name}/ belongs to no article — an article's files go in the folder named after it ({entry.name}.md needs {entry.name}/)"))
                continue
            if not entry.name.endswith(".md") or not entry.is_file():
                problems.append(Problem(rel, 0, f"{entry.name} is not an article — an article is <slug>.md and its files go in the folder <slug>/ beside it"))
                continue
            files = {}
            if entry.name[:-3] in folders:
                files = bundle.read_folder(Path(entry.path[:-3]), rel[:-3], problems, cache, media)
            article = _cached(  # the path as a string: a Path object is made only when the file is parsed
                cache, problems, ("article", rel, tuple(files.items())), entry.path,
                lambda found, raw=None, path=entry.path, rel=rel, files=files: read_article(Path(path), rel, folder.name, found, files, raw),
                (limits.MAX_MARKDOWN_BYTES, limits.markdown_too_large),
            )  # fmt: skip
            if article:
                articles[article.id] = article

    if (content_dir / "images").is_dir() and not (content_dir / "images").is_symlink():
        bundle.read_folder(content_dir / "images", "content/images", problems, cache, media)
    taken = {aid: f"the assembly {aid}" for aid in known_ids if aid != COUNCIL}
    if COUNCIL in known_ids:
        taken[COUNCIL] = "the council"
    maintainers, sections, origin = read_press_config(root, problems, taken)
    ballots = read_ballots(root, known_ids, problems, cache)
    problems += _links(root)
    problems += _page_urls(root)
    return Records(
        root=root, assemblies=assemblies, meetings=meetings, articles=articles, problems=problems, maintainers=maintainers,
        council=council, media=media, sections=sections, ballots=ballots, ballots_origin=origin,
    )  # fmt: skip


def _links(root: Path) -> list[Problem]:
    """Symbolic links anywhere in content/ or editorial/: they could pull in files from outside."""
    problems = []

    def scan(folder: str, top: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_symlink():  # from the directory listing: no extra system call
                    rel = Path(entry.path).relative_to(root).as_posix()
                    problems.append(Problem(rel, 0, f"symbolic links are not allowed in {top}/ — commit the file itself"))
                elif entry.is_dir():
                    scan(entry.path, top)

    for top in ("content", "editorial"):
        if (root / top).is_dir():
            scan(str(root / top), top)
    return problems


def _page_urls(root: Path) -> list[Problem]:
    """Static pages are written at <slug>.html: two pages, or a page and the site, may not claim one URL."""
    problems = []
    claimed: dict[str, str] = {}
    pages = root / "content" / "pages"
    for path in sorted(pages.rglob("*")) if pages.is_dir() else []:
        if path.is_symlink() or path.is_dir():
            continue
        if path.suffix != ".md":
            problems.append(Problem(path.relative_to(root).as_posix(), 0, "content/pages/ holds only pages (.md files) — shared images go in content/images/"))
            continue
        rel = path.relative_to(root).as_posix()
        if (size := path.stat().st_size) > limits.MAX_MARKDOWN_BYTES:
            problems.append(Problem(rel, 0, limits.markdown_too_large(size)))
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(rel, 0, "not valid UTF-8 — save the file as UTF-8"))
            continue
        meta = parse_metadata(text)
        problems += bundle.page_link_problems(rel, text)
        slug = meta.get("slug", path.stem).strip()
        url = f"{slug}.html"
        if not SLUG_RE.match(slug):
            problems.append(Problem(rel, 1, f"page slug '{slug}' must be lowercase letters, digits and '-'"))
        elif slug in RESERVED_PAGES:
            problems.append(Problem(rel, 1, f"page URL {url} is the site's own — choose another Slug"))
        elif url in claimed:
            problems.append(Problem(rel, 1, f"page URL {url} is also claimed by {claimed[url]} — give one of them another Slug"))
        else:
            claimed[url] = rel
    return problems


# --------------------------------------------------------------------------- parsed records, kept

# The store's manifest of parsed records (press.store): the folder of the files -> the digest of that
# part's records (see ParsedRecords.save).
RECORDS = "records"


def kept_part(rel: str) -> str:
    """The part of what the store keeps that a file's belong to (parsed records, rendered Markdown), by its path in the press: its folder
    (``editorial/meetings/<assembly>``, ``editorial/assemblies``, ...), an article's and its bundle's
    files their assembly's (``content/<assembly>``: one part, not one per bundle folder)."""
    folder = rel.rpartition("/")[0]
    if folder.startswith("content/"):
        return "/".join(folder.split("/", 2)[:2])
    return folder


def _statuses(kept, kind: type) -> bool:
    """``kept`` is path -> (file status, a ``kind``), as :class:`ParsedRecords` writes it."""
    return isinstance(kept, dict) and all(
        isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], tuple) and isinstance(v[1], kind) for v in kept.values()
    )


class ParsedRecords:
    """Parsed editorial records keyed by file path and content digest: a record whose bytes did not
    change is not parsed again. Never trusted across versions of the record format.

    The digest of each file is remembered with the file's status (:func:`press.cache.file_status`), so an
    unchanged file is not even read; a file whose status changed at all is read and hashed again."""

    def __init__(self, root: Path, statuses: dict[str, tuple] | None = None):
        """``statuses``: the files' statuses from a scan made just before (see :mod:`press.inputs`),
        so that no file is asked twice."""
        self.store, self.salt = Store(root), salt()
        # how the files' paths start (press.inputs.scan, the readers): the root as given, or absolute
        # (a build resolves it, `press verify` takes it as given: '.' gives 'content/...')
        self.prefixes = tuple(dict.fromkeys((str(root).rstrip("/") + "/", os.path.abspath(root).rstrip("/") + "/")))
        self.statuses = statuses or {}
        self.entries: dict = {}
        self.hashes: dict[str, tuple[tuple, bytes]] = {}  # absolute path -> (file_status, sha256 digest)
        self.used: set = set()
        self.seen: dict[str, tuple[tuple, bytes]] = {}
        self.files: dict[str, tuple[tuple, tuple[str, bytes]]] = {}  # attachment -> (file_status, (sha256 hex, head))
        self.files_seen: dict[str, tuple[tuple, tuple[str, bytes]]] = {}
        self.added = False
        self.started = clock.wall_ns()
        # key -> the entry as it was read, still encoded: an entry this run did not parse again is
        # written back as it was read (encoding every parsed record again cost a second at 5,000 articles)
        self.encoded: dict = {}
        # part (press folder) -> the digest it was kept under, and the keys, records' and attachments'
        # statuses it held: a part nothing changed in is named again as it was, not written again
        self.parts: dict[str, tuple[str, set, dict, dict]] = {}
        self.touched: set[str] = set()  # the parts of the entries parsed (put) in this run
        for part, digest in self.store.manifest(RECORDS, self.salt).items():  # parsed by this very code
            try:
                data = self.store.get(digest)
                if data is None:
                    raise TypeError("a part is missing or damaged")
                entries, encoded, hashes, files = _decode_kept(json.loads(data))
                if not (_statuses(hashes, bytes) and _statuses(files, tuple)):
                    raise TypeError("kept in another shape")
                if any(_key_part(key) != part for key in entries) or any(self._part_of(n) != part for n in (*hashes, *files)):
                    raise TypeError("a part holds another part's records")
            except Exception:  # missing, damaged or foreign: this part's files are read and parsed again
                continue
            self.entries.update(entries)
            self.encoded.update(encoded)
            self.hashes.update(hashes)
            self.files.update(files)
            self.parts[part] = (digest, set(entries), hashes, files)

    def content_hash(self, path: Path | str) -> tuple[bytes, tuple, bytes | None]:
        """The SHA-256 of the file's bytes, its status, and the bytes if they had to be read: the
        digest comes from the last run when the status is the same."""
        name = str(path)
        status = self.statuses.get(name) or _cache.file_status(os.stat(name))
        known = self.hashes.get(name)
        data = None
        if known is not None and known[0] == status:
            digest = known[1]
        else:
            with open(name, "rb") as f:
                data = f.read()
            digest = hashlib.sha256(data).digest()
        if status[3] < self.started - _cache.RACY_NS:  # settled: safe to trust next time
            self.seen[name] = (status, digest)
        return digest, status, data

    def attachment(self, path: Path | str) -> tuple[str, bytes]:
        """:func:`press.bundle.hash_file` of an attachment, from the last run when its status is the same."""
        from .bundle import hash_file

        name = str(path)
        status = self.statuses.get(name) or _cache.file_status(os.stat(name))
        known = self.files.get(name)
        value = known[1] if known is not None and known[0] == status else hash_file(Path(name))
        if status[3] < self.started - _cache.RACY_NS and _cache.file_status(os.stat(name)) == status:  # settled, and not changed while read
            self.files_seen[name] = (status, value)
        return value

    def unchanged(self, path: Path, status: tuple) -> bool:
        """Whether the file still has ``status`` (it did not change while it was being parsed)."""
        try:
            return _cache.file_status(os.stat(path)) == status
        except OSError:
            return False

    def get(self, key):
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key, value) -> None:
        self.used.add(key)
        self.entries[key] = value
        self.encoded.pop(key, None)
        self.touched.add(_key_part(key))
        self.added = True

    def _part_of(self, name: str) -> str:
        """:func:`kept_part` of a file named by its path as read (under the root, however the root was
        spelt: a build and `press verify --root .` name the same part)."""
        for prefix in self.prefixes:
            if name.startswith(prefix):
                return kept_part(name[len(prefix):])
        return kept_part(name)  # the root is the working folder: 'content/<assembly>/...'

    def save(self) -> None:
        """Keep only what this run used, one part per folder of the press, written atomically; when
        every record was found and used, the store already holds exactly that and is left alone, and
        a part in which nothing was parsed, dropped or seen to change is named again as it was (after
        one vote, one folder's records are written, not the press's)."""
        if not self.added and self.used == self.entries.keys() and self.seen == self.hashes and self.files_seen == self.files:
            return
        parts: dict[str, tuple[list, dict, dict]] = {}
        for key in self.entries:
            if key in self.used:
                parts.setdefault(_key_part(key), ([], {}, {}))[0].append(key)
        for name, status in self.seen.items():
            parts.setdefault(self._part_of(name), ([], {}, {}))[1][name] = status
        for name, status in self.files_seen.items():
            parts.setdefault(self._part_of(name), ([], {}, {}))[2][name] = status
        kept: dict[str, str] = {}
        for part, (keys, seen, files) in parts.items():
            before = self.parts.get(part)
            if before is not None and part not in self.touched and before[1] == set(keys) and before[2] == seen and before[3] == files:
                kept[part] = before[0]  # nothing in it changed
                continue
            entries = [[encode(k), self.encoded[k] if k in self.encoded else encode(self.entries[k])] for k in keys]
            digest = self.store.put(json.dumps({"entries": entries, "seen": encode(seen), "files": encode(files)}, allow_nan=False).encode())
            if digest is None:
                return  # the store cannot be written (said once): the last run's parts stay as they were
            kept[part] = digest
        if self.store.save_manifest(RECORDS, self.salt, kept):
            for part, (digest, *_) in self.parts.items():
                if kept.get(part) != digest:
                    self.store.drop(digest)  # a part it replaced (a full sweep comes at the end of a build)


def _key_part(key) -> str:
    """The part (:func:`kept_part`) of an entry: its key names the file, relative, second. An entry keyed
    by content alone (an attachment's media fields, by the attachment's digest) is in the part ''."""
    return kept_part(key[1]) if isinstance(key, tuple) and len(key) > 1 and isinstance(key[1], str) else ""


def _decode_kept(kept) -> tuple[dict, dict, dict, dict]:
    """What :meth:`ParsedRecords.save` kept: the entries, each entry's encoding as it was read, the
    records' and the attachments' digests by status. Raises for anything of another shape."""
    entries, encoded = {}, {}
    for pair in kept["entries"]:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise TypeError("kept in another shape")
        key = decode(pair[0])
        entries[key] = decode(pair[1])
        encoded[key] = pair[1]
    return entries, encoded, decode(kept["seen"]), decode(kept["files"])

"""Online ballots' records, read into a typed model (docs/online-ballots.md, "The records").

Form only, as in :mod:`press.records`: keys, types, ids, instants, each problem with its file and
line. Everything about one ballot lives under ``editorial/ballots/<body>/``::

    <id>.yml                      the ballot record: question, window, how it was opened
    <id>.yml.<signer>.sig         an opening signature (when no meeting's motion opened it)
    <id>/<assembly>.<member>.<sequence>.ballot    one member's ballot: the envelope, then an SSHSIG
    <id>.close.yml                the close: the digests of the ballots received
    <id>.close.yml.<signer>.sig   its signatures

Who may vote, which key verifies a ballot and what was decided need rosters and the clock: that is
:mod:`press.ballots`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import limits, strictyaml
from .files import leftover
from .problems import Problem
from .records import (
    ARTICLE_MOTIONS,
    CORRECTS_RE,
    DIGEST_RE,
    ID_RE,
    RECORD_LIMIT,
    SLUG_RE,
    _cached,
    _Checker,
    date_in_range,
    digest_bytes,
    leftover_problem,
    read_signature,
)
from .strictyaml import Map, Seq

BALLOTS_DIR = "editorial/ballots"
BALLOT_MOTIONS = (*ARTICLE_MOTIONS, "elect-delegate", "recall-delegate")
METHODS = ("ranked", "approval")
MOTION_CHOICES = ("yes", "no", "abstain")
ABSTAIN = "abstain"
INSTANT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]([01]\d|2[0-3]):([0-5]\d)$")
OPENING_SIG_RE = re.compile(r"^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.yml\.([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.sig$")
CLOSE_SIG_RE = re.compile(r"^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.close\.yml\.([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.sig$")
CAST_NAME_RE = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.([1-9]\d{0,8})\.ballot$")
SEQUENCE_RE = re.compile(r"^[1-9]\d{0,8}$")
ARMOR_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
# One member's ballot: nine short lines and an SSH signature (a passkey's carries its clientDataJSON).
MAX_CAST_BYTES = limits.MAX_SIGNATURE_BYTES + 4096
MAX_CHOICE_CHARS = 2000
MAX_OPTIONS = 100  # a question members answer on a phone; more would be read, shown and counted at length
ENVELOPE_NAMES = ("namespace", "body", "sitting", "record", "voter", "choice", "sequence", "digest")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class BallotOption:
    id: str
    name: str
    line: int = field(default=0, metadata={"key": "a line number in the record: only problem messages show it"})


@dataclass
class CastRecord:
    """One ``*.ballot`` file: the envelope its member signed, and the signature (b"" when none follows)."""

    path: str
    raw: bytes
    body: str
    ballot: str  # the ballot id the envelope names (its sitting: ``ballot <id>``)
    record: str  # the ballot record's path the envelope names
    record_digest: str
    voter: str  # "harbor/ayse"
    choice: str
    sequence: int
    signature: bytes

    @property
    def digest(self) -> str:
        """The SHA-256 of the file's bytes: the member's receipt, and what a close lists."""
        return digest_bytes(self.raw)

    @property
    def message(self) -> bytes:
        """The envelope the signature signs (the file's bytes before the signature)."""
        return cast_message(self.body, self.ballot, self.record, self.record_digest, self.voter, self.choice, self.sequence)


@dataclass
class CloseRecord:
    path: str
    raw: bytes
    closed: dt.datetime  # naive: in the body's timezone
    received: tuple[str, ...]
    line: int = field(default=1, metadata={"key": "a line number in the record: only problem messages show it"})
    signatures: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class BallotRecord:
    """A ballot record as written. ``opens``/``closes`` are naive: they are in the body's timezone."""

    body: str
    id: str
    path: str
    raw: bytes
    question: str
    opens: dt.datetime
    closes: dt.datetime
    motion: str | None = None  # publish | reject | retract | elect-delegate | recall-delegate
    article: str | None = None
    revision: str | None = None  # publish: the digest of the article voted on (``digest:``)
    member: str | None = None  # elect-delegate, recall-delegate: the member
    reason: str | None = None  # retract: for the retraction notice
    method: str | None = None  # ranked | approval (a platform question)
    options: tuple[BallotOption, ...] = ()
    opened_by: tuple[dt.date, int] | None = None  # the meeting motion (date, index) that opened it
    line: int = field(default=1, metadata={"key": "a line number in the record: only problem messages show it"})  # of the question
    motion_line: int = field(default=1, metadata={"key": "a line number in the record: only problem messages show it"})
    opened_by_line: int = field(default=1, metadata={"key": "a line number in the record: only problem messages show it"})
    signatures: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # opening signatures: signer -> (path, armored)
    casts: list[CastRecord] = field(default_factory=list)
    close: CloseRecord | None = None

    @property
    def digest(self) -> str:
        return digest_bytes(self.raw)

    @property
    def sitting(self) -> str:
        return f"ballot {self.id}"

    @property
    def kind(self) -> str:
        return "motion" if self.motion else (self.method or "motion")

    @property
    def target(self) -> str:
        return self.article or self.member or ""

    @property
    def choices(self) -> tuple[str, ...]:
        return MOTION_CHOICES if self.motion else tuple(o.id for o in self.options)

    def opening_message(self) -> bytes:
        """What an editor's opening signature signs: the record's envelope (sitting ``ballot <id>``)."""
        from .signatures import envelope

        return envelope(self.body, self.sitting, self.path, self.raw)

    def close_message(self) -> bytes | None:
        """What a signature of the close signs."""
        from .signatures import envelope

        return envelope(self.body, self.sitting, self.close.path, self.close.raw) if self.close else None


def cast_message(body: str, ballot_id: str, record_path: str, record_digest: str, voter: str, choice: str, sequence: int) -> bytes:
    """The envelope a member signs to cast a ballot: the one builder of it (the ballot page builds the
    same bytes, and a test compares). Each line ``name: value`` and a newline, in this order."""
    from .signatures import envelope

    fields = (("voter", voter), ("choice", choice), ("sequence", str(sequence)))
    return envelope(body, f"ballot {ballot_id}", record_path, None, fields=fields, digest=record_digest)


def record_path(body: str, ballot_id: str) -> str:
    return f"{BALLOTS_DIR}/{body}/{ballot_id}.yml"


def cast_name(voter: str, sequence: int) -> str:
    """``harbor.ayse.3.ballot``: where a cast of ``voter`` with ``sequence`` is filed in its ballot's folder."""
    return f"{voter.replace('/', '.')}.{sequence}.ballot"


def valid_choice(choice: str, kind: str, options: tuple[str, ...]) -> str | None:
    """Why ``choice`` is not a valid answer to a question of ``kind`` with these option ids, or None."""
    if kind == "motion":
        return None if choice in MOTION_CHOICES else f"choice '{choice[:60]}' is not yes, no or abstain"
    if choice == ABSTAIN:
        return None
    sep = ", " if kind == "approval" else " > "
    picked = choice.split(sep)
    unknown = [p for p in picked if p not in options]
    if unknown:
        return f"choice '{choice[:80]}' names {', '.join(repr(u[:40]) for u in unknown)}, not an option of this question ({', '.join(options)}) — options are separated by '{sep}'"
    if len(set(picked)) != len(picked):
        return f"choice '{choice[:80]}' names an option twice — each option once"
    if kind == "approval" and picked != [o for o in options if o in picked]:
        return f"choice '{choice[:80]}' must list the approved options in the order the ballot record lists them"
    return None


# --------------------------------------------------------------------------- reading


def _instant(data: Map, key: str, check: _Checker) -> dt.datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None and not value.second and not value.microsecond:
        day, value = value.date(), value
    elif isinstance(value, str) and (m := INSTANT_RE.match(value.strip())):
        try:
            value = dt.datetime.fromisoformat(f"{m[1]}T{m[2]}:{m[3]}")
        except ValueError:
            value = None
        day = value.date() if value else None
    else:
        value = day = None
    if value is None:
        check.error(data.line_of(key), f"'{key}' must be a date and time in the body's timezone, written YYYY-MM-DD HH:MM, not {data.get(key)!r}")
        return None
    if not date_in_range(day):
        check.error(data.line_of(key), f"'{key}' {day} is out of range")
        return None
    return value


def _mapping(path: Path, rel: str, problems: list[Problem], raw: bytes, shape: str) -> Map | None:
    """A ballot record's or a close's YAML, which must be a mapping (``shape``: what it holds, said
    when it is not), or None with the problem recorded."""
    data, problem = strictyaml.load(path, rel, raw)
    if problem:
        problems.append(problem)
        return None
    if not isinstance(data, Map):
        problems.append(Problem(rel, 1, f"{shape} (docs/online-ballots.md)"))
        return None
    return data


def read_ballot(path: Path, rel: str, body: str, problems: list[Problem], raw: bytes | None = None) -> BallotRecord | None:
    """One ballot record (``editorial/ballots/<body>/<id>.yml``)."""
    check = _Checker(rel, problems)
    ballot_id = path.name.removesuffix(".yml")
    if not SLUG_RE.match(ballot_id) or len(ballot_id) > 80:
        check.error(0, f"ballot id '{ballot_id[:80]}' (the file name) must be lowercase letters, digits and '-', at most 80 characters")
        return None
    raw = path.read_bytes() if raw is None else raw
    data = _mapping(path, rel, problems, raw, "a ballot record must be a mapping with question, opens, closes and a motion or options")
    if data is None:
        return None
    check.keys(
        data, ("question", "motion", "article", "digest", "member", "reason", "method", "options", "opens", "closes", "opened-by"),
        required=("question", "opens", "closes"),
    )  # fmt: skip
    question = check.text(data, "question", required=True)
    if question is not None and not question.strip():
        check.error(data.line_of("question"), "'question' must not be empty")
    opens, closes = _instant(data, "opens", check), _instant(data, "closes", check)
    if opens and closes and closes <= opens:
        check.error(data.line_of("closes"), f"closes {closes:%Y-%m-%d %H:%M} must be after opens {opens:%Y-%m-%d %H:%M}")
    record = BallotRecord(
        body=body, id=ballot_id, path=rel, raw=raw, question=(question or "").strip(), opens=opens, closes=closes,  # type: ignore[arg-type]
        line=data.line_of("question"), motion_line=data.line_of("motion") if "motion" in data else data.line_of("method"),
    )  # fmt: skip
    if ("motion" in data) == ("method" in data):
        check.error(data.line, "a ballot has either 'motion:' (publish, reject, retract, elect-delegate, recall-delegate) or 'method:' with 'options:' (ranked, approval)")
    elif "motion" in data:
        _read_motion(data, record, body, check)
    else:
        _read_question(data, record, check)
    if "opened-by" in data:
        value = data.get("opened-by")
        match = CORRECTS_RE.match(value) if isinstance(value, str) else None
        try:
            record.opened_by = (dt.date.fromisoformat(match[1]), int(match[2]) - 1) if match and int(match[2]) >= 1 else None
        except ValueError:
            record.opened_by = None
        record.opened_by_line = data.line_of("opened-by")
        if record.opened_by is None:
            check.error(record.opened_by_line, f"opened-by must name the meeting motion that opened the ballot as <YYYY-MM-DD>#<number>, e.g. 2026-11-05#3, not {value!r}")
    return record if check.ok else None


def _read_motion(data: Map, record: BallotRecord, body: str, check: _Checker) -> None:
    kind = data.get("motion")
    line = data.line_of("motion")
    if kind not in BALLOT_MOTIONS:
        check.error(line, f"motion {kind!r} must be one of {', '.join(BALLOT_MOTIONS)}")
        return
    record.motion = kind
    wanted = {"publish": ("article", "digest"), "reject": ("article",), "retract": ("article", "reason")}.get(kind, ("member",))
    for key in ("article", "digest", "member", "reason", "options"):
        if key in data and key not in wanted:
            check.error(data.line_of(key), f"'{key}' is not part of a {kind} ballot — it needs {', '.join(wanted)}")
    for key in wanted:
        if key not in data:
            check.error(data.line, f"a {kind} ballot needs '{key}:'")
    if "article" in wanted and "article" in data:
        target = data.get("article")
        owner, _, slug = target.partition("/") if isinstance(target, str) else ("", "", "")
        if owner != body or not SLUG_RE.match(slug):
            check.error(data.line_of("article"), f"article must be an article of {body}, written {body}/<slug>, not {target!r} — a body decides only on its own articles")
        else:
            record.article = target
    if "digest" in wanted and "digest" in data:
        digest = data.get("digest")
        if not isinstance(digest, str) or not DIGEST_RE.match(digest):
            check.error(data.line_of("digest"), f"digest {digest!r} is malformed — expected sha256: followed by 64 hex digits (press digest {record.article or 'ARTICLE'})")
        else:
            record.revision = digest
    if "member" in wanted and "member" in data:
        record.member = check.member_id(data.get("member"), data.line_of("member"), "member")
    if "reason" in wanted and "reason" in data:
        reason = check.text(data, "reason")
        if not reason or not reason.strip():
            check.error(data.line_of("reason"), "a retract ballot needs a 'reason:' for the retraction notice")
        else:
            record.reason = reason.strip()


def _read_question(data: Map, record: BallotRecord, check: _Checker) -> None:
    method = data.get("method")
    if method not in METHODS:
        check.error(data.line_of("method"), f"method {method!r} must be ranked (instant runoff) or approval")
        return
    record.method = method
    for key in ("article", "digest", "member", "reason"):
        if key in data:
            check.error(data.line_of(key), f"'{key}' belongs to a motion; a {method} question has options")
    raw = data.get("options")
    if not isinstance(raw, Seq) or len(raw) < 2:
        check.error(data.line_of("options") if "options" in data else data.line, "a question needs 'options:', at least two, each {id: …, name: …}")
        return
    if len(raw) > MAX_OPTIONS:
        check.error(data.line_of("options"), f"a question has at most {MAX_OPTIONS} options, this one {len(raw)} — members answer it on a phone")
        return
    options: list[BallotOption] = []
    for i, entry in enumerate(raw):
        at = raw.line_of(i)
        if not isinstance(entry, Map):
            check.error(at, "each option must be a mapping like {id: housing, name: Homes before profit}")
            continue
        check.keys(entry, ("id", "name"), required=("id", "name"), what=" in an option")
        oid = check.member_id(entry.get("id"), at, "option id") if "id" in entry else None
        name = check.text(entry, "name", required=True, one_line=True)
        if oid == ABSTAIN:
            check.error(at, "'abstain' is how a member abstains — give the option another id")
        elif oid and any(o.id == oid for o in options):
            check.error(at, f"option '{oid}' is listed twice")
        elif oid and name:
            options.append(BallotOption(oid, name, at))
    record.options = tuple(options)


def read_close(path: Path, rel: str, problems: list[Problem], raw: bytes | None = None) -> CloseRecord | None:
    """A ballot's close (``<id>.close.yml``): when it closed and the digests of the ballots received."""
    check = _Checker(rel, problems)
    raw = path.read_bytes() if raw is None else raw
    data = _mapping(path, rel, problems, raw, "a close must be a mapping with closed and received")
    if data is None:
        return None
    check.keys(data, ("closed", "received"), required=("closed", "received"))
    closed = _instant(data, "closed", check)
    received: list[str] = []
    raw_received = data.get("received")
    if "received" in data and raw_received is not None and not isinstance(raw_received, Seq):
        check.error(data.line_of("received"), "'received' must list the digests of the ballots received (sha256:…), or be []")
    for i, value in enumerate(raw_received or ()):
        if not isinstance(value, str) or not DIGEST_RE.match(value):
            check.error(raw_received.line_of(i), f"{value!r} is not a ballot's digest (sha256: followed by 64 hex digits)")
        elif value in received:
            check.error(raw_received.line_of(i), f"{value} is listed twice")
        else:
            received.append(value)
    if not check.ok or closed is None:
        return None
    return CloseRecord(path=rel, raw=raw, closed=closed, received=tuple(received), line=data.line)


def parse_cast(raw: bytes, rel: str, problems: list[Problem], name: str | None = None) -> CastRecord | None:
    """One member's ballot: exactly the envelope's lines in order, then the armored SSHSIG (or nothing:
    an unsigned ballot, refused when counted). ``name``: the file name, which must be
    ``<assembly>.<member>.<sequence>.ballot`` of its voter and sequence."""
    check = _Checker(rel, problems)
    if len(raw) > MAX_CAST_BYTES:
        check.error(0, f"a ballot is {limits.size(len(raw))}; ballots are limited to {limits.size(MAX_CAST_BYTES)}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        check.error(raw[: exc.start].count(b"\n") + 1, "not valid UTF-8 — a ballot is the envelope's text and an SSH signature")
        return None
    lines = text.split("\n")
    from .signatures import ENVELOPE, NAMESPACE

    if lines[0] != ENVELOPE:
        check.error(1, f"a ballot begins with the line '{ENVELOPE}' (docs/online-ballots.md, \"A member's ballot\")")
        return None
    values: dict[str, str] = {}
    for number, key in enumerate(ENVELOPE_NAMES, 2):
        line = lines[number - 1] if number - 1 < len(lines) else ""
        if not line.startswith(f"{key}: "):
            check.error(number, f"line {number} must be '{key}: …' — a ballot is the envelope's lines in this order ({', '.join(ENVELOPE_NAMES)}), nothing else")
            return None
        values[key] = line[len(key) + 2 :]
    body, sitting, record, voter, choice, sequence, digest = (values[k] for k in ("body", "sitting", "record", "voter", "choice", "sequence", "digest"))
    at = {key: n for n, key in enumerate(ENVELOPE_NAMES, 2)}
    if values["namespace"] != NAMESPACE:
        check.error(at["namespace"], f"namespace must be {NAMESPACE}")
    if not ID_RE.match(body):
        check.error(at["body"], f"body {body[:60]!r} is not an assembly id or council")
    ballot_id = sitting.removeprefix("ballot ")
    if not sitting.startswith("ballot ") or not SLUG_RE.match(ballot_id):
        check.error(at["sitting"], f"sitting must be 'ballot <id>', not {sitting[:60]!r}")
    elif record != record_path(body, ballot_id):
        check.error(at["record"], f"record must be {record_path(body, ballot_id)}, the ballot's record, not {record[:100]!r}")
    owner, _, member = voter.partition("/")
    if not (ID_RE.match(owner) and ID_RE.match(member)):
        check.error(at["voter"], f"voter must be <assembly>/<member>, not {voter[:60]!r}")
    if not choice or choice != choice.strip() or len(choice) > MAX_CHOICE_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in choice):
        check.error(at["choice"], "choice must be the answer on one line: yes, no or abstain, or the options' ids")
    if not SEQUENCE_RE.match(sequence):
        check.error(at["sequence"], f"sequence must be a positive whole number without leading zeros, not {sequence[:20]!r}")
    if not DIGEST_RE.match(digest):
        check.error(at["digest"], "digest must be sha256: and the 64 hex digits of the ballot record's SHA-256")
    if not check.ok:
        return None
    cast = CastRecord(
        path=rel, raw=raw, body=body, ballot=ballot_id, record=record, record_digest=digest, voter=voter, choice=choice,
        sequence=int(sequence), signature=b"",
    )  # fmt: skip
    head = cast.message
    rest = raw[len(head) :]
    if not raw.startswith(head):  # a stray character the lines above did not show (a \r, a space)
        check.error(len(ENVELOPE_NAMES) + 1, "the envelope must end with the digest line and a newline, exactly as signed")
        return None
    if rest and not rest.startswith(ARMOR_BEGIN):
        check.error(len(ENVELOPE_NAMES) + 2, "after the envelope comes the SSH signature (-----BEGIN SSH SIGNATURE-----) and nothing else")
        return None
    cast.signature = rest
    if name is not None and name != cast_name(voter, cast.sequence):
        check.error(0, f"a ballot of {voter} with sequence {cast.sequence} is filed as {cast_name(voter, cast.sequence)}, not {name}")
        return None
    return cast


def read_ballots(root: Path, bodies: set[str], problems: list[Problem], cache=None) -> list[BallotRecord]:
    """Every ballot of every body's folder under editorial/ballots/, with its signatures, casts and close.
    ``bodies``: the assemblies' ids and, if the press has a council, ``council``."""
    top = root / BALLOTS_DIR
    found: list[BallotRecord] = []
    if top.exists() and not top.is_dir() and not top.is_symlink():
        problems.append(Problem(BALLOTS_DIR, 0, f"{BALLOTS_DIR} must be a folder, with one folder per body"))
    for folder in sorted(top.glob("*")) if top.is_dir() and not top.is_symlink() else []:
        rel_folder = folder.relative_to(root).as_posix()
        if folder.is_symlink():
            continue  # reported by reading._links()
        if not folder.is_dir():
            problems.append(Problem(rel_folder, 0, f"{BALLOTS_DIR}/ holds one folder per body (an assembly's id, or council)"))
            continue
        if folder.name not in bodies:
            problems.append(Problem(rel_folder, 0, f"no assembly '{folder.name}' (nor a council) — ballots go in {BALLOTS_DIR}/<assembly>/ or {BALLOTS_DIR}/council/"))
            continue
        found += _read_body(root, folder, problems, cache)
    return found


def _read_body(root: Path, folder: Path, problems: list[Problem], cache) -> list[BallotRecord]:
    body = folder.name
    ballots: dict[str, BallotRecord] = {}
    closes: dict[str, CloseRecord] = {}
    opening: dict[str, dict[str, tuple[str, bytes]]] = {}
    closing: dict[str, dict[str, tuple[str, bytes]]] = {}
    cast_folders: list[Path] = []
    for path in sorted(folder.glob("*")):
        rel = path.relative_to(root).as_posix()
        name = path.name
        if path.is_symlink():
            continue
        if path.is_dir():
            cast_folders.append(path)
            continue
        if leftover(name):
            problems.append(leftover_problem(rel))
        elif sig := CLOSE_SIG_RE.match(name):
            if (data := read_signature(path, rel, problems)) is not None:
                closing.setdefault(sig[1], {})[sig[2]] = (rel, data)
        elif sig := OPENING_SIG_RE.match(name):
            if (data := read_signature(path, rel, problems)) is not None:
                opening.setdefault(sig[1], {})[sig[2]] = (rel, data)
        elif name.endswith(".close.yml"):
            close = _cached(cache, problems, ("ballot-close", rel), path, lambda found, raw=None, path=path, rel=rel: read_close(path, rel, found, raw), RECORD_LIMIT)
            if close:  # a copy: a parsed record may be shared through the cache, its signatures are this run's
                closes[name.removesuffix(".close.yml")] = dataclasses.replace(close, signatures={})
        elif name.endswith(".yml"):
            record = _cached(cache, problems, ("ballot", rel, body), path, lambda found, raw=None, path=path, rel=rel: read_ballot(path, rel, body, found, raw), RECORD_LIMIT)
            if record:
                ballots[record.id] = dataclasses.replace(record, signatures={}, casts=[], close=None)
        else:
            problems.append(Problem(rel, 0, "a ballots folder holds <id>.yml, <id>.yml.<signer>.sig, <id>.close.yml (and its .sig files) and the folder <id>/ of members' ballots"))
    known = {p.name.removesuffix(".yml") for p in folder.glob("*.yml") if not p.name.endswith(".close.yml")}
    for ballot_id, sigs in opening.items():
        if ballot_id in ballots:
            ballots[ballot_id].signatures = sigs
        elif ballot_id not in known:
            for rel, _ in sigs.values():
                problems.append(Problem(rel, 0, f"signature of {ballot_id}.yml, which does not exist — remove it"))
    for ballot_id, close in closes.items():
        close.signatures = closing.get(ballot_id, {})
        if ballot_id in ballots:
            ballots[ballot_id].close = close
        elif ballot_id not in known:
            problems.append(Problem(close.path, 0, f"close of {ballot_id}.yml, which does not exist — remove it"))
    for ballot_id, sigs in closing.items():
        if ballot_id not in closes and not (folder / f"{ballot_id}.close.yml").is_file():
            for rel, _ in sigs.values():
                problems.append(Problem(rel, 0, f"signature of {ballot_id}.close.yml, which does not exist — remove it"))
    for sub in cast_folders:
        rel_sub = sub.relative_to(root).as_posix()
        if sub.name not in known:
            problems.append(Problem(rel_sub, 0, f"ballots of {sub.name}, but there is no ballot record {sub.name}.yml beside it"))
            continue
        casts = []
        for path in sorted(sub.glob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                continue
            if not path.is_file() or not path.name.endswith(".ballot"):
                problems.append(Problem(rel, 0, "a ballot's folder holds only members' ballots, <assembly>.<member>.<sequence>.ballot"))
                continue
            if (size := path.stat().st_size) > MAX_CAST_BYTES:
                problems.append(Problem(rel, 0, f"a ballot is {limits.size(size)}; ballots are limited to {limits.size(MAX_CAST_BYTES)}"))
                continue
            cast = parse_cast(path.read_bytes(), rel, problems, path.name)
            if cast:
                casts.append(cast)
        if sub.name in ballots:
            ballots[sub.name].casts = casts
    return [ballots[k] for k in sorted(ballots)]

"""Editorial records and articles, read from the repository into a typed model.

Readers of one assembly, one meeting, one article (``press.reading.read_records(root)`` reads them
all: ``editorial/assemblies/*.yml``, ``editorial/meetings/*/*.yml`` and ``content/<assembly>/*.md``). They check the *form* of each record (keys, types, ids, dates) and
reports every problem with its file and line; the rules that need a roster and a date (who may
vote, quorum, threshold) belong to :mod:`press.decisions`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import os
import re
import zoneinfo
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from . import bundle, frontmatter, limits, strictyaml
from .bundle import digest_bytes  # noqa: F401 (records name digests; the bundle computes them)
from .files import leftover
from .problems import Problem
from .strictyaml import Map, Seq

ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
# GitHub's user-name rule: letters, digits and single '-' between them, at most 39 characters
GITHUB_RE = re.compile(r"^(?=.{1,39}$)[A-Za-z0-9](?:-?[A-Za-z0-9])*$")
TEAM_RE = re.compile(r"^(?=[^/]{1,39}/)[A-Za-z0-9](?:-?[A-Za-z0-9])*/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")  # org/team-slug
FRACTION_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CORRECTS_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})#(\d{1,3})$")
ROSTER_SIGNATURE_RE = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.yml\.([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.sig$")
SIGNATURE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}\.yml)\.([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.sig$")

# Folders of content/ that hold no assembly's articles.
NOT_ASSEMBLIES = frozenset({"pages", "images"})
# Names the site itself uses at the top of the output (an assembly's folder) or inside an
# assembly's folder (an article's file name), or for static pages.
RESERVED_ASSEMBLY_IDS = NOT_ASSEMBLIES | {"author", "tag", "page", "theme", "drafts", "static", "search", "pagefind", "feeds", "council", "admin", "ballots"}
RESERVED_SLUGS = frozenset({"index", "ledger", "feed", "decisions"})
RESERVED_PAGES = frozenset({"index", "assemblies", "archives", "authors", "tags", "search", "ledger", "feed", "sitemap", "robots"})

BALLOTS = ("roll-call", "secret")
MOTION_KINDS = ("publish", "reject", "retract", "elect-delegate", "recall-delegate", "correct", "open-ballot")
ARTICLE_MOTIONS = ("publish", "reject", "retract")


# Dates in records: a wider range would break calendars, feeds and time zones far from today.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def date_in_range(day: dt.date) -> bool:
    return FIRST_DATE <= day <= LAST_DATE


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class MemberKey:
    """An SSH public key a member signs minutes with, valid from ``valid_from`` (inclusive) until
    ``until`` (exclusive, like ``left``); either bound may be open."""

    line: str  # the OpenSSH public key line
    valid_from: dt.date | None = None
    until: dt.date | None = None
    at: int = field(default=0, metadata={"key": "a line number in the record: only problem messages show it"})  # line in the roster

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    joined: dt.date
    left: dt.date | None = None
    keys: tuple[MemberKey, ...] = ()
    github: str | None = None  # GitHub user name, for CODEOWNERS and for telling who opened a pull request
    line: int = field(default=0, metadata={"key": "a line number in the record: only problem messages show it"})
    person: str | None = None  # the same person's id in every roster (decisions.people joins entries)

    def in_good_standing(self, on: dt.date) -> bool:
        """Joined on or before ``on`` and not yet left (``left`` is the first day out)."""
        return self.joined <= on and (self.left is None or on < self.left)

    def keys_on(self, day: dt.date) -> list[MemberKey]:
        """The keys valid on ``day``: a signature on a meeting record is checked against these only."""
        return [k for k in self.keys if k.valid_on(day)]


@dataclass(frozen=True)
class Rules:
    quorum: int | Fraction = 1
    threshold: str | Fraction = "majority"
    ballot: str = "roll-call"
    signatures: int = 0
    signatures_from: dt.date | None = None  # records of earlier meetings count without signatures
    keep_metadata: tuple[str, ...] = ()  # attachment metadata fields published as they are (press.media)
    envelope_from: dt.date | None = None  # records of earlier meetings were signed bytes-only (press.signatures)
    online_quorum: int | Fraction | None = None  # replaces quorum for online ballots (press.ballots), if set

    def signatures_on(self, day: dt.date) -> int:
        """Editor signatures a record of a meeting on ``day`` needs."""
        if self.signatures_from is not None and day < self.signatures_from:
            return 0
        return self.signatures

    def enveloped_on(self, day: dt.date) -> bool:
        """Whether a signature of a record of a meeting on ``day`` signs the envelope that binds it to
        its body, meeting and path (press.signatures), or — before ``envelope-from`` — its bytes alone."""
        return self.envelope_from is None or day >= self.envelope_from

    def quorum_for(self, eligible: int, online: bool = False) -> int:
        """Ballots needed, given the number of members in good standing. ``online``: for an online
        ballot, whose quorum is ``online-quorum`` when the rules set one."""
        quorum = self.online_quorum if online and self.online_quorum is not None else self.quorum
        if isinstance(quorum, Fraction):
            return -(-quorum.numerator * eligible // quorum.denominator)  # ceiling
        return quorum

    def threshold_met(self, yes: int, no: int) -> bool:
        """Whether ``yes`` carries against ``no``; abstentions do not count here. A motion
        with no yes vote never carries, whatever the threshold."""
        if yes == 0:
            return False
        if self.threshold == "majority":
            return yes > no
        ratio = Fraction(2, 3) if self.threshold == "two-thirds" else self.threshold
        return Fraction(yes) >= ratio * (yes + no)

    @property
    def quorum_text(self) -> str:
        if isinstance(self.quorum, Fraction):
            return f"{self.quorum.numerator}/{self.quorum.denominator} of members"
        return str(self.quorum)

    @property
    def threshold_text(self) -> str:
        if isinstance(self.threshold, Fraction):
            return f"{self.threshold.numerator}/{self.threshold.denominator} of yes + no"
        return self.threshold


@dataclass
class Assembly:
    id: str
    path: str
    name: str
    rules: Rules
    members: dict[str, Member]
    editors: tuple[str, ...] = ()
    region: str | None = None
    description: str | None = None
    meets: str | None = None
    timezone: str = "UTC"
    contact: str | None = None  # the secretary's e-mail address: online ballots can be sent there

    @property
    def usual_time(self) -> dt.time | None:
        """The time in ``meets`` ("First Tuesday, 19:00, …"), used when a meeting gives none."""
        match = TIME_RE.search(self.meets or "")
        return dt.time(int(match[1]), int(match[2])) if match else None

    def usual_meeting_after(self, day: dt.date) -> dt.date | None:
        """The first date after ``day`` that ``meets`` names ("First Tuesday of the month, …" ->
        the next first Tuesday), or None if ``meets`` names no such rule."""
        match = USUAL_DAY_RE.match(self.meets or "")
        if not match:
            return None
        nth, weekday = ORDINALS[match[1].lower()], WEEKDAYS.index(match[2].lower())
        year, month = day.year, day.month
        for _ in range(3):  # this month, or else the next (a fifth weekday never comes: "Last" is -1)
            days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
            candidate = days[nth] if nth < len(days) else None
            if candidate is not None and candidate > day:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None

    def members_on(self, day: dt.date) -> list[Member]:
        return [m for m in self.members.values() if m.in_good_standing(day)]


def next_meeting_date(body: Assembly, meetings, today: dt.date) -> dt.date | None:
    """The body's next meeting on or after ``today``: the first one recorded (scheduled), else the
    next date its ``meets:`` rule names, else None. ``meetings``: the body's meetings."""
    recorded = [m.date for m in meetings if m.assembly == body.id and m.date >= today]
    return min(recorded) if recorded else body.usual_meeting_after(today - dt.timedelta(days=1))


@dataclass
class Motion:
    """One motion as recorded. ``yes``/``no``/``abstain`` are member ids (roll-call) or counts (secret)."""

    index: int
    kind: str
    target: str
    line: int = field(metadata={"key": "a line number in the record: only problem messages show it"})
    yes: tuple[str, ...] | int = ()
    no: tuple[str, ...] | int = ()
    abstain: tuple[str, ...] | int = ()
    vote_lines: dict[str, list[int]] = field(default_factory=dict, metadata={"key": "a line number in the record: only problem messages show it"})
    digest: str | None = None
    note: str | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)
    corrects: tuple[dt.date, int] | None = None  # correct: the (meeting date, motion index) it corrects
    corrected: CorrectedVotes | None = None  # correct: the votes as cast; None strikes the motion


@dataclass
class CorrectedVotes:
    """The votes of an earlier motion as they were really cast, given by a ``correct`` motion."""

    yes: tuple[str, ...] | int = ()
    no: tuple[str, ...] | int = ()
    abstain: tuple[str, ...] | int = ()
    vote_lines: dict[str, list[int]] = field(default_factory=dict, metadata={"key": "a line number in the record: only problem messages show it"})


@dataclass
class Meeting:
    assembly: str
    date: dt.date
    path: str
    present: tuple[str, ...] | int | None
    motions: list[Motion]
    notes: str | None = None
    present_lines: list[int] = field(default_factory=list, metadata={"key": "a line number in the record: only problem messages show it"})
    present_line: int = field(default=1, metadata={"key": "a line number in the record: only problem messages show it"})
    raw: bytes = b""  # the record's exact bytes, as signed
    time: dt.time | None = None  # when it starts, in the assembly's timezone
    location: str | None = None
    signatures: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # member -> (path, armored)


@dataclass
class Article:
    id: str
    assembly: str
    slug: str
    path: str
    digest: str
    title: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)  # bundle file (relative to <slug>/) -> sha256 hex


@dataclass(frozen=True)
class Section:
    """A section of the site across assemblies (``sections:`` of editorial/press.yml): the published
    articles carrying any of ``tags`` (compared without case), whichever assembly approved them."""

    id: str
    name: str
    tags: tuple[str, ...]
    description: str | None = None
    line: int = field(default=0, metadata={"key": "a line number in the record: only problem messages show it"})

    def holds(self, tag_names) -> bool:
        """Whether an article with these tags belongs here."""
        return any(tag_key(t) in self.tags for t in tag_names)


def tag_key(name: str) -> str:
    """A tag as sections compare it: "Know Your Rights" and "know  your rights" are one tag."""
    return " ".join(str(name).split()).casefold()


# --------------------------------------------------------------------------- reading


class _Checker:
    """Collects problems for one file while pulling typed values out of a parsed record."""

    def __init__(self, rel: str, problems: list[Problem]):
        self.rel = rel
        self.problems = problems
        self.ok = True

    def error(self, line: int, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(self.rel, line, message))

    def keys(self, data: Map, allowed: tuple[str, ...], required: tuple[str, ...] = (), what: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.error(
                    data.line_of(key),
                    f"unknown key '{key}'{what} — allowed keys: {', '.join(allowed)}",
                )
        for key in required:
            if key not in data:
                self.error(data.line, f"missing required key '{key}'{what}")

    def text(self, data: Map, key: str, required: bool = False, one_line: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required and key in data:
                self.error(data.line_of(key), f"'{key}' must not be empty")
            return None
        if isinstance(value, (Map, Seq)) or isinstance(value, bool):
            self.error(data.line_of(key), f"'{key}' must be text")
            return None
        value = str(value)
        if one_line and ("\n" in value.strip() or "\r" in value):
            self.error(data.line_of(key), f"'{key}' must be one line of text")
            return None
        return value.strip() if one_line else value

    def date(self, data: Map, key: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if not strictyaml.is_date(value):
            self.error(data.line_of(key), f"'{key}' must be a date written YYYY-MM-DD, not {value!r}")
            return None
        if not date_in_range(value):
            self.error(data.line_of(key), f"'{key}' {value} is out of range — dates are between {FIRST_DATE} and {LAST_DATE}")
            return None
        return value

    def member_id(self, value, line: int, what: str) -> str | None:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.error(line, f"{what} {value!r} is not a valid id (lowercase letters, digits and '-', 1-40 characters)")
            return None
        return value


def _parse_fraction(text: str) -> Fraction | None:
    match = FRACTION_RE.match(text)
    if not match or int(match[2]) == 0:
        return None
    value = Fraction(int(match[1]), int(match[2]))
    return value if 0 < value <= 1 else None


def read_assembly(path: Path, rel: str, problems: list[Problem], raw: bytes | None = None) -> Assembly | None:
    """``raw``: the file's bytes, if the caller has read them already."""
    data, problem = strictyaml.load(path, rel, raw)
    if problem:
        problems.append(problem)
        return None
    check = _Checker(rel, problems)
    aid = path.stem
    if not ID_RE.match(aid):
        check.error(0, f"assembly id '{aid}' (the file name) must be lowercase letters, digits and '-', 1-40 characters")
    elif aid in RESERVED_ASSEMBLY_IDS:
        check.error(0, f"assembly id '{aid}' is reserved for the site's own pages — rename the file")
    if not isinstance(data, Map):
        check.error(1, "an assembly record must be a mapping with name, rules, members and editors")
        return None
    check.keys(
        data,
        ("name", "region", "description", "meets", "timezone", "contact", "rules", "members", "editors"),
        required=("name", "members"),
    )
    contact = check.text(data, "contact", one_line=True)
    if contact is not None and not CONTACT_RE.fullmatch(contact):  # a problem on its line; the roster still counts
        check.problems.append(Problem(check.rel, data.line_of("contact"), f"'contact' must be one e-mail address, like secretary@example.org, not {contact[:80]!r}"))
        contact = None
    name, timezone = _name_and_timezone(data, check, aid)

    rules = _read_rules(data.get("rules"), data.line_of("rules"), check)
    members = _read_members(data.get("members"), data.line_of("members"), check)

    editors: list[str] = []
    raw_editors = data.get("editors", Seq())
    if not isinstance(raw_editors, Seq):
        check.error(data.line_of("editors"), "'editors' must be a list of member ids, e.g. [ana, ben]")
        raw_editors = Seq()
        raw_editors.line, raw_editors.item_lines = 0, []
    for i, value in enumerate(raw_editors):
        line = raw_editors.line_of(i)
        if check.member_id(value, line, "editor") is None:
            continue
        if value not in members:
            check.error(line, f"editor '{value}' is not in this assembly's members — add them under members first")
        elif value in editors:
            check.error(line, f"editor '{value}' is listed twice")
        else:
            editors.append(value)
    keyed = [e for e in editors if members[e].keys]
    if rules.signatures > len(keyed):
        check.error(
            data.line_of("rules"),
            f"rules require {rules.signatures} editor signatures but only {len(keyed)} editor(s) have a key — add keys or lower signatures",
        )
    if not check.ok:
        return None
    return Assembly(
        id=aid,
        path=rel,
        name=name,
        region=check.text(data, "region", one_line=True),
        description=check.text(data, "description"),
        meets=check.text(data, "meets", one_line=True),
        timezone=timezone,
        rules=rules,
        members=members,
        editors=tuple(editors),
        contact=contact,
    )


# An assembly's contact: one plain address (it goes into a mailto: link).
CONTACT_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def _name_and_timezone(data: Map, check: _Checker, default: str) -> tuple[str, str]:
    """A voting body's ``name`` and ``timezone`` (an IANA name, default UTC)."""
    name = check.text(data, "name", required=True, one_line=True) or default
    timezone = check.text(data, "timezone", one_line=True) or "UTC"
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.error(data.line_of("timezone"), f"unknown timezone '{timezone}' — use an IANA name like Europe/Berlin")
        timezone = "UTC"
    return name, timezone


def _read_rules(data, line: int, check: _Checker) -> Rules:
    if data is None:
        return Rules()
    if not isinstance(data, Map):
        check.error(line, "'rules' must be a mapping with quorum, threshold, ballot and signatures")
        return Rules()
    check.keys(data, ("quorum", "online-quorum", "threshold", "ballot", "signatures", "signatures-from", "envelope-from", "keep-metadata"), what=" in rules")
    quorum = _read_quorum(data, "quorum", check) or 1
    online_quorum = _read_quorum(data, "online-quorum", check) if "online-quorum" in data else None

    threshold: str | Fraction = "majority"
    raw = data.get("threshold", "majority")
    if raw in ("majority", "two-thirds"):
        threshold = raw
    elif isinstance(raw, str) and _parse_fraction(raw) is not None:
        threshold = _parse_fraction(raw)
    else:
        check.error(
            data.line_of("threshold"),
            f"threshold {raw!r} must be majority, two-thirds or a fraction like \"3/5\"",
        )

    ballot = data.get("ballot", "roll-call")
    if ballot not in BALLOTS:
        check.error(data.line_of("ballot"), f"ballot {ballot!r} must be roll-call or secret")
        ballot = "roll-call"

    signatures = data.get("signatures", 0)
    if not isinstance(signatures, int) or isinstance(signatures, bool) or signatures < 0:
        check.error(data.line_of("signatures"), f"signatures {signatures!r} must be a whole number >= 0")
        signatures = 0
    signatures_from = check.date(data, "signatures-from")
    if signatures_from is not None and not signatures:
        check.error(data.line_of("signatures-from"), "'signatures-from' needs 'signatures' (how many editors sign) to be at least 1")
    keep = _read_keep_metadata(data, check)
    envelope_from = check.date(data, "envelope-from")
    return Rules(
        quorum=quorum, threshold=threshold, ballot=ballot, signatures=signatures, signatures_from=signatures_from,
        envelope_from=envelope_from, keep_metadata=keep, online_quorum=online_quorum,
    )  # fmt: skip


def _read_quorum(data: Map, key: str, check: _Checker) -> int | Fraction | None:
    """``quorum:`` (or ``online-quorum:``): a whole number of ballots, or a fraction of the members."""
    raw = data.get(key, 1)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
        return raw
    if isinstance(raw, str) and _parse_fraction(raw) is not None:
        return _parse_fraction(raw)
    check.error(data.line_of(key), f"{key} {raw!r} must be a whole number of ballots >= 1 or a fraction like \"1/3\"")
    return None


def _read_keep_metadata(data: Map, check: _Checker) -> tuple[str, ...]:
    """``keep-metadata: [Artist, Copyright]``: the fields of :data:`press.media.KEEPABLE` an assembly publishes."""
    from .media import KEEPABLE

    if "keep-metadata" not in data:
        return ()
    raw, line = data["keep-metadata"], data.line_of("keep-metadata")
    allowed = ", ".join(KEEPABLE)
    if not isinstance(raw, Seq):
        check.error(line, f"keep-metadata must be a list of field names, e.g. [Artist, Copyright] — allowed: {allowed}")
        return ()
    kept: list[str] = []
    for i, name in enumerate(raw):
        if name not in KEEPABLE:
            check.error(raw.line_of(i), f"keep-metadata: {str(name)[:40]!r} cannot be kept — allowed: {allowed} (location, device and time fields are always stripped)")
        elif name in kept:
            check.error(raw.line_of(i), f"keep-metadata: {name} is listed twice")
        else:
            kept.append(name)
    return tuple(kept)


def _read_members(data, line: int, check: _Checker) -> dict[str, Member]:
    members: dict[str, Member] = {}
    if not isinstance(data, Seq):
        if data is not None:
            check.error(line, "'members' must be a list of members, each with id, name and joined")
        return members
    for i, entry in enumerate(data):
        entry_line = data.line_of(i)
        if not isinstance(entry, Map):
            check.error(entry_line, "each member must be a mapping with id, name and joined")
            continue
        check.keys(entry, ("id", "name", "joined", "left", "key", "keys", "github", "person"), required=("id", "name", "joined"), what=" for a member")
        mid = check.member_id(entry.get("id"), entry.line_of("id"), "member id") if "id" in entry else None
        joined = check.date(entry, "joined")
        left = check.date(entry, "left")
        if joined and left and left <= joined:
            check.error(entry.line_of("left"), f"left {left} must be after joined {joined}")
        if mid is None or joined is None:
            continue
        if mid in members:
            check.error(entry_line, f"member '{mid}' is listed twice (first at line {members[mid].line})")
            continue
        members[mid] = Member(
            id=mid,
            name=check.text(entry, "name", required=True, one_line=True) or mid,
            joined=joined,
            left=left,
            keys=_read_keys(entry, mid, check),
            github=_github(entry, mid, check),
            line=entry_line,
            person=check.member_id(entry.get("person"), entry.line_of("person"), f"person id of '{mid}'") if "person" in entry else None,
        )
    return members


def _openssh_key(text: str, line: int, mid: str, check: _Checker) -> str | None:
    """The key line, kept even when unreadable: one editor's odd key is a problem on its own line,
    never a reason to refuse the whole roster (that key simply verifies nothing)."""
    from .openssh import Refused, parse_public_key  # only rosters with keys pay for the import

    try:
        parse_public_key(text)
    except Refused as exc:
        check.problems.append(Problem(check.rel, line, f"key of '{mid}' is not an OpenSSH public key the press can read ({exc}) — paste the line from ~/.ssh/id_ed25519.pub"))
    return text.strip()


def _read_keys(entry: Map, mid: str, check: _Checker) -> tuple[MemberKey, ...]:
    """``key: ssh-ed25519 …`` (valid always), or ``keys:`` — a list of {key, from, until}, so that a
    rotated key keeps verifying the records signed while it was valid."""
    if "key" in entry and "keys" in entry:
        check.error(entry.line_of("keys"), f"'{mid}' has both 'key' and 'keys' — list every key under 'keys' with its dates")
        return ()
    if "key" in entry:
        text = check.text(entry, "key", one_line=True)
        line = _openssh_key(text, entry.line_of("key"), mid, check) if text else None
        return (MemberKey(line, at=entry.line_of("key")),) if line else ()
    raw = entry.get("keys")
    if raw is None:
        return ()
    if not isinstance(raw, Seq):
        check.error(entry.line_of("keys"), f"'keys' of '{mid}' must be a list of {{key, from, until}}")
        return ()
    keys: list[MemberKey] = []
    for i, item in enumerate(raw):
        at = raw.line_of(i)
        if not isinstance(item, Map):
            check.error(at, f"each key of '{mid}' must be a mapping like {{key: ssh-ed25519 AAAA…, from: 2026-01-01}}")
            continue
        check.keys(item, ("key", "from", "until"), required=("key",), what=f" for a key of '{mid}'")
        text = check.text(item, "key", required=True, one_line=True)
        start, until = check.date(item, "from"), check.date(item, "until")
        if start and until and until <= start:
            check.error(item.line_of("until"), f"key of '{mid}': until {until} must be after from {start}")
            continue
        line = _openssh_key(text, item.line_of("key"), mid, check) if text else None
        if line:
            keys.append(MemberKey(line, start, until, at))
    return tuple(keys)


TIME_RE = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
# The usual day in ``meets:``: "First Tuesday of the month, …", "last friday, …".
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
USUAL_DAY_RE = re.compile(rf"({'|'.join(ORDINALS)})\s+({'|'.join(WEEKDAYS)})\b", re.I)


def _time(data: Map, check: _Checker) -> dt.time | None:
    """``time: "19:00"``. YAML 1.1 reads an unquoted 19:00 as the number 1140 (base 60); both work."""
    value = data.get("time")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return dt.time(value // 60, value % 60)
    if isinstance(value, str) and (m := TIME_RE.fullmatch(value.strip())):
        return dt.time(int(m[1]), int(m[2]))
    check.error(data.line_of("time"), f"time {value!r} must be a time of day like \"19:00\"")
    return None


def _github(entry: Map, mid: str, check: _Checker) -> str | None:
    """A GitHub user name, stored without the '@'."""
    handle = check.text(entry, "github")
    if handle is not None and not GITHUB_RE.match(handle.removeprefix("@")):
        check.error(
            entry.line_of("github"),
            f"github handle {handle!r} of '{mid}' is not a GitHub user name (letters, digits and single '-', up to 39 characters)",
        )
        return None
    return handle.removeprefix("@") if handle else None


def read_press_config(root: Path, problems: list[Problem], taken: dict[str, str] | None = None) -> tuple[tuple[str, ...], tuple[Section, ...], str | None]:
    """``editorial/press.yml``: settings of the whole press, as (maintainers, sections).
    ``maintainers`` are the GitHub users or ``org/team``s who own everything no assembly owns (theme,
    tools, workflows, pages); ``sections`` gather published articles across assemblies by tag.
    ``taken``: ids a section may not have (an assembly's or the council's folder) -> what has it.
    Third: ``ballots: origin:``, the site's own origin if it offers online ballots (else None)."""
    path = root / "editorial" / "press.yml"
    rel = "editorial/press.yml"
    if not path.is_file() or path.is_symlink():
        return (), (), None
    data, problem = strictyaml.load(path, rel)
    if problem:
        problems.append(problem)
        return (), (), None
    check = _Checker(rel, problems)
    if not isinstance(data, Map):
        check.error(1, "editorial/press.yml must be a mapping, e.g. maintainers: [octo-cat, our-org/web-team]")
        return (), (), None
    check.keys(data, ("maintainers", "sections", "ballots"), required=("maintainers",))
    sections = _sections(data, check, taken or {})
    origin = read_ballots_setting(data, check)
    raw = data.get("maintainers")
    if not isinstance(raw, Seq) or not raw:
        check.error(data.line_of("maintainers"), "'maintainers' must be a non-empty list of GitHub users or org/teams")
        return (), sections, origin
    handles: list[str] = []
    maintainers_ok = True
    for i, value in enumerate(raw):
        handle = value.removeprefix("@") if isinstance(value, str) else ""
        if not (GITHUB_RE.match(handle) or TEAM_RE.match(handle)):
            check.error(raw.line_of(i), f"maintainer {value!r} is not a GitHub user name or org/team")
            maintainers_ok = False
        elif handle.lower() in (h.lower() for h in handles):
            check.error(raw.line_of(i), f"maintainer {value!r} is listed twice")
            maintainers_ok = False
        else:
            handles.append(handle)
    return (tuple(handles) if maintainers_ok else ()), sections, origin


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` cannot be the site's own origin for passkeys, or None. Passkeys are bound to a
    host, and every Pages site of one GitHub owner shares ``<owner>.github.io``: a ballot needs a site
    of its own domain (https), or ``http://localhost`` for a test server."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return f"{origin[:80]!r} is not an origin like https://press.example.org"
    host = parts.hostname or ""
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.username or parts.password or not host or parts.netloc.lower() != parts.netloc:
        return f"{origin[:80]!r} is not an origin: write the scheme and the host only, in lowercase, like https://press.example.org (no path, no trailing '/')"
    if port == {"http": 80, "https": 443}.get(parts.scheme):  # browsers never write it: no signature would name this origin
        return f"{origin!r}: write it without ':{port}', as a browser writes the site's origin"
    if parts.scheme == "http":
        if host != "localhost":
            return f"{origin!r} is http: passkeys need https (only http://localhost serves a test)"
        return None
    if parts.scheme != "https":
        return f"{origin[:80]!r} must begin with https://"
    try:
        ipaddress.ip_address(host.strip("[]"))
        return f"{origin!r} is an IP address, which cannot be a passkey's relying party — give the site a domain name"
    except ValueError:
        pass
    if host == "github.io" or host.endswith(".github.io"):
        return (
            f"{origin!r} is a GitHub Pages address, shared by every site of its owner: a passkey made there would sign "
            "for all of them — give the site its own domain"
        )
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*", host):
        return f"{origin[:80]!r} does not name a host (letters, digits, '-' and '.')"
    return None


def read_ballots_setting(data: Map, check: _Checker) -> str | None:
    """``ballots: {origin: https://…}`` of editorial/press.yml: the site's own origin, or None (no ballots)."""
    if "ballots" not in data:
        return None
    raw = data.get("ballots")
    if not isinstance(raw, Map):
        check.error(data.line_of("ballots"), "'ballots' must be a mapping like {origin: https://press.example.org}")
        return None
    check.keys(raw, ("origin",), required=("origin",), what=" in ballots")
    origin = check.text(raw, "origin", required=True, one_line=True)
    if origin is None:
        return None
    why = origin_problem(origin)
    if why:
        check.error(raw.line_of("origin"), f"ballots: origin {why}; the press offers no ballots until it is fixed (docs/online-ballots.md, \"The site's own origin\")")
        return None
    return origin


SECTION_EXAMPLE = "e.g. sections: [{id: youth, name: Youth & Students, tags: [youth, students]}]"


def _sections(data: Map, check: _Checker, taken: dict[str, str]) -> tuple[Section, ...]:
    """``sections:`` of press.yml. A section with a problem is left out (and the problem reported):
    its front is written at ``<id>/index.html``, so its id may not be an assembly's, the council's or
    a name the site uses itself."""
    raw = data.get("sections")
    if raw is None:
        if "sections" in data:
            check.error(data.line_of("sections"), f"'sections' is empty — list the sections or remove the key ({SECTION_EXAMPLE})")
        return ()
    if not isinstance(raw, Seq):
        check.error(data.line_of("sections"), f"'sections' must be a list of sections, {SECTION_EXAMPLE}")
        return ()
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw):
        line = raw.line_of(i)
        if not isinstance(entry, Map):
            check.error(line, f"a section must be a mapping with id, name and tags, {SECTION_EXAMPLE}")
            continue
        before = len(check.problems)
        check.keys(entry, ("id", "name", "tags", "description"), required=("id", "name", "tags"), what=" in a section")
        sid = entry.get("id")
        if sid is not None:
            if not isinstance(sid, str) or not ID_RE.match(sid):
                check.error(entry.line_of("id"), f"section id {sid!r} is not a valid id (lowercase letters, digits and '-', 1-40 characters)")
            elif sid in taken:
                check.error(entry.line_of("id"), f"section id '{sid}' is also {taken[sid]} — both would be published at {sid}/: give the section another id")
            elif sid in RESERVED_ASSEMBLY_IDS:
                check.error(entry.line_of("id"), f"section id '{sid}' is a name the site itself uses — choose another id")
            elif sid in seen:
                check.error(entry.line_of("id"), f"section id '{sid}' is used twice (first on line {seen[sid]}) — give each section its own id")
            else:
                seen[sid] = entry.line_of("id")
        name = check.text(entry, "name", required=True, one_line=True)
        if "name" in entry and name == "":
            check.error(entry.line_of("name"), "'name' must not be empty")
        description = check.text(entry, "description", one_line=False)
        tags = entry.get("tags")
        keys: list[str] = []
        if "tags" in entry:
            if not isinstance(tags, Seq) or not tags:
                check.error(entry.line_of("tags"), "'tags' must be a non-empty list of the tags whose articles the section gathers, e.g. tags: [youth, students]")
            else:
                for j, tag in enumerate(tags):
                    if not isinstance(tag, (str, int)) or isinstance(tag, bool) or not tag_key(tag):
                        check.error(tags.line_of(j), f"tag {tag!r} must be a tag's name, as articles write it after Tags:")
                    elif tag_key(tag) in keys:
                        check.error(tags.line_of(j), f"tag {tag!r} is listed twice in this section")
                    else:
                        keys.append(tag_key(tag))
        if len(check.problems) == before and sid and name:
            sections.append(Section(id=sid, name=name, tags=tuple(keys), description=(description or "").strip() or None, line=line))
    return tuple(sections)


# A meeting record holds at least one key (a scheduled meeting: 'notes:'); an empty one is what a
# run killed at its write left before writes were atomic, or a careless edit: what was decided is gone.
EMPTY_MEETING = (
    "the meeting record is empty — restore it from the repository's history (git checkout -- FILE), "
    "or write what the meeting decided; a scheduled meeting needs at least 'notes:'"
)


def leftover_problem(rel: str) -> Problem:
    """A file :func:`press.files.replacing` was writing when its run was killed (the record beside it is whole)."""
    return Problem(rel, 0, "left behind by an interrupted write (the record beside it is whole) — delete this file")


@dataclass(frozen=True)
class SittingForm:
    """How one kind of voting body records a meeting: who attends, which motions it makes, and the
    record type. Every body's meetings are read by :func:`read_meeting` with its form, so that the
    rules of form every record shares (file name, date limits, keys, time, location) are one code."""

    what: str  # "a meeting record", "a council meeting record"
    attendees: str  # what 'present' records, for the message when it is missing
    present: Callable  # (data, check, ballot) -> fields of the record for present, present_lines, …
    motion: Callable  # (index, entry, line, ballot, body, check) -> Motion | None
    record: type = Meeting


def _members_present(data: Map, check: _Checker, ballot: str) -> dict:
    """An assembly's attendance: member ids, or a count when it votes by secret ballot."""
    present: tuple[str, ...] | int | None = None
    present_lines: list[int] = []
    raw = data.get("present")
    if raw is None:
        pass
    elif isinstance(raw, int) and not isinstance(raw, bool) and ballot == "secret" and raw >= 0:
        present = raw
    elif isinstance(raw, Seq):
        ids = [check.member_id(v, raw.line_of(i), "present member") for i, v in enumerate(raw)]
        present, present_lines = tuple(i for i in ids if i), [raw.line_of(i) for i, v in enumerate(ids) if v]
    else:
        want = "a list of member ids or a count" if ballot == "secret" else "a list of member ids"
        check.error(data.line_of("present"), f"'present' must be {want}")
    return {"present": present, "present_lines": present_lines}


def read_meeting(
    path: Path, rel: str, assembly: str, problems: list[Problem], ballot: str, raw: bytes | None = None, form: SittingForm | None = None,
) -> Meeting | None:  # fmt: skip
    """``raw``: the file's bytes, if the caller has read them already. ``form``: the body's kind of
    record (default: an assembly's, :data:`ASSEMBLY_SITTING`)."""
    form = form or ASSEMBLY_SITTING
    check = _Checker(rel, problems)
    try:
        day = dt.date.fromisoformat(path.stem) if DATE_RE.match(path.stem) else None
    except ValueError:
        day = None
    if day is None:
        check.error(0, f"meeting file name '{path.name}' must be the meeting date, YYYY-MM-DD.yml, and a real date")
        return None
    if not date_in_range(day):
        check.error(0, f"meeting date {day} is out of range — dates are between {FIRST_DATE} and {LAST_DATE}")
        return None
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(rel, 0, f"cannot read the file: {exc.strerror}"))
            return None
    data, problem = strictyaml.load(path, rel, raw)
    if problem:
        problems.append(problem)
        return None
    record_bytes = raw  # the bytes parsed are the bytes signed
    if data is None:
        check.error(1, EMPTY_MEETING)
        return None
    if not isinstance(data, Map):
        check.error(1, f"{form.what} must be a mapping with present and motions")
        return None
    check.keys(data, ("present", "motions", "notes", "time", "location"))
    starts = _time(data, check)
    if data.get("present") is None and data.get("motions"):
        check.error(data.line, f"missing 'present': record {form.attendees} attended before recording motions")
    attendance = form.present(data, check, ballot)

    motions: list[Motion] = []
    raw_motions = data.get("motions")
    if raw_motions is not None and not isinstance(raw_motions, Seq):
        check.error(data.line_of("motions"), "'motions' must be a list of motions")
    elif raw_motions:
        for i, entry in enumerate(raw_motions):
            motion = form.motion(i, entry, raw_motions.line_of(i), ballot, assembly, check)
            if motion is not None:
                motions.append(motion)
    if not check.ok and not motions and attendance["present"] is None:
        return None
    return form.record(
        assembly=assembly,
        date=day,
        path=rel,
        motions=motions,
        notes=check.text(data, "notes"),
        present_line=data.line_of("present"),
        raw=record_bytes,
        time=starts,
        location=check.text(data, "location", one_line=True),
        **attendance,
    )


def read_meetings(root: Path, folder: Path, body: str, ballot: str, problems: list[Problem], cache=None, form: SittingForm | None = None) -> list[Meeting]:
    """Every meeting record of one body's folder, each with its signatures
    (``<date>.yml.<signer>.sig``); a signature of a record that does not exist is a problem."""
    form = form or ASSEMBLY_SITTING
    signatures: dict[str, dict[str, tuple[str, bytes]]] = {}
    by_name: dict[str, Meeting] = {}
    for path in sorted(folder.glob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            continue  # reported by _links()
        if path.is_file() and (sig := SIGNATURE_RE.match(path.name)):
            if (data := read_signature(path, rel, problems)) is not None:
                signatures.setdefault(sig[1], {})[sig[2]] = (rel, data)
            continue
        if path.is_file() and leftover(path.name):
            problems.append(leftover_problem(rel))
            continue
        if not path.is_file() or path.suffix != ".yml":
            problems.append(Problem(rel, 0, "meeting records are <YYYY-MM-DD>.yml files, signatures <YYYY-MM-DD>.yml.<signer>.sig"))
            continue
        meeting = _cached(
            cache, problems, ("meeting", rel, ballot, form.what), path,
            lambda found, raw=None, path=path, rel=rel: read_meeting(path, rel, body, found, ballot, raw, form), RECORD_LIMIT,
        )  # fmt: skip
        if meeting:
            by_name[path.name] = meeting
    for record, sigs in signatures.items():
        if record in by_name:
            by_name[record].signatures = sigs
        elif not (folder / record).is_file():
            for rel, _ in sigs.values():
                problems.append(Problem(rel, 0, f"signature of {record}, which does not exist — remove it"))
    return list(by_name.values())


_MOTION_KEYS = {
    "publish": ("digest", "note"),
    "reject": ("note",),
    "retract": ("reason", "note"),
    "elect-delegate": ("note",),
    "recall-delegate": ("note",),
    "correct": ("reason", "corrected", "note"),
    "open-ballot": ("note",),
}


def _read_motion(index: int, entry, line: int, ballot: str, assembly: str, meeting_check: _Checker) -> Motion | None:
    """Read one motion. Problems of form are recorded both as file problems and on the motion,
    so the ledger can show why it did not count."""
    if not isinstance(entry, Map):
        meeting_check.error(line, f"motion {index + 1} must be a mapping like 'publish: {assembly}/slug'")
        return None
    kinds = [k for k in MOTION_KINDS if k in entry]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        meeting_check.error(
            line, f"motion {index + 1} must name exactly one of {', '.join(MOTION_KINDS)} (found {found})"
        )
        return None
    kind = kinds[0]
    motion = Motion(index=index, kind=kind, target=str(entry[kind]), line=line)

    def fail(at: int, message: str) -> None:
        motion.problems.append(message)
        meeting_check.error(at, message)

    allowed = (kind, *_MOTION_KEYS[kind], "yes", "no", "abstain")
    for key in entry:
        if key not in allowed:
            fail(entry.line_of(key), f"unknown key '{key}' in a {kind} motion — allowed keys: {', '.join(allowed)}")

    target = entry[kind]
    if kind in ARTICLE_MOTIONS:
        if not isinstance(target, str) or "/" not in target:
            fail(line, f"{kind} must name an article as <assembly>/<slug>, not {target!r}")
        else:
            owner, _, slug = target.partition("/")
            if owner != assembly:
                fail(line, f"{target} belongs to assembly '{owner}'; {assembly} decides only on its own articles")
            elif not SLUG_RE.match(slug):
                fail(line, f"'{target}' is not a valid article id")
    elif kind == "correct":
        match = CORRECTS_RE.match(target) if isinstance(target, str) else None
        try:
            motion.corrects = (dt.date.fromisoformat(match[1]), int(match[2]) - 1) if match and int(match[2]) >= 1 else None
        except ValueError:
            motion.corrects = None
        if motion.corrects is None:
            fail(line, f"correct must name an earlier motion of this assembly as <YYYY-MM-DD>#<number>, e.g. 2026-10-06#2, not {target!r}")
    elif kind == "open-ballot":
        if not isinstance(target, str) or not SLUG_RE.match(target):
            fail(line, f"open-ballot must name a ballot by its id (editorial/ballots/{assembly}/<id>.yml), not {target!r}")
    elif not isinstance(target, str) or not ID_RE.match(target):
        fail(line, f"{kind} must name a member id, not {target!r}")

    if kind == "publish":
        digest = entry.get("digest")
        if digest is None:
            fail(line, "a publish motion needs 'digest:' — the exact content approved (run: press digest " + str(target) + ")")
        elif not isinstance(digest, str) or not DIGEST_RE.match(digest):
            fail(entry.line_of("digest"), f"digest {digest!r} is malformed — expected sha256: followed by 64 hex digits")
        else:
            motion.digest = digest
    if kind in ("retract", "correct"):
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            why = "for the retraction notice" if kind == "retract" else "saying what the minutes got wrong"
            fail(entry.line_of("reason") if "reason" in entry else line, f"a {kind} motion needs a 'reason:' {why}")
        else:
            motion.reason = reason.strip()
    note = entry.get("note")
    if note is not None:
        motion.note = str(note)

    _read_votes(entry, motion, ballot, fail, meeting_check, motion.problems)
    if kind == "correct":
        raw = entry.get("corrected")
        if raw is not None:
            if not isinstance(raw, Map):
                fail(entry.line_of("corrected"), "'corrected' must be the motion's votes as they were cast, e.g. {yes: [ana], no: [ben]}")
            else:
                for key in raw:
                    if key not in ("yes", "no", "abstain"):
                        fail(raw.line_of(key), f"unknown key '{key}' in corrected — allowed keys: yes, no, abstain")
                motion.corrected = CorrectedVotes()
                _read_votes(raw, motion.corrected, ballot, fail, meeting_check, motion.problems)
    return motion


def _read_votes(entry: Map, into, ballot: str, fail, meeting_check: _Checker, problems: list[str]) -> None:
    """Set ``into.yes``/``no``/``abstain`` (and ``vote_lines``) from a motion's vote lists or counts."""
    for side in ("yes", "no", "abstain"):
        raw = entry.get(side)
        at = entry.line_of(side)
        if ballot == "secret":
            if raw is None:
                value: tuple[str, ...] | int = 0
            elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
                value = raw
            else:
                fail(at, f"'{side}' must be a count (this assembly votes by secret ballot), not {raw!r}")
                value = 0
            setattr(into, side, value)
            continue
        if raw is None:
            setattr(into, side, ())
        elif isinstance(raw, Seq):
            ids, lines = [], []
            for i, v in enumerate(raw):
                if meeting_check.member_id(v, raw.line_of(i), f"'{side}' voter") is None:
                    problems.append(f"'{side}' voter {v!r} is not a valid id")
                    continue
                ids.append(v)
                lines.append(raw.line_of(i))
            setattr(into, side, tuple(ids))
            into.vote_lines[side] = lines
        else:
            fail(at, f"'{side}' must list member ids (this assembly votes by roll-call), e.g. [ana, ben]")
            setattr(into, side, ())


ASSEMBLY_SITTING = SittingForm("a meeting record", "who", _members_present, _read_motion)


META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")


def parse_metadata(text: str) -> dict[str, str]:
    """The metadata header of a Markdown article, as Python-Markdown's meta extension reads it."""
    meta: dict[str, str] = {}
    key = None
    lines = text.split("\n")
    if lines and re.match(r"^-{3}(\s.*)?$", lines[0]):
        lines = lines[1:]
    for line in lines:
        if not line.strip() or re.match(r"^(-{3}|\.{3})\s*$", line):
            break
        if m := META_RE.match(line):
            key = m["key"].lower()
            meta[key] = (meta[key] + "\n" if key in meta else "") + m["value"].strip()
        elif key and (m := META_MORE_RE.match(line)):
            meta[key] += "\n" + m["value"].strip()
        else:
            break
    return meta


def read_article(
    path: Path, rel: str, assembly: str, problems: list[Problem], files: dict[str, str] | None = None, raw: bytes | None = None,
) -> Article | None:  # fmt: skip
    """``files``: the article's bundle (the files of ``content/<assembly>/<slug>/``, each with its
    SHA-256), see :mod:`press.bundle`. ``raw``: the file's bytes, if the caller has read them already."""
    if raw is None:
        raw = path.read_bytes()
    files = files or {}
    slug = path.stem
    if len(raw) > limits.MAX_MARKDOWN_BYTES:
        problems.append(Problem(rel, 0, limits.markdown_too_large(len(raw))))
        return None
    if not SLUG_RE.match(slug):
        problems.append(
            Problem(rel, 0, f"article file name '{path.name}' must be lowercase letters, digits and '-', ending in .md")
        )
        return None
    if slug in RESERVED_SLUGS:
        problems.append(Problem(rel, 0, f"'{slug}' is reserved for the assembly's own pages — rename the file"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, raw[: exc.start].count(b"\n") + 1, "not valid UTF-8 — save the file as UTF-8"))
        return None
    try:
        header = frontmatter.to_header(text.lstrip("\ufeff"))  # YAML front matter, read as a header
    except frontmatter.FrontMatterProblem as exc:
        problems.append(Problem(rel, exc.line, str(exc)))
        return None
    meta = parse_metadata(header)
    title = meta.get("title", "").strip() or None
    if title is None:
        problems.append(Problem(rel, 1, "article has no 'Title:' line in its metadata header — start the file with 'Title: …'"))
    problems += _audio_problems(meta, path, rel, text)
    problems += _video_problems(meta, rel, text)
    problems += bundle.article_link_problems(rel, assembly, slug, text, meta, files)
    return Article(
        id=f"{assembly}/{slug}",
        assembly=assembly,
        slug=slug,
        path=rel,
        digest=bundle.digest_of(slug, bundle.sha256(raw), files),
        title=title,
        metadata=meta,
        attachments=dict(sorted(files.items())),
    )


def _audio_problems(meta: dict[str, str], path: Path, rel: str, text: str) -> list[Problem]:
    """``Audio:`` is an https URL, or a file of the article's bundle (checked with its links)."""
    audio = meta.get("audio", "").strip()
    if not audio:
        return []
    line = next((n for n, l in enumerate(text.splitlines(), 1) if l.lower().startswith("audio:")), 1)
    problems = []
    if audio.startswith("https://"):
        if not meta.get("audio_length", "").strip():
            problems.append(Problem(rel, line, "a remote Audio: needs 'Audio_length:' in bytes, for podcast apps"))
    length = meta.get("audio_length", "").strip()
    if length and not (length.isascii() and length.isdigit() and len(length) <= 15):
        problems.append(Problem(rel, line, f"Audio_length {length[:20]!r} must be a number of bytes (at most 15 digits)"))
    duration = meta.get("duration", "").strip()
    if duration and not re.fullmatch(r"(\d{1,6}:)?\d{1,2}:\d{2}|\d{1,9}", duration):
        problems.append(Problem(rel, line, f"Duration {duration[:20]!r} must be like 23:10 or 1:02:03"))
    return problems


def _meta_line(text: str, key: str) -> int:
    """The line of the metadata field ``key`` (1 if it is not there)."""
    return next((n for n, l in enumerate(text.splitlines(), 1) if l.lower().startswith(key + ":")), 1)


LANG_TAG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}$")  # a BCP 47 tag: en, pt-BR, zh-Hant-TW


def _video_problems(meta: dict[str, str], rel: str, text: str) -> list[Problem]:
    """``Video:`` is an .mp4 or .webm of the bundle, shown with the image ``Video_poster:`` and the
    WebVTT captions ``Video_captions:`` (their kinds are checked with the bundle's links)."""
    video = meta.get("video", "").strip()
    fields = [key for key in ("video_poster", "video_captions", "video_captions_lang", "video_captions_label") if meta.get(key, "").strip()]
    if not video:
        return [Problem(rel, _meta_line(text, key), f"{key.capitalize()}: without Video: — name the video file, or remove the line") for key in fields]
    line = _meta_line(text, "video")
    problems = []
    if "://" in video or video.startswith("//"):
        problems.append(Problem(rel, line, "Video: names a file of the article's folder (<slug>/film.webm), never a URL: the vote covers what is published"))
    if not meta.get("video_poster", "").strip():
        problems.append(Problem(rel, line, "Video: needs 'Video_poster:', an image of the article's folder: it is what readers see before they press play, and its size is the player's"))
    for key in ("video_poster", "video_captions"):
        value = meta.get(key, "").strip()
        if "://" in value or value.startswith("//"):
            problems.append(Problem(rel, _meta_line(text, key), f"{key.capitalize()}: names a file of the article's folder, never a URL"))
    lang = meta.get("video_captions_lang", "").strip()
    if lang and not LANG_TAG_RE.match(lang):
        problems.append(Problem(rel, _meta_line(text, "video_captions_lang"), f"Video_captions_lang {lang[:20]!r} must be a language tag like en or pt-BR"))
    label = meta.get("video_captions_label", "").strip()
    if len(label) > 80 or any(ord(c) < 32 for c in label):
        problems.append(Problem(rel, _meta_line(text, "video_captions_label"), "Video_captions_label is a short name for the captions (at most 80 characters), like English"))
    if (lang or label) and not meta.get("video_captions", "").strip():
        problems.append(Problem(rel, line, "Video_captions_lang/Video_captions_label describe captions: name the .vtt file as 'Video_captions:'"))
    return problems


def accessibility_warnings(rel: str, text: str | Callable[[], str], meta: dict[str, str]) -> list[Problem]:
    """What a reader who cannot see or hear would miss: an image without ``Image_alt:``, a video
    without ``Video_captions:``. Warnings, not problems: the assembly may still publish it. ``meta``
    maps field names to values as the caller shows them (the build: the file's path in the site).
    ``text``: the file's text, or what reads it, called only when there is something to warn of."""
    found = []
    if meta.get("image") and not str(meta.get("image_alt") or "").strip():
        text = text() if callable(text) else text
        found.append(Problem(rel, _meta_line(text, "image"), f"Image {meta['image']} has no Image_alt — describe it for readers who cannot see it"))
    if meta.get("video") and not str(meta.get("video_captions") or "").strip():
        text = text() if callable(text) else text
        found.append(Problem(rel, _meta_line(text, "video"), f"Video {meta['video']} has no Video_captions — add a WebVTT file (.vtt) of what is said, for readers who cannot hear it"))
    return found


def _cached(cache, problems: list[Problem], key: tuple, path: Path | str, parse, too_large=None):
    """``parse(problems)`` once per content: later runs take the parsed record and its problems
    from ``cache`` (see :mod:`press.cache`) when the file's bytes are unchanged. ``too_large``:
    ``(limit, message of a size)``; a file over the limit is a problem, and never read."""
    if too_large is not None and (size := os.stat(path).st_size) > too_large[0]:
        problems.append(Problem(key[1], 0, too_large[1](size)))
        return None
    if cache is None:
        return parse(problems)
    digest, status, data = cache.content_hash(path)
    key = (*key, digest)
    hit = cache.get(key)
    if not _parsed_shape(hit):  # none kept, or not (record, its problems) as put below: parsed again
        found: list[Problem] = []
        if data is not None:  # the bytes just hashed are the bytes parsed (and the file is read once)
            hit = (parse(found, data), found)
            cache.put(key, hit)
        else:
            hit = (parse(found), found)
            if cache.unchanged(path, status):  # else the bytes parsed may not be the bytes hashed
                cache.put(key, hit)
    value, found = hit
    problems.extend(found)
    return value


def _parsed_shape(hit) -> bool:
    """``hit`` is what :func:`_cached` keeps: a pair of the parsed record and a list of its problems."""
    return type(hit) is tuple and len(hit) == 2 and type(hit[1]) is list and all(type(p) is Problem for p in hit[1])


RECORD_LIMIT = (limits.MAX_RECORD_BYTES, limits.record_too_large)


def read_signature(path: Path, rel: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a detached signature, or None (and a problem) when it is over its size limit."""
    size = path.stat().st_size
    if size > limits.MAX_SIGNATURE_BYTES:
        problems.append(Problem(rel, 0, f"signature is {limits.size(size)}; signatures are limited to {limits.size(limits.MAX_SIGNATURE_BYTES)} — sign the record again"))
        return None
    return path.read_bytes()

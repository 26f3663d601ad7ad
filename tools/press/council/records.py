"""The council's records: ``editorial/council.yml`` and ``editorial/meetings/council/<date>.yml``.

Form only, as in :mod:`press.records`: keys, types, ids and dates, each problem with its file and
line. Who holds a seat on a date, and what a vote weighs, need every assembly's history: that is
:mod:`press.council.decisions`.

The council has no roster. Its seats are derived from the assemblies' elect/recall history; a
meeting names seats (assembly ids), and may name the delegate who sat in each seat
(``present: {springfield: dev}``), so that a recalled delegate who turns up is caught.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .. import strictyaml
from ..problems import Problem
from ..records import (
    ARTICLE_MOTIONS,
    ID_RE,
    SLUG_RE,
    Assembly,
    Meeting,
    Motion,
    Rules,
    SittingForm,
    _Checker,
    _name_and_timezone,
    _read_motion,
    _read_rules,
    date_in_range,
    read_meetings,
)
from ..strictyaml import Map, Seq

COUNCIL = "council"  # the council's id: its articles live in content/council/, its meetings in editorial/meetings/council/
WEIGHTINGS = ("equal", "members")
FEATURE_MOTIONS = ("feature", "unfeature")
COUNCIL_MOTIONS = (*ARTICLE_MOTIONS, *FEATURE_MOTIONS, "correct", "census", "open-ballot")


@dataclass(frozen=True)
class CouncilRules(Rules):
    """The council's rules: always roll-call. Quorum and threshold are measured in weight: one per
    seat (``equal``) or the seat's members in good standing (``members``)."""

    weighting: str = "equal"

    @property
    def quorum_text(self) -> str:
        unit = "seats" if self.weighting == "equal" else "members represented"
        if isinstance(self.quorum, Fraction):
            return f"{self.quorum.numerator}/{self.quorum.denominator} of the {unit} (seats filled on the day)"
        return f"{self.quorum} {unit}"


@dataclass
class Council(Assembly):
    """The council of delegates. It stands where an assembly stands for its own articles
    (``content/council/``), but has no members: its seats are derived on each date. Its ``rules``
    are :class:`CouncilRules`."""


@dataclass
class CouncilMotion(Motion):
    """A council motion. ``yes``/``no``/``abstain`` name seats (assembly ids)."""

    lead: bool = False  # feature: make it the lead story
    until: dt.date | None = None  # feature: leaves the front page after this day
    weights: dict[str, int] = field(default_factory=dict)  # census: each seat's adopted weight
    counted: dt.date | None = None  # census: the date the rosters were counted on


@dataclass
class CouncilMeeting(Meeting):
    """A council meeting. ``present`` names seats; ``sitting`` the delegate named for a seat, if any."""

    sitting: dict[str, tuple[str, int]] = field(default_factory=dict)  # seat -> (delegate, line)


def council_path(root: Path, rosters: Path | None = None) -> Path:
    """Where the council's record is read from: ``editorial/council.yml``, or beside the base
    branch's rosters (``press check``)."""
    return (rosters.parent / "council.yml") if rosters is not None else root / "editorial" / "council.yml"


def read_council(root: Path, rosters: Path | None, problems: list[Problem], cache=None) -> tuple[Council | None, list[CouncilMeeting]]:
    """The council and its meetings, or (None, []) when the press has no ``editorial/council.yml``
    (or it cannot be read: its problems are reported).

    ``rosters`` (``press check``): the council's rules are read from ``rosters/../council.yml``,
    the base branch's, as the assemblies' are."""
    path = council_path(root, rosters)
    folder = root / "editorial" / "meetings" / COUNCIL
    if path.is_symlink() or not path.is_file():
        if folder.is_dir() and not folder.is_symlink():
            problems.append(Problem(f"editorial/meetings/{COUNCIL}", 0, "council meetings need editorial/council.yml — add it (see docs/council.md)"))
        return None, []
    council = _read_council_file(path, "editorial/council.yml", problems)
    if council is None:
        return None, []
    if not folder.is_dir() or folder.is_symlink():
        return council, []
    return council, read_meetings(root, folder, COUNCIL, "roll-call", problems, cache, COUNCIL_SITTING)  # type: ignore[return-value]


def _read_council_file(path: Path, rel: str, problems: list[Problem]) -> Council | None:
    data, problem = strictyaml.load(path, rel)
    if problem:
        problems.append(problem)
        return None
    check = _Checker(rel, problems)
    if not isinstance(data, Map):
        check.error(1, "the council record must be a mapping with name and rules")
        return None
    check.keys(data, ("name", "description", "meets", "timezone", "rules"), required=("name",))
    name, timezone = _name_and_timezone(data, check, "Council of Delegates")
    rules = _read_council_rules(data.get("rules"), data.line_of("rules"), check)
    if not check.ok:
        return None
    return Council(
        id=COUNCIL,
        path=rel,
        name=name,
        rules=rules,
        members={},
        description=check.text(data, "description"),
        meets=check.text(data, "meets"),
        timezone=timezone,
    )


def _read_council_rules(data, line: int, check: _Checker) -> CouncilRules:
    if data is None:
        return CouncilRules()
    if not isinstance(data, Map):
        check.error(line, "'rules' must be a mapping with quorum, threshold, signatures and weighting")
        return CouncilRules()
    allowed = ("quorum", "threshold", "signatures", "signatures-from", "envelope-from", "weighting")
    check.keys(data, allowed, what=" in the council's rules (its ballots are always roll-call)")
    weighting = data.get("weighting", "equal")
    if weighting not in WEIGHTINGS:
        check.error(data.line_of("weighting"), f"weighting {weighting!r} must be equal (one seat, one vote) or members (a seat weighs its assembly's members)")
        weighting = "equal"
    common = Map({k: v for k, v in data.items() if k in allowed and k != "weighting"})
    common.line, common.key_lines = data.line, data.key_lines
    rules = _read_rules(common, line, check)
    return CouncilRules(**{**vars(rules), "ballot": "roll-call"}, weighting=weighting)


def _seats_present(data: Map, check: _Checker, ballot: str) -> dict:
    """The council's attendance: seats (assembly ids), or seats mapped to the delegate who sat."""
    present: tuple[str, ...] | None = None
    present_lines: list[int] = []
    sitting: dict[str, tuple[str, int]] = {}
    raw = data.get("present")
    if raw is None:
        pass
    elif isinstance(raw, Seq):
        seats = [(check.member_id(v, raw.line_of(i), "present seat"), raw.line_of(i)) for i, v in enumerate(raw)]
        present = tuple(s for s, _ in seats if s)
        present_lines = [line for s, line in seats if s]
    elif isinstance(raw, Map):
        seats_list = []
        for seat, delegate in raw.items():
            at = raw.line_of(seat)
            if check.member_id(seat, at, "present seat") is None:
                continue
            if delegate is not None and check.member_id(delegate, at, f"delegate of seat '{seat}'") is None:
                continue
            seats_list.append(seat)
            present_lines.append(at)
            if delegate is not None:
                sitting[seat] = (delegate, at)
        present = tuple(seats_list)
    else:
        check.error(data.line_of("present"), "'present' must list the seats (assembly ids), e.g. [springfield, harbor], or map each seat to its delegate, e.g. {springfield: dev}")
    return {"present": present, "present_lines": present_lines, "sitting": sitting}


def _read_census(entry: Map, motion: CouncilMotion, line: int, fail) -> None:
    """``census: <date the rosters were counted>`` with ``weights: {seat: members, …}``."""
    counted = entry["census"]
    if not strictyaml.is_date(counted) or not date_in_range(counted):
        fail(line, f"census must name the date the rosters were counted on, YYYY-MM-DD, not {counted!r} (press census proposes one)")
    else:
        motion.counted = counted
        motion.target = counted.isoformat()
    weights = entry.get("weights")
    if not isinstance(weights, Map) or not weights:
        fail(entry.line_of("weights") if "weights" in entry else line, "a census motion needs 'weights:', each seat's members, e.g. {springfield: 412, harbor: 95}")
        return
    for seat, weight in weights.items():
        at = weights.line_of(seat)
        if not isinstance(seat, str) or not ID_RE.match(seat):
            fail(at, f"census seat {seat!r} is not an assembly id")
        elif not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10**9:
            fail(at, f"the weight of {seat} must be a whole number of members >= 1, not {weight!r}")
        else:
            motion.weights[seat] = weight


def _read_council_motion(index: int, entry, line: int, ballot: str, body: str, check: _Checker) -> CouncilMotion | None:
    if not isinstance(entry, Map):
        check.error(line, f"motion {index + 1} must be a mapping like 'feature: springfield/slug'")
        return None
    kinds = [k for k in COUNCIL_MOTIONS if k in entry]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        extra = " — delegates are elected and recalled by their own assemblies" if any(k in entry for k in ("elect-delegate", "recall-delegate")) else ""
        check.error(line, f"motion {index + 1} must name exactly one of {', '.join(COUNCIL_MOTIONS)} (found {found}){extra}")
        return None
    kind = kinds[0]
    if kind in ARTICLE_MOTIONS or kind in ("correct", "open-ballot"):  # its statements, corrections and ballots, exactly as an assembly's
        base = _read_motion(index, entry, line, ballot, body, check)
        return CouncilMotion(**vars(base)) if base is not None else None

    motion = CouncilMotion(index=index, kind=kind, target=str(entry[kind]), line=line)

    def fail(at: int, message: str) -> None:
        motion.problems.append(message)
        check.error(at, message)

    extra = {"feature": ("lead", "until"), "census": ("weights",)}.get(kind, ())
    allowed = (kind, "note", "yes", "no", "abstain", *extra)
    for key in entry:
        if key not in allowed:
            fail(entry.line_of(key), f"unknown key '{key}' in a {kind} motion — allowed keys: {', '.join(allowed)}")
    target = entry[kind]
    if kind == "census":
        _read_census(entry, motion, line, fail)
    elif not isinstance(target, str) or target.count("/") != 1:
        fail(line, f"{kind} must name an article as <assembly>/<slug>, not {target!r}")
    else:
        owner, _, slug = target.partition("/")
        if not ID_RE.match(owner) or not SLUG_RE.match(slug):
            fail(line, f"'{target}' is not a valid article id")
    if kind == "feature":
        lead = entry.get("lead", False)
        if not isinstance(lead, bool):
            fail(entry.line_of("lead"), f"lead must be true or false, not {lead!r}")
        else:
            motion.lead = lead
        if "until" in entry:
            until = entry.get("until")
            if not strictyaml.is_date(until):
                fail(entry.line_of("until"), f"'until' must be a date written YYYY-MM-DD, not {until!r}")
            else:
                motion.until = until
    note = entry.get("note")
    if note is not None:
        motion.note = str(note)
    for side in ("yes", "no", "abstain"):
        raw = entry.get(side)
        if raw is None:
            continue
        if not isinstance(raw, Seq):
            fail(entry.line_of(side), f"'{side}' must list seats (assembly ids) — council votes are always roll-call, e.g. [springfield, harbor]")
            continue
        ids, lines = [], []
        for i, v in enumerate(raw):
            if check.member_id(v, raw.line_of(i), f"'{side}' seat") is None:
                motion.problems.append(f"'{side}' seat {v!r} is not a valid id")
                continue
            ids.append(v)
            lines.append(raw.line_of(i))
        setattr(motion, side, tuple(ids))
        motion.vote_lines[side] = lines
    return motion


COUNCIL_SITTING = SittingForm("a council meeting record", "which seats", _seats_present, _read_council_motion, CouncilMeeting)

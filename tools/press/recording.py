"""Writing meeting records and new articles, for the ``press new`` and ``press record`` commands.

Every write is checked by reading the press back: a record that would not verify is not kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import re
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import files, strictyaml
from .decisions import Outcome
from .model import Press, load
from .output import pause_point
from .problems import GIT_TIMEOUT, PressError, Problem
from .records import SLUG_RE


def slugify(title: str) -> str:
    """``"Rent strike wins!"`` -> ``rent-strike-wins``"""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-")


# The placeholders `press new` writes; an article still holding one is not ready for a vote.
TEMPLATE_SUMMARY = "One or two sentences that sell the piece."
TEMPLATE_BODY = "Write the article here, in Markdown."
TEMPLATE_TEXT = (TEMPLATE_BODY, TEMPLATE_SUMMARY)


def git_user_name(root: Path) -> str | None:
    """The writer's name as git knows it (``git config user.name``), or None."""
    try:
        done = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    name = done.stdout.strip()
    return name if done.returncode == 0 and name and "\n" not in name else None


def new_article(press: Press, assembly: str, title: str, author: str | None, slug: str | None = None) -> Path:
    """Create ``content/<assembly>/<slug>.md`` with a metadata header. Refuses to overwrite."""
    press.assembly(assembly)
    if not title.strip() or "\n" in title:
        raise PressError("the title must be one non-empty line")
    slug = slug or slugify(title)
    if not SLUG_RE.match(slug):
        raise PressError(f"cannot make a file name from {title!r}; pass --slug with lowercase letters, digits and '-'")
    path = press.root / "content" / assembly / f"{slug}.md"
    if path.exists():
        raise FileExistsError(path)
    header = [f"Title: {title.strip()}"]
    if author:
        header.append(f"Author: {author}")
    header += [f"Summary: {TEMPLATE_SUMMARY}", "Tags:", "Lang: en"]
    body = f"{TEMPLATE_BODY}\n"
    try:
        with files.replacing(path, exclusive=True, within=press.root) as f:  # another run's article of that name is never replaced
            f.write(("\n".join(header) + "\n\n" + body).encode())
    except FileExistsError:
        raise FileExistsError(path) from None
    except OSError as exc:
        raise PressError(f"{path.relative_to(press.root).as_posix()}: not written — {files.why_not_written(exc)}") from None
    return path


# --------------------------------------------------------------------------- meetings


@dataclass
class Votes:
    """Votes as an editor gives them on the command line: names (roll-call) or counts (secret)."""

    yes: list[str] | int
    no: list[str] | int
    abstain: list[str] | int


def parse_votes(values: list[str] | tuple[str, ...]) -> list[str] | int:
    """Votes as typed, by the command line or the desk: ``["ana,ben", "carla"]`` -> [ana, ben, carla];
    ``["12"]`` -> 12 (a count, for a secret ballot)."""
    items = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if len(items) == 1 and items[0].isdigit():
        return int(items[0])
    if any(item.isdigit() for item in items):
        raise PressError("give either member ids or one count")
    return items


def corrected_votes(as_yes: list[str] | int, as_no: list[str] | int, as_abstain: list[str] | int, strike: bool) -> Votes | None:
    """What a ``correct`` motion says of the motion it corrects: the votes as really cast, or None
    (``strike``: it was never taken) — one or the other, never both or neither."""
    given = any(v not in ([], 0) for v in (as_yes, as_no, as_abstain))
    if given == strike:
        raise PressError("give how the motion was really voted (--as-yes, --as-no, --as-abstain) or --strike, not both")
    return None if strike else Votes(as_yes, as_no, as_abstain)


def parse_weights(values: list[str] | tuple[str, ...]) -> dict[str, str]:
    """A census's weights as typed on the command line: ``["harbor=5,riverside=9", "springfield=7"]``
    -> {harbor: "5", …}; the figures are checked by :func:`census_weights`."""
    weights: dict[str, str] = {}
    for item in (v.strip() for value in values for v in value.split(",") if v.strip()):
        seat, equals, figure = item.partition("=")
        if not equals or not seat.strip():
            raise PressError(f"give each seat's weight as SEAT=MEMBERS, e.g. harbor=5, not {item!r}")
        if seat.strip() in weights:
            raise PressError(f"the weight of {seat.strip()} is given twice")
        weights[seat.strip()] = figure.strip()
    return weights


def census_weights(press: Press, counted: dt.date, given: dict[str, str] | None = None) -> dict[str, int]:
    """The weights a census motion records: each assembly's members in good standing on ``counted``,
    the figures ``press census`` proposes (:func:`press.council.decisions.census_on`). ``given``: the
    figures the delegates were shown (``--weights``, or the desk's form); the motion is refused, and
    nothing written, unless they are exactly the rosters' — a census is never typed in."""
    from .council.decisions import census_on

    counted_rosters = census_on(press.records.assemblies, counted)
    if given is None:
        return counted_rosters
    for seat, figure in given.items():
        if seat not in counted_rosters:
            raise PressError(f"{seat!r} is not a seat of the council — its seats are the assemblies: {', '.join(counted_rosters)}")
        if not re.fullmatch(r"[0-9]{1,10}", figure.strip()):
            raise PressError(f"the weight of {seat} must be a whole number of members, not {figure!r}")
    problems = []
    for seat, members in counted_rosters.items():
        roster = press.records.assemblies[seat].path
        if seat not in given:
            problems.append(Problem(roster, 0, f"the census leaves out {seat}, which has {members} members in good standing on {counted}"))
        elif int(given[seat]) != members:
            problems.append(Problem(roster, 0, f"has {members} members in good standing on {counted}, not {int(given[seat])} as the census says"))
    if problems:
        raise RecordRefused(
            problems,
            f"a census records the rosters' own figures (press census --date {counted} proposes them); "
            "if a roster is wrong, correct it first, then propose the census again",
        )
    return counted_rosters


def meeting_path(press: Press, assembly: str, day: dt.date) -> Path:
    return press.root / "editorial" / "meetings" / assembly / f"{day.isoformat()}.yml"


def _parse_existing(raw: bytes | None, path: Path, rel: str) -> dict:
    """The record as it is on disk now (``raw``: its bytes, None if there is none yet)."""
    if raw is None:
        return {}
    if any(line.lstrip().startswith(b"#") for line in raw.splitlines()):
        raise PressError(
            f"{rel} has comments that rewriting would drop — move them into 'notes:' or edit the file by hand"
        )
    data, problem = strictyaml.load(path, rel, raw)
    if problem:
        raise PressError(str(problem))
    return dict(data or {})


class _FlowList(list):
    """A list written inline, ``[ana, ben]``, as editors write rosters by hand."""


class _FlowMap(dict):
    """A mapping written inline, ``{harbor: 5, riverside: 9}``, as ``press census`` prints a census's weights."""


yaml.SafeDumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)
yaml.SafeDumper.add_representer(
    _FlowMap, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)
)


def _render(data: dict) -> str:
    def shape(value, key=None):
        if key == "weights" and isinstance(value, dict):  # a census's figures, inline as press census prints them
            return _FlowMap(value)
        if isinstance(value, dict):
            return {k: shape(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [shape(v) for v in value]
            return _FlowList(items) if all(not isinstance(v, (dict, list)) for v in items) else items
        return value

    return yaml.safe_dump(shape(data), sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


@contextlib.contextmanager
def records_locked(root: Path, body: str):
    """Hold the lock on ``body``'s records (``editorial/.<body>.lock``, there only while held): every
    change to a record of the body reads it and writes it under this lock."""
    with files.locked(root / "editorial" / f".{body}.lock", f"{body}'s records"):
        yield


def _replace(path: Path, rel: str, data: bytes) -> None:
    try:
        with files.replacing(path) as f:
            f.write(data)
            pause_point("record-writing")
    except OSError as exc:
        raise PressError(f"{rel}: not written — {files.why_not_written(exc)}; the record is as it was, nothing was recorded") from None


def _write_checked(
    press: Press, path: Path, change: Callable[[dict], dict], advice: str | None = None, body: str | None = None, render: Callable[[dict], str] | None = None
) -> tuple[Press, dict]:
    """Apply ``change`` to the record at ``path`` as it is now and read the press back; keep the old
    record if the change adds problems. Under the body's lock, from reading the record to writing it,
    so that a change made by another run meanwhile is kept, never written over. ``advice``: what to
    do if refused, in one line. ``body``: whose lock (default: the record's folder's name);
    ``render``: how the record is written (default: YAML with short lists inline)."""
    rel = path.relative_to(press.root).as_posix()
    before = {p for p in press.problems if p.path == rel}
    if (link := files.linked_folder(press.root, path)) is not None:
        raise PressError(f"{link.relative_to(press.root).as_posix()}: not written — it is a symbolic link; press writes records only inside the repository")
    path.parent.mkdir(parents=True, exist_ok=True)
    with records_locked(press.root, body or path.parent.name):
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # what a killed run left
            stale.unlink(missing_ok=True)
        old = path.read_bytes() if path.exists() else None
        data = change(_parse_existing(old, path, rel))
        _replace(path, rel, (render or _render)(data).encode())
        after = load(press.root, press.decisions.now)
        added = [p for p in after.problems if p.path == rel and p not in before]
        if added:
            if old is None:
                path.unlink()
            else:
                _replace(path, rel, old)
            raise RecordRefused(added, *([advice] if advice else []))
    return after, data


class RecordRefused(Exception):
    """The record would not verify; nothing was written. ``advice``: what to do, in one line."""

    def __init__(self, problems: list[Problem], advice: str = "fix what is named above and run the command again"):
        self.problems = problems
        self.advice = advice
        super().__init__("\n".join(map(str, problems)))


def record_attendance(
    press: Press, assembly: str, day: dt.date, members: list[str], count: int | None,
    remove: list[str] = (), replace: bool = False,
) -> Path:  # fmt: skip
    """Record who attended the meeting of ``assembly`` on ``day`` (creating its record): ``members``
    are added to those already listed, ``remove`` taken off; ``replace``: ``members`` is the whole list."""
    a = press.assembly(assembly)
    path = meeting_path(press, assembly, day)
    if press.records.council is a:
        from .council.decisions import seats_on

        if count is not None:
            raise PressError("the council votes by roll-call: name the seats present (assembly ids)")
        # Each seat with the delegate who sat in it: SEAT, or SEAT=DELEGATE to name who took the seat.
        seats = seats_on(press.records.assemblies, press.decisions.delegates, day, a.rules.weighting)  # type: ignore[attr-defined]

        def sit(data: dict) -> dict:
            listed = data.get("present")
            sitting: dict[str, str] = {} if replace or not isinstance(listed, dict) else dict(listed)
            for seat in remove:
                if sitting.pop(seat, None) is None:
                    raise PressError(f"{seat} is not listed as present on {day} — nothing to remove")
            for item in members:
                seat, _, who = item.partition("=")
                sitting[seat] = who or (seats[seat].delegate if seat in seats else None)  # type: ignore[assignment]
            return {"present": sitting, **{k: v for k, v in data.items() if k != "present"}}

        _write_checked(press, path, sit)
        return path
    if count is not None and a.rules.ballot != "secret":
        raise PressError(f"{assembly} votes by roll-call: name who is present instead of giving a count")

    def attend(data: dict) -> dict:  # the list as re-read under the lock, plus and minus the names given
        if count is None:
            listed = data.get("present")
            before = [str(m) for m in listed] if isinstance(listed, list) and not replace else []
            absent = [m for m in remove if m not in before and m not in members]
            if absent:
                raise PressError(f"{', '.join(absent)} {'is' if len(absent) == 1 else 'are'} not listed as present on {day} — nothing to remove")
            now_present: list[str] | int = [m for m in dict.fromkeys([*before, *members]) if m not in remove]
        else:
            now_present = count  # type: ignore[assignment]
        gone = sorted(_voters(data) - set(now_present)) if isinstance(now_present, list) else []
        advice[0] = (
            f"{', '.join(gone)} voted at this meeting, so cannot be taken off the list; someone who left early stays listed"
            if gone else "fix the attendance named above and run the command again"
        )  # fmt: skip
        return {"present": now_present, **{k: v for k, v in data.items() if k != "present"}}

    advice = ["fix the attendance named above and run the command again"]
    try:
        _write_checked(press, path, attend)
    except RecordRefused as exc:
        raise RecordRefused(exc.problems, advice[0]) from None
    return path


def _voters(data: dict) -> set[str]:
    """Everyone named as voting in a meeting record's motions."""
    voters = set()
    for motion in data.get("motions") or []:
        for side in ("yes", "no", "abstain"):
            names = motion.get(side) if isinstance(motion, dict) else None
            voters |= {str(m) for m in names} if isinstance(names, list) else set()
    return voters


def _not_ready(press: Press, article) -> Problem | None:
    """Why the assembly cannot vote on ``article`` as it stands, or None: it still holds the
    template's text, or its bytes are not committed (the vote would name bytes git never kept,
    and the writer's next edit would hold the article back for good)."""
    text = (press.root / article.path).read_text(encoding="utf-8", errors="replace")
    placeholder = next((p for p in TEMPLATE_TEXT if p in text), None)
    if placeholder:
        return Problem(article.path, 0, f"still holds the template's text ({placeholder!r}) — the writer finishes the article and commits it; then vote")
    paths = [article.path] + ([article.path.removesuffix(".md") + "/"] if article.attachments else [])
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", *paths],
            cwd=press.root, capture_output=True, text=True, timeout=GIT_TIMEOUT,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git here: an exported copy, nothing to compare with
    if done.returncode != 0 or not done.stdout.strip():
        return None  # not a git work tree, or committed as it is
    return Problem(
        article.path, 0,
        f"has changes that are not committed — commit them first (git add {' '.join(paths)} && git commit), so that "
        "the bytes the assembly approves are kept in history; then vote",
    )  # fmt: skip


def record_motion(
    press: Press,
    assembly: str,
    day: dt.date,
    kind: str,
    target: str,
    votes: Votes,
    rest: str | None = None,
    note: str | None = None,
    reason: str | None = None,
    corrected: Votes | None = None,
    lead: bool = False,
    until: dt.date | None = None,
    agenda: str | None = None,
    weights: dict[str, str] | None = None,
) -> Outcome:
    """Append a motion to the meeting of ``day`` and return its outcome as the build will see it.

    ``agenda``: the short digest printed on the agenda the assembly voted from; the motion is
    refused, and nothing written, unless the article is still exactly those bytes.
    A ``census`` (the council's; ``target``: the date the rosters were counted on) records the
    rosters' figures, checked against ``weights`` when given (:func:`census_weights`).
    """
    a = press.assembly(assembly)
    if agenda is not None:
        from .agenda import matches, parse_short, short

        if kind != "publish":
            raise PressError("--agenda binds a publish vote to the printed text; it is for press record publish")
        article = press.records.articles[target]
        if not matches(article.digest, agenda):
            raise RecordRefused([Problem(
                article.path, 0,
                f"changed since the agenda was printed: the agenda shows {parse_short(agenda)[:16]}, the article is now "
                f"{short(article.digest).replace(' ', '')} — the assembly voted on the paper, so this vote cannot bind the new text; "
                "print a new agenda (press agenda) and vote again",
            )])  # fmt: skip
    if kind == "publish" and (why := _not_ready(press, press.records.articles[target])):
        raise RecordRefused([why], "there is nothing to vote on yet")
    path = meeting_path(press, assembly, day)
    rel = path.relative_to(press.root).as_posix()
    motion: dict = {kind: target}
    if kind == "publish":
        motion["digest"] = press.records.articles[target].digest
    if kind == "census":
        if press.records.council is not a:
            raise PressError(f"a census is the council's motion, not {assembly}'s")
        try:
            counted = dt.date.fromisoformat(target)
        except ValueError:
            raise PressError(f"the census needs the date the rosters were counted on, YYYY-MM-DD, not {target!r}") from None
        motion = {"census": counted, "weights": census_weights(press, counted, weights)}
    if reason is not None:
        motion["reason"] = reason
    if lead:
        motion["lead"] = True
    if until is not None:
        motion["until"] = until
    if corrected is not None:  # a correct motion: how the earlier motion was really voted
        as_cast = {side: value for side, value in vars(corrected).items() if value not in ([], 0)}
        if a.rules.ballot == "secret" and any(not isinstance(v, int) for v in as_cast.values()):
            raise PressError(f"{assembly} votes by secret ballot: give the corrected votes as counts")
        if a.rules.ballot != "secret" and any(isinstance(v, int) for v in as_cast.values()):
            raise PressError(f"{assembly} votes by roll-call: give the corrected votes as member ids")
        motion["corrected"] = {side: list(v) if isinstance(v, list) else v for side, v in as_cast.items()}
    if note is not None:
        motion["note"] = note
    sides = {"yes": votes.yes, "no": votes.no, "abstain": votes.abstain}
    if a.rules.ballot == "secret":
        if rest:
            raise PressError("--rest needs names; with a secret ballot give each count")
        for side, value in sides.items():
            if value == []:
                value = 0  # a side nobody voted for
            if not isinstance(value, int):
                raise PressError(f"{assembly} votes by secret ballot: give --{side} as a count, e.g. --{side} 12")
            motion[side] = value
    else:
        for side, value in sides.items():
            if isinstance(value, int):
                raise PressError(f"{assembly} votes by roll-call: give --{side} as member ids, e.g. --{side} ana,ben")

    def append(data: dict) -> dict:
        """The motion added to the record as it is now (read under the lock)."""
        if "present" not in data:
            raise PressError(
                f"no attendance recorded for {assembly} on {day} — first run: press record attendance {assembly} --date {day} MEMBER..."
            )
        if a.rules.ballot != "secret":
            voted = dict(sides)
            if rest:
                named = {m for value in voted.values() for m in value}  # type: ignore[union-attr]
                voted[rest] = list(voted[rest]) + [m for m in data["present"] if m not in named]  # type: ignore[operator]
            for side, value in voted.items():
                motion[side] = list(value)  # type: ignore[arg-type]
        return {**data, "motions": [*(data.get("motions") or []), motion]}

    after, data = _write_checked(press, path, append)
    index = len(data["motions"]) - 1
    return next(o for o in after.decisions.outcomes if o.meeting.path == rel and o.motion.index == index)


# --------------------------------------------------------------------------- signing


def _record_date(path: Path) -> dt.date:
    try:
        return dt.date.fromisoformat(path.stem)
    except ValueError:
        raise PressError(f"{path.name} is not named after a meeting date (YYYY-MM-DD.yml)") from None


def _signers(press: Press, aid: str, day: dt.date):
    """Who signs a record of ``aid`` on ``day``: its editors, or for the council each seat filled that
    day, signing with its delegate's keys from the delegate's own roster (one rule: signers_of)."""
    from .council.decisions import signers_of

    press.assembly(aid)  # an unknown body is a usage error
    return signers_of(press.records, press.decisions.delegates, aid, day)


def sign_record(press: Press, path: Path, key_file: Path | None, member: str | None, shown: str | None = None) -> Path:
    """Sign the record at ``path`` with an SSH key (``press sign``; the desk at the end of a meeting;
    ``press ballot second``) and write ``<record>.<member>.sig`` beside it; returns that path. The
    record is a meeting's, or a ballot record or its close (editorial/ballots/). ``member``: the
    editor signing (default: the one whose roster key matches). ``shown``: the record's name in messages."""
    from . import signatures

    record = shown or path.name
    body_id, day, message, raw = _signable(press, path, record)
    signers = _signers(press, body_id, day)
    try:
        if member is None:
            mine = signatures.key_of(key_file) if key_file else None
            matches = [
                e for e in signers.editors
                if any(mine is None or k.line.split()[:2] == mine.split()[:2] for k in signers.members[e].keys_on(day))
            ]  # fmt: skip
            if len(matches) != 1:
                raise PressError("cannot tell which editor you are from the key — pass --member")
            member = matches[0]
        if member not in signers.editors:
            raise PressError(f"'{member}' is not an editor of {signers.id}")
        armored = signatures.signature_of(message, path.name, key_file)
    except signatures.SigningError as exc:
        raise PressError(str(exc)) from None
    # Keep the signature only if it will count — made with the member's key for that date, still in
    # service — and decide that before writing, so a failed attempt never touches a signature on disk.
    key = signatures.key_signing(signers, member, day, message, armored)
    why = None
    if key is None:
        why = f"it does not verify with a roster key of {member} valid on {day} — sign with that key (--key)"
    elif key.until is not None and key.until <= press.decisions.today_of(signers):
        why = f"it was made with {member}'s key retired on {key.until} — a retired key signs nothing new"
    if why:
        raise PressError(f"signature not kept: {why}")
    target = path.with_name(f"{path.name}.{member}.sig")
    with records_locked(press.root, body_id):
        if path.read_bytes() != raw:
            raise PressError(f"signature not kept: {record} changed while it was being signed — sign it again")
        try:
            with files.replacing(target) as f:  # a signature file is whole or not there, never half-written
                f.write(armored)
        except OSError as exc:
            raise PressError(f"{target.name}: not written — {files.why_not_written(exc)}; nothing was signed") from None
    return target


def _signable(press: Press, path: Path, record: str) -> tuple[str, dt.date, bytes, bytes]:
    """What signing the record at ``path`` means: (its body, the day whose editors and keys sign, the
    message signed, the record's bytes as the press read them). A meeting record is signed for its
    date; a ballot record or a close for the day the ballot opens or closes (press.ballot_records)."""
    from . import signatures

    root = press.root.resolve()
    resolved = path.resolve()
    for folder, kind in (("meetings", "meeting"), ("ballots", "ballot")):
        try:
            rel = resolved.relative_to(root / "editorial" / folder)
            break
        except ValueError:
            continue
    else:
        raise PressError(f"{record} is not a meeting record under editorial/meetings/ nor a ballot record under editorial/ballots/")
    if len(rel.parts) != 2 or not path.is_file():
        raise PressError(f"{record} is not a meeting record (editorial/meetings/<assembly>/<date>.yml) nor a ballot record (editorial/ballots/<body>/<id>.yml)")
    press.assembly(rel.parts[0])  # an unknown body is a usage error
    rel_path = f"editorial/{folder}/{rel.as_posix()}"
    if kind == "meeting":
        day = _record_date(path)
        meeting = next((m for m in press.records.meetings if m.path == rel_path), None)
        if meeting is None:
            raise PressError(f"signature not kept: {record} has problems of its own — press verify lists them")
        # what is signed: the record's envelope (its body, date, path and bytes), or its bytes before the cut-over
        signers = _signers(press, rel.parts[0], day)
        return rel.parts[0], day, signatures.signed_message(signers.rules, meeting), meeting.raw
    for ballot in press.records.ballots:
        if ballot.path == rel_path:
            return ballot.body, ballot.opens.date(), ballot.opening_message(), ballot.raw
        if ballot.close is not None and ballot.close.path == rel_path:
            return ballot.body, ballot.close.closed.date(), ballot.close_message(), ballot.close.raw
    raise PressError(f"signature not kept: {record} is not a ballot record nor its close, or has problems of its own — press verify lists them")

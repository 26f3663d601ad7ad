"""``press ballot …``: filing members' ballots into the repository, and what members and editors
run around them — sign, open, second, close, status (cli layer).

A secretary who receives a ballot by e-mail (or copies it from a member's page) files it with
``press ballot add FILE``: the ballot is checked exactly as the count checks it
(:func:`press.ballots.would_count`) and written to its place, ``editorial/ballots/<body>/<id>/
<assembly>.<member>.<sequence>.ballot``, under the body's lock — or refused with the reason, and
nothing is written. A ballot that arrived after the close is filed all the same: the count says it
arrived late, and the member's receipt can be found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import stat
from dataclasses import dataclass
from pathlib import Path

from . import files
from .ballot_records import BALLOTS_DIR, MAX_CAST_BYTES, CastRecord, cast_name, parse_cast
from .ballots import UPCOMING, would_count
from .model import Press, load
from .problems import PressError, Problem
from .recording import RecordRefused, _write_checked, records_locked, sign_record
from .records import digest_bytes


@dataclass
class Filed:
    shown: str  # the file as the user named it
    target: str = ""  # where it goes in the press
    refused: str = ""  # why not ("" when it is filed)
    already: bool = False  # the same bytes were there already


def _read(path: Path, shown: str) -> tuple[Filed, bytes, CastRecord | None]:
    """The ballot in ``path`` as the count reads one, or why it is none."""
    filed = Filed(shown)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device would be read for ever
            filed.refused = f"{shown}: not a file — a ballot is a file of the envelope and its signature"
            return filed, b"", None
        if path.stat().st_size > MAX_CAST_BYTES:
            filed.refused = f"{shown}: a ballot is at most {MAX_CAST_BYTES:,} bytes — this is not a ballot"
            return filed, b"", None
        raw = path.read_bytes()
    except OSError as exc:
        filed.refused = f"{shown}: cannot read it: {exc.strerror}"
        return filed, b"", None
    found: list[Problem] = []
    cast = parse_cast(raw, shown, found)
    if cast is None:
        filed.refused = "; ".join(str(p) for p in found)
        return filed, raw, None
    # the cast as it would be filed: its path in the press is where the count reads it
    cast.path = filed.target = f"{BALLOTS_DIR}/{cast.body}/{cast.ballot}/{cast_name(cast.voter, cast.sequence)}"
    return filed, raw, cast


def _judge(press: Press, filed: Filed, cast: CastRecord) -> None:
    ballot = next((b for b in press.decisions.ballots if (b.body, b.id) == (cast.body, cast.ballot)), None)
    if ballot is None:
        known = any((r.body, r.id) == (cast.body, cast.ballot) for r in press.records.ballots)
        filed.refused = f"{filed.shown}: {cast.body}'s ballot '{cast.ballot}' " + (
            "is not open: it waits to be opened (press verify says why)" if known else f"does not exist in this press ({cast.record})"
        )
    elif ballot.status == UPCOMING:
        filed.refused = f"{filed.shown}: {cast.body}'s ballot '{cast.ballot}' opens at {ballot.opens:%Y-%m-%d %H:%M} ({ballot.timezone}) — file it once it is open"
    elif why := would_count(ballot, cast):
        filed.refused = f"{filed.shown}: not filed: {why}"


def add(root: Path, now, paths: list[tuple[Path, str]]) -> list[Filed]:
    """Check every ballot of ``paths`` ((path, as the user named it)) and, if all would count, file them.
    Nothing is written if one is refused. The bodies' records are locked from reading the press to
    the last write, so that two runs filing ballots of one member cannot both pass the replay rule."""
    read = [_read(path, shown) for path, shown in paths]
    if any(f.refused for f, _, _ in read):
        return [f for f, _, _ in read]
    targets = [f.target for f, _, _ in read]
    if len(set(targets)) != len(targets):
        raise PressError("the same ballot (voter and sequence) is given twice — file each once")
    bodies = sorted({cast.body for _, _, cast in read if (root / BALLOTS_DIR / cast.body).is_dir()})
    with contextlib.ExitStack() as held:
        for body in bodies:
            held.enter_context(records_locked(root, body))
        press = load(root, now)
        for filed, _, cast in read:
            _judge(press, filed, cast)
        for filed, raw, _ in read:
            target = root / filed.target
            if target.exists():
                if target.read_bytes() == raw:
                    filed.already = True
                else:
                    filed.refused = f"{filed.shown}: not filed: {filed.target} is there already with other bytes — a voter's sequence number is used once; a new ballot takes a higher one"
        if any(f.refused for f, _, _ in read):
            return [f for f, _, _ in read]
        for filed, raw, _ in read:
            if filed.already:
                continue
            target = root / filed.target
            try:
                with files.replacing(target, exclusive=True, within=root) as out:
                    out.write(raw)
            except FileExistsError:  # written meanwhile by something that does not take the lock
                filed.refused = f"{filed.shown}: not filed: {filed.target} was written meanwhile by another run"
            except OSError as exc:
                raise PressError(f"{filed.target}: not written — {files.why_not_written(exc)}") from None
    return [f for f, _, _ in read]


# --------------------------------------------------------------------------- a member signs; editors open, second, close


def _record(press: Press, body: str, ballot_id: str) -> tuple[str, Path]:
    """The ballot record's path (relative, absolute); a usage error when there is none."""
    from .ballot_records import record_path

    press.assembly(body)  # an unknown body is a usage error
    rel = record_path(body, ballot_id)
    path = press.root / rel
    if not path.is_file():
        raise PressError(f"no ballot '{ballot_id}' of {body}: {rel} does not exist")
    return rel, path


def _opened(press: Press, body: str, ballot_id: str, rel: str):
    """The opened ballot, or a refusal saying why it is not (its problems, or no opening yet)."""
    ballot = next((b for b in press.decisions.ballots if b.body == body and b.id == ballot_id), None)
    if ballot is not None:
        return ballot
    problems = [p for p in press.problems if p.path == rel or p.path.startswith(rel.removesuffix(".yml") + ".yml.")]
    if problems:
        raise RecordRefused(problems, "the ballot record has problems: press verify lists them")
    raise RecordRefused(
        [Problem(rel, 0, "this ballot is not open: no meeting's motion (opened-by) and fewer than two editors' signatures opened it")],
        f"open it first: press ballot second {body} {ballot_id} (two editors), or a meeting's open-ballot motion",
    )


def _highest_sequence(folder: Path, voter: str) -> int:
    """The highest sequence among ``voter``'s ballot files in ``folder`` (0 if none): the file names
    count, so that a ballot the press cannot read still takes its number."""
    from .ballot_records import CAST_NAME_RE

    assembly, _, member = voter.partition("/")
    found = [int(m[3]) for p in (folder.glob("*.ballot") if folder.is_dir() else ()) if (m := CAST_NAME_RE.match(p.name)) and (m[1], m[2]) == (assembly, member)]
    return max(found, default=0)


def sign_cast(press: Press, body: str, ballot_id: str, voter: str, choice: str, sequence: int | None, key_file: Path | None) -> tuple[str, bytes]:
    """A member's ballot (``press ballot sign``): the envelope signed with ``ssh-keygen -Y sign`` and the
    signature, checked against the voter's roster keys before anything is written. Returns the file
    name the ballot takes in its ballot's folder, and its bytes."""
    from . import signatures
    from .ballot_records import cast_message, cast_name, parse_cast, valid_choice
    from .ballots import would_count
    from .records import ID_RE

    rel, path = _record(press, body, ballot_id)
    owner, _, member = voter.partition("/")
    if not (ID_RE.match(owner) and ID_RE.match(member)):
        raise PressError(f"--voter must be ASSEMBLY/MEMBER, e.g. harbor/ayse, not {voter!r}")
    ballot = _opened(press, body, ballot_id, rel)
    why = valid_choice(choice, ballot.kind, tuple(o.id for o in ballot.options) if ballot.kind != "motion" else ())
    if why:
        raise PressError(f"--choice: {why}")
    if ballot.status != "open":
        when = f"it opens {ballot.opens:%Y-%m-%d %H:%M}" if ballot.status == "upcoming" else f"it closed {ballot.closes:%Y-%m-%d %H:%M}"
        raise RecordRefused([Problem(rel, 0, f"this ballot is {ballot.status}: {when} ({ballot.timezone})")], "a ballot is cast while it is open")
    if voter not in ballot.eligible:
        raise RecordRefused(
            [Problem(rel, 0, f"{voter} is not an eligible voter of this ballot (members in good standing on its opening day, one vote per person)")],
            "check the roster, or the voter's id (ASSEMBLY/MEMBER)",
        )
    folder = path.with_suffix("")
    highest = _highest_sequence(folder, voter)
    if sequence is None:
        sequence = highest + 1
    elif sequence <= highest:
        raise RecordRefused(
            [Problem(f"{folder.relative_to(press.root).as_posix()}/{cast_name(voter, highest)}", 0, f"{voter} already cast a ballot with sequence {highest}: a new one needs a higher number")],
            f"leave out --sequence (it takes {highest + 1}), or give a number above {highest}",
        )
    message = cast_message(body, ballot_id, rel, digest_bytes(path.read_bytes()), voter, choice, sequence)
    name = cast_name(voter, sequence)
    try:
        armored = signatures.signature_of(message, name, key_file)
    except signatures.SigningError as exc:
        raise PressError(str(exc)) from None
    data = message + armored
    rel_cast = f"{folder.relative_to(press.root).as_posix()}/{name}"
    found: list[Problem] = []
    cast = parse_cast(data, rel_cast, found, name)
    if cast is None:
        raise PressError(f"internal check failed: {'; '.join(map(str, found))}")
    why = would_count(ballot, cast)  # the count's own judgement: the voter's key, its dates, the origin
    if why:
        raise RecordRefused([Problem(rel_cast, 0, f"not kept: {why}")], f"sign with {voter}'s own key (--key), the one in their roster entry")
    return name, data


def write_new(path: Path, data: bytes, shown: str) -> None:
    """Write a new file whole (never over another): a refusal if it is there already."""
    try:
        with files.replacing(path, exclusive=True) as f:
            f.write(data)
    except FileExistsError:
        raise RecordRefused([Problem(shown, 0, "already exists — nothing was written over it")], "choose another file") from None
    except OSError as exc:
        raise PressError(f"{shown}: not written — {files.why_not_written(exc)}") from None


@dataclass
class Question:
    """What ``press ballot open`` asks, from its options: a motion on an article or a member, or a
    platform question with options."""

    text: str
    motion: str | None = None  # publish | reject | retract | elect-delegate | recall-delegate
    target: str | None = None  # the article, or the member
    reason: str | None = None  # retract
    method: str | None = None  # ranked | approval
    options: tuple[tuple[str, str], ...] = ()


def open_ballot(press: Press, body: str, ballot_id: str, question: Question, opens: dt.datetime, closes: dt.datetime, opened_by: str | None) -> Path:
    """Write the ballot record ``editorial/ballots/<body>/<id>.yml`` (``press ballot open``); refused,
    with nothing written, if the press would find a problem in it. It is shown nowhere until a
    meeting's motion (``opened_by``) or two editors' signatures open it."""
    from .ballot_records import SLUG_RE, record_path

    press.assembly(body)
    if not SLUG_RE.match(ballot_id) or len(ballot_id) > 80:
        raise PressError(f"ballot id {ballot_id!r} must be lowercase letters, digits and '-' (at most 80), e.g. night-shifts")
    rel = record_path(body, ballot_id)
    path = press.root / rel
    data: dict = {"question": question.text}
    if question.motion:
        data["motion"] = question.motion
        if question.motion in ("publish", "reject", "retract"):
            article = press.article_id(question.target or "")
            data["article"] = article
            if question.motion == "publish":
                data["digest"] = press.records.articles[article].digest  # exactly the revision voted on, as it is now
            if question.motion == "retract":
                data["reason"] = question.reason
        else:
            data["member"] = question.target
    else:
        data["method"] = question.method
        data["options"] = [{"id": oid, "name": name} for oid, name in question.options]
    data["opens"] = f"{opens:%Y-%m-%d %H:%M}"
    data["closes"] = f"{closes:%Y-%m-%d %H:%M}"
    if opened_by:
        data["opened-by"] = opened_by

    def new(old: dict) -> dict:
        if old:
            raise RecordRefused([Problem(rel, 0, "this ballot record exists already — ballot records are append-only once written")], "choose another ballot id")
        return data

    if path.exists():
        new({"exists": True})
    _write_checked(press, path, new, "fix the options named above and run the command again")
    return path


def second(press: Press, body: str, ballot_id: str, key_file: Path | None, member: str | None, close: bool = False) -> Path:
    """An editor's signature of the ballot record's envelope (``press ballot second``), or of its close
    record with ``close``: the same as ``press sign`` for minutes."""
    rel, path = _record(press, body, ballot_id)
    if close:
        path = path.with_name(f"{ballot_id}.close.yml")
        if not path.is_file():
            raise PressError(f"{ballot_id} has no close record yet — press ballot close {body} {ballot_id} writes it")
    return sign_record(press, path, key_file, member)


def close_ballot(press: Press, body: str, ballot_id: str) -> tuple[Path, list[str]]:
    """Write the close record (``press ballot close``): the closing instant and the digest of every
    member's ballot in the repository now, counted or not (a file the press cannot read as a ballot
    is a problem of its own, and no ballot). Refused before the ballot's closing instant."""
    rel, path = _record(press, body, ballot_id)
    ballot = _opened(press, body, ballot_id, rel)
    target = path.with_name(f"{ballot_id}.close.yml")
    shown = target.relative_to(press.root).as_posix()
    if ballot.status in ("open", "upcoming"):
        raise RecordRefused(
            [Problem(rel, 0, f"this ballot closes {ballot.closes:%Y-%m-%d %H:%M} ({ballot.timezone}): it cannot be closed before then")],
            "run press ballot close after the closing time",
        )
    if target.exists():
        raise RecordRefused([Problem(shown, 0, "this ballot is closed already — a close record is append-only")], "sign the close record that is there: press ballot second --close")
    received = sorted({cast.digest for cast in ballot.casts})  # every ballot the press reads, counted or not
    data = {"closed": f"{ballot.closes:%Y-%m-%d %H:%M}", "received": received}

    def new(old: dict) -> dict:
        if old:
            raise RecordRefused([Problem(shown, 0, "this ballot is closed already — a close record is append-only")], "sign the close record that is there")
        return data

    _write_checked(press, target, new, "the close record would not verify: fix what is named above", body=body, render=_close_text)
    return target, received


def _close_text(data: dict) -> str:
    """A close as docs/online-ballots.md shows it: one receipt a line, so that a late addition is a one-line diff."""
    received = "".join(f"  - {digest}\n" for digest in data["received"])
    return f"closed: {data['closed']}\nreceived:{chr(10) + received if received else ' []' + chr(10)}"


def status_text(press: Press, body: str, ballot_id: str | None = None) -> str:
    """``press ballot status``: BODY's ballots — open, closing, upcoming, closed, or waiting to be opened
    — with how many have voted and what counts, as the count sees it now; for one ballot also who has
    not voted yet and every ballot file with its receipt and whether it counts."""
    from .ballot_records import record_path

    press.assembly(body)
    records = [r for r in press.records.ballots if r.body == body and (ballot_id is None or r.id == ballot_id)]
    if ballot_id is not None and not records:
        _record(press, body, ballot_id)  # no such file: a usage error
        problems = [p for p in press.problems if p.path.startswith(record_path(body, ballot_id).removesuffix(".yml"))]
        raise PressError(f"{record_path(body, ballot_id)} cannot be read: " + ("; ".join(str(p) for p in problems[:3]) or "press verify says why"))
    if not records:
        return f"{body} has no online ballots (editorial/ballots/{body}/)\n"
    opened = {(b.body, b.id): b for b in press.decisions.ballots}
    lines: list[str] = []
    for record in records:
        ballot = opened.get((record.body, record.id))
        lines.append(f"{record.id}: {record.question}")
        if ballot is None:
            why = next((w.message for w in press.warnings if w.path == record.path), "")
            why = why or next((p.message for p in press.problems if p.path == record.path), "not opened")
            lines += [f"  not open — {why}", ""]
            continue
        window = f"{ballot.opens:%Y-%m-%d %H:%M} to {ballot.closes:%Y-%m-%d %H:%M} ({ballot.timezone})"
        lines.append(f"  {ballot.status}: {window}; opened by {ballot.opened_by}")
        voted = {c.voter for c in ballot.casts}
        not_yet = [v for v in ballot.eligible if v not in voted]
        lines.append(f"  {len(ballot.eligible)} eligible; {len(voted)} voted; {len(not_yet)} not yet")
        if ballot_id is not None and not_yet and ballot.status in ("open", "upcoming"):
            lines.append(f"  not yet voted: {', '.join(not_yet)}")
        counted = [c for c in ballot.casts if c.counted]
        if ballot.result is not None:
            r = ballot.result
            figures = f"{r.yes} yes · {r.no} no · {r.abstain} abstain" if ballot.kind == "motion" else f"{r.turnout} ballot(s)"
            lines.append(f"  result: {r.status} — {figures} of {r.eligible} eligible (quorum {r.quorum})" + (f"; {'; '.join(r.reasons)}" if r.reasons else ""))
        else:
            tally: dict[str, int] = {}
            for cast in counted:
                tally[cast.choice] = tally.get(cast.choice, 0) + 1
            shown = " · ".join(f"{n} {choice}" for choice, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))) or "nothing yet"
            quorum = press.assembly(body).rules.quorum_for(len(ballot.eligible), online=True)
            lines.append(f"  would count now: {shown} ({len(counted)} of {len(ballot.eligible)} eligible; quorum {quorum})")
        if ballot_id is not None:  # one ballot: every ballot file, with its receipt
            for cast in ballot.casts:
                mark = "counts" if cast.counted else f"not counted: {cast.why}"
                lines.append(f"    {cast.path.rsplit('/', 1)[-1]}  {cast.choice}  {cast.digest}  {mark}")
        elif refused := sum(1 for c in ballot.casts if not c.counted):
            lines.append(f"  {refused} ballot file(s) not counted — press ballot status {body} {record.id} says why")
        lines.append("")
    return "\n".join(lines)

"""``press ballot …``: filing members' ballots into the repository (cli layer).

A secretary who receives a ballot by e-mail (or copies it from a member's page) files it with
``press ballot add FILE``: the ballot is checked exactly as the count checks it
(:func:`press.ballots.would_count`) and written to its place, ``editorial/ballots/<body>/<id>/
<assembly>.<member>.<sequence>.ballot``, under the body's lock — or refused with the reason, and
nothing is written. A ballot that arrived after the close is filed all the same: the count says it
arrived late, and the member's receipt can be found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import files
from .ballot_records import BALLOTS_DIR, MAX_CAST_BYTES, cast_name, parse_cast
from .ballots import UPCOMING, would_count
from .model import Press, load
from .problems import PressError, Problem
from .recording import records_locked


@dataclass
class Filed:
    shown: str  # the file as the user named it
    target: str = ""  # where it goes in the press
    refused: str = ""  # why not ("" when it is filed)
    already: bool = False  # the same bytes were there already


def _judge(press: Press, path: Path, shown: str) -> tuple[Filed, bytes]:
    filed = Filed(shown)
    try:
        if path.stat().st_size > MAX_CAST_BYTES:
            filed.refused = f"{shown}: a ballot is at most {MAX_CAST_BYTES:,} bytes — this is not a ballot"
            return filed, b""
        raw = path.read_bytes()
    except OSError as exc:
        filed.refused = f"{shown}: cannot read it: {exc.strerror}"
        return filed, b""
    found: list[Problem] = []
    cast = parse_cast(raw, shown, found)
    if cast is None:
        filed.refused = "; ".join(str(p) for p in found)
        return filed, raw
    ballot = next((b for b in press.decisions.ballots if (b.body, b.id) == (cast.body, cast.ballot)), None)
    if ballot is None:
        known = any((r.body, r.id) == (cast.body, cast.ballot) for r in press.records.ballots)
        filed.refused = f"{shown}: {cast.body}'s ballot '{cast.ballot}' " + (
            "is not open: it waits to be opened (press verify says why)" if known else f"does not exist in this press ({cast.record})"
        )
        return filed, raw
    if ballot.status == UPCOMING:
        filed.refused = f"{shown}: {cast.body}'s ballot '{cast.ballot}' opens at {ballot.opens:%Y-%m-%d %H:%M} ({ballot.timezone}) — file it once it is open"
        return filed, raw
    # the cast as it would be filed: its path in the press is where the count reads it
    cast.path = f"{BALLOTS_DIR}/{cast.body}/{cast.ballot}/{cast_name(cast.voter, cast.sequence)}"
    filed.target = cast.path
    why = would_count(ballot, cast)
    if why:
        filed.refused = f"{shown}: not filed: {why}"
    return filed, raw


def add(root: Path, now, paths: list[tuple[Path, str]]) -> list[Filed]:
    """Check every ballot of ``paths`` ((path, as the user named it)) and, if all would count, file them.
    Nothing is written if one is refused."""
    press = load(root, now)
    judged = [_judge(press, path, shown) for path, shown in paths]
    if any(f.refused for f, _ in judged):
        return [f for f, _ in judged]
    targets = [f.target for f, _ in judged]
    if len(set(targets)) != len(targets):
        raise PressError("the same ballot (voter and sequence) is given twice — file each once")
    for filed, raw in judged:
        body = filed.target.split("/")[2]
        with records_locked(root, body):
            target = root / filed.target
            if target.exists():
                if target.read_bytes() == raw:
                    filed.already = True
                    continue
                filed.refused = f"{filed.shown}: not filed: {filed.target} is there already with other bytes — a voter's sequence number is used once; a new ballot takes a higher one"
                continue
            try:
                with files.replacing(target, exclusive=True) as out:
                    out.write(raw)
            except FileExistsError:
                filed.refused = f"{filed.shown}: not filed: {filed.target} was written meanwhile by another run"
            except OSError as exc:
                raise PressError(f"{filed.target}: not written — {files.why_not_written(exc)}") from None
    return [f for f, _ in judged]

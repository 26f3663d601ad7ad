"""Writing meeting records and new articles, for the ``press new`` and ``press record`` commands.

Every write is checked by reading the press back: a record that would not verify is not kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import files, strictyaml
from .decisions import Outcome
from .model import Press, load
from .output import pause_point
from .problems import PressError, Problem
from .records import SLUG_RE


def slugify(title: str) -> str:
    """``"Rent strike wins!"`` -> ``rent-strike-wins``"""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-")


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
    header += ["Summary: One or two sentences that sell the piece.", "Tags:", "Lang: en"]
    body = "Write the article here, in Markdown.\n"
    try:
        with files.replacing(path, exclusive=True) as f:  # another run's article of that name is never replaced
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


yaml.SafeDumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def _render(data: dict) -> str:
    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
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


def _write_checked(press: Press, path: Path, change: Callable[[dict], dict]) -> tuple[Press, dict]:
    """Apply ``change`` to the record at ``path`` as it is now and read the press back; keep the old
    record if the change adds problems. Under the body's lock, from reading the record to writing it,
    so that a change made by another run meanwhile is kept, never written over."""
    rel = path.relative_to(press.root).as_posix()
    before = {p for p in press.problems if p.path == rel}
    path.parent.mkdir(parents=True, exist_ok=True)
    with records_locked(press.root, path.parent.name):
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # what a killed run left
            stale.unlink(missing_ok=True)
        old = path.read_bytes() if path.exists() else None
        data = change(_parse_existing(old, path, rel))
        _replace(path, rel, _render(data).encode())
        after = load(press.root, press.decisions.now)
        added = [p for p in after.problems if p.path == rel and p not in before]
        if added:
            if old is None:
                path.unlink()
            else:
                _replace(path, rel, old)
            raise RecordRefused(added)
    return after, data


class RecordRefused(Exception):
    """The record would not verify; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def record_attendance(press: Press, assembly: str, day: dt.date, members: list[str], count: int | None) -> Path:
    """Set who attended the meeting of ``assembly`` on ``day`` (creating its record)."""
    a = press.assembly(assembly)
    path = meeting_path(press, assembly, day)
    if press.records.council is a:
        from .council.decisions import seats_on

        if count is not None:
            raise PressError("the council votes by roll-call: name the seats present (assembly ids)")
        # Each seat with the delegate who sat in it: SEAT, or SEAT=DELEGATE to name who took the seat.
        seats = seats_on(press.records.assemblies, press.decisions.delegates, day, a.rules.weighting)  # type: ignore[attr-defined]
        sitting: dict[str, str] = {}
        for item in members:
            seat, _, who = item.partition("=")
            sitting[seat] = who or (seats[seat].delegate if seat in seats else None)  # type: ignore[assignment]
        _write_checked(press, path, lambda data: {"present": sitting, **{k: v for k, v in data.items() if k != "present"}})
        return path
    if count is not None:
        if a.rules.ballot != "secret":
            raise PressError(f"{assembly} votes by roll-call: name who is present instead of giving a count")
        present: list[str] | int = count
    else:
        present = list(dict.fromkeys(members))
    _write_checked(press, path, lambda data: {"present": present, **{k: v for k, v in data.items() if k != "present"}})
    return path


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
) -> Outcome:
    """Append a motion to the meeting of ``day`` and return its outcome as the build will see it.

    ``agenda``: the short digest printed on the agenda the assembly voted from; the motion is
    refused, and nothing written, unless the article is still exactly those bytes.
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
    path = meeting_path(press, assembly, day)
    rel = path.relative_to(press.root).as_posix()
    motion: dict = {kind: target}
    if kind == "publish":
        motion["digest"] = press.records.articles[target].digest
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

"""The files a press is read from, as the file system describes them, and the last answer of
``press verify`` for exactly those files.

``scan(root)`` lists ``content/`` and ``editorial/`` in one pass (every entry's name, kind, size,
times, inode and device — no file is opened). ``load`` remembers the problems it found under the
digest of that listing, the day it decided for, the press's own version and, when the decisions
asked git (an article that motions name was removed), the commit git's HEAD names. ``press verify``
answers from that memory when all of these are unchanged, and reads everything otherwise.

Why this cannot answer stale: a write to a file moves its change time (``ctime``, which no user
can set, unlike ``mtime``); a file replaced by another has another inode; a file added, removed or
renamed changes the listing. A file whose change time is within :data:`press.cache.RACY_NS` of
the scan is "racy" (two writes within one tick of a coarse file-system clock could look alike):
while there is one, nothing is remembered. The memory is plain data in :mod:`press.store` (never
code), and anything damaged or foreign in it is ignored. Only ``press verify`` and the other commands
keep it, as an explicit step when they are done (:meth:`press.model.Press.save`): reading never writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from stat import S_ISDIR

from . import cache as _cache
from . import clock
from .cache import file_status
from .problems import GIT_TIMEOUT, PressError, Problem
from .store import Store, salt

TOPS = ("content", "editorial")
# The folders every command reads, which must be real folders of the repository.
SOURCE_TOPS = ("content", "editorial", "theme")
# The store's manifest of verify's answer (press.store).
VERIFIED = "verified"
_NAME = attrgetter("name")  # a directory entry's name: the order a folder is listed in


def refuse_linked_tops(root: Path | str) -> None:
    """Raise :class:`PressError` if ``content/``, ``editorial/`` or ``theme/`` is a symbolic link: what
    a command reads, checks or publishes would then come from wherever the link points (another
    checkout, another user's folder), outside what git and the pull request's check saw. Every
    command that reads them calls this first."""
    for name in SOURCE_TOPS:
        if os.path.islink(os.path.join(root, name)):
            raise PressError(f"{name}: the {name} folder is a symbolic link — make it a real folder (press reads only what is in the repository)")


@dataclass
class Inputs:
    """Every entry under content/ and editorial/ with its status, keyed by path (``root/content/…``,
    as :func:`os.scandir` spells it), and the digest of them all."""

    statuses: dict[str, tuple]
    digest: str
    settled: bool  # no entry changed within RACY_NS of the scan


def scan(root: Path | str, tops: tuple[str | Path, ...] = TOPS) -> Inputs:
    """``tops``: the folders to list, relative to ``root`` or absolute (a build adds the theme)."""
    root = Path(root)
    started = clock.wall_ns()
    statuses: dict[str, tuple] = {}
    digest = hashlib.sha256()
    newest = 0

    def walk(folder: str, label: str) -> None:
        """``label``: ``folder`` as the digest spells it (from the top, never from the way ``root`` was
        written: ``press --root .`` and a resolved path are one press)."""
        nonlocal newest
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as exc:  # unreadable: part of the answer (verify reports what it cannot read)
            digest.update(f"{label}\0error {exc.errno}\n".encode())
            return
        lines: list[str] = []  # this folder's lines, hashed at once (before a folder inside it is walked)
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                lines.append(f"{label}/{entry.name}\0error {exc.errno}\n")
                newest = started  # cannot vouch for it
                continue
            status = file_status(st)
            statuses[entry.path] = status
            lines.append(f"{label}/{entry.name}\0{status}\n")
            if status[3] > newest:
                newest = status[3]
            if S_ISDIR(st.st_mode):
                digest.update("".join(lines).encode())
                lines.clear()
                walk(entry.path, f"{label}/{entry.name}")
        digest.update("".join(lines).encode())

    for top in tops:
        folder = str(root / top)
        label = str(top) if not Path(top).is_absolute() else folder  # a top outside the press: where it is
        digest.update(f"{label}\n".encode())
        walk(folder, label)
    return Inputs(statuses, digest.hexdigest(), newest < started - _cache.RACY_NS)


def git_head(root: Path | str) -> str:
    """The commit HEAD names in the repository holding ``root``, and whether the clone is shallow (a
    deepened clone has more history at the same commit): ``"<commit> shallow=<true|false>"``; ''
    outside git or without commits."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository", "--verify", "-q", "HEAD"], cwd=root,
            capture_output=True, text=True, timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = done.stdout.split()
    return f"{lines[1]} shallow={lines[0]}" if done.returncode == 0 and len(lines) == 2 else ""


@dataclass
class Verified:
    """What ``press verify`` reports: the problems and what was read."""

    problems: list[Problem]
    assemblies: int
    council: bool
    meetings: int
    articles: int
    warnings: list[Problem] = field(default_factory=list)


def _key(inputs: Inputs) -> str:
    return inputs.digest  # the press's version is the store's salt


def remember(
    root: Path | str, inputs: Inputs, now: dt.datetime, zones: tuple[str, ...], verified: Verified, asked_git: bool
) -> None:
    """Keep ``verified`` as the answer for ``inputs`` on the day ``now`` falls on in each of ``zones``
    (the bodies' timezones), if every input has settled."""
    if not inputs.settled:
        return
    head = git_head(root) if asked_git else None
    problems = tuple((p.path, p.line, p.message) for p in verified.problems)
    counts = (verified.assemblies, verified.council, verified.meetings, verified.articles)
    warnings = tuple((p.path, p.line, p.message) for p in verified.warnings)
    # a read-only cache folder: verify reads everything next time
    Store(root).keep_value(VERIFIED, salt(), (_key(inputs), zones, clock.days(now, zones), head, problems, counts, warnings))


def recall(root: Path | str, inputs: Inputs, now: dt.datetime) -> Verified | None:
    """The answer remembered for ``inputs`` on the same day as ``now`` in every body's timezone, or None."""
    try:
        key, zones, days, head, problems, counts, warnings = Store(root).value(VERIFIED, salt())
        if key != _key(inputs) or days != clock.days(now, zones) or (head is not None and head != git_head(root)):
            return None
        return Verified(
            [Problem(str(p), int(l), str(m)) for p, l, m in problems], *counts, [Problem(str(p), int(l), str(m)) for p, l, m in warnings]
        )
    except Exception:  # missing, damaged, truncated or foreign: read everything
        return None

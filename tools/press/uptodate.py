"""Is the site already what a build would make? Then a build has nothing to do.

A build's result depends only on its inputs: the files of ``content/``, ``editorial/`` and the theme,
the files at the top of the press (the configuration), the git commit the history is read from, every
setting, the press's own code and libraries, whether search is on, and the run's date in each body's
timezone (features expire, meetings become past: :func:`press.clock.days`) — and, within a day, the
instants ballots open and close. After each successful build the press keeps, for the build folder it swapped
in, a key over all of these and the size, modification time and inode of every file it left there.

The next build of the same output computes the key again — one ``stat`` per input file, one ``git
rev-parse`` — and when it is equal and the site's files are exactly those recorded (none added,
removed, edited or replaced), it reports the previous build's warnings and summary and leaves the
site alone. Any difference, however small, and the build runs as usual (and reuses what it can: see
:mod:`press.site.memo`). Inputs are compared by ``stat``, as git and make do: an edit changes a
file's size, modification time or status-change time (which no user can set back). A file written
within :data:`press.cache.RACY_NS` before the build began might be written again within the same
tick of the file system's clock, leaving the same status: those few are also compared by their
bytes (git's "racily clean" entries).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as _cache
from .output import site_state  # one walk of a built site: the manifest's and this record's
from . import clock
from .cache import file_status, settings_salt
from .store import Store, salt
from .history import in_work_tree
from .inputs import git_head, scan

# Folders of the press that a build reads; the theme and content folders come from the settings.
READ = ("content", "editorial")


@dataclass
class Record:
    """What the build that made a site folder saw, and what it left there."""

    inputs: "Inputs"
    site: str = ""  # site_digest of the folder as the build left it: every file's size, mtime_ns and inode
    warnings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    zones: tuple[str, ...] = ()  # the bodies' timezones
    days: str = ""  # the build's date in each of them (press.clock.days)
    # the next instant the site changes with the clock within a day (a ballot opens or closes: its
    # page, feed and calendar change then, not at a midnight), ISO 8601; "" when none is to come
    until: str = ""


def site_digest(state: dict[str, tuple[int, int, int]]) -> str:
    """One digest of a built site's :func:`~press.output.site_state`: two states have the same digest
    only if they list the same files with the same size, modification time and inode. (The record
    keeps this, not the state: reading back tens of thousands of entries cost more than walking the site.)"""
    return hashlib.sha256(json.dumps(sorted(state.items()), separators=(",", ":")).encode()).hexdigest()


def record_name(site: Path) -> str:
    """The store's manifest that holds the record of the build folder ``site``."""
    return "built-" + hashlib.sha256(str(Path(site)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Inputs:
    """What a build reads: a digest of every input's status, and the sha256 of each file that was
    written too recently for its status to tell two writes apart (:data:`press.cache.RACY_NS`, as
    git's "racily clean" entries): those few are compared by their bytes."""

    digest: bytes
    racy: tuple[tuple[str, str], ...] = ()  # (path, sha256 of its bytes when the build began)

    def still(self) -> bool:
        """The racy files hold the bytes they held then."""
        for path, sha in self.racy:
            try:
                with open(path, "rb") as f:
                    if hashlib.sha256(f.read()).hexdigest() != sha:
                        return False
            except OSError:
                return False
        return True


def inputs_key(root: Path, settings: dict, search: bool) -> Inputs:
    """Everything a build of ``root`` with ``settings`` reads, as :class:`Inputs` (the date is
    compared apart: :attr:`Record.days`)."""
    digest = hashlib.sha256(f"{salt()}\0{settings_salt(settings)}\0search={search}\0".encode())
    head = git_head(root)
    # Outside git the history is empty whatever happens; in a work tree without an answer, never skip.
    digest.update(head.encode() if head or not in_work_tree(root) else os.urandom(16))
    folders = {Path(settings["PATH"]).resolve(), Path(settings["THEME"]).resolve()}
    folders |= {(root / name).resolve() for name in READ}
    listing = scan(root, tuple(sorted(folders)))
    digest.update(listing.digest.encode())
    statuses = dict(listing.statuses)
    with os.scandir(root) as entries:  # the configuration, .mailmap and anything else at the top
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_file(follow_symlinks=False):
                status = file_status(entry.stat(follow_symlinks=False))
                digest.update(f"\0top\0{entry.name}\0{status}".encode())
                statuses[entry.path] = status
    recent = clock.wall_ns() - _cache.RACY_NS
    racy = []
    for path, status in sorted(statuses.items()):
        if status[3] >= recent and stat.S_ISREG(status[0]):
            try:
                with open(path, "rb") as f:
                    racy.append((path, hashlib.sha256(f.read()).hexdigest()))
            except OSError:
                racy.append((path, ""))  # never matches
    return Inputs(digest.digest(), tuple(racy))




def load(root: Path, site: Path) -> Record | None:
    record = Store(root).value(record_name(site), salt())  # missing, damaged or foreign: None, the build runs
    return record if isinstance(record, Record) and isinstance(record.inputs, Inputs) and _whole(record) else None


def _whole(record: Record) -> bool:
    """Every field of ``record`` has the shape this code writes (a hand-edited record: a full build, never a traceback)."""

    def strings(value, n=None) -> bool:
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value) and (n is None or len(value) == n)

    inputs = record.inputs
    return (
        isinstance(inputs.digest, bytes)
        and isinstance(inputs.racy, (list, tuple)) and all(strings(r, 2) for r in inputs.racy)
        and isinstance(record.site, str) and len(record.site) == 64
        and strings(record.warnings) and strings(record.summary) and strings(record.zones) and isinstance(record.days, str)
        and isinstance(record.until, str)
    )  # fmt: skip


def unchanged(root: Path, site: Path | None, inputs: Inputs, now: dt.datetime) -> Record | None:
    """The record of ``site`` if it was built from exactly ``inputs`` on the same day as ``now`` in
    every body's timezone, before the next instant a ballot opens or closes, and is exactly as that
    build left it."""
    if site is None:
        return None
    record = load(root, site)
    if record is None or record.inputs.digest != inputs.digest or not record.inputs.still():
        return None
    if not record.zones or record.days != clock.days(now, record.zones):
        return None
    if record.until and not now < _instant(record.until):
        return None
    try:
        return record if site_digest(site_state(site)) == record.site else None
    except OSError:
        return None


def next_change(instants, now: dt.datetime) -> str:
    """:attr:`Record.until` for a build at ``now``: the first of ``instants`` (ballots' openings and
    closes) after it."""
    later = [t for t in instants if t > now]
    return min(later).astimezone(dt.timezone.utc).isoformat() if later else ""


def _instant(text: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:  # a hand-edited record: the build runs
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return instant


def save(root: Path, site: Path, record: Record) -> None:
    """Keep ``record`` for the build folder ``site``; a cache that cannot be written only costs speed."""
    Store(root).keep_value(record_name(site), salt(), record)


def forget(root: Path, site: Path | None) -> None:
    if site is not None:
        Store(root).forget(record_name(site))

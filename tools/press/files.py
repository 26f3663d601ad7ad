"""Files that are never half-written, and records that two runs never change at once.

Every file press writes over another — a meeting record, a signature, an agenda, a cache — is
written by :func:`replacing`: beside its place, flushed to the disk, then renamed over the old one
(as git writes its index). A run killed or a disk filled at any moment leaves the old file or the
new one, whole, never a mix or an empty file. A change to a body's records also holds
:func:`locked` from reading the record to writing it, so two runs serialise instead of each
writing over what the other recorded.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .problems import PressError

# How long a run waits for another to finish writing the same records before it gives up.
LOCK_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.05


class Busy(PressError):
    """Another run held the lock for longer than :data:`LOCK_WAIT_SECONDS`."""


def leftover(name: str) -> bool:
    """Whether ``name`` is a file :func:`replacing` wrote beside another and a killed run left behind."""
    return name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3


def _beside(path: str, mode: int | None = None) -> tuple[int, str]:
    """A new file in ``path``'s folder (made, with the folders above it, when missing), with the
    permissions ``mode`` (exactly), or by default the old file's (or what a new file gets)."""
    folder, name = os.path.split(path)
    made = False
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666 if mode is None else mode)
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made:
                raise
            os.makedirs(folder or ".", exist_ok=True)  # asked only when missing: a file written is a call fewer
            made = True
            continue
        with contextlib.suppress(OSError):  # exactly the mode asked, whatever the umask; else the old file's
            os.fchmod(fd, mode if mode is not None else stat.S_IMODE(os.stat(path).st_mode))
        return fd, tmp


def _open(fd: int) -> BinaryIO:
    return os.fdopen(fd, "wb")


def remove_empty_folders(path: str | os.PathLike) -> None:
    """Remove the folder ``path`` and the folders in it, deepest first, if it holds folders alone
    (none of them a link); anything else in it raises OSError (ENOTEMPTY) before anything is removed."""
    found = []

    def fail(exc: OSError) -> None:
        raise exc

    for folder, folders, files in os.walk(path, topdown=False, onerror=fail):
        if files or any(os.path.islink(os.path.join(folder, name)) for name in folders):
            raise OSError(errno.ENOTEMPTY, "a folder with files in it", os.fspath(path))
        found.append(folder)
    for folder in found:
        os.rmdir(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (the folder's entries reach the disk)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def linked_folder(within: Path, path: Path) -> Path | None:
    """The first folder from ``within`` down to ``path`` (or ``path`` itself) that is a symbolic
    link, or None: a write there would land wherever the link points, outside the repository."""
    within, path = Path(within), Path(path)
    try:
        parts = path.relative_to(within).parts
    except ValueError:
        return path
    here = within
    for part in parts:
        here = here / part
        if here.is_symlink():
            return here
    return None


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = True, exclusive: bool = False, within: Path | None = None,
              mode: int | None = None) -> Iterator[BinaryIO]:  # fmt: skip
    """A file to write ``path``'s new bytes into: written beside it and renamed over it when the block
    ends without an error, so no reader and no killed run ever finds half a file, and a failed write
    (a full disk) leaves the old file as it was and nothing beside it. Errors are the caller's.

    ``durable``: flush the bytes and the rename to the disk before returning (records: a power cut
    keeps them). A cache, which only saves time, may skip it. ``exclusive``: never replace — raise
    :class:`FileExistsError` if ``path`` exists (a new article). ``within``: the repository the
    file belongs in — refuse (:class:`PressError`) when a folder on the way, or the file itself, is
    a symbolic link, before anything is made. ``mode``: the new file's permissions, from its making
    on (default: the old file's, or what a new file gets)."""
    if within is not None and (link := linked_folder(within, Path(path))) is not None:
        shown = link.relative_to(within) if link.is_relative_to(within) else link
        raise PressError(f"{shown}: not written — it is a symbolic link or outside the repository; press writes records only inside it")
    path = os.fspath(path)  # the path as a string: the store writes thousands of files a build
    fd, tmp = _beside(path, mode)
    try:
        with _open(fd) as f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)  # fails if path exists: never replaces
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
        if durable:
            fsync_folder(Path(path).parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(lock: Path, what: str) -> Iterator[None]:
    """Hold the lock file ``lock`` (an advisory ``flock``: released by the kernel when a run dies, so a
    killed run never leaves a lock behind). Waits up to :data:`LOCK_WAIT_SECONDS`, then raises
    :class:`Busy` naming ``what``. The file exists only while held."""
    tries = max(1, round(LOCK_WAIT_SECONDS / _POLL_SECONDS))
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        for attempt in range(tries):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt + 1 < tries:
                    time.sleep(_POLL_SECONDS)
        else:
            os.close(fd)
            raise Busy(f"another press run is writing {what} (it holds {lock.name}) — try again when it is done")
        # The run we waited for removed the file on its way out: lock the one now there instead.
        try:
            mine = os.fstat(fd)
            there = os.stat(lock)
            if (mine.st_ino, mine.st_dev) == (there.st_ino, there.st_dev):
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def why_not_written(exc: OSError) -> str:
    """One sentence for a write that failed."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return exc.strerror or str(exc)

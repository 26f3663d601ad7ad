"""The output path: what press may write to, and how a new site replaces the old one in one step.

For an output path ``site`` in folder ``D``, press keeps everything it makes in ``D/.site.builds/``::

    D/site                            -> .site.builds/<id>  (a relative symbolic link: the current site)
    D/.site.builds/PRESS-OUTPUT       the marker: this folder and D/site are press's to replace
    D/.site.builds/.gitignore         "*": git ignores the builds wherever the output lives
    D/.site.builds/lock               held (fcntl) for the whole build: one build per output at a time
    D/.site.builds/<id>/              one folder per build: the current site, or a build in progress
    D/.site.builds/<id>.manifest      every file and folder press wrote in <id>/ (size, time, inode)

A build writes a new ``<id>/`` folder, and only when it is complete and checked does it replace the
link, with ``rename()`` of a new link over the old one: the kernel swaps the link atomically, so at
every instant ``site`` is either the previous complete site or the new complete one. The marker is
outside every site folder, so it is never published.

Press writes only where it may: a path that does not exist, an empty folder, or a link it made
(checked against the marker). Anything else — a folder of other files (even one that looks like a
press site), a file, a device, a FIFO, someone else's link, the press itself, a folder that contains
it, or a folder of its sources — is refused before anything is touched.

Press deletes only what it can show it wrote: a site folder is removed (when a newer one replaces
it, or as a leftover) only if every file and folder in it is listed in its manifest. A
site whose folder holds anything else is not replaced: the build is refused, naming the foreign
files. See :func:`foreign`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import json
import os
import posixpath
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable

from . import clock
from .files import fsync_folder as _fsync_folder
from .files import leftover, remove_empty_folders, replacing
from .problems import PressError

MARKER = "PRESS-OUTPUT"
MARKER_TEXT = (
    "Assembly Press keeps its builds of {name} here: {name} is a link to the current one.\n"
    "press build replaces them; do not keep your own files in this folder.\n"
)
LOCK = "lock"
# Folders of the repository that hold sources: never an output, never inside one.
SOURCES = ("content", "editorial", "theme", "docs", "tools", "tests", ".github", ".git")
_BUILD_NAME = re.compile(r"^\d{8}T\d{6}Z-[A-Za-z0-9_]+$")
_KEEP = {MARKER, ".gitignore", LOCK}
RETIRED = "retired-"  # a replaced site, being deleted
MANIFEST = ".manifest"  # <id>.manifest beside the build folder <id>/: never inside the served site
_MANIFEST_FORMAT = "assembly-press-manifest-1"
SHOWN = 20  # foreign files named in a message; the rest are counted


class OutputRefused(PressError):
    """The output path is not press's to write: nothing was touched."""


def builds_folder(path: Path) -> Path:
    return path.with_name(f".{path.name}.builds")


def output_path(given: Path | str) -> Path:
    """The path a build will replace, with its folder resolved as the kernel would (symbolic links and
    ``..`` alike) and its last part kept as it is: press must see a link there, not where it points."""
    full = os.path.join(os.getcwd(), os.fspath(given))
    head, tail = os.path.split(full.rstrip("/") or "/")  # `output/` names the link, not the folder it points to
    if tail in ("", ".", ".."):
        return Path(os.path.realpath(os.path.join(head, tail)))
    return Path(os.path.realpath(head)) / tail


# --------------------------------------------------------------------------- what press may write to


NEW, EMPTY, OURS = "new", "empty", "ours"


def check(root: Path, path: Path, protected: tuple[Path, ...] = (), files: bool = True) -> str:
    """What ``path`` holds now: :data:`NEW`, :data:`EMPTY` or :data:`OURS` (a link press made to a
    site it can show it wrote, file by file); raises :class:`OutputRefused` otherwise. Reads only;
    ``protected`` adds folders (the configured theme and content) to the repository's sources.
    ``files=False`` leaves out the file-by-file look at the site a press link points to (a walk of
    every file of a large site), for the look again under the lock: whatever is in the site then — a
    file put there after the first look, or a site another build swapped in while this one waited —
    is looked at right before the swap (:meth:`Output._still`), which refuses to replace a site with
    a file press did not write, and nothing press deletes goes unlooked at (:meth:`Output._ours_to_delete`).
    The cost: such a file stops the build at the swap, after the work, not before it."""
    root = root.resolve()

    def refuse(why: str) -> OutputRefused:
        return OutputRefused(f"refusing to build into {path}: {why} — choose a new or empty folder for --output")

    if path == root or path in root.parents:
        raise refuse("it contains the press itself")
    for folder in [root / name for name in SOURCES] + [Path(os.path.realpath(p)) for p in protected]:
        if path == folder or folder in path.parents:
            shown = folder.relative_to(root).as_posix() + "/" if folder.is_relative_to(root) else str(folder)
            raise refuse(f"it is in {shown}, which holds the press's sources")
    for folder in path.parents:
        if folder.name.startswith(".") and folder.name.endswith(".builds") and (folder / MARKER).exists():
            raise refuse(f"it is inside {folder}, where press keeps the builds of another output")
    return _state(path, refuse, files)


def _state(path: Path, refuse: Callable[[str], Exception], files: bool = True) -> str:
    """What ``path`` holds, judged by itself (see :func:`check`)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return NEW
    except NotADirectoryError:
        raise refuse(f"{path.parent} is not a folder") from None
    if stat.S_ISLNK(info.st_mode):
        if not _is_ours(path):
            raise refuse("it is a symbolic link that press did not make")
        site = path.parent / os.readlink(path)
        if files and _is_folder(site) and (found := foreign(site)):
            raise refuse(
                f"press did not write {_listed(found)} in {site} (the site it points to), and a new build "
                "would delete them — move them away; a file meant for the site goes in content/, where a vote publishes it"
            )
        return OURS
    if stat.S_ISREG(info.st_mode):
        raise refuse("it is a file")
    if not stat.S_ISDIR(info.st_mode):
        raise refuse("it is a device, FIFO or socket, not a folder")
    if not any(os.scandir(path)):
        return EMPTY
    # No manifest can vouch for a plain folder (press's sites are links): everything in it is foreign,
    # even index.html, assemblies.html and ledger.json — any folder can hold files of those names.
    raise refuse(f"it is a folder of files that press did not make ({_listed(foreign(path))}); press deletes only what it can show it wrote")


def _is_ours(path: Path) -> bool:
    """A link to ``.<name>.builds/<id>`` beside a builds folder with press's marker."""
    target = os.readlink(path)
    builds = builds_folder(path)
    parts = target.split("/")
    if len(parts) != 2 or parts[0] != builds.name or not _BUILD_NAME.match(parts[1]):
        return False
    return _marked(builds)


def _marked(builds: Path) -> bool:
    try:
        if not stat.S_ISDIR(builds.lstat().st_mode):
            return False
        marker = builds / MARKER
        return stat.S_ISREG(marker.lstat().st_mode) and marker.read_text(encoding="utf-8").startswith("Assembly Press")
    except (OSError, UnicodeDecodeError):
        return False


def site_folder(folder: Path) -> str | None:
    """Why ``folder`` is a site press built or manages, or None: a builds folder, an output path
    (press's link, or a folder with press's builds beside it), a build with its manifest beside it,
    or a folder holding what every press site holds (``index.html``, ``assemblies.html`` and a
    ``ledger.json`` with ``"assemblies"``: a copy of a press site, a gh-pages worktree)."""
    if not folder.name:
        return None  # the file system's root
    if folder.name.startswith(".") and folder.name.endswith(".builds"):
        return f"{folder}, where press keeps the builds of an output"
    if _marked(builds_folder(folder)):
        return f"{folder}, an output press builds"
    if manifest_of(folder).is_file():
        return f"{folder}, a site press built"
    try:
        ledger = json.loads((folder / "ledger.json").read_text(encoding="utf-8"))
        looks = (folder / "index.html").is_file() and (folder / "assemblies.html").is_file()
    except (OSError, ValueError):
        return None
    if looks and isinstance(ledger, dict) and "assemblies" in ledger:  # a press with a council adds "council"
        return f"{folder}, which holds a press site"
    return None


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def manifest_of(site: Path) -> Path:
    """Where the manifest of the build folder ``site`` is kept: beside it, never inside it."""
    return site.with_name(site.name.removeprefix(RETIRED) + MANIFEST)


def site_state(site: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder of a built site, with its size, modification time and inode (links not
    followed; anything that is not a plain file gets inode -1, which no manifest holds). What is
    removed while it is listed (a replaced site being deleted) is left out."""
    state: dict[str, tuple[int, int, int]] = {}
    for rel, entry, is_dir in _walk(site):
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if is_dir:
            state[rel + "/"] = (0, 0, st.st_ino)
        else:  # files, and anything else (a link put there by hand never matches a record)
            state[rel] = (st.st_size, st.st_mtime_ns, st.st_ino if entry.is_file(follow_symlinks=False) else -1)
    return state


def _paths(site: Path) -> list[str]:
    """The names :func:`site_state` gives, without the status of each (what :func:`foreign` needs:
    the directory listings alone, no system call per file)."""
    return [rel + "/" if is_dir else rel for rel, _, is_dir in _walk(site)]


def _walk(site: Path):
    """Every file and folder below ``site``: (its path relative to ``site``, its directory entry,
    whether it is a folder), links not followed. What is removed while it is listed is left out."""
    prefix = len(str(site)) + 1
    stack = [str(site)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except FileNotFoundError:
            continue
        for entry in listing:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if is_dir:
                stack.append(entry.path)
            yield entry.path[prefix:], entry, is_dir


def write_manifest(site: Path, state: dict[str, tuple[int, int, int]] | None = None) -> None:
    """Record every file and folder of the complete build ``site`` (``state``: its :func:`site_state`,
    taken after its last file was written), written whole or not at all."""
    files = site_state(site) if state is None else state
    with replacing(manifest_of(site)) as f:
        f.write(json.dumps({"format": _MANIFEST_FORMAT, "files": files}, separators=(",", ":")).encode())


def _read_manifest(site: Path) -> dict[str, tuple[int, int, int]] | None:
    try:
        path = manifest_of(site)
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _MANIFEST_FORMAT or not isinstance(data.get("files"), dict):
            return None
        return {rel: tuple(v) for rel, v in data["files"].items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def foreign(site: Path) -> list[str]:
    """What in the folder ``site`` press cannot show it wrote: every file or folder whose path its
    manifest does not list (a file where press wrote a folder, or the reverse, included), hidden ones
    included. A foreign folder is named once (``uploads/``), not file by file. No manifest: all of
    it. A file press wrote and someone edited since is not foreign: the path is press's, and the next
    build writes it again (see :mod:`press.uptodate`)."""
    known = _read_manifest(site) or {}
    out: list[str] = []
    inside = None  # the foreign folder last named: what sorts right after it and starts with it is in it
    for rel in sorted(_paths(site)):
        if rel in known or (inside is not None and rel.startswith(inside)):
            continue
        out.append(rel)
        inside = rel if rel.endswith("/") else inside
    return out


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


# --------------------------------------------------------------------------- one build at a time


_in_process: dict[str, threading.Lock] = {}
_in_process_guard = threading.Lock()


class Output:
    """The output path, locked for one build. Use as a context manager: ``with Output.claim(...) as out``."""

    def __init__(self, path: Path, state: str, notice: Callable[[str], None]):
        self.path = path
        self.builds = builds_folder(path)
        self.state = state
        self.notice = notice
        self._fd: int | None = None
        self._thread_lock: threading.Lock | None = None

    @classmethod
    def claim(cls, root: Path, path: Path, notice: Callable[[str], None], protected: tuple[Path, ...] = ()) -> "Output":
        """Check ``path`` (refusing before anything is touched), then take its lock, waiting for a
        build already running; check again under the lock (that build may have just made it), but
        for the files of the site a press link points to, looked at once: the look right before the
        swap finds any put there since, and refuses to replace the site."""
        state = check(root, path, protected)
        out = cls(path, state, notice)
        path.parent.mkdir(parents=True, exist_ok=True)
        out._make_builds_folder()
        out._lock()
        try:
            out.state = check(root, path, protected, files=False)
            out._remove_leftovers()
        except BaseException:
            out.release()
            raise
        return out

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _make_builds_folder(self) -> None:
        """Create ``.<name>.builds/`` with its marker in one rename, so no one sees it unmarked."""
        if _marked(self.builds):
            return
        try:
            self.builds.lstat()
        except FileNotFoundError:
            pass
        else:
            if not stat.S_ISDIR(self.builds.lstat().st_mode) or any(os.scandir(self.builds)):
                raise OutputRefused(
                    f"refusing to build into {self.path}: {self.builds} exists and press did not make it — move it away"
                )
        fresh = Path(tempfile.mkdtemp(prefix=f"{self.builds.name}.new-", dir=self.path.parent))
        (fresh / MARKER).write_text(MARKER_TEXT.format(name=self.path.name), encoding="utf-8")
        (fresh / ".gitignore").write_text("# builds of Assembly Press: never commit them\n*\n", encoding="utf-8")
        fresh.chmod(0o755)
        try:
            os.rename(fresh, self.builds)  # replaces an empty folder; fails on one with files in it
        except OSError:
            shutil.rmtree(fresh, ignore_errors=True)
            if not _marked(self.builds):  # another build made it first, or someone put files there
                raise OutputRefused(
                    f"refusing to build into {self.path}: {self.builds} exists and press did not make it — move it away"
                ) from None

    def _lock(self) -> None:
        # POSIX record locks (lockf) belong to this process: forked workers do not inherit them, and
        # the kernel drops them when the process dies, however it dies.
        key = str(self.builds)
        with _in_process_guard:
            self._thread_lock = _in_process.setdefault(key, threading.Lock())
        if not self._thread_lock.acquire(blocking=False):
            self.notice(f"waiting for another build of {self.path} in this process to finish")
            self._thread_lock.acquire()
        fd = os.open(self.builds / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                self.notice(f"another build of {self.path} is running (pid {holder}); waiting for it to finish")
                fcntl.lockf(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            self._thread_lock.release()
            self._thread_lock = None
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None
        if self._thread_lock is not None:
            self._thread_lock.release()
            self._thread_lock = None

    # ------------------------------------------------------------------ builds

    def current(self) -> Path | None:
        """The folder the output link points to, if it is a complete site press made (read from the
        disk each time, never remembered: a build interrupted mid-swap must still see the truth)."""
        try:
            if not self.path.is_symlink() or not _is_ours(self.path):
                return None
            target = self.path.parent / os.readlink(self.path)
        except OSError:
            return None
        return target if target.is_dir() and not target.is_symlink() else None

    def new_build(self) -> Path:
        """A fresh, empty folder for the new site, on the output's own filesystem."""
        # when the folder was made (the real clock: a folder's name, never a page's content)
        stamp = dt.datetime.fromtimestamp(clock.wall_ns() / 1e9, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=self.builds))

    def discard(self, staging: Path) -> None:
        """Remove a build that failed or was interrupted — unless the output link already points to it."""
        if staging.parent == self.builds and staging != self.current():
            shutil.rmtree(staging, ignore_errors=True)

    def publish(self, staging: Path, state: dict[str, tuple[int, int, int]] | None = None) -> None:
        """Make ``staging`` (complete and checked; ``state``: its :func:`site_state` once complete, when
        the caller has it) the site, in one atomic step, then remove what it replaced."""
        previous = self.current()
        write_manifest(staging, state)  # the last thing written: it lists the whole site, as it is published
        staging.chmod(0o755)  # after the manifest: a build folder still 0700 is one that never got one
        _sync(staging)
        link = self.builds / f"next-{staging.name}"
        link.unlink(missing_ok=True)
        os.symlink(f"{self.builds.name}/{staging.name}", link)
        pause_point("link-made")
        self._still(self.state)
        if self.state == OURS:
            os.rename(link, self.path)  # replaces the old link atomically
        else:
            if self.state == EMPTY:
                os.rmdir(self.path)  # fails if a file was put there since: then nothing is replaced
            _place(link, self.path)
        _fsync_folder(self.path.parent)
        self.state = OURS
        pause_point("swapped")
        if previous is not None:
            # No reader is sent there any more: rename it out of the way, and delete it without making
            # the user wait (thousands of files on a busy disk can take seconds).
            retired = self.builds / f"{RETIRED}{previous.name}"
            if os.path.lexists(retired):  # not press's (it never retires a site twice): named, and the
                self._left(retired.name)  # replaced site is removed below, as a leftover the manifest vouches for
            else:
                os.rename(previous, retired)
                pause_point("retired")
                if self._ours_to_delete(retired):  # checked again: a file may have been put there during the build
                    _remove_in_background(retired)
        self._remove_leftovers(retired_too=False)
        pause_point("published")

    def _still(self, expected: str) -> None:
        """Right before the swap: the output path still holds what the build found under the lock
        (anyone may have changed it meanwhile; press replaces only what it checked)."""
        def refuse(why: str) -> OutputRefused:
            return OutputRefused(f"refusing to replace {self.path}: {why} — it changed during the build; nothing was replaced")

        if (now := _state(self.path, refuse)) != expected:
            raise refuse(f"it was {expected}, it is now {now}")

    def _remove_leftovers(self, retired_too: bool = True) -> None:
        """Builds that were killed, and sites that were replaced: removed only while the output link
        points to a complete site, so the only copy of a site is never removed; and only what press
        can show it wrote (see :meth:`_ours_to_delete`). Anything else is left, and named."""
        current = self.current()
        keep = set(_KEEP) | ({current.name, current.name + MANIFEST} if current is not None else set())
        folders = {e.name for e in os.scandir(self.builds) if e.is_dir(follow_symlinks=False)}
        for entry in sorted(os.scandir(self.builds), key=lambda e: e.name):
            name = entry.name
            if name in keep:
                continue
            if name.startswith(RETIRED) and not retired_too:
                continue  # being deleted in the background
            if entry.is_symlink():
                if name.startswith("next-") and _BUILD_NAME.match(os.readlink(entry.path).partition("/")[2]):
                    os.unlink(entry.path)  # a link that was not swapped in yet
                else:
                    self._left(name)
            elif current is None:
                continue  # maybe the only copy of a site: kept until a new one is in place
            elif name.removeprefix(RETIRED) == current.name:
                self._left(name)  # the served site's own id (never made by press): its manifest is the live one
            elif entry.is_dir(follow_symlinks=False):
                try:
                    if not self._ours_to_delete(Path(entry.path)):
                        continue
                    if name.startswith(RETIRED):
                        # a replaced site whose removal was cut short, or is still going on (builds
                        # one after the other): handed to a removal of its own again, not waited for —
                        # at 20,000 articles, deleting its files here cost the next build seconds
                        _remove_in_background(Path(entry.path))
                    else:
                        _remove_tree(Path(entry.path), "removing-leftover")
                        manifest_of(Path(entry.path)).unlink(missing_ok=True)
                except FileNotFoundError:
                    continue  # gone meanwhile: a retired build's background removal finished first
            elif name.endswith(MANIFEST) and _BUILD_NAME.match(name.removesuffix(MANIFEST)) and entry.is_file(follow_symlinks=False):
                build = name.removesuffix(MANIFEST)
                if build not in folders and RETIRED + build not in folders:
                    os.unlink(entry.path)  # its build is gone
            elif leftover(name) and _BUILD_NAME.match(name[1:].partition(MANIFEST + ".")[0]) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)  # a manifest being written when a build was killed
            else:
                self._left(name)
        if current is None:
            return
        # Leftovers of press versions before the builds folder, named after this output: no manifest
        # vouches for them, so they are left (and named) for their owner to delete.
        older = re.compile(rf"^\.{re.escape(self.path.name)}\.(building-[A-Za-z0-9_]{{8}}|old-\d+|builds\.new-[A-Za-z0-9_]+)$")
        for entry in sorted(os.scandir(self.path.parent), key=lambda e: e.name):
            if older.match(entry.name) and entry.is_dir(follow_symlinks=False):
                self.notice(f"left {entry.path}: a leftover of an older press, which press cannot show it wrote — delete it yourself if nothing in it is yours")

    def _ours_to_delete(self, folder: Path) -> bool:
        """May press delete this folder of its builds folder? Yes when its manifest lists everything in it; or when it is a build that was stopped before its manifest was written —
        a folder press made under a name only it knew, still private to its owner (mode 0700: no other
        user could have put a file there) and never linked or served."""
        if _read_manifest(folder) is not None:
            found = foreign(folder)
            if not found:
                return True
            self.notice(f"left {folder}: press did not write {_listed(found)} in it — move them away, then delete it")
            return False
        name = folder.name.removeprefix(RETIRED)
        try:
            private = stat.S_IMODE(folder.lstat().st_mode) == 0o700 and folder.lstat().st_uid == os.getuid()
        except OSError:
            return False
        if _BUILD_NAME.match(name) and not folder.name.startswith(RETIRED) and private:
            return True
        self.notice(f"left {folder}: it has no manifest, so press cannot show it wrote every file in it — delete it yourself")
        return False

    def _left(self, name: str) -> None:
        self.notice(f"left {self.builds / name}: press did not make it — move it out of {self.builds.name}/")


def _place(link: Path, path: Path) -> None:
    """Put ``link`` at ``path`` only if nothing is there (a hard link of the link itself fails when
    ``path`` exists, where a rename would replace it), then drop the temporary name."""
    try:
        os.link(link, path, follow_symlinks=False)
    except FileExistsError:
        raise OutputRefused(f"refusing to replace {path}: something was put there during the build — nothing was replaced") from None
    except (OSError, NotImplementedError):  # a filesystem without hard links to links: check, then rename
        if os.path.lexists(path):
            raise OutputRefused(f"refusing to replace {path}: something was put there during the build — nothing was replaced") from None
        os.rename(link, path)
        return
    link.unlink()


def _remove_in_background(folder: Path) -> None:
    """Delete a retired site, then its manifest, in a process of its own, not waited for (stdin
    closed, its own session); if it is killed first, the next build removes what is left."""
    manifest = manifest_of(folder)
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        manifest.unlink(missing_ok=True)
        return
    subprocess.Popen(
        [rm, "-rf", "--", str(folder), str(manifest)],  # in this order: the manifest outlives its files
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _remove_tree(folder: Path, point: str) -> None:
    """Remove an abandoned build, one part at a time (a kill in between leaves a leftover)."""
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries)
    for n, name in enumerate(names):
        part = folder / name
        if part.is_dir() and not part.is_symlink():
            shutil.rmtree(part, ignore_errors=True)
        else:
            part.unlink(missing_ok=True)
        if n == 0:
            pause_point(point)
    shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- folders made ahead

# The process that makes the folders: relative names on stdin, NUL-separated, each made below its
# working directory (the new build folder). It stops as soon as the build that started it (its
# process id, the one argument) is gone, even if that happened before it started.
_MAKE_FOLDERS = """
import os, sys
parent = int(sys.argv[1])
for name in sys.stdin.buffer.read().split(b"\\0"):
    if os.getppid() != parent:
        break
    try:
        os.makedirs(name, exist_ok=True)
    except OSError:
        pass
"""
# How long a build waits for the folders before it goes on without the rest (it makes what it needs).
FOLDERS_WAIT_SECONDS = 120


class Folders:
    """The folders of the site a build replaces, made ahead in the new, empty build folder by a
    process of its own while the build reads and decides. A new folder costs a few tenths of a
    millisecond on a busy disk and a paginated list has one per page (about 2,400 at 5,000 articles,
    a tenth of a warm build): made on the other core, they are there when the pages are written.

    A folder made ahead never changes what a build makes. Where this build writes a file, the
    folders made ahead there give way (:meth:`give_way` for files claimed before writing, such as
    Pelican's copies; :func:`press.site.outputs.vacate` for the rest; only folders that hold folders
    alone, see :func:`press.files.remove_empty_folders`). What the build left empty is removed by
    :meth:`tidy`. Folders under ``keep_out`` are never made ahead: Pelican copies the theme's static
    folder whole, empty folders included, and makes those itself. Names come from the previous site's
    manifest and only plain relative ones are made; making them is never needed, only faster."""

    def __init__(self, staging: Path, like: Path | None, keep_out: tuple[str, ...] = ()):
        self.staging = staging
        self.names = _folders_of(like, keep_out) if like is not None and sys.executable else []
        self.process: subprocess.Popen | None = None
        if not self.names:
            return
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _MAKE_FOLDERS, str(os.getpid())], cwd=staging,
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            with self.process.stdin:
                self.process.stdin.write("\0".join(self.names).encode("utf-8", "surrogateescape"))
        except OSError:  # no process (or it ended at once): the build makes its folders itself
            self.stop()

    def wait(self) -> None:
        """Until every folder is made (before the first page is written: see press.build); a process
        that takes longer than :data:`FOLDERS_WAIT_SECONDS` is stopped and the build goes on."""
        if self.process is not None:
            try:
                self.process.wait(timeout=FOLDERS_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.stop()
            self.process = None

    def stop(self) -> None:
        """End the process now (a build that failed: its folder is about to be removed)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def give_way(self, files) -> None:
        """Remove the folders made ahead where this build writes the plain ``files`` (relative names)
        without asking first: Pelican copies a static file with ``shutil.copyfile``, which fails on a
        folder found at its name."""
        made = set(self.names)
        for name in files:
            if name in made:
                try:
                    remove_empty_folders(self.staging / name)
                except OSError:  # a file in it: this build's own, and the copy fails as it would cold
                    pass

    def tidy(self) -> None:
        """Remove the folders made ahead that this build left empty, deepest first."""
        self.wait()
        for name in sorted(self.names, reverse=True):  # a folder's name sorts before those inside it
            try:
                os.rmdir(self.staging / name)
            except OSError:  # not empty (the build wrote there), or never made
                pass


def _folders_of(site: Path, keep_out: tuple[str, ...] = ()) -> list[str]:
    """The folders the manifest of the build ``site`` lists, and the folders they are in, as relative
    names: only plain ones (no absolute path, no empty, ``.`` or ``..`` part, nothing a file name
    cannot hold) and none in ``keep_out``, whatever else a damaged manifest holds."""
    names = set()
    out = tuple(posixpath.normpath(k) for k in keep_out)
    for rel in _read_manifest(site) or {}:
        if not (isinstance(rel, str) and rel.endswith("/")):
            continue
        parts = rel[:-1].split("/")
        if not all(part not in ("", ".", "..") and "\0" not in part for part in parts):
            continue
        try:
            rel.encode("utf-8", "surrogateescape")  # what a name read from the disk can be
        except UnicodeEncodeError:
            continue
        name = "/".join(parts)
        if any(name == k or name.startswith(k + "/") for k in out):
            continue
        names.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))  # and the folders it is in
    return sorted(names)


# --------------------------------------------------------------------------- the kernel's help


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def give_back_memory() -> None:
    """Hand the C allocator's free pages back to the kernel (glibc's ``malloc_trim``). Python frees
    what one step of a build made, but the pages stay with the process until trimmed, so the next
    step's peak would sit on top of the last one's (at 20,000 articles, about 40 MiB of a warm
    build's peak). Nothing where there is no ``malloc_trim`` (musl, macOS)."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is not None:
        trim(0)


def _sync(folder: Path) -> None:
    """Flush the new site to disk before the link points to it, so a power cut cannot leave the link
    pointing to files the disk never received (one syncfs call on Linux; fsync of files elsewhere)."""
    libc = _libc()
    syncfs = getattr(libc, "syncfs", None) if libc else None
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs is not None and syncfs(fd) == 0:
            return
    finally:
        os.close(fd)
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            file_fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(file_fd)
            finally:
                os.close(file_fd)
        _fsync_folder(Path(dirpath))


# --------------------------------------------------------------------------- the tests' hook


def pause_point(name: str) -> None:
    """For tests only: with ``PRESS_TEST_PAUSE_AT=<name>``, stop here, say so on stdout, and wait for
    SIGUSR1 (go on) or a kill — so a test can kill a build at an exact point without guessing timings."""
    if os.environ.get("PRESS_TEST_PAUSE_AT") != name:
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    os.write(1, f"press-test: paused at {name} (pid {os.getpid()})\n".encode())
    signal.sigwait({signal.SIGUSR1})
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})

"""Caches, kept outside the repository.

A cache inside the work tree could be committed by anyone who opens a pull request, and a cache
is trusted to say what was already checked (they are plain data, in :mod:`press.store`: never a
pickle, whose loading runs code). So caches live in the user's cache folder (``$PRESS_CACHE_DIR``, else ``$XDG_CACHE_HOME/assembly-press``, else
``~/.cache/assembly-press``), one folder per press, named by a hash of its path.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from . import files

T = TypeVar("T")

# Bump when the parsed-record classes change shape: older cache files are then ignored.
FORMAT = 8

# Settings that never change what a reader or template makes (where this build writes, where its
# caches live) or that are not plain data.
_VOLATILE_SETTINGS = frozenset({"OUTPUT_PATH", "CACHE_PATH", "PRESS_ROOT"})


def replacing(path: Path, mode: int | None = None) -> contextlib.AbstractContextManager[BinaryIO]:
    """A cache file's new bytes, written as every file press replaces is (:func:`press.files.replacing`:
    beside it, then renamed over it), but not flushed to the disk: a cache lost in a power cut only
    costs time. Errors are the caller's: a cache that cannot be written only costs time."""
    return files.replacing(path, durable=False, mode=mode)


@functools.lru_cache(maxsize=1)
def press_version() -> str:
    """The press's own code and the libraries that shape its output or how it reads the records
    (YAML, signatures), hashed: anything made by other code is never reused. Every file of the
    package counts, not only its Python: the desk's script (``site/admin.js``, published as
    ``admin/press.js``), the ballot pages' script and the desk's templates shape what it makes."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(p for p in package.rglob("*") if "__pycache__" not in p.relative_to(package).parts and p.is_file()):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    for library, version in library_versions(_LIBRARIES).items():
        digest.update(f"{library}={version}".encode())
    return digest.hexdigest()


# The libraries whose versions are part of press_version.
_LIBRARIES = ("pelican", "markdown", "nh3", "jinja2", "feedgen", "icalendar", "pygments", "pyyaml", "cryptography", "pillow", "mutagen")


def _normal(name: str) -> str:
    """A distribution's name as installers spell it in a ``.dist-info`` folder's (PEP 503, then PEP 427's escape)."""
    return "_".join(name.replace("-", " ").replace(".", " ").replace("_", " ").lower().split())


def library_versions(names: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each library in ``names`` that is installed (name -> version), as
    ``importlib.metadata.version`` finds it: the first ``<name>-<version>.dist-info`` folder on
    ``sys.path``. The folders are listed rather than asked through ``importlib.metadata``, whose import
    and look-ups cost a quarter of a warm ``press verify``; a library found only in another form (an
    ``.egg-info``, say) is asked the slow way."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    other: set[str] = set()  # found first in a form this listing does not read
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except NotADirectoryError:  # a zip file on the path: what is inside is asked the slow way
            other.update(library for library in names if library not in found)
            continue
        except OSError:
            continue
        for item in listing:
            stem, _, suffix = item.rpartition(".")
            suffix = suffix.lower()
            if suffix not in ("dist-info", "egg-info", "egg-link", "egg"):
                continue
            name, _, version = stem.partition("-")
            library = wanted.get(_normal(name))
            if library is None or library in found or library in other:
                continue
            if suffix == "dist-info" and version:
                found[library] = version
            else:  # an egg's metadata, a link to one, or a folder without a version in its name
                other.add(library)
    if other:
        from importlib import metadata

        for library in other:
            try:
                found[library] = metadata.version(library)
            except metadata.PackageNotFoundError:
                pass
    return {name: found[name] for name in names if name in found}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_plain(v)) for v in value)
    if isinstance(value, dict):
        return sorted((repr(k), _plain(v)) for k, v in value.items())
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def settings_salt(settings: dict) -> str:
    """A key for caches of rendered content: every setting (but where output and caches go) and
    the press's version. Two builds share cached renders only when all of these are equal."""
    digest = hashlib.sha256(press_version().encode())
    for key in sorted(k for k in settings if k.isupper() and k not in _VOLATILE_SETTINGS):
        digest.update(repr((key, _plain(settings[key]))).encode())
    return digest.hexdigest()[:24]


def _base() -> Path:
    """The folder of every press's caches."""
    return Path(
        os.environ.get("PRESS_CACHE_DIR")
        or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "assembly-press")
    )


def cache_dir(root: Path | str, *parts: str) -> Path:
    press = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return Path(_base(), press, *parts)


# ------------------------------------------------------------------ opening and keeping cache files
#
# Every cache file is read through `load` and written through `keep`: the one place that checks the
# folder (a pickle loaded from a folder another user can write runs their code), ignores a damaged
# file, and turns a read-only or full cache folder into a build without the cache, said once.

_notices: dict[str, bool] = {}  # what this run has to say about its caches, in order -> reported yet


def notices() -> list[str]:
    """What was said about the caches and not yet reported (each sentence once per run)."""
    fresh = [message for message, reported in _notices.items() if not reported]
    _notices.update(dict.fromkeys(fresh, True))
    return fresh


def new_run() -> None:
    """A command begins: what earlier runs in this process said is said again if it is still true."""
    _notices.clear()


def _notice(message: str) -> None:
    _notices.setdefault(message, False)


def unsafe(folder: Path | str) -> str | None:
    """Why press must not read or write caches in ``folder``, or None. ``folder`` and every folder
    above it up to the cache root (``$PRESS_CACHE_DIR`` …) must belong to this user and be writable by
    no one else: whoever can write there can plant a pickle, and loading a pickle runs its code."""
    folder = Path(os.path.abspath(folder))
    base = Path(os.path.abspath(_base()))
    chain = [folder]
    if folder.is_relative_to(base):
        chain += [p for p in folder.parents if p.is_relative_to(base)]
    for each in reversed(chain):  # the topmost first: one sentence names the folder to fix
        try:
            st = os.stat(each)
        except FileNotFoundError:
            continue  # press makes it, for this user alone
        except OSError as exc:
            return f"caches not used: {each} cannot be read ({exc.strerror}) — make it readable, or set PRESS_CACHE_DIR to a folder of your own"
        if st.st_uid != os.geteuid():
            return (
                f"caches not used: {each} belongs to another user (uid {st.st_uid}), and loading a cache runs code — "
                "remove it, or set PRESS_CACHE_DIR to a folder of your own"
            )
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return (
                f"caches not used: {each} can be written by other users (mode {stat.S_IMODE(st.st_mode):04o}), and loading "
                f"a cache runs code — make it yours alone (chmod go-w {each}), or set PRESS_CACHE_DIR to a folder of your own"
            )
    return None


def load(path: Path | str, read: Callable[[BinaryIO], T]) -> T | None:
    """What ``read`` makes of the cache file ``path``; None when it is missing or damaged (the cache
    is then made again) or when its folder is not safe (:func:`unsafe`, said once)."""
    path = Path(path)
    why = unsafe(path.parent)
    if why is not None:
        _notice(why)
        return None
    try:
        with path.open("rb") as f:
            return read(f)
    except Exception:  # missing, truncated, empty, garbage or foreign: made again
        return None


def keep(path: Path | str, write: Callable[[BinaryIO], object], *, checked: bool = False, mode: int | None = None) -> bool:
    """Write the cache file ``path`` with ``write`` (atomically, :func:`replacing`). A folder that is
    not safe, read-only or full only costs time: nothing is written, and the run says so once.
    ``checked``: the caller found the folder safe (:func:`unsafe`) earlier in this run. ``mode``: the
    file's permissions (see :func:`press.files.replacing`)."""
    folder = os.path.dirname(path)
    why = None if checked else unsafe(folder)
    if why is not None:
        _notice(why)
        return False
    try:
        _make_folder(Path(folder))  # for this user alone, also when removed since the last write
        with replacing(path, mode) as f:
            write(f)
        return True
    except IsADirectoryError:  # a damaged cache (a folder where the file goes): read as missing, never written
        return False
    except OSError as exc:
        _notice(_not_kept(Path(folder), exc.strerror or str(exc)))
        return False


def usable(folder: Path | str) -> Path | None:
    """``folder`` (made if missing) for a cache kept as files of its own, or None when it is not safe
    or cannot be written: then the caller works without it (said once)."""
    folder = Path(folder)
    why = unsafe(folder)
    if why is None:
        try:
            _make_folder(folder)
            if os.access(folder, os.W_OK | os.X_OK):
                return folder
            why = _not_kept(folder, os.strerror(errno.EACCES))
        except OSError as exc:
            why = _not_kept(folder, exc.strerror or str(exc))
    _notice(why)
    return None


def _not_kept(folder: Path, why: str) -> str:
    """One sentence for every cache of a press that cannot be written: it names the press's cache folder."""
    base = Path(os.path.abspath(_base()))
    folder = Path(os.path.abspath(folder))
    if folder.is_relative_to(base) and folder != base:
        folder = base / folder.relative_to(base).parts[0]
    return (
        f"caches not kept: cannot write in {folder} ({why}) — this build goes on without them (slower next time); "
        "free some space or make the folder writable, or set PRESS_CACHE_DIR"
    )


def _make_folder(folder: Path) -> None:
    """``folder`` and the folders above it that are missing, for this user alone."""
    if not folder.is_dir():
        _make_folder(folder.parent)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)


# A file whose status changed this close to a run (nanoseconds) is "racy": another write within the
# same tick of a coarse file-system clock could leave size, times and inode as they were (git's
# "racily clean" entries). Its status is not remembered; the next run reads it again.
RACY_NS = 2_000_000_000


def file_status(st: os.stat_result) -> tuple[int, int, int, int, int, int]:
    """What the file system says of a file, all of which a change of its bytes changes: a write
    moves the change time (ctime, which no user can set back), a replacement changes the inode."""
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

"""One store for everything a build keeps between runs, in plain data only.

In the press's cache folder (:func:`press.cache.cache_dir`)::

    store/objects/<sha256>      bytes named by their SHA-256, read-only once written
    store/manifests/<name>.json  {"salt": …, "entries": {key: sha256}}: what each key made, for one cache

Every object is checked against its name each time it is taken (:meth:`Store.get`): a damaged object
is a miss — removed, made again, never used or published. Objects and manifests are JSON or raw bytes,
never pickle or marshal (loading those runs code). Every write goes through :func:`press.cache.keep`
(the folder's safety checks, :func:`press.files.replacing`'s atomic rename). Outputs are taken out of
the store by copying (:meth:`Store.copy_out`), never by a link: damage to the store never reaches the
served site, and damage to the site never reaches the store.

:func:`salt` is the one version salt: the press's code and libraries, and, for what a build makes,
its settings and theme. A manifest saved under another salt is empty to the reader.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import hashlib
import importlib
import json
import os
import re
import shutil
import stat
import zoneinfo
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from . import cache as _cache
from . import files
from .clock import wall_ns

# Bump when the store's layout or the encoding of values changes.
FORMAT = 1

# Settings that change what a page looks like beyond press.cache.settings_salt's view of them
# (theme-level Jinja settings are compared by value there only when plain data).
_THEME_SETTINGS = (
    "SITENAME", "SITESUBTITLE", "SITEURL", "FEED_DOMAIN", "RELATIVE_URLS", "DEFAULT_LANG", "TIMEZONE",
    "DEFAULT_PAGINATION", "PAGINATION_PATTERNS", "SUMMARY_MAX_LENGTH", "SUMMARY_END_SUFFIX", "MARKDOWN",
    "PRESS_FEED_CONTENT", "PRESS_FEED_MAX_ITEMS", "PRESS_IFRAME_HOSTS", "THEME_STATIC_DIR", "DATE_FORMATS",
    "DEFAULT_DATE_FORMAT", "JINJA_ENVIRONMENT",
)  # fmt: skip


def salt(settings: dict | None = None) -> str:
    """The version salt: the store's format, the press's code and libraries and, given a build's
    ``settings``, every setting and every file of its theme. Nothing kept under another salt is read."""
    digest = hashlib.sha256(f"store {FORMAT} records {_cache.FORMAT} {_cache.press_version()}".encode())
    if settings is not None:
        digest.update(_cache.settings_salt(settings).encode())
        digest.update(repr([(k, settings.get(k)) for k in _THEME_SETTINGS]).encode())
        digest.update(_theme_digest(Path(settings["THEME"])))
    return digest.hexdigest()


# theme folder -> (each file's name and lstat, the digest of the files' names and bytes): a build asks
# for the salt from several places; the theme is read once unless a file's status changed since.
_THEMES: dict[str, tuple[tuple, bytes]] = {}


def _theme_digest(theme: Path) -> bytes:
    """The digest of every file of ``theme``, by name and bytes. Read again when any file's size,
    modification or status-change time or inode (a symbolic link's target's) differs from the last reading, or when one was
    written too recently for its times to tell two writes apart (press.cache.RACY_NS)."""
    found = []
    for file in sorted(p for p in theme.rglob("*") if p.is_file()):
        st = os.stat(file)  # a link's target, whose bytes are read: a link's own status never moves when they change
        found.append((file.relative_to(theme).as_posix(), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev))
    signature = tuple(found)
    kept = _THEMES.get(str(theme))
    if kept is not None and kept[0] == signature:
        return kept[1]
    digest = hashlib.sha256()
    for name, *_ in found:
        digest.update(name.encode() + b"\0" + (theme / name).read_bytes())
    newest = max((entry[3] for entry in found), default=0)
    if wall_ns() - newest > _cache.RACY_NS:  # settled: the times will show the next change
        _THEMES[str(theme)] = (signature, digest.digest())
    return digest.digest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    """The content-addressed store of one press (``root``)."""

    def __init__(self, root: Path | str):
        self.folder = _cache.cache_dir(root, "store")
        self.objects = self.folder / "objects"
        self.manifests = self.folder / "manifests"
        self._good: set[str] = set()  # objects checked against their names in this run
        self._safe: bool | None = None  # the objects' folder is safe to read (press.cache.unsafe), once known

    # ------------------------------------------------------------------ objects

    def path(self, digest: str) -> Path:
        return self.objects / digest

    def put(self, data: bytes) -> str | None:
        """Keep ``data``; its SHA-256, or None when the store cannot be written (said once)."""
        digest = sha256(data)
        path = os.path.join(self.objects, digest)  # a string: thousands of objects a build
        if digest in self._good or self._whole(path, digest, quick=True):
            return digest
        if not self._objects_safe() or not _cache.keep(path, lambda f: f.write(data), checked=True, mode=0o444):  # read-only from the start
            return None
        self._good.add(digest)
        return digest

    def put_file(self, source: Path | str) -> str | None:
        """Keep a copy of the file ``source`` (never a link to it: the file may be served and changed)."""
        with open(source, "rb") as f:
            return self.put(f.read())

    def get(self, digest: str) -> bytes | None:
        """The bytes named ``digest``; None when missing, unsafe or damaged (a damaged object is removed)."""
        if not is_digest(digest):
            return None
        if not self._objects_safe():
            return None
        try:
            with open(self.path(digest), "rb") as f:
                data = f.read()
        except OSError:  # missing or unreadable: made again
            return None
        if sha256(data) != digest:
            self._drop(digest)
            return None
        self._good.add(digest)
        return data

    def usable(self) -> bool:
        """Whether objects can be read and written here in this run (said once when not)."""
        return self._objects_safe()

    def _objects_safe(self) -> bool:
        """Whether the objects' folder is safe to read and write (press.cache.unsafe): checked once per
        run, not once per object."""
        if self._safe is None:
            why = _cache.unsafe(self.objects)
            if why is not None:
                _cache._notice(why)  # said once, as press.cache.load and keep say it
            self._safe = why is None
        return self._safe

    def listing(self) -> frozenset[str]:
        """The names in the objects' folder now (whole or not: :meth:`has` checks one); empty when it
        cannot be listed."""
        try:
            return frozenset(os.listdir(self.objects))
        except OSError:
            return frozenset()

    def has(self, digest: str) -> bool:
        """Whether the object ``digest`` is there and whole (hashed once per run)."""
        if digest in self._good:
            return True
        return self.get(digest) is not None

    def copy_out(self, digest: str, target: Path | str, data: bytes | None = None) -> bool:
        """Write a copy of the object ``digest`` at ``target``, a name in a build folder no one serves
        yet (whatever was there is replaced, never written through), checked against its name; False,
        and nothing written, if it is not whole. ``data``: the object's bytes as :meth:`get` gave them
        in this run (checked then), so that they are not read and hashed a second time."""
        if data is None or digest not in self._good:
            data = self.get(digest)
        if data is None:
            return False
        try:
            with open(target, "xb") as f:  # the common case, a new name: no file beside it to rename
                f.write(data)
            return True
        except (FileExistsError, FileNotFoundError):  # something at the name (a link is replaced, never followed), or no folder yet
            pass
        with files.replacing(Path(target), durable=False) as f:  # a new file renamed over the old: never written through
            f.write(data)
        return True

    def _whole(self, path: Path, digest: str, quick: bool) -> bool:
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode):
            self._drop(digest)
            return False
        return quick

    def drop(self, digest: str) -> None:
        """Remove the object ``digest``, which the caller's manifest no longer names (see :meth:`sweep`)."""
        if is_digest(digest) and _cache.unsafe(self.objects) is None:
            self._drop(digest)

    def _drop(self, digest: str) -> None:
        self._good.discard(digest)
        try:
            os.unlink(self.path(digest))
        except IsADirectoryError:
            shutil.rmtree(self.path(digest), ignore_errors=True)
        except OSError:
            pass

    # ------------------------------------------------------------------ plain values

    def put_value(self, value: Any) -> str | None:
        """Keep ``value`` (:func:`encode`: plain data and the press's dataclasses) as JSON."""
        return self.put(dumps(value))

    def get_value(self, digest: str) -> Any:
        """The value kept as ``digest``; raises :class:`Missing` when it is not there, whole and readable."""
        data = self.get(digest)
        if data is None:
            raise Missing(digest)
        try:
            return loads(data)
        except Exception as exc:  # anything a planted object makes the codec raise (nesting, zero, range): a miss
            self._drop(digest)
            raise Missing(digest) from exc

    # ------------------------------------------------------------------ manifests

    def manifest(self, name: str, salt: str) -> dict[str, str]:
        """What the last build kept under ``name``: key -> object digest; empty when missing, damaged
        or saved under another salt."""
        loaded = _cache.load(self.manifests / f"{name}.json", lambda f: json.loads(f.read()))
        if not isinstance(loaded, dict) or loaded.get("salt") != salt or not isinstance(loaded.get("entries"), dict):
            return {}
        return {k: v for k, v in loaded["entries"].items() if isinstance(k, str) and isinstance(v, str) and is_digest(v)}

    def save_manifest(self, name: str, salt: str, entries: dict[str, str]) -> bool:
        data = json.dumps({"salt": salt, "entries": entries}, sort_keys=True).encode()
        return _cache.keep(self.manifests / f"{name}.json", lambda f: f.write(data))

    def forget(self, name: str) -> None:
        if _cache.unsafe(self.manifests) is None:  # a folder press does not trust is left alone
            (self.manifests / f"{name}.json").unlink(missing_ok=True)

    def value(self, name: str, salt: str, plain: bool = False) -> Any:
        """The one value kept under the manifest ``name`` (:meth:`keep_value`), or None."""
        digest = self.manifest(name, salt).get("value")
        if digest is None:
            return None
        if plain:
            data = self.get(digest)
            try:
                return json.loads(data) if data is not None else None
            except (ValueError, RecursionError):  # garbage, or nested deeper than Python recurses: removed, as get_value does
                self._drop(digest)
                return None
        try:
            return self.get_value(digest)
        except Missing:
            return None

    def keep_value(self, name: str, salt: str, value: Any, plain: bool = False) -> bool:
        """Keep ``value`` as the one value of the manifest ``name``; False when it cannot be kept.
        ``plain``: ``value`` is JSON as it is (faster, for large plain tables)."""
        try:
            digest = self.put(json.dumps(value, allow_nan=False).encode()) if plain else self.put_value(value)
        except (TypeError, ValueError, RecursionError):  # not plain data, or nested deeper than Python recurses: never kept
            return False
        if digest is None:
            return False
        before = _cache.load(self.manifests / f"{name}.json", lambda f: json.loads(f.read()))
        if not self.save_manifest(name, salt, {"value": digest}):
            return False
        try:
            replaced = before["entries"]["value"]
        except (TypeError, KeyError):
            replaced = None
        if isinstance(replaced, str) and is_digest(replaced) and replaced != digest:
            self._drop(replaced)  # the value it replaced (a full sweep comes at the end of a build)
        return True

    def sweep(self) -> None:
        """Remove the objects no manifest names any more (and what killed runs left beside them)."""
        if _cache.unsafe(self.objects) is not None:  # a folder press does not trust is left alone
            return
        wanted: set[str] = set()
        try:
            names = os.listdir(self.manifests)
        except OSError:
            return
        for name in names:
            loaded = _cache.load(self.manifests / name, lambda f: json.loads(f.read())) if name.endswith(".json") else None
            if not isinstance(loaded, dict) or not isinstance(loaded.get("entries"), dict):
                continue
            wanted.update(v for v in loaded["entries"].values() if isinstance(v, str))
        try:
            with os.scandir(self.objects) as entries:
                for entry in entries:
                    if entry.name not in wanted:
                        self._drop(entry.name) if is_digest(entry.name) else _unlink(entry.path)
        except OSError:
            pass


def copy_file(source: Path | str, target: Path | str) -> None:
    """A copy of ``source`` at ``target`` (a new file): shared extents where the file system can
    (``copy_file_range`` reflinks on Btrfs and XFS), else the bytes copied. Never a hard link, whose
    damage would reach both names."""
    with open(source, "rb") as src, open(target, "xb") as dst:
        try:
            size = os.fstat(src.fileno()).st_size
            while size > 0:
                done = os.copy_file_range(src.fileno(), dst.fileno(), size)
                if done == 0:
                    break
                size -= done
            if size <= 0:
                return
        except (OSError, AttributeError):  # not on this file system (or platform): copy the bytes
            pass
        src.seek(0)
        dst.seek(0)
        dst.truncate()
        shutil.copyfileobj(src, dst)


class Missing(Exception):
    """An object the store does not hold whole."""


def is_digest(name) -> bool:
    """Whether ``name`` is a SHA-256 in lower-case hex: an object's name in the store, and every
    digest a manifest holds."""
    return isinstance(name, str) and _DIGEST.fullmatch(name) is not None


_DIGEST = re.compile("[0-9a-f]{64}")  # a sha256 in lower-case hex: the name of each object in the store


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# ---------------------------------------------------------------------------- plain data codec
#
# Values are written as JSON with a tag for every type JSON lacks. A dataclass is written with its
# class's name and its fields; it is read back only if the class is one of the press's own
# dataclasses (a module of the ``press`` package), set field by field without running any code of
# the class. Anything else is refused when written and when read.

_PACKAGE = __name__.rsplit(".", 1)[0]


# Values that are their own encoding and decoding, by exact type (a subclass of int, an enum, is tagged).
# The codec's loops test for them before calling itself: most values kept are these, and a call per
# string was half of what saving a large press's parsed records cost.
_SELF = frozenset({type(None), bool, str, int})


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data; raises TypeError for a value it cannot write."""
    kind = type(value)
    plain = _PLAIN.get(kind)
    if plain is not None:
        return plain(value)
    fields = _FIELDS.get(kind)
    if fields is None and dataclasses.is_dataclass(kind):
        fields = _FIELDS[kind] = (_name(kind), tuple(f.name for f in dataclasses.fields(kind)))
    if fields is not None:
        values = [getattr(value, name, _UNSET) for name in fields[1]]
        return {"c": [fields[0], [v if type(v) in _SELF else {"u": 0} if v is _UNSET else encode(v) for v in values]]}
    if isinstance(value, enum.Enum):
        return {"e": [_name(kind), encode(value.value)]}
    if isinstance(value, tuple):
        return {"n": [_name(kind), [encode(v) for v in value]]}  # a NamedTuple
    if isinstance(value, int):
        return {"i": [_name(kind), int(value)]}
    if isinstance(value, dt.datetime):
        zone = value.tzinfo
        if isinstance(zone, zoneinfo.ZoneInfo):
            return {"dt": [value.replace(tzinfo=None).isoformat(), zone.key, value.fold]}
        if zone is None or isinstance(zone, dt.timezone):
            return {"dt": [value.isoformat(), None, value.fold]}
        raise TypeError(f"cannot keep a datetime in {type(zone).__name__}")
    if isinstance(value, zoneinfo.ZoneInfo):
        return {"z": value.key}
    if isinstance(value, PurePosixPath):
        return {"p": [kind is PurePosixPath, str(value)]}
    raise TypeError(f"cannot keep a {kind.__module__}.{kind.__qualname__}")


_UNSET = object()


def _same(value):
    return value


def _dict(value: dict) -> Any:
    for k in value:
        if type(k) is not str:
            return {"m": [[encode(k), encode(v)] for k, v in value.items()]}
    return {"d": {k: v if type(v) in _SELF else encode(v) for k, v in value.items()}}


def _items(values) -> list:
    """Each of ``values`` encoded."""
    return [v if type(v) in _SELF else encode(v) for v in values]


def _time(value: dt.time) -> Any:
    if value.tzinfo is not None:
        raise TypeError("cannot keep a time with a timezone")
    return {"ti": value.isoformat()}


_PLAIN: dict[type, Any] = {
    type(None): _same, bool: _same, str: _same, int: _same,
    float: lambda v: {"f": repr(v)},  # nan, inf and -0.0 survive
    list: _items,
    tuple: lambda v: {"t": _items(v)},
    dict: _dict,
    frozenset: lambda v: {"F": sorted((encode(x) for x in v), key=_order)},
    set: lambda v: {"S": sorted((encode(x) for x in v), key=_order)},
    bytes: lambda v: {"b": base64.b64encode(v).decode()},
    dt.date: lambda v: {"da": v.isoformat()},
    dt.time: _time,
    dt.timedelta: lambda v: {"td": [v.days, v.seconds, v.microseconds]},
    Fraction: lambda v: {"fr": [v.numerator, v.denominator]},
}  # fmt: skip
_FIELDS: dict[type, tuple[str, tuple[str, ...]]] = {}


def _order(encoded: Any) -> str:
    return json.dumps(encoded, sort_keys=True)


def _name(cls: type) -> str:
    if not (cls.__module__ == _PACKAGE or cls.__module__.startswith(_PACKAGE + ".")):
        raise TypeError(f"cannot keep a {cls.__module__}.{cls.__qualname__}: only the press's own types")
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(name: str, kind) -> type:
    module, _, qualname = name.partition(":")
    if not (module == _PACKAGE or module.startswith(_PACKAGE + ".")):
        raise TypeError(f"{name}: not one of the press's types")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type) or not kind(found) or _name(found) != name:  # not one reached through an import
        raise TypeError(f"{name}: not a type the store keeps")
    return found


_CLASSES: dict[str, tuple[type, tuple[str, ...]]] = {}


def _dataclass(body) -> Any:
    name, values = body
    known = _CLASSES.get(name)
    if known is None:
        cls = _class(name, dataclasses.is_dataclass)
        known = _CLASSES[name] = (cls, tuple(f.name for f in dataclasses.fields(cls)))
    cls, names = known
    if type(values) is not list or len(values) != len(names):
        raise TypeError(f"{name}: kept with other fields")
    obj = object.__new__(cls)
    for key, value in zip(names, values):
        if value != _UNSET_MARK:
            object.__setattr__(obj, key, decode(value))
    return obj


_UNSET_MARK = {"u": 0}


def _datetime(body) -> dt.datetime:
    text, zone, fold = body
    value = dt.datetime.fromisoformat(text)
    if zone is not None:
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return value.replace(fold=fold)


_TAGS: dict[str, Any] = {
    "d": lambda b: {k: v if type(v) in _SELF else decode(v) for k, v in b.items()},
    "t": lambda b: tuple(_decoded(b)),
    "c": _dataclass,
    "f": float,
    "m": lambda b: {decode(k): decode(v) for k, v in b},
    "F": lambda b: frozenset(_decoded(b)),
    "S": lambda b: set(_decoded(b)),
    "b": lambda b: base64.b64decode(b, validate=True),
    "dt": _datetime,
    "da": dt.date.fromisoformat,
    "ti": dt.time.fromisoformat,
    "td": lambda b: dt.timedelta(days=b[0], seconds=b[1], microseconds=b[2]),
    "z": zoneinfo.ZoneInfo,
    "e": lambda b: _class(b[0], lambda c: issubclass(c, enum.Enum))(decode(b[1])),
    "n": lambda b: _class(b[0], lambda c: issubclass(c, tuple))(*(decode(v) for v in b[1])),
    "i": lambda b: _class(b[0], lambda c: issubclass(c, int))(b[1]),
    "fr": lambda b: Fraction(b[0], b[1]),
    "p": lambda b: PurePosixPath(b[1]) if b[0] else Path(b[1]),
}


def decode(data: Any) -> Any:
    """The value :func:`encode` wrote; raises TypeError/ValueError/KeyError for anything else."""
    kind = type(data)
    if kind is dict:
        if len(data) != 1:
            raise TypeError("not a kept value")
        for tag, body in data.items():
            return _TAGS[tag](body)
    if kind is list:
        return _decoded(data)
    if data is None or kind is str or kind is int or kind is bool:
        return data
    raise TypeError("not a kept value")


def _decoded(data) -> list:
    """Each item of the list ``data`` decoded (a body that is not a list is refused)."""
    if type(data) is not list:
        raise TypeError("not a kept value")
    return [v if type(v) in _SELF else decode(v) for v in data]


def dumps(value: Any) -> bytes:
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def loads(data: bytes) -> Any:
    return decode(json.loads(data))

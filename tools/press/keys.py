"""Keys from the types: what a value is, as a digest, from its fields.

:func:`key_of` walks a value — a dataclass field by field, lists and tuples in order, dicts in their
order, sets sorted, dates and times with their timezone — and returns a SHA-256 digest of its
canonical encoding. Two values with the same key show the same on every page; the key is the same in
every process (no ``hash()``: stable under any ``PYTHONHASHSEED``).

Every field of a dataclass is part of its key unless it carries an explicit mark saying why pages
cannot show it::

    line: int = field(default=0, metadata={"key": "a line number: only problem messages show it"})

So a field added later is keyed at once (never silently stale); tests/test_keys.py fails until
whoever adds it has decided, and lists the types that reach the site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
from fractions import Fraction
from pathlib import PurePath
from typing import Callable

MARK = "key"  # the dataclass field metadata that takes a field out of its type's key: {"key": "why"}


class Unkeyable(TypeError):
    """A value :func:`key_of` cannot see into (and no ``other`` was given that can)."""


def unkeyed(why: str) -> dict[str, str]:
    """The metadata that takes a field out of its type's key: ``field(metadata=unkeyed("why"))``."""
    if not why.strip():
        raise ValueError("say why the field is not part of what pages show")
    return {MARK: why}


@functools.cache
def keyed_fields(cls: type) -> tuple[str, ...]:
    """The fields of dataclass ``cls`` that make its key, in declaration order."""
    return tuple(f.name for f in dataclasses.fields(cls) if MARK not in f.metadata)


@functools.cache
def _field_names(cls: type) -> tuple[tuple[str, bytes], ...]:
    """:func:`keyed_fields` with each name as it enters the key (``name\\0``)."""
    return tuple((name, name.encode() + b"\0") for name in keyed_fields(cls))


def unkeyed_fields(cls: type) -> dict[str, str]:
    """The fields of dataclass ``cls`` left out of its key -> why."""
    return {f.name: f.metadata[MARK] for f in dataclasses.fields(cls) if MARK in f.metadata}


def key_of(value, *, other: Callable[[object], bytes] | None = None, cache: dict | None = None) -> bytes:
    """The key of ``value``: 32 bytes that change whenever anything a page could show of it changes.

    ``other(value)`` keys values this module does not know (a Pelican page, say) and raises
    :class:`Unkeyable` for what it does not know either. ``cache`` (id -> (value, key)) lets a caller
    key shared objects once across calls; the values are kept in it, so ids cannot be reused."""
    return _Keys(other, {} if cache is None else cache).of(value)


def keyer(other: Callable[[object], bytes] | None = None, cache: dict | None = None) -> "_Keys":
    """One keyer for many values (what :func:`key_of` makes for each call): ``keyer.of(value)`` is
    ``key_of(value, other=other, cache=cache)``, and ``keyer.part(value)`` the value's self-delimiting
    encoding, for a caller that feeds several values into one digest of its own."""
    return _Keys(other, {} if cache is None else cache)


_SCALARS = (type(None), bool, int, float, str, bytes, Fraction)
# What a value is, by its exact type, found once per type: how _Keys.part reads it.
_SCALAR, _DATACLASS, _ENUM, _DATETIME, _ZONE, _DELTA, _PATH, _SUBSCALAR, _SEQUENCE, _SET, _DICT, _OTHER = range(12)
_COMPOSITE = 0x23  # b"#": a part that is a composite's digest (32 bytes follow); a scalar's part starts with b"'"
# What the cache keeps (alive, so that an id is never reused): dataclasses, the values ``other`` keys,
# and lists, tuples, sets and dicts of at least _KEPT_FROM items or with at least _KEPT_FROM composite
# values below them (a ledger's dict of meetings of motions: met by every page and feed that shows
# it, walked once). A date, a time or a short, flat list is keyed again wherever it is met: keying it
# costs about what a look-up does, and most short lists are made for one page and never met again —
# kept, they were a quarter of a warm build's Python objects.
_LEAVES = frozenset({_ENUM, _DATETIME, _ZONE, _DELTA, _PATH, _SUBSCALAR})
_CONTAINERS = frozenset({_SEQUENCE, _SET, _DICT})
_KEPT_FROM = 16
assert _KEPT_FROM <= 256  # a short container's count is one byte (_flat)
# Short lists, tuples, dicts and sets (fewer than _KEPT_FROM items: their count fits the one byte it
# is given) of exactly these types, holding only scalars (_SCALARS and dates, not datetimes), are
# parts of their own (b"(" + length + type + count + their items' parts), not digests: most are an
# article's tags or reasons, made for one page and never met again, where a digest of each costs more
# than its bytes do in its owner's. One with anything else in it is a composite as before.
_INLINE = {list: b"l", tuple: b"t", dict: b"d", set: b"s", frozenset: b"f"}
_KINDS: dict[type, int] = {}  # what each type is, found once by _kind (a dict look-up: no call per value)


def _kind(kind: type) -> int:
    if kind in _SCALARS or kind is dt.date:
        return _SCALAR
    if dataclasses.is_dataclass(kind):
        return _DATACLASS
    if issubclass(kind, enum.Enum):
        return _ENUM
    if issubclass(kind, (dt.date, dt.time)):  # datetime and time: with their timezone's name
        return _DATETIME
    if issubclass(kind, dt.tzinfo):
        return _ZONE
    if issubclass(kind, dt.timedelta):
        return _DELTA
    if issubclass(kind, PurePath):
        return _PATH
    if issubclass(kind, _SCALARS):  # a subclass (Markup, a YAML string): its class counts too
        return _SUBSCALAR
    if issubclass(kind, (list, tuple)):
        return _SEQUENCE
    if issubclass(kind, (set, frozenset)):
        return _SET
    if issubclass(kind, dict):
        return _DICT
    return _OTHER


class _Keys:
    """Each value becomes a self-delimiting *part*: a scalar its own encoding (``'`` + length +
    bytes: no hashing of every string and number), a short plain list, tuple, dict or set its items'
    parts (``(`` + length + type + count + parts: see :data:`_INLINE`), any other composite ``#`` +
    the SHA-256 of its type's name and its parts."""

    def __init__(self, other, cache: dict):
        self.other = other
        self.cache = cache
        self.open: set[int] = set()  # composite values being keyed now: a cycle would never end
        self.walked = 0  # composite values keyed so far (not taken from the cache): what a value's parts cost

    def of(self, value) -> bytes:
        """The 32-byte key of ``value`` (as :func:`key_of`)."""
        part = self.part(value)
        return part[1:] if part[0] == _COMPOSITE else hashlib.sha256(part).digest()

    def part(self, value) -> bytes:
        kind = type(value)
        if kind is str:  # the commonest value, first
            data = value.encode("utf-8", "surrogatepass")
            return b"'" + (len(data) + 1).to_bytes(4, "big") + b"s" + data
        code = _KINDS.get(kind)
        if code is None:
            code = _KINDS[kind] = _kind(kind)
        if code == _SCALAR:
            data = _scalar(value)
            return b"'" + len(data).to_bytes(4, "big") + data
        if code in _LEAVES:  # no parts of its own: keyed as cheaply as it would be looked up
            return b"#" + self._composite(value, kind, code)
        if kind in _INLINE and len(value) < _KEPT_FROM:
            flat = self._flat(value, kind)
            if flat is not None:
                return flat
        ident = id(value)
        hit = self.cache.get(ident)
        if hit is not None and hit[0] is value:
            return b"#" + hit[1]
        open_ = self.open
        if ident in open_:
            raise Unkeyable(f"{kind.__qualname__} refers back to itself: mark one side of the cycle")
        open_.add(ident)
        before = self.walked
        try:
            result = self._composite(value, kind, code)
        finally:
            open_.discard(ident)
        self.walked += 1
        if code not in _CONTAINERS or len(value) >= _KEPT_FROM or self.walked - before > _KEPT_FROM:
            self.cache[ident] = (value, result)
        return b"#" + result

    def _flat(self, value, kind: type) -> bytes | None:
        """The part of ``value``, a short list, tuple, dict or set (:data:`_INLINE`), when everything
        in it is a scalar (each item's part is then :meth:`part`'s own); else None."""
        items = [item for pair in value.items() for item in pair] if kind is dict else value
        for item in items:
            kind_of = type(item)
            if kind_of is str:
                continue
            code = _KINDS.get(kind_of)
            if code is None:
                code = _KINDS[kind_of] = _kind(kind_of)
            if code != _SCALAR:
                return None
        parts = [self.part(item) for item in items]
        if kind is set or kind is frozenset:
            parts.sort()
        data = _INLINE[kind] + len(value).to_bytes(1, "big") + b"".join(parts)
        return b"(" + len(data).to_bytes(4, "big") + data

    def _composite(self, value, kind: type, code: int) -> bytes:
        digest = _named(kind).copy()
        part = self.part
        if code == _DATACLASS:  # one update of the fields' parts joined: fewer calls than one per field
            digest.update(b"".join([tag + part(getattr(value, name)) for name, tag in _field_names(kind)]))
        elif code == _ENUM:
            digest.update(value.name.encode())
        elif code == _DATETIME:
            digest.update(value.isoformat().encode() + b"\0" + _zone(value.tzinfo))
        elif code == _ZONE:
            digest.update(_zone(value))
        elif code == _DELTA:
            digest.update(repr((value.days, value.seconds, value.microseconds)).encode())
        elif code == _PATH:
            digest.update(value.as_posix().encode())
        elif code == _SUBSCALAR:
            digest.update(_scalar(value))
        elif code == _SEQUENCE:
            digest.update(len(value).to_bytes(8, "big") + b"".join(map(part, value)))
        elif code == _SET:
            digest.update(len(value).to_bytes(8, "big") + b"".join(sorted(map(part, value))))
        elif code == _DICT:  # in its order: a page that lists a dict shows its order
            digest.update(len(value).to_bytes(8, "big") + b"".join([part(key) + part(item) for key, item in value.items()]))
        elif self.other is not None:
            digest.update(self.other(value))
        else:
            raise Unkeyable(f"no key for a {kind.__qualname__}")
        return digest.digest()


@functools.cache
def _named(kind: type):
    """A digest begun with ``kind``'s name: each composite's digest starts as a copy of it."""
    return hashlib.sha256(f"{kind.__module__}.{kind.__qualname__}\0".encode())


def _scalar(value) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"i" + str(int(value)).encode()
    if isinstance(value, float):
        return b"f" + float.hex(value).encode()
    if isinstance(value, str):
        return b"s" + str.encode(value, "utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return b"b" + hashlib.sha256(value).digest()
    if isinstance(value, Fraction):
        return b"q" + f"{value.numerator}/{value.denominator}".encode()
    if isinstance(value, dt.date):
        return b"d" + value.isoformat().encode()
    raise Unkeyable(type(value).__qualname__)


def _zone(zone: dt.tzinfo | None) -> bytes:
    """A timezone by its name (zoneinfo's key), else by its fixed offset."""
    if zone is None:
        return b"naive"
    name = getattr(zone, "key", None) or getattr(zone, "zone", None)
    if name:
        return b"zone:" + str(name).encode()
    return b"tz:" + repr(zone).encode()

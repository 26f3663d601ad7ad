"""Strict, safe YAML for editorial records.

Records are small, hand-written files, so the loader is deliberately unforgiving: safe
types only, no aliases (no YAML bombs), no duplicate keys, bounded size and depth, UTF-8
only. Every mapping and sequence remembers the line of each key or item so that the
model can report ``path:line`` for any value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path

import yaml

from . import limits
from .problems import Problem

MAX_DEPTH = 12


class Map(dict):
    """A YAML mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A YAML sequence that knows its own line and the line of each item."""

    line: int
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


try:
    from yaml._yaml import CParser as _CParser  # libyaml, shipped in PyYAML's wheels
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    _CParser = None


_BASES = (
    (yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver)
    if _CParser
    else (yaml.SafeLoader,)
)


class _Loader(*_BASES):
    """A safe loader whose composer refuses aliases and deep nesting before building anything.

    libyaml's C parser produces the events (ten times faster than PyYAML's own); the composer
    stays in Python so that every node is checked as it is built.

    Booleans are YAML 1.2's ``true``/``false`` only: in records ``yes:`` and ``no:`` are vote
    lists, and a member called ``no`` or ``on`` is a name, not a boolean.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


    def __init__(self, stream):
        if _CParser:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
        else:
            yaml.SafeLoader.__init__(self, stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                event.start_mark.line + 1,
                f"YAML aliases (*{event.anchor}) are not allowed in records — write the value out",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise YamlProblem(event.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels — records are short lists and mappings")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


MAX_INT_CHARS = 15  # counts of people and ballots; a huge integer is a mistake (or an attack on int())


def _build(node: yaml.Node, scalars: yaml.constructor.SafeConstructor):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Map()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain word — write key: value")
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not allowed in records — write the keys out")
            key = _build(key_node, scalars)
            key_line = key_node.start_mark.line + 1
            if key in out:
                raise YamlProblem(key_line, f"duplicate key '{key}' (first at line {out.key_lines[key]}) — keep one")
            out[key] = _build(value_node, scalars)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        out = Seq(_build(item, scalars) for item in node.value)
        out.line, out.item_lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    if node.tag == "tag:yaml.org,2002:timestamp":
        try:
            return scalars.construct_object(node, deep=True)
        except ValueError:
            raise YamlProblem(line, f"'{node.value}' is not a real date — check the day and month") from None
    if node.tag not in _SAFE_SCALAR_TAGS:
        raise YamlProblem(line, f"unsupported YAML tag {node.tag} — remove the tag and write a plain value")
    if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INT_CHARS:
        raise YamlProblem(line, f"number {node.value[:12]}… is too large — numbers in records are counts of at most {MAX_INT_CHARS} digits")
    value = scalars.construct_object(node, deep=True)
    if isinstance(value, str) and (bad := _CONTROL_RE.search(value)):
        raise YamlProblem(
            line + (1 + value[: bad.start()].count("\n") if node.style in ("|", ">") else 0),
            f"control character U+{ord(bad[0]):04X} in a value — records are plain text "
            "(a line break belongs only in a block written with | or >)",
        )
    if isinstance(value, str) and "\n" in value.rstrip("\n") and node.style not in ("|", ">"):
        raise YamlProblem(line, "a line break inside a quoted value — write several lines as a block with | (or keep it on one line)")
    return value


# Every C0 and C1 control except the line feed (block scalars), DEL, line and paragraph separators, and the
# bidirectional overrides that make text read differently from what it is ("Trojan Source").
_CONTROL_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


_SCALARS = yaml.constructor.SafeConstructor()
_RESOLVER = _Loader.__new__(_Loader)  # only its resolve(), which reads the class's tables
yaml.resolver.Resolver.__init__(_RESOLVER)
_resolved: dict[tuple[str, bool], str] = {}  # (plain value, implicit) -> tag: the same ids recur in every record
_built: dict[tuple[str, str], object] = {}  # (tag, value) -> int, float, bool, None or date (immutable)


def _events(parser) -> list:
    """Every event of the one document in the stream, checked as the composer checks them: no
    aliases, no duplicate anchors, no nesting deeper than MAX_DEPTH, one document."""
    events: list = []
    append = events.append
    anchors: dict[str, object] = {}
    depth = 0
    get = parser.get_event
    get()  # StreamStart
    if type(get()) is yaml.StreamEndEvent:
        return events
    scalar, mapping, sequence, alias = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent
    ends, document_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent), yaml.DocumentEndEvent
    while True:  # the node, up to DocumentEnd
        event = get()
        kind = type(event)
        if kind is scalar or kind is mapping or kind is sequence:
            if depth >= MAX_DEPTH:
                raise YamlProblem(event.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels — records are short lists and mappings")
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise yaml.composer.ComposerError(
                        f"found duplicate anchor {event.anchor!r}; first occurrence", anchors[event.anchor],
                        "second occurrence", event.start_mark,
                    )  # fmt: skip
                anchors[event.anchor] = event.start_mark
            if kind is not scalar:
                depth += 1
        elif kind in ends:
            depth -= 1
        elif kind is document_end:
            break
        elif kind is alias:
            raise YamlProblem(event.start_mark.line + 1, f"YAML aliases (*{event.anchor}) are not allowed in records — write the value out")
        append(event)
    event = get()
    if type(event) is not yaml.StreamEndEvent:
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", events[0].start_mark if events else None,
            "but found another document", event.start_mark,
        )  # fmt: skip
    return events


def _tag(event) -> str:
    """The tag of a scalar event, resolved as the composer resolves it."""
    tag = event.tag
    if tag is None or tag == "!":
        value, implicit = event.value, event.implicit[0]
        tag = _resolved.get((value, implicit))
        if tag is None:
            tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
            if len(_resolved) < 50_000:
                _resolved[(value, implicit)] = tag
    return tag


def _scalar(event, tag: str):
    """The value of a scalar event, checked as :func:`_build` checks a node."""
    value = event.value
    if tag == "tag:yaml.org,2002:str":
        if _CONTROL_RE.search(value) is not None or "\n" in value:
            return _build(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style), _SCALARS)
        return value
    if (tag, value) in _built:
        return _built[(tag, value)]
    built = _build(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style), yaml.constructor.SafeConstructor())
    if len(_built) < 50_000:
        _built[(tag, value)] = built
    return built


def _from_events(events: list):
    """The document as Map, Seq and plain values — what :func:`_build` makes of the composed nodes,
    straight from the events (no node objects, no composer)."""
    if not events:
        return None
    stack: list = []  # open Map/Seq, and for a Map the key waiting for its value (or _NO_KEY)
    result = None
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            tag = _tag(event)
            if tag == "tag:yaml.org,2002:merge" and stack and type(stack[-1][0]) is Map and stack[-1][1] is _NO_KEY:
                raise YamlProblem(event.start_mark.line + 1, "merge keys (<<) are not allowed in records — write the keys out")
            value = _scalar(event, tag)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if stack and type(stack[-1][0]) is Map and stack[-1][1] is _NO_KEY:
                raise YamlProblem(event.start_mark.line + 1, "a key must be a plain word — write key: value")
            out = Map() if kind is yaml.MappingStartEvent else Seq()
            out.line = event.start_mark.line + 1
            if kind is yaml.MappingStartEvent:
                out.key_lines = {}
            else:
                out.item_lines = []
            stack.append([out, _NO_KEY, 0])
            continue
        else:  # the end of a mapping or a sequence
            value = stack.pop()[0]
        if not stack:
            result = value
            continue
        top = stack[-1]
        parent = top[0]
        if type(parent) is Seq:
            parent.append(value)
            parent.item_lines.append(event.start_mark.line + 1 if kind is yaml.ScalarEvent else value.line)
        elif top[1] is _NO_KEY:  # a key
            key_line = event.start_mark.line + 1
            if value in parent:
                raise YamlProblem(key_line, f"duplicate key '{value}' (first at line {parent.key_lines[value]}) — keep one")
            top[1], top[2] = value, key_line
        else:
            parent[top[1]] = value
            parent.key_lines[top[1]] = top[2]
            top[1] = _NO_KEY
    return result


_NO_KEY = object()


def parse(text: str):
    """Parse one YAML document from ``text``; raise :class:`YamlProblem` with a line number."""
    if _CParser is not None:
        return _parse_events(text)
    return _parse_composed(text)


@contextlib.contextmanager
def _yaml_errors(text: str):
    """PyYAML's errors while reading ``text`` as :class:`YamlProblem` with the line and a plain message."""
    try:
        yield
    except YamlProblem:
        raise
    except yaml.reader.ReaderError as exc:  # a control character such as NUL
        line = text[: exc.position].count("\n") + 1
        raise YamlProblem(line, f"invalid character {chr(exc.character)!r} — records are plain text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            what = "found a tab character (YAML does not allow tabs for indentation: use spaces)"
        raise YamlProblem(mark.line + 1 if mark else 0, f"invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"invalid YAML: {exc}") from None


def _parse_composed(text: str):
    """:func:`parse` through PyYAML's composer and node objects (without libyaml, and the reference
    the event builder is tested against)."""
    loader = None
    try:
        with _yaml_errors(text):
            loader = _Loader(text)
            node = loader.get_single_node()
    finally:
        if loader is not None:
            loader.dispose()
    return None if node is None else _build(node, yaml.constructor.SafeConstructor())


def _parse_events(text: str):
    """:func:`parse` with libyaml's events turned into values in one pass (five times faster than
    composing nodes first; the same values, checks and messages)."""
    parser = None
    try:
        with _yaml_errors(text):
            parser = _CParser(text)
            events = _events(parser)
    finally:
        if parser is not None:
            parser.dispose()
    return _from_events(events)


def load(path: Path, rel: str, raw: bytes | None = None):
    """Read and parse a record file (or its bytes ``raw``, read already). Returns ``(data, None)``
    or ``(None, Problem)``."""
    if raw is None:
        try:
            if (size := path.stat().st_size) > limits.MAX_RECORD_BYTES:
                return None, Problem(rel, 0, limits.record_too_large(size))  # never read into memory
            raw = path.read_bytes()
        except OSError as exc:
            return None, Problem(rel, 0, f"cannot read the file: {exc.strerror}")
    if len(raw) > limits.MAX_RECORD_BYTES:
        return None, Problem(rel, 0, limits.record_too_large(len(raw)))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(rel, line, "not valid UTF-8 — save the file as UTF-8")
    try:
        return parse(text), None
    except YamlProblem as exc:
        return None, Problem(rel, exc.line, str(exc))


def is_date(value) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_RE, list("tTfF"))

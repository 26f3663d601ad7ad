"""YAML front matter for articles — what Decap CMS writes — read through the records' strict loader.

An article starts either with a Pelican-style header (``Title: …`` lines, then a blank line) or
with YAML front matter between two ``---`` lines::

    ---
    title: Library hours
    authors:
      - Ana Pérez
    tags: [libraries, budget]
    ---
    The text, in Markdown.

Front matter is parsed by :mod:`press.strictyaml` (no aliases, no tags, no merge keys, no duplicate
keys, bounded size and depth) and turned into the equivalent Pelican-style header, so that one
reader, one set of rules and one list of what a writer cannot set (``status``, ``date``, ``slug``…)
apply to both styles. Problems are ``(line, message)`` pairs with the line in the article file.
"""

from __future__ import annotations

import datetime as dt
import re

from . import limits, strictyaml
from .strictyaml import Map, Seq

KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
# Fields whose value may be a YAML list: joined the way Pelican splits them (',' or ';').
LIST_FIELDS = frozenset({"tags", "authors", "author"})
_FENCE = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


class FrontMatterProblem(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def has_front_matter(text: str) -> bool:
    """Whether ``text`` (an article, without its byte-order mark) opens with a ``---`` line."""
    first = text.split("\n", 1)[0]
    return bool(_FENCE.match(first))


def to_header(text: str) -> str:
    """The article with its YAML front matter rewritten as a Pelican-style header.

    Text without front matter is returned unchanged. Raises :class:`FrontMatterProblem`.
    """
    if not has_front_matter(text):
        return text
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if end is None:
        raise FrontMatterProblem(1, "the front matter that starts here has no closing '---' line — end it with a line of three dashes")
    yaml_text = "\n".join(lines[1:end]) + "\n"
    size = len(yaml_text.encode("utf-8"))
    if size > limits.MAX_FRONT_MATTER_BYTES:
        raise FrontMatterProblem(1, f"front matter is {limits.size(size)}; it is limited to {limits.size(limits.MAX_FRONT_MATTER_BYTES)}")
    try:
        data = strictyaml.parse(yaml_text)
    except strictyaml.YamlProblem as exc:
        raise FrontMatterProblem(exc.line + 1 if exc.line else 1, str(exc)) from None
    if data is None:
        data = Map()
        data.line, data.key_lines = 2, {}
    if not isinstance(data, Map):
        raise FrontMatterProblem(2, "front matter must be 'key: value' lines, e.g. title: Library hours")
    header = []
    seen: dict[str, int] = {}
    for key, value in data.items():
        line = data.line_of(key) + 1
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise FrontMatterProblem(line, f"field name {key!r} must be letters, digits, '_' or '-'")
        folded = key.lower()
        if folded in seen:
            raise FrontMatterProblem(line, f"field '{key}' is given twice (first at line {seen[folded]}) — keep one")
        seen[folded] = line
        rendered = _value(key, value, line)
        if rendered is None:
            continue
        # A blank line would end the header: paragraphs of a long value are joined.
        first, *more = [part for part in rendered.split("\n") if part.strip()]
        header.append(f"{key}: {first}")
        header += [f"    {extra}" for extra in more]
    body = "\n".join(lines[end + 1 :]).lstrip("\n")
    return "\n".join(header) + "\n\n" + body


def _value(key: str, value, line: int) -> str | None:
    """One front-matter value as header text; None for an empty field (Decap writes those)."""
    if value is None:
        return None
    if isinstance(value, Map):
        raise FrontMatterProblem(line, f"'{key}' must be text or a list, not a mapping")
    if isinstance(value, Seq):
        if key.lower() not in LIST_FIELDS:
            raise FrontMatterProblem(line, f"'{key}' must be text — only tags and authors may be lists")
        items = []
        for i, item in enumerate(value):
            if isinstance(item, (Map, Seq)) or item is None:
                raise FrontMatterProblem(value.line_of(i) + 1, f"each of '{key}' must be one line of text")
            text = _scalar(item).strip()
            if "\n" in text or ";" in text:
                raise FrontMatterProblem(value.line_of(i) + 1, f"each of '{key}' must be one line of text without ';'")
            if text:
                items.append(text)
        if not items:
            return None
        separator = "; " if any("," in item for item in items) else ", "
        return separator.join(items)
    text = _scalar(value).strip()
    return text or None


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n")

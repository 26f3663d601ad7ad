"""HTML from writers' Markdown, cleaned with an allowlist (nh3, the Ammonia sanitizer).

No scripts, no event handlers, no ``javascript:`` URLs, no styles; iframes only from hosts
the site configuration names (``PRESS_IFRAME_HOSTS``), over https.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import nh3

_IFRAME_ATTRIBUTES = {"src", "title", "width", "height", "allow", "allowfullscreen", "loading"}
# On the sanitizer's output, where every '<' opens a tag that closes: each repeat stops at that tag's end.
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*+>\s*+</iframe>")
# Microformats2 class names (h-entry, p-author, u-url, dt-published, e-content): the theme's alone.
# In a writer's HTML they would let the body claim another author, name or URL to IndieWeb readers.
_MICROFORMAT = re.compile(r"^(?:h|p|u|dt|e)-[a-z0-9-]+$")


def _attributes() -> dict[str, set[str]]:
    attributes = {tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("a", set()).update({"title"})
    attributes.setdefault("img", set()).update({"title", "loading"})
    attributes["*"] = {"id", "class", "lang", "dir"}  # footnotes, tables of contents, code highlighting
    attributes["iframe"] = _IFRAME_ATTRIBUTES
    return attributes


_ATTRIBUTES = _attributes()


def clean_html(html: str, iframe_hosts: frozenset[str] | set[str] = frozenset()) -> str:
    """Return ``html`` with everything outside the allowlist removed."""
    if not html:
        return html

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and parts.hostname in iframe_hosts else None
        if attribute == "class":
            return " ".join(c for c in value.split() if not _MICROFORMAT.match(c)) or None
        return value

    tags = set(nh3.ALLOWED_TAGS) | ({"iframe"} if iframe_hosts else set())
    cleaned = nh3.clean(
        html,
        tags=tags,
        attributes=_ATTRIBUTES,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
    )
    return _EMPTY_IFRAME.sub("", cleaned)


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(data) -> str:
    """``data`` as JSON safe to put inside ``<script>`` (JSON-LD, inline data): no ``<``, ``>`` or
    ``&`` can open a tag or comment, and no line separator can end a string early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m[0]], text)


def strip_tags(fragment: str, between: str = " ") -> str:
    """``fragment`` with each tag (``<`` up to the next ``>``) replaced by ``between``, in one
    forward pass: once no ``>`` is left, nothing after can be a tag, so nothing is read twice."""
    parts, at = [], 0
    while (start := fragment.find("<", at)) >= 0:
        end = fragment.find(">", start + 1)
        if end < 0:
            break
        if end == start + 1:  # "<>" is text
            parts.append(fragment[at : end + 1])
        else:
            parts += [fragment[at:start], between]
        at = end + 1
    parts.append(fragment[at:])
    return "".join(parts)

"""The one rule API: every file of a built site is made by a rule that declares what it is made of.

A rule is an output name, the reason it is published (the positive list, :mod:`press.site.outputs`),
its inputs and how to make it. Its key is the key of its inputs (:func:`press.keys.key_of`, through
the render memo, with the one version salt). The rule API alone decides, for every output:

- **reuse or make**: last build's file when its key is unchanged (hard-linked), else the store's
  copy (checked against its digest), else made (:class:`~press.site.memo.RenderMemo`'s ``reusable``,
  ``link`` and ``record``: the reuse logic lives there, once);
- **claim**: the file goes on the build's positive list with its reason and with what made it
  (:class:`~press.site.outputs.Made`: the rule, the names of the inputs it declared, its key);
- **keep**: its key is recorded, and at the end of the build the file is kept in the store under it
  (``RenderMemo.save``).

The kinds of rule:

- :meth:`Rules.make` — bytes made from inputs (feeds, calendars, JSON, the sitemap, robots.txt, the
  web manifest, the writers' desk in ``admin/``, ``pagefind/shards.json``);
- :meth:`Rules.place` — a file put in place by a writer (a share image, icon or podcast cover drawn
  or taken from the store; a search shard's files taken from the store);
- :meth:`Rules.page` — a template page (articles, pages, the front page, chapter and section fronts,
  ledgers, lists): its inputs are the context variables its template reads, and it is rendered at the
  end of the run (:mod:`press.site.parallel`) unless reused;
- :meth:`Rules.copy` / :meth:`Rules.copied` — a copy whose key is its own digest (approved
  attachments, the ballot pages' script, the theme's static files, shared images).

Nothing else claims an output file: a file no rule made fails the build (``OutputList.check``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from .memo import RenderMemo
from .outputs import COPIED, Made, OutputList, vacate
from .parallel import Job
from .pagination import page_context
from .pelican_adapter import Rendered

GENERATED = "a file the press generates (feeds, ledgers, calendars, sitemap)"


def declared(inputs: tuple) -> tuple[str, ...]:
    """The names of a rule's inputs, for people: the type of each value it is made of."""
    return tuple(type(value).__name__ for value in inputs)


class Rules:
    """One build's rules: they reuse or make every output, claim it and record its key."""

    def __init__(self, outputs: OutputList, memo: RenderMemo | None):
        self.outputs = outputs
        self.memo = memo  # None: caching off, every output made, nothing kept
        self.pages: dict[str, Made] = {}  # output name -> the page rule decided for it, claimed once written

    # ------------------------------------------------------------------ keys and reuse

    def key(self, name: str, inputs: tuple) -> bytes | None:
        """The key of the output ``name`` made of ``inputs``; None when one has no key (made every build)."""
        return self.memo.key(name, *inputs) if self.memo is not None else None

    def reusable(self, name: str, key: bytes | None) -> Path | None:
        """The file to reuse for ``name`` with ``key``: last build's, or the store's checked copy."""
        return self.memo.reusable(name, key) if self.memo is not None else None

    def link(self, name: str, key: bytes, source: Path, target: Path) -> None:
        """Put the reusable ``source`` for ``name`` at ``target`` (a hard link, or a checked copy of the store's)."""
        assert self.memo is not None
        self.memo.link(name, key, source, target)

    def made(self, name: str, key: bytes | None, kept: str | None = None) -> None:
        """``name`` was made afresh under ``key``: the next build may reuse it, and the store keeps it
        (``kept``: already, under that sha256 of its bytes)."""
        if self.memo is not None:
            self.memo.record(name, key, kept)

    # ------------------------------------------------------------------ rules made at once

    def make(self, name: str, reason: str, produce: Callable[..., bytes], *inputs, rule: str = "generated") -> bool:
        """The rule ``name`` = ``produce(*inputs)``, which reads nothing else (the settings are in the
        salt). True when last build's file (or the store's) was reused."""
        return self._run(name, reason, rule, inputs, lambda path: path.write_bytes(produce(*inputs)))

    def place(self, name: str, reason: str, write: Callable[[Path], None], *inputs, rule: str) -> bool:
        """The rule ``name``, made of ``inputs``, put in place by ``write(path)`` (which makes the file new
        at ``path``: a copy or fresh bytes, never a link into the cache)."""
        return self._run(name, reason, rule, inputs, write)

    def _run(self, name: str, reason: str, rule: str, inputs: tuple, write: Callable[[Path], None]) -> bool:
        key = self.key(name, inputs)
        path = self.outputs.path(name)
        source = self.reusable(name, key)
        if source is not None:
            self.link(name, key, source, path)
        else:
            vacate(path)
            write(path)
            self.made(name, key)
        self.outputs.claim(name, reason, written=True, made=Made(rule, declared(inputs), key.hex() if key else None))
        return source is not None

    # ------------------------------------------------------------------ copies

    def copy(self, name: str, reason: str, data: bytes, rule: str = "copy") -> None:
        """A copy of ``data`` at ``name``: its key is its own digest, checked when the site is."""
        self.outputs.write(name, data, reason, made=self._copy(rule, data))

    def copied(self, name: str, reason: str, data: bytes, rule: str = "copy") -> None:
        """A copy Pelican made of ``data`` at ``name`` (the theme's static files, content/images/)."""
        self.outputs.claim(name, reason, data, made=self._copy(rule, data))

    @staticmethod
    def _copy(rule: str, data: bytes) -> Made:
        return Made(rule, COPIED, hashlib.sha256(data).hexdigest())

    # ------------------------------------------------------------------ template pages

    def page(self, template, localcontext: dict, shared: dict) -> Rendered:
        """The rule of a template page: its inputs are the context variables the template (with all it
        extends, includes and imports) reads; its key their keys. Returns the decision for Pelican's
        writer (see pelican_adapter.Rendered): last build's file to link, or the page to render at the
        end of the run."""
        localcontext = page_context(localcontext)  # a numbered page of a list: without the first page's stories
        name = localcontext["output_file"]
        memo = self.memo
        key = memo.fingerprint(template, localcontext, name) if memo is not None else None
        if memo is not None:
            inputs = tuple(sorted(v for v in memo.variables(template) if v in localcontext))
        else:
            inputs = ("the page's whole context (caching is off)",)
        self.pages[name] = Made(f"template {template.name}", inputs, key.hex() if key else None)
        source = self.reusable(name, key)
        if source is not None:
            return Rendered("", (name, source, key))
        # rendered at the end of the run, with the other pages to make (parallel.py); the writer adds the path
        store = memo.store if memo is not None and key is not None and memo.store.usable() else None
        return Rendered("", Job("", name, template, localcontext, shared, shared.get("localsiteurl"), key, store))

    def written(self, name: str, reason: str) -> None:
        """Claim the page ``name`` once it is in place (linked now, or rendered at the end)."""
        self.outputs.claim(name, reason, written=True, made=self.pages.get(name))


class RuleTemplate:
    """Stands in for a Jinja template in Pelican's writer: a page is a rule (:meth:`Rules.page`).

    It renders nothing: it returns the rule's decision for the writer with the page itself."""

    def __init__(self, template, rules: Rules, shared: dict):
        self.template = template
        self.rules = rules
        self.shared = shared  # the context the writer was given: Pelican sets its "localsiteurl" per page
        self.name = template.name
        self.environment = template.environment

    def render(self, localcontext: dict) -> Rendered:
        return self.rules.page(self.template, localcontext, self.shared)

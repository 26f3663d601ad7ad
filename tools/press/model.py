"""The press as one object: records read once, decisions derived once, git asked once."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import clock
from .decisions import EDITED, PUBLISHED, ArticleDecision, Decisions, decide
from .history import History, MissingObject, Version, missing_objects, unreadable
from .inputs import Inputs, Verified, remember, scan
from .problems import PressError, Problem
from .reading import ParsedRecords, Records, read_records
from .records import ARTICLE_MOTIONS, NOT_ASSEMBLIES, SLUG_RE, Article, Assembly, parse_metadata


@dataclass(frozen=True)
class ApprovedRevision:
    """The exact bytes an assembly approved, found in git history, for an article edited since."""

    data: bytes
    version: Version  # the commit that introduced the approved bytes
    edited: Version | None  # the first commit that changed them; None: the edits are not committed
    files: dict[str, bytes] = field(default_factory=dict)  # the approved attachments (bundle folder)


@dataclass
class Press:
    root: Path
    records: Records
    decisions: Decisions

    @property
    def problems(self) -> list[Problem]:
        """Every problem in the input, in file and line order."""
        return sorted(set(self.records.problems) | set(self.decisions.problems))

    @property
    def warnings(self) -> list[Problem]:
        """What is reported but publishes all the same (metadata of bundles voted before the cut-over)."""
        return sorted(set(self.decisions.warnings))

    @functools.cached_property
    def unvoted_draft_problems(self) -> list[Problem]:
        """The problems confined to articles no motion names (their Markdown or their bundle folder):
        they fail ``press verify`` and the pull-request check, but ``press build`` leaves the draft
        out with a warning, since it would not be published anyway. A problem of an article some
        motion names, of a folder that belongs to no article, or of anything else is never in this list."""
        voted = {
            motion.target
            for meeting in self.records.meetings
            for motion in meeting.motions
            if motion.kind in ARTICLE_MOTIONS
        } | {ballot.article for ballot in self.records.ballots if ballot.article}  # fmt: skip
        return [
            p for p in sorted(set(self.records.problems))
            if (aid := draft_of(p.path)) and aid not in voted and (self.root / "content" / f"{aid}.md").is_file()
        ]  # fmt: skip

    @functools.cached_property
    def history(self) -> History:
        """Every version of every article in git (empty outside a git work tree)."""
        with gc_paused():
            return History.read(self.root)

    @functools.cached_property
    def revisions(self) -> dict[str, ApprovedRevision]:
        """Approved revisions of the articles edited since approval, where git still has them."""
        found: dict[str, ApprovedRevision] = {}
        history = self.history
        with gc_paused():
            self._revisions(history, found)
        return found

    def _revisions(self, history: History, found: dict) -> None:
        for aid, decision in self.decisions.articles.items():
            if decision.state == EDITED:
                history.require(decision.article.path, "edited since its approval, it is published as the approved revision from git history")
            if decision.state == EDITED and history.repo is not None:
                hit = _find(history, decision.article, decision.approved_digest)
                if hit:
                    data, files, version, edited = hit
                    found[aid] = ApprovedRevision(data, version, edited, files)

    def approved_article(self, decision: ArticleDecision) -> Article | None:
        """The article as its assembly last approved it (title, metadata), or None if it never was
        approved or the approved bytes are nowhere (then only its id may be shown)."""
        if decision.approved is None:
            return None
        article = decision.article
        if not _from_history(decision):
            return article
        revision = self.revisions.get(article.id)
        if revision is None:
            self.history.require(article.path, "its approved revision is read from git history")
            hit = _find(self.history, article, decision.approved_digest)
            if hit is None:
                return None
            revision = ApprovedRevision(hit[0], hit[2], hit[3], hit[1])
        try:
            meta = parse_metadata(revision.data.decode("utf-8").lstrip("\ufeff"))
        except UnicodeDecodeError:
            return None
        title = meta.get("title", "").strip() or None
        attachments = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(revision.files.items())}
        return dataclasses.replace(article, title=title, metadata=meta, digest=decision.approved_digest, attachments=attachments)

    @functools.cached_property
    def shown(self) -> dict[str, ArticleDecision]:
        """Every article decision as the public may see it: the article's title and metadata as
        approved; an article never approved (or whose approved bytes are lost) named by its id."""
        shown = {}
        with gc_paused():
            for aid, decision in self.decisions.articles.items():
                approved = self.approved_article(decision)
                if approved is None or approved.title is None:
                    approved = dataclasses.replace(decision.article, title=aid, metadata={})
                shown[aid] = dataclasses.replace(decision, article=approved)
        return shown

    @functools.cached_property
    def needs_history(self) -> bool:
        """Whether what the press publishes or shows depends on git history: an article approved in
        other bytes than its file holds now (edited since, or retracted after an edit)."""
        return any(_from_history(d) for d in self.decisions.articles.values())

    def require_history(self) -> None:
        """Read from git now every approved revision the press publishes or shows. Where git is
        missing, an object is missing or the clone is shallow, this is where ``press build``,
        ``status``, ``verify`` and ``check`` all stop, with one sentence naming the article
        (:meth:`press.history.History.require`, :func:`press.history.unreadable`). The history is read
        here too (submission dates and authors come from it): a hung or broken git stops the command
        before anything is written."""
        self.shown
        self.history

    def publishable(self, decision: ArticleDecision) -> bool:
        """Published as it is, or published as the revision that was approved."""
        return decision.state == PUBLISHED or decision.article.id in self.revisions

    def reasons(self, decision: ArticleDecision) -> list[str]:
        """Why an article is in its state, in words for its writer and editors."""
        if decision.state != EDITED:
            return decision.reasons
        revision = self.revisions.get(decision.article.id)
        if revision is None:
            return ["held back: the approved revision is nowhere in git history", *decision.reasons]
        since = revision.edited.when.date().isoformat() if revision.edited else "(uncommitted)"
        return [f"published (approved revision); edits since {since} await a vote", *decision.reasons[1:]]

    def verified(self) -> Verified:
        """What ``press verify`` reports of this press. Never "ok" where the build would stop for a
        broken git: then the build's own sentence is raised (a :class:`PressError`), and nothing is
        remembered. An answer that asked git is remembered with git's HEAD (see :mod:`press.inputs`)."""
        if self.needs_history:
            self.require_history()
        r = self.records
        verified = Verified(self.problems, len(r.assemblies), r.council is not None, len(r.meetings), len(r.articles), self.warnings)
        self.__dict__["_verified"] = verified
        return verified

    def save(self) -> None:
        """Keep what reading this press learnt, for the next run: the records parsed, the git history
        read, and ``press verify``'s answer when it is known (:mod:`press.inputs`). Reading never
        writes: a command calls this, once, when it is done (a cache that cannot be written only
        costs time)."""
        self.save_records()
        if "history" in self.__dict__:
            self.history.save()
        self.save_answer()

    def save_answer(self) -> None:
        """Remember ``press verify``'s answer (:mod:`press.inputs`) once it is known, and let go of the
        listing it is remembered with (a build calls this before it renders: at 20,000 articles the
        listing is 8 MiB)."""
        pending = self.__dict__.pop("_memory", None)
        verified = self.__dict__.get("_verified")
        if pending is not None and verified is None and (not self.needs_history or "shown" in self.__dict__):
            # no git needed, or git already read without a fault (press build): the answer is the problems found
            verified = self.verified()
        if pending is not None and verified is not None:
            inputs, now, asked_git = pending
            remember(self.root, inputs, now, clock.zones_of(self.records), verified, asked_git=asked_git or self.needs_history)
        elif pending is not None:
            self.__dict__["_memory"] = pending  # not known yet: a later call remembers it

    def save_records(self) -> None:
        """Keep the records parsed, for the next run, and let go of what kept them (all reading of
        records is done once the press is loaded: a build calls this before it renders, so the
        parsed records' encodings are not held while the site is made)."""
        parsed = self.__dict__.pop("_parsed", None)
        if parsed is not None:
            parsed.save()

    def assembly(self, aid: str) -> Assembly:
        """The assembly ``aid`` (or the council, ``council``); a PressError naming the known ones if there is none."""
        if self.records.council is not None and aid == self.records.council.id:
            return self.records.council
        if aid not in self.records.assemblies:
            known = ", ".join(sorted(self.records.assemblies)) or "none yet"
            raise PressError(f"no assembly '{aid}' (known: {known})")
        return self.records.assemblies[aid]

    def article_id(self, ref: str) -> str:
        """Resolve an article given as an id (``springfield/rent``) or a path to its file."""
        path = Path(ref)
        candidates = [path if path.is_absolute() else Path.cwd() / path, self.root / path]
        for candidate in candidates:
            if candidate.suffix == ".md" and candidate.is_file():
                try:
                    rel = candidate.resolve().relative_to((self.root / "content").resolve())
                except ValueError:
                    raise PressError(f"{ref} is not under {self.root / 'content'}") from None
                ref = rel.with_suffix("").as_posix()
                break
        if ref not in self.records.articles:
            raise PressError(f"no article '{ref}' — give an id like <assembly>/<slug> or a path to content/<assembly>/<slug>.md")
        return ref


def draft_of(rel: str) -> str | None:
    """The article id (``<assembly>/<slug>``) whose file or bundle folder ``rel`` is, or None:
    ``content/<assembly>/<slug>.md``, ``content/<assembly>/<slug>`` and anything below it."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "content" or parts[1] in NOT_ASSEMBLIES or parts[1].startswith("."):
        return None
    slug = parts[2][:-3] if len(parts) == 3 and parts[2].endswith(".md") else parts[2]
    return f"{parts[1]}/{slug}" if SLUG_RE.match(slug) else None


def load(
    root: Path | str = ".", now: dt.datetime | None = None, rosters: Path | None = None, cache: bool = True,
    inputs: Inputs | None = None,
) -> Press:  # fmt: skip
    """Read every record under ``root`` and decide every motion and article.

    ``now``: the run's instant (default :func:`press.clock.now`).
    ``rosters``: read the assemblies' rosters and rules from this folder instead (``press check``).
    ``cache``: reuse records parsed by an earlier run when their bytes are unchanged, and remember
    the problems found for ``press verify`` (see :mod:`press.inputs`).
    ``inputs``: a :func:`press.inputs.scan` of ``root`` made just before, if the caller has one.
    """
    root = Path(root)
    now = now or clock.now()
    if not (root / "editorial").is_dir() and not (root / "content").is_dir():
        raise PressError(f"{root} is not a press: it has neither content/ nor editorial/ (use --root)")
    if cache and rosters is None and inputs is None:
        inputs = scan(root)
    with gc_paused():
        parsed = ParsedRecords(root, inputs.statuses if inputs else None) if cache else None
        records = read_records(root, rosters, parsed)
        history, withdrawn = _withdrawn(root, records)
        press = Press(root=root, records=records, decisions=decide(records, now, withdrawn))
    if history is not None:
        press.__dict__["history"] = history  # read once
    if parsed is not None:
        press.__dict__["_parsed"] = parsed  # kept by Press.save, never here
    if cache and rosters is None and inputs is not None:
        # press verify's memory: kept by Press.save when the answer needs no git, else when verified() has asked it
        press.__dict__["_memory"] = (inputs, now, history is not None)
    return press


def _from_history(decision: ArticleDecision) -> bool:
    """Whether the bytes ``decision``'s article was approved in are not its file's now (only git has them)."""
    return decision.approved is not None and decision.article.digest != decision.approved_digest


def _find(history: History, article: Article, digest: str):
    """:func:`press.history.find_in_history`; an object missing from the repository is one sentence naming the article."""
    from .history import find_in_history

    try:
        with missing_objects():
            return find_in_history(history, article, digest)
    except MissingObject as exc:
        raise unreadable(article.path, exc) from None


@contextlib.contextmanager
def gc_paused():
    """The cyclic garbage collector off while a step makes hundreds of thousands of objects that live
    until it ends and almost no cycles (the model; Pelican's articles and pages): the collector would
    walk the growing heap again and again (at 20,000 articles, more than half the time of a load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _withdrawn(root: Path, records: Records) -> tuple[History | None, frozenset[str]]:
    """Articles that motions name but whose file is gone: withdrawn if git history shows the file was
    there (a removed article), otherwise a mistake in the record. Git is asked only when there are any.
    Outside git (an exported copy) a removed file cannot be told from a mistyped id: both are withdrawn,
    which publishes nothing."""
    missing = {
        motion.target
        for meeting in records.meetings
        for motion in meeting.motions
        if motion.kind in ARTICLE_MOTIONS and not motion.problems and motion.target not in records.articles
    }
    if not missing:
        return None, frozenset()
    history = History.read(root)
    for aid in sorted(missing):
        history.require(f"content/{aid}.md", "motions name this article and its file is gone; only git history tells a removed article from a mistyped one")
    if history.repo is None:
        return history, frozenset(missing)
    return history, frozenset(aid for aid in missing if f"content/{aid}.md" in history.versions)

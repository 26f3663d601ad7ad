"""Decisions: pure functions from records to the outcome of every motion, the state of every
article and the delegate history of every assembly.

Nothing here reads files. ``decide(records, now)`` is deterministic: it sorts meetings by
(assembly, date) and takes motions in their recorded order, so the order files were read in
never matters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import clock
from .clock import today_in
from .problems import Problem
from .reading import Records
from .records import ARTICLE_MOTIONS, Article, Assembly, Meeting
from .sittings import FAILED, INVALID, PASSED, DelegateTerm, Outcome, _as_voted, _corrections, _Meeting  # noqa: F401 (PASSED, FAILED: the statuses, named here too)

if TYPE_CHECKING:
    from .council.decisions import CouncilDecisions

PUBLISHED = "published"
EDITED = "edited-since-approval"
REJECTED = "rejected"
RETRACTED = "retracted"
AWAITING = "awaiting-vote"
WITHDRAWN = "withdrawn"  # the file was removed from content/: nothing is published, the record stays
STATES = (PUBLISHED, EDITED, REJECTED, RETRACTED, AWAITING, WITHDRAWN)
# What a meeting has to vote on: articles awaiting a vote, or edited since their approval.
PENDING_STATES = (AWAITING, EDITED)


@dataclass
class ArticleDecision:
    article: Article
    state: str
    reasons: list[str]
    decided: Outcome | None = None
    approved: Outcome | None = None
    first_approved: Outcome | None = None
    published_on: dt.date | None = None
    updated_on: dt.date | None = None
    update_note: str | None = None
    history: list[Outcome] = field(default_factory=list)

    @property
    def approved_digest(self) -> str | None:
        return self.approved.motion.digest if self.approved else None

    @property
    def retraction(self) -> Outcome | None:
        return self.decided if self.state == RETRACTED else None


@dataclass
class Decisions:
    now: dt.datetime  # the run's instant (press.clock)
    today: dt.date  # its date in UTC; a body's own "today" is today_of(body)
    outcomes: list[Outcome]
    articles: dict[str, ArticleDecision]
    delegates: dict[str, list[DelegateTerm]]
    problems: list[Problem]
    council: CouncilDecisions | None = None  # the council's outcomes, features and mandate records
    warnings: list[Problem] = field(default_factory=list)  # reported, never stopping a build (press.media's cut-over)
    ballots: list = field(default_factory=list)  # press.ballots.Ballot: the opened online ballots, by (closes, body, id)

    def today_of(self, body: Assembly) -> dt.date:
        """The run's instant as a date in ``body``'s own timezone."""
        return today_in(self.now, body.timezone)

    def delegate(self, assembly: str, on: dt.date | None = None) -> DelegateTerm | None:
        """The delegate of ``assembly`` on ``on`` (default: today), or None."""
        on = on or self.today
        for term in reversed(self.delegates.get(assembly, [])):
            if term.elected.date <= on and (term.ended is None or on < term.ended):
                return term
        return None

    def published(self) -> list[ArticleDecision]:
        return [d for d in self.articles.values() if d.state == PUBLISHED]


# --------------------------------------------------------------------------- articles


def _withdrawn_decision(aid: str, history: list[Outcome]) -> ArticleDecision:
    """An article whose file was removed from content/: it publishes nothing; its motions stay on record."""
    assembly, _, slug = aid.partition("/")
    article = Article(id=aid, assembly=assembly, slug=slug, path=f"content/{aid}.md", digest="", title=None)
    before = _article_decision(article, history)
    was = {PUBLISHED: "published", EDITED: "published"}.get(before.state, before.state)
    since = f" (was {was} {before.decided.date})" if before.decided else " (was awaiting a vote)"
    return dataclasses.replace(
        before,
        state=WITHDRAWN,
        reasons=[f"withdrawn: content/{aid}.md was removed{since}; its motions stay on the record"],
        published_on=None,
        updated_on=None,
        update_note=None,
    )


def _article_decision(article: Article, history: list[Outcome]) -> ArticleDecision:
    decision = ArticleDecision(article=article, state=AWAITING, reasons=[], history=history)
    approved_digest = None
    for outcome in history:
        if not outcome.passed:
            continue
        kind = outcome.motion.kind
        decision.decided = outcome
        if kind == "publish":
            if decision.approved is None or decision.state in (REJECTED, RETRACTED, AWAITING):
                decision.published_on, decision.updated_on, decision.update_note = outcome.date, None, None
                decision.first_approved = outcome
            elif outcome.motion.digest != approved_digest:
                decision.updated_on, decision.update_note = outcome.date, outcome.motion.note
            decision.approved = outcome
            approved_digest = outcome.motion.digest
            decision.state = PUBLISHED
        else:
            decision.state = REJECTED if kind == "reject" else RETRACTED
            decision.published_on = decision.updated_on = decision.update_note = None
            if kind == "reject":
                decision.approved = decision.first_approved = None

    decided = decision.decided
    if decided is None:
        decision.reasons.append("no passed motion names it yet")
    elif decision.state == PUBLISHED:
        if approved_digest != article.digest:
            decision.state = EDITED
            decision.reasons.append(
                f"the file changed after approval on {decided.date} "
                f"(approved {approved_digest[:15]}…, now {article.digest[:15]}…) — the edits need a new vote"
            )
        else:
            decision.reasons.append(f"approved {decided.date}: {decided.tally}")
    elif decision.state == REJECTED:
        decision.reasons.append(f"rejected {decided.date}: {decided.tally}")
    else:
        decision.reasons.append(f"retracted {decided.date}: {decided.motion.reason}")
    for outcome in history:
        if outcome.passed or (decided and (outcome.date, outcome.motion.index) < (decided.date, decided.motion.index)):
            continue
        decision.reasons.append(
            f"{outcome.motion.kind} motion of {outcome.date} {outcome.status}: {'; '.join(outcome.reasons)}"
        )
    return decision


# --------------------------------------------------------------------------- people


def people(assemblies: dict[str, Assembly]) -> dict[tuple[str, str], tuple[str, str]]:
    """Each member entry ``(assembly, member)`` -> the person it belongs to, named by the first entry
    of that person. Entries in different rosters are one person when they share an explicit
    ``person:`` id, a GitHub handle (case-insensitive) or an SSH key."""
    parent: dict = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for aid, assembly in sorted(assemblies.items()):
        for mid, member in sorted(assembly.members.items()):
            entry = ("entry", aid, mid)
            find(entry)
            marks = [("person", member.person)] if member.person else []
            marks += [("github", member.github.lower())] if member.github else []
            marks += [("key", " ".join(k.line.split()[:2])) for k in member.keys]
            for mark in marks:
                parent[find(mark)] = find(entry)
    first: dict = {}
    found = {}
    for aid, assembly in sorted(assemblies.items()):
        for mid in sorted(assembly.members):
            root = find(("entry", aid, mid))
            found[(aid, mid)] = first.setdefault(root, (aid, mid))
    return found


def _one_seat_each(assemblies: dict[str, Assembly], delegates: dict[str, list[DelegateTerm]], problems: list[Problem]) -> None:
    """A person holds at most one council seat on any date: an election that would give someone a
    second seat while they hold one does not count, and is a problem at its line."""
    person = people(assemblies)
    terms = sorted(
        ((t.elected.date, aid, t) for aid, ts in delegates.items() for t in ts), key=lambda x: (x[0], x[1], x[2].elected.motion.index)
    )
    held: list[tuple[str, DelegateTerm]] = []
    for day, aid, term in terms:
        who = person.get((aid, term.member))
        other = next(
            ((a, t) for a, t in held if a != aid and person.get((a, t.member)) == who and (t.ended is None or day < t.ended)), None
        )
        if other is None:
            held.append((aid, term))
            continue
        a, t = other
        message = (
            f"'{term.member}' of {aid} is the same person as '{t.member}' of {a}, who holds {a}'s council seat "
            f"since {t.elected.date} — one person holds at most one seat: this election does not count"
        )
        problems.append(Problem(term.elected.meeting.path, term.elected.motion.line, message))
        term.elected.status = INVALID
        term.elected.reasons = [message]
        delegates[aid].remove(term)


# --------------------------------------------------------------------------- entry point


def decide(records: Records, now: dt.datetime | None = None, withdrawn: frozenset[str] = frozenset()) -> Decisions:
    """Evaluate every motion and derive every article's state and every assembly's delegates.

    ``now``: the run's instant (default :func:`press.clock.now`); each body's "today" is its date
    in the body's timezone. ``withdrawn``: ids of articles whose file was removed (git history
    shows it); motions may name them.
    """
    now = now or clock.now()
    today = now.astimezone(clock.UTC).date()
    problems: list[Problem] = []
    outcomes: list[Outcome] = []
    delegates: dict[str, list[DelegateTerm]] = defaultdict(list)
    by_article: dict[str, list[Outcome]] = defaultdict(list)
    withdrawn = frozenset(withdrawn) - set(records.articles)
    meetings = {(m.assembly, m.date): m for m in records.meetings}
    def sitting(meeting: Meeting) -> _Meeting | None:
        assembly = records.assemblies.get(meeting.assembly)
        return _Meeting(assembly, meeting, today_in(now, assembly.timezone), []) if assembly else None

    corrections = _corrections(
        records.meetings, sitting, lambda evaluator, motion: evaluator.evaluate(motion, None, records.articles, withdrawn, meetings)
    )

    for meeting in sorted(records.meetings, key=lambda m: (m.assembly, m.date)):
        assembly = records.assemblies.get(meeting.assembly)
        if assembly is None:
            continue
        evaluator = _Meeting(assembly, meeting, today_in(now, assembly.timezone), problems)
        terms = delegates[assembly.id]
        for motion in meeting.motions:
            current = terms[-1] if terms and (terms[-1].ended is None or meeting.date < terms[-1].ended) else None
            delegate = current.member if current else None
            outcome = _as_voted(
                evaluator, motion, corrections,
                lambda as_voted, delegate=delegate: evaluator.evaluate(as_voted, delegate, records.articles, withdrawn, meetings),
            )  # fmt: skip
            outcomes.append(outcome)
            if motion.kind in ARTICLE_MOTIONS:
                by_article[motion.target].append(outcome)
            elif outcome.passed and motion.kind == "elect-delegate":
                if current:
                    current.ended, current.ended_by = meeting.date, "replaced"
                terms.append(DelegateTerm(member=motion.target, elected=outcome))
            elif outcome.passed and motion.kind == "recall-delegate" and current:
                current.ended, current.ended_by = meeting.date, "recalled"
        for term in terms:  # a delegate's term also ends when they leave the assembly
            left = assembly.members[term.member].left
            if term.ended is None and left is not None:
                term.ended, term.ended_by = left, "left the assembly"

    # Online ballots are sittings too: an assembly's decide after its meetings (their open-ballot
    # motions open them) and before the council counts seats; the council's party-wide ones last.
    warnings: list[Problem] = []
    ballots: list = []
    if records.ballots:
        from .ballots import apply_outcomes, decide_ballots

        person = people(records.assemblies)
        ballots = decide_ballots(records, now, outcomes, delegates, person, problems, warnings, party_wide=False)
        outcomes += apply_outcomes(ballots, by_article, delegates)
    council = None
    if records.council is not None:
        _one_seat_each(records.assemblies, delegates, problems)
        from .council.decisions import decide_council

        council = decide_council(records, delegates, by_article, today_in(now, records.council.timezone), problems, withdrawn)
        outcomes += council.outcomes
        if records.ballots:
            party = decide_ballots(records, now, outcomes, delegates, person, problems, warnings, party_wide=True)
            outcomes += apply_outcomes(party, by_article, delegates)
            ballots = sorted(ballots + party, key=lambda b: (b.closes, b.body, b.id))
    articles = {
        aid: _article_decision(article, by_article.get(aid, [])) for aid, article in sorted(records.articles.items())
    }
    for aid in sorted(withdrawn & set(by_article)):
        articles[aid] = _withdrawn_decision(aid, by_article[aid])
    articles = dict(sorted(articles.items()))
    from .media import judge

    found, media_warnings = judge(records, articles)
    problems += found
    return Decisions(
        now=now, today=today, outcomes=outcomes, articles=articles, delegates=dict(delegates), problems=problems, council=council,
        warnings=warnings + media_warnings, ballots=ballots,
    )  # fmt: skip

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
from .records import ARTICLE_MOTIONS, Article, Assembly, Meeting, Motion, Records

if TYPE_CHECKING:
    from .council.decisions import CouncilDecisions

PASSED, FAILED, INVALID = "passed", "failed", "invalid"

PUBLISHED = "published"
EDITED = "edited-since-approval"
REJECTED = "rejected"
RETRACTED = "retracted"
AWAITING = "awaiting-vote"
WITHDRAWN = "withdrawn"  # the file was removed from content/: nothing is published, the record stays
STATES = (PUBLISHED, EDITED, REJECTED, RETRACTED, AWAITING, WITHDRAWN)


@dataclass
class Outcome:
    """What became of one motion at one meeting."""

    assembly: Assembly
    meeting: Meeting
    motion: Motion
    status: str
    reasons: list[str]
    yes: int = 0
    no: int = 0
    abstain: int = 0
    quorum: int = 0
    eligible: int = 0
    corrected_by: Outcome | None = None  # the passed correct motion that changed or struck this one

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def date(self) -> dt.date:
        return self.meeting.date

    @property
    def tally(self) -> str:
        """``12 yes · 3 no · 1 abstain (quorum 10)``"""
        return f"{self.yes} yes · {self.no} no · {self.abstain} abstain (quorum {self.quorum})"

    @property
    def anchor(self) -> str:
        """Fragment id of this motion on the ledger page."""
        return f"{self.meeting.date.isoformat()}-{self.motion.index + 1}"


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
class DelegateTerm:
    member: str
    elected: Outcome
    ended: dt.date | None = None
    ended_by: str | None = None  # "recalled", "replaced" or "left the assembly"


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


# --------------------------------------------------------------------------- motions


def _standing(assembly: Assembly, mid: str, day: dt.date, role: str) -> str | None:
    """Why ``mid`` may not take part in a meeting of ``assembly`` on ``day``, or None if they may."""
    member = assembly.members.get(mid)
    if member is None:
        return f"'{mid}' {role} but is not a member of {assembly.id} — check the id against the roster in {assembly.path}"
    if not member.in_good_standing(day):
        when = f"joined {member.joined}" if day < member.joined else f"left {member.left}"
        return (
            f"'{mid}' {role} but is not a member of {assembly.id} in good standing on {day} ({when})"
            " — only members in good standing on the meeting date take part"
        )
    return None


class _Meeting:
    """Evaluates the motions of one meeting against the roster on its date."""

    def __init__(self, assembly: Assembly, meeting: Meeting, today: dt.date, problems: list[Problem]):
        self.assembly = assembly
        self.meeting = meeting
        self.problems = problems
        self.eligible = {m.id for m in assembly.members_on(meeting.date)}
        self.attending = set(meeting.present) if isinstance(meeting.present, tuple) else set()
        self.meeting_reasons: list[str] = []
        if meeting.date > today and meeting.motions:
            self._meeting_error(
                meeting.motions[0].line,
                f"motions are recorded for {meeting.date}, which is after today ({today}) — "
                "a future meeting may be scheduled only with no motions",
            )
        self.present = self._check_present()
        if assembly.rules.signatures_on(meeting.date) and meeting.motions:
            self._check_signatures()

    def _check_signatures(self) -> None:
        """A record counts only when enough distinct editors signed its exact bytes."""
        from .signatures import check_meeting  # cryptography is imported only when minutes are signed

        needed = self.assembly.rules.signatures_on(self.meeting.date)
        check = check_meeting(self.assembly, self.meeting)
        for sig_path, why in check.rejected:
            self.problems.append(Problem(sig_path, 0, f"signature not counted: {why} — sign again with press sign"))
        if check.count < needed:
            signed = f"signed by {', '.join(check.signers)}" if check.signers else "not signed"
            self.meeting_reasons.append(
                f"awaiting signatures: {self.assembly.id} requires {needed} editor signature(s), this record is {signed}"
            )

    def _meeting_error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.meeting.path, line, message))
        self.meeting_reasons.append(message)

    def _standing(self, mid: str, role: str) -> str | None:
        """Why ``mid`` may not take part in this meeting, or None if they may."""
        if mid in self.eligible:  # in good standing on the day: the usual case, answered without a lookup
            return None
        return _standing(self.assembly, mid, self.meeting.date, role)

    def _check_present(self) -> int:
        present = self.meeting.present
        if present is None:
            return 0
        if isinstance(present, int):
            count = present
        else:
            seen: set[str] = set()
            for mid, line in zip(present, self.meeting.present_lines):
                why = self._standing(mid, "is listed as present")
                if why:
                    self._meeting_error(line, why)
                elif mid in seen:
                    self._meeting_error(line, f"'{mid}' is listed as present twice — list each member once")
                seen.add(mid)
            count = len(present)
        if self.assembly.rules.ballot == "secret" and count > len(self.eligible):
            self._meeting_error(
                self.meeting.present_line,
                f"{count} present, but {self.assembly.id} has only {len(self.eligible)} members in good standing "
                f"on {self.meeting.date} — correct the attendance count",
            )
        return count

    def evaluate(
        self, motion: Motion, delegate: str | None, articles: dict[str, Article], withdrawn=frozenset(), meetings=None
    ) -> Outcome:
        rules = self.assembly.rules
        reasons = list(motion.problems) + list(self.meeting_reasons)

        def error(line: int, message: str) -> None:
            self.problems.append(Problem(self.meeting.path, line, message))
            reasons.append(message)

        if rules.ballot == "secret":
            yes, no, abstain = int(motion.yes), int(motion.no), int(motion.abstain)  # type: ignore[arg-type]
            if yes + no + abstain > self.present:
                error(motion.line, f"{yes + no + abstain} ballots cast but only {self.present} present — correct the counts or the attendance")
        else:
            seen: dict[str, str] = {}
            present = self.attending
            voters = (*motion.yes, *motion.no, *motion.abstain)  # type: ignore[misc]
            if len(set(voters)) == len(voters) and present.issuperset(voters) and self.eligible.issuperset(voters):
                sides: tuple[str, ...] = ()  # every vote counts: the usual case, without a check per voter
            else:
                sides = ("yes", "no", "abstain")
            for side in sides:
                voters = motion.__dict__[side]
                for mid, line in zip(voters, motion.vote_lines.get(side, [])):
                    why = self._standing(mid, "voted")
                    if why:
                        error(line, why)
                    elif mid not in present:
                        error(line, f"'{mid}' voted but is not listed as present — add them to 'present'")
                    if mid in seen:
                        error(line, f"'{mid}' voted more than once in this motion ({seen[mid]} and {side}) — one vote each")
                    seen.setdefault(mid, side)
            yes, no, abstain = len(motion.yes), len(motion.no), len(motion.abstain)  # type: ignore[arg-type]

        if not motion.problems:
            if motion.kind in ARTICLE_MOTIONS and motion.target not in articles and motion.target not in withdrawn:
                error(motion.line, f"no article {motion.target} — expected content/{motion.target}.md")
            elif motion.kind == "correct":
                why = self._correctable(motion, meetings or {})
                if why:
                    error(motion.line, why)
            elif motion.kind == "elect-delegate":
                why = self._standing(motion.target, "is proposed as delegate")
                if why:
                    error(motion.line, why)
            elif motion.kind == "recall-delegate" and motion.target != delegate:
                current = f"the delegate is {delegate}" if delegate else "there is no delegate"
                error(motion.line, f"cannot recall '{motion.target}': {current} of {self.assembly.id} on {self.meeting.date} — a recall names the current delegate")

        quorum = rules.quorum_for(len(self.eligible))
        outcome = Outcome(
            assembly=self.assembly,
            meeting=self.meeting,
            motion=motion,
            status=INVALID,
            reasons=reasons,
            yes=yes,
            no=no,
            abstain=abstain,
            quorum=quorum,
            eligible=len(self.eligible),
        )
        if reasons:
            return outcome
        cast = yes + no + abstain
        if cast < quorum:
            outcome.status = FAILED
            outcome.reasons = [f"no quorum: {cast} {'ballot' if cast == 1 else 'ballots'} cast, {quorum} needed"]
        elif not rules.threshold_met(yes, no):
            outcome.status = FAILED
            outcome.reasons = [f"threshold not met: {yes} yes against {no} no, {rules.threshold_text} needed"]
        else:
            outcome.status = PASSED
        return outcome

    def _correctable(self, motion: Motion, meetings: dict) -> str | None:
        """Why ``motion`` (a correct motion) cannot correct what it names, or None if it can."""
        day, index = motion.corrects
        target = meetings.get((self.assembly.id, day))
        if day >= self.meeting.date:
            return f"correct names {motion.target}, which is not before this meeting — minutes are corrected at a later meeting"
        if target is None:
            return f"correct names {motion.target}, but {self.assembly.id} has no meeting record of {day}"
        if index >= len(target.motions):
            return f"correct names {motion.target}, but that meeting has {len(target.motions)} motion(s)"
        if target.motions[index].kind == "correct":
            return f"correct names {motion.target}, itself a correction — correct the original motion instead"
        corrected = motion.corrected
        if corrected is None:
            return None
        # the corrected votes answer to the roster and attendance of the meeting they correct
        if self.assembly.rules.ballot == "secret":
            cast = int(corrected.yes) + int(corrected.no) + int(corrected.abstain)
            present = target.present if isinstance(target.present, int) else len(target.present or ())
            if cast > present:
                return f"the corrected votes count {cast} ballots but {present} were present at {day}"
            return None
        present = set(target.present) if isinstance(target.present, tuple) else set()
        seen: set[str] = set()
        for side in ("yes", "no", "abstain"):
            for mid in getattr(corrected, side):
                why = _standing(self.assembly, mid, day, f"is a corrected {side} vote")
                if why:
                    return why
                if mid not in present:
                    return f"'{mid}' is a corrected {side} vote but is not in the attendance of {day}"
                if mid in seen:
                    return f"'{mid}' votes more than once in the corrected votes — one vote each"
                seen.add(mid)
        return None


def _corrections(records: Records, now: dt.datetime, withdrawn) -> dict[tuple[str, dt.date, int], Outcome]:
    """Every passed ``correct`` motion, by the motion it corrects (the latest correction wins).

    A correction's own outcome depends only on its meeting's roster and attendance, so corrections
    are decided before the motions they correct."""
    meetings = {(m.assembly, m.date): m for m in records.meetings}
    found: dict[tuple[str, dt.date, int], Outcome] = {}
    for meeting in sorted(records.meetings, key=lambda m: (m.assembly, m.date)):
        assembly = records.assemblies.get(meeting.assembly)
        if assembly is None or not any(m.kind == "correct" for m in meeting.motions):
            continue
        evaluator = _Meeting(assembly, meeting, today_in(now, assembly.timezone), [])
        for motion in meeting.motions:
            if motion.kind == "correct":
                outcome = evaluator.evaluate(motion, None, records.articles, withdrawn, meetings)
                if outcome.passed:
                    found[(assembly.id, *motion.corrects)] = outcome
    return found


def _as_corrected(motion: Motion, correction: Outcome) -> Motion:
    """The motion as the correction says it was really voted; a struck motion keeps its record."""
    votes = correction.motion.corrected
    if votes is None:
        return motion
    return dataclasses.replace(motion, yes=votes.yes, no=votes.no, abstain=votes.abstain, vote_lines=dict(votes.vote_lines))


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
    corrections = _corrections(records, now, withdrawn)

    for meeting in sorted(records.meetings, key=lambda m: (m.assembly, m.date)):
        assembly = records.assemblies.get(meeting.assembly)
        if assembly is None:
            continue
        evaluator = _Meeting(assembly, meeting, today_in(now, assembly.timezone), problems)
        terms = delegates[assembly.id]
        for motion in meeting.motions:
            current = terms[-1] if terms and (terms[-1].ended is None or meeting.date < terms[-1].ended) else None
            correction = corrections.get((assembly.id, meeting.date, motion.index))
            as_voted = _as_corrected(motion, correction) if correction else motion
            struck = correction is not None and correction.motion.corrected is None
            evaluator.problems = [] if struck else problems  # a struck motion's flaws are no longer the record's
            outcome = evaluator.evaluate(as_voted, current.member if current else None, records.articles, withdrawn, meetings)
            evaluator.problems = problems
            if correction:
                outcome.corrected_by = correction
                if correction.motion.corrected is None:
                    outcome.status = INVALID
                    outcome.reasons = [
                        f"struck from the record by the correction of {correction.date} "
                        f"(motion {correction.motion.index + 1}): {correction.motion.reason}"
                    ]
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

    council = None
    if records.council is not None:
        from .council.decisions import decide_council

        council = decide_council(records, delegates, by_article, today_in(now, records.council.timezone), problems, withdrawn)
        outcomes += council.outcomes
    articles = {
        aid: _article_decision(article, by_article.get(aid, [])) for aid, article in sorted(records.articles.items())
    }
    for aid in sorted(withdrawn & set(by_article)):
        articles[aid] = _withdrawn_decision(aid, by_article[aid])
    articles = dict(sorted(articles.items()))
    from .media import judge

    found, warnings = judge(records, articles)
    problems += found
    return Decisions(
        now=now, today=today, outcomes=outcomes, articles=articles, delegates=dict(delegates), problems=problems, council=council,
        warnings=warnings,
    )  # fmt: skip

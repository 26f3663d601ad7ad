"""Sittings: the vote rules every body shares (an assembly's meeting, the council's).

One evaluator (:class:`_Sitting`) checks a sitting's attendance, signatures and each motion's
quorum and threshold; corrections are applied by one rule (:func:`_corrections`, :func:`_as_voted`).
:mod:`press.decisions` (the assemblies) and :mod:`press.council.decisions` (the council) both build
on this module, so neither imports the other's rules back. Nothing here reads files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from .problems import Problem
from .records import ARTICLE_MOTIONS, Article, Assembly, Meeting, Motion

PASSED, FAILED, INVALID = "passed", "failed", "invalid"

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
    ballot: object | None = None  # a press.ballots.Ballot, when the sitting was an online ballot; ``meeting`` then stands for its close

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def provenance(self) -> str:
        """How it was decided, as the site says it: ``Approved by online ballot, 14–21 November: 23 yes ·
        4 no · 2 abstain of 40 eligible``, or ``Approved at the meeting of 5 November 2026: …``."""
        verb = _VERBS.get(self.motion.kind, "Decided") if self.passed else "Not carried"
        if self.ballot is not None:
            return f"{verb} by online ballot, {_span(self.ballot.opens.date(), self.ballot.closes.date())}: {self.yes} yes · {self.no} no · {self.abstain} abstain of {self.eligible} eligible"
        return f"{verb} at the meeting of {_day(self.date, True)}: {self.tally}"

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
        if self.ballot is not None:
            return f"ballot-{self.ballot.id}"
        return f"{self.meeting.date.isoformat()}-{self.motion.index + 1}"


_VERBS = {"publish": "Approved", "reject": "Rejected", "retract": "Retracted", "elect-delegate": "Elected", "recall-delegate": "Recalled"}


def _day(day: dt.date, year: bool = False) -> str:
    return f"{day.day} {day:%B}" + (f" {day.year}" if year else "")


def _span(first: dt.date, last: dt.date) -> str:
    """``14–21 November``, ``28 October–4 November``, ``28 December 2026–4 January 2027``."""
    if first.year != last.year:
        return f"{_day(first, True)}–{_day(last, True)}"
    if first.month != last.month:
        return f"{_day(first)}–{_day(last)}"
    if first == last:
        return _day(first)
    return f"{first.day}–{_day(last)}"


@dataclass
class DelegateTerm:
    member: str
    elected: Outcome
    ended: dt.date | None = None
    ended_by: str | None = None  # "recalled", "replaced" or "left the assembly"


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


class _Sitting:
    """Evaluates the motions of one meeting of a voting body — an assembly or the council — against
    who may take part on its date. The rules every body shares live here once: no motions for a date
    after today, attendance (known, eligible, listed once), signatures, one vote each from those
    present, quorum and threshold. A body supplies who may take part (:meth:`standing`), who signs
    (:meth:`signers`) and what its voters are called."""

    voter = "'{}'"  # how a message names a voter: a member, or (the council) a seat
    unit = "member"
    signer = "editor"
    signed = "signed by"

    def __init__(self, body: Assembly, meeting: Meeting, today: dt.date, problems: list[Problem]):
        self.body = body
        self.meeting = meeting
        self.problems = problems
        self.attending = set(meeting.present) if isinstance(meeting.present, tuple) else set()
        self.meeting_reasons: list[str] = []
        if meeting.date > today and meeting.motions:
            self._meeting_error(
                meeting.motions[0].line,
                f"motions are recorded for {meeting.date}, which is after today ({today}) — "
                "a future meeting may be scheduled only with no motions",
            )
        self.present = self._check_present()
        if body.rules.signatures_on(meeting.date) and meeting.motions:
            self._check_signatures()

    def standing(self, voter: str, role: str) -> str | None:
        """Why ``voter`` may not take part in this meeting, or None if they may."""
        raise NotImplementedError

    def signers(self) -> Assembly:
        """The body as signatures see it: who signs its records, with which keys."""
        return self.body

    def _check_signatures(self) -> None:
        """A record counts only when enough distinct signers signed it (press.signatures)."""
        from .signatures import check_meeting  # cryptography is imported only when minutes are signed

        needed = self.body.rules.signatures_on(self.meeting.date)
        check = check_meeting(self.signers(), self.meeting)
        for sig_path, why in check.rejected:
            self.problems.append(Problem(sig_path, 0, f"signature not counted: {why} — sign again with press sign"))
        if check.count < needed:
            signed = f"{self.signed} {', '.join(check.signers)}" if check.signers else "not signed"
            self.meeting_reasons.append(
                f"awaiting signatures: {self.label} requires {needed} {self.signer} signature(s), this record is {signed}"
            )

    @property
    def label(self) -> str:
        return self.body.id

    def _meeting_error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.meeting.path, line, message))
        self.meeting_reasons.append(message)

    def _check_present(self) -> int:
        present = self.meeting.present
        if present is None:
            return 0
        if isinstance(present, int):
            return present
        seen: set[str] = set()
        for voter, line in zip(present, self.meeting.present_lines):
            why = self.standing(voter, "is listed as present")
            if why:
                self._meeting_error(line, why)
            elif voter in seen:
                self._meeting_error(line, f"{self.voter.format(voter)} is listed as present twice — list each {self.unit} once")
            else:
                self._check_attendee(voter)
            seen.add(voter)
        return len(present)

    def _check_attendee(self, voter: str) -> None:
        """A body's own check of one attendee (the council: the delegate named for a seat)."""

    def _reasons(self, motion: Motion):
        """Why ``motion`` does not count so far (its own flaws and the meeting's), and ``error(line,
        message)``, which records one more at a line of the record."""
        reasons = list(motion.problems) + list(self.meeting_reasons)

        def error(line: int, message: str) -> None:
            self.problems.append(Problem(self.meeting.path, line, message))
            reasons.append(message)

        return reasons, error

    def _check_votes(self, motion: Motion, error) -> None:
        """Each vote from someone present who may take part, one vote each."""
        seen: dict[str, str] = {}
        for side in ("yes", "no", "abstain"):
            for voter, line in zip(getattr(motion, side), motion.vote_lines.get(side, [])):
                why = self.standing(voter, "voted")
                if why:
                    error(line, why)
                elif voter not in self.attending:
                    it = "them" if self.unit == "member" else "it"
                    error(line, f"{self.voter.format(voter)} voted but is not listed as present — add {it} to 'present'")
                if voter in seen:
                    each = "one vote each" if self.unit == "member" else f"one vote per {self.unit}"
                    error(line, f"{self.voter.format(voter)} voted more than once in this motion ({seen[voter]} and {side}) — {each}")
                seen.setdefault(voter, side)

    @staticmethod
    def counted(motion: Motion) -> tuple[int, int, int]:
        """Yes, no and abstain as a tally shows them: each voter once a side, the same in every body
        (a name written twice on one side is one vote, and a problem at its line)."""
        return len(set(motion.yes)), len(set(motion.no)), len(set(motion.abstain))  # type: ignore[arg-type]

    def _settle(self, outcome: Outcome, unit: str = "ballot") -> Outcome:
        """Passed or failed by quorum and threshold, for an outcome whose votes all count."""
        return settle(outcome, self.body.rules, unit, self._of_total(outcome), self._in_unit())

    def correctable(self, motion: Motion, meetings: dict) -> str | None:
        """Why ``motion`` (a correct motion) cannot correct what it names, or None if it can."""
        day, index = motion.corrects
        target = meetings.get((self.body.id, day))
        if day >= self.meeting.date:
            return f"correct names {motion.target}, which is not before this meeting — minutes are corrected at a later meeting"
        if target is None:
            return f"correct names {motion.target}, but {self.body.id} has no meeting record of {day}"
        if index >= len(target.motions):
            return f"correct names {motion.target}, but that meeting has {len(target.motions)} motion(s)"
        if target.motions[index].kind == "correct":
            return f"correct names {motion.target}, itself a correction — correct the original motion instead"
        corrected = motion.corrected
        if corrected is None:
            return None
        # the corrected votes answer to the roster and attendance of the meeting they correct
        if self.body.rules.ballot == "secret":
            cast = int(corrected.yes) + int(corrected.no) + int(corrected.abstain)
            present = target.present if isinstance(target.present, int) else len(target.present or ())
            if cast > present:
                return f"the corrected votes count {cast} ballots but {present} were present at {day}"
            return None
        present = set(target.present) if isinstance(target.present, tuple) else set()
        seen: set[str] = set()
        for side in ("yes", "no", "abstain"):
            for mid in getattr(corrected, side):
                why = self.standing_on(mid, day, f"is a corrected {side} vote")
                if why:
                    return why
                if mid not in present:
                    return f"{self.voter.format(mid)} is a corrected {side} vote but is not in the attendance of {day}"
                if mid in seen:
                    return f"{self.voter.format(mid)} votes more than once in the corrected votes — one vote each"
                seen.add(mid)
        return None

    def standing_on(self, voter: str, day: dt.date, role: str) -> str | None:
        """Why ``voter`` could not take part in a meeting of this body on ``day``, or None."""
        raise NotImplementedError

    def _of_total(self, outcome: Outcome) -> str:
        return ""

    def _in_unit(self) -> str:
        return ""


class _Meeting(_Sitting):
    """An assembly's meeting, against its roster on the meeting date."""

    def __init__(self, assembly: Assembly, meeting: Meeting, today: dt.date, problems: list[Problem]):
        self.assembly = assembly
        self.eligible = {m.id for m in assembly.members_on(meeting.date)}
        super().__init__(assembly, meeting, today, problems)
        if assembly.rules.ballot == "secret" and self.present > len(self.eligible):
            self._meeting_error(
                self.meeting.present_line,
                f"{self.present} present, but {self.assembly.id} has only {len(self.eligible)} members in good standing "
                f"on {self.meeting.date} — correct the attendance count",
            )

    def standing_on(self, mid: str, day: dt.date, role: str) -> str | None:
        return _standing(self.assembly, mid, day, role)

    def standing(self, mid: str, role: str) -> str | None:
        if mid in self.eligible:  # in good standing on the day: the usual case, answered without a lookup
            return None
        return _standing(self.assembly, mid, self.meeting.date, role)


    def evaluate(
        self, motion: Motion, delegate: str | None, articles: dict[str, Article], withdrawn=frozenset(), meetings=None
    ) -> Outcome:
        rules = self.assembly.rules
        reasons, error = self._reasons(motion)

        if rules.ballot == "secret":
            yes, no, abstain = int(motion.yes), int(motion.no), int(motion.abstain)  # type: ignore[arg-type]
            if yes + no + abstain > self.present:
                error(motion.line, f"{yes + no + abstain} ballots cast but only {self.present} present — correct the counts or the attendance")
        else:
            voters = (*motion.yes, *motion.no, *motion.abstain)  # type: ignore[misc]
            if not (len(set(voters)) == len(voters) and self.attending.issuperset(voters) and self.eligible.issuperset(voters)):
                self._check_votes(motion, error)  # else every vote counts: the usual case, without a check per voter
            yes, no, abstain = self.counted(motion)

        if not motion.problems:
            if motion.kind in ARTICLE_MOTIONS and motion.target not in articles and motion.target not in withdrawn:
                error(motion.line, f"no article {motion.target} — expected content/{motion.target}.md")
            elif motion.kind == "correct":
                why = self.correctable(motion, meetings or {})
                if why:
                    error(motion.line, why)
            elif motion.kind == "elect-delegate":
                why = self.standing(motion.target, "is proposed as delegate")
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
        return outcome if reasons else self._settle(outcome)

def no_quorum(cast: int, quorum: int, unit: str = "ballot", of_total: str = "") -> str:
    """Why a sitting's vote failed its quorum, in the same words for a meeting, the council and an
    online ballot's motion or question."""
    units = unit if cast == 1 or unit == "weight" else f"{unit}s"  # a weight is a sum: "7 weight"
    return f"no quorum: {cast} {units} cast, {quorum} needed{of_total}"


def settle(outcome: Outcome, rules, unit: str = "ballot", of_total: str = "", in_unit: str = "") -> Outcome:
    """Passed or failed by ``rules``' quorum (``outcome.quorum``) and threshold, for an outcome whose
    votes all count: one rule for every sitting, a meeting's or an online ballot's."""
    cast = outcome.yes + outcome.no + outcome.abstain
    if cast < outcome.quorum:
        outcome.status = FAILED
        outcome.reasons = [no_quorum(cast, outcome.quorum, unit, of_total)]
    elif not rules.threshold_met(outcome.yes, outcome.no):
        outcome.status = FAILED
        outcome.reasons = [f"threshold not met: {outcome.yes} yes against {outcome.no} no{in_unit}, {rules.threshold_text} needed"]
    else:
        outcome.status = PASSED
    return outcome


def _corrections(meetings, sitting, evaluate) -> dict[tuple[str, dt.date, int], Outcome]:
    """Every passed ``correct`` motion of ``meetings``, by the motion it corrects (the latest
    correction wins). ``sitting(meeting)`` makes the body's evaluator (collecting no problems), or
    None; ``evaluate(evaluator, motion)`` decides one motion.

    A correction's own outcome depends only on its meeting's roster and attendance, so corrections
    are decided before the motions they correct."""
    found: dict[tuple[str, dt.date, int], Outcome] = {}
    for meeting in sorted(meetings, key=lambda m: (m.assembly, m.date)):
        if not any(m.kind == "correct" for m in meeting.motions):
            continue
        evaluator = sitting(meeting)
        if evaluator is None:
            continue
        for motion in meeting.motions:
            if motion.kind == "correct":
                outcome = evaluate(evaluator, motion)
                if outcome.passed:
                    found[(meeting.assembly, *motion.corrects)] = outcome
    return found


def _as_voted(evaluator: _Sitting, motion: Motion, corrections: dict, evaluate) -> Outcome:
    """Decide ``motion`` (``evaluate(motion)``) as its latest passed correction says it was voted; a
    motion the correction struck stays on the record, invalid, and its flaws are no longer the record's."""
    correction = corrections.get((evaluator.meeting.assembly, evaluator.meeting.date, motion.index))
    if correction is None:
        return evaluate(motion)
    problems = evaluator.problems
    struck = correction.motion.corrected is None
    evaluator.problems = [] if struck else problems
    outcome = evaluate(_as_corrected(motion, correction))
    evaluator.problems = problems
    outcome.corrected_by = correction
    if struck:
        outcome.status = INVALID
        outcome.reasons = [
            f"struck from the record by the correction of {correction.date} "
            f"(motion {correction.motion.index + 1}): {correction.motion.reason}"
        ]
    return outcome


def _as_corrected(motion: Motion, correction: Outcome) -> Motion:
    """The motion as the correction says it was really voted; a struck motion keeps its record."""
    votes = correction.motion.corrected
    if votes is None:
        return motion
    return dataclasses.replace(motion, yes=votes.yes, no=votes.no, abstain=votes.abstain, vote_lines=dict(votes.vote_lines))

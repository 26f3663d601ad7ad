"""The council's decisions: pure functions from records and the assemblies' delegate history.

- **Seats** on a date are the assemblies with a delegate on that date (recalls take effect from
  the recall meeting's date); each seat is held by that delegate.
- **Weight** of a seat: 1 (``weighting: equal``) or its assembly's members in good standing on
  that date (``weighting: members``). Quorum and threshold are measured in weight.
- **Features**: a passed ``feature`` puts a published article on the front page until it is
  unfeatured, its ``until`` day has passed, or its assembly retracts or rejects it.
- **Mandate record**: for every assembly, each council motion with the vote its seat cast and
  who held the seat that day.

Nothing here reads files; :func:`decide_council` is called by :func:`press.decisions.decide`; the vote rules it shares with the
assemblies are in :mod:`press.sittings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..problems import Problem
from ..reading import Records
from ..records import ARTICLE_MOTIONS, Assembly, Member
from ..sittings import INVALID, DelegateTerm, Outcome, _as_voted, _corrections, _Sitting
from .records import Council, CouncilMeeting, CouncilMotion

SIDES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Seat:
    """One assembly's seat on the council on one date."""

    assembly: str
    delegate: str  # member id of the delegate holding the seat
    name: str  # the delegate's name
    weight: int
    elected: dt.date


def delegate_on(terms: list[DelegateTerm], day: dt.date) -> DelegateTerm | None:
    """The term in force on ``day``: elected on or before it, not ended (recalled, replaced, left) by it."""
    for term in reversed(terms):
        if term.elected.date <= day and (term.ended is None or day < term.ended):
            return term
    return None


def seats_on(
    assemblies: dict[str, Assembly], delegates: dict[str, list[DelegateTerm]], day: dt.date, weighting: str, census: dict[str, int] | None = None,
) -> dict[str, Seat]:  # fmt: skip
    """The council's seats on ``day``, by assembly id: derived, never listed. With ``weighting:
    members`` a seat weighs what the census the council last adopted says (``census``), never what a
    roster says today: no assembly's editors change a seat's weight by editing their roster. A seat
    no adopted census names weighs 1."""
    seats = {}
    for aid, assembly in sorted(assemblies.items()):
        term = delegate_on(delegates.get(aid, []), day)
        if term is None:
            continue
        weight = 1 if weighting == "equal" else (census or {}).get(aid, 1)
        member = assembly.members[term.member]
        seats[aid] = Seat(assembly=aid, delegate=term.member, name=member.name, weight=weight, elected=term.elected.date)
    return seats


@dataclass
class CouncilOutcome(Outcome):
    """A council motion's outcome. ``yes``/``no``/``abstain``/``quorum``/``eligible`` are weights;
    the ``*_seats`` fields count seats."""

    seats: dict[str, Seat] = field(default_factory=dict)  # filled on the meeting date
    yes_seats: int = 0
    no_seats: int = 0
    abstain_seats: int = 0
    weighting: str = "equal"

    @property
    def tally(self) -> str:
        """``2 yes · 1 no · 0 abstain (quorum 2 of 3 seats)``; with ``weighting: members`` each side
        also shows the members its seats represent."""
        if self.weighting == "equal":
            return f"{self.yes_seats} yes · {self.no_seats} no · {self.abstain_seats} abstain (quorum {self.quorum} of {len(self.seats)} seats)"

        def side(seats: int, weight: int) -> str:
            return f"{seats} seat{'' if seats == 1 else 's'} ({weight} members)" if seats else "0"

        return (
            f"yes {side(self.yes_seats, self.yes)} · no {side(self.no_seats, self.no)} · abstain {side(self.abstain_seats, self.abstain)}"
            f" (quorum {self.quorum} of {self.eligible} members represented)"
        )

    def vote_of(self, seat: str) -> str | None:
        """How ``seat`` voted in this motion as recorded (yes, no, abstain), or None."""
        for side in SIDES:
            if seat in getattr(self.motion, side):
                return side
        return None


@dataclass
class Feature:
    """An article on the national front page, from the passed motion that put it there."""

    article: str
    outcome: CouncilOutcome
    lead: bool
    until: dt.date | None
    ended: dt.date | None = None  # first day off the front page
    ended_by: str | None = None  # "unfeatured", "featured again", "retracted", "rejected", "expired"

    @property
    def date(self) -> dt.date:
        return self.outcome.date

    def active(self, day: dt.date) -> bool:
        if day < self.date:
            return False
        if self.ended is not None and day >= self.ended:
            return False
        return self.until is None or day <= self.until


@dataclass
class MandateEntry:
    """One council motion as one assembly's seat saw it."""

    outcome: CouncilOutcome
    holder: str | None  # member id of the delegate holding the seat that day
    holder_name: str | None
    vote: str  # yes | no | abstain | present, no vote | absent | no delegate | vote not counted
    changed_hands: bool  # the seat's holder differs from the previous council motion's
    previous: str | None = None  # member id of the previous holder, when the seat changed hands
    previous_name: str | None = None
    previous_ended_by: str | None = None  # how their term ended: recalled, replaced, left the assembly
    previous_ended: dt.date | None = None


@dataclass
class CouncilDecisions:
    council: Council
    today: dt.date
    outcomes: list[CouncilOutcome]
    features: list[Feature]  # in the order they were voted
    seats_today: dict[str, Seat]
    mandates: dict[str, list[MandateEntry]]  # assembly id -> its seat's record

    def on_front_page(self, day: dt.date | None = None) -> list[Feature]:
        """Features in force on ``day`` (default today), the latest decided first."""
        day = day or self.today
        live = [f for f in self.features if f.active(day)]
        return sorted(live, key=lambda f: (f.date, f.outcome.motion.index), reverse=True)


# --------------------------------------------------------------------------- evaluation


class _CouncilMeeting(_Sitting):
    """A council meeting, against the seats filled on its date."""

    voter = "seat '{}'"
    unit = "seat"
    signer = "delegate"
    signed = "signed for"
    label = "the council"

    def __init__(
        self, records: Records, meeting: CouncilMeeting, delegates: dict[str, list[DelegateTerm]], today: dt.date, problems: list[Problem],
        census: dict[str, int] | None = None,
    ) -> None:  # fmt: skip
        self.council: Council = records.council  # type: ignore[assignment]
        self.assemblies = records.assemblies
        self.delegates = delegates
        self.seats = seats_on(records.assemblies, delegates, meeting.date, self.council.rules.weighting, census)
        super().__init__(self.council, meeting, today, problems)

    def signers(self) -> Assembly:
        return signing_body(self.council, self.assemblies, self.seats, self.meeting.date)

    def standing(self, seat: str, role: str) -> str | None:
        """Why ``seat`` may not take part in this meeting, or None if it may."""
        day = self.meeting.date
        if seat not in self.assemblies:
            known = ", ".join(sorted(self.assemblies)) or "none"
            return f"'{seat}' {role} but is not an assembly — seats are assembly ids (known: {known})"
        if seat not in self.seats:
            terms = self.delegates.get(seat, [])
            last = next((t for t in reversed(terms) if t.elected.date <= day), None)
            if last is None:
                why = "it has never elected one"
            else:
                why = f"{last.member} was {last.ended_by} on {last.ended}"
            return (
                f"seat '{seat}' {role} but has no delegate on {day} ({why}) — "
                f"a seat sits only while {seat} has a delegate; {seat} must elect one at its own meeting"
            )
        return None

    def standing_on(self, seat: str, day: dt.date, role: str) -> str | None:
        """Why ``seat`` could not take part in a council meeting on ``day`` (a corrected vote)."""
        if seat not in self.assemblies:
            return self.standing(seat, role)
        if delegate_on(self.delegates.get(seat, []), day) is None:
            return f"seat '{seat}' {role} but has no delegate on {day} — a seat sits only while its assembly has a delegate"
        return None

    def _check_attendee(self, seat: str) -> None:
        """A seat's named delegate must be the one holding it that day."""
        if seat not in self.meeting.sitting:
            return
        named, at = self.meeting.sitting[seat]
        holder = self.seats[seat]
        if named != holder.delegate:
            terms = [t for t in self.delegates.get(seat, []) if t.member == named and t.ended and t.ended <= self.meeting.date]
            if terms:
                was = f"'{named}' was {terms[-1].ended_by} as {seat}'s delegate on {terms[-1].ended}"
            else:
                was = f"'{named}' is not {seat}'s delegate"
            self._meeting_error(
                at,
                f"{was}; on {self.meeting.date} the seat is held by '{holder.delegate}' ({holder.name}) — only the sitting delegate takes the seat",
            )

    def evaluate(self, motion: CouncilMotion, state_on, featured: dict[str, Feature], articles, withdrawn=frozenset(), meetings=None) -> CouncilOutcome:
        rules = self.council.rules
        reasons, error = self._reasons(motion)

        self._check_votes(motion, error)

        day = self.meeting.date
        if not motion.problems:
            target = motion.target
            if motion.kind == "correct":
                why = self.correctable(motion, meetings or {})
                if why:
                    error(motion.line, why)
            elif motion.kind == "census":
                unknown = sorted(set(motion.weights) - set(self.assemblies))
                if unknown:
                    error(motion.line, f"the census names {', '.join(unknown)}, not an assembly — seats are assembly ids")
                elif motion.counted > day:
                    error(motion.line, f"the census counts the rosters on {motion.counted}, after the meeting date {day} — count them on or before it")
            elif motion.kind == "open-ballot":
                pass  # the ballot it opens is found by press.ballots
            elif target not in articles and target not in withdrawn:
                error(motion.line, f"no article {target} — expected content/{target}.md")
            elif motion.kind == "feature":
                state = state_on(target, day, motion.index)
                if state != "published":
                    error(motion.line, f"{target} is {state} on {day}, not published — only an article published on the meeting date can be featured")
                if motion.until is not None and motion.until < day:
                    error(motion.line, f"until {motion.until} is before the meeting date {day} — give the last day it stays on the front page")
            elif motion.kind == "unfeature" and not (target in featured and featured[target].active(day)):
                error(motion.line, f"{target} is not on the front page on {day} — nothing to unfeature")

        def weight(side: str) -> int:
            return sum(self.seats[s].weight for s in set(getattr(motion, side)) if s in self.seats)

        total = sum(s.weight for s in self.seats.values())
        seats = self.counted(motion)
        outcome = CouncilOutcome(
            assembly=self.council,
            meeting=self.meeting,
            motion=motion,
            status=INVALID,
            reasons=reasons,
            yes=weight("yes"),
            no=weight("no"),
            abstain=weight("abstain"),
            quorum=rules.quorum_for(total),
            eligible=total,
            seats=dict(self.seats),
            yes_seats=seats[0],
            no_seats=seats[1],
            abstain_seats=seats[2],
            weighting=rules.weighting,
        )
        return outcome if reasons else self._settle(outcome, "seat" if rules.weighting == "equal" else "weight")

    def _of_total(self, outcome: CouncilOutcome) -> str:  # type: ignore[override]
        return f" of {outcome.eligible} filled"

    def _in_unit(self) -> str:
        return f" ({'seat' if self.council.rules.weighting == 'equal' else 'weight'})"


def signing_body(council: Council, assemblies: dict[str, Assembly], seats: dict[str, Seat], day: dt.date) -> Assembly:
    """The council on ``day`` as signatures see it: each seat is an editor that signs with its
    delegate's key from the delegate's own assembly roster (``<date>.yml.<seat>.sig``)."""
    members = {}
    for aid, seat in seats.items():
        delegate = assemblies[aid].members[seat.delegate]
        members[aid] = Member(id=aid, name=delegate.name, joined=day, keys=delegate.keys, github=delegate.github)
    return Assembly(
        id=council.id, path=council.path, name=council.name, rules=council.rules, members=members, editors=tuple(members), timezone=council.timezone,
    )  # fmt: skip


def census_on(assemblies: dict[str, Assembly], day: dt.date) -> dict[str, int]:
    """The figures ``press census`` proposes: each assembly's members in good standing on ``day``."""
    return {aid: len(assembly.members_on(day)) for aid, assembly in sorted(assemblies.items())}


def signers_of(records: Records, delegates: dict[str, list[DelegateTerm]], body: str, day: dt.date) -> Assembly | None:
    """Who signs a record of ``body`` of a meeting on ``day``, as one rule for every body: an
    assembly's editors, or the council's seats filled that day (:func:`signing_body`)."""
    if body in records.assemblies:
        return records.assemblies[body]
    council = records.council
    if council is None or body != council.id:
        return None
    seats = seats_on(records.assemblies, delegates, day, council.rules.weighting)
    return signing_body(council, records.assemblies, seats, day)


def _state_on(history: list[Outcome], day: dt.date, before: tuple | None = None) -> str:
    """The state an article's passed motions gave it on ``day`` (at the council's motion ``before``)."""
    state = "awaiting-vote"
    for outcome in sorted(history, key=lambda o: (o.date, o.motion.index)):
        if not outcome.passed or outcome.date > day:
            continue
        if before is not None and outcome.assembly.id == "council" and (outcome.date, outcome.motion.index) >= before:
            continue
        kind = outcome.motion.kind
        state = {"publish": "published", "reject": "rejected", "retract": "retracted"}.get(kind, kind)
    return state


def _census_at(records: Records, meetings, delegates, today: dt.date, state_on, withdrawn, by_date) -> dict:
    """The census in force when each council meeting opened (None before any): the figures of the
    last census motion passed before it, as recorded. Corrections are decided before the motions
    they correct, so they need the weights first."""
    council: Council = records.council  # type: ignore[assignment]
    found: dict[dt.date, dict[str, int] | None] = {}
    census: dict[str, int] | None = None
    for meeting in meetings:
        found[meeting.date] = census
        if not any(m.kind == "census" for m in meeting.motions):
            continue
        evaluator = _CouncilMeeting(records, meeting, delegates, today, [], census)
        for motion in meeting.motions:
            if motion.kind == "census" and evaluator.evaluate(motion, state_on, {}, records.articles, withdrawn, by_date).passed:
                census = dict(motion.weights)  # type: ignore[attr-defined]
                evaluator.seats = seats_on(records.assemblies, delegates, meeting.date, council.rules.weighting, census)
    return found


def decide_council(
    records: Records,
    delegates: dict[str, list[DelegateTerm]],
    by_article: dict[str, list[Outcome]],
    today: dt.date,
    problems: list[Problem],
    withdrawn: frozenset[str] = frozenset(),
) -> CouncilDecisions:
    """Evaluate every council meeting in date order. Outcomes of the council's own article motions
    are added to ``by_article``, so its statements are decided exactly as articles are.
    ``withdrawn``: articles whose file was removed (their motions stay on the record)."""
    council: Council = records.council  # type: ignore[assignment]
    outcomes: list[CouncilOutcome] = []
    features: list[Feature] = []
    featured: dict[str, Feature] = {}  # article -> its latest passed feature

    def state_on(aid: str, day: dt.date, index: int) -> str:
        return _state_on(by_article.get(aid, []), day, (day, index))

    meetings = sorted((m for m in records.meetings if isinstance(m, CouncilMeeting)), key=lambda m: m.date)
    by_date = {(m.assembly, m.date): m for m in meetings}
    census_at = _census_at(records, meetings, delegates, today, state_on, withdrawn, by_date)
    corrections = _corrections(  # a correction is weighed by the census in force when its meeting opened
        meetings, lambda meeting: _CouncilMeeting(records, meeting, delegates, today, [], census_at[meeting.date]),
        lambda evaluator, motion: evaluator.evaluate(motion, state_on, {}, records.articles, withdrawn, by_date),
    )  # fmt: skip
    census: dict[str, int] | None = None  # the figures last adopted: a seat's weight from the next motion on
    for meeting in meetings:
        evaluator = _CouncilMeeting(records, meeting, delegates, today, problems, census)
        for motion in meeting.motions:
            outcome = _as_voted(
                evaluator, motion, corrections,
                lambda as_voted: evaluator.evaluate(as_voted, state_on, featured, records.articles, withdrawn, by_date),  # type: ignore[arg-type]
            )  # fmt: skip
            outcomes.append(outcome)
            if motion.kind in ARTICLE_MOTIONS:
                by_article.setdefault(motion.target, []).append(outcome)
            if not outcome.passed:
                continue
            if outcome.motion.kind == "census":
                census = dict(outcome.motion.weights)  # type: ignore[attr-defined]
                evaluator.seats = seats_on(records.assemblies, delegates, meeting.date, council.rules.weighting, census)
                continue
            previous = featured.get(motion.target)
            if motion.kind == "feature":
                if previous is not None and previous.active(meeting.date):
                    previous.ended, previous.ended_by = meeting.date, "featured again"
                feature = Feature(article=motion.target, outcome=outcome, lead=motion.lead, until=motion.until)  # type: ignore[attr-defined]
                features.append(feature)
                featured[motion.target] = feature
            elif motion.kind == "unfeature" and previous is not None:
                previous.ended, previous.ended_by = meeting.date, "unfeatured"

    # An article its assembly retracts or rejects after it was featured leaves the front page that day.
    for feature in features:
        after = (feature.date, feature.outcome.motion.index)
        for outcome in sorted(by_article.get(feature.article, []), key=lambda o: (o.date, o.motion.index)):
            # any passed motion but publish (retract, reject, …) takes the article off the front page
            if not outcome.passed or outcome.motion.kind == "publish" or outcome.date < feature.date:
                continue
            if outcome.assembly.id == "council" and (outcome.date, outcome.motion.index) < after:
                continue
            if feature.ended is None or outcome.date < feature.ended:
                feature.ended, feature.ended_by = outcome.date, f"{outcome.motion.kind}ed"
            break
        if feature.ended is None and feature.article in withdrawn:  # its file is gone: off the front page now
            feature.ended, feature.ended_by = today, "withdrawn"
        if feature.ended is None and feature.until is not None and feature.until < today:
            feature.ended, feature.ended_by = feature.until + dt.timedelta(days=1), "expired"

    mandates = {aid: _mandate(aid, outcomes, delegates, records) for aid in sorted(records.assemblies)}
    return CouncilDecisions(
        council=council,
        today=today,
        outcomes=outcomes,
        features=features,
        seats_today=seats_on(records.assemblies, delegates, today, council.rules.weighting, census),
        mandates=mandates,
    )


def _mandate(aid: str, outcomes: list[CouncilOutcome], delegates: dict[str, list[DelegateTerm]], records: Records) -> list[MandateEntry]:
    """How ``aid``'s seat took part in every council motion, and who held it each time."""
    entries: list[MandateEntry] = []
    previous: str | None = None
    assembly = records.assemblies[aid]

    def name(mid: str | None) -> str | None:
        return assembly.members[mid].name if mid in assembly.members else None

    def ending(mid: str | None, before: dt.date) -> DelegateTerm | None:
        """The latest term of ``mid`` that ended on or before ``before``."""
        ended = [t for t in delegates.get(aid, []) if t.member == mid and t.ended is not None and t.ended <= before]
        return ended[-1] if ended else None

    for outcome in outcomes:
        seat = outcome.seats.get(aid)
        recorded = outcome.vote_of(aid)
        present = isinstance(outcome.meeting.present, tuple) and aid in outcome.meeting.present
        if seat is None:
            vote = "vote not counted" if recorded or present else "no delegate"
            holder = None
        else:
            holder = seat.delegate
            vote = recorded or ("present, no vote" if present else "absent")
        changed = bool(entries) and holder != previous
        term = ending(previous, outcome.date) if changed else None
        entries.append(
            MandateEntry(
                outcome=outcome,
                holder=holder,
                holder_name=name(holder),
                vote=vote,
                changed_hands=changed,
                previous=previous if changed else None,
                previous_name=name(previous) if changed else None,
                previous_ended_by=term.ended_by if term else None,
                previous_ended=term.ended if term else None,
            )
        )
        previous = holder
    return entries

"""Counting a platform question: approval (a sum) and ranked choice (instant runoff, one seat).

Instant runoff is counted by the ``stvpoll`` library (its ``IRV``): each round every ballot counts
for its most preferred option still in the race; an option with more than half of the ballots that
rank any option wins (ballots exhausted since still count in that half); otherwise the option with the
fewest votes is eliminated, until one wins or one is left (it then wins). Ties for the fewest votes
are settled only by rules anyone can repeat with a pencil, never by lot:

1. when the tied options together have fewer votes than any other option still in the race, which
   of them goes first cannot change the outcome (all of them go, one after another, before any other
   option, and their ballots end up with the same options whatever the order): the one listed first
   in the ballot record goes first;
2. otherwise the library's history rule: of the tied options, the one that had fewer votes in the
   latest earlier round where they differed is eliminated;
3. otherwise the press counts on once for each tied option eliminated (and so on at any later such
   tie). If every way ends with the same winner, that option wins and the count shown is the one
   where the tied option listed first went first; if not, the press does not choose: the question is
   tied between the options that win in some way, and the rounds shown stop at the tie. Past
   ``MAX_TRIALS`` ways or ``MAX_BALLOT_ROUNDS`` counted, it stops trying: tied between every option
   still in the race.

docs/online-ballots.md ("Counting a platform question") says the same for members. Nothing here
reads files: the ballots come from :mod:`press.ballots` after every refusal has been made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ApprovalCount", "RankedCount", "approval", "ranked"]


@dataclass(frozen=True)
class ApprovalCount:
    """An approval question's count."""

    approvals: dict[str, int]  # option -> ballots approving it, in the options' order
    winners: list[str]  # the most approved; every tied option, in the options' order; none without a vote


@dataclass(frozen=True)
class RankedCount:
    """A ranked question's count, round by round."""

    rounds: list[dict[str, int]]  # each round: option -> ballots counting for it (options still in the race)
    eliminated: list[list[str]]  # options eliminated after each round
    exhausted: list[int]  # ballots with no remaining preference, per round
    winners: list[str]  # one winner, or every option tied at the end; none without a ranked ballot

    @property
    def tied(self) -> bool:
        return len(self.winners) > 1


def _check(options: Sequence[str], ballots: Sequence[Sequence[str]], joined: str) -> None:
    """Refuse what the records layer should already have refused: a count never guesses."""
    if len(set(options)) != len(options):
        raise ValueError(f"an option is listed twice: {list(options)}")
    known = set(options)
    for ballot in ballots:
        if isinstance(ballot, str):
            raise ValueError(f"a ballot is a list of option ids, not a string: {ballot!r}")
        unknown = [choice for choice in ballot if choice not in known]
        if unknown:
            raise ValueError(f"ballot {joined.join(ballot)!r} names {unknown[0]!r}, which is not an option")
        if len(set(ballot)) != len(ballot):
            raise ValueError(f"ballot {joined.join(ballot)!r} names an option twice")


def approval(options: list[str], ballots: list[list[str]]) -> ApprovalCount:
    """Count an approval question: each ballot lists the options it approves (an empty one abstains)."""
    _check(options, ballots, ", ")
    approvals = {option: 0 for option in options}
    for ballot in ballots:
        for option in ballot:
            approvals[option] += 1
    most = max(approvals.values(), default=0)
    winners = [option for option, n in approvals.items() if n == most] if most else []
    return ApprovalCount(approvals=approvals, winners=winners)


class _WhenOrderCannotMatter:
    """Tie rule 1 above, as one of the library's tie-break strategies (it sees the poll's standing)."""

    name = "order cannot matter"

    def __init__(self, poll: Any, options: Sequence[str]) -> None:
        from stvpoll.types import SelectionMethod

        self.method = SelectionMethod.Direct  # an elimination that no order of the tied options changes
        self.poll = poll
        self.options = list(options)

    def resolve(self, candidates, history, lowest: bool = False):  # noqa: ANN001 - the library's protocol
        tied = set(candidates)
        others = [self.poll.get_current_votes(c) for c in self.poll.standing_candidates if c not in tied]
        together = sum(self.poll.get_current_votes(c) for c in tied)
        if lowest and others and together < min(others):
            return next(option for option in self.options if option in tied)
        return tuple(candidates)  # not this rule: the next one

    def get_result_dict(self) -> dict:
        return {}


class _Choices:
    """Rule 3's trial: eliminate the given options, in turn, at the ties no other rule breaks."""

    name = "trial"

    def __init__(self, picks: Sequence[str]) -> None:
        from stvpoll.types import SelectionMethod

        self.method = SelectionMethod.Direct
        self.picks = list(picks)
        self.stuck: tuple[str, ...] = ()  # the tie met with no pick left: the count stopped there

    def resolve(self, candidates, history, lowest: bool = False):  # noqa: ANN001 - the library's protocol
        if lowest and self.picks and self.picks[0] in candidates:
            return self.picks.pop(0)
        self.stuck = tuple(candidates)
        return tuple(candidates)

    def get_result_dict(self) -> dict:
        return {}


# Rule 3 counts once per way of breaking the unbreakable ties; past this many counts, or this many
# ballot-rounds counted in all (each count costs its ballots times its rounds: ties among many options
# would take minutes), the press stops trying and calls the question tied between every option in the
# race at the first such tie.
MAX_TRIALS = 512
MAX_BALLOT_ROUNDS = 200_000


@dataclass
class _Trial:
    poll: Any
    result: Any
    stuck: tuple[str, ...]


def _count(options: Sequence[str], ranking: Sequence[Sequence[str]], picks: Sequence[str]) -> _Trial:
    from stvpoll.irv import IRV
    from stvpoll.tiebreak_strategies import TiebreakHistory

    poll = IRV(candidates=options, random_in_tiebreaks=False)
    choices = _Choices(picks)
    poll.tiebreakers = [_WhenOrderCannotMatter(poll, options), TiebreakHistory(), choices]
    for ballot in ranking:
        poll.add_ballot(ballot)
    result = poll.calculate()  # stops, incomplete, at a tie with no pick left or with one option left
    return _Trial(poll, result, choices.stuck)


def _winner(trial: _Trial) -> str:
    """The winner of a trial that met no unbroken tie: elected, or the last option left."""
    if trial.result.complete:
        return trial.result[0]
    (last,) = trial.poll.standing_candidates  # one option left, short of a majority of every ballot
    return last


def ranked(options: list[str], ballots: list[list[str]]) -> RankedCount:
    """Count a ranked question by instant runoff for one seat (each ballot: ids, most preferred first).

    An empty ballot abstains: it is in no round and never exhausted. ``exhausted[i]`` counts the
    ballots that ranked something but none of the options still in the race in round ``i``.
    """
    _check(options, ballots, " > ")
    ranking = [list(ballot) for ballot in ballots if ballot]
    if not options or not ranking:
        return RankedCount(rounds=[], eliminated=[], exhausted=[], winners=[])

    # Rule 3: count on with every choice at each tie no rule breaks; the first trial (the tied
    # option listed first goes first, every time) is the one shown when all trials agree.
    first = _count(options, ranking, [])
    winners: set[str] = set()
    shown: _Trial | None = None
    pending: list[list[str]] = [[]]
    trials = work = 0
    while pending and trials < MAX_TRIALS and work < MAX_BALLOT_ROUNDS:
        picks = pending.pop()
        trial = first if not picks else _count(options, ranking, picks)
        trials += 1
        work += len(ranking) * (len(trial.result.rounds) + 1)
        if trial.stuck:
            tied = [option for option in options if option in trial.stuck]
            pending.extend(picks + [option] for option in reversed(tied))  # depth first, listed order
        else:
            winners.add(_winner(trial))
            shown = shown or trial
    if pending:  # too many ways to break the ties: the press does not guess
        winners = set(first.poll.standing_candidates)
    if len(winners) == 1 and shown is not None:
        return _rounds(options, ranking, shown, [option for option in options if option in winners])
    return _rounds(options, ranking, first, [option for option in options if option in winners])


def _rounds(options: Sequence[str], ranking: Sequence[Sequence[str]], trial: _Trial, winners: list[str]) -> RankedCount:
    from stvpoll.types import CandidateStatus

    def in_order(votes: dict) -> dict[str, int]:
        return {option: int(votes[option]) for option in options if option in votes}

    rounds: list[dict[str, int]] = []
    eliminated: list[list[str]] = []
    for selection in trial.result.rounds:
        rounds.append(in_order(selection.votes))
        out = selection.status == CandidateStatus.Excluded
        eliminated.append([option for option in options if out and option in selection.selected])
    if not trial.result.complete:  # the last option left, or the tie where the count stopped
        standing = trial.poll.standing_candidates
        rounds.append(in_order({option: trial.poll.get_current_votes(option) for option in standing}))
        eliminated.append([])
    exhausted = [len(ranking) - sum(votes.values()) for votes in rounds]
    return RankedCount(rounds=rounds, eliminated=eliminated, exhausted=exhausted, winners=winners)

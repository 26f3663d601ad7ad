"""Counting a platform question: approval (a sum) and ranked choice (instant runoff, one seat).

Instant runoff is counted by the ``stvpoll`` library (its ``IRV``: a winner needs more than half of
the ballots that rank any option; the option with the fewest votes is eliminated and its ballots go
to their next preference still in the race). Ties for the fewest votes
are settled only by rules that anyone can repeat with a pencil, never by lot:

1. when the tied options together have fewer votes than any other option still in the race, which
   of them goes first cannot change the outcome (all of them go, one after another, before any other
   option, and their ballots end up with the same options whatever the order): the one listed first
   in the ballot record goes first;
2. otherwise the library's history rule: of the tied options, the one that had fewer votes in the
   latest earlier round where they differed is eliminated;
3. otherwise the press does not choose: the count stops there and the question is tied between every
   option still in the race.

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
        poll = self.poll
        tied = set(candidates)
        others = [poll.get_current_votes(c) for c in poll.standing_candidates if c not in tied]
        together = sum(poll.get_current_votes(c) for c in tied)
        if lowest and others and together < min(others):
            return next(option for option in self.options if option in tied)
        return tuple(candidates)  # not this rule: the next one (history), then the count stops (rule 3)

    def get_result_dict(self) -> dict:
        return {}


def ranked(options: list[str], ballots: list[list[str]]) -> RankedCount:
    """Count a ranked question by instant runoff for one seat (each ballot: ids, most preferred first).

    An empty ballot abstains: it is in no round and never exhausted. ``exhausted[i]`` counts the
    ballots that ranked something but none of the options still in the race in round ``i``.
    """
    _check(options, ballots, " > ")
    ranking = [list(ballot) for ballot in ballots if ballot]
    if not options or not ranking:
        return RankedCount(rounds=[], eliminated=[], exhausted=[], winners=[])

    from stvpoll.irv import IRV
    from stvpoll.tiebreak_strategies import TiebreakHistory
    from stvpoll.types import CandidateStatus

    poll = IRV(candidates=options, random_in_tiebreaks=False)
    poll.tiebreakers = [_WhenOrderCannotMatter(poll, options), TiebreakHistory()]
    for ballot in ranking:
        poll.add_ballot(ballot)
    result = poll.calculate()  # stops, incomplete, at a tie it may not break or with one option left

    def in_order(votes: dict) -> dict[str, int]:
        return {option: int(votes[option]) for option in options if option in votes}

    rounds: list[dict[str, int]] = []
    eliminated: list[list[str]] = []
    for selection in result.rounds:
        rounds.append(in_order(selection.votes))
        out = selection.status == CandidateStatus.Excluded
        eliminated.append([option for option in options if out and option in selection.selected])
    if result.complete:
        winners = [option for option in options if option in result]
    else:
        # One option left without a majority of every ballot (some were exhausted): it has all the
        # ballots still counting, so it wins. Several left: a tie no rule above may break.
        standing = set(poll.standing_candidates)
        rounds.append(in_order({option: poll.get_current_votes(option) for option in standing}))
        eliminated.append([])
        winners = [option for option in options if option in standing]
    exhausted = [len(ranking) - sum(votes.values()) for votes in rounds]
    return RankedCount(rounds=rounds, eliminated=eliminated, exhausted=exhausted, winners=winners)

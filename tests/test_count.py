"""Counting platform questions (press.count): every ranked count below was first done by hand.

A ranked ballot is a list of option ids, most preferred first. The library's IRV needs more than half
of the ballots that rank any option ("quota" below, 21 ballots -> 11), whatever was exhausted since.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from press.count import ApprovalCount, RankedCount, approval, ranked


def times(n: int, *ranking: str) -> list[list[str]]:
    return [list(ranking) for _ in range(n)]


PLATFORM = ["housing", "transit", "hours", "wages", "parks"]


def test_five_options_twenty_one_ballots_three_rounds_with_transfers():
    ballots = (
        times(8, "housing", "transit")
        + times(6, "transit", "hours")
        + times(3, "hours", "housing")
        + times(3, "wages", "housing")
        + times(1, "parks", "hours", "transit")
    )
    assert len(ballots) == 21  # quota 11
    # Round 1: housing 8, transit 6, hours 3, wages 3, parks 1 -> parks out; its ballot goes to hours.
    # Round 2: housing 8, transit 6, hours 4, wages 3 -> wages out; its 3 ballots go to housing.
    # Round 3: housing 11, transit 6, hours 4 -> housing has 11 of 21: elected.
    assert ranked(PLATFORM, ballots) == RankedCount(
        rounds=[
            {"housing": 8, "transit": 6, "hours": 3, "wages": 3, "parks": 1},
            {"housing": 8, "transit": 6, "hours": 4, "wages": 3},
            {"housing": 11, "transit": 6, "hours": 4},
        ],
        eliminated=[["parks"], ["wages"], []],
        exhausted=[0, 0, 0],
        winners=["housing"],
    )


def test_a_first_round_majority_ends_the_count_at_once():
    ballots = times(4, "transit", "hours") + times(2, "housing") + times(1, "hours", "housing")
    # Round 1: transit 4 of 7 (quota 4), housing 2, hours 1, nobody else ranked first: transit wins.
    count = ranked(["housing", "transit", "hours"], ballots)
    assert count.rounds == [{"housing": 2, "transit": 4, "hours": 1}]
    assert count.eliminated == [[]]
    assert count.winners == ["transit"] and not count.tied


def test_exhausted_ballots_are_counted_per_round_and_the_majority_is_of_every_ranked_ballot():
    ballots = (
        times(7, "housing", "transit")
        + times(5, "transit", "housing")
        + times(4, "hours", "transit")
        + times(3, "wages", "hours", "housing")
        + times(2, "parks", "wages")
    )
    # 21 ballots, quota 11.
    # Round 1: housing 7, transit 5, hours 4, wages 3, parks 2 -> parks out; 2 ballots to wages.
    # Round 2: housing 7, transit 5, hours 4, wages 5 -> hours out; 4 ballots to transit.
    # Round 3: housing 7, transit 9, wages 5 -> wages out: 3 go to housing (hours is out), and the 2
    #          "parks > wages" ballots have nothing left: exhausted.
    # Round 4: housing 10, transit 9, 2 exhausted: 10 of 21 is not more than half -> transit out:
    #          5 go to housing, the 4 "hours > transit" ballots are exhausted.
    # Round 5: housing 15, 6 exhausted: elected.
    count = ranked(PLATFORM, ballots)
    assert count.rounds == [
        {"housing": 7, "transit": 5, "hours": 4, "wages": 3, "parks": 2},
        {"housing": 7, "transit": 5, "hours": 4, "wages": 5},
        {"housing": 7, "transit": 9, "wages": 5},
        {"housing": 10, "transit": 9},
        {"housing": 15},
    ]
    assert count.eliminated == [["parks"], ["hours"], ["wages"], ["transit"], []]
    assert count.exhausted == [0, 0, 0, 2, 6]
    assert count.winners == ["housing"]


def test_the_last_option_left_wins_without_a_majority_of_every_ballot():
    # 9 ballots, quota 5; nobody ranks a second option.
    # Round 1: a 4, b 3, c 2 -> c out, its 2 ballots exhausted.
    # Round 2: a 4, b 3 (2 exhausted) -> nobody has 5 -> b out, 3 more exhausted.
    # Round 3: a 4 alone (5 exhausted): the last option left wins.
    count = ranked(["a", "b", "c"], times(4, "a") + times(3, "b") + times(2, "c"))
    assert count.rounds == [{"a": 4, "b": 3, "c": 2}, {"a": 4, "b": 3}, {"a": 4}]
    assert count.eliminated == [["c"], ["b"], []]
    assert count.exhausted == [0, 2, 5]
    assert count.winners == ["a"]


def test_a_tie_for_last_place_that_cannot_matter_goes_in_the_ballot_records_order():
    ballots = times(5, "a") + times(4, "b") + times(1, "c", "b") + times(1, "d", "a")
    # 11 ballots, quota 6. Round 1: a 5, b 4, c 1, d 1: c and d tie for last with 2 together, fewer
    # than b's 4, so both go before anyone else whatever the order: c (listed first) goes first.
    # Round 2: a 5, b 5, d 1 -> d out, to a. Round 3: a 6, b 5 -> a elected.
    count = ranked(["a", "b", "c", "d"], ballots)
    assert count.rounds == [{"a": 5, "b": 4, "c": 1, "d": 1}, {"a": 5, "b": 5, "d": 1}, {"a": 6, "b": 5}]
    assert count.eliminated == [["c"], ["d"], []]
    assert count.winners == ["a"]
    # Listed the other way round, d goes first (round 2: a 6, b 4, c 1 -> a elected): other rounds,
    # the same winner.
    other = ranked(["a", "b", "d", "c"], ballots)
    assert other.rounds == [{"a": 5, "b": 4, "d": 1, "c": 1}, {"a": 6, "b": 4, "c": 1}]
    assert other.eliminated == [["d"], []]
    assert other.winners == ["a"]


def test_a_tie_for_last_place_is_broken_by_the_earlier_round():
    ballots = times(6, "a") + times(5, "b") + times(4, "c", "a") + times(1, "d", "c") + times(2, "d")
    # 18 ballots, quota 10.
    # Round 1: a 6, b 5, c 4, d 3 -> d out: 1 ballot to c, 2 exhausted.
    # Round 2: a 6, b 5, c 5: b and c tie for last (10 together: it may matter); in round 1 c had
    #          fewer (4 against 5) -> c out: 4 to a, the "d > c" ballot exhausted.
    # Round 3: a 10, b 5, 3 exhausted -> a elected.
    count = ranked(["a", "b", "c", "d"], ballots)
    assert count.rounds == [{"a": 6, "b": 5, "c": 4, "d": 3}, {"a": 6, "b": 5, "c": 5}, {"a": 10, "b": 5}]
    assert count.eliminated == [["d"], ["c"], []]
    assert count.exhausted == [0, 2, 3]
    assert count.winners == ["a"]


def test_a_tie_for_last_place_that_decides_the_question_is_reported_not_drawn():
    ballots = times(4, "a") + times(3, "b", "c") + times(3, "c", "b")
    # 10 ballots, quota 6. Round 1: a 4, b 3, c 3: b and c tie for last, 6 together (more than a's
    # 4), no earlier round. Eliminate b: c has 6 and wins; eliminate c: b has 6 and wins. The press
    # draws no lots: the question is tied between b and c (a wins in neither case).
    count = ranked(["a", "b", "c"], ballots)
    assert count.rounds == [{"a": 4, "b": 3, "c": 3}]
    assert count.eliminated == [[]]
    assert count.winners == ["b", "c"] and count.tied


def test_a_tie_for_last_place_with_the_same_winner_either_way_is_decided():
    ballots = times(5, "a") + times(3, "b") + times(2, "c", "a") + times(2, "d", "a")
    # 12 ballots, quota 7. Round 1: a 5, b 3, c 2, d 2: c and d tie for last, 4 together (more than
    # b's 3), no earlier round. Eliminate c: a 7, elected; eliminate d: a 7, elected. Same winner, so
    # the count shown eliminates c (listed first): round 2: a 7, b 3, d 2.
    count = ranked(["a", "b", "c", "d"], ballots)
    assert count.rounds == [{"a": 5, "b": 3, "c": 2, "d": 2}, {"a": 7, "b": 3, "d": 2}]
    assert count.eliminated == [["c"], []]
    assert count.winners == ["a"] and not count.tied


def test_a_final_tie_names_both_options():
    ballots = times(2, "a", "b") + times(1, "b") + times(2, "c")
    # 5 ballots, quota 3. Round 1: a 2, b 1, c 2 -> b out, its ballot exhausted.
    # Round 2: a 2, c 2 (1 exhausted), level in round 1 too: eliminating either makes the other win.
    count = ranked(["a", "b", "c"], ballots)
    assert count.rounds == [{"a": 2, "b": 1, "c": 2}, {"a": 2, "c": 2}]
    assert count.eliminated == [["b"], []]
    assert count.exhausted == [0, 1]
    assert count.winners == ["a", "c"] and count.tied


def test_a_final_tie_after_an_uneven_round_goes_to_the_option_ahead_in_it():
    ballots = times(3, "a") + times(2, "b") + times(1, "c", "b")
    # 6 ballots, quota 4. Round 1: a 3, b 2, c 1 -> c out, to b. Round 2: a 3, b 3, tied; in round 1
    # b had fewer -> b out, 3 exhausted. Round 3: a 3 alone: the last option left wins.
    count = ranked(["a", "b", "c"], ballots)
    assert count.rounds == [{"a": 3, "b": 2, "c": 1}, {"a": 3, "b": 3}, {"a": 3}]
    assert count.eliminated == [["c"], ["b"], []]
    assert count.exhausted == [0, 0, 3]
    assert count.winners == ["a"]


def test_two_options_level_from_the_start_are_tied():
    count = ranked(["yes-a", "yes-b"], times(3, "yes-a") + times(3, "yes-b", "yes-a"))
    assert count.rounds == [{"yes-a": 3, "yes-b": 3}]
    assert count.winners == ["yes-a", "yes-b"]


def test_options_nobody_ranks_first_go_out_without_a_tie():
    # 3 ballots, quota 2: a 2, b 1, c 0, d 0 -> a elected in round 1 (zero-vote options never need
    # a tie-break when someone has a majority).
    assert ranked(["a", "b", "c", "d"], times(2, "a") + times(1, "b")).winners == ["a"]
    # 4 ballots, quota 3: a 2, b 2, c 0, d 0: c and d go first (0 together), then a and b tie.
    count = ranked(["a", "b", "c", "d"], times(2, "a", "c") + times(2, "b", "d"))
    assert count.eliminated == [["c"], ["d"], []]
    assert count.winners == ["a", "b"]


def test_the_empty_election():
    assert ranked(PLATFORM, []) == RankedCount(rounds=[], eliminated=[], exhausted=[], winners=[])
    assert ranked([], []) == RankedCount(rounds=[], eliminated=[], exhausted=[], winners=[])
    assert approval(PLATFORM, []) == ApprovalCount(approvals=dict.fromkeys(PLATFORM, 0), winners=[])
    assert approval([], []) == ApprovalCount(approvals={}, winners=[])


def test_abstentions_count_in_no_round():
    # Two empty ballots (abstain) beside 3 that rank: quota 2 of the 3, never exhausted.
    count = ranked(["a", "b"], [[], ["a"], [], ["a", "b"], ["b"]])
    assert count.rounds == [{"a": 2, "b": 1}]
    assert count.exhausted == [0]
    assert count.winners == ["a"]
    assert ranked(["a", "b"], [[], []]).winners == []


def test_approval_is_a_sum():
    ballots = [["housing", "transit"], ["transit"], [], ["housing", "transit", "hours"], ["wages"]]
    # housing 2, transit 3, hours 1, wages 1, parks 0; the empty ballot abstains.
    assert approval(PLATFORM, ballots) == ApprovalCount(
        approvals={"housing": 2, "transit": 3, "hours": 1, "wages": 1, "parks": 0}, winners=["transit"]
    )


def test_an_approval_tie_names_every_tied_option_in_the_options_order():
    ballots = [["wages", "housing"], ["housing"], ["wages"]]
    count = approval(PLATFORM, ballots)
    assert count.winners == ["housing", "wages"]
    assert list(count.approvals) == PLATFORM


@pytest.mark.parametrize("count", [approval, ranked])
@pytest.mark.parametrize(
    ("options", "ballots", "message"),
    [
        (["a", "b"], [["a", "z"]], "'z', which is not an option"),
        (["a", "b"], [["a", "a"]], "names an option twice"),
        (["a", "a"], [["a"]], "an option is listed twice"),
        (["a", "b"], ["ab"], "a list of option ids, not a string"),
    ],
)
def test_a_ballot_the_records_should_have_refused_is_not_counted_silently(count, options, ballots, message):
    with pytest.raises(ValueError, match=message):
        count(options, ballots)


OPTIONS = ["o1", "o2", "o3", "o4", "o5"]
rankings = st.lists(st.sampled_from(OPTIONS), unique=True, max_size=len(OPTIONS))
elections = st.lists(rankings, max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(favourite=st.sampled_from(OPTIONS), ballots=elections, data=st.data())
def test_the_option_everyone_ranks_first_wins(favourite, ballots, data):
    ballots = [[favourite] + [o for o in ballot if o != favourite] for ballot in ballots]
    ballots.append([favourite])  # at least one ballot
    count = ranked(OPTIONS, ballots)
    assert count.winners == [favourite]
    assert count.rounds[0][favourite] == len(ballots)
    assert count.eliminated == [[]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ballots=elections, order=st.randoms(use_true_random=False), seed=st.integers(0, 2**32 - 1))
def test_the_count_does_not_depend_on_the_ballots_order_or_on_chance(ballots, order, seed):
    count = ranked(OPTIONS, ballots)
    shuffled = list(ballots)
    order.shuffle(shuffled)
    random.seed(seed)  # the library shuffles its options with the global generator: never seen
    assert ranked(OPTIONS, shuffled) == count
    assert approval(OPTIONS, shuffled) == approval(OPTIONS, ballots)
    # And the rounds add up: every ranked ballot counts for one option still in the race, or is exhausted.
    ranked_ballots = sum(1 for b in ballots if b)
    for votes, exhausted in zip(count.rounds, count.exhausted, strict=True):
        assert sum(votes.values()) + exhausted == ranked_ballots
    out = [o for round_ in count.eliminated for o in round_]
    assert len(out) == len(set(out)) and not set(out) & set(count.winners)
    assert count.winners or not ranked_ballots


def test_a_count_with_too_many_ways_to_try_is_tied_between_every_option_in_the_race():
    # 8 options, one ballot each and no second preference: every way of breaking the round-1 tie
    # leads to another tie (8! ways); past MAX_TRIALS the press calls all eight tied, at once.
    options = [f"o{i}" for i in range(8)]
    count = ranked(options, [[option] for option in options])
    assert count.rounds == [dict.fromkeys(options, 1)]
    assert count.winners == options

"""The rules: who may vote, quorum, threshold, article states and delegates."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import press
from press import clock
from press.records import Rules

MEETING = "editorial/meetings/springfield/2026-10-06.yml"


def state(pressdir, aid="springfield/rent", today=None):
    loaded = pressdir.load(today) if today else pressdir.load()
    return loaded.decisions.articles[aid]


def vote(pressdir, yes="[]", no="[]", abstain="[]", present="[ana, ben, cai]", day="2026-10-06", **rules):
    pressdir.assembly(**rules)
    pressdir.article("springfield", "rent")
    pressdir.meeting(
        "springfield",
        day,
        f"""
        present: {present}
        motions:
          - publish: springfield/rent
            digest: {pressdir.digest("springfield", "rent")}
            yes: {yes}
            no: {no}
            abstain: {abstain}
        """,
    )
    loaded = pressdir.load()
    return loaded.decisions.outcomes[0], [str(p) for p in loaded.problems]


# --------------------------------------------------------------------------- quorum and threshold


def test_quorum_counts_abstentions(pressdir):
    outcome, problems = vote(pressdir, yes="[ana]", abstain="[ben]", quorum=2)
    assert problems == [] and outcome.passed


def test_missing_quorum_fails_without_error(pressdir):
    outcome, problems = vote(pressdir, yes="[ana]", quorum=2)
    assert problems == []
    assert outcome.status == "failed"
    assert outcome.reasons == ["no quorum: 1 ballot cast, 2 needed"]
    assert state(pressdir).state == "awaiting-vote"


@pytest.mark.parametrize(
    ("quorum", "eligible", "needed"),
    [("1/3", 3, 1), ("1/2", 3, 2), ("2/3", 3, 2), ("1/1", 3, 3), ("3/4", 3, 3)],
)
def test_fractional_quorum_rounds_up(quorum, eligible, needed):
    from fractions import Fraction

    n, d = map(int, quorum.split("/"))
    assert Rules(quorum=Fraction(n, d)).quorum_for(eligible) == needed


def test_fractional_quorum_counts_members_in_good_standing_on_the_date(pressdir):
    # ana, ben, cai are members on 2026-10-06 (dev joins later, eve has left): 2/3 of 3 = 2
    outcome, _ = vote(pressdir, yes="[ana]", quorum='"2/3"')
    assert (outcome.eligible, outcome.quorum, outcome.status) == (3, 2, "failed")


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "abstain", "passes"),
    [
        ("majority", "[ana, ben]", "[cai]", "[]", True),
        ("majority", "[ana]", "[ben]", "[cai]", False),  # a tie does not carry
        ("majority", "[ana]", "[]", "[ben, cai]", True),  # abstentions are not votes against
        ("two-thirds", "[ana, ben]", "[cai]", "[]", True),  # 2 >= 2/3 of 3
        ("two-thirds", "[ana]", "[ben]", "[cai]", False),
        ('"3/4"', "[ana, ben]", "[cai]", "[]", False),  # 2 < 3/4 of 3
        ('"1/2"', "[ana]", "[ben]", "[cai]", True),  # 1 >= 1/2 of 2
        ("majority", "[]", "[]", "[ana, ben, cai]", False),  # no yes vote never carries
    ],
)
def test_threshold_is_yes_against_no(pressdir, threshold, yes, no, abstain, passes):
    outcome, problems = vote(pressdir, yes=yes, no=no, abstain=abstain, threshold=threshold, quorum=1)
    assert problems == []
    assert outcome.passed is passes, outcome.reasons
    if not passes:
        assert outcome.reasons[0].startswith("threshold not met")


# --------------------------------------------------------------------------- who may vote


def test_voter_who_joined_later_is_an_error(pressdir):
    outcome, problems = vote(pressdir, yes="[ana, ben, dev]", present="[ana, ben, cai, dev]")
    assert f"{MEETING}:1: 'dev' is listed as present but is not a member of springfield in good standing on 2026-10-06 (joined 2026-12-01) — only members in good standing on the meeting date take part" in problems
    assert f"{MEETING}:5: 'dev' voted but is not a member of springfield in good standing on 2026-10-06 (joined 2026-12-01) — only members in good standing on the meeting date take part" in problems
    assert outcome.status == "invalid"
    assert state(pressdir).state == "awaiting-vote"


def test_member_is_out_of_good_standing_from_the_day_they_left(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    text = """
        present: [ana, eve]
        motions:
          - reject: springfield/rent
            yes: [ana, eve]
        """
    pressdir.meeting("springfield", "2026-05-31", text)
    pressdir.meeting("springfield", "2026-06-01", text)
    problems = pressdir.problems()
    assert not any("2026-05-31" in p for p in problems)
    assert "editorial/meetings/springfield/2026-06-01.yml:4: 'eve' voted but is not a member of springfield in good standing on 2026-06-01 (left 2026-06-01) — only members in good standing on the meeting date take part" in problems


def test_unknown_voter(pressdir):
    outcome, problems = vote(pressdir, yes="[ana, zed]")
    assert f"{MEETING}:5: 'zed' voted but is not a member of springfield — check the id against the roster in editorial/assemblies/springfield.yml" in problems
    assert outcome.status == "invalid"


def test_voter_not_present(pressdir):
    outcome, problems = vote(pressdir, yes="[ana, ben]", present="[ana]")
    assert problems == [f"{MEETING}:5: 'ben' voted but is not listed as present — add them to 'present'"]
    assert outcome.status == "invalid"


@pytest.mark.parametrize(("yes", "no"), [("[ana, ana]", "[]"), ("[ana, ben]", "[ana]")])
def test_one_vote_each(pressdir, yes, no):
    outcome, problems = vote(pressdir, yes=yes, no=no)
    assert any("'ana' voted more than once in this motion" in p for p in problems), problems
    assert outcome.status == "invalid"


def test_secret_ballot_counts(pressdir):
    pressdir.assembly(ballot="secret", quorum=2)
    pressdir.article("springfield", "rent")
    digest = pressdir.digest("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", f"present: 3\nmotions:\n  - publish: springfield/rent\n    digest: {digest}\n    yes: 2\n    no: 1\n")
    assert pressdir.problems() == []
    assert state(pressdir).state == "published"


def test_secret_ballot_cannot_count_more_ballots_than_present(pressdir):
    pressdir.assembly(ballot="secret", quorum=2)
    pressdir.article("springfield", "rent")
    digest = pressdir.digest("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", f"present: 2\nmotions:\n  - publish: springfield/rent\n    digest: {digest}\n    yes: 2\n    no: 1\n")
    assert pressdir.problems() == [f"{MEETING}:3: 3 ballots cast but only 2 present — correct the counts or the attendance"]
    assert state(pressdir).state == "awaiting-vote"


def test_secret_ballot_cannot_have_more_present_than_members(pressdir):
    pressdir.assembly(ballot="secret", quorum=2)
    pressdir.article("springfield", "rent")
    digest = pressdir.digest("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", f"present: 4\nmotions:\n  - publish: springfield/rent\n    digest: {digest}\n    yes: 4\n")
    assert pressdir.problems() == [
        f"{MEETING}:1: 4 present, but springfield has only 3 members in good standing on 2026-10-06 — correct the attendance count"
    ]
    assert state(pressdir).state == "awaiting-vote"


def test_secret_ballot_votes_must_be_counts(pressdir):
    pressdir.assembly(ballot="secret")
    pressdir.article("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", "present: 3\nmotions:\n  - reject: springfield/rent\n    yes: [ana]\n")
    assert pressdir.problems() == [
        f"{MEETING}:4: 'yes' must be a count (this assembly votes by secret ballot), not ['ana']"
    ]


# --------------------------------------------------------------------------- article states


def test_publish_needs_the_exact_digest(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-10-06")
    assert state(pressdir).state == "published"
    pressdir.article("springfield", "rent", body="Body text, edited.")
    decision = state(pressdir)
    assert decision.state == "edited-since-approval"
    assert decision.reasons[0].startswith("the file changed after approval on 2026-10-06")


def test_approving_another_digest_never_publishes(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-10-06", digest="sha256:" + "ab" * 32)
    assert state(pressdir).state == "edited-since-approval"


def test_motion_on_missing_article_is_an_error(repo):
    repo.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n  - reject: springfield/ghost\n    yes: [ana, ben]\n")
    assert repo.problems() == [f"{MEETING}:3: no article springfield/ghost — expected content/springfield/ghost.md"]


def test_outside_git_a_missing_article_is_withdrawn(pressdir):
    """An exported copy has no history to tell a removed file from a mistyped id: neither publishes."""
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n  - reject: springfield/ghost\n    yes: [ana, ben]\n")
    assert pressdir.problems() == []
    decision = state(pressdir, "springfield/ghost")
    assert (decision.state, decision.reasons) == (
        "withdrawn",
        ["withdrawn: content/springfield/ghost.md was removed (was rejected 2026-10-06); its motions stay on the record"],
    )


def test_later_meeting_wins_and_failed_motions_change_nothing(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-08-04")
    pressdir.meeting(
        "springfield",
        "2026-09-01",
        "present: [ana, ben, cai]\nmotions:\n  - retract: springfield/rent\n    reason: Wrong figures.\n    yes: [ana]\n    no: [ben, cai]\n",
    )
    decision = state(pressdir)
    assert decision.state == "published"
    assert decision.reasons[-1].startswith("retract motion of 2026-09-01 failed: threshold not met")
    pressdir.meeting(
        "springfield",
        "2026-10-06",
        "present: [ana, ben, cai]\nmotions:\n  - retract: springfield/rent\n    reason: Wrong figures.\n    yes: [ana, ben]\n",
    )
    decision = state(pressdir)
    assert (decision.state, decision.decided.date, decision.retraction.motion.reason) == (
        "retracted",
        dt.date(2026, 10, 6),
        "Wrong figures.",
    )


def test_within_a_meeting_the_later_motion_wins(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    digest = pressdir.digest("springfield", "rent")
    pressdir.meeting(
        "springfield",
        "2026-10-06",
        f"""
        present: [ana, ben, cai]
        motions:
          - publish: springfield/rent
            digest: {digest}
            yes: [ana, ben]
          - reject: springfield/rent
            yes: [ana, ben, cai]
        """,
    )
    assert state(pressdir).state == "rejected"


def test_republication_keeps_first_date_and_records_update(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-08-04")
    pressdir.article("springfield", "rent", body="Corrected body.")
    digest = pressdir.digest("springfield", "rent")
    pressdir.meeting(
        "springfield",
        "2026-10-06",
        f"present: [ana, ben]\nmotions:\n  - publish: springfield/rent\n    digest: {digest}\n    note: Fixes the date.\n    yes: [ana, ben]\n",
    )
    decision = state(pressdir)
    assert decision.state == "published"
    assert (decision.published_on, decision.updated_on, decision.update_note) == (
        dt.date(2026, 8, 4),
        dt.date(2026, 10, 6),
        "Fixes the date.",
    )


def test_motions_in_the_future_are_an_error_but_a_scheduled_meeting_is_fine(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-12-01")
    pressdir.meeting("springfield", "2027-01-05", "notes: Scheduled.\n")
    assert pressdir.problems() == [
        "editorial/meetings/springfield/2026-12-01.yml:3: motions are recorded for 2026-12-01, which is after today "
        "(2026-11-21) — a future meeting may be scheduled only with no motions"
    ]
    assert state(pressdir).state == "awaiting-vote"
    assert state(pressdir, today=dt.date(2026, 12, 1)).state == "published"


def test_every_state_has_a_reason(pressdir):
    pressdir.assembly()
    for slug in ("a", "b", "c"):
        pressdir.article("springfield", slug)
    assert state(pressdir, "springfield/a").reasons == ["no passed motion names it yet"]


# --------------------------------------------------------------------------- delegates


def delegate_meeting(pressdir, day, kind, who, yes="[ana, ben, cai]"):
    pressdir.meeting("springfield", day, f"present: [ana, ben, cai]\nmotions:\n  - {kind}: {who}\n    yes: {yes}\n")


def test_delegate_elect_recall_and_history(pressdir):
    pressdir.assembly()
    delegate_meeting(pressdir, "2026-03-03", "elect-delegate", "ana")
    delegate_meeting(pressdir, "2026-05-05", "elect-delegate", "ben")
    delegate_meeting(pressdir, "2026-07-07", "recall-delegate", "ben")
    decisions = pressdir.load().decisions
    assert pressdir.problems() == []
    history = [(t.member, t.elected.date.isoformat(), t.ended and t.ended.isoformat(), t.ended_by) for t in decisions.delegates["springfield"]]
    assert history == [("ana", "2026-03-03", "2026-05-05", "replaced"), ("ben", "2026-05-05", "2026-07-07", "recalled")]
    assert decisions.delegate("springfield", dt.date(2026, 4, 1)).member == "ana"
    assert decisions.delegate("springfield", dt.date(2026, 6, 1)).member == "ben"
    assert decisions.delegate("springfield") is None


def test_recalling_someone_who_is_not_delegate_is_an_error(pressdir):
    pressdir.assembly()
    delegate_meeting(pressdir, "2026-03-03", "elect-delegate", "ana")
    delegate_meeting(pressdir, "2026-05-05", "recall-delegate", "ben")
    assert pressdir.problems() == [
        "editorial/meetings/springfield/2026-05-05.yml:3: cannot recall 'ben': the delegate is ana of springfield on 2026-05-05 — a recall names the current delegate"
    ]
    assert pressdir.load().decisions.delegate("springfield").member == "ana"


def test_failed_recall_keeps_the_delegate(pressdir):
    pressdir.assembly()
    delegate_meeting(pressdir, "2026-03-03", "elect-delegate", "ana")
    delegate_meeting(pressdir, "2026-05-05", "recall-delegate", "ana", yes="[ben]")
    assert pressdir.load().decisions.delegate("springfield").member == "ana"


def test_delegate_term_ends_when_they_leave(pressdir):
    pressdir.assembly()
    delegate_meeting(pressdir, "2026-03-03", "elect-delegate", "eve")
    decisions = pressdir.load().decisions
    assert decisions.delegate("springfield", dt.date(2026, 5, 31)).member == "eve"
    assert decisions.delegate("springfield", dt.date(2026, 6, 1)) is None
    assert decisions.delegates["springfield"][0].ended_by == "left the assembly"


def test_electing_a_non_member_is_an_error(pressdir):
    pressdir.assembly()
    delegate_meeting(pressdir, "2026-03-03", "elect-delegate", "dev")
    assert pressdir.problems() == [
        "editorial/meetings/springfield/2026-03-03.yml:3: 'dev' is proposed as delegate but is not a member of springfield in good standing on 2026-03-03 (joined 2026-12-01) — only members in good standing on the meeting date take part"
    ]


# --------------------------------------------------------------------------- order independence


KINDS = ["publish-good", "publish-stale", "reject", "retract"]


@st.composite
def histories(draw):
    """Random meetings of one assembly over three articles, each motion passing or failing."""
    days = draw(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=6, unique=True))
    meetings = []
    for day in days:
        motions = draw(
            st.lists(
                st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(KINDS), st.booleans()),
                min_size=0,
                max_size=4,
            )
        )
        meetings.append((dt.date(2025, 6, 1) + dt.timedelta(days=day), motions))
    return meetings


def _expected_states(meetings, digests):
    """The rule, stated directly: the latest passed article motion decides; publish needs the current digest."""
    latest = {}
    for _day, motions in sorted(meetings, key=lambda m: m[0]):
        for slug, kind, passes in motions:
            if passes:
                latest[slug] = kind
    expected = {}
    for slug in "abc":
        kind = latest.get(slug)
        expected[slug] = {
            None: "awaiting-vote",
            "publish-good": "published",
            "publish-stale": "edited-since-approval",
            "reject": "rejected",
            "retract": "retracted",
        }[kind]
    return expected


def _meeting_yaml(slug_motions, digests):
    lines = ["present: [ana, ben, cai]", "motions:"]
    for slug, kind, passes in slug_motions:
        votes = "yes: [ana, ben]" if passes else "yes: [ana]\n    no: [ben, cai]"
        if kind.startswith("publish"):
            digest = digests[slug] if kind == "publish-good" else "sha256:" + "0" * 64
            lines.append(f"  - publish: springfield/{slug}\n    digest: {digest}\n    {votes}")
        elif kind == "retract":
            lines.append(f"  - retract: springfield/{slug}\n    reason: Wrong.\n    {votes}")
        else:
            lines.append(f"  - reject: springfield/{slug}\n    {votes}")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(meetings=histories(), seed=st.integers(0, 2**32 - 1))
def test_decisions_follow_the_rules_whatever_the_file_order(tmp_path_factory, meetings, seed):
    from conftest import PressDir

    pressdir = PressDir(tmp_path_factory.mktemp("press"))
    pressdir.assembly()
    for slug in "abc":
        pressdir.article("springfield", slug, body=f"Body {slug}.")
    digests = {slug: pressdir.digest("springfield", slug) for slug in "abc"}
    for day, motions in meetings:
        pressdir.meeting("springfield", day.isoformat(), _meeting_yaml(motions, digests))

    records = press.read_records(pressdir.root)
    assert records.problems == []
    expected = _expected_states(meetings, digests)
    shuffled = list(records.meetings)
    random.Random(seed).shuffle(shuffled)
    for order in (records.meetings, shuffled, list(reversed(records.meetings))):
        records.meetings = order
        decided = press.decide(records, clock.at(dt.date(2026, 11, 21)))
        assert {aid.split("/")[1]: d.state for aid, d in decided.articles.items()} == expected


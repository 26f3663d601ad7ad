"""The council of delegates: derived seats, weighting, quorum over filled seats, rules of form,
features on the front page, the council's own statements and each assembly's mandate record."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY, PressDir
from test_fuzz import NOISE

HARBOR = """
name: Harbour Assembly
timezone: Europe/Berlin
rules:
  quorum: 2
members:
  - {id: jo, name: Jo, joined: 2025-01-01}
  - {id: kim, name: Kim, joined: 2025-01-01}
  - {id: lee, name: Lee, joined: 2025-01-01}
  - {id: max, name: Max, joined: 2025-01-01}
  - {id: ned, name: Ned, joined: 2025-01-01}
editors: [jo]
"""


def council_yml(weighting: str = "equal", quorum: str = "\"1/2\"", extra: str = "") -> str:
    return (
        "name: National Council\n"
        "timezone: UTC\n"
        "rules:\n"
        f"  quorum: {quorum}\n"
        "  threshold: majority\n"
        f"  weighting: {weighting}\n" + extra
    )


@pytest.fixture
def cpress(pressdir: PressDir) -> PressDir:
    """Springfield (3 members in good standing) elects ana on 1 September; the harbour (5) elects jo
    on 2 September. springfield/rent is published on 1 September, harbor/ferry on 2 September."""
    p = pressdir
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/council.yml", council_yml())
    p.article("springfield", "rent", "Rent strike wins", "RENT-BODY-TEXT")
    p.article("springfield", "draft", "An unpublished draft", "UNPUBLISHED-DRAFT-TEXT")
    p.article("harbor", "ferry", "No to the ferry cuts", "FERRY-BODY-TEXT")
    p.meeting(
        "springfield",
        "2026-09-01",
        f"""
        present: [ana, ben, cai]
        motions:
          - publish: springfield/rent
            digest: {p.digest("springfield", "rent")}
            yes: [ana, ben, cai]
          - elect-delegate: ana
            yes: [ben, cai]
        """,
    )
    p.meeting(
        "harbor",
        "2026-09-02",
        f"""
        present: [jo, kim, lee]
        motions:
          - publish: harbor/ferry
            digest: {p.digest("harbor", "ferry")}
            yes: [jo, kim, lee]
          - elect-delegate: jo
            yes: [jo, kim, lee]
        """,
    )
    return p


def council_meeting(p: PressDir, day: str, text: str):
    return p.meeting("council", day, text)


def outcomes(p: PressDir, today: dt.date = TODAY):
    return p.load(today).decisions.council.outcomes


# --------------------------------------------------------------------------- seats


def test_seats_are_derived_from_elections_on_the_meeting_date(cpress):
    council = cpress.load().decisions.council
    assert {aid: s.delegate for aid, s in council.seats_today.items()} == {"springfield": "ana", "harbor": "jo"}
    council_meeting(cpress, "2026-09-01", "present: [springfield, harbor]\n")  # harbor elects only on the 2nd
    assert cpress.problems() == [
        "editorial/meetings/council/2026-09-01.yml:1: seat 'harbor' is listed as present but has no delegate on 2026-09-01 "
        "(it has never elected one) — a seat sits only while harbor has a delegate; harbor must elect one at its own meeting"
    ]


def test_a_recall_empties_the_seat_from_the_recall_meetings_date(cpress):
    cpress.meeting("springfield", "2026-10-06", "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: ana\n    yes: [ben, cai]\n")
    council_meeting(cpress, "2026-10-05", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n")
    assert cpress.problems() == []
    council_meeting(cpress, "2026-10-06", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n")
    problems = cpress.problems()
    assert problems[0].startswith("editorial/meetings/council/2026-10-06.yml:1: seat 'springfield' is listed as present but has no delegate on 2026-10-06 (ana was recalled on 2026-10-06)")
    assert any(p.startswith("editorial/meetings/council/2026-10-06.yml:4: seat 'springfield' voted but has no delegate") for p in problems)
    late = [o for o in outcomes(cpress) if o.date == dt.date(2026, 10, 6)][0]
    assert late.status == "invalid"
    assert "springfield" not in cpress.load().decisions.council.seats_today


def test_a_recalled_delegate_who_takes_the_seat_is_refused_and_the_new_delegate_counts(cpress):
    cpress.meeting(
        "springfield",
        "2026-10-06",
        "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: ana\n    yes: [ben, cai]\n  - elect-delegate: ben\n    yes: [ana, cai]\n",
    )
    council_meeting(cpress, "2026-10-18", "present:\n  springfield: ana\n  harbor: jo\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n")
    assert cpress.problems() == [
        "editorial/meetings/council/2026-10-18.yml:2: 'ana' was recalled as springfield's delegate on 2026-10-06; "
        "on 2026-10-18 the seat is held by 'ben' (Ben) — only the sitting delegate takes the seat"
    ]
    assert outcomes(cpress)[0].status == "invalid"
    council_meeting(cpress, "2026-10-18", "present:\n  springfield: ben\n  harbor: jo\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n")
    assert cpress.problems() == []
    assert outcomes(cpress)[0].status == "passed"


def test_a_delegate_who_leaves_the_assembly_leaves_the_seat(cpress):
    roster = (cpress.root / "editorial/assemblies/springfield.yml").read_text()
    cpress.write("editorial/assemblies/springfield.yml", roster.replace("{id: ana, name: Ana, joined: 2025-01-01}", "{id: ana, name: Ana, joined: 2025-01-01, left: 2026-10-01}"))
    council_meeting(cpress, "2026-10-02", "present: [springfield]\n")
    assert "(ana was left the assembly on 2026-10-01)" in cpress.problems()[0]


# --------------------------------------------------------------------------- rules of form


@pytest.mark.parametrize(
    "record, problem",
    [
        (
            "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n    no: [harbor]\n",
            "editorial/meetings/council/2026-10-18.yml:5: seat 'harbor' voted more than once in this motion (yes and no) — one vote per seat",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n",
            "editorial/meetings/council/2026-10-18.yml:4: seat 'harbor' voted but is not listed as present — add it to 'present'",
        ),
        (
            "present: [springfield, springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:1: seat 'springfield' is listed as present twice — list each seat once",
        ),
        (
            "present: [springfield, atlantis]\n",
            "editorial/meetings/council/2026-10-18.yml:1: 'atlantis' is listed as present but is not an assembly — seats are assembly ids (known: harbor, springfield)",
        ),
        (
            "present: [springfield]\nmotions:\n  - elect-delegate: ana\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: motion 1 must name exactly one of publish, reject, retract, feature, unfeature, correct, census, open-ballot (found none) — delegates are elected and recalled by their own assemblies",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    yes: 1\n",
            "editorial/meetings/council/2026-10-18.yml:4: 'yes' must list seats (assembly ids) — council votes are always roll-call, e.g. [springfield, harbor]",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    lead: yes\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:4: lead must be true or false, not 'yes'",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    until: next week\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:4: 'until' must be a date written YYYY-MM-DD, not 'next week'",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    until: 2026-10-01\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: until 2026-10-01 is before the meeting date 2026-10-18 — give the last day it stays on the front page",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    weight: 9\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:4: unknown key 'weight' in a feature motion — allowed keys: feature, note, yes, no, abstain, lead, until",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: springfield/draft\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: springfield/draft is awaiting-vote on 2026-10-18, not published — only an article published on the meeting date can be featured",
        ),
        (
            "present: [springfield]\nmotions:\n  - feature: springfield/nowhere\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: no article springfield/nowhere — expected content/springfield/nowhere.md",
        ),
        (
            "present: [springfield]\nmotions:\n  - unfeature: harbor/ferry\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: harbor/ferry is not on the front page on 2026-10-18 — nothing to unfeature",
        ),
        (
            "present: 2\n",
            "editorial/meetings/council/2026-10-18.yml:1: 'present' must list the seats (assembly ids), e.g. [springfield, harbor], or map each seat to its delegate, e.g. {springfield: dev}",
        ),
        (
            "present: [springfield]\nmotions:\n  - publish: springfield/rent\n    digest: sha256:" + "0" * 64 + "\n    yes: [springfield]\n",
            "editorial/meetings/council/2026-10-18.yml:3: springfield/rent belongs to assembly 'springfield'; council decides only on its own articles",
        ),
    ],
)
def test_rules_of_form_name_the_file_and_line(cpress, record, problem):
    council_meeting(cpress, "2026-10-18", record)
    assert problem in cpress.problems()
    assert all(o.status == "invalid" for o in outcomes(cpress))
    assert cpress.load().decisions.council.on_front_page() == []


def test_a_feature_recorded_for_a_future_date_is_refused(cpress):
    council_meeting(cpress, "2026-12-20", "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield]\n")
    assert "editorial/meetings/council/2026-12-20.yml:3: motions are recorded for 2026-12-20, which is after today (2026-11-21) — a future meeting may be scheduled only with no motions" in cpress.problems()


def test_an_article_published_after_the_meeting_cannot_be_featured_at_it(cpress):
    council_meeting(cpress, "2026-09-01", "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield]\n")
    assert any("harbor/ferry is awaiting-vote on 2026-09-01, not published" in p for p in cpress.problems())


@pytest.mark.parametrize(
    "text, problem",
    [
        (council_yml(extra="  ballot: secret\n").replace("  weighting: equal\n", ""), "editorial/council.yml:6: unknown key 'ballot' in the council's rules (its ballots are always roll-call)"),
        (council_yml(weighting="people"), "editorial/council.yml:6: weighting 'people' must be equal (one seat, one vote) or members (a seat weighs its assembly's members)"),
        (council_yml(quorum="0"), "editorial/council.yml:4: quorum 0 must be a whole number of ballots >= 1 or a fraction like \"1/3\""),
        ("name: Council\nmembers: []\n", "editorial/council.yml:2: unknown key 'members' — allowed keys: name, description, meets, timezone, rules"),
    ],
)
def test_the_council_record_is_checked_like_a_roster(cpress, text, problem):
    cpress.write("editorial/council.yml", text)
    assert any(p.startswith(problem) for p in cpress.problems()), cpress.problems()


def test_council_meetings_or_statements_without_a_council_are_problems(pressdir):
    pressdir.assembly()
    pressdir.meeting("council", "2026-10-18", "present: [springfield]\n")
    pressdir.article("council", "statement", "A statement")
    problems = pressdir.problems()
    assert "editorial/meetings/council: council meetings need editorial/council.yml — add it (see docs/council.md)" in problems
    assert "content/council: no assembly 'council' — articles go in a folder named after an assembly" in problems


def test_no_assembly_may_be_called_council(pressdir):
    pressdir.assembly("council")
    assert "editorial/assemblies/council.yml: assembly id 'council' is reserved for the site's own pages — rename the file" in pressdir.problems()


# --------------------------------------------------------------------------- weighting and quorum


def test_equal_weighting_one_seat_one_vote(cpress):
    council_meeting(cpress, "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n    no: [springfield]\n")
    (outcome,) = outcomes(cpress)
    assert outcome.status == "failed"
    assert outcome.reasons == ["threshold not met: 1 yes against 1 no (seat), majority needed"]
    assert outcome.tally == "1 yes · 1 no · 0 abstain (quorum 1 of 2 seats)"


def test_members_weighting_counts_the_members_each_seat_represents(cpress):
    cpress.write("editorial/council.yml", council_yml(weighting="members"))
    council_meeting(cpress, "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - census: 2026-10-18\n    weights: {springfield: 3, harbor: 5}\n    yes: [springfield, harbor]\n  - feature: harbor/ferry\n    yes: [harbor]\n    no: [springfield]\n")
    census, outcome = outcomes(cpress)
    assert census.passed  # the weights the council adopted apply from the next motion on
    # springfield has 3 members in good standing on the day (dev joins in December, eve left in June), the harbour 5
    assert (outcome.yes, outcome.no, outcome.eligible, outcome.quorum) == (5, 3, 8, 4)
    assert outcome.status == "passed"
    assert outcome.tally == "yes 1 seat (5 members) · no 1 seat (3 members) · abstain 0 (quorum 4 of 8 members represented)"


def test_quorum_is_a_fraction_of_the_seats_filled_on_the_day(cpress):
    one_seat = "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n"
    council_meeting(cpress, "2026-10-18", one_seat)
    assert outcomes(cpress)[0].status == "passed"  # 1 of 2 filled seats: half

    # a third assembly elects a delegate: now 1 of 3 is short of half
    cpress.assembly("riverside", HARBOR.replace("Harbour", "Riverside").lstrip())
    cpress.meeting("riverside", "2026-10-01", "present: [jo, kim]\nmotions:\n  - elect-delegate: kim\n    yes: [jo, kim]\n")
    (outcome,) = outcomes(cpress)
    assert outcome.status == "failed"
    assert outcome.reasons == ["no quorum: 1 seat cast, 2 needed of 3 filled"]


def test_a_whole_number_quorum_counts_weight(cpress):
    cpress.write("editorial/council.yml", council_yml(weighting="members", quorum="2"))
    census = "  - census: 2026-10-18\n    weights: {springfield: 1, harbor: 5}\n    yes: [springfield, harbor]\n"
    council_meeting(cpress, "2026-10-18", f"present: [harbor, springfield]\nmotions:\n{census}  - feature: harbor/ferry\n    yes: [springfield]\n")
    assert outcomes(cpress)[1].reasons == ["no quorum: 1 weight cast, 2 needed of 6 filled"]


# --------------------------------------------------------------------------- features


def features(p: PressDir, today: dt.date = TODAY):
    return [(f.article, f.lead) for f in p.load(today).decisions.council.on_front_page()]


def test_feature_unfeature_and_lead_ordering(cpress):
    council_meeting(
        cpress,
        "2026-10-18",
        """
        present: [springfield, harbor]
        motions:
          - feature: springfield/rent
            lead: true
            yes: [springfield, harbor]
          - feature: harbor/ferry
            yes: [springfield, harbor]
        """,
    )
    assert features(cpress) == [("harbor/ferry", False), ("springfield/rent", True)]  # latest decided first
    council_meeting(
        cpress,
        "2026-11-15",
        """
        present: [springfield, harbor]
        motions:
          - unfeature: springfield/rent
            yes: [springfield, harbor]
          - feature: harbor/ferry
            lead: true
            yes: [springfield, harbor]
        """,
    )
    assert features(cpress) == [("harbor/ferry", True)]
    history = cpress.load().decisions.council.features
    assert [(f.article, f.ended_by) for f in history] == [("springfield/rent", "unfeatured"), ("harbor/ferry", "featured again"), ("harbor/ferry", None)]
    assert features(cpress, dt.date(2026, 11, 1)) == [("harbor/ferry", False), ("springfield/rent", True)]


def test_a_feature_expires_after_its_until_day(cpress):
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    until: 2026-11-14\n    yes: [harbor]\n")
    assert features(cpress, dt.date(2026, 11, 14)) == [("harbor/ferry", False)]
    assert features(cpress, dt.date(2026, 11, 15)) == []


def test_an_article_retracted_after_it_was_featured_leaves_the_front_page(cpress):
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [harbor]\n")
    cpress.meeting("harbor", "2026-11-05", "present: [jo, kim, lee]\nmotions:\n  - retract: harbor/ferry\n    reason: Wrong figures.\n    yes: [jo, kim, lee]\n")
    assert features(cpress) == []
    (feature,) = cpress.load().decisions.council.features
    assert (feature.ended, feature.ended_by) == (dt.date(2026, 11, 5), "retracted")
    assert features(cpress, dt.date(2026, 11, 4)) == [("harbor/ferry", True)]


def test_an_article_republished_after_a_retraction_needs_a_new_feature(cpress):
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n")
    cpress.meeting("harbor", "2026-11-05", "present: [jo, kim, lee]\nmotions:\n  - retract: harbor/ferry\n    reason: Wrong figures.\n    yes: [jo, kim, lee]\n")
    cpress.meeting("harbor", "2026-11-12", f"present: [jo, kim, lee]\nmotions:\n  - publish: harbor/ferry\n    digest: {cpress.digest('harbor', 'ferry')}\n    yes: [jo, kim, lee]\n")
    assert cpress.load().decisions.articles["harbor/ferry"].state == "published"
    assert features(cpress) == []


# --------------------------------------------------------------------------- statements


def test_the_councils_statements_are_digest_bound_like_any_article(cpress):
    path = cpress.article("council", "statement", "A national statement", "STATEMENT-TEXT")
    council_meeting(
        cpress,
        "2026-10-18",
        f"present: [springfield, harbor]\nmotions:\n  - publish: council/statement\n    digest: {cpress.digest('council', 'statement')}\n    yes: [springfield, harbor]\n",
    )
    decision = cpress.load().decisions.articles["council/statement"]
    assert decision.state == "published"
    assert decision.approved.tally == "2 yes · 0 no · 0 abstain (quorum 1 of 2 seats)"
    path.write_text(path.read_text() + "\nAn edit after the vote.\n")
    assert cpress.load().decisions.articles["council/statement"].state == "edited-since-approval"


def test_the_council_may_retract_its_statement(cpress):
    cpress.article("council", "statement", "A national statement", "STATEMENT-TEXT")
    digest = cpress.digest("council", "statement")
    council_meeting(cpress, "2026-10-18", f"present: [springfield, harbor]\nmotions:\n  - publish: council/statement\n    digest: {digest}\n    yes: [springfield, harbor]\n  - feature: council/statement\n    yes: [springfield, harbor]\n")
    assert features(cpress) == [("council/statement", False)]
    council_meeting(cpress, "2026-11-15", "present: [springfield, harbor]\nmotions:\n  - retract: council/statement\n    reason: Superseded.\n    yes: [springfield, harbor]\n")
    assert cpress.load().decisions.articles["council/statement"].state == "retracted"
    assert features(cpress) == []


# --------------------------------------------------------------------------- the mandate record


def test_the_mandate_record_shows_each_vote_and_who_held_the_seat(cpress):
    cpress.meeting(
        "springfield",
        "2026-10-06",
        "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: ana\n    yes: [ben, cai]\n  - elect-delegate: ben\n    yes: [ana, cai]\n",
    )
    council_meeting(cpress, "2026-09-20", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n    no: [springfield]\n")
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: springfield/rent\n    yes: [harbor]\n")
    council_meeting(cpress, "2026-11-15", "present: [springfield, harbor]\nmotions:\n  - unfeature: harbor/ferry\n    yes: [springfield, harbor]\n")
    mandate = cpress.load().decisions.council.mandates["springfield"]
    assert [(e.outcome.date.isoformat(), e.holder, e.vote, e.changed_hands) for e in mandate] == [
        ("2026-09-20", "ana", "no", False),
        ("2026-10-18", "ben", "absent", True),
        ("2026-11-15", "ben", "yes", False),
    ]
    assert mandate[1].previous_name == "Ana"
    harbor = cpress.load().decisions.council.mandates["harbor"]
    assert [e.vote for e in harbor] == ["yes", "yes", "yes"]


def test_the_mandate_record_shows_an_empty_seat(cpress):
    cpress.meeting("springfield", "2026-10-06", "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: ana\n    yes: [ben, cai]\n")
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n")
    (entry,) = cpress.load().decisions.council.mandates["springfield"]
    assert (entry.holder, entry.vote) == (None, "no delegate")


def test_a_broken_council_record_reports_only_its_own_problems(cpress):
    cpress.article("council", "statement", "A statement")
    council_meeting(cpress, "2026-10-18", "present: [springfield]\n")
    cpress.write("editorial/council.yml", "name: [not, text]\n")
    assert cpress.problems() == ["editorial/council.yml:1: 'name' must be text"]
    assert cpress.load().decisions.articles["council/statement"].state == "awaiting-vote"


# --------------------------------------------------------------------------- fuzzing

VALID = """present:
  springfield: ana
  harbor: jo
motions:
  - feature: harbor/ferry
    lead: true
    until: 2026-12-31
    yes: [springfield, harbor]
  - feature: springfield/draft
    yes: [springfield]
  - unfeature: springfield/rent
    no: [harbor]
  - publish: council/statement
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
    yes: [springfield, harbor]
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(VALID)), st.sampled_from(NOISE + ["springfield", "harbor", "atlantis", "lead: true", "ana", "jo"])), max_size=4))
def test_mangled_council_records_never_crash_and_never_feature_the_unpublished(cpress, edits):
    text = VALID
    for at, noise in sorted(edits, reverse=True):
        text = text[:at] + noise + text[at:]
    council_meeting(cpress, "2026-10-18", text)
    loaded = cpress.load()  # never raises: every problem is a path:line message
    for problem in loaded.problems:
        assert problem.path.startswith("editorial/") and problem.message
    for feature in loaded.decisions.council.on_front_page():
        assert feature.article in ("harbor/ferry", "springfield/rent")  # the two articles published before the 18th


def test_a_withdrawn_article_leaves_the_front_page(cpress):
    council_meeting(cpress, "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n")
    assert features(cpress) == [("harbor/ferry", False)]
    (cpress.root / "content/harbor/ferry.md").unlink()  # outside git: a removed file is withdrawn
    loaded = cpress.load()
    assert loaded.decisions.articles["harbor/ferry"].state == "withdrawn"
    assert [(f.article, f.ended_by) for f in loaded.decisions.council.features] == [("harbor/ferry", "withdrawn")]
    assert loaded.problems == []
    # the votes said it was published in October: the feature stood until the file was removed
    assert loaded.decisions.council.outcomes[0].status == "passed"

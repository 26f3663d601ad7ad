"""The sample press's council: three meetings, a lead, features, an unfeature, a statement, and a
seat that changes hands after Springfield recalls its delegate between two council meetings."""

from __future__ import annotations

import datetime as dt

import press
from conftest import REPO
from press import clock

TODAY = clock.at(dt.date(2026, 11, 21))


def test_the_sample_council_shows_every_kind_of_motion():
    council = press.load(REPO, TODAY).decisions.council
    kinds = {(o.motion.kind, getattr(o.motion, "lead", False)) for o in council.outcomes if o.passed}
    assert {("feature", True), ("feature", False), ("unfeature", False), ("publish", False)} <= kinds
    assert len({o.meeting.date for o in council.outcomes}) >= 3
    assert press.load(REPO, TODAY).decisions.articles["council/transit-day-of-action"].state == "published"
    ended = {f.article: f.ended_by for f in council.features if f.ended_by}
    assert ended["riverside/heat-pump-coop"] == "retracted"  # featured, then retracted by Riverside
    assert ended["harbor/dockers-pension"] == "unfeatured"
    lead = next(f for f in council.on_front_page() if f.lead)
    assert lead.article == "harbor/ferry-cuts"


def test_the_springfield_seat_changes_hands_between_two_council_meetings():
    mandate = press.load(REPO, TODAY).decisions.council.mandates["springfield"]
    holders = [(e.outcome.date.isoformat(), e.holder) for e in mandate]
    assert ("2026-09-20", "carla") in holders and ("2026-10-18", "dev") in holders
    handover = [e for e in mandate if e.changed_hands]
    assert [(e.outcome.date.isoformat(), e.previous, e.holder) for e in handover] == [("2026-10-18", "carla", "dev")]


def test_the_recalled_delegates_vote_is_refused_and_the_new_delegates_counts(sample):
    record = sample / "editorial/meetings/council/2026-10-25.yml"
    vote = "motions:\n  - unfeature: springfield/bus-fares\n    yes: [springfield, riverside]\n"
    record.write_text("present:\n  springfield: carla\n  riverside: priya\n" + vote)
    loaded = press.load(sample, TODAY)
    assert [str(p) for p in loaded.problems] == [
        "editorial/meetings/council/2026-10-25.yml:2: 'carla' was recalled as springfield's delegate on 2026-10-06; "
        "on 2026-10-25 the seat is held by 'dev' (Dev Patel) — only the sitting delegate takes the seat"
    ]
    assert [o.status for o in loaded.decisions.council.outcomes if o.date == dt.date(2026, 10, 25)] == ["invalid"]
    record.write_text("present:\n  springfield: dev\n  riverside: priya\n" + vote)
    loaded = press.load(sample, TODAY)
    assert loaded.problems == []
    assert [o.status for o in loaded.decisions.council.outcomes if o.date == dt.date(2026, 10, 25)] == ["passed"]


def test_a_council_decision_reaches_the_front_page_with_the_cache_warm(sample):
    from click.testing import CliRunner

    from press.cli import main

    def build():
        result = CliRunner().invoke(main, ["--root", str(sample), "build", "--no-search"])
        assert result.exit_code == 0, result.output
        assert "council: 1 published, 0 held back, 0 retracted" in result.output
        return (sample / "output/index.html").read_text(), (sample / "output/springfield/index.html").read_text()

    front, chapter = build()
    assert "Lead story, chosen by the council" in front and "No to the ferry cuts" in front.split("Chosen by the council")[0]
    (sample / "editorial/meetings/council/2026-11-20.yml").write_text(
        "present: [springfield, riverside, harbor]\nmotions:\n  - unfeature: harbor/ferry-cuts\n    yes: [springfield, riverside, harbor]\n"
    )
    front, chapter = build()
    lead = front.split("Chosen by the council")[0]
    assert "No to the ferry cuts" not in lead and "Why free buses pay for themselves" in lead  # the previous lead feature
    assert "2026-11-20" in chapter  # the mandate record on springfield's chapter page

"""Correcting the minutes: a later meeting's `correct` motion, never an edit of a merged record."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from press.cli import main

OCTOBER = "editorial/meetings/springfield/2026-10-06.yml"
NOVEMBER = "editorial/meetings/springfield/2026-11-03.yml"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def minutes(pressdir):
    """October: rent approved 2-0 (ana, ben); November: ana, ben and cai present."""
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-10-06")
    cli(pressdir.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", "2026-11-03")
    return pressdir


def test_record_correct_with_the_votes_as_cast(minutes):
    result = cli(minutes.root, "record", "correct", "springfield", "2026-10-06#1", "--reason", "Ben voted no.",
                 "--as-yes", "ana", "--as-no", "ben", "--rest", "yes", "--date", "2026-11-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "recorded in editorial/meetings/springfield/2026-11-03.yml: correct 2026-10-06#1: passed" in result.output
    text = (minutes.root / NOVEMBER).read_text()
    assert "- correct: 2026-10-06#1\n  reason: Ben voted no.\n  corrected:\n    'yes': [ana]\n    'no': [ben]\n" in text
    loaded = minutes.load()
    assert loaded.decisions.articles["springfield/rent"].state == "awaiting-vote"
    first = loaded.decisions.outcomes[0]
    assert (first.status, first.reasons) == ("failed", ["threshold not met: 1 yes against 1 no, majority needed"])


def test_record_correct_strike(minutes):
    result = cli(minutes.root, "record", "correct", "springfield", "2026-10-06#1", "--strike",
                 "--reason", "No such vote was taken.", "--yes", "ana,ben,cai", "--date", "2026-11-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    loaded = minutes.load()
    first = loaded.decisions.outcomes[0]
    assert first.status == "invalid"
    assert first.reasons == ["struck from the record by the correction of 2026-11-03 (motion 1): No such vote was taken."]
    assert loaded.decisions.articles["springfield/rent"].state == "awaiting-vote"
    assert loaded.problems == []


def test_a_correction_that_fails_changes_nothing(minutes):
    result = cli(minutes.root, "record", "correct", "springfield", "2026-10-06#1", "--strike", "--reason", "Hm.",
                 "--yes", "ana", "--no", "ben,cai", "--date", "2026-11-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "correct 2026-10-06#1: failed" in result.output
    assert minutes.load().decisions.articles["springfield/rent"].state == "published"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-10-06#1", "--reason", "x"], "give how the motion was really voted"),
        (["2026-10-06#1", "--reason", "x", "--strike", "--as-yes", "ana"], "give how the motion was really voted"),
    ],
)
def test_record_correct_usage(minutes, args, message):
    result = cli(minutes.root, "record", "correct", "springfield", *args, "--yes", "ana", "--date", "2026-11-03")
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("target", "corrected", "message"),
    [
        ("2026-10-06#2", "", "correct names 2026-10-06#2, but that meeting has 1 motion(s)"),
        ("2026-09-01#1", "", "correct names 2026-09-01#1, but springfield has no meeting record of 2026-09-01"),
        ("2026-11-03#1", "", "correct names 2026-11-03#1, which is not before this meeting"),
        ("2026-10-6#1", "", "correct must name an earlier motion of this assembly as <YYYY-MM-DD>#<number>"),
        ("2026-10-06#1", "    corrected: {yes: [dev]}\n", "'dev' is a corrected yes vote but is not a member of springfield in good standing on 2026-10-06"),
        ("2026-10-06#1", "    corrected: {yes: [cai]}\n", "'cai' is a corrected yes vote but is not in the attendance of 2026-10-06"),
        ("2026-10-06#1", "    corrected: {yes: [ana], no: [ana]}\n", "'ana' votes more than once in the corrected votes"),
        ("2026-10-06#1", "    corrected: {maybe: [ana]}\n", "unknown key 'maybe' in corrected — allowed keys: yes, no, abstain"),
    ],
)
def test_a_correction_must_name_a_real_earlier_motion_and_real_votes(pressdir, target, corrected, message):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", f"present: [ana, ben]\nmotions:\n  - publish: springfield/rent\n    digest: {pressdir.digest('springfield', 'rent')}\n    yes: [ana, ben]\n")
    pressdir.meeting("springfield", "2026-11-03", f"present: [ana, ben, cai]\nmotions:\n  - correct: {target}\n    reason: Wrong.\n{corrected}    yes: [ana, ben, cai]\n")
    problems = pressdir.problems()
    assert any(p.startswith(NOVEMBER) and message in p for p in problems), problems
    assert pressdir.load().decisions.articles["springfield/rent"].state == "published"


def test_a_correction_needs_a_reason(pressdir):
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n  - elect-delegate: ana\n    yes: [ana, ben]\n")
    pressdir.meeting("springfield", "2026-11-03", "present: [ana, ben]\nmotions:\n  - correct: 2026-10-06#1\n    yes: [ana, ben]\n")
    assert f"{NOVEMBER}:3: a correct motion needs a 'reason:' saying what the minutes got wrong" in pressdir.problems()


def test_a_struck_election_undoes_the_delegate_and_the_ledger_says_so(pressdir, tmp_path):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-09-01", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: cai\n    yes: [ana, ben]\n")
    pressdir.meeting(
        "springfield", "2026-10-06",
        "present: [ana, ben, cai]\nmotions:\n  - correct: 2026-09-01#1\n    reason: The election was postponed; it was never held.\n    yes: [ana, ben, cai]\n",
    )  # fmt: skip
    assert pressdir.load().decisions.delegates.get("springfield", []) == []
    out = tmp_path / "site"
    result = cli(pressdir.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    ledger = json.loads((out / "springfield/ledger.json").read_text())
    struck, correction = ledger["meetings"][0]["motions"][0], ledger["meetings"][1]["motions"][0]
    assert struck["corrected"] == {"by": "2026-10-06-1", "date": "2026-10-06", "reason": "The election was postponed; it was never held.", "struck": True}
    assert (correction["kind"], correction["motion"], correction["motion_anchor"]) == ("correct", "2026-09-01#1", "2026-09-01-1")
    page = (out / "springfield/ledger.html").read_text()
    assert 'Struck from the record by <a href="#2026-10-06-1">the meeting of 6 October 2026</a>: The election was postponed; it was never held.' in page
    assert '<a href="#2026-09-01-1">motion 1 of 1 September 2026</a>' in page

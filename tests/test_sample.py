"""The repository's own sample press: a new user's first look at the workflow."""

from __future__ import annotations

import json

from click.testing import CliRunner

import press
from press.cli import main
from conftest import REPO


def test_sample_press_verifies_clean():
    result = CliRunner().invoke(main, ["--root", str(REPO), "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 3 assemblies")


def test_sample_press_shows_every_state():
    result = CliRunner().invoke(main, ["--root", str(REPO), "status", "--json"])
    assert result.exit_code == 0
    states = {row["id"]: row["state"] for row in json.loads(result.output)["articles"]}
    assert set(states.values()) == set(press.STATES)
    assert states["springfield/water-rates"] == "edited-since-approval"
    assert states["riverside/heat-pump-coop"] == "retracted"
    assert states["springfield/city-hall-gossip"] == "rejected"


def test_sample_press_has_a_motion_that_failed_for_want_of_quorum_and_a_recall():
    loaded = press.load(REPO)
    reasons = [r for o in loaded.decisions.outcomes if o.status == "failed" for r in o.reasons]
    assert any(r.startswith("no quorum") for r in reasons)
    assert any(t.ended_by == "recalled" for t in loaded.decisions.delegates["springfield"])
    members = loaded.records.assemblies["springfield"].members.values()
    assert any(m.left for m in members) and len({m.joined for m in members}) > 2

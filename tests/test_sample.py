"""The repository's own sample press: a new user's first look at the workflow."""

from __future__ import annotations

import json
import shutil
import subprocess

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


def test_the_sample_shows_signed_minutes_in_both_schemes_and_both_count(tmp_path):
    """harbor's 2026-10-15 minutes are signed over their bytes alone (before its envelope-from), its
    2026-11-05 minutes over their envelope; both count, and each checks by hand with ssh-keygen as
    docs/workflow.md shows."""
    from press.signatures import check_meeting, envelope, signed_message

    loaded = press.load(REPO)
    harbor = loaded.records.assemblies["harbor"]
    meetings = {m.date.isoformat(): m for m in loaded.records.meetings if m.assembly == "harbor"}
    old, new = meetings["2026-10-15"], meetings["2026-11-05"]
    assert harbor.rules.signatures_on(old.date) == harbor.rules.signatures_on(new.date) == 1
    assert signed_message(harbor.rules, old) == old.raw
    assert signed_message(harbor.rules, new) == envelope("harbor", "2026-11-05", new.path, new.raw)
    assert check_meeting(harbor, old).signers == ["jonas"]
    assert check_meeting(harbor, new).signers == ["mira"]
    counted = [o for o in loaded.decisions.outcomes if o.meeting in (old, new)]
    assert len(counted) == 3 and all(o.passed for o in counted), [(o.meeting.path, o.reasons) for o in counted]
    assert loaded.decisions.articles["harbor/ferry-cuts"].state == "published"  # passed on 2026-11-05
    for meeting, member, message in ((old, "jonas", old.raw), (new, "mira", signed_message(harbor.rules, new))):
        allowed = tmp_path / "allowed_signers"
        allowed.write_text(f'{member} namespaces="assembly-press" {harbor.members[member].keys[0].line}\n')
        verify = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", member, "-n", "assembly-press", "-s", str(REPO / f"{meeting.path}.{member}.sig")]
        assert subprocess.run(verify, input=message, capture_output=True).returncode == 0
        other = new.raw if meeting is old else new.raw + b"\n"  # the other scheme's message, or other bytes
        assert subprocess.run(verify, input=other, capture_output=True).returncode != 0


def test_the_samples_envelope_signed_minutes_copied_to_another_date_do_not_count(sample):
    """A byte-identical copy of harbor's signed 2026-11-05 minutes, with mira's signature, under 2026-11-12:
    the copy's envelope names another sitting and path, so its signature and its motions do not count."""
    folder = sample / "editorial/meetings/harbor"
    for suffix in ("", ".mira.sig"):
        shutil.copy(folder / f"2026-11-05.yml{suffix}", folder / f"2026-11-12.yml{suffix}")
    result = CliRunner().invoke(main, ["--root", str(sample), "verify"])
    assert result.exit_code == 1, result.output
    assert "editorial/meetings/harbor/2026-11-12.yml.mira.sig: signature not counted: does not verify with mira's key" in result.output
    loaded = press.load(sample)
    copied = [o for o in loaded.decisions.outcomes if o.meeting.path == "editorial/meetings/harbor/2026-11-12.yml"]
    assert copied and not any(o.passed for o in copied)
    assert all(any(r.startswith("awaiting signatures: harbor requires 1") for r in o.reasons) for o in copied)
    original = [o for o in loaded.decisions.outcomes if o.meeting.path == "editorial/meetings/harbor/2026-11-05.yml"]
    assert original and all(o.passed for o in original)

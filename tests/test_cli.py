"""The press command as writers and editors use it: output, files written, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from press.cli import main


@pytest.fixture
def run(pressdir):
    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--root", str(pressdir.root), *args], input=input)

    return invoke


# --------------------------------------------------------------------------- press new / digest


def test_new_scaffolds_an_article_and_refuses_to_overwrite(pressdir, run):
    pressdir.assembly()
    result = run("new", "springfield", "Rent strike wins!", "--author", "Ana Ruiz")
    assert result.exit_code == 0, result.output
    assert "created content/springfield/rent-strike-wins.md" in result.output
    text = (pressdir.root / "content/springfield/rent-strike-wins.md").read_text()
    assert text.startswith("Title: Rent strike wins!\nAuthor: Ana Ruiz\n")
    assert pressdir.problems() == []
    again = run("new", "springfield", "Rent strike wins!")
    assert again.exit_code == 1
    assert "content/springfield/rent-strike-wins.md already exists" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "shelbyville", "A title"], "no assembly 'shelbyville' (known: springfield)"),
        (["new", "springfield", "   "], "the title must be one non-empty line"),
        (["new", "springfield", "!!!"], "cannot make a file name from '!!!'; pass --slug"),
        (["new", "springfield", "Title", "--slug", "Bad Slug"], "cannot make a file name"),
    ],
)
def test_new_rejects_bad_arguments(pressdir, run, args, message):
    pressdir.assembly()
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_digest_by_id_and_by_path(pressdir, run, monkeypatch):
    pressdir.assembly()
    path = pressdir.article("springfield", "rent")
    expected = pressdir.digest("springfield", "rent")
    assert run("digest", "springfield/rent").output.strip() == expected
    assert run("digest", str(path)).output.strip() == expected
    monkeypatch.chdir(pressdir.root)
    assert run("digest", "content/springfield/rent.md").output.strip() == expected


def test_digest_of_unknown_article(pressdir, run):
    pressdir.assembly()
    result = run("digest", "springfield/nothing")
    assert result.exit_code == 2
    assert "no article 'springfield/nothing'" in result.output


def test_root_that_is_not_a_press(tmp_path):
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "status"])
    assert result.exit_code == 2
    assert "is not a press: it has neither content/ nor editorial/" in result.output


def test_unknown_command_is_a_usage_error(run):
    result = run("publish-everything")
    assert result.exit_code == 2
    assert "No such command" in result.output


# --------------------------------------------------------------------------- press record


def test_an_editor_records_a_meeting_at_the_table(pressdir, run):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    result = run("record", "attendance", "springfield", "ana", "ben,cai", "--date", "2026-10-06")
    assert result.exit_code == 0, result.output
    result = run("record", "publish", "springfield/rent", "--date", "2026-10-06", "--no", "cai", "--rest", "yes")
    assert result.exit_code == 0, result.output
    assert "publish springfield/rent: passed" in result.output
    assert "2 yes · 1 no · 0 abstain (quorum 2)" in result.output
    record = (pressdir.root / "editorial/meetings/springfield/2026-10-06.yml").read_text()
    assert record == (
        "present: [ana, ben, cai]\n"
        "motions:\n"
        "- publish: springfield/rent\n"
        f"  digest: {pressdir.digest('springfield', 'rent')}\n"
        "  'yes': [ana, ben]\n"
        "  'no': [cai]\n"
        "  abstain: []\n"
    )
    assert pressdir.load().decisions.articles["springfield/rent"].state == "published"


def test_record_reports_a_failed_motion(pressdir, run):
    pressdir.assembly(quorum=3)
    pressdir.article("springfield", "rent")
    run("record", "attendance", "springfield", "ana", "ben", "--date", "2026-10-06")
    result = run("record", "reject", "springfield/rent", "--date", "2026-10-06", "--yes", "ana,ben")
    assert result.exit_code == 0
    assert "reject springfield/rent: failed — no quorum: 2 ballots cast, 3 needed" in result.output


def test_record_refuses_a_vote_that_would_not_count_and_writes_nothing(pressdir, run):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    run("record", "attendance", "springfield", "ana", "ben", "--date", "2026-10-06")
    path = pressdir.root / "editorial/meetings/springfield/2026-10-06.yml"
    before = path.read_bytes()
    result = run("record", "publish", "springfield/rent", "--date", "2026-10-06", "--yes", "ana,zed")
    assert result.exit_code == 1
    assert "2026-10-06.yml:5: 'zed' voted but is not a member of springfield" in result.output
    assert "nothing was recorded" in result.output
    assert path.read_bytes() == before


def test_record_needs_attendance_first(pressdir, run):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    result = run("record", "publish", "springfield/rent", "--date", "2026-10-06", "--yes", "ana")
    assert result.exit_code == 2
    assert "no attendance recorded for springfield on 2026-10-06 — first run: press record attendance" in result.output


def test_record_secret_ballot_with_counts(pressdir, run):
    pressdir.assembly(ballot="secret", quorum=3)
    pressdir.article("springfield", "rent")
    assert run("record", "attendance", "springfield", "--count", "3", "--date", "2026-10-06").exit_code == 0
    result = run("record", "retract", "springfield/rent", "--reason", "Wrong figures.", "--date", "2026-10-06", "--yes", "2", "--no", "1")
    assert result.exit_code == 0, result.output
    assert "retract springfield/rent: passed" in result.output
    names = run("record", "reject", "springfield/rent", "--date", "2026-10-06", "--yes", "ana")
    assert names.exit_code == 2
    assert "springfield votes by secret ballot: give --yes as a count" in names.output


def test_record_delegate_election_and_recall(pressdir, run):
    pressdir.assembly()
    run("record", "attendance", "springfield", "ana", "ben", "cai", "--date", "2026-10-06")
    assert "elect-delegate ana: passed" in run("record", "elect", "springfield", "ana", "--date", "2026-10-06", "--rest", "yes").output
    assert "recall-delegate ana: passed" in run("record", "recall", "springfield", "ana", "--date", "2026-10-06", "--yes", "ben,cai").output
    assert pressdir.load().decisions.delegates["springfield"][0].ended_by == "recalled"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "attendance", "springfield", "--date", "2026-10-06"], "name the members present, or give --count"),
        (["record", "attendance", "springfield", "ana", "--date", "06/10/2026"], "'06/10/2026' is not a date written YYYY-MM-DD"),
        (["record", "attendance", "springfield", "--count", "3", "--date", "2026-10-06"], "springfield votes by roll-call: name who is present"),
        (["record", "attendance", "springfield", "--count", "-1"], "-1 is not in the range x>=0"),
        (["record", "publish", "springfield/rent", "--yes", "ana,3"], "give either member ids or one count"),
        (["record", "publish", "springfield/rent", "--rest", "maybe"], "'maybe' is not one of 'yes', 'no', 'abstain'"),
        (["record", "retract", "springfield/rent", "--yes", "ana"], "Missing option '--reason'"),
    ],
)
def test_record_rejects_bad_arguments(pressdir, run, args, message):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_record_keeps_hand_written_comments_by_refusing(pressdir, run):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", "# minutes taken by ana\npresent: [ana, ben]\n")
    result = run("record", "reject", "springfield/rent", "--date", "2026-10-06", "--yes", "ana,ben")
    assert result.exit_code == 2
    assert "has comments that rewriting would drop" in result.output


# --------------------------------------------------------------------------- status / verify


def test_status_json_has_exactly_the_documented_shape(pressdir, run):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.article("springfield", "zoo")
    pressdir.publish("springfield", "rent", "2026-10-06")
    result = run("status", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)["articles"]
    assert list(json.loads(result.output)) == ["articles"]
    assert [set(r) for r in rows] == [{"id", "path", "assembly", "state", "digest", "approved_digest", "decided", "reasons"}] * 2
    rent, zoo = rows
    assert rent["id"] == "springfield/rent" and rent["path"] == "content/springfield/rent.md"
    assert (rent["state"], rent["decided"], rent["approved_digest"]) == ("published", "2026-10-06", rent["digest"])
    assert (zoo["state"], zoo["decided"], zoo["approved_digest"]) == ("awaiting-vote", None, None)


def test_status_table_and_filter(pressdir, run):
    pressdir.assembly()
    pressdir.assembly("shelbyville")
    pressdir.article("springfield", "rent")
    pressdir.article("shelbyville", "monorail")
    result = run("status", "--assembly", "shelbyville")
    assert result.exit_code == 0
    assert "shelbyville/monorail" in result.output and "springfield/rent" not in result.output
    assert "1 awaiting-vote" in result.output
    assert run("status", "--assembly", "ogdenville").exit_code == 2


def test_status_exits_1_when_records_have_problems(pressdir, run):
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", "present: [zed]\n")
    result = run("status")
    assert result.exit_code == 1
    assert "1 problem(s) in the records — run: press verify" in result.output


def test_verify_lists_problems_and_exits_1(pressdir, run):
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", "present: [zed]\n")
    result = run("verify")
    assert result.exit_code == 1
    assert "editorial/meetings/springfield/2026-10-06.yml:1: 'zed' is listed as present but is not a member of springfield" in result.output
    data = json.loads(run("verify", "--json").output)
    assert data["ok"] is False
    assert data["problems"] == [
        {
            "path": "editorial/meetings/springfield/2026-10-06.yml",
            "line": 1,
            "message": "'zed' is listed as present but is not a member of springfield — "
            "check the id against the roster in editorial/assemblies/springfield.yml",
        }
    ]


def test_verify_clean(pressdir, run):
    pressdir.assembly()
    result = run("verify")
    assert (result.exit_code, result.output.strip()) == (0, "ok: 1 assemblies, 0 meetings, 0 articles checked")
    assert json.loads(run("verify", "--json").output) == {"ok": True, "problems": []}


def test_no_traceback_on_a_broken_record(pressdir, run):
    pressdir.write("editorial/assemblies/springfield.yml", "name: [unclosed\n")
    for command in (["verify"], ["status"], ["status", "--json"], ["verify", "--json"]):
        result = run(*command)
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output

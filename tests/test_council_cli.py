"""The council on the command line: attendance by seat, the feature verbs, status, verify, CODEOWNERS."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from press.cli import main
from test_council import cpress  # noqa: F401  (fixture)


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


@pytest.fixture
def run(cpress):  # noqa: F811
    def invoke(*args):
        return CliRunner().invoke(main, ["--root", str(cpress.root), *args])

    return invoke


def test_attendance_by_seat_fills_in_each_seats_delegate(cpress, run):  # noqa: F811
    result = run("record", "attendance", "council", "springfield", "harbor", "--date", "2026-10-18")
    assert result.exit_code == 0, result.output
    assert (cpress.root / "editorial/meetings/council/2026-10-18.yml").read_text() == "present:\n  springfield: ana\n  harbor: jo\n"


def test_feature_and_unfeature_from_the_command_line(cpress, run):  # noqa: F811
    run("record", "attendance", "council", "springfield", "harbor", "--date", "2026-10-18")
    result = run("record", "feature", "harbor/ferry", "--lead", "--until", "2026-12-31", "--date", "2026-10-18", "--rest", "yes")
    assert result.exit_code == 0, result.output
    assert "recorded in editorial/meetings/council/2026-10-18.yml: feature harbor/ferry: passed" in result.output
    assert "2 yes · 0 no · 0 abstain (quorum 1 of 2 seats)" in result.output
    record = (cpress.root / "editorial/meetings/council/2026-10-18.yml").read_text()
    assert "- feature: harbor/ferry\n  lead: true\n  until: 2026-12-31\n  'yes': [springfield, harbor]\n" in record
    status = json.loads(run("status", "--json").output)
    assert status["council"]["front_page"] == [{"article": "harbor/ferry", "featured": "2026-10-18", "lead": True, "until": "2026-12-31"}]
    result = run("record", "unfeature", "content/harbor/ferry.md", "--date", "2026-10-18", "--yes", "harbor")
    assert "unfeature harbor/ferry: passed" in result.output
    assert json.loads(run("status", "--json").output)["council"]["front_page"] == []


def test_a_recalled_delegate_cannot_be_recorded_in_the_seat(cpress, run):  # noqa: F811
    cpress.meeting("springfield", "2026-10-06", "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: ana\n    yes: [ben, cai]\n  - elect-delegate: ben\n    yes: [ana, cai]\n")
    result = run("record", "attendance", "council", "springfield=ana", "harbor", "--date", "2026-10-18")
    assert result.exit_code == 1
    assert "2026-10-18.yml:2: 'ana' was recalled as springfield's delegate on 2026-10-06; on 2026-10-18 the seat is held by 'ben' (Ben)" in result.output
    assert "nothing was recorded" in result.output
    assert not (cpress.root / "editorial/meetings/council/2026-10-18.yml").exists()
    assert run("record", "attendance", "council", "springfield=ben", "harbor", "--date", "2026-10-18").exit_code == 0


def test_featuring_an_unpublished_article_is_refused(cpress, run):  # noqa: F811
    run("record", "attendance", "council", "springfield", "harbor", "--date", "2026-10-18")
    path = cpress.root / "editorial/meetings/council/2026-10-18.yml"
    before = path.read_bytes()
    result = run("record", "feature", "springfield/draft", "--date", "2026-10-18", "--rest", "yes")
    assert result.exit_code == 1
    assert "springfield/draft is awaiting-vote on 2026-10-18, not published" in result.output
    assert path.read_bytes() == before


def test_council_counts_are_given_as_seats(cpress, run):  # noqa: F811
    run("record", "attendance", "council", "springfield", "harbor", "--date", "2026-10-18")
    assert run("record", "attendance", "council", "--count", "2", "--date", "2026-10-18").exit_code == 2
    result = run("record", "feature", "harbor/ferry", "--date", "2026-10-18", "--yes", "atlantis")
    assert result.exit_code == 1
    assert "seat 'atlantis' voted" not in result.output and "'atlantis' voted but is not an assembly" in result.output


def test_status_and_verify_cover_the_council(cpress, run):  # noqa: F811
    cpress.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [harbor]\n")
    status = run("status")
    assert "National Council: seats today harbor (jo), springfield (ana)" in status.output
    assert "front page: harbor/ferry (lead, featured 2026-10-18)" in status.output
    verify = run("verify")
    assert verify.exit_code == 0
    assert verify.output.startswith("ok: 2 assemblies and the council, 3 meetings, 3 articles checked")


def test_codeowners_gives_the_councils_records_to_the_delegates(cpress, run):  # noqa: F811
    roster = (cpress.root / "editorial/assemblies/springfield.yml").read_text()
    cpress.write("editorial/assemblies/springfield.yml", roster.replace("{id: ana, name: Ana, joined: 2025-01-01}", "{id: ana, name: Ana, joined: 2025-01-01, github: ana-gh}"))
    cpress.write("editorial/press.yml", "maintainers: [web-team]\n")
    result = run("codeowners")
    assert result.exit_code == 0, result.output
    text = (cpress.root / ".github/CODEOWNERS").read_text()
    assert "# delegates without a github handle in their assembly's roster: jo (harbor)" in text
    assert "/content/council/ @ana-gh\n/editorial/meetings/council/ @ana-gh\n/editorial/council.yml @ana-gh\n" in text


def test_council_records_are_signed_by_the_sitting_delegates_with_their_own_keys(pressdir, tmp_path):
    from test_signatures import require

    require("ssh-keygen")
    import subprocess

    keys = {}
    for name in ("ana", "jo"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        keys[name] = (tmp_path / f"{name}.pub").read_text().strip()
    from test_council import HARBOR, council_yml

    p = pressdir
    p.assembly(text=f"name: Springfield\nrules: {{quorum: 1}}\nmembers:\n  - {{id: ana, name: Ana, joined: 2025-01-01, key: {keys['ana']}}}\n  - {{id: ben, name: Ben, joined: 2025-01-01}}\neditors: [ben]\n")
    p.assembly("harbor", HARBOR.lstrip().replace("{id: jo, name: Jo, joined: 2025-01-01}", f"{{id: jo, name: Jo, joined: 2025-01-01, key: {keys['jo']}}}"))
    p.write("editorial/council.yml", council_yml(extra="  signatures: 2\n"))
    p.article("harbor", "ferry", "Ferry")
    p.meeting("springfield", "2026-09-01", "present: [ben]\nmotions:\n  - elect-delegate: ana\n    yes: [ben]\n")
    p.meeting("harbor", "2026-09-02", f"present: [jo, kim]\nmotions:\n  - publish: harbor/ferry\n    digest: {p.digest('harbor', 'ferry')}\n    yes: [jo, kim]\n  - elect-delegate: jo\n    yes: [jo, kim]\n")
    record = p.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield, harbor]\n")

    def outcome():
        return p.load().decisions.council.outcomes[0]

    assert outcome().status == "invalid" and "awaiting signatures: the council requires 2 delegate signature(s), this record is not signed" in outcome().reasons
    run = lambda *args: CliRunner().invoke(main, ["--root", str(p.root), *args])  # noqa: E731
    # jo's key cannot sign for springfield's seat: each seat signs with its own delegate's key
    wrong = run("sign", str(record), "--key", str(tmp_path / "jo"), "--member", "springfield")
    assert wrong.exit_code == 2
    assert "does not verify with a roster key of springfield valid on 2026-10-18" in wrong.output
    signed = run("sign", str(record), "--key", str(tmp_path / "ana"))
    assert signed.exit_code == 0, signed.output
    assert "as springfield" in signed.output
    assert outcome().status == "invalid"  # one signature of two
    assert run("sign", str(record), "--key", str(tmp_path / "jo")).exit_code == 0
    assert outcome().status == "passed"


def test_press_check_refuses_council_votes_counted_under_rules_changed_in_the_same_change(repo):
    from conftest import commit, git
    from test_council import HARBOR, council_yml

    repo.assembly("harbor", HARBOR.lstrip())
    repo.write("editorial/council.yml", council_yml(quorum="2"))
    repo.article("harbor", "ferry", "Ferry")
    repo.meeting("harbor", "2026-09-02", f"present: [jo, kim]\nmotions:\n  - publish: harbor/ferry\n    digest: {repo.digest('harbor', 'ferry')}\n    yes: [jo, kim]\n  - elect-delegate: jo\n    yes: [jo, kim]\n")
    commit(repo.root, "Council and the harbour")
    git(repo.root, "checkout", "-q", "-b", "change")
    repo.write("editorial/council.yml", council_yml(quorum="1"))  # lower the quorum ...
    repo.meeting("council", "2026-10-18", "present: [harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor]\n")  # ... and use it
    commit(repo.root, "Feature the ferry", author="Jo <jo@example.org>")
    result = CliRunner().invoke(main, ["--root", str(repo.root), "check", "--base", "main"])
    assert result.exit_code == 1
    assert "- `editorial/council.yml`" in result.output  # listed as a rules change
    assert "- `editorial/meetings/council/2026-10-18.yml:3` feature `harbor/ferry`: passed, 1 yes · 0 no · 0 abstain (quorum 1 of 1 seats)" in result.output
    assert (
        "`editorial/council.yml`: council front page: harbor/ferry with this change's rosters and rules, "
        "but nothing featured with the base branch's — a change to rosters or rules must be merged on its own"
    ) in result.output


def test_feature_arguments_are_checked(cpress, run, pressdir):  # noqa: F811
    bad = run("record", "feature", "harbor/ferry", "--until", "soon", "--date", "2026-10-18", "--yes", "harbor")
    assert bad.exit_code == 2 and "'soon' is not a date written YYYY-MM-DD" in bad.output
    (cpress.root / "editorial/council.yml").unlink()
    none = run("record", "feature", "harbor/ferry", "--date", "2026-10-18", "--yes", "harbor")
    assert none.exit_code == 2 and "no assembly 'council' (known: harbor, springfield)" in none.output

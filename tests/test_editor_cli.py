"""The editor's CLI as a new secretary meets it: latecomers, status by assembly, votes on articles
that are not ready, press new's Author line."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from conftest import commit, git
from press.cli import main


def run(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def present(pressdir, day="2026-11-03"):
    return yaml.safe_load((pressdir.root / f"editorial/meetings/springfield/{day}.yml").read_text())["present"]


def test_a_latecomer_is_added_and_a_mistake_removed(pressdir):
    pressdir.assembly()
    assert run(pressdir.root, "record", "attendance", "springfield", "ana", "ben", "--date", "2026-11-03").exit_code == 0
    late = run(pressdir.root, "record", "attendance", "springfield", "cai", "--date", "2026-11-03")
    assert late.exit_code == 0, late.output
    assert present(pressdir) == ["ana", "ben", "cai"]
    assert run(pressdir.root, "record", "attendance", "springfield", "--remove", "ben", "--date", "2026-11-03").exit_code == 0
    assert present(pressdir) == ["ana", "cai"]
    again = run(pressdir.root, "record", "attendance", "springfield", "--remove", "ben", "--date", "2026-11-03")
    assert again.exit_code == 2 and "ben is not listed as present on 2026-11-03 — nothing to remove" in again.output
    replaced = run(pressdir.root, "record", "attendance", "springfield", "ben", "--replace", "--date", "2026-11-03")
    assert replaced.exit_code == 0 and present(pressdir) == ["ben"]


def test_taking_off_someone_who_voted_is_refused_in_a_few_lines(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    for i in range(6):
        pressdir.article("springfield", f"piece-{i}")
    day = ["--date", "2026-11-03"]
    assert run(pressdir.root, "record", "attendance", "springfield", "ana", "ben", "cai", *day).exit_code == 0
    for i in range(6):
        assert run(pressdir.root, "record", "reject", f"springfield/piece-{i}", "--rest", "yes", *day).exit_code == 0
    record = pressdir.root / "editorial/meetings/springfield/2026-11-03.yml"
    before = record.read_bytes()
    refused = run(pressdir.root, "record", "attendance", "springfield", "--remove", "ana", *day)
    assert refused.exit_code == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) <= 5, refused.output
    assert lines[-1] == (
        "press: nothing was recorded — ana voted at this meeting, so cannot be taken off the list; "
        "someone who left early stays listed"
    )
    assert record.read_bytes() == before


def test_status_takes_the_assembly_as_an_argument(pressdir):
    pressdir.assembly()
    pressdir.assembly("harbor")
    pressdir.article("springfield", "rent")
    pressdir.article("harbor", "ferry")
    result = run(pressdir.root, "status", "springfield")
    assert result.exit_code == 0, result.output
    assert "springfield/rent" in result.output and "harbor/ferry" not in result.output
    assert run(pressdir.root, "status", "--assembly", "harbor").output.count("harbor/ferry") == 1
    both = run(pressdir.root, "status", "springfield", "--assembly", "harbor")
    assert both.exit_code == 2 and "give one" in both.output


def test_a_vote_on_the_template_text_is_refused(pressdir):
    pressdir.assembly()
    made = run(pressdir.root, "new", "springfield", "Library hours", "--author", "Ana Ruiz")
    assert made.exit_code == 0, made.output
    assert run(pressdir.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", "2026-11-03").exit_code == 0
    record = pressdir.root / "editorial/meetings/springfield/2026-11-03.yml"
    before = record.read_bytes()
    vote = run(pressdir.root, "record", "publish", "springfield/library-hours", "--rest", "yes", "--date", "2026-11-03")
    assert vote.exit_code == 1
    assert "content/springfield/library-hours.md: still holds the template's text" in vote.output
    assert "nothing was recorded" in vote.output
    assert record.read_bytes() == before


def test_a_vote_on_uncommitted_text_is_refused_until_it_is_committed(repo):
    repo.article("springfield", "rent", body="The rent strike, as first written.")
    commit(repo.root, "Rent")
    repo.article("springfield", "rent", body="The rent strike, edited and not committed.")
    assert run(repo.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", "2026-11-03").exit_code == 0
    vote = run(repo.root, "record", "publish", "springfield/rent", "--rest", "yes", "--date", "2026-11-03")
    assert vote.exit_code == 1
    assert "content/springfield/rent.md: has changes that are not committed — commit them first" in vote.output
    assert "publish" not in (repo.root / "editorial/meetings/springfield/2026-11-03.yml").read_text()
    commit(repo.root, "Rent, edited")
    vote = run(repo.root, "record", "publish", "springfield/rent", "--rest", "yes", "--date", "2026-11-03")
    assert vote.exit_code == 0, vote.output
    assert "publish springfield/rent: passed" in vote.output


def test_press_new_takes_the_author_from_git(repo):
    git(repo.root, "config", "user.name", "Fatima Haddad")
    made = run(repo.root, "new", "springfield", "Repair clinic")
    assert made.exit_code == 0, made.output
    text = (repo.root / "content/springfield/repair-clinic.md").read_text()
    assert text.startswith("Title: Repair clinic\nAuthor: Fatima Haddad\n")

"""press check and press codeowners: the pull-request side of the workflow, in real git repositories."""

from __future__ import annotations

from click.testing import CliRunner

from press.cli import main
from conftest import commit, git

WRITER = "Writer Wu <wu@example.org>"
EDITOR = "Ana Ruiz <ana@example.org>"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def branch(repo, name="change"):
    git(repo.root, "checkout", "-q", "-b", name)


def test_a_new_article_is_listed_with_its_state(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## Assembly Press check\n")
    assert "| `springfield/rent` | awaiting-vote | no passed motion names it yet |" in result.output
    assert "No problems found." in result.output


def test_a_pull_request_cannot_approve_itself(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Approve my own article", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert (
        "editorial/meetings/springfield/2026-10-06.yml:3`: this change both edits springfield/rent and records its approval, "
        "all by Writer Wu <wu@example.org> — a pull request cannot approve itself" in result.output
    )


def test_writer_and_editor_in_one_branch_is_not_self_approval(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Record the vote", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "| `springfield/rent` | published |" in result.output


def test_roster_edits_in_the_change_do_not_count_for_its_votes(repo):
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    branch(repo)
    roster = repo.root / "editorial/assemblies/springfield.yml"
    roster.write_text(roster.read_text().replace("editors: [ana]", "  - {id: sock, name: Sock Puppet, joined: 2025-01-01}\neditors: [ana]"))
    repo.meeting(
        "springfield",
        "2026-10-06",
        f"present: [ana, sock]\nmotions:\n  - publish: springfield/rent\n    digest: {repo.digest('springfield', 'rent')}\n    yes: [ana, sock]\n",
    )
    commit(repo.root, "Add a member and approve", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "**Roster or rules changed**" in result.output and "- `editorial/assemblies/springfield.yml`" in result.output
    assert "'sock' voted but is not a member of springfield" in result.output
    assert "| `springfield/rent` | awaiting-vote |" in result.output
    # once merged, the roster is the base's and the vote counts
    assert cli(repo.root, "status", "--json").output.count('"state": "published"') == 1


def test_check_rejects_an_unknown_base_and_a_folder_outside_git(repo, tmp_path):
    result = cli(repo.root, "check", "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown base 'no-such-branch'" in result.output
    (tmp_path / "loose" / "content").mkdir(parents=True)
    result = cli(tmp_path / "loose", "check", "--base", "main")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.output


def test_codeowners_follows_the_rosters(pressdir):
    pressdir.assembly(
        text="name: Springfield\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, github: ana-r}\n"
        "  - {id: ben, name: Ben, joined: 2025-01-01}\neditors: [ana, ben]\n"
    )
    assert cli(pressdir.root, "codeowners", "--check").exit_code == 1
    assert cli(pressdir.root, "codeowners").exit_code == 0
    text = (pressdir.root / ".github/CODEOWNERS").read_text()
    assert "/content/springfield/ @ana-r\n" in text
    assert "/editorial/meetings/springfield/ @ana-r\n" in text
    assert "# editors without a github handle in the roster: ben" in text
    assert cli(pressdir.root, "codeowners", "--check").exit_code == 0


def test_bad_github_handle(pressdir):
    pressdir.assembly(text="name: S\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, github: 'not a handle'}\n")
    assert "editorial/assemblies/springfield.yml:3: github handle 'not a handle' of 'ana' is not a GitHub user name" in pressdir.problems()


def test_the_repository_codeowners_is_up_to_date():
    from conftest import REPO

    assert cli(REPO, "codeowners", "--check").exit_code == 0

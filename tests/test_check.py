"""press check and press codeowners: every way a hostile pull request has tried to pass, in real git repositories."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from press.cli import main
from conftest import commit, git

WRITER = "Writer Wu <wu@example.org>"
EDITOR = "Ana Ruiz <ana@example.org>"
RECORD = "editorial/meetings/springfield/2026-10-06.yml"
ROSTER = "editorial/assemblies/springfield.yml"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def branch(repo, name="change"):
    git(repo.root, "checkout", "-q", "-b", name)


def on_main(repo, *, published: bool = True):
    """main holds the article springfield/rent, approved at the meeting of 2026-10-06 (by ana, ben)."""
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    if published:
        repo.publish("springfield", "rent", "2026-10-06")
        commit(repo.root, "Record the vote", author=EDITOR)


def edit_roster(repo, old: str, new: str) -> None:
    roster = repo.root / ROSTER
    text = roster.read_text()
    assert old in text
    roster.write_text(text.replace(old, new))


# --------------------------------------------------------------------------- what a change does


def test_a_new_article_is_listed_with_its_state(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    result = cli(repo.root, "check", "--base", "main", "--author", "wu-writes")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## Assembly Press check\n")
    assert "| `springfield/rent` | awaiting-vote | no passed motion names it yet |" in result.output
    assert "- @wu-writes (opened the pull request)" in result.output
    assert "No problems found." in result.output


def test_check_rejects_an_unknown_base_a_bad_author_and_a_folder_outside_git(repo, tmp_path):
    result = cli(repo.root, "check", "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown base 'no-such-branch'" in result.output
    result = cli(repo.root, "check", "--base", "main", "--author", "wu;rm -rf")
    assert result.exit_code == 2
    assert "--author 'wu;rm -rf' is not a GitHub login" in result.output
    (tmp_path / "loose" / "content").mkdir(parents=True)
    result = cli(tmp_path / "loose", "check", "--base", "main")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.output


# --------------------------------------------------------------------------- rules and rosters


def test_lowering_the_quorum_and_voting_under_it_in_one_change_fails(repo):
    on_main(repo, published=False)
    branch(repo)
    edit_roster(repo, "quorum: 2", "quorum: 1")
    repo.publish("springfield", "rent", "2026-10-06", yes="[ana]")
    commit(repo.root, "Quorum 1, and approve", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert (
        f"- `{ROSTER}`: springfield/rent: published (sha256:") in result.output
    assert "with this change's rosters and rules, but awaiting-vote with the base branch's — a change to rosters or rules must be merged on its own" in result.output
    # landed on its own first, the same rule change passes, and so do the votes after it
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "checkout", "-q", "-b", "rules-only")
    edit_roster(repo, "quorum: 2", "quorum: 1")
    commit(repo.root, "Quorum 1", author=EDITOR)
    assert cli(repo.root, "check", "--base", "main").exit_code == 0


def test_roster_edits_in_the_change_do_not_count_for_its_votes(repo):
    on_main(repo, published=False)
    branch(repo)
    edit_roster(repo, "editors: [ana]", "  - {id: sock, name: Sock Puppet, joined: 2025-01-01}\neditors: [ana]")
    repo.meeting(
        "springfield",
        "2026-10-06",
        f"present: [ana, sock]\nmotions:\n  - publish: springfield/rent\n    digest: {repo.digest('springfield', 'rent')}\n    yes: [ana, sock]\n",
    )
    commit(repo.root, "Add a member and approve", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "**Roster or rules changed**" in result.output and f"- `{ROSTER}`" in result.output
    assert "with the base branch's rosters: 'sock' voted but is not a member of springfield" in result.output
    assert "springfield/rent: published" in result.output and "but awaiting-vote with the base branch's" in result.output


def test_backdating_a_members_departure_to_undo_a_vote_fails(repo):
    on_main(repo)
    branch(repo)
    edit_roster(repo, "{id: ben, name: Ben, joined: 2025-01-01}", "{id: ben, name: Ben, joined: 2025-01-01, left: 2026-01-01}")
    commit(repo.root, "Ben left", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "'ben' voted but is not a member of springfield in good standing on 2026-10-06" in result.output


def test_a_new_member_alone_changes_no_outcome(repo):
    on_main(repo)
    branch(repo)
    edit_roster(repo, "editors: [ana]", "  - {id: fay, name: Fay, joined: 2026-11-01}\neditors: [ana]")
    commit(repo.root, "Welcome Fay", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output


def test_a_delegate_outcome_that_differs_fails(repo):
    repo.meeting("springfield", "2026-09-01", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: cai\n    yes: [ana, ben]\n")
    commit(repo.root, "Elect Cai", author=EDITOR)
    branch(repo)
    edit_roster(repo, "threshold: majority", "threshold: two-thirds")
    repo.meeting("springfield", "2026-10-06", "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: cai\n    yes: [ana]\n    no: [cai]\n    abstain: [ben]\n")
    commit(repo.root, "Two-thirds, and a recall", author=EDITOR)
    assert cli(repo.root, "check", "--base", "main").exit_code == 0  # a recall 1-1 fails under both rules
    edit_roster(repo, "threshold: two-thirds", 'threshold: "1/2"')
    commit(repo.root, "Half is enough", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "delegate of springfield: cai elected 2026-09-01, recalled 2026-10-06 with this change's rosters and rules, but cai elected 2026-09-01 with the base branch's" in result.output


# --------------------------------------------------------------------------- append-only minutes


def test_deleting_a_merged_meeting_record_fails(repo):
    on_main(repo)
    repo.meeting("springfield", "2026-11-03", "present: [ana, ben, cai]\nmotions:\n  - retract: springfield/rent\n    reason: Wrong figures.\n    yes: [ana, ben]\n")
    commit(repo.root, "Retract", author=EDITOR)
    branch(repo)
    (repo.root / "editorial/meetings/springfield/2026-11-03.yml").unlink()
    commit(repo.root, "Forget the retraction", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert (
        "- `editorial/meetings/springfield/2026-11-03.yml`: this meeting record is on the base branch and was deleted — "
        "minutes are append-only: restore it; to correct it, see 'Correcting the minutes' in docs/editorial-records.md"
    ) in result.output
    assert "| `springfield/rent` | published |" in result.output  # what the deletion would have done


def test_altering_the_votes_of_a_merged_motion_fails(repo):
    on_main(repo)
    branch(repo)
    path = repo.root / RECORD
    path.write_text(path.read_text().replace("yes: [ana, ben]", "yes: [ana, ben, cai]"))
    commit(repo.root, "Cai voted too", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert f"- `{RECORD}:5`: motion 1 (publish springfield/rent) of a merged meeting was altered (yes) — minutes are append-only" in result.output


def test_removing_a_motion_or_changing_attendance_fails(repo):
    on_main(repo)
    branch(repo)
    (repo.root / RECORD).write_text("present: [ana, ben]\n")
    commit(repo.root, "Tidy the minutes", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert f"- `{RECORD}:1`: the attendance of a merged meeting was changed (was ['ana', 'ben', 'cai'])" in result.output
    assert f"- `{RECORD}`: motion 1 (publish springfield/rent) of a merged meeting was removed" in result.output


def test_adding_a_motion_to_a_merged_meeting_fails_but_a_new_meeting_passes(repo):
    on_main(repo)
    repo.article("springfield", "fares", title="Fares")
    commit(repo.root, "Draft", author=WRITER)
    branch(repo)
    path = repo.root / RECORD
    path.write_text(path.read_text() + f"  - publish: springfield/fares\n    digest: {repo.digest('springfield', 'fares')}\n    yes: [ana, ben]\n")
    commit(repo.root, "We also approved fares back then", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert f"- `{RECORD}:6`: motion 2 (publish springfield/fares) was added to a meeting already merged" in result.output
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "checkout", "-q", "-b", "new-meeting")
    repo.publish("springfield", "fares", "2026-11-03")
    commit(repo.root, "November meeting", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "| `springfield/fares` | published |" in result.output


def test_a_scheduled_meeting_may_be_filled_in(repo):
    repo.meeting("springfield", "2026-10-06", "time: '19:00'\nlocation: Union Hall\n")
    on_main(repo, published=False)
    branch(repo)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Minutes of the meeting", author=EDITOR)
    assert cli(repo.root, "check", "--base", "main").exit_code == 0


def test_the_minutes_are_corrected_by_a_later_meeting(repo):
    on_main(repo)
    branch(repo)
    repo.meeting(
        "springfield",
        "2026-11-03",
        """
        present: [ana, ben, cai]
        motions:
          - correct: 2026-10-06#1
            reason: Ben was recorded as voting yes; he voted no.
            corrected: {yes: [ana], no: [ben]}
            yes: [ana, ben, cai]
        """,
    )
    commit(repo.root, "Correct the October minutes", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "| `springfield/rent` | awaiting-vote |" in result.output
    outcome = repo.load().decisions.outcomes[0]
    assert (outcome.status, outcome.motion.no, outcome.corrected_by.date.isoformat()) == ("failed", ("ben",), "2026-11-03")


# --------------------------------------------------------------------------- self-approval


def test_a_pull_request_cannot_approve_itself(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Approve my own article", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert (
        f"{RECORD}:3`: this change both edits springfield/rent and records its approval, both done by Writer Wu <wu@example.org> — "
        "a pull request cannot approve itself: record the vote in a separate pull request"
    ) in result.output


def test_two_email_addresses_are_still_one_person(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author="Writer Wu <wu@example.org>")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Approve", author="writer  wu <wu.other@example.net>")
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "both done by writer  wu <wu.other@example.net>, Writer Wu <wu@example.org> — a pull request cannot approve itself" in result.output


def test_a_github_noreply_address_is_the_roster_member_with_that_handle(repo):
    edit_roster(repo, "{id: ana, name: Ana, joined: 2025-01-01}", "{id: ana, name: Ana Ruiz, joined: 2025-01-01, github: ana-r}")
    commit(repo.root, "Ana's handle", author=EDITOR)
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author="A. R. <1234+ana-r@users.noreply.github.com>")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Approve", author="Ana Ruiz <ana@example.org>")
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "@ana-r (springfield/ana)" in result.output and "both done by" in result.output


def test_an_article_edited_inside_a_merge_commit_is_seen(repo):
    on_main(repo, published=False)
    branch(repo)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Record the vote", author=EDITOR)
    git(repo.root, "checkout", "-q", "-b", "side", "main")
    repo.write("content/springfield/other.md", "Title: Other\n\nText.\n")
    commit(repo.root, "Another draft", author=WRITER)
    git(repo.root, "checkout", "-q", "change")
    git(repo.root, "merge", "-q", "--no-ff", "--no-commit", "side", author=EDITOR)
    path = repo.root / "content/springfield/rent.md"
    path.write_text(path.read_text() + "A sentence slipped in by the editor.\n")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "Merge side", author=EDITOR)
    assert git(repo.root, "log", "-1", "--name-only", "--format=").strip() == ""  # what fooled the old check
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "this change both edits springfield/rent and records its approval, both done by Ana Ruiz <ana@example.org>" in result.output


def test_writer_and_editor_in_one_branch_pass_locally_but_not_in_the_authors_pull_request(repo):
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    commit(repo.root, "Draft", author=WRITER)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Record the vote", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "| `springfield/rent` | published |" in result.output
    # commit names prove nothing: whoever opened the pull request answers for all of it
    result = cli(repo.root, "check", "--base", "main", "--author", "wu-writes")
    assert result.exit_code == 1
    assert "both done by @wu-writes (opened the pull request)" in result.output


def test_a_browser_merge_by_github_is_not_a_person(repo):
    """GitHub commits web edits as 'GitHub <noreply@github.com>': it must not join writer and editor."""
    branch(repo)
    repo.article("springfield", "rent", title="Rent")
    git(repo.root, "add", "-A")
    env = {"GIT_AUTHOR_NAME": "Writer Wu", "GIT_AUTHOR_EMAIL": "wu@example.org", "GIT_COMMITTER_NAME": "GitHub",
           "GIT_COMMITTER_EMAIL": "noreply@github.com", "HOME": str(repo.root), "PATH": "/usr/bin:/bin:/usr/local/bin"}  # fmt: skip
    subprocess.run(["git", "commit", "-q", "-m", "Draft"], cwd=repo.root, env=env, check=True)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Record the vote", author=EDITOR)
    assert cli(repo.root, "check", "--base", "main").exit_code == 0


# --------------------------------------------------------------------------- withdrawal


def test_removing_an_article_withdraws_it(repo):
    on_main(repo)
    branch(repo)
    (repo.root / "content/springfield/rent.md").unlink()
    commit(repo.root, "Withdraw the rent piece", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "| `springfield/rent` | withdrawn | withdrawn: content/springfield/rent.md was removed (was published 2026-10-06); its motions stay on the record |" in result.output
    status = cli(repo.root, "status")
    assert status.exit_code == 0, status.output
    assert "springfield/rent  withdrawn" in status.output
    assert cli(repo.root, "verify").exit_code == 0


def test_a_motion_on_an_article_that_never_existed_is_still_a_problem(repo):
    repo.article("springfield", "rent", title="Rent")
    repo.publish("springfield", "rnet", "2026-10-06", digest="sha256:" + "0" * 64)
    commit(repo.root, "Typo", author=EDITOR)
    assert f"{RECORD}:3: no article springfield/rnet — expected content/springfield/rnet.md" in repo.problems()


# --------------------------------------------------------------------------- CODEOWNERS


MAINTAINERS = "maintainers: [mx-maint, our-org/web-team]\n"


def test_codeowners_puts_the_maintainers_first_and_the_assemblies_after(pressdir):
    pressdir.write("editorial/press.yml", MAINTAINERS)
    pressdir.assembly(
        text="name: Springfield\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, github: ana-r}\n"
        "  - {id: ben, name: Ben, joined: 2025-01-01}\neditors: [ana, ben]\n"
    )
    assert cli(pressdir.root, "codeowners", "--check").exit_code == 1
    assert cli(pressdir.root, "codeowners").exit_code == 0
    text = (pressdir.root / ".github/CODEOWNERS").read_text()
    rules = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert rules == [
        "* @mx-maint @our-org/web-team",
        "/content/springfield/ @ana-r",
        "/editorial/meetings/springfield/ @ana-r",
        "/editorial/assemblies/springfield.yml @ana-r",
        "/editorial/ballots/springfield/ @ana-r",  # its online ballots: ballots sent through the form too
    ]
    assert "# editors without a github handle in the roster: ben" in text
    assert cli(pressdir.root, "codeowners", "--check").exit_code == 0


def test_codeowners_needs_maintainers(pressdir):
    pressdir.assembly()
    result = cli(pressdir.root, "codeowners")
    assert result.exit_code == 2
    assert "editorial/press.yml lists no maintainers" in result.output
    assert not (pressdir.root / ".github/CODEOWNERS").exists()


def test_a_newline_in_an_assembly_name_cannot_inject_an_owner(pressdir):
    pressdir.write("editorial/press.yml", MAINTAINERS)
    pressdir.assembly(text='name: "Springfield\\n* @someone"\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, github: ana-r}\neditors: [ana]\n')
    assert f"{ROSTER}:1: a line break inside a quoted value — write several lines as a block with | (or keep it on one line)" in pressdir.problems()
    result = cli(pressdir.root, "codeowners")
    assert result.exit_code == 2
    assert f"fix the problems in {ROSTER} first" in result.output
    pressdir.assembly(text="name: |\n  Springfield\n  * @someone\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01}\n")
    assert f"{ROSTER}:1: 'name' must be one line of text" in pressdir.problems()


def test_control_characters_are_refused_anywhere_in_a_record(pressdir):
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", 'present: [ana]\nnotes: "Hello \\e[31mred"\n')
    assert "editorial/meetings/springfield/2026-10-06.yml:2: control character U+001B in a value — records are plain text (a line break belongs only in a block written with | or >)" in pressdir.problems()
    pressdir.meeting("springfield", "2026-10-06", "present: [ana]\nnotes: |\n  Fine.\n  Trojan \u202e source\n")
    assert any(p.startswith("editorial/meetings/springfield/2026-10-06.yml:4: control character U+202E") for p in pressdir.problems())
    result = cli(pressdir.root, "verify")
    assert result.exit_code == 1 and "U+202E" in result.output


def test_maintainers_and_handles_are_validated(pressdir):
    pressdir.assembly()
    too_long = "a" * 40
    pressdir.write("editorial/press.yml", f"maintainers: [ok-name, '-bad', 'a--b', 'org/team', 'x y', {too_long}, {too_long}/team, {'a' * 39}]\n")
    problems = pressdir.problems()
    assert len([p for p in problems if p.startswith("editorial/press.yml")]) == 5, problems
    for bad in ("'-bad'", "'a--b'", "'x y'", repr(too_long), repr(too_long + "/team")):
        assert f"editorial/press.yml:1: maintainer {bad} is not a GitHub user name or org/team" in problems
    pressdir.write("editorial/press.yml", "maintainer: [ok]\n")
    assert "editorial/press.yml:1: unknown key 'maintainer' — allowed keys: maintainers, sections, ballots" in pressdir.problems()


def test_bad_github_handle(pressdir):
    pressdir.assembly(text="name: S\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, github: 'not a handle'}\n")
    assert (
        f"{ROSTER}:3: github handle 'not a handle' of 'ana' is not a GitHub user name (letters, digits and single '-', up to 39 characters)"
        in pressdir.problems()
    )


def test_the_repository_codeowners_is_up_to_date():
    from conftest import REPO

    result = cli(REPO, "codeowners", "--check")
    assert result.exit_code == 0, result.output
    text = (REPO / ".github/CODEOWNERS").read_text()
    assert [line for line in text.splitlines() if line and not line.startswith("#")][0].startswith("* @")


def test_a_correction_that_approves_counts_as_an_approval(repo):
    repo.article("springfield", "rent", title="Rent")
    repo.publish("springfield", "rent", "2026-10-06", yes="[ana]")  # 1 yes: no quorum
    commit(repo.root, "Draft and a failed vote", author=EDITOR)
    branch(repo)
    path = repo.root / "content/springfield/rent.md"
    path.write_text(path.read_text() + "More.\n")
    repo.meeting("springfield", "2026-11-03", "present: [ana, ben]\nmotions:\n  - correct: 2026-10-06#1\n    reason: Ben voted yes too.\n    corrected: {yes: [ana, ben]}\n    yes: [ana, ben]\n")
    commit(repo.root, "Edit, and correct the vote", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "editorial/meetings/springfield/2026-11-03.yml:3`: this change both edits springfield/rent and records its approval" in result.output


def test_minutes_merged_after_the_change_began_are_not_its_deletions(repo):
    on_main(repo, published=False)
    branch(repo)
    repo.article("springfield", "fares", title="Fares")
    commit(repo.root, "Another draft", author=WRITER)
    git(repo.root, "checkout", "-q", "main")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "October minutes", author=EDITOR)
    git(repo.root, "checkout", "-q", "change")
    assert not (repo.root / RECORD).exists()
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output


def test_a_new_assembly_lands_its_roster_before_its_minutes(repo):
    branch(repo)
    repo.write("editorial/assemblies/northside.yml", "name: Northside\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01}\neditors: [ana]\n")
    repo.meeting("northside", "2026-10-06", "present: [ana]\nmotions:\n  - elect-delegate: ana\n    yes: [ana]\n")
    commit(repo.root, "A new assembly and its first meeting", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "- `editorial/meetings/northside`: with the base branch's rosters: no assembly 'northside'" in result.output
    assert "delegate of northside: ana elected 2026-10-06 with this change's rosters and rules, but none with the base branch's" in result.output
    git(repo.root, "rm", "-q", "-r", "editorial/meetings/northside")
    git(repo.root, "commit", "-q", "-m", "Roster first", author=EDITOR)
    assert cli(repo.root, "check", "--base", "main").exit_code == 0


def test_a_pull_request_cannot_inject_a_codeowners_line(repo):
    repo.write("editorial/press.yml", MAINTAINERS)
    assert cli(repo.root, "codeowners").exit_code == 0
    commit(repo.root, "Maintainers and CODEOWNERS", author=EDITOR)
    branch(repo)
    edit_roster(repo, "name: Springfield Assembly", 'name: "Springfield\\n* @someone"')
    commit(repo.root, "Rename", author=WRITER)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert f"- `{ROSTER}:1`: a line break inside a quoted value" in result.output
    result = cli(repo.root, "codeowners")
    assert result.exit_code == 2 and f"fix the problems in {ROSTER} first" in result.output
    assert "@someone" not in (repo.root / ".github/CODEOWNERS").read_text()


def test_turning_signatures_on_in_a_pull_request(repo):
    on_main(repo)
    branch(repo)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ana"
    edit_roster(repo, "{id: ana, name: Ana, joined: 2025-01-01}", f"{{id: ana, name: Ana, joined: 2025-01-01, key: {key}}}")
    edit_roster(repo, "quorum: 2", "quorum: 2\n  signatures: 1")
    commit(repo.root, "Sign the minutes from now on", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1  # the October approval would now await a signature
    assert "springfield/rent: awaiting-vote with this change's rosters and rules, but published (sha256:" in result.output
    edit_roster(repo, "  signatures: 1", "  signatures: 1\n  signatures-from: 2026-11-01")
    commit(repo.root, "From November", author=EDITOR)
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output

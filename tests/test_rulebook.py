"""One rulebook for every body that votes: the holes found around the vote, each tried from a real
git repository with press verify / press check, as a hostile editor or writer would."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import PressDir, commit, git
from press.cli import main
from test_council import HARBOR, council_yml

EDITOR = "Ana Ruiz <ana@example.org>"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def council_repo(p: PressDir) -> PressDir:
    """springfield (delegate ana) and harbor (delegate jo), both seated since September, in a git
    repository on main; harbor/ferry is published."""
    p.buildable()
    git(p.root, "init", "-q", "-b", "main")
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/council.yml", council_yml())
    p.article("harbor", "ferry", "No to the ferry cuts", "FERRY-BODY-TEXT")
    p.meeting("springfield", "2026-09-01", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: ana\n    yes: [ben, cai]\n")
    p.meeting(
        "harbor", "2026-09-02",
        f"present: [jo, kim, lee]\nmotions:\n  - publish: harbor/ferry\n    digest: {p.digest('harbor', 'ferry')}\n"
        "    yes: [jo, kim, lee]\n  - elect-delegate: jo\n    yes: [jo, kim, lee]\n",
    )  # fmt: skip
    commit(p.root, "Two assemblies, their delegates, a published article")
    return p


# --------------------------------------------------------------------------- council dated 9999


def test_a_council_meeting_dated_9999_is_a_problem_not_a_crash(pressdir, tmp_path):
    p = council_repo(pressdir)
    git(p.root, "checkout", "-q", "-b", "change")
    p.meeting("council", "9999-12-31", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield, harbor]\n")
    commit(p.root, "A council meeting far in the future")
    problem = "editorial/meetings/council/9999-12-31.yml: meeting date 9999-12-31 is out of range — dates are between 1900-01-01 and 2999-12-31"
    result = cli(p.root, "verify")
    assert result.exit_code == 1, result.output
    assert problem in result.output
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert f"- `{problem.replace(': meeting', '`: meeting', 1)}" in result.output
    out = tmp_path / "site"
    result = cli(p.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 1, result.output  # refused with the problem, never an internal error (exit 3)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not out.exists()

"""Git-native workflow: the approved revision is published from history; dates and authors from git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import press
from conftest import commit
from press.cli import main


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def test_approve_edit_build_revote(repo):
    repo.article("springfield", "rent", title="Rent", body="The march was on 14 May.")
    commit(repo.root, "Draft: rent", author="Writer Wu <wu@example.org>", when="2026-09-20T10:00:00Z")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Record the October meeting")

    repo.article("springfield", "rent", title="Rent", body="The march was on 14 June.")
    commit(repo.root, "Fix the date", author="Writer Wu <wu@example.org>", when="2026-10-20T10:00:00Z")

    status = cli(repo.root, "status")
    assert "published (approved revision); edits since 2026-10-20 await a vote" in status.output
    assert "submitted 2026-09-20 by Writer Wu" in status.output
    built = cli(repo.root, "build")
    assert built.exit_code == 0, built.output
    assert "springfield: 1 published, 0 held back, 0 retracted (1 as the approved revision" in built.output
    page = (repo.root / "output/springfield/rent.html").read_text()
    assert "14 May" in page and "14 June" not in page
    assert "Submitted" in page and "20 September 2026" in page

    # the assembly approves the corrected text
    digest = repo.digest("springfield", "rent")
    repo.meeting(
        "springfield",
        "2026-11-03",
        f"present: [ana, ben]\nmotions:\n  - publish: springfield/rent\n    digest: {digest}\n    note: Corrects the date.\n    yes: [ana, ben]\n",
    )
    commit(repo.root, "Record the November meeting")
    assert cli(repo.root, "build").exit_code == 0
    page = (repo.root / "output/springfield/rent.html").read_text()
    assert "14 June" in page and "14 May" not in page
    assert "Updated" in page and "Corrects the date." in page


def test_uncommitted_edits_keep_the_approved_revision_online(repo):
    repo.article("springfield", "rent", body="Approved text.")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article and vote")
    repo.article("springfield", "rent", body="Edited, not yet committed.")
    assert "edits since (uncommitted) await a vote" in cli(repo.root, "status").output
    assert cli(repo.root, "build").exit_code == 0
    assert "Approved text." in (repo.root / "output/springfield/rent.html").read_text()


@pytest.mark.parametrize("kept", [True, False], ids=["rendered-markdown-kept", "rendered-by-the-reader"])
def test_approved_revisions_of_two_articles_of_one_name_are_each_shown_as_approved(repo, kept):
    """Two assemblies' articles share a file name and both were edited since their approval: each
    page shows its own approved revision (read from git, one after the other, from their bytes), and
    reading them leaves nothing behind in the temporary folder (where they were once written)."""
    import tempfile

    if not kept:  # the Markdown of the revisions is rendered by Pelican's reader, from their bytes
        with (repo.root / "pelicanconf.py").open("a") as conf:
            conf.write("\nCACHE_CONTENT = False\n")
    repo.assembly("shelbyville")
    for aid in ("springfield", "shelbyville"):
        repo.article(aid, "rent", body=f"Approved in {aid}.")
        repo.publish(aid, "rent", "2026-10-06")
    commit(repo.root, "Two articles and their votes")
    for aid in ("springfield", "shelbyville"):
        repo.article(aid, "rent", body=f"Edited in {aid}, awaiting a vote.")
    commit(repo.root, "Edits")
    leftovers = lambda: set(Path(tempfile.gettempdir()).glob("press-revision-*"))  # noqa: E731
    before = leftovers()
    built = cli(repo.root, "build")
    assert built.exit_code == 0, built.output
    for aid in ("springfield", "shelbyville"):
        page = (repo.root / f"output/{aid}/rent.html").read_text()
        assert f"Approved in {aid}." in page and "awaiting a vote" not in page
    assert leftovers() == before


def test_two_assemblies_approved_revisions_of_the_same_bytes_are_each_their_own_assemblys(repo):
    """A statement both assemblies approved word for word, then edited in both: each assembly's page
    shows it as its own, and each is warned about on its own (the same bytes, two articles)."""
    repo.assembly("shelbyville")
    for aid in ("springfield", "shelbyville"):
        repo.write(f"content/{aid}/joint-statement/chart.png", b"\x89PNG\r\n\x1a\n")
        repo.article(aid, "joint-statement", title="Joint statement", body="Approved together.\n\n![](joint-statement/chart.png)")
        repo.publish(aid, "joint-statement", "2026-10-06")
    commit(repo.root, "One statement, two votes")
    for aid in ("springfield", "shelbyville"):
        repo.article(aid, "joint-statement", title="Joint statement", body=f"Edited in {aid}, awaiting a vote.")
    commit(repo.root, "Edits")
    built = cli(repo.root, "build")
    assert built.exit_code == 0, built.output
    for aid in ("springfield", "shelbyville"):
        page = (repo.root / f"output/{aid}/joint-statement.html").read_text()
        assert "Approved together." in page and "awaiting a vote" not in page
        assert f'<p class="kicker"><a href="../{aid}/index.html">' in page
        assert f"warning: content/{aid}/joint-statement.md:5: image joint-statement/chart.png has no alt text" in built.output


@pytest.mark.parametrize("kept", [True, False], ids=["rendered-markdown-kept", "rendered-by-the-reader"])
def test_a_warning_about_an_approved_revision_names_its_own_line(repo, kept):
    """The page shows the approved revision, so a warning about it counts lines in that revision —
    not in the edited file beside it, whose lines moved."""
    if not kept:
        with (repo.root / "pelicanconf.py").open("a") as conf:
            conf.write("\nCACHE_CONTENT = False\n")
    repo.write("content/springfield/chart/chart.png", b"\x89PNG\r\n\x1a\n")
    repo.article("springfield", "chart", body="Intro.\n\n![](chart/chart.png)\n")
    repo.publish("springfield", "chart", "2026-10-06")
    commit(repo.root, "A chart, approved")
    repo.article("springfield", "chart", body="A longer intro,\n\nover\n\nseveral\n\nlines.\n\n![](chart/chart.png)\n")
    commit(repo.root, "An edit awaiting a vote")
    built = cli(repo.root, "build")
    assert built.exit_code == 0, built.output
    assert "warning: content/springfield/chart.md:5: image chart/chart.png has no alt text" in built.output
    assert "longer intro" not in (repo.root / "output/springfield/chart.html").read_text()


def test_approved_bytes_missing_from_history_hold_the_article_back(repo):
    repo.article("springfield", "rent", body="Never committed in this form.")
    repo.publish("springfield", "rent", "2026-10-06")
    repo.article("springfield", "rent", body="The committed form.")
    commit(repo.root, "Article and a vote on bytes that were never committed")
    status = cli(repo.root, "status", "--json")
    assert "held back: the approved revision is nowhere in git history" in status.output
    built = cli(repo.root, "build")
    assert "springfield: 0 published, 1 held back" in built.output
    assert not (repo.root / "output/springfield/rent.html").exists()


def test_outside_git_an_edited_article_is_held_back(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent", body="One.")
    pressdir.publish("springfield", "rent", "2026-10-06")
    pressdir.article("springfield", "rent", body="Two.")
    loaded = press.load(pressdir.root)
    assert loaded.revisions == {}
    assert loaded.reasons(loaded.decisions.articles["springfield/rent"])[0].startswith("held back")


def test_git_processes_do_not_grow_with_the_number_of_articles(repo, monkeypatch):
    """The history is read in one git log and blobs through one cat-file process."""

    def edited_press(n: int) -> int:
        root = repo.root
        for i in range(n):
            repo.article("springfield", f"a{i}", body=f"Approved {i}.")
        motions = "".join(
            f"  - publish: springfield/a{i}\n    digest: {repo.digest('springfield', f'a{i}')}\n    yes: [ana, ben]\n" for i in range(n)
        )
        repo.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n" + motions)
        commit(root, f"{n} articles approved")
        for i in range(n):
            repo.article("springfield", f"a{i}", body=f"Edited {i}.")
        commit(root, "edits")
        spawned = []
        real = subprocess.Popen.__init__

        def counting(self, args, *a, **kw):
            if "git" in str(args[0] if isinstance(args, (list, tuple)) else args):
                spawned.append(args)
            real(self, args, *a, **kw)

        monkeypatch.setattr(subprocess.Popen, "__init__", counting)
        loaded = press.load(root)
        assert len(loaded.revisions) == n
        monkeypatch.setattr(subprocess.Popen, "__init__", real)
        return len(spawned)

    assert press.load(repo.root).history.repo is not None  # GitPython asks `git version` once per process
    few = edited_press(2)
    many = edited_press(40)
    assert few == many == 4  # rev-parse (HEAD, the key of the cached history), cat-file --batch-check (HEAD), log, cat-file --batch

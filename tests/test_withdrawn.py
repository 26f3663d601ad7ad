"""Withdrawal: an article file removed from content/ publishes nothing, keeps its ledger history and fails nothing."""

from __future__ import annotations

import json

from click.testing import CliRunner

from press.cli import main
from conftest import commit

SENTENCE = "A-SENTENCE-THAT-WAS-PUBLISHED-THEN-WITHDRAWN"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def test_a_withdrawn_article_builds_nothing_and_stays_in_the_ledger(repo, tmp_path):
    repo.article("springfield", "rent", title="Rent strike", body=SENTENCE)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Rent, approved")
    (repo.root / "content/springfield/rent.md").unlink()
    commit(repo.root, "Withdraw the rent piece")

    status = cli(repo.root, "status", "--json")
    assert status.exit_code == 0, status.output
    row = json.loads(status.output)["articles"][0]
    assert (row["id"], row["state"], row["decided"]) == ("springfield/rent", "withdrawn", "2026-10-06")
    assert cli(repo.root, "verify").exit_code == 0

    out = tmp_path / "site"
    result = cli(repo.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    assert "springfield: 0 published, 0 held back, 0 retracted, 1 withdrawn" in result.output
    assert not (out / "springfield/rent.html").exists()
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert SENTENCE.encode() not in everything and b"Rent strike" not in everything  # not even the title
    ledger = json.loads((out / "springfield/ledger.json").read_text())
    motion = ledger["meetings"][0]["motions"][0]
    assert (motion["article"], motion["outcome"], motion["title"], motion["withdrawn"]) == ("springfield/rent", "passed", None, True)
    assert "the article springfield/rent (withdrawn)" in (out / "springfield/ledger.html").read_text()


def test_the_sample_press_shows_a_withdrawn_article():
    from conftest import REPO

    result = cli(REPO, "status", "--json")
    rows = {row["id"]: row for row in json.loads(result.output)["articles"]}
    assert rows["harbor/pier-9-closure"]["state"] == "withdrawn"
    assert not (REPO / "content/harbor/pier-9-closure.md").exists()


def test_an_article_added_and_withdrawn_on_a_merged_branch_is_withdrawn_not_unknown(repo, tmp_path):
    from conftest import git

    repo.article("springfield", "other", title="Other")
    commit(repo.root, "Start")
    git(repo.root, "checkout", "-q", "-b", "side")
    repo.article("springfield", "rent", title="Rent strike", body=SENTENCE)
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Rent, approved")
    (repo.root / "content/springfield/rent.md").unlink()
    commit(repo.root, "Withdraw the rent piece")
    git(repo.root, "checkout", "-q", "-")
    git(repo.root, "merge", "-q", "--no-ff", "-m", "Merge side", "side")

    status = cli(repo.root, "status", "--json")
    rows = {row["id"]: row["state"] for row in json.loads(status.output)["articles"]}
    assert rows["springfield/rent"] == "withdrawn", status.output
    assert cli(repo.root, "verify").exit_code == 0

"""Git history across merges: an article added and removed on a merged branch stays known as withdrawn."""

from __future__ import annotations

from conftest import commit, git


def test_an_article_withdrawn_on_a_merged_branch_is_still_found_in_history(repo):
    git(repo.root, "checkout", "-q", "-b", "side")
    repo.article("springfield", "gone", "Soon gone")
    repo.publish("springfield", "gone", "2026-10-06")
    commit(repo.root, "Approve an article")
    (repo.root / "content/springfield/gone.md").unlink()
    commit(repo.root, "Withdraw it")
    git(repo.root, "checkout", "-q", "main")
    repo.article("springfield", "other", "Another article")  # main's content moves on meanwhile
    commit(repo.root, "Another draft")
    git(repo.root, "merge", "-q", "--no-edit", "side")
    loaded = repo.load()
    assert [str(p) for p in loaded.problems] == []
    assert loaded.decisions.articles["springfield/gone"].state == "withdrawn"

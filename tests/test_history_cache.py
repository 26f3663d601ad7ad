"""Approved revisions come from git history, and what was learnt there is kept for the next build:
the versions read at one HEAD (a commit names its whole past), the digest of each blob looked at
and the bytes of the approved revisions (their names fix them). A build must still never publish
other bytes than those approved, whatever happened to the cache or to the history."""

from __future__ import annotations

import subprocess

import pytest

import press
from conftest import commit, git
from press.cache import cache_dir
from press.history import HISTORY
from press.store import Store, salt


def edited(repo, n: int = 3):
    """``n`` articles approved, then edited and committed: each is published as its approved revision."""
    for i in range(n):
        repo.article("springfield", f"a{i}", body=f"Approved {i}.")
    motions = "".join(
        f"  - publish: springfield/a{i}\n    digest: {repo.digest('springfield', f'a{i}')}\n    yes: [ana, ben]\n" for i in range(n)
    )
    repo.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n" + motions)
    commit(repo.root, "approved")
    for i in range(n):
        repo.article("springfield", f"a{i}", body=f"Edited {i}.")
    commit(repo.root, "edits")
    return {f"springfield/a{i}": f"Approved {i}.".encode() for i in range(n)}


def approved_bodies(root) -> dict[str, bytes]:
    loaded = press.load(root)
    found = {aid: revision.data.split(b"\n\n", 1)[1].strip() for aid, revision in loaded.revisions.items()}
    loaded.save()  # as every command does when it is done
    return found


def revisions(root):
    loaded = press.load(root)
    found = loaded.revisions
    loaded.save()
    return found


def git_commands(monkeypatch) -> list:
    spawned = []
    real = subprocess.Popen.__init__

    def counting(self, args, *a, **kw):
        if "git" in str(args[0] if isinstance(args, (list, tuple)) else args):
            spawned.append(list(args) if isinstance(args, (list, tuple)) else [args])
        real(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    return spawned


def test_a_second_load_at_the_same_head_asks_git_only_for_head(repo, monkeypatch):
    expected = edited(repo)
    assert approved_bodies(repo.root) == expected
    spawned = git_commands(monkeypatch)
    assert approved_bodies(repo.root) == expected
    assert [cmd[1] for cmd in spawned] == ["rev-parse"], spawned  # no log, no cat-file


def test_a_new_commit_is_read_from_git(repo):
    expected = edited(repo)
    assert approved_bodies(repo.root) == expected
    repo.article("springfield", "a0", body="Edited again.")
    commit(repo.root, "more edits")
    loaded = press.load(repo.root)
    revision = loaded.revisions["springfield/a0"]
    assert revision.data.endswith(b"Approved 0.\n")
    assert loaded.history.versions["content/springfield/a0.md"][-1].blob is not None
    assert len(loaded.history.versions["content/springfield/a0.md"]) == 3  # the new commit is known


def test_rewritten_history_never_serves_the_old_answer(repo):
    """The approved bytes are amended away: at the new HEAD they are nowhere, the article is held back."""
    repo.article("springfield", "rent", body="Approved text.")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article and vote")
    repo.article("springfield", "rent", body="Edited.")
    commit(repo.root, "edit")
    assert revisions(repo.root)["springfield/rent"].data.endswith(b"Approved text.\n")

    # rewrite both commits: the approved bytes never existed in the new history
    git(repo.root, "reset", "-q", "--soft", "HEAD~2")
    commit(repo.root, "Article (as edited) and vote")
    assert revisions(repo.root) == {}


def tamper(root, change) -> None:
    """Rewrite the kept history as a hostile user of the cache folder would: a whole, well-named object."""
    store = Store(root)
    key, versions, digests, blobs, bundles = store.value(HISTORY, salt())
    change(versions, digests, blobs)
    store.keep_value(HISTORY, salt(), (key, versions, digests, blobs, bundles))


def test_tampered_bytes_in_the_cache_are_never_published(repo):
    expected = edited(repo)
    assert approved_bodies(repo.root) == expected

    def evil(versions, digests, blobs):
        for blob in blobs:
            blobs[blob] = blobs[blob].replace(b"Approved", b"Tampered")

    tamper(repo.root, evil)
    assert approved_bodies(repo.root) == expected


def test_a_wrong_digest_in_the_cache_is_never_trusted(repo):
    """A blob's digest that claims the approved digest for other bytes: the bytes are hashed again."""
    expected = edited(repo, 1)
    assert approved_bodies(repo.root) == expected
    loaded = press.load(repo.root)
    approved_blob = loaded.revisions["springfield/a0"].version.blob
    edited_blob = loaded.history.versions["content/springfield/a0.md"][-1].blob

    def lie(versions, digests, blobs):
        digests[edited_blob] = digests[approved_blob]  # "the edited text is what was approved"
        blobs.pop(approved_blob, None)

    tamper(repo.root, lie)
    assert approved_bodies(repo.root) == expected


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05K\x01."])
def test_a_damaged_history_cache_is_read_from_git(repo, damage):
    expected = edited(repo)
    assert approved_bodies(repo.root) == expected
    (digest,) = Store(repo.root).manifest(HISTORY, salt()).values()
    path = Store(repo.root).path(digest)
    path.chmod(0o644)
    path.write_bytes(damage)
    assert approved_bodies(repo.root) == expected
    cache_dir(repo.root, "store", "manifests", f"{HISTORY}.json").write_bytes(damage)
    assert approved_bodies(repo.root) == expected


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8


def bundled(repo):
    repo.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    repo.article("springfield", "rent", title="Rent", body="APPROVED-BODY ![The march](rent/photo.png)")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article with a photo, and its vote")
    repo.write("content/springfield/rent/photo.png", PNG + b"SWAPPED-PHOTO")
    commit(repo.root, "Swap the photo after the vote")


def test_an_approved_bundle_is_found_again_without_a_git_log_per_article(repo, monkeypatch):
    bundled(repo)
    first = revisions(repo.root)["springfield/rent"]
    assert first.files == {"photo.png": PNG + b"VOTED-PHOTO"}
    spawned = git_commands(monkeypatch)
    again = press.load(repo.root).revisions["springfield/rent"]
    assert (again.data, again.files, again.version, again.edited) == (first.data, first.files, first.version, first.edited)
    assert "log" not in [cmd[1] for cmd in spawned if len(cmd) > 1], spawned


def test_a_tampered_bundle_answer_is_looked_up_again(repo):
    bundled(repo)
    loaded = press.load(repo.root)
    assert loaded.revisions["springfield/rent"].files == {"photo.png": PNG + b"VOTED-PHOTO"}
    swapped_blob = loaded.history.versions["content/springfield/rent/photo.png"][-1].blob
    loaded.save()
    store = Store(repo.root)
    key, versions, digests, blobs, found = store.value(HISTORY, salt())
    (version, md_blob, files, edited), = found.values()
    found = {k: (version, md_blob, {"photo.png": swapped_blob}, edited) for k in found}  # "the swapped photo was approved"
    store.keep_value(HISTORY, salt(), (key, versions, digests, blobs, found))
    assert press.load(repo.root).revisions["springfield/rent"].files == {"photo.png": PNG + b"VOTED-PHOTO"}


@pytest.mark.parametrize("part", [1, 2, 3, 4])
@pytest.mark.parametrize("planted", [5, [5], {"x": 5}])
def test_a_kept_history_of_the_wrong_shape_is_read_from_git_again(repo, part, planted):
    """A history named by its own bytes (whole to the store) whose parts are not what this code keeps,
    as a hand-edited cache would be: git is read again, never a traceback."""
    expected = edited(repo, 1)
    assert approved_bodies(repo.root) == expected
    store = Store(repo.root)
    kept = list(store.value(HISTORY, salt()))
    kept[part] = planted
    assert store.keep_value(HISTORY, salt(), tuple(kept))
    assert approved_bodies(repo.root) == expected

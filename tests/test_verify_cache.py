"""`press verify` and `press.load()` reuse what earlier runs read — and never trust it stale.

Two memories live in the press's cache folder: each file's digest with its status (size, times,
inode: an unchanged file is not read again), and the last answer of `press verify` for the whole
listing of content/ and editorial/. These tests change files in the ways that fool a careless
cache (same size, same mtime put back, a file replaced by another, git history rewritten with no
file touched), damage the caches, and check that verify always says what a cold read says.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import press.bundle
import press.model
import press.reading
import press.records
from press import cache as press_cache
from press.reading import ParsedRecords
from press.store import Store, salt
from press.cli import main

from conftest import commit, git


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled at once (in real use a file is trusted from its
    status only once its change time is RACY_NS old)."""
    monkeypatch.setattr(press_cache, "RACY_NS", -10**12)


def verify(root: Path, *extra: str):
    return CliRunner().invoke(main, ["--root", str(root), "verify", *extra])


def cold(root: Path, tmp_path: Path, monkeypatch, *extra: str):
    """The same command with an empty cache folder."""
    folder = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    with monkeypatch.context() as m:
        m.setenv("PRESS_CACHE_DIR", str(folder))
        return verify(root, *extra)


def kept(pressdir):
    """The press loaded, and what reading it learnt kept, as every command does when it is done."""
    loaded = pressdir.load()
    loaded.save()
    return loaded


def same_size_edit(path: Path, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (same length) in place, then put the modification time back."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    with path.open("r+b") as f:  # same file, same inode
        f.write(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.fixture
def small(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent", title="Rent")
    pressdir.publish("springfield", "rent", "2026-10-06")
    return pressdir


def test_an_unchanged_press_is_answered_without_reading_a_file(small, settled, monkeypatch):
    first = verify(small.root)
    assert first.exit_code == 0, first.output
    assert "1 assemblies, 1 meetings, 1 articles checked" in first.output

    def no_reading(*args, **kwargs):
        raise AssertionError("read the records again")

    monkeypatch.setattr(press.reading, "read_records", no_reading)
    monkeypatch.setattr(press.model, "read_records", no_reading)
    again = verify(small.root)
    assert again.exit_code == 0 and again.output == first.output


def test_a_same_size_edit_with_its_mtime_put_back_is_seen(small, settled, tmp_path, monkeypatch):
    assert verify(small.root).exit_code == 0
    meeting = small.root / "editorial/meetings/springfield/2026-10-06.yml"
    same_size_edit(meeting, b"yes: [ana, ben]", b"yes: [ana, zed]")

    result = verify(small.root)
    assert result.exit_code == 1
    assert "editorial/meetings/springfield/2026-10-06.yml:5: 'zed' voted but is not a member of springfield" in result.output
    assert result.output == cold(small.root, tmp_path, monkeypatch).output

    same_size_edit(meeting, b"yes: [ana, zed]", b"yes: [ana, ben]")  # and back: the problem goes
    assert verify(small.root).exit_code == 0


def test_an_article_edited_to_the_same_size_and_mtime_is_edited(small, settled):
    assert kept(small).decisions.articles["springfield/rent"].state == "published"
    same_size_edit(small.root / "content/springfield/rent.md", b"Body text.", b"Body TEXT.")
    decision = kept(small).decisions.articles["springfield/rent"]
    assert decision.state == "edited-since-approval"  # the vote approved other bytes
    assert decision.article.digest == small.digest("springfield", "rent")


def test_a_file_replaced_by_another_with_the_same_size_and_times_is_seen(small, settled):
    assert verify(small.root).exit_code == 0
    meeting = small.root / "editorial/meetings/springfield/2026-10-06.yml"
    before = meeting.stat()
    replacement = meeting.with_name("new.tmp")
    replacement.write_bytes(meeting.read_bytes().replace(b"yes: [ana, ben]", b"yes: [ana, zed]"))
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    replacement.replace(meeting)  # another inode under the same name, same size and mtime
    result = verify(small.root)
    assert result.exit_code == 1 and "'zed' voted but is not a member" in result.output


def test_files_written_just_now_are_not_trusted_by_their_status(small):
    """Without the `settled` fixture: every file here was written within RACY_NS, so neither memory
    keeps them (a second write in the same clock tick could leave the status as it was)."""
    assert verify(small.root).exit_code == 0
    assert not press_cache.cache_dir(small.root, "store", "manifests", "verified.json").exists()
    assert ParsedRecords(small.root).hashes == {}
    assert ParsedRecords(small.root).entries  # parsed records are still kept, by content


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "folder", "foreign"])
def test_damaged_caches_fall_back_to_a_cold_read(small, settled, tmp_path, monkeypatch, damage):
    meeting = small.root / "editorial/meetings/springfield/2026-10-06.yml"
    assert verify(small.root).exit_code == 0
    same_size_edit(meeting, b"yes: [ana, ben]", b"yes: [ana, zed]")
    expected = cold(small.root, tmp_path, monkeypatch)
    assert expected.exit_code == 1

    store = Store(small.root)
    for name in ("records", "verified"):
        digest = store.manifest(name, salt()).get("value")
        for path in [store.manifests / f"{name}.json"] + ([store.path(digest)] if digest else []):
            data = path.read_bytes() if path.exists() else b"x" * 64
            path.unlink(missing_ok=True)
            if damage == "garbage":
                path.write_bytes(os.urandom(len(data)))
            elif damage == "truncated":
                path.write_bytes(data[: len(data) // 2])
            elif damage == "empty":
                path.write_bytes(b"")
            elif damage == "folder":
                path.mkdir()
        if damage == "foreign":  # whole and well named, but not what the reader keeps there
            store.keep_value(name, salt(), {"key": ("a", None, [1, 2], "counts")})

    result = verify(small.root)
    assert result.exit_code == expected.exit_code
    assert result.output == expected.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_the_json_answer_from_memory_is_the_same(small, settled, tmp_path, monkeypatch):
    small.meeting("springfield", "2026-10-13", "present: [ana, zed]\n")
    first = verify(small.root, "--json")
    again = verify(small.root, "--json")  # from memory
    assert json.loads(again.output) == json.loads(first.output) == json.loads(cold(small.root, tmp_path, monkeypatch, "--json").output)
    assert again.exit_code == first.exit_code == 1


def test_a_new_or_removed_file_is_seen(small, settled):
    assert verify(small.root).exit_code == 0
    extra = small.write("content/springfield/notes.txt", "not an article\n")
    assert verify(small.root).exit_code == 1
    extra.unlink()
    assert verify(small.root).exit_code == 0


def test_another_day_is_decided_again(small, settled, monkeypatch):
    """A meeting with motions dated tomorrow is a problem today, and not once that day has come —
    in the assembly's own timezone (Springfield keeps America/Chicago, six hours behind UTC)."""
    small.meeting("springfield", "2026-11-22", "present: [ana, ben]\nmotions:\n  - reject: springfield/rent\n    yes: [ana, ben]\n")
    monkeypatch.setenv("PRESS_NOW", "2026-11-21T18:00:00Z")
    first = verify(small.root)
    assert first.exit_code == 1 and "which is after today (2026-11-21)" in first.output
    monkeypatch.setenv("PRESS_NOW", "2026-11-22T03:00:00Z")  # the 22nd in UTC, still the 21st in Chicago
    assert verify(small.root).exit_code == 1
    monkeypatch.setenv("PRESS_NOW", "2026-11-22T06:30:00Z")  # 00:30 on the 22nd in Chicago
    assert verify(small.root).exit_code == 0
    assert verify(small.root, "--json").exit_code == 0
    monkeypatch.setenv("PRESS_NOW", "2026-11-21T18:00:00Z")  # remembered answers are for their day only
    assert verify(small.root).exit_code == 1


def test_history_rewritten_without_touching_a_file_is_seen(repo, settled):
    """A motion naming a file that is not there is a mistake — unless git history shows the article
    was there and removed (withdrawn). Change only the history: verify must follow."""
    root = repo.root
    repo.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n  - reject: springfield/gone\n    yes: [ana, ben]\n")
    commit(root, "Meeting")
    assert "no article springfield/gone" in verify(root).output

    # the article existed once: add it and remove it again in history only (the index, not the files)
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input="Title: Gone\n\nText.\n",
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},content/springfield/gone.md")
    git(root, "commit", "-q", "-m", "Gone")
    git(root, "rm", "-q", "--cached", "content/springfield/gone.md")
    git(root, "commit", "-q", "-m", "Withdrawn")
    assert not (root / "content/springfield/gone.md").exists()
    result = verify(root)
    assert result.exit_code == 0, result.output


def test_any_load_leaves_the_answer_for_verify(small, settled, monkeypatch):
    """A build (or any command) loads the press; `press verify` after it reads nothing."""
    small.meeting("springfield", "2026-10-13", "present: [ana, zed]\n")
    loaded = press.load(small.root)
    loaded.save()  # what every command does when it is done (reading alone writes nothing)
    assert [str(p) for p in loaded.problems] == [
        "editorial/meetings/springfield/2026-10-13.yml:1: 'zed' is listed as present but is not a member of springfield"
        " — check the id against the roster in editorial/assemblies/springfield.yml"
    ]

    def no_reading(*args, **kwargs):
        raise AssertionError("read the records again")

    monkeypatch.setattr(press.model, "read_records", no_reading)
    result = verify(small.root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == str(loaded.problems[0])


def test_a_build_leaves_the_answer_for_verify(small, settled, monkeypatch):
    """`press build` remembers verify's answer (as soon as git is read, before the site is made):
    `press verify` after it reads nothing."""
    built = CliRunner().invoke(main, ["--root", str(small.buildable().root), "build", "--no-search"])
    assert built.exit_code == 0, built.output

    def no_reading(*args, **kwargs):
        raise AssertionError("read the records again")

    monkeypatch.setattr(press.model, "read_records", no_reading)
    result = verify(small.root)
    assert result.exit_code == 0, result.output
    assert "1 assemblies, 1 meetings, 1 articles checked" in result.output


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8


@pytest.fixture
def with_photo(pressdir):
    pressdir.assembly()
    pressdir.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.png)")
    pressdir.publish("springfield", "rent", "2026-10-06")
    return pressdir


def test_an_unchanged_attachment_is_not_read_again(with_photo, settled, monkeypatch):
    assert kept(with_photo).decisions.articles["springfield/rent"].state == "published"

    def no_reading(path):
        raise AssertionError(f"read {path} again")

    monkeypatch.setattr(press.bundle, "hash_file", no_reading)
    assert kept(with_photo).decisions.articles["springfield/rent"].state == "published"


def test_an_attachment_changed_to_the_same_size_and_mtime_changes_the_digest(with_photo, settled):
    assert kept(with_photo).decisions.articles["springfield/rent"].state == "published"
    same_size_edit(with_photo.root / "content/springfield/rent/photo.png", b"VOTED-PHOTO", b"OTHER-PHOTO")
    decision = kept(with_photo).decisions.articles["springfield/rent"]
    assert decision.state == "edited-since-approval"  # the vote approved the other photo
    assert decision.article.digest == with_photo.digest("springfield", "rent")

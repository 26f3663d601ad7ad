"""Rebuilds that cost what changed (issue 23): what a warm build takes from the store or from the
previous site instead of making it again, and that it is never fooled into publishing other bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from press import store
from press.build import build
from press.site import prerender

from conftest import commit, git
from test_warm_cold import cold, tree  # one cold build and one site snapshot for every warm = cold test

pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py

PUBLISHED = "content/harbor/ferry-cuts.md"
A_VOTE = ("editorial/meetings/riverside/2026-11-16.yml", "present: 6\nmotions:\n  - reject: riverside/night-bus-petition\n    yes: 5\n    no: 1\n")


def vote(root: Path) -> None:
    (root / A_VOTE[0]).write_text(A_VOTE[1])


def test_a_published_article_edited_in_place_with_its_size_and_times_kept_is_not_published(sample):
    """Attack: a writer changes a published article's words, same length, and sets its modification
    time back, hoping a warm build trusts the file by its size and time."""
    article = sample / PUBLISHED
    build(sample)
    page = (sample / "output/harbor/ferry-cuts.html").read_bytes()
    before = os.stat(article)
    text = article.read_text()
    assert "strands them" in text
    article.write_text(text.replace("strands them", "STRANDS THEM"))  # same size
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(article).st_size == before.st_size and os.stat(article).st_mtime_ns == before.st_mtime_ns
    again = build(sample)
    assert not again.unchanged
    published = tree(sample / "output")
    assert not any(b"STRANDS THEM" in data for data in published.values())
    assert published.get("harbor/ferry-cuts.html") in (None, page)


def _calendar_objects(root: Path) -> list[Path]:
    objects = store.Store(root).objects
    return [p for p in objects.iterdir() if p.read_bytes().startswith(b'["BEGIN:VEVENT')]


def test_calendars_of_unchanged_assemblies_come_from_the_store_and_damage_there_is_made_again(sample, tmp_path, monkeypatch):
    build(sample)
    kept = _calendar_objects(sample)
    assert kept  # each assembly's events are kept
    for path in kept:  # someone with write access to the cache folder rewrites them
        path.chmod(0o600)
        path.write_bytes(b'["BEGIN:VEVENT\\r\\nSUMMARY:Free beer\\r\\nEND:VEVENT\\r\\n", []]')
    calendar = sample / "editorial/assemblies/harbor.yml"  # one assembly's meetings move: its calendar and the party's
    calendar.write_text(calendar.read_text().replace("Thursday of the month, 17:00,", "Thursday of the month, 18:30,"))
    build(sample)
    warm = tree(sample / "output")
    assert not any(b"Free beer" in data for name, data in warm.items() if name.endswith(".ics"))
    assert warm == cold(sample, tmp_path / "cold", monkeypatch)


def test_an_approved_revision_is_rendered_once_and_then_taken_from_the_store(sample, tmp_path, monkeypatch):
    git(sample, "init", "-q", "-b", "main")
    withdrawn = sample / "content/harbor/pier-9-closure.md"  # the sample's history: approved, then withdrawn
    withdrawn.write_text("Title: Pier 9 closes for repairs\n\nThe port authority closes Pier 9.\n")
    commit(sample, "The sample press")
    withdrawn.unlink()
    commit(sample, "Withdraw harbor/pier-9-closure")
    article = sample / PUBLISHED
    article.write_text(article.read_text() + "\nAn edit awaiting its vote.\n")  # published as approved, from git
    rendered: list[str] = []
    render = prerender._render_text

    def counted(converters, path, text):
        rendered.append(path)
        return render(converters, path, text)

    monkeypatch.setattr(prerender, "_render_text", counted)
    build(sample)
    assert str(article) in rendered  # the approved revision, rendered from git's bytes
    assert b"An edit awaiting" not in (sample / "output/harbor/ferry-cuts.html").read_bytes()
    rendered.clear()
    vote(sample)
    build(sample)
    assert str(article) not in rendered
    assert tree(sample / "output") == cold(sample, tmp_path / "cold", monkeypatch)


def test_an_unchanged_share_image_is_last_builds_file_not_a_new_copy(sample, tmp_path, monkeypatch):
    build(sample)
    image = sample / "output/harbor/ferry-cuts.share.png"
    before = os.stat(image)
    vote(sample)
    build(sample)
    after = os.stat(sample / "output/harbor/ferry-cuts.share.png")
    assert after.st_ino == before.st_ino  # hard-linked from the previous build folder: no bytes read or written
    assert tree(sample / "output") == cold(sample, tmp_path / "cold", monkeypatch)


def test_the_theme_is_read_once_and_again_when_a_file_changes_in_place(tmp_path, monkeypatch):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    base = theme / "templates/base.html"
    base.write_text("<html>one</html>")
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(path):
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    monkeypatch.setattr(store, "wall_ns", lambda: os.stat(base).st_ctime_ns + 10**10)  # the file has settled
    settings = {"THEME": str(theme)}
    first = store.salt(settings)
    assert store.salt(settings) == first and reads.count(base) == 1
    times = os.stat(base)
    base.write_text("<html>two</html>")  # same size, modification time set back: its status-change time moves
    os.utime(base, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert store.salt(settings) != first


def test_a_theme_file_that_is_a_link_is_read_again_when_the_file_it_names_changes(tmp_path, monkeypatch):
    """Attack (a long-running press serve, tests): a theme whose base.html is a symbolic link to a
    shared copy; the shared copy is edited. The link's own status never moves, so a salt that looked
    only at it kept the old theme's digest and a warm build reused pages of the old template."""
    theme, shared = tmp_path / "theme", tmp_path / "shared"
    (theme / "templates").mkdir(parents=True)
    shared.mkdir()
    (shared / "base.html").write_text("<html>one</html>")
    (theme / "templates/base.html").symlink_to(shared / "base.html")
    monkeypatch.setattr(store, "wall_ns", lambda: os.stat(shared / "base.html").st_ctime_ns + 10**10)  # settled
    settings = {"THEME": str(theme)}
    first = store.salt(settings)
    (shared / "base.html").write_text("<html>two, longer</html>")
    monkeypatch.setattr(store, "wall_ns", lambda: os.stat(shared / "base.html").st_ctime_ns + 10**10)
    assert store.salt(settings) != first

"""A broken machine gets one clear sentence: git missing, objects missing, a shallow clone, cache
folders that are read-only, full, damaged or another user's. Each test breaks the environment the
way it breaks in the wild and checks what a person sees, the exit code, that nothing unapproved
reached the site and that the previous site was kept."""

from __future__ import annotations

import errno
import os
import pickle
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import change_an_input, commit, git
from press import cache
from press.cli import main


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links followed: the output is a link to the current build)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def edited(repo, settled):
    """rent approved, then edited (published from history); other approved as it is; a site built."""
    repo.article("springfield", "rent", title="Rent", body="The approved text.")
    repo.article("springfield", "other", title="Other", body="Other text.")
    commit(repo.root, "Drafts")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Vote on rent")
    repo.article("springfield", "rent", title="Rent", body="An edit nobody voted on.")
    commit(repo.root, "Edit rent")
    built = cli(repo.root, "build", "--no-search")
    assert built.exit_code == 0, built.output
    assert "The approved text." in (repo.root / "output/springfield/rent.html").read_text()
    return repo


@pytest.fixture
def no_git(tmp_path, monkeypatch):
    """git is not on PATH."""
    empty = tmp_path / "bin-without-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_git_missing_stops_a_build_that_publishes_from_history(edited, no_git):
    before = snapshot(edited.root / "output")
    change_an_input(edited.root)
    built = cli(edited.root, "build", "--no-search")
    assert built.exit_code == 2, built.output
    assert built.output.strip().splitlines()[-1] == (
        "press: content/springfield/rent.md: edited since its approval, it is published as the approved revision "
        "from git history, but git is not installed or not on PATH — install git (or put it on PATH) and run again"
    )
    assert "Traceback" not in built.output
    assert snapshot(edited.root / "output") == before  # never a site silently missing rent
    assert cli(edited.root, "status").exit_code == 2


def test_git_missing_without_an_article_needing_history_builds_and_says_so(repo, settled, no_git):
    repo.article("springfield", "rent", title="Rent", body="Approved as it is.")
    repo.publish("springfield", "rent", "2026-10-06")
    built = cli(repo.root, "build", "--no-search")
    assert built.exit_code == 0, built.output
    assert "warning: submission dates and git authors are left off the pages: git is not installed or not on PATH" in built.output
    assert "Approved as it is." in (repo.root / "output/springfield/rent.html").read_text()


def test_a_missing_git_object_names_the_article_and_what_to_do(edited, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "fresh-cache"))  # a new machine: the bytes are only in git
    blob = git(edited.root, "rev-parse", "HEAD~1:content/springfield/rent.md").strip()
    (edited.root / ".git/objects" / blob[:2] / blob[2:]).unlink()
    before = snapshot(edited.root / "output")
    change_an_input(edited.root)
    for command in (["build", "--no-search"], ["status"]):
        result = cli(edited.root, *command)
        assert result.exit_code == 2, result.output  # never "internal error" (exit 3)
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("press: content/springfield/rent.md: git cannot read its approved revision: an object is missing")
        assert blob in last and "run `git fsck`" in last and "clone the repository afresh" in last
    assert snapshot(edited.root / "output") == before


def test_a_shallow_clone_says_fetch_the_full_history(edited, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{edited.root}", str(clone))
    built = cli(clone, "build", "--no-search")
    assert built.exit_code == 2, built.output
    assert built.output.strip().splitlines()[-1] == (
        "press: content/springfield/rent.md: edited since its approval, it is published as the approved revision "
        "from git history, but this clone is shallow: the history press reads is cut off — fetch the full history: git fetch --unshallow"
    )
    assert not (clone / "output").exists()  # nothing published, the edit least of all
    git(clone, "fetch", "-q", "--unshallow")
    built = cli(clone, "build", "--no-search")
    assert built.exit_code == 0, built.output
    page = (clone / "output/springfield/rent.html").read_text()
    assert "The approved text." in page and "nobody voted" not in page


@pytest.mark.parametrize("workers", ["one process", "pools"])
@pytest.mark.parametrize("fault", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_an_unwritable_or_full_cache_folder_costs_time_not_the_build(edited, tmp_path, monkeypatch, fault, workers):
    """Every cache file is written through press.cache; here each write fails as a read-only or full disk
    fails — also in the worker processes that render pages and draw images and keep them (said once,
    by the build)."""
    import contextlib

    if workers == "pools":
        from press.site import images, parallel, prerender

        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        monkeypatch.setattr(prerender, "MIN_FILES", 0)
        monkeypatch.setattr(parallel, "MIN_PAGES", 0)
        monkeypatch.setattr(images, "MIN_PARALLEL", 0)

    base = tmp_path / "fresh-cache"
    real = cache.replacing

    @contextlib.contextmanager
    def failing(path, mode=None):
        if Path(path).is_relative_to(base):
            raise OSError(fault, os.strerror(fault), str(path))
        with real(path, mode) as f:  # elsewhere (a build's scratch folders) the disk still works
            yield f

    monkeypatch.setenv("PRESS_CACHE_DIR", str(base))
    monkeypatch.setattr(cache, "replacing", failing)
    change_an_input(edited.root)
    built = cli(edited.root, "build")  # with search: its cache too
    assert built.exit_code == 0, built.output
    said = [line for line in built.output.splitlines() if line.startswith("warning: caches not kept")]
    assert len(said) == 1, built.output  # once, however many caches
    assert os.strerror(fault) in said[0] and "this build goes on without them" in said[0]
    page = (edited.root / "output/springfield/rent.html").read_text()
    assert "The approved text." in page and "nobody voted" not in page


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.chmod(0o600)  # the store's objects are read-only
    path.write_bytes({"empty": b"", "truncated": data[: len(data) // 2], "garbage": os.urandom(len(data) or 64)}[how])


@pytest.mark.parametrize("how", ["empty", "truncated", "garbage"])
def test_damaged_caches_of_every_kind_are_ignored_and_made_again(edited, tmp_path, how):
    folder = Path(os.environ["PRESS_CACHE_DIR"])
    files = [p for p in cache.cache_dir(edited.root).rglob("*") if p.is_file()]
    # the store's manifests and objects (records, history, pages, images, Markdown) and the search cache
    assert {"records.json", "history.json", "pages.json", "images.json"} <= {p.name for p in files}, files
    assert not [p for p in files if p.suffix in (".pickle", ".marshal") or p.name.endswith("-Readers")]  # no pickle kept, not even Pelican's
    before = snapshot(edited.root / "output")
    for path in files:
        _damage(path, how)
    for _ in range(2):  # the first build makes them again; the next one reads what it made
        change_an_input(edited.root)
        built = cli(edited.root, "build", "--no-search")
        assert built.exit_code == 0, built.output
        assert "Traceback" not in built.output and "internal error" not in built.output
    assert snapshot(edited.root / "output") == before  # the same site, share images included: nothing damaged published
    for path in files:  # a site built afresh elsewhere takes everything from the caches
        _damage(path, how) if path.exists() else None
    fresh = cli(edited.root, "build", "--no-search", "--output", str(tmp_path / "elsewhere"))
    assert fresh.exit_code == 0, fresh.output
    assert snapshot(tmp_path / "elsewhere") == before
    assert folder.is_dir()


def test_a_cache_folder_others_can_write_is_never_loaded(edited, monkeypatch):
    """A pickle planted in the cache folder runs code when loaded: with the folder writable by others,
    not one cache is loaded (the plant never runs) nor written, and the build says what to do."""
    planted = edited.root.parent / "planted"

    class Plant:
        def __reduce__(self):
            return (Path.touch, (planted,))

    base = Path(os.environ["PRESS_CACHE_DIR"])
    files = [p for p in cache.cache_dir(edited.root).rglob("*") if p.is_file()]
    assert files
    for path in files:
        path.chmod(0o600)
        path.write_bytes(pickle.dumps(Plant()))
    folder = cache.cache_dir(edited.root)
    mode = folder.stat().st_mode
    folder.chmod(mode | stat.S_IWOTH)
    try:
        change_an_input(edited.root)
        built = cli(edited.root, "build", "--no-search")
    finally:
        folder.chmod(mode)
    assert built.exit_code == 0, built.output
    assert not planted.exists()
    assert [line for line in built.output.splitlines() if line.startswith("warning: caches not used")] == [
        f"warning: caches not used: {folder} can be written by other users (mode {stat.S_IMODE(mode | stat.S_IWOTH):04o}), "
        f"and loading a cache runs code — make it yours alone (chmod go-w {folder}), or set PRESS_CACHE_DIR to a folder of your own"
    ]
    # nothing written there either (the old site's record is forgotten: removing a file loads nothing)
    assert all(path.read_bytes() == pickle.dumps(Plant()) for path in files if path.exists())
    assert base.is_dir()


def test_a_cache_folder_of_another_user_is_never_loaded(edited, monkeypatch):
    planted = edited.root.parent / "planted"

    class Plant:
        def __reduce__(self):
            return (Path.touch, (planted,))

    for path in [p for p in cache.cache_dir(edited.root).rglob("*") if p.is_file()]:
        path.chmod(0o600)
        path.write_bytes(pickle.dumps(Plant()))
    me = os.geteuid()
    monkeypatch.setattr(cache.os, "geteuid", lambda: me + 1)  # the folders now belong to someone else
    change_an_input(edited.root)
    verified = cli(edited.root, "verify")
    built = cli(edited.root, "build", "--no-search")
    assert verified.exit_code == 0 and built.exit_code == 0, built.output
    assert not planted.exists()
    base = Path(os.environ["PRESS_CACHE_DIR"])
    assert f"warning: caches not used: {base} belongs to another user (uid {me}), and loading a cache runs code" in built.output
    assert "set PRESS_CACHE_DIR to a folder of your own" in built.output


# --------------------------------------------------------------------------- verify and check say what the build says

EDITED_NO_GIT = (
    "press: content/springfield/rent.md: edited since its approval, it is published as the approved revision "
    "from git history, but git is not installed or not on PATH — install git (or put it on PATH) and run again"
)


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_verify_never_says_ok_when_git_is_missing_and_an_article_needs_history(edited, tmp_path, monkeypatch):
    ok = cli(edited.root, "verify")
    assert ok.exit_code == 0 and ok.output.startswith("ok:"), ok.output  # remembered, with git's HEAD
    empty = tmp_path / "bin-without-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for _ in range(2):  # the remembered "ok" is not taken, and the refusal is never remembered as ok
        verified = cli(edited.root, "verify")
        assert verified.exit_code == 2, verified.output
        assert last_line(verified) == EDITED_NO_GIT
        assert "ok:" not in verified.output and "Traceback" not in verified.output
    assert last_line(cli(edited.root, "build", "--no-search")) == EDITED_NO_GIT  # the same sentence: one rule
    checked = cli(edited.root, "check", "--base", "main")
    assert checked.exit_code == 2, checked.output
    assert last_line(checked) == (
        "press: press check compares a branch with its base in git history, but git is not installed or not on PATH — "
        "install git (or put it on PATH) and run again"
    )
    monkeypatch.undo()
    assert cli(edited.root, "verify").exit_code == 0  # git back: ok again


def test_verify_after_a_refusal_under_a_missing_git_reads_everything_again(edited, no_git):
    for _ in range(2):
        verified = cli(edited.root, "verify", "--json")
        assert verified.exit_code == 2 and last_line(verified) == EDITED_NO_GIT, verified.output


def test_verify_names_a_motion_on_a_removed_article_when_git_is_missing(repo, settled, tmp_path, monkeypatch):
    repo.article("springfield", "rent", title="Rent", body="Approved.")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Vote on rent")
    (repo.root / "content/springfield/rent.md").unlink()
    commit(repo.root, "Withdraw rent")
    assert cli(repo.root, "verify").exit_code == 0
    empty = tmp_path / "bin-without-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    said = (
        "press: content/springfield/rent.md: motions name this article and its file is gone; only git history tells a "
        "removed article from a mistyped one, but git is not installed or not on PATH — install git (or put it on PATH) and run again"
    )
    for command in (["verify"], ["build", "--no-search"]):
        result = cli(repo.root, *command)
        assert result.exit_code == 2 and last_line(result) == said, result.output


def test_verify_and_check_report_a_missing_git_object_as_the_build_does(edited, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "fresh-cache"))  # the bytes are only in git
    blob = git(edited.root, "rev-parse", "HEAD~1:content/springfield/rent.md").strip()
    (edited.root / ".git/objects" / blob[:2] / blob[2:]).unlink()
    built = cli(edited.root, "build", "--no-search")
    assert built.exit_code == 2
    for command in (["verify"], ["verify"], ["check", "--base", "main"]):
        result = cli(edited.root, *command)
        assert result.exit_code == 2, result.output  # never "ok", never "internal error" (exit 3)
        assert last_line(result) == last_line(built)
        assert last_line(result).startswith("press: content/springfield/rent.md: git cannot read its approved revision: an object is missing")
        assert blob in last_line(result)


def test_verify_and_check_in_a_shallow_clone_say_fetch_the_full_history(edited, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{edited.root}", str(clone))
    said = (
        "press: content/springfield/rent.md: edited since its approval, it is published as the approved revision "
        "from git history, but this clone is shallow: the history press reads is cut off — fetch the full history: git fetch --unshallow"
    )
    for command in (["verify"], ["verify"], ["check", "--base", "HEAD"], ["build", "--no-search"]):
        result = cli(clone, *command)
        assert result.exit_code == 2, result.output
        assert last_line(result) == said
    git(clone, "fetch", "-q", "--unshallow")
    assert cli(clone, "verify").exit_code == 0
    assert cli(clone, "check", "--base", "HEAD").exit_code == 0

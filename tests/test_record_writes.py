"""Records are never half-written and no vote is lost: concurrent runs, a run killed at its write, a
full disk, and what verify says of an empty or truncated record (press.files, press.recording)."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from press import files
from press.cli import main

PRESS = [str(Path(sys.executable).with_name("press"))]
LIMIT = 180  # seconds a subprocess may take before the test calls it hung
DAY = "2026-11-10"
RECORD = f"editorial/meetings/springfield/{DAY}.yml"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def meeting(pressdir):
    """A press with twelve drafts and a meeting of 2026-11-10 whose attendance is recorded."""
    pressdir.assembly()
    for n in range(12):
        pressdir.article("springfield", f"piece-{n}", title=f"Piece {n}")
    result = cli(pressdir.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", DAY)
    assert result.exit_code == 0, result.output
    return pressdir


def publish(root: Path, n: int, **env: str) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k != "PRESS_TEST_PAUSE_AT"} | env
    return subprocess.Popen(
        [*PRESS, "--root", str(root), "record", "publish", f"springfield/piece-{n}", "--yes", "ana,ben", "--no", "cai", "--date", DAY],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip


def motions(pressdir) -> list[str]:
    meeting = next(m for m in pressdir.load().records.meetings if m.path == RECORD)
    return [m.target for m in meeting.motions]


def folder_listing(pressdir) -> list[str]:
    return sorted(p.name for p in (pressdir.root / "editorial").rglob("*") if p.is_file())


def test_twelve_concurrent_publish_votes_keep_every_motion(meeting):
    runs = [publish(meeting.root, n) for n in range(12)]
    results = [(run.wait(timeout=LIMIT), *run.communicate(timeout=LIMIT)) for run in runs]
    recorded, refused = [], []
    for n, (code, out, err) in enumerate(results):
        assert "Traceback" not in err and "internal error" not in err
        if code == 0:
            assert f"recorded in {RECORD}: publish springfield/piece-{n}: passed" in out
            recorded.append(f"springfield/piece-{n}")
        else:  # a run that waited longer than press waits says so, and recorded nothing
            assert code == 2 and "another press run is writing springfield's records" in err, err
            refused.append(n)
    assert sorted(motions(meeting)) == sorted(recorded)  # every run that said "recorded" is in the record
    assert len(recorded) == 12, f"refused: {refused}"  # and on this machine, none had to wait that long
    assert cli(meeting.root, "verify").exit_code == 0
    assert not (meeting.root / "editorial" / ".springfield.lock").exists()  # the lock is there only while held


def test_a_second_writer_is_refused_with_a_clear_message_and_records_nothing(meeting, monkeypatch):
    before = (meeting.root / RECORD).read_bytes()
    monkeypatch.setattr(files, "LOCK_WAIT_SECONDS", 0)
    with files.locked(meeting.root / "editorial" / ".springfield.lock", "springfield's records"):  # another run, mid-write
        result = cli(meeting.root, "record", "publish", "springfield/piece-1", "--yes", "ana,ben", "--date", DAY)
    assert result.exit_code == 2
    assert "press: another press run is writing springfield's records (it holds .springfield.lock) — try again when it is done" in result.output
    assert (meeting.root / RECORD).read_bytes() == before
    result = cli(meeting.root, "record", "publish", "springfield/piece-1", "--yes", "ana,ben", "--date", DAY)
    assert result.exit_code == 0, result.output  # once it is free, the same command records


def test_a_run_killed_at_its_write_leaves_the_record_as_it_was(meeting):
    assert cli(meeting.root, "record", "publish", "springfield/piece-0", "--yes", "ana,ben", "--date", DAY).exit_code == 0
    before = (meeting.root / RECORD).read_bytes()
    run = publish(meeting.root, 1, PRESS_TEST_PAUSE_AT="record-writing")
    watchdog = threading.Timer(LIMIT, run.kill)
    watchdog.start()
    try:
        assert f"press-test: paused at record-writing (pid {run.pid})" in run.stdout.readline()
    finally:
        watchdog.cancel()
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=LIMIT)

    assert (meeting.root / RECORD).read_bytes() == before  # whole, with its motion
    verify = cli(meeting.root, "verify")
    assert verify.exit_code == 1
    leftovers = [p for p in (meeting.root / RECORD).parent.iterdir() if files.leftover(p.name)]
    assert len(leftovers) == 1
    assert f"{RECORD.rsplit('/', 1)[0]}/{leftovers[0].name}: left behind by an interrupted write (the record beside it is whole) — delete this file" in verify.output

    # The kernel let go of the dead run's lock: the next run records at once, and clears what was left.
    again = cli(meeting.root, "record", "publish", "springfield/piece-1", "--yes", "ana,ben", "--date", DAY)
    assert again.exit_code == 0, again.output
    assert motions(meeting) == ["springfield/piece-0", "springfield/piece-1"]
    assert not leftovers[0].exists()
    assert cli(meeting.root, "verify").exit_code == 0


class _FullDisk:
    """A file whose every write fails as on a full disk."""

    def __init__(self, fd: int):
        self.file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


FULL = "not written — the disk is full; the record is as it was, nothing was recorded"


def test_a_full_disk_leaves_the_record_as_it_was(meeting, monkeypatch):
    before, listing = (meeting.root / RECORD).read_bytes(), folder_listing(meeting)
    monkeypatch.setattr(files, "_open", _FullDisk)
    result = cli(meeting.root, "record", "publish", "springfield/piece-0", "--yes", "ana,ben", "--date", DAY)
    assert result.exit_code == 2
    assert f"press: {RECORD}: {FULL}" in result.output
    assert "Traceback" not in result.output
    assert (meeting.root / RECORD).read_bytes() == before
    assert folder_listing(meeting) == listing  # nothing left beside it


@contextlib.contextmanager
def small_disk(where: Path, size: str = "1m"):
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root): the fake full disk above covers it")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_really_full_disk_leaves_the_record_as_it_was(tmp_path):
    from conftest import PressDir

    with small_disk(tmp_path / "disk") as disk:
        site = PressDir(disk / "press")
        site.assembly()
        site.article("springfield", "piece-0")
        assert cli(site.root, "record", "attendance", "springfield", "ana", "ben", "--date", DAY).exit_code == 0
        before = (site.root / RECORD).read_bytes()
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            with contextlib.suppress(OSError):
                while True:
                    os.write(filler, b"\0" * 4096)
        finally:
            os.close(filler)
        result = cli(site.root, "record", "publish", "springfield/piece-0", "--yes", "ana,ben", "--date", DAY)
        assert result.exit_code == 2, result.output
        assert f"press: {RECORD}: {FULL}" in result.output
        assert (site.root / RECORD).read_bytes() == before
        assert sorted(p.name for p in (site.root / RECORD).parent.iterdir()) == [f"{DAY}.yml"]


# --------------------------------------------------------------------------- what verify says


@pytest.mark.parametrize("text", [b"", b"\n   \n\n", b"# the meeting of the 10th\n"], ids=["empty", "whitespace", "comment"])
def test_an_empty_meeting_record_is_a_problem(pressdir, text):
    pressdir.assembly()
    pressdir.meeting("springfield", DAY, text)
    result = cli(pressdir.root, "verify")
    assert result.exit_code == 1
    assert f"{RECORD}:1: the meeting record is empty — restore it from the repository's history" in result.output


def test_an_empty_council_meeting_record_is_a_problem(sample):
    (sample / "editorial/meetings/council/2026-12-20.yml").write_bytes(b"")
    result = cli(sample, "verify")
    assert result.exit_code == 1
    assert "editorial/meetings/council/2026-12-20.yml:1: the meeting record is empty" in result.output


def test_a_scheduled_meeting_with_only_notes_is_a_record(pressdir):
    pressdir.assembly()
    pressdir.meeting("springfield", DAY, "notes:\n")
    result = cli(pressdir.root, "verify")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text", [b"", b"\n\n"], ids=["empty", "whitespace"])
def test_an_empty_roster_is_a_problem(pressdir, text):
    pressdir.assembly(text=text.decode())
    result = cli(pressdir.root, "verify")
    assert result.exit_code == 1
    assert "editorial/assemblies/springfield.yml:1: an assembly record must be a mapping" in result.output


def test_a_record_cut_inside_a_word_is_a_problem(meeting):
    """A record cut short inside a word — a member id, a digest, a key, a bracket — is a problem of that
    file, wherever the cut falls. (A cut exactly between two whole entries can read as a shorter
    record; press's own writes never leave one: docs/editorial-records.md.)"""
    for n in (0, 1):
        assert cli(meeting.root, "record", "publish", f"springfield/piece-{n}", "--yes", "ana,ben", "--no", "cai", "--date", DAY).exit_code == 0
    path = meeting.root / RECORD
    whole = path.read_bytes()
    silent = []
    cuts = [cut for cut in range(1, len(whole)) if not whole[cut - 1 : cut].isspace() and not whole[cut : cut + 1].isspace()]
    assert len(cuts) > 200
    for cut in cuts:
        path.write_bytes(whole[:cut])
        if not any(p.path == RECORD for p in meeting.load().problems):
            silent.append(whole[:cut].decode()[-40:])
    assert silent == [], "\n---\n".join(silent)


def test_a_folder_of_folders_gives_way_but_never_a_file_or_a_link_in_it(tmp_path):
    """What makes room for a file where an earlier site had folders (press.output.Folders): a folder
    that holds folders alone is removed, deepest first; one with a file or a link anywhere in it is
    refused whole, and nothing in it is removed."""
    from press.files import remove_empty_folders

    (tmp_path / "empty/a/b").mkdir(parents=True)
    (tmp_path / "empty/c").mkdir()
    remove_empty_folders(tmp_path / "empty")
    assert not (tmp_path / "empty").exists()
    (tmp_path / "kept/a/b").mkdir(parents=True)
    (tmp_path / "kept/c").mkdir()
    (tmp_path / "kept/a/b/page.html").write_text("KEEP")
    (tmp_path / "linked/a").mkdir(parents=True)
    (tmp_path / "linked/a/elsewhere").symlink_to(tmp_path / "empty-target", target_is_directory=True)
    (tmp_path / "empty-target").mkdir()
    for folder in ("kept", "linked"):
        with pytest.raises(OSError):
            remove_empty_folders(tmp_path / folder)
    assert (tmp_path / "kept/a/b/page.html").read_text() == "KEEP" and (tmp_path / "kept/c").is_dir()
    assert (tmp_path / "linked/a/elsewhere").is_symlink() and (tmp_path / "empty-target").is_dir()


def test_the_write_primitive_makes_missing_folders_and_gives_the_mode_asked_from_the_start(tmp_path, monkeypatch):
    """``files.replacing`` writes into folders that are not there yet; a file written with a mode has
    it before it takes its name (a store object is never writable, not even for a moment); a replaced
    file keeps its own mode; a file in the way of a folder is an error, never a loop or a file beside."""
    target = tmp_path / "a" / "b" / "new.txt"
    with files.replacing(target, durable=False) as f:
        f.write(b"first")
    assert target.read_bytes() == b"first" and os.listdir(target.parent) == ["new.txt"]

    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    with files.replacing(kept) as f:
        f.write(b"new")
    assert kept.read_bytes() == b"new" and kept.stat().st_mode & 0o777 == 0o640

    seen = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: seen.append(os.stat(src).st_mode & 0o777) or real(src, dst))
    frozen = tmp_path / "objects" / "abc"
    with files.replacing(frozen, durable=False, mode=0o444) as f:
        f.write(b"object")
    assert seen == [0o444] and frozen.stat().st_mode & 0o777 == 0o444

    (tmp_path / "file").write_bytes(b"in the way")
    with pytest.raises(OSError):
        with files.replacing(tmp_path / "file" / "below" / "x.txt", durable=False) as f:
            f.write(b"never")
    assert sorted(os.listdir(tmp_path)) == ["a", "file", "kept.txt", "objects"]

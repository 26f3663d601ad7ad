"""The ``press`` console command as a user runs it: its exit code is the command's, its output is
all there (also through a pipe), and it leaves no temporary files behind, although it ends without
taking its objects apart one by one (press.cli.run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PRESS = Path(sys.executable).with_name("press")
pytestmark = pytest.mark.skipif(not PRESS.is_file(), reason="the press console command is not installed beside this Python")


def press(*args: str, tmp: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp), "PRESS_CACHE_DIR": str(tmp.parent / "cache")}
    return subprocess.run([str(PRESS), *args], capture_output=True, text=True, env=env, timeout=600, **kwargs)


def test_exit_codes_and_messages_are_the_commands(sample, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    ok = press("--root", str(sample), "verify", tmp=tmp)
    assert (ok.returncode, ok.stdout.startswith("ok: "), ok.stderr) == (0, True, "")
    unknown = press("--root", str(sample), "nosuch", tmp=tmp)
    assert unknown.returncode == 2 and "No such command 'nosuch'" in unknown.stderr
    roster = sample / "editorial" / "assemblies" / "harbor.yml"
    roster.write_text(roster.read_text() + "\nmembers: [\n")
    bad = press("--root", str(sample), "verify", tmp=tmp)
    assert bad.returncode == 1
    assert "editorial/assemblies/harbor.yml:" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_a_build_through_a_pipe_says_everything_and_leaves_no_temporary_files(sample, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "site"
    reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    env = {**os.environ, "TMPDIR": str(tmp), "PRESS_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([str(PRESS), "--root", str(sample), "build", "--no-search", "--output", str(out)],
                          stdout=reader.stdin, stderr=subprocess.PIPE, text=True, env=env, timeout=600)  # fmt: skip
    reader.stdin.close()
    said = reader.stdout.read()
    reader.wait()
    assert done.returncode == 0, done.stderr
    assert said.strip(), "the build's summary reached the pipe"
    assert (out / "index.html").is_file()
    assert list(tmp.iterdir()) == []

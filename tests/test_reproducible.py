"""The same press, built as of the same instant, makes the same bytes whatever the machine's hash
seed, timezone and locale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_sample


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_cold_builds_on_different_machines_are_byte_identical(tmp_path):
    press = Path(sys.executable).parent / "press"
    sites = []
    for n, (seed, tz, locale) in enumerate((("1", "UTC", "C.UTF-8"), ("2", "Pacific/Kiritimati", "C"))):
        root = copy_sample(tmp_path / f"press{n}")
        env = {
            **os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "LC_ALL": locale, "LANG": locale,
            "PRESS_NOW": "2026-11-21T18:00:00Z", "PRESS_CACHE_DIR": str(tmp_path / f"cache{n}"),
        }  # fmt: skip
        done = subprocess.run([str(press), "--root", str(root), "build", "--no-search"], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        sites.append(_files((root / "output").resolve()))
    first, second = sites
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    assert b"BEGIN:VTIMEZONE" in first["meetings.ics"]  # the file that once followed the hash seed

"""The run's instant: one function reads the clock; each body's today is its own timezone's date."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from press.cli import main

PACKAGE = Path(__file__).resolve().parent.parent / "tools" / "press"
# What reads the calendar clock or the machine's timezone (durations — monotonic, perf_counter — do not).
TIME_READS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "mktime", "strftime"}
DATE_READS = {"now", "utcnow", "today"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _clock_reads(path: Path) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for every reference to a clock-reading function in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Attribute):
                owner = _dotted(child.value)
                if (owner == "time" and child.attr in TIME_READS) or (
                    owner.split(".")[-1] in ("datetime", "date") and child.attr in DATE_READS
                ):
                    found.append((child.lineno, function, _dotted(child)))
            if isinstance(child, ast.ImportFrom) and child.module == "time":
                for alias in child.names:
                    if alias.name in TIME_READS:
                        found.append((child.lineno, function, f"from {child.module} import {alias.name}"))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_one_function_alone_reads_the_clock():
    reads = {
        (path.relative_to(PACKAGE).as_posix(), function, what)
        for path in sorted(PACKAGE.rglob("*.py"))
        for _, function, what in _clock_reads(path)
    }
    assert reads == {("clock.py", "_clock_ns", "time.time_ns")}


def test_the_scan_sees_a_clock_read(tmp_path):
    """The scan above would notice the reads it forbids (so that its passing means something)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import datetime as dt, time\nfrom time import localtime\n"
        "def f():\n    return dt.date.today(), dt.datetime.now(dt.timezone.utc), time.time()\n"
    )
    assert {what for _, _, what in _clock_reads(probe)} == {
        "dt.date.today", "dt.datetime.now", "time.time", "from time import localtime",
    }  # fmt: skip


def test_a_malformed_instant_is_a_clear_usage_error(sample):
    for args, env in (((["--now", "next tuesday"]), {}), ([], {"PRESS_NOW": "2026-13-01"}), (["--now", "2026-11-21T10:00"], {})):
        result = CliRunner().invoke(main, ["--root", str(sample), *args, "verify"], env=env)
        assert result.exit_code == 2, result.output
        assert "is not an instant" in result.output and "2026-11-21T18:30:00Z" in result.output
        assert "Traceback" not in result.output


def test_the_instant_moves_what_is_upcoming(sample):
    """The same press, built as of two instants: the chapter page's next meeting follows the instant."""
    runner = CliRunner()
    before = runner.invoke(main, ["--root", str(sample), "--now", "2026-11-21", "build", "--no-search"])
    assert before.exit_code == 0, before.output
    page = (sample / "output" / "springfield" / "index.html").read_text(encoding="utf-8")
    assert "1 December 2026" in page.split("Next meeting", 1)[1][:400]
    after = runner.invoke(main, ["--root", str(sample), "--now", "2026-12-02T12:00:00Z", "build", "--no-search"])
    assert after.exit_code == 0, after.output
    page = (sample / "output" / "springfield" / "index.html").read_text(encoding="utf-8")
    # no record is scheduled after 1 December: the next is the first Tuesday of January, by `meets:`
    assert "5 January 2027" in page.split("Next meeting", 1)[1][:400]
    assert "1 December 2026" not in page.split("Next meeting", 1)[1][:400]


@pytest.mark.parametrize(("now", "springfield", "council"), [
    ("2027-06-01T12:00:00Z", "1 June 2027", "20 June 2027"),  # a first Tuesday: the meeting is today
    ("2036-11-21T12:00:00Z", "2 December 2036", "21 December 2036"),  # ten years on
])  # fmt: skip
def test_the_sample_reads_well_on_any_date(sample, now, springfield, council):
    """Years after its season, the sample's chapter pages name the next meeting by each body's
    `meets:` rule (dates read off a printed calendar) — never a past one as upcoming."""
    done = CliRunner().invoke(main, ["--root", str(sample), "--now", now, "build", "--no-search"])
    assert done.exit_code == 0, done.output
    for page, expected in (("springfield/index.html", springfield), ("council/index.html", council)):
        text = (sample / "output" / page).read_text(encoding="utf-8")
        assert expected in text.split("Next meeting", 1)[1][:300], page


def test_the_machine_timezone_never_decides_a_record_date(pressdir):
    """`press record` without --date names the meeting by the assembly's date (America/Chicago),
    whatever the machine's TZ: at 03:00 UTC on the 22nd it is still the 21st in Chicago."""
    pressdir.assembly()
    made = set()
    for tz in ("UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata"):
        for old in (pressdir.root / "editorial" / "meetings").rglob("*.yml"):
            old.unlink()
        env = {**os.environ, "TZ": tz, "PRESS_NOW": "2026-11-22T03:00:00Z"}
        done = subprocess.run(
            [str(Path(sys.executable).parent / "press"), "--root", str(pressdir.root), "record", "attendance", "springfield", "ana", "ben"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        made |= {p.relative_to(pressdir.root).as_posix() for p in (pressdir.root / "editorial" / "meetings").rglob("*.yml")}
    assert made == {"editorial/meetings/springfield/2026-11-21.yml"}

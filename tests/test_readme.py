"""The README's promise: it opens with two commands, and CI runs the second one verbatim."""

from __future__ import annotations

import re

from conftest import REPO


def opening_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    before_prose = readme.split("\n## ", 1)[0]
    return re.findall(r"^    (\S.*)$", before_prose, flags=re.M) or re.findall(r"```(?:sh|bash)?\n(.+?)\n```", before_prose)


def test_readme_opens_with_exactly_two_commands():
    commands = opening_commands()
    assert len(commands) == 2, commands
    build, test = commands
    assert "press build" in build and "pip install -e ." in build
    assert "pytest" in test and "[test]" in test


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert opening_commands()[1] in ci.splitlines()

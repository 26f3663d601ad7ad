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


def example_blocks() -> list[str]:
    """Every shell block of the README after the two opening commands, in order."""
    readme = (REPO / "README.md").read_text()
    after_opening = readme.split("\n## ", 1)[1]
    return re.findall(r"```sh\n(.+?)\n```", after_opening, flags=re.S)


def test_every_example_runs_in_order_on_a_fresh_clone(tmp_path):
    """A new writer and a new secretary follow the README on a clone of the sample press, as of the
    sample's scheduled meeting (1 December 2026, 20:00 in Springfield): every command succeeds."""
    import os
    import subprocess
    import sys

    blocks = example_blocks()
    assert len(blocks) >= 2 and any("press record" in b for b in blocks)
    root = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(root)], check=True, capture_output=True, timeout=300)
    editor = tmp_path / "editor"
    editor.write_text(  # the writer replaces the placeholders with the article
        "#!/bin/sh\nsed -i -e 's/^Summary: .*/Summary: Drills and ladders to borrow./' "
        "-e 's/^Write the article here.*/The tool library lends drills and ladders on Saturdays./' \"$1\"\n"
    )
    editor.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
        "EDITOR": str(editor),
        "PRESS_NOW": "2026-12-01T20:00:00-06:00",
        "GIT_AUTHOR_NAME": "Eli Nakamura", "GIT_AUTHOR_EMAIL": "eli@example.org",
        "GIT_COMMITTER_NAME": "Eli Nakamura", "GIT_COMMITTER_EMAIL": "eli@example.org",
    }  # fmt: skip
    script = "set -euo pipefail\n" + "\n".join(blocks) + "\npress status springfield --json\n"
    done = subprocess.run(["bash", "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    import json

    states = {row["id"]: row["state"] for row in json.loads(done.stdout[done.stdout.rindex('{\n  "articles"'):])["articles"]}
    assert states["springfield/tool-library-opens"] == "published"
    assert states["springfield/library-hours"] == "published"
    assert states["springfield/bus-fares"] == "retracted"

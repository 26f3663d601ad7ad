"""The pull-request workflow judges with the base branch's press: read from the YAML, then run.

The behavioural test plays GitHub's part for the steps that are actions (two checkouts, a Python)
and runs every ``run:`` step of .github/workflows/check.yml as written, in a temporary repository
whose pull request both sabotages tools/press/check.py and approves its own article.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import REPO, PressDir, commit, git

WORKFLOW = REPO / ".github/workflows/check.yml"


def steps() -> list[dict]:
    data = yaml.safe_load(WORKFLOW.read_text())
    (job,) = data["jobs"].values()
    return job["steps"]


def test_the_check_workflow_is_the_base_branchs_and_runs_only_the_base_branchs_press():
    data = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads the key `on` as True (YAML 1.1)
    assert set(data[True]) == {"pull_request_target"}, "the workflow definition must come from the base branch"
    assert data["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert [(c["with"]["path"], c["with"]["ref"]) for c in checkouts] == [
        ("base", "${{ github.event.pull_request.base.sha }}"),
        ("pr", "${{ github.event.pull_request.head.sha }}"),
    ]
    assert all(c["with"]["persist-credentials"] is False for c in checkouts)
    runs = [s for s in steps() if "run" in s]
    install = runs[0]["run"]
    assert re.search(r"pip install (--quiet )?\./base\s*$", install, re.M), install
    for step in runs[1:]:
        assert step["working-directory"] == "pr"
        assert '"$RUNNER_TEMP/press/bin/press" ' in step["run"]
    for step in runs:  # nothing from the pull request is installed or run
        assert not re.search(r"(pip install[^\n]*(\.|pr)(\s|$))|-e |\.ci/run|python pr/|bash pr/", step["run"]), step["run"]


def _shims(folder: Path) -> Path:
    """``python`` for the workflow's commands, offline: ``-m venv DIR`` makes a DIR whose ``python -m pip
    install SRC`` installs the package of SRC (its dependencies are this test run's own) into DIR, and
    whose ``press`` runs what was installed there — and only that."""
    bin_dir = folder / "shims"
    bin_dir.mkdir()
    real = sys.executable
    (bin_dir / "python").write_text(textwrap.dedent(f"""\
        #!/bin/sh
        set -e
        [ "$1 $2" = "-m venv" ] || exec {real} "$@"
        mkdir -p "$3/bin" "$3/lib"
        cat > "$3/bin/python" <<EOF
        #!/bin/sh
        set -e
        [ "\\$1 \\$2 \\$3" = "-m pip install" ] || exit 97
        shift 3
        [ "\\$1" = "--quiet" ] && shift
        cp -R "\\$1/tools/press" "$3/lib/press"   # what pip installs from that source (package-dir: tools)
        EOF
        cat > "$3/bin/press" <<EOF
        #!/bin/sh
        PYTHONPATH="$3/lib" exec {real} -c "import sys, press.cli; assert press.cli.__file__.startswith('$3/lib'), press.cli.__file__; sys.exit(press.cli.main())" "\\$@"
        EOF
        chmod +x "$3/bin/python" "$3/bin/press"
        """))
    (bin_dir / "python").chmod(0o755)
    return bin_dir


def _run_steps(workspace: Path, bin_dir: Path, base: str, head: str, login: str) -> list[subprocess.CompletedProcess]:
    values = {
        "github.event.pull_request.base.sha": base,
        "github.event.pull_request.head.sha": head,
        "github.event.pull_request.user.login": login,
    }

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m[1]], text)

    temp = workspace / "runner-temp"
    temp.mkdir()
    done = []
    for step in steps():
        if "run" not in step:
            continue
        env = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(workspace),
            "RUNNER_TEMP": str(temp),
            "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
            **{k: expand(str(v)) for k, v in step.get("env", {}).items()},
        }
        cwd = workspace / step.get("working-directory", ".")
        result = subprocess.run(["bash", "-e", "-c", expand(step["run"])], cwd=cwd, env=env, capture_output=True, text=True)
        done.append(result)
        if result.returncode != 0:
            break
    return done


@pytest.fixture
def origin(tmp_path) -> tuple[Path, str, str]:
    """A press repository with this press's code on main, and a pull request that rewrites the check to
    pass everything and approves its own article."""
    root = tmp_path / "origin"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "README.md", root / "README.md")
    shutil.copytree(REPO / "tools", root / "tools", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    press = PressDir(root)
    press.assembly()
    git(root, "init", "-q", "-b", "main")
    commit(root, "The press and its roster")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "sneaky")
    (root / "tools/press/check.py").write_text(
        (REPO / "tools/press/check.py").read_text().replace("    return CheckReport(\n", "    findings = []\n    return CheckReport(\n")
    )
    press.article("springfield", "rent", title="Rent")
    press.publish("springfield", "rent", "2026-10-06")
    commit(root, "An article, its approval, and a kinder check", author="Writer Wu <wu@example.org>")
    head = git(root, "rev-parse", "HEAD").strip()
    return root, base, head


def _checkout(origin: Path, dest: Path, ref: str) -> None:
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", ref], check=True)


def test_a_pull_request_that_rewrites_the_check_is_still_judged_by_the_base(origin, tmp_path):
    root, base, head = origin
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    _checkout(root, workspace / "base", base)
    _checkout(root, workspace / "pr", head)
    bin_dir = _shims(tmp_path)

    results = _run_steps(workspace, bin_dir, base, head, "wu-writes")
    assert results[0].returncode == 0, results[0].stdout + results[0].stderr
    install, check = results[0], results[1]
    assert check.returncode == 1, check.stdout + check.stderr
    assert "this change both edits springfield/rent and records its approval, both done by" in check.stdout
    assert "@wu-writes (opened the pull request)" in check.stdout
    assert "this change both edits springfield/rent" in (workspace / "summary.md").read_text()

    # The sabotage is real: the pull request's own press would have let it through.
    own_temp = tmp_path / "own"
    subprocess.run([str(bin_dir / "python"), "-m", "venv", str(own_temp)], check=True)
    subprocess.run([str(own_temp / "bin/python"), "-m", "pip", "install", str(workspace / "pr")], check=True, capture_output=True)
    own = subprocess.run(
        [str(own_temp / "bin/press"), "check", "--base", base, "--author", "wu-writes"],
        cwd=workspace / "pr", capture_output=True, text=True, env={**os.environ, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert own.returncode == 0, own.stdout + own.stderr
    assert "No problems found." in own.stdout

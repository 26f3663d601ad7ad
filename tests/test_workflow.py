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
    assert set(data[True]) == {"pull_request_target", "workflow_dispatch"}, "the workflow definition must come from the base branch"
    assert data[True]["workflow_dispatch"] is None  # run by hand (a ballot's pull request): no input to trust
    assert data["permissions"] == {"contents": "read"}
    checkouts = [s for s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert [(c["with"]["path"], c["with"]["ref"]) for c in checkouts] == [
        ("base", "${{ github.event.pull_request.base.sha || github.event.repository.default_branch }}"),
        ("pr", "${{ github.event.pull_request.head.sha || github.sha }}"),
    ]
    assert all(c["with"]["persist-credentials"] is False for c in checkouts)
    runs = [s for s in steps() if "run" in s]
    assert runs[0]["id"] == "default-branch"  # reads only the event: see the tests of the refusal below
    install = runs[1]["run"]
    assert re.search(r"pip install (--quiet )?\./base\s*$", install, re.M), install
    for step in runs[2:]:
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


def _run_steps(
    workspace: Path, bin_dir: Path, base: str, head: str, login: str, base_ref: str = "main"
) -> list[subprocess.CompletedProcess]:
    values = {
        "github.event.pull_request.base.sha": base,
        "github.event.pull_request.head.sha": head,
        "github.event.pull_request.user.login": login,
        "github.event.pull_request.base.ref": base_ref,
        "github.event.repository.default_branch": "main",
    }

    def expand(text: str) -> str:  # `a || b`: the first that is set, as GitHub's expressions do
        return re.sub(r"\$\{\{\s*([\w.]+(?:\s*\|\|\s*[\w.]+)*)\s*\}\}",
                      lambda m: next(v for v in (values[n.strip()] for n in m[1].split("||")) if v), text)

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
    assert [r.returncode for r in results[:2]] == [0, 0], [r.stdout + r.stderr for r in results]
    guard, install, check = results[0], results[1], results[2]
    assert "Based on main, the default branch" in guard.stdout
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


# --- Only the default branch is judged and deployed ------------------------------------------------
#
# Both refusals are the first step of their job and read the event only through `env:`, so the tests
# below run each step's `run:` script with bash, as GitHub would, for the refs a hostile or careless
# editor could start a run on.

PAGES = REPO / ".github/workflows/pages.yml"
GUARD_ID = "default-branch"


def _workflow(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _guard(path: Path, job: str) -> dict:
    first = _workflow(path)["jobs"][job]["steps"][0]
    assert first.get("id") == GUARD_ID, f"the first step of {path.name}'s {job} job must be the default-branch refusal"
    return first


def _run_guard(step: dict, tmp_path: Path, event: dict[str, str], gh: str | None = None) -> subprocess.CompletedProcess:
    """Run a step's script with bash, its `env:` filled from ``event`` (what GitHub puts in the
    expressions); ``gh`` is what a `gh api` call prints (None: the command fails)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "gh"
    shim.write_text("#!/bin/sh\necho \"$*\" >> \"$GH_CALLS\"\n" + (f"echo '{gh}'\n" if gh is not None else "exit 1\n"))
    shim.chmod(0o755)

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.]+(?:\s*\|\|\s*[\w.]+)*)\s*\}\}",
                      lambda m: next((v for v in (event.get(n.strip(), "") for n in m[1].split("||")) if v), ""), text)

    summary = tmp_path / "summary.md"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_REPOSITORY": "springfield-party/press",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GH_CALLS": str(tmp_path / "gh-calls"),
        **{k: expand(str(v)) for k, v in step["env"].items()},
    }
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)


def test_both_refusals_are_first_and_name_the_default_branch():
    for path, job, compared in ((PAGES, "build", "${{ github.ref }}"), (WORKFLOW, "check", "${{ github.event.pull_request.base.ref || github.event.repository.default_branch }}")):
        step = _guard(path, job)
        assert step["env"]["DEFAULT_BRANCH"] == "${{ github.event.repository.default_branch }}", path.name
        assert compared in step["env"].values(), path.name
        # Event values reach the script only through the environment: a branch name is never code.
        assert "${{" not in step["run"], path.name
        assert "if:" not in step and "continue-on-error" not in step, f"{path.name}: the refusal must always run and always count"
    assert '"$REF" != "refs/heads/$DEFAULT_BRANCH"' in _guard(PAGES, "build")["run"]
    assert '"$BASE_REF" != "$DEFAULT_BRANCH"' in _guard(WORKFLOW, "check")["run"]


def test_the_deploy_waits_for_the_refusal():
    jobs = _workflow(PAGES)["jobs"]
    assert set(jobs) == {"build", "deploy"}
    assert jobs["deploy"]["needs"] in ("build", ["build"])  # build's first step is the refusal
    assert jobs["deploy"]["environment"]["name"] == "github-pages"  # whose deployment-branch rule is the lock
    assert "environment" not in jobs["build"] and "if" not in jobs["deploy"]


def test_the_site_is_rebuilt_every_day_from_the_default_branch():
    triggers = _workflow(PAGES)[True]  # PyYAML reads the key `on` as True (YAML 1.1)
    assert set(triggers) == {"push", "workflow_dispatch", "schedule"}
    assert triggers["push"] == {"branches": ["main"]}
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert crons, "pages that change with time alone need a scheduled build"
    for cron in crons:
        minute, hour, day, month, weekday = cron.split()
        assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*"), f"{cron}: once a day"
    # Shortly after midnight UTC, off the top of the hour (GitHub delays runs queued at :00 most).
    assert any(cron.split()[1] == "0" and 0 < int(cron.split()[0]) < 60 for cron in crons), crons


DEFAULT = {"github.event.repository.default_branch": "main", "github.token": "token"}


@pytest.mark.parametrize(("event", "ref"), [("push", "refs/heads/main"), ("workflow_dispatch", "refs/heads/main")])
def test_the_default_branch_deploys(tmp_path, event, ref):
    result = _run_guard(_guard(PAGES, "build"), tmp_path, {**DEFAULT, "github.event_name": event, "github.ref": ref})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Deploying {ref}, the default branch ({event})." in result.stdout
    assert not (tmp_path / "gh-calls").exists(), "the event named the default branch: nothing to ask"


@pytest.mark.parametrize(("ref", "default"), [
    ("refs/heads/sneaky", "main"),            # workflow_dispatch on a side branch
    ("refs/heads/main-next", "main"),         # a prefix of the default branch is another branch
    ("refs/tags/v1.0", "main"),               # a tag
    ("refs/heads/main", "trunk"),             # the rule is the default branch, not a name
    ("refs/pull/7/merge", "main"),
])  # fmt: skip
def test_any_other_ref_is_refused_saying_why(tmp_path, ref, default):
    event = {**DEFAULT, "github.event_name": "workflow_dispatch", "github.ref": ref, "github.event.repository.default_branch": default}
    result = _run_guard(_guard(PAGES, "build"), tmp_path, event)
    assert result.returncode == 1
    assert (
        f"::error::Refusing to deploy {ref} (workflow_dispatch): the site is published only from the default branch, "
        f"refs/heads/{default}." in result.stdout
    )
    assert "Deploying" not in result.stdout


def test_a_branch_name_is_not_code(tmp_path):
    for ref in ['refs/heads/x$(touch pwned)', 'refs/heads/x";touch pwned;"', "refs/heads/x`touch pwned`"]:
        result = _run_guard(_guard(PAGES, "build"), tmp_path, {**DEFAULT, "github.event_name": "push", "github.ref": ref})
        assert result.returncode == 1 and f"Refusing to deploy {ref} (push)" in result.stdout
        assert not (tmp_path / "pwned").exists(), ref


def test_a_scheduled_run_asks_github_for_the_default_branch(tmp_path):
    # A schedule's event carries no repository, so `github.event.repository.default_branch` is empty.
    event = {"github.event_name": "schedule", "github.ref": "refs/heads/main", "github.token": "token"}
    result = _run_guard(_guard(PAGES, "build"), tmp_path, event, gh="main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Deploying refs/heads/main, the default branch (schedule)." in result.stdout
    assert (tmp_path / "gh-calls").read_text() == "api repos/springfield-party/press --jq .default_branch\n"


@pytest.mark.parametrize("answer", [None, ""])
def test_no_answer_about_the_default_branch_refuses(tmp_path, answer):
    event = {"github.event_name": "schedule", "github.ref": "refs/heads/main", "github.token": "token"}
    result = _run_guard(_guard(PAGES, "build"), tmp_path, event, gh=answer)
    assert result.returncode == 1
    assert "::error::Refusing to deploy refs/heads/main: GitHub did not say which branch is the default" in result.stdout


def test_a_pull_request_into_the_default_branch_is_judged(tmp_path):
    event = {"github.event.pull_request.base.ref": "main", "github.event.repository.default_branch": "main"}
    result = _run_guard(_guard(WORKFLOW, "check"), tmp_path, event)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Based on main, the default branch: judged by its press." in result.stdout


@pytest.mark.parametrize(("base", "default"), [("sneaky", "main"), ("main", "trunk"), ("main-next", "main"), ("main", "")])
def test_a_pull_request_into_another_branch_is_refused_saying_why(tmp_path, base, default):
    event = {"github.event.pull_request.base.ref": base, "github.event.repository.default_branch": default}
    result = _run_guard(_guard(WORKFLOW, "check"), tmp_path, event)
    assert result.returncode == 1
    why = f"press check judges only pull requests into the default branch ({default or 'unknown'}); this one is based on '{base}'"
    assert f"::error::{why}" in result.stdout
    assert why in (tmp_path / "summary.md").read_text()  # what the pull request's page shows


def test_a_pull_request_based_on_a_side_branch_is_never_judged_by_that_branchs_press(origin, tmp_path):
    """The hole: an editor pushes `sneaky` with a kinder check, then opens a pull request *based* on it.
    `pull_request_target` runs sneaky's press; the first step refuses before anything is installed."""
    root, _, head = origin
    sneaky = git(root, "rev-parse", "sneaky").strip()
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    _checkout(root, workspace / "base", sneaky)
    _checkout(root, workspace / "pr", head)
    bin_dir = _shims(tmp_path)

    results = _run_steps(workspace, bin_dir, sneaky, head, "wu-writes", base_ref="sneaky")
    assert len(results) == 1 and results[0].returncode == 1
    assert "press check judges only pull requests into the default branch (main); this one is based on 'sneaky'" in results[0].stdout
    assert not (workspace / "runner-temp" / "press").exists(), "nothing was installed, so nothing judged it"
    assert "No problems found" not in (workspace / "summary.md").read_text()


def test_the_docs_list_the_settings_the_refusals_rest_on():
    """A branch can delete a refusal from its own copy of a workflow: the settings that it cannot change
    are named where maintainers set up a press."""
    security = (REPO / "docs/security.md").read_text().split("## Repository settings the guarantees rest on", 1)[1].split("\n## ", 1)[0]
    workflow = (REPO / "docs/workflow.md").read_text().split("### Branch protection (required)", 1)[1]
    for needed in ("`press check`", "Code Owners", "`press codeowners`", "`github-pages`", "default branch only", "Who may push workflows", "`pull_request_target`", "`.github/workflows/**`"):  # fmt: skip
        assert needed in security, needed
    for needed in ("`press check`", "Code Owners", "`github-pages`", "Who may push workflows", "`.github/workflows/**`"):
        assert needed in workflow, needed


def test_every_action_of_every_workflow_is_pinned_by_commit():
    """A tag (`@v4`) can be moved to other code by whoever controls the action's repository; a commit cannot."""
    for path in sorted((REPO / ".github/workflows").glob("*.yml")):
        for job in _workflow(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"{path.name}: {step['uses']}"

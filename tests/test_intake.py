"""A ballot sent through the issue form: `press ballot intake`, and the workflow that runs it.

The workflow's tests play GitHub's part: the `run:` scripts of .github/workflows/ballot-intake.yml are
run in order by bash, as written, on a fake `issues` event, in a clone of a temporary press repository
whose "origin" is a bare repository beside it; `gh` is a stub on PATH that records what it was asked.
Whatever the issue says, it is data: hostile bodies are refused, run nothing and push nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO, PressDir, commit, git
from press import intake
from press.cli import main
from test_workflow import _shims

WORKFLOW = REPO / ".github/workflows/ballot-intake.yml"
FORM = REPO / ".github/ISSUE_TEMPLATE/ballot.yml"
CHECK = REPO / ".github/workflows/check.yml"

# A ballot's shape (docs/online-ballots.md, "A member's ballot"); the signature is armour only here.
SHAPED = textwrap.dedent("""\
    assembly-press signed record v1
    namespace: assembly-press
    body: springfield
    sitting: ballot night-shifts
    record: editorial/ballots/springfield/night-shifts.yml
    voter: springfield/ana
    choice: yes
    sequence: 1
    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
    -----BEGIN SSH SIGNATURE-----
    U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg
    -----END SSH SIGNATURE-----
    """)


def form_body(ballot: str, crlf: bool = False) -> str:
    """The issue body GitHub writes for the form: the box's label as a heading, its value in a fence."""
    body = f"### {intake.LABEL}\n\n```text\n{ballot.rstrip(chr(10))}\n```\n"
    return body.replace("\n", "\r\n") if crlf else body


# --- The form and the workflow, as files ------------------------------------------------------------


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_the_form_has_the_box_the_ballot_page_fills_and_the_label_the_workflow_picks():
    form = _yaml(FORM)
    assert form["labels"] == ["ballot"]
    (box,) = [item for item in form["body"] if item["type"] == "textarea"]
    assert box["id"] == "ballot"  # ?template=ballot.yml&ballot=… fills it
    assert box["attributes"]["label"] == intake.LABEL  # the heading press ballot intake looks for
    assert box["attributes"]["render"] == "text"  # GitHub puts the value in a code fence
    assert box["validations"]["required"] is True


def _runs(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job["steps"] if "run" in step]


def test_the_workflow_never_pastes_the_event_into_a_script():
    data = _yaml(WORKFLOW)
    for step in _runs(data):
        assert "${{" not in step["run"], step["run"]  # values reach scripts only through env:
    assert "${{ github.event" not in "".join(step["run"] for step in _runs(data))
    intake_step = next(step for step in _runs(data) if step.get("id") == "intake")
    assert '--event "$GITHUB_EVENT_PATH"' in intake_step["run"]


def test_the_workflow_holds_only_the_permissions_it_needs_and_pins_its_actions():
    data = _yaml(WORKFLOW)
    assert data[True] == {"issues": {"types": ["opened", "edited"]}}  # PyYAML reads `on` as True
    assert data["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write", "actions": "write"}
    (job,) = data["jobs"].values()
    assert "permissions" not in job
    assert job["if"] == "contains(github.event.issue.labels.*.name, 'ballot')"
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    assert checkout["with"]["fetch-depth"] == 0  # `press` refuses a shallow clone of a press with history
    text = WORKFLOW.read_text()
    assert "pages" not in data["permissions"] and "gh pr merge" not in text and "press build" not in text


def test_the_checks_it_runs_by_hand_accept_being_run_by_hand():
    """A pull request opened with the run's token starts no workflow: the required checks must accept
    `workflow_dispatch`, and check.yml must then still judge by the default branch's press."""
    dispatched = re.findall(r"gh workflow run (\S+) --ref \"\$BRANCH\"", WORKFLOW.read_text())
    assert sorted(dispatched) == ["check.yml", "tests.yml"]
    for name in dispatched:
        assert "workflow_dispatch" in _yaml(REPO / ".github/workflows" / name)[True], name
    check = _yaml(CHECK)
    assert check["permissions"] == {"contents": "read"}
    (job,) = check["jobs"].values()
    assert job["name"] == "press check"  # the required check's name, whichever event ran it


# --- Reading the issue --------------------------------------------------------------------------------


def test_the_ballot_is_read_by_the_one_reader_of_ballots():
    from press.ballot_records import MAX_CAST_BYTES
    from press.signatures import ENVELOPE

    assert intake.HEADER == ENVELOPE
    with pytest.raises(intake.Refused, match=f"at most {MAX_CAST_BYTES:,}"):
        intake.check_shape(SHAPED.replace("yes", "y" * MAX_CAST_BYTES))


def test_the_branch_is_named_by_the_ballots_place():
    assert intake.branch_for("editorial/ballots/council/" + "platform-" * 8 + "2027/harbor.ayse.12.ballot") == (
        "ballot/council/" + "platform-" * 8 + "2027/harbor/ayse-12",
        "Ballot of harbor/ayse on council/" + "platform-" * 8 + "2027 (sequence 12)",
    )  # a ballot's id is a slug of any length


def test_the_box_is_read_as_github_writes_it():
    assert intake.extract(form_body(SHAPED)) == SHAPED
    assert intake.extract(form_body(SHAPED, crlf=True)) == SHAPED  # a browser's line ends
    assert intake.extract(form_body(SHAPED).replace("```text", "```")) == SHAPED
    assert intake.extract("\n" + form_body("\n\n" + SHAPED + "\n\n") + "\n\n") == SHAPED


TWO = SHAPED + SHAPED.replace("sequence: 1", "sequence: 2")

HOSTILE = {
    "command substitution before the box": ("$(touch {pwned})\n" + form_body(SHAPED), "is not the ballot form"),
    "backticks after the box": (form_body(SHAPED) + "`touch {pwned}`\n", "more than the box"),
    "a quote and rm after the ballot": (form_body(SHAPED + '"; rm -rf / ; touch {pwned}; "\n'), "ends with its signature"),
    "an expression": (form_body("${{ github.token }}\n" + SHAPED), "starts with 'assembly-press signed record v1'"),
    "a second ballot": (form_body(TWO), "exactly one ballot"),
    "a second box": (form_body(SHAPED) + "\n" + form_body(SHAPED), "the box 'Your ballot' once"),
    "a fence inside": (form_body(SHAPED.replace("choice: yes\n", "```\n$(touch {pwned})\n```text\n")), "more than one block"),
    "a path": (form_body(SHAPED.replace("record: editorial/ballots/springfield/night-shifts.yml", "record: ../../.github/x")
                         + "../../.github/x\n"), "ends with its signature"),
    "a huge body": (form_body(SHAPED) + "x" * 70_000, "70,"),
    "a huge ballot": (form_body(SHAPED.replace("-----END", ("A" * 76 + "\n") * 300 + "-----END")), "bytes; a ballot is at most 20,480"),
    "a lone surrogate (not UTF-8)": (form_body(SHAPED.replace("yes", "y\udcffes")), "not valid UTF-8"),
    "a control character": (form_body(SHAPED.replace("choice: yes", "choice: yes\x1b[2J")), "a control character (U+001B)"),
    "a carriage return alone": (form_body(SHAPED.replace("choice: yes\n", "choice: yes\rvoter: springfield/ben\n")), "U+000D"),
    "a right-to-left override": (form_body(SHAPED.replace("choice: yes", "choice: \u202eon")), "not ASCII (U+202E)"),
    "no box": ("I vote yes!\n", "is not the ballot form"),
    "an empty box": (f"### {intake.LABEL}\n\n_No response_\n", "holds no ballot"),
    "an empty fence": (form_body(""), "is empty"),
    "not a signature": (form_body(SHAPED.replace("U1NIU0lH", "<script>")), "not an SSH signature's armour"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_anything_but_one_ballot_is_refused_saying_what_to_do(case, tmp_path):
    body, why = HOSTILE[case]
    with pytest.raises(intake.Refused, match=re.escape(why)) as refused:
        intake.extract(body.replace("{pwned}", str(tmp_path / "PWNED")))
    assert "—" in str(refused.value) or "send each ballot" in str(refused.value)  # what to do
    assert "PWNED" not in str(refused.value) and "touch" not in str(refused.value)  # never the body's words


def _event(tmp_path: Path, body, number: int = 12, **issue) -> Path:
    event = {
        "action": "opened",
        "issue": {"number": number, "body": body, "user": {"login": "ana-ruiz"}, "labels": [{"name": "ballot"}], **issue},
        "repository": {"default_branch": "main", "full_name": "springfield-party/press"},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def test_a_refusal_is_one_line_naming_the_issue_and_writes_nothing(pressdir, tmp_path):
    pressdir.assembly()
    before = sorted(p.relative_to(pressdir.root) for p in pressdir.root.rglob("*"))
    out = tmp_path / "outputs"
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "ballot", "intake", "--event",
                                       str(_event(tmp_path, form_body(TWO), number=41)), "--out", str(out)])
    assert result.exit_code == 1, result.output
    message = "issue #41: the box must hold exactly one ballot (one envelope, one signature) — send each ballot in its own issue"
    assert result.output == message + "\n"
    assert out.read_text() == f"refused={message}\n"  # what the workflow answers on the issue
    assert sorted(p.relative_to(pressdir.root) for p in pressdir.root.rglob("*")) == before


@pytest.mark.parametrize(("event", "why"), [
    (b"\xff\xfe not json", "not a GitHub event (JSON in UTF-8)"),
    (b'{"issue": {"body": "x"}}', "not a GitHub issues event (no issue number)"),
    (b'{"pull_request": {"number": 3}}', "not a GitHub issues event"),
    (b"[]", "not a GitHub issues event"),
])  # fmt: skip
def test_an_event_that_is_not_an_issue_is_a_usage_error(pressdir, tmp_path, event, why):
    pressdir.assembly()
    path = tmp_path / "event.json"
    path.write_bytes(event)
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "ballot", "intake", "--event", str(path)])
    assert result.exit_code == 2, result.output
    assert why in result.output and "Traceback" not in result.output


def test_a_missing_body_is_refused(pressdir, tmp_path):
    pressdir.assembly()
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "ballot", "intake", "--event", str(_event(tmp_path, None, number=7))])
    assert result.exit_code == 1 and result.output.startswith("issue #7: the issue is not the ballot form"), result.output


# --- The workflow, run ------------------------------------------------------------------------------


GH_STUB = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
record = {{"args": args}}
if "--body-file" in args:
    record["body"] = open(args[args.index("--body-file") + 1]).read()
with open(os.environ["GH_CALLS"], "a") as calls:
    calls.write(json.dumps(record) + "\\n")
if args[:2] == ["pr", "create"]:
    print("https://github.com/springfield-party/press/pull/99")
"""


class Runner:
    """GitHub's part for one job: expressions, `uses:` steps, step outputs, `if: always()`."""

    def __init__(self, tmp_path: Path, origin: Path, event: dict, **context: str):
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp_path
        self.origin = origin
        self.event = event
        self.context = {"github.token": "t0ken", "github.repository": "springfield-party/press", "github.run_id": "4242",
                        "github.server_url": "https://github.com", **context}  # fmt: skip
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        self.temp = tmp_path / "runner-temp"
        self.temp.mkdir()
        self.bin = _shims(tmp_path)
        (self.bin / "gh").write_text(GH_STUB.format(python=sys.executable))
        (self.bin / "gh").chmod(0o755)
        self.calls = tmp_path / "gh-calls"
        self.event_path = tmp_path / "event.json"
        self.event_path.write_text(json.dumps(event))
        self.outputs: dict[str, dict[str, str]] = {}
        self.status = "success"
        self.results: list[tuple[dict, subprocess.CompletedProcess | None]] = []

    def value(self, name: str) -> str:
        if name.startswith("steps."):
            _, sid, _, key = name.split(".", 3)
            return self.outputs.get(sid, {}).get(key, "")
        if name == "job.status":
            return self.status
        if name.startswith("github.event."):
            value = self.event
            for part in name.removeprefix("github.event.").split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            return str(value)
        return self.context[name]  # anything else: the test must say what

    def expand(self, text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+(?:\s*\|\|\s*[\w.-]+)*)\s*\}\}",
                      lambda m: next((v for v in (self.value(n.strip()) for n in m[1].split("||")) if v), ""), text)

    def uses(self, step: dict) -> None:
        action = step["uses"].split("@")[0]
        if action == "actions/checkout":
            # as the action does: fetch the ref alone, `fetch-depth` commits deep (1 unless told; 0 is all)
            dest = self.workspace / step["with"].get("path", ".")
            ref, depth = self.expand(step["with"]["ref"]), int(step["with"].get("fetch-depth", 1))
            subprocess.run(["git", "init", "-q", str(dest)], check=True)
            subprocess.run(["git", "-C", str(dest), "remote", "add", "origin", f"file://{self.origin}"], check=True)
            subprocess.run(["git", "-C", str(dest), "fetch", "-q", *(["--depth", str(depth)] if depth else []), "origin",
                            "+refs/heads/*:refs/remotes/origin/*" if depth == 0 else ref], check=True)  # fmt: skip
            target = f"origin/{ref}" if depth == 0 and not re.fullmatch(r"[0-9a-f]{40}", ref) else "FETCH_HEAD" if depth else ref
            subprocess.run(["git", "-C", str(dest), "checkout", "-q", "--detach", target], check=True)
        else:
            assert action == "actions/setup-python", action  # the shims are the Python

    def run(self, path: Path = WORKFLOW) -> "Runner":
        (job,) = yaml.safe_load(path.read_text())["jobs"].values()
        for step in job["steps"]:
            if self.status != "success" and step.get("if") != "always()":
                self.results.append((step, None))
                continue
            if "uses" in step:
                self.uses(step)
                continue
            output = self.temp / f"output-{len(self.results)}"
            output.touch()
            env = {
                "PATH": f"{self.bin}:/usr/bin:/bin",
                "HOME": str(self.tmp),
                "RUNNER_TEMP": str(self.temp),
                "GITHUB_EVENT_PATH": str(self.event_path),
                "GITHUB_OUTPUT": str(output),
                "GH_CALLS": str(self.calls),
                "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
                "PRESS_NOW": os.environ["PRESS_NOW"],
                "PRESS_CACHE_DIR": os.environ["PRESS_CACHE_DIR"],
                **{k: self.expand(str(v)) for k, v in step.get("env", {}).items()},
            }
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                    cwd=self.workspace / step.get("working-directory", "."), env=env, capture_output=True, text=True)  # fmt: skip
            self.results.append((step, result))
            self.outputs[step.get("id", "")] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
            if result.returncode != 0:
                self.status = "failure"
        return self

    def gh(self) -> list[dict]:
        return [json.loads(line) for line in self.calls.read_text().splitlines()] if self.calls.exists() else []

    def log(self) -> str:
        return "\n".join(f"{step.get('name')}: {r.returncode}\n{r.stdout}{r.stderr}" for step, r in self.results if r)


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare "origin" holding a press on main: this press's code and a small assembly."""
    root = tmp_path / "source"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "README.md", root / "README.md")
    shutil.copytree(REPO / "tools", root / "tools", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    PressDir(root).assembly()
    git(root, "init", "-q", "-b", "main")
    commit(root, "The press and its roster")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    return bare


def _event_for(body: str, number: int = 12) -> dict:
    return {
        "action": "opened",
        "issue": {"number": number, "body": body, "user": {"login": "ana-ruiz"}, "labels": [{"name": "ballot"}]},
        "repository": {"default_branch": "main", "full_name": "springfield-party/press"},
    }


def _branches(bare: Path) -> list[str]:
    return git(bare, "for-each-ref", "--format=%(refname)", "refs/heads").split()


@pytest.mark.parametrize("case", ["command substitution before the box", "backticks after the box", "a quote and rm after the ballot",
                                  "an expression", "a second ballot", "a fence inside", "a path", "a huge body",
                                  "a lone surrogate (not UTF-8)"])  # fmt: skip
def test_a_hostile_issue_runs_nothing_pushes_nothing_and_is_answered(case, origin, tmp_path):
    body, why = HOSTILE[case]
    pwned = tmp_path / "PWNED"
    runner = Runner(tmp_path, origin, _event_for(body.replace("{pwned}", str(pwned)), number=31)).run()
    assert not pwned.exists() and not list(tmp_path.rglob("PWNED")), runner.log()
    assert _branches(origin) == ["refs/heads/main"], runner.log()
    calls = runner.gh()
    assert [c["args"][:3] for c in calls] == [["issue", "comment", "31"]], calls  # no pull request, no check run
    assert "Your ballot was **not** received" in calls[0]["body"] and why in calls[0]["body"], calls[0]["body"]
    assert runner.status == "failure" and f"::error::issue #31: " in runner.results[-1][1].stdout
    assert git(runner.workspace, "status", "--porcelain", "--untracked-files=all", "--", "editorial") == ""


# --- The required check, run by hand on a branch -----------------------------------------------------


def _dispatch(branch: str) -> dict:
    """A `workflow_dispatch` event: no pull request in it, the branch as the ref."""
    return {"ref": f"refs/heads/{branch}", "inputs": None, "repository": {"default_branch": "main"}, "sender": {"login": "wu-writes"}}


@pytest.fixture
def branches(origin, tmp_path) -> Path:
    """origin with two branches: `article` adds an article alone; `sneaky` rewrites the check to pass
    everything and approves its own article."""
    root = tmp_path / "editor"
    subprocess.run(["git", "clone", "-q", str(origin), str(root)], check=True)
    press = PressDir(root)
    git(root, "checkout", "-q", "-b", "article")
    press.article("springfield", "rent", title="Rent")
    commit(root, "An article", author="Writer Wu <wu@example.org>")
    git(root, "checkout", "-q", "-b", "sneaky")
    check = root / "tools/press/check.py"
    check.write_text(check.read_text().replace("    return CheckReport(\n", "    findings = []\n    return CheckReport(\n"))
    press.publish("springfield", "rent", "2026-10-06")
    commit(root, "Its approval, and a kinder check", author="Writer Wu <wu@example.org>")
    git(root, "push", "-q", "origin", "article", "sneaky")
    return origin


def test_a_check_run_by_hand_judges_the_branch_by_the_default_branchs_press(branches, tmp_path):
    head = git(branches, "rev-parse", "sneaky").strip()
    runner = Runner(tmp_path, branches, _dispatch("sneaky"), **{"github.sha": head, "github.actor": "wu-writes"}).run(CHECK)
    guard, install, check = (r for _, r in runner.results[:3])
    assert guard.returncode == 0 and "Based on main, the default branch: judged by its press." in guard.stdout, runner.log()
    assert install.returncode == 0, runner.log()
    assert check.returncode == 1, runner.log()  # the branch's kinder check.py was never run
    assert "this change both edits springfield/rent and records its approval, both done by" in check.stdout
    assert "@wu-writes (opened the pull request)" in check.stdout  # whoever ran it answers for it
    assert git(tmp_path / "workspace" / "pr", "rev-parse", "HEAD").strip() == head


def test_a_check_run_by_hand_passes_a_change_the_default_branchs_press_accepts(branches, tmp_path):
    head = git(branches, "rev-parse", "article").strip()
    runner = Runner(tmp_path, branches, _dispatch("article"), **{"github.sha": head, "github.actor": "github-actions[bot]"}).run(CHECK)
    check = runner.results[2][1]  # (the next step wants CODEOWNERS, which this small press does not have)
    assert check.returncode == 0 and "No problems found" in check.stdout, runner.log()
    assert "- @github-actions[bot] (opened the pull request)" in check.stdout


# --- The whole path: a signed ballot, sent through the form ------------------------------------------


@pytest.fixture
def ballot_origin(tmp_path):
    """A bare "origin" whose main holds this press's code and springfield's online ballot on
    springfield/night, open at the tests' instant; every member has a passkey (test_ballots.BallotPress).
    An article withdrawn in a second commit makes history matter: a shallow checkout cannot load it."""
    from test_ballots import BallotPress

    root = tmp_path / "source"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "README.md", root / "README.md")
    shutil.copytree(REPO / "tools", root / "tools", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    press = PressDir(root)
    bp = BallotPress(press)
    bp.record(closes="2026-11-28 20:00")
    press.article("springfield", "old", title="Old news")
    press.publish("springfield", "old", "2026-10-06")
    git(root, "init", "-q", "-b", "main")
    commit(root, "The press, its roster and an open ballot")
    (root / "content/springfield/old.md").unlink()  # withdrawn: only history tells it from a typo
    commit(root, "Withdraw an article")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True)
    return bare, bp


def _signed(bp, mid: str = "ana", choice: str = "yes", sequence: int = 1, **sign) -> bytes:
    from test_ballots import ORIGIN

    message = bp.message(f"springfield/{mid}", choice, sequence)
    return message + bp.passkeys[sign.pop("signer", mid)].sign(message, sign.pop("origin", ORIGIN), **sign)


def _receipt(raw: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("crlf", [False, True])
def test_a_ballot_sent_through_the_form_becomes_a_pull_request_adding_that_file_alone(ballot_origin, tmp_path, crlf):
    bare, bp = ballot_origin
    ballot = _signed(bp)
    runner = Runner(tmp_path, bare, _event_for(form_body(ballot.decode("ascii"), crlf=crlf), number=12)).run()
    assert runner.status == "success", runner.log()

    branch = "ballot/springfield/night/springfield/ana-1"
    assert _branches(bare) == [f"refs/heads/{branch}", "refs/heads/main"]
    added = git(bare, "diff", "--name-status", "main", branch).splitlines()
    assert added == ["A\teditorial/ballots/springfield/night/springfield.ana.1.ballot"]
    assert git(bare, "rev-list", "--count", f"main..{branch}").strip() == "1"
    filed = subprocess.run(["git", "-C", str(bare), "show", f"{branch}:editorial/ballots/springfield/night/springfield.ana.1.ballot"],
                           capture_output=True, check=True).stdout  # fmt: skip
    assert filed == ballot  # byte for byte what the member signed

    calls = runner.gh()
    assert [c["args"][:2] for c in calls] == [["pr", "create"], ["workflow", "run"], ["workflow", "run"], ["issue", "comment"]]
    pr = calls[0]["args"]
    assert pr[pr.index("--base") + 1] == "main" and pr[pr.index("--head") + 1] == branch
    assert pr[pr.index("--title") + 1] == "Ballot of springfield/ana on springfield/night (sequence 1)"
    assert "Closes #12" in calls[0]["body"] and _receipt(ballot) in calls[0]["body"]
    assert [c["args"] for c in calls[1:3]] == [["workflow", "run", "check.yml", "--ref", branch],
                                                ["workflow", "run", "tests.yml", "--ref", branch]]  # fmt: skip
    assert calls[3]["args"][2] == "12"
    answer = calls[3]["body"]
    assert f"Its receipt is `{_receipt(ballot)}`" in answer and "https://github.com/springfield-party/press/pull/99" in answer


def test_the_same_ballot_sent_again_is_answered_and_opens_nothing_new(ballot_origin, tmp_path):
    bare, bp = ballot_origin
    event = _event_for(form_body(_signed(bp).decode("ascii")), number=12)
    first = Runner(tmp_path / "first", bare, event).run()
    assert first.status == "success", first.log()
    again = Runner(tmp_path / "again", bare, {**event, "action": "edited"}).run()
    assert again.status == "success", again.log()
    assert [c["args"][:2] for c in again.gh()] == [["issue", "comment"]]
    assert "was received before; nothing more to do" in again.gh()[0]["body"]
    assert len(_branches(bare)) == 2


def test_a_later_ballot_of_the_same_member_gets_its_own_pull_request(ballot_origin, tmp_path):
    bare, bp = ballot_origin
    runner = Runner(tmp_path / "second", bare, _event_for(form_body(_signed(bp, choice="no", sequence=2).decode("ascii")), number=13)).run()
    assert runner.status == "success", runner.log()
    assert "refs/heads/ballot/springfield/night/springfield/ana-2" in _branches(bare)


FORGED = {
    "signed with another member's passkey": ({"signer": "ben"}, "issue #21: the ballot: not filed: not springfield/ana's key"),
    "signed on another site": ({"origin": "https://evil.example.org"}, "issue #21: the ballot: not filed: wrong origin"),
    "a vote the question does not offer, signed": ({"choice": 'yes"; rm -rf / ; touch {pwned}; "'}, "is not yes, no or abstain"),
    "a member not on the roster": ({"mid": "zed", "signer": "ana"}, "issue #21: the ballot: not filed: ineligible: 'zed'"),
}


@pytest.mark.parametrize("case", sorted(FORGED))
def test_a_forged_ballot_sent_through_the_form_is_refused_and_nothing_is_pushed(ballot_origin, tmp_path, case):
    bare, bp = ballot_origin
    change, why = FORGED[case]
    pwned = tmp_path / "PWNED"
    change = {k: v.replace("{pwned}", str(pwned)) for k, v in change.items()}
    mid = change.pop("mid", "ana")
    if mid not in bp.passkeys:
        message = bp.message(f"springfield/{mid}", "yes")
        from test_ballots import ORIGIN

        raw = message + bp.passkeys[change.pop("signer")].sign(message, ORIGIN)
    else:
        raw = _signed(bp, mid, **change)
    runner = Runner(tmp_path, bare, _event_for(form_body(raw.decode("ascii")), number=21)).run()
    assert _branches(bare) == ["refs/heads/main"], runner.log()
    assert not pwned.exists()
    calls = runner.gh()
    assert [c["args"][:3] for c in calls] == [["issue", "comment", "21"]], calls
    assert "Your ballot was **not** received" in calls[0]["body"] and why in calls[0]["body"], calls[0]["body"]
    assert git(runner.workspace, "status", "--porcelain", "--untracked-files=all", "--", "editorial") == ""


def test_a_tampered_byte_is_refused(ballot_origin, tmp_path):
    bare, bp = ballot_origin
    raw = _signed(bp).replace(b"choice: yes", b"choice: no")
    runner = Runner(tmp_path, bare, _event_for(form_body(raw.decode("ascii")), number=22)).run()
    assert _branches(bare) == ["refs/heads/main"], runner.log()
    (answer,) = runner.gh()
    assert "Your ballot was **not** received" in answer["body"] and "the ballot: not filed: does not verify" in answer["body"], answer["body"]


def test_a_ballot_already_merged_is_answered_and_opens_nothing(ballot_origin, tmp_path):
    bare, bp = ballot_origin
    ballot = _signed(bp)
    editor = tmp_path / "editor"
    subprocess.run(["git", "clone", "-q", str(bare), str(editor)], check=True)
    PressDir(editor).write("editorial/ballots/springfield/night/springfield.ana.1.ballot", ballot)
    commit(editor, "Ana's ballot, filed by the secretary")
    git(editor, "push", "-q", "origin", "main")
    runner = Runner(tmp_path / "run", bare, _event_for(form_body(ballot.decode("ascii")), number=14)).run()
    assert runner.status == "success", runner.log()
    assert _branches(bare) == ["refs/heads/main"]
    (answer,) = runner.gh()
    assert answer["args"][:3] == ["issue", "comment", "14"]
    assert f"This ballot (receipt `{_receipt(ballot)}`) was received before" in answer["body"]


def test_press_ballot_intake_prints_the_path_and_the_branch_and_writes_the_file(pressdir, tmp_path):
    from test_ballots import BallotPress

    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-28 20:00")
    ballot = _signed(bp, "ben", "no")
    out = tmp_path / "outputs"
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "ballot", "intake", "--event",
                                       str(_event(tmp_path, form_body(ballot.decode("ascii")), number=5)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = "editorial/ballots/springfield/night/springfield.ben.1.ballot"
    assert result.output == f"issue #5: {path} ({_receipt(ballot)})\nbranch: ballot/springfield/night/springfield/ben-1\n"
    assert (pressdir.root / path).read_bytes() == ballot
    assert out.read_text() == (f"path={path}\ndigest={_receipt(ballot)}\nbranch=ballot/springfield/night/springfield/ben-1\n"
                               "title=Ballot of springfield/ben on springfield/night (sequence 1)\n")  # fmt: skip
    again = CliRunner().invoke(main, ["--root", str(pressdir.root), "ballot", "intake", "--event", str(tmp_path / "event.json")])
    assert again.exit_code == 0 and "already filed as" in again.output


def test_a_run_that_breaks_answers_the_member_and_pushes_nothing(ballot_origin, tmp_path):
    """A broken machine (here: the press cannot be installed) is not the member's doing: the issue is
    told that the ballot was not received and where the maintainers look; the run fails."""
    bare, bp = ballot_origin
    runner = Runner(tmp_path, bare, _event_for(form_body(_signed(bp).decode("ascii")), number=15))
    (runner.bin / "python").write_text("#!/bin/sh\necho 'pip: no space left on device' >&2\nexit 1\n")
    runner.run()
    assert runner.status == "failure"
    assert [step.get("name") for step, result in runner.results if result is not None][-1] == "Answer on the issue"
    assert _branches(bare) == ["refs/heads/main"]
    (answer,) = runner.gh()
    assert answer["args"][:3] == ["issue", "comment", "15"]
    assert "could not be received because of a problem on our side (https://github.com/springfield-party/press/actions/runs/4242)" in answer["body"]


def test_the_ballots_pull_request_passes_the_check_the_intake_runs_on_it(ballot_origin, tmp_path):
    """End to end: the intake pushes the branch and runs check.yml on it by hand; that run judges the
    branch by the default branch's press and passes it (a ballot of its own voter, open, one new file)."""
    bare, bp = ballot_origin
    intake_run = Runner(tmp_path / "intake", bare, _event_for(form_body(_signed(bp).decode("ascii")))).run()
    branch = "ballot/springfield/night/springfield/ana-1"
    assert ["workflow", "run", "check.yml", "--ref", branch] in [c["args"] for c in intake_run.gh()], intake_run.log()
    head = git(bare, "rev-parse", branch).strip()
    check = Runner(tmp_path / "check", bare, _dispatch(branch), **{"github.sha": head, "github.actor": "github-actions[bot]"}).run(CHECK)
    guard, install, judged = (r for _, r in check.results[:3])
    assert guard.returncode == 0 and install.returncode == 0, check.log()
    assert judged.returncode == 0 and "No problems found." in judged.stdout, check.log()
    assert git(tmp_path / "check" / "workspace" / "pr", "rev-parse", "HEAD").strip() == head

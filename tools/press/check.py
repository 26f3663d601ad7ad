"""``press check --base REF``: what a pull request changes, judged by the rules of its base branch.

Rosters and rules are read as they are on the base branch, so a pull request that edits a
roster and records votes in the same change gains nothing from the roster edit. A change
whose commits, all by one author, both edit an article and record its approval is flagged:
a pull request must never approve itself.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .model import Press, load
from .problems import PressError, Problem


@dataclass
class CheckReport:
    base: str
    base_commit: str
    press: Press
    touched: list[str]  # article ids the change touches
    roster_changes: list[str]
    authors: list[str]
    self_approvals: list[Problem] = field(default_factory=list)
    changed_meetings: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return sorted(set(self.press.problems) | set(self.self_approvals))

    def markdown(self) -> str:
        lines = [
            "## Assembly Press check",
            "",
            f"Checked against `{self.base}` ({self.base_commit[:10]}), with the rosters and rules of that base branch.",
            "",
        ]
        if self.touched:
            lines += ["| Article | State | Why |", "| --- | --- | --- |"]
            for aid in self.touched:
                decision = self.press.decisions.articles.get(aid)
                if decision is None:
                    lines.append(f"| `{aid}` | removed or unreadable | |")
                    continue
                why = "<br>".join(_cell(r) for r in self.press.reasons(decision))
                state = "published (approved revision)" if aid in self.press.revisions else decision.state
                lines.append(f"| `{aid}` | {state} | {why} |")
        else:
            lines.append("This change touches no article.")
        if self.roster_changes:
            lines += [
                "",
                "**Roster or rules changed** — they take effect only after this change is merged; "
                "votes in this change were counted with the base branch's rosters:",
                *[f"- `{path}`" for path in self.roster_changes],
            ]
        lines += _council_motions(self)
        problems = self.problems
        lines += ["", f"### {len(problems)} problem(s)" if problems else "No problems found."]
        lines += [f"- `{p.path}:{p.line}`: {_cell(p.message)}" if p.line else f"- `{p.path}`: {_cell(p.message)}" for p in problems]
        return "\n".join(lines) + "\n"


def _council_motions(report: CheckReport) -> list[str]:
    """The council's motions in the meeting records this change touches, with their outcomes."""
    council = report.press.decisions.council
    changed = set(report.changed_meetings)
    outcomes = [o for o in council.outcomes if o.meeting.path in changed] if council else []
    if not outcomes:
        return []
    lines = ["", "**Council motions in this change** (judged with the base branch's council rules):"]
    for o in outcomes:
        why = f" — {_cell('; '.join(o.reasons))}" if o.reasons else ""
        lines.append(f"- `{o.meeting.path}:{o.motion.line}` {o.motion.kind} `{o.motion.target}`: {o.status}, {_cell(o.tally)}{why}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def check(root: Path, base: str) -> CheckReport:
    """Evaluate the work tree of ``root`` against the rosters of ``base``."""
    import git

    root = Path(root).resolve()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PressError(f"{root} is not in a git repository — press check compares a branch with its base") from None
    try:
        base_commit = repo.commit(base)
        head = repo.head.commit
    except (git.BadName, ValueError) as exc:
        raise PressError(f"unknown base '{base}' — fetch it first (e.g. git fetch origin main) ({exc})") from None
    merge_bases = repo.merge_base(base_commit, head)
    fork = merge_bases[0] if merge_bases else base_commit
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"

    with tempfile.TemporaryDirectory(prefix="press-base-rosters-") as folder:
        rosters = Path(folder) / "assemblies"
        rosters.mkdir()
        try:
            tree = base_commit.tree / f"{prefix}editorial/assemblies"
            for blob in tree.blobs:
                (rosters / blob.name).write_bytes(blob.data_stream.read())
        except KeyError:
            pass  # the base has no assemblies yet
        try:  # the council's rules too are the base branch's (read beside the rosters)
            (Path(folder) / "council.yml").write_bytes((base_commit.tree / f"{prefix}editorial/council.yml").data_stream.read())
        except KeyError:
            pass  # the base has no council
        press = load(root, rosters=rosters)

    changed = [p[len(prefix):] for p in repo.git.diff("--name-only", "-z", fork.hexsha, "--", prefix or ".").split("\0") if p]
    changed_meetings = [p for p in changed if p.startswith("editorial/meetings/") and p.endswith(".yml")]
    touched = {p[len("content/"):-3] for p in changed if p.startswith("content/") and p.endswith(".md") and p.count("/") == 2}
    for meeting in press.records.meetings:
        if meeting.path in changed_meetings:
            touched |= {m.target for m in meeting.motions if "/" in m.target}

    authors, range_files = _range(repo, fork.hexsha, prefix)
    report = CheckReport(
        base=base,
        base_commit=base_commit.hexsha,
        press=press,
        touched=sorted(touched),
        roster_changes=[p for p in changed if p.startswith("editorial/assemblies/") or p == "editorial/council.yml"],
        authors=authors,
        changed_meetings=changed_meetings,
    )
    if len(authors) == 1:
        edited_articles = {p for p in range_files if p.startswith("content/")}
        for meeting in press.records.meetings:
            if meeting.path not in range_files:
                continue
            for motion in meeting.motions:
                if motion.kind == "publish" and f"content/{motion.target}.md" in edited_articles:
                    report.self_approvals.append(
                        Problem(
                            meeting.path,
                            motion.line,
                            f"this change both edits {motion.target} and records its approval, all by {authors[0]} — "
                            "a pull request cannot approve itself: record the vote in a separate pull request",
                        )
                    )
    return report


def _range(repo, fork: str, prefix: str) -> tuple[list[str], set[str]]:
    """Authors of the commits since ``fork``, and the files those commits changed (one git log)."""
    raw = repo.git.log("--name-only", "-z", "--format=%x1e%an <%ae>", f"{fork}..HEAD", "--", prefix or ".")
    authors: list[str] = []
    files: set[str] = set()
    for chunk in raw.split("\x1e"):
        if not chunk.strip("\0\n"):
            continue
        author, _, names = chunk.partition("\n")
        authors.append(author.strip("\0"))
        files |= {n.strip("\n")[len(prefix):] for n in names.split("\0") if n.strip("\n")}
    return sorted(set(authors)), files

"""``press check --base REF``: what a pull request changes, and whether it may be merged.

A pull request fails the check when:

- any record has a problem (``press verify``), read with the change's own rosters or the base's;
- any article's or delegate's outcome differs between the two readings: a change to a roster or
  to the rules must be merged on its own before votes counted under it can land;
- it deletes or alters a meeting record that is on the base branch (minutes are append-only;
  corrections are ``correct`` motions at a later meeting), or removes a signature that counted;
- it deletes or alters any file of an online ballot that is on the base branch (its record, a
  member's ballot, its close: a sitting's records are append-only, one rule with the minutes'); a
  member's ballot it adds that the voter's roster key did not sign, or a close added before the
  ballot's closing instant, is a problem of the press, read with either branch's rosters; and a
  member's ballot filed in a ballot not opened yet, which nothing can check, fails too, and so
  does a close it adds that leaves out a member's ballot already on the base branch, or a ballot
  it adds or opens (its record, an opening signature, its open-ballot minutes) whose window is over;
- one person both changes an article and records its approval. People are told apart by every
  identity the change carries — the pull request's author (a GitHub login), and the name and
  e-mail of every commit's author and committer, merge commits included — joined through the
  rosters' ``github:`` handles. Commit names are not authenticated, so the pull request's author
  answers for every commit in it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from . import clock, strictyaml
from .history import NO_GIT
from .model import Press, load
from .problems import PressError, Problem
from .council.records import COUNCIL
from .reading import read_records
from .records import GITHUB_RE, MOTION_KINDS, SIGNATURE_RE

NOREPLY_RE = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.IGNORECASE)
WEB_FLOW = "noreply@github.com"  # GitHub's committer identity for edits and merges made in the browser
CORRECTING = "see 'Correcting the minutes' in docs/editorial-records.md"


@dataclass
class CheckReport:
    base: str
    base_commit: str
    press: Press  # the change's tree, with its own rosters and rules
    touched: list[str]  # article ids the change touches
    roster_changes: list[str]
    people: list[str]  # who took part in the change, one line per person
    base_rules: dict[str, str] = field(default_factory=dict)  # article/delegate -> outcome under the base's rosters
    findings: list[Problem] = field(default_factory=list)  # outcome differences, history, self-approval
    changed_meetings: list[str] = field(default_factory=list)  # meeting records the change touches

    @property
    def problems(self) -> list[Problem]:
        return sorted(set(self.press.problems) | set(self.findings))

    def markdown(self) -> str:
        lines = [
            "## Assembly Press check",
            "",
            f"Checked against `{self.base}` ({self.base_commit[:10]}), with this change's rosters and rules "
            "and with those of the base branch.",
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
                "**Roster or rules changed** — every outcome was also decided with the base branch's rosters; "
                "they must agree:",
                *[f"- `{path}`" for path in self.roster_changes],
            ]
        lines += _council_motions(self)
        if self.people:
            lines += ["", "People in this change:", *[f"- {_cell(p)}" for p in self.people]]
        if self.press.warnings:
            lines += ["", f"### {len(self.press.warnings)} warning(s) (these publish as voted)"]
            lines += [f"- `{w.path}`: {_cell(w.message)}" for w in self.press.warnings]
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
    lines = ["", "**Council motions in this change:**"]
    for o in outcomes:
        why = f" — {_cell('; '.join(o.reasons))}" if o.reasons else ""
        lines.append(f"- `{o.meeting.path}:{o.motion.line}` {o.motion.kind} `{o.motion.target}`: {o.status}, {_cell(o.tally)}{why}")
    return lines


def _cell(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text).replace("|", "\\|")


# --------------------------------------------------------------------------- entry point


def check(root: Path, base: str, author: str | None = None, now: dt.datetime | None = None) -> CheckReport:
    """Judge the work tree of ``root`` as a change to ``base``; ``author`` is the pull request's GitHub
    login; ``now`` the run's instant (default :func:`press.clock.now`)."""
    from .inputs import refuse_linked_tops

    now = now or clock.now()
    root = Path(root).resolve()
    refuse_linked_tops(root)
    if shutil.which("git") is None:
        raise PressError(f"press check compares a branch with its base in git history, but {NO_GIT}")
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PressError(f"{root} is not in a git repository — press check compares a branch with its base") from None
    own = load(root, now)
    own.verified()  # a broken git (an object missing, a shallow clone): the build's sentence, before any comparison
    try:
        base_commit = repo.commit(base)
        head = repo.head.commit
    except (git.BadName, ValueError) as exc:
        raise PressError(f"unknown base '{base}' — fetch it first (e.g. git fetch origin main) ({exc})") from None
    if author is not None and not GITHUB_RE.match(author.removesuffix("[bot]")):
        raise PressError(f"--author {author!r} is not a GitHub login")
    merge_bases = repo.merge_base(base_commit, head)
    fork = merge_bases[0] if merge_bases else base_commit
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"

    changed = [p[len(prefix):] for p in repo.git.diff("--name-only", "-z", fork.hexsha, "--", prefix or ".").split("\0") if p]
    roster_changes = [p for p in changed if p.startswith("editorial/assemblies/") or p == "editorial/council.yml"]
    findings: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="press-base-") as folder:
        base_root = Path(folder)
        council_changed = "editorial/council.yml" in changed  # then the base's minutes say whose delegates sign it
        _extract(base_commit.tree, prefix, ["editorial/assemblies", "editorial/council.yml", *(["editorial/meetings"] if council_changed else [])], base_root)
        base_rules = load(root, now, rosters=base_root / "editorial" / "assemblies")
        outcomes = _outcomes(base_rules)
        findings += _differences(own, base_rules, outcomes)
        findings += [
            Problem(p.path, p.line, f"with the base branch's rosters: {p.message}")
            for p in set(base_rules.problems) - set(own.problems)
        ]
        findings += _roster_guard(root, base_root, own, base_rules)
    with tempfile.TemporaryDirectory(prefix="press-fork-") as folder:
        # the minutes as they were where the change began: what is merged since is not the change's doing
        fork_root = Path(folder)
        _extract(fork.tree, prefix, _minutes_of(fork.tree, prefix, changed), fork_root)
        base_records = read_records(fork_root)
        findings += _history(fork_root, base_records, root, changed, now)
        findings += _ballots_opened_closed(own, fork_root, changed, now)
    findings += _new_signatures(own, base_rules, changed)
    findings += _unjudged_ballots(own, changed)
    findings += _closes_leaving_out(own, base_records, changed)

    assemblies = set(own.records.assemblies) | set(base_rules.records.assemblies)
    touched = {f"{parts[1]}/{parts[2].removesuffix('.md')}" for parts in (p.split("/") for p in changed)
               if len(parts) >= 3 and parts[0] == "content" and parts[1] in assemblies}  # fmt: skip
    approvals = _approvals(own, changed)
    for targets in approvals.values():
        touched |= set(targets)
    touched |= _named(own, base_records, set(changed))
    commits = _commits(repo, fork.hexsha, prefix, set(changed))
    people = _People(own, author)
    for _, identities, _ in commits:
        people.add(*identities)
    findings += _self_approvals(people, commits, approvals, author)
    return CheckReport(
        base=base,
        base_commit=base_commit.hexsha,
        press=own,
        touched=sorted(touched),
        roster_changes=roster_changes,
        people=people.describe(),
        base_rules=outcomes,
        findings=findings,
        changed_meetings=[p for p in changed if p.startswith("editorial/meetings/") and p.endswith(".yml")],
    )


def _extract(tree, prefix: str, paths: list[str], dest: Path) -> None:
    """Write the files at or under ``paths`` (relative to the press root) of a git tree into ``dest``."""
    for path in paths:
        try:
            item = tree / f"{prefix}{path}"
        except KeyError:
            continue
        for blob in item.traverse() if item.type == "tree" else [item]:
            if blob.type == "blob" and blob.mode & 0o170000 == 0o100000:  # regular files only, never links
                target = dest / blob.path[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob.data_stream.read())
    for folder in ("editorial/assemblies", "editorial/meetings", "content"):
        (dest / folder).mkdir(parents=True, exist_ok=True)


SITTINGS = ("editorial/meetings/", "editorial/ballots/")  # a body's sittings' records: append-only once merged


def _minutes_of(tree, prefix: str, changed: list[str]) -> list[str]:
    """The sittings' records a change touches — meeting records (directly or through a signature) with
    their signatures, a ballot's whole folder (its record, opening signatures, members' ballots, close)
    — and their body's roster: what the append-only rule compares."""
    paths: set[str] = set()
    for path in changed:
        parts = path.split("/")
        if len(parts) < 4 or f"{parts[0]}/{parts[1]}/" not in SITTINGS or (parts[1] == "meetings" and len(parts) != 4):
            continue
        paths.add(f"editorial/assemblies/{parts[2]}.yml")
        if parts[2] == COUNCIL:  # who signs for the council: the seats of the day, from every roster and election
            paths |= {"editorial/council.yml", "editorial/assemblies", "editorial/meetings"}
        if parts[1] == "ballots":  # a ballot's signatures count as its opening meeting and its casts say
            paths |= {f"editorial/ballots/{parts[2]}", f"editorial/meetings/{parts[2]}", "editorial/press.yml"}
            continue
        record = parts[3].split(".yml")[0] + ".yml"
        paths.add(f"editorial/meetings/{parts[2]}/{record}")
        try:
            folder = tree / f"{prefix}editorial/meetings/{parts[2]}"
        except KeyError:
            continue
        paths |= {f"editorial/meetings/{parts[2]}/{b.name}" for b in folder.blobs if b.name.startswith(record + ".")}
    return sorted(paths)


# --------------------------------------------------------------------------- two readings


def _outcomes(press: Press) -> dict[str, str]:
    """Every article's state (with the approved digest) and every delegate history, as comparable text."""
    found = {}
    for aid, decision in press.decisions.articles.items():
        digest = f" ({decision.approved_digest[:15]}…)" if decision.approved_digest else ""
        found[aid] = f"{decision.state}{digest}"
    for aid, terms in press.decisions.delegates.items():
        history = "; ".join(
            f"{t.member} elected {t.elected.date}" + (f", {t.ended_by} {t.ended}" if t.ended else "") for t in terms
        )
        found[f"delegate of {aid}"] = history or "none"
    council = press.decisions.council
    if council is not None:  # the council's decisions too must not depend on rules changed in the same change
        found["council front page"] = "; ".join(f"{f.article}{' (lead)' if f.lead else ''}" for f in council.on_front_page()) or "nothing featured"
    return found


def _differences(own: Press, base_rules: Press, base_outcomes: dict[str, str]) -> list[Problem]:
    mine = _outcomes(own)
    problems = []
    for subject in sorted(set(mine) | set(base_outcomes)):
        ours, theirs = mine.get(subject, "none"), base_outcomes.get(subject, "none")
        if ours == theirs:
            continue
        assembly = subject.removeprefix("delegate of ").split("/")[0]
        council = own.records.council or base_rules.records.council
        if council is not None and (assembly == council.id or subject == "council front page"):
            path = "editorial/council.yml"
        else:
            path = f"editorial/assemblies/{assembly}.yml"
        problems.append(
            Problem(
                path,
                0,
                f"{subject}: {ours} with this change's rosters and rules, but {theirs} with the base branch's — "
                "a change to rosters or rules must be merged on its own before votes counted under it can land: "
                "split this pull request",
            )
        )
    return problems


# --------------------------------------------------------------------------- append-only minutes


def _motion_name(index: int, motion) -> str:
    if isinstance(motion, dict):
        kind = next((k for k in MOTION_KINDS if k in motion), None)
        if kind:
            return f"motion {index + 1} ({kind} {motion[kind]})"
    return f"motion {index + 1}"


def _counted_signatures(records, now) -> dict[str, set[str]]:
    """Record path -> the signers whose signature of it counts: minutes, ballot records and closes alike,
    each signed by its body's signers of its day (one rule, ``signers_of``; one check, ``check_signed``)."""
    from .council.decisions import signers_of
    from .decisions import decide
    from .signatures import check_signed, signed_message

    signed = [(m.path, m.assembly, m.date, m.signatures, lambda body, m=m: signed_message(body.rules, m)) for m in records.meetings]
    for ballot in records.ballots:
        signed.append((ballot.path, ballot.body, ballot.opens.date(), ballot.signatures, lambda body, b=ballot: b.opening_message()))
        if ballot.close is not None:
            signed.append((ballot.close.path, ballot.body, ballot.close.closed.date(), ballot.close.signatures, lambda body, b=ballot: b.close_message()))
    counted: dict[str, set[str]] = {}
    delegates = decide(records, now).delegates if any(sigs for *_, sigs, _ in signed) else {}
    for path, body_id, day, sigs, message in signed:
        body = signers_of(records, delegates, body_id, day) if sigs else None
        if body is not None:
            counted[path] = set(check_signed(body, sigs, day, message(body)).signers)
    return counted


def _history(base_root: Path, base_records, root: Path, changed: list[str], now) -> list[Problem]:
    """The sittings' records and counted signatures where the change began may be added to, never
    changed — every body's (an assembly's editors, or the council's seats that day) and every sitting's:
    minutes, and a ballot's record, its members' ballots and its close."""
    from .ballot_records import CLOSE_SIG_RE, OPENING_SIG_RE

    problems: list[Problem] = []
    counted = _counted_signatures(base_records, now)
    for rel in sorted(changed):
        path = base_root / rel
        if not rel.startswith(SITTINGS) or not path.is_file():
            continue  # not a sitting's record, or a new one
        now = root / rel
        before = path.read_bytes()
        after = now.read_bytes() if now.is_file() and not now.is_symlink() else None
        if before == after:
            continue
        ballot = rel.startswith("editorial/ballots/")
        if sig := (OPENING_SIG_RE.match(path.name) or CLOSE_SIG_RE.match(path.name) if ballot else SIGNATURE_RE.match(path.name)):
            record = f"{path.parent.relative_to(base_root).as_posix()}/{path.name.rsplit('.', 2)[0]}"
            signer = path.name.rsplit(".", 2)[1]
            if signer in counted.get(record, set()):
                what = "removed" if after is None else "replaced"
                problems.append(Problem(rel, 0, f"{signer}'s signature of {record} counted on the base branch and was {what} — signatures that count stay"))
            continue
        if ballot:
            what = "deleted" if after is None else "changed"
            problems.append(
                Problem(rel, 0, f"this file of an online ballot is on the base branch and was {what} — a ballot's record, its members' ballots "
                        "and its close are append-only once merged: restore it (a member votes again with a higher sequence)")
            )  # fmt: skip
            continue
        if path.suffix != ".yml":
            continue
        problems += _record_changes(rel, before, after)
    return problems


def _record_changes(rel: str, before: bytes, after: bytes | None) -> list[Problem]:
    try:
        old = strictyaml.parse(before.decode("utf-8")) or {}
    except (strictyaml.YamlProblem, UnicodeDecodeError):
        return []  # unreadable on the base: it never counted, and may be repaired
    if not isinstance(old, dict) or (not old.get("present") and not old.get("motions")):
        return []  # a scheduled meeting (no attendance, no motions) may be filled in
    if after is None:
        return [Problem(rel, 0, f"this meeting record is on the base branch and was deleted — minutes are append-only: restore it; to correct it, {CORRECTING}")]
    try:
        new = strictyaml.parse(after.decode("utf-8")) or {}
    except (strictyaml.YamlProblem, UnicodeDecodeError):
        new = {}
    if not isinstance(new, dict):
        new = {}
    problems = []
    line = new.line_of("present") if isinstance(new, strictyaml.Map) else 0
    if old.get("present") != new.get("present"):
        problems.append(Problem(rel, line, f"the attendance of a merged meeting was changed (was {old.get('present')!r}) — minutes are append-only; {CORRECTING}"))
    old_motions, new_motions = list(old.get("motions") or []), list(new.get("motions") or [])
    raw = new.get("motions")
    for i, motion in enumerate(old_motions):
        at = raw.line_of(i) if isinstance(raw, strictyaml.Seq) and i < len(new_motions) else 0
        if i >= len(new_motions):
            problems.append(Problem(rel, 0, f"{_motion_name(i, motion)} of a merged meeting was removed — minutes are append-only; {CORRECTING}"))
        elif motion != new_motions[i]:
            fields = sorted(k for k in set(motion) | set(new_motions[i]) if motion.get(k) != new_motions[i].get(k)) if isinstance(motion, dict) and isinstance(new_motions[i], dict) else []
            what = f" ({', '.join(fields)})" if fields else ""
            if fields and isinstance(new_motions[i], strictyaml.Map) and fields[0] in new_motions[i]:
                at = new_motions[i].line_of(fields[0])
            problems.append(Problem(rel, at, f"{_motion_name(i, motion)} of a merged meeting was altered{what} — minutes are append-only; {CORRECTING}"))
    for i in range(len(old_motions), len(new_motions)):
        problems.append(
            Problem(rel, raw.line_of(i), f"{_motion_name(i, new_motions[i])} was added to a meeting already merged — "
                    "record a motion in the record of the meeting that voted it, in the same pull request, or at a later meeting")
        )
    if not problems:
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)) or ["its layout or comments"]
        problems.append(Problem(rel, 0, f"a merged meeting record was changed ({', '.join(changed)}) — minutes are append-only; {CORRECTING}"))
    return problems


def _new_signatures(own: Press, base: Press, changed: list[str]) -> list[Problem]:
    """A signature the change adds, for any body (assemblies and the council alike), must be made
    with a key still in service — a key closed with ``until`` (a lost laptop) verifies what it signed
    before, and signs nothing new, not even a record dated back to when it was valid — and over the
    record's envelope: records before ``envelope-from`` were signed over their bytes alone, and those
    signatures stay frozen as merged (a new one could be a copy of old minutes under a new date).
    ``base``: the press read with the base branch's rosters and rules. Where they required no
    signature of the record, the change is the one that turns signing on (the upgrade path): the
    record counts there unsigned, so a bytes-only signature adds nothing a copy could abuse."""
    from .council.decisions import signers_of
    from .signatures import signing_key

    problems = []
    added = {path for path in changed if path.endswith(".sig")}
    for meeting in own.records.meetings:
        if not added & {path for path, _ in meeting.signatures.values()}:
            continue
        body = signers_of(own.records, own.decisions.delegates, meeting.assembly, meeting.date)
        if body is None:
            continue
        for member_id, (path, _) in sorted(meeting.signatures.items()):
            if path not in added:
                continue
            if not body.rules.enveloped_on(meeting.date) and _signed_on_base(base, meeting):
                problems.append(
                    Problem(path, 0, f"a new signature of a record dated before {meeting.assembly}'s envelope-from "
                            f"({body.rules.envelope_from}) — signatures made over a record's bytes alone count only as merged "
                            "before the cut-over; minutes of that time take no new signature")
                )  # fmt: skip
                continue
            key = signing_key(body, meeting, member_id)
            if key is not None and key.until is not None and key.until <= own.decisions.today_of(body):
                problems.append(
                    Problem(path, 0, f"signed with {member_id}'s key retired on {key.until} — a retired key signs nothing new: sign with the current key")
                )
    return problems


def _unjudged_ballots(own: Press, changed: list[str]) -> list[Problem]:
    """A member's ballot the change files where the count does not judge it — in a ballot not (yet)
    opened — could be anyone's: it waits outside the repository until the ballot is open and it can
    be checked (``press ballot add`` refuses it too). Unreadable files are problems already."""
    judged = {cast.path for ballot in own.decisions.ballots for cast in ballot.casts}
    named = {p.path for p in own.problems}
    return [
        Problem(path, 0, "a member's ballot filed in a ballot that is not open — it cannot be checked against the voter's key until the ballot opens: file it then (press ballot add)")
        for path in changed
        if path.startswith("editorial/ballots/") and path.endswith(".ballot") and path not in judged and path not in named and (own.root / path).is_file()
    ]  # fmt: skip


def _closes_leaving_out(own: Press, base_records, changed: list[str]) -> list[Problem]:
    """A close the change adds receives every member's ballot already merged where the change began,
    as ``press ballot close`` writes it: an editor who leaves one out would silence a vote as 'late'."""
    merged = {(b.body, b.id): b.casts for b in base_records.ballots if b.close is None}
    return [
        Problem(ballot.close.path, 0, f"leaves out {cast.path}, a member's ballot on the base branch — a close receives every ballot "
                "in the repository when it is written (press ballot close writes it so)")
        for ballot in own.records.ballots
        if ballot.close is not None and ballot.close.path in changed
        for cast in merged.get((ballot.body, ballot.id), ())
        if cast.digest not in ballot.close.received
    ]  # fmt: skip


def _ballots_opened_closed(own: Press, fork_root: Path, changed: list[str], now: dt.datetime) -> list[Problem]:
    """A ballot the change adds or opens — its record, an opening signature or the minutes of its
    open-ballot motion are new — must still be open to vote in (or upcoming): one whose window is over
    when it reaches the repository open is a ballot no member saw open, whoever cast in it."""
    found = []
    for record in own.records.ballots:
        body = own.records.assemblies.get(record.body) or own.records.council
        meeting = [f"editorial/meetings/{record.body}/{record.opened_by[0]}.yml"] if record.opened_by else []
        opening = [record.path, *(path for path, _ in record.signatures.values()), *meeting]
        new = [path for path in opening if path in changed and not (fork_root / path).exists()]
        if not new or body is None or record.closes.replace(tzinfo=zoneinfo.ZoneInfo(body.timezone)) > now:
            continue
        how = "adds it" if new[0] == record.path else "opens it"
        found.append(Problem(record.path, 0, f"this ballot closed on {record.closes:%Y-%m-%d %H:%M} ({body.timezone}), before this change {how}: "
                             "no member saw it open — a ballot is merged and opened before its window ends"))  # fmt: skip
    return found


def _signed_on_base(base: Press, meeting) -> bool:
    """Whether the base branch's rules require signatures of ``meeting``'s record (a body unknown
    there counts as requiring them: nothing is relaxed for what the base cannot vouch for)."""
    from .council.decisions import signers_of

    body = signers_of(base.records, base.decisions.delegates, meeting.assembly, meeting.date)
    return body is None or body.rules.signatures_on(meeting.date) > 0


# --------------------------------------------------------------------------- rosters guard themselves


def _guarded(before, after) -> list[tuple[int, str, str | None]]:
    """What a roster change touches that decides who signs or who sits: (line, what, member) for the
    editors, the signature rules, each member's keys and each member's identity across rosters
    (``github``, ``person``); ``member`` is set when keys were only added to that entry."""
    found: list[tuple[int, str, str | None]] = []
    if set(before.editors) != set(after.editors):
        found.append((0, f"the editors (were {', '.join(before.editors) or 'none'}, now {', '.join(after.editors) or 'none'})", None))
    fields = ("signatures", "signatures_from", "envelope_from")
    if any(getattr(before.rules, f) != getattr(after.rules, f) for f in fields):
        found.append((0, "the signature rules (signatures, signatures-from, envelope-from)", None))
    weighting = getattr(before.rules, "weighting", None), getattr(after.rules, "weighting", None)  # the council's only
    if weighting[0] != weighting[1]:
        found.append((0, f"the weighting (was {weighting[0]}, now {weighting[1]})", None))
    for mid in sorted(set(before.members) | set(after.members)):
        old = before.members[mid].keys if mid in before.members else ()
        new = after.members[mid].keys if mid in after.members else ()
        if [(k.line, k.valid_from, k.until) for k in old] == [(k.line, k.valid_from, k.until) for k in new]:
            continue
        kept = {(k.line, k.valid_from, k.until) for k in new}
        added_only = mid in before.members and all((k.line, k.valid_from, k.until) in kept for k in old)
        line = after.members[mid].line if mid in after.members else 0
        found.append((line, f"the keys of '{mid}'", mid if added_only else None))
    for mid in sorted(set(before.members) & set(after.members)):
        # who a member is across rosters (one person, one seat): a new github or person id could make
        # them "the same person" as another assembly's delegate and void that election
        old, new = before.members[mid], after.members[mid]
        if (old.github, old.person) != (new.github, new.person):
            found.append((new.line, f"the identity of '{mid}' (github, person: who they are across rosters)", None))
    return found


def _roster_guard(root: Path, base_root: Path, own: Press, base: Press) -> list[Problem]:
    """A change to who signs — an assembly's editors, its signature rules, a member's keys; the
    council's signature rules and weighting — counts only when enough current signers (at least two,
    or the body's ``signatures`` if more) sign the new record's envelope (``<record>.<signer>.sig``
    beside it), or, for keys added to one member's own entry, that member signs it with a current key.
    The signers are the base branch's — an assembly's editors, the council's seats filled today with
    their delegates' keys — so nobody vouches for themselves with the key they are adding."""
    from .council.decisions import signers_of
    from .decisions import decide

    problems = []
    bodies = [(before, own.records.assemblies.get(aid)) for aid, before in sorted(base.records.assemblies.items())]
    if base.records.council is not None:
        bodies.append((base.records.council, own.records.council))
    for before, after in bodies:
        if after is None:
            continue  # removed, or unreadable: press verify says why
        guarded = _guarded(before, after)
        if not guarded:
            continue
        today = own.decisions.today_of(before)
        if before is base.records.council:  # its seats as the base branch's minutes fill them: no delegate elected in this change signs
            records = read_records(base_root)
            signers = signers_of(records, decide(records, own.decisions.now).delegates, before.id, today)
            who = "council delegates (one per seat)"
        else:
            signers, who = before, f"editors of {before.id}"
        problems += _unsigned_change(root, base_root, signers, today, guarded, who)
    return problems


def _unsigned_change(root: Path, base_root: Path, before, today: dt.date, guarded, who: str) -> list[Problem]:
    """The guarded changes to ``before``'s record (a roster, or the council's) that too few of its
    signers signed; ``before`` is the body as signatures see it on the base branch (an assembly, or
    the council's seats with their delegates' keys)."""
    from .records import ROSTER_SIGNATURE_RE
    from .signatures import check_signed, envelope, verifies

    keyed = [e for e in before.editors if before.members[e].in_good_standing(today) and before.members[e].keys_on(today)]
    if len(keyed) < 2:
        return []  # no two people can sign yet: the record rests on the minutes and code-owner review (docs/security.md)
    rel = before.path
    message = envelope(before.id, "roster", rel, (root / rel).read_bytes(), previous=(base_root / rel).read_bytes())
    record = root / rel
    signatures = {
        m[2]: (f"{Path(rel).parent.as_posix()}/{path.name}", path.read_bytes())
        for path in sorted(record.parent.glob(f"{record.name}.*.sig")) if (m := ROSTER_SIGNATURE_RE.match(path.name)) and not path.is_symlink()
    }  # fmt: skip
    needed = max(2, before.rules.signatures)
    signed = check_signed(before, signatures, today, message)
    if signed.count >= needed:
        return []
    roster = rel.startswith("editorial/assemblies/")  # else the council's record, signed for its seats
    by = f"signed by {', '.join(signed.signers)}" if signed.signers else f"signed by no current {'editor' if roster else 'delegate'}"
    problems = []
    for line, what, member in guarded:
        if member is not None and member in signatures and verifies(message, signatures[member][1], before.members[member].keys_on(today)):
            continue  # the member added a key to their own entry, signed with a key they already had
        own_key = f", or — keys added to {member}'s own entry — {member} signs it with a current key" if member else ""
        problems.append(
            Problem(
                rel, line,
                f"{what} changed — a change to who signs{'' if roster else ' or what a seat weighs'} counts only when {needed} current {who} sign the new "
                f"{'roster' if roster else 'record'} ({rel}.<{'member' if roster else 'seat'}>.sig, see 'Changing who signs' in docs/workflow.md){own_key}; this change is {by}",
            )
        )  # fmt: skip
    return problems


# --------------------------------------------------------------------------- who did what


def _commits(repo, fork: str, prefix: str, changed: set[str]) -> list[tuple[str, list[tuple[str, str]], set[str]]]:
    """(sha, identities, files) of each commit since ``fork``; merge commits with their diff against every
    parent (-m). Only files the change as a whole changes count: a merge of the base brings in nothing."""
    raw = repo.git.log("-m", "--name-only", "-z", "--format=%x1e%H%x1f%an%x1f%ae%x1f%cn%x1f%ce", f"{fork}..HEAD", "--", prefix or ".")
    found: dict[str, tuple[list[tuple[str, str]], set[str]]] = {}
    for chunk in raw.split("\x1e"):
        if not chunk.strip("\0\n"):
            continue
        header, _, names = chunk.partition("\n")
        sha, an, ae, cn, ce = header.strip("\0").split("\x1f")
        identities = [(an, ae)] + ([(cn, ce)] if ce.lower() != WEB_FLOW and (cn, ce) != (an, ae) else [])
        entry = found.setdefault(sha, (identities, set()))
        entry[1].update(n.strip("\n")[len(prefix):] for n in names.split("\0") if n.strip("\n"))
    return [(sha, ids, files & changed) for sha, (ids, files) in found.items()]


class _People:
    """Identities joined into people: a shared name or e-mail, a GitHub no-reply address, a roster
    member's ``github:`` handle and name all tie identities to one person."""

    def __init__(self, press: Press, author: str | None):
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        self.labels: dict[tuple[str, str], str] = {}
        self.author = author
        for assembly in press.records.assemblies.values():
            for member in assembly.members.values():
                if member.github:
                    login = ("login", member.github.lower())
                    self._union(login, ("name", _norm(member.name)))
                    self.labels.setdefault(login, f"@{member.github} ({assembly.id}/{member.id})")
        if author:
            self.labels[("login", author.lower())] = f"@{author} (opened the pull request)"
            self._find(("login", author.lower()))

    def _find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def _union(self, a, b) -> None:
        self.parent[self._find(a)] = self._find(b)

    def add(self, *identities: tuple[str, str]) -> None:
        for name, email in identities:
            self.person(name, email)

    def person(self, name: str, email: str):
        """The person (a root node) behind a commit identity."""
        email_node = ("email", email.strip().lower())
        self.labels.setdefault(email_node, f"{name} <{email}>")
        if _norm(name):
            self._union(("name", _norm(name)), email_node)
        if m := NOREPLY_RE.match(email.strip()):
            self._union(("login", m[1].lower()), email_node)
        return self._find(email_node)

    def login(self, login: str):
        return self._find(("login", login.lower()))

    def describe_one(self, root) -> str:
        labels = [label for node, label in sorted(self.labels.items()) if node in self.parent and self._find(node) == root]
        return ", ".join(labels)

    def describe(self) -> list[str]:
        roots = {self._find(node) for node in self.labels if node[0] == "email" or node == ("login", (self.author or "").lower())}
        return sorted(self.describe_one(r) for r in roots)


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def _named(own: Press, base_records, changed: set[str]) -> set[str]:
    """Articles named by the motions of changed meeting records, before and after the change (a
    correction names its article through the motion it corrects)."""
    by_date = {(m.assembly, m.date): m for m in own.records.meetings}
    changed = changed | {path.rsplit(".", 2)[0] for path in changed if path.endswith(".sig")}  # signed records
    named = set()
    for meeting in [*own.records.meetings, *base_records.meetings]:
        if meeting.path not in changed:
            continue
        for motion in meeting.motions:
            if motion.kind == "correct" and motion.corrects:
                target = by_date.get((meeting.assembly, motion.corrects[0]))
                if target and motion.corrects[1] < len(target.motions):
                    motion = target.motions[motion.corrects[1]]
            if "/" in motion.target:
                named.add(motion.target)
    return named


def _approvals(press: Press, changed: list[str]) -> dict[str, dict[str, int]]:
    """Meeting records the change adds or edits -> the articles whose publication they record, with the line."""
    found: dict[str, dict[str, int]] = {}
    changed_set = set(changed)
    by_date = {(m.assembly, m.date): m for m in press.records.meetings}
    for meeting in press.records.meetings:
        if meeting.path not in changed_set:
            continue
        targets = found.setdefault(meeting.path, {})
        for motion in reversed(meeting.motions):
            if motion.kind == "publish":
                targets[motion.target] = motion.line
            elif motion.kind == "correct" and motion.corrects:  # a correction can turn a failed publish into a passed one
                earlier = by_date.get((meeting.assembly, motion.corrects[0]))
                if earlier and motion.corrects[1] < len(earlier.motions) and earlier.motions[motion.corrects[1]].kind == "publish":
                    targets[earlier.motions[motion.corrects[1]].target] = motion.line
    return found


def _self_approvals(people: _People, commits, approvals: dict[str, dict[str, int]], author: str | None) -> list[Problem]:
    """One person both changing an article (its file or bundle) and recording its approval."""
    problems = []
    for record, targets in sorted(approvals.items()):
        for aid, line in sorted(targets.items()):
            article_paths = (f"content/{aid}.md", f"content/{aid}/")
            editors = {people.person(*i) for _, ids, files in commits if any(f == article_paths[0] or f.startswith(article_paths[1]) for f in files) for i in ids}
            if not editors:
                continue
            recorders = {people.person(*i) for _, ids, files in commits if record in files for i in ids}
            if author:  # the pull request's author answers for every commit in it
                editors.add(people.login(author))
                recorders.add(people.login(author))
            both = editors & recorders
            if not both:
                continue
            who = "; ".join(people.describe_one(p) for p in sorted(both))
            problems.append(
                Problem(
                    record,
                    line,
                    f"this change both edits {aid} and records its approval, both done by {who} — "
                    "a pull request cannot approve itself: record the vote in a separate pull request",
                )
            )
    return problems

"""Fuzzing the engine: random and mutated records and articles never crash it, and nothing is ever
published without a passing, eligible, digest-matching publish motion.

The oracle below re-states the publication rule from the editorial-records guide, independently
of press.decisions, and checks every published article against it.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from math import ceil

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import press
from conftest import PressDir
from press import clock
from press.cli import main

TODAY = dt.date(2026, 11, 21)
ROSTER = (
    "name: Springfield\n"
    "rules: {{quorum: {quorum}, threshold: {threshold}}}\n"
    "members:\n"
    "  - {{id: ana, name: Ana, joined: 2025-01-01}}\n"
    "  - {{id: ben, name: Ben, joined: 2025-01-01}}\n"
    "  - {{id: cai, name: Cai, joined: 2025-01-01, left: 2026-06-01}}\n"
    "  - {{id: dev, name: Dev, joined: 2026-03-01}}\n"
    "editors: [ana]\n"
)
# members in good standing appear more often, so that many random meetings are valid
PEOPLE = ["ana", "ben", "dev"] * 3 + ["cai", "zed", "Ana"]
SLUGS = ["a", "b"]
NOISE = [":", "-", " ", "\t", "[", "]", "{", "}", "&x", "*x", "!!str", "\n", "é", "\x00", "'", '"', "#", "no", "2026-02-30"]

voters = st.lists(st.sampled_from(PEOPLE), max_size=4)


@st.composite
def motion(draw, digests):
    """Two in three motions are orderly (own article, right digest, the people present voting once);
    the rest are chaos."""
    orderly = draw(st.integers(0, 2)) > 0
    slug = draw(st.sampled_from(SLUGS))
    kind = draw(st.sampled_from(["publish", "publish", "reject", "retract"]))
    owner = "springfield" if orderly else draw(st.sampled_from(["springfield", "shelbyville"]))
    lines = [f"  - {kind}: {owner}/{slug}"]
    if kind == "publish":
        wrong = ["sha256:" + "0" * 64, "sha256:xyz"]
        digest = digests[slug] if orderly else draw(st.sampled_from([digests[slug], *wrong]))
        lines.append(f"    digest: {digest}")
    if kind == "retract":
        lines.append("    reason: Wrong.")
    if orderly:
        people = draw(st.permutations(["ana", "ben", "dev"]))
        cut1 = draw(st.integers(0, 3))
        cut2 = draw(st.integers(cut1, 3))
        sides = [people[:cut1], people[cut1:cut2], people[cut2:]]
    else:
        sides = [draw(voters) for _ in range(3)]
    for side, names in zip(("yes", "no", "abstain"), sides):
        lines.append(f"    {side}: [{', '.join(names)}]")
    return "\n".join(lines)


@st.composite
def meeting_text(draw, digests):
    present = ["ana", "ben", "dev"] if draw(st.integers(0, 2)) else draw(st.lists(st.sampled_from(PEOPLE), min_size=2, max_size=5))
    motions = draw(st.lists(motion(digests), max_size=3))
    text = f"present: [{', '.join(present)}]\nmotions:\n" + "\n".join(motions) + "\n"
    return mutate(draw, text) if draw(st.integers(0, 2)) == 0 else text


def mutate(draw, text: str) -> str:
    """Apply a few random edits of the kind a careless or hostile editor makes."""
    for _ in range(draw(st.integers(0, 3))):
        lines = text.split("\n")
        where = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "none"]))
        if action == "delete" and lines:
            del lines[where]
        elif action == "duplicate" and lines:
            lines.insert(where, lines[where])
        elif action == "insert":
            line = lines[where] if lines else ""
            at = draw(st.integers(0, len(line)))
            lines[where:where + 1] = [line[:at] + draw(st.sampled_from(NOISE)) + line[at:]]
        elif action == "truncate":
            lines = lines[: where + 1]
        text = "\n".join(lines)
    return text


@st.composite
def presses(draw):
    quorum = draw(st.sampled_from(["1", "2", "3", '"1/2"', '"2/3"'] * 3 + ["0", "x"]))
    threshold = draw(st.sampled_from(["majority", "two-thirds", '"3/5"'] * 3 + ["most"]))
    roster = ROSTER.format(quorum=quorum, threshold=threshold)
    roster = mutate(draw, roster) if draw(st.integers(0, 3)) == 0 else roster
    articles = {slug: draw(st.sampled_from([f"Title: {slug}\n\nBody {slug}.\n", f"Title: {slug}\n\nBody {slug}, edited.\n"])) for slug in SLUGS}
    raw_article = draw(st.one_of(st.none(), st.binary(max_size=40)))
    digests = {slug: press.digest_bytes(text.encode()) for slug, text in articles.items()}
    days = draw(st.lists(st.integers(-300, 30), min_size=1, max_size=4, unique=True))
    meetings = {(TODAY + dt.timedelta(days=d)).isoformat(): draw(meeting_text(digests)) for d in days}
    return roster, articles, raw_article, meetings


def write(pressdir: PressDir, roster, articles, raw_article, meetings) -> None:
    pressdir.write("editorial/assemblies/springfield.yml", roster)
    for slug, text in articles.items():
        pressdir.write(f"content/springfield/{slug}.md", text)
    if raw_article is not None:
        pressdir.write("content/springfield/raw.md", raw_article)
    for day, text in meetings.items():
        pressdir.write(f"editorial/meetings/springfield/{day}.yml", text)


def oracle_allows(decision: press.ArticleDecision, loaded: press.Press) -> bool:
    """The publication rule, stated from the guide: the latest passed article motion is a publish of
    exactly these bytes, recorded no later than today, cast by members in good standing who were
    present, once each, reaching quorum and threshold."""
    approved = decision.approved
    if approved is None or approved.motion.kind != "publish":
        return False
    motion, meeting = approved.motion, approved.meeting
    assembly = loaded.records.assemblies[decision.article.assembly]
    if motion.digest != decision.article.digest or meeting.date > TODAY or meeting.assembly != assembly.id:
        return False
    day = meeting.date
    members = {m.id for m in assembly.members.values() if m.joined <= day and (m.left is None or day < m.left)}
    present = list(meeting.present or ())
    if set(present) - members or len(set(present)) != len(present):
        return False
    ballots = list(motion.yes) + list(motion.no) + list(motion.abstain)
    if len(set(ballots)) != len(ballots) or set(ballots) - set(present):
        return False
    rules = assembly.rules
    quorum = ceil(rules.quorum * len(members)) if isinstance(rules.quorum, Fraction) else rules.quorum
    yes, no = len(motion.yes), len(motion.no)
    needed = {"majority": None, "two-thirds": Fraction(2, 3)}.get(rules.threshold, rules.threshold)
    carried = yes > no if needed is None else (yes > 0 and yes >= needed * (yes + no))
    if len(ballots) < quorum or not carried:
        return False
    later = [
        o
        for o in loaded.decisions.outcomes
        if o.passed and o.motion.target == decision.article.id and (o.date, o.motion.index) > (day, motion.index)
    ]
    return not later


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=presses())
def test_mutated_records_never_crash_and_never_publish_without_a_valid_vote(tmp_path_factory, case):
    pressdir = PressDir(tmp_path_factory.mktemp("fuzz"))
    write(pressdir, *case)
    loaded = press.load(pressdir.root, clock.at(TODAY))  # must not raise
    for problem in loaded.problems:
        assert problem.path and problem.message
    published = loaded.decisions.published()
    event(f"{len(published)} published")
    for decision in published:
        assert oracle_allows(decision, loaded), (decision.article.id, [str(p) for p in loaded.problems])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=presses())
def test_verify_answers_every_mutated_press_with_json(tmp_path_factory, case):
    pressdir = PressDir(tmp_path_factory.mktemp("fuzzcli"))
    write(pressdir, *case)
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "verify", "--json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    assert data["ok"] is (result.exit_code == 0)

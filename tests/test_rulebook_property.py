"""One rulebook, tested as a property: an assembly and the council give the same answer for the same
votes whenever their rules are the same.

Each example is one press holding both bodies. The assembly ``town`` has members m0…m(n-1), each
with join/leave dates and SSH keys whose ``from``/``until`` windows vary; every member is an editor.
Each member also forms a one-member assembly of the same id that elects them delegate on the day
they join, so the council's seats on any date are exactly the town's members in good standing, each
weighing 1 (``weighting: equal``). Both bodies have the same quorum, threshold and signature rules,
and hold meetings on the same dates with byte-for-byte the same attendance and votes (a seat's id is
its member's id); only the motions' article (``town/x`` or ``council/x``, the same bytes) and the
body named in each signature's envelope differ. Every motion must then come out the same: status,
tally, and the lines of the record the problems point at.

Where the two bodies legitimately differ, the generator leaves the case out (never the assertion):

- no secret ballots (the council always votes by roll-call);
- no meeting dated after today (a body's today is taken in its timezone; both are UTC here anyway);
- keys are never shared between members (a shared key makes two roster entries one person, and
  one person holds at most one council seat: a rule only the council has);
- ``signatures`` never exceeds the members (a roster may not ask more signatures than it has
  editors with keys; the council's signers are the seats filled on each date, so it cannot ask that);
- a member who leaves leaves for good (a delegate who leaves loses the seat until re-elected).
"""

from __future__ import annotations

import base64
import datetime as dt
import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import press
from conftest import PressDir
from press import clock
from press.signatures import envelope
from test_council import cpress  # noqa: F401 (a fixture)
from test_openssh import Signer, armor, sshsig, string

TODAY = dt.date(2026, 11, 21)
START = dt.date(2026, 9, 1)  # the first day a meeting or a join may fall on
KEYS = 12  # ed25519 keys, made once per session; at most 2 per member, never shared
SLUGS = ("x", "y")
ARTICLE = "Title: {slug}\n\nThe same words in both bodies: {slug}.\n"


def ed25519_signer(seed: int) -> Signer:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed + 1]) * 32)
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Signer("ssh-ed25519", string("ssh-ed25519") + string(raw), lambda data: string("ssh-ed25519") + string(private.sign(data)))


class Pool(list):
    """The session's keys (a short repr, so that a failing example stays readable)."""

    def __repr__(self) -> str:
        return f"<{len(self)} ed25519 keys>"


@pytest.fixture(scope="module")
def pool() -> Pool:
    return Pool(ed25519_signer(i) for i in range(KEYS))


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


# --------------------------------------------------------------------------- the generator


@st.composite
def member_keys(draw, owned: list[int]):
    """One or two keys of this member's own, each with an optional from/until window."""
    keys = []
    for index in owned[: draw(st.integers(1, 2))]:
        start = draw(st.one_of(st.none(), st.integers(0, 60)))
        end = draw(st.one_of(st.none(), st.integers((start or 0) + 1, 75)))
        keys.append((index, start, end))
    return keys


@st.composite
def bodies(draw):
    n = draw(st.integers(1, 4))
    members = []
    for i in range(n):
        joined = draw(st.integers(0, 40))
        left = draw(st.one_of(st.none(), st.none(), st.integers(joined + 1, 70)))
        members.append({"id": f"m{i}", "joined": joined, "left": left, "keys": draw(member_keys([2 * i, 2 * i + 1]))})
    rules = {
        "quorum": draw(st.sampled_from(["1", "1", "2", "3", '"1/2"', '"2/3"', '"1/3"'])),
        "threshold": draw(st.sampled_from(["majority", "two-thirds", '"3/5"'])),
    }
    signatures = draw(st.sampled_from([0, 0, 1, 2]))
    signatures = min(signatures, n)  # a roster may not ask more signatures than it has keyed editors
    if signatures:
        rules["signatures"] = str(signatures)
        if draw(st.booleans()):
            rules["signatures-from"] = day(draw(st.integers(0, 70))).isoformat()
    return members, rules


def split(people: list[str]):
    """Some of ``people`` voting yes, no or abstain, once each (the others present, not voting)."""
    return st.permutations(people).flatmap(
        lambda order: st.tuples(st.integers(0, len(order)), st.integers(0, len(order)), st.sampled_from([len(order)] * 3 + list(range(len(order))))).map(
            lambda cut: (order[: min(cut[:2])], order[min(cut[:2]) : max(cut[:2])], order[max(cut[:2]) : max(cut)])
        )
    )


@st.composite
def histories(draw, members):
    """Meetings on distinct days, each with attendance, motions (article motions and corrections of
    earlier ones) and which member signs with which key (their own, or now and then another's)."""
    ids = [m["id"] for m in members]
    anyone = st.lists(st.sampled_from(ids), max_size=len(ids) + 1)
    days = sorted(draw(st.lists(st.integers(0, 80), min_size=1, max_size=4, unique=True)))
    meetings = []
    for i, offset in enumerate(days):
        # two meetings in three are orderly: those in good standing attend and vote at most once each
        standing = [m["id"] for m in members if m["joined"] <= offset and (m["left"] is None or offset < m["left"])]
        orderly = draw(st.integers(0, 2)) > 0
        voters = split(standing) if orderly else st.tuples(anyone, anyone, anyone)
        motions = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["publish", "publish", "reject", "retract", "correct", "correct"] if i else ["publish", "reject", "retract"]))
            motion = {"kind": kind, "slug": draw(st.sampled_from(SLUGS))}
            if kind == "correct":
                j = draw(st.integers(0, i - 1))
                target = meetings[j]
                number = draw(st.integers(1, len(target["motions"]))) if orderly else draw(st.integers(1, 3))
                motion["target"] = f"{target['day'].isoformat()}#{number}"
                # the votes as cast answer to the corrected meeting's attendance
                motion["corrected"] = draw(st.one_of(st.none(), split(target["present"]) if orderly else st.tuples(anyone, anyone, anyone)))
            motion["votes"] = draw(voters)
            motions.append(motion)
        signers = {}
        signing = [mid for mid in standing if draw(st.integers(0, 3))] if orderly else draw(st.lists(st.sampled_from(ids), unique=True))
        for mid in signing:
            keys = members[ids.index(mid)]["keys"]
            valid = [k for k, start, end in keys if (start is None or start <= offset) and (end is None or offset < end)]
            if orderly and valid:  # with a key valid on the day
                signers[mid] = draw(st.sampled_from(valid))
            else:  # any of their keys, or now and then someone else's
                signers[mid] = draw(st.sampled_from([k for k, _, _ in keys])) if draw(st.integers(0, 4)) else draw(st.integers(0, KEYS - 1))
        present = standing if orderly else draw(anyone)
        meetings.append({"day": day(offset), "present": present, "motions": motions, "signers": signers})
    return meetings


@st.composite
def cases(draw):
    members, rules = draw(bodies())
    return members, rules, draw(histories(members))


# --------------------------------------------------------------------------- the press


def flow(ids) -> str:
    return f"[{', '.join(ids)}]"


def roster(members, rules, pool, name: str) -> str:
    def entry(m) -> str:
        keys = []
        for index, start, end in m["keys"]:
            window = (f", from: {day(start)}" if start is not None else "") + (f", until: {day(end)}" if end is not None else "")
            keys.append(f"{{key: {pool[index].line}{window}}}")
        left = f", left: {day(m['left'])}" if m["left"] is not None else ""
        return f"  - {{id: {m['id']}, name: {m['id'].upper()}, joined: {day(m['joined'])}{left}, keys: {flow(keys)}}}\n"

    rule_lines = "".join(f"  {k}: {v}\n" for k, v in rules.items())
    return f"name: {name}\ntimezone: UTC\nrules:\n{rule_lines}members:\n" + "".join(entry(m) for m in members) + f"editors: {flow(m['id'] for m in members)}\n"


def record(meeting, body: str, digests) -> str:
    lines = [f"present: {flow(meeting['present'])}", "motions:"]
    for m in meeting["motions"]:
        if m["kind"] == "correct":
            lines += [f"  - correct: {m['target']}", "    reason: the minutes were wrong"]
            if m["corrected"] is not None:
                yes, no, abstain = m["corrected"]
                lines.append(f"    corrected: {{yes: {flow(yes)}, no: {flow(no)}, abstain: {flow(abstain)}}}")
        else:
            lines.append(f"  - {m['kind']}: {body}/{m['slug']}")
            if m["kind"] == "publish":
                lines.append(f"    digest: {digests[m['slug']]}")
            if m["kind"] == "retract":
                lines.append("    reason: it was wrong")
        for side, names in zip(("yes", "no", "abstain"), m["votes"]):
            lines.append(f"    {side}: {flow(names)}")
    return "\n".join(lines) + "\n"


def write(p: PressDir, pool, members, rules, meetings) -> None:
    p.write("editorial/assemblies/town.yml", roster(members, rules, pool, "Town Assembly"))
    council_rules = "".join(f"  {k}: {v}\n" for k, v in rules.items())
    p.write("editorial/council.yml", f"name: National Council\ntimezone: UTC\nrules:\n{council_rules}  weighting: equal\n")
    for m in members:  # one-member assemblies, each electing its member delegate the day they join
        mid, joined = m["id"], day(m["joined"])
        p.write(f"editorial/assemblies/{mid}.yml", roster([m], {"quorum": 1}, pool, f"Assembly {mid}"))
        p.meeting(mid, joined.isoformat(), f"present: [{mid}]\nmotions:\n  - elect-delegate: {mid}\n    yes: [{mid}]\n")
    digests = {}
    for slug in SLUGS:
        for body in ("town", "council"):
            p.write(f"content/{body}/{slug}.md", ARTICLE.format(slug=slug))
        digests[slug] = p.digest("town", slug)
    for meeting in meetings:
        for body in ("town", "council"):
            path = p.meeting(body, meeting["day"].isoformat(), record(meeting, body, digests))
            rel = path.relative_to(p.root).as_posix()
            message = envelope(body, meeting["day"].isoformat(), rel, path.read_bytes())
            for mid, key in meeting["signers"].items():
                path.with_name(f"{path.name}.{mid}.sig").write_bytes(armor(sshsig(pool[key], message)))


def lines_of(problems, body: str) -> set[tuple[str, int]]:
    """Where the problems of ``body``'s meeting records point: (file name, line)."""
    folder = f"editorial/meetings/{body}/"
    return {(p.path.removeprefix(folder), p.line) for p in problems if p.path.startswith(folder)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_an_assembly_and_the_council_decide_the_same_votes_alike(tmp_path_factory, pool, case):
    members, rules, meetings = case
    p = PressDir(tmp_path_factory.mktemp("rulebook"))
    write(p, pool, members, rules, meetings)
    loaded = press.load(p.root, clock.at(TODAY), cache=False)
    setup = [str(x) for x in loaded.problems if not x.path.startswith(("editorial/meetings/town/", "editorial/meetings/council/"))]
    assert setup == []  # the rosters, the council's rules and the elections are all in order
    town = {(o.date, o.motion.index): o for o in loaded.decisions.outcomes if o.assembly.id == "town"}
    council = {(o.date, o.motion.index): o for o in loaded.decisions.council.outcomes}
    assert town.keys() == council.keys()
    for key, ours in town.items():
        theirs = council[key]
        event(f"{ours.status}{', signed' if rules.get('signatures') and ours.status != 'invalid' else ''}{', corrected' if ours.corrected_by else ''}")
        assert (ours.status, bool(ours.corrected_by)) == (theirs.status, bool(theirs.corrected_by)), (key, ours.reasons, theirs.reasons)
        assert (ours.yes, ours.no, ours.abstain) == (theirs.yes_seats, theirs.no_seats, theirs.abstain_seats), (key, ours.reasons)
        assert (ours.quorum, ours.eligible) == (theirs.quorum, theirs.eligible), key
        assert len(ours.reasons) == len(theirs.reasons), (key, ours.reasons, theirs.reasons)
        if ours.status != "invalid":  # every vote counted: a seat weighs one
            assert (theirs.yes, theirs.no, theirs.abstain) == (theirs.yes_seats, theirs.no_seats, theirs.abstain_seats)
    assert lines_of(loaded.problems, "town") == lines_of(loaded.problems, "council")
    for slug in SLUGS:
        assert loaded.decisions.articles[f"town/{slug}"].state == loaded.decisions.articles[f"council/{slug}"].state


# --------------------------------------------------------------------------- what the property found


def test_a_name_written_twice_on_one_side_is_one_vote_in_every_bodys_tally(cpress):
    """Found by the property above: an assembly's tally counted a voter written twice on one side
    twice, the council's once. The motion is invalid either way; its tally now reads alike."""
    cpress.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n  - reject: springfield/draft\n    yes: [ana, ana]\n    no: [ben]\n")
    cpress.meeting("council", "2026-10-06", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [harbor, harbor]\n    no: [springfield]\n")
    loaded = cpress.load()
    assert "editorial/meetings/springfield/2026-10-06.yml:4: 'ana' voted more than once in this motion (yes and yes) — one vote each" in [str(p) for p in loaded.problems]
    assert "editorial/meetings/council/2026-10-06.yml:4: seat 'harbor' voted more than once in this motion (yes and yes) — one vote per seat" in [str(p) for p in loaded.problems]
    town = next(o for o in loaded.decisions.outcomes if o.assembly.id == "springfield" and o.date == dt.date(2026, 10, 6))
    council = loaded.decisions.council.outcomes[0]
    assert (town.status, town.tally) == ("invalid", "1 yes · 1 no · 0 abstain (quorum 2)")
    assert (council.status, council.tally) == ("invalid", "1 yes · 1 no · 0 abstain (quorum 1 of 2 seats)")

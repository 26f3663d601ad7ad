"""Online ballots: records, opening, the check of every member's ballot, and the count (press.ballots)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from fake_passkey import Passkey
from press.ballot_records import cast_message, cast_name
from press.cli import main

ORIGIN = "https://press.example.org"
HOST = "press.example.org"
MEMBERS = ("ana", "ben", "cai", "dan", "fay")


class BallotPress:
    """A press whose assembly springfield (America/Chicago) puts the article springfield/night to an
    online ballot, 14–20 November 2026, opened by its meeting of 5 November; ``PRESS_NOW`` is after
    the close. Every member has a passkey of this press's site."""

    def __init__(self, pressdir, rules: str = "quorum: 2", origin: str | None = ORIGIN, keys: dict[str, str] | None = None):
        self.p = pressdir
        self.root = pressdir.root
        self.passkeys = {mid: Passkey(HOST) for mid in MEMBERS}
        lines = {mid: f"key: {pk.public_key_line()}" for mid, pk in self.passkeys.items()}
        lines.update(keys or {})
        members = "\n".join(
            f"  - {{id: {mid}, name: {mid.title()}, joined: {'2026-11-15' if mid == 'fay' else '2025-01-01'}, {lines[mid]}}}" for mid in MEMBERS
        )
        pressdir.assembly(text=f"name: Springfield\ntimezone: America/Chicago\nrules:\n  {rules}\nmembers:\n{members}\neditors: [ana, ben]\n")
        pressdir.write("editorial/press.yml", "maintainers: [octo-cat]\n" + (f"ballots:\n  origin: {origin}\n" if origin else ""))
        pressdir.article("springfield", "night", title="Two on every crane at night")
        pressdir.meeting("springfield", "2026-11-05", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: night\n    yes: [ana, ben, cai]\n")
        self.record()

    def record(self, **change) -> Path:
        fields = {
            "question": "Publish \"Two on every crane at night\"?", "motion": "publish", "article": "springfield/night",
            "digest": self.p.digest("springfield", "night"), "opens": "2026-11-14 09:00", "closes": "2026-11-20 20:00",
            "opened-by": "2026-11-05#1", **change,
        }  # fmt: skip
        text = "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)
        return self.p.write("editorial/ballots/springfield/night.yml", text)

    @property
    def record_digest(self) -> str:
        return "sha256:" + hashlib.sha256((self.root / "editorial/ballots/springfield/night.yml").read_bytes()).hexdigest()

    def message(self, voter: str, choice: str, sequence: int = 1, body: str = "springfield", ballot: str = "night", digest: str | None = None) -> bytes:
        return cast_message(body, ballot, f"editorial/ballots/{body}/{ballot}.yml", digest or self.record_digest, voter, choice, sequence)

    def cast(self, mid: str, choice: str, sequence: int = 1, *, passkey: Passkey | None = None, message: bytes | None = None, name: str | None = None, folder: str = "springfield/night", **sign) -> Path:
        voter = f"springfield/{mid}"
        message = message or self.message(voter, choice, sequence)
        signature = (passkey or self.passkeys[mid]).sign(message, sign.pop("origin", ORIGIN), **sign)
        return self.p.write(f"editorial/ballots/{folder}/{name or cast_name(voter, sequence)}", message + signature)

    def close(self, *paths: Path, closed: str = "2026-11-20 20:00") -> Path:
        digests = ["sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
        received = "\n" + "".join(f"  - {d}\n" for d in digests) if digests else " []\n"
        return self.p.write("editorial/ballots/springfield/night.close.yml", f"closed: {closed}\nreceived:{received}")

    def load(self):
        return self.p.load()

    def ballot(self, press=None):
        press = press or self.load()
        return next(b for b in press.decisions.ballots if b.id == "night")

    def why(self, path: Path, press=None) -> str:
        rel = path.relative_to(self.root).as_posix()
        return next(c.why for c in self.ballot(press).casts if c.path == rel)


@pytest.fixture
def bp(pressdir) -> BallotPress:
    return BallotPress(pressdir)


def problems(bp) -> list[str]:
    return [str(p) for p in bp.load().problems]


# --------------------------------------------------------------------------- the count


def test_a_closed_ballot_publishes_the_article_as_a_meeting_would(bp):
    casts = [bp.cast("ana", "yes"), bp.cast("ben", "yes"), bp.cast("cai", "no")]
    bp.close(*casts)
    press = bp.load()
    assert not press.problems, press.problems
    ballot = bp.ballot(press)
    assert (ballot.status, ballot.opened_by, ballot.kind) == ("closed", "the meeting of 2026-11-05, motion 1", "motion")
    assert ballot.eligible == ["springfield/ana", "springfield/ben", "springfield/cai", "springfield/dan"]  # fay joined after the opening
    assert [c.counted for c in ballot.casts] == [True, True, True]
    result = ballot.result
    assert (result.status, result.yes, result.no, result.abstain, result.eligible, result.turnout, result.quorum) == ("passed", 2, 1, 0, 4, 3, 2)
    decision = press.decisions.articles["springfield/night"]
    assert decision.state == "published"
    assert decision.approved is ballot.outcome
    assert ballot.outcome.date.isoformat() == "2026-11-20"
    assert ballot.outcome.provenance == "Approved by online ballot, 14–20 November: 2 yes · 1 no · 0 abstain of 4 eligible"
    assert ballot.outcome.anchor == "ballot-night"


def test_no_quorum_fails_and_abstentions_count_toward_it(pressdir):
    bp = BallotPress(pressdir, rules="quorum: 3")
    casts = [bp.cast("ana", "yes"), bp.cast("ben", "abstain")]
    bp.close(*casts)
    result = bp.ballot().result
    assert (result.status, result.reasons) == ("failed", ["no quorum: 2 ballots cast, 3 needed of 4 eligible"])
    bp.close(*casts, bp.cast("cai", "abstain"))
    press = bp.load()
    assert bp.ballot(press).result.status == "passed"  # 1 yes, 0 no, 2 abstain: quorum met, threshold met
    assert press.decisions.articles["springfield/night"].state == "published"


def test_online_quorum_replaces_the_quorum_for_ballots(pressdir):
    bp = BallotPress(pressdir, rules="quorum: 1\n  online-quorum: 3/4")
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"))
    result = bp.ballot().result
    assert (result.status, result.quorum) == ("failed", 3)
    assert "no quorum: 2 ballots cast, 3 needed of 4 eligible" in result.reasons


def test_the_threshold_is_the_bodys(pressdir):
    bp = BallotPress(pressdir, rules="quorum: 1\n  threshold: two-thirds")
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"), bp.cast("cai", "no"), bp.cast("dan", "no"))
    result = bp.ballot().result
    assert result.status == "failed"
    assert result.reasons == ["threshold not met: 2 yes against 2 no, two-thirds needed"]


def test_a_later_ballot_replaces_an_earlier_one_by_sequence(bp):
    first, second = bp.cast("ana", "no", 1), bp.cast("ana", "yes", 2)
    bp.close(first, second)
    ballot = bp.ballot()
    assert [(c.sequence, c.counted) for c in ballot.casts] == [(1, False), (2, True)]
    assert ballot.casts[0].why == "replaced by editorial/ballots/springfield/night/springfield.ana.2.ballot (sequence 2)"
    assert ballot.result.yes == 1 and ballot.result.no == 0


def test_until_the_close_the_ballot_is_closing_and_decides_nothing(bp):
    bp.cast("ana", "yes")
    press = bp.load()
    ballot = bp.ballot(press)
    assert ballot.status == "closing" and ballot.result is None and ballot.outcome is None
    assert press.decisions.articles["springfield/night"].state == "awaiting-vote"
    bp.record(closes="2026-11-29 20:00")
    ballot = bp.ballot()
    assert ballot.status == "open" and ballot.casts[0].why.startswith("wrong ballot: it answers another version")


# --------------------------------------------------------------------------- refusals


def refused(bp, path: Path, start: str) -> str:
    why = bp.why(path)
    assert why.startswith(start), why
    rel = path.relative_to(bp.root).as_posix()
    found = [p for p in problems(bp) if p.startswith(rel)]
    return why if not found else found[0]


def test_an_unsigned_ballot_is_refused(bp):
    path = bp.p.write(f"editorial/ballots/springfield/night/{cast_name('springfield/ana', 1)}", bp.message("springfield/ana", "yes"))
    assert "not counted: unsigned: no SSH signature follows the envelope" in refused(bp, path, "unsigned")


def test_a_tampered_ballot_is_refused(bp):
    path = bp.cast("ana", "yes")
    path.write_bytes(path.read_bytes().replace(b"choice: yes", b"choice: no "[:10]))  # yes -> no, one byte fewer
    assert "does not verify" in refused(bp, path, "does not verify")


def test_an_ineligible_member_is_refused(bp):
    path = bp.cast("fay", "yes")  # joined on the 15th, after the opening
    assert "ineligible: springfield/fay was not a member of springfield in good standing on 2026-11-14" in refused(bp, path, "ineligible")


def test_a_key_retired_before_the_opening_is_refused(pressdir):
    old = Passkey(HOST)
    bp = BallotPress(pressdir, keys={"ana": f"keys: [{{key: {old.public_key_line()}, until: 2026-11-01}}]"})
    path = bp.cast("ana", "yes", passkey=old)
    assert "revoked key: signed with springfield/ana's key retired on 2026-11-01" in refused(bp, path, "revoked key")


def test_a_ballot_of_another_ballot_is_refused(bp):
    message = bp.message("springfield/ana", "yes", ballot="other-question")
    path = bp.cast("ana", "yes", message=message)
    assert "wrong ballot: cast in the ballot 'other-question', not 'night'" in refused(bp, path, "wrong ballot")


def test_a_ballot_of_another_assembly_is_refused(bp):
    message = bp.message("springfield/ana", "yes", body="harbor")
    path = bp.cast("ana", "yes", message=message)
    assert "wrong assembly" in refused(bp, path, "wrong assembly")


def test_a_passkey_signature_made_on_another_origin_is_refused(bp):
    path = bp.cast("ana", "yes", origin="https://evil.example")
    assert "wrong origin: signed on the page of https://evil.example" in refused(bp, path, "wrong origin")


def test_a_passkey_made_for_another_site_is_refused(pressdir):
    elsewhere = Passkey("other.example")
    bp = BallotPress(pressdir, keys={"ana": f"key: {elsewhere.public_key_line()}"})
    path = bp.cast("ana", "yes", passkey=elsewhere)
    assert "wrong origin: signed with a passkey made for 'other.example'" in refused(bp, path, "wrong origin")


def test_a_passkey_signature_without_user_verification_is_refused(bp):
    path = bp.cast("ana", "yes", user_verified=False)
    assert "no user verification" in refused(bp, path, "no user verification")


def test_a_ballot_arriving_after_the_close_does_not_count(bp):
    counted = bp.cast("ana", "yes")
    bp.close(counted)
    late = bp.cast("ben", "no")
    why = bp.why(late)
    assert why == "arrived after the close: editorial/ballots/springfield/night.close.yml does not list it among the ballots received"
    assert bp.ballot().result.no == 0
    assert not [p for p in problems(bp) if "springfield.ben" in p]  # late is a fact, not a problem


def test_a_choice_that_is_not_an_answer_is_refused(bp):
    path = bp.cast("ana", "maybe")
    assert "invalid choice: choice 'maybe' is not yes, no or abstain" in refused(bp, path, "invalid choice")


def test_a_misnamed_or_malformed_ballot_is_a_problem_with_its_line(bp):
    bp.cast("ana", "yes", name="springfield.ana.7.ballot")
    good = bp.cast("ben", "yes")
    good.write_bytes(good.read_bytes().replace(b"voter: springfield/ben\n", b"who: springfield/ben\n"))
    found = problems(bp)
    assert "editorial/ballots/springfield/night/springfield.ana.7.ballot: a ballot of springfield/ana with sequence 1 is filed as springfield.ana.1.ballot, not springfield.ana.7.ballot" in found
    assert any(p.startswith("editorial/ballots/springfield/night/springfield.ben.1.ballot:6: line 6 must be 'voter: …'") for p in found), found


# --------------------------------------------------------------------------- opening


def test_an_unopened_ballot_is_nowhere_and_verify_says_it_waits(bp):
    bp.record(**{"opened-by": None})
    press = bp.load()
    assert press.decisions.ballots == []
    assert any("waiting to be opened: two editors' signatures" in str(w) for w in press.warnings)
    result = CliRunner().invoke(main, ["--root", str(bp.root), "verify"])
    assert "waiting to be opened" in result.output


def test_a_secret_ballot_assembly_cannot_open_a_ballot(pressdir):
    bp = BallotPress(pressdir, rules="ballot: secret")
    assert any("votes by secret ballot, and online ballots are signed and public" in p and "Belenios" in p for p in problems(bp))
    assert bp.load().decisions.ballots == []


@pytest.mark.parametrize("origin, why", [
    (None, "this press offers no online ballots: editorial/press.yml has no 'ballots: origin:'"),
    ("https://ourparty.github.io", "GitHub Pages address"),
    ("https://192.0.2.7", "IP address"),
    ("http://press.example.org", "passkeys need https"),
    ("https://press.example.org/", "no trailing '/'"),
])  # fmt: skip
def test_ballots_need_the_sites_own_origin(pressdir, origin, why):
    bp = BallotPress(pressdir, origin=origin)
    assert any(why in p for p in problems(bp)), problems(bp)
    assert bp.load().decisions.ballots == []


def test_http_localhost_is_an_origin_for_a_test_server(pressdir):
    bp = BallotPress(pressdir, origin="http://localhost:8123")
    assert not problems(bp)


# --------------------------------------------------------------------------- press ballot add


def received(bp, tmp_path, mid: str, choice: str, sequence: int = 1, **sign) -> Path:
    """A ballot as a secretary receives it by e-mail: a file of any name, outside the press."""
    voter = f"springfield/{mid}"
    message = sign.pop("message", None) or bp.message(voter, choice, sequence)
    path = tmp_path / f"mail-{mid}-{sequence}.txt"
    path.write_bytes(message + bp.passkeys[mid].sign(message, sign.pop("origin", ORIGIN), **sign))
    return path


def add(bp, *paths: Path):
    return CliRunner().invoke(main, ["--root", str(bp.root), "ballot", "add", *map(str, paths)])


def test_press_ballot_add_files_a_ballot_that_counts(pressdir, tmp_path):
    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-29 20:00")  # still open
    result = add(bp, received(bp, tmp_path, "ana", "yes"))
    assert result.exit_code == 0, result.output
    target = bp.root / "editorial/ballots/springfield/night/springfield.ana.1.ballot"
    assert target.is_file() and "filed as editorial/ballots/springfield/night/springfield.ana.1.ballot" in result.output
    assert [c.counted for c in bp.ballot().casts] == [True]
    again = add(bp, received(bp, tmp_path, "ana", "yes"))  # a new signature, the same name: not the same ballot
    assert again.exit_code == 1


@pytest.mark.parametrize("make, why", [
    (lambda bp, t: received(bp, t, "fay", "yes"), "ineligible"),
    (lambda bp, t: received(bp, t, "ana", "yes", origin="https://evil.example"), "wrong origin"),
    (lambda bp, t: received(bp, t, "ana", "yes", message=bp.message("springfield/ana", "yes", ballot="other")), "does not exist in this press"),
    (lambda bp, t: received(bp, t, "ana", "perhaps"), "invalid choice"),
])  # fmt: skip
def test_press_ballot_add_refuses_what_would_not_count_and_writes_nothing(pressdir, tmp_path, make, why):
    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-29 20:00")
    before = sorted(p for p in bp.root.rglob("*") if p.is_file())
    result = add(bp, make(bp, tmp_path))
    assert result.exit_code == 1
    assert why in result.output and "nothing was filed" in result.output
    assert sorted(p for p in bp.root.rglob("*") if p.is_file()) == before


def test_press_ballot_add_refuses_a_replayed_ballot(pressdir, tmp_path):
    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-29 20:00")
    old = received(bp, tmp_path, "ana", "no", 1)
    assert add(bp, received(bp, tmp_path, "ana", "yes", 2)).exit_code == 0
    result = add(bp, old)
    assert result.exit_code == 1
    assert "replayed: sequence 1 is not higher than editorial/ballots/springfield/night/springfield.ana.2.ballot (sequence 2), which counts" in result.output
    assert not (bp.root / "editorial/ballots/springfield/night/springfield.ana.1.ballot").exists()


def test_press_ballot_add_files_a_late_ballot_which_then_does_not_count(bp, tmp_path):
    bp.close(bp.cast("ana", "yes"))
    result = add(bp, received(bp, tmp_path, "ben", "no"))
    assert result.exit_code == 0, result.output
    assert bp.why(bp.root / "editorial/ballots/springfield/night/springfield.ben.1.ballot").startswith("arrived after the close")


def test_press_ballot_add_refuses_a_file_that_is_not_a_ballot(bp, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    result = add(bp, junk)
    assert result.exit_code == 1
    assert "a ballot begins with the line 'assembly-press signed record v1'" in result.output


def test_two_editors_signatures_open_a_ballot_one_does_not(bp):
    bp.record(**{"opened-by": None})
    record = bp.load().records.ballots[0]
    bp.p.write("editorial/ballots/springfield/night.yml.ana.sig", bp.passkeys["ana"].sign(record.opening_message(), ORIGIN))
    press = bp.load()
    assert press.decisions.ballots == []
    assert any("waiting to be opened: two editors' signatures (or a meeting's open-ballot motion) open a ballot; it is signed by ana" in str(w) for w in press.warnings)
    bp.p.write("editorial/ballots/springfield/night.yml.cai.sig", bp.passkeys["cai"].sign(record.opening_message(), ORIGIN))
    assert "editorial/ballots/springfield/night.yml.cai.sig: opening signature not counted: 'cai' is not an editor of springfield — sign again with press ballot sign" in problems(bp)
    bp.p.write("editorial/ballots/springfield/night.yml.ben.sig", bp.passkeys["ben"].sign(record.opening_message(), ORIGIN))
    assert bp.ballot().opened_by == "signed by ana and ben"


def test_an_open_ballot_motion_that_failed_opens_nothing(bp):
    bp.p.meeting("springfield", "2026-11-05", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: night\n    yes: [ana]\n    no: [ben, cai]\n")
    press = bp.load()
    assert press.decisions.ballots == []
    assert any("waiting to be opened: the meeting of 2026-11-05, motion 1 failed" in str(w) for w in press.warnings)


def test_opened_by_must_name_an_open_ballot_motion_of_this_ballot(bp):
    bp.record(**{"opened-by": "2026-11-05#2"})
    assert "editorial/ballots/springfield/night.yml:7: opened-by names the meeting of 2026-11-05, motion 2 of springfield, which is no such motion — it must be 'open-ballot: night'" in problems(bp)


def test_a_key_retired_during_the_ballot_loses_to_the_new_key_whatever_the_sequence(pressdir):
    lost, new = Passkey(HOST), Passkey(HOST)
    keys = f"keys: [{{key: {lost.public_key_line()}, until: 2026-11-17}}, {{key: {new.public_key_line()}, from: 2026-11-17}}]"
    bp = BallotPress(pressdir, keys={"ana": keys})
    stolen = bp.cast("ana", "no", 5, passkey=lost)  # whoever has the lost phone, before the key was retired
    mine = bp.cast("ana", "yes", 1, passkey=new)
    bp.close(stolen, mine)
    ballot = bp.ballot()
    assert {c.sequence: c.counted for c in ballot.casts} == {5: False, 1: True}
    assert "signed with a key still valid at the close" in bp.why(stolen)
    assert ballot.keys["springfield/ana"] == [lost.public_key_line(), new.public_key_line()]
    assert (ballot.result.yes, ballot.result.no) == (1, 0)


def test_a_ranked_question_is_counted_round_by_round(bp):
    bp.record(motion=None, article=None, digest=None, method="ranked", options="\n  - {id: a, name: A}\n  - {id: b, name: B}\n  - {id: c, name: C}")
    bp.close(bp.cast("ana", "a > b"), bp.cast("ben", "b > a"), bp.cast("cai", "c > a"), bp.cast("dan", "a > c"))
    ballot = bp.ballot()
    assert ballot.kind == "ranked" and [o.id for o in ballot.options] == ["a", "b", "c"]
    result = ballot.result
    # round 1: a 2, b 1, c 1 — no majority of 4; b or c goes, and either way a has 3 of 4 in round 2
    assert result.rounds[0] == {"a": 2, "b": 1, "c": 1}
    assert result.rounds[1]["a"] == 3
    assert (result.status, result.winners, result.turnout) == ("decided", ["a"], 4)
    assert ballot.outcome is None  # a question decides no article


def test_an_approval_question_lists_the_approved_in_the_records_order(bp):
    bp.record(motion=None, article=None, digest=None, method="approval", options="\n  - {id: a, name: A}\n  - {id: b, name: B}\n  - {id: c, name: C}")
    paths = [bp.cast("ana", "a, c"), bp.cast("ben", "c"), bp.cast("cai", "c, a"), bp.cast("dan", "abstain")]
    bp.close(*paths)
    ballot = bp.ballot()
    assert bp.why(paths[2]).startswith("invalid choice: choice 'c, a' must list the approved options in the order the ballot record lists them")
    assert ballot.result.approvals == {"a": 1, "b": 0, "c": 2}
    assert (ballot.result.status, ballot.result.winners, ballot.result.abstain) == ("decided", ["c"], 1)


# --------------------------------------------------------------------------- party-wide


@pytest.fixture
def party(pressdir):
    """Springfield (ana, ben, cai) and the harbour (jo, kim, and cee, who is cai: one person) each
    elect a delegate; the council opens a party-wide approval question on 10 November."""
    keys = {mid: Passkey(HOST) for mid in ("ana", "ben", "cai", "jo", "kim", "cee")}

    def member(mid, extra=""):
        return f"  - {{id: {mid}, name: {mid.title()}, joined: 2025-01-01, key: {keys[mid].public_key_line()}{extra}}}\n"

    pressdir.assembly(text="name: Springfield\ntimezone: America/Chicago\nrules:\n  quorum: 1\nmembers:\n" + member("ana") + member("ben") + member("cai", ", person: cai") + "editors: [ana]\n")
    pressdir.assembly("harbor", "name: Harbour\ntimezone: Europe/Berlin\nrules:\n  quorum: 1\nmembers:\n" + member("jo") + member("kim") + member("cee", ", person: cai") + "editors: [jo]\n")
    pressdir.write("editorial/council.yml", "name: National Council\ntimezone: UTC\nrules:\n  quorum: \"1/2\"\n  threshold: majority\n  weighting: equal\n")
    pressdir.write("editorial/press.yml", f"maintainers: [octo-cat]\nballots:\n  origin: {ORIGIN}\n")
    pressdir.meeting("springfield", "2026-09-01", "present: [ana, ben]\nmotions:\n  - elect-delegate: ana\n    yes: [ana, ben]\n")
    pressdir.meeting("harbor", "2026-09-02", "present: [jo, kim]\nmotions:\n  - elect-delegate: jo\n    yes: [jo, kim]\n")
    pressdir.meeting("council", "2026-11-10", "present: [harbor, springfield]\nmotions:\n  - open-ballot: platform\n    yes: [harbor, springfield]\n")
    record = pressdir.write("editorial/ballots/council/platform.yml", (
        "question: Which should the platform put first in 2027?\nmethod: approval\noptions:\n  - {id: housing, name: Homes}\n"
        "  - {id: transit, name: Free transit}\nopens: 2026-11-12 08:00\ncloses: 2026-11-20 20:00\nopened-by: 2026-11-10#1\n"
    ))  # fmt: skip
    del record

    def cast(voter: str, choice: str, sequence: int = 1, body: str = "council", ballot: str = "platform") -> Path:
        rel = f"editorial/ballots/{body}/{ballot}.yml"
        digest = "sha256:" + hashlib.sha256((pressdir.root / rel).read_bytes()).hexdigest()
        message = cast_message(body, ballot, rel, digest, voter, choice, sequence)
        signature = keys[voter.partition("/")[2]].sign(message, ORIGIN)
        return pressdir.write(f"editorial/ballots/{body}/{ballot}/{cast_name(voter, sequence)}", message + signature)

    def close(*paths: Path) -> None:
        received = "".join(f"  - sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}\n" for p in paths)
        pressdir.write("editorial/ballots/council/platform.close.yml", f"closed: 2026-11-20 20:00\nreceived:\n{received}")

    return pressdir, cast, close


def test_a_party_wide_question_counts_one_vote_per_person_with_each_assemblys_figures(party):
    p, cast, close = party
    close(cast("springfield/ana", "housing"), cast("springfield/ben", "housing, transit"), cast("harbor/jo", "transit"), cast("harbor/cee", "housing"))
    press = p.load()
    assert not press.problems, press.problems
    ballot = press.decisions.ballots[0]
    assert (ballot.body, ballot.opened_by) == ("council", "the meeting of 2026-11-10, motion 1")
    assert ballot.eligible == ["harbor/cee", "harbor/jo", "harbor/kim", "springfield/ana", "springfield/ben"]  # cai is cee
    result = ballot.result
    assert (result.status, result.approvals, result.winners, result.eligible, result.quorum) == ("decided", {"housing": 3, "transit": 2}, ["housing"], 5, 3)
    assert result.by_assembly == {
        "harbor": {"approvals": {"housing": 1, "transit": 1}, "eligible": 3, "turnout": 2},
        "springfield": {"approvals": {"housing": 2, "transit": 1}, "eligible": 2, "turnout": 2},
    }


def test_a_person_voting_twice_through_two_assemblies_counts_once(party):
    p, cast, close = party
    twice = [cast("harbor/cee", "housing"), cast("springfield/cai", "transit")]
    close(*twice, cast("springfield/ana", "transit"))
    press = p.load()
    ballot = press.decisions.ballots[0]
    counted = {c.voter: (c.counted, c.person) for c in ballot.casts}
    assert counted["harbor/cee"] == (True, "harbor/cee") and counted["springfield/cai"] == (False, "harbor/cee")
    assert (
        "editorial/ballots/council/platform/springfield.cai.1.ballot: not counted: one vote per person: springfield/cai is the same person "
        "as harbor/cee, whose ballot editorial/ballots/council/platform/harbor.cee.1.ballot counts — a person votes once however many assemblies list them"
    ) in [str(x) for x in press.problems]
    assert ballot.result.approvals == {"housing": 1, "transit": 1} and ballot.result.turnout == 2


# --------------------------------------------------------------------------- the close, and records of bad form


def test_a_close_needs_the_signatures_the_rules_require_of_minutes(pressdir):
    bp = BallotPress(pressdir, rules="quorum: 1\n  signatures: 1")
    bp.p.meeting("springfield", "2026-11-05", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: night\n    yes: [ana, ben, cai]\n")
    bp.p.write("editorial/meetings/springfield/2026-11-05.yml.ana.sig", bp.passkeys["ana"].sign(_minutes_envelope(bp), ORIGIN))
    close = bp.close(bp.cast("ana", "yes"))
    ballot = bp.ballot()
    assert ballot.status == "closing" and ballot.result is None
    record = bp.load().records.ballots[0]
    bp.p.write("editorial/ballots/springfield/night.close.yml.ben.sig", bp.passkeys["ben"].sign(record.close_message(), ORIGIN))
    press = bp.load()
    assert bp.ballot(press).status == "closed" and bp.ballot(press).result.status == "passed", press.problems
    close.write_text(close.read_text().replace("20:00", "19:59"))  # the signed close changed: its signature no longer holds
    assert bp.ballot().status == "closing"


def _minutes_envelope(bp) -> bytes:
    from press.signatures import envelope

    path = "editorial/meetings/springfield/2026-11-05.yml"
    return envelope("springfield", "2026-11-05", path, (bp.root / path).read_bytes())


def test_a_close_before_the_window_ends_or_listing_unknown_ballots_is_a_problem(bp):
    bp.close(bp.cast("ana", "yes"), closed="2026-11-19 20:00")
    assert any("night.close.yml:1: closed 2026-11-19 20:00, before the ballot closes (2026-11-20 20:00)" in p for p in problems(bp))
    assert bp.ballot().status == "closing"
    gone = bp.cast("ben", "yes")
    bp.close(bp.cast("ana", "yes"), gone)
    gone.unlink()
    assert any("night.close.yml: received lists sha256:" in p and "but no ballot of night/ has that digest" in p for p in problems(bp))


@pytest.mark.parametrize("change, expected", [
    ({"motion": None}, "night.yml:1: a ballot has either 'motion:'"),
    ({"opens": "14 November 2026"}, "night.yml:5: 'opens' must be a date and time in the body's timezone, written YYYY-MM-DD HH:MM"),
    ({"closes": "2026-11-13 09:00"}, "night.yml:6: closes 2026-11-13 09:00 must be after opens 2026-11-14 09:00"),
    ({"article": "harbor/night"}, "night.yml:3: article must be an article of springfield, written springfield/<slug>"),
    ({"digest": "sha256:abc"}, "night.yml:4: digest 'sha256:abc' is malformed"),
    ({"motion": "feature"}, "night.yml:2: motion 'feature' must be one of publish, reject, retract, elect-delegate, recall-delegate"),
    ({"method": "approval"}, "night.yml:1: a ballot has either 'motion:'"),
    ({"opened-by": "last week"}, "night.yml:7: opened-by must name the meeting motion that opened the ballot"),
    ({"secret": "yes"}, "night.yml:8: unknown key 'secret'"),
])  # fmt: skip
def test_a_ballot_record_of_bad_form_is_a_problem_at_its_line(bp, change, expected):
    bp.record(**change)
    assert any(p.startswith(f"editorial/ballots/springfield/{expected}") for p in problems(bp)), problems(bp)
    assert bp.load().decisions.ballots == []


def test_stray_files_in_the_ballots_folder_are_problems(bp):
    bp.p.write("editorial/ballots/springfield/notes.txt", "hello\n")
    bp.p.write("editorial/ballots/springfield/night/readme.md", "hello\n")
    bp.p.write("editorial/ballots/atlantis/x.yml", "question: x\n")
    found = problems(bp)
    assert any(p.startswith("editorial/ballots/springfield/notes.txt: a ballots folder holds") for p in found)
    assert any(p.startswith("editorial/ballots/springfield/night/readme.md: a ballot's folder holds only members' ballots") for p in found)
    assert any(p.startswith("editorial/ballots/atlantis: no assembly 'atlantis'") for p in found)


def test_any_bytes_as_a_ballot_are_a_problem_never_a_crash(bp):
    import random

    from press.ballot_records import parse_cast

    good = bp.cast("ana", "yes").read_bytes()
    rng = random.Random(24)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        found: list = []
        cast = parse_cast(bytes(data), "x.ballot", found)
        assert (cast is None) == bool(found)
    path = bp.root / "editorial/ballots/springfield/night/springfield.ana.1.ballot"
    path.write_bytes(bytes(data))
    bp.load()  # whatever the bytes, a problem or a refusal, never an exception


# --------------------------------------------------------------------------- by hand


def test_ssh_keygen_verifies_a_counted_ballot_by_hand_and_refuses_a_changed_byte(bp, tmp_path):
    import shutil
    import subprocess

    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    path = bp.cast("ana", "yes")
    bp.close(path)
    assert bp.why(path) == ""
    raw = path.read_bytes()
    at = raw.index(b"-----BEGIN SSH SIGNATURE-----")
    (tmp_path / "allowed_signers").write_text(
        f'springfield/ana namespaces="assembly-press" {bp.passkeys["ana"].public_key_line()}\n'
    )
    (tmp_path / "envelope.sig").write_bytes(raw[at:])

    def verify(envelope: bytes) -> int:
        return subprocess.run(
            [keygen, "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", "springfield/ana", "-n", "assembly-press", "-s", str(tmp_path / "envelope.sig")],
            input=envelope, capture_output=True,
        ).returncode  # fmt: skip

    assert verify(raw[:at]) == 0
    assert verify(raw[:at].replace(b"choice: yes", b"choice: ye5")) != 0


# --------------------------------------------------------------------------- outcomes in the body's decisions


def test_a_ballot_elects_a_delegate_and_a_recall_names_the_current_one(bp):
    bp.record(motion="elect-delegate", article=None, digest=None, member="cai")
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"))
    press = bp.load()
    term = press.decisions.delegate("springfield", bp.ballot(press).outcome.date)
    assert term.member == "cai" and term.elected is bp.ballot(press).outcome
    bp.record(motion="recall-delegate", article=None, digest=None, member="dan")
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"))
    result = bp.ballot().result
    assert (result.status, result.reasons) == ("invalid", ["cannot recall 'dan': there is no delegate of springfield on 2026-11-20"])


def test_a_ballot_retracts_what_a_meeting_published(bp):
    bp.p.publish("springfield", "night", "2026-11-03", yes="[ana, ben, cai]")
    bp.p.meeting("springfield", "2026-11-05", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: night\n    yes: [ana, ben, cai]\n")
    assert bp.load().decisions.articles["springfield/night"].state == "published"
    bp.record(motion="retract", digest=None, reason="The figures were wrong.")
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"), bp.cast("cai", "no"))
    decision = bp.load().decisions.articles["springfield/night"]
    assert decision.state == "retracted"
    assert decision.decided.provenance == "Retracted by online ballot, 14–20 November: 2 yes · 1 no · 0 abstain of 4 eligible"
    assert decision.history[0].provenance.startswith("Approved at the meeting of 3 November 2026: 3 yes")


def test_a_ballot_signed_with_another_members_key_is_refused(bp):
    path = bp.cast("ana", "yes", passkey=bp.passkeys["ben"])
    assert "not springfield/ana's key: the signature was made with another key" in refused(bp, path, "not springfield/ana's key")


def test_a_members_plain_ssh_key_signs_a_ballot_with_ssh_keygen(pressdir, tmp_path):
    import shutil
    import subprocess

    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    bp = BallotPress(pressdir, keys={"ana": f"key: {key.with_suffix('.pub').read_text().strip()}"})
    message = tmp_path / "envelope"
    message.write_bytes(bp.message("springfield/ana", "no"))
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", "assembly-press", "-f", str(key), str(message)], check=True)
    path = bp.p.write("editorial/ballots/springfield/night/springfield.ana.1.ballot", message.read_bytes() + (tmp_path / "envelope.sig").read_bytes())
    bp.close(path)
    ballot = bp.ballot()
    assert ballot.casts[0].counted and ballot.result.no == 1


def test_anything_after_the_signature_is_refused(bp):
    path = bp.cast("ana", "yes")
    path.write_bytes(path.read_bytes() + b"PS: see you Tuesday\n")
    assert "does not verify (not an SSH signature" in refused(bp, path, "does not verify")



def test_a_delegate_elected_by_ballot_holds_the_council_seat(party):
    p, cast, close = party
    p.meeting("springfield", "2026-11-05", "present: [ana, ben]\nmotions:\n  - open-ballot: new-delegate\n    yes: [ana, ben]\n")
    p.write("editorial/ballots/springfield/new-delegate.yml", (
        "question: Ben as our delegate?\nmotion: elect-delegate\nmember: ben\nopens: 2026-11-06 09:00\ncloses: 2026-11-08 20:00\nopened-by: 2026-11-05#1\n"
    ))  # fmt: skip
    votes = [cast(f"springfield/{mid}", "yes", body="springfield", ballot="new-delegate") for mid in ("ana", "ben")]
    received = "".join(f"  - sha256:{hashlib.sha256(v.read_bytes()).hexdigest()}\n" for v in votes)
    p.write("editorial/ballots/springfield/new-delegate.close.yml", f"closed: 2026-11-08 20:00\nreceived:\n{received}")
    press = p.load()
    assert not press.problems, press.problems
    assert press.decisions.delegate("springfield").member == "ben"
    assert press.decisions.council.seats_today["springfield"].delegate == "ben"
    assert [t.ended_by for t in press.decisions.delegates["springfield"]] == ["replaced", None]


def test_a_party_wide_ballot_cannot_elect_a_delegate(party):
    p, cast, close = party
    p.write("editorial/ballots/council/platform.yml", "question: x\nmotion: elect-delegate\nmember: ana\nopens: 2026-11-12 08:00\ncloses: 2026-11-20 20:00\nopened-by: 2026-11-10#1\n")
    assert any("elect-delegate is put to an assembly's ballot, not a party-wide one — delegates are elected and recalled by their own assemblies" in str(x) for x in p.load().problems)


def test_press_ballot_add_writes_nothing_if_one_of_several_is_refused_and_twice_is_once(pressdir, tmp_path):
    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-29 20:00")
    good, bad = received(bp, tmp_path, "ana", "yes"), received(bp, tmp_path, "fay", "yes")
    result = add(bp, good, bad)
    assert result.exit_code == 1 and "1 of 2 ballot(s) refused; nothing was filed" in result.output
    assert not (bp.root / "editorial/ballots/springfield/night").exists()
    assert add(bp, good).exit_code == 0
    again = add(bp, good)
    assert again.exit_code == 0 and "already filed as editorial/ballots/springfield/night/springfield.ana.1.ballot" in again.output


# --------------------------------------------------------------------------- the count against a model of it


def test_the_count_is_each_members_highest_untampered_ballot(tmp_path_factory):
    """Any mix of ballots — several a member, some altered after signing — counts as the rule says:
    per member the highest sequence among those that verify, and nothing else."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from conftest import PressDir

    casts = st.lists(
        st.tuples(st.sampled_from(("ana", "ben", "cai", "dan")), st.sampled_from(("yes", "no", "abstain")), st.integers(1, 4), st.booleans()),
        max_size=8, unique_by=lambda c: (c[0], c[2]),
    )  # fmt: skip

    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(casts)
    def check(plan):
        bp = BallotPress(PressDir(tmp_path_factory.mktemp("count") / "press"))
        paths = []
        for mid, choice, sequence, tampered in plan:
            path = bp.cast(mid, choice, sequence)
            if tampered:  # another answer after signing: the envelope reads well, the signature no longer holds
                other = {"yes": "no", "no": "abstain", "abstain": "yes"}[choice]
                path.write_bytes(path.read_bytes().replace(f"choice: {choice}\n".encode(), f"choice: {other}\n".encode()))
            paths.append(path)
        bp.close(*paths)
        press = bp.load()
        best: dict[str, tuple[int, str]] = {}
        for mid, choice, sequence, tampered in plan:
            if not tampered and sequence > best.get(mid, (0, ""))[0]:
                best[mid] = (sequence, choice)
        result = bp.ballot(press).result
        expected = [sum(1 for _, c in best.values() if c == side) for side in ("yes", "no", "abstain")]
        assert [result.yes, result.no, result.abstain] == expected
        counted = sorted((c.voter.partition("/")[2], c.sequence) for c in bp.ballot(press).casts if c.counted)
        assert counted == sorted((mid, s) for mid, (s, _) in best.items())

    check()


def test_a_party_wide_motion_publishes_a_council_statement_with_each_assemblys_figures(party):
    p, cast, close = party
    p.article("council", "statement", title="Our statement")
    p.write("editorial/ballots/council/platform.yml", (
        f"question: Publish our statement?\nmotion: publish\narticle: council/statement\ndigest: {p.digest('council', 'statement')}\n"
        "opens: 2026-11-12 08:00\ncloses: 2026-11-20 20:00\nopened-by: 2026-11-10#1\n"
    ))  # fmt: skip
    close(cast("springfield/ana", "yes"), cast("springfield/ben", "no"), cast("harbor/jo", "yes"), cast("harbor/kim", "abstain"))
    press = p.load()
    assert not press.problems, press.problems
    ballot = press.decisions.ballots[0]
    assert ballot.result.by_assembly == {
        "harbor": {"yes": 1, "no": 0, "abstain": 1, "eligible": 3, "turnout": 2},
        "springfield": {"yes": 1, "no": 1, "abstain": 0, "eligible": 2, "turnout": 2},
    }
    decision = press.decisions.articles["council/statement"]
    assert decision.state == "published"
    assert decision.approved.provenance == "Approved by online ballot, 12–20 November: 2 yes · 1 no · 1 abstain of 5 eligible"

"""``press ballot sign | open | second | close | status``: what a member and the editors run, every bad
argument (exit 2, one line), every refusal (exit 1, nothing written) and the files they leave."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ballot_press import AFTER_CLOSE, BEFORE_CLOSE, FOLDER, ORIGIN, RECORD, build, make_keys, pub, roster, write
from fake_passkey import Passkey

# A ballot season with fixed windows around 21 November 2026 (see conftest.as_of_the_season).
pytestmark = pytest.mark.usefixtures("as_of_the_season")
from press.ballot_records import cast_message
from press.cli import main


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def passkey():
    return Passkey("press.example.org")


@pytest.fixture
def root(tmp_path, keys, passkey) -> Path:
    return build(tmp_path / "press", keys, passkey)


def run(root: Path, *args: str, now: str | None = None):
    extra = ["--now", now] if now else []
    return CliRunner().invoke(main, ["--root", str(root), *extra, *map(str, args)])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def sign(root: Path, keys, voter: str = "harbor/cai", choice: str = "yes", *extra: str, key: str | None = None, now: str | None = None):
    return run(root, "ballot", "sign", "harbor", "night-shifts", "--voter", voter, "--choice", choice, "--key", keys[key or voter.split("/")[1]], *extra, now=now)


def file_cast(root: Path, name: str, data: bytes) -> Path:
    return write(root, f"{FOLDER}/{name}", data)


def load(root: Path, now: str = "2026-11-21T18:00:00Z"):
    from press import clock, load as load_press

    return load_press(root, clock.parse_instant(now, "--now"))


# --------------------------------------------------------------------------- press ballot sign


def test_a_member_signs_a_ballot_that_counts_and_ssh_keygen_verifies(root, keys, tmp_path):
    result = sign(root, keys, "harbor/cai", "no")
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.startswith(b"assembly-press signed record v1\n")
    digest = "sha256:" + hashlib.sha256((root / RECORD).read_bytes()).hexdigest()
    envelope = cast_message("harbor", "night-shifts", RECORD, digest, "harbor/cai", "no", 1)
    assert data.startswith(envelope)
    assert f"receipt: sha256:{hashlib.sha256(data).hexdigest()}" in result.stderr
    # by hand, as docs/online-ballots.md tells anyone to check a ballot
    (tmp_path / "envelope").write_bytes(envelope)
    (tmp_path / "envelope.sig").write_bytes(data[len(envelope) :])
    (tmp_path / "allowed_signers").write_text(f'harbor/cai namespaces="assembly-press" {pub(keys, "cai")}\n')
    checked = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", tmp_path / "allowed_signers", "-I", "harbor/cai", "-n", "assembly-press", "-s", tmp_path / "envelope.sig"],
        input=envelope, capture_output=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    file_cast(root, "harbor.cai.1.ballot", data)
    ballot = load(root).decisions.ballots[0]
    assert [(c.voter, c.choice, c.counted) for c in ballot.casts] == [("harbor/cai", "no", True)]


def test_the_sequence_follows_the_voters_highest_in_the_repository(root, keys, tmp_path):
    first = sign(root, keys, "harbor/cai", "no", "--out", tmp_path / "first.ballot")
    assert first.exit_code == 0, first.output
    assert "filed as harbor.cai.1.ballot" in first.stderr
    file_cast(root, "harbor.cai.1.ballot", (tmp_path / "first.ballot").read_bytes())
    file_cast(root, "harbor.cai.7.ballot", b"not even a ballot\n")  # a file the press cannot read still takes its number
    second = sign(root, keys, "harbor/cai", "yes")
    assert second.exit_code == 0, second.output
    assert b"\nsequence: 8\n" in second.stdout_bytes
    file_cast(root, "harbor.cai.8.ballot", second.stdout_bytes)
    (root / FOLDER / "harbor.cai.7.ballot").unlink()
    counted = [c for c in load(root).decisions.ballots[0].casts if c.counted]
    assert [(c.choice, c.sequence) for c in counted] == [("yes", 8)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ballot", "sign", "harbor", "no-such", "--voter", "harbor/cai", "--choice", "yes"], "no ballot 'no-such' of harbor: editorial/ballots/harbor/no-such.yml does not exist"),
        (["ballot", "sign", "atlantis", "night-shifts", "--voter", "harbor/cai", "--choice", "yes"], "no assembly 'atlantis'"),
        (["ballot", "sign", "harbor", "night-shifts", "--voter", "cai", "--choice", "yes"], "--voter must be ASSEMBLY/MEMBER, e.g. harbor/ayse, not 'cai'"),
        (["ballot", "sign", "harbor", "night-shifts", "--voter", "harbor/cai", "--choice", "maybe"], "--choice: choice 'maybe' is not yes, no or abstain"),
        (["ballot", "sign", "harbor", "night-shifts", "--voter", "harbor/cai", "--choice", "yes", "--sequence", "0"], "Invalid value for '--sequence'"),
        (["ballot", "sign", "harbor", "night-shifts", "--voter", "harbor/cai", "--choice", "yes", "--key", "no-such-key"], "does not exist"),
        (["ballot", "sign", "harbor", "night-shifts", "--choice", "yes"], "Missing option '--voter'"),
        (["ballot", "sign", "harbor", "../night-shifts", "--voter", "harbor/cai", "--choice", "yes"], "no ballot '../night-shifts' of harbor"),
    ],
)
def test_sign_bad_arguments_exit_2_with_one_line(root, keys, args, message):
    before = snapshot(root)
    if "--key" not in args:
        args = [*args, "--key", str(keys["cai"])]
    result = run(root, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    if not message.startswith(("Invalid", "Missing")) and message != "does not exist":  # click's own usage lines aside
        assert message in one_line(result.output)
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("voter", "key", "extra", "now", "message"),
    [
        ("harbor/cai", "mallory", [], None, "not kept: not harbor/cai's key: the signature was made with another key"),
        ("harbor/cai", "dev", [], None, "not kept: not harbor/cai's key"),
        ("harbor/lea", "cai", [], None, "harbor/lea is not an eligible voter of this ballot"),
        ("harbor/cai", "cai", [], AFTER_CLOSE, "this ballot is closing: it closed 2026-11-25 20:00 (Europe/Berlin)"),
        ("harbor/cai", "cai", [], "2026-11-14T07:59:00Z", "this ballot is upcoming: it opens 2026-11-14 09:00 (Europe/Berlin)"),
    ],
)
def test_sign_refusals_exit_1_and_write_nothing(root, keys, tmp_path, voter, key, extra, now, message):
    before = snapshot(root)
    result = sign(root, keys, voter, "yes", "--out", tmp_path / "mine.ballot", *extra, key=key, now=now)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "press: nothing was recorded" in result.output
    assert not (tmp_path / "mine.ballot").exists()
    assert snapshot(root) == before


def test_an_old_sequence_is_refused(root, keys):
    file_cast(root, "harbor.cai.3.ballot", sign(root, keys, "harbor/cai", "yes", "--sequence", "3").stdout_bytes)
    before = snapshot(root)
    result = sign(root, keys, "harbor/cai", "no", "--sequence", "2")
    assert result.exit_code == 1, result.output
    assert f"{FOLDER}/harbor.cai.3.ballot: harbor/cai already cast a ballot with sequence 3: a new one needs a higher number" in result.output
    assert "leave out --sequence (it takes 4)" in result.output
    assert snapshot(root) == before


def test_sign_never_writes_over_a_file(root, keys, tmp_path):
    out = tmp_path / "mine.ballot"
    out.write_bytes(b"my earlier copy\n")
    result = sign(root, keys, "harbor/cai", "yes", "--out", out)
    assert result.exit_code == 1, result.output
    assert "already exists — nothing was written over it" in result.output
    assert out.read_bytes() == b"my earlier copy\n"


def test_sign_refuses_a_ballot_nobody_opened(root, keys):
    write(root, "editorial/ballots/harbor/quiet.yml", "question: Quiet?\nmotion: reject\narticle: harbor/night-shifts\nopens: 2026-11-14 09:00\ncloses: 2026-11-25 20:00\n")
    result = run(root, "ballot", "sign", "harbor", "quiet", "--voter", "harbor/cai", "--choice", "yes", "--key", keys["cai"])
    assert result.exit_code == 1, result.output
    assert "this ballot is not open" in result.output


def test_a_ballot_signed_on_another_origin_is_refused(root, keys, passkey):
    """The passkey signature passes ssh-keygen (test_fake_passkey.py), but the count checks the origin."""
    digest = "sha256:" + hashlib.sha256((root / RECORD).read_bytes()).hexdigest()
    envelope = cast_message("harbor", "night-shifts", RECORD, digest, "harbor/ayse", "yes", 1)
    file_cast(root, "harbor.ayse.1.ballot", envelope + passkey.sign(envelope, "https://shop.press.example.org"))
    envelope2 = cast_message("harbor", "night-shifts", RECORD, digest, "harbor/ayse", "no", 2)
    file_cast(root, "harbor.ayse.2.ballot", envelope2 + passkey.sign(envelope2, ORIGIN))
    press = load(root)
    assert f"{FOLDER}/harbor.ayse.1.ballot: not counted: wrong origin: signed on the page of https://shop.press.example.org" in "\n".join(map(str, press.problems))
    assert [(c.sequence, c.counted) for c in press.decisions.ballots[0].casts] == [(1, False), (2, True)]


# --------------------------------------------------------------------------- press ballot open


OPEN = ["ballot", "open", "harbor"]


def test_open_writes_a_publish_ballot_with_the_articles_digest_now(root, keys):
    result = run(root, *OPEN, "late-cranes", "--question", "Publish it?", "--publish", "harbor/night-shifts", "--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00")
    assert result.exit_code == 0, result.output
    assert "two editors open it: press ballot second harbor late-cranes" in result.output
    digest = "sha256:" + hashlib.sha256((root / "content/harbor/night-shifts.md").read_bytes()).hexdigest()
    assert (root / "editorial/ballots/harbor/late-cranes.yml").read_text() == (
        f"question: Publish it?\nmotion: publish\narticle: harbor/night-shifts\ndigest: {digest}\nopens: 2026-11-22 09:00\ncloses: 2026-11-29 20:00\n"
    )
    assert not load(root).problems


def test_open_writes_a_platform_question(root):
    write(root, "editorial/meetings/harbor/2026-11-06.yml", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: priorities\n    yes: [ana, ben, cai]\n")
    result = run(
        root, *OPEN, "priorities", "--question", "What first?", "--method", "ranked", "--option", "housing=Homes before profit",
        "--option", "transit=Free public transit", "--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00", "--opened-by", "2026-11-06#1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (root / "editorial/ballots/harbor/priorities.yml").read_text()
    assert "method: ranked\noptions:\n- id: housing\n  name: Homes before profit\n- id: transit\n  name: Free public transit\n" in text
    opened = [b for b in load(root).decisions.ballots if b.id == "priorities"]
    assert [o.id for o in opened[0].options] == ["housing", "transit"]
    assert opened[0].status == "upcoming"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --publish, --reject, --retract, --elect, --recall or --method with --option"),
        (["--publish", "harbor/night-shifts", "--reject", "harbor/night-shifts"], "give exactly one of"),
        (["--method", "approval", "--option", "a=A"], "a question needs at least two --option"),
        (["--reject", "harbor/night-shifts", "--option", "a=A"], "--option belongs to a question"),
        (["--method", "approval", "--option", "a=A", "--option", "bee"], "'bee' is not id=\"Name\""),
        (["--retract", "harbor/night-shifts"], "--reason goes with --retract"),
        (["--publish", "harbor/nothing"], "harbor/nothing"),
        (["--reject", "harbor/night-shifts", "--opens", "tomorrow"], "'tomorrow' is not a date and time written 'YYYY-MM-DD HH:MM'"),
        (["--method", "fancy", "--option", "a=A", "--option", "b=B"], "Invalid value for '--method'"),
        (["--reject", "harbor/night-shifts", "ID:Night_Shifts"], "ballot id 'Night_Shifts' must be lowercase letters, digits and '-'"),
        (["--reject", "harbor/night-shifts", "ID:../../meetings/harbor/x"], "ballot id '../../meetings/harbor/x' must be lowercase"),
    ],
)
def test_open_bad_arguments_exit_2(root, args, message):
    before = snapshot(root)
    window = [] if "--opens" in args else ["--opens", "2026-11-22 09:00"]
    ballot_id = next((a[3:] for a in args if a.startswith("ID:")), "new-one")
    args = [a for a in args if not a.startswith("ID:")]
    result = run(root, *OPEN, ballot_id, "--question", "Q?", *args, *window, "--closes", "2026-11-29 20:00")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--opens", "2026-11-29 09:00", "--closes", "2026-11-22 20:00"], "closes 2026-11-22 20:00 must be after opens 2026-11-29 09:00"),
        (["--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00", "--opened-by", "the-meeting"], "opened-by must name the meeting motion"),
        (["--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00", "--opened-by", "2026-11-05#2"], "opened-by names the meeting of 2026-11-05, motion 2 of harbor, which is no such motion"),
    ],
)
def test_open_refusals_exit_1_and_write_nothing(root, args, message):
    before = snapshot(root)
    result = run(root, *OPEN, "new-one", "--question", "Q?", "--reject", "harbor/night-shifts", *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "press: nothing was recorded" in result.output
    assert snapshot(root) == before


def test_open_never_rewrites_a_ballot_record(root):
    before = snapshot(root)
    result = run(root, *OPEN, "night-shifts", "--question", "Q?", "--reject", "harbor/night-shifts", "--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00")
    assert result.exit_code == 1, result.output
    assert f"{RECORD}: this ballot record exists already — ballot records are append-only once written" in result.output
    assert snapshot(root) == before


def test_open_is_refused_where_ballots_are_secret_or_the_site_has_no_origin(root, keys, passkey):
    args = ["--question", "Q?", "--reject", "harbor/night-shifts", "--opens", "2026-11-22 09:00", "--closes", "2026-11-29 20:00"]
    write(root, "editorial/assemblies/harbor.yml", roster(keys, passkey).replace("signatures: 0}", "signatures: 0, ballot: secret}"))
    result = run(root, *OPEN, "new-one", *args)
    assert result.exit_code == 1, result.output
    assert "harbor votes by secret ballot, and online ballots are signed and public" in result.output
    assert not (root / "editorial/ballots/harbor/new-one.yml").exists()
    write(root, "editorial/assemblies/harbor.yml", roster(keys, passkey))
    write(root, "editorial/press.yml", "maintainers: [sam-okoro]\n")
    result = run(root, *OPEN, "new-one", *args)
    assert result.exit_code == 1, result.output
    assert "this press offers no online ballots" in result.output
    assert not (root / "editorial/ballots/harbor/new-one.yml").exists()


# --------------------------------------------------------------------------- press ballot second


def test_two_editors_second_a_ballot_and_it_opens(root, keys):
    run(root, *OPEN, "late-cranes", "--question", "Reject it?", "--reject", "harbor/night-shifts", "--opens", "2026-11-21 09:00", "--closes", "2026-11-29 20:00")
    result = run(root, "ballot", "status", "harbor", "late-cranes")
    assert "not open — waiting to be opened: two editors' signatures (or a meeting's open-ballot motion) open a ballot; it is not signed" in result.output
    first = run(root, "ballot", "second", "harbor", "late-cranes", "--key", keys["ana"])
    assert first.exit_code == 0, first.output
    assert "signed late-cranes.yml as ana: wrote editorial/ballots/harbor/late-cranes.yml.ana.sig" in first.output
    assert not [b for b in load(root).decisions.ballots if b.id == "late-cranes"]
    second = run(root, "sign", root / "editorial/ballots/harbor/late-cranes.yml", "--key", keys["ben"], "--member", "ben")  # press sign does the same
    assert second.exit_code == 0, second.output
    assert (root / "editorial/ballots/harbor/late-cranes.yml.ben.sig").is_file()
    opened = [b for b in load(root).decisions.ballots if b.id == "late-cranes"]
    assert opened and opened[0].opened_by == "signed by ana and ben" and opened[0].status == "open"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "KEY:cai", "--member", "cai"], "'cai' is not an editor of harbor"),
        (["--key", "KEY:mallory", "--member", "ana"], "signature not kept: it does not verify with a roster key of ana valid on 2026-11-14"),
        (["--key", "KEY:mallory"], "cannot tell which editor you are from the key — pass --member"),
        (["--key", "KEY:ana", "--close"], "night-shifts has no close record yet — press ballot close harbor night-shifts writes it"),
    ],
)
def test_second_bad_keys_and_members_exit_2_and_write_nothing(root, keys, args, message):
    before = snapshot(root)
    args = [str(keys[a.split(":")[1]]) if a.startswith("KEY:") else a for a in args]
    result = run(root, "ballot", "second", "harbor", "night-shifts", *args)
    assert result.exit_code == 2, result.output
    assert message in one_line(result.output)
    assert snapshot(root) == before


# --------------------------------------------------------------------------- press ballot close


def test_close_is_refused_before_the_closing_instant(root, keys):
    before = snapshot(root)
    result = run(root, "ballot", "close", "harbor", "night-shifts", now=BEFORE_CLOSE)
    assert result.exit_code == 1, result.output
    assert f"{RECORD}: this ballot closes 2026-11-25 20:00 (Europe/Berlin): it cannot be closed before then" in result.output
    assert snapshot(root) == before


def test_close_lists_the_ballots_received_and_the_editors_sign_it(root, keys):
    cai = sign(root, keys, "harbor/cai", "yes").stdout_bytes
    dev = sign(root, keys, "harbor/dev", "no").stdout_bytes
    file_cast(root, "harbor.cai.1.ballot", cai)
    file_cast(root, "harbor.dev.1.ballot", dev)
    file_cast(root, "harbor.ben.1.ballot", b"no ballot at all\n")  # a problem of its own, and nothing the close lists
    # the assembly's rules ask two signatures of minutes: its close needs them too
    write(root, "editorial/assemblies/harbor.yml", (root / "editorial/assemblies/harbor.yml").read_text().replace("signatures: 0", "signatures: 2, signatures-from: 2026-11-10"))
    result = run(root, "ballot", "close", "harbor", "night-shifts", now=AFTER_CLOSE)
    assert result.exit_code == 0, result.output
    assert "2 ballot(s) received" in result.output
    close = root / "editorial/ballots/harbor/night-shifts.close.yml"
    digests = sorted("sha256:" + hashlib.sha256(d).hexdigest() for d in (cai, dev))
    assert close.read_text() == f"closed: 2026-11-25 20:00\nreceived:\n  - {digests[0]}\n  - {digests[1]}\n"
    (root / FOLDER / "harbor.ben.1.ballot").unlink()
    assert load(root, AFTER_CLOSE).decisions.ballots[0].status == "closing"
    for editor in ("ana", "ben"):
        signed = run(root, "ballot", "second", "harbor", "night-shifts", "--close", "--key", keys[editor], now=AFTER_CLOSE)
        assert signed.exit_code == 0, signed.output
        assert (root / f"editorial/ballots/harbor/night-shifts.close.yml.{editor}.sig").is_file()
    ballot = load(root, AFTER_CLOSE).decisions.ballots[0]
    assert ballot.status == "closed"
    assert (ballot.result.yes, ballot.result.no, ballot.result.eligible) == (1, 1, 5)
    status = run(root, "ballot", "status", "harbor", now=AFTER_CLOSE)
    assert "result: failed — 1 yes · 1 no · 0 abstain of 5 eligible (quorum 2)" in status.output
    again = run(root, "ballot", "close", "harbor", "night-shifts", now=AFTER_CLOSE)
    assert again.exit_code == 1
    assert "this ballot is closed already" in again.output or "a close record is append-only" in again.output
    assert close.read_text().startswith("closed: 2026-11-25 20:00\n")


def test_close_bad_arguments_exit_2(root):
    result = run(root, "ballot", "close", "harbor", "nothing-here", now=AFTER_CLOSE)
    assert result.exit_code == 2
    assert "no ballot 'nothing-here' of harbor" in one_line(result.output)


# --------------------------------------------------------------------------- press ballot status


def test_status_shows_who_voted_and_what_would_count(root, keys, passkey):
    file_cast(root, "harbor.cai.1.ballot", sign(root, keys, "harbor/cai", "yes").stdout_bytes)
    file_cast(root, "harbor.dev.1.ballot", sign(root, keys, "harbor/dev", "no").stdout_bytes.replace(b"choice: no", b"choice: yes"))
    result = run(root, "ballot", "status", "harbor")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "night-shifts: Publish \"Two on every crane at night\" as approved by the assembly?" in out
    assert "open: 2026-11-14 09:00 to 2026-11-25 20:00 (Europe/Berlin); opened by the meeting of 2026-11-05, motion 1" in out
    assert "5 eligible; 2 voted; 3 not yet" in out
    assert "would count now: 1 yes (1 of 5 eligible; quorum 2)" in out
    assert "1 ballot file(s) not counted — press ballot status harbor night-shifts says why" in out
    assert "not yet voted" not in out  # the names are for one ballot's status
    one = run(root, "ballot", "status", "harbor", "night-shifts").output
    assert "not yet voted: harbor/ana, harbor/ayse, harbor/ben" in one
    cai = (root / FOLDER / "harbor.cai.1.ballot").read_bytes()
    assert f"harbor.cai.1.ballot  yes  sha256:{hashlib.sha256(cai).hexdigest()}  counts" in one
    assert "harbor.dev.1.ballot  yes  sha256:" in one and "not counted: does not verify" in one


def test_status_bad_arguments_exit_2(root):
    for args, message in ((["atlantis"], "no assembly 'atlantis'"), (["harbor", "nothing"], "no ballot 'nothing' of harbor")):
        result = run(root, "ballot", "status", *args)
        assert result.exit_code == 2
        assert message in one_line(result.output)


def test_a_ballot_nobody_voted_in_closes_with_an_empty_list(root):
    result = run(root, "ballot", "close", "harbor", "night-shifts", now=AFTER_CLOSE)
    assert result.exit_code == 0, result.output
    assert (root / "editorial/ballots/harbor/night-shifts.close.yml").read_text() == "closed: 2026-11-25 20:00\nreceived: []\n"
    press = load(root, AFTER_CLOSE)
    assert not press.problems
    result = press.decisions.ballots[0].result
    assert (result.status, result.turnout, result.quorum) == ("failed", 0, 2)


def test_the_secretary_files_what_press_ballot_sign_wrote(root, keys, tmp_path):
    """sign → send → press ballot add: the member's file goes where the count reads it, and a newer
    one replaces it."""
    for sequence, choice in ((1, "no"), (2, "abstain")):
        out = tmp_path / f"cai-{sequence}.ballot"
        assert sign(root, keys, "harbor/cai", choice, "--out", out).exit_code == 0
        filed = run(root, "ballot", "add", out)
        assert filed.exit_code == 0, filed.output
        assert (root / FOLDER / f"harbor.cai.{sequence}.ballot").read_bytes() == out.read_bytes()
    counted = [c for c in load(root).decisions.ballots[0].casts if c.counted]
    assert [(c.voter, c.choice, c.sequence) for c in counted] == [("harbor/cai", "abstain", 2)]

"""``press check`` on pull requests that touch online ballots: a ballot's files are append-only once
merged (one rule with the minutes'), a member's ballot must be signed with the voter's roster key
(read with the base branch's rosters too), and a close comes only after the closing instant."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ballot_press import AFTER_CLOSE, FOLDER, RECORD, build, make_keys, pub, write
from conftest import commit, git
from fake_passkey import Passkey

# A ballot season with fixed windows around 21 November 2026 (see conftest.as_of_the_season).
pytestmark = pytest.mark.usefixtures("as_of_the_season")
from press.cli import main

CLOSE = "editorial/ballots/harbor/night-shifts.close.yml"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return make_keys(tmp_path_factory.mktemp("keys"))


def run(root: Path, *args: str, now: str | None = None):
    extra = ["--now", now] if now else []
    return CliRunner().invoke(main, ["--root", str(root), *extra, *map(str, args)])


def cast(root: Path, keys, voter: str, choice: str, key: str | None = None, now: str | None = None) -> bytes:
    result = run(root, "ballot", "sign", "harbor", "night-shifts", "--voter", voter, "--choice", choice, "--key", keys[key or voter.split("/")[1]], now=now)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.fixture
def merged(tmp_path, keys) -> Path:
    """The ballot press on main, with cai's ballot merged; the pull request's branch checked out."""
    root = build(tmp_path / "press", keys, Passkey("press.example.org"))
    git(root, "init", "-q", "-b", "main")
    write(root, f"{FOLDER}/harbor.cai.1.ballot", cast(root, keys, "harbor/cai", "yes"))
    commit(root, "A ballot opened at the meeting of 5 November, and cai's ballot")
    git(root, "checkout", "-q", "-b", "change")
    return root


def check(root: Path, now: str | None = None):
    return run(root, "check", "--base", "main", now=now)


def test_adding_a_members_ballot_passes(merged, keys):
    write(merged, f"{FOLDER}/harbor.dev.1.ballot", cast(merged, keys, "harbor/dev", "no"))
    write(merged, f"{FOLDER}/harbor.cai.2.ballot", cast(merged, keys, "harbor/cai", "no"))
    commit(merged, "Two ballots received by e-mail", author="Sec Retary <sec@example.org>")
    result = check(merged)
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output


@pytest.mark.parametrize("signer", ["mallory", "dev"])
def test_a_ballot_signed_with_someone_elses_key_fails(merged, keys, signer):
    """dev (a member) or mallory (nobody) signs a ballot in cai's name: the pull request fails."""
    forged = cast(merged, keys, "harbor/dev", "no", key="dev").replace(b"voter: harbor/dev", b"voter: harbor/cai").replace(b"sequence: 1", b"sequence: 2")
    if signer == "mallory":
        from press.ballot_records import cast_message
        from press.signatures import signature_of

        digest = "sha256:" + hashlib.sha256((merged / RECORD).read_bytes()).hexdigest()
        envelope = cast_message("harbor", "night-shifts", RECORD, digest, "harbor/cai", "no", 2)
        forged = envelope + signature_of(envelope, "x.ballot", keys["mallory"])
    write(merged, f"{FOLDER}/harbor.cai.2.ballot", forged)
    commit(merged, "cai changes their mind (or does someone else?)", author="Dev <dev@example.org>")
    result = check(merged)
    assert result.exit_code == 1, result.output
    assert f"- `{FOLDER}/harbor.cai.2.ballot`: not counted: not harbor/cai's key: the signature was made with another key" in result.output


def test_a_key_added_in_the_same_pull_request_does_not_sign_a_ballot(merged, keys):
    """mallory adds her key to cai's roster entry and casts in cai's name: the base branch's rosters
    (and the roster guard) refuse it."""
    roster = merged / "editorial/assemblies/harbor.yml"
    text = roster.read_text()
    line = next(l for l in text.splitlines() if "id: cai" in l)
    new = f"  - id: cai\n    name: Cai\n    joined: 2025-01-01\n    keys:\n      - {{key: {pub(keys, 'cai')}}}\n      - {{key: {pub(keys, 'mallory')}}}\n"
    roster.write_text(text.replace(line + "\n", new))
    write(merged, f"{FOLDER}/harbor.cai.2.ballot", cast(merged, keys, "harbor/cai", "no", key="mallory"))
    commit(merged, "A second key for cai, and a ballot", author="Mallory <mallory@example.org>")
    result = check(merged)
    assert result.exit_code == 1, result.output
    assert f"`{FOLDER}/harbor.cai.2.ballot`: with the base branch's rosters: not counted: not harbor/cai's key" in result.output


@pytest.mark.parametrize(
    ("target", "how"),
    [
        (RECORD, "change"),
        (RECORD, "delete"),
        (f"{FOLDER}/harbor.cai.1.ballot", "change"),
        (f"{FOLDER}/harbor.cai.1.ballot", "delete"),
    ],
)
def test_a_merged_ballot_file_cannot_be_changed_or_deleted(merged, target, how):
    path = merged / target
    if how == "delete":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes().replace(b"yes", b"no", 1).replace(b"Publish", b"Approve", 1))
    commit(merged, f"{how} {target}")
    result = check(merged)
    assert result.exit_code == 1, result.output
    what = "deleted" if how == "delete" else "changed"
    assert (
        f"- `{target}`: this file of an online ballot is on the base branch and was {what} — a ballot's record, its members' ballots "
        "and its close are append-only once merged"
    ) in result.output


def test_a_close_is_added_only_after_the_closing_instant(merged, keys):
    digest = "sha256:" + hashlib.sha256((merged / FOLDER / "harbor.cai.1.ballot").read_bytes()).hexdigest()
    write(merged, CLOSE, f"closed: 2026-11-25 20:00\nreceived:\n  - {digest}\n")
    commit(merged, "Close the ballot early")
    early = check(merged)
    assert early.exit_code == 1, early.output
    assert f"- `{CLOSE}:1`: closed 2026-11-25 20:00 is in the future" in early.output
    write(merged, CLOSE, f"closed: 2026-11-21 18:00\nreceived:\n  - {digest}\n")
    commit(merged, "Close the ballot now, then")
    backdated = check(merged)
    assert backdated.exit_code == 1, backdated.output
    assert "before the ballot closes (2026-11-25 20:00) — a ballot closes when its window ends" in backdated.output
    write(merged, CLOSE, f"closed: 2026-11-25 20:00\nreceived:\n  - {digest}\n")
    commit(merged, "Close the ballot when it closes")
    assert check(merged, now=AFTER_CLOSE).exit_code == 0


def test_a_merged_close_is_append_only_and_its_counted_signatures_stay(tmp_path, keys):
    root = build(tmp_path / "press", keys, Passkey("press.example.org"))
    roster = root / "editorial/assemblies/harbor.yml"
    roster.write_text(roster.read_text().replace("signatures: 0", "signatures: 2, signatures-from: 2026-11-10"))
    git(root, "init", "-q", "-b", "main")
    write(root, f"{FOLDER}/harbor.cai.1.ballot", cast(root, keys, "harbor/cai", "yes"))
    assert run(root, "ballot", "close", "harbor", "night-shifts", now=AFTER_CLOSE).exit_code == 0
    for editor in ("ana", "ben"):
        assert run(root, "ballot", "second", "harbor", "night-shifts", "--close", "--key", keys[editor], now=AFTER_CLOSE).exit_code == 0
    commit(root, "The ballot, closed and signed")
    git(root, "checkout", "-q", "-b", "change")
    (root / f"{CLOSE}.ben.sig").unlink()
    late = cast(root, keys, "harbor/dev", "no", now="2026-11-25T18:00:00Z")
    write(root, f"{FOLDER}/harbor.dev.1.ballot", late)  # a late ballot may be filed: it is not received, and does not count
    close = root / CLOSE
    close.write_text(close.read_text() + f"  - sha256:{hashlib.sha256(late).hexdigest()}\n")
    commit(root, "Let dev's late ballot in")
    result = check(root, now=AFTER_CLOSE)
    assert result.exit_code == 1, result.output
    assert f"- `{CLOSE}.ben.sig`: ben's signature of {CLOSE} counted on the base branch and was removed — signatures that count stay" in result.output
    assert f"- `{CLOSE}`: this file of an online ballot is on the base branch and was changed" in result.output


def test_a_ballot_filed_in_a_ballot_nobody_opened_fails(merged, keys):
    """Unopened, a ballot's casts are judged by nobody: a forged one must not wait in the repository
    for the day two editors open it."""
    write(merged, "editorial/ballots/harbor/quiet.yml", "question: Quiet?\nmotion: reject\narticle: harbor/night-shifts\nopens: 2026-11-14 09:00\ncloses: 2026-11-25 20:00\n")
    commit(merged, "A ballot record, not opened yet")
    git(merged, "checkout", "-q", "main")
    git(merged, "merge", "-q", "--ff-only", "change")
    git(merged, "checkout", "-q", "-b", "forge")
    night = (merged / FOLDER / "harbor.cai.1.ballot").read_bytes()
    write(merged, "editorial/ballots/harbor/quiet/harbor.cai.1.ballot", night.replace(b"night-shifts", b"quiet"))
    commit(merged, "cai's ballot in the quiet one", author="Dev <dev@example.org>")
    result = check(merged)
    assert result.exit_code == 1, result.output
    assert "- `editorial/ballots/harbor/quiet/harbor.cai.1.ballot`: a member's ballot filed in a ballot that is not open" in result.output

"""Signed minutes: throwaway keys made by ssh-keygen, every way a signature can fail to count."""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import press
from press.cli import main
from press.records import MemberKey
from press.signatures import NAMESPACE, check_meeting, verify_signature

RECORD = "editorial/meetings/springfield/2026-10-06.yml"
DATE = dt.date(2026, 10, 6)


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (.ci/run installs openssh-client)")
        pytest.skip(f"{tool} is not installed (Debian: openssh-client)")
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Path]:
    require("ssh-keygen")
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("ana", "ben", "cai", "dev"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
        made[name] = folder / name
    return made


def pub(keys, name) -> str:
    return (keys[name].with_suffix(".pub")).read_text().strip()


def ssh_sign(keys, signer: str, file: Path, as_member: str, namespace: str = NAMESPACE) -> Path:
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", namespace, "-f", str(keys[signer]), str(file)], check=True)
    target = file.with_name(f"{file.name}.{as_member}.sig")
    file.with_name(file.name + ".sig").rename(target)
    return target


@pytest.fixture
def signed_press(pressdir, keys):
    """Springfield requires 2 editor signatures; ana, ben and cai are editors, dev is a member."""
    def roster(ben_key: str | None = None, cai_left: str | None = None) -> None:
        left = f", left: {cai_left}" if cai_left else ""
        pressdir.assembly(
            text="name: Springfield\nrules: {quorum: 2, signatures: 2}\nmembers:\n"
            f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}\n"
            f"  - {{id: ben, name: Ben, joined: 2025-01-01, key: {ben_key or pub(keys, 'ben')}}}\n"
            f"  - {{id: cai, name: Cai, joined: 2025-01-01{left}, key: {pub(keys, 'cai')}}}\n"
            f"  - {{id: dev, name: Dev, joined: 2025-01-01, key: {pub(keys, 'dev')}}}\n"
            "editors: [ana, ben, cai]\n"
        )

    roster()
    pressdir.article("springfield", "rent", body="Signed approval.")
    pressdir.publish("springfield", "rent", "2026-10-06")
    pressdir.roster = roster
    return pressdir


def state(pressdir) -> str:
    return pressdir.load().decisions.articles["springfield/rent"].state


def test_two_editor_signatures_make_the_record_count(signed_press, keys):
    record = signed_press.root / RECORD
    assert state(signed_press) == "awaiting-vote"
    outcome = signed_press.load().decisions.outcomes[0]
    assert "awaiting signatures: springfield requires 2 editor signature(s), this record is not signed" in outcome.reasons
    ssh_sign(keys, "ana", record, "ana")
    assert state(signed_press) == "awaiting-vote"
    assert "this record is signed by ana" in signed_press.load().decisions.outcomes[0].reasons[0]
    ssh_sign(keys, "ben", record, "ben")
    assert state(signed_press) == "published"
    assert signed_press.problems() == []


@pytest.mark.parametrize(
    ("signer", "as_member", "namespace", "why"),
    [
        ("ben", "ben", "git", "does not verify with ben's key for namespace 'assembly-press'"),
        ("ana", "ben", NAMESPACE, "does not verify with ben's key"),  # ana's key in ben's name
        ("dev", "dev", NAMESPACE, "'dev' is not an editor of springfield"),
        ("dev", "zed", NAMESPACE, "'zed' is not a member of springfield"),
    ],
)
def test_a_bad_second_signature_does_not_count(signed_press, keys, signer, as_member, namespace, why):
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    sig = ssh_sign(keys, signer, record, as_member, namespace)
    assert state(signed_press) == "awaiting-vote"
    rel = sig.relative_to(signed_press.root).as_posix()
    assert any(p.startswith(f"{rel}: signature not counted: {why}") for p in signed_press.problems()), signed_press.problems()


def test_editing_a_signed_record_voids_its_signatures(signed_press, keys):
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    ssh_sign(keys, "ben", record, "ben")
    assert state(signed_press) == "published"
    record.write_text(record.read_text().replace("yes: [ana, ben]", "yes: [ana, ben, cai]").replace("present: [ana, ben, cai]", "present: [ana, ben, cai]"))
    record.write_text(record.read_text() + "notes: amended after signing\n")
    assert state(signed_press) == "awaiting-vote"
    assert sum("over these exact bytes" in p for p in signed_press.problems()) == 2


def test_an_editor_who_left_before_the_meeting_cannot_sign(signed_press, keys):
    signed_press.roster(cai_left="2026-09-01")
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    ssh_sign(keys, "cai", record, "cai")
    assert state(signed_press) == "awaiting-vote"
    assert any("'cai' was not a member in good standing on 2026-10-06" in p for p in signed_press.problems())


def test_one_key_for_two_members_counts_once(signed_press, keys):
    signed_press.roster(ben_key=pub(keys, "ana"))
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    ssh_sign(keys, "ana", record, "ben")
    assert state(signed_press) == "awaiting-vote"
    loaded = signed_press.load()
    check = check_meeting(loaded.records.assemblies["springfield"], loaded.records.meetings[0])
    assert check.signers == ["ana"]
    assert any("already counted for another editor" in why for _, why in check.rejected)


def test_orphan_signature_is_a_problem(signed_press, keys):
    sig = signed_press.root / "editorial/meetings/springfield/2026-09-01.yml.ana.sig"
    sig.write_text("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n")
    assert "editorial/meetings/springfield/2026-09-01.yml.ana.sig: signature of 2026-09-01.yml, which does not exist — remove it" in signed_press.problems()


def test_verification_agrees_with_ssh_keygen(signed_press, keys, tmp_path):
    """Differential test: the in-process verifier and `ssh-keygen -Y verify` accept and reject alike."""
    record = signed_press.root / RECORD
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("".join(f'{name} namespaces="{NAMESPACE}" {pub(keys, name)}\n' for name in ("ana", "ben")))
    cases = [  # (identity, signature, signed bytes, valid?)
        ("ana", ssh_sign(keys, "ana", record, "ana"), record.read_bytes(), True),
        ("ben", ssh_sign(keys, "ben", record, "ben", "git"), record.read_bytes(), False),
        ("ben", ssh_sign(keys, "ana", record, "ben"), record.read_bytes(), False),
        ("ana", signed_press.root / f"{RECORD}.ana.sig", record.read_bytes() + b"\n", False),
    ]
    for identity, sig, data, valid in cases:
        ours = verify_signature(data, sig.read_bytes(), [MemberKey(pub(keys, identity))], DATE)[0] is not None
        theirs = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", identity, "-n", NAMESPACE, "-s", str(sig)],
            input=data, capture_output=True,
        ).returncode == 0  # fmt: skip
        assert ours == theirs == valid, (identity, sig.name)


def test_press_sign_with_a_key_file(signed_press, keys, monkeypatch):
    monkeypatch.chdir(signed_press.root)  # the record is named relative to where the editor stands
    runner = CliRunner()
    root = str(signed_press.root)
    result = runner.invoke(main, ["--root", root, "sign", str(signed_press.root / RECORD), "--key", str(keys["ana"])])
    assert result.exit_code == 0, result.output
    assert "as ana" in result.output
    result = runner.invoke(main, ["--root", root, "sign", RECORD, "--key", str(keys["ben"]), "--member", "ben"])
    assert result.exit_code == 0, result.output
    assert (signed_press.root / f"{RECORD}.ben.sig").is_file()
    assert state(signed_press) == "published"


def test_press_sign_through_ssh_agent(signed_press, keys, monkeypatch):
    require("ssh-agent")
    agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    env = dict(part.split("=", 1) for part in agent.replace(";", "\n").split() if "=" in part)
    monkeypatch.setenv("SSH_AUTH_SOCK", env["SSH_AUTH_SOCK"])
    try:
        subprocess.run(["ssh-add", "-q", str(keys["cai"])], check=True, capture_output=True)
        result = CliRunner().invoke(main, ["--root", str(signed_press.root), "sign", str(signed_press.root / RECORD), "--member", "cai"])
        assert result.exit_code == 0, result.output
    finally:
        subprocess.run(["kill", env["SSH_AGENT_PID"]])
    assert (signed_press.root / f"{RECORD}.cai.sig").is_file()
    loaded = signed_press.load()
    assert check_meeting(loaded.records.assemblies["springfield"], loaded.records.meetings[0]).signers == ["cai"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sign", "content/springfield/rent.md", "--member", "ana"], "is not a meeting record under editorial/meetings/"),
        (["sign", RECORD, "--member", "dev", "--key", "KEY"], "'dev' is not an editor of springfield"),
        (["sign", RECORD, "--key", "NOKEY"], "does not exist"),
    ],
)
def test_press_sign_rejects_bad_arguments(signed_press, keys, args, message, monkeypatch):
    monkeypatch.chdir(signed_press.root)
    args = [str(keys["dev"]) if a == "KEY" else a for a in args]
    result = CliRunner().invoke(main, ["--root", str(signed_press.root), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_signed_press_verifies_like_any_other(signed_press, keys):
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    ssh_sign(keys, "cai", record, "cai")
    assert press.load(signed_press.root).problems == []


# --------------------------------------------------------------------------- keys over time


def rotated_roster(pressdir, keys, *, until: str = "2026-11-01", signatures: str = "signatures: 2") -> None:
    """ana's laptop was lost: her old key ('dev''s key file stands in for it) is valid until 2026-11-01."""
    pressdir.assembly(
        text=f"name: Springfield\nrules: {{quorum: 2, {signatures}}}\nmembers:\n"
        "  - id: ana\n    name: Ana\n    joined: 2025-01-01\n    keys:\n"
        f"      - {{key: {pub(keys, 'dev')}, until: {until}}}\n"
        f"      - {{key: {pub(keys, 'ana')}, from: {until}}}\n"
        f"  - {{id: ben, name: Ben, joined: 2025-01-01, key: {pub(keys, 'ben')}}}\n"
        "  - {id: cai, name: Cai, joined: 2025-01-01}\n"
        "editors: [ana, ben]\n"
    )


def test_rotating_a_key_keeps_earlier_signatures_valid(signed_press, keys):
    record = signed_press.root / RECORD  # the meeting of 2026-10-06, before the rotation
    rotated_roster(signed_press, keys)
    ssh_sign(keys, "dev", record, "ana")  # signed with the key ana had then
    ssh_sign(keys, "ben", record, "ben")
    assert state(signed_press) == "published"
    assert signed_press.problems() == []


def test_a_retired_key_cannot_sign_a_later_meeting_and_a_new_key_cannot_sign_an_earlier_one(signed_press, keys):
    rotated_roster(signed_press, keys, until="2026-10-01")  # rotated before the meeting of 2026-10-06
    record = signed_press.root / RECORD
    old = ssh_sign(keys, "dev", record, "ana")
    ssh_sign(keys, "ben", record, "ben")
    assert state(signed_press) == "awaiting-vote"
    rel = old.relative_to(signed_press.root).as_posix()
    assert any(p.startswith(f"{rel}: signature not counted: does not verify with ana's key") and "valid on the meeting date" in p for p in signed_press.problems())
    ssh_sign(keys, "ana", record, "ana")  # the new key, valid from 2026-10-01
    assert state(signed_press) == "published"
    rotated_roster(signed_press, keys, until="2026-12-01")  # the new key is valid only after the meeting
    assert state(signed_press) == "awaiting-vote"


@pytest.mark.parametrize(
    ("keys_yaml", "problem"),
    [
        ("    key: KEY\n    keys: [{key: KEY}]\n", ":7: 'ana' has both 'key' and 'keys' — list every key under 'keys' with its dates"),
        ("    keys:\n      - {key: KEY, from: 2026-02-01, until: 2026-01-01}\n", ":7: key of 'ana': until 2026-01-01 must be after from 2026-02-01"),
        ("    keys:\n      - {key: KEY, since: 2026-01-01}\n", ":7: unknown key 'since' for a key of 'ana' — allowed keys: key, from, until"),
        ("    keys:\n      - {key: not-a-key}\n", ":7: key of 'ana' is not an OpenSSH public key"),
        ("    keys: KEY\n", ":6: 'keys' of 'ana' must be a list of {key, from, until}"),
    ],
)
def test_bad_keys_are_named_with_their_line(pressdir, keys, keys_yaml, problem):
    pressdir.assembly(text="name: S\nmembers:\n  - id: ana\n    name: Ana\n    joined: 2025-01-01\n" + keys_yaml.replace("KEY", pub(keys, "ana")))
    assert any(p.startswith(f"editorial/assemblies/springfield.yml{problem}") for p in pressdir.problems()), pressdir.problems()


def test_signatures_from_a_date_keep_earlier_records_counting(pressdir, keys):
    """Signing turned on in November: the September election still counts, so October's recall is valid."""
    pressdir.assembly(
        text="name: Springfield\nrules: {quorum: 2, signatures: 1, signatures-from: 2026-11-01}\nmembers:\n"
        f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}\n"
        "  - {id: ben, name: Ben, joined: 2025-01-01}\n  - {id: cai, name: Cai, joined: 2025-01-01}\neditors: [ana]\n"
    )
    pressdir.meeting("springfield", "2026-09-01", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: cai\n    yes: [ana, ben]\n")
    pressdir.meeting("springfield", "2026-10-06", "present: [ana, ben, cai]\nmotions:\n  - recall-delegate: cai\n    yes: [ana, ben]\n")
    nov = pressdir.meeting("springfield", "2026-11-03", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: ben\n    yes: [ana, cai]\n")
    loaded = pressdir.load()
    assert loaded.problems == []
    terms = loaded.decisions.delegates["springfield"]
    assert [(t.member, t.ended_by) for t in terms] == [("cai", "recalled")]  # November's awaits its signature
    assert "awaiting signatures: springfield requires 1 editor signature(s)" in loaded.decisions.outcomes[-1].reasons[0]
    ssh_sign(keys, "ana", nov, "ana")
    assert [t.member for t in pressdir.load().decisions.delegates["springfield"]] == ["cai", "ben"]
    # without the date, turning signing on would undo the past: the recall names no delegate
    pressdir.assembly(text=(pressdir.root / "editorial/assemblies/springfield.yml").read_text().replace(", signatures-from: 2026-11-01", ""))
    assert any("cannot recall 'cai': there is no delegate" in p for p in pressdir.problems())


def test_signatures_from_needs_signatures(pressdir):
    pressdir.assembly(text="name: S\nrules: {signatures-from: 2026-11-01}\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01}\n")
    assert "editorial/assemblies/springfield.yml:2: 'signatures-from' needs 'signatures' (how many editors sign) to be at least 1" in pressdir.problems()


def test_a_pull_request_may_add_signatures_but_not_remove_one_that_counted(signed_press, keys):
    from conftest import commit, git

    root = signed_press.root
    record = root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Minutes, signed by ana")
    git(root, "checkout", "-q", "-b", "sign")
    ssh_sign(keys, "ben", record, "ben")
    commit(root, "Ben signs", author="Ben <ben@example.org>")
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--base", "main"])
    assert result.exit_code == 0, result.output
    assert "| `springfield/rent` | published |" in result.output
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "sign")
    git(root, "checkout", "-q", "-b", "unsign")
    (root / f"{RECORD}.ana.sig").unlink()
    commit(root, "Take back a signature", author="Ben <ben@example.org>")
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--base", "main"])
    assert result.exit_code == 1
    assert f"- `{RECORD}.ana.sig`: ana's signature of {RECORD} counted on the base branch and was removed — signatures that count stay" in result.output


def test_a_retired_key_cannot_add_a_backdated_record(pressdir, keys):
    """The thief of ana's old laptop signs a new record dated back to when that key was valid."""
    import datetime as dt

    from conftest import TODAY as today
    from conftest import commit, git

    lost, meeting = today - dt.timedelta(days=10), today - dt.timedelta(days=20)
    rotated_roster(pressdir, keys, until=lost.isoformat(), signatures="signatures: 1")
    pressdir.article("springfield", "rent")
    git(pressdir.root, "init", "-q", "-b", "main")
    commit(pressdir.root, "Roster with ana's rotated key")
    git(pressdir.root, "checkout", "-q", "-b", "backdated")
    record = pressdir.publish("springfield", "rent", meeting.isoformat())
    sig = ssh_sign(keys, "dev", record, "ana")  # the old key, valid on the meeting date
    commit(pressdir.root, "Minutes", author="Ana Ruiz <ana@example.org>")
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "check", "--base", "main"])
    assert result.exit_code == 1
    rel = sig.relative_to(pressdir.root).as_posix()
    assert f"- `{rel}`: signed with ana's key retired on {lost} — a retired key signs nothing new: sign with the current key" in result.output


def test_press_sign_keeps_only_a_signature_that_will_count(signed_press, keys, monkeypatch):
    import datetime as dt

    from conftest import TODAY

    monkeypatch.chdir(signed_press.root)
    root = str(signed_press.root)
    result = CliRunner().invoke(main, ["--root", root, "sign", RECORD, "--key", str(keys["dev"]), "--member", "ana"])
    assert result.exit_code == 2
    assert "signature not kept: it does not verify with a roster key of ana valid on 2026-10-06" in result.output
    assert not (signed_press.root / f"{RECORD}.ana.sig").exists()
    retired = (TODAY - dt.timedelta(days=1)).isoformat()
    rotated_roster(signed_press, keys, until=retired)  # ana's old key ('dev') was valid on 2026-10-06, retired yesterday
    result = CliRunner().invoke(main, ["--root", root, "sign", RECORD, "--key", str(keys["dev"]), "--member", "ana"])
    assert result.exit_code == 2
    assert f"signature not kept: it was made with ana's key retired on {retired} — a retired key signs nothing new" in result.output
    assert not (signed_press.root / f"{RECORD}.ana.sig").exists()


def test_a_failed_press_sign_leaves_an_earlier_signature_as_it_was(signed_press, keys, monkeypatch):
    monkeypatch.chdir(signed_press.root)
    root = str(signed_press.root)
    good = CliRunner().invoke(main, ["--root", root, "sign", RECORD, "--key", str(keys["ana"]), "--member", "ana"])
    assert good.exit_code == 0, good.output
    sig = signed_press.root / f"{RECORD}.ana.sig"
    before = sig.read_bytes()
    bad = CliRunner().invoke(main, ["--root", root, "sign", RECORD, "--key", str(keys["dev"]), "--member", "ana"])
    assert bad.exit_code == 2
    assert "signature not kept" in bad.output
    assert sig.read_bytes() == before  # the counted signature is neither overwritten nor deleted
    assert [p.name for p in sig.parent.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- every key type, and bad files


def test_a_malformed_signature_is_a_problem_not_a_crash(signed_press, keys):
    """Files anyone can make from a roster's public key: another key type's label, a hash OpenSSH
    refuses, truncated or trailing bytes. Each is `path: message`; the record waits; exit 1, never 3."""
    from test_openssh import armor, from_keygen, sshsig

    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    ben = from_keygen(keys["ben"])
    data = record.read_bytes()
    bad = {
        "ben": armor(sshsig(ben, data, label="ssh-rsa")),
        "cai": armor(sshsig(from_keygen(keys["cai"]), data, hash_name="shake_128")),
    }
    for member, armored in bad.items():
        (record.parent / f"{record.name}.{member}.sig").write_bytes(armored)
    result = CliRunner().invoke(main, ["--root", str(signed_press.root), "verify"])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert f"{RECORD}.ben.sig: signature not counted: does not verify with ben's key for namespace 'assembly-press' over these exact bytes (the signature is labelled 'ssh-rsa' but was checked with a ssh-ed25519 key)" in result.output
    assert f"{RECORD}.cai.sig: signature not counted: does not verify with cai's key for namespace 'assembly-press' over these exact bytes (the signature uses hash 'shake_128': OpenSSH accepts only sha256 and sha512)" in result.output
    assert state(signed_press) == "awaiting-vote"
    for member, armored in {"ben": armor(sshsig(ben, data))[:-40] + b"\n", "cai": armor(sshsig(ben, data) + b"\0")}.items():
        (record.parent / f"{record.name}.{member}.sig").write_bytes(armored)
    problems = "\n".join(signed_press.problems())
    assert f"{RECORD}.ben.sig: signature not counted: the signature file cannot be read: not an SSH signature: it must start with '-----BEGIN SSH SIGNATURE-----' and end with '-----END SSH SIGNATURE-----', nothing before or after" in problems
    assert f"{RECORD}.cai.sig: signature not counted: the signature file cannot be read: the signature has 1 trailing byte(s)" in problems
    assert state(signed_press) == "awaiting-vote"


def test_ecdsa_and_fido_keys_sign_minutes(pressdir, tmp_path):
    """ana signs with an ECDSA key made by ssh-keygen, ben with a passkey (WebAuthn sk-ecdsa), cai with a FIDO sk-ed25519 key."""
    require("ssh-keygen")
    from test_openssh import armor, sk_ecdsa, sk_ed25519, sshsig

    subprocess.run(["ssh-keygen", "-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", str(tmp_path / "ana")], check=True)
    ben, cai = sk_ecdsa("webauthn:press.example.org"), sk_ed25519()
    pressdir.assembly(
        text="name: Springfield\nrules: {quorum: 2, signatures: 3}\nmembers:\n"
        f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {(tmp_path / 'ana.pub').read_text().strip()}}}\n"
        f"  - {{id: ben, name: Ben, joined: 2025-01-01, key: {ben.line}}}\n"
        f"  - {{id: cai, name: Cai, joined: 2025-01-01, key: {cai.line}}}\n"
        "editors: [ana, ben, cai]\n"
    )
    pressdir.article("springfield", "rent", body="Signed approval.")
    record = pressdir.publish("springfield", "rent", "2026-10-06")
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", NAMESPACE, "-f", str(tmp_path / "ana"), str(record)], check=True)
    record.with_name(record.name + ".sig").rename(record.with_name(record.name + ".ana.sig"))
    record.with_name(record.name + ".ben.sig").write_bytes(armor(sshsig(ben, record.read_bytes(), webauthn={})))
    record.with_name(record.name + ".cai.sig").write_bytes(armor(sshsig(cai, record.read_bytes())))
    assert pressdir.problems() == []
    assert state(pressdir) == "published"


@pytest.mark.parametrize(
    ("odd_key", "why"),
    [
        ("SMALL_RSA", "an RSA key of 512 bits is too short: OpenSSH refuses keys under 1024 bits"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP8=", "DSA keys (ssh-dss) are refused"),
        ("cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk=", "allowed_signers options such as cert-authority are not keys"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk=", "the public key is truncated"),
        ("SHORT_ED25519", "an Ed25519 key is 32 bytes"),
        ("ANA_AS_ECDSA", "the line says ecdsa-sha2-nistp256 but the key inside is ssh-ed25519"),
    ],
)
def test_one_editors_unreadable_key_is_a_problem_on_its_line_and_the_others_still_sign(signed_press, keys, odd_key, why):
    from test_openssh import small_rsa

    from test_openssh import string

    odd_key = {
        "SMALL_RSA": small_rsa(512, 3).line,
        "SHORT_ED25519": "ssh-ed25519 " + base64.b64encode(string("ssh-ed25519") + string(b"\1" * 31)).decode(),
        "ANA_AS_ECDSA": pub(keys, "ana").replace("ssh-ed25519", "ecdsa-sha2-nistp256"),
    }.get(odd_key, odd_key)
    roster = signed_press.root / "editorial/assemblies/springfield.yml"
    text = roster.read_text()
    roster.write_text(text.replace(pub(keys, "cai"), odd_key))
    line = 1 + text[: text.index(pub(keys, "cai"))].count("\n")
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    cai = ssh_sign(keys, "cai", record, "cai")
    ssh_sign(keys, "ben", record, "ben")
    problems = signed_press.problems()
    assert any(p.startswith(f"editorial/assemblies/springfield.yml:{line}: key of 'cai' is not an OpenSSH public key the press can read ({why}") for p in problems), problems
    rel = cai.relative_to(signed_press.root).as_posix()
    assert any(p.startswith(f"{rel}: signature not counted: cai's roster key (line {line}) cannot be read") for p in problems), problems
    assert state(signed_press) == "published"  # ana's and ben's signatures count: the roster stands


def test_a_key_and_its_certificate_are_one_key(signed_press, keys, tmp_path):
    """ben's roster entry holds a certificate of ana's key: ana cannot sign once as herself and once,
    with the certificate, as ben."""
    shutil.copy(keys["ana"], tmp_path / "ana")
    shutil.copy(keys["ana"].with_suffix(".pub"), tmp_path / "ana.pub")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "ca")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-s", str(tmp_path / "ca"), "-I", "ben", "-n", "ben", "-V", "20260101:20270101", str(tmp_path / "ana.pub")], check=True)
    signed_press.roster(ben_key=(tmp_path / "ana-cert.pub").read_text().strip())
    record = signed_press.root / RECORD
    ssh_sign(keys, "ana", record, "ana")
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", NAMESPACE, "-f", str(tmp_path / "ana-cert.pub"), str(record)], check=True, stdin=subprocess.DEVNULL)
    record.with_name(record.name + ".sig").rename(record.with_name(record.name + ".ben.sig"))
    loaded = signed_press.load()
    check = check_meeting(loaded.records.assemblies["springfield"], loaded.records.meetings[0])
    assert check.signers == ["ana"]
    assert any("already counted for another editor" in why for _, why in check.rejected)
    assert state(signed_press) == "awaiting-vote"

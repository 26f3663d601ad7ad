"""The software passkey (tests/fake_passkey.py) signs as a phone and browser do: OpenSSH's own
``ssh-keygen -Y verify`` and the press's verifier accept its ballots and refuse the altered ones.

OpenSSH checks the WebAuthn wrapping (clientData names the signed data and the signature's origin
field) but not *which* origin signed, nor user verification: the verifier reports both (the
Verdict's ``origin`` and ``flags``) and the count judges them (tests/test_ballot_cli.py proves a
ballot signed on another origin is refused).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fake_passkey import Passkey
from press import openssh

RP_ID = "press.example.org"
ORIGIN = "https://press.example.org"
NAMESPACE = "assembly-press"
MESSAGE = (
    b"assembly-press signed record v1\nnamespace: assembly-press\nbody: harbor\nsitting: ballot night-shifts\n"
    b"record: editorial/ballots/harbor/night-shifts.yml\nvoter: harbor/ayse\nchoice: yes\nsequence: 1\n"
    b"digest: sha256:" + b"0" * 64 + b"\n"
)


def keygen() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("ssh-keygen is missing (Debian: openssh-client)")
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    return path


def ssh_keygen_accepts(tmp_path: Path, passkey: Passkey, armored: bytes, message: bytes = MESSAGE, namespace: str = NAMESPACE) -> bool:
    (tmp_path / "allowed_signers").write_text(f'harbor/ayse namespaces="{NAMESPACE}" {passkey.public_key_line()}\n')
    (tmp_path / "ballot.sig").write_bytes(armored)
    done = subprocess.run(
        [keygen(), "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", "harbor/ayse", "-n", namespace, "-s", str(tmp_path / "ballot.sig")],
        input=message,
        capture_output=True,
    )
    return done.returncode == 0


def press_verdict(passkey: Passkey, armored: bytes, message: bytes = MESSAGE) -> openssh.Verdict:
    return openssh.verify(armored, message, NAMESPACE, [openssh.parse_public_key(passkey.public_key_line())])


def test_the_public_key_is_an_openssh_fido_key_bound_to_the_site():
    passkey = Passkey(RP_ID)
    key = openssh.parse_public_key(passkey.public_key_line("ayse's phone"))
    assert key.type == "sk-ecdsa-sha2-nistp256@openssh.com"
    assert key.material[1] == RP_ID
    assert key.fingerprint == passkey.fingerprint


def test_the_fingerprint_is_the_one_ssh_keygen_prints(tmp_path):
    passkey = Passkey(RP_ID)
    (tmp_path / "key.pub").write_text(passkey.public_key_line() + "\n")
    done = subprocess.run([keygen(), "-l", "-f", str(tmp_path / "key.pub")], capture_output=True, text=True, check=True)
    assert passkey.fingerprint in done.stdout


def test_both_verifiers_accept_a_passkey_ballot(tmp_path):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN)
    assert armored.startswith(b"-----BEGIN SSH SIGNATURE-----\n")
    assert openssh.parse(armored).signature.startswith(b"\x00\x00\x00\x2bwebauthn-sk-ecdsa-sha2-nistp256@openssh.com")
    assert ssh_keygen_accepts(tmp_path, passkey, armored)
    verdict = press_verdict(passkey, armored)
    assert verdict
    assert (verdict.origin, verdict.flags, verdict.application) == (ORIGIN, 0x05, RP_ID)


def test_the_counter_goes_up_and_either_hash_is_accepted(tmp_path):
    passkey = Passkey(RP_ID)
    passkey.sign(MESSAGE, ORIGIN)
    armored = passkey.sign(MESSAGE, ORIGIN, hash_name="sha256", counter=41)
    assert passkey.counter == 41
    assert ssh_keygen_accepts(tmp_path, passkey, armored)
    assert press_verdict(passkey, armored)


@pytest.mark.parametrize("where", ["message", "signature"])
def test_a_changed_byte_is_refused_by_both(tmp_path, where):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN)
    message = MESSAGE
    if where == "message":
        message = MESSAGE.replace(b"choice: yes", b"choice: no ")
    else:  # one byte of the ECDSA signature's r, inside the armor
        blob = bytearray(openssh.dearmor(armored))
        blob[-120] ^= 0x01
        text = base64.b64encode(bytes(blob)).decode()
        armored = ("-----BEGIN SSH SIGNATURE-----\n" + "\n".join(text[i : i + 70] for i in range(0, len(text), 70)) + "\n-----END SSH SIGNATURE-----\n").encode()
    assert not ssh_keygen_accepts(tmp_path, passkey, armored, message)
    verdict = press_verdict(passkey, armored, message)
    assert not verdict and verdict.reason


def test_another_namespace_is_refused_by_both(tmp_path):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN, namespace="git")
    assert not ssh_keygen_accepts(tmp_path, passkey, armored)
    assert "namespace 'git'" in press_verdict(passkey, armored).reason


def test_an_origin_field_that_clientdata_does_not_name_is_refused_by_both(tmp_path):
    """A page at another origin cannot relabel its assertion as the press's: the origin field must
    be the one inside what the authenticator signed."""
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN, client_origin="https://evil.example.net")
    assert not ssh_keygen_accepts(tmp_path, passkey, armored)
    assert "does not name this challenge and origin" in press_verdict(passkey, armored).reason


def test_another_relying_party_is_refused_by_both(tmp_path):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN, rp_id="owner.github.io")
    assert not ssh_keygen_accepts(tmp_path, passkey, armored)
    assert "does not verify" in press_verdict(passkey, armored).reason


def test_another_origin_is_accepted_by_openssh_and_reported_by_the_press(tmp_path):
    """OpenSSH verifies the wrapping, not which site asked: an honest assertion made on another
    origin (a subdomain may use the parent's RP ID) passes ssh-keygen; the press's verifier reports
    the origin, and the count refuses it (test_ballot_cli.py::test_a_ballot_signed_on_another_origin_is_refused)."""
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, "https://shop.press.example.org")
    assert ssh_keygen_accepts(tmp_path, passkey, armored)
    assert press_verdict(passkey, armored).origin == "https://shop.press.example.org"


def test_a_passkey_that_did_not_verify_its_owner_is_reported(tmp_path):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN, user_verified=False)
    assert ssh_keygen_accepts(tmp_path, passkey, armored)  # OpenSSH's allowed_signers has no verify-required
    assert press_verdict(passkey, armored).flags == 0x01


def test_no_user_presence_is_refused_by_the_press(tmp_path):
    passkey = Passkey(RP_ID)
    armored = passkey.sign(MESSAGE, ORIGIN, flags=0x04)
    assert "user presence" in press_verdict(passkey, armored).reason


def test_another_passkey_is_refused_by_both(tmp_path):
    mine, theirs = Passkey(RP_ID), Passkey(RP_ID)
    armored = theirs.sign(MESSAGE, ORIGIN)
    assert not ssh_keygen_accepts(tmp_path, mine, armored)
    assert "another key" in press_verdict(mine, armored).reason

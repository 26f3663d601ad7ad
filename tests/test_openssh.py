"""Differential test: the press's signature check against ``ssh-keygen -Y verify``.

For every case — keys of every type OpenSSH signs with, signatures built by ssh-keygen or in Python
(FIDO and WebAuthn-shaped ``sk`` signatures from software keys, RSA keys too short for ssh-keygen),
certificates made with ``ssh-keygen -s`` and malformed variants — OpenSSH is asked with the
allowed_signers line the press derives from the roster. The press never counts what OpenSSH refuses;
it refuses what OpenSSH accepts only by a rule listed in docs/security.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import random
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from press import openssh
from press.records import MemberKey
from press.signatures import NAMESPACE, allowed_signers, verify_signature

DAY = dt.date(2026, 10, 6)  # the signed record's date
MESSAGE = b"date: 2026-10-06\npresent: [ana, ben]\nmotions:\n  - publish: springfield/rent\n    yes: [ana, ben]\n"
DOCS = Path(__file__).parents[1] / "docs" / "security.md"
ORIGIN = "https://press.example.org"


def keygen() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("the differential signature test must run in CI: ssh-keygen is missing (Debian: openssh-client)")
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    return path


# --------------------------------------------------------------------------- SSH wire format


def string(data: bytes | str) -> bytes:
    data = data.encode() if isinstance(data, str) else data
    return struct.pack(">I", len(data)) + data


def mpint(n: int) -> bytes:
    return string(n.to_bytes((n.bit_length() + 8) // 8, "big") if n else b"")


def armor(blob: bytes) -> bytes:
    text = base64.b64encode(blob)
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    return b"\n".join([b"-----BEGIN SSH SIGNATURE-----", *lines, b"-----END SSH SIGNATURE-----"]) + b"\n"


def dearmor(armored: bytes) -> bytes:
    return base64.b64decode(b"".join(armored.strip().split(b"\n")[1:-1]))


@dataclass
class Signer:
    """A key that signs like OpenSSH: its public blob, and ``sign(data, label, **options) -> signature blob``."""

    type: str
    blob: bytes
    sign: object
    path: Path | None = None  # its ssh-keygen private key file, when ssh-keygen made it

    @property
    def line(self) -> str:
        return f"{self.type} {base64.b64encode(self.blob).decode()}"


def sshsig(signer: Signer, message: bytes = MESSAGE, *, namespace=NAMESPACE, hash_name="sha256", version=1, reserved=b"", pub=None, **options) -> bytes:
    """The SSHSIG blob (PROTOCOL.sshsig) a signer makes; ``options`` reach the signature blob."""
    digest = hashlib.new(hash_name.replace("-", "_"), message)
    digest = digest.digest(32) if hash_name.startswith("shake") else digest.digest()
    signed = b"SSHSIG" + string(namespace) + string(b"") + string(hash_name) + string(digest)
    return b"SSHSIG" + struct.pack(">I", version) + string(pub or signer.blob) + string(namespace) + string(reserved) + string(hash_name) + string(signer.sign(signed, **options))


def from_keygen(path: Path) -> Signer:
    """A key ssh-keygen made, signing in Python with its private half (to shape malformed signatures)."""
    kind, b64 = path.with_suffix(".pub").read_text().split()[:2]
    private = serialization.load_ssh_private_key(path.read_bytes(), None) if kind != "ssh-dss" else None

    def sign(data: bytes, label: str | None = None, rsa_hash: str = "rsa-sha2-512") -> bytes:
        if kind == "ssh-ed25519":
            return string(kind if label is None else label) + string(private.sign(data))
        if kind == "ssh-rsa":
            algorithm = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512, "ssh-rsa": hashes.SHA1}[rsa_hash]()
            return string(rsa_hash if label is None else label) + string(private.sign(data, padding.PKCS1v15(), algorithm))
        curve_hash = {"nistp256": hashes.SHA256, "nistp384": hashes.SHA384, "nistp521": hashes.SHA512}[kind.rsplit("-", 1)[1]]
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(curve_hash())))
        return string(kind if label is None else label) + string(mpint(r) + mpint(s))

    return Signer(kind, base64.b64decode(b64), sign, path)


def small_rsa(bits: int, seed: int) -> Signer:
    """An RSA key ssh-keygen refuses to make (512, 768 bits), with PKCS#1 v1.5 done by hand."""
    rng = random.Random(seed)

    def prime(size: int) -> int:
        while True:
            n = rng.getrandbits(size) | (3 << (size - 2)) | 1
            if all(pow(rng.randrange(2, n - 1), n - 1, n) == 1 for _ in range(20)) and n % 65537 != 1:
                return n

    p, q, e = prime(bits // 2), prime(bits // 2), 65537
    n, d = p * q, pow(e, -1, (p - 1) * (q - 1))
    prefix = bytes.fromhex("3031300d060960864801650304020105000420")  # DigestInfo, SHA-256

    def sign(data: bytes, label: str | None = None) -> bytes:
        size = (n.bit_length() + 7) // 8
        digest_info = prefix + hashlib.sha256(data).digest()
        encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        return string("rsa-sha2-256" if label is None else label) + string(pow(int.from_bytes(encoded, "big"), d, n).to_bytes(size, "big"))

    return Signer("ssh-rsa", string("ssh-rsa") + mpint(e) + mpint(n), sign)


def sk_ed25519(application: str = "ssh:") -> Signer:
    """A FIDO sk-ssh-ed25519 key, shaped as OpenSSH's, held in software."""
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(data: bytes, label: str | None = None, flags: int = 0x01, counter: int = 42) -> bytes:
        signed = hashlib.sha256(application.encode()).digest() + bytes([flags]) + struct.pack(">I", counter) + hashlib.sha256(data).digest()
        return string(openssh.SK_ED25519 if label is None else label) + string(private.sign(signed)) + bytes([flags]) + struct.pack(">I", counter)

    return Signer(openssh.SK_ED25519, string(openssh.SK_ED25519) + string(raw) + string(application), sign)


def sk_ecdsa(application: str = "ssh:") -> Signer:
    """A FIDO sk-ecdsa-sha2-nistp256 key in software; signs as a security key or, with ``webauthn``, as a browser passkey."""
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

    def sign(data: bytes, label: str | None = None, flags: int = 0x01, counter: int = 42, webauthn: dict | None = None) -> bytes:
        extensions, tail = b"", b""
        if webauthn is None:
            message_hash = hashlib.sha256(data).digest()
        else:
            challenge = base64.urlsafe_b64encode(webauthn.get("challenge", data)).rstrip(b"=").decode()
            client = webauthn.get("client") or f'{{"type":"webauthn.get","challenge":"{challenge}","origin":"{webauthn.get("client_origin", ORIGIN)}","crossOrigin":false}}'
            extensions = webauthn.get("extensions", b"")
            message_hash = hashlib.sha256(client.encode()).digest()
            tail = string(webauthn.get("origin", ORIGIN)) + string(client) + string(extensions)
            label = openssh.WEBAUTHN if label is None else label
        signed = hashlib.sha256(application.encode()).digest() + bytes([flags]) + struct.pack(">I", counter) + extensions + message_hash
        r, s = decode_dss_signature(private.sign(signed, ec.ECDSA(hashes.SHA256())))
        return string(openssh.SK_ECDSA if label is None else label) + string(mpint(r) + mpint(s)) + bytes([flags]) + struct.pack(">I", counter) + tail

    return Signer(openssh.SK_ECDSA, string(openssh.SK_ECDSA) + string("nistp256") + string(point) + string(application), sign)


# --------------------------------------------------------------------------- keys


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Signer]:
    keygen()
    folder = tmp_path_factory.mktemp("differential-keys")
    made: dict[str, Signer] = {}
    for name, args in {
        "ed25519": ["-t", "ed25519"], "other": ["-t", "ed25519"], "ca": ["-t", "ed25519"],
        "ecdsa256": ["-t", "ecdsa", "-b", "256"], "ecdsa384": ["-t", "ecdsa", "-b", "384"], "ecdsa521": ["-t", "ecdsa", "-b", "521"],
        "rsa1024": ["-t", "rsa", "-b", "1024"], "rsa2048": ["-t", "rsa", "-b", "2048"], "rsa3072": ["-t", "rsa", "-b", "3072"], "dsa": ["-t", "dsa"],
    }.items():  # fmt: skip
        subprocess.run(["ssh-keygen", "-q", *args, "-N", "", "-C", name, "-f", str(folder / name)], check=True, stdin=subprocess.DEVNULL)
        made[name] = from_keygen(folder / name)
    made["rsa512"], made["rsa768"] = small_rsa(512, 1), small_rsa(768, 2)
    made["sk-ed25519"], made["sk-ecdsa"] = sk_ed25519(), sk_ecdsa()
    for name, validity, kind in (("cert", "20260101:20270101", []), ("cert-expired", "20250101:20260101", []), ("cert-host", "20260101:20270101", ["-h"])):
        shutil.copy(folder / "ed25519", folder / name)
        shutil.copy(folder / "ed25519.pub", folder / f"{name}.pub")
        subprocess.run(["ssh-keygen", "-q", "-s", str(folder / "ca"), "-I", f"ana-{name}", "-n", "ana", "-V", validity, *kind, str(folder / f"{name}.pub")], check=True, stdin=subprocess.DEVNULL)
        kind_name, b64 = (folder / f"{name}-cert.pub").read_text().split()[:2]
        made[name] = Signer(kind_name, base64.b64decode(b64), made["ed25519"].sign, folder / name)
    return made


def keygen_sign(signer: Signer, tmp: Path, *options: str) -> bytes:
    """A signature made by ``ssh-keygen -Y sign`` itself (a certificate's signature carries the certificate)."""
    data = tmp / "record.yml"
    data.write_bytes(MESSAGE)
    key = signer.path.with_name(signer.path.name + "-cert.pub") if "cert" in signer.type else signer.path
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", NAMESPACE, *options, "-f", str(key), str(data)], check=True, stdin=subprocess.DEVNULL)
    armored = (tmp / "record.yml.sig").read_bytes()
    (tmp / "record.yml.sig").unlink()
    return armored


# --------------------------------------------------------------------------- cases

BOTH, NEITHER = "both", "neither"  # otherwise: the name of a documented rule by which only the press refuses


@dataclass
class Case:
    signer: str  # the roster key's name in ``keys``
    armored: object  # (keys, tmp) -> armored signature bytes
    expect: str = BOTH
    message: bytes = MESSAGE
    valid: tuple[dt.date | None, dt.date | None] = (None, None)  # the roster key's from/until


def sig(name: str, **options):
    return lambda keys, tmp: armor(sshsig(keys[name], **options))


def blob_of(name: str, change):
    return lambda keys, tmp: armor(change(sshsig(keys[name])))


def flipped(name: str, at: int):
    def change(blob: bytes) -> bytes:
        i = at * len(blob) // 16
        return blob[:i] + bytes([blob[i] ^ (1 << (at % 8))]) + blob[i + 1 :]

    return blob_of(name, change)


def armored_text(name: str, change):
    return lambda keys, tmp: change(armor(sshsig(keys[name])))


WEBAUTHN = {"webauthn": {}}
CASES: dict[str, Case] = {
    # signatures ssh-keygen makes, with every key type it makes
    **{f"keygen-{name}": Case(name, lambda keys, tmp, n=name: keygen_sign(keys[n], tmp)) for name in ("ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa1024", "rsa2048", "rsa3072", "cert")},
    "keygen-dsa": Case("dsa", lambda keys, tmp: keygen_sign(keys["dsa"], tmp), "DSA"),
    "keygen-ed25519-sha256": Case("ed25519", lambda keys, tmp: keygen_sign(keys["ed25519"], tmp, "-O", "hashalg=sha256")),
    "keygen-rsa2048-sha256": Case("rsa2048", lambda keys, tmp: keygen_sign(keys["rsa2048"], tmp, "-O", "hashalg=sha256")),
    # built in Python: sizes ssh-keygen will not make, FIDO and WebAuthn, RSA with SHA-256 signatures
    "rsa2048-rsa-sha2-256": Case("rsa2048", sig("rsa2048", rsa_hash="rsa-sha2-256")),
    "rsa512": Case("rsa512", sig("rsa512"), NEITHER),
    "rsa768": Case("rsa768", sig("rsa768"), NEITHER),
    "rsa2048-ssh-rsa-sha1": Case("rsa2048", sig("rsa2048", rsa_hash="ssh-rsa"), NEITHER),
    "rsa3072-ssh-rsa-sha1": Case("rsa3072", sig("rsa3072", rsa_hash="ssh-rsa"), NEITHER),
    "sk-ed25519": Case("sk-ed25519", sig("sk-ed25519")),
    "sk-ecdsa": Case("sk-ecdsa", sig("sk-ecdsa")),
    "sk-ecdsa-user-verified": Case("sk-ecdsa", sig("sk-ecdsa", flags=0x05)),
    "webauthn": Case("sk-ecdsa", sig("sk-ecdsa", **WEBAUTHN)),
    "webauthn-with-extensions": Case("sk-ecdsa", sig("sk-ecdsa", flags=0x81, webauthn={"extensions": b"\xa0"})),
    "sk-ed25519-without-touch": Case("sk-ed25519", sig("sk-ed25519", flags=0x00), "user presence"),
    "sk-ecdsa-without-touch": Case("sk-ecdsa", sig("sk-ecdsa", flags=0x04), "user presence"),
    "webauthn-without-touch": Case("sk-ecdsa", sig("sk-ecdsa", flags=0x00, **WEBAUTHN), "user presence"),
    "webauthn-other-challenge": Case("sk-ecdsa", sig("sk-ecdsa", webauthn={"challenge": b"another record"}), NEITHER),
    "webauthn-origin-disagrees": Case("sk-ecdsa", sig("sk-ecdsa", webauthn={"client_origin": "https://evil.example"}), NEITHER),
    "webauthn-quote-in-origin": Case("sk-ecdsa", sig("sk-ecdsa", webauthn={"origin": 'a"b', "client_origin": 'a"b'}), NEITHER),
    "webauthn-attested-data-flag": Case("sk-ecdsa", sig("sk-ecdsa", flags=0x41, **WEBAUTHN), NEITHER),
    "webauthn-extensions-without-flag": Case("sk-ecdsa", sig("sk-ecdsa", webauthn={"extensions": b"\xa0"}), NEITHER),
    "webauthn-client-data-reordered": Case("sk-ecdsa", sig("sk-ecdsa", webauthn={"client": '{"challenge":"x","type":"webauthn.get","origin":"' + ORIGIN + '"}'}), NEITHER),
    "sk-ecdsa-other-application": Case("sk-ecdsa", lambda keys, tmp: armor(sshsig(keys["sk-ecdsa"], pub=keys["sk-ecdsa"].blob.replace(b"ssh:", b"web:"))), NEITHER),
    # certificates (ssh-keygen -s): the roster holds the certificate; a bare key does not stand for its certificate
    "cert-in-roster-signed-in-python": Case("cert", sig("cert")),
    "cert-expired-on-the-date": Case("cert-expired", lambda keys, tmp: keygen_sign(keys["cert-expired"], tmp), "certificate"),
    "cert-host": Case("cert-host", sig("cert-host"), "certificate"),
    "cert-signature-but-plain-key-in-roster": Case("ed25519", lambda keys, tmp: keygen_sign(keys["cert"], tmp), NEITHER),
    "plain-signature-but-cert-in-roster": Case("cert", sig("ed25519"), NEITHER),
    # hashes OpenSSH refuses, each a correct signature over that hash
    **{f"hash-{name}": Case("ed25519", sig("ed25519", hash_name=name), NEITHER) for name in ("md5", "sha1", "sha224", "sha384", "sha3-256", "blake2b", "shake_128", "SHA256")},
    "hash-sha1-rsa": Case("rsa2048", sig("rsa2048", hash_name="sha1"), NEITHER),
    "hash-sha512": Case("ecdsa384", sig("ecdsa384", hash_name="sha512")),
    "hash-sha512-sk-ed25519": Case("sk-ed25519", sig("sk-ed25519", hash_name="sha512")),
    "hash-md5-sk-ecdsa": Case("sk-ecdsa", sig("sk-ecdsa", hash_name="md5"), NEITHER),
    # a signature labelled with another key type than its key's
    "label-ed25519-as-ssh-rsa": Case("ed25519", sig("ed25519", label="ssh-rsa"), NEITHER),
    "label-ed25519-as-sk": Case("ed25519", sig("ed25519", label=openssh.SK_ED25519), NEITHER),
    "label-ecdsa256-as-nistp384": Case("ecdsa256", sig("ecdsa256", label="ecdsa-sha2-nistp384"), NEITHER),
    "label-ecdsa521-as-nistp256": Case("ecdsa521", sig("ecdsa521", label="ecdsa-sha2-nistp256"), NEITHER),
    "label-rsa-as-ed25519": Case("rsa2048", sig("rsa2048", label="ssh-ed25519"), NEITHER),
    "label-rsa-as-cert": Case("rsa2048", sig("rsa2048", label="ssh-rsa-cert-v01@openssh.com"), NEITHER),
    "label-sk-ecdsa-as-ecdsa": Case("sk-ecdsa", sig("sk-ecdsa", label="ecdsa-sha2-nistp256"), NEITHER),
    "label-sk-ed25519-as-webauthn": Case("sk-ed25519", sig("sk-ed25519", label=openssh.WEBAUTHN), NEITHER),
    "label-ecdsa-as-webauthn": Case("ecdsa256", sig("ecdsa256", label=openssh.WEBAUTHN), NEITHER),
    "label-empty": Case("ed25519", sig("ed25519", label=""), NEITHER),
    "public-key-type-swapped": Case("ed25519", lambda keys, tmp: armor(sshsig(keys["ed25519"], pub=keys["ed25519"].blob.replace(b"ssh-ed25519", b"ssh-ed448!!"))), NEITHER),
    # the envelope
    "other-namespace": Case("ed25519", sig("ed25519", namespace="git"), NEITHER),
    "other-message": Case("ed25519", sig("ed25519"), NEITHER, message=MESSAGE + b"\n"),
    "other-key": Case("ed25519", sig("other"), NEITHER),
    "version-0": Case("ed25519", sig("ed25519", version=0), "version"),
    "version-2": Case("ed25519", sig("ed25519", version=2), NEITHER),
    "reserved-not-empty": Case("ed25519", sig("ed25519", reserved=b"ignored by OpenSSH")),
    "key-valid-from-after-the-date": Case("ed25519", sig("ed25519"), NEITHER, valid=(dt.date(2026, 10, 7), None)),
    "key-valid-until-the-date": Case("ed25519", sig("ed25519"), NEITHER, valid=(None, DAY)),
    "key-valid-on-the-date": Case("ed25519", sig("ed25519"), BOTH, valid=(DAY, dt.date(2026, 10, 7))),
    # bytes: trailing, truncated, flipped
    "trailing-byte-after-sshsig": Case("ed25519", blob_of("ed25519", lambda b: b + b"\0"), NEITHER),
    "trailing-bytes-in-signature": Case("ecdsa256", blob_of("ecdsa256", lambda b: _grow_last_string(b)), NEITHER),
    **{f"truncated-{eighth}-8": Case("ed25519", blob_of("ed25519", lambda b, k=eighth: b[: k * len(b) // 8]), NEITHER) for eighth in range(8)},
    "truncated-last-byte": Case("sk-ecdsa", blob_of("sk-ecdsa", lambda b: b[:-1]), NEITHER),
    **{f"flipped-{name}-{at:02}": Case(name, flipped(name, at), NEITHER) for name in ("ed25519", "ecdsa256", "rsa2048", "sk-ecdsa") for at in range(16)},
    # armor
    "armor-crlf": Case("ed25519", armored_text("ed25519", lambda a: a.replace(b"\n", b"\r\n")), NEITHER),
    "armor-text-before": Case("ed25519", armored_text("ed25519", lambda a: b"hello\n" + a), NEITHER),
    "armor-no-footer": Case("ed25519", armored_text("ed25519", lambda a: a.replace(b"-----END SSH SIGNATURE-----\n", b"")), NEITHER),
    "armor-lowercase": Case("ed25519", armored_text("ed25519", lambda a: a.replace(b"BEGIN SSH", b"begin ssh")), NEITHER),
    "armor-empty": Case("ed25519", lambda keys, tmp: b"-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n", NEITHER),
    "armor-not-base64": Case("ed25519", armored_text("ed25519", lambda a: a.replace(b"U1NIU0lH", b"U1NIU0l!")), NEITHER),
    "armor-empty-file": Case("ed25519", lambda keys, tmp: b"", NEITHER),
    "armor-binary": Case("ed25519", lambda keys, tmp: bytes(range(256)), NEITHER),
    "armor-text-after-footer": Case("ed25519", armored_text("ed25519", lambda a: a + b"trailing words\n"), "armor"),
    "armor-no-final-newline": Case("ed25519", armored_text("ed25519", lambda a: a.rstrip(b"\n"))),
}


def _grow_last_string(blob: bytes) -> bytes:
    """Append a byte inside the SSHSIG's last string, the signature blob: bytes after the signature proper."""
    start = 10  # magic and version
    for _ in range(4):  # public key, namespace, reserved, hash
        start += 4 + struct.unpack(">I", blob[start : start + 4])[0]
    (length,) = struct.unpack(">I", blob[start : start + 4])
    return blob[:start] + struct.pack(">I", length + 1) + blob[start + 4 :] + b"\0"


def openssh_verifies(case: Case, armored: bytes, line: str, tmp: Path) -> bool:
    (tmp / "allowed_signers").write_text(line + "\n")
    (tmp / "record.yml.sig").write_bytes(armored)
    done = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(tmp / "allowed_signers"), "-I", "ana", "-n", NAMESPACE,
         "-s", str(tmp / "record.yml.sig"), f"-Overify-time={DAY:%Y%m%d}1200"],
        input=case.message, capture_output=True,
    )  # fmt: skip
    return done.returncode == 0


@pytest.mark.parametrize("name", list(CASES))
def test_the_press_counts_no_signature_openssh_refuses(keys, tmp_path, name):
    case = CASES[name]
    armored = case.armored(keys, tmp_path)
    member_key = MemberKey(keys[case.signer].line, *case.valid)
    theirs = openssh_verifies(case, armored, allowed_signers("ana", member_key), tmp_path)
    key, why = verify_signature(case.message, armored, [member_key], DAY)
    ours = key is not None
    assert not (ours and not theirs), f"the press counts a signature OpenSSH refuses: {name}"
    if case.expect == BOTH:
        assert ours and theirs, (why, theirs)
    elif case.expect == NEITHER:
        assert not theirs, "OpenSSH accepts it: the case is mislabelled"
        assert why and "Traceback" not in why
    else:  # a documented rule: OpenSSH accepts, the press refuses and says why
        assert theirs and not ours, why
        assert f"**{case.expect}**" in DOCS.read_text(), f"rule '{case.expect}' is not in docs/security.md"


def test_the_differential_cases_cover_every_signature_type():
    labels = {case.signer for case in CASES.values()}
    assert {"ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa512", "rsa768", "rsa1024", "rsa2048", "rsa3072", "sk-ed25519", "sk-ecdsa", "cert"} <= labels
    assert len(CASES) >= 150


def test_fingerprints_are_those_ssh_keygen_prints(keys):
    """One key counts once: the press tells keys apart by the fingerprint OpenSSH shows."""
    for name in ("ed25519", "ecdsa521", "rsa3072", "cert"):
        path = keys[name].path.with_name(keys[name].path.name + ("-cert.pub" if name == "cert" else ".pub"))
        shown = subprocess.run(["ssh-keygen", "-l", "-f", str(path)], capture_output=True, text=True, check=True).stdout.split()[1]
        assert openssh.parse_public_key(path.read_text()).fingerprint == shown, name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.sampled_from(["set", "insert", "delete"])), min_size=1, max_size=4), which=st.sampled_from(["ed25519", "ecdsa256", "sk-ecdsa", "cert"]))
def test_any_damaged_signature_is_refused_with_a_reason_never_an_exception(keys, edits, which):
    blob = bytearray(sshsig(keys[which], **({"webauthn": {}} if which == "sk-ecdsa" else {})))
    original = bytes(blob)
    for at, value, how in edits:
        at %= len(blob) + 1
        if how == "insert":
            blob.insert(at, value)
        elif at < len(blob):
            if how == "set":
                blob[at] = value
            else:
                del blob[at]
    verdict = openssh.verify(armor(bytes(blob)), MESSAGE, NAMESPACE, [openssh.parse_public_key(keys[which].line)], DAY)
    if bytes(blob) != original:
        assert not verdict or _only_reserved_changed(original, bytes(blob)), bytes(blob)
        assert verdict or verdict.reason


@given(st.binary(max_size=600))
def test_any_bytes_as_a_key_or_a_signature_are_refused_with_a_reason(data):
    with pytest.raises(openssh.Refused):
        openssh.public_key_from_blob(data)
    assert openssh.verify(data, MESSAGE, NAMESPACE, []).reason
    assert openssh.verify(armor(b"SSHSIG\0\0\0\1" + data), MESSAGE, NAMESPACE, []).reason


def _only_reserved_changed(original: bytes, damaged: bytes) -> bool:
    """OpenSSH ignores the reserved field; a signature whose only change is there still verifies."""
    def without_reserved(blob: bytes) -> bytes:
        at = 10
        for _ in range(2):
            at += 4 + struct.unpack(">I", blob[at : at + 4])[0]
        end = at + 4 + struct.unpack(">I", blob[at : at + 4])[0]
        return blob[:at] + blob[end:]

    return without_reserved(original) == without_reserved(damaged)

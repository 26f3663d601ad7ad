"""OpenSSH public keys and SSHSIG signatures (``ssh-keygen -Y sign``), parsed and verified strictly.

The reference is OpenSSH 9.x (``sshsig.c``, ``sshkey.c``, ``ssh-*.c``): whatever :func:`verify` accepts,
``ssh-keygen -Y verify`` accepts with the ``allowed_signers`` line :func:`allowed_signers_line` writes.
The press refuses more in a few places, each named in docs/security.md ("Signatures beyond OpenSSH").
Every malformed input is a :class:`Refused` with a sentence, never another exception.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import struct
from urllib.parse import urlsplit
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from . import limits

ARMOR_BEGIN = b"-----BEGIN SSH SIGNATURE-----"
ARMOR_END = b"-----END SSH SIGNATURE-----"
MAGIC = b"SSHSIG"
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}  # sshsig.c HASHALG_ALLOWED
RSA_MIN_BITS, RSA_MAX_BITS = 1024, 16384  # sshkey.h SSH_RSA_MINIMUM_MODULUS_SIZE, SSHBUF_MAX_BIGNUM
RSA_SIGNATURES = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}  # sshsig.c RSA_SIGN_ALLOWED
CURVES = {
    "nistp256": (ec.SECP256R1, hashes.SHA256),
    "nistp384": (ec.SECP384R1, hashes.SHA384),
    "nistp521": (ec.SECP521R1, hashes.SHA512),
}
SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"
SK_ED25519 = "sk-ssh-ed25519@openssh.com"
WEBAUTHN = "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
CERT_SUFFIX = "-cert-v01@openssh.com"
SK_USER_PRESENT, SK_USER_VERIFIED = 0x01, 0x04
PLAIN_TYPES = ("ssh-ed25519", "ssh-rsa", *(f"ecdsa-sha2-{c}" for c in CURVES), SK_ECDSA, SK_ED25519)
MAX_SIGNATURE_FILE = limits.MAX_SIGNATURE_BYTES  # one limit for every signature the press reads


class Refused(ValueError):
    """A key or signature the press does not accept; ``str()`` says why in one sentence."""


class _Reader:
    """SSH wire format (RFC 4251): every read checks its length; nothing is read past the end."""

    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise Refused(f"{self.what} is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def u64(self) -> int:
        return struct.unpack(">Q", self.take(8))[0]

    def string(self) -> bytes:
        return self.take(self.u32())

    def text(self) -> str:
        raw = self.string()
        if b"\0" in raw:
            raise Refused(f"{self.what} has a NUL byte in a text field")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{self.what} has a text field that is not UTF-8") from None

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise Refused(f"{self.what} has a negative number")
        if len(raw) > RSA_MAX_BITS // 8 + 1:
            raise Refused(f"{self.what} has a number too large")
        return int.from_bytes(raw, "big")

    def end(self) -> None:
        if self.pos != len(self.data):
            raise Refused(f"{self.what} has {len(self.data) - self.pos} trailing byte(s)")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Certificate:
    """An OpenSSH certificate's fields that decide whether it may sign (PROTOCOL.certkeys)."""

    kind: int  # 1 user, 2 host
    key_id: str
    principals: tuple[str, ...]
    valid_after: int  # seconds since the epoch, inclusive
    valid_before: int  # exclusive bound as OpenSSH writes it; 2**64-1 is "forever"
    ca: PublicKey

    def problem_on(self, day: dt.date) -> str | None:
        """Why this certificate cannot sign on ``day`` (noon UTC), or None."""
        if self.kind != 1:
            return "the certificate is a host certificate, not a user certificate"
        noon = int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC).timestamp())
        if noon < self.valid_after or noon >= self.valid_before:
            return f"the certificate '{self.key_id}' is not valid on {day}"
        return None


@dataclass(frozen=True)
class PublicKey:
    """An OpenSSH public key (plain or certificate), as in ``~/.ssh/id_*.pub`` or a roster."""

    type: str
    blob: bytes
    key_type: str  # the plain key type a signature is labelled with (a certificate's underlying key)
    material: object = field(repr=False, compare=False)  # cryptography key, or (key, application) for sk keys
    certificate: Certificate | None = field(default=None, compare=False)
    plain_blob: bytes = field(default=b"", compare=False)  # a certificate's key without the certificate

    @property
    def fingerprint(self) -> str:
        """``SHA256:…`` as ``ssh-keygen -l`` prints it: a certificate's is its key's, so a key and its
        certificate are one key when signatures are counted."""
        return "SHA256:" + _b64(hashlib.sha256(self.plain_blob or self.blob).digest()).rstrip("=")

    @property
    def line(self) -> str:
        return f"{self.type} {_b64(self.blob)}"


def parse_public_key(line: str) -> PublicKey:
    """Parse one OpenSSH public key line (``type base64 [comment]``); raises :class:`Refused`.

    ``cert-authority`` and other allowed_signers options are not key lines: a roster names a member's
    own key or certificate (see docs/security.md).
    """
    parts = line.strip().split(None, 2)
    if len(parts) < 2:
        raise Refused("not an OpenSSH public key line (type, base64 key, optional comment)")
    if parts[0] == "cert-authority" or "=" in parts[0]:
        raise Refused("allowed_signers options such as cert-authority are not keys: give the member's own key or certificate")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise Refused("the key's base64 is malformed") from None
    key = public_key_from_blob(blob)
    if key.type != parts[0]:
        raise Refused(f"the line says {parts[0]} but the key inside is {key.type}")
    return key


def public_key_from_blob(blob: bytes, *, allow_cert: bool = True) -> PublicKey:
    """A key from its wire encoding, every field checked and nothing left over."""
    reader = _Reader(blob, "the public key")
    try:
        type_name = reader.text()
    except Refused:
        raise Refused("the public key is truncated") from None
    if type_name.endswith(CERT_SUFFIX):
        if not allow_cert:
            raise Refused("a certificate cannot be signed by another certificate")
        return _certificate(blob, reader, type_name)
    if type_name == "ssh-dss":
        raise Refused("DSA keys (ssh-dss) are refused: 1024 bits with SHA-1, and gone from current OpenSSH — make an Ed25519 key")
    if type_name not in PLAIN_TYPES:
        raise Refused(f"key type '{type_name[:60]}' is not one OpenSSH signs with")
    material = _plain_material(reader, type_name)
    reader.end()
    return PublicKey(type_name, blob, type_name, material)


def _plain_material(reader: _Reader, type_name: str) -> object:
    if type_name in ("ssh-ed25519", SK_ED25519):
        raw = reader.string()
        if len(raw) != 32:
            raise Refused("an Ed25519 key is 32 bytes")
        try:
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise Refused("the Ed25519 key is malformed") from None
        return (key, reader.text()) if type_name == SK_ED25519 else key
    if type_name == "ssh-rsa":
        e, n = reader.mpint(), reader.mpint()
        bits = n.bit_length()
        if bits < RSA_MIN_BITS:
            raise Refused(f"an RSA key of {bits} bits is too short: OpenSSH refuses keys under {RSA_MIN_BITS} bits")
        if e < 3 or e % 2 == 0 or n % 2 == 0:
            raise Refused("the RSA key is malformed")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            raise Refused("the RSA key is malformed") from None
    curve_name = "nistp256" if type_name == SK_ECDSA else type_name.removeprefix("ecdsa-sha2-")
    if reader.text() != curve_name:
        raise Refused(f"the {type_name} key names another curve")
    point = reader.string()
    if not point.startswith(b"\x04"):
        raise Refused("the ECDSA key's point is not in uncompressed form")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[curve_name][0](), point)
    except ValueError:
        raise Refused("the ECDSA key's point is not on its curve") from None
    return (key, reader.text()) if type_name == SK_ECDSA else key


def _certificate(blob: bytes, reader: _Reader, type_name: str) -> PublicKey:
    plain = type_name.removesuffix(CERT_SUFFIX)
    if plain not in PLAIN_TYPES:
        raise Refused(f"certificate type '{type_name[:60]}' is not one OpenSSH signs with")
    reader.string()  # nonce
    start = reader.pos
    material = _plain_material(reader, plain)
    plain_blob = struct.pack(">I", len(plain)) + plain.encode() + blob[start : reader.pos]
    reader.u64()  # serial
    kind = reader.u32()
    key_id = reader.text()
    principals_reader = _Reader(reader.string(), "the certificate's principals")
    principals = []
    while principals_reader.pos < len(principals_reader.data):
        principals.append(principals_reader.text())
    valid_after, valid_before = reader.u64(), reader.u64()
    reader.string()  # critical options
    reader.string()  # extensions
    reader.string()  # reserved
    ca = public_key_from_blob(reader.string(), allow_cert=False)
    signed = blob[: reader.pos]
    ca_signature = reader.string()
    reader.end()
    if kind not in (1, 2):
        raise Refused("the certificate is neither a user nor a host certificate")
    if valid_after >= valid_before:
        raise Refused("the certificate's validity period is empty")
    _verify_raw(ca, ca_signature, signed, "the certificate's CA signature")
    cert = Certificate(kind, key_id, tuple(principals), valid_after, valid_before, ca)
    return PublicKey(type_name, blob, plain, material, cert, plain_blob)


def _verify_raw(key: PublicKey, signature: bytes, data: bytes, what: str = "the signature") -> tuple[int | None, str | None]:
    """Check an SSH signature blob (``string label, …``) over ``data``; return the sk flags, if any,
    and the WebAuthn origin a passkey's signature records (None for any other signature).

    The label must be the key's own algorithm (``rsa-sha2-256``/``-512`` for RSA, never SHA-1 ``ssh-rsa``).
    """
    reader = _Reader(signature, what)
    label = reader.text()
    kind = key.key_type
    allowed = tuple(RSA_SIGNATURES) if kind == "ssh-rsa" else (kind, WEBAUTHN) if kind == SK_ECDSA else (kind,)
    if label not in allowed:
        if label == "ssh-rsa" and kind == "ssh-rsa":
            raise Refused(f"{what} uses SHA-1 (ssh-rsa), which OpenSSH refuses: sign again with a current ssh-keygen")
        raise Refused(f"{what} is labelled '{label[:60]}' but was checked with a {kind} key")
    try:
        if kind == "ssh-ed25519":
            raw = reader.string()
            reader.end()
            key.material.verify(raw, data)
            return None, None
        if kind == "ssh-rsa":
            raw = reader.string()
            reader.end()
            size = (key.material.key_size + 7) // 8
            if len(raw) > size:
                raise Refused(f"{what} is longer than the RSA key")
            key.material.verify(raw.rjust(size, b"\0"), data, padding.PKCS1v15(), RSA_SIGNATURES[label]())
            return None, None
        if kind.startswith("ecdsa-sha2-"):
            der = _ecdsa(reader.string(), what)
            reader.end()
            key.material.verify(der, data, ec.ECDSA(CURVES[kind.removeprefix("ecdsa-sha2-")][1]()))
            return None, None
        public, application = key.material
        app_hash = hashlib.sha256(application.encode()).digest()
        if kind == SK_ED25519:
            raw = reader.string()
            flags, counter = reader.u8(), reader.u32()
            reader.end()
            public.verify(raw, app_hash + bytes([flags]) + struct.pack(">I", counter) + hashlib.sha256(data).digest())
            return flags, None
        der = _ecdsa(reader.string(), what)
        flags, counter = reader.u8(), reader.u32()
        extensions, origin = b"", None
        if label == WEBAUTHN:
            origin = reader.text()
            client_data = reader.string()
            extensions = reader.string()
            message_hash = _webauthn_client_data_hash(data, origin, client_data, flags, extensions, what)
            origin = _asking_origin(origin, client_data, what)
        else:
            message_hash = hashlib.sha256(data).digest()
        reader.end()
        signed = app_hash + bytes([flags]) + struct.pack(">I", counter) + extensions + message_hash
        public.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        return flags, origin
    except Refused:
        raise
    except (InvalidSignature, ValueError):  # ValueError: numbers the library will not even try
        raise Refused(f"{what} does not verify") from None


def _ecdsa(raw: bytes, what: str) -> bytes:
    reader = _Reader(raw, what)
    r, s = reader.mpint(), reader.mpint()
    reader.end()
    if r == 0 or s == 0:
        raise Refused(f"{what} does not verify")
    return encode_dss_signature(r, s)


def _webauthn_client_data_hash(data: bytes, origin: str, client_data: bytes, flags: int, extensions: bytes, what: str) -> bytes:
    """ssh-ecdsa-sk.c webauthn_check_prepare_hash: clientData begins with the type, the challenge
    (base64url of the signed data) and the origin, in that order; flags agree with the extensions."""
    if '"' in origin:
        raise Refused(f"{what} has a WebAuthn origin with a quote")
    if flags & 0x40 or bool(flags & 0x80) != bool(extensions):
        raise Refused(f"{what} has WebAuthn flags that disagree with its authenticator data")
    challenge = base64.urlsafe_b64encode(data).rstrip(b"=")
    expected = b'{"type":"webauthn.get","challenge":"' + challenge + b'","origin":"' + origin.encode() + b'"'
    if not client_data.startswith(expected):
        raise Refused(f"{what}'s WebAuthn clientData does not name this challenge and origin")
    return hashlib.sha256(client_data).digest()


def _asking_origin(origin: str, client_data: bytes, what: str) -> str:
    """The site that asked for a WebAuthn signature: ``origin``, unless the page was a frame in another
    site's page (``crossOrigin: true``, which OpenSSH does not read) — then that site, as far as known."""
    try:
        parsed = json.loads(client_data)
    except (ValueError, RecursionError):
        raise Refused(f"{what}'s WebAuthn clientData is not JSON") from None
    if not isinstance(parsed, dict) or parsed.get("crossOrigin", False) is False:
        return origin
    top = parsed.get("topOrigin")
    return f"{top if isinstance(top, str) else 'another site'} (framing {origin})"


@dataclass(frozen=True)
class Signature:
    """A parsed SSHSIG: who says they signed, for which namespace, with which hash."""

    key: PublicKey
    namespace: str
    hash: str
    signature: bytes


def dearmor(armored: bytes) -> bytes:
    """The SSHSIG blob inside the armor, accepting only the form ``ssh-keygen -Y sign`` writes."""
    if len(armored) > MAX_SIGNATURE_FILE:
        raise Refused(f"not an SSH signature: larger than {limits.size(MAX_SIGNATURE_FILE)}")
    lines = armored.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) < 3 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise Refused(f"not an SSH signature: it must start with '{ARMOR_BEGIN.decode()}' and end with '{ARMOR_END.decode()}', nothing before or after")
    body = lines[1:-1]
    if any(not line or len(line) > 76 for line in body):
        raise Refused("the signature's armor has an empty or overlong line")
    joined = b"".join(body)
    try:
        blob = base64.b64decode(joined, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("the signature's armor is not valid base64") from None
    if base64.b64encode(blob) != joined:
        raise Refused("the signature's armor is not canonical base64")
    return blob


def parse(armored: bytes) -> Signature:
    """Parse an armored SSHSIG (PROTOCOL.sshsig) strictly; raises :class:`Refused`."""
    reader = _Reader(dearmor(armored), "the signature")
    if reader.take(6) != MAGIC:
        raise Refused("not an SSH signature: the magic 'SSHSIG' is missing")
    version = reader.u32()
    if version != 1:
        raise Refused(f"SSH signature version {version} is not supported (OpenSSH writes version 1)")
    key = public_key_from_blob(reader.string())
    namespace = reader.text()
    reader.string()  # reserved: OpenSSH ignores its content and verifies over an empty one
    hash_name = reader.text()
    signature = reader.string()
    reader.end()
    return Signature(key, namespace, hash_name, signature)


@dataclass(frozen=True)
class Verdict:
    """Which allowed key verified the signature, or why none did; for a security key or a passkey,
    what it says of the signing: its flags (0x01 user present, 0x04 user verified), the WebAuthn
    origin a passkey's browser recorded (None for any other signature) and the key's application."""

    key: PublicKey | None
    reason: str = ""
    flags: int | None = None
    origin: str | None = None

    @property
    def application(self) -> str | None:
        """The security key's application (a passkey's: the relying party id, the site's host), or None."""
        if self.key is None or self.key.key_type not in (SK_ECDSA, SK_ED25519):
            return None
        return self.key.material[1]

    def __bool__(self) -> bool:
        return self.key is not None


def verify(
    armored: bytes, message: bytes, namespace: str, allowed_keys: Iterable[PublicKey], on: dt.date | None = None, origin: str | None = None
) -> Verdict:
    """Verify ``armored`` over ``message`` for ``namespace`` by one of ``allowed_keys``.

    ``on`` is the date the signature is for: a certificate must be valid on it. ``origin``: the site's
    own origin, which a passkey (WebAuthn) signature must name, with user verification — OpenSSH
    checks neither. Never raises on bad input: a malformed signature is a Verdict with a reason.
    """
    try:
        sig = parse(armored)
    except Refused as exc:
        return Verdict(None, str(exc))
    if sig.namespace != namespace:
        return Verdict(None, f"the signature is for namespace '{sig.namespace[:60]}', not '{namespace}'")
    if sig.hash not in HASHES:
        return Verdict(None, f"the signature uses hash '{sig.hash[:30]}': OpenSSH accepts only sha256 and sha512")
    matching = [key for key in allowed_keys if key.blob == sig.key.blob]
    if not matching:
        return Verdict(None, f"the signature was made with another key ({sig.key.type} {sig.key.fingerprint})")
    key = matching[0]
    signed = MAGIC + _string(namespace.encode()) + _string(b"") + _string(sig.hash.encode()) + _string(HASHES[sig.hash](message).digest())
    try:
        flags, signed_at = _verify_raw(key, sig.signature, signed)
    except Refused as exc:
        return Verdict(None, str(exc))
    if flags is not None and not flags & SK_USER_PRESENT:
        return Verdict(None, "the security key did not confirm user presence (no touch): the press requires it")
    if origin is not None and (problem := passkey_problem(Verdict(key, flags=flags, origin=signed_at), origin)):
        return Verdict(None, problem)
    if key.certificate is not None and on is not None:
        problem = key.certificate.problem_on(on)
        if problem:
            return Verdict(None, problem)
    return Verdict(key, flags=flags, origin=signed_at)


def passkey_problem(verdict: Verdict, origin: str) -> str | None:
    """Why a verified signature does not count for the press whose own origin is ``origin``, or None:
    one a browser made (WebAuthn) must be made on that origin, and it — or any signature of a passkey
    of the press's host, even asked directly without a browser — with user verification (Face ID, a
    fingerprint, a PIN; a touch is anyone's). OpenSSH checks neither."""
    if verdict.origin is not None and verdict.origin != origin:
        return f"wrong origin: signed on the page of {verdict.origin[:100]}, not on this press's own site ({origin})"
    passkey = verdict.key is not None and verdict.key.key_type == SK_ECDSA and verdict.application == urlsplit(origin).hostname
    if (verdict.origin is not None or passkey) and not (verdict.flags or 0) & SK_USER_VERIFIED:
        return "no user verification: the passkey signed without Face ID, a fingerprint or a PIN — the press requires it"
    return None


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def allowed_signers_line(principal: str, key_line: str, namespace: str, valid_from: dt.date | None = None, until: dt.date | None = None) -> str:
    """The ``allowed_signers`` line (ssh-keygen(1) ALLOWED SIGNERS) that checks by hand what the press
    checks: verify with ``-Overify-time=YYYYMMDD1200`` (noon of the signed record's date)."""
    options = [f'namespaces="{namespace}"']
    if valid_from is not None:
        options.append(f'valid-after="{valid_from:%Y%m%d}"')
    if until is not None:
        options.append(f'valid-before="{until:%Y%m%d}"')
    return f"{principal} {','.join(options)} {' '.join(key_line.split()[:2])}"

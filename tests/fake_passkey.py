"""A software passkey: what a phone's authenticator and browser produce, made in Python.

``Passkey(rp_id)`` holds a P-256 key (WebAuthn ES256) bound to a relying party. Its public half is
shown as OpenSSH shows a FIDO key (``sk-ecdsa-sha2-nistp256@openssh.com``, application = the RP ID),
as the enrolment page shows it. ``sign`` returns an armored SSHSIG whose signature is a WebAuthn
assertion wrapped as ``webauthn-sk-ecdsa-sha2-nistp256@openssh.com`` — byte for byte what OpenSSH's
``ssh-ecdsa-sk.c`` (``ssh_ecdsa_sk_verify``, ``webauthn_check_prepare_hash``) and ``sshsig.c`` read:

    SSHSIG blob:  "SSHSIG" u32(1) string(key) string(namespace) string("") string("sha512") string(sig)
    sig:          string("webauthn-sk-ecdsa-sha2-nistp256@openssh.com") string(mpint r, mpint s)
                  u8 flags, u32 counter, string origin, string clientDataJSON, string extensions
    signed by the authenticator: SHA-256(rp_id) ‖ flags ‖ counter ‖ extensions ‖ SHA-256(clientDataJSON)
    clientDataJSON: {"type":"webauthn.get","challenge":<base64url of SSHSIG's signed data>,
                     "origin":<origin>,"crossOrigin":false}

The hooks (``client_origin``, ``rp_id``, ``flags``) let tests make the assertions a hostile page or a
broken authenticator would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

KEY_TYPE = "sk-ecdsa-sha2-nistp256@openssh.com"
SIGNATURE_TYPE = "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
USER_PRESENT, USER_VERIFIED = 0x01, 0x04
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return _string(raw)


def _armor(blob: bytes) -> bytes:
    text = base64.b64encode(blob).decode("ascii")
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    return ("-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n").encode()


class Passkey:
    """One passkey, as a phone holds it: a P-256 key bound to ``rp_id`` and a signature counter."""

    def __init__(self, rp_id: str, private_key: ec.EllipticCurvePrivateKey | None = None):
        self.rp_id = rp_id
        self.private_key = private_key or ec.generate_private_key(ec.SECP256R1())
        self.counter = 0

    @property
    def point(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return b"\x04" + numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")

    def public_key_blob(self) -> bytes:
        return _string(KEY_TYPE.encode()) + _string(b"nistp256") + _string(self.point) + _string(self.rp_id.encode())

    def public_key_line(self, comment: str = "") -> str:
        """The OpenSSH public key line (``sk-ecdsa-sha2-nistp256@openssh.com AAAA… [comment]``)."""
        line = f"{KEY_TYPE} {base64.b64encode(self.public_key_blob()).decode('ascii')}"
        return f"{line} {comment}" if comment else line

    @property
    def fingerprint(self) -> str:
        """``SHA256:…`` as ``ssh-keygen -l`` and the enrolment page print it."""
        return "SHA256:" + base64.b64encode(hashlib.sha256(self.public_key_blob()).digest()).decode("ascii").rstrip("=")

    def sign(
        self,
        message: bytes,
        origin: str,
        namespace: str = "assembly-press",
        user_verified: bool = True,
        counter: int | None = None,
        *,
        hash_name: str = "sha512",
        client_origin: str | None = None,
        rp_id: str | None = None,
        flags: int | None = None,
        cross_origin: bool = False,
        plain: bool = False,
    ) -> bytes:
        """An armored SSHSIG over ``message`` in ``namespace``, signed as a browser at ``origin`` would.

        ``counter``: the authenticator's signature counter (default: one more than the last).
        Hostile hooks: ``client_origin`` puts another origin in clientDataJSON than in the signature's
        origin field; ``rp_id`` hashes another relying party into authenticatorData; ``flags`` replaces
        the flags byte (UP|UV, or UP alone when ``user_verified`` is False); ``cross_origin`` says the
        page was framed by another site; ``plain`` signs as a security key asked directly over USB, not
        through a browser (``sk-ecdsa-sha2-nistp256@openssh.com``, no origin, no clientDataJSON).
        """
        if counter is None:
            counter = self.counter + 1
        self.counter = counter
        if flags is None:
            flags = USER_PRESENT | (USER_VERIFIED if user_verified else 0)
        signed_data = (
            b"SSHSIG"
            + _string(namespace.encode())
            + _string(b"")
            + _string(hash_name.encode())
            + _string(HASHES[hash_name](message).digest())
        )
        challenge = base64.urlsafe_b64encode(signed_data).rstrip(b"=").decode("ascii")
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": challenge, "origin": client_origin or origin, "crossOrigin": cross_origin},
            separators=(",", ":"),
        ).encode()
        authenticator_data = hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) + struct.pack(">I", counter)
        der = self.private_key.sign(authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        if plain:  # what ssh-keygen -Y sign (or anyone holding the key over CTAP) makes: no browser in between
            authenticator_data = hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) + struct.pack(">I", counter)
            der = self.private_key.sign(authenticator_data + hashlib.sha256(signed_data).digest(), ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            signature = _string(KEY_TYPE.encode()) + _string(_mpint(r) + _mpint(s)) + bytes([flags]) + struct.pack(">I", counter)
        else:
            signature = (
                _string(SIGNATURE_TYPE.encode())
                + _string(_mpint(r) + _mpint(s))
                + bytes([flags])
                + struct.pack(">I", counter)
                + _string(origin.encode())
                + _string(client_data)
                + _string(b"")  # no WebAuthn extensions
            )
        blob = (
            b"SSHSIG"
            + struct.pack(">I", 1)
            + _string(self.public_key_blob())
            + _string(namespace.encode())
            + _string(b"")
            + _string(hash_name.encode())
            + _string(signature)
        )
        return _armor(blob)

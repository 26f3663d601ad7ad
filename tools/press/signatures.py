"""Signed minutes: OpenSSH signatures (SSHSIG, ``ssh-keygen -Y sign``) over a meeting record's envelope.

What is signed is not the record's bytes alone — a copy of them under another date or folder would
carry the signature with it — but an *envelope* naming the context (docs/workflow.md, "The envelope:
what a signature signs")::

    assembly-press signed record v1
    namespace: assembly-press
    body: springfield
    sitting: 2026-11-10
    record: editorial/meetings/springfield/2026-11-10.yml
    digest: sha256:<SHA-256 of the record's bytes>

Each line ends in a newline. Records of meetings before the body's ``envelope-from`` date were signed
over their bytes alone and keep counting where they are (``press check`` freezes them: no new one,
but where the base branch required no signature — the change that turns signing on).

Verification is offline and in-process (``press.openssh``, strict SSHSIG as OpenSSH reads it);
``press sign`` signs with ``ssh-keygen`` itself, the tool editors already have.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import openssh
from .records import Assembly, Meeting, Rules, digest_bytes

NAMESPACE = "assembly-press"
ENVELOPE = "assembly-press signed record v1"


def envelope(
    body: str, sitting: str, record: str, raw: bytes | None, previous: bytes | None = None, *, fields: tuple[tuple[str, str], ...] = (), digest: str | None = None,
) -> bytes:  # fmt: skip
    """The message a signature of a record signs: the namespace, the body, the sitting (a meeting's
    date, ``roster``, or ``ballot <id>``), the record's path in the press and the digest of its bytes,
    one ``name: value`` a line. ``previous``: the bytes this version supersedes (a roster's version on
    the base branch), named by their digest so that an old signed version cannot be restored.
    ``fields``: what a member's ballot adds (voter, choice, sequence), before the digest; ``digest``:
    the record's digest when the caller has it rather than its bytes (a ballot names its record's)."""
    before = f"previous: {digest_bytes(previous)}\n" if previous is not None else ""
    extra = "".join(f"{name}: {value}\n" for name, value in fields)
    digest = digest if digest is not None else digest_bytes(raw)
    return (
        f"{ENVELOPE}\nnamespace: {NAMESPACE}\nbody: {body}\nsitting: {sitting}\nrecord: {record}\n{before}{extra}digest: {digest}\n"
    ).encode()


def signed_message(rules: Rules, meeting: Meeting) -> bytes:
    """What a signature of ``meeting``'s record signs: its envelope, or its bytes alone before the
    body's ``envelope-from`` date."""
    if not rules.enveloped_on(meeting.date):
        return meeting.raw
    return envelope(meeting.assembly, meeting.date.isoformat(), meeting.path, meeting.raw)


def public_key(line: str) -> openssh.PublicKey:
    """Parse an OpenSSH public key line (``ssh-ed25519 AAAA… comment``); raises ValueError."""
    return openssh.parse_public_key(line)


@dataclass
class SignatureCheck:
    """Which editors' signatures on a meeting record hold, and why the others do not."""

    signers: list[str] = field(default_factory=list)  # members whose signature counted
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (signature file, why)

    @property
    def count(self) -> int:
        return len(self.signers)


def check_meeting(assembly: Assembly, meeting: Meeting) -> SignatureCheck:
    """Count the distinct editors in good standing whose keys signed exactly this record."""
    return check_signed(assembly, meeting.signatures, meeting.date, signed_message(assembly.rules, meeting))


def check_signed(assembly: Assembly, signatures: dict[str, tuple[str, bytes]], day, message: bytes, origin: str | None = None) -> SignatureCheck:
    """Count the distinct editors of ``assembly``, in good standing on ``day``, whose keys valid on
    ``day`` signed ``message``: one check for every signed thing (minutes, roster changes). ``origin``:
    the press's own origin, where a passkey's signature must be made (:func:`press.openssh.passkey_problem`)."""
    result = SignatureCheck()
    counted_keys: set[str] = set()
    counted_people: dict[tuple[str, str], str] = {}  # one person listed twice (person:, github:) signs once
    for member_id, (sig_path, armored) in sorted(signatures.items()):
        member = assembly.members.get(member_id)
        if member is None:
            result.rejected.append((sig_path, f"'{member_id}' is not a member of {assembly.id}"))
            continue
        if member_id not in assembly.editors:
            result.rejected.append((sig_path, f"'{member_id}' is not an editor of {assembly.id}"))
            continue
        if not member.in_good_standing(day):
            result.rejected.append((sig_path, f"'{member_id}' was not a member in good standing on {day}"))
            continue
        keys = member.keys_on(day)
        if not keys:
            why = "has no key in the roster" if not member.keys else f"has no key in the roster valid on {day}"
            result.rejected.append((sig_path, f"'{member_id}' {why}"))
            continue
        key, problem = _verifying_key(message, armored, keys, day, _what(message), origin)
        if key is None:
            result.rejected.append((sig_path, problem.replace("{member}", member_id)))
            continue
        fingerprint = key.fingerprint
        if fingerprint in counted_keys:
            result.rejected.append((sig_path, f"{member_id}'s key already counted for another editor — one key, one signature"))
            continue
        marks = [("person", member.person)] if member.person else []
        marks += [("github", member.github.lower())] if member.github else []
        if same := next((counted_people[m] for m in marks if m in counted_people), None):
            result.rejected.append((sig_path, f"'{member_id}' is the same person as '{same}', whose signature counts — one person, one signature"))
            continue
        counted_keys.add(fingerprint)
        counted_people.update(dict.fromkeys(marks, member_id))
        result.signers.append(member_id)
    return result


def signing_key(assembly: Assembly, meeting: Meeting, member_id: str):
    """The roster key (a MemberKey valid on the meeting date) that made ``member_id``'s signature, or None."""
    member = assembly.members.get(member_id)
    if member is None or member_id not in meeting.signatures:
        return None
    return key_for(assembly, meeting, member_id, meeting.signatures[member_id][1])


def _verifying_key(data: bytes, armored: bytes, keys, on=None, what: str = "these exact bytes", origin: str | None = None) -> tuple[openssh.PublicKey | None, str]:
    """The roster key (of ``keys``, MemberKeys) that verifies the signature, or None and why none did.

    ``{member}`` in the reason stands for the member the signature is filed under."""
    try:
        openssh.parse(armored)
    except openssh.Refused as exc:
        return None, f"the signature file cannot be read: {exc}"
    readable, why = [], ""
    for member_key in keys:
        try:
            readable.append(public_key(member_key.line))
        except ValueError as exc:
            why = f"{{member}}'s roster key (line {member_key.at}) cannot be read: {exc}"
    if not readable:
        return None, why
    verdict = openssh.verify(armored, data, NAMESPACE, readable, on, origin)
    if verdict:
        return verdict.key, ""
    if verdict.reason.startswith(("wrong origin", "no user verification")):
        return None, verdict.reason
    return None, (
        f"does not verify with {{member}}'s key for namespace '{NAMESPACE}' over {what} ({verdict.reason}); "
        "checked with the roster key(s) valid on the meeting date"
    )


def _what(message: bytes) -> str:
    """What ``message`` is, in a refusal's words: an envelope, or a record's bytes alone."""
    if message.startswith(ENVELOPE.encode() + b"\n"):
        return "this record's envelope (its body, meeting date, path and these exact bytes)"
    return "these exact bytes"


def verify_signature(data: bytes, armored: bytes, keys, on) -> tuple[openssh.PublicKey | None, str]:
    """Whether ``armored`` signs ``data`` with one of ``keys`` (a member's MemberKeys) valid on ``on``:
    the key that verified, or None and why not. ``{member}`` in the reason names the signer."""
    valid = [member_key for member_key in keys if member_key.valid_on(on)]
    if not valid:
        return None, f"{{member}} has no roster key valid on {on}"
    return _verifying_key(data, armored, valid, on, _what(data))


def allowed_signers(member_id: str, member_key) -> str:
    """The ``allowed_signers`` line that makes ``ssh-keygen -Y verify`` check what the press checks
    for this roster key (docs/security.md, "Checking a signature by hand")."""
    return openssh.allowed_signers_line(member_id, member_key.line, NAMESPACE, member_key.valid_from, member_key.until)


class SigningError(Exception):
    pass


def signature_of(message: bytes, name: str, key_file: Path | None) -> bytes:
    """Sign ``message`` (a record's :func:`signed_message`) with ``ssh-keygen -Y sign`` and return the
    armored signature; writes nothing beside the record (``name``: the record's file name).

    ``key_file`` is a private key, or a public key whose private half is in ssh-agent.
    """
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise SigningError("ssh-keygen is not installed — install OpenSSH to sign records")
    with tempfile.TemporaryDirectory(prefix="press-sign-") as folder:
        copy = Path(folder) / name
        copy.write_bytes(message)
        command = [keygen, "-Y", "sign", "-n", NAMESPACE, "-q"]
        if key_file is not None:
            command += ["-f", str(key_file)]
        else:
            agent = subprocess.run(["ssh-add", "-L"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
            if agent.returncode != 0 or not agent.stdout.strip():
                raise SigningError("no key given and ssh-agent has none — pass --key ~/.ssh/id_ed25519")
            pub = Path(folder) / "agent.pub"
            pub.write_text(agent.stdout.splitlines()[0] + "\n")
            command += ["-f", str(pub)]
        done = subprocess.run([*command, str(copy)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise SigningError(f"ssh-keygen could not sign: {done.stderr.strip() or done.returncode}")
        return (Path(folder) / f"{name}.sig").read_bytes()


def verifies(message: bytes, armored: bytes, keys) -> bool:
    """Whether one of ``keys`` (MemberKeys) signed ``message``."""
    return _verifying_key(message, armored, keys)[0] is not None


def key_for(assembly: Assembly, meeting: Meeting, member_id: str, armored: bytes):
    """The roster key of ``member_id`` valid on the meeting date that verifies ``armored`` over the
    record's bytes, or None: whether a new signature would count, asked before it is written."""
    return key_signing(assembly, member_id, meeting.date, signed_message(assembly.rules, meeting), armored)


def key_signing(assembly: Assembly, member_id: str, day, message: bytes, armored: bytes):
    """The roster key of ``member_id`` valid on ``day`` that verifies ``armored`` over ``message``, or
    None: one check for whatever is signed (minutes, a ballot record, a close)."""
    member = assembly.members.get(member_id)
    if member is None:
        return None
    for member_key in member.keys_on(day):
        if _verifying_key(message, armored, [member_key], day)[0] is not None:
            return member_key
    return None


def key_of(key_file: Path) -> str:
    """The public key line of a key file (private keys are asked to ``ssh-keygen -y``)."""
    text = key_file.read_text(errors="replace")
    if text.startswith(("ssh-", "ecdsa-", "sk-")):
        return text.strip()
    done = subprocess.run(["ssh-keygen", "-y", "-f", str(key_file)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise SigningError(f"cannot read the public key of {key_file}: {done.stderr.strip()}")
    return done.stdout.strip()

"""A small press with online ballots, for the ballot commands' and the pull-request check's tests.

Harbor (Europe/Berlin) has editors ana and ben, members cai and dev with SSH keys made by ssh-keygen,
and ayse with a passkey (tests/fake_passkey.py). ``night-shifts`` asks to publish an article; a
meeting's motion opened it; it is open from 14 November 09:00 to 25 November 20:00, Berlin time —
the tests run on 21 November 2026 (PRESS_NOW).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fake_passkey import Passkey

ORIGIN = "https://press.example.org"
RECORD = "editorial/ballots/harbor/night-shifts.yml"
FOLDER = "editorial/ballots/harbor/night-shifts"
AFTER_CLOSE = "2026-11-26T12:00:00Z"
BEFORE_CLOSE = "2026-11-25T18:59:00Z"  # 19:59 in Berlin: one minute before the close


def require_keygen() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("ssh-keygen is required in CI (Debian: openssh-client)")
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    return path


def make_keys(folder: Path) -> dict[str, Path]:
    require_keygen()
    made = {}
    for name in ("ana", "ben", "cai", "dev", "mallory"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
        made[name] = folder / name
    return made


def pub(keys: dict[str, Path], name: str) -> str:
    return keys[name].with_suffix(".pub").read_text().strip()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def roster(keys: dict[str, Path], passkey: Passkey, extra: str = "") -> str:
    return (
        "name: Harbor Assembly\ntimezone: Europe/Berlin\nrules: {quorum: 2, signatures: 0}\nmembers:\n"
        f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}\n"
        f"  - {{id: ben, name: Ben, joined: 2025-01-01, key: {pub(keys, 'ben')}}}\n"
        f"  - {{id: cai, name: Cai, joined: 2025-01-01, key: {pub(keys, 'cai')}}}\n"
        f"  - {{id: dev, name: Dev, joined: 2025-01-01, key: {pub(keys, 'dev')}}}\n"
        f"  - {{id: ayse, name: Ayse, joined: 2025-01-01, key: {passkey.public_key_line()}}}\n"
        "  - {id: lea, name: Lea, joined: 2026-11-20}\n"
        f"{extra}"
        "editors: [ana, ben]\n"
    )


def build(root: Path, keys: dict[str, Path], passkey: Passkey) -> Path:
    """The press, written into ``root``."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "editorial" / "meetings").mkdir(parents=True, exist_ok=True)
    write(root, "editorial/press.yml", f"maintainers: [sam-okoro]\nballots: {{origin: {ORIGIN}}}\n")
    write(root, "editorial/assemblies/harbor.yml", roster(keys, passkey))
    article = write(root, "content/harbor/night-shifts.md", "Title: Two on every crane at night\n\nNobody works a crane alone.\n")
    digest = "sha256:" + hashlib.sha256(article.read_bytes()).hexdigest()
    write(root, "editorial/meetings/harbor/2026-11-05.yml", "present: [ana, ben, cai]\nmotions:\n  - open-ballot: night-shifts\n    yes: [ana, ben, cai]\n")
    write(
        root,
        RECORD,
        'question: Publish "Two on every crane at night" as approved by the assembly?\n'
        f"motion: publish\narticle: harbor/night-shifts\ndigest: {digest}\n"
        "opens: 2026-11-14 09:00\ncloses: 2026-11-25 20:00\nopened-by: 2026-11-05#1\n",
    )
    return root

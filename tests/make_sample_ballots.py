"""Make the sample press's online ballots (run by hand, from the repository's top folder):

    python tests/make_sample_ballots.py

What it writes (docs/online-ballots.md has the formats):

- Springfield's ballot ``tenant-hotline``: opened by the signatures of its two editors (ana, ben),
  publishing ``content/springfield/tenant-hotline.md``; nine ballots, of which three do not count for
  reasons a reader understands (ana's and fatima's first ballots, replaced by their second — fatima's
  old one sent again after the new; gus's, which arrived after the close); the close record.
- The council's party-wide question ``platform-2027`` (ranked choice), opened by the signatures of
  two delegates (dev, priya); ballots from members of Springfield and Riverside, among them Gus, who
  is listed in both assemblies and votes once; the close record.
- Keys on the voters' roster entries: passkeys made with ``tests/fake_passkey.py`` (origin
  https://press.example.org) and ed25519 keys made with ``ssh-keygen`` for the editors and delegates
  who sign. The private halves are discarded when the script ends: nobody can sign a new sample ballot.

The figures these ballots give are counted by hand in ``tests/test_ballot_site.py`` (SAMPLE_*).
Running it again makes new keys and signatures: every ballot, receipt and roster key changes.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))

from fake_passkey import Passkey  # noqa: E402

from press import signatures  # noqa: E402

ORIGIN = "https://press.example.org"
RP_ID = "press.example.org"
NAMESPACE = "assembly-press"

ARTICLE = "springfield/tenant-hotline"
ARTICLE_TEXT = """Title: A tenants' hotline, answered by tenants
Author: Eli Nakamura
Summary: From January, a phone line for tenants facing a rent rise, a repair refused or an eviction notice, staffed by members of the assembly.
Tags: housing, tenants
Lang: en

From January, tenants in Springfield's north side can call a hotline answered by other tenants:
members of the assembly who have been through a rent rise, a refused repair or an eviction notice,
and who know which forms to fill in and which office to call.

The line is open on weekday evenings from 18:00 to 21:00. Calls are not recorded. Volunteers take a
two-evening course with the Maple Street tenants' union before their first shift.

The assembly voted for the hotline online, between meetings: every ballot is in the press's
repository, signed on the member's phone, and anyone can count them again.
"""

HOTLINE = f"""question: Publish the tenants' hotline article as approved by the assembly?
motion: publish
article: {ARTICLE}
digest: {{digest}}
opens: 2026-11-09 09:00
closes: 2026-11-16 20:00
"""

PLATFORM = """question: Which of these should the party's platform put first in 2027?
method: ranked
options:
  - {id: housing, name: Homes before profit}
  - {id: transit, name: Free public transit}
  - {id: hours, name: A 32-hour week}
opens: 2026-11-16 08:00
closes: 2026-11-20 20:00
"""

# Springfield's ballot: (member, choice, sequence, received before the close)
HOTLINE_CASTS = [
    ("ana", "no", 1, True),
    ("ana", "yes", 2, True),  # ana changed her mind: her second ballot replaces the first
    ("ben", "yes", 1, True),
    ("carla", "yes", 1, True),
    ("dev", "no", 1, True),
    ("eli", "abstain", 1, True),
    ("fatima", "yes", 2, True),
    ("fatima", "no", 1, True),  # an older ballot sent again after a newer one: a lower sequence never wins
    ("gus", "yes", 1, False),  # arrived after the close
]

# The platform question: (assembly, member, ranking, sequence, received before the close)
PLATFORM_CASTS = [
    ("springfield", "ana", "housing > transit", 1, True),
    ("springfield", "ben", "housing > transit", 1, True),
    ("springfield", "carla", "housing", 1, True),
    ("springfield", "dev", "transit > housing", 1, True),
    ("springfield", "eli", "transit > housing", 1, True),
    ("springfield", "gus", "hours > transit", 1, True),  # listed in Springfield and Riverside: one vote
    ("riverside", "priya", "transit", 1, True),
    ("riverside", "tom", "hours > transit", 1, True),
    ("riverside", "owen", "housing > hours", 1, True),
    ("riverside", "leila", "transit", 1, True),
    ("riverside", "kofi", "hours > housing", 1, True),
    ("riverside", "grace", "hours > housing", 1, False),  # arrived after the close
]

# Who signs with an ed25519 key (editors open Springfield's ballot, delegates the council's); every
# other voter signs with a passkey.
SSH_SIGNERS = {("springfield", "ana"), ("springfield", "ben"), ("springfield", "dev"), ("riverside", "priya")}


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def cast_message(body: str, ballot: str, record: str, voter: str, choice: str, sequence: int, record_bytes: bytes) -> bytes:
    """The envelope a member signs (docs/online-ballots.md, "A member's ballot")."""
    try:
        from press.ballot_records import cast_message as made  # the records layer's one builder
    except ImportError:
        raise SystemExit("press.ballot_records is missing: run this with the press that reads ballots") from None
    return made(body, ballot, record, sha256(record_bytes), voter, choice, sequence)


class Keys:
    """The sample's throwaway keys: ed25519 files in a temporary folder, passkeys in memory."""

    def __init__(self, folder: Path, ssh_signers=SSH_SIGNERS):
        self.folder = folder
        self.ssh_signers = set(ssh_signers)
        self.passkeys: dict[tuple[str, str], Passkey] = {}
        self.ssh: dict[tuple[str, str], Path] = {}

    def line(self, who: tuple[str, str]) -> str:
        if who in self.ssh_signers:
            if who not in self.ssh:
                path = self.folder / f"{who[0]}.{who[1]}"
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(path)], check=True)
                self.ssh[who] = path
            return " ".join(Path(f"{self.ssh[who]}.pub").read_text().split()[:2])
        if who not in self.passkeys:
            self.passkeys[who] = Passkey(RP_ID)
        return self.passkeys[who].public_key_line()

    def sign(self, who: tuple[str, str], message: bytes, name: str) -> bytes:
        self.line(who)
        if who in self.ssh_signers:
            return signatures.signature_of(message, name, self.ssh[who])
        return self.passkeys[who].sign(message, ORIGIN)


def add_key(roster: Path, member: str, line: str) -> None:
    """Put ``key: <line>`` on ``member``'s roster entry (block or flow style), replacing a key there."""
    text = roster.read_text(encoding="utf-8")
    flow = re.compile(rf"^(  - \{{id: {re.escape(member)},[^\n}}]*?)(, key: [^,}}\n]+)?\}}", re.M)
    if flow.search(text):
        text = flow.sub(lambda m: f"{m[1]}, key: {line}}}", text, count=1)
    else:
        block = re.compile(rf"^(  - id: {re.escape(member)}\n(?:    (?!key:)[^\n]*\n)*?)(    key: [^\n]*\n)?(?=  - |\S|\Z)", re.M)
        match = block.search(text)
        if match is None:
            raise SystemExit(f"{roster}: no entry for {member}")
        text = text[: match.start()] + match[1] + f"    key: {line}\n" + text[match.end() :]
    roster.write_text(text, encoding="utf-8")


def list_gus_in_riverside(root: Path) -> None:
    """Gus, a Springfield member since September, joins Riverside too (one person, two rosters)."""
    riverside = root / "editorial" / "assemblies" / "riverside.yml"
    text = riverside.read_text(encoding="utf-8")
    if "id: gus," not in text:
        entry = "  - {id: gus, name: Gus Lindqvist, joined: 2026-11-10, person: gus-lindqvist}  # also in Springfield: one person, one vote\n"
        text = text.replace("editors:", entry + "editors:", 1)
        riverside.write_text(text, encoding="utf-8")
    springfield = root / "editorial" / "assemblies" / "springfield.yml"
    text = springfield.read_text(encoding="utf-8")
    if "person: gus-lindqvist" not in text:
        text = text.replace("    name: Gus Lindqvist\n", "    name: Gus Lindqvist\n    person: gus-lindqvist\n", 1)
        springfield.write_text(text, encoding="utf-8")


def write_ballot(root: Path, keys: Keys, body: str, ballot: str, record_text: str, casts, openers, closed: str | None) -> None:
    """The ballot record, its opening signatures, one file per cast (``casts``: (assembly, member,
    choice, sequence, received before the close)) and, with ``closed``, the close record."""
    folder = root / "editorial" / "ballots" / body
    record = f"editorial/ballots/{body}/{ballot}.yml"
    raw = record_text.encode()
    (folder / ballot).mkdir(parents=True, exist_ok=True)
    for old in (folder / ballot).glob("*.ballot"):
        old.unlink()
    for old in folder.glob(f"{ballot}.yml*.sig"):
        old.unlink()
    (root / record).write_bytes(raw)
    opening = signatures.envelope(body, f"ballot {ballot}", record, raw)
    for who in openers:  # an editor signs as themself; a delegate for their seat (the assembly)
        signer = who[0] if body == "council" else who[1]
        (root / f"{record}.{signer}.sig").write_bytes(keys.sign(who, opening, f"{ballot}.yml"))
    received = []
    for assembly, member, choice, sequence, in_time in casts:
        voter = f"{assembly}/{member}"
        message = cast_message(body, ballot, record, voter, choice, sequence, raw)
        data = message + keys.sign((assembly, member), message, f"{ballot}.ballot")
        (folder / ballot / f"{assembly}.{member}.{sequence}.ballot").write_bytes(data)
        if in_time:
            received.append(sha256(data))
    if closed is not None:
        close = f"closed: {closed}\nreceived:\n" + "".join(f"  - {d}\n" for d in sorted(received))
        (folder / f"{ballot}.close.yml").write_text(close, encoding="utf-8")


def main(root: Path = ROOT) -> None:
    article = root / "content" / f"{ARTICLE}.md"
    article.write_text(ARTICLE_TEXT, encoding="utf-8")
    list_gus_in_riverside(root)
    with tempfile.TemporaryDirectory(prefix="sample-keys-") as folder:  # the private halves go with it
        keys = Keys(Path(folder))
        voters = {("springfield", m) for m, *_ in HOTLINE_CASTS} | {(a, m) for a, m, *_ in PLATFORM_CASTS} | SSH_SIGNERS
        for assembly, member in sorted(voters):
            add_key(root / "editorial" / "assemblies" / f"{assembly}.yml", member, keys.line((assembly, member)))
        write_ballot(
            root, keys, "springfield", "tenant-hotline", HOTLINE.format(digest=sha256(article.read_bytes())),
            [("springfield", *c) for c in HOTLINE_CASTS], [("springfield", "ana"), ("springfield", "ben")], "2026-11-16 20:00",
        )  # fmt: skip
        write_ballot(root, keys, "council", "platform-2027", PLATFORM, PLATFORM_CASTS, [("springfield", "dev"), ("riverside", "priya")], "2026-11-20 20:00")


if __name__ == "__main__":
    main()

"""One rulebook for every body that votes: the holes found around the vote, each tried from a real
git repository with press verify / press check, as a hostile editor or writer would."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

from click.testing import CliRunner

from conftest import PressDir, commit, git
from press.cli import main
from test_council import HARBOR, council_yml
from test_signatures import envelope_of, keys, pub, ssh_sign  # noqa: F401 (keys: a fixture)

EDITOR = "Ana Ruiz <ana@example.org>"


def cli(root, *args):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def council_repo(p: PressDir) -> PressDir:
    """springfield (delegate ana) and harbor (delegate jo), both seated since September, in a git
    repository on main; harbor/ferry is published."""
    p.buildable()
    git(p.root, "init", "-q", "-b", "main")
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/council.yml", council_yml())
    p.article("harbor", "ferry", "No to the ferry cuts", "FERRY-BODY-TEXT")
    p.meeting("springfield", "2026-09-01", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: ana\n    yes: [ben, cai]\n")
    p.meeting(
        "harbor", "2026-09-02",
        f"present: [jo, kim, lee]\nmotions:\n  - publish: harbor/ferry\n    digest: {p.digest('harbor', 'ferry')}\n"
        "    yes: [jo, kim, lee]\n  - elect-delegate: jo\n    yes: [jo, kim, lee]\n",
    )  # fmt: skip
    commit(p.root, "Two assemblies, their delegates, a published article")
    return p


# --------------------------------------------------------------------------- council dated 9999


def test_a_council_meeting_dated_9999_is_a_problem_not_a_crash(pressdir, tmp_path):
    p = council_repo(pressdir)
    git(p.root, "checkout", "-q", "-b", "change")
    p.meeting("council", "9999-12-31", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield, harbor]\n")
    commit(p.root, "A council meeting far in the future")
    problem = "editorial/meetings/council/9999-12-31.yml: meeting date 9999-12-31 is out of range — dates are between 1900-01-01 and 2999-12-31"
    result = cli(p.root, "verify")
    assert result.exit_code == 1, result.output
    assert problem in result.output
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert f"- `{problem.replace(': meeting', '`: meeting', 1)}" in result.output
    out = tmp_path / "site"
    result = cli(p.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 1, result.output  # refused with the problem, never an internal error (exit 3)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- replayed minutes


def signed_repo(p: PressDir, keys, envelope_from: str | None = None) -> PressDir:
    """Springfield needs 2 editor signatures (ana, ben); on main, rent was published on 2026-11-03
    and retracted on 2026-11-10, both records signed by ana and ben."""
    cut = f", envelope-from: {envelope_from}" if envelope_from else ""
    p.buildable()
    git(p.root, "init", "-q", "-b", "main")
    p.assembly(
        text=f"name: Springfield\nrules: {{quorum: 2, signatures: 2{cut}}}\nmembers:\n"
        f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}\n"
        f"  - {{id: ben, name: Ben, joined: 2025-01-01, key: {pub(keys, 'ben')}}}\n"
        f"  - {{id: cai, name: Cai, joined: 2025-01-01, key: {pub(keys, 'cai')}}}\n"
        "editors: [ana, ben]\n"
    )
    p.article("springfield", "rent", title="Rent")
    p.publish("springfield", "rent", "2026-11-03")
    p.meeting("springfield", "2026-11-10", "present: [ana, ben, cai]\nmotions:\n  - retract: springfield/rent\n    reason: the figures were wrong\n    yes: [ana, ben]\n")
    return p


def sign_both(p: PressDir, keys, day: str, bytes_only: bool = False) -> None:
    record = p.root / f"editorial/meetings/springfield/{day}.yml"
    for who in ("ana", "ben"):
        ssh_sign(keys, who, record, who, bytes_only=bytes_only)


def copy_minutes(p: PressDir, old: str, new: str) -> None:
    folder = p.root / "editorial/meetings/springfield"
    for path in sorted(folder.glob(f"{old}.yml*")):
        shutil.copyfile(path, folder / path.name.replace(old, new))


def test_signed_minutes_copied_to_another_date_do_not_count(pressdir, keys):
    p = signed_repo(pressdir, keys)
    sign_both(p, keys, "2026-11-03")
    sign_both(p, keys, "2026-11-10")
    commit(p.root, "Signed minutes: published, then retracted")
    assert cli(p.root, "verify").exit_code == 0
    assert p.load().decisions.articles["springfield/rent"].state == "retracted"
    git(p.root, "checkout", "-q", "-b", "replay")
    copy_minutes(p, "2026-11-03", "2026-11-17")  # the publish, replayed after the retraction
    commit(p.root, "Minutes of 17 November")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    for who in ("ana", "ben"):
        assert (
            f"- `editorial/meetings/springfield/2026-11-17.yml.{who}.sig`: signature not counted: does not verify with {who}'s key "
            "for namespace 'assembly-press' over this record's envelope (its body, meeting date, path and these exact bytes)"
        ) in result.output
    assert "| `springfield/rent` | retracted |" in result.output
    assert p.load().decisions.articles["springfield/rent"].state == "retracted"  # nothing republished


def test_signed_minutes_copied_to_another_assembly_do_not_count(pressdir, keys):
    p = signed_repo(pressdir, keys)
    sign_both(p, keys, "2026-11-03")
    p.write("editorial/assemblies/harbor.yml", (p.root / "editorial/assemblies/springfield.yml").read_text().replace("Springfield", "Harbour"))
    p.article("harbor", "rent", title="Rent")
    for path in (p.root / "editorial/meetings/springfield").glob("2026-11-03.yml*"):
        p.write(f"editorial/meetings/harbor/{path.name}", path.read_bytes().replace(b"springfield/", b"harbor/"))
    problems = p.problems()
    assert any(x.startswith("editorial/meetings/harbor/2026-11-03.yml.ana.sig: signature not counted") for x in problems)
    assert p.load().decisions.articles["harbor/rent"].state == "awaiting-vote"


def test_bytes_only_signatures_count_before_the_cut_over_and_are_frozen(pressdir, keys):
    p = signed_repo(pressdir, keys, envelope_from="2026-11-05")
    sign_both(p, keys, "2026-11-03", bytes_only=True)  # signed before the envelope: still counts
    sign_both(p, keys, "2026-11-10")  # after the cut-over: the envelope
    commit(p.root, "Minutes under both schemes")
    result = cli(p.root, "verify")
    assert result.exit_code == 0, result.output
    assert p.load().decisions.articles["springfield/rent"].state == "retracted"
    # after the cut-over a bytes-only signature does not count
    git(p.root, "checkout", "-q", "-b", "late")
    p.meeting("springfield", "2026-11-17", "present: [ana, ben, cai]\nmotions:\n  - reject: springfield/rent\n    yes: [ana, ben]\n")
    sign_both(p, keys, "2026-11-17", bytes_only=True)
    commit(p.root, "Signed the old way after the cut-over")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert "2026-11-17.yml.ana.sig`: signature not counted: does not verify" in result.output
    # before the cut-over, no new signature at all: a copy of old minutes under an earlier date
    git(p.root, "checkout", "-q", "main")
    git(p.root, "checkout", "-q", "-b", "backdated")
    copy_minutes(p, "2026-11-03", "2026-11-01")
    commit(p.root, "Minutes of 1 November")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert (
        "- `editorial/meetings/springfield/2026-11-01.yml.ana.sig`: a new signature of a record dated before springfield's "
        "envelope-from (2026-11-05) — signatures made over a record's bytes alone count only as merged before the cut-over"
    ) in result.output


def test_the_change_that_turns_signing_on_may_sign_old_minutes_bytes_only_and_later_changes_may_not(pressdir, keys):
    """The upgrade path (the sample's harbor did this): minutes that needed no signature on the base
    branch may get bytes-only signatures in the change that sets signatures, signatures-from and
    envelope-from — they counted unsigned there, so a signature gives a copy nothing. Once merged, a
    copy of those minutes under another date before the cut-over is refused, as before."""
    p = signed_repo(pressdir, keys)
    roster = p.root / "editorial/assemblies/springfield.yml"
    unsigned = roster.read_text()
    for who in ("ana", "ben", "cai"):
        unsigned = unsigned.replace(f", key: {pub(keys, who)}", "")
    roster.write_text(unsigned.replace("signatures: 2", "signatures: 0"))
    commit(p.root, "Minutes without signatures")
    assert p.load().decisions.articles["springfield/rent"].state == "retracted"
    git(p.root, "checkout", "-q", "-b", "upgrade")
    roster.write_text(
        unsigned.replace("signatures: 2", "signatures: 2, signatures-from: 2026-11-03, envelope-from: 2026-11-10")
        .replace("{id: ana, name: Ana, joined: 2025-01-01}", f"{{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}")
        .replace("{id: ben, name: Ben, joined: 2025-01-01}", f"{{id: ben, name: Ben, joined: 2025-01-01, key: {pub(keys, 'ben')}}}")
    )  # fmt: skip
    sign_both(p, keys, "2026-11-03", bytes_only=True)  # before the cut-over: the old scheme
    sign_both(p, keys, "2026-11-10")  # the envelope
    commit(p.root, "Signed minutes in both schemes, with the cut-over")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output
    git(p.root, "checkout", "-q", "main")
    git(p.root, "merge", "-q", "--ff-only", "upgrade")
    assert cli(p.root, "verify").exit_code == 0
    # the attack the freeze stops: old bytes-only minutes replayed under another date before the cut-over
    git(p.root, "checkout", "-q", "-b", "backdated")
    copy_minutes(p, "2026-11-03", "2026-11-05")
    commit(p.root, "Minutes of 5 November")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    for who in ("ana", "ben"):
        assert (
            f"- `editorial/meetings/springfield/2026-11-05.yml.{who}.sig`: a new signature of a record dated before springfield's "
            "envelope-from (2026-11-10) — signatures made over a record's bytes alone count only as merged before the cut-over"
        ) in result.output


def test_press_sign_signs_the_envelope(pressdir, keys):
    p = signed_repo(pressdir, keys)
    record = p.root / "editorial/meetings/springfield/2026-11-03.yml"
    for who in ("ana", "ben"):
        result = cli(p.root, "sign", str(record), "--key", str(keys[who]))
        assert result.exit_code == 0, result.output
    allowed = p.root / "allowed_signers"
    allowed.write_text(f'ana namespaces="assembly-press" {pub(keys, "ana")}\n')
    by_hand = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "ana", "-n", "assembly-press", "-s", f"{record}.ana.sig"],
        input=envelope_of(record), capture_output=True,
    )  # fmt: skip
    assert by_hand.returncode == 0, by_hand.stderr
    bytes_only = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "ana", "-n", "assembly-press", "-s", f"{record}.ana.sig"],
        input=record.read_bytes(), capture_output=True,
    )  # fmt: skip
    assert bytes_only.returncode != 0
    assert p.load().decisions.articles["springfield/rent"].state == "published"  # the press counts what it signed


# --------------------------------------------------------------------------- retired keys, every body


def test_a_retired_key_cannot_sign_council_minutes(pressdir, keys):
    """ana, springfield's delegate, lost her laptop (the 'dev' key) on 1 November; the thief signs a
    backdated council meeting that puts harbor/ferry on the front page as lead."""
    p = council_repo(pressdir)
    roster = p.root / "editorial/assemblies/springfield.yml"
    roster.write_text(roster.read_text().replace(
        "{id: ana, name: Ana, joined: 2025-01-01}",
        f"{{id: ana, name: Ana, joined: 2025-01-01, keys: [{{key: {pub(keys, 'dev')}, until: 2026-11-01}}, {{key: {pub(keys, 'ana')}, from: 2026-11-01}}]}}",
    ))  # fmt: skip
    p.write("editorial/council.yml", council_yml(extra="  signatures: 1\n"))
    commit(p.root, "Council minutes are signed; ana's lost key is retired")
    git(p.root, "checkout", "-q", "-b", "thief")
    record = p.meeting("council", "2026-10-18", "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield]\n")
    refused = cli(p.root, "sign", str(record), "--key", str(keys["dev"]), "--member", "springfield")
    assert refused.exit_code == 2
    assert "signature not kept: it was made with springfield's key retired on 2026-11-01 — a retired key signs nothing new" in refused.output
    assert not record.with_name(record.name + ".springfield.sig").exists()
    ssh_sign(keys, "dev", record, "springfield")  # by hand, then
    commit(p.root, "Council meeting of 18 October")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert (
        "- `editorial/meetings/council/2026-10-18.yml.springfield.sig`: signed with springfield's key retired on 2026-11-01 — "
        "a retired key signs nothing new: sign with the current key"
    ) in result.output


def test_a_signature_that_counted_on_council_minutes_stays(pressdir, keys):
    """Council minutes are append-only like an assembly's: a pull request that removes or replaces a
    delegate's signature that counted on the base branch is refused, naming it."""
    p = council_repo(pressdir)
    roster = p.root / "editorial/assemblies/springfield.yml"
    roster.write_text(roster.read_text().replace("{id: ana, name: Ana, joined: 2025-01-01}", f"{{id: ana, name: Ana, joined: 2025-01-01, key: {pub(keys, 'ana')}}}"))
    p.write("editorial/council.yml", council_yml(extra="  signatures: 1\n"))
    record = p.meeting("council", "2026-10-18", "present: [springfield]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield]\n")
    sig = ssh_sign(keys, "ana", record, "springfield")
    commit(p.root, "Signed council minutes")
    assert cli(p.root, "verify").exit_code == 0
    git(p.root, "checkout", "-q", "-b", "unsign")
    for change in ("removed", "replaced"):
        if change == "removed":
            sig.unlink()
        else:
            ssh_sign(keys, "ben", record, "springfield")
        commit(p.root, f"signature {change}")
        result = cli(p.root, "check", "--base", "main")
        assert result.exit_code == 1, result.output
        assert (
            f"- `editorial/meetings/council/2026-10-18.yml.springfield.sig`: springfield's signature of "
            f"editorial/meetings/council/2026-10-18.yml counted on the base branch and was {change} — signatures that count stay"
        ) in result.output


# --------------------------------------------------------------------------- rosters guard themselves

ROSTER = "editorial/assemblies/springfield.yml"


def sign_roster(p: PressDir, keys, signer: str, as_member: str, base: bytes) -> None:
    """Sign the roster's envelope by hand, as docs/workflow.md tells: it names the version it replaces."""
    roster = p.root / ROSTER
    text = (
        "assembly-press signed record v1\nnamespace: assembly-press\nbody: springfield\nsitting: roster\n"
        f"record: {ROSTER}\nprevious: sha256:{hashlib.sha256(base).hexdigest()}\n"
        f"digest: sha256:{hashlib.sha256(roster.read_bytes()).hexdigest()}\n"
    )
    message = p.root / ".roster-message"
    message.write_text(text)
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", "assembly-press", "-f", str(keys[signer]), str(message)], check=True)
    (p.root / ".roster-message.sig").rename(p.root / f"{ROSTER}.{as_member}.sig")
    message.unlink()


def keyed_roster(pressdir, keys) -> tuple[PressDir, bytes]:
    p = signed_repo(pressdir, keys)
    sign_both(p, keys, "2026-11-03")
    commit(p.root, "Signed minutes; ana and ben are the editors, both with keys")
    git(p.root, "checkout", "-q", "-b", "roster")
    return p, (p.root / ROSTER).read_bytes()


def add_key(p: PressDir, member: str, key: str) -> None:
    roster = p.root / ROSTER
    text = roster.read_text()
    old = next(line for line in text.splitlines() if f"id: {member}," in line)
    current = old.split("key: ")[1].rstrip("}")
    roster.write_text(text.replace(old, old.replace(f"key: {current}", f"keys: [{{key: {current}}}, {{key: {key}}}]")))


def test_one_editor_cannot_add_her_key_to_another_editors_entry(pressdir, keys):
    p, base = keyed_roster(pressdir, keys)
    add_key(p, "ben", pub(keys, "dev"))  # ana's second key, in ben's entry: she could then sign as both
    commit(p.root, "Ben's new key")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert (
        f"- `{ROSTER}:5`: the keys of 'ben' changed — a change to who signs counts only when 2 current editors of springfield "
        f"sign the new roster ({ROSTER}.<member>.sig, see 'Changing who signs' in docs/workflow.md), or — keys added to ben's own "
        "entry — ben signs it with a current key; this change is signed by no current editor"
    ) in result.output
    sign_roster(p, keys, "ana", "ana", base)  # her own signature is one person's
    sign_roster(p, keys, "dev", "ben", base)  # and the key she is adding vouches for nothing
    commit(p.root, "Signed")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert "this change is signed by ana" in result.output


def test_a_member_adds_a_key_to_their_own_entry_with_a_key_they_have(pressdir, keys):
    p, base = keyed_roster(pressdir, keys)
    add_key(p, "ben", pub(keys, "dev"))
    sign_roster(p, keys, "ben", "ben", base)
    commit(p.root, "Ben's second key, signed by ben")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output


def test_two_editors_sign_a_change_of_editors_and_an_old_signed_roster_cannot_be_restored(pressdir, keys):
    p, base = keyed_roster(pressdir, keys)
    roster = p.root / ROSTER
    roster.write_text(roster.read_text().replace("editors: [ana, ben]", "editors: [ana, ben, cai]"))
    commit(p.root, "cai becomes an editor")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert f"- `{ROSTER}`: the editors (were ana, ben, now ana, ben, cai) changed" in result.output
    sign_roster(p, keys, "ana", "ana", base)
    sign_roster(p, keys, "ben", "ben", base)
    commit(p.root, "Signed by both editors")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    git(p.root, "checkout", "-q", "main")
    git(p.root, "merge", "-q", "--ff-only", "roster")
    # later, one editor restores the old roster (cai no longer an editor) with signatures of that old change
    git(p.root, "checkout", "-q", "-b", "restore")
    roster.write_text(roster.read_text().replace("editors: [ana, ben, cai]", "editors: [ana, ben]"))
    commit(p.root, "Back to two editors, 'signed'")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert "the editors (were ana, ben, cai, now ana, ben) changed" in result.output
    assert "this change is signed by no current editor" in result.output


# --------------------------------------------------------------------------- the council corrects its minutes


def test_the_council_corrects_its_minutes_through_the_assemblies_path(pressdir, tmp_path):
    p = council_repo(pressdir)
    p.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield, harbor]\n")
    assert [f.article for f in p.load().decisions.council.on_front_page()] == ["harbor/ferry"]
    # springfield really voted no: 1 yes against 1 no does not carry
    p.meeting(
        "council", "2026-11-15",
        "present: [springfield, harbor]\nmotions:\n  - correct: 2026-10-18#1\n    reason: springfield voted no, not yes\n"
        "    corrected: {yes: [harbor], no: [springfield]}\n    yes: [springfield, harbor]\n",
    )  # fmt: skip
    result = cli(p.root, "verify")
    assert result.exit_code == 0, result.output
    council = p.load().decisions.council
    assert council.on_front_page() == []
    feature = council.outcomes[0]
    assert feature.status == "failed" and feature.corrected_by.date.isoformat() == "2026-11-15"
    # a correction answers to the seats of the meeting it corrects, and names an earlier council motion
    p.meeting(
        "council", "2026-11-16",
        "present: [springfield, harbor]\nmotions:\n  - correct: 2026-10-18#1\n    reason: the atlantis seat voted\n"
        "    corrected: {yes: [atlantis]}\n    yes: [springfield, harbor]\n  - correct: 2026-12-01#1\n    reason: later\n    yes: [harbor]\n",
    )  # fmt: skip
    result = cli(p.root, "verify")
    assert result.exit_code == 1
    assert "editorial/meetings/council/2026-11-16.yml:3: 'atlantis' is a corrected yes vote but is not an assembly" in result.output
    assert "editorial/meetings/council/2026-11-16.yml:7: correct names 2026-12-01#1, which is not before this meeting" in result.output
    (p.root / "editorial/meetings/council/2026-11-16.yml").unlink()
    # struck from the record
    p.meeting(
        "council", "2026-11-15",
        "present: [springfield, harbor]\nmotions:\n  - correct: 2026-10-18#1\n    reason: no such vote was taken\n    yes: [springfield, harbor]\n",
    )  # fmt: skip
    council = p.load().decisions.council
    assert council.outcomes[0].status == "invalid" and council.on_front_page() == []
    assert "struck from the record by the correction of 2026-11-15 (motion 1): no such vote was taken" in council.outcomes[0].reasons
    out = tmp_path / "site"
    result = cli(p.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    ledger = (out / "council" / "ledger.html").read_text()
    assert "no such vote was taken" in ledger


# --------------------------------------------------------------------------- one person, one seat


def test_one_person_cannot_hold_two_council_seats(pressdir):
    p = council_repo(pressdir)
    harbor = p.root / "editorial/assemblies/harbor.yml"
    springfield = p.root / ROSTER
    springfield.write_text(springfield.read_text().replace("{id: ana, name: Ana, joined: 2025-01-01}", "{id: ana, name: Ana, joined: 2025-01-01, github: Ana-R}"))
    harbor.write_text(harbor.read_text().replace("{id: kim, name: Kim, joined: 2025-01-01}", "{id: kim, name: Kim, joined: 2025-01-01}\n  - {id: ana, name: Ana Ruiz, joined: 2026-01-01, github: ana-r}"))
    commit(p.root, "Ana joins the harbour too")
    git(p.root, "checkout", "-q", "-b", "second-seat")
    p.meeting("harbor", "2026-10-01", "present: [jo, kim, lee, ana]\nmotions:\n  - recall-delegate: jo\n    yes: [kim, lee, ana]\n  - elect-delegate: ana\n    yes: [kim, lee, ana]\n")
    p.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [springfield, harbor]\n")
    commit(p.root, "Ana elected by the harbour; a council meeting")
    problem = (
        "editorial/meetings/harbor/2026-10-01.yml:5: 'ana' of harbor is the same person as 'ana' of springfield, who holds "
        "springfield's council seat since 2026-09-01 — one person holds at most one seat: this election does not count"
    )
    result = cli(p.root, "verify")
    assert result.exit_code == 1, result.output
    assert problem in result.output
    assert "seat 'harbor' is listed as present but has no delegate on 2026-10-18" in result.output
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    council = p.load().decisions.council
    assert council.on_front_page() == [] and set(council.seats_today) == {"springfield"}


def test_a_person_id_joins_entries_without_a_shared_handle(pressdir):
    from press.decisions import people

    p = council_repo(pressdir)
    harbor = p.root / "editorial/assemblies/harbor.yml"
    harbor.write_text(harbor.read_text().replace("{id: kim, name: Kim, joined: 2025-01-01}", "{id: kim, name: Kim, joined: 2025-01-01, person: ana-ruiz}"))
    springfield = p.root / ROSTER
    springfield.write_text(springfield.read_text().replace("{id: ana, name: Ana, joined: 2025-01-01}", "{id: ana, name: Ana, joined: 2025-01-01, person: ana-ruiz}"))
    joined = people(p.load().records.assemblies)
    assert joined[("harbor", "kim")] == joined[("springfield", "ana")]
    assert joined[("harbor", "jo")] != joined[("springfield", "ana")]
    springfield.write_text(springfield.read_text().replace("person: ana-ruiz", "person: Ana Ruiz"))
    assert any(x.startswith(f"{ROSTER}:7: person id of 'ana' 'Ana Ruiz' is not a valid id") for x in p.problems()), p.problems()


# --------------------------------------------------------------------------- weights are a census the council adopts


def test_padding_a_roster_changes_no_seats_weight(pressdir):
    p = council_repo(pressdir)
    p.write("editorial/council.yml", council_yml(weighting="members"))
    proposal = cli(p.root, "census", "--date", "2026-10-01")
    assert proposal.exit_code == 0, proposal.output
    assert proposal.output == "  - census: 2026-10-01\n    weights: {harbor: 5, springfield: 3}\n    yes: []\n"
    p.meeting("council", "2026-10-04", "present: [springfield, harbor]\nmotions:\n" + proposal.output.replace("yes: []", "yes: [springfield, harbor]"))
    commit(p.root, "The council adopts the census of 1 October")
    git(p.root, "checkout", "-q", "-b", "padding")
    roster = p.root / ROSTER
    invented = "".join(f"  - {{id: ghost-{i}, name: Ghost {i}, joined: 2025-01-01}}\n" for i in range(60))
    roster.write_text(roster.read_text().replace("editors: [ana]\n", invented + "editors: [ana]\n"))
    p.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    lead: true\n    yes: [harbor]\n    no: [springfield]\n")
    commit(p.root, "Sixty new members, and springfield's seat votes")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output  # nothing counted under the padded roster: the census holds
    (outcome,) = [o for o in p.load().decisions.council.outcomes if o.date.isoformat() == "2026-10-18"]
    assert outcome.tally == "yes 1 seat (5 members) · no 1 seat (3 members) · abstain 0 (quorum 4 of 8 members represented)"
    assert outcome.passed
    assert cli(p.root, "census", "--date", "2026-10-18").output.startswith("  - census: 2026-10-18\n    weights: {harbor: 5, springfield: 63}")
    # a census that names no assembly, or counts after its meeting, does not count
    p.meeting("council", "2026-11-15", "present: [springfield, harbor]\nmotions:\n  - census: 2026-11-20\n    weights: {springfield: 63, atlantis: 9}\n    yes: [springfield, harbor]\n")
    result = cli(p.root, "verify")
    assert result.exit_code == 1
    assert "editorial/meetings/council/2026-11-15.yml:3: the census names atlantis, not an assembly — seats are assembly ids" in result.output


def test_a_roster_only_change_of_who_a_member_is_across_rosters_needs_two_editors(pressdir, keys):
    """One editor gives a member another assembly's delegate's GitHub handle (or a person id): they
    would be "the same person", and that delegate's election would stop counting. Who a member is
    across rosters is guarded like their keys: two current editors sign, or the change fails."""
    p, _ = keyed_roster(pressdir, keys)
    for n, (field, value) in enumerate((("github", "someone-elses-delegate"), ("person", "p-0042"))):
        git(p.root, "checkout", "-q", "-B", f"identity-{n}", "main")
        base = (p.root / ROSTER).read_bytes()
        roster = p.root / ROSTER
        text = roster.read_text()
        old = next(line for line in text.splitlines() if "id: cai," in line)
        roster.write_text(text.replace(old, old.replace("id: cai,", f"id: cai, {field}: {value},")))
        commit(p.root, f"cai's {field}")
        result = cli(p.root, "check", "--base", "main")
        assert result.exit_code == 1, result.output
        assert "the identity of 'cai' (github, person: who they are across rosters) changed" in result.output
        sign_roster(p, keys, "ana", "ana", base)
        sign_roster(p, keys, "ben", "ben", base)
        commit(p.root, "Signed by both editors")
        result = cli(p.root, "check", "--base", "main")
        assert "the identity of 'cai'" not in result.output, result.output


# --------------------------------------------------------------------------- the council's rules guard themselves

COUNCIL = "editorial/council.yml"


def sign_council(p: PressDir, keys, signer: str, seat: str, base: bytes) -> None:
    """Sign council.yml's envelope by hand for a seat, as a roster's is signed: it names the version it replaces."""
    record = p.root / COUNCIL
    text = (
        "assembly-press signed record v1\nnamespace: assembly-press\nbody: council\nsitting: roster\n"
        f"record: {COUNCIL}\nprevious: sha256:{hashlib.sha256(base).hexdigest()}\n"
        f"digest: sha256:{hashlib.sha256(record.read_bytes()).hexdigest()}\n"
    )
    message = p.root / ".council-message"
    message.write_text(text)
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-n", "assembly-press", "-f", str(keys[signer]), str(message)], check=True)
    (p.root / ".council-message.sig").rename(p.root / f"{COUNCIL}.{seat}.sig")
    message.unlink()


def keyed_council(p: PressDir, keys) -> tuple[PressDir, bytes]:
    """The council repository, its delegates keyed (ana: springfield's seat, jo with the 'ben' key:
    harbor's), council minutes needing one signature; a branch 'rules' to change council.yml on."""
    council_repo(p)
    for aid, mid, key in (("springfield", "ana", "ana"), ("harbor", "jo", "ben")):
        roster = p.root / f"editorial/assemblies/{aid}.yml"
        roster.write_text(roster.read_text().replace(f"{{id: {mid}, name: {mid.capitalize()}, joined: 2025-01-01}}", f"{{id: {mid}, name: {mid.capitalize()}, joined: 2025-01-01, key: {pub(keys, key)}}}"))
    p.write(COUNCIL, council_yml(extra="  signatures: 1\n"))
    commit(p.root, "The delegates have keys; council minutes are signed")
    git(p.root, "checkout", "-q", "-b", "rules")
    return p, (p.root / COUNCIL).read_bytes()


def test_one_assemblys_editors_cannot_change_the_councils_signature_rules_or_weighting(pressdir, keys):
    p, base = keyed_council(pressdir, keys)
    p.write(COUNCIL, council_yml(weighting="members", extra="  signatures: 0\n"))  # no signed minutes, and springfield's 3 outweigh
    commit(p.root, "Council rules")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    rule = (
        "changed — a change to who signs or what a seat weighs counts only when 2 current council delegates (one per seat) sign the new "
        f"record ({COUNCIL}.<seat>.sig, see 'Changing who signs' in docs/workflow.md); this change is signed by"
    )
    assert f"- `{COUNCIL}`: the signature rules (signatures, signatures-from, envelope-from) {rule} no current delegate" in result.output
    assert f"- `{COUNCIL}`: the weighting (was equal, now members) {rule} no current delegate" in result.output
    sign_council(p, keys, "ana", "springfield", base)  # one seat is one assembly: not enough
    sign_council(p, keys, "ana", "harbor", base)  # nor is its delegate's key filed under another seat
    commit(p.root, "Signed for springfield")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert f"the weighting (was equal, now members) {rule} springfield\n" in result.output
    sign_council(p, keys, "ben", "harbor", base)  # harbor's delegate signs too
    commit(p.root, "Signed for harbor")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output
    assert cli(p.root, "verify").exit_code == 0  # the signatures beside council.yml are no stray files


def test_a_delegate_elected_in_the_same_change_does_not_sign_the_councils_rules(pressdir, keys):
    """harbor's editors elect a new delegate (kim, with a key of theirs) in the pull request that
    changes the council's rules, and sign for both seats: only seats filled on the base branch sign."""
    p, base = keyed_council(pressdir, keys)
    roster = p.root / "editorial/assemblies/harbor.yml"
    p.meeting("harbor", "2026-11-20", "present: [jo, kim, lee]\nmotions:\n  - elect-delegate: kim\n    yes: [kim, lee]\n")
    commit(p.root, "harbor elects kim")
    git(p.root, "checkout", "-q", "main")
    git(p.root, "merge", "-q", "--ff-only", "rules")
    git(p.root, "checkout", "-q", "-b", "more")
    springfield = p.root / "editorial/assemblies/springfield.yml"
    roster.write_text(roster.read_text().replace("{id: kim, name: Kim, joined: 2025-01-01}", f"{{id: kim, name: Kim, joined: 2025-01-01, key: {pub(keys, 'cai')}}}"))
    springfield.write_text(springfield.read_text().replace("{id: ben, name: Ben, joined: 2025-01-01}", f"{{id: ben, name: Ben, joined: 2025-01-01, key: {pub(keys, 'dev')}}}"))
    commit(p.root, "kim's and ben's keys")
    git(p.root, "checkout", "-q", "main")
    git(p.root, "merge", "-q", "--ff-only", "more")
    git(p.root, "checkout", "-q", "-b", "weights")
    p.meeting("springfield", "2026-11-20", "present: [ana, ben, cai]\nmotions:\n  - elect-delegate: ben\n    yes: [ben, cai]\n")
    p.write(COUNCIL, council_yml(weighting="members", extra="  signatures: 1\n"))
    sign_council(p, keys, "cai", "harbor", base)  # kim holds harbor's seat on the base branch: this counts
    sign_council(p, keys, "dev", "springfield", base)  # ben, elected in this very change: this does not
    commit(p.root, "springfield elects ben, who signs the new weighting")
    result = cli(p.root, "check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert "the weighting (was equal, now members) changed" in result.output
    assert "this change is signed by harbor" in result.output


def test_a_council_correction_is_weighed_by_the_adopted_census(pressdir):
    """Under `weighting: members` every council vote — a correction too — is weighed by the census
    the council adopted: harbor's seat (5) outweighs springfield's (3) in the correction itself."""
    p = council_repo(pressdir)
    p.write("editorial/council.yml", council_yml(weighting="members"))
    p.meeting("council", "2026-10-04", "present: [springfield, harbor]\nmotions:\n  - census: 2026-10-01\n    weights: {harbor: 5, springfield: 3}\n    yes: [springfield, harbor]\n")
    p.meeting("council", "2026-10-18", "present: [springfield, harbor]\nmotions:\n  - feature: harbor/ferry\n    yes: [springfield]\n    no: [harbor]\n")
    assert p.load().decisions.council.on_front_page() == []  # 3 members against 5: failed
    p.meeting(
        "council", "2026-11-15",
        "present: [springfield, harbor]\nmotions:\n  - correct: 2026-10-18#1\n    reason: the votes were swapped in the minutes\n"
        "    corrected: {yes: [harbor], no: [springfield]}\n    yes: [harbor]\n    no: [springfield]\n",
    )  # fmt: skip
    assert cli(p.root, "verify").exit_code == 0
    council = p.load().decisions.council
    correction = next(o for o in council.outcomes if o.motion.kind == "correct")
    assert correction.passed, correction.reasons  # 5 members against 3 (with every seat weighing 1 it would tie)
    assert [f.article for f in council.on_front_page()] == ["harbor/ferry"]

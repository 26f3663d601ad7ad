"""Online ballots attacked as a hostile member, a rogue editor and a thief would: each test is a hole
that was open and stays shut, or (where its section says so) an attack that found the door shut."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from press.cli import main
from test_ballots import ORIGIN, BallotPress, bp, party, problems, refused  # noqa: F401 (bp, party: fixtures)

# A ballot season with fixed windows around 21 November 2026 (see conftest.as_of_the_season).
pytestmark = pytest.mark.usefixtures("as_of_the_season")


# --------------------------------------------------------------------------- the thief: a passkey without its owner


def test_a_stolen_security_key_cannot_sign_without_its_owner_by_skipping_the_browser(bp):
    # A roaming passkey (a USB or NFC key) answers anyone who holds it: asked directly, not through a
    # browser, it signs a plain sk-ecdsa signature with a touch (user present) and no PIN.
    path = bp.cast("ana", "yes", plain=True, user_verified=False)
    assert "no user verification" in refused(bp, path, "no user verification")


def test_a_passkey_signature_made_in_a_frame_of_another_site_is_refused(bp):
    # The press's own page framed by a hostile page (clickjacking): the browser records the press's
    # origin, and says crossOrigin: true.
    path = bp.cast("ana", "yes", cross_origin=True)
    assert "wrong origin" in refused(bp, path, "wrong origin")


def test_a_ballot_file_name_with_a_newline_is_no_ballot_id(bp):
    bp.p.write("editorial/ballots/springfield/night\n.yml", (bp.root / "editorial/ballots/springfield/night.yml").read_text())
    press = bp.load()
    assert [b.id for b in press.decisions.ballots] == ["night"]
    assert any(p.path == "editorial/ballots/springfield/night\n.yml" for p in press.problems), press.problems


# --------------------------------------------------------------------------- an article changed after the vote  (no hole found: kept shut)


def test_an_article_published_by_ballot_and_changed_after_the_vote_is_held_back(bp):
    bp.close(bp.cast("ana", "yes"), bp.cast("ben", "yes"))
    assert bp.load().decisions.articles["springfield/night"].state == "published"
    article = bp.root / "content/springfield/night.md"
    article.write_text(article.read_text() + "\nA paragraph nobody voted on.\n")
    assert bp.load().decisions.articles["springfield/night"].state == "edited-since-approval"  # as after a meeting


# --------------------------------------------------------------------------- the secretary's inbox


def test_press_ballot_add_refuses_what_is_not_a_file_and_never_hangs(bp, tmp_path):
    import os

    fifo = tmp_path / "ballot.fifo"
    os.mkfifo(fifo)  # a named pipe nobody writes to: reading it waits for ever
    result = CliRunner().invoke(main, ["--root", str(bp.root), "ballot", "add", str(fifo), "/dev/zero"])
    assert result.exit_code == 1, result.output
    assert f"{fifo}: not a file" in result.output and "/dev/zero: not a file" in result.output


# --------------------------------------------------------------------------- the rogue editor


def test_a_close_that_leaves_out_a_merged_ballot_fails_the_check(tmp_path):
    """An editor who dislikes cai's vote writes the close by hand without it: cai's ballot, merged
    long before, would quietly become 'arrived after the close'."""
    from ballot_press import AFTER_CLOSE, FOLDER, build, make_keys, write
    from conftest import commit, git
    from fake_passkey import Passkey

    (tmp_path / "keys").mkdir()
    keys = make_keys(tmp_path / "keys")
    root = build(tmp_path / "press", keys, Passkey("press.example.org"))
    git(root, "init", "-q", "-b", "main")
    run = lambda *args: CliRunner().invoke(main, ["--root", str(root), "--now", AFTER_CLOSE, *args])  # noqa: E731
    signed = CliRunner().invoke(main, ["--root", str(root), "ballot", "sign", "harbor", "night-shifts", "--voter", "harbor/cai", "--choice", "yes", "--key", str(keys["cai"])])
    assert signed.exit_code == 0, signed.output
    write(root, f"{FOLDER}/harbor.cai.1.ballot", signed.stdout_bytes)
    commit(root, "cai's ballot")
    git(root, "checkout", "-q", "-b", "close")
    close = "editorial/ballots/harbor/night-shifts.close.yml"
    write(root, close, "closed: 2026-11-25 20:00\nreceived: []\n")
    commit(root, "Close the ballot", author="Ana <ana@example.org>")
    result = run("check", "--base", "main")
    assert result.exit_code == 1, result.output
    assert f"- `{close}`: leaves out {FOLDER}/harbor.cai.1.ballot, a member's ballot on the base branch" in result.output
    assert run("ballot", "close", "harbor", "night-shifts").exit_code == 1  # the close is there: press ballot close would list it
    (root / close).unlink()
    assert run("ballot", "close", "harbor", "night-shifts").exit_code == 0
    commit(root, "Close the ballot with press ballot close")
    assert run("check", "--base", "main").exit_code == 0


def test_a_ballot_nobody_could_see_open_fails_the_check(tmp_path):
    """Two of a clique's members and the meeting's open-ballot motion: the ballot record, its window
    already over, their two ballots and the close, all in one pull request — a ballot no other member
    ever saw open, that would publish the article."""
    from ballot_press import FOLDER, RECORD, build, make_keys, write
    from conftest import commit, git
    from fake_passkey import Passkey

    (tmp_path / "keys").mkdir()
    keys = make_keys(tmp_path / "keys")
    root = build(tmp_path / "press", keys, Passkey("press.example.org"))
    record = (root / RECORD).read_text().replace("closes: 2026-11-25 20:00", "closes: 2026-11-15 20:00")
    (root / RECORD).unlink()
    git(root, "init", "-q", "-b", "main")
    commit(root, "The press; the meeting of 5 November voted to open a ballot on night-shifts")
    git(root, "checkout", "-q", "-b", "hidden")
    write(root, RECORD, record)
    received = []
    for voter in ("ana", "ben"):
        run = CliRunner().invoke(main, ["--root", str(root), "--now", "2026-11-15T12:00:00Z", "ballot", "sign", "harbor", "night-shifts",
                                        "--voter", f"harbor/{voter}", "--choice", "yes", "--key", str(keys[voter])])  # fmt: skip
        assert run.exit_code == 0, run.output
        write(root, f"{FOLDER}/harbor.{voter}.1.ballot", run.stdout_bytes)
        received.append(hashlib.sha256(run.stdout_bytes).hexdigest())
    write(root, "editorial/ballots/harbor/night-shifts.close.yml", "closed: 2026-11-15 20:00\nreceived:\n" + "".join(f"  - sha256:{d}\n" for d in received))
    commit(root, "A ballot, two ballots, a close", author="Ana <ana@example.org>")
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert f"- `{RECORD}`: this ballot closed on 2026-11-15 20:00 (Europe/Berlin), before this change adds it: no member saw it open" in result.output


def test_one_person_listed_as_two_editors_does_not_open_a_ballot_alone(bp):
    """ana is in the roster twice — as ana and as ana-work, the same person (person: ana), both
    editors, each with a key — and signs the opening under both names: one person, not two editors."""
    from fake_passkey import Passkey

    second = Passkey("press.example.org")
    roster = bp.root / "editorial/assemblies/springfield.yml"
    text = roster.read_text().replace("{id: ana, name: Ana,", "{id: ana, name: Ana, person: ana,")
    text = text.replace("editors: [ana, ben]", f"  - {{id: ana-work, name: Ana, person: ana, joined: 2025-01-01, key: {second.public_key_line()}}}\neditors: [ana, ben, ana-work]")
    roster.write_text(text)
    bp.record(**{"opened-by": None})
    record = bp.load().records.ballots[0]
    bp.p.write("editorial/ballots/springfield/night.yml.ana.sig", bp.passkeys["ana"].sign(record.opening_message(), ORIGIN))
    bp.p.write("editorial/ballots/springfield/night.yml.ana-work.sig", second.sign(record.opening_message(), ORIGIN))
    press = bp.load()
    assert not [p for p in press.problems if p.path.endswith("springfield.yml")], press.problems
    assert press.decisions.ballots == []
    assert "editorial/ballots/springfield/night.yml.ana-work.sig: opening signature not counted: 'ana-work' is the same person as 'ana', whose signature counts — one person, one signature — sign again with press ballot sign" in problems(bp)


# --------------------------------------------------------------------------- a count that never ends


def test_a_ranked_count_of_endless_ties_stops_within_a_fixed_amount_of_counting(monkeypatch):
    """40 options, two ballots each and no second preference: every way of breaking each tie meets
    another. The press tries up to 512 ways, each a whole count — minutes for one build. It stops
    after a fixed number of ballot-rounds counted instead, and calls every option tied."""
    from press import count

    counted = []
    whole = count._count

    def measured(options, ranking, picks):
        trial = whole(options, ranking, picks)
        counted.append(len(ranking) * len(trial.result.rounds))
        return trial

    monkeypatch.setattr(count, "_count", measured)
    options = [f"o{i}" for i in range(40)]
    result = count.ranked(options, [[option] for option in options] * 2)
    assert result.winners == options
    one_count = 80 * (40 + 1)
    assert sum(counted) <= count.MAX_BALLOT_ROUNDS + one_count, f"{len(counted)} counts, {sum(counted)} ballot-rounds"


def test_a_ballot_opened_after_its_window_fails_the_check(tmp_path):
    """The record was merged unopened (shown nowhere); two editors sign its opening only once the
    window is over, with their friends' ballots and the close: again a ballot nobody saw open."""
    from ballot_press import FOLDER, RECORD, build, make_keys, write
    from conftest import commit, git
    from fake_passkey import Passkey

    (tmp_path / "keys").mkdir()
    keys = make_keys(tmp_path / "keys")
    root = build(tmp_path / "press", keys, Passkey("press.example.org"))
    record = root / RECORD
    record.write_text(record.read_text().replace("closes: 2026-11-25 20:00", "closes: 2026-11-15 20:00").replace("opened-by: 2026-11-05#1\n", ""))
    git(root, "init", "-q", "-b", "main")
    commit(root, "A ballot record, waiting for two editors to open it")
    git(root, "checkout", "-q", "-b", "late")
    for editor in ("ana", "ben"):
        second = CliRunner().invoke(main, ["--root", str(root), "ballot", "second", "harbor", "night-shifts", "--key", str(keys[editor])])
        assert second.exit_code == 0, second.output
    received = []
    for voter in ("ana", "ben"):
        run = CliRunner().invoke(main, ["--root", str(root), "--now", "2026-11-15T12:00:00Z", "ballot", "sign", "harbor", "night-shifts",
                                        "--voter", f"harbor/{voter}", "--choice", "yes", "--key", str(keys[voter])])  # fmt: skip
        assert run.exit_code == 0, run.output
        write(root, f"{FOLDER}/harbor.{voter}.1.ballot", run.stdout_bytes)
        received.append(hashlib.sha256(run.stdout_bytes).hexdigest())
    write(root, "editorial/ballots/harbor/night-shifts.close.yml", "closed: 2026-11-15 20:00\nreceived:\n" + "".join(f"  - sha256:{d}\n" for d in received))
    commit(root, "Open the ballot, two ballots, the close", author="Ana <ana@example.org>")
    result = CliRunner().invoke(main, ["--root", str(root), "check", "--base", "main"])
    assert result.exit_code == 1, result.output
    assert f"- `{RECORD}`: this ballot closed on 2026-11-15 20:00 (Europe/Berlin), before this change opens it: no member saw it open" in result.output


# --------------------------------------------------------------------------- envelopes bent out of shape (no hole found: kept shut)


@pytest.mark.parametrize(("bend", "expected"), [
    (lambda b: b.replace(b"\n", b"\r\n"), ":1: a ballot begins with the line"),
    (lambda b: b"\xef\xbb\xbf" + b, ":1: a ballot begins with the line"),
    (lambda b: b.replace(b"choice: yes", b"choice:  yes"), ":7: choice must be the answer on one line"),
    (lambda b: b.replace(b"voter: springfield/ana", "voter: springfield/\u0430na".encode()), ":6: voter must be <assembly>/<member>"),
    (lambda b: b.replace(b"voter: springfield/ana", b"voter: springfield/../ana"), ":6: voter must be <assembly>/<member>"),
    (lambda b: b.replace(b"sequence: 1", b"sequence: 01"), ":8: sequence must be a positive whole number without leading zeros"),
    (lambda b: b.replace(b"sequence: 1", b"sequence: -1"), ":8: sequence must be a positive whole number"),
    (lambda b: b.replace(b"sequence: 1", "sequence: \u0661".encode()), ":8: sequence must be a positive whole number"),
    (lambda b: b.replace(b"sequence: 1", b"sequence: 99999999999999999999"), ":8: sequence must be a positive whole number"),
    (lambda b: b + b"\nP.S. I meant no\n", ": not counted: does not verify"),
    (lambda b: b + b.split(b"digest: ")[1].split(b"\n", 1)[1], ": not counted: does not verify"),  # a second armor block
    (lambda b: b.replace(b"\n-----BEGIN", b"\n\n-----BEGIN"), ":10: after the envelope comes the SSH signature"),
])  # fmt: skip
def test_a_bent_envelope_is_refused_at_its_line(bp, bend, expected):
    path = bp.cast("ana", "yes")
    path.write_bytes(bend(path.read_bytes()))
    press = bp.load()
    found = [str(p) for p in press.problems if p.path == "editorial/ballots/springfield/night/springfield.ana.1.ballot"]
    assert any(p.startswith("editorial/ballots/springfield/night/springfield.ana.1.ballot" + expected) for p in found), found
    assert not any(c.counted for b in press.decisions.ballots for c in b.casts)


@pytest.mark.parametrize(("method", "choice", "why"), [
    ("ranked", "a > a", "names an option twice"),
    ("ranked", "a > abstain", "names 'abstain', not an option"),
    ("ranked", "a, b", "names 'a, b', not an option"),
    ("ranked", "a >  b", "names ' b', not an option"),
    ("ranked", "z", "names 'z', not an option"),
    ("approval", "abstain, a", "names 'abstain', not an option"),
    ("approval", "a, a", "names an option twice"),
    ("approval", "a,b", "names 'a,b', not an option"),
    ("approval", "A", "names 'A', not an option"),
])  # fmt: skip
def test_a_choice_that_is_no_answer_to_the_question_is_refused(bp, method, choice, why):
    bp.record(motion=None, article=None, digest=None, method=method, options="\n  - {id: a, name: A}\n  - {id: b, name: B}")
    path = bp.cast("ana", choice)
    assert why in refused(bp, path, "invalid choice")


def test_one_person_in_two_assemblies_with_two_keys_and_two_sequences_counts_once(party):
    p, cast, close = party
    close(cast("springfield/cai", "housing", 1), cast("harbor/cee", "transit", 2), cast("springfield/ana", "housing"))
    ballot = p.load().decisions.ballots[0]
    assert [(c.voter, c.counted) for c in ballot.casts if c.person == "harbor/cee"] == [("harbor/cee", True), ("springfield/cai", False)]
    assert ballot.result.approvals == {"housing": 1, "transit": 1} and ballot.result.turnout == 2


def test_an_editors_passkey_signature_made_on_another_site_does_not_open_a_ballot(bp):
    """A page on a subdomain (which may ask for the press's passkeys: the relying party is a suffix of
    its host) gets ana and ben to sign the opening envelope with their passkeys."""
    bp.record(**{"opened-by": None})
    record = bp.load().records.ballots[0]
    for editor in ("ana", "ben"):
        signature = bp.passkeys[editor].sign(record.opening_message(), "https://blog.press.example.org")
        bp.p.write(f"editorial/ballots/springfield/night.yml.{editor}.sig", signature)
    press = bp.load()
    assert press.decisions.ballots == []
    assert (
        "editorial/ballots/springfield/night.yml.ana.sig: opening signature not counted: wrong origin: signed on the page of "
        "https://blog.press.example.org, not on this press's own site (https://press.example.org) — sign again with press ballot sign"
    ) in [str(p) for p in press.problems]


# --------------------------------------------------------------------------- limits


def test_a_question_with_thousands_of_options_is_refused_at_its_line(bp):
    """6,000 options (200 kB, under the records' size limit) took 17 s to read — every option compared
    with every other — on every build and check; no member could answer them on a phone anyway."""
    from press.ballot_records import MAX_OPTIONS

    options = "".join(f"\n  - {{id: o{i}, name: Option {i}}}" for i in range(MAX_OPTIONS + 1))
    bp.record(motion=None, article=None, digest=None, method="ranked", options=options)
    assert f"editorial/ballots/springfield/night.yml:6: a question has at most {MAX_OPTIONS} options, this one {MAX_OPTIONS + 1} — members answer it on a phone" in problems(bp)
    assert bp.load().decisions.ballots == []


# --------------------------------------------------------------------------- the site's origin


def test_an_origin_written_with_its_default_port_is_refused(pressdir):
    """A browser never writes :443 in an origin: with it in the setting, every passkey ballot would be
    refused as made on another site, and the members would not know why."""
    bp = BallotPress(pressdir, origin="https://press.example.org:443")
    assert any("https://press.example.org:443" in p and "without ':443'" in p for p in problems(bp)), problems(bp)



def test_press_ballot_add_never_writes_through_a_linked_ballot_folder(pressdir, tmp_path):
    """The ballot's folder is a symbolic link to a folder outside the repository (a hostile checkout,
    or a careless secretary's link): press ballot add refuses, and nothing appears outside."""
    from test_ballots import add, received

    bp = BallotPress(pressdir)
    bp.record(closes="2026-11-29 20:00")  # still open
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (bp.root / "editorial/ballots/springfield/night").symlink_to(outside, target_is_directory=True)
    result = add(bp, received(bp, tmp_path, "ana", "yes"))
    assert result.exit_code != 0, result.output
    assert "symbolic link" in result.output, result.output
    assert list(outside.iterdir()) == []

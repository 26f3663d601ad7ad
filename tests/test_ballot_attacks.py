"""Online ballots attacked as a hostile member, a rogue editor and a thief would: each test is a hole
that was open, and stays shut."""

from __future__ import annotations

from test_ballots import ORIGIN, BallotPress, bp, problems, refused  # noqa: F401 (bp: the fixture)


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

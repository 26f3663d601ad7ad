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

"""press serve: the built site over HTTP on localhost, rebuilt when a record changes."""

from __future__ import annotations

import urllib.request

from press.serve import DevServer


def fetch(address, path):
    host, port = address
    with urllib.request.urlopen(f"http://{host}:{port}/{path}", timeout=10) as response:
        return response.status, response.read().decode()


def test_serve_builds_serves_and_rebuilds_on_a_new_vote(sample):
    messages = []
    server = DevServer(sample, None, echo=messages.append)
    address = server.start("127.0.0.1", 0)
    try:
        status, page = fetch(address, "springfield/bus-fares.html")
        assert status == 200 and "Why free buses pay for themselves" in page
        assert server.rebuild_if_changed() is False
        (sample / "editorial/meetings/springfield/2026-11-10.yml").write_text(
            "present: [ana, ben, carla, eli, fatima]\nmotions:\n  - retract: springfield/bus-fares\n"
            "    reason: Old figures.\n    yes: [ana, ben, carla, eli, fatima]\n"
        )
        assert server.rebuild_if_changed() is True
        status, page = fetch(address, "springfield/bus-fares.html")
        assert "Retracted: Why free buses pay for themselves" in page
        assert "springfield: 2 published, 3 held back, 1 retracted" in messages
    finally:
        server.stop()


def test_serve_keeps_the_old_site_when_a_rebuild_fails(sample):
    messages = []
    server = DevServer(sample, None, echo=messages.append)
    address = server.start("127.0.0.1", 0)
    try:
        (sample / "editorial/meetings/springfield/2026-11-10.yml").write_text("present: [zed]\n")
        server.rebuild_if_changed()
        assert "build failed; still serving the previous site" in messages
        assert fetch(address, "springfield/bus-fares.html")[0] == 200
    finally:
        server.stop()

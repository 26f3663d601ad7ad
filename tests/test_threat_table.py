"""docs/security.md: every row of the threat table names a test, and every test it names exists."""

from __future__ import annotations

import re

from conftest import REPO


def test_every_threat_names_tests_that_exist():
    text = (REPO / "docs/security.md").read_text()
    table = text.split("## What each check defends", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| threat", "| ---"))]
    assert len(rows) >= 20
    for row in rows:
        proved_by = row.rstrip(" |").rsplit(" | ", 1)[1]
        names = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", proved_by)
        assert names, f"no test named in: {row[:80]}"
        for file, test in names:
            source = (REPO / "tests" / file).read_text()
            assert not test or re.search(rf"^def {test}\(", source, re.M), f"{file}::{test} does not exist"

"""Golden output: a small press built and compared, page by page, with reviewed expected files.

The expected files in tests/golden/ hold what a reader sees (the entries of the navigation, then the
visible text of each page's main content) and what a feed reader sees (each entry's id, title and dates). After an intended change,
regenerate with PRESS_UPDATE_GOLDEN=1 and review the diff like any other change.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from conftest import PressDir
from press.cli import main


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


GOLDEN = Path(__file__).parent / "golden"
PAGES = ["index.html", "northside/index.html", "northside/first-light.html", "northside/second-look.html", "northside/ledger.html", "assemblies.html"]
FEEDS = ["feed.atom", "feed.rss", "northside/feed.atom", "northside/decisions.atom"]


def main_text(html: str) -> str:
    """The visible text of <main>, one block element per line."""
    body = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    body = re.sub(r"</(p|h1|h2|h3|li|dt|dd|blockquote|section|header)>", "\n", body)
    text = unescape(re.sub(r"<[^>]+>", "", body))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip()) + "\n"


def page_text(html: str) -> str:
    """The main navigation's entries on one line (``nav: Latest | …``), then :func:`main_text`."""
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    entries = [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", nav, re.S)]
    return "nav: " + " | ".join(entries) + "\n" + main_text(html)


def feed_digest(data: bytes) -> str:
    feed = feedparser.parse(data)
    assert feed.bozo == 0
    lines = [f"feed: {feed.feed.title} | updated {feed.feed.get('updated')}"]
    for e in feed.entries:
        updated = e["updated"] if "updated" in e.keys() else None  # RSS items have no updated date
        lines.append(f"{e.id} | {e.title} | published {e.get('published')} | updated {updated}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def small_press(tmp_path_factory) -> Path:
    p = PressDir(tmp_path_factory.mktemp("golden") / "press")
    p.buildable()
    p.write("content/pages/about.md", "Title: About\nSlug: about\n\nA small press.\n")
    p.write("editorial/press.yml", "maintainers: [web-team]\nballots:\n  origin: https://press.example.org\n")  # online ballots offered: a Ballots entry
    p.assembly(
        "northside",
        text="name: Northside Assembly\nregion: North Ward\ntimezone: Europe/Berlin\n"
        "meets: Second Wednesday, 18:00, Library\nrules: {quorum: 2, threshold: majority}\n"
        "members:\n  - {id: ana, name: Ana, joined: 2025-01-01}\n  - {id: ben, name: Ben, joined: 2025-01-01}\n"
        "  - {id: cai, name: Cai, joined: 2025-01-01}\neditors: [ana]\n",
    )
    p.article("northside", "first-light", title="First light", body="The *first* article.", author="Ana", summary="Opening.")
    first_v1 = p.digest("northside", "first-light")
    p.article("northside", "second-look", title="Second look", body="A second article.", author="Ben")
    second = p.digest("northside", "second-look")
    p.article("northside", "third-way", title="Third way", body="NOT-YET-APPROVED.", author="Cai")
    p.meeting(
        "northside", "2026-09-09",
        f"present: [ana, ben, cai]\nmotions:\n  - publish: northside/first-light\n    digest: {first_v1}\n    yes: [ana, ben]\n    no: [cai]\n"
        f"  - publish: northside/second-look\n    digest: {second}\n    yes: [ana, ben, cai]\n  - elect-delegate: ben\n    yes: [ana, cai]\n    abstain: [ben]\n",
    )
    p.article("northside", "first-light", title="First light", body="The *first* article, corrected.", author="Ana", summary="Opening.")
    p.meeting(
        "northside", "2026-10-14",
        f"present: [ana, ben]\nmotions:\n  - publish: northside/first-light\n    digest: {p.digest('northside', 'first-light')}\n"
        "    note: Corrects a word.\n    yes: [ana, ben]\n  - retract: northside/second-look\n    reason: It named the wrong street.\n    yes: [ana, ben]\n"
        "  - publish: northside/third-way\n    digest: sha256:" + "0" * 64 + "\n    yes: [ana]\n",
    )
    result = CliRunner().invoke(main, ["--root", str(p.root), "build"])
    assert result.exit_code == 0, result.output
    return p.root / "output"


def check(name: str, actual: str) -> None:
    golden = GOLDEN / (name.replace("/", "__") + ".txt")
    if os.environ.get("PRESS_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual)
    assert actual == golden.read_text(), f"{name} differs from {golden}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_match_golden(small_press, page):
    check(page, page_text((small_press / page).read_text()))


@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_match_golden(small_press, feed):
    check(feed, feed_digest((small_press / feed).read_bytes()))


def test_unapproved_text_is_nowhere(small_press):
    for path in small_press.rglob("*"):
        if path.is_file():
            assert b"NOT-YET-APPROVED" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "page, here",
    [("index.html", "Latest"), ("assemblies.html", "Assemblies"), ("ballots/index.html", "Ballots"), ("archives.html", "Archives"),
     ("search.html", "Search"), ("about.html", "About"), ("northside/index.html", None), ("northside/first-light.html", None)],
)  # fmt: skip
def test_the_navigation_marks_the_page_the_reader_is_on(small_press, page, here):
    """A press that offers online ballots has a Ballots entry in the navigation of every page (one
    without ballots has none: test_sections.py); the entry of the page the reader is on, and only
    that one, is marked as current."""
    nav = (small_press / page).read_text().split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert "Ballots</a>" in nav
    marked = re.findall(r'aria-current="page">([^<]*)</a>', nav)
    assert marked == ([here] if here else [])

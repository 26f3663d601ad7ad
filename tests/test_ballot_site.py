"""Online ballots on the site (press.site.ballots): the index, a page per open ballot, the results of
each closed one, the feed and calendars that remind members, the ledgers and decision feeds, an
article approved online — and never a word of an unpublished article."""

from __future__ import annotations

import dataclasses
import hashlib
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest

import press.model
from conftest import PressDir
from press.build import build
from test_build import text_of


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


pytestmark = pytest.mark.usefixtures("settled")

CHICAGO = ZoneInfo("America/Chicago")
PENDING_TITLE = "QUOKKA-PENDING-TITLE"
PENDING_BODY = "QUOKKA-PENDING-BODY"


# --------------------------------------------------------------------------- the contract (press.ballots)


@dataclass
class Option:
    id: str
    name: str


@dataclass
class Cast:
    path: str
    voter: str
    person: str
    choice: str
    sequence: int
    digest: str
    counted: bool
    why: str
    key: str


@dataclass
class BallotResult:
    status: str
    reasons: list
    yes: int = 0
    no: int = 0
    abstain: int = 0
    eligible: int = 0
    quorum: int = 0
    turnout: int = 0
    by_assembly: dict = field(default_factory=dict)
    approvals: dict = field(default_factory=dict)
    rounds: list = field(default_factory=list)
    eliminated: list = field(default_factory=list)
    winners: list = field(default_factory=list)


@dataclass
class Ballot:
    body: str
    id: str
    path: str
    question: str
    kind: str
    motion: str | None
    article: str | None
    digest: str | None
    member: str | None
    options: tuple
    opens: dt.datetime
    closes: dt.datetime
    timezone: str
    status: str
    opened_by: str
    eligible: list
    keys: dict
    casts: list
    result: BallotResult | None
    outcome: object = None


YES_NO = (Option("yes", "Yes"), Option("no", "No"), Option("abstain", "Abstain"))


def cast(voter: str, choice: str, sequence: int = 1, counted: bool = True, why: str = "") -> Cast:
    body, member = voter.split("/")
    return Cast(f"editorial/ballots/springfield/x/{body}.{member}.{sequence}.ballot", voter, voter, choice, sequence,
                f"sha256:{abs(hash((voter, sequence))):064x}"[:71], counted, why, "SHA256:abc")  # fmt: skip


def open_ballot(p: PressDir) -> Ballot:
    """A publish ballot on the pending article, open until 25 November 20:00 in Chicago."""
    return Ballot(
        body="springfield", id="night-shifts", path="editorial/ballots/springfield/night-shifts.yml",
        question=f'Publish "{PENDING_TITLE}" as approved by the assembly?', kind="motion", motion="publish",
        article="springfield/night-shifts", digest=p.digest("springfield", "night-shifts"), member=None, options=YES_NO,
        opens=dt.datetime(2026, 11, 18, 9, 0, tzinfo=CHICAGO), closes=dt.datetime(2026, 11, 25, 20, 0, tzinfo=CHICAGO),
        timezone="America/Chicago", status="open", opened_by="signed by ana and ben",
        eligible=["springfield/ana", "springfield/ben", "springfield/cai"],
        keys={"springfield/ana": ["sk-ecdsa-sha2-nistp256@openssh.com AAAAfake ana-phone"]},
        casts=[cast("springfield/ana", "yes")], result=None,
    )  # fmt: skip


# The closed ballot's casts, and the figures counted by hand from them: ana yes (her second ballot
# replaces her first), ben yes, cai no; eve's ballot came after the close.
CLOSED_CASTS = [
    cast("springfield/ana", "no", 1, False, "replaced by a ballot with a higher sequence (2)"),
    cast("springfield/ana", "yes", 2),
    cast("springfield/ben", "yes"),
    cast("springfield/cai", "no"),
    cast("springfield/eve", "yes", 1, False, "arrived after the close (not in the close record)"),
]


def closed_ballot(outcome) -> Ballot:
    return Ballot(
        body="springfield", id="rent-online", path="editorial/ballots/springfield/rent-online.yml",
        question="Publish the rent strike story?", kind="motion", motion="publish", article="springfield/rent",
        digest="sha256:" + "0" * 64, member=None, options=YES_NO,
        opens=dt.datetime(2026, 11, 14, 9, 0, tzinfo=CHICAGO), closes=dt.datetime(2026, 11, 21, 8, 0, tzinfo=CHICAGO),
        timezone="America/Chicago", status="closed", opened_by="the meeting of 2026-11-10, motion 1",
        eligible=["springfield/ana", "springfield/ben", "springfield/cai", "springfield/dan"], keys={}, casts=CLOSED_CASTS,
        result=BallotResult("passed", [], yes=2, no=1, abstain=0, eligible=4, quorum=2, turnout=3), outcome=outcome,
    )  # fmt: skip


SPRINGFIELD = """
name: Springfield Assembly
timezone: America/Chicago
rules:
  quorum: 2
  threshold: majority
members:
  - {id: ana, name: Ana Ruiz, joined: 2025-01-01}
  - {id: ben, name: Ben Okafor, joined: 2025-01-01}
  - {id: cai, name: Cai Lin, joined: 2025-01-01}
  - {id: dan, name: Dan Ito, joined: 2025-01-01}
  - {id: eve, name: Eve Adams, joined: 2025-01-01}
editors: [ana, ben]
"""


def make_press(root: Path) -> PressDir:
    p = PressDir(root).buildable()
    p.assembly("springfield", SPRINGFIELD.lstrip())
    p.write("editorial/press.yml", "maintainers: [sam]\n")
    p.article("springfield", "rent", "Rent strike wins", "RENT-BODY-TEXT")
    p.article("springfield", "night-shifts", PENDING_TITLE, PENDING_BODY)
    p.publish("springfield", "rent", "2026-11-10", yes="[ana, ben, cai]")
    p.write("editorial/ballots/springfield/night-shifts.yml", f"question: Publish it?\nmotion: publish\narticle: springfield/night-shifts\n"
            f"digest: {p.digest('springfield', 'night-shifts')}\nopens: 2026-11-18 09:00\ncloses: 2026-11-25 20:00\n")  # fmt: skip
    return p


def with_ballots(monkeypatch, make) -> None:
    """Decisions as press.ballots gives them: ``make(press_root, decisions)`` -> the ballots."""
    decide = press.model.decide

    def deciding(records, *args, **kwargs):
        decisions = decide(records, *args, **kwargs)
        decisions.ballots = make(Path(records.root), decisions)
        return decisions

    monkeypatch.setattr(press.model, "decide", deciding)


def season(root: Path, decisions) -> list:
    p = PressDir.__new__(PressDir)
    p.root = root
    rent = decisions.articles["springfield/rent"].first_approved
    ballots = [closed_ballot(rent), open_ballot(p)]
    if (root / "editorial/ballots/springfield/night-shifts.close.yml").exists():  # the close, for the warm build test
        ballots[1] = dataclasses.replace(ballots[1], status="closed", casts=CLOSED_CASTS[:1] + [cast("springfield/ana", "yes", 2)],
                                         result=BallotResult("failed", ["quorum not reached: 1 of 2"], yes=1, eligible=3, quorum=2, turnout=1))  # fmt: skip
    return sorted(ballots, key=lambda b: (b.closes, b.body, b.id))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    p = make_press(tmp_path_factory.mktemp("ballot-site") / "press")
    with pytest.MonkeyPatch.context() as patch:
        with_ballots(patch, season)
        build(p.root, search=False)
    return p.root / "output"


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def ballot_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="ballot-data">(.*?)</script>', page, re.S)[1])


# --------------------------------------------------------------------------- pages


def test_the_open_ballots_page_gives_a_member_what_they_need_to_vote(site):
    page = read(site, "ballots/springfield/night-shifts/index.html")
    text = text_of(page)
    assert "Closes 25 November 2026, 20:00 CST" in text  # the body's timezone, not UTC
    assert "springfield/night-shifts" in text
    data = ballot_data(page)
    assert data["ballot"] == "night-shifts" and data["body"] == "springfield" and data["kind"] == "motion"
    assert data["record"] == "editorial/ballots/springfield/night-shifts.yml"
    assert data["status"] == "open" and data["closes"] == "2026-11-25T20:00:00-06:00"
    assert [v["voter"] for v in data["voters"]] == ["springfield/ana", "springfield/ben", "springfield/cai"]
    assert data["voters"][0] == {"voter": "springfield/ana", "name": "Ana Ruiz", "keys": ["sk-ecdsa-sha2-nistp256@openssh.com AAAAfake ana-phone"]}
    assert data["sequences"] == {"springfield/ana": 1}  # her next ballot must be numbered 2 to replace it
    assert [o["id"] for o in data["options"]] == ["yes", "no", "abstain"]
    assert data["issue_url"] is None and data["mailto"] is None and data["article_url"] is None  # no PRESS_REPO, no contact
    assert data["article"] == "springfield/night-shifts" and data["article_digest"].startswith("sha256:")
    record = site.parent / "editorial/ballots/springfield/night-shifts.yml"
    assert data["digest"] == "sha256:" + hashlib.sha256(record.read_bytes()).hexdigest()  # what the envelope names
    script = (site / "ballots/ballot.js").read_bytes()
    assert b"navigator.credentials" in script and 'src="../../../ballots/ballot.js"' in page


def test_the_index_lists_open_ballots_with_their_closing_time_then_results(site):
    text = text_of(read(site, "ballots/index.html"))
    opened, results = text.index("Open"), text.index("Results")
    assert opened < text.index("Closes 25 November 2026, 20:00 CST") < results
    assert results < text.index("Publish the rent strike story?") < text.index("Passed — 2 yes · 1 no · 0 abstain of 4 eligible")


def test_the_results_equal_the_count_by_hand_and_every_cast_is_listed_with_its_receipt(site):
    page = read(site, "ballots/springfield/rent-online/index.html")
    text = text_of(page)
    assert "Result: Passed" in text
    assert "2 yes · 1 no · 0 abstain of 4 eligible (quorum 2; 3 voted)" in text
    rows = re.findall(r'<tr class="(counted|not-counted)"', page)
    assert rows.count("counted") == 3 and rows.count("not-counted") == 2
    for c in CLOSED_CASTS:
        assert c.digest in page  # anyone finds their receipt
    assert "Not counted: arrived after the close (not in the close record)" in text
    assert "Not counted: replaced by a ballot with a higher sequence (2)" in text
    assert "Eve Adams (springfield/eve) yes 1 Not counted" in text


def test_an_article_approved_online_says_so_and_links_to_the_results(site):
    page = read(site, "springfield/rent.html")
    assert "Approved by online ballot, 14–21 November: 2 yes · 1 no · 0 abstain of 4 eligible" in text_of(page)
    assert 'href="../ballots/springfield/rent-online/index.html"' in page or 'href="./../ballots/springfield/rent-online/index.html"' in page or "ballots/springfield/rent-online/index.html" in page


def test_the_ledger_the_decisions_feed_and_the_calendar_carry_the_ballots_outcome(site):
    ledger = json.loads(read(site, "springfield/ledger.json"))
    [entry] = ledger["ballots"]
    assert entry["ballot"] == "rent-online" and entry["outcome"] == "passed" and entry["tally"] == {"yes": 2, "no": 1, "abstain": 0}
    assert entry["members_in_good_standing"] == 4 and entry["votes"]["yes"] == ["springfield/ana", "springfield/ben"]
    assert json.loads(read(site, "ledger.json"))["assemblies"][0]["ballots"] == ledger["ballots"]
    assert "Online ballot, 14–21 November: 2 yes · 1 no · 0 abstain of 4 eligible" in text_of(read(site, "springfield/ledger.html"))
    decisions = feedparser.parse(read(site, "springfield/decisions.atom"))
    assert not decisions.bozo
    assert decisions.entries[0].title == "Online ballot: Publish the rent strike story? — Passed"
    assert "2 yes · 1 no · 0 abstain of 4 eligible" in decisions.entries[0].summary


def test_open_ballots_are_in_the_feed_and_the_bodys_calendar_with_their_closing_time(site):
    feed = feedparser.parse(read(site, "ballots/feed.xml"))
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert any("vote by 25 November 2026, 20:00 CST" in t for t in titles), titles
    assert any("ballot closed — Passed" in t for t in titles), titles
    calendar = icalendar.Calendar.from_ical(read(site, "springfield/meetings.ics"))
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    event = events["Springfield Assembly: online ballot, closes 25 November 2026, 20:00 CST"]
    assert event.decoded("dtstart") == dt.datetime(2026, 11, 18, 9, 0, tzinfo=CHICAGO)
    assert event.decoded("dtend") == dt.datetime(2026, 11, 25, 20, 0, tzinfo=CHICAGO)
    assert "Springfield Assembly: online ballot — passed" in events
    everything = icalendar.Calendar.from_ical(read(site, "meetings.ics"))
    assert len([e for e in everything.walk("VEVENT") if "online ballot" in str(e["summary"])]) == 2


def test_the_enrolment_page_gets_the_origin_and_relying_party(tmp_path, monkeypatch):
    p = make_press(tmp_path / "press")
    with_ballots(monkeypatch, lambda root, d: [])
    import press.site.ballots as ballots_site

    monkeypatch.setattr(ballots_site, "origin_of", lambda press_: "https://press.example.org")
    build(p.root, search=False)
    data = ballot_data(read(p.root / "output", "ballots/enrol/index.html"))
    assert data == {"origin": "https://press.example.org", "rp_id": "press.example.org"}
    assert "No ballot is open." in text_of(read(p.root / "output", "ballots/index.html"))


def test_a_press_without_ballots_has_no_ballot_pages(tmp_path, monkeypatch):
    p = make_press(tmp_path / "press")
    with_ballots(monkeypatch, lambda root, d: [])
    build(p.root, search=False)
    assert not (p.root / "output/ballots").exists()


# --------------------------------------------------------------------------- the promise


def test_no_page_feed_or_calendar_shows_a_word_of_the_pending_article(site):
    """The ballot's question repeats the pending article's title: the site shows neither."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            assert PENDING_TITLE.encode() not in data, path
            assert PENDING_BODY.encode() not in data, path
    page = text_of(read(site, "ballots/springfield/night-shifts/index.html"))
    assert "Publish the article springfield/night-shifts at sha256:" in page  # the question in the press's words


def test_a_ballot_not_in_the_decisions_is_shown_nowhere(site):
    """Decisions.ballots holds opened ballots only; the site lists nothing else (an unopened record
    in editorial/ballots/ never reaches a page)."""
    names = [p.relative_to(site).as_posix() for p in site.rglob("*") if "ballot" in p.as_posix()]
    pages = {n for n in names if n.startswith("ballots/") and n.endswith("index.html")}
    assert pages == {"ballots/index.html", "ballots/enrol/index.html", "ballots/springfield/night-shifts/index.html",
                     "ballots/springfield/rent-online/index.html"}  # fmt: skip


# --------------------------------------------------------------------------- warm builds


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_build_after_a_ballot_closes_equals_a_cold_one(tmp_path, monkeypatch):
    p = make_press(tmp_path / "press")
    with_ballots(monkeypatch, season)
    build(p.root, search=False)
    before = read(p.root / "output", "ballots/springfield/night-shifts/index.html")
    p.write("editorial/ballots/springfield/night-shifts.close.yml", "closed: 2026-11-21 12:00\nreceived: []\n")
    warm = build(p.root, search=False)
    assert warm.memo is not None and warm.memo.reused > 0
    after = read(p.root / "output", "ballots/springfield/night-shifts/index.html")
    assert after != before and "Result: Failed" in text_of(after)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold-caches"))
    build(p.root, tmp_path / "cold", search=False)
    assert tree(p.root / "output") == tree(tmp_path / "cold")

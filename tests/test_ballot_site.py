"""Online ballots on the site (press.site.ballots): the index, a page per open ballot, the results of
each closed one, the feed and calendars that remind members, the ledgers and decision feeds, an
article approved online — and never a word of an unpublished article."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest

import make_sample_ballots as sample_ballots
import press
from conftest import REPO, PressDir, commit, copy_sample, git
from press.build import build
from test_build import text_of


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


pytestmark = pytest.mark.usefixtures("settled")

CHICAGO = ZoneInfo("America/Chicago")
PENDING_TITLE = "QUOKKA-PENDING-TITLE"
PENDING_BODY = "QUOKKA-PENDING-BODY"
FAILED_TITLE = "WOMBAT-FAILED-TITLE"  # an article whose ballot failed: never published, never named
FAILED_BODY = "WOMBAT-FAILED-BODY"


# --------------------------------------------------------------------------- a press with ballots

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
EDITORS = [("springfield", "ana"), ("springfield", "ben")]

# The closed ballot's casts, and the figures counted by hand from them: ana yes (her second ballot
# replaces her first), ben yes, cai no; eve's ballot came after the close; dan did not vote.
# 2 yes · 1 no · 0 abstain of 5 eligible, quorum 2: passed.
RENT_CASTS = [("ana", "no", 1, True), ("ana", "yes", 2, True), ("ben", "yes", 1, True), ("cai", "no", 1, True), ("eve", "yes", 1, False)]
RENT = """question: Publish the rent strike story?
motion: publish
article: springfield/rent
digest: {digest}
opens: 2026-11-14 09:00
closes: 2026-11-21 08:00
"""
NIGHT = f"""question: Publish "{PENDING_TITLE}" as approved by the assembly?
motion: publish
article: springfield/night-shifts
digest: {{digest}}
opens: 2026-11-18 09:00
closes: 2026-11-25 20:00
"""
# Past its close, no close record yet ("closing"); the warm build test closes it.
DEPOT = """question: Which of these should the depot campaign ask for?
method: approval
options:
  - {id: lanes, name: Bus lanes on Main St}
  - {id: night, name: Night buses}
  - {id: fares, name: Free fares for under-18s}
opens: 2026-11-15 09:00
closes: 2026-11-20 20:00
"""
DEPOT_CASTS = [("ana", "lanes, night", 1, True), ("ben", "night", 1, True), ("cai", "lanes, night, fares", 1, True)]
# Closed and failed (ana alone voted; quorum 2): its article stays unpublished, named by id only.
PIER = f"""question: Publish "{FAILED_TITLE}"?
motion: publish
article: springfield/pier
digest: {{digest}}
opens: 2026-11-10 09:00
closes: 2026-11-12 20:00
"""
# Opened, its window not begun: listed with its opening time, in the calendar and the feed; no page yet.
WINTER = """question: Should the assembly meet online in January? <img src=x onerror=alert(1)>
motion: publish
article: springfield/rent
digest: {digest}
opens: 2026-11-28 09:00
closes: 2026-12-05 20:00
"""
ONLY_ONE = """question: Publish the rent strike story again?
motion: publish
article: springfield/rent
digest: {digest}
opens: 2026-11-19 09:00
closes: 2026-11-28 20:00
"""


def make_press(root: Path, keys: sample_ballots.Keys) -> PressDir:
    p = PressDir(root).buildable()
    p.assembly("springfield", SPRINGFIELD.lstrip())
    p.write("editorial/press.yml", "maintainers: [sam]\nballots:\n  origin: https://press.example.org\n")
    p.article("springfield", "rent", "Rent strike wins", "RENT-BODY-TEXT")
    p.article("springfield", "night-shifts", PENDING_TITLE, PENDING_BODY)
    p.article("springfield", "pier", FAILED_TITLE, FAILED_BODY)
    roster = root / "editorial/assemblies/springfield.yml"
    for member in ("ana", "ben", "cai", "dan", "eve"):
        sample_ballots.add_key(roster, member, keys.line(("springfield", member)))
    ballot = functools.partial(sample_ballots.write_ballot, root, keys, "springfield")
    ballot("rent-online", RENT.format(digest=p.digest("springfield", "rent")), [("springfield", *c) for c in RENT_CASTS], EDITORS, "2026-11-21 08:00")
    ballot("night-shifts", NIGHT.format(digest=p.digest("springfield", "night-shifts")), [("springfield", "ana", "yes", 1, True)], EDITORS, None)
    ballot("depot", DEPOT, [("springfield", *c) for c in DEPOT_CASTS], EDITORS, None)
    ballot("pier", PIER.format(digest=p.digest("springfield", "pier")), [("springfield", "ana", "yes", 1, True)], EDITORS, "2026-11-12 20:00")
    ballot("winter", WINTER.format(digest=p.digest("springfield", "rent")), [], EDITORS, None)
    ballot("only-one", ONLY_ONE.format(digest=p.digest("springfield", "rent")), [], EDITORS[:1], None)  # never opened
    return p


def close_depot(p: PressDir) -> None:
    received = [sample_ballots.sha256(f.read_bytes()) for f in sorted((p.root / "editorial/ballots/springfield/depot").glob("*.ballot"))]
    p.write("editorial/ballots/springfield/depot.close.yml", "closed: 2026-11-20 20:00\nreceived:\n" + "".join(f"  - {d}\n" for d in received))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return sample_ballots.Keys(tmp_path_factory.mktemp("keys"), EDITORS)


@pytest.fixture(scope="module")
def site(tmp_path_factory, keys) -> Path:
    p = make_press(tmp_path_factory.mktemp("ballot-site") / "press", keys)
    assert [str(x) for x in press.load(p.root).problems] == []
    build(p.root, search=False)
    return p.root / "output"


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def ballot_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="ballot-data">(.*?)</script>', page, re.S)[1])


# --------------------------------------------------------------------------- pages


def test_the_open_ballots_page_gives_a_member_what_they_need_to_vote(site, keys):
    page = read(site, "ballots/springfield/night-shifts/index.html")
    text = text_of(page)
    assert "Closes 25 November 2026, 20:00 CST" in text  # the body's timezone, not UTC
    assert "springfield/night-shifts" in text
    data = ballot_data(page)
    assert data["origin"] == "https://press.example.org" and data["rp_id"] == "press.example.org"
    assert data["ballot"] == "night-shifts" and data["body"] == "springfield" and data["kind"] == "motion"
    assert data["record"] == "editorial/ballots/springfield/night-shifts.yml"
    assert data["status"] == "open" and data["closes"] == "2026-11-25T20:00:00-06:00"
    assert [v["voter"] for v in data["voters"]] == [f"springfield/{m}" for m in ("ana", "ben", "cai", "dan", "eve")]
    assert data["voters"][2] == {"voter": "springfield/cai", "name": "Cai Lin", "keys": [keys.line(("springfield", "cai"))]}
    assert data["sequences"] == {"springfield/ana": 1}  # her next ballot must be numbered 2 to replace it
    assert [o["id"] for o in data["options"]] == ["yes", "no", "abstain"]
    assert data["issue_url"] is None and data["mailto"] is None and data["article_url"] is None  # no PRESS_REPO, no contact
    assert data["article"] == "springfield/night-shifts" and data["article_digest"].startswith("sha256:")
    record = site.parent / "editorial/ballots/springfield/night-shifts.yml"
    assert data["digest"] == "sha256:" + hashlib.sha256(record.read_bytes()).hexdigest()  # what the envelope names
    script = (site / "ballots/ballot.js").read_bytes()
    assert b"navigator.credentials" in script and 'src="../../../ballots/ballot.js"' in page


def test_a_ballot_past_its_close_awaits_its_count(site):
    page = text_of(read(site, "ballots/springfield/depot/index.html"))
    assert "Voting has closed. The ballots are being counted." in page
    assert "Closed — the count awaits the close record; voting ended 20 November 2026, 20:00 CST" in text_of(read(site, "ballots/index.html"))


def test_the_index_lists_open_ballots_with_their_closing_time_then_results(site):
    text = text_of(read(site, "ballots/index.html"))
    opened, results = text.index("Open"), text.index("Results")
    assert opened < text.index("Closes 25 November 2026, 20:00 CST") < results
    assert results < text.index("Publish the rent strike story?") < text.index("Passed — 2 yes · 1 no · 0 abstain of 5 eligible")
    assert "only-one" not in text
    upcoming = text[text.index("Should the assembly meet online in January?"):results]
    assert "Opens 28 November 2026, 09:00 CST" in upcoming and "closes 5 December 2026, 20:00 CST." in upcoming
    assert not (site / "ballots/springfield/winter").exists()  # a page from its opening


def test_the_results_equal_the_count_by_hand_and_every_cast_is_listed_with_its_receipt(site):
    page = read(site, "ballots/springfield/rent-online/index.html")
    text = text_of(page)
    assert "Result: Passed" in text
    assert "2 yes · 1 no · 0 abstain of 5 eligible (quorum 2; 3 voted)" in text  # RENT_CASTS, counted by hand
    rows = re.findall(r'<tr class="(counted|not-counted)"', page)
    assert rows.count("counted") == 3 and rows.count("not-counted") == 2
    for cast in sorted((site.parent / "editorial/ballots/springfield/rent-online").glob("*.ballot")):
        assert sample_ballots.sha256(cast.read_bytes()) in page  # anyone finds their receipt
    assert "Ana Ruiz (springfield/ana) no 1 Not counted: replaced by editorial/ballots/springfield/rent-online/springfield.ana.2.ballot (sequence 2)" in text
    assert "Eve Adams (springfield/eve) yes 1 Not counted: arrived after the close" in text


def test_an_article_approved_online_says_so_and_links_to_the_results(site):
    page = read(site, "springfield/rent.html")
    assert "Approved by online ballot, 14–21 November: 2 yes · 1 no · 0 abstain of 5 eligible" in text_of(page)
    assert '<a href="../ballots/springfield/rent-online/index.html">Approved by online ballot' in page


def test_the_ledger_the_decisions_feed_and_the_calendar_carry_the_ballots_outcome(site):
    ledger = json.loads(read(site, "springfield/ledger.json"))
    [pier, entry] = ledger["ballots"]
    assert pier["ballot"] == "pier" and pier["outcome"] == "failed" and pier["title"] is None and pier["article"] == "springfield/pier"
    assert entry["ballot"] == "rent-online" and entry["outcome"] == "passed" and entry["tally"] == {"yes": 2, "no": 1, "abstain": 0}
    assert entry["members_in_good_standing"] == 5 and entry["votes"]["yes"] == ["springfield/ana", "springfield/ben"]
    assert entry["title"] == "Rent strike wins" and entry["article_url"] == "springfield/rent.html"
    assert json.loads(read(site, "ledger.json"))["assemblies"][0]["ballots"] == ledger["ballots"]
    assert "Online ballot, 14–21 November: 2 yes · 1 no · 0 abstain of 5 eligible" in text_of(read(site, "springfield/ledger.html"))
    decisions = feedparser.parse(read(site, "springfield/decisions.atom"))
    assert not decisions.bozo
    assert decisions.entries[0].title == "Online ballot: Publish the rent strike story? — Passed"
    assert "2 yes · 1 no · 0 abstain of 5 eligible" in decisions.entries[0].summary


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
    assert len([e for e in everything.walk("VEVENT") if "online ballot" in str(e["summary"])]) == 5  # the upcoming one too


def test_the_enrolment_page_gets_the_origin_and_relying_party(site):
    data = ballot_data(read(site, "ballots/enrol/index.html"))
    assert data == {"origin": "https://press.example.org", "rp_id": "press.example.org"}


def test_a_press_without_ballots_has_no_ballot_pages(tmp_path):
    p = PressDir(tmp_path / "press").buildable()
    p.assembly("springfield", SPRINGFIELD.lstrip())
    p.article("springfield", "rent", "Rent strike wins", "RENT-BODY-TEXT")
    p.publish("springfield", "rent", "2026-11-10")
    build(p.root, search=False)
    assert not (p.root / "output/ballots").exists()
    assert "online ballot" not in read(p.root / "output", "springfield/meetings.ics")


# --------------------------------------------------------------------------- the promise


def test_no_page_feed_or_calendar_shows_a_word_of_the_pending_article(site):
    """The ballots' questions repeat the titles of an article awaiting its ballot and of one whose
    ballot failed: the site shows neither title nor text, anywhere."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for secret in (PENDING_TITLE, PENDING_BODY, FAILED_TITLE, FAILED_BODY):
                assert secret.encode() not in data, (path, secret)
    assert "Publish the article springfield/pier at sha256:" in text_of(read(site, "ballots/springfield/pier/index.html"))
    page = text_of(read(site, "ballots/springfield/night-shifts/index.html"))
    assert "Publish the article springfield/night-shifts at sha256:" in page  # the question in the press's words


def test_a_question_is_text_everywhere_never_markup(site):
    """The editors' words reach pages and feeds escaped: a hostile question runs nothing. (A calendar's
    text is plain text by definition: it carries the words as they are.)"""
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".xml", ".atom", ".rss"):
            assert b"<img src=x" not in path.read_bytes(), path
    assert "January? &lt;img src=x onerror=alert(1)&gt;" in read(site, "ballots/index.html")


def test_a_ballot_nobody_opened_is_shown_nowhere(site):
    """only-one is signed by one editor: no page, no feed entry, no calendar event, no ledger line."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            assert b"only-one" not in path.read_bytes(), path
            assert b"again?" not in path.read_bytes(), path  # its question
    pages = {p.relative_to(site).as_posix() for p in site.glob("ballots/**/index.html")}
    assert pages == {"ballots/index.html", "ballots/enrol/index.html", "ballots/springfield/night-shifts/index.html",
                     "ballots/springfield/rent-online/index.html", "ballots/springfield/depot/index.html",
                     "ballots/springfield/pier/index.html"}  # fmt: skip


# --------------------------------------------------------------------------- warm builds


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_build_after_a_ballot_closes_equals_a_cold_one(tmp_path, monkeypatch, keys):
    p = make_press(tmp_path / "press", keys)
    build(p.root, search=False)
    before = read(p.root / "output", "ballots/springfield/depot/index.html")
    close_depot(p)
    warm = build(p.root, search=False)
    assert warm.memo is not None and warm.memo.reused > 0
    after = text_of(read(p.root / "output", "ballots/springfield/depot/index.html"))
    assert "Voting has closed. The ballots are being counted." in text_of(before)
    assert "Every ballot received" in after and "Cai Lin (springfield/cai) lanes, night, fares 1 Counted" in after
    assert "Result: Decided — Night buses 3 of 5 eligible voted (quorum 2)" in after
    assert "Bus lanes on Main St 2 Night buses 3 Free fares for under-18s 1" in after  # DEPOT_CASTS, counted by hand
    feed = feedparser.parse(read(p.root / "output", "ballots/feed.xml"))
    [depot] = [e for e in feed.entries if "depot" in e.link]
    assert depot.title == "Springfield Assembly: ballot closed — Decided: Which of these should the depot campaign ask for?"
    assert depot.summary.startswith("Chosen: Night buses. 3 of 5 eligible voted.")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold-caches"))
    build(p.root, tmp_path / "cold", search=False)
    assert tree(p.root / "output") == tree(tmp_path / "cold")


# --------------------------------------------------------------------------- the sample press

# Counted by hand from tests/make_sample_ballots.py's casts. Springfield's tenant-hotline: ana yes (her
# second ballot), ben yes, carla yes, dev no, eli abstain, fatima yes (her second); gus's came after the
# close; 7 members in good standing on 9 November, quorum 5.
SAMPLE_HOTLINE = "4 yes · 1 no · 1 abstain of 7 eligible"
# The council's platform-2027 (ranked): first preferences housing 4 (ana, ben, carla, owen), transit 4
# (dev, eli, priya, leila), hours 3 (gus, tom, kofi); hours is eliminated: gus and tom go to transit,
# kofi to housing: transit 6, housing 5 of 11. grace's came after the close. Eligible: every person in
# good standing on 16 November, once: springfield 7 + harbor 5 + riverside 9 (gus there too) - 1 = 20;
# the council's quorum, half of them: 10.
SAMPLE_PLATFORM_ROUNDS = [
    "Round 1: Homes before profit 4 · Free public transit 4 · A 32-hour week 3 — eliminated: A 32-hour week",
    "Round 2: Free public transit 6 · Homes before profit 5",
]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("sample-ballots") / "sample")
    build(root, search=False)
    return root / "output"


def test_every_ballot_of_the_sample_verifies_with_ssh_keygen_and_the_press(tmp_path):
    loaded = press.load(REPO)
    assert [str(p) for p in loaded.problems] == []
    ballots = {b.id: b for b in loaded.decisions.ballots}
    assert set(ballots) == {"tenant-hotline", "platform-2027"} and all(b.status == "closed" for b in ballots.values())
    files = sorted((REPO / "editorial/ballots").rglob("*.ballot"))
    casts = [c for b in ballots.values() for c in b.casts]
    assert len(casts) == len(files) == 21
    for cast in casts:
        assert cast.key.startswith("SHA256:"), (cast.path, cast.why)  # a roster key verified it
        ballot = next(b for b in ballots.values() if cast in b.casts)
        [line] = ballot.keys[cast.voter] if cast.voter in ballot.keys else [k.line for k in _member(loaded, cast.voter).keys]
        data = (REPO / cast.path).read_bytes()
        envelope, armored = data.split(b"-----BEGIN SSH SIGNATURE-----")
        (tmp_path / "sig").write_bytes(b"-----BEGIN SSH SIGNATURE-----" + armored)
        options = 'namespaces="assembly-press"'  # OpenSSH 9.2 refuses verify-required here ("unknown key option")
        (tmp_path / "allowed").write_text(f"{cast.voter} {options} {line}\n")
        done = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", cast.voter, "-n", "assembly-press", "-s", str(tmp_path / "sig")],
                              input=envelope, capture_output=True)  # fmt: skip
        assert done.returncode == 0, (cast.path, done.stderr)


def _member(loaded, voter: str):
    aid, _, mid = voter.partition("/")
    return loaded.records.assemblies[aid].members[mid]


def test_the_samples_assembly_ballot_published_an_article_and_its_figures_are_the_hand_count(sample_site):
    article = text_of(read(sample_site, "springfield/tenant-hotline.html"))
    assert f"Approved by online ballot, 9–16 November: {SAMPLE_HOTLINE}" in article
    results = text_of(read(sample_site, "ballots/springfield/tenant-hotline/index.html"))
    assert f"Result: Passed {SAMPLE_HOTLINE} (quorum 5; 6 voted)" in results
    assert "Fatima Haddad (springfield/fatima) no 1 Not counted: replaced by" in results
    assert "Gus Lindqvist (springfield/gus) yes 1 Not counted: arrived after the close" in results
    ledger = json.loads(read(sample_site, "springfield/ledger.json"))
    assert [(b["ballot"], b["tally"]) for b in ledger["ballots"]] == [("tenant-hotline", {"yes": 4, "no": 1, "abstain": 1})]


def test_the_samples_platform_question_shows_the_rounds_counted_by_hand_and_every_ballot_once_per_person(sample_site):
    page = read(sample_site, "ballots/council/platform-2027/index.html")
    text = text_of(page)
    assert "Which of these should the party's platform put first in 2027?" in text
    assert text.count("Gus Lindqvist") == 1  # listed in two assemblies, one ballot
    assert len(re.findall(r'<tr class="counted"', page)) == 11
    assert "Result: Decided — Free public transit 11 of 20 eligible voted (quorum 10)" in text
    for line in SAMPLE_PLATFORM_ROUNDS:
        assert line in text
    assert "riverside housing 1 · transit 2 · hours 2 9 5" in text and "springfield housing 3 · transit 2 · hours 1 6 6" in text
    assert "Grace Adeyemi (riverside/grace) hours > housing 1 Not counted: arrived after the close" in text
    index = text_of(read(sample_site, "ballots/index.html"))
    assert "No ballot is open." in index and "National Council of Delegates · party-wide" in index


def test_the_samples_ballots_read_the_same_years_later(tmp_path):
    """The sample reads well on any date: its ballots are closed, counted and shown the same way."""
    root = copy_sample(tmp_path / "sample")
    build(root, search=False, now=dt.datetime(2031, 3, 1, 12, 0, tzinfo=dt.timezone.utc))
    index = text_of(read(root / "output", "ballots/index.html"))
    assert "No ballot is open." in index
    assert f"Passed — {SAMPLE_HOTLINE}" in index and "Decided: Free public transit — 11 of 20 eligible voted" in index
    assert f"Approved by online ballot, 9–16 November: {SAMPLE_HOTLINE}" in text_of(read(root / "output", "springfield/tenant-hotline.html"))


def test_with_the_repository_named_the_ballot_page_links_the_issue_form_and_the_exact_text(tmp_path, keys, monkeypatch):
    p = make_press(tmp_path / "press", keys)
    git(p.root, "init", "-q", "-b", "main")
    commit(p.root, "The press, with its ballots")
    head = git(p.root, "rev-parse", "HEAD").strip()
    p.article("springfield", "night-shifts", PENDING_TITLE, PENDING_BODY + " Edited after the ballot opened.")
    commit(p.root, "An edit after the ballot opened: the link keeps the text voted on")
    monkeypatch.setenv("PRESS_REPO", "springfield-party/press")
    build(p.root, search=False)
    data = ballot_data(read(p.root / "output", "ballots/springfield/night-shifts/index.html"))
    assert data["issue_url"] == "https://github.com/springfield-party/press/issues/new?template=ballot.yml"  # ballot.js adds &ballot=
    assert data["article_url"] == f"https://github.com/springfield-party/press/blob/{head}/content/springfield/night-shifts.md"


def test_an_assemblys_contact_is_the_ballot_pages_send_by_email_address(tmp_path, keys):
    p = make_press(tmp_path / "press", keys)
    roster = p.root / "editorial/assemblies/springfield.yml"
    roster.write_text(roster.read_text().replace("timezone: America/Chicago\n", "timezone: America/Chicago\ncontact: secretary@springfield.example.org\n"))
    build(p.root, search=False)
    assert ballot_data(read(p.root / "output", "ballots/springfield/night-shifts/index.html"))["mailto"] == "secretary@springfield.example.org"


@pytest.mark.parametrize("contact", ["not an address", "a@b.org?cc=everyone@example.org", "Ana <ana@example.org>", "two@a.org, three@b.org"])
def test_a_contact_that_is_not_one_address_is_a_problem_on_its_line(pressdir, contact):
    pressdir.assembly("springfield", SPRINGFIELD.lstrip().replace("timezone: America/Chicago\n", f"timezone: America/Chicago\ncontact: {contact}\n"))
    loaded = press.load(pressdir.root)
    problems = [str(p) for p in loaded.problems]
    assert len(problems) == 1 and problems[0].startswith("editorial/assemblies/springfield.yml:3: 'contact' must be one e-mail address"), problems
    assert loaded.records.assemblies["springfield"].contact is None  # the roster still counts; no address is offered

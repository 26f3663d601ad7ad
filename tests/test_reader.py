"""What readers, subscribers and search engines get: JSON Feed, podcast, calendars, sitemap, metadata."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from click.testing import CliRunner

from conftest import REPO, copy_sample
from press.cli import main


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = copy_sample(tmp_path_factory.mktemp("reader") / "sample")
    result = CliRunner().invoke(main, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    return root / "output"


def test_json_feed_holds_the_published_articles(site):
    data = json.loads((site / "harbor/feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == "http://localhost:8000/harbor/feed.json"
    assert [i["id"] for i in data["items"]] == [
        "http://localhost:8000/harbor/radio-hour.html",
        "http://localhost:8000/harbor/ferry-cuts.html",
        "http://localhost:8000/harbor/dockers-pension.html",
    ]
    for item in data["items"]:  # what JSON Feed 1.1 requires of an item
        assert item["id"] and (item.get("content_html") or item.get("content_text"))
    everything = json.loads((site / "feed.json").read_text())
    assert "UNPUBLISHED" not in json.dumps(everything)


def test_audio_travels_as_an_enclosure_and_a_podcast(site):
    feed = feedparser.parse((site / "harbor/podcast.rss").read_bytes())
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == ["Harbour Radio Hour: the night shift speaks"]
    enclosure = feed.entries[0].enclosures[0]
    mp3 = (REPO / "content/harbor/radio-hour/radio-hour.mp3").read_bytes()
    assert (enclosure.href, int(enclosure.length), enclosure.type) == ("http://localhost:8000/harbor/radio-hour/radio-hour.mp3", len(mp3), "audio/mpeg")
    assert feed.entries[0].itunes_duration == "0:01"
    assert (site / "harbor/radio-hour/radio-hour.mp3").read_bytes() == mp3
    assert feedparser.parse((site / "harbor/feed.rss").read_bytes()).entries[0].enclosures[0].href.endswith("radio-hour.mp3")
    attachment = json.loads((site / "harbor/feed.json").read_text())["items"][0]["attachments"][0]
    assert attachment == {"url": "http://localhost:8000/harbor/radio-hour/radio-hour.mp3", "mime_type": "audio/mpeg", "size_in_bytes": len(mp3), "duration_in_seconds": 1}
    assert not (site / "springfield/podcast.rss").exists()  # no audio, no podcast
    assert 'href="../harbor/podcast.rss"' in (site / "harbor/index.html").read_text()


def test_meeting_calendars_parse_with_time_zones_and_stable_uids(site, tmp_path):
    calendar = icalendar.Calendar.from_ical((site / "springfield/meetings.ics").read_bytes())
    events = {e["uid"]: e for e in calendar.walk("VEVENT")}
    assert len(events) == 7  # five recorded meetings, one scheduled and the online ballot tenant-hotline
    november = events["2026-11-03.springfield@localhost"]
    assert november.decoded("dtstart") == dt.datetime(2026, 11, 3, 19, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert str(november["location"]) == "Union Hall, 12 Main St"
    assert str(november["description"]) == (
        "Monthly meeting of Springfield Community Assembly.\n"
        "Ice storm warning; most members stayed home.\n\n"
        "Decisions:\n"
        "- Motion to publish the article springfield/library-hours failed (4 yes, 0 no, 0 abstain)\n\n"
        "The full record: http://localhost:8000/springfield/ledger.html#2026-11-03"
    )  # readable in a calendar app, with the way back to the record
    assert str(november["url"]) == "http://localhost:8000/springfield/ledger.html#2026-11-03"
    harbor = icalendar.Calendar.from_ical((site / "harbor/meetings.ics").read_bytes())
    december = next(e for e in harbor.walk("VEVENT") if e["uid"].startswith("2026-12-03"))
    assert december.decoded("dtstart") == dt.datetime(2026, 12, 3, 17, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert str(december["location"]) == "Canteen of Terminal 2, Hamburg"
    everything = icalendar.Calendar.from_ical((site / "meetings.ics").read_bytes())
    assert len(everything.walk("VEVENT")) == 23  # with harbor's extraordinary meeting of 2026-10-15, 5 of the council (its census sitting of 2026-09-19) and 2 online ballots
    assert {tz["tzid"] for tz in everything.walk("VTIMEZONE")} == {"America/Chicago", "Europe/London", "Europe/Berlin"}


def test_sitemap_and_robots(site):
    sitemap = (site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "http://localhost:8000/springfield/rent-strike-wins.html" in locs
    assert "http://localhost:8000/riverside/heat-pump-coop.html" in locs  # the retraction notice
    for unpublished in ("city-hall-gossip", "library-hours", "night-bus-petition", "shift-safety"):
        assert unpublished not in sitemap
    assert "<lastmod>2026-10-06</lastmod>" in sitemap
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\nSitemap: http://localhost:8000/sitemap.xml\n"


def test_article_metadata_for_sharing(site):
    html = (site / "springfield/rent-strike-wins.html").read_text()
    assert '<link rel="canonical" href="http://localhost:8000/springfield/rent-strike-wins.html">' in html
    assert '<meta property="og:title" content="The rent strike on Maple Street wins">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert ld["@type"] == "NewsArticle"
    assert ld["publisher"]["name"] == "Assembly Press"
    # The meeting's time (19:00 from "meets") plus one minute per earlier motion: distinct and stable.
    assert ld["datePublished"] == "2026-07-07T19:00:00-05:00" and ld["dateModified"] == "2026-10-06T19:00:00-05:00"
    assert ld["correction"]["text"].startswith("Corrects the date of the march")
    assert "correction" not in json.loads(re.search(r'ld\+json">(.*?)</script>', (site / "springfield/bus-fares.html").read_text(), re.S)[1])


def test_search_index_holds_only_published_articles(site):
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    pages = sum(language["page_count"] for language in entry["languages"].values())
    published = 10  # 3 harbor + 2 riverside + 4 springfield (one as its approved revision... not here: no git; one by online ballot) + 1 council statement
    assert pages == published - 1  # the copied sample has no git history, so water-rates is held back
    assert 'data-pagefind-body' not in (site / "riverside/heat-pump-coop.html").read_text()


def test_images_without_alt_text_are_warned_about(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write("content/springfield/chart/chart.png", b"\x89PNG\r\n\x1a\n")
    pressdir.article("springfield", "chart", body="Intro.\n\n![](chart/chart.png)\n\n![A rising line](chart/chart.png)\n")
    pressdir.publish("springfield", "chart", "2026-10-06")
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "build"])
    assert result.exit_code == 0, result.output
    assert "warning: content/springfield/chart.md:5: image chart/chart.png has no alt text — describe it" in result.output
    assert result.output.count("has no alt text") == 1


def test_audio_beside_an_unpublished_article_is_not_copied(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write("content/springfield/draft/secret.mp3", b"ID3SECRET-AUDIO")
    pressdir.article("springfield", "draft", audio="draft/secret.mp3")
    assert CliRunner().invoke(main, ["--root", str(pressdir.root), "build"]).exit_code == 0
    assert not list((pressdir.root / "output").rglob("*.mp3"))


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"audio": "../other/ep.mp3"}, "Audio: ../other/ep.mp3 climbs out with '..'"),
        ({"audio": "missing.mp3"}, "Audio: missing.mp3 is not in this article's folder ep/ — put the file there and link ep/<file>"),
        ({"audio": "ep/missing.mp3"}, "Audio: ep/missing.mp3 names ep/missing.mp3, which is not in the bundle"),
        ({"audio": "https://cdn.example.org/ep.mp3"}, "a remote Audio: needs 'Audio_length:' in bytes"),
        ({"audio": "https://cdn.example.org/ep.mp3", "audio_length": "big"}, "Audio_length 'big' must be a number of bytes"),
        ({"audio": "https://cdn.example.org/ep.mp3", "audio_length": "10", "duration": "ten minutes"}, "Duration 'ten minutes' must be like 23:10"),
    ],
)
def test_bad_audio_metadata(pressdir, meta, message):
    pressdir.assembly()
    pressdir.article("springfield", "ep", **meta)
    assert any(message in p for p in pressdir.problems()), pressdir.problems()


def test_bad_meeting_time(pressdir):
    pressdir.assembly()
    pressdir.meeting("springfield", "2026-10-06", "time: half past seven\n")
    assert pressdir.problems() == ["editorial/meetings/springfield/2026-10-06.yml:1: time 'half past seven' must be a time of day like \"19:00\""]


def test_featured_entries_never_share_an_updated_time(site):
    """Feed readers (and the W3C validator) tell entries apart by `updated`: stories the council
    featured at one meeting are dated by their motions, a minute apart, not all at midnight."""
    feed = feedparser.parse((site / "featured.atom").read_bytes())
    updated = [entry.updated for entry in feed.entries]
    assert len(updated) >= 2
    assert len(set(updated)) == len(updated), updated

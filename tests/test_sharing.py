"""How the press travels: feeds that pass the W3C feed validator, sharing tags and images per page
kind, microformats for IndieWeb readers, the web manifest, and what readers find around an article."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from html import unescape
from pathlib import Path

import feedparser
import mf2py
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from lxml import etree
from PIL import Image, ImageChops

from conftest import REPO, commit, copy_sample
from press.cli import main


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


DOMAIN = "http://localhost:8000"
ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PUBLISHED = [
    "harbor/radio-hour", "harbor/ferry-cuts", "harbor/dockers-pension", "riverside/canal-row-walkabout", "riverside/eviction-watch",
    "springfield/tenant-hotline", "springfield/bus-fares", "springfield/rent-strike-wins",
]  # fmt: skip
UNPUBLISHED = ["springfield/city-hall-gossip", "springfield/library-hours", "riverside/night-bus-petition", "harbor/shift-safety", "riverside/heat-pump-coop"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("sharing") / "sample")
    result = CliRunner().invoke(main, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    return root / "output"


def meta(html: str) -> dict[str, str]:
    tags = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html)
    return {k: unescape(v) for k, v in tags}


# --------------------------------------------------------------------------- feeds (W3C validator defects)


def test_atom_enclosures_are_enclosure_links_with_type_and_length(site):
    tree = etree.parse(str(site / "harbor/feed.atom"))
    entry = next(e for e in tree.iter(f"{ATOM}entry") if "radio-hour" in e.findtext(f"{ATOM}id"))
    links = [dict(link.attrib) for link in entry.iter(f"{ATOM}link")]
    mp3 = (REPO / "content/harbor/radio-hour/radio-hour.mp3").stat().st_size
    assert links == [
        {"href": f"{DOMAIN}/harbor/radio-hour.html", "rel": "alternate"},
        {"href": f"{DOMAIN}/harbor/radio-hour/radio-hour.mp3", "rel": "enclosure", "type": "audio/mpeg", "length": str(mp3)},
    ]


def test_podcast_feed_has_itunes_values_the_validator_accepts(site):
    for name in ("harbor/podcast.rss", "podcast.rss"):
        channel = etree.parse(str(site / name)).getroot().find("channel")
        assert [e.text for e in channel.iter(f"{ITUNES}explicit")] == ["false"]
        image = channel.find(f"{ITUNES}image").get("href")
        assert image == f"{DOMAIN}/{name.replace('podcast.rss', 'podcast.jpg')}"
        with Image.open(site / name.replace("podcast.rss", "podcast.jpg")) as cover:
            assert cover.size == (1400, 1400) and cover.format == "JPEG"
        owner = channel.find(f"{ITUNES}owner")
        assert (owner.findtext(f"{ITUNES}name"), owner.findtext(f"{ITUNES}email")) == ("Assembly Press", "press@example.org")


@pytest.mark.parametrize("name", ["springfield/decisions.atom", "riverside/decisions.atom", "harbor/decisions.atom", "feed.atom", "harbor/feed.atom"])
def test_every_entry_of_a_feed_has_its_own_updated_time(site, name):
    updated = [e.findtext(f"{ATOM}updated") for e in etree.parse(str(site / name)).iter(f"{ATOM}entry")]
    assert len(updated) == len(set(updated)) > 1, updated


def test_atom_feeds_have_an_icon_and_a_wide_logo(site):
    root = etree.parse(str(site / "springfield/feed.atom")).getroot()
    assert root.findtext(f"{ATOM}icon") == f"{DOMAIN}/favicon-64.png"
    assert root.findtext(f"{ATOM}logo") == f"{DOMAIN}/share.png"  # RFC 4287: about 2:1


def test_calendar_events_link_back_to_the_record_or_the_chapter(site):
    import icalendar

    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical((site / "springfield/meetings.ics").read_bytes()).walk("VEVENT")}
    assert str(events["2026-10-06.springfield@localhost"]["url"]) == f"{DOMAIN}/springfield/ledger.html#2026-10-06"
    scheduled = events["2026-12-01.springfield@localhost"]  # still to come: no record yet
    assert str(scheduled["url"]) == f"{DOMAIN}/springfield/"
    assert str(scheduled["description"]).endswith(f"The assembly's page: {DOMAIN}/springfield/")
    recorded = str(events["2026-10-06.springfield@localhost"]["description"])
    assert "Decisions:\n- " in recorded and "Elected Dev Patel delegate" in recorded and "dev" not in recorded.split()


def test_decision_times_are_the_meeting_time_plus_the_motion_order(site):
    feed = feedparser.parse((site / "harbor/decisions.atom").read_bytes())
    times = {e.id.split("#")[1]: e.updated for e in feed.entries}
    # harbor "meets: First Thursday of the month, 17:00"; motions at one meeting are a minute apart
    assert times["2026-10-01-1"] == "2026-10-01T17:00:00+02:00"
    assert times["2026-11-05-1"] == "2026-11-05T17:00:00+01:00"
    assert times["2026-11-05-2"] == "2026-11-05T17:01:00+01:00"


def test_json_feed_summaries_are_plain_text_and_the_feed_has_icons_and_authors(site):
    data = json.loads((site / "springfield/feed.json").read_text())
    assert data["icon"] == f"{DOMAIN}/icon-512.png" and data["favicon"] == f"{DOMAIN}/favicon-64.png"
    assert data["authors"] == [{"name": "Springfield Community Assembly"}]
    with Image.open(site / "icon-512.png") as icon, Image.open(site / "favicon-64.png") as favicon:
        assert icon.size == (512, 512) and favicon.size == (64, 64)
    bus = next(i for i in data["items"] if i["id"].endswith("bus-fares.html"))
    assert bus["summary"] == "The city spends more collecting bus fares than the fares bring in. We did the arithmetic."
    for item in data["items"]:
        assert "<" not in item["summary"] and "&lt;" not in item["summary"]
        assert item["content_html"].startswith("<p>")


# --------------------------------------------------------------------------- sharing tags and images

PAGE_KINDS = {
    "index.html": ("Assembly Press", "News approved, article by article"),
    "springfield/rent-strike-wins.html": ("The rent strike on Maple Street wins", "After eleven weeks, the tenants"),
    "springfield/index.html": ("Springfield Community Assembly", "Springfield Community Assembly, Springfield, Missouri: 3 articles approved by the assembly's vote"),
    "springfield/ledger.html": ("Ledger of Springfield Community Assembly", "The public record of Springfield Community Assembly"),
    "riverside/heat-pump-coop.html": ("Retracted: ", "retracted this article on"),
    "assemblies.html": ("Assemblies", "The 3 assemblies whose votes decide"),
    "archives.html": ("Archives", "Every article Assembly Press has published"),
    "tags.html": ("Topics", "Every topic"),
    "tag/housing.html": ("Tagged “housing”", "Articles tagged “housing”"),
    "authors.html": ("Writers", "Everyone whose articles"),
    "author/ana-ruiz.html": ("Articles by Ana Ruiz", "Articles by Ana Ruiz, each approved"),
    "search.html": ("Search Assembly Press", "Search every article"),
    "about.html": ("About", ""),
}


@pytest.mark.parametrize("page", PAGE_KINDS)
def test_each_page_kind_has_its_own_title_description_and_image(site, page):
    tags = meta((site / page).read_text())
    title, description = PAGE_KINDS[page]
    assert tags["og:title"].startswith(title) and tags["twitter:title"] == tags["og:title"]
    assert description in tags["og:description"] and tags["description"] == tags["og:description"] == tags["twitter:description"]
    if page != "index.html":
        assert tags["og:title"] != "Assembly Press" and not tags["og:description"].startswith("News approved")
    assert tags["twitter:card"] == "summary_large_image"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    image = tags["og:image"]
    assert image == tags["twitter:image"] and image.startswith(f"{DOMAIN}/")
    assert tags["og:image:type"] == "image/png"
    with Image.open(site / image.removeprefix(f"{DOMAIN}/")) as card:
        assert card.size == (1200, 630) and card.format == "PNG"
    expected = "springfield/rent-strike-wins.share.png" if "rent-strike" in page else "share.png"
    assert image == f"{DOMAIN}/{expected}"


def test_a_shared_retraction_says_it_is_one(site):
    tags = meta((site / "riverside/heat-pump-coop.html").read_text())
    assert tags["og:title"].startswith("Retracted: ")
    assert "Reason:" in tags["og:description"]


def test_share_images_exist_for_published_articles_only(site):
    images = {p.relative_to(site).as_posix() for p in site.rglob("*.share.png")}
    council = {"council/transit-day-of-action.share.png"}  # a published council statement is an article too
    assert images - council == {f"{a}.share.png" for a in PUBLISHED + ["springfield/water-rates"] if (site / f"{a}.html").exists() and a != "riverside/heat-pump-coop"}
    assert {f"{a}.share.png" for a in PUBLISHED} <= images
    for article in UNPUBLISHED:
        assert not (site / f"{article}.share.png").exists()


def test_share_images_are_drawn_once_per_approved_text(sample, monkeypatch):
    from press.build import build
    from press.site import images

    build(sample)
    drawn = []
    real = images._draw
    monkeypatch.setattr(images, "_draw", lambda *a: drawn.append(a[1]) or real(*a))
    first = (sample / "output/springfield/bus-fares.share.png").read_bytes()
    build(sample)
    assert drawn == []  # every image came from the cache
    assert (sample / "output/springfield/bus-fares.share.png").read_bytes() == first
    # A newly approved title is a new image (and only that one is drawn).
    meeting = sample / "editorial/meetings/springfield/2026-09-01.yml"
    article = sample / "content/springfield/bus-fares.md"
    from press.records import digest_bytes

    old = digest_bytes(article.read_bytes())
    article.write_text(article.read_text().replace("Title: Why free buses pay for themselves", "Title: Free buses pay for themselves"))
    meeting.write_text(meeting.read_text().replace(old, digest_bytes(article.read_bytes())))
    build(sample)
    assert [card.headline for card in drawn] == ["Free buses pay for themselves"]


def test_an_unapproved_headline_never_reaches_a_share_image(sample):
    """Edits awaiting a vote change nothing: the image shows the approved title."""
    from press.build import build

    build(sample)
    before = (sample / "output/springfield/bus-fares.share.png").read_bytes()
    article = sample / "content/springfield/bus-fares.md"
    article.write_text(article.read_text().replace("Why free buses pay for themselves", "UNAPPROVED HEADLINE"))
    build(sample)
    assert not (sample / "output/springfield/bus-fares.share.png").exists() or (sample / "output/springfield/bus-fares.share.png").read_bytes() == before


# --------------------------------------------------------------------------- microformats, manifest, print


@pytest.mark.parametrize("article", PUBLISHED)
def test_mf2_readers_see_each_article_as_an_h_entry(site, article):
    parsed = mf2py.parse(doc=(site / f"{article}.html").read_text(), url=f"{DOMAIN}/{article}.html")
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    assert len(entries) == 1
    props = entries[0]["properties"]
    title = re.search(r"<h1[^>]*>([^<]+)</h1>", (site / f"{article}.html").read_text())[1]
    assert props["name"] == [unescape(title)]
    assert props["url"] == [f"{DOMAIN}/{article}.html"]
    assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d", props["published"][0])
    authors = props["author"]
    assert authors and all("h-card" in a["type"] and a["properties"]["name"][0] for a in authors)
    assert props["content"][0]["value"].strip()
    assert "Approved by" not in props["content"][0]["value"]  # the body, not the provenance box


@pytest.mark.parametrize("page", ["index.html", "springfield/index.html", "tag/housing.html", "author/ana-ruiz.html"])
def test_lists_are_h_feeds_of_h_entries(site, page):
    parsed = mf2py.parse(doc=(site / page).read_text(), url=f"{DOMAIN}/{page}")
    feeds = [i for i in parsed["items"] if "h-feed" in i["type"]]
    assert len(feeds) == 1 and feeds[0]["properties"]["name"]
    entries = [c for c in feeds[0]["children"] if "h-entry" in c["type"]]
    assert entries and all(e["properties"]["url"] and e["properties"]["published"] and e["properties"]["author"] for e in entries)


def test_web_manifest_touch_icon_and_theme_color(site):
    manifest = json.loads((site / "manifest.webmanifest").read_text())
    assert manifest["name"] == "Assembly Press" and manifest["start_url"] == "./index.html"
    for icon in manifest["icons"]:
        with Image.open(site / icon["src"]) as png:
            assert f"{png.size[0]}x{png.size[1]}" == icon["sizes"]
    with Image.open(site / "apple-touch-icon.png") as touch:
        assert touch.size == (180, 180)
    html = (site / "springfield/ledger.html").read_text()
    assert '<link rel="manifest" href="../manifest.webmanifest">' in html
    assert '<link rel="apple-touch-icon" href="../apple-touch-icon.png">' in html
    assert '<meta name="theme-color" content="#b3122e" media="(prefers-color-scheme: light)">' in html
    assert '<link rel="stylesheet" href="../theme/css/print.css" media="print">' in html
    assert "@page" in (site / "theme/css/print.css").read_text()


# --------------------------------------------------------------------------- around an article


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_next_previous_related_reading_time_and_follow_box(site):
    html = (site / "springfield/rent-strike-wins.html").read_text()
    text = text_of(html)
    assert "1 min read" in text
    more = text_of(re.search(r'<nav class="more-from"[^>]*>(.*?)</nav>', html, re.S)[1])
    assert more == "More from Springfield Community Assembly Next Why free buses pay for themselves"  # the newest has no next
    related = html.split('class="related"')[1].split("</section>")[0]
    assert 'href="../riverside/eviction-watch.html"' in related  # shares the tag "housing"
    follow = text_of(html.split('class="follow-box"')[1].split("</section>")[0])
    for words in ("Follow Springfield Community Assembly", "feed reader", "JSON Feed", "Decisions feed", "Meetings calendar"):
        assert words in follow
    assert "Podcast" not in follow  # springfield has no audio
    assert "Podcast" in text_of((site / "harbor/radio-hour.html").read_text().split('class="follow-box"')[1])
    chapter = text_of((site / "springfield/index.html").read_text())
    assert "Follow Springfield Community Assembly" in chapter


def test_search_excerpts_come_from_the_body_only(site):
    for fragment in (site / "pagefind/fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes())[12:])
        if data["url"].endswith("rent-strike-wins.html"):
            assert data["meta"]["title"] == "The rent strike on Maple Street wins"
            assert data["content"].startswith("After eleven weeks of withheld rent")
            for leak in ("Springfield Community Assembly", "By Ana Ruiz", "Approved by", "Follow", "min read"):
                assert leak not in data["content"]
            return
    pytest.fail("the article is not in the search index")


def test_a_submitted_date_after_the_approval_is_not_shown(repo):
    repo.article("springfield", "late", title="Late", body="Body.")
    commit(repo.root, "Late article", when="2026-11-20T10:00:00")
    repo.publish("springfield", "late", "2026-10-06")
    repo.article("springfield", "early", title="Early", body="Body.")
    commit(repo.root, "Early article", when="2026-09-01T10:00:00")
    repo.publish("springfield", "early", "2026-10-07")
    commit(repo.root, "Votes")
    result = CliRunner().invoke(main, ["--root", str(repo.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    late = text_of((repo.root / "output/springfield/late.html").read_text())
    assert "Approved by Springfield Assembly on 6 October 2026" in late
    assert "Submitted" not in late and "20 November 2026" not in late
    early = text_of((repo.root / "output/springfield/early.html").read_text())
    assert "Submitted 1 September 2026 by Ana Ruiz." in early


# --------------------------------------------------------------------------- the record, in words


def test_the_ledger_reads_in_words_and_the_json_keeps_ids(site):
    text = text_of((site / "springfield/ledger.html").read_text())
    assert "7 July 2026" in text and ">2026-07-07<" not in (site / "springfield/ledger.html").read_text()
    assert re.search(r"Passed\s*:\s*Elected Dev Patel delegate", text)
    assert "Recalled Carla Mendes as delegate" in text
    assert "Yes: Ana Ruiz, Ben Okafor" in text  # names, not ids
    assert "elect-delegate" not in text and "recall-delegate" not in text
    assert not re.search(r"Yes: (ana|ben)\b", text)
    data = json.loads((site / "springfield/ledger.json").read_text())
    motions = [m for meeting in data["meetings"] for m in meeting["motions"]]
    assert {m["kind"] for m in motions} >= {"publish", "elect-delegate", "recall-delegate"}
    assert all(isinstance(v, str) and v.islower() for m in motions for side in m.get("votes", {}).values() for v in side)
    assert data["meetings"][0]["date"] == "2026-07-07"


def test_the_chapter_page_gives_dates_in_words(site):
    page = (site / "springfield/index.html").read_text().split('<section class="mandate"')[0]  # issue 14's table aside
    text = text_of(page)
    assert "Carla Mendes: elected 7 July 2026, recalled 6 October 2026" in text
    assert not re.search(r"\b2026-\d\d-\d\d\b", text)


def test_many_missing_images_are_drawn_in_parallel_to_the_same_bytes(tmp_path, monkeypatch):
    """A first build of a large press draws on every core; the images are the same as drawn one by one."""
    from press.site import images

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cache"))
    cards = [("share", images.Card(f"Headline {i}", "Springfield", f"Approved — {i}\u00a0yes", "Press"), images.SHARE_SIZE) for i in range(20)]
    cache = images.ImageCache(tmp_path, REPO / "theme/fonts")
    drawing = cache.start(cards)
    assert drawing.pool is not None  # 20 missing: worker processes
    files = drawing.finish()
    assert cache.drawn == 20 and len(set(files)) == 20
    for (kind, card, size), file in zip(cards, files):
        assert file.read_bytes() == images._draw(kind, card, size, REPO / "theme/fonts")
    again = images.ImageCache(tmp_path, REPO / "theme/fonts")
    assert again.files(cards) == files and again.drawn == 0


def _greedy(draw, text: str, font, width: int) -> list[str]:
    """Words wrapped the plain way: each goes on the line if the line then still fits, else starts the
    next (a word wider than the card is cut where it must be)."""
    lines: list[str] = []
    for word in (w for w in text.split(" ") if w):
        if lines and draw.textlength(lines[-1] + " " + word, font=font) <= width:
            lines[-1] += " " + word
            continue
        while len(word) > 1 and draw.textlength(word, font=font) > width:
            cut = max(n for n in range(1, len(word) + 1) if n == 1 or draw.textlength(word[:n], font=font) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(["AVAWA", "To", "Wa", "LT", "yes", "Tenants", "win", "the", "rent", "strike", "—", "Überschwänglichkeit",
                                    "Ελληνικά", "Кириллица", "W" * 24, "i" * 40, "ferry", "co-operative", "7\u00a0yes"]), min_size=1, max_size=30),
    width=st.integers(120, 1100), height=st.integers(60, 600), largest=st.integers(30, 110),
)  # fmt: skip
def test_a_headline_is_set_in_the_largest_size_at_which_it_fits(words, width, height, largest):
    """The share card's headline size: the largest at which the wrapped lines fit the box, as if every
    size were tried in turn (sizes that cannot fit are passed over without wrapping: never one that
    can), and its lines as words wrap the plain way (a line that fits whole is measured once)."""
    from PIL import Image, ImageDraw

    from press.site import images

    fonts, text = REPO / "theme/fonts", " ".join(words)
    draw = ImageDraw.Draw(Image.new("RGB", (8, 8)))
    expected = None
    for size in range(largest, largest // 2 - 1, -4):  # every size, largest first
        lines = _greedy(draw, text, images._font(fonts, size), width)
        assert images._wrap(draw, text, images._font(fonts, size), width) == lines
        if len(lines) * size * 1.2 <= height:
            expected = (size, lines)
            break
    font, lines = images._fit(draw, fonts, text, width, height, largest=largest, smallest=largest // 2)
    if expected is not None:
        assert (font.size, lines) == expected
    else:  # nothing fits: the smallest size, cut with an ellipsis
        assert font.size == largest // 2 and len(lines) * font.size * 1.2 <= max(height, font.size * 1.2)


def test_cards_for_two_sites_drawn_in_turn_never_mix():
    """What every card of a size shows alike (the paper, the accent bar) is drawn once and copied: a
    card drawn after another site's is the same image as when drawn first."""
    from press.site import images

    fonts = REPO / "theme/fonts"
    ours = images.Card("Tenants win the rent strike", "Springfield", "Approved 7\u00a0yes", "Springfield Press")
    theirs = images.Card("Tenants win the rent strike", "Springfield", "Approved 7\u00a0yes", "Harbor Tribune")
    first = images._draw("share", ours, images.SHARE_SIZE, fonts)
    other = images._draw("share", theirs, images.SHARE_SIZE, fonts)
    assert images._draw("share", ours, images.SHARE_SIZE, fonts) == first != other
    bottom = (0, images.SHARE_SIZE[1] - 120, *images.SHARE_SIZE)  # where the site's name is
    assert Image.open(io.BytesIO(first)).crop(bottom).tobytes() != Image.open(io.BytesIO(other)).crop(bottom).tobytes()


def test_the_rule_and_the_site_name_are_drawn_over_text_that_reaches_down_to_them():
    """A footer whose marks stack below the line (a writer's title can carry them) never hides the
    card's rule: the rule and the site's name are drawn last, over the text."""
    from press.site import images

    fonts, size = REPO / "theme/fonts", images.SHARE_SIZE
    plain = images._card(images.Card("Tenants win", "Springfield", "Approved by Springfield", "Springfield Press"), size, fonts)
    marked = images._card(images.Card("Tenants win", "Springfield", "Approved by Springfield o" + "\u0323" * 12, "Springfield Press"), size, fonts)
    w, h = size
    rule = (221, 214, 200)
    rows = [y for y in range(h) if sum(plain.getpixel((x, y)) == rule for x in range(w)) > w // 2]
    assert rows  # the rule, found on the plain card
    for y in rows:
        assert [x for x in range(w) if plain.getpixel((x, y)) == rule] == [x for x in range(w) if marked.getpixel((x, y)) == rule]
    assert marked.tobytes() != plain.tobytes()  # the marks are drawn, above the rule


@pytest.mark.parametrize("headline", ["Tenants win", "Ferry workers and riders sign one petition for safer crossings on every route of the harbour this winter", "Ŝtopu la altigon: Οι ενοικιαστές νικούν — Жильцы победили"])
def test_a_share_card_is_a_small_png_of_what_was_drawn(headline):
    """A card is a PNG of the card's colours (not a JPEG's blur around the letters), every pixel
    within a few levels of the drawing, in a fraction of a JPEG's bytes: thousands of cards are most
    of a site's bytes."""
    from press.site import images

    card = images.Card(headline, "Springfield · 6 October 2026", "Approved 7–0 at the meeting of 5 October 2026", "Springfield Press")
    data = images._draw("share", card, images.SHARE_SIZE, REPO / "theme/fonts")
    drawn = images._card(card, images.SHARE_SIZE, REPO / "theme/fonts")
    with Image.open(io.BytesIO(data)) as png:
        assert png.format == "PNG" and png.size == images.SHARE_SIZE
        shown = png.convert("RGB")
    worst = max(high for _, high in ImageChops.difference(shown, drawn).getextrema())
    assert worst <= 12, worst  # the edges of the letters keep their shades
    assert len(data) < 45_000, len(data)  # a JPEG of it at quality 88: about 95 KB


def test_a_damaged_image_in_the_store_is_drawn_again_never_published(sample, monkeypatch, tmp_path):
    """Someone with write access to the cache folder swaps a kept share image: the build draws it
    again (its bytes no longer match its name) and the site holds the image of the approved title."""
    from press.build import build
    from press.store import Store

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cache"))
    build(sample)
    share = sample / "output/springfield/bus-fares.share.png"
    good = share.read_bytes()
    store = Store(sample)
    kept = store.path(hashlib.sha256(good).hexdigest())
    assert kept.is_file() and os.stat(kept).st_ino != os.stat(share).st_ino  # a copy, never a link
    kept.chmod(0o644)
    kept.write_bytes(good[:-100] + b"\0" * 100)  # still a PNG's length, other bytes
    (sample / "pelicanconf.py").write_text((sample / "pelicanconf.py").read_text() + "\n# another build\n")
    build(sample, tmp_path / "second")
    assert (tmp_path / "second/springfield/bus-fares.share.png").read_bytes() == good
    assert share.read_bytes() == good


def test_a_writer_cannot_claim_another_author_to_microformats_readers(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    body = (
        'Text.\n\n<p><a class="p-author h-card" href="https://evil.example/">Impostor</a> '
        '<span class="p-name">Fake headline</span> <a class="u-url" href="https://evil.example/x">x</a> '
        '<code class="language-python">ok</code></p>\n'
    )
    pressdir.article("springfield", "mf", title="The real headline", body=body, author="Ana")
    pressdir.publish("springfield", "mf", "2026-10-06")
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    html = (pressdir.root / "output/springfield/mf.html").read_text()
    entry = next(i for i in mf2py.parse(doc=html, url=f"{DOMAIN}/springfield/mf.html")["items"] if "h-entry" in i["type"])
    assert entry["properties"]["name"] == ["The real headline"]
    assert [a["properties"]["name"] for a in entry["properties"]["author"]] == [["Ana"]]
    assert entry["properties"]["url"] == [f"{DOMAIN}/springfield/mf.html"]
    assert 'class="language-python"' in html  # other classes stay (code highlighting)


def test_links_inside_feed_entries_are_absolute(site):
    """A feed reader shows the text away from the page: a bundle image must not be a relative path."""
    data = json.loads((site / "springfield/feed.json").read_text())
    html = "".join(i.get("content_html", "") for i in data["items"])
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert f'{DOMAIN}/springfield/rent-strike-wins/rent-rise.png' in urls
    assert all(u.startswith(("http://", "https://", "mailto:", "#")) for u in urls), urls
    atom = (site / "springfield/feed.atom").read_text()
    assert 'src=&quot;rent-strike-wins/' not in atom and 'src="rent-strike-wins/' not in atom


def test_the_images_and_the_manifest_are_on_the_positive_list(sample):
    from press.build import build

    result = build(sample)
    reasons = result.outputs.reasons()
    assert reasons["springfield/bus-fares.share.png"] == "a published article's share image, drawn from its approved title and vote"
    for name in ("share.png", "harbor/podcast.jpg", "podcast.jpg", "icon-192.png", "icon-512.png", "apple-touch-icon.png", "favicon-64.png"):
        assert reasons[name] == "an image the press draws (default share image, podcast cover, icon)", name
    assert reasons["manifest.webmanifest"] == "the web manifest (name, icons, theme colour)"


def _share_pixels(card) -> Image.Image:
    from press.site import images

    with Image.open(io.BytesIO(images._draw("share", card, images.SHARE_SIZE, REPO / "theme/fonts"))) as png:
        return png.convert("RGB")


def test_marks_stacked_into_the_next_line_never_punch_holes_in_its_letters():
    """A footer whose marks stack up into the headline (a writer's title can carry them): where they
    cross the headline's letters, the letters stay whole — a pixel shows whichever text covers it more,
    never the faint edge of a mark painted over solid ink. The rule and the site's name stay too."""
    from press.site import images

    headline = "Tenants win the rent strike on every street of the harbour district"
    plain = images.Card(headline, "Springfield", "Approved by Springfield", "Springfield Press")
    marked = images.Card(headline, "Springfield", "Approved " + "ow" * 12 + "\u0301" * 60 + " o" + "\u0323" * 12, "Springfield Press")
    before, after = _share_pixels(plain), _share_pixels(marked)
    drawn = images._card(marked, images.SHARE_SIZE, REPO / "theme/fonts")  # in full colour
    before, after, drawn = (list(image.get_flattened_data()) for image in (before, after, drawn))
    solid = [i for i, px in enumerate(before) if px in (images.INK, images.RULE)]
    assert len(solid) > 5000  # the headline's letters, the site's name and the rule
    crossed = [i for i in solid if after[i] != before[i]]
    assert len(crossed) > 20  # the marks reach the headline
    # each solid pixel the marks cross shows what the full-colour drawing shows there (the mark where
    # it covers the pixel whole), never a pale edge of a mark painted over the ink
    assert [i for i in crossed if max(abs(a - b) for a, b in zip(after[i], drawn[i])) > 12] == []
    # and the card as a whole is still its drawing in full colour, but where two texts' edges cross
    off = [1 for a, d in zip(after, drawn) if max(abs(x - y) for x, y in zip(a, d)) > 12]
    assert len(off) < 100, len(off)


def test_a_share_card_is_painted_as_its_full_colour_drawing_shows_it():
    """The card published (painted in its palette) and the podcast cover's drawing in full colour are
    one layout: the same letters at the same places, for text in three scripts, a headline too long
    for the card, and no text at all."""
    from press.site import images

    for card in (images.Card("Ŝtopu la altigon: Οι ενοικιαστές νικούν — Жильцы победили", "Ŝtopu · 6 October 2026", "Approved 7–0", "Springfield Press"),
                 images.Card("rent " * 400, "k" * 200, "f " * 300, "s" * 100), images.Card("", "", "", "")):  # fmt: skip
        shown, drawn = _share_pixels(card), images._card(card, images.SHARE_SIZE, REPO / "theme/fonts")
        assert max(high for _, high in ImageChops.difference(shown, drawn).getextrema()) <= 12, card.headline[:20]

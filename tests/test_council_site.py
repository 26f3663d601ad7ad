"""What readers see of the council: the front page's order, the featured feeds, the council's
pages, the mandate record, and nothing unpublished anywhere near them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from conftest import PressDir
from press.cli import main
from test_build import text_of
from test_council import HARBOR, council_yml


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


TODAY = dt.date(2026, 11, 21)  # the tests' instant (conftest.NOW): the press is dated relative to it


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f1d3b00000000049454e44ae426082")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    p = PressDir(tmp_path_factory.mktemp("council-site") / "press").buildable()
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/council.yml", council_yml(weighting="members"))
    p.article("springfield", "rent", "Rent strike wins", "RENT-BODY-TEXT")
    p.article("springfield", "clinic", "Repair clinic opens", "CLINIC-BODY-TEXT")
    p.article("springfield", "gone", "A story later retracted", "RETRACTED-BODY-TEXT")
    p.article("springfield", "draft", "UNPUBLISHED-DRAFT-TITLE", "UNPUBLISHED-DRAFT-TEXT")
    p.article("harbor", "ferry", "No to the ferry cuts", "FERRY-BODY-TEXT")
    p.article("harbor", "pier", "The pier reopens", "PIER-BODY-TEXT", image="pier/dawn.png", image_alt="The pier at dawn")
    p.write("content/harbor/pier/dawn.png", PNG)
    p.article("council", "statement", "A national day of action", "STATEMENT-TEXT", image="statement/banner.png", image_alt="A banner reading Free fares")
    p.write("content/council/statement/banner.png", PNG)
    p.write("content/springfield/draft/secret.png", PNG)  # beside an unpublished article: never copied
    p.article("council", "unvoted", "UNVOTED-STATEMENT-TITLE", "UNVOTED-STATEMENT-TEXT")

    def publish(aid: str, slug: str) -> str:
        return f"  - publish: {aid}/{slug}\n    digest: {p.digest(aid, slug)}\n    yes: [ana, ben, cai]\n"

    p.meeting("springfield", day(40), "present: [ana, ben, cai]\nmotions:\n" + publish("springfield", "rent") + publish("springfield", "clinic")
              + publish("springfield", "gone") + "  - elect-delegate: ana\n    yes: [ben, cai]\n")  # fmt: skip
    p.meeting("springfield", day(20), "present: [ana, ben, cai]\nmotions:\n  - retract: springfield/gone\n    reason: Wrong.\n    yes: [ana, ben, cai]\n"
              "  - recall-delegate: ana\n    yes: [ben, cai]\n  - elect-delegate: ben\n    yes: [ana, cai]\n")  # fmt: skip
    harbor = lambda slug: f"  - publish: harbor/{slug}\n    digest: {p.digest('harbor', slug)}\n    yes: [jo, kim, lee]\n"  # noqa: E731
    p.meeting("harbor", day(39), "present: [jo, kim, lee]\nmotions:\n" + harbor("ferry") + "  - elect-delegate: jo\n    yes: [jo, kim, lee]\n")
    p.meeting("harbor", day(5), "present: [jo, kim, lee]\nmotions:\n" + harbor("pier"))
    census = f"present: [springfield, harbor]\nmotions:\n  - census: {day(31)}\n    weights: {{springfield: 3, harbor: 5}}\n    yes: [springfield, harbor]\n"
    p.meeting("council", day(31), census)  # weighting: members weighs the seats by the census the council adopts
    p.meeting(
        "council",
        day(30),
        f"""
        present: [springfield, harbor]
        motions:
          - feature: springfield/rent
            lead: true
            yes: [springfield, harbor]
          - feature: springfield/gone
            yes: [springfield, harbor]
          - feature: harbor/ferry
            yes: [harbor]
            no: [springfield]
          - publish: council/statement
            digest: {p.digest("council", "statement")}
            yes: [springfield, harbor]
          - feature: council/statement
            yes: [springfield, harbor]
        """,
    )
    p.meeting("council", day(10), "present: [springfield, harbor]\nmotions:\n  - unfeature: harbor/ferry\n    yes: [springfield]\n    abstain: [harbor]\n")
    result = CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    return p.root / "output"


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_front_page_order_lead_then_featured_then_assemblies_then_latest(site):
    text = text_of(read(site, "index.html"))
    lead = text.index("Lead story, chosen by the council Rent strike wins")
    chosen = text.index("Chosen by the council")
    statement = text.index("A national day of action")
    assemblies = text.index("From the assemblies")
    pier = text.index("The pier reopens")
    assert "Latest" not in text[assemblies:]  # every story is shown above: no list repeats them
    latest = len(text)
    assert lead < chosen < statement < assemblies < pier < latest
    featured_row = text[chosen:assemblies]
    assert "No to the ferry cuts" not in featured_row  # unfeatured
    assert "Rent strike wins" not in featured_row  # it is the lead
    from_assemblies = text[assemblies:latest]
    assert "Repair clinic opens" in from_assemblies  # springfield's newest not shown above
    # each story once: the latest list holds only what is not shown above it
    main_text = text.split("Skip to content", 1)[1].split("All articles Topics", 1)[0]
    for title in ("The pier reopens", "A national day of action", "Rent strike wins", "Repair clinic opens"):
        assert main_text.count(title) == 1, title
    assert "The pier reopens" not in text[latest:]


def test_front_page_shows_a_bundle_image_with_its_alt_text_and_copies_it(site):
    page = read(site, "index.html")
    assert '<img class="story-image" src="./council/statement/banner.png" alt="A banner reading Free fares"' in page
    lead = page.split('class="lead-story', 1)[1].split("</section>", 1)[0]
    featured = page.split('class="featured"', 1)[1].split("</section>", 1)[0]
    banner = next(tag for tag in re.findall(r"<img [^>]+>", page) if "banner.png" in tag)
    assert 'width="' in banner and 'height="' in banner  # room reserved: nothing jumps as it loads
    assert 'loading="lazy"' not in lead and ('fetchpriority="high"' in lead or "<img" not in lead)
    assert 'loading="lazy"' in featured or "<img" not in featured
    assert (site / "council/statement/banner.png").read_bytes() == PNG
    assemblies = page.split('id="assemblies-title"')[1]
    assert '<img class="story-image" src="./harbor/pier/dawn.png" alt="The pier at dawn"' in assemblies
    assert not (site / "springfield/draft/secret.png").exists()


def test_nothing_unpublished_on_the_front_page_or_in_the_featured_feeds(site):
    for name in ("index.html", "featured.atom", "featured.rss", "featured.json"):
        text = read(site, name)
        for secret in ("UNPUBLISHED-DRAFT", "UNVOTED-STATEMENT", "RETRACTED-BODY-TEXT", "A story later retracted"):
            assert secret not in text, (name, secret)


def test_featured_feeds_hold_the_stories_on_the_front_page_latest_feature_first(site):
    for kind in ("atom", "rss"):
        feed = feedparser.parse((site / f"featured.{kind}").read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert [e.link.rsplit("/", 2)[-2] + "/" + e.link.rsplit("/", 1)[-1] for e in feed.entries] == [
            "council/statement.html",
            "springfield/rent.html",
        ]
    data = json.loads(read(site, "featured.json"))
    assert [item["title"] for item in data["items"]] == ["A national day of action", "Rent strike wins"]


def test_the_mandate_record_on_the_chapter_page_and_in_the_ledger_json(site):
    page = text_of(read(site, "springfield/index.html"))
    assert "How our delegate voted" in page
    assert f"after the recall of Ana on {day(20)}" in page  # recalled, then Ben elected: a recall, named as one
    ledger = json.loads(read(site, "springfield/ledger.json"))
    rows = [(r["date"], r["kind"], r["article"], r["vote"], r["delegate"], r["changed_hands"]) for r in ledger["mandate"]]
    assert rows == [
        (day(31), "census", None, "yes", "ana", False),  # names no article
        (day(30), "feature", "springfield/rent", "yes", "ana", False),
        (day(30), "feature", "springfield/gone", "yes", "ana", False),
        (day(30), "feature", "harbor/ferry", "no", "ana", False),
        (day(30), "publish", "council/statement", "yes", "ana", False),
        (day(30), "feature", "council/statement", "yes", "ana", False),
        (day(10), "unfeature", "harbor/ferry", "yes", "ben", True),
    ]
    assert ledger["mandate"][-1]["previous_delegate_name"] == "Ana"
    harbor = json.loads(read(site, "harbor/ledger.json"))
    assert [r["vote"] for r in harbor["mandate"]] == ["yes", "yes", "yes", "yes", "yes", "yes", "abstain"]


def test_the_council_has_its_chapter_ledger_feeds_and_calendar(site):
    page = text_of(read(site, "council/index.html"))
    assert "Seats and delegates today" in page
    assert "Springfield Assembly Ben" in page and "Harbour Assembly Jo" in page
    assert "A national day of action" in page and "UNVOTED" not in page
    ledger = text_of(read(site, "council/ledger.html"))
    assert "feature as lead story Rent strike wins — yes 2 seats (8 members)" in ledger
    assert "Seats filled that day: harbor — Jo (weight 5); springfield — Ana (weight 3)" in ledger
    assert f"census of the rosters on {day(31)}: springfield 3, harbor 5 members — yes 2 seats (2 members)" in ledger  # the figures, not an empty name
    data = json.loads(read(site, "council/ledger.json"))
    assert [f["ended_by"] for f in data["features"]] == [None, "retracted", "unfeatured", None]
    assert json.loads(read(site, "ledger.json"))["council"]["name"] == "National Council"
    (census,) = [m for meeting in data["meetings"] for m in meeting["motions"] if m["kind"] == "census"]
    assert census["census"] == {"counted": day(31), "weights": {"springfield": 3, "harbor": 5}}
    assert "BEGIN:VCALENDAR" in read(site, "council/meetings.ics")
    decisions = feedparser.parse((site / "council/decisions.atom").read_bytes())
    assert decisions.bozo == 0 and len(decisions.entries) == 7  # the census too
    assert (site / "council/statement.html").is_file() and not (site / "council/unvoted.html").exists()


def test_the_delegate_history_is_numbered_in_the_order_delegates_held_the_mandate(site):
    """Newest first, but numbered as they followed one another: the first delegate is 1, at the bottom."""
    history = read(site, "springfield/index.html").split('<ol class="delegates" reversed>', 1)[1].split("</ol>", 1)[0]
    assert [text_of(item).split(":")[0] for item in history.split("<li>")[1:]] == ["Ben", "Ana"]


def test_the_councils_page_shows_its_statements_as_the_chapter_pages_cards(site):
    """The chapter pages' card grid (the same macro), not a list: the statement's picture measured, no
    byline of the council's own name on each card, nothing unvoted."""
    page = read(site, "council/index.html")
    grid = page.split('<ul class="chapter-grid">', 1)[1].split("</ul>", 1)[0]
    assert grid.count('<article class="story h-entry with-image">') == 1 and "A national day of action" in grid
    assert re.findall(r"<img [^>]+>", grid) == [
        '<img class="story-image" src="../council/statement/banner.png" alt="A banner reading Free fares" width="1" height="1" loading="lazy" decoding="async">'
    ]
    assert "UNVOTED" not in page and 'class="article-list"' not in page and "National Council</a> ·" not in grid


def test_without_a_lead_feature_the_newest_article_leads(tmp_path):
    p = PressDir(tmp_path / "press").buildable()
    p.assembly()
    p.article("springfield", "old", "An older story")
    p.article("springfield", "new", "The newest story")
    p.meeting("springfield", day(30), f"present: [ana, ben]\nmotions:\n  - publish: springfield/old\n    digest: {p.digest('springfield', 'old')}\n    yes: [ana, ben]\n")
    p.meeting("springfield", day(3), f"present: [ana, ben]\nmotions:\n  - publish: springfield/new\n    digest: {p.digest('springfield', 'new')}\n    yes: [ana, ben]\n")
    result = CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    text = text_of((p.root / "output/index.html").read_text())
    assert "Newest story The newest story" in text
    assert "Chosen by the council" not in text
    assert not (p.root / "output/featured.atom").exists()  # no council, no featured feeds
    assert text.index("Newest story") < text.index("From the assemblies") < text.index("An older story")


@pytest.mark.parametrize(
    "image, shown",
    [
        ("story/photo.png", True),
        ("photo.png", False),  # not named as a file of the article's bundle
        ("story/../../harbor/photo.png", False),
        ("story/minutes.pdf", False),  # voted, but not a picture
        ("story/missing.png", False),  # not among the files the vote covers
        ("other/photo.png", False),  # another article's bundle
    ],
)
def test_only_a_voted_picture_of_the_articles_own_bundle_is_shown(image, shown):
    from types import SimpleNamespace

    from press.site.council import bundle_image

    bundles = {"springfield/story": {"photo.png": PNG, "minutes.pdf": b"%PDF-1.4"}, "springfield/other": {"photo.png": PNG}}
    decision = SimpleNamespace(article=SimpleNamespace(id="springfield/story", slug="story", assembly="springfield"))
    article = SimpleNamespace(image=image, image_alt="A photo", press=decision)
    found = bundle_image(article, bundles)
    assert (found is not None) == shown
    if shown:
        assert (found.path, found.alt) == ("springfield/story/photo.png", "A photo")
    assert bundle_image(article, {}) is None  # an article whose bundle is not written (not published as it is)


def test_a_lead_without_a_picture_is_set_for_text(site):
    page = read(site, "index.html")
    lead = page.split('<section class="lead-story', 1)[1].split("</section>", 1)[0]
    assert lead.startswith(' text-lead"') and "<img" not in lead  # "Rent strike wins" has no picture
    assert '<div class="summary">' in lead  # a short summary stays one block


def test_a_chapter_page_shows_its_articles_as_cards_and_every_picture_with_its_size(tmp_path):
    """The chapter's list is the front page's cards: a picture named in the text is measured from the
    article's own bundle (the bytes its vote covers); one the press cannot measure (on another site)
    is left off the card, so no picture on the page comes without width and height."""
    p = PressDir(tmp_path / "press").buildable()
    p.assembly()
    p.article("springfield", "chart", "A chart in the text", "![Rents since 2020]({static}chart/rents.png)\n\nCHART-TEXT")
    p.write("content/springfield/chart/rents.png", PNG)
    p.article("springfield", "away", "A picture from elsewhere", "![A photo](https://example.org/photo.jpg)\n\nAWAY-TEXT")
    p.article("springfield", "words", "Words alone", "WORDS-TEXT")
    motions = "".join(f"  - publish: springfield/{slug}\n    digest: {p.digest('springfield', slug)}\n    yes: [ana, ben]\n" for slug in ("chart", "away", "words"))
    p.meeting("springfield", day(3), "present: [ana, ben, cai]\nmotions:\n" + motions)
    result = CliRunner().invoke(main, ["--root", str(p.root), "build"])
    assert result.exit_code == 0, result.output
    chapter = read(p.root / "output", "springfield/index.html")
    grid = chapter.split('<ul class="chapter-grid">', 1)[1].split("</ul>", 1)[0]
    assert grid.count('<article class="story h-entry') == 3
    assert re.findall(r"<img [^>]+>", grid) == [
        '<img class="story-image" src="../springfield/chart/rents.png" alt="Rents since 2020" width="1" height="1" loading="lazy" decoding="async">'
    ]
    assert "example.org" not in grid and "Springfield Assembly</a> ·" not in grid  # its own name is the page's, not each card's


def test_a_picture_from_another_site_is_framed_in_the_article_and_never_on_a_card(tmp_path):
    """Another site's picture cannot be measured: the article shows it whole in a 16:9 frame its width
    and height reserve; no card or lead shows it (the lead is then set for text). Every <img> on every
    page comes with width and height."""
    p = PressDir(tmp_path / "press").buildable()
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/council.yml", council_yml())
    p.article("springfield", "away", "A picture from elsewhere", "![A photo](https://example.org/photo.jpg)\n\nAWAY-TEXT", image="https://example.org/photo.jpg")
    p.article("springfield", "chart", "A chart", "![Rents](chart/rents.png)\n\n![Also from elsewhere](https://example.org/b.png \"t\")\n\n"
              '<p><img src="https://example.org/c.png" alt="Half-sized" width="300" class="wide"></p>\n\nCHART-TEXT')  # fmt: skip
    p.write("content/springfield/chart/rents.png", PNG)
    motions = "".join(f"  - publish: springfield/{slug}\n    digest: {p.digest('springfield', slug)}\n    yes: [ana, ben]\n" for slug in ("away", "chart"))
    p.meeting("springfield", day(9), "present: [ana, ben, cai]\nmotions:\n" + motions + "  - elect-delegate: ana\n    yes: [ben, cai]\n")
    p.meeting("harbor", day(9), "present: [jo, kim, lee]\nmotions:\n  - elect-delegate: jo\n    yes: [jo, kim, lee]\n")
    p.meeting("council", day(3), "present: [springfield, harbor]\nmotions:\n  - feature: springfield/away\n    lead: true\n    yes: [springfield, harbor]\n"
              "  - feature: springfield/chart\n    yes: [springfield, harbor]\n")  # fmt: skip
    result = CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    out = p.root / "output"
    article = read(out, "springfield/away.html")
    assert '<img alt="A photo" src="https://example.org/photo.jpg" class="framed" width="1600" height="900">' in article
    chart = read(out, "springfield/chart.html")
    assert '<img alt="Rents" src="chart/rents.png" width="1" height="1">' in chart  # measured from the bundle
    assert 'src="https://example.org/b.png" title="t" class="framed" width="1600" height="900">' in chart
    # a width alone in the writer's HTML is not doubled, and the writer's class is kept beside the frame's
    (raw,) = re.findall(r'<img [^>]*c\.png[^>]*>', chart)
    assert raw.count(" width=") == 1 and raw.count(" height=") == 1 and raw.count(" class=") == 1 and 'class="wide framed"' in raw, raw
    front = read(out, "index.html")
    lead = front.split('<section class="lead-story', 1)[1].split("</section>", 1)[0]
    assert lead.startswith(' text-lead"') and "<img" not in lead and "A picture from elsewhere" in lead
    for page in ("index.html", "springfield/index.html", "council/index.html", "archives.html"):
        assert "example.org" not in read(out, page), page  # on no card, lead or list
    unmeasured = [f"{f.relative_to(out)}: {tag}" for f in sorted(out.rglob("*.html"))
                  for tag in re.findall(r"<img\b[^>]*>", f.read_text()) if not (" width=" in tag and " height=" in tag)]  # fmt: skip
    assert unmeasured == []


def test_a_picture_replaced_by_a_new_vote_gets_its_new_size_in_a_warm_build(tmp_path):
    """The article page's key covers its pictures' sizes: a warm build after a new revision with a
    larger picture writes the new width and height, as a cold build would."""
    import io

    from PIL import Image

    def png(width: int, height: int) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (width, height), "white").save(out, "PNG")
        return out.getvalue()

    p = PressDir(tmp_path / "press").buildable()
    p.assembly()
    p.article("springfield", "chart", "A chart", "![Rents](chart/rents.png)\n\nCHART-TEXT")
    p.write("content/springfield/chart/rents.png", png(4, 2))
    vote = lambda when: f"present: [ana, ben]\nmotions:\n  - publish: springfield/chart\n    digest: {p.digest('springfield', 'chart')}\n    yes: [ana, ben]\n"  # noqa: E731
    p.meeting("springfield", day(9), vote(9))
    build = lambda: CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])  # noqa: E731
    assert build().exit_code == 0
    assert '<img alt="Rents" src="chart/rents.png" width="4" height="2">' in read(p.root / "output", "springfield/chart.html")
    p.write("content/springfield/chart/rents.png", png(30, 10))
    p.meeting("springfield", day(3), vote(3))
    result = build()
    assert result.exit_code == 0, result.output
    assert '<img alt="Rents" src="chart/rents.png" width="30" height="10">' in read(p.root / "output", "springfield/chart.html")


def test_a_writers_attribute_text_never_becomes_an_attribute_when_pictures_are_measured(tmp_path):
    """Attack (a hostile writer, an approved article): attribute values ending in ' class=', ' width='
    or ' height=' — harmless text to the sanitizer — made the picture rewriting cut the tag at the wrong
    quote: `<img alt="x class=" title=" onerror=alert(1) " …>` came out with a real onerror handler.
    Every attribute of every picture on the page is the writer's own (as the sanitizer left them),
    plus the width, height and frame the press adds."""
    from html.parser import HTMLParser

    hostile = [
        '<img alt="x class=" title=" onerror=alert(1) " src="https://example.org/a.png">',
        '<img alt="x width=" title=" onerror=alert(2) " src="https://example.org/b.png">',
        '<img alt="x height=" title=" onerror=alert(3) x=" src="https://example.org/c.png" width="5">',
        '<img alt="x src=" title=" style=position:fixed " src="chart/rents.png">',
        '<img class="a class=" alt=" onload=alert(4) " src="https://example.org/d.png">',
    ]
    p = PressDir(tmp_path / "press").buildable()
    p.assembly()
    p.article("springfield", "chart", "A chart", "<p>" + "".join(hostile) + "</p>\n\nCHART-TEXT")
    p.write("content/springfield/chart/rents.png", PNG)
    p.meeting("springfield", day(3), f"present: [ana, ben, cai]\nmotions:\n  - publish: springfield/chart\n    digest: {p.digest('springfield', 'chart')}\n    yes: [ana, ben]\n")
    result = CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output

    class Pictures(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[dict] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.found.append(dict(attrs))

    body = read(p.root / "output", "springfield/chart.html").split('<div class="body e-content">', 1)[1].split("</div>", 1)[0]
    pictures = Pictures()
    pictures.feed(body)
    assert [sorted(a) for a in pictures.found] == [
        ["alt", "class", "height", "src", "title", "width"],
        ["alt", "class", "height", "src", "title", "width"],
        ["alt", "class", "height", "src", "title", "width"],
        ["alt", "height", "src", "title", "width"],  # its own picture, measured: no frame
        ["alt", "class", "height", "src", "width"],
    ], body
    assert [a["title"] for a in pictures.found[:4]] == [" onerror=alert(1) ", " onerror=alert(2) ", " onerror=alert(3) x=", " style=position:fixed "]
    assert [a["alt"] for a in pictures.found] == ["x class=", "x width=", "x height=", "x src=", " onload=alert(4) "]
    assert [a.get("class") for a in pictures.found] == ["framed", "framed", "framed", None, "a class= framed"]
    assert [(a["width"], a["height"]) for a in pictures.found] == [("1600", "900")] * 3 + [("1", "1"), ("1600", "900")]

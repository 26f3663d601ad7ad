"""The gated build of the sample press: pages, feeds, ledgers, and nothing unapproved."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from press.cli import main
from conftest import copy_sample


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


# A sentence from each article the sample press must not publish.
UNPUBLISHED = {
    "springfield/city-hall-gossip": "UNPUBLISHED-SENTENCE-SPRINGFIELD-GOSSIP",  # rejected
    "springfield/library-hours": "UNPUBLISHED-SENTENCE-SPRINGFIELD-LIBRARY",  # motion failed: no quorum
    "springfield/water-rates": "require separate meters in every building",  # edited since approval
    "riverside/heat-pump-coop": "UNPUBLISHED-SENTENCE-RIVERSIDE-HEATPUMP",  # retracted
    "riverside/night-bus-petition": "UNPUBLISHED-SENTENCE-RIVERSIDE-NIGHTBUS",  # awaiting a vote
    "harbor/shift-safety": "UNPUBLISHED-SENTENCE-HARBOR-SHIFTS",  # motion failed: threshold
}
PUBLISHED = {
    "springfield": ["tenant-hotline", "bus-fares", "rent-strike-wins"],  # newest first by first approval: 11-16 (online ballot), 09-01, 07-07 (updated 10-06)
    "riverside": ["canal-row-walkabout", "eviction-watch"],  # 11-09, 08-10
    "harbor": ["radio-hour", "ferry-cuts", "dockers-pension"],  # radio-hour: the later motion on 11-05
}


def build(root: Path, *extra: str):
    return CliRunner().invoke(main, ["--root", str(root), "build", *extra])


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def text_of(html: str) -> str:
    """Visible text, whitespace folded: what a reader sees."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return unescape(re.sub(r" ([.,:)])", r"\1", text).replace("( ", "(")).strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("built") / "sample")
    result = build(root)
    assert result.exit_code == 0, result.output
    return root / "output"


def test_build_prints_a_summary_per_assembly(sample):
    result = build(sample)
    assert result.exit_code == 0, result.output
    assert "springfield: 3 published, 3 held back, 0 retracted" in result.output
    assert "riverside: 2 published, 1 held back, 1 retracted" in result.output


def test_every_page_kind_is_built(built):
    expected = [
        "index.html",
        "assemblies.html",
        "archives.html",
        "about.html",
        "ledger.json",
        "feed.atom",
        "feed.rss",
        "author/ana-ruiz.html",
        "tag/housing.html",
        "riverside/heat-pump-coop.html",  # retraction notice
    ]
    for aid, slugs in PUBLISHED.items():
        expected += [f"{aid}/{s}.html" for s in slugs]
        expected += [f"{aid}/{name}" for name in ("index.html", "ledger.html", "ledger.json", "feed.atom", "feed.rss", "decisions.atom")]
    missing = [name for name in expected if not (built / name).is_file()]
    assert missing == []


def test_nothing_unpublished_reaches_any_output_file(built):
    files = tree(built)
    assert not any(name.startswith("drafts/") for name in files)
    for aid, sentence in UNPUBLISHED.items():
        leaks = [name for name, data in files.items() if sentence.encode() in data]
        assert leaks == [], f"{aid} leaked into {leaks}"
    for aid in UNPUBLISHED:
        if aid != "riverside/heat-pump-coop":  # a retraction keeps its URL, as a notice
            assert not (built / f"{aid}.html").exists()


def test_article_shows_its_provenance(built):
    page = text_of((built / "springfield/rent-strike-wins.html").read_text())
    assert (
        "Approved by Springfield Community Assembly on 7 July 2026 — 5 yes · 0 no · 1 abstain (quorum 5)" in page
    )
    assert (
        "Updated 6 October 2026: Corrects the date of the march to the management office (14 June, not 14 May). — "
        "7 yes · 0 no · 0 abstain (quorum 5)" in page
    )
    html = (built / "springfield/rent-strike-wins.html").read_text()
    assert 'href="../springfield/ledger.html#2026-07-07-1"' in html


def test_retraction_notice_keeps_the_url_but_not_the_body(built):
    page = text_of((built / "riverside/heat-pump-coop.html").read_text())
    assert "Retracted: A heat-pump co-operative for Riverside terraces" in page
    assert "retracted this article on 12 October 2026" in page
    assert "The subsidy figures were wrong" in page
    assert "6 yes · 1 no · 0 abstain (quorum 3)" in page
    assert "shared installation van" not in page
    assert "heat-pump" not in (built / "riverside/feed.atom").read_text()
    assert "heat-pump" not in text_of((built / "index.html").read_text()).lower()


def test_chapter_page(built):
    page = text_of((built / "springfield/index.html").read_text())
    assert "Springfield Community Assembly" in page and "Springfield, Missouri" in page
    assert "First Tuesday of the month, 19:00, Union Hall, 12 Main St" in page
    assert "Delegate Dev Patel, elected 6 October 2026" in page
    assert "Carla Mendes: elected 7 July 2026, recalled 6 October 2026" in page
    assert "Members in good standing 7" in page  # hana left in August
    assert "Next meeting 1 December 2026" in page
    html = (built / "springfield/index.html").read_text()
    for link in ("feed.atom", "feed.rss", "decisions.atom", "ledger.html", "ledger.json"):
        assert f'href="../springfield/{link}"' in html
    grid = html[html.index('<ul class="chapter-grid">') :]
    grid = grid[: grid.index("</ul>")]
    titles = [title for _, title in re.findall(r'<h(\d)><a class="u-url p-name" [^>]+>([^<]+)</a></h\1>', grid)]
    assert titles == ["A tenants&#39; hotline, answered by tenants", "Why free buses pay for themselves", "The rent strike on Maple Street wins"]


def test_assemblies_index_lists_every_chapter(built):
    page = text_of((built / "assemblies.html").read_text())
    for name in ("Springfield Community Assembly", "Riverside Tenants' Assembly", "Harbour Workers' Assembly"):
        assert name in page


def test_ledger_names_roll_call_voters_and_only_counts_secret_ballots(built):
    springfield = json.loads((built / "springfield/ledger.json").read_text())
    motion = springfield["meetings"][0]["motions"][0]
    assert motion["votes"] == {"yes": ["ana", "ben", "carla", "eli", "hana"], "no": [], "abstain": ["dev"]}
    assert motion["outcome"] == "passed" and motion["url"] == "springfield/rent-strike-wins.html"
    failed = springfield["meetings"][4]["motions"][0]
    assert (failed["outcome"], failed["reasons"]) == ("failed", ["no quorum: 4 ballots cast, 5 needed"])
    assert failed["title"] is None  # an unpublished article is named by id only
    riverside = json.loads((built / "riverside/ledger.json").read_text())
    for meeting in riverside["meetings"]:
        assert "members" not in meeting["present"]
        assert all("votes" not in m for m in meeting["motions"])
    ledger_text = (built / "riverside/ledger.html").read_text() + (built / "riverside/ledger.json").read_text()
    for member in ("priya", "grace", "owen", "leila"):
        assert member not in ledger_text.split("Delegates")[0].lower().replace("priya shah", "")
    combined = json.loads((built / "ledger.json").read_text())
    assert [a["assembly"] for a in combined["assemblies"]] == ["harbor", "riverside", "springfield"]


def test_the_whole_press_ledger_is_every_chapters_ledger_in_one_document(built):
    """ledger.json holds each chapter's ledger.json, byte for byte as one JSON document written as the
    chapters' are (two spaces an indent, characters as they are), the council's apart."""
    chapters = {aid: json.loads((built / aid / "ledger.json").read_text(encoding="utf-8")) for aid in ("harbor", "riverside", "springfield", "council")}
    whole = (built / "ledger.json").read_bytes()
    document = {"assemblies": [chapters["harbor"], chapters["riverside"], chapters["springfield"]], "council": chapters["council"]}
    assert whole == (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert "“" in whole.decode("utf-8") or "—" in whole.decode("utf-8")  # characters beyond ASCII, as they are


def test_ledger_page_shows_failed_motions_with_reason(built):
    page = text_of((built / "harbor/ledger.html").read_text())
    assert "Failed: motion to publish the article harbor/shift-safety" in page
    assert "threshold not met: 2 yes against 2 no, 3/5 of yes + no needed" in page


@pytest.mark.parametrize("aid", [None, "springfield", "riverside", "harbor"])
def test_feeds_parse_and_hold_exactly_the_published_articles_newest_first(built, aid):
    prefix = f"{aid}/" if aid else ""
    expected = (
        [f"{aid}/{s}" for s in PUBLISHED[aid]]
        if aid
        else ["springfield/tenant-hotline", "riverside/canal-row-walkabout", "harbor/radio-hour", "harbor/ferry-cuts", "council/transit-day-of-action", "harbor/dockers-pension", "springfield/bus-fares", "riverside/eviction-watch", "springfield/rent-strike-wins"]
    )
    for kind in ("atom", "rss"):
        feed = feedparser.parse((built / f"{prefix}feed.{kind}").read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        ids = [e.id.removeprefix("http://localhost:8000/").removesuffix(".html") for e in feed.entries]
        assert ids == expected, kind
        for entry in feed.entries:
            assert entry.link.startswith("http://localhost:8000/")
            assert entry.published_parsed is not None


def test_feed_dates_are_approval_dates_and_feeds_are_reproducible(built, sample):
    feed = feedparser.parse((built / "springfield/feed.atom").read_bytes())
    rent = next(e for e in feed.entries if "rent-strike" in e.id)
    # The meeting's time ("19:00" in the roster's meets line) plus the motion's place in the record.
    assert rent.published.startswith("2026-07-07T19:00:00-05:00")
    assert rent.updated.startswith("2026-10-06T19:00:00-05:00")
    assert feed.feed.updated.startswith("2026-11-16")  # the newest entry (approved by online ballot), not the build time
    assert "forty-two households" in rent.content[0].value  # full content by default
    assert build(sample).exit_code == 0
    for name in ("feed.atom", "feed.rss", "springfield/feed.atom", "springfield/decisions.atom", "ledger.json"):
        assert (sample / "output" / name).read_bytes() == (built / name).read_bytes(), name


def test_decisions_feed_has_every_motion(built):
    feed = feedparser.parse((built / "springfield/decisions.atom").read_bytes())
    assert feed.bozo == 0
    titles = [e.title for e in feed.entries]
    assert titles[0] == "Online ballot: Publish the tenants' hotline article as approved by the assembly? — Passed"
    assert titles[1] == "Motion to publish the article springfield/library-hours failed"
    assert "Recalled Carla Mendes as delegate" in titles
    assert "Elected Dev Patel delegate" in titles
    assert len(titles) == 10


def test_publish_build_links_pages_relatively_and_names_itself_absolutely(sample, monkeypatch):
    """Links between pages stay relative (the site works under any subpath); the canonical address,
    sharing tags and feeds carry PRESS_SITEURL."""
    monkeypatch.setenv("PRESS_SITEURL", "https://press.example.net")
    out = sample / "public"
    result = build(sample, "--publish", "--output", str(out))
    assert result.exit_code == 0, result.output
    page = (out / "springfield/rent-strike-wins.html").read_text()
    assert 'href="../springfield/ledger.html#2026-07-07-1"' in page
    assert '<link rel="canonical" href="https://press.example.net/springfield/rent-strike-wins.html">' in page
    assert '<meta property="og:image" content="https://press.example.net/springfield/rent-strike-wins.share.png">' in page
    assert "<id>https://press.example.net/springfield/bus-fares.html</id>" in (out / "springfield/feed.atom").read_text()


# --------------------------------------------------------------------------- rebuilds


def test_a_recall_and_a_retraction_take_effect_with_the_cache_warm(sample):
    assert build(sample).exit_code == 0
    from press.cache import cache_dir

    assert cache_dir(sample, "pelican").is_dir()
    (sample / "editorial/meetings/springfield/2026-11-17.yml").write_text(
        "present: [ana, ben, carla, eli, fatima, gus]\n"
        "motions:\n"
        "  - retract: springfield/bus-fares\n"
        "    reason: The fare figures were last year's.\n"
        "    yes: [ana, ben, carla, eli, fatima]\n"
        "  - recall-delegate: dev\n"
        "    yes: [ana, ben, carla, eli, fatima, gus]\n"
    )
    result = build(sample)
    assert result.exit_code == 0, result.output
    out = sample / "output"
    assert "The fare figures were last year's." in text_of((out / "springfield/bus-fares.html").read_text())
    assert "ticket machines" not in (out / "springfield/bus-fares.html").read_text()
    assert "bus-fares" not in (out / "springfield/feed.atom").read_text()
    assert "bus-fares" not in (out / "feed.rss").read_text()
    chapter = text_of((out / "springfield/index.html").read_text())
    assert "Delegate none elected" in chapter
    # bus-fares was on the front page by the council's vote: the retraction takes it off
    assert "Why free buses pay" not in (out / "index.html").read_text()
    assert "bus-fares" not in (out / "featured.atom").read_text()


def test_a_new_approval_publishes_with_the_cache_warm(sample):
    assert build(sample).exit_code == 0
    result = CliRunner().invoke(main, ["--root", str(sample), "digest", "riverside/night-bus-petition"])
    (sample / "editorial/meetings/riverside/2026-11-16.yml").write_text(
        f"present: 6\nmotions:\n  - publish: riverside/night-bus-petition\n    digest: {result.output.strip()}\n    yes: 6\n"
    )
    assert build(sample).exit_code == 0
    page = text_of((sample / "output/riverside/night-bus-petition.html").read_text())
    assert "UNPUBLISHED-SENTENCE-RIVERSIDE-NIGHTBUS" in page
    assert "Approved by Riverside Tenants' Assembly on 16 November 2026 — 6 yes · 0 no · 0 abstain (quorum 3)" in page


def test_a_failed_build_leaves_the_previous_output_untouched(sample):
    assert build(sample).exit_code == 0
    before = tree(sample / "output")
    (sample / "editorial/meetings/springfield/2026-11-10.yml").write_text("present: [ana, zed]\n")
    result = build(sample)
    assert result.exit_code == 1
    assert "editorial/meetings/springfield/2026-11-10.yml:1: 'zed' is listed as present but is not a member of springfield" in result.output
    assert "the previous output was left as it was" in result.output
    assert tree(sample / "output") == before
    (sample / "editorial/meetings/springfield/2026-11-10.yml").unlink()
    (sample / "theme/templates/ledger.html").write_text("{% if %}broken")
    result = build(sample)
    assert result.exit_code == 1
    assert "theme/templates/ledger.html:1: TemplateSyntaxError: Expected an expression" in result.output
    assert "Traceback" not in result.output
    assert tree(sample / "output") == before
    assert not [p for p in sample.iterdir() if ".building-" in p.name]


def test_build_refuses_to_write_over_the_press(sample):
    for target in (sample, sample / "content", sample.parent):
        result = build(sample, "--output", str(target))
        assert result.exit_code == 2
        assert "refusing to build into" in result.output
    assert (sample / "content/springfield/bus-fares.md").is_file()


# --------------------------------------------------------------------------- the gate against writers' metadata


def test_writer_metadata_cannot_publish_or_move_anything(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write(
        "content/springfield/sneaky.md",
        "Title: Sneaky\nStatus: published\nDate: 2020-01-01\nSave_as: index.html\nUrl: index.html\nSlug: rent\n"
        "Template: page\n\nSNEAKY-BODY\n",
    )
    pressdir.write(
        "content/springfield/rent.md",
        "Title: Rent\nDate: 2030-01-01\nStatus: draft\nCategory: elsewhere\nSlug: moved\n\nRENT-BODY\n",
    )
    pressdir.publish("springfield", "rent", "2026-10-06")
    result = build(pressdir.root)
    assert result.exit_code == 0, result.output
    files = tree(pressdir.root / "output")
    assert not any(b"SNEAKY-BODY" in data for data in files.values())
    assert b"RENT-BODY" in files["springfield/rent.html"]
    assert "Sneaky" not in text_of(files["index.html"].decode())
    assert '<time datetime="2026-10-06">' in files["springfield/rent.html"].decode()
    assert not any(name.startswith(("elsewhere", "drafts", "moved")) for name in files)


@pytest.mark.parametrize("fields", ["Date: not a date\nModified: 31/31/2031\n", "Date: 2026-02-30\nStatus: 3\n"], ids=["garbage", "no such day"])
def test_a_writers_date_is_no_date_of_the_press_even_a_bad_one(pressdir, fields):
    """Dates come from the votes: a writer's Date: or Modified: is never read, so a bad one neither
    fails the build nor dates the article."""
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write("content/springfield/rent.md", f"Title: Rent\n{fields}\nRENT-BODY\n")
    pressdir.publish("springfield", "rent", "2026-10-06")
    result = build(pressdir.root)
    assert result.exit_code == 0, result.output
    page = (pressdir.root / "output/springfield/rent.html").read_text()
    assert "RENT-BODY" in page and '<time datetime="2026-10-06">' in page


def test_pagination_pages_cannot_collide_with_other_names(pressdir):
    pressdir.buildable()
    with (pressdir.root / "pelicanconf.py").open("a") as conf:
        conf.write("\nDEFAULT_PAGINATION = 5\n")  # 11 and 12 articles: a first page and page/2 (press/site/pagination.py)
    pressdir.assembly()
    motions = []
    for n in range(11):
        pressdir.article("springfield", f"w1-{n}", title=f"One {n}", author="Writer 1")
        motions.append(f"  - publish: springfield/w1-{n}\n    digest: {pressdir.digest('springfield', f'w1-{n}')}\n    yes: [ana, ben]\n")
    pressdir.article("springfield", "w12", title="Twelve", author="Writer 12")
    motions.append(f"  - publish: springfield/w12\n    digest: {pressdir.digest('springfield', 'w12')}\n    yes: [ana, ben]\n")
    pressdir.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n" + "".join(motions))
    assert build(pressdir.root).exit_code == 0
    out = pressdir.root / "output"
    assert "Twelve" in (out / "author/writer-12.html").read_text()
    assert "One" not in text_of((out / "author/writer-12.html").read_text())
    assert (out / "author/writer-1/page/2/index.html").is_file()
    assert (out / "springfield/page/2/index.html").is_file()
    assert (out / "page/2/index.html").is_file()


def test_feeds_can_carry_summaries_only(sample):
    conf = sample / "pelicanconf.py"
    conf.write_text(conf.read_text().replace('PRESS_FEED_CONTENT = "full"', 'PRESS_FEED_CONTENT = "summary"'))
    assert build(sample).exit_code == 0
    feed = feedparser.parse((sample / "output/springfield/feed.atom").read_bytes())
    bus = next(e for e in feed.entries if "bus-fares" in e.id)
    assert "content" not in bus
    assert "We did the arithmetic." in bus.summary


def test_the_mandate_record_names_a_recall_as_a_recall(built):
    """Springfield recalled Carla Mendes on 6 October 2026 and elected Dev Patel: the council motion
    after it says so, in words, in its own card on a phone (every cell labelled)."""
    html = (built / "springfield/index.html").read_text()
    mandate = html.split('id="mandate-title"', 1)[1].split("</section>", 1)[0]
    assert "after the recall of Carla Mendes on 2026-10-06" in text_of(mandate)
    assert "took the seat from" not in mandate
    cells = re.findall(r"<td( data-label=\"[^\"]+\")?", mandate)
    assert cells and all(label for label in cells)


def test_a_statement_in_the_councils_name_is_not_bylined_with_it_again(built):
    page = text_of((built / "council/transit-day-of-action.html").read_text())
    header = page.split("A national day of action for free public transport", 1)[1].split("Approved by", 1)[0]
    assert "By National Council of Delegates" not in header and "20 September 2026" in header
    writer = text_of((built / "springfield/rent-strike-wins.html").read_text())
    assert "By Ana Ruiz" in writer  # a writer's byline stays
    front = text_of((built / "index.html").read_text())
    assert "National Council of Delegates · 20 September 2026 · National Council of Delegates" not in front
    assert "National Council of Delegates · 20 September 2026" in front


@pytest.mark.usefixtures("settled")  # see conftest.py
def test_verify_after_a_build_answers_from_what_the_build_learnt(sample, monkeypatch):
    """The build read every record and git history (the sample publishes an approved revision from
    git): the next `press verify` answers from the build's memory, without reading the press again,
    however the press's folder is written (the build resolves it; a user types `.`) — and a change
    since is seen at once."""
    assert build(sample, "--no-search").exit_code == 0
    import press.model

    def not_again(*args, **kwargs):
        raise AssertionError("press verify read the whole press again after a build")

    monkeypatch.chdir(sample)
    with monkeypatch.context() as m:
        m.setattr(press.model, "load", not_again)
        answered = CliRunner().invoke(main, ["--root", ".", "verify"])
    assert answered.exit_code == 0 and answered.output.startswith("ok:"), answered.output
    (sample / "editorial/assemblies/harbor.yml").write_text("name: [broken\n")
    changed = CliRunner().invoke(main, ["--root", ".", "verify"])
    assert changed.exit_code == 1 and "editorial/assemblies/harbor.yml:2: invalid YAML" in changed.output, changed.output

"""Sections across assemblies (``sections:`` of editorial/press.yml): what a section's front and feeds
hold (only published articles carrying its tags), where it sits in the navigation and on the front
page, and the refusals a careless press.yml meets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from conftest import PressDir, copy_sample
from press.cli import main
from test_build import text_of
from test_council import HARBOR


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


TODAY = dt.date(2026, 11, 21)  # the tests' instant (conftest.NOW)

SECTIONS = """
maintainers: [web-team]
sections:
  - id: youth
    name: Youth & Students
    tags: [Youth, students]
    description: Apprentices, students and young workers.
  - id: labor
    name: Labor
    tags: [strike]
"""


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    p = PressDir(tmp_path_factory.mktemp("sections") / "press").buildable()
    p.assembly()
    p.assembly("harbor", HARBOR.lstrip())
    p.write("editorial/press.yml", SECTIONS)
    p.article("springfield", "fees", "Tuition fees frozen", "FEES-TEXT", tags="students, budget")
    p.article("springfield", "march", "Students march on city hall", "MARCH-TEXT", tags="  STUDENTS ")  # case and spaces
    p.article("springfield", "bins", "Bins collected again", "BINS-TEXT", tags="housing")  # not the section's tag
    p.article("springfield", "draft", "UNVOTED-YOUTH-TITLE", "UNVOTED-YOUTH-TEXT", tags="youth")  # never voted
    long_text = "APPRENTICES-TEXT " + "The apprentices on the early shift won a pay rise after a month of meetings. " * 6
    p.article("harbor", "apprentices", "Apprentices win a pay rise", long_text, tags="youth, port")  # the lead: newest, no picture
    p.article("harbor", "rejected", "REJECTED-YOUTH-TITLE", "REJECTED-YOUTH-TEXT", tags="youth")
    p.article("harbor", "voted", "EDITED-AFTER-VOTE-TITLE", "EDITED-AFTER-VOTE-TEXT", tags="youth")

    def publish(aid: str, slug: str, yes: str, digest: str | None = None) -> str:
        return f"  - publish: {aid}/{slug}\n    digest: {digest or p.digest(aid, slug)}\n    yes: {yes}\n"

    p.meeting("springfield", day(30), "present: [ana, ben, cai]\nmotions:\n" + "".join(publish("springfield", s, "[ana, ben, cai]") for s in ("fees", "march", "bins")))
    p.meeting(
        "harbor",
        day(10),
        "present: [jo, kim, lee]\nmotions:\n"
        + publish("harbor", "apprentices", "[jo, kim, lee]")
        + f"  - reject: harbor/rejected\n    yes: [jo, kim, lee]\n"
        + publish("harbor", "voted", "[jo, kim, lee]", digest="sha256:" + "0" * 64),  # the vote covers other bytes
    )
    result = CliRunner().invoke(main, ["--root", str(p.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    return p.root / "output"


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


PUBLISHED_IN_YOUTH = {"Tuition fees frozen", "Students march on city hall", "Apprentices win a pay rise"}
NEVER = ("UNVOTED-YOUTH", "REJECTED-YOUTH", "EDITED-AFTER-VOTE", "Bins collected again")


def test_a_section_front_holds_only_published_articles_with_its_tags(site):
    text = text_of(read(site, "youth/index.html"))
    assert "Youth & Students" in text and "Apprentices, students and young workers." in text
    for title in PUBLISHED_IN_YOUTH:
        assert text.count(title) == 1, title
    for unpublished in NEVER:
        assert unpublished not in text
    assert "3 articles from Harbour Assembly, Springfield Assembly" in text


@pytest.mark.parametrize("name", ["feed.atom", "feed.rss", "feed.json"])
def test_a_sections_feeds_hold_only_published_articles_with_its_tags(site, name):
    data = (site / "youth" / name).read_bytes()
    if name.endswith(".json"):
        feed = json.loads(data)
        titles = {item["title"] for item in feed["items"]}
        assert feed["title"] == "Youth & Students — Springfield Assembly" or "Youth & Students" in feed["title"]
    else:
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        titles = {e.title for e in parsed.entries}
        assert "Youth & Students" in parsed.feed.title
    assert titles == PUBLISHED_IN_YOUTH
    for unpublished in NEVER:
        assert unpublished.encode() not in data


def test_a_section_with_nothing_published_has_a_front_and_empty_feeds(site):
    assert "Nothing published in this section yet." in text_of(read(site, "labor/index.html"))
    assert feedparser.parse((site / "labor/feed.atom").read_bytes()).entries == []
    assert json.loads((site / "labor/feed.json").read_bytes())["items"] == []


@pytest.mark.parametrize("page", ["index.html", "springfield/fees.html", "springfield/index.html", "youth/index.html", "archives.html"])
def test_every_page_links_to_each_section_in_the_navigation(site, page):
    html = read(site, page)
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    prefix = "." if "/" not in page else ".."
    assert f'<a href="{prefix}/youth/index.html"' in nav and "Youth &amp; Students</a>" in nav
    assert f'<a href="{prefix}/labor/index.html"' in nav
    assert ('aria-current="page">Youth' in nav) == (page == "youth/index.html")
    assert "Ballots</a>" not in nav and not (site / "ballots").exists()  # no online ballots offered: no entry


def test_an_article_names_its_sections_beside_its_assembly(site):
    kicker = read(site, "springfield/fees.html").split('<p class="kicker">', 1)[1].split("</p>", 1)[0]
    assert '<a href="../youth/index.html">Youth &amp; Students</a>' in kicker
    assert 'data-pagefind-meta="sections:youth"' in kicker  # what search.html?section=youth reads
    assert "youth/index.html" not in read(site, "springfield/bins.html").split('<p class="kicker">', 1)[1].split("</p>", 1)[0]


def test_sections_are_in_the_sitemap_and_on_the_positive_list_of_outputs(site):
    sitemap = read(site, "sitemap.xml")
    assert "/youth/</loc>" in sitemap and "/labor/</loc>" in sitemap
    # the build checked every file against the positive list; a section writes nothing else
    assert sorted(p.name for p in (site / "youth").iterdir()) == ["feed.atom", "feed.json", "feed.rss", "index.html"]


def test_the_front_page_shows_each_sections_latest_once(site):
    html = read(site, "index.html")
    main = text_of(html.split('<main id="main">', 1)[1].split("</main>", 1)[0])
    youth = main.index("Youth & Students")
    assert main.index("Tuition fees frozen") > youth > main.index("Newest story")  # the lead (newest) is above it
    assert youth < main.index("From the assemblies")
    assert "Latest" not in main[youth:] or main.index("From the assemblies") < main.index("Latest")  # none left to list, or after
    for title in PUBLISHED_IN_YOUTH | {"Bins collected again"}:
        assert main.count(title) == 1, title  # each story once, wherever it is shown
    for unpublished in ("UNVOTED-YOUTH", "REJECTED-YOUTH", "EDITED-AFTER-VOTE"):
        assert unpublished not in main
    assert "Labor" not in main  # a section with nothing published takes no room on the front page
    assert 'href="./youth/index.html">Youth &amp; Students</a></h2>' in html


def test_a_lead_without_a_picture_and_a_long_summary_sets_it_in_columns(site):
    lead = read(site, "index.html").split('<section class="lead-story', 1)[1].split("</section>", 1)[0]
    assert lead.startswith(' text-lead"') and "<img" not in lead
    assert '<div class="summary in-columns">' in lead and "Apprentices win a pay rise" in lead


# --------------------------------------------------------------------------- press.yml refusals


def problems_of(pressdir: PressDir, press_yml: str) -> list[str]:
    pressdir.write("editorial/press.yml", press_yml)
    return [p for p in pressdir.problems() if p.startswith("editorial/press.yml")]


def test_a_section_id_equal_to_an_assembly_id_is_a_problem(pressdir):
    pressdir.assembly()
    problems = problems_of(pressdir, "maintainers: [web-team]\nsections:\n  - id: springfield\n    name: Springfield news\n    tags: [city]\n")
    assert problems == [
        "editorial/press.yml:3: section id 'springfield' is also the assembly springfield — both would be published at springfield/: give the section another id"
    ]


def test_a_section_id_equal_to_the_councils_or_the_sites_own_is_a_problem(pressdir):
    from test_council import council_yml

    pressdir.assembly()
    pressdir.write("editorial/council.yml", council_yml())
    problems = problems_of(
        pressdir,
        "maintainers: [web-team]\nsections:\n  - {id: council, name: C, tags: [a]}\n  - {id: tag, name: T, tags: [b]}\n  - {id: pagefind, name: P, tags: [c]}\n",
    )
    assert "editorial/press.yml:3: section id 'council' is also the council — both would be published at council/: give the section another id" in problems
    assert "editorial/press.yml:4: section id 'tag' is a name the site itself uses — choose another id" in problems
    assert "editorial/press.yml:5: section id 'pagefind' is a name the site itself uses — choose another id" in problems


@pytest.mark.parametrize(
    "sections, expected",
    [
        ("sections: youth\n", "editorial/press.yml:2: 'sections' must be a list of sections, e.g. sections: [{id: youth, name: Youth & Students, tags: [youth, students]}]"),
        ("sections:\n", "editorial/press.yml:2: 'sections' is empty — list the sections or remove the key"),
        ("sections:\n  - youth\n", "editorial/press.yml:3: a section must be a mapping with id, name and tags"),
        ("sections:\n  - {id: Youth!, name: Y, tags: [y]}\n", "editorial/press.yml:3: section id 'Youth!' is not a valid id (lowercase letters, digits and '-', 1-40 characters)"),
        ("sections:\n  - {id: youth, name: Y}\n", "editorial/press.yml:3: missing required key 'tags' in a section"),
        ("sections:\n  - {id: youth, name: Y, tags: []}\n", "editorial/press.yml:3: 'tags' must be a non-empty list of the tags whose articles the section gathers"),
        ("sections:\n  - {id: youth, name: Y, tags: youth}\n", "editorial/press.yml:3: 'tags' must be a non-empty list"),
        ("sections:\n  - {id: youth, name: Y, tags: [youth, Youth]}\n", "editorial/press.yml:3: tag 'Youth' is listed twice in this section"),
        ("sections:\n  - {id: youth, name: '', tags: [y]}\n", "editorial/press.yml:3: 'name' must not be empty"),
        ("sections:\n  - {id: youth, name: Y, tags: [y], colour: red}\n", "editorial/press.yml:3: unknown key 'colour' in a section — allowed keys: id, name, tags, description"),
        (
            "sections:\n  - {id: youth, name: Y, tags: [y]}\n  - {id: youth, name: Z, tags: [z]}\n",
            "editorial/press.yml:4: section id 'youth' is used twice (first on line 3) — give each section its own id",
        ),
    ],
)
def test_a_careless_sections_list_gets_a_problem_with_its_line(pressdir, sections, expected):
    pressdir.assembly()
    problems = problems_of(pressdir, "maintainers: [web-team]\n" + sections)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_section_problem_stops_verify_and_the_build(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write("editorial/press.yml", "maintainers: [web-team]\nsections:\n  - {id: springfield, name: S, tags: [s]}\n")
    verify = CliRunner().invoke(main, ["--root", str(pressdir.root), "verify"])
    assert verify.exit_code == 1
    assert "editorial/press.yml:3: section id 'springfield' is also the assembly springfield" in verify.output
    build = CliRunner().invoke(main, ["--root", str(pressdir.root), "build", "--no-search"])
    assert build.exit_code != 0 and "editorial/press.yml:3" in build.output
    assert not (pressdir.root / "output" / "index.html").exists()


def test_an_assembly_created_later_with_a_sections_id_is_caught(pressdir):
    pressdir.assembly()
    pressdir.write("editorial/press.yml", "maintainers: [web-team]\nsections:\n  - {id: harbor, name: Harbour news, tags: [port]}\n")
    assert pressdir.problems() == []
    pressdir.assembly("harbor", HARBOR.lstrip())
    assert "editorial/press.yml:3: section id 'harbor' is also the assembly harbor — both would be published at harbor/: give the section another id" in pressdir.problems()


# --------------------------------------------------------------------------- the sample press


def test_the_sample_press_has_a_youth_and_students_section_of_voted_articles(tmp_path):
    root = copy_sample(tmp_path / "sample")
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    page = text_of((root / "output/youth/index.html").read_text(encoding="utf-8"))
    for title in ("No to the ferry cuts", "Why free buses pay for themselves", "Harbour Radio Hour: the night shift speaks"):
        assert title in page
    assert "Bring back the N3 night bus" not in page  # tagged "students", but still awaiting a vote
    front = (root / "output/index.html").read_text(encoding="utf-8")
    lead = front.split('class="lead-story', 1)[1].split("</section>", 1)[0]
    assert 'src="./harbor/ferry-cuts/early-ferry.png"' in lead and 'fetchpriority="high"' in lead and 'loading="lazy"' not in lead
    assert 'width="1200" height="675"' in lead and "text-lead" not in front.split("</section>", 1)[0]


def test_each_topic_of_a_section_links_to_its_page_where_one_exists(site):
    """A section's topics are its tags: each links to the tag's page (every published article with it);
    a topic nothing published carries has no page, and no link to a missing file."""
    youth = read(site, "youth/index.html").split('class="at-a-glance"', 1)[1].split("</p>", 1)[0]
    assert 'Topics: <a href="../tag/youth.html">youth</a>' in youth and '<a href="../tag/students.html">students</a>' in youth
    assert (site / "tag/youth.html").is_file() and (site / "tag/students.html").is_file()
    labor = read(site, "labor/index.html").split('class="at-a-glance"', 1)[1].split("</p>", 1)[0]
    assert "strike" in labor and "tag/strike.html" not in labor and not (site / "tag/strike.html").exists()

"""The printed agenda: the roll, every article awaiting a vote (and nothing else) with its exact text
and short digest, the delegate, a tally box per motion — and a vote bound to the paper."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from press.cli import main


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


MEETING = "2026-12-01"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def club(pressdir):
    """springfield: one published article, one rejected, one awaiting, one edited since approval;
    riverside has an article of its own. A meeting is recorded for 1 December."""
    pressdir.buildable()
    pressdir.assembly()
    pressdir.assembly("riverside", text="name: Riverside\nmembers:\n  - {id: rio, name: Rio, joined: 2025-01-01}\n")
    pressdir.article("springfield", "published-one", title="Already out", body="PUBLISHED-BODY")
    pressdir.article("springfield", "rejected-one", title="Turned down", body="REJECTED-BODY")
    pressdir.article("springfield", "waiting", title="Bike lanes <now>", body="Line one & more.\n\n    indented code\n")
    pressdir.article("springfield", "edited", title="Water rates", body="Old text.")
    pressdir.article("riverside", "theirs", title="Riverside piece", body="RIVERSIDE-BODY")
    pressdir.meeting("springfield", "2026-10-06", f"""
        present: [ana, ben, cai]
        motions:
          - publish: springfield/published-one
            digest: {pressdir.digest("springfield", "published-one")}
            yes: [ana, ben]
          - reject: springfield/rejected-one
            yes: [ana, ben]
          - publish: springfield/edited
            digest: {pressdir.digest("springfield", "edited")}
            yes: [ana, ben]
          - elect-delegate: ben
            yes: [ana, ben, cai]
        """)  # fmt: skip
    pressdir.article("springfield", "edited", title="Water rates", body="New text, edited after the vote.")
    pressdir.meeting("springfield", MEETING, "present: [ana]\n")
    return pressdir


def agenda(club, *args: str) -> str:
    out = club.root / "agenda.html"
    result = cli(club.root, "agenda", "springfield", "--output", str(out), *args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_the_agenda_lists_every_pending_article_with_its_exact_text_and_nothing_else(club):
    page = agenda(club)
    assert "Meeting of <strong><time datetime=\"2026-12-01\">Tuesday 1 December 2026</time></strong>" in page
    for slug in ("waiting", "edited"):
        text = (club.root / "content" / "springfield" / f"{slug}.md").read_text(encoding="utf-8")
        assert f'<pre class="text">{html.escape(text, quote=False)}</pre>' in page.replace("&#34;", '"').replace("&#39;", "'")
    assert "Bike lanes &lt;now&gt;" in page and "<now>" not in page
    assert "edited since it was approved" in page
    for needle in ("PUBLISHED-BODY", "Already out", "REJECTED-BODY", "Turned down", "RIVERSIDE-BODY", "Riverside piece"):
        assert needle not in page
    assert page.count('<section class="item"') == 3  # two articles, then the delegate


def test_the_agenda_digests_are_those_of_press_digest(club):
    page = agenda(club)
    for slug in ("waiting", "edited"):
        full = cli(club.root, "digest", f"springfield/{slug}").output.strip()
        assert full.startswith("sha256:") and f'<span class="full">{full}</span>' in page
        short = full.removeprefix("sha256:")[:16]
        grouped = " ".join(short[i : i + 4] for i in range(0, 16, 4))
        assert page.count(f'<span class="digest">{grouped}</span>') == 2  # order of business and the item
        assert f"--agenda {short}" in page


def test_the_roll_is_the_members_in_good_standing_on_the_meeting_date(club):
    page = agenda(club)
    roll = re.findall(r'<li><span class="box" aria-hidden="true"></span> (\w+) <span class="small">\((\w+)\)</span></li>', page)
    assert roll == [("Ana", "ana"), ("Ben", "ben"), ("Cai", "cai"), ("Dev", "dev")]  # dev joined 1 December, eve left
    earlier = agenda(club, "--date", "2026-11-30")
    assert "(dev)" not in earlier and "(ana)" in earlier


def test_the_delegate_and_a_tally_box_per_motion(club):
    page = agenda(club)
    assert "Current delegate: <strong>Ben (ben)</strong>, elected" in page
    assert page.count('<table class="tally" aria-label="Tally:') == 3  # two articles and the delegate
    assert page.count("<th scope=\"row\">Voted no</th>") == 3  # roll-call: names of no and abstain
    assert "@page { size: auto;" in page
    assert "@page { size: A4;" in agenda(club, "--paper", "a4")
    assert "@page { size: letter;" in agenda(club, "--paper", "letter")


def test_an_assembly_with_nothing_pending_gets_an_agenda_that_says_so(club):
    out = club.root / "riverside.html"
    result = cli(club.root, "agenda", "riverside", "--date", "2026-12-14", "--output", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "RIVERSIDE-BODY" in page  # riverside's own article is pending there
    assert "Bike lanes" not in page and "Water rates" not in page


def test_the_agenda_never_overwrites_a_file_that_is_not_an_agenda(club):
    precious = club.root / "notes.html"
    precious.write_text("my notes", encoding="utf-8")
    result = cli(club.root, "agenda", "springfield", "--output", str(precious))
    assert result.exit_code == 2 and "is not an agenda printed by press" in result.output
    assert precious.read_text(encoding="utf-8") == "my notes"
    agenda(club)
    agenda(club)  # an earlier agenda is replaced


@pytest.mark.parametrize("folder", ["output", "content/springfield", "theme"])
def test_the_agenda_is_never_written_where_the_site_could_publish_it(club, folder):
    target = club.root / folder / "agenda.html"
    result = cli(club.root, "agenda", "springfield", "--output", str(target))
    assert result.exit_code == 2 and "an agenda holds unapproved text and must stay off the site" in result.output
    assert not target.exists()


def everything(folder: Path) -> dict[str, tuple]:
    """Every path under ``folder`` (links not followed), with its mode and bytes or link target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        body = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else None
        found[path.relative_to(folder).as_posix()] = (info.st_mode, info.st_mtime_ns, body)
    return found


def test_the_agenda_is_refused_inside_any_site_press_manages_any_source_and_anything_git_tracks(club, tmp_path):
    """A careless editor aims the agenda at the built site, a builds folder, a copy of a site, a
    tracked folder (a docs/ or gh-pages worktree that a host may serve): each is refused, naming
    where it is and where to write instead, and nothing is written anywhere."""
    from conftest import commit, git

    root = club.root
    git(root, "init", "-q", "-b", "main")
    (root / "minutes").mkdir()
    (root / "minutes/README.md").write_text("tracked notes\n")
    commit(root, "The club")
    assert cli(root, "build", "--output", str(root / "public"), "--no-search").exit_code == 0
    assert cli(root, "build", "--output", str(tmp_path / "www"), "--no-search").exit_code == 0
    built = root / os.readlink(root / "public")
    copy = tmp_path / "copy-of-site"
    shutil.copytree(root / "public", copy)  # a site press built, copied elsewhere: no manifest beside it
    pages = tmp_path / "gh-pages"  # another repository whose top folder is tracked
    (pages / "css").mkdir(parents=True)
    (pages / "index.html").write_text("<p>served</p>")
    git(pages, "init", "-q", "-b", "gh-pages")
    commit(pages, "Pages")
    targets = {
        root / "public/agenda.html": f"is inside {built}, a site press built",
        root / "public/springfield/agenda.html": f"is inside {built}, a site press built",
        built / "agenda.html": f"is inside {built}, a site press built",
        root / ".output.builds/agenda.html": f"is inside {root / '.output.builds'}, where press keeps the builds of an output",
        tmp_path / "www/agenda.html": ", a site press built",
        tmp_path / ".www.builds/new/agenda.html": f"is inside {tmp_path / '.www.builds'}, where press keeps the builds of an output",
        copy / "agenda.html": f"is inside {copy}, which holds a press site",
        copy / "springfield/agenda.html": f"is inside {copy}, which holds a press site",
        root / "content/agenda.html": "is inside content/",
        root / "editorial/meetings/agenda.html": "is inside editorial/",
        root / "tools/agenda.html": "is inside tools/",
        root / "minutes/agenda.html": f"is inside {root / 'minutes'}/, which git tracks",
        root / "minutes/new/agenda.html": f"is inside {root / 'minutes'}/, which git tracks",
        root / "minutes/README.md": "which git tracks",
        pages / "agenda.html": f"is inside {pages}/, which git tracks",
        pages / "css/agenda.html": f"is inside {pages}/, which git tracks",  # css/ is empty: the worktree is tracked
    }
    (root / "elsewhere").symlink_to(built / "springfield")  # a link into the site is the site
    targets[root / "elsewhere/agenda.html"] = f"is inside {built}, a site press built"
    before = everything(tmp_path)
    for target, why in targets.items():
        result = cli(root, "agenda", "springfield", "--output", str(target))
        assert result.exit_code == 2, (target, result.output)
        assert f"press: {target} " in result.output and why in result.output, (target, result.output)
        assert "an agenda holds unapproved text and must stay off the site — write it outside every site and tracked folder" in result.output
        assert "Traceback" not in result.output
    assert everything(tmp_path) == before
    # where it may go: the press's own top folder (untracked there), a folder of one's own
    for target in (root / "agenda-springfield.html", tmp_path / "agendas/springfield.html"):
        result = cli(root, "agenda", "springfield", "--output", str(target))
        assert result.exit_code == 0, result.output
        assert "Bike lanes" in target.read_text(encoding="utf-8")


def test_bad_agenda_arguments_are_usage_errors(club):
    assert cli(club.root, "agenda", "nowhere").exit_code == 2
    result = cli(club.root, "agenda", "springfield", "--date", "2026-13-01")
    assert result.exit_code == 2 and "is not a date written YYYY-MM-DD" in result.output
    club.write("editorial/meetings/springfield/2026-11-03.yml", "present: [zed]\n")
    result = cli(club.root, "agenda", "springfield", "--output", str(club.root / "x.html"))
    assert result.exit_code == 2 and "editorial/meetings/springfield/2026-11-03.yml" in result.output
    assert not (club.root / "x.html").exists()


# --------------------------------------------------------------------------- --agenda


VOTED = "2026-11-17"  # a meeting in the past: motions are never recorded ahead of time


def short_of(club, slug: str) -> str:
    return cli(club.root, "digest", f"springfield/{slug}").output.strip().removeprefix("sha256:")[:16]


def test_record_publish_with_the_agenda_digest_records_that_text(club):
    printed = short_of(club, "waiting")
    grouped = " ".join(printed[i : i + 4] for i in range(0, 16, 4))
    cli(club.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", VOTED)
    result = cli(club.root, "record", "publish", "springfield/waiting", "--agenda", grouped, "--rest", "yes", "--date", VOTED)
    assert result.exit_code == 0, result.output
    record = (club.root / "editorial" / "meetings" / "springfield" / f"{VOTED}.yml").read_text(encoding="utf-8")
    assert f"digest: sha256:{printed}" in record
    assert club.load().decisions.articles["springfield/waiting"].state == "published"


def test_record_publish_refuses_an_article_changed_since_the_agenda_was_printed(club):
    printed = short_of(club, "waiting")
    cli(club.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", VOTED)
    path = club.root / "editorial" / "meetings" / "springfield" / f"{VOTED}.yml"
    before = path.read_bytes()
    club.article("springfield", "waiting", title="Bike lanes <now>", body="Line one & more, quietly changed.\n")
    result = cli(club.root, "record", "publish", "springfield/waiting", "--agenda", printed, "--rest", "yes", "--date", VOTED)
    assert result.exit_code == 1
    assert f"content/springfield/waiting.md: changed since the agenda was printed: the agenda shows {printed}" in result.output
    assert "press: nothing was recorded" in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("typed", ["12ab", "not-a-digest", "sha256:", "zzzzzzzzzzzzzzzz"])
def test_a_malformed_agenda_digest_is_a_usage_error(club, typed):
    cli(club.root, "record", "attendance", "springfield", "ana", "ben", "--date", VOTED)
    path = club.root / "editorial" / "meetings" / "springfield" / f"{VOTED}.yml"
    before = path.read_bytes()
    result = cli(club.root, "record", "publish", "springfield/waiting", "--agenda", typed, "--rest", "yes", "--date", VOTED)
    assert result.exit_code == 2 and "is not a digest from an agenda" in result.output
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- the chapter page


def test_the_chapter_page_counts_the_next_agenda_and_never_names_it(club):
    result = cli(club.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    output = club.root / "output"
    chapter = (output / "springfield" / "index.html").read_text(encoding="utf-8")
    assert "2 articles on the agenda" in chapter
    site = "".join(p.read_text(encoding="utf-8", errors="replace") for p in output.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".atom", ".rss", ".ics", ".yml", ".js"))
    for needle in ("Bike lanes", "waiting", "Line one", "New text, edited"):
        assert needle not in site, needle


# --------------------------------------------------------------------------- on paper


@pytest.mark.parametrize(("paper", "printable_mm"), [("a4", 210 - 30), ("letter", 215.9 - 30)])  # minus the margins
def test_the_agenda_prints_on_a4_and_letter_without_cutting_anything(club, chromium, paper, printable_mm):
    club.article("springfield", "waiting", title="Long", body="x" * 3000 + " https://example.org/" + "a" * 400 + "\n")
    sheet = club.root / "agenda.html"
    assert cli(club.root, "agenda", "springfield", "--paper", paper, "--output", str(sheet)).exit_code == 0
    width = int(printable_mm / 25.4 * 96)
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.emulate_media(media="print")
        page.goto(sheet.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        pdf = page.pdf(prefer_css_page_size=True)
        boxes = {tuple(round(float(n)) for n in box.split()) for box in re.findall(rb"/MediaBox \[([\d. ]+)\]", pdf)}
        assert boxes == {(0, 0, 595, 842)} if paper == "a4" else boxes == {(0, 0, 612, 792)}, boxes
    finally:
        page.close()


def test_the_agenda_on_screen_has_no_accessibility_violations(club, chromium):
    from axe_playwright_python.sync_playwright import Axe

    sheet = club.root / "agenda.html"
    assert cli(club.root, "agenda", "springfield", "--output", str(sheet)).exit_code == 0
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(sheet.as_uri())
        violations = [f"{v['id']}: {v['help']}" for v in Axe().run(page).response["violations"]]
        assert violations == []
    finally:
        page.close()


def test_a_rebuild_updates_the_count_when_an_article_is_proposed(club):
    assert cli(club.root, "build", "--no-search").exit_code == 0
    chapter = club.root / "output" / "springfield" / "index.html"
    assert "2 articles on the agenda" in chapter.read_text(encoding="utf-8")
    club.article("springfield", "another", title="Another proposal")
    result = cli(club.root, "build", "--no-search")  # incremental: unchanged pages are reused
    assert result.exit_code == 0, result.output
    assert "3 articles on the agenda" in chapter.read_text(encoding="utf-8")


def test_an_attachment_swapped_after_printing_is_refused_too(club):
    from test_cms_browser import png

    first = png(rgb=(1, 2, 3))
    club.write("content/springfield/waiting/chart.png", first)
    page = agenda(club)
    assert f"waiting/chart.png ({len(first):,} bytes)" in page
    printed = short_of(club, "waiting")
    cli(club.root, "record", "attendance", "springfield", "ana", "ben", "cai", "--date", VOTED)
    club.write("content/springfield/waiting/chart.png", png(rgb=(3, 2, 1)))
    result = cli(club.root, "record", "publish", "springfield/waiting", "--agenda", printed, "--rest", "yes", "--date", VOTED)
    assert result.exit_code == 1 and "changed since the agenda was printed" in result.output


def test_the_agenda_is_refused_inside_a_copy_of_a_site_with_a_council(sample, tmp_path):
    """A press with a council writes a ledger.json with "assemblies" and "council": an rsync'd copy of
    its site (no manifest beside it) is still a press site, and the agenda is not written into it."""
    assert cli(sample, "build", "--no-search").exit_code == 0
    www = tmp_path / "www"
    shutil.copytree(sample / "output", www, symlinks=False)
    for target in (www / "agenda.html", www / "riverside" / "agenda.html"):
        result = cli(sample, "agenda", "riverside", "--output", str(target))
        assert result.exit_code == 2, result.output
        assert f"is inside {www}, which holds a press site" in result.output
        assert not target.exists()

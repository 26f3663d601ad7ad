"""Hostile and broken input: one test per class of input someone can put in a pull request.

Each asserts the message a person sees and that nothing unapproved was published or leaked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from press.cli import main


@pytest.fixture(autouse=True, scope="module")
def _season(as_of_the_season):
    """These tests describe the season as of 21 November 2026 (conftest.as_of_the_season)."""


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def site(pressdir):
    """A small press that can be built: the repository's theme and configuration."""
    pressdir.buildable()
    pressdir.assembly()
    pressdir.article("springfield", "good", title="Good news", body="APPROVED-TEXT")
    pressdir.publish("springfield", "good", "2026-09-01")
    return pressdir


def output_bytes(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


MARKUP = (".html", ".xml", ".atom", ".rss")


def assert_nowhere(root: Path, *needles: str, only: tuple[str, ...] = ()) -> None:
    """No output file (or none of the kinds in ``only``) contains any needle.

    The search bundle (pagefind/) is the Pagefind library itself plus compressed index files;
    the search tests check what can be found in it."""
    files = {n: d for n, d in output_bytes(root).items() if not n.startswith("pagefind/") and (not only or n.endswith(only))}
    assert files, "nothing was built"
    for needle in needles:
        leaks = [name for name, data in files.items() if needle.encode() in data]
        assert leaks == [], f"{needle!r} leaked into {leaks}"


# --------------------------------------------------------------------------- honest mistakes


def test_a_tab_in_yaml_fails_the_build_with_file_and_line(site):
    site.meeting("springfield", "2026-10-06", "present:\n\t- ana\n")
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert "editorial/meetings/springfield/2026-10-06.yml:2: invalid YAML: found a tab character" in result.output
    assert "use spaces" in result.output
    assert not (site.root / "output").exists()


def test_a_typo_in_a_member_id_never_publishes(site):
    site.article("springfield", "typo", body="TYPO-TEXT")
    site.meeting(
        "springfield",
        "2026-10-06",
        f"present: [ana, ben]\nmotions:\n  - publish: springfield/typo\n    digest: {site.digest('springfield', 'typo')}\n    yes: [ana, bne]\n",
    )
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert "2026-10-06.yml:5: 'bne' voted but is not a member of springfield — check the id against the roster" in result.output
    assert site.load().decisions.articles["springfield/typo"].state == "awaiting-vote"
    assert cli(site.root, "build").exit_code == 1


# --------------------------------------------------------------------------- forged approvals


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        # a digest copied from another, approved article
        ("motions:\n  - publish: springfield/forged\n    digest: {good}\n    yes: [ana, ben]\n", None),
        # votes from people who are not members in good standing
        ("motions:\n  - publish: springfield/forged\n    digest: {forged}\n    yes: [eve, dev]\n", "'eve' voted but is not a member of springfield in good standing"),
        # a vote recorded in another assembly's folder
        (None, "springfield/forged belongs to assembly 'springfield'; shelbyville decides only on its own articles"),
        # a vote dated in the future, to be 'valid later'
        ("future", "which is after today"),
        # a path climbing out of the assembly
        ("motions:\n  - publish: springfield/../forged\n    digest: {forged}\n    yes: [ana, ben]\n", "'springfield/../forged' is not a valid article id"),
    ],
)
def test_forged_approvals_never_publish(site, meeting, expected):
    site.article("springfield", "forged", title="Forged", body="FORGED-TEXT")
    forged = site.digest("springfield", "forged")
    good = site.digest("springfield", "good")
    if meeting is None:
        site.assembly("shelbyville")
        site.meeting(
            "shelbyville",
            "2026-10-06",
            f"present: [ana, ben]\nmotions:\n  - publish: springfield/forged\n    digest: {forged}\n    yes: [ana, ben]\n",
        )
    elif meeting == "future":
        site.meeting(
            "springfield",
            "2027-01-05",
            f"present: [ana, ben]\nmotions:\n  - publish: springfield/forged\n    digest: {forged}\n    yes: [ana, ben]\n",
        )
    else:
        site.meeting("springfield", "2026-10-06", "present: [ana, ben, eve, dev]\n" + meeting.format(good=good, forged=forged))
    assert site.load().decisions.articles["springfield/forged"].state != "published"
    problems = "\n".join(site.problems())
    if expected:
        assert expected in problems
    # a build is refused while records have problems; with none, the forged text is still held back
    result = cli(site.root, "build")
    if result.exit_code == 0:
        assert_nowhere(site.root, "FORGED-TEXT", "Forged")
    else:
        assert "the previous output was left as it was" in result.output


# --------------------------------------------------------------------------- scripts in articles


def test_scripts_and_event_handlers_are_removed_from_approved_articles(site):
    body = (
        "Hello <script>alert('x')</script> <img src=x onerror=alert(1) alt=pic>"
        ' <a href="javascript:alert(2)">click</a> <iframe src="https://evil.example/x"></iframe>'
        ' <iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video"></iframe>'
        " <style>body{display:none}</style> <svg onload=alert(3)></svg>"
    )
    site.article("springfield", "script", title="Script", body=body, summary="<b onmouseover=alert(4)>Summary</b>")
    site.publish("springfield", "script", "2026-10-06")
    assert cli(site.root, "build").exit_code == 0
    page = (site.root / "output/springfield/script.html").read_text()
    assert "Hello" in page and 'alt="pic"' in page
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in page
    assert_nowhere(site.root, "alert(", "onerror", "onload", "onmouseover", "javascript:", "evil.example", "display:none")
    assert "<script" not in page.split('<div class="body e-content">')[1].split("</article>")[0]


def test_titles_and_metadata_are_escaped_everywhere(site):
    site.article("springfield", "title", title='<script>alert("t")</script> & friends', body="Body.", author="<b>Mallory</b>")
    site.publish("springfield", "title", "2026-10-06")
    assert cli(site.root, "build").exit_code == 0
    # in HTML and XML, markup in text is escaped; in JSON and iCalendar it is text, as their formats say
    assert_nowhere(site.root, '<script>alert("t")', "<b>Mallory</b>", only=MARKUP)
    feed = json.loads((site.root / "output/springfield/feed.json").read_text())
    assert feed["items"][0]["title"] == '<script>alert("t")</script> & friends'
    assert feed["items"][0]["authors"] == [{"name": "<b>Mallory</b>"}]
    page = (site.root / "output/springfield/title.html").read_text()
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; friends" in page
    ledger = json.loads((site.root / "output/springfield/ledger.json").read_text())
    assert ledger["meetings"][-1]["motions"][0]["title"] == '<script>alert("t")</script> & friends'


def test_editor_written_markdown_is_sanitized_too(site):
    roster = (site.root / "editorial/assemblies/springfield.yml").read_text()
    (site.root / "editorial/assemblies/springfield.yml").write_text(
        roster.replace("timezone:", 'description: "Hi <script>alert(1)</script> [x](javascript:alert(2))"\ntimezone:')
    )
    assert cli(site.root, "build").exit_code == 0
    assert_nowhere(site.root, "alert(1)", "javascript:")


# --------------------------------------------------------------------------- paths and links


def test_symlinks_into_content_and_editorial_are_refused(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-KEY-MATERIAL")
    (site.root / "content/images").mkdir(parents=True)
    (site.root / "content/images/key.txt").symlink_to(secret)
    (site.root / "editorial/meetings/springfield").mkdir(parents=True, exist_ok=True)
    (site.root / "editorial/meetings/springfield/2026-10-06.yml").symlink_to(secret)
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert "content/images/key.txt: symbolic links are not allowed in content/ — commit the file itself" in result.output
    assert "editorial/meetings/springfield/2026-10-06.yml: symbolic links are not allowed in editorial/" in result.output
    assert not (site.root / "output").exists()


def test_reserved_names_cannot_shadow_the_site(site):
    site.write("content/springfield/ledger.md", "Title: Fake ledger\n\nFAKE\n")
    site.write("editorial/assemblies/tag.yml", "name: Tag\nmembers: []\n")
    site.write("content/pages/assemblies.md", "Title: Fake assemblies\n\nFAKE\n")
    problems = site.problems()
    assert "content/springfield/ledger.md: 'ledger' is reserved for the assembly's own pages — rename the file" in problems
    assert "editorial/assemblies/tag.yml: assembly id 'tag' is reserved for the site's own pages — rename the file" in problems
    assert "content/pages/assemblies.md:1: page URL assemblies.html is the site's own — choose another Slug" in problems


def test_an_assembly_or_section_named_ballots_cannot_shadow_the_ballot_pages(site):
    """Attack (a careless maintainer): an assembly or a section with the id 'ballots' has its front at
    ballots/index.html, the online ballots' own page. `press verify` said ok and every build then
    failed on Pelican's 'Failed to overwrite … ballots/index.html'."""
    site.write("editorial/assemblies/ballots.yml", "name: Ballot Street\nmembers: []\n")
    site.write("editorial/press.yml", "maintainers: [sam]\nballots: {origin: https://press.example.org}\n"
               "sections:\n  - id: ballots\n    name: Ballots\n    tags: [ballots]\n")  # fmt: skip
    assert "editorial/assemblies/ballots.yml: assembly id 'ballots' is reserved for the site's own pages — rename the file" in site.problems()
    (site.root / "editorial/assemblies/ballots.yml").unlink()
    assert "editorial/press.yml:4: section id 'ballots' is a name the site itself uses — choose another id" in site.problems()


def test_colliding_page_urls_name_both_files(site):
    site.write("content/pages/about.md", "Title: About\n\nOne.\n")
    site.write("content/pages/who.md", "Title: Who\nSlug: about\n\nTwo.\n")
    assert "content/pages/who.md:1: page URL about.html is also claimed by content/pages/about.md — give one of them another Slug" in site.problems()
    assert cli(site.root, "build").exit_code == 1


def test_page_save_as_cannot_overwrite_an_article(site):
    site.write("content/pages/evil.md", "Title: Evil\nSave_as: springfield/good.html\nUrl: springfield/good.html\n\nEVIL-PAGE\n")
    assert cli(site.root, "build").exit_code == 0
    files = output_bytes(site.root)
    assert b"APPROVED-TEXT" in files["springfield/good.html"]
    assert b"EVIL-PAGE" in files["evil.html"]


def test_two_spellings_of_one_tag_share_one_page_and_an_unapproved_spelling_shows_nowhere(site):
    """Attack (a writer): tag an article awaiting a vote with a third spelling of a published tag, hoping
    the shared tag page takes its words. Tags are one page per slug, as in Pelican: 'Housing' and
    'housing' list together, and only approved articles lend the page a spelling."""
    site.article("springfield", "one", title="One", tags="Housing")
    site.article("springfield", "two", title="Two", tags="housing, Rent")
    site.article("springfield", "three", title="Three", tags="HoUsInG-WaItInG, hOuSiNg")
    site.meeting("springfield", "2026-10-06", f"""
        present: [ana, ben, cai]
        motions:
          - publish: springfield/one
            digest: {site.digest("springfield", "one")}
            yes: [ana, ben]
          - publish: springfield/two
            digest: {site.digest("springfield", "two")}
            yes: [ana, ben]
        """)
    assert cli(site.root, "build", "--no-search").exit_code == 0
    files = output_bytes(site.root)
    assert sorted(name for name in files if name.startswith("tag/")) == ["tag/housing.html", "tag/rent.html"]
    page = files["tag/housing.html"].decode()
    assert "springfield/one.html" in page and "springfield/two.html" in page and "springfield/three.html" not in page
    assert "Housing" in page or "housing" in page
    assert_nowhere(site.root, "hOuSiNg", "HoUsInG", "WaItInG")
    assert files["tags.html"].decode().count('tag/housing.html"') == 1


# --------------------------------------------------------------------------- nothing leaks


def test_attachments_and_metadata_of_unpublished_articles_never_leak(site):
    site.write("content/springfield/draft/secret-photo.png", b"\x89PNG\r\n\x1a\nATTACHED-SECRET")
    site.write("content/images/shared-chart.png", b"\x89PNG\r\n\x1a\nIMAGES-FOLDER-IS-PUBLIC")
    site.write(
        "content/springfield/draft.md",
        "Title: DRAFT-TITLE\nSummary: DRAFT-SUMMARY\nTags: draft-only-tag\nAuthor: Draft Only Author\n\n"
        "DRAFT-BODY [photo]({attach}draft/secret-photo.png)\n",
    )
    assert cli(site.root, "build").exit_code == 0
    assert_nowhere(site.root, "DRAFT-TITLE", "DRAFT-SUMMARY", "DRAFT-BODY", "ATTACHED-SECRET", "draft-only-tag", "Draft Only Author")
    assert not (site.root / "output/springfield/draft").exists()
    # the public images folder (allowed types only) is copied as it is: a deliberate, documented choice
    assert (site.root / "output/images/shared-chart.png").exists()


def test_attachments_of_published_articles_are_copied(site):
    site.write("content/springfield/with-chart/chart.pdf", "%PDF-1.7 CHART-DATA")
    site.article("springfield", "with-chart", body="See [the chart]({attach}with-chart/chart.pdf).")
    site.publish("springfield", "with-chart", "2026-10-06")
    assert cli(site.root, "build").exit_code == 0
    assert (site.root / "output/springfield/with-chart/chart.pdf").read_text() == "%PDF-1.7 CHART-DATA"


# --------------------------------------------------------------------------- crashes are bugs


def test_an_unexpected_error_is_one_sentence_not_a_traceback(site, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("press.cli.load", boom)
    result = cli(site.root, "status")
    assert result.exit_code == 3
    assert "press: internal error (RuntimeError: disk on fire) — this is a bug in press" in result.output
    assert "Traceback" not in result.output


def test_unwritable_press_is_a_clear_error(site, monkeypatch):
    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("press.files._beside", refuse)  # where every file press writes is opened
    result = cli(site.root, "new", "springfield", "Fresh piece")
    assert result.exit_code == 2
    assert "press: content/springfield/fresh-piece.md: not written — Permission denied" in result.output
    assert not (site.root / "content" / "springfield" / "fresh-piece.md").exists()
    assert "Traceback" not in result.output


def test_records_that_are_huge_or_bombs_fail_fast_in_the_build(site):
    site.write("editorial/meetings/springfield/2026-10-06.yml", "notes: " + "x" * (10 * 1024 * 1024) + "\n")
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert "2026-10-06.yml: record is 10,485,768 bytes; records are limited to 262,144 bytes" in result.output


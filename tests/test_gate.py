"""Every published byte is voted: one test per class of hole found by attacking the press.

Each test asserts the message a person sees, that nothing unapproved reached any output file, and
that the build wrote nothing outside its output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import change_an_input, commit, git
from press.build import BuildFailed, build
from press.cli import main

PNG = b"\x89PNG\r\n\x1a\n"  # the signature: enough for the type check


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def output_bytes(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.is_dir() else {}


def assert_nowhere(root: Path, *needles: str | bytes) -> None:
    """No output file contains any needle (the Pagefind library and index are checked by content too:
    they are built only from published pages)."""
    files = output_bytes(root)
    for needle in needles:
        needle = needle.encode() if isinstance(needle, str) else needle
        leaks = [name for name, data in files.items() if needle in data]
        assert leaks == [], f"{needle!r} leaked into {leaks}"


class Outside:
    """Every file around the press (the press itself and its siblings), to prove a build wrote
    nothing but its output folder."""

    def __init__(self, root: Path):
        self.root = root
        self.before = self.files()

    def files(self) -> dict[str, bytes]:
        """Every file but the output, git's own files, and the staging and retired copies of the output
        that the atomic swap keeps beside it (``.output.building-*``, ``.output.old-*``)."""
        base = self.root.parent
        found = {}
        for folder, dirs, files in os.walk(base):
            here = Path(folder)
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith(".output.") and here / d != self.root / "output"]
            for name in files:
                try:
                    found[(here / name).relative_to(base).as_posix()] = (here / name).read_bytes()
                except FileNotFoundError:
                    continue
        return found

    def unchanged(self) -> None:
        after = self.files()
        assert sorted(set(after) - set(self.before)) == [], "the build wrote outside its output folder"
        assert [k for k in self.before if after.get(k) != self.before[k]] == [], "the build changed files outside its output folder"


@pytest.fixture
def site(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.article("springfield", "good", title="Good news", body="APPROVED-TEXT")
    pressdir.publish("springfield", "good", "2026-09-01")
    return pressdir


def vote(press, *slugs: str, day: str = "2026-10-06") -> None:
    """One meeting approving ``slugs`` exactly as they are now."""
    motions = "".join(f"  - publish: springfield/{s}\n    digest: {press.digest('springfield', s)}\n    yes: [ana, ben]\n" for s in slugs)
    press.meeting("springfield", day, "present: [ana, ben, cai]\nmotions:\n" + motions)


# --------------------------------------------------------------------------- the bundle digest


def test_the_bundle_digest_is_recomputable_with_standard_tools(site):
    site.write("content/springfield/rent/photo.png", PNG + b"PHOTO")
    site.write("content/springfield/rent/audio/ep1.mp3", b"ID3" + b"AUDIO")
    site.article("springfield", "rent", title="Rent", body="![A photo](rent/photo.png)")
    printed = cli(site.root, "digest", "springfield/rent").output.strip()
    shell = subprocess.run(
        "find rent.md rent -type f | LC_ALL=C sort | xargs sha256sum | sha256sum",
        shell=True, cwd=site.root / "content/springfield", capture_output=True, text=True, check=True,
    ).stdout.split()[0]  # fmt: skip
    assert printed == f"sha256:{shell}" == site.digest("springfield", "rent")
    # an article without a bundle folder keeps the single-file digest
    plain = hashlib.sha256((site.root / "content/springfield/good.md").read_bytes()).hexdigest()
    assert cli(site.root, "digest", "springfield/good").output.strip() == f"sha256:{plain}"


def test_record_publish_fills_the_bundle_digest(site):
    site.write("content/springfield/rent/photo.png", PNG + b"PHOTO")
    site.article("springfield", "rent", title="Rent", body="![A photo](rent/photo.png)")
    assert cli(site.root, "record", "attendance", "springfield", "--date", "2026-10-06", "ana", "ben").exit_code == 0
    result = cli(site.root, "record", "publish", "springfield/rent", "--date", "2026-10-06", "--yes", "ana,ben")
    assert result.exit_code == 0, result.output
    record = (site.root / "editorial/meetings/springfield/2026-10-06.yml").read_text()
    assert f"digest: {site.digest('springfield', 'rent')}" in record
    assert site.load().decisions.articles["springfield/rent"].state == "published"


# --------------------------------------------------------------------------- class: attachments are a side door


def test_attachments_changed_or_added_after_the_vote_are_never_published(repo):
    repo.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    repo.article("springfield", "rent", title="Rent", body="APPROVED-BODY ![The march](rent/photo.png)")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article with a photo, and its vote")
    repo.write("content/springfield/rent/photo.png", PNG + b"SWAPPED-PHOTO")
    repo.write("content/springfield/rent/extra.png", PNG + b"ADDED-PHOTO")
    commit(repo.root, "Swap the photo after the vote")

    status = cli(repo.root, "status")
    assert "springfield/rent" in status.output and "published (approved revision)" in status.output
    outside = Outside(repo.root)
    result = cli(repo.root, "build")
    assert result.exit_code == 0, result.output
    files = output_bytes(repo.root)
    assert files["springfield/rent/photo.png"] == PNG + b"VOTED-PHOTO"  # the approved bundle, from git
    assert "springfield/rent/extra.png" not in files
    assert_nowhere(repo.root, b"SWAPPED-PHOTO", b"ADDED-PHOTO")
    assert b"APPROVED-BODY" in files["springfield/rent.html"]
    outside.unchanged()

    # press check names the article when a change touches only its attachment
    git(repo.root, "checkout", "-q", "-b", "change")
    repo.write("content/springfield/rent/photo.png", PNG + b"THIRD-PHOTO")
    commit(repo.root, "Another photo", author="Writer Wu <wu@example.org>")
    check = cli(repo.root, "check", "--base", "main")
    assert "| `springfield/rent` | published (approved revision) |" in check.output


def test_an_attachment_changed_without_git_history_holds_the_article_back(site):
    site.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    site.article("springfield", "rent", title="Rent", body="RENT-BODY ![The march](rent/photo.png)")
    vote(site, "rent")
    site.write("content/springfield/rent/photo.png", PNG + b"SWAPPED-PHOTO")
    decision = site.load().decisions.articles["springfield/rent"]
    assert decision.state == "edited-since-approval"
    assert "the file changed after approval" in decision.reasons[0]
    outside = Outside(site.root)
    assert cli(site.root, "build").exit_code == 0
    assert_nowhere(site.root, "RENT-BODY", b"SWAPPED-PHOTO", b"VOTED-PHOTO")
    outside.unchanged()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("{static}../index.html", "link {static}../index.html climbs out with '..'"),
        ("{attach}/ledger.json", "link {attach}/ledger.json is an absolute path"),
        ("{static}draft.md", "link {static}draft.md names a Markdown file"),
        ("{attach}../../content/riverside/secret.md", "climbs out with '..'"),
        ("{static}../../../../etc/hostname", "climbs out with '..'"),
        ("{static}good/photo.png", "link {static}good/photo.png is not in this article's folder rent/"),
        ("{attach}rent/missing.png", "names rent/missing.png, which is not in the bundle"),
        ("draft.md", "link draft.md names a Markdown file"),
        ("/springfield/draft.md", "is an absolute path"),
        ("../riverside/secret/photo.png", "climbs out with '..'"),
    ],
)
def test_links_outside_the_articles_own_bundle_are_problems(site, link, message):
    site.write("content/springfield/draft.md", "Title: Draft\n\nDRAFT-SOURCE\n")
    site.write("content/springfield/good/photo.png", PNG + b"GOOD-PHOTO")
    site.article("springfield", "good", title="Good news", body="APPROVED-TEXT")
    site.publish("springfield", "good", "2026-09-01")
    site.write("content/riverside/secret.md", "Title: Secret\n\nRIVERSIDE-SECRET\n")
    site.assembly("riverside")
    site.article("springfield", "rent", title="Rent", body=f"Intro.\n\nSee [this]({link}).\n")
    vote(site, "rent")
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert f"content/springfield/rent.md:5: link {link} " in result.output and message in result.output
    outside = Outside(site.root)
    built = cli(site.root, "build")
    assert built.exit_code == 1 and message in built.output
    assert output_bytes(site.root) == {}
    outside.unchanged()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG files can carry script and are not published — convert it to PNG"),
        ("evil.html", b"<script>alert(document.cookie)</script>", ".html files would run on the site's origin and are never published"),
        ("fake.png", b"<html><script>alert(1)</script></html>", "'fake.png' does not contain image/png data"),
        ("notes.txt", b"NOTES", "'notes.txt' is not an allowed attachment type — allowed: .png"),
        ("with space.png", PNG, "attachment names are letters, digits"),
    ],
)
def test_attachment_types_are_a_positive_list(site, name, data, message):
    site.write(f"content/springfield/good/{name}", data)
    vote(site, "good", day="2026-10-06")  # even voted, it is refused
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert f"content/springfield/good/{name}: {message}" in result.output
    outside = Outside(site.root)
    assert cli(site.root, "build").exit_code == 1
    assert output_bytes(site.root) == {}
    outside.unchanged()


def test_stray_files_in_assembly_folders_are_problems(site):
    site.write("content/springfield/notes.markdown", "Title: X\n\nSTRAY\n")
    site.write("content/springfield/old.rst", "STRAY\n")
    site.write("content/springfield/page.html", "<script>STRAY</script>\n")
    site.write("content/springfield/loose.mp3", b"ID3STRAY")
    site.write("content/springfield/orphan/photo.png", PNG)
    site.write("content/images/logo.svg", b"<svg/>")
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    for expected in (
        "content/springfield/notes.markdown: notes.markdown is not an article — an article is <slug>.md and its files go in the folder <slug>/ beside it",
        "content/springfield/old.rst: old.rst is not an article",
        "content/springfield/page.html: page.html is not an article",
        "content/springfield/loose.mp3: loose.mp3 is not an article",
        "content/springfield/orphan: orphan/ belongs to no article",
        "content/images/logo.svg: SVG files can carry script",
    ):
        assert expected in result.output
    assert cli(site.root, "build").exit_code == 1
    assert output_bytes(site.root) == {}


def test_approved_attachments_are_published_beside_the_article(site):
    site.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    site.write("content/springfield/rent/ep/one.mp3", b"ID3" + b"VOTED-AUDIO")
    site.article(
        "springfield", "rent", title="Rent",
        body="![The march](rent/photo.png) ![again]({attach}rent/photo.png) ![and]({static}rent/photo.png)",
        audio="{attach}rent/ep/one.mp3", image="rent/photo.png", image_alt="The march",
    )  # fmt: skip
    vote(site, "rent")
    assert cli(site.root, "verify").exit_code == 0
    outside = Outside(site.root)
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    files = output_bytes(site.root)
    assert files["springfield/rent/photo.png"] == PNG + b"VOTED-PHOTO"
    assert files["springfield/rent/ep/one.mp3"] == b"ID3VOTED-AUDIO"
    page = files["springfield/rent.html"].decode()
    assert len(re.findall(r'src="(?:\.\./springfield/)?rent/photo\.png"', page)) == 3
    assert 'src="../springfield/rent/ep/one.mp3"' in page
    podcast = files["springfield/podcast.rss"].decode()
    assert 'url="http://localhost:8000/springfield/rent/ep/one.mp3" length="14"' in podcast
    outside.unchanged()


def test_a_lead_image_without_alt_text_is_warned_about(site):
    site.write("content/springfield/rent/photo.png", PNG)
    site.article("springfield", "rent", title="Rent", image="rent/photo.png")
    vote(site, "rent")
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    assert "warning: content/springfield/rent.md:2: Image rent/photo.png has no Image_alt — describe it for readers who cannot see it" in result.output


def test_metadata_files_must_be_in_the_bundle_and_of_their_kind(site):
    site.write("content/springfield/rent/photo.png", PNG)
    site.article("springfield", "rent", title="Rent", audio="rent/photo.png", image="../good.md")
    problems = site.problems()
    assert "content/springfield/rent.md:2: Audio: rent/photo.png must be an audio file of the bundle" in problems
    assert any(p.startswith("content/springfield/rent.md:3: Image: ../good.md climbs out with '..'") for p in problems)


# --------------------------------------------------------------------------- class: pages squat article URLs


@pytest.mark.parametrize(
    "metadata",
    [
        "Lang: x/../springfield/draft\n",
        "Lang: fr\nTranslation: true\nSlug: good\n",
        "Lang: ../springfield/draft\nTemplate: article\n",
        "Save_as: springfield/draft.html\nUrl: springfield/draft.html\n",
    ],
)
def test_pages_stay_in_their_own_url_space(site, metadata):
    site.write("content/springfield/draft.md", "Title: Draft\n\nDRAFT-BODY\n")
    site.write("content/pages/squat.md", f"Title: Squat\n{metadata}\nSQUAT-PAGE\n")
    outside = Outside(site.root)
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    files = output_bytes(site.root)
    first = metadata.split(":")[0]
    assert f"warning: content/pages/squat.md:2: '{first}' is ignored in a page — a page lives at <slug>.html, in the pages' own URL space" in result.output
    written = [name for name, data in files.items() if b"SQUAT-PAGE" in data and not name.startswith("pagefind/")]
    assert written in (["squat.html"], ["good.html"])  # at <slug>.html, in the pages' own space
    assert "springfield/draft.html" not in files
    assert b"APPROVED-TEXT" in files["springfield/good.html"]
    outside.unchanged()


def test_pages_link_only_shared_images(site):
    site.write("content/springfield/draft.md", "Title: Draft\n\nDRAFT-BODY\n")
    site.write("content/pages/leak.md", "Title: Leak\n\n[source]({static}../springfield/draft.md)\n[img]({static}/images/logo.png)\n")
    site.write("content/images/logo.png", PNG)
    assert site.problems() == [
        "content/pages/leak.md:3: link {static}../springfield/draft.md: pages link only shared files in content/images/, as {static}/images/<file>"
    ]
    assert cli(site.root, "build").exit_code == 1
    assert output_bytes(site.root) == {}


# --------------------------------------------------------------------------- class: unapproved titles


def _publish_then_retract(repo) -> None:
    repo.article("springfield", "rent", title="Approved Title", body="Approved body.", summary="Approved summary", tags="approved-tag")
    repo.publish("springfield", "rent", "2026-09-01")
    commit(repo.root, "Article and vote")
    repo.meeting(
        "springfield", "2026-10-06",
        "present: [ana, ben]\nmotions:\n  - retract: springfield/rent\n    reason: Wrong figures.\n    yes: [ana, ben]\n",
    )  # fmt: skip
    commit(repo.root, "Retract")


def test_a_retracted_article_shows_its_title_as_approved(repo):
    _publish_then_retract(repo)
    repo.article("springfield", "rent", title="UNVOTED-TITLE", body="UNVOTED-BODY", summary="UNVOTED-SUMMARY", tags="unvoted-tag")
    commit(repo.root, "Edit the retracted article's title")
    outside = Outside(repo.root)
    assert cli(repo.root, "build").exit_code == 0
    files = output_bytes(repo.root)
    assert "<h1>Retracted: Approved Title</h1>" in files["springfield/rent.html"].decode()
    assert "Approved Title" in files["springfield/index.html"].decode()
    ledger = json.loads(files["springfield/ledger.json"])
    assert {m["title"] for meeting in ledger["meetings"] for m in meeting["motions"]} == {"Approved Title"}
    for name in ("springfield/ledger.html", "springfield/decisions.atom", "springfield/meetings.ics", "meetings.ics", "ledger.json"):
        assert b"Approved Title" in files[name], name
    assert_nowhere(repo.root, "UNVOTED-TITLE", "UNVOTED-BODY", "UNVOTED-SUMMARY", "unvoted-tag")
    outside.unchanged()


def test_an_article_served_as_its_approved_revision_shows_only_approved_metadata(repo):
    repo.article("springfield", "rent", title="Approved Title", body="Approved body.", summary="Approved summary", author="Approved Author")
    repo.publish("springfield", "rent", "2026-09-01")
    commit(repo.root, "Article and vote")
    repo.article("springfield", "rent", title="UNVOTED-TITLE", body="UNVOTED-BODY", summary="UNVOTED-SUMMARY", author="Unvoted Author", tags="unvoted-tag")
    commit(repo.root, "Edit")
    status = cli(repo.root, "status").output
    assert "published (approved revision)" in status
    outside = Outside(repo.root)
    assert cli(repo.root, "build").exit_code == 0
    outside.unchanged()
    files = output_bytes(repo.root)
    assert b"Approved Title" in files["springfield/rent.html"] and b"Approved Title" in files["springfield/ledger.json"]
    assert_nowhere(repo.root, "UNVOTED-TITLE", "UNVOTED-BODY", "UNVOTED-SUMMARY", "Unvoted Author", "unvoted-tag")


def test_a_retract_of_a_never_published_article_names_only_its_id(site):
    site.article("springfield", "rumour", title="RUMOUR-TITLE", body="RUMOUR-BODY")
    site.meeting(
        "springfield", "2026-10-06",
        "present: [ana, ben]\nmotions:\n  - retract: springfield/rumour\n    reason: Never true.\n    yes: [ana, ben]\n",
    )  # fmt: skip
    outside = Outside(site.root)
    assert cli(site.root, "build").exit_code == 0
    files = output_bytes(site.root)
    assert "<h1>Retracted: springfield/rumour</h1>" in files["springfield/rumour.html"].decode()
    assert_nowhere(site.root, "RUMOUR-TITLE", "RUMOUR-BODY")
    outside.unchanged()


# --------------------------------------------------------------------------- class: JSON-LD breaks out


def test_script_embedded_json_cannot_break_out(site):
    hostile = "<!--<script>&\u2028</script>"
    site.article("springfield", "good", title=f"Title {hostile}", body="APPROVED-TEXT", author=f"Author {hostile}")
    name = "Springfield <!--<script>&</script>"
    site.assembly("springfield", text=(site.root / "editorial/assemblies/springfield.yml").read_text().replace("Springfield Assembly", f"'{name}'"))
    site.publish("springfield", "good", "2026-09-01")
    outside = Outside(site.root)
    assert cli(site.root, "build").exit_code == 0
    outside.unchanged()
    page = (site.root / "output/springfield/good.html").read_text()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    assert not set("<>&\u2028\u2029") & set(scripts[0])
    data = json.loads(scripts[0])
    assert data["headline"] == f"Title {hostile}"
    assert data["author"] == [{"@type": "Person", "name": f"Author {hostile}"}]
    assert data["sourceOrganization"]["name"] == name
    assert "APPROVED-TEXT" in page.split("</script>", 2)[-1]  # the body is after, outside the script


# --------------------------------------------------------------------------- class: stale caches


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_build_after_a_settings_change_equals_a_cold_build(site, tmp_path, monkeypatch):
    site.article("springfield", "good", title="Good news", body='APPROVED-TEXT\n\n<iframe src="https://player.vimeo.com/video/1"></iframe>\n')
    site.publish("springfield", "good", "2026-09-01")
    build(site.root, search=False)
    assert 'src="https://player.vimeo.com/video/1"' in (site.root / "output/springfield/good.html").read_text()
    conf = site.root / "pelicanconf.py"
    conf.write_text(conf.read_text().replace('"player.vimeo.com"', ""))  # narrow the iframe hosts
    outside = Outside(site.root)
    warm = build(site.root, search=False)
    outside.unchanged()
    assert "player.vimeo.com" not in (site.root / "output/springfield/good.html").read_text()
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold-caches"))
    build(site.root, tmp_path / "cold", search=False)
    assert tree(warm.output) == tree(tmp_path / "cold")


def test_a_change_to_the_press_code_is_never_answered_from_the_cache(site, monkeypatch):
    from press import sanitize

    build(site.root, search=False)
    original = sanitize.clean_html
    newer = lambda html, hosts=frozenset(): original(html, hosts).replace("APPROVED", "CHANGED-BY-NEW-CODE")  # noqa: E731
    monkeypatch.setattr("press.site.clean_html", newer)
    monkeypatch.setattr("press.site.prerender.clean_html", newer)  # Markdown rendered ahead of Pelican (and kept)
    monkeypatch.setattr("press.cache.press_version", lambda: "a newer press")
    build(site.root, search=False)
    assert "CHANGED-BY-NEW-CODE-TEXT" in (site.root / "output/springfield/good.html").read_text()


# --------------------------------------------------------------------------- class: a file changed while the build reads it


def _voted_and_not(site) -> tuple[Path, bytes, bytes]:
    """The article, its bytes as voted, and the same article with a sentence no one voted on."""
    article = site.root / "content/springfield/good.md"
    voted = article.read_bytes()
    return article, voted, voted.replace(b"APPROVED-TEXT", b"UNVOTED-TEXT")


def _rendered_while_edited(monkeypatch, article: Path, voted: bytes, unvoted: bytes):
    """The press loads the article as voted, its reader renders ``unvoted``, and the file is as voted
    again when the gate looks. Returns what puts the build back as it was."""
    import press.site
    from press.site import prerender

    render, gate = prerender.render_kept, press.site.gate

    def edited_while_read(paths, *args, **kwargs):
        if str(article) in paths:  # the articles' reading (not the pages')
            article.write_bytes(unvoted)
        return render(paths, *args, **kwargs)

    def put_back(*args):
        article.write_bytes(voted)
        return gate(*args)

    monkeypatch.setattr(prerender, "render_kept", edited_while_read)
    monkeypatch.setattr(press.site, "gate", put_back)
    return lambda: (monkeypatch.setattr(prerender, "render_kept", render), monkeypatch.setattr(press.site, "gate", gate))


def test_markdown_changed_back_after_it_was_rendered_never_vouches_for_the_rendering(site, monkeypatch):
    """The gate judges the bytes that were rendered, not the file as it is when the gate looks."""
    article, voted, unvoted = _voted_and_not(site)
    restore = _rendered_while_edited(monkeypatch, article, voted, unvoted)
    with pytest.raises(BuildFailed, match="content/springfield/good.md: changed while the build read it — build again"):
        build(site.root, search=False)
    assert_nowhere(site.root, "UNVOTED-TEXT")
    restore()
    build(site.root, search=False)  # the next build renders the bytes as voted, and publishes them
    assert "APPROVED-TEXT" in (site.root / "output/springfield/good.html").read_text()


def test_markdown_changed_between_its_hash_and_its_rendering_is_never_kept_as_the_voted_bytes(site, monkeypatch):
    """The store names a rendering by the bytes it was rendered from: a file that changes after the
    press hashed it and before it rendered it is not published, and not kept under the voted bytes
    for the next build to publish."""
    from press.site import prerender

    article, voted, unvoted = _voted_and_not(site)
    render = prerender._render_with

    def changed_under_the_renderer(converters, path):
        if path == str(article):
            article.write_bytes(unvoted)
            try:
                return render(converters, path)
            finally:
                article.write_bytes(voted)
        return render(converters, path)

    monkeypatch.setattr(prerender, "_render_with", changed_under_the_renderer)
    with pytest.raises(BuildFailed, match="content/springfield/good.md: changed while the build read it"):
        build(site.root, search=False)
    assert_nowhere(site.root, "UNVOTED-TEXT")
    monkeypatch.setattr(prerender, "_render_with", render)
    build(site.root, search=False)
    assert_nowhere(site.root, "UNVOTED-TEXT")
    assert "APPROVED-TEXT" in (site.root / "output/springfield/good.html").read_text()


@pytest.mark.parametrize("text", [
    "Press_source_sha256: {sha}\nTitle: Good news\n\nUNVOTED-TEXT\n",
    "---\ntitle: Good news\npress_source_sha256: {sha}\n---\n\nUNVOTED-TEXT\n",
], ids=["header", "front matter"])  # fmt: skip
def test_a_writers_own_source_digest_field_vouches_for_nothing(site, monkeypatch, text):
    """The digest of what the reader rendered is a field only the reader fills: other bytes that name
    the voted bytes' digest in their own metadata are still not the voted bytes."""
    article, voted, _ = _voted_and_not(site)
    _rendered_while_edited(monkeypatch, article, voted, text.format(sha=hashlib.sha256(voted).hexdigest()).encode())
    with pytest.raises(BuildFailed, match="content/springfield/good.md: changed while the build read it"):
        build(site.root, search=False)
    assert_nowhere(site.root, "UNVOTED-TEXT")


def test_an_attachment_removed_while_the_build_reads_it_fails_the_build(site, monkeypatch):
    """The bundle was whole when the press loaded and is not when the gate reads it: the build fails
    and says so, rather than publish a site without the article."""
    import press.site

    site.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    site.article("springfield", "rent", title="Rent", body="RENT-BODY ![The march](rent/photo.png)")
    vote(site, "rent")
    gate = press.site.gate

    def removed(*args):
        (site.root / "content/springfield/rent/photo.png").unlink()
        return gate(*args)

    monkeypatch.setattr(press.site, "gate", removed)
    with pytest.raises(BuildFailed, match="content/springfield/rent.md: changed while the build read it — build again"):
        build(site.root, search=False)
    assert_nowhere(site.root, "RENT-BODY", b"VOTED-PHOTO")


def test_html_from_another_reader_is_never_published(site, monkeypatch):
    """The gate knows which bytes a page shows only from the press's reader: HTML without its digest
    (a plugin's reader, say) publishes nothing and fails the build, naming the article."""
    from press.site import PressReader, prerender

    read_as = PressReader.read_as

    def foreign(self, *args, **kwargs):
        content, metadata = read_as(self, *args, **kwargs)
        metadata[prerender.SOURCE] = str(metadata[prerender.SOURCE])  # the same digest, not the reader's own
        return content, metadata

    monkeypatch.setattr(PressReader, "read_as", foreign)
    with pytest.raises(BuildFailed, match="content/springfield/good.md: not read by the press's Markdown reader"):
        build(site.root, search=False)
    assert_nowhere(site.root, "APPROVED-TEXT")


# --------------------------------------------------------------------------- class: incremental builds trust old output


def test_incremental_builds_never_reuse_output_they_cannot_vouch_for(site):
    build(site.root, search=False)
    page = site.root / "output/springfield/good.html"
    feed = site.root / "output/springfield/feed.atom"
    page.write_text(page.read_text().replace("APPROVED-TEXT", "HAND-EDITED"))
    feed.write_text(feed.read_text().replace("Good news", "HAND-EDITED"))
    forged = [site.root / "output/springfield/forged.html", site.root / "output/springfield/good"]
    forged[0].write_text("FORGED-PAGE")
    forged[1].mkdir()
    (forged[1] / "forged.png").write_bytes(PNG + b"FORGED-PHOTO")
    # files press did not write are not its to delete: the build refuses, naming them (press.output)
    from press.output import OutputRefused

    with pytest.raises(OutputRefused, match="press did not write springfield/forged.html, springfield/good/ in "):
        build(site.root, search=False)
    forged[0].unlink()
    (forged[1] / "forged.png").unlink()
    forged[1].rmdir()
    outside = Outside(site.root)
    again = build(site.root, search=False)
    outside.unchanged()
    assert again.memo.reused > 0  # still incremental, for files that are as written
    assert "APPROVED-TEXT" in page.read_text()
    assert "Good news" in feed.read_text()
    assert_nowhere(site.root, "HAND-EDITED", "FORGED-PAGE", b"FORGED-PHOTO")


# --------------------------------------------------------------------------- class: verify and build disagree


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("editorial/meetings/springfield/9999-01-05.yml", "present: [ana]\n", "editorial/meetings/springfield/9999-01-05.yml: meeting date 9999-01-05 is out of range — dates are between 1900-01-01 and 2999-12-31"),
        ("editorial/meetings/springfield/9998-12-31.yml", "present: [ana]\n", "meeting date 9998-12-31 is out of range"),
        ("editorial/meetings/springfield/2026-10-06.yml", "present: " + "9" * 5000 + "\n", "editorial/meetings/springfield/2026-10-06.yml:1: number 999999999999… is too large"),
        ("editorial/meetings/springfield/2026-10-06.yml", "present: [ana]\nmotions:\n  - reject: springfield/good\n    yes: " + "1" * 4301 + "\n", "2026-10-06.yml:4: number 111111111111… is too large"),
        ("editorial/assemblies/riverside.yml", "name: R\nmembers:\n  - {id: ana, name: Ana, joined: 9999-01-01}\n", "editorial/assemblies/riverside.yml:3: 'joined' 9999-01-01 is out of range"),
        ("content/springfield/good.md", "Title: Good news\nAudio: https://cdn.example.org/a.mp3\nAudio_length: " + "9" * 5000 + "\n\nAPPROVED-TEXT\n", "content/springfield/good.md:2: Audio_length '99999999999999999999' must be a number of bytes (at most 15 digits)"),
        ("content/springfield/good.md", "Title: Good news\nAudio: https://cdn.example.org/a.mp3\nAudio_length: 10\nDuration: " + "9" * 5000 + "\n\nAPPROVED-TEXT\n", "content/springfield/good.md:2: Duration '99999"),
    ],
)
def test_verify_reports_everything_that_would_break_the_build(site, file, text, message):
    site.write(file, text)
    result = cli(site.root, "verify")
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "internal error" not in result.output
    outside = Outside(site.root)
    built = cli(site.root, "build")
    assert built.exit_code == 1 and message in built.output
    assert output_bytes(site.root) == {}
    outside.unchanged()


def test_parsed_records_are_never_reused_by_other_press_code(site, monkeypatch):
    site.meeting("springfield", "2026-10-06", "present: [ana]\n")
    assert site.problems() == []  # parsed, and cached
    monkeypatch.setattr("press.cache.press_version", lambda: "a newer press")
    monkeypatch.setattr("press.records.date_in_range", lambda day: False)  # the newer press's rule
    assert "editorial/meetings/springfield/2026-10-06.yml: meeting date 2026-10-06 is out of range — dates are between 1900-01-01 and 2999-12-31" in site.problems()


# --------------------------------------------------------------------------- the positive list


def test_a_file_nobody_claimed_fails_the_build_and_keeps_the_old_site(site, monkeypatch):
    from press.site import generator

    build(site.root, search=False)
    before = tree(site.root / "output")
    change_an_input(site.root)
    original = generator.PressGenerator._write_sitemap

    def also_a_stray_file(self):
        original(self)
        (Path(self.output_path) / "springfield" / "stray.html").write_text("STRAY")

    monkeypatch.setattr(generator.PressGenerator, "_write_sitemap", also_a_stray_file)
    with pytest.raises(BuildFailed) as failed:
        build(site.root, search=False)
    assert "output/springfield/stray.html: no reason to publish this file" in str(failed.value)
    assert tree(site.root / "output") == before


def test_a_page_written_over_after_it_was_claimed_fails_the_build(site, monkeypatch):
    from press.site import PressWriter

    original = PressWriter.finish  # the pages to make are rendered and claimed here, at the end of the run

    def and_overwrite_an_article(self):
        original(self)
        (Path(self.output_path) / "springfield" / "good.html").write_text("OVERWRITTEN-PAGE")

    monkeypatch.setattr(PressWriter, "finish", and_overwrite_an_article)
    with pytest.raises(BuildFailed) as failed:
        build(site.root, search=False)
    assert "output/springfield/good.html: changed after it was written (as the page of springfield/good, approved 2026-09-01) — something else wrote over it" in str(failed.value)
    assert output_bytes(site.root) == {}


def test_two_sources_claiming_one_path_fail_the_build(site):
    site.write("content/images/logo.png", PNG + b"LOGO")
    conf = site.root / "pelicanconf.py"
    conf.write_text(conf.read_text() + '\nEXTRA_PATH_METADATA = {"images/logo.png": {"save_as": "springfield/good.html"}}\n')
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert "output/springfield/good.html: claimed by " in result.output
    assert "two sources may not write one path" in result.output
    assert output_bytes(site.root) == {}


def test_every_output_file_has_a_reason(sample):
    result = build(sample)
    reasons = result.outputs.reasons()
    files = {p.relative_to(result.output).as_posix() for p in result.output.rglob("*") if p.is_file()}
    assert files == set(reasons)  # the search index too: every file of it is claimed by its rule
    assert reasons["springfield/rent-strike-wins/rent-rise.png"] == "an attachment of springfield/rent-strike-wins, covered by the vote of 2026-10-06"
    assert reasons["harbor/radio-hour/radio-hour.mp3"] == "an attachment of harbor/radio-hour, covered by the vote of 2026-11-05"
    assert reasons["springfield/rent-strike-wins.html"] == "the page of springfield/rent-strike-wins, approved 2026-10-06"
    assert reasons["about.html"] == "the maintainers' page content/pages/about.md"
    assert reasons["theme/css/press.css"] == "a file of the theme"


@pytest.mark.parametrize("name", ["../x.html", "a/../../x.html", "/etc/passwd", "", "."])
def test_the_positive_list_never_writes_outside_the_output_folder(tmp_path, name):
    from press.site.outputs import OutputList, OutsideOutput

    outputs = OutputList(tmp_path / "out")
    with pytest.raises(OutsideOutput, match="refusing to write outside the output folder"):
        outputs.write(name, b"X", "a test")
    assert [p for p in tmp_path.rglob("*")] == []
    assert outputs.relative("a/./b/../c.html") == "a/c.html"


def test_a_pull_request_that_swaps_an_attachment_and_approves_it_is_self_approval(repo):
    repo.write("content/springfield/rent/photo.png", PNG + b"VOTED-PHOTO")
    repo.article("springfield", "rent", title="Rent", body="![The march](rent/photo.png)")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article and vote")
    git(repo.root, "checkout", "-q", "-b", "change")
    repo.write("content/springfield/rent/photo.png", PNG + b"SWAPPED-PHOTO")
    repo.publish("springfield", "rent", "2026-11-03")
    commit(repo.root, "New photo, approved by myself", author="Writer Wu <wu@example.org>")
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "this change both edits springfield/rent and records its approval, both done by" in result.output

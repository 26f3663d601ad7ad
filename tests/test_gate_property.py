"""A property of every build: each output file is on the positive list, and no byte of an unpublished
article or of an attachment no vote covers appears in any output file.

Hypothesis writes random presses: articles with random bundles (allowed and hostile attachments),
links between articles, their bundles, other assemblies, pages and files outside content/, pages
with hostile metadata, votes that cover the bundle as it is, as it was, or not at all. The oracle
below states the rules independently of the press: which links and attachments are allowed (from
the bundle section of docs/editorial-records.md) and which articles a vote covers (digests
computed here, as that guide describes them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import PressDir
from press.build import BuildFailed, build

PNG = b"\x89PNG\r\n\x1a\n"
MP3 = b"ID3\x04"
# name -> (bytes prefix, allowed)
ATTACHMENTS = {
    "photo.png": (PNG, True),
    "deep/chart.png": (PNG, True),
    "talk.mp3": (MP3, True),
    "minutes.pdf": (b"%PDF-1.7\n", True),
    "fake.png": (b"<html><script>", False),
    "icon.svg": (b"<svg onload=alert(1)>", False),
    "page.html": (b"<script>", False),
    "notes.txt": (b"", False),
    "other.md": (b"Title: x\n\n", False),
}
SLUGS = ["alpha", "beta", "gamma"]


@st.composite
def link(draw, slug: str, bundles: dict[str, list[str]], hostile: bool):
    """(markdown link target, allowed by the rules); only allowed ones unless ``hostile``."""
    other = draw(st.sampled_from([s for s in SLUGS if s != slug]))
    own = bundles[slug]
    choices = [
        (f"{other}.html", True),  # another article's page: a URL, nothing copied
        ("{filename}" + f"{other}.md", True),
        (f"{{static}}{other}/photo.png", False),
        (f"{{attach}}../riverside/{other}.md", False),
        (f"{other}.md", False),
        ("{static}../../../etc/hostname", False),
        ("{attach}/index.html", False),
        (f"{{static}}{slug}/missing.png", False),
        ("https://example.org/x.png", True),
    ]
    for name in own:
        allowed = ATTACHMENTS[name][1]
        choices += [(f"{slug}/{name}", allowed), (f"{{attach}}{slug}/{name}", allowed), (f"{{static}}{slug}/{name}", allowed)]
    return draw(st.sampled_from([c for c in choices if hostile or c[1]]))


@st.composite
def presses(draw):
    """One press in three may hold hostile links, attachments or pages; the others only allowed ones."""
    hostile = draw(st.integers(0, 2)) == 0
    names = sorted(n for n, (_, ok) in ATTACHMENTS.items() if hostile or ok)
    articles = {}
    bundles = {slug: draw(st.lists(st.sampled_from(names), unique=True, max_size=3)) for slug in SLUGS}
    for slug in SLUGS:
        links = draw(st.lists(link(slug, bundles, hostile), max_size=3))
        vote = draw(st.sampled_from(["as-is", "as-is", "before-attachment-change", "none"]))
        articles[slug] = (links, vote)
    page = draw(st.sampled_from([p for p in [
        ("Lang: x/../springfield/alpha\n", "", True),
        ("Slug: alpha\nLang: fr\nTranslation: true\n", "", True),
        ("Save_as: springfield/beta.html\n", "", True),
        ("", "[logo]({static}/images/logo.png)", True),
        ("", "[src]({static}../springfield/alpha.md)", False),
        ("", "[x]({attach}../springfield/beta/photo.png)", False),
    ] if hostile or p[2]]))  # fmt: skip
    return bundles, articles, page


def marker(kind: str, slug: str, name: str = "") -> bytes:
    return f"MARK-{kind}-{slug}-{name}-END".replace("/", "_").encode()


def write(p: PressDir, bundles, articles, page) -> tuple[dict[str, bool], bool]:
    """The press on disk. Returns which articles a vote covers as they are, and whether the build may go ahead:
    all input is allowed, except in drafts no motion names (the build leaves those out with a warning)."""
    p.buildable()
    p.assembly()
    p.assembly("riverside")
    p.write("content/images/logo.png", PNG + b"LOGO")
    allowed = page[2]
    for slug in SLUGS:
        links, vote = articles[slug]
        voted = vote != "none"
        for name in bundles[slug]:
            prefix, ok = ATTACHMENTS[name]
            p.write(f"content/springfield/{slug}/{name}", prefix + marker("FILE", slug, name))
            allowed &= ok or not voted
        body = "\n\n".join([marker("BODY", slug).decode(), *(f"[link {i}]({target})" for i, (target, _) in enumerate(links))])
        p.article("springfield", slug, title=marker("TITLE", slug).decode(), body=body)
        allowed &= all(ok for _, ok in links) or not voted
    p.write("content/pages/extra.md", f"Title: Extra\n{page[0]}\nPAGE-TEXT {page[1]}\n")
    motions, covered = [], {}
    for slug in SLUGS:
        vote = articles[slug][1]
        covered[slug] = vote == "as-is"
        if vote != "none":
            motions.append(f"  - publish: springfield/{slug}\n    digest: {p.digest('springfield', slug)}\n    yes: [ana, ben]\n")
        if vote == "before-attachment-change":  # an attachment added after the vote
            p.write(f"content/springfield/{slug}/late.png", PNG + marker("FILE", slug, "late.png"))
    if motions:
        p.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n" + "".join(motions))
    return covered, allowed


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, but the output's own build folders (``.output.builds/``: the builds,
    their marker and lock, kept beside the output so that it can be swapped atomically)."""
    return {
        f.relative_to(folder).as_posix(): f.read_bytes()
        for f in folder.rglob("*")
        if f.is_file() and not any(part.startswith(".output.") for part in f.relative_to(folder).parts)
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=presses())
def test_every_output_file_is_accounted_for_and_nothing_unvoted_leaks(tmp_path_factory, case):
    base = tmp_path_factory.mktemp("gate")
    p = PressDir(base / "press")
    covered, allowed = write(p, *case)
    around = {k: v for k, v in files_of(base).items()}
    out = base / "press" / "output"
    try:
        result = build(p.root, out, search=False)
    except BuildFailed as failed:
        event("refused")
        assert not allowed, f"an allowed press was refused: {failed.reasons}"
        assert not out.exists()
        assert files_of(base) == around  # nothing written anywhere
        return
    event(f"built, {sum(covered.values())} article(s) covered")
    assert allowed, "a press with a hostile link or attachment was built"
    site = files_of(out)
    reasons = result.outputs.reasons()
    assert set(site) == set(reasons), "files in the output that are not on the positive list"
    assert {k: v for k, v in files_of(base).items() if not k.startswith("press/output/")} == around
    published = {slug for slug in SLUGS if covered[slug]}
    for name, data in site.items():
        parts = name.split("/")
        if parts[0] == "springfield" and len(parts) > 2:  # an attachment: of a covered article, as on disk
            assert parts[1] in published, name
            assert data == (p.root / "content" / name).read_bytes()
    for slug in SLUGS:
        needles = [marker("FILE", slug, "late.png")]
        if slug not in published:
            needles += [marker("BODY", slug), marker("TITLE", slug)] + [marker("FILE", slug, n) for n in case[0][slug]]
        for needle in needles:
            leaks = [name for name, data in site.items() if needle in data]
            assert leaks == [], f"{needle!r} leaked into {leaks}"
        if slug in published:
            assert marker("BODY", slug) in site[f"springfield/{slug}.html"]
    shutil.rmtree(base, ignore_errors=True)

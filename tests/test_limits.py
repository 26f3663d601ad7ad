"""Size limits and linear scanners: a hostile draft can neither stall a check nor stop the build of the rest.

Drafts of the shapes that make backtracking scanners quadratic (unclosed tags, nested brackets, long runs of
``*``, ``_``, ``[``, ``<``, backticks, deep lists) are refused over the Markdown limit and scanned below it.
The guard on scanning is a subprocess timeout far above the expected time: it catches a hang, it does not time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from press import limits
from press.cli import main
from conftest import commit, git

MIB = 1024 * 1024
HEADER = b"Title: Hostile\n\n"
# What makes a backtracking scanner read the rest of the file again at every step.
SHAPES = {
    "unclosed-tags": b"<a",
    "unclosed-attributes": b"<a href=",
    "nested-brackets": b"[",
    "link-openers": b"](",
    "reference-openers": b"[x]:",
    "stars": b"*",
    "underscores": b"_",
    "angles": b"<",
    "backticks": b"`",
    "fences": b"```\n",
    "deep-lists": b"".join(b"  " * depth + b"- x\n" for depth in range(200)),
}


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def hostile(size: int, unit: bytes) -> bytes:
    """A draft of exactly ``size`` bytes: a header, then ``unit`` over and over."""
    body = unit * ((size - len(HEADER)) // len(unit) + 1)
    return HEADER + body[: size - len(HEADER)]


def too_large(rel: str, size: int) -> str:
    return (f"{rel}: the article is {size:,} bytes; articles and pages are limited to {limits.MAX_MARKDOWN_BYTES:,} bytes"
            " — split it, or move long material into an attachment")


@pytest.fixture
def site(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.article("springfield", "good", title="Good news", body="APPROVED-TEXT")
    pressdir.publish("springfield", "good", "2026-09-01")
    return pressdir


def test_five_megabyte_hostile_drafts_are_refused_with_the_limit(pressdir):
    pressdir.assembly()
    size = 5 * MIB
    for name, unit in SHAPES.items():
        pressdir.write(f"content/springfield/{name}.md", hostile(size, unit))
    result = cli(pressdir.root, "verify")
    assert result.exit_code == 1, result.output
    for name in SHAPES:
        assert too_large(f"content/springfield/{name}.md", size) in result.output
    assert "Traceback" not in result.output


def test_drafts_just_under_the_limit_are_scanned_without_hanging(pressdir):
    pressdir.assembly()
    size = limits.MAX_MARKDOWN_BYTES - 1
    for name, unit in SHAPES.items():
        pressdir.write(f"content/springfield/{name}.md", hostile(size, unit))
    command = [sys.executable, "-c", "from press.cli import main; main()", "--root", str(pressdir.root), "verify"]
    try:  # a guard against a hang (the scan takes well under a second per draft), not a timed assertion
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ)
    except subprocess.TimeoutExpired:
        pytest.fail("press verify did not finish scanning drafts under the size limit within 60 s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(SHAPES)} articles checked" in done.stdout


def test_a_page_over_the_limit_is_refused(pressdir):
    pressdir.assembly()
    pressdir.write("content/pages/about.md", hostile(limits.MAX_MARKDOWN_BYTES + 1, b"<a"))
    assert pressdir.problems() == [too_large("content/pages/about.md", limits.MAX_MARKDOWN_BYTES + 1)]


def test_a_hostile_unvoted_draft_is_left_out_and_the_rest_is_built(site):
    big = 5 * MIB
    site.write("content/springfield/stall.md", hostile(big, b"<a"))
    site.write("content/springfield/escape.md", b"Title: Escape\n\nDRAFT-TEXT [secret](../../editorial/x.pdf)\n" + b"<a" * 1000)
    verify = cli(site.root, "verify")
    assert verify.exit_code == 1
    assert too_large("content/springfield/stall.md", big) in verify.output
    assert "content/springfield/escape.md:3: link ../../editorial/x.pdf climbs out" in verify.output

    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    assert f"warning: {too_large('content/springfield/stall.md', big)} (an unvoted draft: left out of the build)" in result.output
    assert "warning: content/springfield/escape.md:3: link ../../editorial/x.pdf climbs out" in result.output
    out = site.root / "output"
    assert "APPROVED-TEXT" in (out / "springfield" / "good.html").read_text()
    assert not (out / "springfield" / "stall.html").exists() and not (out / "springfield" / "escape.html").exists()
    assert not any(b"DRAFT-TEXT" in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_a_voted_article_over_the_limit_fails_the_build(site):
    build = cli(site.root, "build")
    assert build.exit_code == 0, build.output
    before = {p: p.read_bytes() for p in (site.root / "output").rglob("*") if p.is_file()}
    size = limits.MAX_MARKDOWN_BYTES + 10
    site.write("content/springfield/long.md", hostile(size, b"*"))
    site.publish("springfield", "long", "2026-10-06", digest="sha256:" + "0" * 64)
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert too_large("content/springfield/long.md", size) in result.output
    assert "left out" not in result.output
    assert {p: p.read_bytes() for p in (site.root / "output").rglob("*") if p.is_file()} == before


def test_a_hostile_draft_fails_the_pull_request_check(repo):
    git(repo.root, "checkout", "-q", "-b", "change")
    repo.write("content/springfield/stall.md", hostile(2 * MIB, b"["))
    commit(repo.root, "Draft", author="Writer Wu <wu@example.org>")
    result = cli(repo.root, "check", "--base", "main", "--author", "wu-writes")
    assert result.exit_code == 1, result.output
    path, message = too_large("content/springfield/stall.md", 2 * MIB).split(": ", 1)
    assert f"- `{path}`: {message}" in result.output


PNG = b"\x89PNG\r\n\x1a\n"


def test_attachments_over_their_limits_are_refused(pressdir, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ATTACHMENT_BYTES", 1000)
    monkeypatch.setattr(limits, "MAX_BUNDLE_BYTES", 1500)
    pressdir.assembly()
    pressdir.article("springfield", "photos")
    pressdir.write("content/springfield/photos/a.png", PNG + bytes(700))
    pressdir.write("content/springfield/photos/b.png", PNG + bytes(1200))
    pressdir.article("springfield", "small")
    pressdir.write("content/springfield/small/a.png", PNG + bytes(900))
    assert pressdir.problems() == [
        "content/springfield/photos: the article's attachments are 1,916 bytes together; an article's attachments are limited to 1,500 bytes — compress them or leave some out",
        "content/springfield/photos/b.png: attachment is 1,208 bytes; an attachment is limited to 1,000 bytes — compress it or link it from elsewhere",
    ]


def test_an_oversized_signature_is_refused_unread(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-10-06")
    pressdir.write("editorial/meetings/springfield/2026-10-06.yml.ana.sig", b"-" * (limits.MAX_SIGNATURE_BYTES + 1))
    assert pressdir.problems() == [
        f"editorial/meetings/springfield/2026-10-06.yml.ana.sig: signature is {limits.MAX_SIGNATURE_BYTES + 1:,} bytes; "
        f"signatures are limited to {limits.MAX_SIGNATURE_BYTES:,} bytes — sign the record again"
    ]


SCANNERS = """
import sys
from press import bundle, frontmatter, limits, records
from press.sanitize import clean_html, strip_tags
from press.site import generator, search

shapes = {shapes!r}
shapes.update({{"unclosed-names": b"<a " + b"b" * 64, "open-values": b' href="x', "open-comments": b"<!--", "quoted-tags": b'<img alt="<a'}})
size = limits.MAX_MARKDOWN_BYTES - 1
for name, unit in shapes.items():
    text = (unit * (size // len(unit) + 1))[:size].decode()
    bundle.links(text)
    bundle.page_link_problems("content/pages/p.md", text)
    records.parse_metadata(text)
    frontmatter.to_header("---\\ntitle: x\\n---\\n" + text)
    strip_tags(text)
    generator._absolute_links(text, "https://example.org/a/b.html")
    cleaned = clean_html(text)
    strip_tags(cleaned)
    generator._absolute_links(cleaned, "https://example.org/a/b.html")
    search.record_of("<html><body data-pagefind-body>" + cleaned + "</body></html>")  # pages are built HTML
    print(name, flush=True)
"""


def test_every_scanner_reads_hostile_text_without_hanging():
    """Each scanner of writer-supplied text, on each hostile shape just under the Markdown limit. Each
    shape takes well under a second; the 120 s guard catches a quadratic or exponential scanner."""
    script = SCANNERS.format(shapes=SHAPES)
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=os.environ)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"a scanner did not finish within 120 s; finished: {exc.stdout!r}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [*SHAPES, "unclosed-names", "open-values", "open-comments", "quoted-tags"]


def test_files_far_over_a_limit_are_refused_without_being_read(pressdir):
    """3 GiB (sparse) article and meeting record, checked by a press whose memory is capped at 1.5 GiB: reading
    either would fail; the limits are checked on the file's size first."""
    import resource

    pressdir.assembly()
    huge = 3 * 1024 * MIB
    for rel in ("content/springfield/huge.md", "editorial/meetings/springfield/2026-10-06.yml"):
        path = pressdir.write(rel, b"")
        os.truncate(path, huge)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * MIB, 1536 * MIB))

    command = [sys.executable, "-c", "from press.cli import main; main()", "--root", str(pressdir.root), "verify"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ, preexec_fn=cap)
    assert done.returncode == 1, done.stdout + done.stderr
    assert too_large("content/springfield/huge.md", huge) in done.stdout
    assert f"editorial/meetings/springfield/2026-10-06.yml: {limits.record_too_large(huge)}" in done.stdout


def test_the_linear_link_scanner_finds_what_the_backtracking_patterns_found():
    """The patterns the scanner replaced, on short random texts made of the pieces links, tags and fences are made
    of: the same links, targets and lines (the old patterns are quadratic, so only short texts)."""
    import random
    import re
    from urllib.parse import unquote, urlsplit

    from press import bundle

    inline = re.compile(r"""\]\(\s*<?([^\s"'<>)]+)""")
    reference = re.compile(r"""^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s"'<>]+)""", re.M)
    tag_re = re.compile(r"<[A-Za-z][^>]*>")
    attribute = re.compile(r"""\s(?:src|href|poster|data|cite|formaction|action|content)\s*=\s*["']?(?P<target>[^\s"'<>]+)""", re.I)
    fence = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[^\n]*$|\Z)", re.M | re.S)
    intrasite = re.compile(r"^(?:\{(?P<what>\w+)\}|\|(?P<what2>\w+)\|)(?P<path>.*)$")

    def before(text: str) -> list[bundle.Link]:
        fenced = [m.span() for m in fence.finditer(text)]
        found = [(m.start(), m[1]) for m in inline.finditer(text)] + [(m.start(), m[1]) for m in reference.finditer(text)]
        for tag in tag_re.finditer(text):
            found += [(tag.start() + m.start(), m["target"]) for m in attribute.finditer(tag[0])]
        links = []
        for at, target in sorted(found):
            if not any(a <= at < b for a, b in fenced):
                m = intrasite.match(target)
                links.append(bundle.Link(text.count("\n", 0, at) + 1, target, (m["what"] or m["what2"]).lower() if m else None,
                                         unquote(urlsplit(m["path"] if m else target).path)))  # fmt: skip
        return links

    pieces = ["`", "```", "~~~", "````", "\n", " ", "    ", "[", "]", "(", ")", "](", "]:", "<", ">", "<a", " href=", "src",
              "=", '"', "'", "x", "{static}", "|attach|", "\t", "a.png", "<img src=", "[x]: ", "\n```\n"]  # fmt: skip
    rng = random.Random(22)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert bundle.links(text) == before(text), text


def test_images_without_alt_text_get_a_bounded_number_of_warnings(site):
    """Each warning searches the article for its line; past 20 they are counted, so the warnings stay linear."""
    body = "\n\n".join(f"![](gallery/p{i}.png)" for i in range(25))
    site.article("springfield", "gallery", title="Gallery", body=body)
    for i in range(25):
        site.write(f"content/springfield/gallery/p{i}.png", PNG + bytes([i]))
    site.publish("springfield", "gallery", "2026-10-06")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert "warning: content/springfield/gallery.md:3: image gallery/p0.png has no alt text" in result.output
    assert result.output.count("has no alt text — describe it") == 20
    assert "warning: content/springfield/gallery.md: 5 more images have no alt text — describe each" in result.output

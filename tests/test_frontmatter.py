"""Articles with YAML front matter (what the browser desk writes): read through the records' strict
YAML loader, with the same hostile inputs refused as path:line, and the same things a writer cannot set."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from press import frontmatter
from press.cli import main

ARTICLE = "content/springfield/elm.md"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def front(yaml: str, body: str = "Elm Street needs bike lanes.\n") -> bytes:
    return ("---\n" + yaml + "---\n" + body).encode("utf-8")


@pytest.fixture
def site(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    return pressdir


def test_front_matter_is_read_like_a_header(site):
    site.write(ARTICLE, front(
        "title: 'Bike lanes: now'\nauthors:\n  - Ana Ruiz\n  - Ben Okafor\nsummary: Paint them this spring.\n"
        "tags: [transport, streets]\nlang: en\n"
    ))  # fmt: skip
    press = site.load()
    assert press.problems == []
    article = press.records.articles["springfield/elm"]
    assert article.title == "Bike lanes: now"
    assert article.metadata["authors"] == "Ana Ruiz, Ben Okafor"
    assert article.metadata["tags"] == "transport, streets"
    site.publish("springfield", "elm", "2026-10-06")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    page = (site.root / "output" / "springfield" / "elm.html").read_text(encoding="utf-8")
    assert "<h1 class=\"p-name\" data-pagefind-meta=\"title\">Bike lanes: now</h1>" in page
    assert ">Ana Ruiz</a>, <a" in page and ">Ben Okafor</a>" in page
    assert "Elm Street needs bike lanes." in page
    assert "title:" not in page and "---" not in page
    assert (site.root / "output" / "tag" / "streets.html").is_file()


def test_writer_set_status_date_and_paths_are_ignored_in_front_matter(site):
    site.write(ARTICLE, front(
        "title: Sneaky\nstatus: published\ndate: 2020-01-01\nsave_as: index.html\nurl: index.html\n"
        "slug: other\ntemplate: page\ncategory: harbor\n"
    ))  # fmt: skip
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    output = site.root / "output"
    assert "Sneaky" not in "".join(p.read_text(encoding="utf-8", errors="replace") for p in output.rglob("*.html"))
    assert not (output / "springfield" / "elm.html").exists()

    site.publish("springfield", "elm", "2026-10-06")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    page = (output / "springfield" / "elm.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-10-06">' in page and "2020" not in page
    assert "Sneaky" not in (output / "index.html").read_text(encoding="utf-8").split("<main", 1)[0]
    assert not (output / "springfield" / "other.html").exists()


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("title: &t A\nsummary: *t\n", f"{ARTICLE}:3: YAML aliases (*t) are not allowed"),
        ('a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n', f"{ARTICLE}:3: YAML aliases (*a) are not allowed"),
        ("title: !!python/object:os.system x\n", f"{ARTICLE}:2: unsupported YAML tag"),
        ("title: A\n<<: {status: published}\n", f"{ARTICLE}:3: merge keys (<<) are not allowed"),
        ("title: A\ntitle: B\n", f"{ARTICLE}:3: duplicate key 'title' (first at line 1)"),
        ("title: A\nTitle: B\n", f"{ARTICLE}:3: field 'Title' is given twice (first at line 2)"),
        ("title: A\ntags:\n\t- x\n", f"{ARTICLE}:4: invalid YAML: found a tab character"),
        ("title: A\ntags: [[[[[[[[[[[[[[x]]]]]]]]]]]]]]\n", f"{ARTICLE}:3: nested deeper than 12 levels"),
        ("title: A\nsummary: {a: 1}\n", f"{ARTICLE}:3: 'summary' must be text or a list, not a mapping"),
        ("title: A\nsummary: [a, b]\n", f"{ARTICLE}:3: 'summary' must be text — only tags and authors may be lists"),
        ("title: A\ntags: [a, [b]]\n", f"{ARTICLE}:3: each of 'tags' must be one line of text"),
        ("- title\n- A\n", f"{ARTICLE}:2: front matter must be 'key: value' lines"),
        ("title: [unclosed\n", f"{ARTICLE}:3: invalid YAML"),
        ("title: A\n\x00: x\n", f"{ARTICLE}:3: invalid character"),
    ],
)
def test_hostile_front_matter_is_refused_with_file_and_line(site, yaml, expected):
    site.write(ARTICLE, front(yaml))
    problems = site.problems()
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    result = cli(site.root, "build", "--no-search")  # an unvoted draft: left out, never stopping the build
    assert result.exit_code == 0 and f"warning: {expected}" in result.output, result.output
    assert "(an unvoted draft: left out of the build)" in result.output
    assert not (site.root / "output" / "springfield" / "elm.html").exists()
    site.publish("springfield", "elm", "2026-10-06", digest="sha256:" + "0" * 64)
    result = cli(site.root, "build", "--no-search")  # voted: the problem fails the build
    assert result.exit_code == 1 and expected in result.output and "left out" not in result.output


def test_front_matter_without_an_end_or_too_big_is_refused(site):
    site.write(ARTICLE, b"---\ntitle: A\n\nNo closing line.\n")
    assert site.problems() == [f"{ARTICLE}:1: the front matter that starts here has no closing '---' line — end it with a line of three dashes"]
    site.write(ARTICLE, front("title: A\nsummary: " + "x" * 70_000 + "\n"))
    assert site.problems() == [f"{ARTICLE}:1: front matter is 70,019 bytes; it is limited to 65,536 bytes"]


def test_a_body_that_looks_like_metadata_stays_body(site):
    site.write(ARTICLE, front("title: Real title\n", body="Status: published\nTitle: Fake\n\nText.\n"))
    article = site.load().records.articles["springfield/elm"]
    assert article.title == "Real title"
    assert "status" not in article.metadata


def test_a_vote_binds_the_front_matter_bytes(site):
    site.write(ARTICLE, front("title: Elm\n"))
    site.publish("springfield", "elm", "2026-10-06")
    assert site.load().decisions.articles["springfield/elm"].state == "published"
    site.write(ARTICLE, front("title: Elm\ntags: [changed]\n"))
    assert site.load().decisions.articles["springfield/elm"].state == "edited-since-approval"


# --------------------------------------------------------------------------- fuzz

PIECES = ["---\n", "...\n", "title: ", "tags:\n", "  - ", "[", "]", "{", "}", "&a ", "*a", "!!python/name:os.system ", "<<: ",
          "\t", "\x00", "\ufeff", "é", ": ", "|\n", "  ", "\n", "status: published\n", "#", "'", '"', "2026-02-30", "no"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=30))
def test_any_front_matter_is_read_or_refused_never_a_crash(parts):
    text = "---\n" + "".join(parts)
    try:
        header = frontmatter.to_header(text)
    except frontmatter.FrontMatterProblem as problem:
        assert 1 <= problem.line <= text.count("\n") + 1 and str(problem)
        return
    # What was read is a header and a body: whatever the YAML held, its end line never leaks into the text.
    assert "\n\n" in header and not header.startswith("---")

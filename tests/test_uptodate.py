"""A build with nothing changed does nothing — and anything changed, in the inputs or in the site,
makes it build. (What "up to date" means: press/uptodate.py.)"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PressDir, commit, git
from press import cache, uptodate
from press.store import Store, salt
from press.build import build
from press.cli import main
from test_incremental import clean_build, tree


pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py

def site_of(root: Path) -> Path:
    return (root / "output").resolve()


def test_nothing_changed_leaves_the_site_alone(sample):
    first = build(sample)
    folder, index = site_of(sample), (sample / "output" / "index.html").stat().st_ino
    again = build(sample)
    assert again.unchanged and again.press is None
    assert site_of(sample) == folder and (sample / "output" / "index.html").stat().st_ino == index
    assert again.warnings == first.warnings and again.summary() == first.summary()
    result = CliRunner().invoke(main, ["--root", str(sample), "build"])
    assert result.exit_code == 0, result.output
    assert "is up to date: nothing the build reads changed" in result.output
    assert first.summary()[0] in result.output  # the summary is repeated, from the record


def _same_size_same_time(path: Path, old: str, new: str) -> None:
    """An edit that keeps the file's size and modification time (only its status-change time moves)."""
    st = path.stat()
    text = path.read_text()
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new, 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


INPUT_CHANGES = {
    "an article edited, same size and time": lambda root: _same_size_same_time(root / "content/harbor/ferry-cuts.md", "ferry", "FERRY"),
    "a roster edited, same size and time": lambda root: _same_size_same_time(
        root / "editorial/assemblies/harbor.yml", "Harbour Workers", "Harbour Wirkers"
    ),
    "a new article awaiting a vote": lambda root: (root / "content/harbor/new-pier.md").write_text(
        "Title: A new pier\nAuthor: Ana Ruiz\nSummary: Plans.\n\nThe pier plans.\n"
    ),
    "a template edited": lambda root: (root / "theme/templates/base.html").write_text(
        (root / "theme/templates/base.html").read_text().replace("Skip to content", "Skip to the news")
    ),
    "a setting changed": lambda root: (root / "pelicanconf.py").write_text(
        (root / "pelicanconf.py").read_text() + '\nSITESUBTITLE = "Approved, every word"\n'
    ),
}


@pytest.mark.parametrize("change", list(INPUT_CHANGES))
def test_a_changed_input_is_built(sample, tmp_path, monkeypatch, change):
    build(sample)
    INPUT_CHANGES[change](sample)
    again = build(sample)
    assert not again.unchanged and again.press is not None
    assert tree(sample / "output") == clean_build(sample, tmp_path, monkeypatch, "after")


def _edit(site: Path) -> None:
    page = next(site.glob("harbor/*.html"))
    page.write_text(page.read_text().replace("</body>", "<script>alert(1)</script></body>"))


SITE_CHANGES = {
    "a page edited in the output": _edit,
    "a file removed from the output": lambda site: (site / "feed.atom").unlink(),
    "a file replaced by a link": lambda site: ((site / "robots.txt").unlink(), (site / "robots.txt").symlink_to("/etc/hostname")),
}


@pytest.mark.parametrize("change", list(SITE_CHANGES))
def test_a_changed_site_is_built_again(sample, tmp_path, monkeypatch, change):
    build(sample)
    SITE_CHANGES[change](site_of(sample))
    again = build(sample)
    assert not again.unchanged
    assert tree(sample / "output") == clean_build(sample, tmp_path, monkeypatch, "after")


def test_a_file_added_to_the_site_is_never_built_over(sample):
    """A file press did not write is not the press's to delete: the build refuses, naming it."""
    from press.output import OutputRefused

    build(sample)
    added = site_of(sample) / "harbor" / "extra.html"
    added.write_text("<p>not voted</p>")
    with pytest.raises(OutputRefused, match="press did not write harbor/extra.html in "):
        build(sample)
    assert added.read_text() == "<p>not voted</p>"


def test_a_new_commit_is_built(repo):
    """The history is an input (dates submitted, authors, approved revisions): a commit that changes no
    file still changes what git says."""
    repo.article("springfield", "rent", title="Rent strike")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Rent, approved")
    build(repo.root, search=False)
    assert build(repo.root, search=False).unchanged
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "nothing but history")
    assert not build(repo.root, search=False).unchanged


def test_search_and_output_are_inputs(sample, tmp_path):
    build(sample, search=False)
    assert not build(sample, search=True).unchanged  # the index was not there
    assert build(sample, search=True).unchanged
    assert not build(sample, tmp_path / "elsewhere", search=True).unchanged  # another output: its own record


def test_a_new_day_and_a_new_press_version_are_inputs(sample, monkeypatch):
    from pelican.settings import read_settings

    settings = read_settings(str(sample / "pelicanconf.py"))
    assert uptodate.inputs_key(sample, settings, True) == uptodate.inputs_key(sample, settings, True)
    at = lambda text: dt.datetime.fromisoformat(text)  # noqa: E731
    build(sample, now=at("2026-11-21T18:00:00+00:00"))
    assert build(sample, now=at("2026-11-21T22:30:00+00:00")).unchanged  # the same day in every body's zone
    assert not build(sample, now=at("2026-11-21T23:30:00+00:00")).unchanged  # midnight in Berlin (Harbor)
    # London (Riverside) and the council (UTC): their day — a feature's expiry, the next meeting — turns now.
    assert not build(sample, now=at("2026-11-22T00:30:00+00:00")).unchanged
    assert build(sample, now=at("2026-11-22T05:30:00+00:00")).unchanged
    assert not build(sample, now=at("2026-11-22T06:30:00+00:00")).unchanged  # midnight in Springfield (Chicago)
    build(sample)
    monkeypatch.setattr(cache, "press_version", lambda: "a newer press")
    assert not build(sample).unchanged


def test_a_damaged_record_means_a_full_build(sample):
    build(sample)
    store = Store(sample)
    digest = store.manifest(uptodate.record_name(site_of(sample)), salt())["value"]
    record = store.path(digest)
    assert record.is_file()
    record.unlink()
    record.write_bytes(b"\x80\x05not a pickle")
    again = build(sample)
    assert not again.unchanged and (sample / "output" / "index.html").is_file()
    assert build(sample).unchanged  # and the next one knows again


def test_a_failed_build_leaves_no_record_that_could_skip_the_next(sample):
    build(sample)
    template = sample / "theme/templates/base.html"
    good = template.read_text()
    template.write_text(good.replace("</body>", "{% if %}</body>"))
    result = CliRunner().invoke(main, ["--root", str(sample), "build"])
    assert result.exit_code != 0 and "TemplateSyntaxError" in result.output
    template.write_text(good + "<!-- back -->")
    assert not build(sample).unchanged


def test_a_file_written_just_before_the_build_is_compared_by_its_bytes(sample, monkeypatch):
    """Two writes within one tick of the file system's clock can leave the same size and times: the
    files written within press.cache.RACY_NS before a build began are compared by their bytes."""
    from press import cache

    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # every file counts as just written
    build(sample)
    record = uptodate.load(sample, site_of(sample))
    article = str(sample / "content/harbor/ferry-cuts.md")
    assert article in dict(record.inputs.racy)
    assert build(sample).unchanged  # the same bytes: nothing to do
    text = Path(article).read_text()
    Path(article).write_text(text.replace("ferry", "FERRY", 1))  # what a write in the same tick would leave
    assert not record.inputs.still()
    Path(article).write_text(text)
    assert record.inputs.still()


@pytest.mark.parametrize(
    "field, value",
    [("zones", 5), ("days", ["not", "a", "day"]), ("site", 5), ("site", {"index.html": (1, 2, 3)}), ("site", "0" * 63),
     ("inputs.racy", 5), ("inputs.racy", [[1, 2, 3]])],
)
def test_a_kept_record_of_the_wrong_shape_means_a_full_build_not_a_traceback(sample, field, value):
    """A record named by its own bytes (whole to the store) whose fields hold the wrong types, as a
    hand-edited cache would: the build runs, and the next one knows again."""
    import dataclasses

    build(sample)
    store, name = Store(sample), uptodate.record_name(site_of(sample))
    record = store.value(name, salt())
    if field.startswith("inputs."):
        record = dataclasses.replace(record, inputs=dataclasses.replace(record.inputs, **{field[7:]: value}))
    else:
        record = dataclasses.replace(record, **{field: value})
    assert store.keep_value(name, salt(), record)
    again = build(sample)
    assert not again.unchanged and (sample / "output" / "index.html").is_file()
    assert build(sample).unchanged


def test_a_ballot_that_closes_within_the_day_is_built_again(tmp_path, monkeypatch):
    """Attack on warm = cold: a ballot's window ends at an instant (20:00 in Berlin), not at a
    midnight. A build at 19:30 and another at 20:30 the same day, nothing else changed: the second
    answered "up to date" and left the ballot page open for votes where a cold build shows voting
    ended. The site is remembered only until the next instant a ballot opens or closes."""
    from ballot_press import build as ballot_press, make_keys
    from fake_passkey import Passkey

    (tmp_path / "keys").mkdir()
    root = ballot_press(tmp_path / "press", make_keys(tmp_path / "keys"), Passkey("press.example.org"))
    PressDir(root).buildable()
    at = dt.datetime.fromisoformat
    build(root, search=False, now=at("2026-11-25T18:30:00+00:00"))  # 19:30 in Berlin: open
    assert build(root, search=False, now=at("2026-11-25T18:45:00+00:00")).unchanged  # still open: nothing to do
    again = build(root, search=False, now=at("2026-11-25T19:30:00+00:00"))  # 20:30 in Berlin: voting has ended
    assert not again.unchanged
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold-caches"))
    build(root, tmp_path / "cold", search=False, now=at("2026-11-25T19:30:00+00:00"))
    assert tree(root / "output") == tree(tmp_path / "cold")

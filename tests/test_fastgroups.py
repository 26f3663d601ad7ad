"""The linear tag, category and author pages write exactly what Pelican's own quadratic ones write."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings

from press.build import build

from press.site import fastgroups

# Each group page lists its articles twice: as Pelican hands them over, and in date order.
GROUP = (
    "{{ page_name }}|{% for a in articles %}{{ a.slug }},{% endfor %}"
    "|{% for a in dates %}{{ a.slug }}@{{ a.date.isoformat() }},{% endfor %}\n"
)
TEMPLATES = {
    "article.html": "{{ article.slug }}\n",
    "page.html": "{{ page.slug }}\n",
    "tag.html": GROUP,
    "category.html": GROUP,
    "author.html": GROUP,
    "index.html": "{% for a in dates %}{{ a.slug }},{% endfor %}\n",
}


def _site(folder: Path, rng: random.Random) -> None:
    """Articles spread over categories, tags and authors, many sharing a date (ties keep their order)."""
    (folder / "theme" / "templates").mkdir(parents=True)
    for name, text in TEMPLATES.items():
        (folder / "theme" / "templates" / name).write_text(text)
    words = ["rent", "union", "ferry", "heat", "wages", "school", "water", "night"]
    for n in range(160):
        category = f"cat{rng.randint(0, 6)}"
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 20))
        tags = [rng.choice(words) for _ in range(rng.randint(0, 4))]  # repeats included: "rent, rent"
        authors = "; ".join(f"Writer {rng.randint(1, 9)}" for _ in range(rng.randint(1, 3)))
        status = "draft" if n % 23 == 0 else "hidden" if n % 29 == 0 else "published"
        path = folder / "content" / category / f"story-{n:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Title: Story {n}\nDate: {day.isoformat()}\nTags: {', '.join(tags)}\nAuthors: {authors}\n"
            f"Status: {status}\n\nText {n}.\n"
        )


def _build(folder: Path, output: str, newest_first: bool, fast: bool) -> dict[str, str]:
    """Plain Pelican in this process, with no plugin but the linear group pages (when ``fast``).
    (A press build earlier in the session leaves nothing connected to Pelican's signals.)"""
    settings = read_settings(override={
        "PATH": f"{folder}/content", "OUTPUT_PATH": f"{folder}/{output}", "THEME": f"{folder}/theme",
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "USE_FOLDER_AS_CATEGORY": True,
        "NEWEST_FIRST_ARCHIVES": newest_first, "DIRECT_TEMPLATES": ["index"], "FEED_ALL_ATOM": None,
        "CATEGORY_FEED_ATOM": None, "TRANSLATION_FEED_ATOM": None, "AUTHOR_FEED_ATOM": None,
        "AUTHOR_FEED_RSS": None, "PLUGINS": [], "TIMEZONE": "UTC", "SITEURL": "",
    })  # fmt: skip
    classes: list[str] = []

    def note(generator) -> None:
        if generator.settings is settings:
            classes.append(type(generator).__name__)

    signals.article_generator_finalized.connect(note, weak=False)
    if fast:
        signals.article_generator_init.connect(fastgroups.install)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(settings).run()
    finally:
        signals.article_generator_init.disconnect(fastgroups.install)
        signals.article_generator_finalized.disconnect(note)
    assert classes == ["FastGroupsArticlesGenerator" if fast else "ArticlesGenerator"]
    out = folder / output
    return {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*.html"))}


@pytest.mark.parametrize("newest_first", [True, False])
def test_group_pages_equal_pelicans_own(tmp_path: Path, newest_first: bool):
    _site(tmp_path, random.Random(16))
    pelican = _build(tmp_path, "pelican", newest_first, fast=False)
    fast = _build(tmp_path, "fast", newest_first, fast=True)
    assert fast == pelican  # same pages, same lists, same order
    groups = {name: text for name, text in fast.items() if name.startswith(("tag/", "category/", "author/"))}
    # The comparison means something: every kind of group page is there, with many articles on many dates.
    assert {name.split("/")[0] for name in groups} == {"tag", "category", "author"}
    assert len(groups) >= 6 + 7 + 9
    listed = [entry for text in groups.values() for entry in text.split("|")[2].split(",") if entry.strip()]
    assert len(listed) > 300
    assert len({entry.split("@")[1] for entry in listed}) > 10


def test_other_generators_are_left_alone():
    class Other(ArticlesGenerator):
        pass

    generator = Other.__new__(Other)
    fastgroups.install(generator)
    assert type(generator) is Other


def test_the_press_plugin_installs_it(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.article("springfield", "rent", body="Rent.")
    pressdir.publish("springfield", "rent", "2026-09-01")
    classes: list[str] = []
    note = lambda generator: classes.append(type(generator).__name__)  # noqa: E731
    signals.article_generator_finalized.connect(note, weak=False)
    try:
        build(pressdir.root, search=False)
    finally:
        signals.article_generator_finalized.disconnect(note)
    assert classes == ["FastGroupsArticlesGenerator"]

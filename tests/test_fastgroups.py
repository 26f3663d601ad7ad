"""The linear tag, category and author pages write exactly what Pelican's own quadratic ones write."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pelican.generators import ArticlesGenerator

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


# Run in a fresh interpreter: Pelican's signals are process-wide, and a press build earlier in the
# test session leaves the press plugin connected to them.
DRIVER = """
import sys
from pelican import Pelican, signals
from pelican.settings import read_settings
from press.site import fastgroups

folder, output, newest_first, fast = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
settings = read_settings(override={
    "PATH": folder + "/content", "OUTPUT_PATH": folder + "/" + output, "THEME": folder + "/theme",
    "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "USE_FOLDER_AS_CATEGORY": True,
    "NEWEST_FIRST_ARCHIVES": newest_first, "DIRECT_TEMPLATES": ["index"], "FEED_ALL_ATOM": None,
    "CATEGORY_FEED_ATOM": None, "TRANSLATION_FEED_ATOM": None, "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None, "PLUGINS": [], "TIMEZONE": "UTC", "SITEURL": "",
})
if fast:
    signals.article_generator_init.connect(fastgroups.install)
classes = []
signals.article_generator_finalized.connect(lambda g: classes.append(type(g).__name__), weak=False)
Pelican(settings).run()
print(",".join(classes))
"""


def _build(folder: Path, output: str, newest_first: bool, fast: bool) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder), output, str(int(newest_first)), str(int(fast))],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split()[-1] == ("FastGroupsArticlesGenerator" if fast else "ArticlesGenerator")
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


def test_the_press_plugin_installs_it():
    code = (
        "from pelican import signals\nimport press.site\nfrom press.site import fastgroups\npress.site.register()\n"
        "print(fastgroups.install in list(signals.article_generator_init.receivers_for(object())))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"

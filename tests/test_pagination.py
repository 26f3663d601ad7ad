"""Paginated lists keep their pages when an article is published (press/site/pagination.py): the
first page shows the newest articles, the older ones are cut into full pages from the oldest, and
no page shows how many pages there are."""

from __future__ import annotations

import os
import re

from click.testing import CliRunner
from pelican.settings import DEFAULT_CONFIG

from press.cli import main
from press.site.pagination import StablePaginator

SETTINGS = {**DEFAULT_CONFIG, "PAGINATION_PATTERNS": [(1, "{url}", "{save_as}"), (2, "{base_name}/page/{number}/index.html", "{base_name}/page/{number}/index.html")]}
SETTINGS["PAGINATION_PATTERNS"] = [__import__("pelican.paginator", fromlist=["PaginationRule"]).PaginationRule(*p) for p in SETTINGS["PAGINATION_PATTERNS"]]


def pages(items: list, per_page: int) -> list[tuple[int, str, list]]:
    """Each page as Pelican's writer walks them: (number in its address, where it is saved, its items)."""
    paginator = StablePaginator("index.html", "index.html", items, SETTINGS, per_page)
    return [(page.number, page.save_as, list(page.object_list)) for page in (paginator.page(p) for p in range(1, paginator.num_pages + 1))]


def test_the_first_page_shows_the_newest_and_full_pages_count_from_the_oldest():
    newest_first = [f"a{n}" for n in range(25, 0, -1)]  # a25 is the newest
    assert pages(newest_first, 10) == [
        (1, "index.html", [f"a{n}" for n in range(25, 10, -1)]),  # 15: between one and two pages' worth
        (2, "page/2/index.html", [f"a{n}" for n in range(10, 0, -1)]),  # the oldest ten
    ]
    assert pages(newest_first[:19], 10) == [(1, "index.html", newest_first[:19])]  # under two pages' worth: one page
    assert pages([], 10) == [(1, "index.html", [])]
    assert [(n, len(items)) for n, _, items in pages(list(range(47)), 10)] == [(1, 17), (4, 10), (3, 10), (2, 10)]


def test_a_newer_article_changes_the_first_page_alone_and_a_new_page_once_in_ten():
    older = [f"a{n}" for n in range(34, 0, -1)]
    for added in range(1, 12):
        now = [f"new{k}" for k in range(added, 0, -1)] + older
        before = {number: items for number, _, items in pages(older, 10)}
        after = {number: items for number, _, items in pages(now, 10)}
        for number, items in before.items():
            if number != 1:
                assert after[number] == items, (added, number)  # every numbered page keeps its articles
        assert set(after) - set(before) == ({4} if added >= 6 else set())  # 40 articles: a third full page, page/4
    paginator = StablePaginator("index.html", "index.html", older, SETTINGS, 10)
    oldest = paginator.page(paginator.num_pages)
    grown = StablePaginator("index.html", "index.html", ["new"] + older, SETTINGS, 10)
    assert grown.page(grown.num_pages).shown() == oldest.shown()  # what its key is made of: unchanged


def test_a_page_reaches_only_the_pages_beside_it():
    paginator = StablePaginator("index.html", "index.html", list(range(60)), SETTINGS, 10)
    middle = paginator.page(3)
    assert middle.paginator.page(middle.previous_page_number()).number == middle.number + 1
    assert middle.paginator.page(middle.next_page_number()).number == middle.number - 1
    assert not hasattr(middle.paginator, "num_pages")
    try:
        middle.paginator.page(1)
    except ValueError:
        pass
    else:
        raise AssertionError("a page reached a page that is not beside it")


def vote_all(pressdir, slugs: list[str], day: str) -> None:
    motions = "".join(f"  - publish: springfield/{s}\n    digest: {pressdir.digest('springfield', s)}\n    yes: [ana, ben]\n" for s in slugs)
    pressdir.meeting("springfield", day, "present: [ana, ben]\nmotions:\n" + motions)


def test_publishing_an_article_leaves_the_older_pages_as_they_were(pressdir, monkeypatch, tmp_path, settled):
    """A reader's link to page 2 keeps showing the same articles, and the build does not make it again."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cache"))
    pressdir.buildable()
    with (pressdir.root / "pelicanconf.py").open("a") as conf:
        conf.write("\nDEFAULT_PAGINATION = 3\n")
    pressdir.assembly()
    first = [f"old-{n}" for n in range(7)]  # 7 at three a page: the newest four first, then the oldest three
    for n, slug in enumerate(first):
        pressdir.article("springfield", slug, title=f"Old {n}", author="Writer One", tags="housing")
    for n, slug in enumerate(first):
        vote_all(pressdir, [slug], f"2026-0{n + 1}-06")
    run = CliRunner().invoke(main, ["--root", str(pressdir.root), "build", "--no-search"])
    assert run.exit_code == 0, run.output
    out = pressdir.root / "output"
    # (a chapter's pages carry its current facts — members, next meeting — and change with them)
    kept = ["page/2/index.html", "tag/housing/page/2/index.html", "author/writer-one/page/2/index.html"]
    before = {name: ((out / name).read_bytes(), os.stat(out / name).st_ino) for name in kept}
    oldest = re.findall(r"Old \d", (out / "page/2/index.html").read_text())
    assert sorted(oldest) == ["Old 0", "Old 1", "Old 2"]  # the oldest three, on the page counted from the oldest
    assert "of 2" not in (out / "index.html").read_text() and "Newest" in (out / "index.html").read_text()

    pressdir.article("springfield", "fresh", title="Fresh news", author="Writer One", tags="housing")
    vote_all(pressdir, ["fresh"], "2026-10-06")
    run = CliRunner().invoke(main, ["--root", str(pressdir.root), "build", "--no-search"])
    assert run.exit_code == 0, run.output
    for name, (data, inode) in before.items():
        assert (out / name).read_bytes() == data, name
        assert os.stat(out / name).st_ino == inode, f"{name} was made again"
    assert "Fresh news" in (out / "index.html").read_text()


def test_what_a_template_can_ask_a_numbered_page_is_in_its_key():
    """Two builds' page/3: the same articles and neighbours (the same key), the list grown at its
    newest end. Whatever a template can ask of the page must then be the same, or the warm build
    serves the old build's page: where its neighbours are (next/previous_page_number, what the
    theme hands to ``paginator.page``), and no way to the whole list."""
    older = [f"a{n}" for n in range(40, 0, -1)]
    grown = [f"new{n}" for n in range(10, 0, -1)] + older

    def numbered(items, number):
        paginator = StablePaginator("index.html", "index.html", items, SETTINGS, 10)
        return next(p for p in (paginator.page(k) for k in range(2, paginator.num_pages + 1)) if p.number == number)

    before, after = numbered(older, 3), numbered(grown, 3)
    assert before.shown() == after.shown()  # one key
    for page in (before, after):
        assert not hasattr(page, "whole") and not hasattr(page, "position")
    assert (before.next_page_number(), before.previous_page_number()) == (after.next_page_number(), after.previous_page_number())
    for page in (before, after):
        assert page.paginator.page(page.next_page_number()).number == 2
        assert page.paginator.page(page.previous_page_number()).number == 4


def test_a_list_paginator_is_keyed_by_its_articles():
    """``articles_paginator`` is in every page's context: a template listing its articles (or another
    page's) must not be served last build's list."""
    from press.site.memo import RenderMemo

    memo = RenderMemo.__new__(RenderMemo)
    memo._values, memo._wrappers = {}, {}
    from press.keys import keyer

    memo._keys = keyer(memo._pelican, memo._values)
    one = StablePaginator("index.html", "index.html", ["a", "b", "c"], SETTINGS, 10)
    other = StablePaginator("index.html", "index.html", ["a", "b", "x"], SETTINGS, 10)
    assert memo.of(one) != memo.of(other)

"""The built sample press in a real browser: no console errors, no horizontal overflow on a phone,
zero axe-core violations, and a search box that finds published articles and nothing else."""

from __future__ import annotations


import pytest
from click.testing import CliRunner

from press import browser
from conftest import copy_sample
from press.cli import main

PAGES = [
    "index.html",  # the newspaper front page: picture-led lead, grids, sections, assemblies
    "youth/index.html",  # a section's front (editorial/press.yml)
    "springfield/rent-strike-wins.html",  # article with provenance and an update
    "springfield/index.html",  # chapter
    "springfield/ledger.html",
    "riverside/ledger.html",  # secret ballot
    "riverside/heat-pump-coop.html",  # retraction notice
    "harbor/radio-hour.html",  # audio
    "riverside/canal-row-walkabout.html",  # video with poster and captions
    "assemblies.html",
    "search.html",
    "archives.html",  # discovery pages, linked from every page
    "tags.html",
    "tag/housing.html",
    "author/ana-ruiz.html",
    "council/index.html",  # the council's chapter: seats and delegates
    "council/ledger.html",
    "council/transit-day-of-action.html",  # a council statement with an image
]


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium):
    root = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    result = CliRunner().invoke(main, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    with browser.serve(root / "output") as url:
        yield url


def open_page(chromium, url: str, width: int):
    page = chromium.new_page(viewport={"width": width, "height": 800})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A request the browser gave up because the test moved to another page (net::ERR_ABORTED: a lazy
    # picture, the favicon) is no error of the page; a missing file is a 404 response, caught below.
    page.on("requestfailed", lambda request: None if request.failure == "net::ERR_ABORTED" else errors.append(f"failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: errors.append(f"{response.status}: {response.url}") if response.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, errors


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_errors_and_fits_a_phone(chromium, site, path):
    page, errors = open_page(chromium, f"{site}/{path}", 360)
    try:
        assert page.locator("main h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} overflows a 360 px screen by {overflow}px"
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(chromium, site, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = open_page(chromium, f"{site}/{path}", 1280)
    try:
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})" for v in results.response["violations"]]
        assert violations == []
    finally:
        page.close()


def test_keyboard_users_can_skip_to_the_content(chromium, site):
    page, _ = open_page(chromium, f"{site}/index.html", 1280)
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # visible when focused
    finally:
        page.close()


def search(chromium, site, query: str):
    """Type a query and wait until the page announces its results."""
    page, errors = open_page(chromium, f"{site}/search.html", 1280)
    page.fill("#q", query)
    page.wait_for_function("/\\d+ results? for|No results/.test(document.getElementById('status').textContent)")
    return page, errors


def test_search_finds_a_published_article(chromium, site):
    page, errors = search(chromium, site, "rent strike Maple")
    try:
        titles = page.locator("#results a").all_text_contents()
        assert "The rent strike on Maple Street wins" in titles
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("query", ["UNPUBLISHED-SENTENCE-SPRINGFIELD-GOSSIP", "heat pump cooperative", "night bus petition"])
def test_search_never_finds_an_unpublished_article(chromium, site, query):
    page, _ = search(chromium, site, query)
    try:
        hrefs = page.locator("#results a").evaluate_all("links => links.map(l => l.href)")
        for unpublished in ("city-hall-gossip", "heat-pump-coop", "night-bus-petition"):
            assert not any(unpublished in h for h in hrefs), hrefs
    finally:
        page.close()


def test_printing_an_article_keeps_the_text_and_provenance_and_drops_the_navigation(chromium, site):
    page, errors = open_page(chromium, f"{site}/springfield/rent-strike-wins.html", 1280)
    try:
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => Object.fromEntries(['.masthead nav', '.follow-box', '.more-from', '.related', '.colophon nav', '.provenance', '.body', 'main h1']
                 .map(s => [s, getComputedStyle(document.querySelector(s)).display !== 'none']))"""
        )
        assert shown == {
            ".masthead nav": False, ".follow-box": False, ".more-from": False, ".related": False, ".colophon nav": False,
            ".provenance": True, ".body": True, "main h1": True,
        }
        assert errors == []
    finally:
        page.close()


def test_search_results_link_to_the_article_under_a_subpath(chromium, tmp_path_factory):
    """Served under /press/, as GitHub Pages serves a project site, search still links correctly."""
    import functools
    import http.server
    import threading

    root = copy_sample(tmp_path_factory.mktemp("subpath") / "sample")
    assert CliRunner().invoke(main, ["--root", str(root), "build"]).exit_code == 0

    class Prefixed(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            path = path.split("?", 1)[0]
            return super().translate_path(path[len("/press"):] if path.startswith("/press/") else "/nonexistent")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Prefixed, directory=str(root / "output")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/press"
        page, errors = open_page(chromium, f"{base}/search.html", 1280)
        page.fill("#q", "rent strike Maple")
        page.wait_for_function("/\\d+ results? for|No results/.test(document.getElementById('status').textContent)")
        hrefs = page.locator("#results a").evaluate_all("links => links.map(l => l.href)")
        assert f"{base}/springfield/rent-strike-wins.html" in hrefs
        page.click("#results a >> nth=0")
        page.wait_for_load_state("load")
        assert page.locator("main h1").count() == 1 and errors == []
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_missing_page_searches_for_what_was_asked(chromium, site):
    """An address that is not a page gets the site's 404 page (status 404), which searches the
    published articles for the address's words — from any depth of the site."""
    page = chromium.new_page(viewport={"width": 390, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    asked = f"{site}/springfield/old/rent-strike-maple.html"
    # every stylesheet, script and index file it loads is found, from two folders down
    page.on("response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 and r.url != asked else None)
    try:
        response = page.goto(asked, wait_until="load")
        assert response is not None and response.status == 404
        assert page.locator("main h1").inner_text() == "Page not found"
        page.wait_for_function("/\\d+ results? for|No results/.test(document.getElementById('status').textContent)")
        assert page.locator("#q").input_value() == "rent strike maple"
        titles = page.locator("#results li a").all_inner_texts()
        assert "The rent strike on Maple Street wins" in titles
        assert errors == []
    finally:
        page.close()


def grid_columns(page) -> list[int]:
    return page.evaluate("[...document.querySelectorAll('main .story-grid')].map(g => getComputedStyle(g).gridTemplateColumns.split(' ').length)")


def test_the_front_page_uses_the_width_on_a_desktop_and_one_column_on_a_phone(chromium, site):
    page, errors = open_page(chromium, f"{site}/index.html", 1280)
    try:
        main_width = page.evaluate("document.querySelector('main').clientWidth")
        featured = page.locator(".featured .story-grid")
        assert page.evaluate("getComputedStyle(document.querySelector('.featured .story-grid')).gridTemplateColumns.split(' ').length") >= 3
        assert featured.bounding_box()["width"] >= 0.9 * (main_width - 40)  # the row spans the page, not a column of it
        lead_picture = page.locator(".lead-story img").bounding_box()
        assert lead_picture["width"] >= 0.5 * main_width  # picture-led
        assert errors == []
    finally:
        page.close()
    page, errors = open_page(chromium, f"{site}/index.html", 390)
    try:
        assert set(grid_columns(page)) == {1}
        picture, headline = page.locator(".lead-story img").bounding_box(), page.locator("#lead-title").bounding_box()
        assert picture["y"] < headline["y"] and picture["y"] < 300  # the lead's picture is at the top of a phone's screen
    finally:
        page.close()


def test_a_chapter_page_sets_its_articles_in_a_grid_of_cards(chromium, site):
    """Side by side beside the chapter's facts on a desktop, one under another on a phone; every
    picture reserves its room (width and height) and keeps its shape."""
    cards = "main .chapter-grid > li"
    page, errors = open_page(chromium, f"{site}/springfield/index.html", 1280)
    try:
        boxes = [page.locator(cards).nth(i).bounding_box() for i in range(page.locator(cards).count())]
        assert len(boxes) >= 2
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"]  # a row of cards
        facts = page.locator(".chapter-facts").bounding_box()
        assert max(b["x"] + b["width"] for b in boxes) <= facts["x"]  # the grid keeps to its column
        pictures = page.locator("main .chapter-grid img")
        assert pictures.count() >= 1
        for i in range(pictures.count()):
            assert pictures.nth(i).get_attribute("width") and pictures.nth(i).get_attribute("height")
            box = pictures.nth(i).bounding_box()
            assert abs(box["width"] / box["height"] - 16 / 9) < 0.05  # the front page's 16:9 crop
        assert errors == []
    finally:
        page.close()
    page, errors = open_page(chromium, f"{site}/springfield/index.html", 390)
    try:
        boxes = [page.locator(cards).nth(i).bounding_box() for i in range(page.locator(cards).count())]
        assert len({b["x"] for b in boxes}) == 1 and all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:]))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        page.close()


def test_a_section_front_links_back_from_the_navigation_and_holds_its_stories(chromium, site):
    page, errors = open_page(chromium, f"{site}/index.html", 1280)
    try:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Youth & Students").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/youth/index.html")
        assert page.locator("main h1").inner_text() == "Youth & Students"
        assert page.get_by_role("link", name="No to the ferry cuts").count() == 1
        assert page.locator('nav[aria-label="Main"] a[aria-current="page"]').inner_text() == "Youth & Students"
        assert errors == []
    finally:
        page.close()

"""A writer proposes an article from the browser: Decap CMS (the pinned npm package) over
decap-server in git mode, the generated admin/ served on 127.0.0.1, Debian's Chromium.

Skips on a machine without Chromium, Node or ``npm ci``; fails in CI (``CI`` set)."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect

from conftest import commit, git
from press import browser
from press.cli import main
from press.cms import local

SLUG = "bike-lanes-for-elm-street"


def png(width: int = 48, height: int = 32, rgb=(30, 110, 60)) -> bytes:
    """A small, valid, visible PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def chromium():
    why = browser.missing() or local.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the writers' desk test must run in CI: {why}")
        pytest.skip(why)
    with browser.browser() as instance:
        yield instance


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.fixture
def desk(repo, tmp_path, chromium):
    """A press repository on main, decap-server over it, and its admin/ served on 127.0.0.1."""
    repo.article("springfield", "library-hours", title="Library hours")
    commit(repo.root, "An article")
    site = tmp_path / "site"
    result = cli(repo.root, "build", "--no-search", "--output", str(site))
    assert result.exit_code == 0, result.output
    with local.decap_server(repo.root) as (api, log):
        config = site / "admin" / "config.yml"
        config.write_text(local.use_local_server(config.read_text(encoding="utf-8"), api), encoding="utf-8")
        with browser.serve(site) as url:
            page = chromium.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            blocked: list[str] = []
            errors: list[str] = []
            local.offline(page, blocked)
            page.on("pageerror", lambda error: errors.append(str(error)))
            try:
                yield repo, page, f"{url}/admin/index.html", blocked, errors
            finally:
                page.close()


def test_a_writer_proposes_an_article_with_an_image_from_the_browser(desk, tmp_path):
    repo, page, admin, blocked, errors = desk
    page.goto(admin)
    page.get_by_role("button", name="Login").click()
    page.goto(admin + "#/collections/springfield/new")
    page.locator("[id^=title-field]").fill("Bike lanes for Elm Street")
    page.locator("[id^=authors-field]").fill("Ana Ruiz")
    page.locator("[id^=summary-field]").fill("The council can paint them this spring.")
    page.locator("[id^=tags-field]").fill("transport, streets")
    page.locator("[data-slate-editor=true]").click()
    page.keyboard.type("Elm Street needs bike lanes before the school year starts.")
    picture = tmp_path / "elm.png"
    picture.write_bytes(png())
    page.get_by_text("Choose an image").click()
    page.locator("input[type=file]").set_input_files(str(picture))
    page.get_by_role("button", name="Choose selected").click()
    page.locator("[id^=image_alt-field]").fill("Elm Street at rush hour")

    # The press's preview, in the site's stylesheet, says the draft is not published.
    preview = page.frame_locator("iframe").last
    expect(preview.locator("h1")).to_have_text("Bike lanes for Elm Street")
    expect(preview.locator(".draft-notice")).to_contain_text("Draft — not published")
    preview.locator(".lead-image img[alt='Elm Street at rush hour']").wait_for()
    from axe_playwright_python.sync_playwright import Axe

    frame = next(f for f in page.frames if f != page.main_frame and not f.is_detached() and f.locator("h1").count())
    results = Axe().run(frame)
    violations = [f"{v['id']}: {v['help']} {v['nodes'][0]['target']}" for v in results.response["violations"]]
    assert violations == []

    page.get_by_role("button", name="Save").click()
    page.get_by_text("Changes saved").wait_for()
    page.get_by_role("button", name="Status: Draft").click()
    page.get_by_role("menuitem", name="In review").click()
    page.get_by_role("button", name="Status: In review").wait_for()

    # An article written with `press new` (a Pelican-style header) opens with its fields filled in.
    page.goto(admin + "#/collections/springfield/entries/library-hours")
    page.reload()  # Decap is one page: a new address after '#' alone does not open the entry afresh
    expect(page.locator("[id^=title-field]")).to_have_value("Library hours")

    branch = f"cms/springfield/{SLUG}"
    assert git(repo.root, "branch", "--list", "cms/*").split() == [branch]
    assert git(repo.root, "config", f"branch.{branch}.description").strip() == "decap-cms/pending_review"
    changed = git(repo.root, "diff", "--name-only", f"main...{branch}").split()
    assert changed == [f"content/springfield/{SLUG}.md", f"content/springfield/{SLUG}/elm.png"]
    text = git(repo.root, "show", f"{branch}:content/springfield/{SLUG}.md")
    assert text == (
        '---\ntitle: "Bike lanes for Elm Street"\nauthors:\n  - "Ana Ruiz"\nsummary: "The council can paint them this spring."\n'
        f'tags:\n  - "transport"\n  - "streets"\nlang: "en"\nimage: "{SLUG}/elm.png"\nimage_alt: "Elm Street at rush hour"\n---\n'
        "Elm Street needs bike lanes before the school year starts.\n"
    )

    # The branch, checked out on its own, is a clean press in which the draft awaits a vote.
    checkout = tmp_path / "branch"
    git(repo.root, "worktree", "add", "-q", str(checkout), branch)
    assert (checkout / "content" / "springfield" / SLUG / "elm.png").read_bytes() == picture.read_bytes()
    verify = cli(checkout, "verify")
    assert verify.exit_code == 0, verify.output
    status = cli(checkout, "status", "--json")
    assert status.exit_code == 0, status.output
    states = {row["id"]: row["state"] for row in json.loads(status.output)["articles"]}
    assert states[f"springfield/{SLUG}"] == "awaiting-vote"
    assert blocked == [] and errors == []

"""A writer proposes an article from the browser: Decap CMS (the pinned npm package) over
decap-server in git mode, the generated admin/ served on 127.0.0.1, Debian's Chromium. Open
authoring (a writer without write access drafts in a fork) is driven against a stand-in for
GitHub's REST API as far as its login goes: the fork and the pull request themselves need GitHub.

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
    # A key at a time, as a writer types (a burst of keys can outrun the editor's handling of each:
    # one run lost the last "."); the body is checked as the editor shows it before going on.
    page.keyboard.type("Elm Street needs bike lanes before the school year starts.", delay=15)
    expect(page.locator("[data-slate-editor=true]")).to_have_text("Elm Street needs bike lanes before the school year starts.")
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


# --- Open authoring, as far as it goes without GitHub ------------------------------------------------
#
# A fork and a pull request from it are made on GitHub; here Decap (the pinned script, the generated
# configuration) talks to a stand-in for GitHub's REST API on 127.0.0.1 (`api_root`), with a login
# already stored in the browser. What it shows: a writer without write access is sent to a fork made
# for her, and nothing is written to the press's repository; someone who can push is not.

ORIGIN = "springfield-party/press"


class FakeGitHub:
    """The few REST answers Decap's login asks for; every request is logged as (method, path)."""

    def __init__(self, login: str, permission: str):
        import http.server
        import threading

        self.login, self.permission, self.forked = login, permission, False
        self.log: list[tuple[str, str]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body=None):
                data = json.dumps(body if body is not None else {"message": "Not Found"}).encode()
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self):  # the browser's CORS preflight
                self._send(200, {})

            def _handle(self):
                path = self.path.split("?")[0]
                fake.log.append((self.command, path))
                self._send(*fake.answer(self.command, path))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def repo(self, full_name: str, push: bool, fork: bool = False) -> dict:
        owner = full_name.split("/")[0]
        data = {"full_name": full_name, "owner": {"login": owner}, "default_branch": "main", "fork": fork,
                "permissions": {"admin": push, "push": push, "pull": True}}  # fmt: skip
        if fork:
            data["parent"] = data["source"] = {"full_name": ORIGIN}
        return data

    def answer(self, method: str, path: str) -> tuple[int, dict | None]:
        mine = f"{self.login}/press"
        if method == "GET" and path == "/user":
            return 200, {"login": self.login, "name": "Wu", "avatar_url": ""}
        if method == "GET" and path == f"/repos/{ORIGIN}/collaborators/{self.login}/permission":
            return 200, {"permission": self.permission}
        if method == "GET" and path == f"/repos/{ORIGIN}":
            return 200, self.repo(ORIGIN, push=self.permission in ("write", "admin"))
        if method == "POST" and path == f"/repos/{ORIGIN}/forks":
            self.forked = True
            return 202, self.repo(mine, push=True, fork=True)
        if method == "GET" and path == f"/repos/{mine}" and self.forked:
            return 200, self.repo(mine, push=True, fork=True)
        return 404, None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def github_desk(repo, tmp_path, chromium, monkeypatch):
    """admin/ built for PRESS_REPO, its `api_root` pointed at a FakeGitHub; yields a function that opens
    the desk logged in as ``login`` with ``permission`` on the repository, and returns the fake."""
    import yaml

    monkeypatch.setenv("PRESS_REPO", ORIGIN)
    site = tmp_path / "site"
    result = cli(repo.root, "build", "--no-search", "--output", str(site))
    assert result.exit_code == 0, result.output
    generated = yaml.safe_load((site / "admin" / "config.yml").read_text(encoding="utf-8"))
    fakes: list[FakeGitHub] = []
    pages = []
    with browser.serve(site) as url:
        def open_desk(login: str, permission: str):
            fake = FakeGitHub(login, permission)
            fakes.append(fake)
            config = {**generated, "backend": {**generated["backend"], "api_root": fake.url}}
            del config["local_backend"]  # the desk as published: GitHub, not decap-server
            (site / "admin" / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
            page = chromium.new_page()
            pages.append(page)
            page.set_default_timeout(20_000)
            local.offline(page, [])
            # A writer who has logged in before: Decap restores her from the browser's storage.
            user = {"backendName": "github", "token": "not-a-real-token", "login": login}
            page.add_init_script(f"localStorage.setItem('decap-cms-user', {json.dumps(json.dumps(user))})")
            page.goto(f"{url}/admin/index.html")
            return fake, page

        try:
            yield open_desk
        finally:
            for page in pages:
                page.close()
            for fake in fakes:
                fake.close()


def _wait_for(page, predicate, what: str, tries: int = 200) -> None:
    """Until ``predicate()``; Playwright's own wait, so the page's requests keep being routed."""
    for _ in range(tries):
        if predicate():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"Decap never {what}")


def _writes_to_origin(fake: FakeGitHub) -> list[tuple[str, str]]:
    return [(m, p) for m, p in fake.log if m != "GET" and p.startswith(f"/repos/{ORIGIN}/") and p != f"/repos/{ORIGIN}/forks"]


def test_a_writer_without_write_access_drafts_in_her_own_fork(github_desk):
    fake, page = github_desk("wu-writes", "read")
    _wait_for(page, lambda: ("GET", "/repos/wu-writes/press") in fake.log and fake.forked, "asked for the writer's fork")
    # Decap asked whether she may push, was told no, and made (then used) a fork on her account.
    assert fake.log.index(("GET", f"/repos/{ORIGIN}/collaborators/wu-writes/permission")) < fake.log.index(("POST", f"/repos/{ORIGIN}/forks"))
    _wait_for(page, lambda: fake.log.count(("GET", "/repos/wu-writes/press")) >= 2, "opened the fork")
    assert _writes_to_origin(fake) == []


def test_someone_who_can_push_works_on_the_repository_itself(github_desk):
    fake, page = github_desk("ana-edits", "write")
    _wait_for(page, lambda: ("GET", f"/repos/{ORIGIN}") in fake.log, "opened the repository")
    assert ("POST", f"/repos/{ORIGIN}/forks") not in fake.log
    assert not any(p.startswith("/repos/ana-edits/") for _, p in fake.log)

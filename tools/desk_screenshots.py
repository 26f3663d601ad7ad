"""Screenshots for docs/writing-in-the-browser.md and docs/meetings.md: the writers' desk and a printed agenda.

    .venv/bin/python tools/desk_screenshots.py [--out docs/screenshots]

Copies the sample press into a temporary git repository, runs decap-server over it, serves the
generated admin/ on 127.0.0.1 and drives Debian's Chromium through proposing an article; then
prints the sample's Springfield agenda. Needs Chromium, the test extras and ``npm ci``.
"""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from press import browser
from press.cms import local

REPO = Path(__file__).resolve().parent.parent


def picture() -> bytes:
    """A 480×270 PNG: a grey street with a green lane."""
    width, height = 480, 270
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            if y < 90:
                row += bytes((170, 200, 230))  # sky
            elif 150 < x < 210:
                row += bytes((40, 140, 70))  # the lane
            else:
                row += bytes((110, 110, 115))  # the street
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def run(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "Ana Ruiz", "GIT_AUTHOR_EMAIL": "ana@example.org", "GIT_COMMITTER_NAME": "Ana Ruiz",
           "GIT_COMMITTER_EMAIL": "ana@example.org", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"}  # fmt: skip
    return subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    why = browser.missing() or local.missing()
    if why:
        print(f"desk_screenshots: {why}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    from press import agenda, load
    from press.build import build

    with tempfile.TemporaryDirectory(prefix="press-desk-") as folder:
        root = Path(folder) / "press"
        # A clone, with the history the sample needs (an article withdrawn is known from git), on "main".
        run("git", "clone", "-q", "--no-hardlinks", str(REPO), str(root), cwd=Path(folder))
        run("git", "checkout", "-q", "-B", "main", cwd=root)
        site = build(root, Path(folder) / "site", search=False).output
        image = Path(folder) / "elm-street.png"
        image.write_bytes(picture())

        def shot(page, name: str, **kwargs) -> None:
            target = args.out / name
            page.screenshot(path=str(target), **kwargs)
            print(target)

        with local.decap_server(root) as (api, _log), browser.browser() as chromium:
            config = site / "admin" / "config.yml"
            config.write_text(local.use_local_server(config.read_text(encoding="utf-8"), api), encoding="utf-8")
            with browser.serve(site) as url:
                page = chromium.new_page(viewport={"width": 1280, "height": 860})
                page.set_default_timeout(20_000)
                local.offline(page, [])
                page.goto(f"{url}/admin/index.html")
                page.get_by_role("button", name="Login").click()
                page.get_by_text("Springfield Community Assembly").first.wait_for()
                page.goto(f"{url}/admin/index.html#/collections/springfield")
                page.reload()  # Decap is one page: a new address after '#' alone opens nothing afresh
                page.get_by_text("The rent strike on Maple Street wins").wait_for()
                shot(page, "desk-collection.png")
                page.goto(f"{url}/admin/index.html#/collections/springfield/new")
                page.reload()
                page.locator("[id^=title-field]").fill("Bike lanes for Elm Street")
                page.locator("[id^=authors-field]").fill("Ana Ruiz")
                page.locator("[id^=summary-field]").fill("The council can paint them this spring, if we ask together.")
                page.locator("[id^=tags-field]").fill("transport, streets")
                page.locator("[data-slate-editor=true]").click()
                page.keyboard.type("Elm Street needs bike lanes before the school year starts. Forty parents signed our letter.")
                page.get_by_text("Choose an image").click()
                page.locator("input[type=file]").set_input_files(str(image))
                page.get_by_role("button", name="Choose selected").wait_for()
                shot(page, "desk-picture.png")
                page.get_by_role("button", name="Choose selected").click()
                page.locator("[id^=image_alt-field]").fill("Elm Street with a green bike lane painted along it")
                page.frame_locator("iframe").last.locator(".lead-image img").wait_for()
                shot(page, "desk-new-article.png")
                page.get_by_role("button", name="Save").click()
                page.get_by_text("Changes saved").wait_for()
                page.get_by_role("button", name="Status: Draft").click()
                page.get_by_role("menuitem", name="In review").wait_for()
                shot(page, "desk-status.png", clip={"x": 0, "y": 0, "width": 1280, "height": 300})
                page.get_by_role("menuitem", name="In review").click()
                page.goto(f"{url}/admin/index.html#/workflow")
                page.reload()
                page.get_by_text("Bike lanes for Elm Street").first.wait_for()
                shot(page, "desk-workflow.png")
                page.close()

            press = load(root)
            sheet = Path(folder) / "agenda.html"
            agenda.write(agenda.render(agenda.make(press, "springfield", paper="a4")), sheet)
            page = chromium.new_page(viewport={"width": 794, "height": 1123})
            page.emulate_media(media="print")
            page.goto(sheet.as_uri())
            shot(page, "agenda-first-page.png")
            top = page.evaluate("document.getElementById('item-1').getBoundingClientRect().top + window.scrollY")
            shot(page, "agenda-article.png", full_page=True, clip={"x": 0, "y": top - 20, "width": 794, "height": 1000})
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

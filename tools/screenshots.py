"""Screenshots of the sample press for review: home, section, article, chapter, the council, ledger and online-ballot pages at 390 px and 1280 px.

    .venv/bin/python tools/screenshots.py [--out screenshots]

Builds the press in this repository into a temporary folder, serves it on 127.0.0.1 and writes
full-page PNGs, in light and dark mode. Needs Chromium (Debian: apt-get install chromium) and the
test extras (pip install -e '.[test]').
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from press import browser
from press.build import build

PAGES = {
    "home": "index.html",
    "section": "youth/index.html",
    "article": "springfield/rent-strike-wins.html",
    "chapter": "springfield/index.html",
    "council": "council/index.html",
    "ledger": "riverside/ledger.html",
    "retraction": "riverside/heat-pump-coop.html",
    "ballots": "ballots/index.html",
    "ballot-results": "ballots/council/platform-2027/index.html",
    "enrol": "ballots/enrol/index.html",
}
WIDTHS = (390, 1280)  # a common phone, a desktop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the PNGs")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the press")
    args = parser.parse_args()
    why = browser.missing()
    if why:
        print(f"screenshots: {why}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="press-screenshots-") as folder:
        site = build(args.root, Path(folder) / "site").output
        with browser.serve(site) as url, browser.browser() as chromium:
            for name, path in PAGES.items():
                for width in WIDTHS:
                    for scheme in ("light", "dark"):
                        page = chromium.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                        page.goto(f"{url}/{path}", wait_until="load")
                        target = args.out / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        page.close()
                        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

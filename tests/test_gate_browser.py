"""Script-embedded JSON in a real browser: a title written to break out of the JSON-LD block leaves
the page whole and runs nothing."""

from __future__ import annotations


import pytest
from click.testing import CliRunner

from press import browser
from press.cli import main


@pytest.mark.parametrize(
    "title",
    [
        "<!--<script>",  # opens a comment inside the script: Chromium then swallows the rest of the page
        "</script><script>window.pwned = 1</script>",
        "\u2028</script ><img src=x onerror=window.pwned=1>",
    ],
)
def test_a_hostile_title_cannot_break_out_of_json_ld(pressdir, chromium, title):
    pressdir.buildable()
    pressdir.assembly()
    pressdir.article("springfield", "good", title=f"News {title}", body="APPROVED-TEXT stays visible.", author=f"Ana {title}")
    pressdir.publish("springfield", "good", "2026-09-01")
    result = CliRunner().invoke(main, ["--root", str(pressdir.root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    with browser.serve(pressdir.root / "output") as url:
        page = chromium.new_page()
        page.goto(f"{url}/springfield/good.html", wait_until="load")
        assert page.locator("h1").first.inner_text().startswith("News ")
        assert "APPROVED-TEXT stays visible." in page.locator("body").inner_text()
        assert page.evaluate("window.pwned === undefined")
        ld = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
        assert ld["headline"] == f"News {title}"
        page.close()

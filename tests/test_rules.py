"""One rule API (press.site.rules): every file of a built site is made by a rule that declared its
inputs, is claimed with the rule that made it, and is reused exactly when its inputs' key is unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from press.build import BuildFailed, build
from press.site.outputs import Made, OutputList

from test_warm_cold import cold, differing, edit, tree

pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py


def files_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def test_every_file_of_the_sample_site_is_made_by_a_rule_that_declared_its_inputs(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    result = build(sample)
    site = sample / "output"
    rules = result.outputs.rules()
    files = files_of(site)
    assert len(files) > 100 and any(f.startswith("pagefind/") for f in files) and "admin/config.yml" in files
    for name in files:
        made = rules.get(name)
        assert isinstance(made, Made), f"{name}: made by no rule"
        assert made.rule and made.inputs, f"{name}: its rule declared no inputs ({made})"
        assert made.key is not None, f"{name}: made on every build: an input of {made.rule} has no key"
        if made.rule.startswith("copy"):  # a copy's key is its own digest
            assert made.key == hashlib.sha256((site / name).read_bytes()).hexdigest(), name
    assert sorted(rules) == files  # and no rule claims a file that is not there
    kinds = {name: made.rule for name, made in rules.items()}
    assert kinds["admin/config.yml"] == "the writers' desk"
    assert kinds["sitemap.xml"] == "sitemap" and kinds["robots.txt"] == "robots.txt"
    assert kinds["manifest.webmanifest"] == "web manifest" and kinds["icon-192.png"] == "image"
    assert kinds["pagefind/pagefind-entry.json"] == "search shard" and kinds["pagefind/shards.json"] == "search shard list"
    assert kinds["springfield/rent-strike-wins.html"] == "template article.html"
    assert "article" in rules["springfield/rent-strike-wins.html"].inputs


def test_the_fronts_are_rules_like_every_page(sample, tmp_path, monkeypatch):
    """The front page, a chapter's front and a section's front: template rules whose inputs are the
    variables their templates read (the front page's stories, the chapter, the section's page)."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    rules = build(sample).outputs.rules()
    front, chapter, section = rules["index.html"], rules["springfield/index.html"], rules["youth/index.html"]
    assert front.rule == "template index.html" and "front" in front.inputs
    assert chapter.rule == "template chapter.html" and "chapter" in chapter.inputs
    assert section.rule == "template section.html" and "section_page" in section.inputs
    assert rules["council/index.html"].rule == "template council.html"


def test_an_assemblys_new_name_changes_the_writers_desk_warm_exactly_as_cold(sample, tmp_path, monkeypatch):
    """admin/ is made by rules keyed by the assemblies it lists: a new name reaches it on a warm build,
    byte for byte as on a cold one, while an unrelated change leaves it linked from the last build."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    site = sample / "output"
    build(sample)
    desk = (site / "admin/config.yml").stat().st_ino
    article = sample / "content/harbor/ferry-cuts.md"
    article.write_text(article.read_text() + "\nAn unvoted edit.\n")  # an input of no admin file
    build(sample)
    assert (site / "admin/config.yml").stat().st_ino == desk  # reused: last build's file, hard-linked
    edit(sample / "editorial/assemblies/harbor.yml", "name: Harbour Workers' Assembly", "name: Dockside Assembly")
    warm = build(sample)
    assert warm.memo.reused > 0
    assert "Dockside Assembly" in (site / "admin/config.yml").read_text()
    assert "Harbour Workers' Assembly" not in (site / "admin/config.yml").read_text()
    assert differing(tree(site), cold(sample, tmp_path / "cold", monkeypatch)) == []


def test_a_file_claimed_without_a_rule_fails_the_build(tmp_path):
    """A writer that bypasses the rules (claims a file with a reason but no rule) is refused by name."""
    outputs = OutputList(tmp_path)
    (tmp_path / "stray.html").write_text("x")
    outputs.claim("stray.html", "a page of the site", written=True)
    (tmp_path / "ok.html").write_text("y")
    outputs.claim("ok.html", "a page of the site", written=True, made=Made("template page.html", ("page",), "00"))
    assert outputs.check() == [
        "output/stray.html: made by no rule (a page of the site) — every output is made through press.site.rules, which declares its inputs"
    ]


def test_a_plugin_writing_around_the_rules_fails_the_build(sample, tmp_path, monkeypatch):
    """A generator that writes into the site and claims its file without a rule stops the build,
    naming the file; the previous site stays."""
    from press.site import generator

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    before = tree(sample / "output")
    real = generator.PressGenerator._write_sitemap

    def around(self):
        real(self)
        self.build.outputs.write("extra.txt", b"not made by a rule", "a file the press generates (feeds, ledgers, calendars, sitemap)")

    monkeypatch.setattr(generator.PressGenerator, "_write_sitemap", around)
    (sample / "pelicanconf.py").write_text((sample / "pelicanconf.py").read_text() + "\n# changed\n")
    with pytest.raises(BuildFailed, match=r"output/extra.txt: made by no rule"):
        build(sample)
    assert tree(sample / "output") == before


def test_with_caching_off_every_file_is_still_made_by_a_rule_and_nothing_is_kept(sample, tmp_path, monkeypatch):
    """CACHE_CONTENT = False: every rule makes its file (no key, nothing reused or kept), the search
    index included, and the site is the cached build's byte for byte."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cached"))
    build(sample, tmp_path / "with-cache")
    conf = sample / "pelicanconf.py"
    conf.write_text(conf.read_text() + "\nCACHE_CONTENT = False\n")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    result = build(sample)
    rules = result.outputs.rules()
    site = sample / "output"
    assert sorted(rules) == files_of(site)
    assert all(made is not None for made in rules.values())
    assert {made.key is None for name, made in rules.items() if not made.rule.startswith("copy")} == {True}
    assert not list((tmp_path / "caches").rglob("search-shards.json"))  # the search index kept nothing
    assert differing(tree(site), tree(tmp_path / "with-cache")) == []

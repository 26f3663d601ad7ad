"""The benchmark measures what it says: equal work for plain Pelican and Hugo, and changes that are
what their names say. (No timing here: figures live in docs/performance.md.)"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess

import pytest
import yaml

import press
from press.build import build
from press.decisions import EDITED, PUBLISHED, RETRACTED

from conftest import REPO


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "tools" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A small synthetic press, as the benchmark makes them."""
    folder = tmp_path_factory.mktemp("bench")
    root = folder / "press"
    root.mkdir()
    facts = bench.generate(root, 60, 3)
    return folder, root, facts


def test_plain_pelican_and_hugo_get_exactly_what_the_press_publishes(synthetic, tmp_path, monkeypatch):
    folder, root, facts = synthetic
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    sources = bench.published_sources(root)
    model = press.load(root)
    # Both kinds of published article are there: as they are, and as the approved revision of an edited one.
    states = {model.decisions.articles[aid].state for aid in sources}
    assert states == {PUBLISHED, EDITED}
    for aid, data in sources.items():
        assert "sha256:" + hashlib.sha256(data).hexdigest() == model.decisions.articles[aid].approved_digest
    # The press itself writes an article page for exactly these.
    out = tmp_path / "site"
    build(root, out, search=False)
    pages = {p.relative_to(out).with_suffix("").as_posix() for p in out.glob("a*/story-*.html")}
    notices = {aid for aid in pages if model.decisions.articles[aid].state == RETRACTED}  # a retraction notice
    assert pages - notices == set(sources)

    bench.plain_site(tmp_path / "plain", root, sources)
    given = {p.relative_to(tmp_path / "plain" / "content").with_suffix("").as_posix() for p in (tmp_path / "plain" / "content").glob("a*/*.md")}
    assert given == set(sources)
    assert all((tmp_path / "plain" / "content" / f"{aid}.md").read_bytes() == data for aid, data in sources.items())

    bench.hugo_site(tmp_path / "hugo", sources)
    for aid, data in sources.items():
        text = (tmp_path / "hugo" / "content" / f"{aid}.md").read_text()
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        assert meta["title"] in data.decode() and meta["tags"] and meta["authors"]
        assert body.strip() == data.decode().partition("\n\n")[2].strip()


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Debian's hugo is not installed (the benchmark skips its column too)")
def test_the_hugo_site_builds_a_page_per_published_article(synthetic, tmp_path, monkeypatch):
    folder, root, facts = synthetic
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    sources = bench.published_sources(root)
    site = tmp_path / "hugo"
    bench.hugo_site(site, sources)
    subprocess.run(["hugo", "--quiet", "--source", str(site), "--destination", str(site / "public")], check=True)
    pages = {p.parent.relative_to(site / "public").as_posix() for p in (site / "public").glob("a*/story-*/index.html")}
    assert pages == set(sources)
    assert (site / "public" / "index.xml").read_text().startswith('<?xml version="1.0"')


def test_each_change_is_what_its_name_says(synthetic, tmp_path, monkeypatch):
    folder, root, facts = synthetic
    copy = tmp_path / "press"
    shutil.copytree(root, copy, symlinks=True)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    sources = bench.published_sources(copy)
    changes = bench.Changes(copy, facts, sources)

    def state(aid: str) -> str:
        return press.load(copy).decisions.articles[aid].state

    edited = changes.edited
    assert state(edited) == PUBLISHED
    changes.edit()
    assert state(edited) == EDITED

    awaiting = changes.awaiting[-1]
    changes.vote()
    assert state(awaiting) == PUBLISHED

    changes.retraction()
    assert state(changes.retracted) == RETRACTED
    assert changes.retracted in sources  # it was published

    before = {aid: len(a.members) for aid, a in press.load(copy).records.assemblies.items()}
    changes.roster()
    after = {aid: len(a.members) for aid, a in press.load(copy).records.assemblies.items()}
    assert sum(after.values()) == sum(before.values()) + 1
    assert press.load(copy).problems == []

"""The search index: exactly what the theme marks searchable, built in shards, rebuilt only where the
searchable records changed, and always the same as a clean build's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import press.build
from press.build import build
from press.site import search
from press.site.search import record_of

from conftest import copy_sample
from test_incremental import CHANGES as INCREMENTAL_CHANGES


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pagefind_over_whole_pages(site: Path, into: Path) -> dict[str, bytes]:
    """What the build did before: the Pagefind program over every page of the site, as it is."""
    pages = into / "site"
    for page in site.rglob("*.html"):
        rel = page.relative_to(site)
        if rel.parts[0] != "pagefind":
            (pages / rel).parent.mkdir(parents=True, exist_ok=True)
            (pages / rel).write_bytes(page.read_bytes())
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(into / "out"), "--silent"], check=True, stdin=subprocess.DEVNULL)
    return tree(into / "out")


def touch(path: Path) -> None:
    """Change a file's time, not its bytes: the next build runs, and makes the same pages."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def without_shard_list(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != "shards.json"}


@pytest.fixture
def counted(monkeypatch):
    """Count the runs of Pagefind."""
    runs: list[list[str]] = []
    real = press.build.run_bounded

    def run(command, timeout):
        runs.append(command)
        return real(command, timeout)

    monkeypatch.setattr(press.build, "run_bounded", run)
    return runs


def test_the_index_is_what_pagefind_makes_of_the_whole_pages(sample, tmp_path, monkeypatch):
    """Handing Pagefind each page's record instead of the page changes nothing in the index, byte for byte."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    site = sample / "output"
    ours = tree(site / "pagefind")
    assert json.loads(ours["shards.json"]) == []  # the sample is one shard
    assert without_shard_list(ours) == pagefind_over_whole_pages(site, tmp_path / "reference")


def test_sharded_index_holds_the_same_pages_and_excerpts(sample, tmp_path, monkeypatch):
    """Split into shards, the index holds every published article once, with the same fragments
    (URL, title, body text for excerpts) as one index over the whole site."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    monkeypatch.setattr(search, "SHARD_PAGES", 4)
    build(sample)
    site = sample / "output"
    shards = json.loads((site / "pagefind/shards.json").read_text())
    assert len(shards) >= 1  # pagefind/ and at least one more
    reference = pagefind_over_whole_pages(site, tmp_path / "reference")
    expected = {name for name in reference if name.startswith("fragment/")}
    found = [name for name in tree(site / "pagefind") if "/fragment/" in "/" + name]
    assert sorted(name.rsplit("/", 2)[-2] + "/" + name.rsplit("/", 1)[-1] for name in found) == sorted(expected)
    assert all((site / "pagefind" / shard / "pagefind-entry.json").is_file() for shard in shards)
    # Every shard but the first holds its index alone: the search page loads Pagefind's scripts,
    # styles and WebAssembly from pagefind/ only (found in Chromium: test_every_article_in_the_index…).
    for shard in shards:
        kinds = {p.name if p.name == "pagefind-entry.json" else p.suffix for p in (site / "pagefind" / shard).rglob("*") if p.is_file()}
        assert {"pagefind-entry.json", ".pf_meta", ".pf_index", ".pf_fragment"} <= kinds <= {"pagefind-entry.json", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter"}
    assert {"pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"} <= {p.name for p in (site / "pagefind").iterdir()}


HTML = '<!DOCTYPE html>\n<html lang="en">\n<head><title>T</title></head>\n<body>{}</body>\n</html>\n'


@pytest.mark.parametrize(
    "body, record",
    [
        ("<nav>menu</nav><p>no mark</p>", None),
        ("<p>Text about data-pagefind-body, in words only.</p>", None),
        ('<a title="<article data-pagefind-body>">x</a><p>a mark inside an attribute</p>', None),
        ("<!-- <article data-pagefind-body> --><p>a mark in a comment</p>", None),
        ('<nav>menu</nav><article data-pagefind-body><h1>T</h1><p>A</p></article><aside>more</aside>',
         '<!DOCTYPE html>\n<html lang="en"><body><article data-pagefind-body><h1>T</h1><p>A</p></article></body></html>\n'),
        ('<article data-pagefind-body><article><p>nested</p></article><p title="</article>">after</p></article><p>out</p>',
         '<!DOCTYPE html>\n<html lang="en"><body><article data-pagefind-body><article><p>nested</p></article><p title="</article>">after</p></article></body></html>\n'),
    ],
)  # fmt: skip
def test_a_record_is_the_marked_element_alone(body, record):
    assert record_of(HTML.format(body)) == record


@pytest.mark.parametrize(
    "body",
    [
        '<article data-pagefind-body>one</article><div data-pagefind-body>two</div>',  # two bodies
        '<p data-pagefind-filter="kind:x">f</p><article data-pagefind-body>a</article>',  # markup outside the body
        '<span data-pagefind-body>inline</span>',  # an element whose extent we do not delimit
        '<article data-pagefind-body>never closed',
    ],
)
def test_a_page_pagefind_must_read_whole_is_handed_over_whole(body):
    page = HTML.format(body)
    assert record_of(page) == page


def test_a_rebuild_runs_pagefind_only_for_shards_whose_records_changed(sample, tmp_path, monkeypatch, counted):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    build(sample)
    shards = 1 + len(json.loads((sample / "output/pagefind/shards.json").read_text()))
    assert len(counted) == shards >= 2
    counted.clear()
    touch(sample / "pelicanconf.py")
    assert not build(sample).unchanged  # a build that runs, over the same records
    assert counted == []
    article = sample / "content/harbor/ferry-cuts.md"
    article.write_text(article.read_text() + "\nA late addition about LIGHTHOUSE-KEEPERS.\n")
    build(sample)
    assert len(counted) == 1  # an edit: one record, one shard


CHANGES = {  # the kinds of change of test_incremental.py that can move a search record, and the article's template
    **{k: v for k, v in INCREMENTAL_CHANGES.items() if k in ("an edit to a published article's text", "a new vote", "a retraction", "a roster change")},
    "a theme change to the article": lambda root: (root / "theme/templates/article.html").write_text(
        (root / "theme/templates/article.html").read_text().replace("Topics:", "Filed under:")
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuilt_index_equals_a_clean_builds(sample, tmp_path, monkeypatch, change):
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    CHANGES[change](sample)
    build(sample)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches-clean"))
    build(sample, tmp_path / "clean")
    assert tree(sample / "output/pagefind") == tree(tmp_path / "clean/pagefind")


def test_a_retracted_article_leaves_the_index(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    build(sample)
    before = urls_in_index(sample / "output")
    assert "/springfield/bus-fares.html" in before
    CHANGES["a retraction"](sample)
    build(sample)
    after = urls_in_index(sample / "output")
    assert after == before - {"/springfield/bus-fares.html"}


def urls_in_index(site: Path) -> set[str]:
    """The page URLs in every shard's fragments (gzip, "pagefind_dcd" signature, JSON)."""
    import gzip

    urls = set()
    for fragment in (site / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        urls.add(json.loads(data[len(b"pagefind_dcd"):])["url"])
    return urls


def kept_shards(caches: Path) -> dict[str, str]:
    """The store's manifest of built shards: shard key -> its list of files, "<key>/<path>" -> each file."""
    return json.loads(next(caches.rglob(f"store/manifests/{search.SHARDS}.json")).read_text())["entries"]


def store_object(caches: Path, digest: str) -> Path:
    return next(caches.rglob("store/objects")) / digest


@pytest.mark.parametrize("damage", ["a file changed", "a file missing", "its list of files changed"])
def test_a_kept_shard_damaged_in_the_store_is_not_used(sample, tmp_path, monkeypatch, counted, damage):
    """A shard kept in the store whose files changed (same size, time kept: the bytes tell), went
    missing, or whose list of files is not what was written, is built again, never published."""
    caches = tmp_path / "caches"
    monkeypatch.setenv("PRESS_CACHE_DIR", str(caches))
    build(sample)
    clean = tree(sample / "output/pagefind")
    entries = kept_shards(caches)
    assert not (caches / "search").exists() and not list(caches.rglob("search/*"))  # no folder of its own
    fragment = store_object(caches, next(v for k, v in entries.items() if "/fragment/" in k))
    listing = store_object(caches, next(v for k, v in entries.items() if "/" not in k))
    if damage == "a file changed":
        before = fragment.stat()
        fragment.chmod(0o644)
        fragment.write_bytes(b"x" * before.st_size)
        os.utime(fragment, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif damage == "a file missing":
        fragment.unlink()
    else:
        listing.chmod(0o644)
        listing.write_text(json.dumps({"../../evil.js": "0" * 64}))
    counted.clear()
    build(sample, tmp_path / "again")
    assert len(counted) == 1
    assert tree(tmp_path / "again/pagefind") == clean


@pytest.mark.parametrize("rel", ["../outside.js", "a/../../outside.js", "/etc/passwd", "a//b.js", "./a.js"])
def test_a_shard_list_naming_a_file_outside_the_shard_is_refused(tmp_path, monkeypatch, rel):
    """The shard's list of files names where each is copied to: never outside the shard."""
    from press.store import Store

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    store = Store(tmp_path)
    good = store.put(b"good")
    assert search._listing(store, store.put(json.dumps({"pagefind.js": good}).encode())) == {"pagefind.js": good}
    assert search._listing(store, store.put(json.dumps({"pagefind.js": good, rel: good}).encode())) is None


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory, chromium):
    """The sample press with its index split into as many shards as it will go, served."""
    from press import browser

    root = copy_sample(tmp_path_factory.mktemp("sharded") / "sample")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESS_CACHE_DIR", str(root.parent / "caches"))
        patch.setattr(search, "SHARD_PAGES", 1)
        build(root)
    assert len(json.loads((root / "output/pagefind/shards.json").read_text())) >= 3
    with browser.serve(root / "output") as url:
        yield url, root


def search_page(chromium, site: str, query: str, address: str = "search.html") -> tuple[list[tuple[str, str, str]], list[str]]:
    """(title, link, excerpt) of each result the search page at ``address`` shows for ``query``; console errors."""
    page = chromium.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{site}/{address}", wait_until="load")
        page.fill("#q", query)
        page.wait_for_function("/\\d+ results? for|No results/.test(document.getElementById('status').textContent)")
        results = page.locator("#results li").evaluate_all(
            "items => items.map(i => [i.querySelector('a').textContent, i.querySelector('a').href, i.querySelector('p').textContent])"
        )
        return [tuple(r) for r in results], errors
    finally:
        page.close()


def test_a_sharded_index_finds_a_published_article(chromium, sharded_site):
    results, errors = search_page(chromium, sharded_site[0], "rent strike Maple")
    assert errors == []
    titles = [title for title, _, _ in results]
    assert "The rent strike on Maple Street wins" in titles
    excerpt = next(e for t, _, e in results if t == "The rent strike on Maple Street wins")
    assert "Provenance" not in excerpt and "Approved by" not in excerpt  # excerpts come from the body alone


@pytest.mark.parametrize("query", ["UNPUBLISHED-SENTENCE-SPRINGFIELD-GOSSIP", "heat pump cooperative", "night bus petition"])
def test_a_sharded_index_never_finds_an_unpublished_article(chromium, sharded_site, query):
    results, errors = search_page(chromium, sharded_site[0], query)
    assert errors == []
    for unpublished in ("city-hall-gossip", "heat-pump-coop", "night-bus-petition"):
        assert not any(unpublished in link for _, link, _ in results), results


def test_every_article_in_the_index_is_found_by_its_title(chromium, sharded_site):
    """Whichever shard holds it, each indexed article is found by its own title; and the index holds
    exactly the published articles (the fragments of every shard)."""
    url, root = sharded_site
    fragments = fragments_in_index(root / "output")
    assert {f["url"] for f in fragments} >= {"/springfield/rent-strike-wins.html", "/harbor/ferry-cuts.html"}
    assert not any(name in f["url"] for f in fragments for name in ("city-hall-gossip", "heat-pump-coop", "night-bus-petition"))
    for fragment in fragments:
        results, errors = search_page(chromium, url, fragment["meta"]["title"])
        assert errors == []
        assert any(link.endswith(fragment["url"]) for _, link, _ in results), (fragment["url"], results)


def test_a_section_narrows_the_search_to_its_articles(chromium, sharded_site):
    """search.html?section=youth (the link on the section's front) finds only that section's articles,
    whichever shard holds them; the same words without the section find others too."""
    url, root = sharded_site
    youth = {f["url"] for f in fragments_in_index(root / "output") if "youth" in f.get("meta", {}).get("sections", "").split()}
    everywhere, errors = search_page(chromium, url, "workers")
    assert errors == [] and {link.removeprefix(url) for _, link, _ in everywhere} - youth  # more than the section
    narrowed, errors = search_page(chromium, url, "workers", "search.html?section=youth")
    assert errors == [] and narrowed
    assert {link.removeprefix(url) for _, link, _ in narrowed} <= youth


def test_each_article_of_a_section_carries_its_filter_and_the_front_links_to_its_search(sample, tmp_path, monkeypatch):
    """The index holds the section as Pagefind metadata on exactly the articles its front lists (and no
    Pagefind filter: its filter index is not reproducible); the front links to the search narrowed to
    it; the search page offers every section."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    site = sample / "output"
    front = (site / "youth/index.html").read_text()
    listed = set(re.findall(r'<h3><a [^>]*href="\.\./([a-z]+/[a-z0-9-]+\.html)"', front))
    assert listed == {"harbor/ferry-cuts.html", "harbor/radio-hour.html", "springfield/bus-fares.html"}
    fragments = fragments_in_index(site)
    sections = {f["url"].lstrip("/"): f.get("meta", {}).get("sections") for f in fragments}
    assert {url for url, found in sections.items() if found} == listed
    assert all(sections[url] == "youth" for url in listed)
    assert not any(f.get("filters") for f in fragments)
    assert '<a href="../search.html?section=youth">Search Youth &amp; Students</a>' in front
    page = (site / "search.html").read_text()
    assert '<select id="section" name="section">' in page and '<option value="youth">Youth &amp; Students</option>' in page


def fragments_in_index(site: Path) -> list[dict]:
    import gzip

    found = []
    for fragment in sorted((site / "pagefind").rglob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        found.append(json.loads(data[len(b"pagefind_dcd"):]))
    return found


def test_a_record_cache_that_disagrees_with_the_pages_fails_the_build_once_and_is_forgotten(sample, tmp_path, monkeypatch):
    """A table of records tampered with (or made by other code under the same version) cannot put a
    stale record in the index: the build fails with a message, drops that table, and the next one is right."""
    from press.build import BuildFailed
    from press.store import Store

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    clean = tree(sample / "output/pagefind")
    salt = json.loads(next((tmp_path / "caches").rglob(f"store/manifests/{search.RECORDS}.json")).read_text())["salt"]
    store = Store(sample)
    data = store.value(search.RECORDS, salt, plain=True)
    data["records"] = {page: ("0" * 64 if record else record) for page, record in data["records"].items()}
    assert store.keep_value(search.RECORDS, salt, data, plain=True)  # whole in the store: only its sense is wrong
    touch(sample / "pelicanconf.py")  # a build that runs (with nothing changed it would not even start)
    with pytest.raises(BuildFailed, match="the search cache disagrees with .* — build again"):
        build(sample)
    assert tree(sample / "output/pagefind") == clean  # the site is untouched
    build(sample)
    assert tree(sample / "output/pagefind") == clean


def test_a_cached_shard_restored_with_other_file_times_is_reused(sample, tmp_path, monkeypatch, counted):
    """A cache folder restored from an archive (as the publish workflow does) keeps its bytes but may
    not keep each file's time to the nanosecond: the bytes are compared, and the shard is reused."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    clean = tree(sample / "output/pagefind")
    for path in (tmp_path / "caches").rglob("store/objects/*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    counted.clear()
    build(sample, tmp_path / "again")
    assert counted == []
    assert tree(tmp_path / "again/pagefind") == clean


def test_a_search_file_edited_in_the_served_site_is_replaced_from_the_store(sample, tmp_path, monkeypatch, counted):
    """The index's files are hard-linked from the last build only while they are exactly as the press
    left them: one edited in place in the served site is taken from the store again (a checked copy,
    no Pagefind run), and the store never saw the edit."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    build(sample)
    clean = tree(sample / "output/pagefind")
    served = sample / "output/pagefind/pagefind-entry.json"
    size = served.stat().st_size
    with open(served, "r+b") as f:  # in place, the same size: through the link, if there were one into the store
        f.write(b"X" * size)
    counted.clear()
    build(sample)
    assert counted == []
    assert tree(sample / "output/pagefind") == clean
    entries = kept_shards(tmp_path / "caches")
    digest = next(v for k, v in entries.items() if k.endswith("/pagefind-entry.json"))
    assert store_object(tmp_path / "caches", digest).read_bytes() == clean["pagefind-entry.json"]

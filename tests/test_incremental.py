"""Incremental rebuilds: pages whose inputs did not change are reused, and the site is the same as a
clean build's, file for file."""

from __future__ import annotations

import faulthandler
import os
import signal
from pathlib import Path

import pytest

from conftest import change_an_input
from press.build import build
from press.site import parallel, prerender


pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py

def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, tmp_path: Path, monkeypatch, name: str) -> dict[str, bytes]:
    """The same press built with no caches at all, into a fresh folder."""
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / f"caches-{name}"))
    out = tmp_path / f"clean-{name}"
    build(root, out)
    return tree(out)


CHANGES = {
    "an edit to a published article's text": lambda root: (root / "content/harbor/ferry-cuts.md").write_text(
        (root / "content/harbor/ferry-cuts.md").read_text() + "\nA late addition.\n"
    ),
    "a new vote": lambda root: (root / "editorial/meetings/riverside/2026-11-16.yml").write_text(
        "present: 6\nmotions:\n  - reject: riverside/night-bus-petition\n    yes: 5\n    no: 1\n"
    ),
    "a retraction": lambda root: (root / "editorial/meetings/springfield/2026-11-10.yml").write_text(
        "present: [ana, ben, carla, eli, fatima]\nmotions:\n  - retract: springfield/bus-fares\n"
        "    reason: Old figures.\n    yes: [ana, ben, carla, eli, fatima]\n"
    ),
    "a roster change": lambda root: (root / "editorial/assemblies/harbor.yml").write_text(
        (root / "editorial/assemblies/harbor.yml").read_text().replace("name: Harbour Workers' Assembly", "name: Harbour and Ferry Workers' Assembly")
    ),
    "an attachment swapped after the vote": lambda root: (root / "content/springfield/rent-strike-wins/rent-rise.png").write_bytes(
        (root / "content/springfield/rent-strike-wins/rent-rise.png").read_bytes() + b"\0"
    ),
    "a narrower iframe allowlist": lambda root: (root / "pelicanconf.py").write_text(
        (root / "pelicanconf.py").read_text().replace('"player.vimeo.com"', "")
    ),
    "a section's tags": lambda root: (root / "editorial/press.yml").write_text(
        (root / "editorial/press.yml").read_text().replace("tags: [youth, students]", "tags: [youth, students, housing]")
    ),
    "a new section": lambda root: (root / "editorial/press.yml").write_text(
        (root / "editorial/press.yml").read_text() + "  - {id: transit, name: Transit, tags: [transit]}\n"
    ),
    "a theme change": lambda root: (root / "theme/templates/base.html").write_text(
        (root / "theme/templates/base.html").read_text().replace("Skip to content", "Skip to the articles")
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_equals_a_clean_build(sample, tmp_path, monkeypatch, change):
    first = build(sample)
    assert first.memo is not None
    second = build(sample)  # nothing changed: nothing is done (see test_uptodate.py)
    assert second.unchanged
    CHANGES[change](sample)
    third = build(sample)
    assert 0 < third.memo.rendered
    assert tree(sample / "output") == clean_build(sample, tmp_path, monkeypatch, "after")


def test_a_new_press_version_renders_everything_again(sample, tmp_path, monkeypatch):
    from press import cache

    build(sample)
    monkeypatch.setattr(cache, "press_version", lambda: "a newer press")
    again = build(sample)
    assert not again.unchanged and again.memo.reused == 0
    assert tree(sample / "output") == clean_build(sample, tmp_path, monkeypatch, "after")


@pytest.mark.parametrize("changed", ["site/admin.js", "site/ballot.js", "desk/desk.html"])
def test_a_press_that_changed_only_a_file_of_its_own_that_is_not_python_is_a_new_version(tmp_path, monkeypatch, changed):
    """Attack (a store written by another version): an upgrade that changes only the desk's script
    (site/admin.js, published as admin/press.js by a rule whose inputs are the rosters and settings)
    kept the same press version, so a warm build linked last build's admin/press.js, or took the
    store's, where a cold build writes the new one. Every file of the package counts."""
    import shutil

    from press import cache

    package = Path(cache.__file__).parent
    copy = tmp_path / "press"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    cache.press_version.cache_clear()
    try:
        before = cache.press_version()
        (copy / changed).write_bytes((copy / changed).read_bytes() + b"\n")
        cache.press_version.cache_clear()
        assert cache.press_version() != before
    finally:
        cache.press_version.cache_clear()


def test_the_libraries_versions_are_the_ones_python_reports():
    """The versions in the press's version are read from the installed libraries' folders: the same
    as importlib.metadata says for every library that shapes the output."""
    from importlib import metadata

    from press import cache

    expected = {}
    for library in cache._LIBRARIES:
        try:
            expected[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            pass
    assert "pelican" in expected and cache.library_versions(cache._LIBRARIES) == expected


def test_an_upgraded_library_makes_a_new_press_version(tmp_path, monkeypatch):
    """A library upgraded (its folder's version changes), installed in two places (the first on the
    path counts, as Python imports it) or in a form the listing does not read (asked of
    importlib.metadata instead): each is seen."""
    import sys
    from importlib import metadata

    from press import cache

    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Some.Lib-1.0.dist-info").mkdir(parents=True)
    (first / "Dev_Lib.egg-info").mkdir()  # a checkout installed with `setup.py develop`: no version in the name
    (first / "bare_lib.dist-info").mkdir()
    (second / "some_lib-2.0.dist-info").mkdir(parents=True)
    (second / "old_lib-0.9-py3.11.egg-info").mkdir(parents=True)
    (second / "dev_lib-1.0.dist-info").mkdir()  # a stale copy further down the path: never the one read
    (second / "bare_lib-1.0.dist-info").mkdir()
    (second / "zipped_lib-1.0.dist-info").mkdir()
    zipped = tmp_path / "libraries.zip"
    zipped.write_bytes(b"PK\x05\x06" + bytes(18))  # a zip file on the path, before the folder that has a copy
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    asked = {"old-lib": "0.9", "dev-lib": "3.0.dev0", "bare-lib": "7.0", "zipped-lib": "2.0"}
    def version(name):
        if name not in asked:
            raise metadata.PackageNotFoundError(name)
        return asked[name]

    monkeypatch.setattr(metadata, "version", version)
    assert cache.library_versions(("some-lib", "old-lib", "dev-lib", "bare-lib", "zipped-lib", "absent")) == {
        "some-lib": "1.0", "old-lib": "0.9", "dev-lib": "3.0.dev0", "bare-lib": "7.0", "zipped-lib": "1.0"
    }
    sys.path.insert(2, str(zipped))
    assert cache.library_versions(("some-lib", "zipped-lib")) == {"some-lib": "1.0", "zipped-lib": "2.0"}
    (first / "Some.Lib-1.0.dist-info").rename(first / "Some.Lib-1.1.dist-info")
    assert cache.library_versions(("some-lib",)) == {"some-lib": "1.1"}
    monkeypatch.setattr(cache, "_LIBRARIES", ("some-lib",))
    cache.press_version.cache_clear()
    try:
        before = cache.press_version()
        (first / "Some.Lib-1.1.dist-info").rename(first / "Some.Lib-1.2.dist-info")
        cache.press_version.cache_clear()
        assert cache.press_version() != before
    finally:
        cache.press_version.cache_clear()


@pytest.mark.parametrize("module, name", [(prerender, "MIN_FILES"), (parallel, "MIN_PAGES")], ids=["Markdown", "pages"])
def test_work_done_on_every_core_gives_the_site_done_in_one_process(sample, tmp_path, monkeypatch, module, name):
    monkeypatch.setattr(module, name, 0)  # the sample is small: force the worker pool
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches-parallel"))
    build(sample, tmp_path / "parallel")
    monkeypatch.setattr(module, name, 10**9)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches-serial"))
    build(sample, tmp_path / "serial")
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


@pytest.mark.parametrize("workers", ["pool", "one process"])
def test_a_page_that_fails_to_render_fails_the_build_and_keeps_the_site(sample, monkeypatch, workers):
    from press.build import BuildFailed

    monkeypatch.setattr(parallel, "MIN_PAGES", 0 if workers == "pool" else 10**9)
    build(sample)
    before = tree(sample / "output")
    article = sample / "theme/templates/article.html"
    article.write_text(article.read_text().replace("{% block content %}", "{% block content %}{{ article.title.no_such() }}", 1))
    with pytest.raises(BuildFailed) as failed:
        build(sample)
    assert "no_such" in str(failed.value)
    assert tree(sample / "output") == before


def test_pages_no_change_touches_stay_the_same_files_build_after_build(sample, tmp_path, monkeypatch):
    """A page linked or made by the last build is linked again by the next (not copied from the
    cache, not rendered again): the same file, build after build."""
    build(sample)
    CHANGES["a new vote"](sample)
    build(sample)
    pages = {p.relative_to(sample / "output").as_posix(): p.stat().st_ino for p in (sample / "output").rglob("*.html")}
    change_an_input(sample)  # the build runs; no page shows what changed
    build(sample)
    assert len(pages) > 20
    assert {name: (sample / "output" / name).stat().st_ino for name in pages} == pages
    assert tree(sample / "output") == clean_build(sample, tmp_path, monkeypatch, "after")


@pytest.mark.parametrize("workers", ["pool", "one process"])
def test_a_fresh_clone_with_the_cache_restored_reuses_pages(sample, tmp_path, monkeypatch, workers):
    """CI: the previous site is gone, only the cache folder survives; pages come from the press's store,
    where whoever rendered them (a worker process, or the build's own) kept them."""
    from press.store import Store

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PAGES", 0 if workers == "pool" else 10**9)
    read_back = []
    real = Store.put_file
    monkeypatch.setattr(Store, "put_file", lambda self, source: read_back.append(source) or real(self, source))
    first = build(sample, tmp_path / "first")
    pages = {name for name, made in first.outputs.rules().items() if made.rule.startswith("template ")}
    assert len(pages) > 20
    site = (tmp_path / "first").resolve()
    # every template page was kept in the store by whoever rendered it, never read back to be kept
    assert [p for p in read_back if Path(p).relative_to(site).as_posix() in pages] == []
    CHANGES["a new vote"](sample)
    again = build(sample, tmp_path / "second")  # another output: no previous site to link from
    assert again.memo.reused > 20 and again.memo.rendered > 0
    assert tree(tmp_path / "second") == clean_build(sample, tmp_path, monkeypatch, "after")


def test_a_damaged_page_in_the_store_is_made_again(sample, tmp_path, monkeypatch):
    from press.store import Store

    build(sample, tmp_path / "first")
    objects = sorted(Store(sample).objects.iterdir())
    assert len(objects) > 20
    for page in objects:  # someone with write access to the cache folder rewrites every stored object
        page.unlink()
        page.write_text("<p>not what was voted</p>")
    again = build(sample, tmp_path / "second")
    assert again.memo.reused == 0
    assert tree(tmp_path / "second") == clean_build(sample, tmp_path, monkeypatch, "after")
    assert build(sample, tmp_path / "third").memo.reused > 20  # the store was mended


def test_a_page_damaged_in_the_store_after_its_check_is_published_as_checked(sample, tmp_path, monkeypatch):
    """A fresh clone copies pages from the store: what reaches the site is the bytes checked against
    the page's digest, even when the store's file is rewritten between the check and the copy."""
    from press.site.memo import RenderMemo

    build(sample, tmp_path / "first")
    CHANGES["a new vote"](sample)
    real = RenderMemo.reusable
    damaged: list[Path] = []

    def reusable_then_damaged(self, name, fingerprint):
        found = real(self, name, fingerprint)
        if found is not None and found.parent == self.store.objects:
            found.unlink()
            found.write_text("<p>not what was voted</p>")  # someone with write access to the cache folder
            damaged.append(found)
        return found

    monkeypatch.setattr(RenderMemo, "reusable", reusable_then_damaged)
    again = build(sample, tmp_path / "second")  # another output: every reused page comes from the store
    assert len(damaged) > 20 and again.memo.reused > 20
    assert tree(tmp_path / "second") == clean_build(sample, tmp_path, monkeypatch, "after")


@pytest.fixture
def fails_rather_than_hangs():
    """A regression of the tests below hangs rather than fails: end the run with every thread's
    traceback after five minutes instead of waiting for CI's time limit."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _killed_in_a_worker(real):
    """``real``, except that in a worker process it dies as the out-of-memory killer would kill it."""
    parent = os.getpid()

    def work(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    return work


@pytest.mark.parametrize("work", ["rendering Markdown", "rendering pages", "drawing share images"])
def test_a_worker_killed_mid_build_fails_the_build_and_keeps_the_site(sample, tmp_path, monkeypatch, fails_rather_than_hangs, work):
    from press.build import BuildFailed
    from press.site import images

    build(sample)
    before = tree(sample / "output")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))  # nothing cached: all of it is done again
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(prerender, "MIN_FILES", 0)  # the sample is small: every pool is used
    monkeypatch.setattr(parallel, "MIN_PAGES", 0)
    monkeypatch.setattr(images, "MIN_PARALLEL", 0)
    module, name = {"rendering Markdown": (prerender._Converters, "get"), "rendering pages": (parallel, "_write"),
                    "drawing share images": (images, "_draw")}[work]
    real = getattr(module, name)
    monkeypatch.setattr(module, name, _killed_in_a_worker(real))
    with pytest.raises(BuildFailed) as failed:
        build(sample)
    assert f"a worker process {work} stopped before it finished" in str(failed.value)
    assert tree(sample / "output") == before
    monkeypatch.setattr(module, name, real)  # once the workers live, the press builds again
    assert build(sample).memo.rendered > 0

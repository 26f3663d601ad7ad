"""The one store: plain data, content-addressed, checked on every read, never shared with the site."""

from __future__ import annotations

import hashlib
import ast
import datetime as dt
import os
import zoneinfo
from fractions import Fraction
from pathlib import Path

import pytest

from press import store as press_store
from press.cache import cache_dir
from press.model import load
from press.problems import Problem

PACKAGE = Path(__file__).resolve().parent.parent / "tools" / "press"
# Modules that may import pickle or marshal, and why: never to keep anything on disk.
TRANSPORT = {
    "site/parallel.py": "pickles a worker's exception to send it to the parent process (never stored)",
}



@pytest.fixture
def caches(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "caches"
    monkeypatch.setenv("PRESS_CACHE_DIR", str(folder))
    return folder


def _objects(root: Path) -> list[Path]:
    folder = cache_dir(root, "store", "objects")
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _damage(path: Path, data: bytes = b"damaged") -> None:
    os.chmod(path, 0o644)
    path.write_bytes(data)


def test_nothing_in_the_package_imports_pickle_or_marshal():
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        rel = file.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("pickle", "marshal", "shelve", "dill", "cloudpickle") for n in names) and rel not in TRANSPORT:
                found.append(f"{rel}:{node.lineno}")
    assert found == [], f"plain data only in caches (press.store): {found}"


def test_an_object_is_named_by_its_bytes_and_read_only(caches, tmp_path):
    store = press_store.Store(tmp_path)
    digest = store.put(b"hello")
    assert digest == press_store.sha256(b"hello")
    path = store.path(digest)
    assert path.read_bytes() == b"hello" and not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert store.get(digest) == b"hello"


def test_a_damaged_object_is_a_miss_and_is_removed(caches, tmp_path):
    store = press_store.Store(tmp_path)
    digest = store.put(b"the approved bytes")
    _damage(store.path(digest), b"other bytes")
    fresh = press_store.Store(tmp_path)
    assert fresh.get(digest) is None
    assert not fresh.path(digest).exists()  # made again by the next put
    assert fresh.put(b"the approved bytes") == digest and fresh.get(digest) == b"the approved bytes"


def test_a_damaged_object_is_never_copied_out(caches, tmp_path):
    store = press_store.Store(tmp_path)
    digest = store.put(b"<p>page</p>")
    target = tmp_path / "site" / "page.html"
    target.parent.mkdir()
    target.write_bytes(b"old")
    _damage(store.path(digest))
    assert not press_store.Store(tmp_path).copy_out(digest, target)
    assert target.read_bytes() == b"old"


def test_a_copy_out_replaces_what_is_at_its_name_and_never_writes_through_a_link(caches, tmp_path):
    """A new name is written at once; a file, or a link planted at the name (to a file outside the
    site), is replaced by the copy — the file the link pointed to keeps its bytes."""
    store = press_store.Store(tmp_path)
    digest = store.put(b"<p>voted</p>")
    site = tmp_path / "site"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"someone's file")
    (site / "new").mkdir(parents=True)
    (site / "old.html").write_bytes(b"old")
    (site / "linked.html").symlink_to(outside)
    for name in ("new/page.html", "old.html", "linked.html", "missing/folder/page.html"):
        assert store.copy_out(digest, site / name)
        assert not (site / name).is_symlink() and (site / name).read_bytes() == b"<p>voted</p>"
    assert outside.read_bytes() == b"someone's file"
    assert sorted(p.name for p in site.iterdir()) == ["linked.html", "missing", "new", "old.html"]  # nothing left beside them


def test_a_manifest_under_another_salt_or_damaged_is_empty(caches, tmp_path):
    store = press_store.Store(tmp_path)
    assert store.keep_value("thing", "salt-1", {"a": (1, 2)})
    assert store.value("thing", "salt-1") == {"a": (1, 2)}
    assert store.value("thing", "salt-2") is None
    manifest = store.manifests / "thing.json"
    manifest.write_bytes(b"\x80\x05 not json")
    assert store.value("thing", "salt-1") is None


def test_objects_no_manifest_names_are_swept(caches, tmp_path):
    store = press_store.Store(tmp_path)
    store.keep_value("thing", "s", [1])
    first = _objects(tmp_path)
    store.keep_value("thing", "s", [2])  # the value it replaces goes at once
    assert len(_objects(tmp_path)) == 1 and _objects(tmp_path) != first
    stray = store.put(b"named by no manifest")
    store.save_manifest("pages", "s", {"a": store.put(b"a page")})
    store.sweep()
    assert not store.path(stray).exists() and len(_objects(tmp_path)) == 2


def test_values_round_trip_with_their_types():
    zone = zoneinfo.ZoneInfo("Europe/Madrid")
    value = {
        "when": dt.datetime(2026, 10, 25, 2, 30, tzinfo=zone, fold=1),
        "utc": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        "day": dt.date(2026, 11, 3), "at": dt.time(18, 30), "zone": zone,
        (1, "a"): frozenset({1, 2}), "set": {"x"}, "bytes": b"\x00\xff", "share": Fraction(2, 3),
        "float": float("inf"), "path": Path("content/a.md"), "problem": Problem("a.yml", 3, "bad"),
        "nested": [(None, True, -0.0)],
    }  # fmt: skip
    back = press_store.loads(press_store.dumps(value))
    assert back == value
    assert back["when"].fold == 1 and back["when"].tzinfo == zone and type(back[(1, "a")]) is frozenset


def test_the_whole_sample_model_round_trips(caches, sample):
    records = load(sample).records
    back = press_store.loads(press_store.dumps(records))
    assert back == records
    assert type(back) is type(records) and type(next(iter(back.articles.values()))) is type(next(iter(records.articles.values())))


@pytest.mark.parametrize(
    "data",
    [
        b'{"c": ["os:system", []]}',  # not a press type: never imported or built
        b'{"c": ["press.cli:main", []]}',  # a press name, but not a dataclass
        b'{"n": ["builtins:tuple", []]}',
        b'{"x": 1}',
        b'{"c": ["press.problems:Problem", ["a", 1]]}',  # kept with other fields
        b'{"t": "abc"}',  # a tuple's body that is not a list (not read as its characters)
        b'{"F": "abc"}',
        b'{"S": {"a": 1}}',
        b'{"c": ["press.problems:Problem", "abc"]}',  # a dataclass's fields that are not a list
        b'[1, 2.5]',  # a bare float: floats are kept tagged
        b'{"d": {"a": [1.5]}}',
    ],
)
def test_a_foreign_value_is_refused(data):
    with pytest.raises((TypeError, ValueError, KeyError)):
        press_store.loads(data)


def test_only_the_press_s_own_types_are_kept():
    class Foreign:
        pass

    with pytest.raises(TypeError):
        press_store.dumps([Foreign()])


def test_a_damaged_records_object_is_parsed_again(caches, sample):
    first = load(sample)
    for path in _objects(sample):
        _damage(path, b'{"c": ["press.problems:Problem", ["x", 1, "planted"]]}')
    again = load(sample)
    assert again.records == first.records
    assert [p.message for p in again.records.problems] == [p.message for p in first.records.problems]


# --------------------------------------------------------------------------- reading never writes


def _edited_in_git(repo) -> None:
    from conftest import commit

    repo.article("springfield", "rent", body="Approved text.")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Article and vote")
    repo.article("springfield", "rent", body="Edited since.")
    commit(repo.root, "edit")


def _no_writes(monkeypatch) -> list:
    """Make the one write primitive fail loudly, and count the attempts."""
    from press import files

    tried = []

    def refuse(path, *args, **kwargs):
        tried.append(str(path))
        raise AssertionError(f"wrote {path} while reading")

    monkeypatch.setattr(files, "replacing", refuse)
    return tried


def test_reading_the_model_writes_nothing(caches, repo, settled, monkeypatch):
    _edited_in_git(repo)
    tried = _no_writes(monkeypatch)
    loaded = load(repo.root)
    assert loaded.revisions["springfield/rent"].data.endswith(b"Approved text.\n")  # git history read
    assert loaded.shown["springfield/rent"].article.title
    assert loaded.verified().problems == []
    assert tried == [] and not caches.exists()


def test_saving_is_the_command_s_explicit_step(caches, repo, settled):
    _edited_in_git(repo)
    loaded = load(repo.root)
    loaded.revisions
    loaded.verified()
    assert not caches.exists()
    loaded.save()
    manifests = sorted(p.name for p in cache_dir(repo.root, "store", "manifests").iterdir())
    assert manifests == ["history.json", "records.json", "verified.json"]


def test_verify_no_save_writes_nothing(caches, repo, settled, monkeypatch):
    from click.testing import CliRunner

    from press.cli import main

    _edited_in_git(repo)
    tried = _no_writes(monkeypatch)
    result = CliRunner().invoke(main, ["--root", str(repo.root), "verify", "--no-save"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:") and tried == [] and not caches.exists()
    monkeypatch.undo()
    result = CliRunner().invoke(main, ["--root", str(repo.root), "verify"])
    assert result.exit_code == 0 and cache_dir(repo.root, "store", "manifests", "records.json").exists()


# --------------------------------------------------------------------------- the store and the served site


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _digests(folder: Path) -> dict[str, str]:
    """Every file of a built site by the sha256 of its bytes: a failing comparison names the files
    (pytest's diff of two sites' bytes can run for many minutes)."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in _tree(folder).items()}


def _page_object(root: Path, served: Path) -> Path:
    from press.site.memo import PAGES

    store = press_store.Store(root)
    data = served.read_bytes()
    (digest,) = {d for d in store.manifest(PAGES, _salt_of(store, PAGES)).values() if d == press_store.sha256(data)}
    return store.path(digest)


def _salt_of(store, name: str) -> str:
    import json

    return json.loads((store.manifests / f"{name}.json").read_bytes())["salt"]


def test_a_damaged_store_object_never_changes_the_served_site(caches, sample, settled):
    from press.build import build

    build(sample)
    served = sample / "output" / "springfield" / "index.html"
    before = served.read_bytes()
    kept = _page_object(sample, served)
    assert os.stat(kept).st_ino != os.stat(served).st_ino  # a copy, never a link
    _damage(kept, b"<p>not what was voted</p>")
    assert served.read_bytes() == before


def test_a_damaged_served_file_never_reaches_the_store_and_is_repaired(caches, sample, settled, tmp_path, monkeypatch):
    from press.build import build

    build(sample)
    served = sample / "output" / "springfield" / "index.html"
    kept = _page_object(sample, served)
    good = kept.read_bytes()
    with open(served, "r+b") as f:  # written in place, through whatever shares the file
        f.write(b"<p>defaced</p>")
    assert kept.read_bytes() == good
    again = build(sample)
    assert not again.unchanged and again.memo.reused > 20
    assert (sample / "output" / "springfield" / "index.html").read_bytes() == good
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(sample / "output") == _digests(tmp_path / "clean")


def test_damaged_store_objects_are_rebuilt_and_nothing_wrong_is_published(caches, sample, settled, tmp_path, monkeypatch):
    from press.build import build

    build(sample, tmp_path / "first")
    for path in _objects(sample):  # every object: records, pages, the up-to-date record
        _damage(path, b"<p>not what was voted</p>")
    again = build(sample, tmp_path / "second")  # no previous site: every page would come from the store
    assert again.memo.reused == 0
    published = _tree(tmp_path / "second")
    assert not any(b"not what was voted" in data for data in published.values())
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert {name: hashlib.sha256(data).hexdigest() for name, data in published.items()} == _digests(tmp_path / "clean")


@pytest.mark.parametrize(
    "data",
    [
        b'{"n": ["press.store:os.stat_result", [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]]}',  # reached through a press module
        b'{"e": ["press.store:enum.Enum", 1]}',
    ],
)
def test_a_type_reached_through_a_press_module_is_refused(data):
    with pytest.raises((TypeError, ValueError, KeyError)):
        press_store.loads(data)


@pytest.mark.parametrize(
    "data, plain",
    [
        (b"[" * 100_000 + b"]" * 100_000, False),  # deeper than Python's recursion limit
        (b"[" * 100_000 + b"]" * 100_000, True),
        (b'{"t":' * 5_000 + b"1" + b"}" * 5_000, False),
        (b'{"fr": [1, 0]}', False),  # a fraction over zero
        (b'{"td": [1000000000, 0, 0]}', False),  # a timedelta out of range
    ],
)
def test_a_planted_value_that_cannot_be_read_is_a_miss_not_a_traceback(caches, tmp_path, data, plain):
    kept = press_store.Store(tmp_path)
    assert kept.keep_value("planted", "salt", [1], plain=plain)
    digest = kept.manifest("planted", "salt")["value"]
    path = kept.path(digest)
    _damage(path, data)  # named by its own bytes, as a hostile writer would
    os.rename(path, kept.path(press_store.sha256(data)))
    assert kept.save_manifest("planted", "salt", {"value": press_store.sha256(data)})
    assert kept.value("planted", "salt", plain=plain) is None


def test_a_build_whose_kept_values_are_planted_too_deep_builds_again(caches, sample, settled, tmp_path, monkeypatch):
    import json

    from press.build import build

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    deep = b"[" * 100_000 + b"]" * 100_000
    planted = kept.put(deep)  # named by its own bytes: whole to the store, poison to the reader
    repointed = 0
    for manifest in kept.manifests.glob("*.json"):
        loaded = json.loads(manifest.read_bytes())
        entries = {key: planted for key in loaded["entries"]}
        repointed += len(entries)
        assert kept.save_manifest(manifest.stem, loaded["salt"], entries)
    assert repointed
    build(sample, tmp_path / "second")  # no traceback: every planted value is a miss
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(tmp_path / "second") == _digests(tmp_path / "clean")


@pytest.mark.parametrize("planted", [b"5", b"[" * 100_000 + b"]" * 100_000, b'"text"'])
def test_kept_markdown_of_the_wrong_shape_is_rendered_again(caches, sample, settled, tmp_path, monkeypatch, planted):
    from press.build import build
    from press.site.prerender import MARKDOWN

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    digest = kept.put(planted)  # named by its own bytes: whole to the store
    for manifest in kept.manifests.glob(f"{MARKDOWN}.json"):
        loaded = __import__("json").loads(manifest.read_bytes())
        assert kept.save_manifest(manifest.stem, loaded["salt"], {key: digest for key in loaded["entries"]})
    build(sample, tmp_path / "second")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(tmp_path / "second") == _digests(tmp_path / "clean")


def test_kept_markdown_pointed_at_another_articles_rendering_is_rendered_again(caches, sample, settled, tmp_path, monkeypatch):
    """Each kept rendering names the bytes it was rendered from: a manifest whose entries were
    shuffled (each file's bytes pointed at another file's HTML) publishes every article as written."""
    import json

    from press.build import build
    from press.site.prerender import MARKDOWN

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    shuffled = 0
    for manifest in kept.manifests.glob(f"{MARKDOWN}.json"):
        loaded = json.loads(manifest.read_bytes())
        keys, objects = list(loaded["entries"]), list(loaded["entries"].values())
        entries = dict(zip(keys, objects[1:] + objects[:1]))  # every key to the next file's rendering
        shuffled += len(entries)
        assert kept.save_manifest(manifest.stem, loaded["salt"], entries)
    assert shuffled > 1
    build(sample, tmp_path / "second")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(tmp_path / "second") == _digests(tmp_path / "clean")


def test_a_pack_holding_another_articles_rendering_under_a_key_is_rendered_again(caches, sample, settled, tmp_path, monkeypatch):
    """Renderings are kept one pack per folder; someone with write access to the cache swaps two
    articles' renderings inside a pack (a whole object, named by its new bytes, the manifest pointed at
    it): each rendering still names the bytes it was made from, so both articles are published as written."""
    import json

    from press.build import build
    from press.site.prerender import MARKDOWN

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    loaded = json.loads((kept.manifests / f"{MARKDOWN}.json").read_bytes())
    by_pack: dict[str, list[str]] = {}
    for key, digest in loaded["entries"].items():
        by_pack.setdefault(digest, []).append(key)
    digest, keys = max(by_pack.items(), key=lambda item: len(item[1]))
    assert len(keys) > 1  # a folder's articles share one pack
    pack = json.loads(kept.get(digest))
    pack[keys[0]], pack[keys[1]] = pack[keys[1]], pack[keys[0]]
    swapped = kept.put(json.dumps(pack).encode())
    assert kept.save_manifest(MARKDOWN, loaded["salt"], {**loaded["entries"], **dict.fromkeys(keys, swapped)})
    build(sample, tmp_path / "second")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(tmp_path / "second") == _digests(tmp_path / "clean")


@pytest.mark.parametrize("meta", [{"title": 5}, {"tags": [["rent"]]}, {"title": None}])
def test_a_kept_rendering_with_metadata_of_another_shape_is_rendered_again(caches, sample, settled, tmp_path, monkeypatch, meta):
    """A pack's rendering whose metadata fields are not lines of text (planted, or from another
    version) is a miss: the article is rendered again, never a failed build."""
    import json

    from press.build import build
    from press.site.prerender import MARKDOWN

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    loaded = json.loads((kept.manifests / f"{MARKDOWN}.json").read_bytes())
    entries = dict(loaded["entries"])
    for digest in set(entries.values()):
        pack = json.loads(kept.get(digest))
        planted = kept.put(json.dumps({key: [html, {**fields, **meta}, formatted, source] for key, (html, fields, formatted, source) in pack.items()}).encode())
        entries.update({key: planted for key, was in loaded["entries"].items() if was == digest})
    assert kept.save_manifest(MARKDOWN, loaded["salt"], entries)
    build(sample, tmp_path / "second")
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cold"))
    build(sample, tmp_path / "clean")
    assert _digests(tmp_path / "second") == _digests(tmp_path / "clean")


def test_a_rendering_made_again_packs_again_only_its_own_folder(caches, sample, settled, tmp_path, monkeypatch):
    """A first build keeps one object of rendered Markdown per folder of articles, not one per article;
    when one article's rendering is missing (a new or edited article, or a cache trimmed by hand), its
    folder's pack alone is written anew."""
    import json

    from press.build import build
    from press.site import prerender
    from press.site.prerender import MARKDOWN

    build(sample, tmp_path / "first")
    kept = press_store.Store(sample)
    loaded = json.loads((kept.manifests / f"{MARKDOWN}.json").read_bytes())
    before = loaded["entries"]
    folders = {}
    for key, digest in before.items():
        folders.setdefault(digest, set()).add(key)
    assert 1 < len(folders) < len(before)
    dropped = sorted(before)[0]
    assert kept.save_manifest(MARKDOWN, loaded["salt"], {k: v for k, v in before.items() if k != dropped})
    clean = prerender.clean_html
    monkeypatch.setattr(prerender, "clean_html", lambda html, hosts: clean(html, hosts) + "<p>made again</p>")
    build(sample, tmp_path / "second")
    after = json.loads((kept.manifests / f"{MARKDOWN}.json").read_bytes())["entries"]
    assert after.keys() == before.keys()
    repacked = {before[key] for key in before if after[key] != before[key]}
    assert repacked == {before[dropped]}  # the dropped rendering's folder, and no other
    assert {key for key in before if after[key] != before[key]} == folders[before[dropped]]
    assert sum("made again" in page.read_text() for page in (tmp_path / "second").rglob("*.html")) >= 1  # the one made again


def test_a_fresh_press_build_process_keeps_and_loads_no_pelican_pickle(caches, sample, settled):
    """Pelican's reader caches are pickles: ``press build`` in a new process (where Pelican never loaded
    the plugin, so its ``register`` never ran) must neither write nor read them."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "from press.cli import main; main()", "--root", str(sample), "build"]
    for _ in range(2):  # the second build would load what the first kept
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    kept = [p.name for p in caches.rglob("*") if p.is_file()]
    assert kept and not [name for name in kept if name.endswith("-Readers") or name.endswith(".pickle")], kept

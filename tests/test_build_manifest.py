"""One manifest per build (press.site.memo.build_manifest): for every file of a build folder, the rule
that made it, its key and the sha256 of its bytes as published, kept in the store under the one salt."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from press.build import build
from press.site.memo import build_manifest, memo_name

from test_rules import files_of

pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py


def built(root: Path, result) -> tuple[Path, dict[str, dict]]:
    """The build folder the output link points to, and its manifest."""
    site = (root / "output").resolve()
    return site, build_manifest(result.memo.store, site, result.memo.salt.hex())


@pytest.mark.parametrize("workers", ["one process", "pool"])
def test_the_manifest_names_every_file_once_with_its_rule_key_and_bytes(sample, tmp_path, monkeypatch, workers):
    """(With the pool, the pages are rendered and kept in the store by worker processes: the manifest
    names the bytes they wrote.)"""
    import os

    from press.site import parallel

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PAGES", 0 if workers == "pool" else 10**9)
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    result = build(sample)
    site, manifest = built(sample, result)
    files = files_of(site)
    assert len(files) > 100
    assert sorted(manifest) == files  # every file, once (a dict: no path twice), and nothing else
    claims = result.outputs.rules()
    for name in files:
        entry = manifest[name]
        assert entry["sha256"] == hashlib.sha256((site / name).read_bytes()).hexdigest(), name
        assert entry["rule"] == claims[name].rule, name
        assert entry["key"] == claims[name].key, name
    assert manifest["springfield/rent-strike-wins.html"]["rule"] == "template article.html"
    # plain JSON in the store, under the build folder's own name
    raw = json.loads((result.memo.store.manifests / f"{memo_name(site)}.json").read_text())
    assert raw["salt"] == result.memo.salt.hex() and set(raw["entries"]) == {"value"}


def test_after_an_article_edit_and_its_vote_only_the_changed_outputs_keys_differ(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    _, before = built(sample, build(sample))
    article = sample / "content/springfield/bus-fares.md"
    article.write_text(article.read_text() + "\nOne more sentence.\n")
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    meeting = sample / "editorial/meetings/springfield/2026-09-01.yml"
    meeting.write_text(re.sub(r"digest: sha256:[0-9a-f]{64}", f"digest: sha256:{digest}", meeting.read_text()))
    warm = build(sample)
    assert warm.memo.reused > 0
    site, after = built(sample, warm)
    assert sorted(after) == files_of(site)
    common = before.keys() & after.keys()
    rekeyed = {n for n in common if before[n]["key"] != after[n]["key"]}
    changed = {n for n in common if before[n]["sha256"] != after[n]["sha256"]}
    assert "springfield/bus-fares.html" in changed and "springfield/bus-fares.html" in rekeyed
    for name in changed:  # a file whose bytes changed was made again under a new key (or has none)
        assert name in rekeyed or after[name]["key"] is None, name
    # what the edit and the vote do not reach keeps its key: other assemblies' files, springfield's other
    # articles, the writers' desk, every copy (theme, attachments)
    untouched = {n for n in common if n.startswith(("harbor/", "riverside/", "admin/"))}
    untouched |= {n for n in common if n.startswith("springfield/") and n.endswith(".html") and "/" not in n[12:]
                  and after[n]["rule"] == "template article.html" and n != "springfield/bus-fares.html"}  # fmt: skip
    assert "harbor/dockers-pension.html" in untouched and any(n.startswith("springfield/") for n in untouched)
    assert not untouched & rekeyed, sorted(untouched & rekeyed)
    assert not {n for n in rekeyed if after[n]["rule"].startswith("copy")}


def damage(store, name: str, salt: str, how: str) -> None:
    if how == "bad JSON in the manifest":
        (store.manifests / f"{name}.json").write_text('{"salt": "')
    elif how == "bad JSON in the value":
        assert store.save_manifest(name, salt, {"value": store.put(b'{"files": {')})
    else:
        value = {
            "a list": [1, 2],
            "files as a list": {"files": ["index.html"]},
            "an entry of the wrong shape": {"files": {"index.html": {"rule": 3, "key": None, "sha256": "x"}}},
            "a key that is not hex": {"files": {"index.html": {"rule": "r", "key": "zz", "sha256": "0" * 64, "stat": [1, 2, 3]}}},
            "a stat of the wrong shape": {"files": {"index.html": {"rule": "r", "key": "0" * 64, "sha256": "0" * 64, "stat": "big"}}},
        }[how]
        assert store.keep_value(name, salt, value, plain=True)


HOW = ("bad JSON in the manifest", "bad JSON in the value", "a list", "files as a list", "an entry of the wrong shape",
       "a key that is not hex", "a stat of the wrong shape")  # fmt: skip


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_manifest_is_a_miss_never_a_traceback(sample, tmp_path, monkeypatch, how):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    result = build(sample)
    site, good = built(sample, result)
    store, salt = result.memo.store, result.memo.salt.hex()
    damage(store, memo_name(site), salt, how)
    manifest = build_manifest(store, site, salt)
    assert all(name in good for name in manifest)  # only well-formed entries, if any
    assert "index.html" not in manifest or manifest["index.html"] == good["index.html"]
    article = sample / "content/harbor/ferry-cuts.md"
    article.write_text(article.read_text() + "\nAn unvoted edit.\n")  # an input of no page: the build runs
    warm = build(sample)  # and reads the manifest as a miss, and writes a whole one
    assert warm.memo is not None
    site, again = built(sample, warm)
    assert sorted(again) == files_of(site)
    assert all(again[n]["sha256"] == hashlib.sha256((site / n).read_bytes()).hexdigest() for n in again)

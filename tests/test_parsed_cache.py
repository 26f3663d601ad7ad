"""The parsed-records cache is rewritten only when a record was parsed or dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from press import cache as press_cache
from press.reading import ParsedRecords
from press.model import load as load_model


def load(root):
    loaded = load_model(root)
    loaded.save()  # as every command does when it is done
    return loaded


def test_a_run_with_nothing_new_leaves_the_cache_file_alone(pressdir, monkeypatch, tmp_path):
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    pressdir.assembly()
    pressdir.write("editorial/meetings/springfield/2026-11-03.yml", "present: [ana, ben]\n")
    load(pressdir.root)
    path = press_cache.cache_dir(pressdir.root, "store", "manifests", "records.json")
    first = path.stat()

    load(pressdir.root)  # nothing changed: every record comes from the cache
    assert path.stat().st_ino == first.st_ino and path.stat().st_mtime_ns == first.st_mtime_ns

    pressdir.write("editorial/meetings/springfield/2026-11-10.yml", "present: [ana, ben]\n")
    press = load(pressdir.root)  # a new record is parsed and kept
    assert path.stat().st_ino != first.st_ino
    assert len(press.records.meetings) == 2
    second = path.stat()

    (pressdir.root / "editorial/meetings/springfield/2026-11-10.yml").unlink()
    load(pressdir.root)  # a deleted record is dropped from the cache
    assert path.stat().st_ino != second.st_ino
    assert len(ParsedRecords(pressdir.root).entries) == 2  # the roster and one meeting


def test_a_vote_rewrites_the_parsed_records_of_its_own_folder_only(pressdir, monkeypatch, tmp_path, settled):
    """The parsed records are kept one part per folder of the press: after one meeting record
    changed, that meeting folder's part is written again and every other part is named as it was (at
    20,000 articles, writing them all again cost seconds of every build after a vote)."""
    from press.reading import RECORDS
    from press.store import Store, salt

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    for aid in ("springfield", "shelbyville"):
        pressdir.assembly(aid)
        pressdir.write(f"editorial/meetings/{aid}/2026-11-03.yml", "present: [ana, ben]\n")
    pressdir.write("content/springfield/rent.md", "Title: Rent\n\nThe rent is too high.\n")
    load(pressdir.root)
    store = Store(pressdir.root)
    before = store.manifest(RECORDS, salt())
    assert {"editorial/meetings/springfield", "editorial/meetings/shelbyville", "editorial/assemblies", "content/springfield"} <= set(before)

    pressdir.write("editorial/meetings/shelbyville/2026-11-03.yml", "present: [ana]\n")
    press = load(pressdir.root)
    after = store.manifest(RECORDS, salt())
    assert [m.present for m in press.records.meetings if m.assembly == "shelbyville"] == [("ana",)]
    assert {part for part in before if after.get(part) != before[part]} == {"editorial/meetings/shelbyville"}
    assert all(store.has(digest) for digest in after.values())
    assert not store.has(before["editorial/meetings/shelbyville"])  # the part it replaced is gone
    assert load(pressdir.root).records.meetings == press.records.meetings  # read back from the parts as parsed


def test_the_parsed_records_kept_by_a_build_serve_press_verify_run_from_the_press_folder(pressdir, monkeypatch, tmp_path, settled):
    """A build names the files by the absolute path of the press; `press verify` in the press folder
    (its root '.') names them 'content/...': the parts are the same parts, and nothing is parsed
    again (the records are found by the digest of their bytes)."""
    from press import reading, records

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    pressdir.assembly()
    pressdir.write("editorial/meetings/springfield/2026-11-03.yml", "present: [ana, ben]\n")
    pressdir.write("content/springfield/rent.md", "Title: Rent\n\nThe rent is too high.\n")
    load(pressdir.root.resolve())
    monkeypatch.chdir(pressdir.root)
    kept = ParsedRecords(Path("."))
    assert set(kept.parts) == {"content/springfield", "editorial/assemblies", "editorial/meetings/springfield"}

    def parsed_again(*args, **kwargs):
        raise AssertionError("a record was parsed again")

    monkeypatch.setattr(records, "read_meeting", parsed_again)
    monkeypatch.setattr(reading, "read_article", parsed_again)
    monkeypatch.setattr(reading, "read_assembly", parsed_again)
    assert [m.date.isoformat() for m in load(Path(".")).records.meetings] == ["2026-11-03"]


def test_a_missing_part_is_parsed_again_and_the_others_are_kept(pressdir, monkeypatch, tmp_path, settled):
    """One part of the kept records gone from the store (removed by hand, or by a build running at
    the same time): that folder's records are parsed again; the other parts are used as kept."""
    from press.reading import RECORDS
    from press.store import Store, salt

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    for aid in ("springfield", "shelbyville"):
        pressdir.assembly(aid)
        pressdir.write(f"editorial/meetings/{aid}/2026-11-03.yml", "present: [ana, ben]\n")
    load(pressdir.root)
    store = Store(pressdir.root)
    parts = store.manifest(RECORDS, salt())
    store.drop(parts["editorial/meetings/shelbyville"])
    kept = ParsedRecords(pressdir.root)
    assert set(kept.parts) == set(parts) - {"editorial/meetings/shelbyville"}
    assert {key[1] for key in kept.entries} == {"editorial/assemblies/springfield.yml", "editorial/assemblies/shelbyville.yml",
                                               "editorial/meetings/springfield/2026-11-03.yml"}  # fmt: skip
    assert len(load(pressdir.root).records.meetings) == 2
    assert store.has(store.manifest(RECORDS, salt())["editorial/meetings/shelbyville"])  # kept again


def test_an_articles_bundle_is_kept_with_its_assembly(pressdir, monkeypatch, tmp_path, settled):
    """An article's attachments are kept in its assembly's part, not in a part of their own for each
    bundle folder (a press of thousands of bundles would read thousands of small parts)."""
    from press.reading import RECORDS
    from press.store import Store, salt

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "caches"))
    pressdir.assembly()
    pressdir.write("content/springfield/rent/photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8 + b"PHOTO")
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.png)")
    load(pressdir.root)
    kept = ParsedRecords(pressdir.root)
    # (and '': what is kept by content alone, the picture's media fields by its digest)
    assert set(Store(pressdir.root).manifest(RECORDS, salt())) == {"content/springfield", "editorial/assemblies", ""}
    assert any(name.endswith("content/springfield/rent/photo.png") for name in kept.files)


def plant(store, change) -> None:
    """Replace every part of the kept parsed records (one per folder of the press) by ``change(part)``
    (its value as JSON -> the value to keep), each whole to the store (named by its own bytes)."""
    import json

    from press.reading import RECORDS
    from press.store import salt

    parts = store.manifest(RECORDS, salt())
    assert parts
    planted = {name: store.put(json.dumps(change(json.loads(store.get(digest)))).encode()) for name, digest in parts.items()}
    assert store.save_manifest(RECORDS, salt(), planted)


def _verified_once(pressdir, monkeypatch, tmp_path):
    """A press with one assembly and one meeting, verified once without keeping anything and once
    keeping its parsed records: its folder, the first answer, and its store."""
    from click.testing import CliRunner

    from press.cli import main
    from press.store import Store

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cache"))
    pressdir.assembly()
    pressdir.write("editorial/meetings/springfield/2026-11-03.yml", "present: [ana, ben]\n")
    root = str(pressdir.root)
    first = CliRunner().invoke(main, ["--root", root, "verify", "--no-save"])
    CliRunner().invoke(main, ["--root", root, "verify"])
    return root, first, Store(pressdir.root)


@pytest.mark.parametrize(
    "kept",
    [(5, 5, 5), ({}, "hashes", []), ({}, {"x": 5}, {"y": 5}), [1, 2, 3], {"entries": [[1]], "seen": [], "files": []},
     {"entries": [["k", {"zz": 1}]], "seen": {"d": {}}, "files": {"d": {}}}, {"entries": 5, "seen": 5}],
)
def test_parsed_records_kept_in_the_wrong_shape_are_read_again_not_a_traceback(pressdir, monkeypatch, tmp_path, kept, settled):
    """A records value named by its own bytes (whole to the store) but not of the shape this code
    writes, as a hand-edited cache would be: press verify reads every record again."""
    from click.testing import CliRunner

    from press.cli import main
    from press.store import encode

    root, first, store = _verified_once(pressdir, monkeypatch, tmp_path)
    hashes = {name: 5 for name in ParsedRecords(pressdir.root).hashes}  # every file's known hash: the wrong type
    assert hashes
    for value in (kept, {"entries": [], "seen": encode(hashes), "files": encode(hashes)}):
        plant(store, lambda part: list(value) if isinstance(value, tuple) else value)
        again = CliRunner().invoke(main, ["--root", root, "verify", "--no-save"])
        assert (again.exit_code, again.output) == (first.exit_code, first.output)
        assert ParsedRecords(pressdir.root).hashes == {}  # nothing of it trusted


@pytest.mark.parametrize("entry", [5, "x", [1, 2], (1,), (None, 5), (None, [5])])
def test_a_kept_entry_of_the_wrong_shape_is_parsed_again_not_an_internal_error(pressdir, monkeypatch, tmp_path, entry, settled):
    """The value kept is whole and of the shape save writes, but one parsed record in it is not
    (parsed record, its problems): that record is parsed again, as if it had not been kept."""
    from click.testing import CliRunner

    from press.cli import main
    from press.store import encode

    root, first, store = _verified_once(pressdir, monkeypatch, tmp_path)
    plant(store, lambda part: {**part, "entries": [[key, encode(entry)] for key, _ in part["entries"]]})
    pressdir.write("editorial/meetings/springfield/2026-11-10.yml", "present: [ana, ben]\n")  # verify's own answer no longer holds
    again = CliRunner().invoke(main, ["--root", root, "verify", "--no-save"])
    assert again.exit_code == first.exit_code, again.output
    assert "internal error" not in again.output

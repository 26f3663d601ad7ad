"""The parsed-records cache is rewritten only when a record was parsed or dropped."""

from __future__ import annotations

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

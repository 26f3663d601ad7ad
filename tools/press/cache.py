"""Caches, kept outside the repository.

A cache inside the work tree could be committed by anyone who opens a pull request, and both
Pelican's content cache and ours are pickles: loading one is running code. So caches live in the
user's cache folder (``$PRESS_CACHE_DIR``, else ``$XDG_CACHE_HOME/assembly-press``, else
``~/.cache/assembly-press``), one folder per press, named by a hash of its path.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

# Bump when the parsed-record classes change shape: older cache files are then ignored.
FORMAT = 4


def cache_dir(root: Path | str, *parts: str) -> Path:
    base = os.environ.get("PRESS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "assembly-press"
    )
    press = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return Path(base, press, *parts)


class ParsedRecords:
    """Parsed editorial records keyed by file path and content digest: a record whose bytes did not
    change is not parsed again. Never trusted across versions of the record format."""

    def __init__(self, root: Path):
        self.path = cache_dir(root, "records.pickle")
        self.entries: dict = {}
        self.used: set = set()
        try:
            with self.path.open("rb") as f:
                version, entries = pickle.load(f)
            if version == FORMAT:
                self.entries = entries
        except Exception:  # missing, damaged or foreign: start empty
            self.entries = {}

    def get(self, key):
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key, value) -> None:
        self.used.add(key)
        self.entries[key] = value

    def save(self) -> None:
        """Keep only what this run used, written atomically."""
        entries = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                pickle.dump((FORMAT, entries), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.path)
        except OSError:
            pass  # a read-only home: work without the cache

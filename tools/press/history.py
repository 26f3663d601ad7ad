"""What git knows about the articles: every version of every article file, read in one pass.

``History.read(root)`` runs one ``git log`` over ``content/`` and keeps, per file, each blob it
has had with the commit's date and author. Blobs are read on demand through one long-lived
``git cat-file --batch`` (GitPython's object database), so the number of git processes is the
same for ten articles or ten thousand.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .problems import PressError
from .records import digest_bytes

_NULL_SHA = "0" * 40
# How long `git log` over content/ may take before press gives up on it (seconds). A hung git must
# fail the command with a message, never hang a build or a pull-request check for ever.
GIT_TIMEOUT = float(os.environ.get("PRESS_GIT_TIMEOUT", "600"))


@dataclass(frozen=True)
class Version:
    commit: str
    when: dt.datetime
    author: str
    blob: str | None  # None: the file was deleted in this commit


@dataclass
class History:
    """Versions of each file under content/, oldest first, keyed by path relative to the press root."""

    repo: object | None
    prefix: str  # the press root, relative to the repository's top
    versions: dict[str, list[Version]] = field(default_factory=dict)
    _digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> History:
        """Read the history of ``root/content``; an empty History if ``root`` is not in a git work tree."""
        try:
            import git
        except ImportError:  # pragma: no cover - gitpython is a dependency
            return cls(None, "")
        try:
            repo = git.Repo(root, search_parent_directories=True)
            if repo.bare or not repo.head.is_valid():
                return cls(None, "")
        except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
            return cls(None, "")
        top = Path(repo.working_tree_dir).resolve()
        prefix = Path(root).resolve().relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        history = cls(repo, prefix)
        try:
            raw = repo.git.log(
                # --full-history: a file added and removed on a merged branch is history too (git's default
                # simplification drops the side of a merge where the file never reached the first parent).
                "--raw", "--no-abbrev", "--no-renames", "--reverse", "-z", "--full-history",
                "--format=%x1e%H%x1f%at%x1f%an",
                "--", f"{prefix}content",
                kill_after_timeout=GIT_TIMEOUT,
            )  # fmt: skip
        except git.GitCommandError as exc:
            why = (exc.stderr or "").strip() or f"exit {exc.status}"
            raise PressError(
                f"git log over content/ failed or did not finish within {GIT_TIMEOUT:g} seconds ({why}) — "
                "check the repository with `git log -- content`"
            ) from None
        history._parse(raw)
        return history

    def _parse(self, raw: str) -> None:
        for chunk in raw.split("\x1e"):
            if not chunk:
                continue
            header, _, changes = chunk.partition("\0")
            commit, stamp, author = header.split("\x1f")
            when = dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc)
            fields = changes.strip("\n").split("\0")
            for meta, path in zip(fields[0::2], fields[1::2]):
                meta = meta.strip()
                if not meta.startswith(":") or not path.startswith(self.prefix):
                    continue
                new_blob = meta.split()[3]
                rel = path[len(self.prefix):]
                blob = None if new_blob == _NULL_SHA else new_blob
                self.versions.setdefault(rel, []).append(Version(commit, when, author, blob))

    # ------------------------------------------------------------------ questions

    def first(self, path: str) -> Version | None:
        """The commit that first added ``path`` (the article's submission)."""
        versions = self.versions.get(path)
        return versions[0] if versions else None

    def authors(self, path: str) -> list[str]:
        return list(dict.fromkeys(v.author for v in self.versions.get(path, [])))

    def blob_bytes(self, blob: str) -> bytes:
        return self.repo.odb.stream(bytes.fromhex(blob)).read()

    def find(self, path: str, digest: str) -> tuple[bytes, Version, Version | None] | None:
        """The bytes of ``path`` whose digest is ``digest``, the version that introduced them, and the
        next version after it (the first edit since), or None if no version of ``path`` matches."""
        versions = self.versions.get(path, [])
        for index in range(len(versions) - 1, -1, -1):
            version = versions[index]
            if version.blob is None:
                continue
            if version.blob not in self._digests:
                self._digests[version.blob] = digest_bytes(self.blob_bytes(version.blob))
            if self._digests[version.blob] == digest:
                following = next((v for v in versions[index + 1:] if v.blob != version.blob), None)
                return self.blob_bytes(version.blob), version, following
        return None

"""The positive list of output files: for every file of the built site, why it may be there.

Every file of the build is claimed with a reason by the rule that made it (:mod:`press.site.rules`):
published articles' and maintainers' pages, the fronts and lists, ledgers, feeds, calendars, the
sitemap, images, the writers' desk, the approved attachments of published articles, the theme's
static files and the shared images of ``content/images/``, and every file of Pagefind's index. Before the new site replaces the old one, :meth:`OutputList.check` walks the staged folder:
a file nobody claimed, a file claimed twice, or a file whose bytes are not the bytes claimed fails
the build, naming the file. Nothing is filtered: what is not on the list is refused.

Nothing claims a file here directly: every output is made by a rule (:mod:`press.site.rules`), which
claims it with its reason and with what made it (:class:`Made`: the rule, the inputs it declared,
its key). A claim without a rule fails the build like an unclaimed file.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..files import remove_empty_folders


class OutsideOutput(Exception):
    """A write that would land outside the output folder."""


def vacate(path: str | os.PathLike) -> None:
    """Make room to write ``path`` in a build folder: unlink what is there, or create its folder.
    What is there is never written through: unchanged files of a new build are hard links to the
    previous build's (memo.py), and writing into one would change the site being served. A folder
    there that holds folders alone gives way: made ahead for the last site's files (press.output.Folders)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise
        remove_empty_folders(path)  # folders alone: a folder with a file in it is this build's own, and an error


# The inputs a copy declares: its own bytes, so its key is their sha256 (press.site.rules.Rules.copy).
COPIED = ("its bytes",)


@dataclass(frozen=True, slots=True)  # one per output file: thousands in a build
class Made:
    """Which rule made an output file: the rule, the inputs it declared (by name), and its key (hex:
    the key of the inputs with the version salt, or a copy's own digest; None when an input has no
    key and the file is made on every build)."""

    rule: str
    inputs: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)  # one per output file: thousands in a build
class Claim:
    reason: str
    sha256: str | None = None  # a copy claimed before it is made: its bytes are checked at the end
    stat: tuple[int, int] | None = None  # (size, mtime_ns) of a file claimed once written
    made: Made | None = None  # the rule that made it (press.site.rules)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class OutputList:
    """The files one build may leave in its output folder, and why."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder).resolve()
        self._prefix = str(self.folder) + os.sep
        self.claims: dict[str, Claim] = {}
        self.conflicts: list[str] = []

    def relative(self, name: str | os.PathLike) -> str:
        """``name`` (relative to the output folder, or absolute inside it) as a clean relative path;
        :class:`OutsideOutput` if it would leave the folder."""
        name = os.fspath(name)
        full = os.path.normpath(name if os.path.isabs(name) else self._prefix + name)
        if not full.startswith(self._prefix) or full == self._prefix.rstrip(os.sep):
            raise OutsideOutput(f"{name}: refusing to write outside the output folder")
        return full[len(self._prefix):].replace(os.sep, "/")

    def path(self, name: str) -> Path:
        """Where to write ``name``: inside the output folder, never outside."""
        return self.folder / self.relative(name)

    def claim(self, name: str | os.PathLike, reason: str, data: bytes | None = None, written: bool = False,
              made: Made | None = None) -> str:  # fmt: skip
        """Claim ``name`` for ``reason``, made by the rule ``made``: either the bytes it will hold
        (``data``, checked at the end), or, with ``written``, the file as it now is (its size and
        modification time, checked at the end: something else writing over it afterwards is caught
        without reading it twice)."""
        rel = self.relative(name)
        if written:
            st = os.stat(self.folder / rel)
            claim = Claim(reason, stat=(st.st_size, st.st_mtime_ns), made=made)
        else:
            claim = Claim(reason, _sha(data) if data is not None else None, made=made)
        previous = self.claims.get(rel)
        if previous is not None and previous.reason != reason:
            self.conflicts.append(f"output/{rel}: claimed by {previous.reason} and by {reason} — two sources may not write one path")
        self.claims[rel] = claim
        return rel

    def write(self, name: str, data: bytes, reason: str, made: Made | None = None) -> None:
        """Write ``data`` at ``name`` and claim it."""
        path = self.path(name)
        vacate(path)
        path.write_bytes(data)
        self.claim(name, reason, written=True, made=made)

    def check(self) -> list[str]:
        """Every problem with the staged folder: unclaimed files, files claimed twice, files whose
        bytes changed after they were written, links, claimed files that are missing."""
        problems = list(self.conflicts)
        seen = set()
        folders = [str(self.folder)]
        while folders:  # os.scandir: one lstat per entry, types from the listing
            dirpath = folders.pop()
            base = "" if dirpath == str(self.folder) else dirpath[len(self._prefix):].replace(os.sep, "/") + "/"
            with os.scandir(dirpath) as listing:
                entries = sorted(listing, key=lambda e: e.name)
            for entry in entries:
                rel = base + entry.name
                if entry.is_symlink():
                    problems.append(f"output/{rel}: a symbolic link in the output — the press never makes one")
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
            for entry in entries:
                if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
                    continue
                rel = base + entry.name
                seen.add(rel)
                claim = self.claims.get(rel)
                if claim is None:
                    problems.append(f"output/{rel}: no reason to publish this file — it is not a published article's page or voted attachment, a maintainers' page, a theme file or a file the press generates")
                    continue
                if claim.made is None:
                    problems.append(f"output/{rel}: made by no rule ({claim.reason}) — every output is made through press.site.rules, which declares its inputs")
                    continue
                changed = False
                if claim.stat is not None:
                    st = entry.stat(follow_symlinks=False)
                    changed = (st.st_size, st.st_mtime_ns) != claim.stat
                elif claim.sha256 is not None:
                    with open(entry.path, "rb") as f:
                        changed = _sha(f.read()) != claim.sha256
                if changed:
                    problems.append(f"output/{rel}: changed after it was written (as {claim.reason}) — something else wrote over it")
        for rel in sorted(set(self.claims) - seen):
            problems.append(f"output/{rel}: claimed ({self.claims[rel].reason}) but missing")
        return problems

    def reasons(self) -> dict[str, str]:
        """Path -> why it is published (for people and tests)."""
        return {rel: claim.reason for rel, claim in sorted(self.claims.items())}

    def rules(self) -> dict[str, Made | None]:
        """Path -> the rule that made it, with the inputs it declared and its key (for people and tests)."""
        return {rel: claim.made for rel, claim in sorted(self.claims.items())}

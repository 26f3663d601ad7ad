"""What git knows about the articles: every version of every article file, read in one pass.

``History.read(root)`` runs one ``git log`` over ``content/`` and keeps, per file, each blob it
has had with the commit's date and author. Blobs are read on demand through one long-lived
``git cat-file --batch`` (GitPython's object database), so the number of git processes is the
same for ten articles or ten thousand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .problems import GIT_TIMEOUT, PressError
from .bundle import digest, digest_bytes, file_problem

_NULL_SHA = "0" * 40
# The store's manifest of the history read at one HEAD (press.store).
HISTORY = "history"
# What to do when git is not there, in every sentence that needs it.
NO_GIT = "git is not installed or not on PATH — install git (or put it on PATH) and run again"


@dataclass(frozen=True)
class Version:
    commit: str
    when: dt.datetime
    author: str
    blob: str | None  # None: the file was deleted in this commit


def _kept_whole(versions, digests, blobs, bundles) -> bool:
    """The kept history has the shape :meth:`History.save` writes (a hand-edited one is read from git again)."""

    def table(value, key, item) -> bool:
        return isinstance(value, dict) and all(key(k) and item(v) for k, v in value.items())

    def text(value) -> bool:
        return isinstance(value, str)

    def version(v) -> bool:
        return (
            isinstance(v, Version) and text(v.commit) and isinstance(v.when, dt.datetime) and text(v.author)
            and (v.blob is None or text(v.blob))
        )  # fmt: skip

    return (
        table(versions, text, lambda vs: isinstance(vs, list) and all(version(v) for v in vs))
        and table(digests, text, text)
        and table(blobs, text, lambda b: isinstance(b, bytes))
        and table(bundles, lambda k: isinstance(k, tuple) and len(k) == 2, lambda b: isinstance(b, tuple) and len(b) == 4)
    )


class _Repository:
    """The git repository, opened (GitPython imported, ``git cat-file`` started) only when a
    question needs it: a warm build whose history and approved revisions are cached never does."""

    def __init__(self, top: str):
        self._top = top
        self._repo = None

    def __getattr__(self, name):
        if self._repo is None:
            import git

            self._repo = git.Repo(self._top)
        return getattr(self._repo, name)


def in_work_tree(root: Path | str) -> bool:
    """Whether ``root`` is inside a git work tree, asked of the file system (git itself may be missing)."""
    root = Path(root).resolve()
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _shallow(root: Path) -> bool:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--is-shallow-repository"], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return done.stdout.strip() == "true"


def _head(root: Path) -> tuple[str, str] | None:
    """(work tree top, HEAD commit) of the repository holding ``root``; None outside a work tree,
    in a bare repository, without commits, or in a shallow clone (its history can deepen under
    the same HEAD)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--show-toplevel", "--verify", "-q", "HEAD"],
            cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) < 4 or lines[0] != "false" or lines[1] != "false":
        return None
    return lines[2], lines[3]


@dataclass
class History:
    """Versions of each file under content/, oldest first, keyed by path relative to the press root."""

    repo: object | None
    prefix: str  # the press root, relative to the repository's top
    versions: dict[str, list[Version]] = field(default_factory=dict)
    _digests: dict[str, str] = field(default_factory=dict)  # blob -> digest of its bytes
    _blobs: dict[str, bytes] = field(default_factory=dict)  # blob -> bytes, of the approved revisions found
    # (article path, approved digest) -> (version, markdown blob, {file: blob}, edited): bundles found at this HEAD
    bundles: dict[tuple[str, str], tuple] = field(default_factory=dict)
    head: str = ""  # the commit the versions were read from
    # Why the history cannot be trusted to be whole: git is missing, or the clone is shallow ('' if it can)
    lacking: str = ""

    def require(self, article: str, why: str) -> None:
        """Stop with one sentence when ``article`` needs the history (``why``) and it is not whole."""
        if self.lacking:
            raise PressError(f"{article}: {why}, but {self.lacking}")

    @classmethod
    def read(cls, root: Path) -> History:
        """Read the history of ``root/content``; an empty History if ``root`` is not in a git work tree.

        A commit names its whole past, so the versions read at one HEAD are kept in the press's
        cache folder and reused while HEAD names the same commit (with the digests of the blobs
        looked at, which their names fix for ever)."""
        from .store import Store, salt

        if shutil.which("git") is None:
            if not in_work_tree(root):
                return cls(None, "")
            return cls(None, "", lacking=NO_GIT)
        found = _head(root)
        if found is None:
            history = cls._read(root)
            if history.repo is not None and _shallow(root):
                history.lacking = "this clone is shallow: the history press reads is cut off — fetch the full history: git fetch --unshallow"
            return history
        top, head = found
        prefix = Path(root).resolve().relative_to(Path(top).resolve()).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        key = (top, prefix, head)
        store, version = Store(root), salt()  # kept by other code: never read
        digests, blobs = {}, {}
        try:
            stored_key, versions, digests, blobs, bundles = store.value(HISTORY, version)
            if not _kept_whole(versions, digests, blobs, bundles):
                raise TypeError("kept in another shape")
            if stored_key == key:
                history = cls(_Repository(top), prefix, versions, digests, blobs, bundles, head)
                history._saved = (key, store, version, len(digests), len(blobs), len(bundles))
                return history
        except Exception:  # missing, damaged or foreign: read git
            digests, blobs = {}, {}
        history = cls._read(root)
        if history.repo is not None and history.prefix == prefix:
            # what a blob's name fixes stays true at any HEAD (and is checked again when used)
            history._digests, history._blobs, history.head = dict(digests), dict(blobs), head
            history._saved = (key, store, version, -1, -1, -1)
        return history

    def save(self) -> None:
        """Keep the versions and the blobs learnt so far, if anything was learnt (an explicit step of
        the command that read them: reading never writes)."""
        saved = getattr(self, "_saved", None)
        if saved is None or saved[3:] == (len(self._digests), len(self._blobs), len(self.bundles)):
            return
        key, store, version = saved[:3]
        data = (key, self.versions, self._digests, self._blobs, self.bundles)
        if store.keep_value(HISTORY, version, data):
            self._saved = (key, store, version, len(self._digests), len(self._blobs), len(self.bundles))

    @functools.cached_property
    def bundled(self) -> frozenset[str]:
        """``content/<assembly>/<slug>/`` of every article that had a bundle folder at some point."""
        return frozenset(path[: path.index("/", path.index("/", 8) + 1) + 1] for path in self.versions if path.count("/") >= 3)

    @classmethod
    def _read(cls, root: Path) -> History:
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
        """The bytes of a blob: from the cache when they still hash to the blob's name, else from git."""
        data = self._blobs.get(blob)
        if data is not None and _blob_name(data) == blob:
            return data
        with missing_objects():
            return self.repo.odb.stream(bytes.fromhex(blob)).read()

    def find(self, path: str, digest: str) -> tuple[bytes, Version, Version | None] | None:
        """The bytes of ``path`` whose digest is ``digest``, the version that introduced them, and the
        next version after it (the first edit since), or None if no version of ``path`` matches."""
        versions = self.versions.get(path, [])
        for index in range(len(versions) - 1, -1, -1):
            version = versions[index]
            if version.blob is None:
                continue
            data = None
            if version.blob not in self._digests:
                data = self.blob_bytes(version.blob)  # read once: hashed here, and served if it matches
                self._digests[version.blob] = digest_bytes(data)
            if self._digests[version.blob] == digest:
                if data is None:
                    data = self.blob_bytes(version.blob)
                if digest_bytes(data) != digest:  # a damaged cache: never serve other bytes
                    self._digests.pop(version.blob)
                    self._blobs.pop(version.blob, None)
                    return self.find(path, digest)
                self._blobs[version.blob] = data  # approved bytes are read again by every build
                following = next((v for v in versions[index + 1:] if v.blob != version.blob), None)
                return data, version, following
        return None


class MissingObject(Exception):
    """An object git history names is not in the repository."""


@contextlib.contextmanager
def missing_objects():
    """Git's 'could not be resolved' / 'bad object' for an object the repository lacks, as :class:`MissingObject`."""
    import git
    from gitdb.exc import ODBError

    try:
        yield
    except (ValueError, ODBError, git.BadName) as exc:
        raise MissingObject(str(exc)) from None


def unreadable(article: str, exc: MissingObject) -> PressError:
    """The one sentence for an article whose approved bytes git cannot read."""
    return PressError(
        f"{article}: git cannot read its approved revision: an object is missing from the repository ({exc}) — "
        "the clone is damaged: run `git fsck`, then fetch the objects again (`git fetch --refetch`) or clone the repository afresh"
    )


def _blob_name(data: bytes) -> str:
    """The name git gives a blob of ``data``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# --------------------------------------------------------------------------- git history

_REGULAR = (0o100644, 0o100755)


def find_in_history(history, article, wanted: str):
    """The approved bundle of ``article`` in git: ``(markdown, files, version, edited)`` for the newest
    commit whose bundle has the digest ``wanted``, or None. ``edited`` is the next commit that
    changed the bundle (None: the edits are not committed). A bundle holding anything but regular
    files of allowed types is never returned: it could not have been published."""
    if history.repo is None:
        return None
    folder = article.path[:-3] + "/"
    if folder not in history.bundled:
        hit = history.find(article.path, wanted)  # never had attachments: the single-file history
        return (hit[0], {}, hit[1], hit[2]) if hit else None
    md, tree_folder = history.prefix + article.path, history.prefix + folder[:-1]
    known = history.bundles.get((article.path, wanted)) if history.head else None
    if known is not None:  # found at this very HEAD before: the blobs named then, hashed again now
        version, md_blob, file_blobs, edited = known
        try:
            markdown = history.blob_bytes(md_blob)
            files = {name: history.blob_bytes(blob) for name, blob in file_blobs.items()}
        except Exception:  # pragma: no cover - a blob gone from the repository: look again
            files, markdown = {}, None
        if markdown is not None and digest(article.slug, markdown, files) == wanted:
            return markdown, files, version, edited
    log = history.repo.git.log("--format=%H%x1f%at%x1f%an", "--no-renames", "--", md, tree_folder)
    entries = [line.split("\x1f") for line in log.splitlines() if line]
    versions = [Version(c, dt.datetime.fromtimestamp(int(t), dt.timezone.utc), a, None) for c, t, a in entries]
    for index, version in enumerate(versions):
        tree = history.repo.commit(version.commit).tree
        try:
            md_blob = tree / md
        except KeyError:
            continue
        files: dict[str, bytes] = {}
        blobs: dict[str, str] = {}
        usable = md_blob.mode in _REGULAR
        try:
            sub = tree / tree_folder
        except KeyError:
            sub = None
        if sub is not None and usable:
            for item in sub.traverse():
                if item.type == "tree":
                    continue
                name = item.path[len(tree_folder) + 1:]
                data = item.data_stream.read() if item.type == "blob" else b""
                if item.type != "blob" or item.mode not in _REGULAR or file_problem(name.rsplit("/", 1)[-1], data):
                    usable = False
                    break
                files[name] = data
                blobs[name] = item.hexsha
        if not usable:
            continue
        markdown = md_blob.data_stream.read()
        if digest(article.slug, markdown, files) == wanted:
            found = Version(version.commit, version.when, version.author, md_blob.hexsha)
            edited = versions[index - 1] if index else None
            if history.head:
                history.bundles[(article.path, wanted)] = (found, md_blob.hexsha, blobs, edited)
            return markdown, files, found, edited
    return None

"""Shared fixtures: small presses written into temporary folders, and a copy of the sample press."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

import press
from press import clock

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Caches live outside the repository (press.cache); keep the tests' own out of the user's home."""
    import tempfile

    os.environ.setdefault("PRESS_CACHE_DIR", tempfile.mkdtemp(prefix="press-test-cache-"))
    # The run's instant (press.clock): the day the sample's season is written for, never the clock.
    os.environ.setdefault("PRESS_NOW", NOW)
TODAY = dt.date(2026, 11, 21)
NOW = "2026-11-21T18:00:00Z"  # TODAY, in the afternoon in every assembly's timezone


@pytest.fixture(scope="module")
def as_of_the_season():
    """For a module whose tests describe a season as of one day (the sample's, or fixtures dated
    around 21 November 2026): run them at that instant whatever instant the suite runs at, so that
    the suite passes with PRESS_NOW moved a year or ten ahead."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESS_NOW", NOW)
        yield


class PressDir:
    """A press in a temporary folder, written file by file in the tests' own words."""

    def __init__(self, root: Path):
        self.root = root
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "editorial" / "assemblies").mkdir(parents=True, exist_ok=True)
        (root / "editorial" / "meetings").mkdir(parents=True, exist_ok=True)

    def buildable(self) -> "PressDir":
        """Give the press the repository's theme and configuration, so that it can be built."""
        shutil.copytree(REPO / "theme", self.root / "theme")
        shutil.copy(REPO / "pelicanconf.py", self.root / "pelicanconf.py")
        return self

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def assembly(self, aid: str = "springfield", text: str | None = None, **rules) -> Path:
        if text is None:
            rule_lines = "\n".join(f"  {k}: {v}" for k, v in {"quorum": 2, "threshold": "majority", **rules}.items())
            text = (
                "name: Springfield Assembly\n"
                "timezone: America/Chicago\n"
                f"rules:\n{rule_lines}\n"
                "members:\n"
                "  - {id: ana, name: Ana, joined: 2025-01-01}\n"
                "  - {id: ben, name: Ben, joined: 2025-01-01}\n"
                "  - {id: cai, name: Cai, joined: 2025-01-01}\n"
                "  - {id: dev, name: Dev, joined: 2026-12-01}\n"
                "  - {id: eve, name: Eve, joined: 2025-01-01, left: 2026-06-01}\n"
                "editors: [ana]\n"
            )
        return self.write(f"editorial/assemblies/{aid}.yml", text)

    def article(self, aid: str, slug: str, title: str = "A title", body: str = "Body text.", **meta) -> Path:
        lines = [f"Title: {title}"] + [f"{k.capitalize()}: {v}" for k, v in meta.items()]
        return self.write(f"content/{aid}/{slug}.md", "\n".join(lines) + "\n\n" + body + "\n")

    def digest(self, aid: str, slug: str) -> str:
        """The digest a vote names, computed here as docs/editorial-records.md says: the Markdown's
        SHA-256, or with a bundle folder, the SHA-256 of the `sha256sum` lines of every file."""
        folder = self.root / "content" / aid
        files = sorted(p for p in (folder / slug).rglob("*") if p.is_file()) if (folder / slug).is_dir() else []
        if not files:
            return "sha256:" + hashlib.sha256((folder / f"{slug}.md").read_bytes()).hexdigest()
        lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}\n" for p in [folder / f"{slug}.md", *files]]
        lines.sort(key=lambda line: line.split("  ", 1)[1].encode())
        return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()

    def meeting(self, aid: str, day: str, text: str) -> Path:
        return self.write(f"editorial/meetings/{aid}/{day}.yml", text)

    def publish(self, aid: str, slug: str, day: str, yes="[ana, ben]", digest: str | None = None) -> Path:
        return self.meeting(
            aid,
            day,
            f"""
            present: [ana, ben, cai]
            motions:
              - publish: {aid}/{slug}
                digest: {digest or self.digest(aid, slug)}
                yes: {yes}
            """,
        )

    def load(self, today: dt.date = TODAY) -> press.Press:
        return press.load(self.root, clock.at(today))

    def problems(self, today: dt.date = TODAY) -> list[str]:
        return [str(p) for p in self.load(today).problems]


@pytest.fixture
def pressdir(tmp_path: Path) -> PressDir:
    return PressDir(tmp_path / "press")


SAMPLE_PARTS = ("content", "editorial", "theme", "pelicanconf.py", "publishconf.py")


def copy_sample(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in SAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def settled(monkeypatch):
    """Files written a moment ago count as settled: a test need not wait out press.cache.RACY_NS
    (the margin within which a file's times cannot tell two writes apart) before its next build."""
    from press import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)


def change_an_input(root: Path) -> None:
    """Make the next build run (a build with nothing changed leaves the site alone: press/uptodate.py)."""
    with (root / "pelicanconf.py").open("a") as conf:
        conf.write("\n# changed, so that the next build is not skipped\n")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the repository's sample press, safe to change."""
    return copy_sample(tmp_path / "sample")


# --------------------------------------------------------------------------- git


def git(root: Path, *args: str, author: str = "Ana Ruiz <ana@example.org>") -> str:
    name, email = author[:-1].split(" <")
    env = {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
        "HOME": str(root), "PATH": "/usr/bin:/bin:/usr/local/bin",
    }  # fmt: skip
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str, author: str = "Ana Ruiz <ana@example.org>", when: str | None = None) -> None:
    git(root, "add", "-A")
    args = ["commit", "-q", "-m", message]
    if when:
        args += ["--date", when]
    git(root, *args, author=author)


@pytest.fixture
def repo(pressdir: PressDir) -> PressDir:
    """A press in a git repository on branch main, its roster committed, with a theme to build with."""
    pressdir.buildable()
    git(pressdir.root, "init", "-q", "-b", "main")
    pressdir.assembly()
    commit(pressdir.root, "Roster")
    return pressdir




# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright: skipped with the reason on a bare machine, a failure in CI."""
    from press import browser

    why = browser.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {why}")
        pytest.skip(why)
    with browser.browser() as instance:
        yield instance

"""The output path: press writes only where it may, and the output always holds one complete site.

"Complete" here is concrete: every file of the output, byte for byte, equals a reference build of the
same version of the press (built separately into its own folder), and no other file is there.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import press.build
import press.output
from conftest import REPO, PressDir, change_an_input, commit, copy_sample, git
from press.cli import main

PRESS = [str(Path(sys.executable).with_name("press"))]
if not Path(PRESS[0]).is_file():
    PRESS = [sys.executable, "-c", "from press.cli import main; main()"]
# A process that stops at a pause point waits for the test; this bounds a test that went wrong.
LIMIT = 180


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (followed if it is a link) and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, tuple]:
    """Everything under ``folder``, links not followed: type, mode, modification time, bytes or target.
    Folders' times change when anything is added to or removed from them."""
    found = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        entry: tuple = (stat.S_IFMT(info.st_mode), info.st_mode, info.st_mtime_ns)
        if stat.S_ISLNK(info.st_mode):
            entry += (os.readlink(path),)
        elif stat.S_ISREG(info.st_mode):
            entry += (path.read_bytes(),)
        found[path.relative_to(folder).as_posix()] = entry
    return found


def build_folders(builds: Path) -> list[str]:
    """The build folders in ``builds``, leaving out replaced sites that a background process deletes."""
    return sorted(p.name for p in builds.iterdir() if p.is_dir() and not p.name.startswith("retired-"))


def small_press(root: Path) -> PressDir:
    """One assembly, one published article: version A of a press."""
    site = PressDir(root).buildable()
    site.assembly()
    site.article("springfield", "rent", title="Rent strike", body="RENT-BODY")
    site.publish("springfield", "rent", "2026-10-06")
    return site


def version(site: PressDir, which: str) -> None:
    """A: one article; B: a second one, approved at a later meeting."""
    article = site.root / "content/springfield/fares.md"
    meeting = site.root / "editorial/meetings/springfield/2026-10-13.yml"
    if which == "B":
        site.article("springfield", "fares", title="Free fares", body="FARES-BODY")
        site.publish("springfield", "fares", "2026-10-13")
    else:
        article.unlink(missing_ok=True)
        meeting.unlink(missing_ok=True)


# --------------------------------------------------------------------------- --output refusals


def press_with_every_source_folder(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path / "press")
    for name in ("docs", "tools", "tests", ".github"):
        (root / name).mkdir(exist_ok=True)
        (root / name / "notes.md").write_text("UNCOMMITTED NOTES\n")
    git(root, "init", "-q", "-b", "main")
    return root


def test_output_that_press_did_not_make_is_refused_and_left_untouched(tmp_path, monkeypatch):
    root = press_with_every_source_folder(tmp_path)
    others = tmp_path / "others"
    (others / "unrelated").mkdir(parents=True)
    (others / "unrelated/letter.txt").write_text("KEEP ME\n")
    (others / "file.txt").write_text("A FILE\n")
    os.mkfifo(others / "fifo")
    (others / "empty-target").mkdir()
    (others / "link-to-folder").symlink_to(others / "unrelated")
    (others / "link-to-empty").symlink_to(others / "empty-target")
    (others / "dangling").symlink_to(others / "nowhere")
    (others / "not-a-site").mkdir()
    (others / "not-a-site/index.html").write_text("<p>mine</p>")  # looks a bit like a site, is not one
    # the builds folder beside a new output name is someone else's
    (others / ".fresh.builds").mkdir()
    (others / ".fresh.builds/diary.txt").write_text("MINE\n")

    targets = {
        others / "unrelated": "it is a folder of files that press did not make",
        others / "file.txt": "it is a file",
        others / "fifo": "it is a device, FIFO or socket, not a folder",
        others / "link-to-folder": "it is a symbolic link that press did not make",
        others / "link-to-empty": "it is a symbolic link that press did not make",
        others / "dangling": "it is a symbolic link that press did not make",
        others / "not-a-site": "it is a folder of files that press did not make",
        others / "file.txt/below": "is not a folder",
        others / "fresh": ".fresh.builds exists and press did not make it",
    }
    for name in ("content", "editorial", "theme", "docs", "tools", "tests", ".github", ".git"):
        targets[root / name] = f"it is in {name}/, which holds the press's sources"
        targets[root / name / "site"] = f"it is in {name}/, which holds the press's sources"
    for folder in (root, *root.parents):
        targets[folder] = "it contains the press itself"

    before = snapshot(tmp_path)
    for target, why in targets.items():
        result = cli(root, "build", "--output", str(target))
        assert result.exit_code == 2, (target, result.output)
        assert f"press: refusing to build into {target}: " in result.output and why in result.output, result.output
        assert "Traceback" not in result.output
    # the same targets named relative to where the command runs
    monkeypatch.chdir(root)
    for given in (".", "content", "content/..", "./docs/", "theme/../tests", "../others/unrelated", "../others/fifo"):
        result = cli(root, "build", "--output", given)
        assert result.exit_code == 2, (given, result.output)
        assert "refusing to build into" in result.output
    assert snapshot(tmp_path) == before


def test_a_press_folder_reached_through_a_link_is_refused(tmp_path):
    root = press_with_every_source_folder(tmp_path)
    (tmp_path / "shortcut").symlink_to(root)
    before = snapshot(tmp_path)
    for given in (tmp_path / "shortcut", tmp_path / "shortcut/content", tmp_path / "shortcut/docs/new"):
        result = cli(root, "build", "--output", str(given))
        assert result.exit_code == 2 and "refusing to build into" in result.output, result.output
    assert snapshot(tmp_path) == before


def test_build_help_says_what_output_may_be(tmp_path):
    result = CliRunner().invoke(main, ["build", "--help"])
    text = " ".join(result.output.split())
    assert "It must not exist yet, be an empty folder, or be a site press built there before" in text
    assert "anything else is refused with exit 2 and left untouched" in text


# --------------------------------------------------------------------------- what a good output looks like


def test_output_is_a_link_to_the_current_build_and_the_marker_is_not_published(tmp_path):
    site = small_press(tmp_path / "press")
    out = tmp_path / "empty"
    out.mkdir()
    result = cli(site.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    assert out.is_symlink()
    target = os.readlink(out)
    assert target.startswith(".empty.builds/")
    builds = tmp_path / ".empty.builds"
    build_id = target.split("/")[1]
    assert sorted(p.name for p in builds.iterdir()) == sorted([".gitignore", "PRESS-OUTPUT", "lock", build_id, f"{build_id}.manifest"])
    assert (builds / ".gitignore").read_text().splitlines()[-1] == "*"
    files = tree(out)
    assert "springfield/rent.html" in files
    assert not any("PRESS-OUTPUT" in name or name.endswith(("lock", ".manifest")) for name in files)
    # a second build replaces the first and removes it
    version(site, "B")
    assert cli(site.root, "build", "--output", str(out) + "/", "--no-search").exit_code == 0
    assert os.readlink(out) != target and not (tmp_path / target).exists()
    assert "springfield/fares.html" in tree(out)
    assert build_folders(builds) == [os.readlink(out).split("/")[1]]


def test_pages_upload_reads_the_site_through_the_link(tmp_path):
    """actions/upload-pages-artifact archives `tar --dereference --hard-dereference --directory PATH .`:
    the same command over a built output holds the site's files and nothing else."""
    if shutil.which("tar") is None:
        pytest.skip("tar is not installed")
    site = small_press(tmp_path / "press")
    assert cli(site.root, "build", "--output", str(tmp_path / "public"), "--no-search").exit_code == 0
    archive = tmp_path / "artifact.tar"
    subprocess.run(
        ["tar", "--dereference", "--hard-dereference", "--directory", str(tmp_path / "public"), "-cf", str(archive),
         "--exclude=.git", "--exclude=.github", "."],
        check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    with tarfile.open(archive) as tar:
        members = {m.name.removeprefix("./"): m for m in tar.getmembers() if m.name != "."}
        assert all(m.isfile() or m.isdir() for m in members.values())
        files = {name: tar.extractfile(m).read() for name, m in members.items() if m.isfile()}
    assert files == tree(tmp_path / "public")


def gh_pages_folder(folder: Path) -> None:
    """A gh-pages worktree or a web root: a press site's file names, and files no press wrote."""
    (folder / "uploads").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>our old site</h1>")
    (folder / "assemblies.html").write_text("<p>assemblies</p>")
    (folder / "ledger.json").write_text('{"assemblies": {}}')
    (folder / "CNAME").write_text("press.example.org\n")
    (folder / "uploads/poster.pdf").write_bytes(b"%PDF-1.4 THE ONLY COPY")
    (folder / ".git").mkdir()
    (folder / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (folder / ".nojekyll").write_text("")


def test_a_folder_that_looks_like_a_press_site_is_refused_naming_every_foreign_file(tmp_path):
    site = small_press(tmp_path / "press")
    pages = tmp_path / "gh-pages"
    gh_pages_folder(pages)
    # the same, as the default output/ of the repository
    gh_pages_folder(site.root / "output")
    before = snapshot(tmp_path)
    for given in ([], ["--output", str(pages)], ["--output", str(pages) + "/"]):
        result = cli(site.root, "build", "--no-search", *given)
        assert result.exit_code == 2, result.output
        shown = pages if given else site.root / "output"
        assert f"press: refusing to build into {shown}: it is a folder of files that press did not make " in result.output
        assert "(.git/, .nojekyll, CNAME, assemblies.html, index.html, ledger.json, uploads/)" in result.output
        assert "press deletes only what it can show it wrote" in result.output
        assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


FOREIGN = {
    "CNAME": lambda site: (site / "CNAME").write_text("press.example.org\n"),
    ".well-known/": lambda site: ((site / ".well-known").mkdir(), (site / ".well-known/security.txt").write_text("x")),
    "springfield/rent.html/": lambda site: ((site / "springfield/rent.html").unlink(), (site / "springfield/rent.html/x").mkdir(parents=True)),
    # a link to a folder is named as a link, never walked into (what it leads to is not the site's)
    "uploads": lambda site: (site / "uploads").symlink_to(site.parent),
}


@pytest.mark.parametrize("name", FOREIGN)
def test_files_put_into_a_built_site_stop_the_next_build_from_replacing_it(tmp_path, name):
    """Written through the link (a CNAME, a hand-made upload, a folder where press wrote a page): the
    next build would delete the site they are in, so it is refused, naming them, and nothing is touched."""
    site = small_press(tmp_path / "press")
    out = tmp_path / "public"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    served = tmp_path / os.readlink(out)
    version(site, "B")
    FOREIGN[name](out)
    before = snapshot(tmp_path)
    result = cli(site.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 2, result.output
    assert f"press: refusing to build into {out}: press did not write {name} in {served} (the site it points to)" in result.output
    assert "a file meant for the site goes in content/, where a vote publishes it" in result.output
    assert snapshot(tmp_path) == before


def test_a_site_press_built_is_replaced_as_always(tmp_path):
    site = small_press(tmp_path / "press")
    out = tmp_path / "public"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    first = os.readlink(out)
    version(site, "B")
    (out / "springfield/rent.html").write_text("<p>edited by hand</p>")  # a path press wrote: written again
    result = cli(site.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    assert "left " not in result.output
    assert b"RENT-BODY" in (out / "springfield/rent.html").read_bytes()
    assert os.readlink(out) != first and "springfield/fares.html" in tree(out)
    assert build_folders(tmp_path / ".public.builds") == [os.readlink(out).split("/")[1]]


def test_leftovers_press_cannot_vouch_for_are_never_deleted(tmp_path):
    """An older press's leftover (.output.old-N), a file someone put in the builds folder, a replaced
    build with a file added: each is left where it is, and the build says so."""
    site = small_press(tmp_path / "press")
    (site.root / ".output.old-77").mkdir()
    (site.root / ".output.old-77/index.html").write_text("THE ONLY COPY")
    assert cli(site.root, "build", "--no-search").exit_code == 0
    builds = site.root / ".output.builds"
    (builds / "notes.txt").write_text("MINE")
    first = site.root / "output" / "springfield"
    version(site, "B")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 0, result.output
    assert f"left {site.root / '.output.old-77'}: a leftover of an older press" in result.output
    assert f"left {builds / 'notes.txt'}: press did not make it" in result.output
    assert (site.root / ".output.old-77/index.html").read_text() == "THE ONLY COPY"
    assert (builds / "notes.txt").read_text() == "MINE"
    assert first.exists()


# --------------------------------------------------------------------------- symbolic links and special files


def test_links_in_the_theme_are_refused(tmp_path):
    site = small_press(tmp_path / "press")
    secrets = tmp_path / "etc"
    secrets.mkdir()
    (secrets / "shadow").write_text("ROOT-PASSWORD-HASH")
    assert cli(site.root, "build", "--no-search").exit_code == 0
    before = tree(site.root / "output")
    (site.root / "theme/static/etc").symlink_to(secrets)
    (site.root / "theme/static/css/press.css").rename(site.root / "theme/static/css/real.css")
    (site.root / "theme/static/css/press.css").symlink_to(secrets / "shadow")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 1
    assert "theme/static/etc: symbolic links are not allowed in the theme — commit the file itself" in result.output
    assert "theme/static/css/press.css: symbolic links are not allowed in the theme — commit the file itself" in result.output
    assert tree(site.root / "output") == before
    assert not any(b"ROOT-PASSWORD-HASH" in data for data in tree(site.root / "output").values())


@pytest.mark.parametrize("top", ["content", "editorial", "theme"])
def test_a_top_level_source_folder_that_is_a_link_is_refused_by_every_command(tmp_path, top):
    """content/, editorial/ or theme/ as a link (to another checkout, another user's folder): every
    command that reads them refuses with the same sentence, and writes nothing."""
    site = small_press(tmp_path / "press")
    git(site.root, "init", "-q", "-b", "main")
    commit(site.root, "Version A")
    shutil.move(site.root / top, tmp_path / "elsewhere")
    (site.root / top).symlink_to(tmp_path / "elsewhere")
    before = snapshot(tmp_path)
    commands = {
        "verify": ["verify"], "check": ["check", "--base", "main"], "status": ["status"],
        "agenda": ["agenda", "springfield", "--output", str(tmp_path / "agenda.html")],
        "build": ["build", "--no-search"],
    }  # fmt: skip
    for name, args in commands.items():
        result = cli(site.root, *args)
        assert result.exit_code == 2, (name, result.output)
        assert f"press: {top}: the {top} folder is a symbolic link — make it a real folder" in result.output, (name, result.output)
        assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_fifos_in_theme_or_content_are_refused_not_waited_on(tmp_path):
    site = small_press(tmp_path / "press")
    (site.root / "content/images").mkdir()
    os.mkfifo(site.root / "content/images/pipe.png")
    os.mkfifo(site.root / "theme/static/pipe.css")
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 1
    assert "content/images/pipe.png: not a plain file (a FIFO, socket or device) — remove it from content" in result.output
    assert "theme/static/pipe.css: not a plain file (a FIFO, socket or device) — remove it from the theme" in result.output
    assert not (site.root / "output").exists()


def test_a_link_in_the_built_site_stops_the_swap(tmp_path, monkeypatch):
    """Whatever wrote it (a plugin, a Pelican setting), a link in the staged site is not published."""
    site = small_press(tmp_path / "press")
    assert cli(site.root, "build", "--no-search").exit_code == 0
    before = tree(site.root / "output")
    change_an_input(site.root)
    real = press.build._only_plain_files

    def plant(staging):
        (staging / "passwd").symlink_to("/etc/passwd")
        return real(staging)

    monkeypatch.setattr(press.build, "_only_plain_files", plant)
    result = cli(site.root, "build", "--no-search")
    assert result.exit_code == 1
    assert "the build wrote passwd, which is not a plain file — it was not published" in result.output
    assert tree(site.root / "output") == before


# --------------------------------------------------------------------------- subprocesses


HANGING_PAGEFIND = """
import os, subprocess, sys, time
report = sys.argv[1]
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # keeps our stdout open
with open(report, "w") as f:
    f.write(f"{child.pid} {os.path.realpath('/proc/self/fd/0')}")
time.sleep(600)
"""


def test_a_hung_subprocess_fails_the_build_and_is_stopped(tmp_path, monkeypatch):
    site = small_press(tmp_path / "press")
    assert cli(site.root, "build", "--no-search").exit_code == 0
    before = tree(site.root / "output")
    fake = tmp_path / "pagefind.py"
    fake.write_text(HANGING_PAGEFIND)
    report = tmp_path / "report"
    monkeypatch.setattr(press.build, "PAGEFIND", [sys.executable, str(fake), str(report)])
    conf = site.root / "pelicanconf.py"
    conf.write_text(conf.read_text() + "\nPRESS_SUBPROCESS_TIMEOUT = 2\n")
    result = cli(site.root, "build")
    assert result.exit_code == 1
    assert "the search index could not be built: pagefind did not finish within 2 seconds and was stopped" in result.output
    assert tree(site.root / "output") == before
    grandchild, stdin = report.read_text().split()
    assert stdin == "/dev/null"  # run with stdin closed: it can never wait for a keyboard
    # what it started was stopped too: SIGKILL is delivered asynchronously, so wait for the exit itself
    try:
        handle = os.pidfd_open(int(grandchild))
    except ProcessLookupError:
        return
    try:
        assert select.select([handle], [], [], LIMIT)[0] == [handle], "the hung program's child is still running"
    finally:
        os.close(handle)


# --------------------------------------------------------------------------- kills and concurrent builds


def start(root: Path, out: Path, pause: str | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("PRESS_TEST_PAUSE_AT", None)
    if pause:
        env["PRESS_TEST_PAUSE_AT"] = pause
    return subprocess.Popen(
        [*PRESS, "--root", str(root), "build", "--output", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=LIMIT)
    return process.returncode, out, err


def left_after_background_removal(builds: Path, kept: set[str]) -> list[str]:
    """What the builds folder holds beyond ``kept`` once every retired site's removal has ended (a
    retired site and its manifest are removed by a process of its own, which no build waits for). The
    wait is for that process, bounded: a leftover press never removes is named after a minute."""
    deadline = time.monotonic() + 60
    while True:
        left = sorted(p.name for p in builds.iterdir() if p.name not in kept)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def gone_after_background_removal(path: Path) -> bool:
    """Whether ``path`` is gone once the removal press started in the background has ended (bounded:
    a minute, as :func:`left_after_background_removal`)."""
    deadline = time.monotonic() + 60
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not path.exists()


def wait_for_line(stream, text: str, process: subprocess.Popen) -> str:
    """Read ``stream`` line by line until one contains ``text`` (the process said it got there)."""
    watchdog = threading.Timer(LIMIT, process.kill)
    watchdog.start()
    try:
        seen = []
        for line in stream:
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never saw {text!r}; output: {''.join(seen)}; stderr: {process.stderr.read() if process.stderr else ''}")
    finally:
        watchdog.cancel()


def kill_at(root: Path, out: Path, point: str) -> None:
    process = start(root, out, pause=point)
    wait_for_line(process.stdout, f"press-test: paused at {point} (pid {process.pid})", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=LIMIT)


@pytest.fixture
def versions(tmp_path):
    """A small press in a git repository (with the repository's .gitignore), and reference sites of
    its versions A and B, each built once into a folder of its own."""
    site = small_press(tmp_path / "press")
    shutil.copy(REPO / ".gitignore", site.root / ".gitignore")
    git(site.root, "init", "-q", "-b", "main")
    commit(site.root, "Version A")
    references = {}
    for which in ("A", "B"):
        version(site, which)
        code, _, err = finish(start(site.root, tmp_path / f"reference-{which}"))
        assert code == 0, err
        references[which] = tree(tmp_path / f"reference-{which}")
    version(site, "A")
    assert references["A"] != references["B"] and "springfield/fares.html" in references["B"]
    assert any(name.startswith("pagefind/") for name in references["A"])
    return site, references


# Eleven points spread over a build, in the order the test visits them, and whether the new site is in
# place once the build has got there. "removing-leftover" is reached while a build removes what the
# kill at "writing" left; "retired" once it has moved the site it replaced out of the way.
POINTS = [
    ("locked", False), ("loaded", False), ("writing", False), ("removing-leftover", False), ("written", False),
    ("indexed", False), ("saved", False), ("link-made", False), ("swapped", True), ("retired", True),
    ("published", True),
]  # fmt: skip


def test_a_killed_build_always_leaves_a_complete_site(versions):
    site, references = versions
    out = site.root / "output"
    code, _, err = finish(start(site.root, out))
    assert code == 0, err
    current = "A"
    for point, replaced in POINTS:
        wanted = "B" if current == "A" else "A"
        version(site, wanted)
        kill_at(site.root, out, point)
        if replaced:
            current = wanted
        assert tree(out) == references[current], f"killed at {point}: the output is not the complete site {current}"
        if point == "link-made":
            # killed between making the new link and renaming it into place; the next build fails
            # a killed build's folder and link are there: git sees only the press's own changes
            assert list((site.root / ".output.builds").glob("next-*"))
            status = git(site.root, "status", "--porcelain", "--untracked-files=all").splitlines()
            assert [line for line in status if not line[3:].startswith(("content/", "editorial/"))] == []
            git(site.root, "add", "-A", "--dry-run")
            template = site.root / "theme/templates/article.html"
            template.write_text("{% if %}broken")
            code, _, err = finish(start(site.root, out))
            assert code == 1 and "TemplateSyntaxError" in err and "Traceback" not in err
            assert tree(out) == references[current]
            shutil.copy(REPO / "theme/templates/article.html", template)
        if point == "retired":
            retired = list((site.root / ".output.builds").glob("retired-*"))
            assert len(retired) == 1  # killed before deleting it: the next build does
        if point == "published":  # the build after that kill handed it to a removal of its own
            assert gone_after_background_removal(retired[0])
    # git sees nothing of the builds, killed or not
    version(site, "A")
    assert git(site.root, "status", "--porcelain", "--untracked-files=all", "--ignored=no") == ""
    # a failing build after all that still leaves the complete site
    (site.root / "theme/templates/index.html").write_text("{{ broken(")
    code, _, err = finish(start(site.root, out))
    assert code == 1 and "the previous output was left as it was" in err
    assert tree(out) == references[current]
    # and the next good build clears every leftover
    shutil.copy(REPO / "theme/templates/index.html", site.root / "theme/templates/index.html")
    code, _, err = finish(start(site.root, out))
    assert code == 0, err
    assert tree(out) == references["A"]
    builds = site.root / ".output.builds"
    current = os.readlink(out).split("/")[1]
    # The site it replaced is deleted by a process of its own, not waited for: its folder first, then its
    # manifest. Wait for that process to end (it is not the build's to wait for), then nothing else is left.
    kept = {".gitignore", "PRESS-OUTPUT", "lock", current, current + ".manifest"}
    assert build_folders(builds) == [current]
    assert left_after_background_removal(builds, kept) == []


def test_a_second_build_waits_for_the_first_and_says_for_whom(versions):
    site, references = versions
    out = site.root / "output"
    version(site, "B")
    first = start(site.root, out, pause="written")
    wait_for_line(first.stdout, "press-test: paused at written", first)
    second = start(site.root, out)
    wait_for_line(second.stderr, f"press: another build of {out} is running (pid {first.pid}); waiting for it to finish", second)
    first.send_signal(signal.SIGUSR1)
    assert finish(first)[0] == 0
    assert finish(second)[0] == 0
    assert tree(out) == references["B"]
    assert build_folders(site.root / ".output.builds") == [os.readlink(out).split("/")[1]]


def test_two_builds_at_once_both_finish_and_leave_one_complete_site(versions):
    site, references = versions
    out = site.root / "output"
    version(site, "B")
    builds = [start(site.root, out), start(site.root, out)]
    results = [finish(b) for b in builds]
    assert [code for code, _, _ in results] == [0, 0], results
    assert tree(out) == references["B"]
    assert build_folders(site.root / ".output.builds") == [os.readlink(out).split("/")[1]]


@pytest.mark.parametrize("first_build", [False, True])
def test_what_appears_at_the_output_path_during_a_build_is_never_replaced(tmp_path, first_build):
    """The path is checked under the lock, and again right before the swap: a file someone put there
    meanwhile (or a folder in place of press's link) stays, and the build says why it stopped."""
    site = small_press(tmp_path / "press")
    out = tmp_path / "site"
    kept = []
    if first_build is False:
        assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
        kept = [tmp_path / os.readlink(out)]  # the previous site: no longer linked, but not deleted either
    build = start(site.root, out, pause="saved")
    wait_for_line(build.stdout, "press-test: paused at saved", build)
    if out.is_symlink():
        out.unlink()
        out.mkdir()
        (out / "mine.txt").write_text("MINE")
    else:
        out.write_text("MINE")
    build.send_signal(signal.SIGUSR1)
    code, _, err = finish(build)
    assert code == 2
    assert f"press: refusing to replace {out}: " in err and "it changed during the build; nothing was replaced" in err
    assert (out / "mine.txt" if out.is_dir() else out).read_text() == "MINE"
    assert build_folders(tmp_path / ".site.builds") == [p.name for p in kept]


def test_a_file_put_into_the_served_site_while_a_build_waits_for_the_lock_is_never_deleted(tmp_path):
    """The files of the site the output link points to are looked at before the lock, and again right
    before the swap, not under the lock: a CNAME written through the link while a second build waits
    for the first's lock is found at the swap, which is refused — the site it is in stays served and
    the file stays."""
    site = small_press(tmp_path / "press")
    out = tmp_path / "site"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    version(site, "B")
    first = start(site.root, out, pause="published")
    wait_for_line(first.stdout, "press-test: paused at published", first)
    served = os.readlink(out)
    second = start(site.root, out)
    wait_for_line(second.stderr, "waiting for it to finish", second)  # it has looked, and waits for the lock
    (out / "CNAME").write_text("press.example.org\n")
    first.send_signal(signal.SIGUSR1)
    assert finish(first)[0] == 0
    code, _, err = finish(second)
    assert code == 2, err
    assert f"press: refusing to replace {out}: press did not write CNAME in " in err and "nothing was replaced" in err
    assert os.readlink(out) == served and (out / "CNAME").read_text() == "press.example.org\n"


def test_a_hung_git_fails_the_build_with_a_message_and_keeps_the_site(repo, tmp_path):
    """Every program the build waits for has a time limit: here `git log`, through GitPython."""
    repo.article("springfield", "rent", title="Rent strike")
    repo.publish("springfield", "rent", "2026-10-06")
    commit(repo.root, "Rent, approved")
    out = tmp_path / "site"
    first = subprocess.run([*PRESS, "--root", str(repo.root), "build", "--output", str(out), "--no-search"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip
    assert first.returncode == 0, first.stderr + first.stdout
    before = tree(out)

    real_git = shutil.which("git")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f'#!/bin/sh\nfor a in "$@"; do [ "$a" = log ] && exec sleep 600; done\nexec {real_git} "$@"\n')
    (fake / "git").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "PRESS_GIT_TIMEOUT": "2"}
    repo.article("springfield", "bus", title="Bus fares")  # something to build (an unchanged press is not rebuilt)
    commit(repo.root, "Bus fares")  # a new HEAD: its history must be read (the last one's is cached)
    hung = subprocess.run([*PRESS, "--root", str(repo.root), "build", "--output", str(out), "--no-search"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=120)  # fmt: skip
    assert hung.returncode == 2, hung.stderr + hung.stdout  # a machine to fix (git), as for a missing git: docs/building.md
    assert "git log over content/ failed or did not finish within 2 seconds" in hung.stderr + hung.stdout
    assert "Traceback" not in hung.stderr + hung.stdout
    assert tree(out) == before


def test_a_file_put_into_the_replaced_site_during_the_build_is_left_not_deleted(tmp_path):
    """The replaced site is checked against its manifest again once retired, right before it is
    deleted: a file put there by hand while the build ran is left where it is, and named."""
    site = small_press(tmp_path / "press")
    out = tmp_path / "site"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    previous = tmp_path / os.readlink(out)
    version(site, "B")
    build = start(site.root, out, pause="swapped")
    wait_for_line(build.stdout, "press-test: paused at swapped", build)
    (previous / "CNAME").write_text("press.example.org\n")
    build.send_signal(signal.SIGUSR1)
    code, _, err = finish(build)
    assert code == 0, err
    retired = previous.with_name(f"retired-{previous.name}")
    assert f"press: left {retired}: press did not write CNAME in it — move them away, then delete it" in err
    assert (retired / "CNAME").read_text() == "press.example.org\n"
    assert (retired / "springfield/rent.html").is_file()  # the whole folder is left, not only the file
    assert "springfield/fares.html" in tree(out)


def build_sample(sample):
    return CliRunner().invoke(main, ["--root", str(sample), "build", "--no-search"])


def built_beside_a_retired_site(sample) -> tuple[Path, Path, str]:
    """The sample built, and beside its site one an earlier build made and replaced, still being
    removed in the background (a copy of the served site, with a copy of its manifest): the builds
    folder, that retired site, and the earlier build's id."""
    from press.output import MANIFEST, RETIRED

    assert build_sample(sample).exit_code == 0
    builds = sample / ".output.builds"
    current = (sample / "output").resolve()
    earlier = "20261101T120000Z-abcdefgh"  # a build before the current one, replaced by it
    retired = builds / f"{RETIRED}{earlier}"
    shutil.copytree(current, retired)
    shutil.copy(builds / f"{current.name}{MANIFEST}", builds / f"{earlier}{MANIFEST}")  # its manifest (listing the same files)
    return builds, retired, earlier


def test_a_retired_site_found_by_the_next_build_is_removed_in_the_background_not_while_it_waits(sample, monkeypatch):
    """Builds one after the other (press serve): the site the last one replaced may still be being
    deleted. The next build checks it against its manifest and hands it to a removal of its own again,
    rather than deleting its files itself; it is gone once that ends, and the new site is complete."""
    import press.output as output
    from press.output import MANIFEST

    build = lambda: build_sample(sample)  # noqa: E731
    builds, retired, earlier = built_beside_a_retired_site(sample)
    removed_here = []
    real = output._remove_tree
    monkeypatch.setattr(output, "_remove_tree", lambda folder, point: (removed_here.append(folder.name), real(folder, point)))
    change_an_input(sample)
    result = build()
    assert result.exit_code == 0, result.output
    assert removed_here == []  # nothing deleted while the build waited
    assert gone_after_background_removal(retired)
    assert gone_after_background_removal(builds / f"{earlier}{MANIFEST}")
    assert (sample / "output" / "index.html").is_file()


def test_a_folder_made_by_hand_under_the_retired_name_of_the_served_site_is_left_and_nothing_is_lost(sample):
    """Someone copies the served site to retired-<its id> in the builds folder (press never retires a
    site twice): builds go on, the folder and the live site's manifest are left alone, the new site
    is published complete, and the site it replaced is removed once the new one is in place."""
    from press.output import MANIFEST, RETIRED

    build = lambda: build_sample(sample)  # noqa: E731
    assert build().exit_code == 0
    builds = sample / ".output.builds"
    served = (sample / "output").resolve()
    copy = builds / f"{RETIRED}{served.name}"
    shutil.copytree(served, copy)
    (copy / "NOTES.txt").write_text("mine\n")
    change_an_input(sample)
    result = build()
    assert result.exit_code == 0, result.output
    assert f"left {copy}: press did not make it" in result.output
    assert (sample / "output").resolve() != served and (sample / "output" / "index.html").is_file()
    assert (copy / "NOTES.txt").read_text() == "mine\n"
    assert not served.exists() and not (builds / f"{served.name}{MANIFEST}").exists()  # the replaced site, removed
    change_an_input(sample)
    result = build()
    assert result.exit_code == 0, result.output
    assert (copy / "NOTES.txt").read_text() == "mine\n"  # never press's to delete: named again


def test_a_retired_build_removed_in_the_background_meanwhile_does_not_fail_the_next_build(sample, monkeypatch):
    """A replaced site is deleted in the background; the next build may find it half gone, or gone
    between looking at it and removing it. That is not an error: the build goes on."""
    from press.output import Output

    build = lambda: build_sample(sample)  # noqa: E731
    _, retired, _ = built_beside_a_retired_site(sample)
    real = Output._ours_to_delete

    def background_removal_finishes_first(self, folder):
        vouched = real(self, folder)
        shutil.rmtree(folder, ignore_errors=True)  # the background rm -rf ends just now
        return vouched

    monkeypatch.setattr(Output, "_ours_to_delete", background_removal_finishes_first)
    change_an_input(sample)
    result = build()
    assert result.exit_code == 0, result.output
    assert not retired.exists() and (sample / "output" / "index.html").is_file()


@pytest.mark.parametrize("libc", [None, object()], ids=["no C library", "no malloc_trim"])
def test_a_build_where_the_c_library_cannot_give_memory_back_still_builds(tmp_path, monkeypatch, libc):
    """A build gives memory back to the kernel with glibc's ``malloc_trim`` between its steps (and
    flushes the site with ``syncfs``); without them (musl, macOS) it builds the same site."""
    root = copy_sample(tmp_path / "press")
    monkeypatch.setattr(press.output, "_libc", lambda: libc)
    result = CliRunner().invoke(main, ["--root", str(root), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    assert (root / "output" / "index.html").is_file()


# --------------------------------------------------------------------------- folders made ahead


# A 1x1 PNG: a shared image content/images/ may hold.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def folders(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir())


def test_folders_of_the_last_site_are_made_ahead_but_what_the_new_one_does_not_use_is_gone(tmp_path):
    """A warm build makes the last site's folders ahead of its pages (press.output.Folders). Attack (a
    careless maintainer): a deep folder of shared images is removed, and two others become images of
    their own names, one of them with folders inside; the theme has an empty folder (Pelican copies
    it). Each new site has no empty folder left from the old, the images are files, and every build
    equals a cold build of the same press, files and folders."""
    site = small_press(tmp_path / "press")
    site.write("content/images/deep/er/mark.png", PNG)
    site.write("content/images/logo.png/mark.png", PNG)
    site.write("content/images/icons.png/svg/small/mark.png", PNG)
    (site.root / "theme/static/empty-on-purpose").mkdir()
    out = tmp_path / "public"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    assert {"images/deep/er", "images/logo.png", "images/icons.png/svg/small", "theme/empty-on-purpose"} <= set(folders(out))
    shutil.rmtree(site.root / "content/images/deep")
    for name in ("logo.png", "icons.png"):
        shutil.rmtree(site.root / "content/images" / name)
        site.write(f"content/images/{name}", PNG + name.encode())
    for n, change in enumerate([lambda: None, lambda: version(site, "B")]):
        change()
        result = cli(site.root, "build", "--output", str(out), "--no-search")
        assert result.exit_code == 0, result.output
        assert not {"images/deep", "images/logo.png", "images/icons.png"} & set(folders(out))
        assert (out / "images/icons.png").read_bytes() == PNG + b"icons.png"
        cold = tmp_path / f"cold-{n}"
        assert cli(site.root, "build", "--output", str(cold), "--no-search").exit_code == 0
        assert folders(out) == folders(cold) and tree(out) == tree(cold)
        assert "theme/empty-on-purpose" in folders(out)


def test_the_process_making_folders_ahead_stops_when_its_build_is_gone(tmp_path):
    """Killed before the process that makes the folders had started, a build leaves no process making
    folders in a build folder the next build removes: it checks its parent is the build that started it."""
    folder = tmp_path / "build"
    folder.mkdir()
    gone = subprocess.run([sys.executable, "-I", "-S", "-c", press.output._MAKE_FOLDERS, "1"], cwd=folder,
                          input=b"tag\0tag/page\0author", timeout=LIMIT)  # fmt: skip
    assert gone.returncode == 0 and list(folder.iterdir()) == []
    alive = subprocess.run([sys.executable, "-I", "-S", "-c", press.output._MAKE_FOLDERS, str(os.getpid())], cwd=folder,
                           input=b"tag\0tag/page\0author", timeout=LIMIT)  # fmt: skip
    assert alive.returncode == 0 and folders(folder) == ["author", "tag", "tag/page"]


def _names_below(folder: Path) -> set[str]:
    """Every name below ``folder``, walked while the site a build replaced may still be being removed
    in the background (os.walk passes over a folder that vanishes; Path.rglob raised)."""
    return {name for _, folders, files in os.walk(folder) for name in folders + files}


def test_a_damaged_manifest_makes_no_folder_outside_the_new_build(tmp_path):
    """Attack (anyone who can write beside the builds): the last site's manifest names folders out of
    the build folder, and one no file name can hold. None is made, the build goes on, and the folders
    it names inside are not left in the new site."""
    site = small_press(tmp_path / "press")
    out = tmp_path / "public"
    assert cli(site.root, "build", "--output", str(out), "--no-search").exit_code == 0
    manifest = tmp_path / ".public.builds" / (os.readlink(out).split("/")[1] + ".manifest")
    data = json.loads(manifest.read_text())
    escape = tmp_path / "escaped"
    for name in ("../../escaped/", f"{escape}/", "springfield/../../../escaped/", "fine/./dot/", "made/ahead/", "\ud800/"):
        data["files"][name] = [0, 0, 0]
    manifest.write_text(json.dumps(data))
    version(site, "B")
    result = cli(site.root, "build", "--output", str(out), "--no-search")
    assert result.exit_code == 0, result.output
    assert not escape.exists() and not (tmp_path / ".public.builds" / "escaped").exists()
    assert "escaped" not in _names_below(tmp_path)
    assert "made" not in folders(out) and "springfield/fares.html" in tree(out)

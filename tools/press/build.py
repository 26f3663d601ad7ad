"""Running the build: Pelican with the press plugin, into a fresh folder, swapped in only on success."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import itertools
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .decisions import RETRACTED, WITHDRAWN
from .model import Press, gc_paused, load
from . import clock, uptodate
from .output import Folders, Output, give_back_memory, output_path, pause_point
from .problems import PressError

if TYPE_CHECKING:
    from .site.outputs import OutputList


class BuildFailed(Exception):
    """The build did not produce a site; the previous output is untouched."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("\n".join(reasons))


@dataclass
class BuildResult:
    output: Path
    press: Press | None  # None when nothing changed: the records were not even read
    warnings: list[str] = field(default_factory=list)
    memo: object | None = None  # RenderMemo: how many pages were rendered and reused
    outputs: "OutputList | None" = None  # the positive list: why each file is in the site
    unchanged: bool = False  # nothing the build reads changed since the build that made the site
    lines: list[str] | None = None  # that build's summary

    def summary(self) -> list[str]:
        """One line per assembly: what was published, held back and retracted."""
        if self.lines is not None:
            return list(self.lines)
        lines = []
        press = self.press
        assert press is not None
        by_assembly: dict[str, list] = {}
        for decision in press.decisions.articles.values():
            by_assembly.setdefault(decision.article.assembly, []).append(decision)
        council = [press.records.council.id] if press.records.council is not None else []
        for aid in sorted(press.records.assemblies) + council:  # the council's own statements last
            decisions = by_assembly.get(aid, [])
            counts = Counter(d.state for d in decisions)
            published = sum(press.publishable(d) for d in decisions)
            held = len(decisions) - published - counts[RETRACTED] - counts[WITHDRAWN]
            line = f"{aid}: {published} published, {held} held back, {counts[RETRACTED]} retracted"
            if counts[WITHDRAWN]:
                line += f", {counts[WITHDRAWN]} withdrawn"
            revisions = sum(d.article.id in press.revisions for d in decisions)
            if revisions:
                line += f" ({revisions} as the approved revision, with edits awaiting a vote)"
            lines.append(line)
        if press.decisions.council is not None:
            articles = press.decisions.articles
            shown = [f for f in press.decisions.council.on_front_page() if f.article in articles and press.publishable(articles[f.article])]
            lead = next((f.article for f in shown if f.lead), None)
            lines.append(f"front page: {len(shown)} stories featured by the council, " + (f"lead {lead}" if lead else "no lead feature (the newest article leads)"))
        return lines


class _Collect(logging.Handler):
    """Keeps Pelican's warnings and errors so the build can report them and fail on errors."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Empty alt attribute for image"):
            return  # the press's own warning names the file and line
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


def _version() -> str:
    """The press's own code, hashed: a page rendered by other code is never reused."""
    from .cache import press_version

    return press_version()


def build(
    root: Path | str = ".",
    output: Path | str | None = None,
    publish: bool = False,
    search: bool = True,
    notice: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> BuildResult:
    """Build the site. Raises :class:`BuildFailed` (records or Pelican errors) or :class:`PressError`
    (setup, or an output path that is not press's: see :mod:`press.output`).

    ``search``: index the built articles with Pagefind (only pages marked ``data-pagefind-body``,
    which the theme puts on published articles alone). ``notice``: where to say that the build waits
    for another build of the same output (default: stderr). ``now``: the run's instant (default
    :func:`press.clock.now`): what is upcoming, expired or in force is decided as of then.
    """
    from pelican.settings import read_settings

    from .inputs import refuse_linked_tops

    root = Path(root).resolve()
    now = now or clock.now()
    refuse_linked_tops(root)
    conf = root / ("publishconf.py" if publish else "pelicanconf.py")
    if not conf.is_file():
        raise PressError(f"no {conf.name} in {root} — is --root the press repository?")
    settings = read_settings(str(conf))
    final = output_path(output if output else settings["OUTPUT_PATH"])
    sources = (Path(settings["THEME"]), Path(settings["PATH"]))
    with Output.claim(root, final, notice or _to_stderr, protected=sources) as out:
        pause_point("locked")
        try:
            return _build(root, settings, out, search, now)
        finally:
            gc.unfreeze()  # what the build froze (its model, what Pelican left): a process that goes on collects it


def _to_stderr(message: str) -> None:
    print(f"press: {message}", file=sys.stderr, flush=True)


def _build(root: Path, settings: dict, out: Output, search: bool, now: dt.datetime) -> BuildResult:
    """The build proper, with the output locked."""
    inputs = uptodate.inputs_key(root, settings, search)
    done = uptodate.unchanged(root, out.current(), inputs, now)
    if done is not None:  # the site is what this build would make: leave it alone
        pause_point("unchanged")
        return BuildResult(output=out.path, press=None, warnings=done.warnings, unchanged=True, lines=done.summary)

    import jinja2
    from pelican import Pelican, signals

    from .site.outputs import OutputList

    # The model lives until the build ends: it is frozen out of the collector's sight (gc.freeze), so
    # the collections during the build do not walk it again and again (0.15 s each at 5,000 articles).
    with gc_paused():
        press = load(root, now)
        gc.freeze()
    left_out = press.unvoted_draft_problems  # never published: they cannot stop the build of the rest
    blocking = sorted(set(press.problems) - set(left_out))
    if blocking:
        raise BuildFailed([str(p) for p in blocking] + ["fix these problems (press verify lists them) and build again"])
    refused = _unsafe_sources(root, settings)
    if refused:
        raise BuildFailed(refused)
    press.require_history()  # a broken git stops the build here, in one sentence (as verify and check)
    press.save_records()  # records are all read: kept now, so what kept them is not held while the site is made
    press.save_answer()  # verify's answer is known once git is read: kept now, with what it was kept for
    give_back_memory()
    pause_point("loaded")

    from .site import BuildContext, without_plugin
    from .site.memo import RenderMemo

    final = out.path
    staging = out.new_build()
    folders = None
    published = False
    try:
        # the last site's folders, made ahead by another process (not the theme's: Pelican copies it whole)
        folders = Folders(staging, out.current(), keep_out=(str(settings.get("THEME_STATIC_DIR", "theme")),))
        # With caching on, pages whose inputs did not change are taken from the previous site — only
        # from a build folder press swapped in, whose fingerprints were saved with it.
        memo = RenderMemo(settings, out.current() or staging, root, _version()) if settings.get("CACHE_CONTENT") else None
        outputs = OutputList(staging)
        settings["OUTPUT_PATH"] = str(staging)
        settings["PLUGINS"] = without_plugin(settings.get("PLUGINS"))  # this build attaches its own context
        settings["DELETE_OUTPUT_DIRECTORY"] = False
        settings["STATIC_CREATE_LINKS"] = False  # a link into content/ would let a later edit change the site
        collect = _Collect()
        collect.warnings += [f"{p} (an unvoted draft: left out of the build)" for p in left_out]
        pelican_log = logging.getLogger("pelican")
        saved = pelican_log.propagate
        pelican_log.addHandler(collect)
        pelican_log.propagate = False
        written = itertools.count(1)

        def count_written(path, context=None) -> None:
            """Pelican wrote a file: the tests' hook can stop the build a few files into writing the site."""
            if next(written) == 3:
                pause_point("writing")

        def before_writing(generators) -> None:
            """Every generator has read what it needs and nothing is written yet: the folders made
            ahead are all there, and give way where a file claimed already (Pelican's copies of the
            theme's and content/images/'s files) is to be written."""
            if not any(getattr(g, "output_path", None) == settings["OUTPUT_PATH"] for g in generators):
                return  # another build's run, in this process
            folders.wait()
            folders.give_way(outputs.claims)

        signals.content_written.connect(count_written, weak=False)
        signals.all_generators_finalized.connect(before_writing, weak=False)
        # The collector off from Pelican's run until what it left is collected once: re-enabled between
        # the two, it would first walk every object the run made as young (0.12 s at 5,000 articles).
        with gc_paused():
            try:
                # The plugin's handlers, bound to this build's context, for this run only
                context = BuildContext(settings, press, memo, outputs, now)
                # Pelican's articles and pages live until the run ends and make almost no cycles.
                with context.attached(), contextlib.redirect_stdout(io.StringIO()):
                    Pelican(settings).run()  # Pelican prints its own summary
            except jinja2.TemplateSyntaxError as exc:
                where = Path(exc.filename).resolve() if exc.filename else None
                rel = where.relative_to(root).as_posix() if where and where.is_relative_to(root) else exc.name or "template"
                collect.errors.append(f"{rel}:{exc.lineno}: TemplateSyntaxError: {exc.message} — fix the template")
            except Exception as exc:  # a theme or Pelican failure: report it, keep the old site
                collect.errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                signals.content_written.disconnect(count_written)
                signals.all_generators_finalized.disconnect(before_writing)
                pelican_log.removeHandler(collect)
                pelican_log.propagate = saved
            pause_point("written")
            folders.tidy()  # the folders made ahead that no file of this build is in
            if memo is not None:
                memo.keyed()  # the pages are made: what keying them kept alive is let go before the search index
            gc.collect()  # what the run left in cycles (Jinja's template contexts), before the search index
            gc.freeze()  # and what is left lives until the build ends, as the model does
        press.save()  # what reading learnt (records, git history, verify's answer) serves the next run
        give_back_memory()  # Pelican's articles and the keys are gone: the search index starts from less
        if not collect.errors and search:
            timeout = settings.get("PRESS_SUBPROCESS_TIMEOUT", SUBPROCESS_TIMEOUT)
            collect.errors += _index_for_search(staging, root, settings, timeout, context.rules)
            give_back_memory()
            pause_point("indexed")
        if not collect.errors:
            collect.errors += _only_plain_files(staging)
        if not collect.errors:  # the positive list: every staged file has a reason to be published
            collect.errors += outputs.check()
        if collect.errors:
            raise BuildFailed(collect.errors)
        if memo is not None:
            memo.save(staging, outputs.rules())  # before the swap: a kill after it finds fingerprints of the site it serves
        from .cache import notices

        result = BuildResult(output=final, press=press, warnings=notices() + collect.warnings, memo=memo, outputs=outputs)
        zones = clock.zones_of(press.records)
        windows = [t for ballot in press.decisions.ballots for t in (ballot.opens, ballot.closes)]
        state = uptodate.site_state(staging)  # the complete site: nothing is written into it after this
        record = uptodate.Record(inputs, uptodate.site_digest(state), collect.warnings, result.summary(), zones, clock.days(now, zones),
                                 uptodate.next_change(windows, now))  # fmt: skip
        uptodate.save(root, staging, record)
        pause_point("saved")
        previous = out.current()
        out.publish(staging, state)
        published = True
        if previous is not None and previous != staging:
            uptodate.forget(root, previous)
    finally:
        if not published:
            if folders is not None:
                folders.stop()
            uptodate.forget(root, staging)
            out.discard(staging)
    return result


def _unsafe_sources(root: Path, settings: dict) -> list[str]:
    """Pelican follows symbolic links when it copies the theme's static files and content's static
    paths (``os.walk(followlinks=True)``): a link to /etc would copy /etc into the site. Refuse any
    link in the theme, and any file that is not a plain file (a FIFO would hang the copy) in the theme
    or content. Links in content/ are refused by the records (press verify)."""
    problems: list[str] = []

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    def scan(folder: Path, where: str, links: bool) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if entry.is_symlink():
                    if links:
                        problems.append(f"{rel(path)}: symbolic links are not allowed in {where} — commit the file itself")
                elif entry.is_dir(follow_symlinks=False):
                    scan(path, where, links)
                elif not entry.is_file(follow_symlinks=False):
                    problems.append(f"{rel(path)}: not a plain file (a FIFO, socket or device) — remove it from {where}")

    for setting, where, links in (("THEME", "the theme", True), ("PATH", "content", False)):
        folder = Path(settings[setting])
        if folder.is_symlink():
            problems.append(f"{rel(folder)}: {where} folder is a symbolic link — make it a real folder")
        elif folder.is_dir():
            scan(folder, where, links)
    return problems


def _only_plain_files(site: Path) -> list[str]:
    """The staged site holds only folders and plain files: no link can point a reader outside it."""
    problems = []
    prefix = len(str(site)) + 1
    folders = [str(site)]
    while folders:  # os.scandir: the entry types come with the listing, no stat per file
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    problems.append(f"the build wrote {entry.path[prefix:]}, which is not a plain file — it was not published")
    return sorted(problems)


# How long any program the build runs may take before the build gives up on it (seconds);
# PRESS_SUBPROCESS_TIMEOUT in pelicanconf.py overrides it.
SUBPROCESS_TIMEOUT = 600
PAGEFIND = [sys.executable, "-m", "pagefind"]


def _index_for_search(site: Path, root: Path, settings: dict, timeout: float, rules) -> list[str]:
    """Index the staged site's searchable pages with Pagefind, reusing what did not change (with
    caching on: the shards are kept in the store); every file of the index is put in the site
    through the build's ``rules``. Returns errors, if any. See :mod:`press.site.search`."""
    from .site.search import index_site
    from .store import Store

    store = Store(root) if settings.get("CACHE_CONTENT") else None
    return index_site(site, store, PAGEFIND, timeout, run_bounded, rules)


def run_bounded(command: list[str], timeout: float) -> tuple[int | None, str]:
    """Run ``command`` with stdin closed, in its own process group, for at most ``timeout`` seconds.

    Returns its exit code (None when it was stopped for taking too long) and its output. The output
    goes to a file, not a pipe, and on timeout the whole group is killed: a child that a hung program
    started cannot keep the build waiting on a pipe it still holds."""
    with tempfile.TemporaryFile() as captured:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=captured, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        code = None
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if code is None:  # timed out, or the build itself was interrupted
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)  # the program and everything it started
                process.wait()
        captured.seek(0)
        return code, captured.read().decode(errors="replace")

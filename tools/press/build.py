"""Running the build: Pelican with the press plugin, into a fresh folder, swapped in only on success."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .decisions import RETRACTED
from .model import Press, load
from .problems import PressError


class BuildFailed(Exception):
    """The build did not produce a site; the previous output is untouched."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("\n".join(reasons))


@dataclass
class BuildResult:
    output: Path
    press: Press
    warnings: list[str] = field(default_factory=list)
    memo: object | None = None  # RenderMemo: how many pages were rendered and reused

    def summary(self) -> list[str]:
        """One line per assembly: what was published, held back and retracted."""
        lines = []
        press = self.press
        by_assembly: dict[str, list] = {}
        for decision in press.decisions.articles.values():
            by_assembly.setdefault(decision.article.assembly, []).append(decision)
        council = [press.records.council.id] if press.records.council is not None else []
        for aid in sorted(press.records.assemblies) + council:  # the council's own statements last
            decisions = by_assembly.get(aid, [])
            counts = Counter(d.state for d in decisions)
            published = sum(press.publishable(d) for d in decisions)
            held = len(decisions) - published - counts[RETRACTED]
            line = f"{aid}: {published} published, {held} held back, {counts[RETRACTED]} retracted"
            revisions = sum(d.article.id in press.revisions for d in decisions)
            if revisions:
                line += f" ({revisions} as the approved revision, with edits awaiting a vote)"
            lines.append(line)
        if press.decisions.council is not None:
            shown = [f for f in press.decisions.council.on_front_page() if press.publishable(press.decisions.articles[f.article])]
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
    import hashlib

    digest = hashlib.sha256()
    package = Path(__file__).parent
    for file in sorted(package.rglob("*.py")):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _check_output(root: Path, output: Path) -> None:
    root, output = root.resolve(), output.resolve()
    if output == root or output in root.parents:
        raise PressError(f"refusing to build into {output}: it contains the press itself")
    for folder in ("content", "editorial", "theme", "tools", ".git"):
        protected = root / folder
        if output == protected or protected in output.parents:
            raise PressError(f"refusing to build into {output}: it is inside {folder}/")


def build(root: Path | str = ".", output: Path | str | None = None, publish: bool = False, search: bool = True) -> BuildResult:
    """Build the site. Raises :class:`BuildFailed` (records or Pelican errors) or :class:`PressError` (setup).

    ``search``: index the built articles with Pagefind (only pages marked ``data-pagefind-body``,
    which the theme puts on published articles alone).
    """
    from pelican import Pelican
    from pelican.settings import read_settings

    root = Path(root).resolve()
    conf = root / ("publishconf.py" if publish else "pelicanconf.py")
    if not conf.is_file():
        raise PressError(f"no {conf.name} in {root} — is --root the press repository?")
    press = load(root)
    if press.problems:
        raise BuildFailed([str(p) for p in press.problems] + ["fix these problems (press verify lists them) and build again"])

    from .site import provide
    from .site.memo import RenderMemo

    settings = read_settings(str(conf))
    final = Path(output).resolve() if output else Path(settings["OUTPUT_PATH"]).resolve()
    _check_output(root, final)
    # With caching on, pages whose inputs did not change are taken from the previous site.
    memo = RenderMemo(settings, final, root, _version()) if settings.get("CACHE_CONTENT") else None
    provide(press, memo)
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(final)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
    settings["OUTPUT_PATH"] = str(staging)
    settings["DELETE_OUTPUT_DIRECTORY"] = False

    collect = _Collect()
    pelican_log = logging.getLogger("pelican")
    saved = pelican_log.propagate
    pelican_log.addHandler(collect)
    pelican_log.propagate = False
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Pelican prints its own summary
            Pelican(settings).run()
    except jinja2.TemplateSyntaxError as exc:
        where = Path(exc.filename).resolve() if exc.filename else None
        rel = where.relative_to(root).as_posix() if where and where.is_relative_to(root) else exc.name or "template"
        collect.errors.append(f"{rel}:{exc.lineno}: TemplateSyntaxError: {exc.message} — fix the template")
    except Exception as exc:  # a theme or Pelican failure: report it, keep the old site
        collect.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        pelican_log.removeHandler(collect)
        pelican_log.propagate = saved
    if not collect.errors and search:
        collect.errors += _index_for_search(staging)
    if collect.errors:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildFailed(collect.errors)

    _swap(staging, final)
    if memo is not None:
        memo.save()
    return BuildResult(output=final, press=press, warnings=collect.warnings, memo=memo)


def _index_for_search(site: Path) -> list[str]:
    """Run Pagefind over the staged site; returns errors, if any."""
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if done.returncode != 0:
        return [f"the search index could not be built (pagefind exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"]
    return []


def _swap(staging: Path, final: Path) -> None:
    """Put the new site in place with renames, so readers never see half a site."""
    staging.chmod(0o755)
    if final.exists():
        retired = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(retired)
        staging.rename(final)
        _remove_in_background(retired)
    else:
        staging.rename(final)


def _remove_in_background(folder: Path) -> None:
    """The retired site is no longer served: delete it without making the user wait."""
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen(
        [rm, "-rf", "--", str(folder)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _remove_leftovers(final: Path) -> None:
    """Folders of builds that were interrupted (a crash, a power cut) are removed before a new one."""
    for leftover in final.parent.glob(f".{final.name}.*"):
        if leftover.is_dir() and (".building-" in leftover.name or ".old-" in leftover.name):
            shutil.rmtree(leftover, ignore_errors=True)


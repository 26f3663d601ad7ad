"""The printed agenda of an assembly's meeting, and the short digest that binds a vote to it.

``press agenda springfield`` prints, for one meeting: the roll of members in good standing that
day with a box to tick, every article awaiting a vote or edited since its approval — its full text
exactly as it will be voted, its attachments and its short digest — the delegate with room for an
election or a recall, and a tally box for every motion. ``press record publish ARTICLE --agenda
DIGEST`` refuses to record a vote if the article is no longer the one on the paper.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..files import replacing
from ..decisions import EDITED, PENDING_STATES, ArticleDecision, DelegateTerm
from ..model import Press
from ..problems import PressError, Problem
from ..records import Assembly, Meeting, Member, accessibility_warnings, next_meeting_date

# 16 hex digits (64 bits): short enough to read aloud, too long to forge a matching edit.
SHORT = 16
SHORT_RE = re.compile(r"^(?:sha256:)?([0-9a-f]{%d,64})$" % SHORT)
MARKER = "<!-- press agenda -->"
PAPERS = {"auto": "auto", "a4": "A4", "letter": "letter"}


def short(digest: str) -> str:
    """``sha256:1a2b…`` -> ``1a2b 3c4d 5e6f 7a8b``, as printed on the agenda."""
    hexdigits = digest.removeprefix("sha256:")[:SHORT]
    return " ".join(hexdigits[i : i + 4] for i in range(0, SHORT, 4))


def parse_short(text: str) -> str:
    """What an editor typed from the paper -> the hex digits; PressError if it cannot be one."""
    cleaned = re.sub(r"[\s-]", "", text).lower()
    match = SHORT_RE.match(cleaned)
    if not match:
        raise PressError(f"--agenda {text!r} is not a digest from an agenda: give the {SHORT} characters printed beside the article, e.g. 1a2b 3c4d 5e6f 7a8b")
    return match[1]


def matches(digest: str, typed: str) -> bool:
    return digest.removeprefix("sha256:").startswith(parse_short(typed))


@dataclass
class Item:
    """One article on the agenda."""

    number: int
    decision: ArticleDecision
    text: str
    attachments: list[tuple[str, int, tuple]]  # (path relative to the assembly's folder, size in bytes, kept metadata fields)
    warnings: list[Problem] = field(default_factory=list)  # what readers who cannot see or hear would miss

    @property
    def article(self):
        return self.decision.article

    @property
    def digest(self) -> str:
        return self.article.digest

    @property
    def short(self) -> str:
        return short(self.article.digest)

    @property
    def edited(self) -> bool:
        return self.decision.state == EDITED


@dataclass
class Agenda:
    assembly: Assembly
    date: dt.date
    meeting: Meeting | None
    roll: list[Member]
    items: list[Item]
    delegate: DelegateTerm | None
    delegate_name: str | None
    generated: dt.datetime
    paper: str = "auto"
    motions: int = field(init=False, default=0)

    def __post_init__(self):
        self.motions = len(self.items) + 1  # every article, and the delegate

    @property
    def quorum(self) -> int:
        return self.assembly.rules.quorum_for(len(self.roll))




def pending(press: Press, assembly: str) -> list[ArticleDecision]:
    """The articles of ``assembly`` a meeting has to vote on: awaiting a vote, or edited since approval."""
    found = [d for d in press.decisions.articles.values() if d.article.assembly == assembly and d.state in PENDING_STATES]
    return sorted(found, key=lambda d: d.article.id)


def _attachments(press: Press, article) -> list[tuple[str, int, tuple]]:
    """The files of the article's bundle (which its digest covers), with their sizes and the metadata
    fields their assembly keeps (``rules: keep-metadata:``), which the voters see with their values."""
    from ..media import keep_of

    folder = press.root / article.path.removesuffix(".md")
    keep = keep_of(press.records, article.assembly)
    found = press.records.media
    return [
        (f"{article.slug}/{name}", (folder / name).stat().st_size,
         tuple(f for f in found.get(f"{article.path.removesuffix('.md')}/{name}", ()) if f.name in keep))
        for name in article.attachments
    ]  # fmt: skip


def make(press: Press, assembly: str, day: dt.date | None = None, paper: str = "auto") -> Agenda:
    """The agenda of ``assembly``'s meeting on ``day`` (default: its next meeting, recorded or by its
    ``meets:`` rule, or today)."""
    a = press.assembly(assembly)
    own = (f"editorial/assemblies/{assembly}.yml", f"editorial/meetings/{assembly}/", f"content/{assembly}/")
    problems = [p for p in press.problems if p.path.startswith(own)]
    if problems:
        raise PressError(f"{problems[0]} — fix the records of {assembly} (press verify lists {len(problems)} problem(s)) before printing an agenda")
    day = day or next_meeting_date(a, press.records.meetings, press.decisions.today_of(a)) or press.decisions.today_of(a)
    items = []
    for number, decision in enumerate(pending(press, assembly), 1):
        raw = (press.root / decision.article.path).read_bytes()
        text = raw.decode("utf-8")
        warnings = accessibility_warnings(decision.article.path, text, decision.article.metadata)
        items.append(Item(number, decision, text, _attachments(press, decision.article), warnings))
    meeting = next((m for m in press.records.meetings if m.assembly == assembly and m.date == day), None)
    term = press.decisions.delegate(assembly, day)
    name = a.members[term.member].name if term and term.member in a.members else (term.member if term else None)
    roll = sorted(a.members_on(day), key=lambda m: (m.name.lower(), m.id))
    return Agenda(a, day, meeting, roll, items, term, name, press.decisions.now, paper)


def render(agenda: Agenda) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("press.agenda", "."),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("agenda.html").render(agenda=agenda, page_size=PAPERS[agenda.paper], marker=MARKER)


ELSEWHERE = (
    "an agenda holds unapproved text and must stay off the site — write it outside every site and "
    "tracked folder: the default (agenda-ASSEMBLY-DATE.html in the repository's top folder), or a "
    "folder of your own such as ~/agendas/"
)


def refusal(path: Path, root: Path) -> str | None:
    """Why the agenda may not be written at ``path`` (None: it may). Refused: inside a folder press
    built or manages (see :func:`press.output.site_folder`; the output link's target is inside its
    builds folder), inside the repository's source folders or its output, and inside any folder git
    tracks — except the press repository's own top folder, which is never served."""
    from ..output import SOURCES, site_folder

    root = root.resolve()
    where = path.resolve()  # links followed, the last one too: a link into a site is the site
    for name in (*SOURCES, "output"):
        if where.is_relative_to(root / name):
            return f"{path} is inside {name}/: {ELSEWHERE}"
    for folder in where.parents:
        if (why := site_folder(folder)) is not None:
            return f"{path} is inside {why}: {ELSEWHERE}"
    tracked = _tracked(where, root)
    return f"{path} is inside {tracked}, which git tracks: {ELSEWHERE}" if tracked else None


def _tracked(where: Path, root: Path) -> str | None:
    """The tracked file ``where``, or the tracked folder it would go in, if any. A folder is tracked when
    git tracks a file in it: inside the press repository, the top-level folder the path is in (its
    top folder itself is never served, and counts only for the file itself); inside another
    repository, the whole of it (a gh-pages worktree, a web root kept in git)."""
    import subprocess

    from ..problems import GIT_TIMEOUT

    folder = next(f for f in where.parents if f.is_dir())

    def git(*args: str, cwd: Path = folder) -> subprocess.CompletedProcess:
        try:  # literal: a file named `*` or `:(top)` is that name, not a pattern
            return subprocess.run(["git", "--literal-pathspecs", *args], cwd=cwd, capture_output=True, text=True, timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            from ..history import in_work_tree

            if not in_work_tree(folder):
                return subprocess.CompletedProcess(args, 128, "", "")  # no repository around it: nothing to track it
            raise PressError(f"cannot tell whether git tracks {folder}: git is not installed — install git, or write the agenda outside any git repository") from None
        except subprocess.TimeoutExpired:
            raise PressError(f"cannot tell whether git tracks {folder}: git did not answer within {GIT_TIMEOUT:g} seconds") from None

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return None  # not in a git work tree
    if where.parent == folder and git("ls-files", "-z", "--", where.name).stdout:
        return f"{where} (a file git tracks)"
    if folder.is_relative_to(root) and root.is_relative_to(Path(top.stdout.strip()).resolve()):  # the press's own repository
        if folder == root:
            return None
        checked = root / folder.relative_to(root).parts[0]
    else:
        checked = Path(top.stdout.strip()).resolve()
    return f"{checked}/" if git("ls-files", "-z", "--", ".", cwd=checked).stdout else None


def write(html: str, path: Path, root: Path | None = None) -> None:
    """Write the agenda to ``path`` at once (never half a file), refusing to replace anything but an
    agenda, and refusing any place where it could be published (see :func:`refusal`)."""
    if root is not None and (why := refusal(path, root)) is not None:
        raise PressError(why)
    if path.exists():
        if not path.is_file():
            raise PressError(f"{path} is not a file")
        with path.open("rb") as f:
            head = f.read(256)
        if MARKER.encode() not in head:
            raise PressError(f"{path} exists and is not an agenda printed by press — choose another --output")
    with replacing(path) as f:
        f.write(html.encode())

"""The ``press`` command: a thin layer over :mod:`press.model`.

Exit codes: 0 ok, 1 problems found, 2 usage or configuration error, 3 a bug in press.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .problems import PressError

# The model (records, YAML, decisions) is imported by the commands that use it: `press verify`
# with nothing changed answers without it (see press.inputs).
if TYPE_CHECKING:
    from . import recording
    from .model import Press

OK, PROBLEMS, USAGE, BUG = 0, 1, 2, 3


class _Group(click.Group):
    """Turns any unexpected exception into one sentence: a crash is a bug, never a traceback."""

    def invoke(self, ctx: click.Context):
        from .cache import new_run, notices

        new_run()
        try:
            return self._invoke(ctx)
        finally:

            for notice in notices():  # what a command's caches had to say, and it did not report itself
                click.echo(f"warning: {notice}", err=True)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"press: {exc.strerror or exc}{where}", err=True)
            ctx.exit(USAGE)
        except Exception as exc:
            click.echo(
                f"press: internal error ({type(exc).__name__}: {exc}) — this is a bug in press; "
                "please report it with the command you ran",
                err=True,
            )
            ctx.exit(BUG)


def load(*args, **kwargs) -> Press:
    """:func:`press.model.load`."""
    from .model import load as load_model

    return load_model(*args, **kwargs)


class _Context:
    def __init__(self, root: Path, now: dt.datetime):
        self.root = root
        self.now = now  # the run's instant: every command decides as of this
        self.loaded: list[Press] = []  # kept for the next run when the command is done (save)
        self.saving = True

    def press(self, inputs=None) -> Press:
        from .inputs import refuse_linked_tops

        refuse_linked_tops(self.root)
        # One command per process: the model lives until the process ends, so it is frozen out of
        # the garbage collector's sight instead of being walked by it once loading is done (a third
        # of a warm `press verify` at 20,000 articles).
        enabled = gc.isenabled()
        gc.disable()
        try:
            press = load(self.root, self.now, inputs=inputs)
            self.loaded.append(press)
            return press
        finally:
            gc.freeze()
            if enabled:
                gc.enable()


    def save(self) -> None:
        """The command is done: keep what reading the press learnt (parsed records, git history,
        verify's answer) for the next run. Reading itself never writes (press.model.Press.save)."""
        loaded, self.loaded = self.loaded, []
        if self.saving:
            for press in loaded:
                press.save()


def _friendly(func):
    """Turn a PressError into a one-line message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PressError as exc:
            click.echo(f"press: {exc}", err=True)
            sys.exit(USAGE)

    return wrapper


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The press repository (the folder with content/ and editorial/).",
)
@click.option(
    "--now",
    metavar="INSTANT",
    envvar="PRESS_NOW",
    help="Run as of this instant (2026-11-21 or 2026-11-21T18:30:00Z) instead of the clock: what is "
    "upcoming, in force or expired, and each body's today. Also PRESS_NOW.",
)
@click.version_option(package_name="assembly-press")
@click.pass_context
def main(ctx: click.Context, root: Path, now: str | None) -> None:
    """Assembly Press: publish only what the assemblies voted to publish."""
    from . import clock

    try:
        instant = clock.parse_instant(now, "--now") if now else clock.now()
    except PressError as exc:
        raise click.BadParameter(str(exc).removeprefix("--now: "), param_hint="--now") from None
    ctx.obj = _Context(root, instant)
    ctx.call_on_close(ctx.obj.save)
    ctx.obj.fixed = bool(now)  # a long-running command (serve) reads the clock again for each rebuild unless fixed


# --------------------------------------------------------------------------- writers


@main.command()
@click.argument("assembly")
@click.argument("title")
@click.option("--author", help="Your name as it appears on the article (default: git config user.name).")
@click.option("--slug", help="The file name (without .md); made from the title by default.")
@click.pass_obj
@_friendly
def new(obj: _Context, assembly: str, title: str, author: str | None, slug: str | None) -> None:
    """Start a new article draft for ASSEMBLY, titled TITLE."""
    from . import recording

    press = obj.press()
    author = author or recording.git_user_name(press.root)
    try:
        path = recording.new_article(press, assembly, title, author, slug)
    except FileExistsError as exc:
        click.echo(f"press: {Path(exc.args[0]).relative_to(press.root)} already exists — choose another --slug", err=True)
        sys.exit(PROBLEMS)
    rel = path.relative_to(press.root)
    click.echo(f"created {rel}" + ("" if author else " (no Author line: give --author NAME, or set git config user.name)"))
    click.echo(f"Write it, commit it and open a pull request. Its id is {assembly}/{path.stem}.")


@main.command()
@click.argument("article")
@click.pass_obj
@_friendly
def digest(obj: _Context, article: str) -> None:
    """Print the content digest of ARTICLE (an id like springfield/rent, or a path)."""
    press = obj.press()
    click.echo(press.records.articles[press.article_id(article)].digest)


@main.command()
@click.option("--date", "day", help="The date to count the rosters on (default: today in the council's timezone).")
@click.pass_obj
@_friendly
def census(obj: _Context, day: str | None) -> None:
    """Propose the council's census: each assembly's members in good standing on a date, as a motion
    to record (press record census, or the census form of press desk council). With weighting:
    members, a seat weighs the figures the council last adopted."""
    from .council.decisions import census_on

    press = obj.press()
    if press.records.council is None:
        raise PressError("this press has no council (editorial/council.yml)")
    counted = _date(day, press, press.records.council.id)
    weights = ", ".join(f"{aid}: {n}" for aid, n in census_on(press.records.assemblies, counted).items())
    click.echo(f"  - census: {counted.isoformat()}\n    weights: {{{weights}}}\n    yes: []")


# --------------------------------------------------------------------------- editors


def _date(value: str | None, press: Press, body: str) -> dt.date:
    """``--date``, or the run's date in the body's own timezone (never the machine's)."""
    if value is None:
        return press.decisions.today_of(press.assembly(body))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD", param_hint="--date") from None


def _votes(values: tuple[str, ...], side: str) -> list[str] | int:
    """``--yes ana,ben --yes carla`` -> [ana, ben, carla]; ``--yes 12`` -> 12 (secret ballot)."""
    from . import recording

    try:
        return recording.parse_votes(values)
    except PressError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{side}") from None


_date_option = click.option("--date", "day", metavar="YYYY-MM-DD", help="Meeting date (default: today).")


def _vote_options(func):
    for side in ("abstain", "no", "yes"):
        func = click.option(
            f"--{side}",
            multiple=True,
            metavar="IDS|COUNT",
            help=f"Who voted {side} (member ids, comma-separated), or how many with a secret ballot.",
        )(func)
    func = click.option(
        "--rest",
        type=click.Choice(["yes", "no", "abstain"]),
        help="Everyone present not named elsewhere voted this way.",
    )(func)
    return _date_option(func)


@main.group()
def record() -> None:
    """Record a meeting: attendance first, then each motion as it is voted."""


@record.command("attendance")
@click.argument("assembly")
@click.argument("members", nargs=-1)
@click.option("--count", type=click.IntRange(min=0), help="Number present (secret-ballot assemblies only).")
@click.option("--remove", multiple=True, metavar="IDS", help="Take these members off the list (they were not there, or were listed by mistake).")
@click.option("--replace", is_flag=True, help="MEMBERS is the whole list: drop whoever else is listed.")
@_date_option
@click.pass_obj
@_friendly
def record_attendance(
    obj: _Context, assembly: str, members: tuple[str, ...], count: int | None, remove: tuple[str, ...], replace: bool, day: str | None
) -> None:  # fmt: skip
    """Record who is present at ASSEMBLY's meeting: MEMBER ids, or --count.

    MEMBERS are added to those already listed (a latecomer: ``press record attendance springfield
    fatima``); ``--remove`` takes members off; ``--replace`` makes MEMBERS the whole list.
    For the council (ASSEMBLY ``council``) name the seats, as assembly ids: ``springfield`` (its
    delegate on that date is filled in) or ``springfield=dev`` (checked against the delegate)."""
    from . import recording

    press = obj.press()
    if not members and count is None and not remove:
        raise click.UsageError("name the members present, or give --count for a secret ballot")
    members_list = [m for value in members for m in value.split(",") if m]
    removed = [m for value in remove for m in value.split(",") if m]
    try:
        path = recording.record_attendance(
            press, assembly, _date(day, press, assembly), members_list, count, remove=removed, replace=replace
        )  # fmt: skip
    except recording.RecordRefused as exc:
        _refused(exc)
    click.echo(f"recorded attendance in {path.relative_to(press.root)}")


def _refused(exc: recording.RecordRefused) -> None:
    """The refusal in a few lines: what is wrong (the first problems), then what to do, in one line."""
    shown = exc.problems[:3]
    for problem in shown:
        click.echo(str(problem), err=True)
    if len(exc.problems) > len(shown):
        click.echo(f"… and {len(exc.problems) - len(shown)} more of the same kind", err=True)
    click.echo(f"press: nothing was recorded — {exc.advice}", err=True)
    sys.exit(PROBLEMS)


def _motion(obj: _Context, kind: str, assembly: str | None, target: str, day, yes, no, abstain, rest, **extra) -> None:
    from . import recording

    press = obj.press()
    if kind in ("publish", "reject", "retract"):
        target = press.article_id(target)
        assembly = target.split("/")[0]
    elif kind in ("feature", "unfeature"):
        target = press.article_id(target)
        assembly = press.assembly("council").id
    assert assembly is not None
    votes = recording.Votes(_votes(yes, "yes"), _votes(no, "no"), _votes(abstain, "abstain"))
    try:
        outcome = recording.record_motion(press, assembly, _date(day, press, assembly), kind, target, votes, rest=rest, **extra)
    except recording.RecordRefused as exc:
        _refused(exc)
    verdict = outcome.status if outcome.passed else f"{outcome.status} — {'; '.join(outcome.reasons)}"
    click.echo(f"recorded in {outcome.meeting.path}: {kind} {target}: {verdict}")
    click.echo(f"  {outcome.tally}")


@record.command("publish")
@click.argument("article")
@click.option("--note", help="What changed, when this approves a new revision.")
@click.option("--agenda", "agenda", metavar="DIGEST", help="The short digest printed on the agenda: refuse if the article changed since.")
@_vote_options
@click.pass_obj
@_friendly
def record_publish(obj, article, note, agenda, **votes) -> None:
    """A vote to publish ARTICLE exactly as it is now (its digest is filled in)."""
    if agenda is not None:
        from .agenda import parse_short

        parse_short(agenda)  # a typo is a usage error before anything is read
    _motion(obj, "publish", None, article, note=note, agenda=agenda, **votes)


@record.command("reject")
@click.argument("article")
@_vote_options
@click.pass_obj
@_friendly
def record_reject(obj, article, **votes) -> None:
    """A vote to reject ARTICLE."""
    _motion(obj, "reject", None, article, **votes)


@record.command("retract")
@click.argument("article")
@click.option("--reason", required=True, help="Shown on the retraction notice.")
@_vote_options
@click.pass_obj
@_friendly
def record_retract(obj, article, reason, **votes) -> None:
    """A vote to retract the published ARTICLE."""
    _motion(obj, "retract", None, article, reason=reason, **votes)


@record.command("feature")
@click.argument("article")
@click.option("--lead", is_flag=True, help="Make it the lead story of the front page.")
@click.option("--until", metavar="YYYY-MM-DD", help="The last day it stays on the front page.")
@click.option("--note", help="Why, for the ledger.")
@_vote_options
@click.pass_obj
@_friendly
def record_feature(obj, article, lead, until, note, **votes) -> None:
    """A council vote putting the published ARTICLE on the front page (votes name seats: assembly ids)."""
    until_day = None
    if until is not None:
        try:
            until_day = dt.date.fromisoformat(until)
        except ValueError:
            raise click.BadParameter(f"{until!r} is not a date written YYYY-MM-DD", param_hint="--until") from None
    _motion(obj, "feature", None, article, note=note, lead=lead, until=until_day, **votes)


@record.command("unfeature")
@click.argument("article")
@click.option("--note", help="Why, for the ledger.")
@_vote_options
@click.pass_obj
@_friendly
def record_unfeature(obj, article, note, **votes) -> None:
    """A council vote taking ARTICLE off the front page."""
    _motion(obj, "unfeature", None, article, note=note, **votes)


@record.command("census")
@click.option("--counted", metavar="YYYY-MM-DD", help="The date the rosters were counted on (default: the meeting's date).")
@click.option("--weights", multiple=True, metavar="SEAT=N,…", help="The figures the delegates were shown (press census): refuse unless they are the rosters'.")
@_vote_options
@click.pass_obj
@_friendly
def record_census(obj, counted, weights, **votes) -> None:
    """A council vote adopting the census: each seat weighs its assembly's members in good standing on
    the --counted date, as the rosters say (votes name seats: assembly ids)."""
    from . import recording

    try:
        given = recording.parse_weights(weights) if weights else None
    except PressError as exc:
        raise click.BadParameter(str(exc), param_hint="--weights") from None
    press = obj.press()
    council = press.assembly("council").id
    if counted is None:
        counted = _date(votes.get("day"), press, council).isoformat()
    else:
        try:
            dt.date.fromisoformat(counted)
        except ValueError:
            raise click.BadParameter(f"{counted!r} is not a date written YYYY-MM-DD", param_hint="--counted") from None
    _motion(obj, "census", council, counted, weights=given, **votes)


@record.command("elect")
@click.argument("assembly")
@click.argument("member")
@_vote_options
@click.pass_obj
@_friendly
def record_elect(obj, assembly, member, **votes) -> None:
    """A vote electing MEMBER delegate of ASSEMBLY."""
    _motion(obj, "elect-delegate", assembly, member, **votes)


@record.command("recall")
@click.argument("assembly")
@click.argument("member")
@_vote_options
@click.pass_obj
@_friendly
def record_recall(obj, assembly, member, **votes) -> None:
    """A vote recalling MEMBER, ASSEMBLY's delegate."""
    _motion(obj, "recall-delegate", assembly, member, **votes)


@record.command("correct")
@click.argument("assembly")
@click.argument("motion", metavar="YYYY-MM-DD#N")
@click.option("--reason", required=True, help="What the minutes got wrong; shown in the ledger.")
@click.option("--as-yes", multiple=True, metavar="IDS|COUNT", help="Who really voted yes in that motion (or how many).")
@click.option("--as-no", multiple=True, metavar="IDS|COUNT", help="Who really voted no in that motion.")
@click.option("--as-abstain", multiple=True, metavar="IDS|COUNT", help="Who really abstained in that motion.")
@click.option("--strike", is_flag=True, help="The motion was never taken: strike it from the record.")
@_vote_options
@click.pass_obj
@_friendly
def record_correct(obj, assembly, motion, reason, as_yes, as_no, as_abstain, strike, **votes) -> None:
    """A vote correcting the minutes: motion N of ASSEMBLY's meeting of YYYY-MM-DD was really voted
    --as-yes/--as-no/--as-abstain, or is struck (--strike). Merged minutes are never edited."""
    from . import recording

    try:
        corrected = recording.corrected_votes(_votes(as_yes, "as-yes"), _votes(as_no, "as-no"), _votes(as_abstain, "as-abstain"), strike)
    except PressError as exc:
        raise click.UsageError(str(exc)) from None
    _motion(obj, "correct", assembly, motion, reason=reason, corrected=corrected, **votes)


@main.command()
@click.argument("assembly")
@_date_option
@click.option("--output", "output", metavar="FILE", help="Where to write the agenda (default: agenda-ASSEMBLY-DATE.html; '-' for standard output).")
@click.option("--paper", type=click.Choice(["auto", "a4", "letter"]), default="auto", show_default=True, help="Paper size for printing.")
@click.pass_obj
@_friendly
def agenda(obj: _Context, assembly: str, day: str | None, output: str | None, paper: str) -> None:
    """Write the printable agenda of ASSEMBLY's meeting (default: its next meeting — recorded, or by its meets: rule — or today)."""
    from . import agenda as agendas

    press = obj.press()
    made = agendas.make(press, assembly, _date(day, press, assembly) if day else None, paper)
    html = agendas.render(made)
    if output == "-":
        click.echo(html, nl=False)
        return
    path = Path(output) if output else Path(f"agenda-{assembly}-{made.date.isoformat()}.html")
    agendas.write(html, path, press.root)
    items = len(made.items)
    click.echo(f"wrote {path}: {assembly} on {made.date}, {len(made.roll)} members on the roll, {items} article{'' if items == 1 else 's'} to vote on")
    for item in made.items:
        click.echo(f"  {item.short}  {item.article.id}")
    for item in made.items:
        for warning in item.warnings:
            click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("assembly", required=False)
@_date_option
@click.option("--port", type=click.IntRange(0, 65535), default=8010, show_default=True, help="The port on 127.0.0.1 (0: a free one).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Sign the record with this SSH key when the meeting is committed (assemblies that require signatures).")
@click.option("--member", help="Your member id, for signing (default: the editor whose roster key matches).")
@click.pass_obj
@_friendly
def desk(obj: _Context, assembly: str | None, day: str | None, port: int, key_file: Path | None, member: str | None) -> None:
    """Run ASSEMBLY's meeting (or the council's: ASSEMBLY ``council``) from a page in the browser: the
    agenda, the roll call, each motion, and at the end the record committed on a branch. Serves
    127.0.0.1 only; stop with Ctrl-C."""
    import time

    from . import desk as desks

    press = obj.press()
    if assembly is None:
        ids = sorted(aid for aid, a in press.records.assemblies.items() if a is not press.records.council)
        if len(ids) != 1:
            raise click.UsageError(f"name the assembly whose meeting this is: {', '.join(ids)}")
        assembly = ids[0]
    meeting = desks.Desk(press.root, assembly, _date(day, press, assembly) if day else None, obj.now, key_file, member)
    try:
        httpd = desks.start(meeting, port)
    except OSError as exc:
        raise PressError(f"cannot listen on 127.0.0.1:{port} — {exc.strerror or exc}; choose another --port") from None
    click.echo(f"the desk for {assembly}'s meeting of {meeting.day}: {desks.address(meeting, httpd)}")
    click.echo(f"the projector: {desks.address(meeting, httpd, '/projector')}")
    click.echo("open these addresses on this computer only (they carry the desk's secret); Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------- everyone


@main.command()
@click.argument("assembly", required=False)
@click.option("--assembly", "assembly_option", metavar="ASSEMBLY", help="The same as the argument ASSEMBLY.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@_friendly
def status(obj: _Context, assembly: str | None, assembly_option: str | None, as_json: bool) -> None:
    """Show the state of every article (only ASSEMBLY's, if given), and why."""
    if assembly and assembly_option and assembly != assembly_option:
        raise click.UsageError(f"two assemblies given ({assembly} and --assembly {assembly_option}): give one")
    assembly = assembly or assembly_option
    press = obj.press()
    if assembly:
        press.assembly(assembly)
    decisions = [d for d in press.decisions.articles.values() if not assembly or d.article.assembly == assembly]
    if as_json:
        rows = [
            {
                "id": d.article.id,
                "path": d.article.path,
                "assembly": d.article.assembly,
                "state": d.state,
                "digest": d.article.digest,
                "approved_digest": d.approved_digest,
                "decided": d.decided.date.isoformat() if d.decided else None,
                "reasons": press.reasons(d),
            }
            for d in decisions
        ]
        out: dict = {"articles": rows}
        council = press.decisions.council
        if council is not None and (not assembly or assembly == council.council.id):
            out["council"] = {
                "seats": [
                    {"assembly": s.assembly, "delegate": s.delegate, "since": s.elected.isoformat(), "weight": s.weight}
                    for s in council.seats_today.values()
                ],
                "front_page": [
                    {"article": f.article, "featured": f.date.isoformat(), "lead": f.lead, "until": f.until.isoformat() if f.until else None}
                    for f in council.on_front_page()
                ],
            }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        width = max([len(d.article.id) for d in decisions] + [2])
        click.echo(f"{'ID':<{width}}  {'STATE':<21}  {'DECIDED':<10}  WHY")
        for d in decisions:
            decided = d.decided.date.isoformat() if d.decided else "-"
            reasons = press.reasons(d)
            first = press.history.first(d.article.path)
            if first:
                reasons = [*reasons, f"submitted {first.when.date()} by {', '.join(press.history.authors(d.article.path))}"]
            click.echo(f"{d.article.id:<{width}}  {d.state:<21}  {decided:<10}  {reasons[0]}")
            for more in reasons[1:]:
                click.echo(f"{'':<{width}}  {'':<21}  {'':<10}  {more}")
        from .decisions import STATES

        counts = {s: sum(d.state == s for d in decisions) for s in STATES}
        click.echo("\n" + ", ".join(f"{n} {s}" for s, n in counts.items() if n) if decisions else "no articles")
        council = press.decisions.council
        if council is not None and (not assembly or assembly == council.council.id):
            seats = ", ".join(f"{s.assembly} ({s.delegate})" for s in council.seats_today.values()) or "none filled"
            click.echo(f"\n{council.council.name}: seats today {seats}")
            for f in council.on_front_page():
                decision = press.decisions.articles.get(f.article)
                shown = "" if decision and press.publishable(decision) else " — not shown: not published as it is"
                lead = "lead, " if f.lead else ""
                until = f", until {f.until}" if f.until else ""
                click.echo(f"  front page: {f.article} ({lead}featured {f.date}{until}){shown}")
    if press.problems:
        click.echo(f"press: {len(press.problems)} problem(s) in the records — run: press verify", err=True)
        sys.exit(PROBLEMS)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--no-save", is_flag=True, help="Write nothing: keep no answer or parsed records for the next run.")
@click.pass_obj
@_friendly
def verify(obj: _Context, as_json: bool, no_save: bool) -> None:
    """Check every roster, meeting record and article; list each problem as path:line: message."""
    obj.saving = not no_save
    from .inputs import recall, refuse_linked_tops, scan

    refuse_linked_tops(obj.root)  # before the memory of the last run, which a link could fool
    # Unchanged files (same listing, sizes, times and inodes), same day, same press: the answer of
    # the last run, without reading a file (see press.inputs).
    inputs = scan(obj.root)
    verified = recall(obj.root, inputs, obj.now)
    if verified is None:
        verified = obj.press(inputs).verified()
    problems = verified.problems
    if as_json:
        found = {"ok": not problems, "problems": [p.as_json() for p in problems]}
        if verified.warnings:  # only when there are any: the answer's shape is unchanged for everyone else
            found["warnings"] = [w.as_json() for w in verified.warnings]
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        for warning in verified.warnings:
            click.echo(f"warning: {warning}", err=True)
        for problem in problems:
            click.echo(str(problem))
        council = " and the council" if verified.council else ""
        checked = f"{verified.assemblies} assemblies{council}, {verified.meetings} meetings, {verified.articles} articles"
        if problems:
            click.echo(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s) ({checked} read)", err=True)
        else:
            click.echo(f"ok: {checked} checked")
    sys.exit(PROBLEMS if problems else OK)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
@_friendly
def strip(obj: _Context, files: tuple[Path, ...]) -> None:
    """Remove location, device and owner metadata from attachment FILES, in place (the pictures' pixels
    and the recordings' sound stay as they are; the fields the assembly keeps stay too)."""
    from . import media
    from .files import replacing

    press = obj.press()
    content = (press.root / "content").resolve()
    failed = changed = 0
    touched: set[str] = set()
    for given in files:
        path = given if given.is_absolute() or given.exists() else press.root / given
        if not path.is_file() or path.is_symlink():
            raise PressError(f"{given}: no such file (a symbolic link is never changed)")
        where = path.resolve()
        rel = where.relative_to(press.root.resolve()).as_posix() if where.is_relative_to(press.root.resolve()) else str(given)
        parts = where.relative_to(content).parts if where.is_relative_to(content) else ()
        keep = media.keep_of(press.records, parts[0]) if parts else ()
        data = path.read_bytes()
        try:
            found = media.fields(path.name, data)
            clean = media.strip(path.name, data, keep)
        except media.MediaError as exc:
            click.echo(f"{rel}: {exc}", err=True)
            failed += 1
            continue
        if clean == data or not media.unkept(found, keep):
            click.echo(f"{rel}: nothing to strip")
            continue
        with replacing(path) as f:  # beside it, flushed, renamed over it, its mode kept: never half a file
            f.write(clean)
        changed += 1
        removed = media.describe(media.unkept(found, keep))
        kept = f"; kept {', '.join(sorted({f.name for f in found if f.name in keep}))}" if any(f.name in keep for f in found) else ""
        click.echo(f"{rel}: removed {removed}{kept}")
        if len(parts) >= 3:
            touched.add(f"{parts[0]}/{parts[1]}")
    if changed and touched:
        now = obj.press()
        for aid in sorted(touched):
            if aid in now.records.articles:
                click.echo(f"{aid}: new digest {now.records.articles[aid].digest} — the publish vote must name this digest")
    sys.exit(PROBLEMS if failed else OK)


# --------------------------------------------------------------------------- the site


_OUTPUT_HELP = (
    "Where to write the site (default: OUTPUT_PATH of the config, output/). It must not exist yet, be an "
    "empty folder, or be a site press built there before; anything else is refused with exit 2 and left "
    "untouched: a folder of other files (even files named like a press site's), a site press built with "
    "files added to it (press deletes only what its manifest shows it wrote), a file, a device, a link "
    "press did not make, the press, a folder "
    "holding it, or its sources (content/, editorial/, theme/, docs/, tools/, tests/, .github/, .git/). The "
    "path becomes a link to the current build, kept in .NAME.builds/ beside it."
)


@main.command()
@click.option("--output", type=click.Path(path_type=Path), help=_OUTPUT_HELP)
@click.option("--publish", is_flag=True, help="Use publishconf.py (absolute URLs) instead of pelicanconf.py.")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index (faster local builds).")
@click.pass_obj
@_friendly
def build(obj: _Context, output: Path | None, publish: bool, no_search: bool) -> None:
    """Build the press site: only what the assemblies approved.

    The new site replaces the old one in one step, only when it is complete: a failed or interrupted
    build leaves the previous site as it was. One build per output runs at a time; a second one waits.
    """
    from .build import BuildFailed, build as run_build

    try:
        result = run_build(obj.root, output, publish, search=not no_search, notice=lambda m: click.echo(f"press: {m}", err=True), now=obj.now)
    except BuildFailed as exc:
        for reason in exc.reasons:
            click.echo(reason, err=True)
        click.echo("press: build failed; the previous output was left as it was", err=True)
        sys.exit(PROBLEMS)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in result.summary():
        click.echo(line)
    if result.unchanged:
        click.echo(f"{result.output} is up to date: nothing the build reads changed since it was built")
    else:
        click.echo(f"built {result.output}")


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Where to write the site: as for press build --output.")
@click.pass_obj
@_friendly
def serve(obj: _Context, port: int, bind: str, output: Path | None) -> None:
    """Build, serve on localhost, and rebuild when content, records or theme change."""
    from .serve import serve as run_serve

    run_serve(obj.root, output, bind, port, echo=click.echo, now=obj.now if obj.fixed else None)


# --------------------------------------------------------------------------- git workflow


@main.command()
@click.argument("record", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your SSH key (private, or public with the private half in ssh-agent). Default: the first key in ssh-agent.")
@click.option("--member", help="Your member id (default: the editor whose roster key matches).")
@click.pass_obj
@_friendly
def sign(obj: _Context, record: Path, key_file: Path | None, member: str | None) -> None:
    """Sign a meeting RECORD (editorial/meetings/<assembly>/<date>.yml), or a ballot record or its close
    (editorial/ballots/<body>/<id>.yml, <id>.close.yml), with your SSH key."""
    from . import recording

    press = obj.press()
    path = record if record.is_absolute() else (Path.cwd() / record)
    if not path.is_file():
        path = press.root / record
    target = recording.sign_record(press, path, key_file, member, shown=str(record))
    member = target.name.removeprefix(f"{path.name}.").removesuffix(".sig")
    click.echo(f"signed {record} as {member}: wrote {target.name} — commit it beside the record")


@main.command()
@click.option("--base", required=True, help="The branch the change will merge into, e.g. origin/main.")
@click.option("--author", metavar="LOGIN", help="The GitHub login of the pull request's author (the workflow passes it).")
@click.pass_obj
@_friendly
def check(obj: _Context, base: str, author: str | None) -> None:
    """Check a pull request against its base branch, as Markdown: outcomes under both branches' rosters and
    rules, append-only minutes, and no self-approval. Exit 1 if it must not be merged."""
    from .check import check as run_check

    report = run_check(obj.root, base, author, obj.now)
    click.echo(report.markdown(), nl=False)
    sys.exit(PROBLEMS if report.problems else OK)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if .github/CODEOWNERS is out of date instead of writing it.")
@click.pass_obj
@_friendly
def codeowners(obj: _Context, check_only: bool) -> None:
    """Write .github/CODEOWNERS so each assembly's editors own its content and records."""
    from .codeowners import render

    press = obj.press()
    text = render(press)
    path = press.root / ".github" / "CODEOWNERS"
    if check_only:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            click.echo(f"{path.relative_to(press.root)} is out of date — run: press codeowners", err=True)
            sys.exit(PROBLEMS)
        click.echo(f"{path.relative_to(press.root)} is up to date")
        return
    from .files import replacing

    with replacing(path) as f:
        f.write(text.encode())
    click.echo(f"wrote {path.relative_to(press.root)}")


# --------------------------------------------------------------------------- online ballots


@main.group()
def ballot() -> None:
    """Online ballots: members vote between meetings (docs/online-ballots.md) — open one, cast with
    your key, second, add what members send, close, and see where each stands."""


from .intake import command as _intake  # noqa: E402  (press ballot intake: a ballot sent through the issue form)
ballot.add_command(_intake)


@ballot.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
@_friendly
def ballot_add(obj: _Context, files: tuple[Path, ...]) -> None:
    """File members' ballots (received by e-mail or copied from the ballot page) where the count reads
    them, after checking each as the count would. Exit 1, writing nothing, if one would not count."""
    from .balloting import add
    from .inputs import refuse_linked_tops

    refuse_linked_tops(obj.root)
    done = add(obj.root, obj.now, [(f if f.is_absolute() else Path.cwd() / f, str(f)) for f in files])
    refused = [f for f in done if f.refused]
    for filed in done:
        if filed.refused:
            click.echo(filed.refused, err=True)
        elif not refused:
            click.echo(f"{filed.shown}: {'already filed as' if filed.already else 'filed as'} {filed.target}")
    if refused:
        click.echo(f"{len(refused)} of {len(done)} ballot(s) refused; nothing was filed", err=True)
    sys.exit(PROBLEMS if refused else OK)


def _instant_option(value: str | None, name: str) -> dt.datetime | None:
    """``--opens``/``--closes``: YYYY-MM-DD HH:MM in the body's timezone."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.strptime(value.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time written 'YYYY-MM-DD HH:MM' (in the body's timezone)", param_hint=name) from None
    return parsed


@ballot.command("sign")
@click.argument("body")
@click.argument("ballot_id", metavar="BALLOT")
@click.option("--voter", required=True, metavar="ASSEMBLY/MEMBER", help="Who votes: your id in your assembly's roster, e.g. harbor/ayse.")
@click.option("--choice", required=True, help="yes, no or abstain; for a question the options' ids ('a, b' approval, 'a > b' ranked) or abstain.")
@click.option("--sequence", type=click.IntRange(1, 999_999_999), help="This ballot's number (default: one more than your highest in the repository).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your SSH key (private, or public with the private half in ssh-agent). Default: the first key in ssh-agent.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write the ballot to this file (default: print it).")
@click.pass_obj
@_friendly
def ballot_sign(obj: _Context, body: str, ballot_id: str, voter: str, choice: str, sequence: int | None, key_file: Path | None, out: Path | None) -> None:
    """Cast a ballot with your SSH key: sign your CHOICE in BODY's ballot BALLOT and print the ballot
    file (or write it with --out) for the secretary to add with `press ballot add`."""
    from . import balloting, recording

    press = obj.press()
    try:
        name, data = balloting.sign_cast(press, body, ballot_id, voter, choice, sequence, key_file)
        if out is not None:
            with recording.records_locked(press.root, body):  # --out may name the ballot's own folder
                balloting.write_new(out, data, str(out))
    except recording.RecordRefused as exc:
        _refused(exc)
    if out is None:
        click.echo(data.decode(), nl=False)
    else:
        click.echo(f"wrote your ballot to {out} — send it to the secretary; it is filed as {name}", err=True)
    from .records import digest_bytes

    click.echo(f"receipt: {digest_bytes(data)}", err=True)


@ballot.command("open")
@click.argument("body")
@click.argument("ballot_id", metavar="BALLOT")
@click.option("--question", required=True, help="The question as members will read it.")
@click.option("--publish", "publish", metavar="ARTICLE", help="Ask to publish ARTICLE (its digest is taken now).")
@click.option("--reject", "reject", metavar="ARTICLE", help="Ask to reject ARTICLE.")
@click.option("--retract", "retract", metavar="ARTICLE", help="Ask to retract ARTICLE (give --reason).")
@click.option("--reason", help="Why an article is retracted (for the retraction notice).")
@click.option("--elect", "elect", metavar="MEMBER", help="Ask to elect MEMBER delegate.")
@click.option("--recall", "recall", metavar="MEMBER", help="Ask to recall MEMBER as delegate.")
@click.option("--method", type=click.Choice(["ranked", "approval"]), help="A platform question: ranked (instant runoff) or approval; give --option for each.")
@click.option("--option", "options", multiple=True, metavar='ID="Name"', help='One option of a question, e.g. --option housing="Homes before profit".')
@click.option("--opens", required=True, metavar="'YYYY-MM-DD HH:MM'", help="When voting opens, in the body's timezone.")
@click.option("--closes", required=True, metavar="'YYYY-MM-DD HH:MM'", help="When voting closes, in the body's timezone.")
@click.option("--opened-by", metavar="DATE#N", help="The meeting motion (open-ballot) that opened it, e.g. 2026-11-05#3; omit when two editors sign it.")
@click.pass_obj
@_friendly
def ballot_open(obj: _Context, body, ballot_id, question, publish, reject, retract, reason, elect, recall, method, options, opens, closes, opened_by) -> None:
    """Write BODY's ballot record BALLOT (editorial/ballots/BODY/BALLOT.yml): the question, the window
    and how it was opened. It is shown nowhere until a meeting's motion or two editors open it."""
    from . import balloting, recording

    asked = [(kind, target) for kind, target in (("publish", publish), ("reject", reject), ("retract", retract), ("elect-delegate", elect), ("recall-delegate", recall)) if target]
    if len(asked) + bool(method) != 1:
        raise click.UsageError("give exactly one of --publish, --reject, --retract, --elect, --recall or --method with --option")
    if method and len(options) < 2:
        raise click.BadParameter("a question needs at least two --option id=\"Name\"", param_hint="--option")
    if options and not method:
        raise click.BadParameter("--option belongs to a question: give --method ranked or approval", param_hint="--option")
    if (reason is not None) != (retract is not None):
        raise click.BadParameter("--reason goes with --retract, and --retract needs it", param_hint="--reason")
    parsed = []
    for option in options:
        oid, sep, name = option.partition("=")
        if not sep or not oid.strip() or not name.strip():
            raise click.BadParameter(f"{option!r} is not id=\"Name\"", param_hint="--option")
        parsed.append((oid.strip(), name.strip()))
    kind, target = asked[0] if asked else (None, None)
    start, end = _instant_option(opens, "--opens"), _instant_option(closes, "--closes")
    the_question = balloting.Question(question, motion=kind, target=target, reason=reason, method=method, options=tuple(parsed))
    press = obj.press()
    try:
        path = balloting.open_ballot(press, body, ballot_id, the_question, start, end, opened_by)
    except recording.RecordRefused as exc:
        _refused(exc)
    click.echo(f"wrote {path.relative_to(press.root)} — " + ("it opens when merged with the meeting record that opened it" if opened_by else f"two editors open it: press ballot second {body} {ballot_id} --key …"))


@ballot.command("second")
@click.argument("body")
@click.argument("ballot_id", metavar="BALLOT")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your SSH key (private, or public with the private half in ssh-agent). Default: the first key in ssh-agent.")
@click.option("--member", help="Your member id (default: the editor whose roster key matches).")
@click.option("--close", "close", is_flag=True, help="Sign the ballot's close record instead of the ballot record.")
@click.pass_obj
@_friendly
def ballot_second(obj: _Context, body: str, ballot_id: str, key_file: Path | None, member: str | None, close: bool) -> None:
    """Sign BODY's ballot record BALLOT as one of the editors who open it (two are needed), or with
    --close its close record, as the body's rules require of minutes."""
    from . import balloting

    press = obj.press()
    target = balloting.second(press, body, ballot_id, key_file, member, close)
    signer = target.name.rsplit(".", 2)[-2]
    click.echo(f"signed {target.name.rsplit('.', 2)[0]} as {signer}: wrote {target.relative_to(press.root)} — commit it beside the record")


@ballot.command("close")
@click.argument("body")
@click.argument("ballot_id", metavar="BALLOT")
@click.pass_obj
@_friendly
def ballot_close(obj: _Context, body: str, ballot_id: str) -> None:
    """Write BODY's close record of BALLOT after its closing time: the receipt of every ballot received.
    The editors then sign it (press ballot second --close)."""
    from . import balloting, recording

    press = obj.press()
    try:
        path, received = balloting.close_ballot(press, body, ballot_id)
    except recording.RecordRefused as exc:
        _refused(exc)
    click.echo(f"wrote {path.relative_to(press.root)}: {len(received)} ballot(s) received — the editors sign it: press ballot second {body} {ballot_id} --close")


@ballot.command("status")
@click.argument("body")
@click.argument("ballot_id", metavar="BALLOT", required=False)
@click.pass_obj
@_friendly
def ballot_status(obj: _Context, body: str, ballot_id: str | None) -> None:
    """BODY's ballots (or one BALLOT): which are open, who has voted and what would count now."""
    from . import balloting

    press = obj.press()
    click.echo(balloting.status_text(press, body, ballot_id), nl=False)


def run() -> None:
    """The ``press`` console command: :func:`main`, then the process ends without taking apart, one
    object at a time, a model it no longer needs (1.2 s after a build at 5,000 articles). What Python
    does at exit is still done first — the functions registered to run at exit (temporary folders'
    clean-up among them), output flushed — and only when no other thread is running (a server, a
    pool that was not waited for): else the process ends the ordinary way."""
    import atexit
    import os
    import threading

    try:
        main()
        code = OK
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = OK
    elif not isinstance(code, int):  # as Python does with a message for an exit code
        print(code, file=sys.stderr)
        code = 1
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader that went away (press … | head): nothing more to say
        pass
    os._exit(code)

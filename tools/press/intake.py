"""``press ballot intake``: a member's ballot sent through the repository's issue form, put in its place.

The ballot page pre-fills the issue form (``.github/ISSUE_TEMPLATE/ballot.yml``); the workflow
``.github/workflows/ballot-intake.yml`` runs this command on the ``issues`` event and turns what it
writes into a pull request. The issue is data only: its body is searched for the form's one box,
whose text must be exactly one ballot file (docs/online-ballots.md, "A member's ballot") — plain
ASCII lines, no control character, one envelope, one signature — and that text is handed to the
same code as ``press ballot add``, which verifies it and writes it where it belongs. Nothing of the
body is ever run, and nothing of it is repeated in a message: a refusal names the issue and what to
do, never what the body said.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from .problems import PressError

PROBLEMS, USAGE = 1, 2  # press.cli's exit codes

# The form's box, as GitHub writes it into the issue body: `### <label>`, a blank line, then the value
# in a code fence (``render: text``). Keep in step with the `label` in .github/ISSUE_TEMPLATE/ballot.yml.
LABEL = "Your ballot"
# GitHub keeps at most 65,536 characters of an issue body; the event file also holds the repository.
MAX_EVENT_BYTES = 1024 * 1024
MAX_BODY_CHARS = 65536
# One ballot: an envelope of nine short lines and an SSH signature (a passkey's is about 1.5 KB).
MAX_BALLOT_BYTES = 16 * 1024
HEADER = "assembly-press signed record v1"
BEGIN, END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
# The envelope's fields, in the order docs/online-ballots.md writes them.
FIELDS = ("namespace", "body", "sitting", "record", "voter", "choice", "sequence", "digest")
_ASCII_LINE = re.compile(r"[\x20-\x7e]*")
_ARMOUR_LINE = re.compile(r"[A-Za-z0-9+/=]{1,76}")
_SEGMENT = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
# editorial/ballots/<body>/<ballot>/<assembly>.<member>.<sequence>.ballot, as `press ballot add` writes it
_PLACE = re.compile(
    rf"editorial/ballots/(?P<body>{_SEGMENT.pattern})/(?P<ballot>{_SEGMENT.pattern})/"
    rf"(?P<assembly>{_SEGMENT.pattern})\.(?P<member>{_SEGMENT.pattern})\.(?P<sequence>[1-9][0-9]{{0,8}})\.ballot"
)


class Refused(Exception):
    """The issue does not hold exactly one ballot file's text; the message says what to do."""


@dataclass(frozen=True)
class Issue:
    number: int
    author: str
    body: str


@dataclass(frozen=True)
class Received:
    """A ballot verified and written: where, the receipt, and the branch its pull request comes from."""

    path: str  # relative to the press root
    digest: str  # sha256 of the file's bytes: the member's receipt
    branch: str  # ballot/<body>/<ballot>/<voter>-<sequence>
    title: str  # the pull request's title


def read_event(path: Path) -> Issue:
    """The issue of a GitHub ``issues`` event file; :class:`PressError` when it is not one."""
    try:
        size = path.stat().st_size
        if size > MAX_EVENT_BYTES:
            raise PressError(f"{path}: {size:,} bytes is not a GitHub issues event (at most {MAX_EVENT_BYTES:,})")
        event = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PressError(f"{path}: not a GitHub event (JSON in UTF-8): {exc}") from None
    except OSError as exc:
        raise PressError(f"{path}: {exc.strerror or exc}") from None
    issue = event.get("issue") if isinstance(event, dict) else None
    number = issue.get("number") if isinstance(issue, dict) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise PressError(f"{path}: not a GitHub issues event (no issue number) — run this on the issues event of the ballot form")
    body = issue.get("body")
    user = issue.get("user")
    author = user.get("login") if isinstance(user, dict) else None
    return Issue(number, author if isinstance(author, str) else "", body if isinstance(body, str) else "")


def extract(body: str) -> str:
    """The text of the form's one box — exactly one ballot file — or :class:`Refused` saying why."""
    if len(body) > MAX_BODY_CHARS:
        raise Refused(f"the issue is {len(body):,} characters; a ballot is a few lines — send the ballot page's form unchanged")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused("the issue's text is not valid UTF-8 — send the ballot page's form unchanged") from None
    text = body.replace("\r\n", "\n")  # how browsers send a text box's lines; the ballot itself has \n only
    lines = text.strip("\n").split("\n")
    opening = f"### {LABEL}"
    if not lines or lines[0].rstrip() != opening or sum(line.rstrip() == opening for line in lines) != 1:
        raise Refused(f"the issue is not the ballot form: it must hold the box '{LABEL}' once and nothing else "
                      "— open the form from the ballot page")
    rest = lines[1:]
    while rest and not rest[0].strip():
        rest.pop(0)
    if len(rest) < 2 or rest[0].rstrip() not in ("```text", "```") or rest[-1].rstrip() != "```":
        raise Refused(f"the box '{LABEL}' holds no ballot, or more than the box — paste the ballot the page gave you, as it is")
    inner = rest[1:-1]
    if any(line.lstrip().startswith("```") for line in inner):
        raise Refused(f"the box '{LABEL}' holds more than one block — paste one ballot, as the page gave it")
    while inner and not inner[-1].strip():
        inner.pop()
    while inner and not inner[0].strip():
        inner.pop(0)
    ballot = "".join(line + "\n" for line in inner)
    check_shape(ballot)
    return ballot


def check_shape(ballot: str) -> None:
    """Refuse what cannot be one ballot file before anything verifies it: its size, plain ASCII lines,
    one envelope with the fields of docs/online-ballots.md in their order, one signature, nothing after."""
    if not ballot:
        raise Refused(f"the box '{LABEL}' is empty — paste the ballot the page gave you")
    if len(ballot.encode("utf-8")) > MAX_BALLOT_BYTES:
        raise Refused(f"the ballot is {len(ballot.encode('utf-8')):,} bytes; a ballot is at most {MAX_BALLOT_BYTES:,} "
                      "— paste the ballot the page gave you, as it is")
    lines = ballot[:-1].split("\n")
    for number, line in enumerate(lines, 1):
        if not _ASCII_LINE.fullmatch(line):
            bad = next(ch for ch in line if not ("\x20" <= ch <= "\x7e"))
            kind = "a control character" if ord(bad) < 0x20 or 0x7F <= ord(bad) <= 0x9F else "a character that is not ASCII"
            raise Refused(f"line {number} of the ballot holds {kind} (U+{ord(bad):04X}); a ballot is plain ASCII "
                          "— paste the ballot the page gave you, as it is")
    if sum(line == HEADER for line in lines) != 1 or lines.count(BEGIN) != 1 or lines.count(END) != 1:
        raise Refused("the box must hold exactly one ballot (one envelope, one signature) — send each ballot in its own issue")
    if lines[0] != HEADER or lines[-1] != END:
        raise Refused(f"a ballot starts with '{HEADER}' and ends with its signature, with nothing before or after "
                      "— paste the ballot the page gave you, as it is")
    begin = lines.index(BEGIN)
    keys = [line.split(": ", 1)[0] if ": " in line else None for line in lines[1:begin]]
    if tuple(keys) != FIELDS:
        raise Refused(f"the ballot's envelope must have the lines {', '.join(FIELDS)}, in that order "
                      "(docs/online-ballots.md) — paste the ballot the page gave you, as it is")
    armour = lines[begin + 1 : -1]
    if not armour or not all(_ARMOUR_LINE.fullmatch(line) for line in armour):
        raise Refused("the ballot's signature is not an SSH signature's armour — paste the ballot the page gave you, as it is")


def branch_for(path: str) -> tuple[str, str]:
    """``ballot/<body>/<ballot>/<voter>-<sequence>`` and a title for the ballot written at ``path``."""
    place = _PLACE.fullmatch(path)
    if place is None:  # `press ballot add` writes nowhere else: a bug, not the member's doing
        raise ValueError(f"a ballot was written to an unexpected place: {path}")
    voter = f"{place['assembly']}/{place['member']}"
    branch = f"ballot/{place['body']}/{place['ballot']}/{voter}-{place['sequence']}"
    title = f"Ballot of {voter} on {place['body']}/{place['ballot']} (sequence {place['sequence']})"
    return branch, title


def receive(root: Path, issue: Issue, now) -> Received:
    """Verify the issue's ballot and write it to its place with ``press ballot add``'s code; :class:`Refused`
    (nothing written) when the issue holds no single valid ballot."""
    ballot = extract(issue.body)  # refused before the press is even loaded

    from . import balloting

    with tempfile.TemporaryDirectory(prefix="press-intake-") as folder:
        sent = Path(folder) / "sent.ballot"
        sent.write_bytes(ballot.encode("ascii"))
        try:
            cast = balloting.add(root, sent, now)
        except balloting.BallotRefused as exc:
            raise Refused(str(exc)) from None
    path = Path(cast.path).as_posix()
    branch, title = branch_for(path)
    return Received(path=path, digest=cast.digest, branch=branch, title=title)


def _write_outputs(out: Path | None, values: dict[str, str]) -> None:
    """Append ``key=value`` lines to ``out`` (a workflow's ``$GITHUB_OUTPUT``): every value is one line of
    the press's own words or checked names, never text of the issue."""
    if out is None:
        return
    assert all("\n" not in v and "\r" not in v for v in values.values()), values
    with open(out, "a", encoding="utf-8") as stream:
        stream.write("".join(f"{key}={value}\n" for key, value in values.items()))


@click.command("intake")
@click.option("--event", "event_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The GitHub issues event (the workflow's $GITHUB_EVENT_PATH).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append path=, digest=, branch=, title= (or refused=) lines to this file ($GITHUB_OUTPUT).")
@click.pass_obj
def command(obj, event_path: Path, out: Path | None) -> None:
    """Verify the ballot sent in a GitHub issue (the ballot form) and write it to its place, as
    `press ballot add` does; print its path and the branch for its pull request."""
    try:
        issue = read_event(event_path)
    except PressError as exc:
        click.echo(f"press: {exc}", err=True)
        sys.exit(USAGE)
    try:
        received = receive(obj.root, issue, obj.now)
    except Refused as exc:
        message = f"issue #{issue.number}: {' '.join(str(exc).split())}"
        _write_outputs(out, {"refused": message})
        click.echo(message, err=True)
        sys.exit(PROBLEMS)
    _write_outputs(out, {"path": received.path, "digest": received.digest, "branch": received.branch, "title": received.title})
    click.echo(f"issue #{issue.number}: {received.path} ({received.digest})")
    click.echo(f"branch: {received.branch}")

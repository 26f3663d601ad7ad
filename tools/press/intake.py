"""``press ballot intake``: a member's ballot sent through the repository's issue form, put in its place.

The ballot page pre-fills the issue form (``.github/ISSUE_TEMPLATE/ballot.yml``); the workflow
``.github/workflows/ballot-intake.yml`` runs this command on the ``issues`` event and turns what it
writes into a pull request. The issue is data only: its body is searched for the form's one box,
whose text must be exactly one ballot file (docs/online-ballots.md, "A member's ballot") — plain
ASCII lines, no control character, one envelope, one signature — and that text is handed to the
same code as ``press ballot add`` (:func:`press.balloting.add`), which reads it as the count reads a
ballot (:func:`press.ballot_records.parse_cast`), checks it as the count would and writes it where it
belongs. Nothing of the body is ever run. The refusals made here never repeat the body's words; those
of ``press ballot add`` may quote a field of the ballot, so the workflow shows every refusal as
plain text, never as Markdown.
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
HEADER = "assembly-press signed record v1"  # press.signatures.ENVELOPE: the first line of every ballot
BEGIN, END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
_ASCII_LINE = re.compile(r"[\x20-\x7e]*")
_ARMOUR_LINE = re.compile(r"[A-Za-z0-9+/=]{1,76}")
_ID = r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?"  # press.records.ID_RE: bodies, assemblies, members
_SLUG = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"  # press.records.SLUG_RE: a ballot's id
# editorial/ballots/<body>/<ballot>/<assembly>.<member>.<sequence>.ballot, as `press ballot add` writes it
_PLACE = re.compile(
    rf"editorial/ballots/(?P<body>{_ID})/(?P<ballot>{_SLUG})/(?P<assembly>{_ID})\.(?P<member>{_ID})\.(?P<sequence>[1-9][0-9]{{0,8}})\.ballot"
)


class Refused(Exception):
    """The issue does not hold exactly one ballot file's text; the message says what to do."""


@dataclass(frozen=True)
class Issue:
    number: int
    body: str


@dataclass(frozen=True)
class Received:
    """A ballot verified and written: where, the receipt, and the branch its pull request comes from."""

    path: str  # relative to the press root
    digest: str  # sha256 of the file's bytes: the member's receipt
    branch: str  # ballot/<body>/<ballot>/<voter>-<sequence>
    title: str  # the pull request's title
    already: bool = False  # the same ballot is in the press already: nothing to send


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
    return Issue(number, body if isinstance(body, str) else "")


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
    """Refuse what cannot be one ballot file before anything reads it as one: its size, plain ASCII
    lines, one envelope, one signature's armour, nothing after. The envelope's fields are read by
    :func:`press.ballot_records.parse_cast`, as for every ballot."""
    from .ballot_records import MAX_CAST_BYTES

    if not ballot:
        raise Refused(f"the box '{LABEL}' is empty — paste the ballot the page gave you")
    if len(ballot.encode("utf-8")) > MAX_CAST_BYTES:
        raise Refused(f"the ballot is {len(ballot.encode('utf-8')):,} bytes; a ballot is at most {MAX_CAST_BYTES:,} "
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
    armour = lines[lines.index(BEGIN) + 1 : -1]
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
    """Check the issue's ballot as the count would and write it to its place with ``press ballot add``'s
    code; :class:`Refused` (nothing written) when the issue holds no single ballot that would count."""
    ballot = extract(issue.body)  # refused before the press is even loaded

    from .balloting import add
    from .bundle import digest_bytes

    raw = ballot.encode("ascii")
    with tempfile.TemporaryDirectory(prefix="press-intake-") as folder:
        sent = Path(folder) / "sent.ballot"
        sent.write_bytes(raw)
        (filed,) = add(root, now, [(sent, "the ballot")])
    if filed.refused:
        raise Refused(filed.refused)
    branch, title = branch_for(filed.target)
    return Received(path=filed.target, digest=digest_bytes(raw), branch=branch, title=title, already=filed.already)


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
    except PressError as exc:  # the press itself cannot be read: for its maintainers, not the member
        click.echo(f"press: {exc}", err=True)
        sys.exit(USAGE)
    except Refused as exc:
        message = f"issue #{issue.number}: {' '.join(str(exc).split())}"
        _write_outputs(out, {"refused": message})
        click.echo(message, err=True)
        sys.exit(PROBLEMS)
    if received.already:
        _write_outputs(out, {"already": "yes", "path": received.path, "digest": received.digest})
        click.echo(f"issue #{issue.number}: already filed as {received.path} ({received.digest}): nothing to send")
        return
    _write_outputs(out, {"path": received.path, "digest": received.digest, "branch": received.branch, "title": received.title})
    click.echo(f"issue #{issue.number}: {received.path} ({received.digest})")
    click.echo(f"branch: {received.branch}")

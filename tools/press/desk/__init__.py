"""``press desk``: the secretary's meeting desk, a local web page on 127.0.0.1.

The desk is a front end to what ``press agenda`` and ``press record`` do, through the same code
(:func:`press.agenda.make`, :func:`press.recording.record_attendance`,
:func:`press.recording.record_motion`): the record it writes is the one the commands would write.
It runs an assembly's meeting or the council's (the same forms, with seats where an assembly has
members): publish, reject, retract, correct, and elect/recall (assemblies) or feature/unfeature and
the census that weighs the seats (the council: the figures ``press census`` proposes, bound to what
the delegates were shown, as ``press record census --weights`` is).
Its agenda is made once, when the desk starts — the paper the meeting votes from — and each vote to
publish is bound to the short digest the desk shows, as ``press record publish --agenda`` is.

Only this machine can reach it (it binds 127.0.0.1 and answers only requests addressed to
127.0.0.1 or localhost, against DNS rebinding), and every request carries a secret made for the
run, printed in the address the command shows: another page in the browser cannot make it record
anything (no cross-site request forgery).
"""

from __future__ import annotations

import datetime as dt
import hmac
import http.server
import json
import re
import secrets
import subprocess
import threading
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2

from .. import agenda as agendas
from .. import recording
from ..council.decisions import SIDES, seats_on
from ..decisions import EDITED, PUBLISHED, Outcome
from ..model import Press, load
from ..problems import GIT_TIMEOUT, PressError

MAX_FORM = 256 * 1024  # a form bigger than this is not the desk's own
ASSETS = {"desk.css": "text/css; charset=utf-8", "projector.js": "text/javascript; charset=utf-8"}
# Nothing from anywhere else; no inline script; no framing (clickjacking); forms post only here.
POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class Message:
    """What the last action did, shown at the top of the desk: ``lines`` first, then ``advice``."""

    ok: bool
    lines: list[str]
    advice: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class Voter:
    """One line of the roll call: a member of an assembly, or a seat of the council (an assembly id)."""

    id: str
    name: str


@dataclass
class Shown:
    """What the projector shows: the item being voted and, once recorded, its outcome."""

    kind: str  # article, elect-delegate, recall-delegate, a motion's kind, or "" (nothing yet)
    title: str = ""
    text: str = ""
    short: str = ""
    outcome: dict | None = None


def github_compare_url(remote: str, branch: str, base: str = "main") -> str | None:
    """The address of a pull request from ``branch`` for a GitHub ``remote`` URL, or None for another host.
    Made from the URL alone: no network."""
    match = re.match(r"^(?:https?://(?:[^@/]+@)?github\.com/|(?:ssh://)?git@github\.com[:/])([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", remote.strip())
    if not match:
        return None
    owner, repo = match[1], match[2]
    return f"https://github.com/{owner}/{repo}/compare/{base}...{urllib.parse.quote(branch, safe='/')}?expand=1"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PressError(f"git {args[0]}: {exc}") from None


def outcome_json(outcome: Outcome) -> dict:
    """An outcome as the build counts it, for the desk and the projector."""
    return {
        "status": outcome.status,
        "passed": outcome.passed,
        "reasons": list(outcome.reasons),
        "yes": outcome.yes,
        "no": outcome.no,
        "abstain": outcome.abstain,
        "quorum": outcome.quorum,
        "tally": outcome.tally,
    }


@dataclass
class Desk:
    """One meeting of one assembly, run from the browser. ``key_file``/``member``: sign the record at
    the end when the assembly requires signatures (as ``press sign --key --member``)."""

    root: Path
    assembly: str
    day: dt.date | None
    now: dt.datetime
    key_file: Path | None = None
    member: str | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def __post_init__(self):
        self.root = Path(self.root)
        press = self.press()
        a = press.assembly(self.assembly)
        self.council = a is press.records.council
        # The paper the meeting votes from: made once, as press agenda prints it.
        self.agenda = agendas.make(press, self.assembly, self.day)
        self.day = self.agenda.date
        if self.council:  # the council's roll is its seats on the day, each with its delegate
            seats = seats_on(press.records.assemblies, press.decisions.delegates, self.day, a.rules.weighting)  # type: ignore[attr-defined]
            self.roll = [Voter(aid, f"{press.records.assemblies[aid].name}: {seat.name}") for aid, seat in seats.items()]
            # the rule (of the seats' weight); the tally of each motion gives the exact figure
            self.quorum: int | str = a.rules.quorum_text
        else:
            self.roll = [Voter(m.id, m.name) for m in self.agenda.roll]
            self.quorum = self.agenda.quorum
        self.path = recording.meeting_path(press, self.assembly, self.day)
        self.rel = self.path.relative_to(press.root).as_posix()
        self.lock = threading.Lock()  # one action at a time; the projector only reads `shown`
        self.message: Message | None = None
        self.shown = Shown("")
        self.present_count = self._present(press)[1]

    # ------------------------------------------------------------------ reading

    def press(self) -> Press:
        return load(self.root, self.now)

    def _present(self, press: Press) -> tuple[list[str], int | None]:
        """Who is listed present (roll-call), or how many (secret ballot); None: no attendance yet."""
        meeting = next((m for m in press.records.meetings if m.path == self.rel), None)
        present = getattr(meeting, "present", None) if meeting else None
        if present is None:
            return [], None
        if isinstance(present, int):
            return [], present
        return list(present), len(present)

    def outcomes(self, press: Press) -> list[Outcome]:
        return [o for o in press.decisions.outcomes if o.meeting.path == self.rel]

    def view(self, counted: str | None = None) -> dict:
        """What the desk's page shows; ``counted``: the date the census form counts the rosters on
        (as typed in its date field; default: the meeting's date)."""
        press = self.press()
        listed, count = self._present(press)
        a = press.assembly(self.assembly)
        outcomes = self.outcomes(press)
        decided = {(o.motion.kind, o.motion.target): o for o in outcomes}
        term = None if self.council else press.decisions.delegate(self.assembly, self.day)
        return {
            "desk": self,
            "agenda": self.agenda,
            "assembly": a,
            "secret": a.rules.ballot == "secret",
            "listed": listed,
            "count": count,
            "roll": self.roll,
            "voters": [m for m in self.roll if m.id in listed],
            "council": self.council,
            "quorum": self.quorum,
            "published": self.published(press),
            "featured": self.featured(press),
            "census": self.census(press, counted) if self.council else None,
            "earlier": self.earlier_motions(press),
            "outcomes": outcomes,
            "decided": decided,
            "delegate": term,
            "signatures": a.rules.signatures_on(self.day),
            "message": self.message,
            "token": self.token,
            "record": self.rel,
            "written": self.path.exists(),
        }

    def state(self) -> dict:
        """What the projector polls: the item being voted, its outcome once recorded, the attendance."""
        return {
            "assembly": self.agenda.assembly.name,
            "date": self.day.isoformat(),  # type: ignore[union-attr]
            "present": self.present_count,
            "quorum": self.quorum,
            "item": vars(self.shown),
        }

    def published(self, press: Press, everyone: bool = False) -> list:
        """Articles on the site today: this body's (what it may retract), or ``everyone``'s (what the
        council may feature)."""
        found = [
            d.article for d in press.decisions.articles.values()
            if d.state in (PUBLISHED, EDITED) and (everyone or d.article.assembly == self.assembly)
        ]  # fmt: skip
        return sorted(found, key=lambda article: article.id)

    def featured(self, press: Press) -> dict:
        """For the council: what it may feature (every published article) and unfeature (what is on the front page)."""
        if not self.council or press.decisions.council is None:
            return {"candidates": [], "on": []}
        on = [f.article for f in press.decisions.council.on_front_page(self.day)]
        return {"candidates": self.published(press, everyone=True), "on": sorted(dict.fromkeys(on))}

    def census(self, press: Press, counted: str | None) -> dict:
        """The census the desk proposes: each seat's members in good standing on ``counted``, from
        :func:`press.recording.census_weights` (what ``press census`` prints), or why there is none."""
        try:
            day = _day(counted or "", "the date the rosters are counted on") or self.day
        except PressError as exc:
            return {"counted": None, "seats": [], "error": str(exc)}
        figures = recording.census_weights(press, day)  # type: ignore[arg-type]
        names = {aid: a.name for aid, a in press.records.assemblies.items()}
        error = None if day <= self.day else f"the rosters must be counted on or before the meeting's date, {self.day}, not {day}"  # type: ignore[operator]
        return {"counted": day, "seats": [(seat, names[seat], n) for seat, n in figures.items()], "error": error}

    def earlier_motions(self, press: Press) -> list[tuple[str, str]]:
        """The motions a ``correct`` may name: each motion of this body's earlier meetings that is not
        itself a correction, as (``YYYY-MM-DD#N``, what it was)."""
        found = []
        for meeting in sorted(press.records.meetings, key=lambda m: m.date, reverse=True):
            if meeting.assembly != self.assembly or meeting.date >= self.day:  # type: ignore[operator]
                continue
            for motion in meeting.motions:
                if motion.kind != "correct":
                    ref = f"{meeting.date}#{motion.index + 1}"
                    found.append((ref, f"{ref}: {motion.kind} {motion.target}"))
        return found

    # ------------------------------------------------------------------ acting

    def _item(self, number: str) -> agendas.Item:
        item = next((i for i in self.agenda.items if str(i.number) == number), None)
        if item is None:
            raise PressError(f"there is no article {number!r} on this agenda")
        return item

    def show(self, form: dict[str, str]) -> None:
        """Put an item on the projector without voting on it yet."""
        what = form.get("item", "")
        if what in ("elect-delegate", "recall-delegate"):
            self.shown = self._shown_delegate(what, form.get("member", ""))
        else:
            item = self._item(what)
            self.shown = Shown("article", item.article.title, item.text, item.short)
        self.message = Message(True, [f"on the projector: {self.shown.title}"])

    def _shown_delegate(self, kind: str, member: str) -> Shown:
        a = self.agenda.assembly
        name = a.members[member].name if member in a.members else member
        title = f"Elect {name} delegate" if kind == "elect-delegate" else f"Recall {name}, the delegate"
        return Shown(kind, title)

    def attendance(self, form: dict[str, str], ticked: list[str]) -> None:
        """The roll call as ticked: who is newly ticked is added (a latecomer), who is no longer
        ticked is taken off — through ``press record attendance``'s own code and checks."""
        press = self.press()
        if self.agenda.assembly.rules.ballot == "secret":
            count = _count(form.get("count", ""), "the number present")
            recording.record_attendance(press, self.assembly, self.day, [], count)  # type: ignore[arg-type]
            self.present_count = count
            self.message = Message(True, [f"recorded attendance in {self.rel}: {count} present"])
            return
        listed, _ = self._present(press)
        roll = [m.id for m in self.roll]
        unknown = [m for m in ticked if m not in roll]
        if unknown:
            raise PressError(f"{', '.join(unknown)} is not on the roll of {self.day}")
        added = [m for m in roll if m in ticked and m not in listed]
        removed = [m for m in listed if m not in ticked]
        if not added and not removed and listed:
            self.message = Message(True, ["attendance unchanged"])
            return
        recording.record_attendance(press, self.assembly, self.day, added, None, remove=removed)  # type: ignore[arg-type]
        self.present_count = len(self._present(self.press())[0])
        said = [f"recorded attendance in {self.rel}: {self.present_count} present"]
        said += [f"added {', '.join(added)}"] if added and listed else []
        said += [f"took off {', '.join(removed)}"] if removed else []
        self.message = Message(True, said)

    def motion(self, form: dict[str, str]) -> None:
        """Record one motion as ``press record publish|reject|retract|correct|elect|recall|feature|unfeature``
        would: the desk gathers the fields, :func:`press.recording.record_motion` checks and writes."""
        kind = form.get("kind", "")
        press = self.press()
        extra: dict = {}
        kinds = ("publish", "reject", "retract", "correct", *(("feature", "unfeature", "census") if self.council else ("elect-delegate", "recall-delegate")))
        if kind not in kinds:
            raise PressError(f"{kind!r} is not a motion the desk records at {'the council' if self.council else 'an assembly'}'s meeting")
        if kind in ("publish", "reject"):
            item = self._item(form.get("item", ""))
            target = item.article.id
            if kind == "publish":
                extra["agenda"] = item.short  # bound to the text the desk shows, as --agenda binds to the paper
                if form.get("note"):
                    extra["note"] = form["note"]
            shown = Shown("article", item.article.title, item.text, item.short)
        elif kind in ("retract", "feature", "unfeature"):
            target = self._article(press, form.get("article", ""), kind)
            if kind == "retract":
                extra["reason"] = form.get("reason", "").strip() or None  # none: the record's own check says it is needed
            else:
                extra["note"] = form.get("note") or None
            if kind == "feature":
                extra["lead"] = form.get("lead") == "yes"
                extra["until"] = _day(form.get("until", ""), "the last day on the front page")
            title = press.records.articles[target].title if target in press.records.articles else target
            shown = Shown(kind, f"{kind.capitalize()}: {title}")
        elif kind == "census":
            counted = _day(form.get("counted", ""), "the date the rosters were counted on")
            if counted is None:
                raise PressError("give the date the rosters were counted on")
            target = counted.isoformat()
            # the figures the delegates were shown; record_motion refuses any that are not the rosters'
            extra["weights"] = {k.removeprefix("weight-"): v for k, v in form.items() if k.startswith("weight-")}
            shown = Shown(kind, f"Census of the rosters on {target}", " · ".join(f"{seat} {n}" for seat, n in extra["weights"].items()))
        elif kind == "correct":
            target = form.get("motion", "").strip()
            if not target:
                raise PressError("choose the motion the minutes got wrong")
            extra["reason"] = form.get("reason", "").strip() or None
            as_cast = [recording.parse_votes([form.get(f"as-{side}", "")]) for side in SIDES]
            extra["corrected"] = recording.corrected_votes(*as_cast, strike=form.get("strike") == "yes")  # type: ignore[misc]
            shown = Shown(kind, f"Correct the minutes: motion {target}", form.get("reason", ""))
        else:
            target = form.get("member", "")
            if not target:
                raise PressError("choose the member to " + ("elect" if kind == "elect-delegate" else "recall"))
            shown = self._shown_delegate(kind, target)
        if self.agenda.assembly.rules.ballot == "secret":
            votes = recording.Votes(*(_count(form.get(side, "") or "0", f"the {side} count") for side in SIDES))
            rest = None
        else:
            listed, _ = self._present(press)
            cast = {m: form.get(f"vote-{m}", "") for m in listed}
            votes = recording.Votes(*([m for m in listed if cast[m] == side] for side in SIDES))
            rest = form.get("rest") or None
            if rest not in (None, *SIDES):
                raise PressError(f"{rest!r} is not a way to vote")
        self.shown = shown
        outcome = recording.record_motion(press, self.assembly, self.day, kind, target, votes, rest=rest, **extra)  # type: ignore[arg-type]
        self.shown = Shown(shown.kind, shown.title, shown.text, shown.short, outcome_json(outcome))
        verdict = outcome.status if outcome.passed else f"{outcome.status} — {'; '.join(outcome.reasons)}"
        self.message = Message(True, [f"recorded in {self.rel}: {kind} {target}: {verdict}", outcome.tally])

    def _article(self, press: Press, given: str, kind: str) -> str:
        """The article a retract, feature or unfeature names, as ``press record`` reads it (an id or a
        path); whether this body may decide on it is the record's check, with its own message."""
        if not given.strip():
            raise PressError(f"choose the article to {kind}")
        return press.article_id(given.strip())

    def finish(self) -> None:
        """Commit the record (and its signatures) on the branch ``meeting/<assembly>-<date>``, signed
        first when the assembly requires it and a key was given."""
        if not self.path.exists():
            raise PressError(f"nothing to commit: {self.rel} is not written yet — take the roll call first")
        if _git(self.root, "rev-parse", "--is-inside-work-tree").returncode != 0:
            raise PressError(f"{self.root} is not a git repository: commit {self.rel} by hand")
        press = self.press()
        a = press.assembly(self.assembly)
        lines: list[str] = []
        advice = None
        needed = a.rules.signatures_on(self.day)
        if needed:
            if self.key_file is not None:
                sig = recording.sign_record(press, self.path, self.key_file, self.member)
                lines.append(f"signed {self.rel}: wrote {sig.name}")
            else:
                advice = (
                    f"{a.name} requires {needed} editor signature(s): each signing editor runs "
                    f"press sign {self.rel} and commits the .sig file beside it on this branch"
                )
        branch = f"meeting/{self.assembly}-{self.day}"
        current = _git(self.root, "branch", "--show-current").stdout.strip()
        if current != branch:
            switched = _git(self.root, "switch", "-c", branch)
            if switched.returncode != 0:
                raise PressError(f"git switch -c {branch}: {switched.stderr.strip().splitlines()[-1] if switched.stderr.strip() else 'failed'} — switch to it (git switch {branch}) or delete it, and finish again")
        paths = [self.rel, *sorted(p.relative_to(self.root).as_posix() for p in self.path.parent.glob(f"{self.path.name}.*.sig"))]
        added = _git(self.root, "add", "--", *paths)
        if added.returncode != 0:  # e.g. another git run's index.lock: never report "committed as it is"
            said = (added.stderr or added.stdout).strip().splitlines()
            raise PressError(f"git add failed: {said[-1] if said else 'no reason given'} — nothing was committed; fix it and finish again")
        if _git(self.root, "diff", "--cached", "--quiet", "--", *paths).returncode == 0:
            lines.append(f"nothing new to commit on {branch}: {self.rel} is committed as it is")
        else:
            done = _git(self.root, "commit", "-q", "-m", f"Meeting of {a.name} on {self.day}", "--", *paths)
            if done.returncode != 0:
                said = (done.stderr or done.stdout).strip().splitlines()
                raise PressError(f"git commit failed: {said[-1] if said else 'no reason given'} — if git does not know who you are, set git config user.name and user.email, then finish again")
            head = _git(self.root, "rev-parse", "--short", "HEAD").stdout.strip()
            lines.insert(0, f"committed {self.rel} on branch {branch} ({head})")
        remote = _git(self.root, "remote", "get-url", "origin")
        link = github_compare_url(remote.stdout, branch) if remote.returncode == 0 else None
        lines.append(f"push it: git push -u origin {branch}" + (", then open the pull request:" if link else ", and open a pull request"))
        self.message = Message(True, lines, advice, link)


def _day(text: str, what: str) -> dt.date | None:
    """A date typed on the desk (YYYY-MM-DD, as the browser's date field sends it), or None when blank."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PressError(f"{what} must be a date written YYYY-MM-DD, not {text!r}") from None


def _count(text: str, what: str) -> int:
    if not text.strip().isdigit():
        raise PressError(f"{what} must be a whole number, not {text!r}")
    return int(text)


# --------------------------------------------------------------------------- HTTP


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("press.desk", "."),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


class Handler(http.server.BaseHTTPRequestHandler):
    desk: Desk
    env: jinja2.Environment
    port: int

    def log_message(self, format, *args):  # noqa: A002  (the standard library's signature)
        pass

    def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int, why: str) -> None:
        self._send(status, f"{why}\n".encode(), "text/plain; charset=utf-8")

    def _addressed_here(self) -> bool:
        """Only requests for 127.0.0.1 or localhost: a page whose name was rebound to this machine is refused."""
        return self.headers.get("Host", "") in (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    def _token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.desk.token.encode())

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if not self._addressed_here():
            return self._refuse(421, "the desk answers only at 127.0.0.1 or localhost")
        name = url.path.lstrip("/")
        if name in ASSETS:  # the desk's own stylesheet and script: nothing secret in them
            return self._send(200, resources.files("press.desk").joinpath(name).read_bytes(), ASSETS[name])
        if url.path == "/favicon.ico":  # the browser asks; the desk has none
            return self._send(204, b"", "image/x-icon")
        if url.path not in ("/", "/projector", "/state.json"):
            return self._refuse(404, "not found")
        if not self._token_ok(query.get("token")):
            return self._refuse(403, "open the address that press desk printed (it carries the desk's secret)")
        if url.path == "/state.json":
            return self._send(200, json.dumps(self.desk.state()).encode(), "application/json")
        if url.path == "/projector":
            page = self.env.get_template("projector.html").render(state=self.desk.state(), token=self.desk.token)
            return self._send(200, page.encode())
        with self.desk.lock:
            page = self.env.get_template("desk.html").render(**self.desk.view(query.get("counted")))
            if self.command == "GET":
                self.desk.message = None  # shown once
        self._send(200, page.encode())

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        if not self._addressed_here():
            return self._refuse(421, "the desk answers only at 127.0.0.1 or localhost")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_FORM:
            return self._refuse(413, "that form is not one of the desk's")
        pairs = urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        form = dict(pairs)
        if not self._token_ok(form.get("token")):
            return self._refuse(403, "refused: this form does not carry the desk's secret — only the desk's own page can record")
        action = urllib.parse.urlsplit(self.path).path
        actions = {  # what each does, and what a refusal leaves undone
            "/attendance": (lambda: self.desk.attendance(form, [v for k, v in pairs if k == "present"]), "nothing was recorded"),
            "/motion": (lambda: self.desk.motion(form), "nothing was recorded"),
            "/show": (lambda: self.desk.show(form), "the projector shows what it showed"),
            "/finish": (lambda: self.desk.finish(), "nothing was committed"),
        }
        if action not in actions:
            return self._refuse(404, "not found")
        act, undone = actions[action]
        with self.desk.lock:
            try:
                act()
            except recording.RecordRefused as exc:
                self.desk.message = Message(False, [str(p) for p in exc.problems], f"{undone} — {exc.advice}")
            except PressError as exc:
                self.desk.message = Message(False, [str(exc)], undone)
        anchor = form.get("back", "")
        anchor = f"#{anchor}" if re.fullmatch(r"[a-z0-9-]{1,40}", anchor) else ""
        self._send(303, b"", headers={"Location": f"/?token={self.desk.token}{anchor}"})


def start(desk: Desk, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Serve ``desk`` on 127.0.0.1 (port 0: a free one) in a background thread."""
    handler = type("DeskHandler", (Handler,), {"desk": desk, "env": _environment(), "port": 0})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    handler.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def address(desk: Desk, httpd: http.server.ThreadingHTTPServer, page: str = "/") -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}{page}?token={desk.token}"

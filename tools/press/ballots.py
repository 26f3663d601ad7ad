"""Online ballots decided: who may vote, which ballots count, and what each ballot decided.

Pure, as :mod:`press.decisions`: records (:mod:`press.ballot_records`), the rosters and the run's
instant in, :class:`Ballot` out. A ballot is a sitting of its body (docs/online-ballots.md): it is
opened by a passed ``open-ballot`` motion or by two editors' signatures (the council: two seats'),
its members' ballots are checked by the one signature check of every record (:mod:`press.openssh`),
and a motion put to it is decided by the body's rules (:func:`press.sittings.settle`) into an
:class:`~press.sittings.Outcome` that enters the articles' and delegates' decisions like a meeting's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .ballot_records import ABSTAIN, BallotRecord, CastRecord, valid_choice
from .problems import Problem
from .records import ARTICLE_MOTIONS, Assembly, Meeting, Member, MemberKey, Motion
from .sittings import FAILED, INVALID, PASSED, DelegateTerm, Outcome, no_quorum, settle

OPEN, CLOSING, CLOSED, UPCOMING = "open", "closing", "closed", "upcoming"
OPENERS = 2  # distinct editors (the council: seats) whose signatures open a ballot without a meeting


@dataclass
class Option:
    id: str
    name: str


@dataclass
class Cast:
    """One ``*.ballot`` file, as the count sees it."""

    path: str
    voter: str  # "harbor/ayse"
    person: str  # the person id (press.decisions.people): the first roster entry of that person, "harbor/ayse"
    choice: str
    sequence: int
    digest: str  # sha256 of the file's bytes: the member's receipt
    counted: bool
    why: str  # why not counted ("" when counted)
    key: str  # fingerprint of the key that verified, "" if none


@dataclass
class BallotResult:
    status: str  # "passed" | "failed" | "invalid" (motions); "decided" | "tied" | "failed" (questions)
    reasons: list[str]
    yes: int = 0
    no: int = 0
    abstain: int = 0
    eligible: int = 0
    quorum: int = 0
    turnout: int = 0
    by_assembly: dict[str, dict] = field(default_factory=dict)
    approvals: dict[str, int] = field(default_factory=dict)
    rounds: list[dict[str, int]] = field(default_factory=list)
    eliminated: list[list[str]] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)


@dataclass
class Ballot:
    body: str
    id: str
    path: str
    question: str
    kind: str  # "motion" | "approval" | "ranked"
    motion: str | None
    article: str | None
    digest: str | None
    member: str | None
    options: tuple[Option, ...]
    opens: dt.datetime  # aware, in the body's timezone
    closes: dt.datetime
    timezone: str
    status: str  # open | closing (past its close, no close record yet) | closed | upcoming
    opened_by: str
    eligible: list[str]
    keys: dict[str, list[str]]
    casts: list[Cast]
    result: BallotResult | None = None
    # The outcome holds this ballot (Outcome.ballot) and is keyed with it; keying it here too would never end.
    outcome: Outcome | None = field(default=None, metadata={"key": "keyed from the outcome's side, which holds this ballot"})
    record: BallotRecord | None = field(default=None, repr=False, compare=False)
    _context: _Context | None = field(default=None, repr=False, compare=False, metadata={"key": "the count's working state: what it decides is in the other fields"})


# --------------------------------------------------------------------------- who may vote, with which keys


@dataclass
class _Context:
    """What checking one cast of one ballot needs."""

    record: BallotRecord
    body: Assembly
    origin: str
    opens: dt.datetime
    closes: dt.datetime
    day: dt.date  # the opening day, in the body's timezone: who is in good standing, which keys
    assemblies: dict[str, Assembly]
    person: dict[tuple[str, str], tuple[str, str]]
    eligible: dict[str, str]  # voter -> person (one voter per person)
    received: frozenset[str] | None  # digests a valid close lists; None while there is no valid close

    def member(self, voter: str) -> tuple[Assembly | None, Member | None]:
        aid, _, mid = voter.partition("/")
        assembly = self.assemblies.get(aid)
        return assembly, assembly.members.get(mid) if assembly else None

    def valid_keys(self, member: Member) -> list[MemberKey]:
        """The member's keys valid on some day of the ballot."""
        first, last = self.opens.date(), self.closes.date()
        return [k for k in member.keys if (k.valid_from is None or k.valid_from <= last) and (k.until is None or first < k.until)]

    def valid_at_close(self, key: MemberKey) -> bool:
        return key.until is None or self.closes.date() < key.until


def _person_id(person: dict, voter: str) -> str:
    aid, _, mid = voter.partition("/")
    first = person.get((aid, mid), (aid, mid))
    return f"{first[0]}/{first[1]}"


def _eligible(body: Assembly, assemblies: dict[str, Assembly], person: dict, day: dt.date, party_wide: bool) -> dict[str, str]:
    """Voter id -> person id of everyone who may vote: the body's members in good standing on ``day``;
    party-wide, every assembly's, one voter (the person's first entry in good standing) per person."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for aid, assembly in sorted(assemblies.items()) if party_wide else [(body.id, body)]:
        for mid, member in sorted(assembly.members.items()):
            if not member.in_good_standing(day):
                continue
            who = _person_id(person, f"{aid}/{mid}")
            if who in seen:
                continue
            seen.add(who)
            found[f"{aid}/{mid}"] = who
    return found


# --------------------------------------------------------------------------- one cast


@dataclass
class _Judged:
    why: str = ""
    problem: bool = True  # a refusal that is a problem of the file (a late or replaced ballot is not)
    key: MemberKey | None = None
    fingerprint: str = ""


def judge(ctx: _Context, cast: CastRecord, open_anyway: bool = False) -> _Judged:
    """Whether ``cast`` would count in its ballot, before ballots of the same person are compared:
    form, eligibility, key, origin and signature. ``open_anyway``: as if the ballot were still open
    (``press ballot add`` files a ballot that arrived late, and the count says so)."""
    record = ctx.record
    if cast.body != record.body:
        return _Judged(f"wrong assembly: cast in a ballot of {cast.body}, not of {record.body} — a ballot counts only in the body it names")
    if cast.ballot != record.id:
        return _Judged(f"wrong ballot: cast in the ballot '{cast.ballot}', not '{record.id}' — a ballot counts only in the ballot it names")
    if cast.record_digest != record.digest:
        return _Judged(
            f"wrong ballot: it answers another version of {record.path} ({cast.record_digest[:15]}…, the record is now {record.digest[:15]}…)"
            " — it counts only for the question exactly as the member saw it"
        )
    assembly, member = ctx.member(cast.voter)
    if assembly is None:
        return _Judged(f"ineligible: {cast.voter} names no assembly of this press")
    if assembly.id != record.body and record.body in ctx.assemblies:
        return _Judged(f"wrong assembly: {cast.voter} is a member of {assembly.id}; only members of {record.body} vote in its ballots")
    if member is None:
        return _Judged(f"ineligible: '{cast.voter.partition('/')[2]}' is not a member of {assembly.id} — check the id against {assembly.path}")
    if not member.in_good_standing(ctx.day):
        when = f"joined {member.joined}" if ctx.day < member.joined else f"left {member.left}"
        return _Judged(f"ineligible: {cast.voter} was not a member of {assembly.id} in good standing on {ctx.day}, when the ballot opened ({when})")
    if not cast.signature:
        return _Judged("unsigned: no SSH signature follows the envelope — sign it on the ballot page, with press ballot sign or ssh-keygen -Y sign")
    if not member.keys:
        return _Judged(f"no key: {cast.voter} has no key in {assembly.path} — enrol a passkey (or give an SSH key) and ask an editor to add it")
    from . import openssh
    from .signatures import NAMESPACE

    valid = ctx.valid_keys(member)
    readable = _readable(valid)
    verdict = openssh.verify(cast.signature, cast.message, NAMESPACE, [k for k, _ in readable], ctx.day)
    if not verdict:
        retired = _readable([k for k in member.keys if k not in valid])
        if retired and openssh.verify(cast.signature, cast.message, NAMESPACE, [k for k, _ in retired], None):
            used = next(mk for k, mk in retired if openssh.verify(cast.signature, cast.message, NAMESPACE, [k], None))
            when = f"retired on {used.until}" if used.until and used.until <= ctx.opens.date() else f"valid only from {used.valid_from}"
            return _Judged(f"revoked key: signed with {cast.voter}'s key {when}, not valid during the ballot ({ctx.opens:%Y-%m-%d}–{ctx.closes:%Y-%m-%d}) — sign again with a current key")
        if not valid:
            return _Judged(f"revoked key: {cast.voter} has no key valid during the ballot — enrol again and ask an editor to add the key")
        if verdict.reason.startswith("the signature was made with another key"):
            return _Judged(f"not {cast.voter}'s key: {verdict.reason} — a ballot is signed with a key of its voter's roster entry")
        return _Judged(f"does not verify ({verdict.reason}): the ballot was changed after it was signed, or signed over other bytes")
    key = verdict.key
    member_key = next(mk for k, mk in readable if k.blob == key.blob)
    if key.key_type == openssh.SK_ECDSA:  # a passkey of this press, however it was asked to sign
        host = urlsplit(ctx.origin).hostname
        if verdict.application != host:
            return _Judged(f"wrong origin: signed with a passkey made for '{str(verdict.application)[:80]}', not for this press ({host})")
        if why := openssh.passkey_problem(verdict, ctx.origin):
            return _Judged(why)
    why = valid_choice(cast.choice, record.kind, record.choices)  # signed, but not an answer to this question
    if why:
        return _Judged(f"invalid choice: {why}")
    judged = _Judged("", False, member_key, key.fingerprint)
    if not open_anyway and ctx.received is not None and cast.digest not in ctx.received:
        judged.why, judged.problem = f"arrived after the close: {record.close.path} does not list it among the ballots received", False
    return judged


def _readable(keys: list[MemberKey]) -> list[tuple]:
    from . import openssh

    found = []
    for member_key in keys:
        try:
            found.append((openssh.parse_public_key(member_key.line), member_key))
        except openssh.Refused:
            continue  # reported on its roster line
    return found


def _rank(ctx: _Context, judged: _Judged, cast: CastRecord) -> tuple:
    """Which of a person's ballots counts: one signed with a key valid at the close wins over one signed
    with a key retired during the ballot (a lost phone); then the highest sequence."""
    return (ctx.valid_at_close(judged.key), cast.sequence)


def _count(ctx: _Context, casts: list[CastRecord], problems: list[Problem]) -> list[Cast]:
    judged = {cast.path: judge(ctx, cast) for cast in casts}
    best: dict[str, CastRecord] = {}
    for cast in casts:
        j = judged[cast.path]
        if j.why:
            continue
        who = ctx.eligible.get(cast.voter) or _person_id(ctx.person, cast.voter)
        other = best.get(who)
        if other is None or _rank(ctx, j, cast) > _rank(ctx, judged[other.path], other):
            best[who] = cast
    counted = {c.path for c in best.values()}
    result = []
    for cast in casts:
        j = judged[cast.path]
        who = _person_id(ctx.person, cast.voter)
        if not j.why and cast.path not in counted:
            winner = best[ctx.eligible.get(cast.voter) or who]
            if winner.voter != cast.voter and winner.sequence == cast.sequence:
                j.why, j.problem = f"one vote per person: {cast.voter} is the same person as {winner.voter}, whose ballot {winner.path} counts — a person votes once however many assemblies list them", True
            elif winner.voter != cast.voter:
                j.why, j.problem = f"replaced: the same person's ballot {winner.path} (as {winner.voter}, sequence {winner.sequence}) counts — one vote per person", False
            elif winner.sequence < cast.sequence:
                j.why, j.problem = f"replaced by {winner.path}, signed with a key still valid at the close (this one's key was retired during the ballot)", False
            else:
                j.why, j.problem = f"replaced by {winner.path} (sequence {winner.sequence})", False
        if j.why and j.problem:
            problems.append(Problem(cast.path, 0, f"not counted: {j.why}"))
        result.append(Cast(
            path=cast.path, voter=cast.voter, person=who, choice=cast.choice, sequence=cast.sequence, digest=cast.digest,
            counted=not j.why, why=j.why, key=j.fingerprint,
        ))  # fmt: skip
    return result


def would_count(ballot: Ballot, cast: CastRecord) -> str:
    """Why ``cast`` would not count in ``ballot`` if it were filed now, as the count would say it, or "".
    A ballot that arrived after the close is filed (the count says it arrived late); one whose
    sequence is not higher than the counted ballot of the same person is a replay."""
    ctx = ballot._context
    judged = judge(ctx, cast, open_anyway=True)
    if judged.why:
        return judged.why
    who = _person_id(ctx.person, cast.voter)
    for other in ballot.casts:
        if other.counted and other.person == who and other.path != cast.path:
            mine = (ctx.valid_at_close(judged.key), cast.sequence)
            theirs_key = next((k for k in ctx.member(other.voter)[1].keys if _fingerprint(k) == other.key), None)
            theirs = (ctx.valid_at_close(theirs_key) if theirs_key else True, other.sequence)
            if mine <= theirs:
                return (
                    f"replayed: sequence {cast.sequence} is not higher than {other.path} (sequence {other.sequence}), which counts — "
                    "only a later ballot with a higher sequence replaces a member's ballot"
                )
    return ""


def _fingerprint(key: MemberKey) -> str:
    from . import openssh

    try:
        return openssh.parse_public_key(key.line).fingerprint
    except openssh.Refused:
        return ""


# --------------------------------------------------------------------------- one ballot


def _aware(naive: dt.datetime, timezone: str) -> dt.datetime:
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(timezone))


def _opening(record: BallotRecord, body: Assembly, outcomes: list[Outcome], signers, origin: str, problems: list[Problem]) -> tuple[str, str]:
    """Who opened the ballot (``opened_by``), or "" and why it waits."""
    if record.opened_by is not None:
        day, index = record.opened_by
        where = f"the meeting of {day}, motion {index + 1}"
        found = next((o for o in outcomes if o.assembly.id == body.id and o.ballot is None and o.meeting.date == day and o.motion.index == index), None)
        if found is None or found.motion.kind != "open-ballot" or found.motion.target != record.id:
            what = "no such motion" if found is None else f"a {found.motion.kind} motion of {found.motion.target}"
            problems.append(Problem(record.path, record.opened_by_line, f"opened-by names {where} of {body.id}, which is {what} — it must be 'open-ballot: {record.id}'"))
            return "", f"{where} is not an open-ballot motion of {record.id}"
        if day > record.opens.date():
            problems.append(Problem(record.path, record.opened_by_line, f"{where} is after the ballot opens ({record.opens:%Y-%m-%d %H:%M}) — a ballot is opened before it opens"))
            return "", f"{where} is after the ballot opens"
        if not found.passed:
            return "", f"{where} {found.status}: {'; '.join(found.reasons)}"
        return where, ""
    if signers is None:
        return "", "no meeting's motion opened it and no one can sign for the body"
    from .signatures import check_signed

    check = check_signed(signers, record.signatures, record.opens.date(), record.opening_message(), origin)
    for sig_path, why in check.rejected:
        problems.append(Problem(sig_path, 0, f"opening signature not counted: {why} — sign again with press ballot sign"))
    who = "delegates" if body.id == "council" else "editors"
    if check.count < OPENERS:
        signed = f"signed by {', '.join(check.signers)}" if check.signers else "not signed"
        return "", f"two {who}' signatures (or a meeting's open-ballot motion) open a ballot; it is {signed}"
    return f"signed by {' and '.join(check.signers)}", ""


def _close(record: BallotRecord, body: Assembly, signers, origin: str, now: dt.datetime, ctx_tz: str, casts: list[CastRecord], problems: list[Problem]) -> str | None:
    """Why the ballot's close does not (yet) count, or None when it does."""
    close = record.close
    if close.closed < record.closes:
        problems.append(Problem(close.path, close.line, f"closed {close.closed:%Y-%m-%d %H:%M}, before the ballot closes ({record.closes:%Y-%m-%d %H:%M}) — a ballot closes when its window ends"))
        return "closed before its window ended"
    if _aware(close.closed, ctx_tz) > now:
        problems.append(Problem(close.path, close.line, f"closed {close.closed:%Y-%m-%d %H:%M} is in the future"))
        return "its close is in the future"
    files = {c.digest for c in casts}
    for digest in close.received:
        if digest not in files:
            problems.append(Problem(close.path, 0, f"received lists {digest[:19]}…, but no ballot of {record.id}/ has that digest — a received ballot stays in the repository"))
    needed = body.rules.signatures_on(close.closed.date())
    if not needed:
        return None
    if signers is None:
        return "no one can sign for the body"
    from .signatures import check_signed

    check = check_signed(signers, close.signatures, close.closed.date(), record.close_message(), origin)
    for sig_path, why in check.rejected:
        problems.append(Problem(sig_path, 0, f"signature not counted: {why} — sign again with press ballot sign"))
    if check.count < needed:
        signed = f"signed by {', '.join(check.signers)}" if check.signers else "not signed"
        return f"awaiting signatures: {body.id} requires {needed} signature(s) of a close, this one is {signed}"
    return None


def _motion_result(ctx: _Context, ballot: Ballot, articles, delegate_of) -> tuple[BallotResult, Outcome]:
    record, body = ctx.record, ctx.body
    counted = [c for c in ballot.casts if c.counted]
    party_wide = record.body not in ctx.assemblies
    local = (lambda voter: voter) if party_wide else (lambda voter: voter.partition("/")[2])
    sides = {side: tuple(local(c.voter) for c in counted if c.choice == side) for side in ("yes", "no", "abstain")}
    eligible = len(ctx.eligible)
    quorum = body.rules.quorum_for(eligible, online=True)
    closed_on = record.close.closed.date()
    motion = Motion(
        index=0, kind=record.motion, target=record.target, line=record.motion_line, yes=sides["yes"], no=sides["no"],
        abstain=sides["abstain"], digest=record.revision, reason=record.reason,
    )  # fmt: skip
    meeting = Meeting(assembly=body.id, date=closed_on, path=record.path, present=None, motions=[motion], raw=record.raw)
    outcome = Outcome(
        assembly=body, meeting=meeting, motion=motion, status=INVALID, reasons=[], yes=len(sides["yes"]), no=len(sides["no"]),
        abstain=len(sides["abstain"]), quorum=quorum, eligible=eligible, ballot=ballot,
    )  # fmt: skip
    reasons = []
    if record.motion in ARTICLE_MOTIONS and record.article not in articles:
        reasons.append(f"no article {record.article} — expected content/{record.article}.md")
    elif record.motion == "elect-delegate":
        member = body.members.get(record.member) if not party_wide else None
        if member is None or not member.in_good_standing(closed_on):
            reasons.append(f"'{record.member}' is proposed as delegate but is not a member of {body.id} in good standing on {closed_on}")
    elif record.motion == "recall-delegate" and delegate_of(body.id, closed_on) != record.member:
        current = delegate_of(body.id, closed_on)
        reasons.append(f"cannot recall '{record.member}': {'the delegate is ' + current if current else 'there is no delegate'} of {body.id} on {closed_on}")
    if reasons:
        outcome.reasons = reasons
    else:
        settle(outcome, body.rules, "ballot", f" of {eligible} eligible")
    result = BallotResult(
        status=outcome.status, reasons=list(outcome.reasons), yes=outcome.yes, no=outcome.no, abstain=outcome.abstain,
        eligible=eligible, quorum=quorum, turnout=len(counted),
    )  # fmt: skip
    if party_wide:
        result.by_assembly = _by_assembly(ctx, counted, lambda figures, cast: figures.__setitem__(cast.choice, figures.get(cast.choice, 0) + 1), ("yes", "no", "abstain"))
    return result, outcome


def _question_result(ctx: _Context, ballot: Ballot) -> BallotResult:
    """A platform question counted by :mod:`press.count` (approval: a sum; ranked: instant runoff),
    under the body's quorum: ``decided`` (one winner), ``tied`` or ``failed``."""
    from . import count

    record = ctx.record
    counted = [c for c in ballot.casts if c.counted]
    options = [o.id for o in record.options]
    sep = ", " if record.method == "approval" else " > "

    def picks(cast: Cast) -> list[str]:
        return [] if cast.choice == ABSTAIN else cast.choice.split(sep)

    eligible = len(ctx.eligible)
    quorum = ctx.body.rules.quorum_for(eligible, online=True)
    result = BallotResult(
        status=FAILED, reasons=[], abstain=sum(c.choice == ABSTAIN for c in counted), eligible=eligible, quorum=quorum, turnout=len(counted),
    )  # fmt: skip
    if record.method == "approval":
        tally = count.approval(options, [picks(c) for c in counted])
        result.approvals, result.winners = dict(tally.approvals), list(tally.winners)
    else:
        tally = count.ranked(options, [picks(c) for c in counted])
        result.rounds, result.eliminated, result.winners = [dict(r) for r in tally.rounds], [list(e) for e in tally.eliminated], list(tally.winners)
    if len(counted) < quorum:
        result.reasons = [no_quorum(len(counted), quorum, "ballot", f" of {eligible} eligible")]
    elif not result.winners:
        result.reasons = ["no option received a vote"]
    elif len(result.winners) > 1:
        result.status, result.reasons = "tied", [f"tied between {', '.join(result.winners)}"]
    else:
        result.status = "decided"
    if record.body not in ctx.assemblies:
        key = "approvals" if record.method == "approval" else "first"

        def add(figures: dict, cast: Cast) -> None:
            chosen = picks(cast)[: None if key == "approvals" else 1]
            for option in chosen:
                figures[key][option] += 1

        result.by_assembly = _by_assembly(ctx, counted, add, (), lambda: {key: {o: 0 for o in options}})
    return result


def _by_assembly(ctx: _Context, counted: list[Cast], add, sides: tuple[str, ...], more=dict) -> dict[str, dict]:
    """Each assembly's own figures beside a party-wide total: its eligible members and their ballots
    (a person is counted in the assembly of the roster entry they voted as)."""
    figures: dict[str, dict] = {}

    def of(aid: str) -> dict:
        return figures.setdefault(aid, {**{s: 0 for s in sides}, **more(), "eligible": 0, "turnout": 0})

    for voter in ctx.eligible:
        of(voter.partition("/")[0])["eligible"] += 1
    for cast in counted:
        figure = of(cast.voter.partition("/")[0])
        figure["turnout"] += 1
        add(figure, cast)
    return dict(sorted(figures.items()))


def _ballot(record: BallotRecord, body: Assembly, records, now: dt.datetime, outcomes: list[Outcome], signers_on, delegate_of, person, problems, warnings) -> Ballot | None:
    origin = records.ballots_origin
    if origin is None:
        problems.append(Problem(record.path, 0, (
            "this press offers no online ballots: editorial/press.yml has no 'ballots: origin:' — passkeys are bound to the site's "
            "own domain, so set it to the site's https origin (docs/online-ballots.md, \"The site's own origin\")"
        )))  # fmt: skip
        return None
    if body.rules.ballot == "secret":
        problems.append(Problem(record.path, 0, (
            f"{body.id} votes by secret ballot, and online ballots are signed and public, like a roll-call: it cannot open one — "
            "a secret online ballot needs an end-to-end verifiable system such as Belenios, which the press does not have"
        )))  # fmt: skip
        return None
    if record.motion in ("elect-delegate", "recall-delegate") and record.body not in records.assemblies:
        problems.append(Problem(record.path, record.motion_line, f"{record.motion} is put to an assembly's ballot, not a party-wide one — delegates are elected and recalled by their own assemblies"))
        return None
    opened_by, waiting = _opening(record, body, outcomes, signers_on(record.opens.date()), origin, problems)
    if not opened_by:
        warnings.append(Problem(record.path, 0, f"waiting to be opened: {waiting} — until then the ballot is shown nowhere"))
        return None
    tz = body.timezone
    opens, closes = _aware(record.opens, tz), _aware(record.closes, tz)
    day = record.opens.date()
    party_wide = record.body not in records.assemblies
    eligible = _eligible(body, records.assemblies, person, day, party_wide)
    received = None
    closed_why = None
    if record.close is not None:
        closed_why = _close(record, body, signers_on(record.close.closed.date()), origin, now, tz, record.casts, problems)
        if closed_why is None:
            received = frozenset(record.close.received)
    ctx = _Context(
        record=record, body=body, origin=origin, opens=opens, closes=closes, day=day, assemblies=records.assemblies, person=person,
        eligible=eligible, received=received,
    )  # fmt: skip
    keys = {}
    for voter in eligible:
        member = ctx.member(voter)[1]
        keys[voter] = [k.line for k in ctx.valid_keys(member)]
    status = UPCOMING if now < opens else OPEN if now < closes else CLOSED if received is not None else CLOSING
    ballot = Ballot(
        body=record.body, id=record.id, path=record.path, question=record.question, kind=record.kind, motion=record.motion,
        article=record.article, digest=record.revision, member=record.member,
        options=tuple(Option(o.id, o.name) for o in record.options) if record.method else tuple(Option(c, c) for c in ("yes", "no", "abstain")),
        opens=opens, closes=closes, timezone=tz, status=status, opened_by=opened_by, eligible=list(eligible), keys=keys,
        casts=_count(ctx, record.casts, problems), record=record, _context=ctx,
    )  # fmt: skip
    if status == CLOSED and record.motion:
        ballot.result, ballot.outcome = _motion_result(ctx, ballot, records.articles, delegate_of)
    elif status == CLOSED:
        ballot.result = _question_result(ctx, ballot)
    return ballot


# --------------------------------------------------------------------------- every ballot


def decide_ballots(
    records, now: dt.datetime, outcomes: list[Outcome], delegates: dict[str, list[DelegateTerm]], person: dict, problems: list[Problem],
    warnings: list[Problem], party_wide: bool,
) -> list[Ballot]:  # fmt: skip
    """Every opened ballot of the assemblies (or, ``party_wide``, of the council), sorted by (closes,
    body, id). ``outcomes``: the sittings' so far (an open-ballot motion opens a ballot);
    ``delegates``: the terms so far (who signs for the council); ``person``: each roster entry's
    person (:func:`press.decisions.people`)."""
    if not records.ballots:
        return []

    def delegate_of(aid: str, day: dt.date) -> str | None:
        for term in reversed(delegates.get(aid, [])):
            if term.elected.date <= day and (term.ended is None or day < term.ended):
                return term.member
        return None

    ballots = []
    for record in records.ballots:
        if (record.body in records.assemblies) == party_wide:
            continue
        if record.body in records.assemblies:
            body = records.assemblies[record.body]
            signers_on = lambda day, body=body: body  # noqa: E731
        elif records.council is not None and record.body == records.council.id:
            from .council.decisions import signers_of

            body = records.council
            signers_on = lambda day: signers_of(records, delegates, records.council.id, day)  # noqa: E731
        else:
            continue
        ballot = _ballot(record, body, records, now, outcomes, signers_on, delegate_of, person, problems, warnings)
        if ballot is not None:
            ballots.append(ballot)
    return sorted(ballots, key=lambda b: (b.closes, b.body, b.id))


def apply_outcomes(ballots: list[Ballot], by_article: dict[str, list[Outcome]], delegates: dict[str, list[DelegateTerm]]) -> list[Outcome]:
    """Let the ballots' decided motions enter the articles' histories and the delegates' terms, in date
    order among the meetings' motions; returns the outcomes."""
    found = [b.outcome for b in ballots if b.outcome is not None]
    for outcome in sorted(found, key=lambda o: o.date):
        kind = outcome.motion.kind
        if kind in ARTICLE_MOTIONS:
            history = by_article.setdefault(outcome.motion.target, [])
            history.append(outcome)
            history.sort(key=lambda o: o.date)  # stable: a meeting's motion of the same day comes first
        elif kind in ("elect-delegate", "recall-delegate") and outcome.passed and outcome.assembly.id != "council":
            _delegate_change(outcome, delegates.setdefault(outcome.assembly.id, []))
    return found


def _delegate_change(outcome: Outcome, terms: list[DelegateTerm]) -> None:
    day = outcome.date
    current = next((t for t in reversed(terms) if t.elected.date <= day and (t.ended is None or day < t.ended)), None)
    if outcome.motion.kind == "recall-delegate":
        if current is not None:
            current.ended, current.ended_by = day, "recalled"
        return
    if current is not None:
        current.ended, current.ended_by = day, "replaced"
    later = [t for t in terms if t.elected.date > day]
    term = DelegateTerm(member=outcome.motion.target, elected=outcome)
    if later:
        term.ended, term.ended_by = later[0].elected.date, "replaced"
    terms.append(term)
    terms.sort(key=lambda t: t.elected.date)


__all__ = ["ABSTAIN", "Ballot", "BallotResult", "Cast", "Option", "decide_ballots", "would_count", "PASSED", "FAILED", "INVALID"]

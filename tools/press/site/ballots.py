"""Online ballots as members and readers see them (docs/online-ballots.md).

Everything here is drawn from ``Decisions.ballots`` (press.ballots: opened ballots only — a ballot
nobody opened is in no list, so it is shown nowhere), the rosters, the gated articles and the press's
``ballots: origin`` setting. Each ballot is first turned into one plain *view* (:func:`views`):
dicts of strings and numbers. Every page, feed, calendar and ledger entry is made from views only,
and each output declares the views it reads as its inputs (``PressGenerator._emit`` and the render
memo fingerprint them), so a warm build cannot keep an output a ballot's change should have changed.

The promise stands: no page shows the title or text of an article that is not published. A ballot
on an unpublished article names it by id, digest and a link to its exact text in the repository;
a question whose words repeat the article's title is shown in the press's own words instead.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from ..records import digest_bytes
from ..sittings import _span
from . import feeds

# Where a ballot's page and the ballots' index live, below the site root.
INDEX = "ballots/index.html"
ENROL = "ballots/enrol/index.html"
FEED = "ballots/feed.xml"
SCRIPT = "ballots/ballot.js"  # the pages' script (press/site/ballot.js), written as it is in the package
SHOWN = ("open", "closing", "closed", "upcoming")  # every opened ballot; "upcoming" has no page yet
WITH_PAGE = ("open", "closing", "closed")
STATUS_WORDS = {
    "open": "Open",
    "closing": "Closed, awaiting the count",
    "closed": "Closed",
    "upcoming": "Opens soon",
}
RESULT_WORDS = {"passed": "Passed", "failed": "Failed", "invalid": "Not counted", "decided": "Decided", "tied": "Tied"}


def page_url(ballot) -> str:
    """The URL of a ballot's page (the ballot while open, its results once closed)."""
    return f"ballots/{ballot.body}/{ballot.id}/"


def anchor(ballot) -> str:
    """The ballot's fragment id in its body's ledger."""
    return f"ballot-{ballot.id}"


# --------------------------------------------------------------------------- settings


def origin_of(press) -> str | None:
    """The press's ``ballots: origin`` (docs/online-ballots.md), or None: no ballots offered."""
    return press.records.ballots_origin


def rp_id(origin: str | None) -> str | None:
    """The passkeys' relying party: the origin's host."""
    return urlsplit(origin).hostname if origin else None


# --------------------------------------------------------------------------- words


def local(when: dt.datetime, timezone: str) -> dt.datetime:
    return when.astimezone(ZoneInfo(timezone))


def when_text(when: dt.datetime, timezone: str) -> str:
    """"21 November 2026, 20:00 CET": a closing time as the body's members read it."""
    there = local(when, timezone)
    return f"{there.day} {there.strftime('%B %Y')}, {there.strftime('%H:%M')} {there.tzname()}"


def window_text(opens: dt.datetime, closes: dt.datetime, timezone: str) -> str:
    """"14–21 November": the days of a ballot in its body's timezone, as its outcome's provenance says them."""
    return _span(local(opens, timezone).date(), local(closes, timezone).date())


def tally_text(result) -> str:
    """"23 yes · 4 no · 2 abstain of 40 eligible"."""
    return f"{result.yes} yes · {result.no} no · {result.abstain} abstain of {result.eligible} eligible"


# --------------------------------------------------------------------------- views


def _person_name(press, voter: str) -> str:
    body, _, member = voter.partition("/")
    assembly = press.records.assemblies.get(body)
    entry = assembly.members.get(member) if assembly is not None else None
    return entry.name if entry is not None else voter


def _body(press, body: str):
    if body in press.records.assemblies:
        return press.records.assemblies[body]
    council = press.decisions.council
    if council is not None and council.council.id == body:
        return council.council
    return None


def _record_digest(ballot) -> str:
    """The digest a member's envelope names: the SHA-256 of the ballot record's bytes as read."""
    return digest_bytes(ballot.record.raw)


def _article_url(press, repo: str | None, ballot) -> str | None:
    """The repository's link to the article's file at the commit whose content has the ballot's digest."""
    if not repo or not ballot.article or not ballot.digest:
        return None
    path = f"content/{ballot.article}.md"
    try:
        found = press.history.find(path, ballot.digest)
    except Exception:  # no git, a shallow clone, a bundle: no link rather than a wrong one
        return None
    if found is None:
        return None
    return f"https://github.com/{repo}/blob/{found[1].commit}/{path}"


def _issue_url(repo: str | None, ballot) -> str | None:
    if not repo:
        return None
    return f"https://github.com/{repo}/issues/new?template=ballot.yml"  # the page adds &ballot=<the file>


def _shown_question(ballot, article_titles: dict[str, str], pending_titles: dict[str, str]) -> str:
    """The question as the editors wrote it — unless it repeats the title of an article that is not
    published (the press never shows one), then in the press's own words."""
    question = ballot.question
    if ballot.article and ballot.article not in article_titles:
        title = (pending_titles.get(ballot.article) or "").strip()
        if title and title.casefold() in question.casefold():
            verb = {"publish": "Publish", "reject": "Reject", "retract": "Retract"}.get(ballot.motion or "", "Decide on")
            return f"{verb} the article {ballot.article}" + (f" at {ballot.digest}" if ballot.digest else "") + "?"
    return question


def _casts(press, ballot) -> list[dict]:
    rows = []
    for cast in sorted(ballot.casts, key=lambda c: (c.voter, c.sequence, c.path)):
        rows.append(
            {
                "voter": cast.voter,
                "name": _person_name(press, cast.voter),
                "choice": cast.choice,
                "sequence": cast.sequence,
                "counted": bool(cast.counted),
                "why": cast.why,
                "receipt": cast.digest,
                "file": cast.path,
                "key": cast.key,
            }
        )
    return rows


def _result(ballot) -> dict | None:
    result = ballot.result
    if result is None:
        return None
    view = {
        "status": result.status,
        "verdict": RESULT_WORDS.get(result.status, result.status.capitalize()),
        "reasons": list(result.reasons),
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "eligible": result.eligible,
        "quorum": result.quorum,
        "turnout": result.turnout,
        "tally_text": tally_text(result),
        # a sentence of the result: the tally of a motion; what a question chose, and the turnout
        "summary": tally_text(result) if ballot.kind == "motion" else
        (f"Chosen: {', '.join(_option_name(ballot, w) for w in result.winners)}. " if result.winners and result.status == "decided" else "")
        + f"{result.turnout} of {result.eligible} eligible voted",
        "by_assembly": [{"assembly": a, **{k: v for k, v in figures.items()}} for a, figures in sorted(result.by_assembly.items())],
        "approvals": [{"option": o.id, "name": o.name, "count": result.approvals.get(o.id, 0)} for o in ballot.options] if result.approvals else [],
        "rounds": [],
        "winners": list(result.winners),
        "winner_names": [_option_name(ballot, w) for w in result.winners] if result.status == "decided" else [],
    }
    for i, counts in enumerate(result.rounds):
        eliminated = result.eliminated[i] if i < len(result.eliminated) else []
        view["rounds"].append(
            {
                "number": i + 1,
                "counts": [{"option": o, "name": _option_name(ballot, o), "count": n} for o, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))],
                "eliminated": [_option_name(ballot, o) for o in eliminated],
            }
        )
    return view


def _option_name(ballot, option: str) -> str:
    return next((o.name for o in ballot.options if o.id == option), option)


def views(press, articles: list, origin: str | None, repo: str | None) -> list[dict]:
    """One plain view per opened ballot, in ``Decisions.ballots``' order (closing time, body, id).

    ``articles``: the gated Pelican articles (only their titles may be shown)."""
    published = {a.press.article.id: (a.title, a.url) for a in articles}
    titles = {aid: t for aid, (t, _) in published.items()}
    pending = {aid: (a.title or "") for aid, a in press.records.articles.items()}
    out = []
    for ballot in getattr(press.decisions, "ballots", None) or ():
        if ballot.status not in SHOWN:
            continue
        body = _body(press, ballot.body)
        body_name = body.name if body is not None else ballot.body
        article = None
        if ballot.article:
            title, url = published.get(ballot.article, (None, None))
            article = {"id": ballot.article, "title": title, "url": url, "digest": ballot.digest}
        closes_text = when_text(ballot.closes, ballot.timezone)
        view = {
            "body": ballot.body,
            "body_name": body_name,
            "party_wide": body is not None and body is not press.records.assemblies.get(ballot.body),
            "id": ballot.id,
            "url": page_url(ballot),
            "anchor": anchor(ballot),
            "record": ballot.path,
            "record_digest": _record_digest(ballot),
            "question": _shown_question(ballot, titles, pending),
            "kind": ballot.kind,
            "motion": ballot.motion,
            "member": ballot.member,
            "member_name": _person_name(press, f"{ballot.body}/{ballot.member}") if ballot.member else None,
            "article": article,
            "article_url": _article_url(press, repo, ballot),
            "options": [{"id": o.id, "name": o.name} for o in ballot.options],
            "opens": local(ballot.opens, ballot.timezone).isoformat(),
            "closes": local(ballot.closes, ballot.timezone).isoformat(),
            "opens_text": when_text(ballot.opens, ballot.timezone),
            "closes_text": closes_text,
            "window": window_text(ballot.opens, ballot.closes, ballot.timezone),
            "timezone": ballot.timezone,
            "status": ballot.status,
            "status_text": STATUS_WORDS.get(ballot.status, ballot.status),
            "opened_by": ballot.opened_by,
            "eligible": len(ballot.eligible),
            "voters": [{"voter": v, "name": _person_name(press, v), "keys": list(ballot.keys.get(v, []))} for v in ballot.eligible],
            "sequences": _sequences(ballot),
            "mailto": _mailto(body),
            "issue_url": _issue_url(repo, ballot),
            "casts": _casts(press, ballot) if ballot.status == "closed" else [],
            "received": len(ballot.casts),
            "result": _result(ballot) if ballot.status == "closed" else None,
            "provenance": ballot.outcome.provenance if ballot.status == "closed" and ballot.outcome is not None else None,
        }
        out.append(view)
    return out


def _sequences(ballot) -> dict[str, int]:
    """Each voter's highest sequence in the repository: a new ballot must use a higher one."""
    seen: dict[str, int] = {}
    for cast in ballot.casts:
        seen[cast.voter] = max(seen.get(cast.voter, 0), cast.sequence)
    return dict(sorted(seen.items()))


def _mailto(body) -> str | None:
    contact = getattr(body, "contact", None) if body is not None else None
    return str(contact) if contact and "@" in str(contact) else None


def script() -> bytes:
    """The ballot pages' script, as the package holds it."""
    return (Path(__file__).parent / "ballot.js").read_bytes()


def ballot_data(view: dict, origin: str | None) -> dict:
    """What the ballot page's script reads (theme/templates/ballot.html): plain JSON."""
    return {
        "origin": origin,
        "rp_id": rp_id(origin),
        "body": view["body"],
        "ballot": view["id"],
        "record": view["record"],
        "digest": view["record_digest"],
        "question": view["question"],
        "article": (view["article"] or {}).get("id"),
        "article_digest": (view["article"] or {}).get("digest"),
        "kind": view["kind"],
        "options": view["options"] if view["kind"] != "motion" else [{"id": c, "name": c.capitalize()} for c in ("yes", "no", "abstain")],
        "closes": view["closes"],
        "closes_text": view["closes_text"],
        "status": view["status"],
        "voters": view["voters"],
        "sequences": view["sequences"],
        "issue_url": view["issue_url"],
        "mailto": view["mailto"],
        "article_url": view["article_url"],
        "results_url": None,
    }


def provenance(decision) -> dict | None:
    """What an article page says of an approval by online ballot (its first approval, and the latest
    if that was online too), or None when meetings approved it. The words are the outcome's own
    (``Outcome.provenance``: "Approved by online ballot, 14–21 November: …")."""
    found = {}
    for key, outcome in (("first", decision.first_approved), ("approved", decision.approved)):
        ballot = getattr(outcome, "ballot", None) if outcome is not None else None
        if ballot is not None:
            found[key] = {"text": outcome.provenance, "url": page_url(ballot)}
    return found or None


# --------------------------------------------------------------------------- ledger, feed, calendar


def ledger_entries(body: str, views_: list[dict]) -> list[dict]:
    """A body's closed ballots for its ledger (HTML and JSON), shaped like a meeting's motions."""
    rows = []
    for view in views_:
        if view["body"] != body or view["status"] != "closed" or view["result"] is None:
            continue
        result = view["result"]
        article = view["article"] or {}
        rows.append(
            {
                "anchor": view["anchor"],
                "ballot": view["id"],
                "url": view["url"],
                "kind": view["motion"] or view["kind"],
                "question": view["question"],
                "article": article.get("id"),
                "title": article.get("title"),
                "article_url": article.get("url"),
                "digest": article.get("digest"),
                "opens": view["opens"],
                "closes": view["closes"],
                "window": view["window"],
                "outcome": result["status"],
                "verdict": result["verdict"],
                "reasons": result["reasons"],
                "tally": {"yes": result["yes"], "no": result["no"], "abstain": result["abstain"]} if view["kind"] == "motion" else None,
                "approvals": {a["option"]: a["count"] for a in result["approvals"]},
                "rounds": [{c["option"]: c["count"] for c in r["counts"]} for r in result["rounds"]],
                "tally_text": result["summary"],
                "quorum": result["quorum"],
                "members_in_good_standing": result["eligible"],
                "turnout": result["turnout"],
                "winners": result["winner_names"],
                "votes": {side: [c["voter"] for c in view["casts"] if c["counted"] and c["choice"] == side] for side in ("yes", "no", "abstain")}
                if view["kind"] == "motion"
                else {},
            }
        )
    return rows


def feed_entries(views_: list[dict], absolute) -> list[feeds.Entry]:
    """The Atom feed of ballots: one entry per open (or upcoming) ballot with its closing time, and one
    per closed ballot with its result, newest change first."""
    entries = []
    for view in views_:
        opens = dt.datetime.fromisoformat(view["opens"])
        closes = dt.datetime.fromisoformat(view["closes"])
        if view["status"] == "closed" and view["result"]:
            title = f"{view['body_name']}: ballot closed — {view['result']['verdict']}: {view['question']}"
            summary = f"{view['result']['summary']}. Closed {view['closes_text']}."
            updated = closes
        elif view["status"] in ("closed", "closing"):
            title = f"{view['body_name']}: ballot closed, awaiting its count — {view['question']}"
            summary = f"Voting ended {view['closes_text']}."
            updated = closes
        else:
            title = f"{view['body_name']}: vote by {view['closes_text']} — {view['question']}"
            summary = f"{view['status_text']}: from {view['opens_text']} until {view['closes_text']}. {view['eligible']} members may vote."
            updated = opens
        entries.append(
            feeds.Entry(
                id=absolute(view["url"]),
                title=title,
                link=absolute(view["url"]),
                published=opens,
                updated=updated,
                authors=[view["body_name"]],
                summary=html.escape(summary),
            )
        )
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return entries


def feed(views_: list[dict], absolute, language: str, sitename: str) -> bytes:
    made = feeds.Feed(
        id=absolute(FEED),
        title=f"Ballots — {sitename}",
        subtitle="Online ballots: when each closes, and each result",
        link=absolute("ballots/"),
        language=language,
        entries=feed_entries(views_, absolute),
        authors=(sitename,),
    )
    return feeds.atom(made, absolute(FEED))


def events(body: str, views_: list[dict], absolute, host: str):
    """Calendar events of a body's ballots: opens → closes, the closing time in the summary."""
    for view in views_:
        if view["body"] != body:
            continue
        event = icalendar.Event()
        event.add("uid", f"ballot.{view['id']}.{view['body']}@{host}")
        tz = ZoneInfo(view["timezone"])
        opens = dt.datetime.fromisoformat(view["opens"]).astimezone(tz)
        closes = dt.datetime.fromisoformat(view["closes"]).astimezone(tz)
        lines = [view["question"], ""]
        if view["status"] == "closed" and view["result"]:
            event.add("summary", f"{view['body_name']}: online ballot — {view['result']['verdict'].lower()}")
            lines.append(f"Result: {view['result']['verdict']} — {view['result']['summary']}")
        elif view["status"] in ("closed", "closing"):
            event.add("summary", f"{view['body_name']}: online ballot, closed {view['closes_text']}")
            lines.append(f"Voting ended {view['closes_text']}; the count is not published yet.")
        else:
            event.add("summary", f"{view['body_name']}: online ballot, closes {view['closes_text']}")
            lines.append(f"Vote from {view['opens_text']} until {view['closes_text']}.")
        lines += ["", "The ballot: " + absolute(view["url"])]
        event.add("dtstart", opens)
        event.add("dtend", closes)
        event.add("dtstamp", opens.astimezone(dt.timezone.utc))
        event.add("description", "\n".join(lines))
        event.add("url", absolute(view["url"]))
        event.add("status", "CONFIRMED")
        yield event

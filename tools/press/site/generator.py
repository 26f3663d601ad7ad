"""The press's own output: chapter pages, the assemblies index, ledgers, retraction notices
and every feed. Runs after Pelican's article generator, so it sees only gated articles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import html
import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import markdown
import nh3
from pelican.generators import Generator

from .. import bundle
from ..decisions import PENDING_STATES, RETRACTED, WITHDRAWN, ArticleDecision, DelegateTerm, Outcome
from ..model import Press
from ..records import ARTICLE_MOTIONS, Assembly, Meeting, Section, next_meeting_date
from ..sanitize import strip_tags
from . import feeds, images
from .pelican_adapter import raw_content
from .shared import motion_datetime, newest_first
from . import admin
from .rules import GENERATED as _GENERATED
from . import council as council_site
from . import ballots as ballots_site


THEME_COLOR = "#b3122e"  # the accent of theme/static/css/press.css
DEFAULT_SHARE_IMAGE = "share.png"
WORDS_PER_MINUTE = 220
RELATED = 3  # related articles shown under each article

# How the record says what a motion did, in words: (before the subject, after it), as proposed
# ("a motion to …") and as done ("… published").
MOTION_WORDS = {
    "publish": (("publish", ""), ("published", "")),
    "reject": (("reject", ""), ("rejected", "")),
    "retract": (("retract", ""), ("retracted", "")),
    "elect-delegate": (("elect", "delegate"), ("elected", "delegate")),
    "recall-delegate": (("recall", "as delegate"), ("recalled", "as delegate")),
    "correct": (("correct the record of", ""), ("corrected the record of", "")),
}
VERDICT = {"passed": "Passed", "failed": "Failed", "invalid": "Not counted"}


def long_date(day: dt.date) -> str:
    """Dates as articles show them: "7 July 2026"."""
    return f"{day.day} {day.strftime('%B %Y')}"


def _words(kind: str) -> tuple:
    """The words for a kind of motion; a kind without its own (the council's) reads as its name."""
    plain = kind.replace("-", " ")
    return MOTION_WORDS.get(kind, ((plain, ""), (plain, "")))


def motion_sentence(kind: str, outcome: str, subject: str) -> str:
    """"Elected Dev Patel delegate", "Motion to publish “Bus fares” failed"."""
    (before, after), (done, done_after) = _words(kind)
    if outcome == "passed":
        return " ".join(w for w in (done.capitalize(), subject, done_after) if w)
    tail = "failed" if outcome == "failed" else "not counted"
    return " ".join(w for w in ("Motion to", before, subject, after, tail) if w)


@dataclass(frozen=True, slots=True)  # a few per article: tens of thousands in a build
class Link:
    """Another article, as a link under an article (plain values: pages stay cacheable)."""

    url: str
    title: str
    date: dt.date


def _subject(motion: dict) -> str:
    if motion.get("title"):
        return f"“{motion['title']}”"
    if motion.get("article"):  # not published: its id, never its title
        return f"the article {motion['article']}" + (" (withdrawn)" if motion.get("withdrawn") else "")
    if motion.get("motion_anchor"):  # a correction: "motion 2 of 6 October 2026"
        day, number = motion["motion_anchor"].rsplit("-", 1)
        return f"motion {number} of {long_date(dt.date.fromisoformat(day))}"
    if motion.get("motion"):
        return f"motion {motion['motion']}"
    return motion.get("name") or motion.get("member") or ""


def human_record(ledger: dict, assembly: Assembly) -> dict:
    """The ledger as people read it: dates in words, members by name, motions as sentences.
    (``ledger.json`` keeps the ids and kinds; this is only for the page.)"""

    def name(member: str) -> str:
        m = assembly.members.get(member)
        return m.name if m else member

    meetings = []
    for meeting in ledger["meetings"]:
        motions = []
        for motion in meeting["motions"]:
            (before, after), (done, done_after) = _words(motion["kind"])
            passed = motion["outcome"] == "passed"
            motions.append(
                {
                    **motion,
                    "verdict": VERDICT[motion["outcome"]],
                    "before": done.capitalize() if passed else f"motion to {before}",
                    "after": (done_after if passed else after),
                    "subject": _subject(motion),
                    "sentence": motion_sentence(motion["kind"], motion["outcome"], _subject(motion)),
                    "vote_names": {side: [name(m) for m in ids] for side, ids in motion.get("votes", {}).items()},
                }
            )
            if motion.get("corrected"):
                motions[-1]["corrected"] = {**motion["corrected"], "when": long_date(dt.date.fromisoformat(motion["corrected"]["date"]))}
        present = dict(meeting["present"])
        if "members" in present:
            present["names"] = [name(m) for m in present["members"]]
        meetings.append({**meeting, "when": long_date(dt.date.fromisoformat(meeting["date"])), "present": present, "motions": motions})
    delegates = [
        {**d, "elected_when": long_date(dt.date.fromisoformat(d["elected"])), "ended_when": long_date(dt.date.fromisoformat(d["ended"])) if d["ended"] else None}
        for d in ledger["delegates"]
    ]
    return {**ledger, "meetings": meetings, "delegates": delegates}


@dataclass
class Chapter:
    """Everything a chapter page shows about one assembly."""

    assembly: Assembly
    articles: list  # Pelican articles, newest first
    retracted: list[ArticleDecision]
    members_in_good_standing: int
    delegate: DelegateTerm | None
    delegates: list[DelegateTerm]
    next_meeting: dt.date | None  # recorded, or by the `meets:` rule (records.next_meeting_date)
    description_html: str
    agenda_items: int = 0  # articles the next meeting votes on: a count, never their titles
    ledger: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)  # the ledger in words, for the pages
    is_council: bool = False  # the council's chapter: seats instead of members (council.html)
    images: dict = field(default_factory=dict)  # article id -> its card's picture (council_site.Image), if it has one

    @property
    def mandate(self) -> list[dict]:
        """How this assembly's delegate voted on the council (part of the ledger)."""
        return self.ledger.get("mandate", [])

    @property
    def id(self) -> str:
        return self.assembly.id

    @property
    def url(self) -> str:
        return f"{self.id}/"

    @property
    def podcast(self) -> bool:
        """Whether any published article of this assembly carries audio (then podcast.rss exists)."""
        return any(getattr(a, "audio", None) for a in self.articles)




@dataclass
class SectionPage:
    """A section's front: the published articles of every assembly carrying its tags, newest first."""

    section: Section
    articles: list
    description_html: str = ""
    images: dict = field(default_factory=dict)  # article id -> its picture (council_site.Image), if it has one

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def url(self) -> str:
        return f"{self.id}/"

    @property
    def assemblies(self) -> list[str]:
        """The names of the assemblies whose articles it holds, in order of first appearance."""
        return list(dict.fromkeys(a.assembly.name for a in self.articles))


def _markdown(text: str | None) -> str:
    return nh3.clean(markdown.markdown(text)) if text else ""


def _motion_target(outcome: Outcome, shown: dict[str, ArticleDecision], article_urls: dict[str, str]) -> dict:
    """How the ledger names a motion's subject: never the title or text of an unpublished article,
    and the title of a published or retracted one as it was approved."""
    motion = outcome.motion
    if motion.kind in ARTICLE_MOTIONS or motion.kind in ("feature", "unfeature"):
        url = article_urls.get(motion.target)
        decision = shown.get(motion.target)
        title = decision.article.title if url and decision and decision.article.title != motion.target else None
        if decision is not None and decision.state == WITHDRAWN:
            return {"article": motion.target, "title": None, "url": None, "withdrawn": True}
        return {"article": motion.target, "title": title, "url": url}
    if motion.kind == "open-ballot":
        return {"ballot": motion.target}
    if motion.kind == "correct":
        day, index = motion.corrects or (None, 0)
        return {"motion": motion.target, "motion_anchor": f"{day.isoformat()}-{index + 1}" if day else None}
    member = outcome.assembly.members.get(motion.target)
    return {"member": motion.target, "name": member.name if member else None}


class _ByAssembly:
    """The press's meetings, outcomes, articles and pending items grouped by assembly in one pass each."""

    def __init__(self, press: Press, articles: list = (), retracted: list = ()):
        self.meetings: dict[str, list[Meeting]] = {}
        for meeting in press.records.meetings:
            self.meetings.setdefault(meeting.assembly, []).append(meeting)
        self.outcomes: dict[str, list[Outcome]] = {}
        for outcome in press.decisions.outcomes:
            self.outcomes.setdefault(outcome.assembly.id, []).append(outcome)
        self.articles: dict[str, list] = {}
        for article in articles:  # newest first, as given
            self.articles.setdefault(article.assembly.id, []).append(article)
        self.retracted: dict[str, list[ArticleDecision]] = {}
        for decision in retracted:
            self.retracted.setdefault(decision.article.assembly, []).append(decision)
        self.pending: dict[str, int] = {}
        for decision in press.decisions.articles.values():
            if decision.state in PENDING_STATES:
                self.pending[decision.article.assembly] = self.pending.get(decision.article.assembly, 0) + 1


def ledger_data(assembly: Assembly, press: Press, article_urls: dict[str, str], grouped: "_ByAssembly | None" = None) -> dict:
    """The public record of one assembly: every meeting and motion, in order, as plain data.

    The ledger page and ``ledger.json`` are both rendered from this, so they cannot disagree.
    ``grouped``: the press's meetings and outcomes grouped by assembly once (else grouped here).
    """
    grouped = grouped or _ByAssembly(press)
    decisions = press.decisions
    secret = assembly.rules.ballot == "secret"
    outcomes_by_meeting: dict[str, list[Outcome]] = {}
    for outcome in grouped.outcomes.get(assembly.id, ()):
        outcomes_by_meeting.setdefault(outcome.meeting.path, []).append(outcome)
    meetings = []
    for meeting in sorted(grouped.meetings.get(assembly.id, ()), key=lambda m: m.date):
        if isinstance(meeting.present, tuple):
            present: dict = {"count": len(meeting.present)}
            if not secret:
                present["members"] = list(meeting.present)
        else:
            present = {"count": meeting.present}
        motions = []
        for outcome in outcomes_by_meeting.get(meeting.path, []):
            motion = outcome.motion
            entry = {
                "number": motion.index + 1,
                "anchor": outcome.anchor,
                "kind": motion.kind,
                **_motion_target(outcome, press.shown, article_urls),
                "outcome": outcome.status,
                "reasons": outcome.reasons,
                "tally": {"yes": outcome.yes, "no": outcome.no, "abstain": outcome.abstain},
                "quorum": outcome.quorum,
                "members_in_good_standing": outcome.eligible,
            }
            if not secret:
                entry["votes"] = {side: list(getattr(motion, side)) for side in ("yes", "no", "abstain")}
            if motion.digest:
                entry["digest"] = motion.digest
            if motion.note:
                entry["note"] = motion.note
            if motion.reason:
                entry["reason"] = motion.reason
            if outcome.corrected_by:
                by = outcome.corrected_by
                entry["corrected"] = {
                    "by": by.anchor, "date": by.date.isoformat(), "reason": by.motion.reason, "struck": by.motion.corrected is None,
                }  # fmt: skip
            motions.append(entry)
        meetings.append(
            {
                "date": meeting.date.isoformat(),
                "scheduled": meeting.date > decisions.today_of(assembly),
                "present": present,
                "notes": meeting.notes,
                "motions": motions,
            }
        )
    delegate_history = [
        {
            "member": term.member,
            "name": assembly.members[term.member].name,
            "elected": term.elected.date.isoformat(),
            "ended": term.ended.isoformat() if term.ended else None,
            "ended_by": term.ended_by,
        }
        for term in decisions.delegates.get(assembly.id, [])
    ]
    return {
        "assembly": assembly.id,
        "name": assembly.name,
        "rules": {
            "quorum": assembly.rules.quorum_text,
            "threshold": assembly.rules.threshold_text,
            "ballot": assembly.rules.ballot,
        },
        "meetings": meetings,
        "delegates": delegate_history,
    }


class PressGenerator(Generator):
    """Writes chapter pages, ledgers, retraction notices and feeds.

    Made per build by :class:`press.site.BuildContext`, as a subclass whose ``build`` is that context."""

    build: object  # the BuildContext: press model, render memo, output list

    def generate_context(self) -> None:
        press = self.press = self.build.press
        decisions = press.decisions
        articles = self.context["articles"]  # already gated
        self.article_urls = {a.press.article.id: a.url for a in articles}
        retracted_decisions = [press.shown[aid] for aid, d in decisions.articles.items() if d.state == RETRACTED]
        for d in retracted_decisions:
            self.article_urls[d.article.id] = f"{d.article.assembly}/{d.article.slug}.html"

        # Online ballots, as plain views every ballot output is made from (press.site.ballots)
        self.ballot_origin = ballots_site.origin_of(press)
        self.ballot_views = ballots_site.views(press, articles, self.ballot_origin, self.settings.get("PRESS_REPO") or None)
        self.context["ballots_index"] = ballots_site.INDEX if self.ballot_origin is not None or self.ballot_views else None  # the navigation's entry
        self.chapters: list[Chapter] = []
        grouped = self.grouped = _ByAssembly(press, articles, retracted_decisions)  # one pass, not one per assembly
        for aid, assembly in sorted(press.records.assemblies.items(), key=lambda kv: kv[1].name.lower()):
            today = decisions.today_of(assembly)
            upcoming = next_meeting_date(assembly, grouped.meetings.get(aid, ()), today)
            chapter = Chapter(
                assembly=assembly,
                articles=grouped.articles.get(aid, []),
                retracted=grouped.retracted.get(aid, []),
                members_in_good_standing=len(assembly.members_on(today)),
                delegate=decisions.delegate(aid, today),
                delegates=decisions.delegates.get(aid, []),
                next_meeting=upcoming,
                description_html=_markdown(assembly.description),
                agenda_items=grouped.pending.get(aid, 0) if upcoming else 0,
            )
            chapter.ledger = ledger_data(assembly, press, self.article_urls, grouped)
            _add_ballots(chapter.ledger, ballots_site.ledger_entries(aid, self.ballot_views))
            chapter.record = human_record(chapter.ledger, assembly)
            self.chapters.append(chapter)
        self.context["chapters"] = list(self.chapters)  # the assemblies (the council has its own page)
        bundles = self.context.get("press_bundles", {})
        self.sections = []
        for section in press.records.sections:
            held = council_site.section_articles(section, articles)
            self.sections.append(SectionPage(section, held, _markdown(section.description), council_site.pictures_of(held, bundles)))
        self.context["sections"] = press.records.sections  # for the navigation: names and ids only
        self._council_context(articles, retracted_decisions)
        for chapter in self.chapters:  # the chapter page's cards, as the front page shows stories
            chapter.images = council_site.pictures_of(chapter.articles, bundles)
        self.context["chapters_by_id"] = {c.id: c for c in self.chapters}
        self.context["THEME_COLOR"] = THEME_COLOR
        self.context["DEFAULT_SHARE_IMAGE"] = DEFAULT_SHARE_IMAGE
        self._discovery(articles)
        for article in articles if self.ballot_views else ():  # "Approved by online ballot, 14–21 November: …"
            online = ballots_site.provenance(article.press)
            if online:
                article.online_ballot = online
        self._start_images()

    def _discovery(self, articles: list) -> None:
        """What each article page offers next: reading time, the assembly's previous and next
        articles, related articles (most shared tags, then nearest in time), its share image."""
        links = {id(article): _link(article) for article in articles}  # one per article: keyed once, however many pages name it
        for chapter in self.chapters:
            ordered = chapter.articles  # newest first
            podcast = chapter.podcast  # the assembly's articles, looked through once (not once per article)
            for i, article in enumerate(ordered):
                article.assembly_podcast = podcast
                article.newer_in_assembly = links[id(ordered[i - 1])] if i > 0 else None
                article.older_in_assembly = links[id(ordered[i + 1])] if i + 1 < len(ordered) else None
        by_tag: dict[str, list] = {}
        position = {id(a): i for i, a in enumerate(articles)}
        place_in_tag: dict[tuple[str, int], int] = {}
        for article in articles:
            for tag in getattr(article, "tags", []) or []:
                peers = by_tag.setdefault(tag.name, [])
                place_in_tag[tag.name, id(article)] = len(peers)
                peers.append(article)
        for article in articles:
            scores: dict[int, int] = {}  # a peer's place in ``articles`` -> the tags it shares
            for tag in getattr(article, "tags", []) or []:
                peers = by_tag[tag.name]
                # Only the nearest in time, so a tag shared by thousands costs no more than a rare one.
                mine = place_in_tag[tag.name, id(article)]
                for peer in peers[max(0, mine - 10): mine + 11]:
                    if peer is not article:
                        at = position[id(peer)]
                        scores[at] = scores.get(at, 0) + 1
            # most shared tags, then nearest in the list, then first in it: each peer's place is unique
            me = position[id(article)]
            ranked = heapq.nsmallest(RELATED, [(-shared, abs(at - me), at) for at, shared in scores.items()])
            article.related = tuple(links[id(articles[at])] for _, _, at in ranked)
            # the HTML before Pelican resolves {filename} links: the same words, without resolving them
            words = len(strip_tags(raw_content(article)).split())
            article.reading_minutes = max(1, round(words / WORDS_PER_MINUTE))
            article.share_image = f"{article.assembly.id}/{article.slug}.share.png"
            article.in_sections = ()
        for page in self.sections:  # the sections an article is in, named in its kicker
            for article in page.articles:
                article.in_sections += ((page.id, page.section.name),)

    def _council_context(self, articles: list, retracted: list[ArticleDecision]) -> None:
        """The council's chapter, each assembly's mandate record and the front page."""
        press, decisions = self.press, self.press.decisions
        council = decisions.council
        sections = [(page.section, page.articles) for page in self.sections]
        self.context["front"] = council_site.front_page(articles, decisions, self.context.get("press_bundles", {}), sections)
        self.context["council"] = None
        if council is None:
            return
        cid = council.council.id
        grouped = self.grouped
        upcoming = next_meeting_date(council.council, grouped.meetings.get(cid, ()), council.today)
        chapter = Chapter(
            assembly=council.council,
            articles=grouped.articles.get(cid, []),
            retracted=grouped.retracted.get(cid, []),
            members_in_good_standing=len(council.seats_today),
            delegate=None,
            delegates=[],
            next_meeting=upcoming,
            description_html=_markdown(council.council.description),
            is_council=True,
        )
        chapter.ledger = council_site.council_ledger_extras(ledger_data(council.council, press, self.article_urls, grouped), council)
        chapter.ledger["seats_today"] = council_site.seat_rows(council, decisions)
        _add_ballots(chapter.ledger, ballots_site.ledger_entries(cid, self.ballot_views))
        chapter.record = human_record(chapter.ledger, council.council)
        targets = {m["anchor"]: m for meeting in chapter.ledger["meetings"] for m in meeting["motions"]}
        for assembly_chapter in self.chapters:
            assembly_chapter.ledger["mandate"] = council_site.mandate_data(assembly_chapter.id, council, targets)
        self.chapters.append(chapter)
        self.context["council"] = chapter

    # ------------------------------------------------------------------ output

    def generate_output(self, writer) -> None:
        relative = self.settings["RELATIVE_URLS"]
        write = writer.write_file
        write("assemblies.html", self.get_template("assemblies"), self.context, relative, page_name="assemblies")
        for chapter in self.chapters:
            aid = chapter.id
            write(
                f"{aid}/index.html",
                self.get_template("council" if chapter.is_council else "chapter"),
                self.context,
                relative,
                paginated={"articles": chapter.articles},
                template_name="chapter",
                url=f"{aid}/index.html",
                chapter=chapter,
                page_name=f"{aid}/index",
            )
            write(
                f"{aid}/ledger.html",
                self.get_template("council-ledger" if chapter.is_council else "ledger"),
                self.context,
                relative,
                chapter=chapter,
                ledger=chapter.ledger if chapter.is_council else chapter.record,
                page_name=f"{aid}/ledger",
            )
            for decision in chapter.retracted:
                write(
                    self.article_urls[decision.article.id],
                    self.get_template("retracted"),
                    self.context,
                    relative,
                    chapter=chapter,
                    decision=decision,
                    retraction=decision.retraction,
                    page_name=f"{aid}/{decision.article.slug}",
                )
        for page in self.sections:
            write(
                f"{page.id}/index.html",
                self.get_template("section"),
                self.context,
                relative,
                paginated={"articles": page.articles},
                template_name="section",
                url=f"{page.id}/index.html",
                section_page=page,
                page_name=f"{page.id}/index",
            )
        self._write_json()
        self._write_images()
        self._write_feeds()
        self._write_bundles()
        self._write_calendars()
        self._write_sitemap()
        self._write_admin()
        self._write_ballots(writer)

    def _write_ballots(self, writer) -> None:
        """ballots/: the index, the enrolment page, a page per open ballot (its results once closed)
        and the feed that reminds members (press.site.ballots). Nothing when the press offers no ballots."""
        views = self.ballot_views
        if self.ballot_origin is None and not views:
            return
        relative, write = self.settings["RELATIVE_URLS"], writer.write_file
        origin = self.ballot_origin
        enrol_data = {"origin": origin, "rp_id": ballots_site.rp_id(origin)}
        write(ballots_site.INDEX, self.get_template("ballots"), self.context, relative, ballots=views, page_name="ballots/index")
        write(ballots_site.ENROL, self.get_template("enrol"), self.context, relative,
              ballot_data=enrol_data, page_name="ballots/enrol/index")  # fmt: skip
        for view in views:
            if view["status"] not in ballots_site.WITH_PAGE:
                continue
            closed = view["status"] == "closed"
            write(
                view["url"] + "index.html",
                self.get_template("ballot_results" if closed else "ballot"),
                self.context,
                relative,
                ballot_view=view,
                ballot_data=None if closed else ballots_site.ballot_data(view, origin),
                page_name=view["url"] + "index",
            )
        self.build.rules.copy(ballots_site.SCRIPT, "the ballot pages' script (enrol a passkey, sign a ballot)", ballots_site.script(), "copy of the press's script")
        language, sitename = self.settings.get("DEFAULT_LANG", "en"), self.settings["SITENAME"]
        self._emit(ballots_site.FEED, lambda v: ballots_site.feed(v, self._absolute, language, sitename), views)

    def _write_admin(self) -> None:
        """The writers' desk, admin/ (see press.site.admin), generated from the rosters."""
        # The assemblies' writers only: the council's statements are moved by delegates at council meetings.
        assemblies = [c.assembly for c in self.chapters if c.id in self.press.records.assemblies and not c.is_council]
        settings = admin.Settings.from_pelican(self.settings)
        files = _made_once(admin.files)  # one call makes the three files
        for name, reason in admin.FILES.items():
            self._emit(name, lambda a, s, n=name: files(a, s)[n].encode("utf-8"), tuple(assemblies), settings,
                       reason=f"the writers' desk: {reason}", rule="the writers' desk")  # fmt: skip

    def _emit(self, name: str, produce, *inputs, reason: str = _GENERATED, rule: str = "generated") -> None:
        """The rule ``name`` = ``produce(*inputs)`` (press.site.rules): last build's file when the key of
        ``inputs`` is unchanged, else made. ``inputs`` are the whole objects the file is made of (a
        chapter, its meetings, the features), keyed by press.keys.key_of with every field their types
        key; ``produce`` reads them and the settings (in the salt), nothing else."""
        self.build.rules.make(name, reason, produce, *inputs, rule=rule)

    def _start_images(self) -> None:
        """Share cards (one per published article, one for the press), podcast covers and icons.
        They come from the cache when what they show is unchanged; the rest start drawing now."""
        root = self.settings.get("PRESS_ROOT") or Path(self.settings["PATH"]).parent
        cache = images.ImageCache(root, Path(self.settings["THEME"]) / "fonts")
        site = self.settings["SITENAME"]
        wanted: list[tuple[str, tuple]] = []  # (output file, what to draw)
        for article in self.context["articles"]:
            first = article.press.first_approved
            footer = f"Approved by {article.assembly.name} on {long_date(first.date)} — {_short_tally(first)}"
            card = images.Card(article.title, article.assembly.name, footer, site, key=article.press.approved_digest)
            wanted.append((article.share_image, ("share", card, images.SHARE_SIZE)))
        default = images.Card(site, "", self.settings.get("SITESUBTITLE", ""), self._host())
        wanted.append((DEFAULT_SHARE_IMAGE, ("share", default, images.SHARE_SIZE)))
        for name, size in images.ICON_SIZES.items():
            wanted.append((name, ("icon", site, (size, size))))
        for prefix, title in [("", site)] + [(f"{c.id}/", c.assembly.name) for c in self.chapters if c.podcast]:
            cover = images.Card(title, "Podcast", f"Audio approved by {title}" if prefix else "Audio approved by our assemblies", site)
            wanted.append((f"{prefix}podcast.jpg", ("cover", cover, images.COVER_SIZE)))
        self.images = [(name, cache.inputs(*w)) for name, w in wanted]  # each image's rule: its name and inputs
        self.drawing = cache.start([w for _, w in wanted])

    def _write_images(self) -> None:
        """The images started in generate_context, and the web manifest."""
        self.drawing.finish()
        for index, (name, inputs) in enumerate(self.images):
            reason = (
                "a published article's share image, drawn from its approved title and vote"
                if name.endswith(".share.png")
                else "an image the press draws (default share image, podcast cover, icon)"
            )
            publish = lambda target, i=index: self.drawing.publish(i, target)  # a copy, checked against its digest
            self.build.rules.place(name, reason, publish, *inputs, rule="image")
        site = self.settings["SITENAME"]
        manifest = {
            "name": site,
            "short_name": site if len(site) <= 12 else "".join(w[0] for w in site.split()).upper(),
            "description": self.settings.get("SITESUBTITLE", ""),
            "lang": self.settings.get("DEFAULT_LANG", "en"),
            "start_url": "./index.html",  # relative to the manifest: works at a domain root and under a subpath
            "scope": "./",
            "display": "browser",
            "background_color": "#fdfcf8",
            "theme_color": THEME_COLOR,
            "icons": [
                {"src": "icon-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": "icon-512.png", "sizes": "512x512", "type": "image/png"},
            ],
        }
        self._emit("manifest.webmanifest", _json, manifest, reason="the web manifest (name, icons, theme colour)", rule="web manifest")

    def _host(self) -> str:
        return urlsplit(self.settings["FEED_DOMAIN"]).netloc or self.settings["SITENAME"]

    def _write_json(self) -> None:
        for chapter in self.chapters:
            self._emit(f"{chapter.id}/ledger.json", _json, chapter.ledger)
        ledgers = [chapter.ledger for chapter in self.chapters if not chapter.is_council]
        council = [chapter.ledger for chapter in self.chapters if chapter.is_council]
        everything = {"assemblies": ledgers, **({"council": council[0]} if council else {})}
        outputs = self.build.outputs
        texts = {id(chapter.ledger): f"{chapter.id}/ledger.json" for chapter in self.chapters}

        def of_the_chapters(everything) -> bytes:
            """``_json(everything)``, put together from the chapters' files just made or linked (the
            same JSON, indented one level deeper per level of nesting), not dumped again. In UTF-8
            bytes, joined once: as text, a press's whole ledger (19 MB at 20,000 articles) was copied
            four times over, at up to four bytes a character — the peak of a warm build's memory."""
            def nested(ledger, indent: bytes) -> bytes:
                return outputs.path(texts[id(ledger)]).read_bytes().removesuffix(b"\n").replace(b"\n", b"\n" + indent)

            assemblies = [nested(ledger, b"    ") for ledger in everything["assemblies"]]
            pieces = [b'{\n  "assemblies": ']
            pieces += [b"[\n    ", b",\n    ".join(assemblies), b"\n  ]"] if assemblies else [b"[]"]
            del assemblies
            if "council" in everything:
                pieces += [b',\n  "council": ', nested(everything["council"], b"  ")]
            pieces.append(b"\n}\n")
            return b"".join(pieces)

        self._emit("ledger.json", of_the_chapters, everything)

    # ------------------------------------------------------------------ feeds

    def _absolute(self, url: str) -> str:
        return f"{self.settings['FEED_DOMAIN'].rstrip('/')}/{url}"

    def _entry(self, article) -> feeds.Entry:
        base = self.settings["FEED_DOMAIN"]
        full = self.settings.get("PRESS_FEED_CONTENT", "full") == "full"
        return feeds.Entry(
            id=self._absolute(article.url),
            title=article.title,
            link=self._absolute(article.url),
            published=article.date,
            updated=getattr(article, "modified", article.date),
            authors=[a.name for a in getattr(article, "authors", [])],
            summary=_absolute_links(article.get_summary(base), self._absolute(article.url)),
            summary_text=_plain_text(article.get_summary(base)),
            content=_absolute_links(article.get_content(base), self._absolute(article.url)) if full else None,
            categories=tuple(t.name for t in getattr(article, "tags", [])),
            enclosure=self._enclosure(article),
            video=self._video(article),
        )

    def _video(self, article) -> feeds.Enclosure | None:
        """The article's video, a file of the approved bundle (the gate made ``Video:`` <slug>/<file>)."""
        video = str(getattr(article, "video", "") or "").strip()
        if not video:
            return None
        data = self.context["press_bundles"][article.press.article.id].get(video.split("/", 1)[1], b"")
        return feeds.Enclosure(url=self._absolute(f"{article.assembly.id}/{video}"), length=len(data), type=bundle.media_type(video))

    def _enclosure(self, article) -> feeds.Enclosure | None:
        audio = getattr(article, "audio", None)
        if not audio:
            return None
        audio = str(audio).strip()
        if audio.startswith("https://"):
            url, length = audio, int(getattr(article, "audio_length", 0) or 0)
        else:  # a file of the approved bundle: the gate made it <slug>/<file>
            data = self.context["press_bundles"][article.press.article.id].get(audio.split("/", 1)[1], b"")
            url, length = self._absolute(f"{article.assembly.id}/{audio}"), len(data)
        kind = getattr(article, "audio_type", None) or mimetypes.guess_type(audio)[0] or "audio/mpeg"
        duration = getattr(article, "duration", None)
        return feeds.Enclosure(url=url, length=length, type=str(kind), duration=str(duration) if duration else None)

    def _feed_art(self, author: str) -> dict:
        return {
            "icon": self._absolute("icon-512.png"),
            "favicon": self._absolute("favicon-64.png"),
            "logo": self._absolute(DEFAULT_SHARE_IMAGE),
            "authors": (author,),
        }

    def _article_feeds(self, prefix: str, title: str, subtitle: str, link: str, articles: list, author: str, podcast: bool = True) -> None:
        limit = self.settings.get("PRESS_FEED_MAX_ITEMS") or None
        articles = sorted(articles, key=newest_first)[:limit]
        owner = self.settings.get("PRESS_PODCAST_OWNER")
        inputs = (title, subtitle, link, articles, author, tuple(owner or ()))  # every argument the feeds read

        @_made_once  # the same inputs for each format
        def feed(title, subtitle, link, articles, author, owner) -> feeds.Feed:
            return feeds.Feed(
                id=self._absolute(link),
                title=title,
                subtitle=subtitle,
                link=self._absolute(link),
                language=self.settings.get("DEFAULT_LANG", "en"),
                entries=[self._entry(a) for a in articles],
                **self._feed_art(author),
            )

        for name, render in (("feed.atom", feeds.atom), ("feed.rss", feeds.rss), ("feed.json", feeds.json_feed)):
            self._emit(prefix + name, lambda *given, n=prefix + name, r=render: r(feed(*given), self._absolute(n)), *inputs)
        episodes = [a for a in articles if getattr(a, "audio", None)]
        if episodes and podcast:

            def podcast(*given) -> bytes:
                owner = given[-1]
                entries = [e for e in feed(*given).entries if e.enclosure]
                show = dataclasses.replace(
                    feed(*given), entries=entries, cover=self._absolute(f"{prefix}podcast.jpg"), owner=owner or None
                )
                return feeds.podcast(show, self._absolute(f"{prefix}podcast.rss"))

            self._emit(f"{prefix}podcast.rss", podcast, *inputs)

    def _write_feeds(self) -> None:
        sitename = self.settings["SITENAME"]
        self._article_feeds("", sitename, self.settings.get("SITESUBTITLE", ""), "", self.context["articles"], sitename)
        for chapter in self.chapters:
            name = chapter.assembly.name
            self._article_feeds(f"{chapter.id}/", f"{name} — {sitename}", f"Articles approved by {name}", chapter.url, chapter.articles, name)
            outcomes = [o for o in self.press.decisions.outcomes if o.assembly.id == chapter.id]
            self._emit(f"{chapter.id}/decisions.atom", self._decisions_feed, chapter, outcomes)
        for page in self.sections:  # a section's audio stays in its assembly's podcast: no podcast of its own
            name = page.section.name
            subtitle = page.section.description or f"{name}: articles approved by every assembly"
            self._article_feeds(f"{page.id}/", f"{name} — {sitename}", subtitle, page.url, page.articles, sitename, podcast=False)
        self._featured_feeds()

    def _featured_feeds(self) -> None:
        """featured.atom/.rss/.json: the stories the council has on the front page, latest feature first.
        Drawn from the gated articles only; an entry's updated date is the day it was featured."""
        if self.press.decisions.council is None:
            return
        council = self.press.decisions.council.council
        chosen = council_site.featured_articles(self.context["articles"], self.press.decisions)
        limit = self.settings.get("PRESS_FEED_MAX_ITEMS") or None
        chosen = chosen[:limit]
        sitename = self.settings["SITENAME"]
        title, subtitle = f"Front page — {sitename}", f"Stories chosen for the front page by the {council.name}"

        @_made_once  # the same inputs for each format
        def feed(chosen) -> feeds.Feed:
            entries = []
            for article, feature in chosen:
                entry = self._entry(article)
                featured = motion_datetime(feature.outcome)  # distinct per motion: no two entries share `updated`
                entries.append(dataclasses.replace(entry, updated=max(entry.updated, featured)))
            return feeds.Feed(
                id=self._absolute("featured.atom"),
                title=title,
                subtitle=subtitle,
                link=self._absolute(""),
                language=self.settings.get("DEFAULT_LANG", "en"),
                entries=entries,
            )

        chosen = tuple(chosen)  # (article, Feature): the feature whole, its vote's time and timezone with it
        for name, render in (("featured.atom", feeds.atom), ("featured.rss", feeds.rss), ("featured.json", feeds.json_feed)):
            self._emit(name, lambda c, n=name, r=render: r(feed(c), self._absolute(n)), chosen)

    def _write_bundles(self) -> None:
        """The attachments of published articles, from the bytes the vote covers (for an approved
        revision, from git): files of anything else are never written."""
        bundles = self.context["press_bundles"]
        for article in self.context["articles"]:
            decision = article.press
            files = bundles[decision.article.id]
            reason = f"an attachment of {decision.article.id}, covered by the vote of {decision.approved.date}"
            for name, data in sorted(files.items()):
                self.build.rules.copy(f"{decision.article.id}/{name}", reason, data, "copy of an approved attachment")

    def _write_calendars(self) -> None:
        """iCalendar feeds of recorded and scheduled meetings, per assembly and for all. Each assembly's
        events are rendered once, kept in the store by the key of what they show (:class:`_Events`);
        the party-wide calendar is put together from them, never rendered event by event again."""
        days = [m.date for m in self.press.records.meetings] or [self.press.decisions.today]
        days += [dt.date.fromisoformat(v[k][:10]) for v in self.ballot_views for k in ("opens", "closes")]
        # Time zone rules only for the years the meetings span: small files, same on every build.
        span = {"first_date": dt.date(min(days).year, 1, 1), "last_date": dt.date(max(days).year + 1, 12, 31)}
        inputs_of = {}  # chapter id -> (the chapter, its meetings, its ballots' views): what its events show
        for chapter in self.chapters:
            meetings = [m for m in self.press.records.meetings if m.assembly == chapter.id]
            ballots = [v for v in self.ballot_views if v["body"] == chapter.id]
            inputs_of[chapter.id] = (chapter, meetings, ballots)
        events = _Events(self.build.memo, lambda *inputs: _rendered_events(self._events(*inputs)))

        def calendar_of(span, chapter, meetings, ballots) -> bytes:
            return _calendar(f"{chapter.assembly.name} — meetings", [events.of(chapter, meetings, ballots)], span)

        for chapter in self.chapters:
            self._emit(f"{chapter.id}/meetings.ics", calendar_of, span, *inputs_of[chapter.id])

        def all_meetings(span, *each) -> bytes:
            return _calendar(self.settings["SITENAME"] + " — assembly meetings", [events.of(*inputs) for inputs in each], span)

        self._emit("meetings.ics", all_meetings, span, *inputs_of.values())
        events.save()

    def _events(self, chapter: Chapter, meetings: list, ballots: list[dict]):
        """Calendar events of ``chapter``'s ``meetings`` and of its online ``ballots`` (their views)."""
        assembly = chapter.assembly
        host = urlsplit(self.settings["FEED_DOMAIN"]).hostname or "localhost"
        tz = ZoneInfo(assembly.timezone)
        for meeting in sorted(meetings, key=lambda m: m.date):
            event = icalendar.Event()
            event.add("uid", f"{meeting.date.isoformat()}.{assembly.id}@{host}")
            event.add("summary", f"{assembly.name}: monthly meeting")
            starts = meeting.time or assembly.usual_time
            if starts:
                begin = dt.datetime.combine(meeting.date, starts, tz)
                event.add("dtstart", begin)
                event.add("dtend", begin + dt.timedelta(hours=2))
            else:
                event.add("dtstart", meeting.date)
                event.add("dtend", meeting.date + dt.timedelta(days=1))
            event.add("dtstamp", dt.datetime.combine(meeting.date, dt.time(0, 0), dt.timezone.utc))
            location = meeting.location or _place(assembly.meets)
            if location:
                event.add("location", location)
            decided = [m for m in chapter.record["meetings"] if m["date"] == meeting.date.isoformat()]
            recorded = decided and not decided[0]["scheduled"]
            url = self._absolute(f"{assembly.id}/ledger.html#{meeting.date.isoformat()}" if recorded else f"{assembly.id}/")
            lines = [f"Monthly meeting of {assembly.name}."]
            if meeting.notes:
                lines.append(meeting.notes)
            motions = decided[0]["motions"] if decided else []
            if motions:
                lines.append("")
                lines.append("Decisions:" if recorded else "On the agenda:")
                for motion in motions:
                    t = motion["tally"]
                    lines.append(f"- {motion['sentence']} ({t['yes']} yes, {t['no']} no, {t['abstain']} abstain)")
            lines.append("")
            lines.append(("The full record: " if recorded else "The assembly's page: ") + url)
            event.add("description", "\n".join(lines))
            event.add("url", url)
            event.add("status", "CONFIRMED")
            yield event
        yield from ballots_site.events(assembly.id, ballots, self._absolute, host)

    def _write_sitemap(self) -> None:
        """Every public page: home, chapters, ledgers, published articles, retraction notices, pages."""
        entries: list[tuple[str, str | None]] = [("", None), ("assemblies.html", None)]
        entries += [(name, None) for name in ("archives.html", "tags.html", "authors.html", "search.html")]
        for tag in sorted({t for a in self.context["articles"] for t in getattr(a, "tags", []) or []}, key=lambda t: t.url):
            entries.append((tag.url, None))
        for author in sorted({x for a in self.context["articles"] for x in getattr(a, "authors", []) or []}, key=lambda x: x.url):
            entries.append((author.url, None))
        for chapter in self.chapters:
            entries += [(chapter.url, None), (f"{chapter.id}/ledger.html", None)]
        entries += [(page.url, None) for page in self.sections]
        if self.ballot_origin is not None or self.ballot_views:
            entries += [("ballots/", None)] + [(v["url"], None) for v in self.ballot_views if v["status"] in ballots_site.WITH_PAGE]
        for article in self.context["articles"]:
            modified = getattr(article, "modified", article.date)
            entries.append((article.url, modified.date().isoformat()))
        for chapter in self.chapters:
            entries += [(self.article_urls[d.article.id], d.decided.date.isoformat()) for d in chapter.retracted]
        entries += [(page.url, None) for page in self.context.get("pages", [])]
        self._emit("sitemap.xml", lambda entries: _sitemap(entries, self._absolute), tuple(entries), rule="sitemap")
        self._emit("robots.txt", lambda url: f"User-agent: *\nAllow: /\nSitemap: {url}\n".encode(), self._absolute("sitemap.xml"), rule="robots.txt")

    def _decisions_feed(self, chapter: Chapter, outcomes: list[Outcome]) -> bytes:
        """One Atom entry per motion, so members can follow what their assembly decided.
        ``outcomes``: the chapter's, which date the entries (meeting time, in its timezone)."""
        ledger_url = f"{chapter.id}/ledger.html"
        outcomes = {o.anchor: o for o in outcomes}
        entries = []
        for meeting in chapter.record["meetings"]:
            for motion in meeting["motions"]:
                when = motion_datetime(outcomes[motion["anchor"]])
                t = motion["tally"]
                summary = motion.get("tally_text") or f"{t['yes']} yes · {t['no']} no · {t['abstain']} abstain (quorum {motion['quorum']})"
                if motion["reasons"]:
                    summary += " — " + "; ".join(motion["reasons"])
                entries.append(
                    feeds.Entry(
                        id=self._absolute(f"{ledger_url}#{motion['anchor']}"),
                        title=motion["sentence"],
                        link=self._absolute(f"{ledger_url}#{motion['anchor']}"),
                        published=when,
                        updated=when,
                        authors=[chapter.assembly.name],
                        summary=html.escape(summary),
                    )
                )
        for ballot in chapter.ledger.get("ballots", ()):  # closed online ballots, decided at their close
            when = dt.datetime.fromisoformat(ballot["closes"])
            summary = ballot["tally_text"] + (" — " + "; ".join(ballot["reasons"]) if ballot["reasons"] else "")
            entries.append(
                feeds.Entry(
                    id=self._absolute(f"{ledger_url}#{ballot['anchor']}"),
                    title=f"Online ballot: {ballot['question']} — {ballot['verdict']}",
                    link=self._absolute(ballot["url"]),
                    published=when,
                    updated=when,
                    authors=[chapter.assembly.name],
                    summary=html.escape(summary),
                )
            )
        entries.sort(key=lambda e: e.updated, reverse=True)  # newest first (stable: one meeting's motions keep their order)
        feed = feeds.Feed(
            id=self._absolute(ledger_url),
            title=f"Decisions of {chapter.assembly.name}",
            subtitle=f"Every motion put to {chapter.assembly.name}, with its outcome and tally",
            link=self._absolute(ledger_url),
            language=self.settings.get("DEFAULT_LANG", "en"),
            entries=entries,
            **self._feed_art(chapter.assembly.name),
        )
        return feeds.atom(feed, self._absolute(f"{chapter.id}/decisions.atom"))


def _sitemap(entries: tuple, absolute) -> bytes:
    """sitemap.xml: each (URL, last modified or None) of ``entries``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in entries:
        lines.append(f"  <url><loc>{html.escape(absolute(url))}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def _made_once(make):
    """``make``, called once: each later call returns the first call's result. For the formats of one
    feed, which are made from the same inputs."""
    made = []

    def once(*inputs):
        if not made:
            made.append(make(*inputs))
        return made[0]

    return once


def _add_ballots(ledger: dict, entries: list[dict]) -> None:
    """A body's closed online ballots in its ledger, beside its meetings (only when it has some)."""
    if entries:
        ledger["ballots"] = entries


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")



def _short_tally(outcome: Outcome) -> str:
    """"7 yes · 0 no" (and abstentions, if any), as on a share card."""
    text = f"{outcome.yes}\u00a0yes · {outcome.no}\u00a0no"
    return text + (f" · {outcome.abstain}\u00a0abstain" if outcome.abstain else "")


_LINK_ATTRIBUTE = re.compile(r'\s(?:href|src)="')


def _absolute_links(fragment: str | None, page_url: str) -> str | None:
    """Links of an article's HTML made absolute against the article's URL: a feed reader shows the
    text away from the page, where ``rent-strike-wins/chart.png`` means nothing. One forward pass:
    a value ends at the next '"'; when none is left, no later value can end either."""
    if not fragment:
        return fragment
    parts, at = [], 0
    for m in _LINK_ATTRIBUTE.finditer(fragment):
        if m.start() < at:
            continue  # inside the value just rewritten
        end = fragment.find('"', m.end())
        if end < 0:
            break
        parts += [fragment[at : m.end()], html.escape(urljoin(page_url, html.unescape(fragment[m.end() : end]))), '"']
        at = end + 1
    parts.append(fragment[at:])
    return "".join(parts)


def _plain_text(fragment: str | None) -> str | None:
    """HTML to one line of plain text (JSON Feed's summary is plain text)."""
    if not fragment:
        return None
    text = html.unescape(strip_tags(fragment))
    return " ".join(text.split()) or None


def _link(article) -> Link:
    return Link(url=article.url, title=article.title, date=article.date.date())


class _Events:
    """Each assembly's calendar events as iCalendar text, with the time zones they name, made once
    per build and kept in the store by the key of what they show (the chapter, its meetings, its
    ballots, in the memo's salt with the settings): an assembly whose meetings did not change is
    neither rendered for its own calendar nor for the party-wide one."""

    MANIFEST = "calendar-events"

    def __init__(self, memo, make):
        self.memo = memo
        self.make = make  # (chapter, meetings, ballots) -> (text, zones)
        self.made: dict[int, tuple[str, list[str]]] = {}  # id of the chapter -> this build's events
        self.kept = memo.store.manifest(self.MANIFEST, memo.salt.hex()) if memo is not None else {}
        self.used: dict[str, str] = {}  # key -> object of the events this build used

    def of(self, chapter, meetings, ballots) -> tuple[str, list[str]]:
        if id(chapter) in self.made:
            return self.made[id(chapter)]
        key = self.memo.key("calendar events", chapter, meetings, ballots) if self.memo is not None else None
        found = None
        if key is not None and key.hex() in self.kept:
            value = self.memo.store.get(self.kept[key.hex()])  # checked against its digest: damaged is made again
            try:
                text, zones = json.loads(value) if value is not None else (None, None)
            except (ValueError, TypeError, RecursionError):
                text, zones = None, None
            if isinstance(text, str) and isinstance(zones, list) and all(isinstance(z, str) for z in zones):
                found = (text, zones)
                self.used[key.hex()] = self.kept[key.hex()]
        if found is None:
            found = self.make(chapter, meetings, ballots)
            if key is not None:
                digest = self.memo.store.put(json.dumps(list(found)).encode())
                if digest is not None:
                    self.used[key.hex()] = digest
        self.made[id(chapter)] = found
        return found

    def save(self) -> None:
        if self.memo is not None and self.used != self.kept:
            self.memo.store.save_manifest(self.MANIFEST, self.memo.salt.hex(), self.used)


def _rendered_events(events) -> tuple[str, list[str]]:
    """``events`` as iCalendar text, and the time zones (TZIDs) they name, sorted."""
    calendar = icalendar.Calendar()
    for event in events:
        calendar.add_component(event)
    text = b"".join(event.to_ical() for event in calendar.subcomponents).decode("utf-8")
    return text, sorted(calendar.get_used_tzids() - {"UTC"})


def _calendar(name: str, each: list[tuple[str, list[str]]], span: dict) -> bytes:
    """A calendar named ``name`` of the events of ``each`` (see :func:`_rendered_events`), after the
    VTIMEZONE rules they use in the order of their names (icalendar would collect them in a set, whose
    order changes with PYTHONHASHSEED: the same press must make the same bytes)."""
    calendar = icalendar.Calendar()
    _calendar_header(calendar, name)
    for tzid in sorted({zone for _, zones in each for zone in zones}):
        try:
            calendar.add_component(icalendar.Timezone.from_tzid(tzid, **span))
        except ValueError:  # a zone icalendar does not know: left out, as add_missing_timezones does
            continue
    head, end = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + "".join(text for text, _ in each).encode("utf-8") + b"END:VCALENDAR" + end


def _calendar_header(calendar: icalendar.Calendar, name: str) -> None:
    calendar.add("prodid", "-//Assembly Press//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)


def _place(meets: str | None) -> str | None:
    """The place in ``meets``: what follows the time ("First Tuesday, 19:00, Union Hall" -> "Union Hall")."""
    if not meets:
        return None
    parts = re.split(r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b,?", meets, maxsplit=1)
    return parts[1].strip(" ,") or None if len(parts) == 2 else None

"""What readers see of the council: the newspaper front page, the council's ledger and seats, and
each assembly's mandate record ("How our delegate voted").

Everything here is drawn from two things only: the gated list of Pelican articles (what is
published, as it is published) and the council's decisions. A story reaches the front page or
the featured feeds only if it is in the gated list: nothing unpublished can be shown, whatever
the council voted.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..bundle import kind_of
from .images import image_size
from ..council.decisions import CouncilDecisions, Feature
from ..decisions import Decisions

# How far back "From the assemblies" looks for an assembly's newest stories, and how many of each.
ACTIVE_DAYS = 92
STORIES_PER_ASSEMBLY = 2
STORIES_PER_SECTION = 3
FEATURED_ROW = 6
_SITE = "http://press-site.invalid"
_IMG = re.compile(r"<img\b[^>]*+>", re.I)  # sanitized HTML: each <img closes at its own >
_SRC = re.compile(r"""\bsrc\s*=\s*"([^"]+)"|\bsrc\s*=\s*'([^']+)'""", re.I)
_ALT = re.compile(r"""\balt\s*=\s*"([^"]*)"|\balt\s*=\s*'([^']*)'""", re.I)


@dataclass(frozen=True)
class Image:
    """A story's picture: ``path`` below the site root (or an https URL), and its alt text."""

    path: str
    alt: str
    width: int | None = None  # pixels, when the press has the file: the page reserves its room
    height: int | None = None

    @property
    def external(self) -> bool:
        return self.path.startswith("https://")


@dataclass
class Story:
    """One article as the front page shows it."""

    article: object  # a gated Pelican article
    image: Image | None
    feature: Feature | None = None

    @property
    def featured_on(self) -> dt.date | None:
        return self.feature.date if self.feature else None


@dataclass
class AssemblyStories:
    id: str
    name: str
    stories: list[Story]


@dataclass
class SectionStories:
    """A section's newest stories on the front page (``section``: a records.Section)."""

    section: object
    stories: list[Story]


@dataclass
class FrontPage:
    lead: Story | None
    featured: list[Story]
    assemblies: list[AssemblyStories] = field(default_factory=list)
    sections: list[SectionStories] = field(default_factory=list)

    @property
    def shown(self) -> set[str]:
        """Articles already on the page above the latest list."""
        stories = [self.lead] if self.lead else []
        stories += self.featured + [s for g in self.sections for s in g.stories] + [s for a in self.assemblies for s in a.stories]
        return {s.article.press.article.id for s in stories}


def pictures_of(articles: list, bundles: dict[str, dict[str, bytes]]) -> dict[str, Image]:
    """Each article's picture for a card (article id -> :class:`Image`), for those that have one whose
    size the press knows: a card's picture always reserves its room (width and height), so a picture
    the press cannot measure — on another site, or outside the article's bundle — is left off the card."""
    found = {a.press.article.id: card_image(a, bundles) for a in articles}
    return {aid: image for aid, image in found.items() if image is not None}


def card_image(article, bundles: dict[str, dict[str, bytes]]) -> Image | None:
    """The picture a story's card shows: :func:`story_image` if the press can measure it, else none
    (a picture on another site is shown in the article, never on a card or as the lead's)."""
    image = story_image(article, bundles)
    return image if image is not None and image.width and image.height else None


def section_articles(section, articles: list) -> list:
    """The gated ``articles`` (newest first) that belong to ``section``, by their tags: a section
    shows only what is published, as it is published."""
    return [a for a in articles if section.holds(t.name for t in getattr(a, "tags", None) or ())]


def bundle_image(article, bundles: dict[str, dict[str, bytes]]) -> Image | None:
    """The ``Image:`` of a gated article (alt text from ``Image_alt:``), if it names a picture among
    the files its vote covers (``bundles``: what the press writes of each published article's bundle,
    from the approved bytes). Anything else is not shown."""
    named = str(getattr(article, "image", "") or "").strip()
    decision = article.press.article
    prefix = f"{decision.slug}/"
    if not named.startswith(prefix):
        return None
    name = named[len(prefix):]
    if name not in bundles.get(decision.id, {}) or kind_of(name) != "image":
        return None
    width, height = image_size(bundles[decision.id][name]) or (None, None)
    return Image(path=f"{decision.assembly}/{named}", alt=str(getattr(article, "image_alt", "") or "").strip(), width=width, height=height)


def story_image(article, bundles: dict[str, dict[str, bytes]]) -> Image | None:
    """The article's ``Image:``, else the first image of its (published, sanitized) text."""
    named = bundle_image(article, bundles)
    if named is not None:
        return named
    # Pelican resolves {static}/{attach} links against the siteurl it is given: a marker tells this
    # site's files apart from links relative to the article's own page (which would break here).
    tag = _IMG.search(article.get_content(_SITE))
    if not tag:
        return None
    src = _SRC.search(tag[0])
    if not src:
        return None
    url = src[1] or src[2]
    alt = _ALT.search(tag[0])
    alt_text = html.unescape((alt[1] or alt[2] or "") if alt else "")  # the template escapes it again
    if url.startswith("https://"):
        return Image(path=url, alt=alt_text)
    if url.startswith(_SITE + "/"):
        return _measured(unquote(urlsplit(url).path.lstrip("/")), alt_text, article, bundles)
    # Links to files not yet known to Pelican (the static generator runs last): resolve them as it will.
    match = re.match(r"^\{(static|attach)\}(/?)([^?#]+)$", url)
    if match:
        path = match[3] if match[2] else f"{article.press.article.assembly}/{match[3]}"
        if ".." not in path.split("/") and kind_of(unquote(path)) == "image":
            return _measured(unquote(path), alt_text, article, bundles)
    return None


def _measured(path: str, alt: str, article, bundles: dict[str, dict[str, bytes]]) -> Image:
    """A picture of the site at ``path``, with its size when it is a file of the article's own bundle
    (the bytes its vote covers); otherwise without (the press does not read other files here)."""
    decision = article.press.article
    prefix = f"{decision.assembly}/{decision.slug}/"
    data = bundles.get(decision.id, {}).get(path[len(prefix):]) if path.startswith(prefix) else None
    width, height = (image_size(data) or (None, None)) if data is not None else (None, None)
    return Image(path=path, alt=alt, width=width, height=height)


def front_page(articles: list, decisions: Decisions, bundles: dict[str, dict[str, bytes]], sections: list = ()) -> FrontPage:
    """The newspaper front page, from the gated ``articles`` (newest first) and the council's features.

    Lead: the council's latest lead feature still on the front page, else the newest article.
    Then the council's other features, latest first; then, for each section (``sections``: pairs of
    a records.Section and its articles, newest first, in the order press.yml lists them), its newest
    stories not shown above; then, for each assembly with a story in the last ``ACTIVE_DAYS``, its
    newest stories not shown above, the most recently active assembly first. Each story once.
    """
    today = decisions.today
    by_id = {a.press.article.id: a for a in articles}
    council: CouncilDecisions | None = decisions.council
    live = [f for f in council.on_front_page() if f.article in by_id] if council else []  # in the council's own today
    lead_feature = next((f for f in live if f.lead), None)
    if lead_feature is not None:
        lead: Story | None = Story(by_id[lead_feature.article], card_image(by_id[lead_feature.article], bundles), lead_feature)
    else:
        lead = Story(articles[0], card_image(articles[0], bundles)) if articles else None
    seen = {lead.article.press.article.id} if lead else set()
    featured = []
    for feature in live:
        if feature.article not in seen and len(featured) < FEATURED_ROW:
            featured.append(Story(by_id[feature.article], card_image(by_id[feature.article], bundles), feature))
            seen.add(feature.article)
    page = FrontPage(lead=lead, featured=featured)
    since = today - dt.timedelta(days=ACTIVE_DAYS)
    for section, held in sections:
        fresh = [a for a in held if a.press.article.id not in seen and a.date.date() >= since][:STORIES_PER_SECTION]
        if fresh:
            page.sections.append(SectionStories(section, [Story(a, card_image(a, bundles)) for a in fresh]))
            seen |= {a.press.article.id for a in fresh}
    groups: dict[str, list] = {}
    for article in articles:  # newest first
        assembly = article.press.article.assembly
        if decisions.council is not None and assembly == decisions.council.council.id:
            continue  # the council's statements are not an assembly's stories
        if article.date.date() < since:
            continue
        groups.setdefault(assembly, []).append(article)
    for aid, group in groups.items():
        fresh = [a for a in group if a.press.article.id not in seen][:STORIES_PER_ASSEMBLY]
        if fresh:
            page.assemblies.append(AssemblyStories(aid, group[0].assembly.name, [Story(a, card_image(a, bundles)) for a in fresh]))
            seen |= {a.press.article.id for a in fresh}
    return page


def featured_articles(articles: list, decisions: Decisions) -> list[tuple[object, Feature]]:
    """Gated articles on the front page by the council's vote, latest feature first (the featured feeds)."""
    council = decisions.council
    if council is None:
        return []
    by_id = {a.press.article.id: a for a in articles}
    return [(by_id[f.article], f) for f in council.on_front_page() if f.article in by_id]


# --------------------------------------------------------------------------- records for readers


def seat_rows(council: CouncilDecisions, decisions: Decisions) -> list[dict]:
    """The seats today: each assembly, its delegate and the seat's weight; empty seats too."""
    rows = []
    for aid in sorted(council.mandates):
        seat = council.seats_today.get(aid)
        rows.append(
            {
                "assembly": aid,
                "delegate": seat.delegate if seat else None,
                "name": seat.name if seat else None,
                "since": seat.elected.isoformat() if seat else None,
                "weight": seat.weight if seat else 0,
            }
        )
    return rows


def council_ledger_extras(ledger: dict, council: CouncilDecisions) -> dict:
    """Add to the council's ledger what only the council has: the seats filled on each date (who
    held them), each tally in seats and in weight, and the front-page effect of features."""
    by_anchor = {o.anchor: o for o in council.outcomes}
    meetings_by_date = {o.meeting.date.isoformat(): o.meeting for o in council.outcomes}
    ledger["rules"]["weighting"] = council.council.rules.weighting
    for meeting in ledger["meetings"]:
        for motion in meeting["motions"]:
            outcome = by_anchor.get(motion["anchor"])
            if outcome is None:
                continue
            motion["seats"] = {"yes": outcome.yes_seats, "no": outcome.no_seats, "abstain": outcome.abstain_seats, "filled": len(outcome.seats)}
            motion["weight"] = {"yes": outcome.yes, "no": outcome.no, "abstain": outcome.abstain, "filled": outcome.eligible}
            motion["tally_text"] = outcome.tally
            if outcome.motion.kind == "census":  # the figures adopted, for the ledger to show
                motion["census"] = {"counted": outcome.motion.target, "weights": dict(outcome.motion.weights)}
            if outcome.motion.kind == "feature":
                motion["lead"] = outcome.motion.lead
                motion["until"] = outcome.motion.until.isoformat() if outcome.motion.until else None
            motion.pop("members_in_good_standing", None)
            meeting["seats"] = [
                {"assembly": s.assembly, "delegate": s.delegate, "name": s.name, "weight": s.weight} for s in outcome.seats.values()
            ]
        held = meetings_by_date.get(meeting["date"])
        if held is not None and held.sitting:
            meeting["present"]["delegates"] = {seat: who for seat, (who, _) in held.sitting.items()}
    ledger["features"] = [
        {
            "article": f.article,
            "featured": f.date.isoformat(),
            "anchor": f.outcome.anchor,
            "lead": f.lead,
            "until": f.until.isoformat() if f.until else None,
            "ended": f.ended.isoformat() if f.ended else None,
            "ended_by": f.ended_by,
        }
        for f in council.features
    ]
    return ledger


def mandate_data(aid: str, council: CouncilDecisions, targets: dict[str, dict]) -> list[dict]:
    """How ``aid``'s delegate voted: every council motion, the seat's vote and who held the seat.

    ``targets`` maps a ledger anchor to how the council's ledger names the motion's subject (title
    and link only for what is published)."""
    rows = []
    for entry in council.mandates.get(aid, []):
        outcome = entry.outcome
        subject = targets.get(outcome.anchor, {"article": outcome.motion.target})
        rows.append(
            {
                "date": outcome.date.isoformat(),
                "anchor": outcome.anchor,
                "kind": outcome.motion.kind,
                "article": subject.get("article"),
                "title": subject.get("title"),
                "url": subject.get("url"),
                "outcome": outcome.status,
                "vote": entry.vote,
                "delegate": entry.holder,
                "delegate_name": entry.holder_name,
                "changed_hands": entry.changed_hands,
                "previous_delegate": entry.previous,
                "previous_delegate_name": entry.previous_name,
                "previous_ended_by": entry.previous_ended_by,
                "previous_ended": entry.previous_ended.isoformat() if entry.previous_ended else None,
            }
        )
    return rows

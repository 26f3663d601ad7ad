"""RSS 2.0 and Atom feeds, written with feedgen.

Feeds are reproducible: entries are dated by their approving meeting, ids are the articles'
absolute URLs, and a feed's own updated date is its newest entry's, never "now".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Enclosure:
    url: str
    length: int
    type: str
    duration: str | None = None  # "23:10"

    @property
    def seconds(self) -> int | None:
        if not self.duration:
            return None
        total = 0
        for part in self.duration.split(":"):
            total = total * 60 + int(part)
        return total


@dataclass
class Entry:
    id: str
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    authors: list[str]
    summary: str | None = None  # HTML
    content: str | None = None
    summary_text: str | None = None  # the summary as plain text (JSON Feed's ``summary``)
    categories: tuple[str, ...] = ()
    enclosure: Enclosure | None = None  # the audio (podcast apps take it)
    video: Enclosure | None = None


@dataclass
class Feed:
    id: str
    title: str
    subtitle: str
    link: str
    language: str
    entries: list[Entry]  # newest first
    icon: str | None = None  # square image, at least 512 px (JSON Feed ``icon``)
    favicon: str | None = None  # small square image (JSON Feed ``favicon``, Atom ``icon``)
    logo: str | None = None  # about twice as wide as tall (Atom ``logo``)
    authors: tuple[str, ...] = ()
    cover: str | None = None  # podcast art, 1400 px square
    owner: tuple[str, str] | None = None  # podcast owner: (name, e-mail)

    @property
    def updated(self) -> dt.datetime:
        return max((e.updated for e in self.entries), default=EPOCH)


class _Entry(FeedEntry):
    """feedgen's entry, with Atom links written as set: feedgen 1.0 drops their ``rel``, ``type`` and
    ``length`` (so an enclosure became a second alternate link, which the W3C validator rejects)."""

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions)
        elements = [e for e in entry if etree.QName(e).localname == "link"]
        for element, link in zip(elements, self.link() or []):
            for attribute in ("rel", "type", "hreflang", "title", "length"):
                if link.get(attribute):
                    element.attrib[attribute] = str(link[attribute])
        return entry


def _generator(feed: Feed, self_url: str, self_type: str, podcast: bool = False) -> FeedGenerator:
    fg = FeedGenerator()
    if podcast:
        fg.load_extension("podcast")
        fg.podcast.itunes_author(feed.title)
        fg.podcast.itunes_category("News", "Politics")
        fg.podcast.itunes_summary(feed.subtitle or feed.title)
        if feed.cover:
            fg.podcast.itunes_image(feed.cover)
        if feed.owner:
            fg.podcast.itunes_owner(name=feed.owner[0], email=feed.owner[1])
    if feed.favicon:
        fg.icon(feed.favicon)
    if feed.logo:
        fg.logo(feed.logo)
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle or feed.title)
    fg.link(href=self_url, rel="self", type=self_type)
    fg.link(href=feed.link, rel="alternate")  # last: feedgen gives RSS's <link> the last link set
    fg.language(feed.language)
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    fg.generator("Assembly Press")
    fg.load_extension("dc", atom=False, rss=True)
    for item in feed.entries:
        fe = fg.add_entry(_Entry(), order="append")
        fe.id(item.id)
        fe.guid(item.id, permalink=True)
        fe.title(item.title)
        fe.link(href=item.link)
        fe.published(item.published)
        fe.updated(item.updated)
        for name in item.authors:
            fe.author(name=name)
            fe.dc.dc_creator(name)  # RSS has no author without an e-mail address
        for term in item.categories:
            fe.category(term=term)
        if item.summary:
            fe.summary(item.summary, type="html")
        if item.content:
            fe.content(item.content, type="html")
        if item.video and not podcast:  # first: RSS keeps only the last enclosure, the audio if there is one
            fe.enclosure(item.video.url, str(item.video.length), item.video.type)
        if item.enclosure:
            fe.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.type)
            if podcast and item.enclosure.duration:
                fe.podcast.itunes_duration(item.enclosure.duration)
    return fg


def atom(feed: Feed, self_url: str) -> bytes:
    fg = _generator(feed, self_url, "application/atom+xml")
    return fg.atom_str(pretty=True)


def rss(feed: Feed, self_url: str) -> bytes:
    return _generator(feed, self_url, "application/rss+xml").rss_str(pretty=True)


def podcast(feed: Feed, self_url: str) -> bytes:
    """RSS with the iTunes podcast tags, for the entries that carry audio."""
    data = _generator(feed, self_url, "application/rss+xml", podcast=True).rss_str(pretty=True)
    # Apple's podcast spec (and the W3C validator) want itunes:explicit "true" or "false"; feedgen
    # 1.0 knows only yes/no/clean. A press of assembly-approved news is not explicit.
    root = etree.fromstring(data)
    channel = root.find("channel")
    explicit = etree.Element(f"{{{ITUNES}}}explicit")
    explicit.text = "false"
    first_item = channel.find("item")
    channel.insert(list(channel).index(first_item) if first_item is not None else len(channel), explicit)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def json_feed(feed: Feed, self_url: str) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for item in feed.entries:
        entry = {
            "id": item.id,
            "url": item.link,
            "title": item.title,
            "date_published": item.published.isoformat(),
            "date_modified": item.updated.isoformat(),
            "authors": [{"name": name} for name in item.authors],
        }
        if item.content:
            entry["content_html"] = item.content
        if item.summary:
            entry.setdefault("content_html", item.summary)
        if item.summary_text:
            entry["summary"] = item.summary_text  # the spec: "a plain text sentence or two"
        if item.categories:
            entry["tags"] = list(item.categories)
        attachments = []
        for enclosure in (item.enclosure, item.video):
            if enclosure:
                attachment = {"url": enclosure.url, "mime_type": enclosure.type, "size_in_bytes": enclosure.length}
                if enclosure.seconds is not None:
                    attachment["duration_in_seconds"] = enclosure.seconds
                attachments.append(attachment)
        if attachments:
            entry["attachments"] = attachments
        items.append(entry)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.link,
        "feed_url": self_url,
        "description": feed.subtitle,
        "language": feed.language,
    }
    if feed.icon:
        data["icon"] = feed.icon
    if feed.favicon:
        data["favicon"] = feed.favicon
    if feed.authors:
        data["authors"] = [{"name": name} for name in feed.authors]
    data["items"] = items
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

"""RSS 2.0 and Atom feeds, written with feedgen.

Feeds are reproducible: entries are dated by their approving meeting, ids are the articles'
absolute URLs, and a feed's own updated date is its newest entry's, never "now".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass
class Entry:
    id: str
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    authors: list[str]
    summary: str | None = None
    content: str | None = None
    categories: tuple[str, ...] = ()


@dataclass
class Feed:
    id: str
    title: str
    subtitle: str
    link: str
    language: str
    entries: list[Entry]  # newest first

    @property
    def updated(self) -> dt.datetime:
        return max((e.updated for e in self.entries), default=EPOCH)


def _generator(feed: Feed, self_url: str, self_type: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle or feed.title)
    fg.link(href=feed.link, rel="alternate")
    fg.link(href=self_url, rel="self", type=self_type)
    fg.language(feed.language)
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    fg.generator("Assembly Press")
    fg.load_extension("dc", atom=False, rss=True)
    for item in feed.entries:
        fe = fg.add_entry(order="append")
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
    return fg


def atom(feed: Feed, self_url: str) -> bytes:
    return _generator(feed, self_url, "application/atom+xml").atom_str(pretty=True)


def rss(feed: Feed, self_url: str) -> bytes:
    return _generator(feed, self_url, "application/rss+xml").rss_str(pretty=True)

"""The shape of paginated lists: pages that keep their contents when a new article is published.

Pelican numbers a list's pages from the newest article: page 2 holds the 11th to 20th newest, so one
article published moves every article of every page one place along, and every page of the list —
387 of the home page's at 5,000 articles, with every tag's and author's — is made again after one
vote. The press cuts the list from its other end instead (``PRESS_STABLE_PAGES``, always on in a
press build):

- the list's first page (``index.html``, a tag's or author's page) shows the newest articles: all
  of them up to twice the page size less one, else between one and two pages' worth;
- the older articles are cut into full pages *from the oldest*: ``page/2/`` holds the oldest page's
  worth, ``page/3/`` the next, and so on up to the newest full page, each page linking to the newer
  and the older one beside it;
- a page shows its articles and the links beside it, never the number of pages: nothing on it
  changes when the list grows at its newest end.

So publishing an article changes the first page alone; once in every page's worth of articles the
first page hands its oldest to a new numbered page (three pages change: the first, the new one and
the one it follows). An article retracted, or approved with an older date, changes the pages from
its own to the newest. A numbered page's address keeps showing the same articles: a link to it
stays true.
"""

from __future__ import annotations

from dataclasses import dataclass

from pelican.paginator import Page, Paginator


class StablePaginator(Paginator):
    """Pelican's paginator with the press's shape: positions run from the first page (1, the newest
    articles) to the oldest page (:attr:`num_pages`), as Pelican's writer walks them; a page's
    *number* — in its address — counts full pages from the oldest, starting at 2."""

    def __init__(self, name, url, object_list, settings, per_page=None):
        super().__init__(name, url, object_list, settings, per_page)
        size = self.per_page or 1
        self.full = max(0, len(object_list) // size - 1) if self.per_page else 0  # numbered pages
        self.first = len(object_list) - self.full * size  # the first page's articles

    @property
    def num_pages(self) -> int:
        return 1 + self.full

    def number_at(self, position: int) -> int:
        """The number in the address of the page at ``position``."""
        return 1 if position == 1 else self.num_pages - position + 2

    def position_of(self, number: int) -> int:
        """Where the page numbered ``number`` stands in the list."""
        if not (isinstance(number, int) and 1 <= number <= self.num_pages):
            raise ValueError(f"no page numbered {number!r}")
        return 1 if number == 1 else self.num_pages - number + 2

    def page(self, position: int) -> "StablePage":
        """The page at ``position`` (1: the first page; :attr:`num_pages`: the oldest page)."""
        if not 1 <= position <= self.num_pages:
            raise ValueError(f"no page at position {position} of {self.num_pages}")
        if position == 1:
            items = self.object_list[: self.first]
        else:
            start = self.first + (position - 2) * self.per_page
            items = self.object_list[start : start + self.per_page]
        return StablePage(self.name, self.url, items, self.number_at(position), self, self.settings, position)


class StablePage(Page):
    """One page of a :class:`StablePaginator`. ``number`` names the page in its address (1 for the
    first page). ``paginator`` is what a template may reach of the list: the pages beside this one
    (:class:`Neighbours`), never the number of pages. Where the page stands in the list moves as the
    list grows, so a template is never given it: ``next_page_number()`` and
    ``previous_page_number()`` are the numbers of the pages beside it (in its key, :meth:`shown`),
    and the list itself is kept out of reach of the template's plain attribute names."""

    def __init__(self, name, url, object_list, number, paginator, settings, position):
        super().__init__(name, url, object_list, number, paginator, settings)
        self._whole = paginator
        self._position = position
        self.paginator = Neighbours(paginator, position)

    def has_next(self) -> bool:  # an older page
        return self._position < self._whole.num_pages

    def has_previous(self) -> bool:  # a newer page
        return self._position > 1

    def next_page_number(self) -> int | None:
        """The number of the older page beside this one (None for the oldest)."""
        return self._whole.number_at(self._position + 1) if self.has_next() else None

    def previous_page_number(self) -> int | None:
        """The number of the newer page beside this one (None for the first page)."""
        return self._whole.number_at(self._position - 1) if self.has_previous() else None

    def shown(self) -> tuple:
        """What a template can show of this page: its address, its articles, and the addresses of the
        pages beside it (its key, press.site.memo)."""
        beside = [self._whole.page(p) for p in (self._position - 1, self._position + 1) if 1 <= p <= self._whole.num_pages]
        return (self.number, self.base_name, self.base_url, list(self.object_list), [(link.number, link.url) for link in beside])

    def __repr__(self) -> str:
        return f"<StablePage {self.number}>"


class Neighbours:
    """A page's view of its list: ``page(number)`` names the page itself or one beside it (by the
    number in its address, as ``next_page_number()`` gives it), as a :class:`PageLink` — its
    address, never its articles."""

    def __init__(self, whole: StablePaginator, position: int):
        self._whole = whole  # the list, not the page: a page and its view never refer to each other (no cycle to collect)
        self._position = position

    def page(self, number: int) -> "PageLink":
        whole = self._whole
        position = whole.position_of(number)
        if abs(position - self._position) > 1:
            raise ValueError("a page links only to the pages beside it")
        page = whole.page(position)
        return PageLink(page.number, page.url, page.save_as)


@dataclass(frozen=True)
class PageLink:
    """A page of a list as the page beside it links to it."""

    number: int
    url: str
    save_as: str


# What only a list's first page shows (the home page's lead, its stories chosen by the council, its
# sections and assemblies): a numbered page is not given it, so what changes there never makes
# every page of the list again. The theme shows these on the first page only.
FIRST_PAGE_ONLY = ("front",)


def page_context(localcontext: dict) -> dict:
    """The context a page of a list is rendered (and keyed) with: a numbered page without
    :data:`FIRST_PAGE_ONLY`. Any other page's context is returned as it is."""
    page = localcontext.get("articles_page")
    if not isinstance(page, StablePage) or page.number == 1 or not any(localcontext.get(v) is not None for v in FIRST_PAGE_ONLY):
        return localcontext
    return {**localcontext, **dict.fromkeys(FIRST_PAGE_ONLY)}

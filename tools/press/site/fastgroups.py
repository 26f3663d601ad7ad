"""Tag, category and author pages without Pelican's quadratic date lists.

For every tag, category and author, Pelican's ``ArticlesGenerator`` builds the group's articles
in date order as ``[a for a in self.dates if a in articles]``: a scan of every article with a
list lookup each, so O(articles x group size) per group and quadratic over the site (about a
third of a warm rebuild at 20,000 articles). :class:`FastGroupsArticlesGenerator` computes the
same lists from each article's position in ``self.dates`` — the same articles, in the same order,
each once — and otherwise writes exactly what Pelican writes. ``tests/test_fastgroups.py``
compares its pages with Pelican's own, file for file.

Pelican's articles have no ``__eq__``, so ``a in articles`` is a test of identity, as here.
"""

from __future__ import annotations

import logging

from pelican.generators import ArticlesGenerator
from pelican.writers import FileOverwriteFailedError

from .pelican_adapter import make_articles_generator

logger = logging.getLogger("pelican.generators")


class FastGroupsArticlesGenerator(ArticlesGenerator):
    """Pelican's articles generator, writing tag, category and author pages in linear time."""

    def _write_groups(self, groups, template_name: str, kind: str, plural: str, write) -> None:
        template = self.get_template(template_name)
        index = {id(article): n for n, article in enumerate(self.dates)}
        if len(index) != len(self.dates):  # one article listed twice: keep Pelican's own (slow) lists
            in_order = lambda articles: [a for a in self.dates if a in articles]  # noqa: E731
        else:
            in_order = lambda articles: _in_date_order(articles, index)  # noqa: E731
        for group, articles in groups:
            try:
                write(
                    group.save_as,
                    template,
                    self.context,
                    url=group.url,
                    **{template_name: group},
                    articles=articles,
                    dates=in_order(articles),
                    template_name=template_name,
                    blog=True,
                    page_name=group.page_name,
                    all_articles=self.articles,
                )
            except FileOverwriteFailedError:
                if not group.slug:
                    logger.info(
                        '%s "%s" has an invalid slug; skipping writing %s page...',
                        kind,
                        group,
                        template_name,
                        extra={"limit_msg": f"Further {plural} with invalid slugs."},
                    )
                    continue
                logger.error('Failed to write %s page for "%s".', kind, group)
                raise

    def generate_tags(self, write):
        """Generate Tags pages."""
        self._write_groups(self.tags.items(), "tag", "Tag", "tags", write)

    def generate_categories(self, write):
        """Generate category pages."""
        self._write_groups(self.categories, "category", "Category", "categories", write)

    def generate_authors(self, write):
        """Generate Author pages."""
        self._write_groups(self.authors, "author", "Author", "authors", write)


def _in_date_order(articles, index: dict[int, int]) -> list:
    """The group's articles in the order of ``self.dates`` (``index``: id -> position), each once,
    only those listed there — what ``[a for a in self.dates if a in articles]`` gives."""
    unique = {id(a): a for a in articles if id(a) in index}
    return sorted(unique.values(), key=lambda a: index[id(a)])


def install(generator) -> None:
    """Signal ``article_generator_init``: make Pelican's own articles generator the linear one.
    (A generator of another class, from another plugin, is left as it is.)"""
    make_articles_generator(generator, FastGroupsArticlesGenerator)

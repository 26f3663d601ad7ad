"""Every internal link of the built sample press works where the press will be read: opened from
disk, served at a domain root, and served under a subpath (where GitHub Pages puts a project site).

The checker reads every HTML page, feed, the sitemap, robots.txt, the web manifest, the calendars
and the search index, resolves each URL the way a browser (or feed reader) would, and fetches it
from a real HTTP server on 127.0.0.1 — or, for "from disk", looks for the file. Fragments
(``ledger.html#2026-07-07-1``) must name an element of the page.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import icalendar
import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import copy_sample
from press.cli import main

FEED_DOMAIN = "http://localhost:8000"  # pelicanconf.py: where feeds and canonical URLs point
PREFIX = "/press/"


class _Links(HTMLParser):
    """URLs a reader can follow or a browser loads, and the ids fragments may point at."""

    ATTRIBUTES = {"href", "src", "poster", "action"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.absolute: list[str] = []  # canonical / sharing URLs: absolute by design
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "meta" and (attrs.get("property") or attrs.get("name") or "") in ("og:url", "og:image", "twitter:image"):
            self.absolute.append(attrs["content"])
        if tag == "link" and attrs.get("rel") == "canonical":
            self.absolute.append(attrs["href"])
            return
        if tag == "form":
            return  # the search form posts nowhere
        for name in self.ATTRIBUTES & attrs.keys():
            if attrs[name] is not None:
                self.urls.append(attrs[name])
        if tag == "script" and attrs.get("type") == "module":
            self._module = True

    def handle_data(self, data):
        if getattr(self, "_module", False):
            self.urls += re.findall(r'import\("([^"]+)"\)', data)
            self._module = False


def parse_html(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def feed_urls(path: Path) -> list[str]:
    """Every URL in an Atom or RSS feed: links, ids, enclosures, icons, podcast art."""
    tree = etree.parse(str(path))
    urls = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        for attr in ("href", "url"):
            if element.get(attr):
                urls.append(element.get(attr))
        if name in ("link", "icon", "logo", "guid", "loc") and element.text and element.text.strip().startswith("http"):
            urls.append(element.text.strip())
        if name == "id" and element.text and element.text.startswith("http"):
            urls.append(element.text.strip())
    return urls


def json_feed_urls(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    urls = [data["home_page_url"], data["feed_url"], data["icon"], data["favicon"]]
    for item in data["items"]:
        urls += [item["id"], item["url"]]
        urls += [a["url"] for a in item.get("attachments", [])]
        for html in (item.get("content_html", ""), item.get("summary", "")):
            urls += [urljoin(item["url"], u) for u in re.findall(r'(?:href|src)="([^"]+)"', html)]
    return urls


def search_index_urls(site: Path) -> list[str]:
    """The page URLs in Pagefind's fragments (gzip, "pagefind_dcd" signature, JSON)."""
    urls = []
    for fragment in sorted((site / "pagefind/fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        urls.append(json.loads(data[12:])["url"])
    assert urls, "the search index is empty"
    return urls


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("links") / "sample")
    result = CliRunner().invoke(main, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    return root / "output"


class _Prefixed(http.server.SimpleHTTPRequestHandler):
    """Serves the site under ``prefix`` only, as a project site on GitHub Pages is."""

    prefix = "/"

    def translate_path(self, path):
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return "/nonexistent/outside-the-prefix"
        return super().translate_path("/" + clean[len(self.prefix):])

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextmanager
def serve(folder: Path, prefix: str):
    handler = type("Handler", (_Prefixed,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


# The host serves 404.html at any depth, so its links start from the site's root (or from the absolute
# SITEURL of a published build): it is checked on its own, not from disk (test_the_404_page_links_from_the_root).
NOT_FOUND = "404.html"


def sources(site: Path) -> dict[str, tuple[list[str], list[str]]]:
    """For each output file that holds URLs: (URLs relative to the file, absolute URLs)."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or rel.startswith(("pagefind/", "theme/")) or rel == NOT_FOUND:
            continue
        if path.suffix == ".html":
            links = parse_html(path)
            found[rel] = (links.urls, links.absolute)
        elif path.suffix in (".atom", ".rss") or path.name == "sitemap.xml":
            found[rel] = ([], feed_urls(path))
        elif path.name == "feed.json":
            found[rel] = ([], json_feed_urls(path))
        elif path.name == "robots.txt":
            found[rel] = ([], re.findall(r"Sitemap: (\S+)", path.read_text()))
        elif path.name == "manifest.webmanifest":
            data = json.loads(path.read_text())
            found[rel] = ([data["start_url"]] + [i["src"] for i in data["icons"]], [])  # (scope is a prefix, not a page)
        elif path.suffix == ".ics":
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
            urls = [str(e["url"]) for e in calendar.walk("VEVENT")]
            urls += [u for e in calendar.walk("VEVENT") for u in re.findall(r"https?://\S+", str(e["description"]))]
            found[rel] = ([], urls)
    return found


def is_internal(url: str) -> bool:
    return not urlsplit(url).scheme or url.startswith(FEED_DOMAIN + "/")


def site_path(url: str) -> str:
    """An absolute press URL as a path inside the site."""
    return url[len(FEED_DOMAIN) + 1:]


class Checker:
    def __init__(self, site: Path):
        self.site = site
        self.ids: dict[str, set[str]] = {}
        self.problems: list[str] = []

    def ids_of(self, rel: str) -> set[str]:
        if rel not in self.ids:
            self.ids[rel] = parse_html(self.site / rel).ids
        return self.ids[rel]

    def fragment_ok(self, rel: str, fragment: str) -> bool:
        return not fragment or not rel.endswith(".html") or unquote(fragment) in self.ids_of(rel)

    def on_disk(self, source: str, url: str) -> None:
        """From disk a link must name a file: a browser shows a folder as a listing, not its index.html."""
        parts = urlsplit(urljoin(f"file:///site/{source}", url))
        if parts.scheme != "file":
            return
        target = unquote(parts.path).removeprefix("/site/")
        if not (self.site / target).is_file():
            self.problems.append(f"disk: {source}: {url} -> {target or '(site folder)'} is not a file")
        elif not self.fragment_ok(target, parts.fragment):
            self.problems.append(f"disk: {source}: {url} -> no id {parts.fragment!r} in {target}")

    def served(self, base: str, source: str, url: str, absolute: bool, fetched: dict) -> None:
        target_url = urljoin(base, site_path(url)) if absolute else urljoin(base + source, url)
        parts = urlsplit(target_url)
        if not target_url.startswith(base):
            self.problems.append(f"{base}: {source}: {url} leaves the site ({target_url})")
            return
        page = parts._replace(fragment="", query="").geturl()
        if page not in fetched:
            try:
                with urllib.request.urlopen(page, timeout=10) as response:
                    fetched[page] = (response.status, response.geturl())
            except urllib.error.HTTPError as error:
                fetched[page] = (error.code, page)
        status, final = fetched[page]
        if status != 200:
            self.problems.append(f"{base}: {source}: {url} -> {page} answers {status}")
            return
        rel = urlsplit(final).path[len(urlsplit(base).path):]
        rel = rel + "index.html" if rel.endswith("/") or not rel else rel
        if not self.fragment_ok(rel, parts.fragment):
            self.problems.append(f"{base}: {source}: {url} -> no id {parts.fragment!r} in {rel}")


def test_every_internal_link_works_from_disk_at_a_root_and_under_a_subpath(site):
    found = sources(site)
    index_urls = search_index_urls(site)
    checker = Checker(site)
    counted = 0
    for source, (relative, absolute) in found.items():
        for url in relative:
            if is_internal(url) and not url.startswith(FEED_DOMAIN):
                checker.on_disk(source, url)
                counted += 1
    for prefix in ("/", PREFIX):
        with serve(site, prefix) as base:
            fetched: dict = {}
            for source, (relative, absolute) in found.items():
                for url in relative:
                    if is_internal(url):
                        checker.served(base, source, url, url.startswith(FEED_DOMAIN), fetched)
                for url in absolute:
                    if is_internal(url):
                        checker.served(base, source, url, True, fetched)
                    counted += 1
            # Pagefind prefixes each result's URL with the folder that holds pagefind/ (the site).
            for url in index_urls:
                checker.served(base, "", url.lstrip("/"), False, fetched)
            assert len(fetched) > 60
    assert counted > 1000  # the checker really saw the site's links
    assert checker.problems == []


def test_the_checker_notices_broken_links(site, tmp_path):
    """A folder link, a missing page, a missing fragment and a root-absolute link are all caught."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/index.html").write_text('<p id="here">x</p>')
    (tmp_path / "page.html").write_text("")
    checker = Checker(tmp_path)
    checker.on_disk("page.html", "sub/")  # a folder: from disk, a listing
    checker.on_disk("page.html", "gone.html")
    checker.on_disk("page.html", "sub/index.html#nowhere")
    checker.on_disk("page.html", "sub/index.html#here")  # fine
    with serve(tmp_path, PREFIX) as base:
        checker.served(base, "page.html", "/sub/index.html", False, {})  # root-absolute: outside the prefix
        checker.served(base, "page.html", "sub/", False, {})  # fine when served
    assert len(checker.problems) == 4, checker.problems


def test_every_page_leads_to_the_archives_topics_and_writers(site):
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        if rel.startswith(("pagefind/", "admin/")):  # the search index; the writers' desk (Decap's own app)
            continue
        base = "file:///site/" if rel == NOT_FOUND else f"file:///site/{rel}"  # its links start from the root
        targets = {urljoin(base, url.lstrip("/") if rel == NOT_FOUND else url).removeprefix("file:///site/") for url in parse_html(page).urls}
        assert {"archives.html", "tags.html", "authors.html", "index.html", "assemblies.html"} <= targets, rel


def test_every_page_is_reachable_from_the_home_page(site):
    # Reader pages: not the search index's fragments, nor the writers' desk (admin/, Decap's own app,
    # reached by writers from docs/writing-in-the-browser.md rather than from the reader's pages).
    pages = {
        p.relative_to(site).as_posix() for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith(("pagefind/", "admin/"))
        and p.name != NOT_FOUND  # shown by the host for a missing address, linked from nowhere
    }  # fmt: skip
    seen, todo = set(), ["index.html"]
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        for url in parse_html(site / rel).urls:
            target = urlsplit(urljoin(f"file:///site/{rel}", url)).path.removeprefix("/site/")
            if target in pages:
                todo.append(target)
    assert pages - seen == set()


def test_sitemap_lists_the_discovery_pages(site):
    locs = set(re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text()))
    for page in ("archives.html", "tags.html", "authors.html", "tag/housing.html", "author/ana-ruiz.html", "springfield/", "springfield/ledger.html"):
        assert f"{FEED_DOMAIN}/{page}" in locs, page
    for tag in (site / "tag").glob("*.html"):
        assert f"{FEED_DOMAIN}/tag/{tag.name}" in locs
    for author in (site / "author").glob("*.html"):
        assert f"{FEED_DOMAIN}/author/{author.name}" in locs


def test_paginated_lists_link_files_that_exist_from_disk(sample):
    """Page 2 of the home page, a chapter, a tag and an author: every link names a file."""
    conf = sample / "pelicanconf.py"
    conf.write_text(conf.read_text() + "\nDEFAULT_PAGINATION = 1\n")
    result = CliRunner().invoke(main, ["--root", str(sample), "build", "--no-search"])
    assert result.exit_code == 0, result.output
    site = sample / "output"  # (built without the search index: search.html's link to it is not checked)
    for page in ("page/2/index.html", "springfield/page/2/index.html", "tag/housing/page/2/index.html"):
        assert (site / page).is_file(), page
    checker = Checker(site)
    for source, (relative, _) in sources(site).items():
        for url in relative:
            if is_internal(url) and "pagefind/" not in url:
                checker.on_disk(source, url)
    assert checker.problems == []
    home2 = parse_html(site / "page/2/index.html").urls
    assert "../../index.html" in home2 and "../../page/3/index.html" in home2


def test_the_404_page_links_from_the_root(site, sample):
    """Served for a missing address at any depth: every link of 404.html names a file from the site's
    root; in a published build (absolute SITEURL) every link is absolute."""
    urls = [u for u in parse_html(site / NOT_FOUND).urls if is_internal(u) and not u.startswith(("#", "http"))]
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        assert (site / site_path(url.lstrip("/"))).exists(), url
    result = CliRunner().invoke(main, ["--root", str(sample), "build", "--publish", "--no-search"])
    assert result.exit_code == 0, result.output
    published = [u for u in parse_html(sample / "output" / NOT_FOUND).urls if not u.startswith("#")]
    assert published and all(u.startswith("https://press.example.org/") for u in published if "example.org" in u or u.startswith((".", "/")))

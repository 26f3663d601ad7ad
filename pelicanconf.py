"""Pelican settings for the press. `press build` uses this file; `press build --publish` uses publishconf.py."""

import os

from press.cache import cache_dir

ROOT = os.path.dirname(os.path.abspath(__file__))

SITENAME = "Assembly Press"
SITESUBTITLE = "News approved, article by article, by the votes of our community assemblies"
SITEURL = ""
RELATIVE_URLS = True
# Feeds need absolute links even on a local build; publishconf.py sets the real address.
FEED_DOMAIN = "http://localhost:8000"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = os.path.join(ROOT, "content")
OUTPUT_PATH = os.path.join(ROOT, "output")
THEME = os.path.join(ROOT, "theme")
# Outside the repository: a cache is pickles, and a pull request must not be able to plant one.
CACHE_PATH = str(cache_dir(ROOT, "pelican"))

# The editorial gate and the press's own pages and feeds.
PLUGINS = ["press.site"]
PRESS_ROOT = ROOT
PRESS_FEED_CONTENT = "full"  # "full" or "summary"
PRESS_FEED_MAX_ITEMS = 50  # newest articles in each article feed; None for all
# Who answers for the podcast feeds (Apple and other directories write to this address).
PRESS_PODCAST_OWNER = ("Assembly Press", "press@example.org")
# Writers' HTML is sanitized; iframes survive only from these hosts (https).
PRESS_IFRAME_HOSTS = ["www.youtube-nocookie.com", "player.vimeo.com"]

# The writers' desk, admin/ (Decap CMS; docs/writing-in-the-browser.md): the GitHub repository
# "owner/name" drafts go to, its branch, and the OAuth client that logs writers in to GitHub.
PRESS_REPO = os.environ.get("PRESS_REPO")
PRESS_BRANCH = os.environ.get("PRESS_BRANCH", "main")
PRESS_CMS_AUTH_URL = os.environ.get("PRESS_CMS_AUTH_URL")  # e.g. https://api.netlify.com, or your own OAuth client
PRESS_CMS_AUTH_ENDPOINT = os.environ.get("PRESS_CMS_AUTH_ENDPOINT")

# A list's first page shows its newest articles (from this many up to twice as many less one); the
# older ones are cut into pages of this many from the oldest, so a page keeps its articles when a
# new one is published (press/site/pagination.py).
DEFAULT_PAGINATION = 10
# Page 2 of anything lives in its own folder, so no page can collide with another name. Links
# name the file (…/index.html), so they work opened from disk too.
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/index.html", "{base_name}/page/{number}/index.html"),
)

# Content caching is safe: the press decides every article on every build.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "sha256"
GZIP_CACHE = False  # the cache is rewritten on every build: compressing it costs more than it saves

"""Settings for the published site: `press build --publish`."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PRESS_SITEURL", "https://press.example.org")
# Links between pages stay relative, so the same site works at a domain root, under a subpath
# (a GitHub Pages project site) and opened from disk. Canonical URLs and feeds use FEED_DOMAIN.
RELATIVE_URLS = True
FEED_DOMAIN = SITEURL
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

"""Settings for the published site: `press build --publish`."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PRESS_SITEURL", "https://press.example.org")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
# Caches stay on (pelicanconf.py): the publish workflow restores them from its last deploy, so a deploy
# renders only what changed. They live outside the repository (press.cache) and never decide what is
# published; Pelican's own cache is not told apart by settings, so published builds keep their own.
CACHE_PATH = str(cache_dir(ROOT, "pelican-publish"))  # noqa: F405

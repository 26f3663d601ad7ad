"""Settings for the published site: `press build --publish`."""

import os
import runpy

from press.cache import cache_dir

# Every setting of the pelicanconf.py beside this file, read by its path: `from pelicanconf import *`
# would take whichever pelicanconf a process loaded last, perhaps another press's.
_HERE = os.path.dirname(os.path.abspath(__file__))
globals().update({k: v for k, v in runpy.run_path(os.path.join(_HERE, "pelicanconf.py")).items() if k.isupper()})

SITEURL = os.environ.get("PRESS_SITEURL", "https://press.example.org")
# Links between pages stay relative, so the same site works at a domain root, under a subpath
# (a GitHub Pages project site) and opened from disk. Canonical URLs and feeds use FEED_DOMAIN.
RELATIVE_URLS = True
FEED_DOMAIN = SITEURL
# Caches stay on (pelicanconf.py): the publish workflow restores them from its last deploy, so a deploy
# renders only what changed. They live outside the repository (press.cache) and never decide what is
# published; Pelican's own cache is not told apart by settings, so published builds keep their own.
CACHE_PATH = str(cache_dir(ROOT, "pelican-publish"))  # noqa: F821 (ROOT: from pelicanconf.py)

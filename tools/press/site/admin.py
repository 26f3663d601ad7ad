"""The writers' browser door: Decap CMS's ``admin/``, generated from the press's own records.

The build writes it (:mod:`press.site.generator`); :mod:`press.cms` names it for the commands.

``admin/config.yml`` has one collection per assembly (``content/<assembly>/``), the fields that
``press new`` writes plus an image and audio, attachments stored in the article's bundle folder
``content/<assembly>/<slug>/`` and linked as ``<slug>/file.ext``, and ``publish_mode:
editorial_workflow``: every draft is a branch and a pull request that goes through the press
check. Decap's "Publish" button merges a draft into the repository; only a recorded vote of the
assembly publishes it on the site.

Writers need no write access to the repository: with ``open_authoring``, Decap forks the repository
for a writer who cannot push to it, keeps her drafts on branches of her fork, and opens a pull
request from the fork when she sets a draft "In review". Whoever can push (editors, maintainers)
keeps working on branches of the repository itself.

The Decap script is pinned to one version and loaded with a Subresource Integrity hash: the
browser refuses any other bytes. ``package.json`` pins the same version for the tests and for
``npx decap-server``; a test checks that the hash below matches the npm package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from ..problems import PressError
from ..records import Assembly

DECAP_VERSION = "3.16.3"
DECAP_SCRIPT = f"https://unpkg.com/decap-cms@{DECAP_VERSION}/dist/decap-cms.js"
DECAP_INTEGRITY = "sha384-A/Gdn928CNLufmnGWGs9RM4Q9o8bSNLeJERqBFrBjwzL7FRpoLT3MPF8Tl0+Wd2p"

REPO_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
# The files the build writes into admin/, and why each is there.
FILES = {
    "admin/index.html": "the page writers open: loads the pinned Decap script (SRI) and the press's preview",
    "admin/config.yml": "Decap's configuration, generated from editorial/assemblies/",
    "admin/press.js": "the press's article format (both header styles) and preview template for drafts",
}


@dataclass(frozen=True)
class Settings:
    """How the CMS reaches the repository (from pelicanconf.py / publishconf.py)."""

    repo: str | None = None  # PRESS_REPO, "owner/name" on GitHub
    branch: str = "main"  # PRESS_BRANCH
    auth_url: str | None = None  # PRESS_CMS_AUTH_URL: the OAuth client's base_url
    auth_endpoint: str | None = None  # PRESS_CMS_AUTH_ENDPOINT
    site_url: str | None = None
    sitename: str = "Assembly Press"
    script: str = DECAP_SCRIPT  # PRESS_DECAP_SCRIPT: another copy of the same bytes (self-hosting)

    @classmethod
    def from_pelican(cls, settings: dict) -> "Settings":
        def get(key):
            value = settings.get(key)
            return str(value).strip() if value not in (None, "") else None

        made = cls(
            repo=get("PRESS_REPO"),
            branch=get("PRESS_BRANCH") or "main",
            auth_url=get("PRESS_CMS_AUTH_URL"),
            auth_endpoint=get("PRESS_CMS_AUTH_ENDPOINT"),
            site_url=get("SITEURL"),
            sitename=get("SITENAME") or "Assembly Press",
            script=get("PRESS_DECAP_SCRIPT") or DECAP_SCRIPT,
        )
        if made.repo is not None and not REPO_RE.fullmatch(made.repo):
            raise PressError(f"PRESS_REPO {made.repo!r} must be the GitHub repository as owner/name, e.g. springfield-party/press")
        if not BRANCH_RE.fullmatch(made.branch):
            raise PressError(f"PRESS_BRANCH {made.branch!r} is not a branch name")
        for key, value in (("PRESS_CMS_AUTH_URL", made.auth_url), ("PRESS_DECAP_SCRIPT", made.script)):
            if value is not None and not value.startswith("https://") and not value.startswith("http://127.0.0.1"):
                raise PressError(f"{key} must be an https:// address, not {value!r}")
        return made


def description(assembly: Assembly) -> str:
    return (
        f"Articles proposed to {assembly.name}. 'Save' keeps your draft on its own branch, as a pull request; "
        f"set its status to 'In review' when the assembly's editors should read it. 'Publish' in this editor only merges the draft "
        f"into the press's repository (it is submitted): it appears on the site only after {assembly.name} "
        f"votes at a meeting to publish exactly this text. Add pictures after writing the title."
    )


def collection(assembly: Assembly) -> dict:
    """One assembly's folder collection. Media go to content/<assembly>/<slug>/ and are linked as
    <slug>/file.ext: Decap evaluates a collection's media_folder relative to the entry's folder, and
    ``{{slug}}`` is the slug it gives the new file (``{{filename}}`` is empty until the first save)."""
    return {
        "name": assembly.id,
        "label": assembly.name,
        "label_singular": "article",
        "description": description(assembly),
        "folder": f"content/{assembly.id}",
        "create": True,
        "delete": False,
        "extension": "md",
        "format": "press-markdown",  # admin/press.js: reads both header styles, writes YAML front matter
        "slug": "{{slug}}",
        "media_folder": "{{slug}}",
        "public_folder": "{{slug}}",
        "summary": "{{title}}",
        "sortable_fields": ["title"],
        "fields": [
            {"label": "Title", "name": "title", "widget": "string", "hint": "Write the title first: the article's file and picture folder are named after it."},
            {"label": "Authors", "name": "authors", "widget": "list", "required": False, "hint": "Names as they appear on the article, separated by commas."},
            {"label": "Summary", "name": "summary", "widget": "text", "required": False, "hint": "One or two sentences that sell the piece."},
            {"label": "Tags", "name": "tags", "widget": "list", "required": False, "hint": "Separated by commas."},
            {"label": "Language", "name": "lang", "widget": "string", "default": "en", "pattern": ["^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", "A language code such as en, es or pt-BR"]},
            {"label": "Lead image", "name": "image", "widget": "image", "required": False, "choose_url": False},
            {"label": "Lead image description", "name": "image_alt", "widget": "string", "required": False, "hint": "What the picture shows, for readers who cannot see it."},
            {"label": "Audio", "name": "audio", "widget": "file", "required": False, "choose_url": False, "hint": "An .mp3, .m4a, .ogg, .opus or .wav recording (for a podcast episode)."},
            {"label": "Text", "name": "body", "widget": "markdown"},
        ],
    }


def config(assemblies: list[Assembly], settings: Settings) -> dict:
    # open_authoring: writers without write access draft in their own fork (needs editorial_workflow)
    backend: dict = {"name": "github", "branch": settings.branch, "squash_merges": True, "open_authoring": True}
    if settings.repo:
        backend["repo"] = settings.repo
    if settings.auth_url:
        backend["base_url"] = settings.auth_url
    if settings.auth_endpoint:
        backend["auth_endpoint"] = settings.auth_endpoint
    backend["commit_messages"] = {
        "create": "Propose “{{slug}}” (from the browser)",
        "update": "Edit “{{slug}}” (from the browser)",
        "uploadMedia": "Add {{path}} (from the browser)",
        "deleteMedia": "Remove {{path}} (from the browser)",
    }
    data: dict = {
        "backend": backend,
        "local_backend": True,
        "publish_mode": "editorial_workflow",
        # Required by Decap; every collection stores its media in the article's own bundle instead.
        "media_folder": "content/images",
        "public_folder": "/images",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
    }
    if settings.site_url:
        data["site_url"] = data["display_url"] = settings.site_url
    data["collections"] = [collection(a) for a in sorted(assemblies, key=lambda a: a.name.lower())]
    return data


_HEADER = "# Generated by `press build` from editorial/assemblies/ — edits here are overwritten on every build.\n"


def config_yml(assemblies: list[Assembly], settings: Settings) -> str:
    # libyaml's emitter where installed (8x faster at 100 assemblies, the same text), else PyYAML's own
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return _HEADER + yaml.dump(config(assemblies, settings), Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)


def index_html(settings: Settings) -> str:
    from html import escape

    title = escape(f"Write for {settings.sitename}")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="same-origin">
<title>{title}</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
<noscript>The writing desk needs JavaScript. You can also write articles as Markdown files and send them by pull request.</noscript>
<script src="{escape(settings.script)}" integrity="{DECAP_INTEGRITY}" crossorigin="anonymous"></script>
<script src="press.js"></script>
</body>
</html>
"""


def press_js(assemblies: list[Assembly], stylesheet: str) -> str:
    names = {a.id: a.name for a in assemblies}
    template = resources.files(__package__).joinpath("admin.js").read_text(encoding="utf-8")  # served as admin/press.js
    return (
        "// Generated by `press build`: the press's article format and preview of drafts.\n"
        f"const PRESS_ASSEMBLIES = {json.dumps(names, ensure_ascii=False)};\n"
        f"const PRESS_STYLESHEET = {json.dumps(stylesheet)};\n" + template
    )


def files(assemblies: list[Assembly], settings: Settings, stylesheet: str = "../theme/css/press.css") -> dict[str, str]:
    """``{output path: text}`` of admin/."""
    return {
        "admin/index.html": index_html(settings),
        "admin/config.yml": config_yml(list(assemblies), settings),
        "admin/press.js": press_js(list(assemblies), stylesheet),
    }

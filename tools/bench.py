"""Benchmark: what does a build cost, cold and warm, against plain Pelican and Hugo on equal work?

    .venv/bin/python tools/bench.py                              # 1,000 / 5,000 / 20,000 articles, 3 runs
    .venv/bin/python tools/bench.py --sizes 300,1000 --runs 1    # a quick look

For each size, generates a synthetic press in a temporary git repository — N articles over M
assemblies with realistic Markdown, rosters whose members join and leave, twelve monthly meetings
per assembly with roll-call votes that leave about 70% published and the rest awaiting a vote,
rejected, retracted or edited since approval — then asks the press which articles it publishes and
gives exactly those (the approved revision, for articles edited since) to plain Pelican and to Hugo.
Every command runs as its own process, as a user or CI would run it; the runs alternate the tools,
so machine noise hits all of them alike, and the report gives medians and peak memory (max RSS of
the process and the children it waited for, e.g. Pagefind):

- cold builds, no caches, no search: `press build --no-search`; plain `pelican` with an equivalent
  configuration (the same theme, pagination and per-assembly pages and feeds, no press plugin);
  `hugo` with a minimal site of comparable layout (skipped, with a note, where `hugo` is absent);
- warm rebuilds (`press build --no-search`, caches warm) after nothing changed, one edit to a
  published article, one vote (a new publish motion), one retraction and one roster change;
- the Pagefind search index on a warm build (a warm `press build` with search after one vote, less
  a warm `press build --no-search` after one vote; the build before each has an index too);
- `press verify`, warm (parsed records cached) and cold (empty cache folder);
- a CI-like deploy: a fresh clone at a fixed path with the cache folder of the previous deploy
  restored (as `.github/workflows/pages.yml` does with actions/cache), after one vote was merged:
  `press build --publish` with search.

It then prints the issue's table per size and each target of docs/performance.md as met or not met.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORDS = (
    "tenants rent union strike council budget housing transit workers wages shift harbour ferry bus "
    "library school repair boiler eviction neighbours meeting assembly vote delegate campaign petition "
    "landlord city ward street building contract water heat energy co-operative pension safety night"
).split()
TODAY = date(2026, 11, 21)

PLAIN_CONF = '''
import os
ROOT = os.path.dirname(os.path.abspath(__file__))
SITENAME = "Assembly Press"
SITESUBTITLE = "News approved by our assemblies"
SITEURL = ""
RELATIVE_URLS = True
FEED_DOMAIN = "http://localhost:8000"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = os.path.join(ROOT, "content")
OUTPUT_PATH = os.path.join(ROOT, "output")
THEME = os.path.join(ROOT, "theme")
CACHE_PATH = os.path.join(ROOT, "cache")
PLUGINS = []
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"))
ARTICLE_URL = ARTICLE_SAVE_AS = "{category}/{slug}.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
AUTHOR_URL = AUTHOR_SAVE_AS = "author/{slug}.html"
TAG_URL = TAG_SAVE_AS = "tag/{slug}.html"
PAGE_URL = PAGE_SAVE_AS = "{slug}.html"
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "authors", "archives"]
FEED_ALL_ATOM = "feed.atom"
FEED_ALL_RSS = "feed.rss"
CATEGORY_FEED_ATOM = "{slug}/feed.atom"
CATEGORY_FEED_RSS = "{slug}/feed.rss"
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50  # as PRESS_FEED_MAX_ITEMS in pelicanconf.py
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []}
STATIC_PATHS = ["images"]
SLUGIFY_SOURCE = "basename"
'''

# A minimal Hugo site with the same kinds of pages as the plain Pelican side: article pages,
# a paginated home page, a paginated page and a feed per assembly (section), tag and author pages,
# lists of tags and authors, a sitemap. Feeds carry the full text of the newest 50 articles.
HUGO_CONFIG = """
baseURL = "http://localhost:8000/"
title = "Assembly Press"
languageCode = "en"
relativeURLs = true
paginate = 10
disableKinds = ["robotsTXT", "404"]
[taxonomies]
tag = "tags"
author = "authors"
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
taxonomy = ["HTML"]
term = ["HTML"]
[services.rss]
limit = 50
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head><body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav>{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><a href="{{ "tags/" | relURL }}">Tags</a> <a href="{{ "authors/" | relURL }}">Authors</a></footer>
</body></html>
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .GetTerms "authors" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
in <a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ range (.Paginate $pages).Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p>{{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "_default/rss.xml": """{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}{{ printf `<?xml version="1.0" encoding="utf-8"?>` | safeHTML }}
<rss version="2.0"><channel><title>{{ .Title }}</title><link>{{ .Permalink }}</link><description>{{ .Site.Title }}</description>
{{ range first 50 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate><description>{{ .Content | html }}</description></item>
{{ end }}</channel></rss>
""",
}


# --------------------------------------------------------------------------- the synthetic press


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def article_text(rng: random.Random, title: str, author: str, day: date, version: int) -> str:
    paragraphs = []
    for section in range(3):
        paragraphs.append(f"## {sentence(rng, 4)[:-1]}")
        for _ in range(2):
            text = " ".join(sentence(rng, rng.randint(9, 18)) for _ in range(4))
            paragraphs.append(text.replace(" union ", " *union* ", 1).replace(" vote ", " [vote](https://example.org/vote) ", 1))
        if section == 1:
            paragraphs.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(4)))
    if version:
        paragraphs.append(f"*Corrected: revision {version}.*")
    tags = ", ".join(sorted({rng.choice(WORDS) for _ in range(3)}))
    header = f"Title: {title}\nAuthor: {author}\nDate: {day.isoformat()}\nSummary: {sentence(rng, 14)}\nTags: {tags}\n"
    return header + "\n" + "\n\n".join(paragraphs) + "\n"


def generate(root: Path, n_articles: int, n_assemblies: int, seed: int = 7) -> dict:
    """Write the synthetic press under ``root`` as a git repository; returns a few facts about it."""
    rng = random.Random(seed)
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copy(REPO / "pelicanconf.py", root / "pelicanconf.py")
    shutil.copy(REPO / "publishconf.py", root / "publishconf.py")
    (root / ".gitignore").write_text("/output/\n/.output.*\n")  # the site, and old sites being deleted
    (root / "content" / "pages").mkdir(parents=True)
    (root / "content" / "pages" / "about.md").write_text("Title: About\nSlug: about\n\nA synthetic press.\n")
    meetings_days = [date(2025, 12, 2) + timedelta(days=28 * i) for i in range(12)]
    facts = {"published": 0, "awaiting": 0, "rejected": 0, "retracted": 0, "edited": 0, "meetings": 0}
    edited_later: list[tuple[Path, str]] = []
    awaiting: list[str] = []
    per_assembly = [n_articles // n_assemblies + (1 if i < n_articles % n_assemblies else 0) for i in range(n_assemblies)]

    for a in range(n_assemblies):
        aid = f"a{a:03d}"
        members = []
        for m in range(rng.randint(12, 24)):
            joined = date(2024, 1, 1) + timedelta(days=rng.randint(0, 650))
            left = joined + timedelta(days=rng.randint(200, 900)) if rng.random() < 0.15 else None
            members.append((f"m{m:02d}", joined, left))
        lines = [f"name: Assembly {a}", f"region: District {a}", "meets: Every fourth Tuesday, 19:00, Hall", "timezone: Europe/Berlin",
                 "rules:", "  quorum: 3", "  threshold: majority", "  ballot: roll-call", "members:"]  # fmt: skip
        for mid, joined, left in members:
            lines.append(f"  - {{id: {mid}, name: Member {mid} of {aid}, joined: {joined}" + (f", left: {left}}}" if left else "}"))
        lines.append(f"editors: [{members[0][0]}]")
        (root / "editorial" / "assemblies").mkdir(parents=True, exist_ok=True)
        (root / "editorial" / "assemblies" / f"{aid}.yml").write_text("\n".join(lines) + "\n")

        motions: dict[date, list[str]] = {d: [] for d in meetings_days}
        folder = root / "content" / aid
        folder.mkdir(parents=True)
        for k in range(per_assembly[a]):
            slug = f"story-{k:03d}"
            day = rng.choice(meetings_days)
            text = article_text(rng, f"{sentence(rng, 5)[:-1]} ({aid} {k})", f"Writer {rng.randint(1, 60)}", day - timedelta(days=5), 0)
            path = folder / f"{slug}.md"
            path.write_bytes(text.encode())
            digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
            fate = rng.random()
            if fate < 0.70:
                kind = "published"
            elif fate < 0.80:
                kind = "awaiting"
            elif fate < 0.88:
                kind = "rejected"
            elif fate < 0.94:
                kind = "retracted"
            else:
                kind = "edited"
            facts[kind] += 1
            if kind == "awaiting":
                awaiting.append(f"{aid}/{slug}")
                continue
            if kind == "rejected":
                motions[day].append(f"  - reject: {aid}/{slug}\n")
                continue
            motions[day].append(f"  - publish: {aid}/{slug}\n    digest: {digest}\n")
            if kind == "retracted":
                later = [d for d in meetings_days if d > day]
                if later:
                    motions[later[0]].append(f"  - retract: {aid}/{slug}\n    reason: Figures were wrong.\n")
            if kind == "edited":
                edited_later.append((path, article_text(rng, "Edited", "Writer 1", day, 1)))

        for day in meetings_days:
            eligible = [m for m, joined, left in members if joined <= day and (left is None or day < left)]
            present = rng.sample(eligible, k=min(len(eligible), rng.randint(5, 10)))
            yes = present[: max(3, len(present) * 3 // 4)]
            no = [m for m in present if m not in yes]
            body = [f"present: [{', '.join(present)}]", "motions:"] if motions[day] else [f"present: [{', '.join(present)}]"]
            for motion in motions[day]:
                body.append(motion.rstrip("\n") + f"\n    yes: [{', '.join(yes)}]\n    no: [{', '.join(no)}]")
            out = root / "editorial" / "meetings" / aid / f"{day.isoformat()}.yml"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text("\n".join(body) + "\n")
            facts["meetings"] += 1

    git = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "synthetic press"], cwd=root, check=True)
    for path, text in edited_later:
        path.write_text(text)
    subprocess.run([*git, "commit", "-q", "-am", "edits after approval"], cwd=root, check=True)
    facts["awaiting_ids"] = awaiting
    return facts


# --------------------------------------------------------------------------- equal work for the others


def published_sources(root: Path) -> dict[str, bytes]:
    """Ask the press which articles it publishes: ``<assembly>/<slug>`` -> the bytes it renders
    (the file, or the approved revision from git for an article edited since its approval)."""
    import press

    model = press.load(root)
    found = {}
    for aid, decision in sorted(model.decisions.articles.items()):
        if model.publishable(decision):
            revision = model.revisions.get(aid)
            found[aid] = revision.data if revision else (root / decision.article.path).read_bytes()
    return found


def plain_site(folder: Path, root: Path, sources: dict[str, bytes]) -> None:
    """Plain Pelican's project: the press's theme, the published articles only, no plugin."""
    shutil.copytree(root / "theme", folder / "theme")
    shutil.copytree(root / "content" / "pages", folder / "content" / "pages")
    (folder / "plainconf.py").write_text(PLAIN_CONF)
    for aid, data in sources.items():
        path = folder / "content" / f"{aid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def hugo_site(folder: Path, sources: dict[str, bytes]) -> None:
    """The same published Markdown as a Hugo site: Pelican's metadata lines become YAML front matter."""
    folder.mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for aid, data in sources.items():
        header, _, body = data.decode().partition("\n\n")
        meta = dict(line.split(": ", 1) for line in header.splitlines())
        front = [
            f"title: {json.dumps(meta['Title'])}",
            f"date: {meta['Date']}",
            f"summary: {json.dumps(meta.get('Summary', ''))}",
            f"authors: {json.dumps([meta['Author']])}",
            f"tags: {json.dumps([t.strip() for t in meta.get('Tags', '').split(',') if t.strip()])}",
        ]
        path = folder / "content" / f"{aid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + body)


# --------------------------------------------------------------------------- changes a rebuild follows


class Changes:
    """One realistic change of each kind, a different article or assembly each time."""

    def __init__(self, root: Path, facts: dict, sources: dict[str, bytes]):
        self.root = root
        self.awaiting = list(facts["awaiting_ids"])
        # Edited: an article of a000 published as it is; retracted: published articles of the others.
        self.edited = next(a for a in sources if a.startswith("a000/") and sources[a] == (root / "content" / f"{a}.md").read_bytes())
        self.published = [aid for aid in sources if not aid.startswith("a000/")]
        self.assemblies = sorted(p.stem for p in (root / "editorial" / "assemblies").glob("*.yml"))
        self.count = 0

    def _last_meeting(self, assembly: str) -> tuple[Path, str, list[str]]:
        record = sorted((self.root / "editorial" / "meetings" / assembly).glob("*.yml"))[-1]
        text = record.read_text()
        present = text.split("\n")[0][len("present: [") : -1].split(", ")
        if "motions:" not in text:
            text += "motions:\n"
        return record, text, present

    def edit(self) -> None:
        """A writer edits a published article (it stays published as its approved revision)."""
        target = self.root / "content" / f"{self.edited}.md"
        target.write_text(target.read_text() + "\nOne more sentence.\n")

    def vote(self) -> None:
        """An editor records a vote publishing an article that awaited one."""
        aid = self.awaiting.pop()
        record, text, present = self._last_meeting(aid.split("/")[0])
        digest = "sha256:" + hashlib.sha256((self.root / "content" / f"{aid}.md").read_bytes()).hexdigest()
        record.write_text(text + f"  - publish: {aid}\n    digest: {digest}\n    yes: [{', '.join(present)}]\n")

    def retraction(self) -> None:
        """An editor records a vote retracting a published article, at the assembly's last meeting."""
        aid = self.published.pop()
        record, text, present = self._last_meeting(aid.split("/")[0])
        if f"publish: {aid}\n" in text:  # approved at that very meeting: retract another one
            return self.retraction()
        record.write_text(text + f"  - retract: {aid}\n    reason: Figures were wrong.\n    yes: [{', '.join(present)}]\n")
        self.retracted = aid

    def roster(self) -> None:
        """An editor adds a new member to an assembly's roster."""
        self.count += 1
        path = self.root / "editorial" / "assemblies" / f"{self.assemblies[self.count % len(self.assemblies)]}.yml"
        text = path.read_text().replace("editors:", f"  - {{id: new{self.count}, name: New Member {self.count}, joined: 2026-11-01}}\neditors:", 1)
        path.write_text(text)


# --------------------------------------------------------------------------- measuring


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MiB) of one command; raises if it fails."""
    start = time.perf_counter()
    process = _Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()  # reading the pipes as it runs: a chatty command never blocks
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{out.decode()}\n{err.decode()}")
    return elapsed, process.peak_mib


class _Popen(subprocess.Popen):
    """Popen that keeps the child's peak RSS from wait4 (which covers the children it waited for)."""

    peak_mib = 0

    def _try_wait(self, wait_flags):
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.peak_mib = usage.ru_maxrss // 1024
        return pid, status


def git(root: Path, *args: str) -> None:
    done = subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", *args], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {root}:\n{done.stderr}")


# The table, then the rest of the measurements, then peak memory.
TABLES = {
    "times, seconds": [
        ("press cold", "press cold (no search)"),
        ("plain", "plain Pelican, same published articles"),
        ("hugo", "Hugo, same articles"),
        ("warm edit", "press warm, one edit"),
        ("warm vote", "press warm, one vote"),
        ("warm nothing", "press warm, nothing changed"),
    ],
    "more times, seconds": [
        ("warm retraction", "press warm, one retraction"),
        ("warm roster", "press warm, one roster change"),
        ("index", "search index on a warm build"),
        ("search", "press warm with search, one vote"),
        ("verify warm", "press verify warm"),
        ("verify cold", "press verify cold"),
        ("ci", "CI-like deploy"),
    ],
}
PEAKS = [
    ("press cold", "press cold"),
    ("plain", "plain Pelican"),
    ("hugo", "Hugo"),
    ("warm vote", "press warm, one vote"),
    ("search", "press warm with search"),
    ("verify cold", "press verify cold"),
    ("ci", "CI-like deploy"),
]


def bench_size(folder: Path, articles: int, assemblies: int, runs: int, hugo: str | None) -> dict:
    """Every measurement at one size; returns name -> [(seconds, peak MiB), ...] and the press's facts."""
    root = folder / "press"
    root.mkdir(parents=True)
    os.environ["PRESS_CACHE_DIR"] = str(folder / "caches")  # the press's own, removed with the folder
    # Python's default for every command timed (the press and plain Pelican alike): compiled modules
    # kept in __pycache__, as on an ordinary install. An environment that turns it off makes each
    # command compile the press's modules again (about 0.05 s of every `press verify`).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    facts = generate(root, articles, assemblies)
    sources = published_sources(root)
    plain_site(folder / "plain", root, sources)
    if hugo:
        hugo_site(folder / "hugo", sources)
    counts = {k: v for k, v in facts.items() if k != "awaiting_ids"}
    print(f"\n== {articles} articles over {assemblies} assemblies, {len(sources)} published "
          f"(generated in {time.perf_counter() - t0:.1f}s): {counts}", flush=True)  # fmt: skip

    from press.cache import cache_dir

    press = [str(BIN / "press"), "--root", str(root)]
    results: dict[str, list[tuple[float, int]]] = {}
    changes = Changes(root, facts, sources)

    def measure(name: str, command: list[str], cwd: Path = root, before=None, env=None) -> None:
        if before:
            before()
        results.setdefault(name, []).append(run(command, cwd, env))

    def empty(*paths: Path) -> None:
        for path in paths:
            if path.is_symlink():  # the press's output: a link to the current build in .<name>.builds/
                path.unlink()
                shutil.rmtree(path.with_name(f".{path.name}.builds"), ignore_errors=True)
            else:
                shutil.rmtree(path, ignore_errors=True)

    for n in range(runs):  # alternate the tools, so machine noise hits them alike
        measure("press cold", [*press, "build", "--no-search"], before=lambda: empty(root / "output", cache_dir(root)))
        measure("plain", [str(BIN / "pelican"), "-s", "plainconf.py", "-q"], folder / "plain",
                before=lambda: empty(folder / "plain" / "output", folder / "plain" / "cache"))  # fmt: skip
        if hugo:
            site = folder / "hugo"
            measure("hugo", [hugo, "--quiet", "--source", str(site), "--destination", str(site / "public"), "--cacheDir", str(site / "cache")],
                    site, before=lambda: empty(site / "public", site / "cache", site / "resources"))  # fmt: skip
        measure("verify warm", [*press, "verify"])
        cold_cache = folder / f"verify-cache-{n}"
        measure("verify cold", [*press, "verify"], env={**os.environ, "PRESS_CACHE_DIR": str(cold_cache)})
        empty(cold_cache)
        measure("warm nothing", [*press, "build", "--no-search"])
        measure("warm edit", [*press, "build", "--no-search"], before=changes.edit)
        measure("warm vote", [*press, "build", "--no-search"], before=changes.vote)
        measure("warm retraction", [*press, "build", "--no-search"], before=changes.retraction)
        measure("warm roster", [*press, "build", "--no-search"], before=changes.roster)
        measure("warm nothing", [*press, "build", "--no-search"])
        run([*press, "build"], root)  # the previous build has an index too (it is not measured)
        measure("search", [*press, "build"], before=changes.vote)  # compared with "warm vote"
        print(f"   run {n + 1}/{runs} done", flush=True)

    # CI: every deploy is a fresh clone at the same path, with the cache folder of the last deploy restored.
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "meetings")
    ci, saved = folder / "ci", folder / "ci-saved-cache"

    def deploy(name: str | None) -> None:
        empty(ci / "press", ci / "cache")
        git(folder, "clone", "-q", str(root), str(ci / "press"))
        if saved.exists():
            shutil.copytree(saved, ci / "cache")
        command = [str(BIN / "press"), "--root", str(ci / "press"), "build", "--publish", "--output", str(ci / "public")]
        env = {**os.environ, "PRESS_CACHE_DIR": str(ci / "cache")}
        if name:
            results.setdefault(name, []).append(run(command, ci / "press", env))
        else:
            run(command, ci / "press", env)
        empty(saved, ci / "public")
        shutil.copytree(ci / "cache", saved)

    deploy(None)  # the first deploy fills the cache
    for _ in range(runs):
        changes.vote()
        git(root, "commit", "-q", "-am", "one vote")
        deploy("ci")
    return {"results": results, "published": len(sources), "articles": articles}


# --------------------------------------------------------------------------- the report


def medians(results: dict) -> dict[str, tuple[float, int]]:
    """name -> (median seconds, highest peak MiB); "index": what search adds to a warm build (after
    one vote, with search, less after one vote without)."""
    med = {name: (statistics.median(t for t, _ in rs), max(m for _, m in rs)) for name, rs in results.items()}
    med["index"] = (max(0.0, med["search"][0] - med["warm vote"][0]), med["search"][1])
    return med


def report(sizes: list[dict], runs: int, hugo: str | None) -> None:
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{'hugo ' + hugo_version(hugo) if hugo else 'no hugo'}; medians of {runs} run(s)")  # fmt: skip

    def table(title: str, columns: list[tuple[str, str]], value) -> None:
        columns = [(key, heading) for key, heading in columns if hugo or key != "hugo"]
        print(f"\n{title}\n")
        print("| articles | published | " + " | ".join(heading for _, heading in columns) + " |")
        print("| ---: | ---: | " + " | ".join("---:" for _ in columns) + " |")
        for size in sizes:
            med = medians(size["results"])
            cells = " | ".join(value(med[key]) for key, _ in columns)
            print(f"| {size['articles']:,} | {size['published']:,} | {cells} |")

    for title, columns in TABLES.items():
        table(title, columns, lambda m: f"{m[0]:.2f}")
    table("peak memory, MiB (max RSS of the command and the children it waited for)", PEAKS, lambda m: f"{m[1]}")
    print("\nCI-like deploy: a fresh clone with the previous deploy's cache folder restored, after one vote was merged:"
          " press build --publish, with search (as .github/workflows/pages.yml)")  # fmt: skip
    if not hugo:
        print("note: `hugo` is not installed (Debian: apt-get install hugo) — the Hugo column and the targets that compare with it are skipped")
    print("\ntargets (docs/performance.md):")
    for line in targets(sizes, hugo):
        print("  " + line)


KINDS = {
    "edit": "after one edit",
    "vote": "after one vote",
    "retraction": "after one retraction",
    "roster": "after one roster change",
    "nothing": "with nothing changed",
}


def targets(sizes: list[dict], hugo: str | None) -> list[str]:
    """Each target of the issue, per size: "met" or "NOT met" where the target is set for that size,
    "info" (the same comparison, for the record) at the other sizes."""
    lines = []

    def check(ok: bool, n: int, at_sizes: tuple[int, ...] | None, text: str) -> None:
        if at_sizes is None or n in at_sizes:
            lines.append(f"{'met    ' if ok else 'NOT met'} at {n:,}: {text}")
        else:
            where = " and ".join(f"{s:,}" for s in at_sizes)
            lines.append(f"info    at {n:,}: {text} (the target is set at {where})")

    for size in sizes:
        n = size["articles"]
        med = {k: v[0] for k, v in medians(size["results"]).items()}
        peak = {k: v[1] for k, v in medians(size["results"]).items()}
        for kind in ("edit", "vote", "retraction", "roster"):
            took = med[f"warm {kind}"]
            if hugo:
                ratio = took / med["hugo"]
                check(ratio <= 0.5, n, (5000, 20000), f"rebuild {KINDS[kind]} {took:.2f}s = {ratio:.2f}x Hugo's full build ({med['hugo']:.2f}s) <= 0.5x")
            else:
                lines.append(f"skipped at {n:,}: rebuild {KINDS[kind]} <= 0.5x Hugo's full build (no hugo)")
        check(med["warm nothing"] <= 1.0, n, (5000,), f"rebuild with nothing changed {med['warm nothing']:.2f}s <= 1 s")
        ratio = med["press cold"] / med["plain"]
        check(ratio <= 1.0, n, None, f"cold build {ratio:.2f}x plain Pelican on the same published articles <= 1.0x (0.75x the goal beyond)")
        share = med["index"] / med["search"]
        check(share <= 0.25, n, None, f"search index {med['index']:.2f}s = {share:.0%} of a warm build with search <= 25%")
        check(peak["search"] <= 600, n, (20000,), f"peak memory with search {peak['search']} MiB <= 600 MiB")
        check(med["verify warm"] <= 0.3, n, (20000,), f"press verify warm {med['verify warm']:.2f}s <= 0.3 s")
        check(med["verify cold"] <= 1.5, n, (20000,), f"press verify cold {med['verify cold']:.2f}s <= 1.5 s")
        warm = med["warm vote"] + med["index"] + 1.0
        check(med["ci"] <= warm, n, None, f"CI-like deploy {med['ci']:.2f}s <= a local warm rebuild after one vote, with search, + 1 s ({warm:.2f}s)")
    if len(sizes) > 1:
        small, large = medians(sizes[0]["results"]), medians(sizes[-1]["results"])
        grown = sizes[-1]["articles"] / sizes[0]["articles"]
        for kind, what in KINDS.items():
            growth = large[f"warm {kind}"][0] / small[f"warm {kind}"][0]
            verdict = "met    " if growth <= 2.0 else "NOT met"
            lines.append(f"{verdict} {sizes[0]['articles']:,} -> {sizes[-1]['articles']:,}: rebuild {what}: {grown:.0f}x the articles, "
                         f"{growth:.1f}x the time (<= 2x: the cost follows what changed, not the size)")  # fmt: skip
    return lines


def hugo_version(hugo: str) -> str:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    return out[1] if len(out) > 1 else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark Assembly Press against plain Pelican and Hugo on equal work.")
    parser.add_argument("--sizes", default="1000,5000,20000", help="article counts, comma-separated (default: 1000,5000,20000)")
    parser.add_argument("--assemblies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (medians are reported)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a list of article counts like 1000,5000,20000")
    if not sizes or min(sizes) < args.assemblies or args.runs < 1:
        parser.error(f"--sizes must each be at least --assemblies ({args.assemblies}), and --runs at least 1")
    hugo = shutil.which("hugo")
    if not hugo:
        print("note: `hugo` is not installed (Debian: apt-get install hugo); the Hugo column is skipped")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="press-bench-"))
    done = []
    try:
        for n in sizes:
            where = folder / f"n{n}"
            if where.exists():
                shutil.rmtree(where)
            done.append(bench_size(where, n, args.assemblies, args.runs, hugo))
            if not args.keep:
                shutil.rmtree(where, ignore_errors=True)
            if n != sizes[-1]:  # the sizes so far, in case a long run is stopped before the end
                so_far = ", ".join(f"{d['articles']:,}" for d in done)
                print(f"\n-- so far ({so_far} articles) --")
                report(done, args.runs, hugo)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print("\n-- all sizes --")
    report(done, args.runs, hugo)
    return 0


if __name__ == "__main__":
    sys.exit(main())

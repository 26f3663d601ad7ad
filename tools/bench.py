"""Benchmark: does the vote gate cost anything, and are rebuilds fast?

    .venv/bin/python tools/bench.py [--articles 5000] [--assemblies 100] [--runs 3]

Generates a synthetic press in a temporary git repository — N articles over M assemblies with
realistic Markdown, rosters whose members join and leave, about twelve monthly meetings per assembly
with roll-call votes that leave about 70% published and the rest awaiting a vote, rejected, retracted
or edited since approval — then measures, alternating the runs and reporting medians:

1. a full build (no caches): `press build --no-search` against plain `pelican` on the same content
   with an equivalent configuration (same theme, per-assembly pages and feeds, same pagination,
   no press plugin); and the Pagefind index on its own;
2. `press verify`;
3. rebuilds with caches warm: after editing one article, and after recording one vote;
4. git processes spawned per build, for N and for N/4 articles;
5. peak memory (max RSS) of each command.

Every command runs as its own process, as a user would run it.
"""

from __future__ import annotations

import argparse
import hashlib
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
OUTPUT_PATH = os.path.join(ROOT, "plain-output")
THEME = os.path.join(ROOT, "theme")
CACHE_PATH = os.path.join(ROOT, "plain-cache")
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
    (root / "plainconf.py").write_text(PLAIN_CONF)
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


# --------------------------------------------------------------------------- measuring


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MiB) of one command; raises if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{out.decode()}\n{err.decode()}")
    return elapsed, usage.ru_maxrss // 1024


def clean(root: Path, *names: str) -> None:
    """Remove outputs and caches: the press keeps its caches outside the repository."""
    from press.cache import cache_dir

    for name in names:
        path = cache_dir(root) if name == "cache" else root / name
        if path.is_symlink():  # press's output: a link to the current build in .<name>.builds/
            path.unlink()
            shutil.rmtree(root / f".{name}.builds", ignore_errors=True)
        else:
            shutil.rmtree(path, ignore_errors=True)


def git_processes(root: Path) -> int:
    """git processes started while loading the press and finding approved revisions."""
    code = (
        "import subprocess, press\n"
        "n = 0\nreal = subprocess.Popen.__init__\n"
        "def count(self, args, *a, **k):\n"
        "    global n\n    n += 'git' in str(args[0] if isinstance(args, (list, tuple)) else args)\n    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = count\n"
        f"p = press.load({str(root)!r})\np.revisions\nprint(n)\n"
    )
    return int(subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark Assembly Press against plain Pelican.")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--assemblies", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (medians are reported)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="press-bench-"))
    root = folder / "press"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    t0 = time.perf_counter()
    facts = generate(root, args.articles, args.assemblies)
    counts = {k: v for k, v in facts.items() if k != "awaiting_ids"}
    print(f"generated {args.articles} articles over {args.assemblies} assemblies "
          f"in {time.perf_counter() - t0:.1f}s: {counts}")  # fmt: skip
    press_cmd = [str(BIN / "press"), "--root", str(root)]
    pelican_cmd = [str(BIN / "pelican"), "-s", str(root / "plainconf.py"), "-q"]
    results: dict[str, list[tuple[float, int]]] = {}

    def measure(name: str, command: list[str], before=None) -> None:
        if before:
            before()
        results.setdefault(name, []).append(run(command, root))

    for _ in range(args.runs):  # alternate, so machine noise hits both sides alike
        measure("press build (full)", [*press_cmd, "build", "--no-search"], lambda: clean(root, "output", "cache"))
        measure("pelican (full)", pelican_cmd, lambda: clean(root, "plain-output", "plain-cache"))
        measure("press verify", [*press_cmd, "verify"])
    for _ in range(args.runs):
        target = root / "content" / "a000" / "story-000.md"
        measure("press build (edit one article, warm)", [*press_cmd, "build", "--no-search"],
                lambda: target.write_text(target.read_text() + "\nOne more sentence.\n"))  # fmt: skip
        def add_vote():
            aid = facts["awaiting_ids"].pop()
            record = sorted((root / "editorial" / "meetings" / aid.split("/")[0]).glob("*.yml"))[-1]
            text = record.read_text()
            digest = "sha256:" + hashlib.sha256((root / "content" / f"{aid}.md").read_bytes()).hexdigest()
            present = text.split("\n")[0][len("present: ["):-1].split(", ")
            if "motions:" not in text:
                text += "motions:\n"
            text += f"  - publish: {aid}\n    digest: {digest}\n    yes: [{', '.join(present)}]\n"
            record.write_text(text)

        measure("press build (record one vote, warm)", [*press_cmd, "build", "--no-search"], add_vote)
    measure("pagefind index (press build with search, warm)", [*press_cmd, "build"])
    measure("press build (nothing changed, warm)", [*press_cmd, "build", "--no-search"])

    med = {name: (statistics.median(t for t, _ in rs), max(m for _, m in rs)) for name, rs in results.items()}
    full = med["press build (full)"][0]
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; runs: {args.runs}\n")
    print(f"{'measurement':<50} {'median s':>9} {'peak MiB':>9} {'x full':>7}")
    for name, (seconds, mib) in med.items():
        print(f"{name:<50} {seconds:>9.2f} {mib:>9} {seconds / full:>7.2f}")
    print()
    print(f"ratio press build / plain pelican (full): {full / med['pelican (full)'][0]:.2f}   (target <= 1.0)")
    print(f"press verify: {med['press verify'][0]:.2f}s   (target <= 1 s)")
    print(f"rebuild after one edit: {med['press build (edit one article, warm)'][0] / full:.2f}x full   (target <= 0.15)")
    print(f"rebuild after one vote: {med['press build (record one vote, warm)'][0] / full:.2f}x full   (target <= 0.15)")
    print(f"git processes per build: {git_processes(root)} for {args.articles} articles")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

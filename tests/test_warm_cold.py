"""A warm build equals a cold build, byte for byte, whatever changed (issue: keys from the types).

A warm build reuses what the previous build made when its key (press.keys.key_of of what it shows)
is unchanged; a cold build starts with no cache and no previous site. They must never differ."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from press.build import BuildFailed, build

from conftest import SAMPLE_PARTS, copy_sample

pytestmark = pytest.mark.usefixtures("settled")  # see conftest.py


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cold(root: Path, place: Path, monkeypatch) -> dict[str, bytes]:
    """The same press built with no caches at all, into a fresh folder."""
    with monkeypatch.context() as m:
        m.setenv("PRESS_CACHE_DIR", str(place / "caches"))
        build(root, place / "site")
    return tree(place / "site")


def differing(warm: dict[str, bytes], cold: dict[str, bytes]) -> list[str]:
    return sorted(n for n in warm.keys() | cold.keys() if warm.get(n) != cold.get(n))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer holds {old!r}: update the test"
    path.write_text(text.replace(old, new))


def test_a_new_timezone_reaches_every_page_and_feed(sample, tmp_path, monkeypatch):
    build(sample)
    edit(sample / "editorial/assemblies/harbor.yml", "timezone: Europe/Berlin", "timezone: America/New_York")
    warm = build(sample)
    assert warm.memo.reused > 0  # it is a warm build: some pages are reused
    assert differing(tree(sample / "output"), cold(sample, tmp_path / "cold", monkeypatch)) == []


def test_a_new_meeting_time_reaches_every_page_and_feed(sample, tmp_path, monkeypatch):
    build(sample)
    edit(sample / "editorial/assemblies/harbor.yml", "Thursday of the month, 17:00,", "Thursday of the month, 18:30,")
    warm = build(sample)
    assert warm.memo.reused > 0
    assert differing(tree(sample / "output"), cold(sample, tmp_path / "cold", monkeypatch)) == []


def changed_articles(before: dict[str, bytes], after: dict[str, bytes], folder: str) -> set[str]:
    return {n for n in before.keys() & after.keys() if n.startswith(folder + "/") and n.endswith(".html") and before[n] != after[n]}


def test_a_retraction_reaches_the_neighbours_of_the_retracted_article_warm_as_cold(sample, tmp_path, monkeypatch):
    """Its neighbours' links (newer and older in the assembly) are set after the gate: their pages change."""
    build(sample)
    before = tree(sample / "output")
    meeting = sample / "editorial/meetings/riverside/2026-11-16.yml"
    meeting.write_text("present: 6\nmotions:\n  - retract: riverside/eviction-watch\n    reason: Figures were wrong.\n    yes: 5\n    no: 1\n")
    warm = build(sample)
    assert warm.memo.reused > 0
    after = tree(sample / "output")
    assert after["riverside/eviction-watch.html"] != before["riverside/eviction-watch.html"]  # says it was retracted
    assert changed_articles(before, after, "riverside") - {"riverside/eviction-watch.html"}  # and its neighbours' pages
    assert after == cold(sample, tmp_path / "cold", monkeypatch)


def test_a_new_vote_reaches_the_articles_it_neighbours_warm_as_cold(sample, tmp_path, monkeypatch):
    build(sample)
    before = tree(sample / "output")
    digest = hashlib.sha256((sample / "content/riverside/night-bus-petition.md").read_bytes()).hexdigest()
    meeting = sample / "editorial/meetings/riverside/2026-11-16.yml"
    meeting.write_text(f"present: 6\nmotions:\n  - publish: riverside/night-bus-petition\n    digest: sha256:{digest}\n    yes: 5\n    no: 1\n")
    warm = build(sample)
    assert warm.memo.reused > 0
    after = tree(sample / "output")
    assert "riverside/night-bus-petition.html" in after and "riverside/night-bus-petition.html" not in before
    assert changed_articles(before, after, "riverside")
    assert after == cold(sample, tmp_path / "cold", monkeypatch)


def test_an_article_approved_again_with_new_words_is_shown_warm_as_cold(sample, tmp_path, monkeypatch):
    """Its proven bytes change (a new approved digest): its page, and every list showing its title."""
    build(sample)
    article = sample / "content/springfield/bus-fares.md"
    text = article.read_text()
    assert "Title: " in text
    article.write_text(text.replace("Title: ", "Title: Longer ", 1) + "\nOne more sentence.\n")
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    meeting = sample / "editorial/meetings/springfield/2026-09-01.yml"
    meeting.write_text(re.sub(r"digest: sha256:[0-9a-f]{64}", f"digest: sha256:{digest}", meeting.read_text()))
    build(sample)
    after = tree(sample / "output")
    assert b"One more sentence" in after["springfield/bus-fares.html"]
    assert after == cold(sample, tmp_path / "cold", monkeypatch)


# --------------------------------------------------------------------------- the property

ASSEMBLIES = ("harbor", "springfield", "riverside")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "America/Chicago", "Asia/Kolkata", "Pacific/Auckland", "Europe/London")
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=24).map(str.strip).filter(bool)
# Meeting records without signatures (harbor's are signed: editing them is a problem, tried below too)
UNSIGNED_MEETINGS = ("springfield/2026-09-01.yml", "springfield/2026-12-01.yml", "riverside/2026-10-12.yml", "riverside/2026-11-09.yml")
ARTICLES = (
    "harbor/ferry-cuts.md", "harbor/dockers-pension.md", "harbor/radio-hour.md", "harbor/shift-safety.md",
    "springfield/water-rates.md", "springfield/bus-fares.md", "springfield/rent-strike-wins.md", "springfield/library-hours.md",
    "riverside/eviction-watch.md", "riverside/canal-row-walkabout.md", "council/transit-day-of-action.md",
)  # fmt: skip
ATTACHMENTS = (
    "harbor/ferry-cuts/early-ferry.png", "springfield/rent-strike-wins/rent-rise.png",
    "riverside/canal-row-walkabout/walkabout.en.vtt", "council/transit-day-of-action/free-fares-banner.png",
)  # fmt: skip


def sub(path: Path, pattern: str, replacement: str, nth: int = 0) -> None:
    """Replace the ``nth`` match (modulo their number) of ``pattern`` in ``path``."""
    text = path.read_text()
    matches = list(re.finditer(pattern, text, re.M))
    assert matches, f"{path.name}: {pattern!r} no longer matches: update the test"
    m = matches[nth % len(matches)]
    path.write_text(text[: m.start()] + m.expand(replacement) + text[m.end() :])


def assembly_file(root: Path, aid: str) -> Path:
    return root / "editorial/assemblies" / f"{aid}.yml"


# name -> (what is drawn, how it changes the press)
CHANGES = {
    "an assembly's timezone": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.sampled_from(ZONES)),
        lambda root, a, zone: sub(assembly_file(root, a), r"^timezone: .*$", f"timezone: {zone}"),
    ),
    "an assembly's meeting time": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.integers(0, 23), st.sampled_from((0, 15, 30, 45))),
        lambda root, a, h, m: sub(assembly_file(root, a), r"^(meets: [^\n]*?)\d\d:\d\d", rf"\g<1>{h:02d}:{m:02d}"),
    ),
    "an assembly's meeting day": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.sampled_from(("First", "Second", "Third", "Last")), st.sampled_from(("Monday", "Tuesday", "Thursday", "Sunday"))),
        lambda root, a, nth, day: sub(assembly_file(root, a), r"^meets: \w+ \w+ of the month", f"meets: {nth} {day} of the month"),
    ),
    "an assembly's name or region": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.sampled_from(("name", "region")), WORDS),
        lambda root, a, key, text: sub(assembly_file(root, a), rf"^{key}: .*$", f"{key}: {text}"),
    ),
    "an assembly's contact": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
        lambda root, a, name: sub(assembly_file(root, a), r"^timezone: .*$", rf"\g<0>\ncontact: {name}@example.org"),
    ),
    "an assembly's rules": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.sampled_from(("1", "2", "4", "1/3", "1/2")), st.sampled_from(("majority", "two-thirds", "3/5"))),
        lambda root, a, quorum, threshold: (
            sub(assembly_file(root, a), r"^  quorum: \S+", f"  quorum: {quorum}"),
            sub(assembly_file(root, a), r"^  threshold: \S+", f"  threshold: {threshold}"),
        ),
    ),
    "a member's name": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.integers(0, 20), WORDS),
        lambda root, a, nth, text: sub(assembly_file(root, a), r"((?:\{id: [\w-]+, |^    )name: )[^,}\n]+", rf"\g<1>{text}", nth),
    ),
    "a new member": (
        st.tuples(st.sampled_from(ASSEMBLIES), st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1))),
        lambda root, a, joined: assembly_file(root, a).write_text(
            assembly_file(root, a).read_text().rstrip("\n") + f"\n  - {{id: newcomer, name: New Comer, joined: {joined}}}\n"
        ),
    ),
    "a meeting's time, place or notes": (
        st.tuples(st.sampled_from(UNSIGNED_MEETINGS + ("harbor/2026-12-03.yml",)), st.sampled_from(("time", "location", "notes")), st.integers(0, 23), WORDS),
        lambda root, path, key, hour, text: (root / "editorial/meetings" / path).write_text(
            {"time": f"time: '{hour:02d}:30'\n", "location": f"location: {text}\n", "notes": f"notes: {text}\n"}[key]
            + re.sub(rf"(?m)^{key}: .*\n", "", (root / "editorial/meetings" / path).read_text())
        ),
    ),
    "a section": (
        st.tuples(st.sampled_from(("name", "tags", "description")), WORDS),
        lambda root, key, text: sub(
            root / "editorial/press.yml", rf"^    {key}: .*$", f"    {key}: " + (f"[{text.split()[0].lower()}, youth]" if key == "tags" else text)
        ),
    ),
    "an article's text": (
        st.tuples(st.sampled_from(ARTICLES), WORDS),
        lambda root, path, text: (root / "content" / path).write_text((root / "content" / path).read_text() + f"\n{text}\n"),
    ),
    "an article's metadata": (
        st.tuples(st.sampled_from(ARTICLES), st.sampled_from(("Title", "Summary", "Tags")), WORDS),
        lambda root, path, key, text: sub(root / "content" / path, rf"^{key}: .*$", f"{key}: {text}"),
    ),
    "an attachment": (
        st.tuples(st.sampled_from(ATTACHMENTS), st.binary(min_size=1, max_size=8)),
        lambda root, path, data: (root / "content" / path).write_bytes((root / "content" / path).read_bytes() + data),
    ),
    "a setting": (
        st.tuples(st.sampled_from(("SITENAME", "SITESUBTITLE", "DEFAULT_PAGINATION", "PRESS_FEED_MAX_ITEMS")), WORDS, st.integers(1, 12)),
        lambda root, key, text, n: sub(root / "pelicanconf.py", rf"^{key} = .*$", f"{key} = " + (repr(text) if key.startswith("SITE") else str(n))),
    ),
    "a theme file": (
        st.tuples(st.sampled_from(("templates/base.html", "templates/article.html", "templates/chapter.html", "static/css/press.css")), WORDS),
        lambda root, path, text: (root / "theme" / path).write_text(
            (root / "theme" / path).read_text() + (f"\n/* {text} */\n" if path.endswith(".css") else f"\n{{# {text} #}}<!-- {text} -->\n")
        ),
    ),
}


@pytest.fixture(scope="module")
def warm_press(tmp_path_factory):
    """The sample, built once; each example starts from that build (its site and caches, copied
    back in place: pages then come from the press's store, checked by digest) and its sources."""
    from press import cache

    place = tmp_path_factory.mktemp("warm")
    pristine = copy_sample(place / "pristine")
    root = copy_sample(place / "press")
    racy, cache.RACY_NS = cache.RACY_NS, 0  # see the settled fixture in conftest.py
    with pytest.MonkeyPatch.context() as m:
        m.setenv("PRESS_CACHE_DIR", str(place / "caches"))
        build(root)
    built = [p for p in root.iterdir() if p.name not in SAMPLE_PARTS] + [place / "caches"]
    (place / "built").mkdir()
    for path in built:  # the build's state: the site, its manifests, the caches
        copy(path, place / "built" / path.name)
    yield place, pristine, root, built
    cache.RACY_NS = racy


def copy(source: Path, target: Path) -> None:
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target, follow_symlinks=False)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def restore(place: Path, pristine: Path, root: Path, built: list[Path]) -> None:
    """The press as just after the first build: its sources as in the sample, its site and caches."""
    for path in built + [p for p in root.iterdir() if p.name not in SAMPLE_PARTS]:  # and what later builds added
        remove(path)
    for path in built:
        copy(place / "built" / path.name, path)
    for part in SAMPLE_PARTS:
        remove(root / part)
        copy(pristine / part, root / part)


def outcome(root: Path, out: Path | None = None) -> tuple[str, dict[str, bytes] | list[str]]:
    try:
        build(root, out)
    except BuildFailed as failed:
        return "failed", sorted(str(failed).splitlines())
    return "built", tree(out or root / "output")


# Few examples (each is two builds), and no shrinking: a failure names its changes, at most three.
@settings(
    max_examples=8, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(st.lists(st.sampled_from(sorted(CHANGES)).flatmap(lambda name: st.tuples(st.just(name), CHANGES[name][0])), min_size=1, max_size=3))
def test_a_warm_build_equals_a_cold_build_whatever_changed(warm_press, changes):
    place, pristine, root, built = warm_press
    restore(place, pristine, root, built)
    for name, drawn in changes:
        CHANGES[name][1](root, *drawn)
    with pytest.MonkeyPatch.context() as m:
        m.setenv("PRESS_CACHE_DIR", str(place / "caches"))
        warm = outcome(root)
    cold_place = place / "cold"
    shutil.rmtree(cold_place, ignore_errors=True)
    with pytest.MonkeyPatch.context() as m:
        m.setenv("PRESS_CACHE_DIR", str(cold_place / "caches"))
        cold = outcome(root, cold_place / "site")
    assert warm[0] == cold[0], (warm[0], cold[0], warm[1] if warm[0] == "failed" else cold[1])
    if warm[0] == "failed":
        assert warm[1] == cold[1]
    else:
        assert differing(warm[1], cold[1]) == []


def test_a_new_instant_reaches_every_page_and_feed(sample, tmp_path, monkeypatch):
    """Days later (springfield's and harbor's December meetings held, a ballot closed): nothing
    changed but the instant, which every key that shows "today" holds."""
    later = "2026-12-05T18:00:00Z"
    build(sample)
    monkeypatch.setenv("PRESS_NOW", later)
    (sample / "content/harbor/ferry-cuts.md").write_text((sample / "content/harbor/ferry-cuts.md").read_text())  # the next build runs
    warm = build(sample)
    assert warm.memo.reused > 0
    assert differing(tree(sample / "output"), cold(sample, tmp_path / "cold", monkeypatch)) == []

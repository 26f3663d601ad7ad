"""Deploys are warm: the publish workflow restores the press's caches, and a deploy built on a fresh
clone with restored caches is the same site as one built from nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from press.build import build

from conftest import REPO, commit, git

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
# What must change the cache key: the press's code, both configurations, the theme.
COVERED = ("tools/press/**", "pelicanconf.py", "publishconf.py", "theme/**")


def _steps() -> tuple[dict, list[dict]]:
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    return job, job["steps"]


def _index(steps: list[dict], predicate) -> int:
    return next(n for n, step in enumerate(steps) if predicate(step))


def _hashed_globs(expression: str) -> list[str]:
    calls = re.findall(r"hashFiles\(([^)]*)\)", expression)
    assert len(calls) == 1, expression
    return re.findall(r"'([^']+)'", calls[0])


def test_the_publish_workflow_restores_and_saves_the_caches():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    # Caches are pickles: only main's own runs may save the ones a deploy loads, never a pull request's
    # (a schedule runs from the default branch; any other ref is refused by the first step: test_workflow.py).
    assert set(triggers) <= {"push", "workflow_dispatch", "schedule"} and triggers["push"]["branches"] == ["main"]
    job, steps = _steps()
    folder = job["env"]["PRESS_CACHE_DIR"]  # for every step that runs press
    assert folder.startswith("${{ github.workspace }}/../"), "caches stay outside the checked-out repository"
    cache = _index(steps, lambda s: str(s.get("uses", "")).startswith("actions/cache@"))
    step = steps[cache]
    assert not str(step["uses"]).startswith("actions/cache/restore"), "the step must save the caches too"
    assert step["with"]["path"].strip() == "${{ env.PRESS_CACHE_DIR }}"
    # Restored before the first press command, so verify and the build both start warm.
    first_press = _index(steps, lambda s: str(s.get("run", "")).lstrip().startswith("press "))
    build_step = _index(steps, lambda s: "press build" in str(s.get("run", "")))
    assert cache < first_press <= build_step
    assert "--publish" in steps[build_step]["run"]


def test_the_cache_key_changes_with_the_press_its_settings_and_libraries():
    _, steps = _steps()
    step = steps[_index(steps, lambda s: str(s.get("uses", "")).startswith("actions/cache@"))]
    key, restore = step["with"]["key"], step["with"]["restore-keys"].strip().splitlines()
    globs = _hashed_globs(key)
    for needed in COVERED:
        assert needed in globs, f"a change to {needed} must invalidate the caches"
    # Every file of the press package, the theme and the settings is matched by the hashed globs.
    matched = {p for g in globs for p in (REPO.glob(g[:-3] + "/**/*") if g.endswith("/**") else REPO.glob(g)) if p.is_file()}
    expected = [*(REPO / "tools" / "press").rglob("*.py"), *(p for p in (REPO / "theme").rglob("*") if p.is_file())]
    expected += [REPO / "pelicanconf.py", REPO / "publishconf.py"]
    assert set(expected) <= matched
    # The installed libraries (Pelican, Markdown…) are part of the key, through a step that hashes them.
    versions = _index(steps, lambda s: s.get("id") == "versions")
    assert "pip freeze" in steps[versions]["run"] and "${{ steps.versions.outputs.hash }}" in key
    assert versions < _index(steps, lambda s: s is step)
    # Each run's key is new (so it is saved); it restores the newest cache made with the same key prefix.
    assert key.endswith("-${{ github.sha }}")
    assert len(restore) == 1 and restore[0] == key.removesuffix("${{ github.sha }}")


def _read_counter(monkeypatch) -> list[str]:
    """Files whose Markdown is rendered (not taken from a cache)."""
    from press.site import PressReader, prerender

    reads: list[str] = []
    original = PressReader._read_markdown

    def read(self, file, *rest):  # Markdown Pelican's reader renders itself
        reads.append(file)
        return original(self, file, *rest)

    monkeypatch.setattr(PressReader, "_read_markdown", read)

    render = prerender._render_with

    def rendered(converters, path):  # Markdown rendered ahead of Pelican (in this process: the sample has few files)
        reads.append(path)
        return render(converters, path)

    monkeypatch.setattr(prerender, "_render_with", rendered)
    return reads


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_deploy_on_a_fresh_clone_with_restored_caches_equals_a_clean_one(sample, tmp_path, monkeypatch):
    git(sample, "init", "-q", "-b", "main")
    # The sample's history: an article approved, then withdrawn (its file removed).
    withdrawn = sample / "content/harbor/pier-9-closure.md"
    withdrawn.write_text("Title: Pier 9 closes for repairs\n\nThe port authority closes Pier 9.\n")
    commit(sample, "The sample press")
    withdrawn.unlink()
    commit(sample, "Withdraw harbor/pier-9-closure")
    reads = _read_counter(monkeypatch)
    checkout = tmp_path / "runner" / "press"  # the same path on every run, as on a CI runner

    def deploy(cache: Path, output: Path) -> None:
        shutil.rmtree(checkout.parent, ignore_errors=True)
        checkout.parent.mkdir(parents=True)
        subprocess.run(["git", "clone", "-q", str(sample), str(checkout)], check=True)
        monkeypatch.setenv("PRESS_CACHE_DIR", str(cache))
        build(checkout, output, publish=True, search=False)

    deploy(tmp_path / "cache", tmp_path / "first")
    cold = len(reads)
    assert cold >= 3
    saved = tmp_path / "saved-cache"
    shutil.copytree(tmp_path / "cache", saved)  # what actions/cache keeps between runs

    # The next merge: a meeting record with a new vote, and an edit to a published article's text.
    (sample / "editorial/meetings/riverside/2026-11-16.yml").write_text(
        "present: 6\nmotions:\n  - reject: riverside/night-bus-petition\n    yes: 5\n    no: 1\n"
    )
    ferry = sample / "content/harbor/ferry-cuts.md"
    ferry.write_text(ferry.read_text() + "\nA late addition.\n")
    commit(sample, "Riverside's November meeting; a late addition")

    reads.clear()
    shutil.copytree(saved, tmp_path / "restored")
    deploy(tmp_path / "restored", tmp_path / "warm")
    assert len(reads) < cold, "the restored caches were not used"
    deploy(tmp_path / "empty-cache", tmp_path / "clean")
    assert tree(tmp_path / "warm") == tree(tmp_path / "clean")
    assert len(tree(tmp_path / "clean")) > 20


def test_publish_settings_are_the_pelicanconf_beside_them(tmp_path):
    """A process that loaded another press's pelicanconf.py (a test run, a server) still builds this one."""
    from pelican.settings import read_settings

    from conftest import copy_sample

    one, two = copy_sample(tmp_path / "one"), copy_sample(tmp_path / "two")
    read_settings(str(one / "pelicanconf.py"))
    settings = read_settings(str(two / "publishconf.py"))
    assert Path(settings["PATH"]) == two / "content"
    assert Path(settings["THEME"]) == two / "theme"
    # links between pages stay relative even when published (issue 13: works under any subpath)
    assert settings["RELATIVE_URLS"] is True and settings["PLUGINS"] == ["press.site"]

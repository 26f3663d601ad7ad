"""One build, one context: a build's state lives in its :class:`press.site.BuildContext`, never in
module globals, and its handlers are connected to Pelican's signals for that run only.

Two builds in one process — of two different presses, one after another, the first of them failing
half-way — see nothing of each other; a plain ``pelican`` run with the plugin works in this process
too. The site package holds no mutable module state (an AST scan, with a positive list)."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest
from pelican import Pelican, signals
from pelican.settings import read_settings

from press.build import BuildFailed, build
from press.site import generator, register

from conftest import PressDir

SITE = Path(__file__).resolve().parent.parent / "tools" / "press" / "site"

# Module-level names of the site package bound to a mutable value (a dict, list or set display or
# comprehension, or a call that makes one): each is a constant that nothing mutates, or says why it is here.
ALLOWED_MUTABLE = {
    "__init__.py": {"ENFORCED_SETTINGS": "the press's settings, copied into each build's settings"},
    "admin.py": {"FILES": "the desk files and their reasons, read only"},
    "ballots.py": {"STATUS_WORDS": "words shown for a status, read only", "RESULT_WORDS": "words shown for a result, read only"},
    "council.py": {},
    "feeds.py": {},
    "generator.py": {"MOTION_WORDS": "words shown for a motion, read only", "VERDICT": "words shown for a verdict, read only"},
    "images.py": {"_WHOLE": "file signatures, read only", "ICON_SIZES": "icon names and sizes, read only"},
    "memo.py": {"_PELICAN_ATTRIBUTES": "attribute names and why they are not keyed, read only"},
    "outputs.py": {},
    "pagination.py": {},
    "rules.py": {},
    "search.py": {"_RAW_TEXT": "HTML element names, read only", "_CONTAINERS": "HTML element names, read only"},
}
# `global` statements: the one slot a forked worker process fills for itself (never the parent).
ALLOWED_GLOBAL = {("workers.py", "_inherit", "_inherited")}
# Names an allowed constant may be mutated through, and where: none.
ALLOWED_MUTATION: set[tuple[str, str]] = set()
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray"}
MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove", "discard", "clear"}


def _mutable(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in MUTABLE_CALLS
    return False


def module_state(path: Path) -> list[str]:
    """What in ``path`` is mutable module state: module-level mutable bindings not on the positive
    list, `global` statements, and mutations of module-level names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    allowed = ALLOWED_MUTABLE.get(path.name, {})
    found, module_names = [], set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name):
                module_names.add(target.id)
                if _mutable(value) and target.id not in allowed:
                    found.append(f"{path.name}:{node.lineno}: module-level mutable {target.id}")
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                for name in node.names:
                    if (path.name, function.name, name) not in ALLOWED_GLOBAL:
                        found.append(f"{path.name}:{node.lineno}: global {name} in {function.name}()")
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            target = node.func.value
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            for t in getattr(node, "targets", None) or [getattr(node, "target", None)]:
                if isinstance(t, ast.Subscript):
                    target = t.value
        if isinstance(target, ast.Name) and target.id in module_names and (path.name, target.id) not in ALLOWED_MUTATION:
            found.append(f"{path.name}:{node.lineno}: mutates module-level {target.id}")
    return found


def test_the_site_package_keeps_no_build_state_in_modules():
    found = [problem for path in sorted(SITE.glob("*.py")) for problem in module_state(path)]
    assert not found, "mutable module state in press.site:\n" + "\n".join(found)
    unlisted = {p.name for p in SITE.glob("*.py")} - set(ALLOWED_MUTABLE) - {"fastgroups.py", "parallel.py", "prerender.py", "shared.py", "workers.py", "pelican_adapter.py"}
    assert not unlisted, f"new modules in press.site: add them to ALLOWED_MUTABLE (with their constants, if any): {sorted(unlisted)}"


def test_a_registry_slipped_in_is_caught(tmp_path):
    careless = tmp_path / "generator.py"
    careless.write_text(
        "_PRESSES: dict[int, object] = {}\n"
        "_SEEN = set()\n"
        "LIMIT = 3\n"
        "def remember(settings, press):\n"
        "    global LIMIT\n"
        "    _PRESSES[id(settings)] = press\n"
        "    _SEEN.add(press)\n"
    )
    found = module_state(careless)
    assert "generator.py:1: module-level mutable _PRESSES" in found
    assert "generator.py:2: module-level mutable _SEEN" in found
    assert "generator.py:5: global LIMIT in remember()" in found
    assert "generator.py:6: mutates module-level _PRESSES" in found
    assert "generator.py:7: mutates module-level _SEEN" in found


def _press(root: Path, slug: str, text: str) -> PressDir:
    press = PressDir(root).buildable()
    press.assembly()
    press.article("springfield", slug, title=text.title(), body=text)
    press.publish("springfield", slug, "2026-09-01")
    return press


def _connected() -> dict[str, int]:
    watched = ("initialized", "finalized", "article_generator_init", "article_generator_pretaxonomy", "get_generators",
               "get_writer", "content_written", "static_generator_finalized")  # fmt: skip
    return {name: len(getattr(signals, name).receivers) for name in watched}


def _collector_as_found() -> bool:
    """A build freezes its model out of the collector's sight while it runs (gc.freeze): after it,
    in a process that goes on (press serve, the desk, these tests), nothing is left frozen and the
    collector is on again."""
    return gc.isenabled() and gc.get_freeze_count() == 0


def test_two_builds_in_one_process_see_nothing_of_each_other(tmp_path):
    before = _connected()
    first = build(_press(tmp_path / "one", "ferry", "FERRY-TEXT").root, search=False)
    second = build(_press(tmp_path / "two", "heat", "HEAT-TEXT").root, search=False)
    assert "FERRY-TEXT" in (first.output / "springfield" / "ferry.html").read_text()
    assert "HEAT-TEXT" in (second.output / "springfield" / "heat.html").read_text()
    assert not (second.output / "springfield" / "ferry.html").exists()
    assert "springfield/ferry.html" not in second.outputs.reasons()
    assert "springfield/heat.html" not in first.outputs.reasons()
    assert not any("FERRY-TEXT" in p.read_text(errors="replace") for p in second.output.rglob("*.html"))
    assert _connected() == before  # each build's handlers were let go
    assert _collector_as_found()


def test_a_build_that_fails_half_way_leaves_nothing_to_the_next(tmp_path, monkeypatch):
    before = _connected()
    original = generator.PressGenerator.generate_output
    failing = _press(tmp_path / "one", "ferry", "FERRY-TEXT")

    def fail_in_the_first_build(self, writer):
        if self.build.press.root == failing.root.resolve():
            raise RuntimeError("the disk filled up half-way")
        return original(self, writer)

    monkeypatch.setattr(generator.PressGenerator, "generate_output", fail_in_the_first_build)
    with pytest.raises(BuildFailed, match="the disk filled up half-way"):
        build(failing.root, search=False)
    assert _connected() == before  # disconnected although the run raised
    assert _collector_as_found()
    failing.write("editorial/meetings/springfield/2026-10-06.yml", "present: [ana, ben\n")  # fails as the records are read
    with pytest.raises(BuildFailed, match="2026-10-06.yml"):
        build(failing.root, search=False)
    assert _collector_as_found()
    second = build(_press(tmp_path / "two", "heat", "HEAT-TEXT").root, search=False)
    assert "HEAT-TEXT" in (second.output / "springfield" / "heat.html").read_text()
    assert not (second.output / "springfield" / "ferry.html").exists()
    assert not any(name.startswith("springfield/ferry") for name in second.outputs.reasons())
    assert second.outputs.check() == []


def test_a_plain_pelican_run_with_the_plugin_works_in_this_process(tmp_path):
    press = _press(tmp_path / "one", "ferry", "FERRY-TEXT")
    build(_press(tmp_path / "two", "heat", "HEAT-TEXT").root, search=False)  # a press build first, in this process
    register()  # as Pelican does when it loads the plugin: one handler, which stays
    before = _connected()
    settings = read_settings(str(press.root / "pelicanconf.py"), override={"OUTPUT_PATH": str(tmp_path / "plain")})
    assert settings["PLUGINS"] == ["press.site"]
    Pelican(settings).run()
    assert "FERRY-TEXT" in (tmp_path / "plain" / "springfield" / "ferry.html").read_text()
    assert not (tmp_path / "plain" / "springfield" / "heat.html").exists()
    assert _connected() == before  # the run's context let itself go when the run finished

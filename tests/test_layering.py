"""The package's imports flow one way: records -> decisions -> plan -> site -> cli.

Every module of tools/press is parsed (imports at module level, inside functions and under
``TYPE_CHECKING`` alike: a lazy import is still a dependency) and mapped to a layer by the table
below, a positive list: a new module fails this test until someone says where it belongs. The same
list is in docs/building.md ("Layers").
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tools" / "press"

# Lowest first. A module may import modules of its own layer and of the layers this table allows.
LAYERS: dict[str, tuple[str, ...]] = {
    # plain building blocks: no press record, no decision
    "base": (
        "press.problems", "press.limits", "press.clock", "press.files", "press.strictyaml", "press.frontmatter",
        "press.openssh", "press.sanitize", "press.output", "press.keys",
    ),
    # files -> typed records with path:line problems, and what is remembered of reading them
    "records": (
        "press.media", "press.bundle", "press.cache", "press.history", "press.records", "press.council",
        "press.council.records", "press.reading", "press.signatures", "press.inputs", "press.ballot_records", "press.store",
    ),
    # records -> decisions (pure), and the model that holds both
    "decisions": (
        "press.decisions", "press.sittings", "press.council.decisions", "press.model",
        "press", "press.codeowners", "press.ballots", "press.count",
    ),
    # what to build or check, from the model (no Pelican)
    "plan": ("press.check", "press.uptodate"),
    # the Pelican plugin and what it writes
    "site": (
        "press.site", "press.site.admin", "press.site.ballots", "press.site.council", "press.site.fastgroups", "press.site.feeds",
        "press.site.generator", "press.site.images", "press.site.memo", "press.site.outputs", "press.site.pagination",
        "press.site.parallel", "press.site.pelican_adapter", "press.site.prerender", "press.site.rules", "press.site.search", "press.site.shared",
        "press.site.workers",
    ),
    # commands and the people's tools: thin, on top of everything
    "cli": (
        "press.cli", "press.build", "press.serve", "press.statichttp", "press.browser", "press.agenda",
        "press.desk", "press.recording", "press.cms", "press.cms.local", "press.balloting",
        "press.intake",
    ),
}
ORDER = tuple(LAYERS)
# (importer's layer, imported layer): each layer may use itself and every layer below it.
ALLOWED = {(high, low) for i, high in enumerate(ORDER) for low in ORDER[: i + 1]}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = ["press", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str], root: Path = PACKAGE) -> dict[str, int]:
    """The press modules ``path`` imports (anywhere in it) -> the first line that does."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "press"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "press":
                source = node.module
            else:
                continue
            # `from . import bundle` imports the module press.bundle; `from .records import X`, press.records
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names]
        for target in targets:
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]  # `import press.site.memo as m` names the module itself
            if target != name:
                found.setdefault(target, node.lineno)
    return found


def graph(root: Path = PACKAGE) -> dict[str, dict[str, int]]:
    """Every module of the package at ``root`` -> the press modules it imports -> at which line."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    return {name: imports(path, set(paths), root) for name, path in paths.items()}


def circles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def layer_of() -> dict[str, str]:
    return {module: layer for layer, modules in LAYERS.items() for module in modules}


def unlisted(edges: dict[str, dict[str, int]]) -> list[str]:
    return sorted(set(edges) - set(layer_of()))


def upward(edges: dict[str, dict[str, int]]) -> list[str]:
    """Every import from a layer into one the table does not allow it to use."""
    layers = layer_of()
    return [
        f"{module} ({layers[module]}) imports {target} ({layers[target]}) at line {line}"
        for module, targets in edges.items() if module in layers
        for target, line in targets.items() if target in layers and (layers[module], layers[target]) not in ALLOWED
    ]  # fmt: skip


def test_every_module_has_a_layer():
    missing = unlisted(graph())
    assert not missing, f"modules in no layer (add them to LAYERS here and in docs/building.md): {missing}"


def test_the_table_names_only_modules_that_exist():
    assert not sorted(set(layer_of()) - set(graph())), "LAYERS names modules that do not exist"
    listed = [m for modules in LAYERS.values() for m in modules]
    assert len(listed) == len(set(listed)), "a module is listed in two layers"


def test_imports_go_down_the_layers_only():
    wrong = upward(graph())
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_a_careless_import_is_caught(tmp_path):
    """A copy of the package with a lazy import of the CLI in the site, a decision imported by the
    records (a circle with the decisions) and a module nobody placed: each is named."""
    root = tmp_path / "press"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    with (root / "site" / "feeds.py").open("a") as f:
        f.write("\n\ndef _careless():\n    from ..cli import main\n")
    with (root / "records.py").open("a") as f:
        f.write("\n\ndef _careless():\n    from .decisions import decide\n")
    (root / "helpers.py").write_text("")
    edges = graph(root)
    assert unlisted(edges) == ["press.helpers"]
    wrong = upward(edges)
    assert any(w.startswith("press.site.feeds (site) imports press.cli (cli)") for w in wrong), wrong
    assert any(w.startswith("press.records (records) imports press.decisions (decisions)") for w in wrong), wrong
    assert any({"press.records", "press.decisions"} <= set(c) for c in circles(edges))


def test_no_import_circles():
    cut = graph()
    found = circles(cut)
    described = [
        " <-> ".join(c) + "\n" + "\n".join(f"    {m}:{cut[m][t]} imports {t}" for m in c for t in sorted(cut[m]) if t in c)
        for c in found
    ]  # fmt: skip
    assert not found, "import circles:\n" + "\n".join(described)


def test_a_package_sits_no_higher_than_its_modules():
    """Importing ``press.council.records`` runs ``press/council/__init__.py`` first: a package that
    imported its higher modules would pull them under its lower ones. (``press`` itself imports
    lazily, on first use of a name: see its ``__getattr__``.)"""
    layers = layer_of()
    wrong = [
        f"{package} ({layers[package]}) is above its module {module} ({layers[module]})"
        for module in layers for package in layers
        if package != "press" and module.startswith(package + ".")
        and ORDER.index(layers[package]) > ORDER.index(layers[module])
    ]  # fmt: skip
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "edges, expected",
    [
        ({"a": {"b": 1}, "b": {"a": 2}, "c": {"a": 3}}, [["a", "b"]]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {}}, [["a", "b", "c"]]),
        ({"a": {"b": 1}, "b": {}}, []),
    ],
)
def test_circles_are_found(edges, expected):
    assert circles(edges) == expected


def test_lazy_and_relative_imports_are_counted(tmp_path):
    """An import inside a function or under TYPE_CHECKING is a dependency like any other."""
    package = tmp_path / "press"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "high.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..low import X\n"
        "def f():\n    from .. import cli\n    import press.sub.other\n"
    )
    (package / "cli.py").write_text("")
    (package / "sub" / "other.py").write_text("")
    modules = {"press", "press.low", "press.cli", "press.sub", "press.sub.high", "press.sub.other"}
    assert imports(package / "sub" / "high.py", modules, package) == {"press.low": 3, "press.cli": 5, "press.sub.other": 6}


def test_docs_list_the_same_layers():
    text = (PACKAGE.parent.parent / "docs" / "building.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    for layer, modules in LAYERS.items():
        assert f"**{layer}**" in section, f"docs/building.md's Layers paragraph does not name the layer {layer}"
        for module in modules:
            assert f"`{module}`" in section, f"docs/building.md's Layers paragraph does not list `{module}` ({layer})"

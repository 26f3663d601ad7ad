"""Pelican through its public API: every private Pelican name the press uses is in
``press/site/pelican_adapter.py`` (docs/building.md, "Pelican's missing hooks"), and what the adapter
does for the writer keeps Pelican's rules."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pelican
import pytest
from pelican.writers import FileOverwriteFailedError

from press.site import pelican_adapter

PACKAGE = Path(__file__).resolve().parent.parent / "tools" / "press"
ADAPTER = PACKAGE / "site" / "pelican_adapter.py"

# The press's own attributes that happen to share a name with a private one of Pelican's: (file, name).
PRESS_OWN = {
    ("site/memo.py", "_content"): "RenderMemo._content, the fingerprint of an article",
    ("site/memo.py", "_templates"): "RenderMemo._templates, the names each template reads",
    ("ballots.py", "_context"): "Ballot._context, what its count was judged with",
}


def pelican_private_names() -> set[str]:
    """Every ``_name`` Pelican's own code defines on its objects: methods, and attributes it sets on ``self``."""
    names = set()
    for path in Path(pelican.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("_") and not item.name.startswith("__"):
                        names.add(item.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                if isinstance(node.ctx, ast.Store) and node.attr.startswith("_") and not node.attr.startswith("__"):
                    names.add(node.attr)
    return names


def private_uses(path: Path, private: set[str]) -> list[str]:
    """``X._name`` in ``path`` where ``_name`` is one of Pelican's private names, and the assignment
    of ``__class__`` (replacing an object's class), unless the press's own."""
    rel = path.relative_to(PACKAGE).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "__class__" and isinstance(node.ctx, ast.Store):
            found.append(f"{rel}:{node.lineno}: replaces an object's __class__")
        elif node.attr in private and (rel, node.attr) not in PRESS_OWN:
            found.append(f"{rel}:{node.lineno}: .{node.attr} (a private name of Pelican's)")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def test_pelican_private_names_are_used_only_in_the_adapter():
    private = pelican_private_names()
    assert {"_open_w", "_written_files", "_md", "_parse_metadata", "_content", "_cache_path"} <= private  # the scan sees them
    found = [use for path in sorted(PACKAGE.rglob("*.py")) if path != ADAPTER for use in private_uses(path, private)]
    assert not found, "Pelican's private API outside site/pelican_adapter.py:\n" + "\n".join(found)
    assert private_uses(ADAPTER, private)  # and the adapter is where they are


def test_a_private_call_slipped_in_is_caught(tmp_path):
    (tmp_path / "site").mkdir()
    careless = tmp_path / "site" / "generator.py"
    careless.write_text("def f(reader, writer, g, cls):\n    reader._md.convert('x')\n    writer._open_w('p', 'utf-8')\n    g.__class__ = cls\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        found = private_uses(careless, pelican_private_names())
    finally:
        PACKAGE = saved
    assert found == [
        "site/generator.py:2: ._md (a private name of Pelican's)",
        "site/generator.py:3: ._open_w (a private name of Pelican's)",
        "site/generator.py:4: replaces an object's __class__",
    ]


class _Writer(pelican_adapter.PelicanWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = []

    def decided(self, path, decision):
        self.decisions.append((path, decision))


def test_the_writer_keeps_pelicans_rules_for_a_path_written_twice(tmp_path):
    writer = _Writer(str(tmp_path), settings={})
    page = str(tmp_path / "a.html")
    with writer._open_w(page, "utf-8") as f:
        f.write("FIRST")
    with pytest.raises(FileOverwriteFailedError):
        writer._open_w(page, "utf-8")
    with writer._open_w(page, "utf-8", override=True) as f:
        f.write("OVERRIDING")
    with writer._open_w(page, "utf-8") as f:  # the overriding page stays
        f.write("LATER")
    assert Path(page).read_text() == "OVERRIDING"
    with pytest.raises(FileOverwriteFailedError):
        writer._open_w(page, "utf-8", override=True)


def test_a_decided_page_reaches_the_writer_with_its_own_path(tmp_path):
    """The decision travels with the page (no field between two calls): two pages rendered before
    either is opened still each get their own."""
    writer = _Writer(str(tmp_path), settings={})
    first, second = pelican_adapter.Rendered("", "LINK-A"), pelican_adapter.Rendered("", "DEFER-B")
    with writer._open_w(str(tmp_path / "b.html"), "utf-8") as f:
        f.write(second)
    with writer._open_w(str(tmp_path / "a.html"), "utf-8") as f:
        f.write(first)
    with writer._open_w(str(tmp_path / "c.html"), "utf-8") as f:
        f.write(pelican_adapter.Rendered("PLAIN"))  # no decision: written as it is
    assert writer.decisions == [(str(tmp_path / "b.html"), "DEFER-B"), (str(tmp_path / "a.html"), "LINK-A")]
    assert not os.path.exists(tmp_path / "a.html") and not os.path.exists(tmp_path / "b.html")  # nothing written for them
    assert (tmp_path / "c.html").read_text() == "PLAIN"

"""Records are parsed straight from libyaml's events (no composer, no node objects) for speed. The
result must be exactly what the composer path gives — values, lines of every key and item, and
every problem with its line — for good records, bad ones and thousands of mangled ones."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from press import strictyaml
from press.strictyaml import Map, Seq, YamlProblem

REPO = Path(__file__).resolve().parent.parent

CASES = [
    "", "---\n", "a: 1\n---\nb: 2\n", "a: &x 1\nb: *x\n", "a: &x 1\nb: &x 2\n", "<<: {a: 1}\n", "a: !!merge <<\n", "- <<\n",
    "? [a]\n: 1\n", "a: 1\na: 2\n", "a: !custom 1\n", "a: 2026-02-30\n", "a: 1234567890123456\n", 'a: "x\\ny"\n',
    "a: |\n  x\n  y\n", 'a: "\\x07"\n', "a: yes\nno: on\n", "a: true\nb: False\nc: ~\nd: null\ne: 1.5\nf: 0x1F\ng: 19:00\n",
    "a:\n\t- 1\n", "[" * 14 + "1" + "]" * 14 + "\n", "[" * 11 + "1" + "]" * 11 + "\n", "a: [1, 2\n", "\x00", "a: b: c\n",
    "- a\n- {b: c, d: [e, f]}\n- - g\n", "!!set {a, b}\n", "a: !!str 1\n", "a: !!binary aGk=\n", "{a: 1, a: 2}\n",
    "a: 'x'\nb: \"y\"\n", "? a\n", "a:\n", "- \n- x\n", "a: \u202e\n", "=: 1\n", "a: 2026-01-01 10:00:00\n", "a: &y [1, *y]\n",
    "present: [ana, ben]\nmotions:\n  - publish: springfield/rent\n    digest: sha256:00\n    yes: [ana]\n    no: []\n",
]  # fmt: skip


def shape(value):
    if isinstance(value, Map):
        return ("map", value.line, sorted(value.key_lines.items(), key=repr), [(repr(k), shape(v)) for k, v in value.items()])
    if isinstance(value, Seq):
        return ("seq", value.line, list(value.item_lines), [shape(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(parse, text):
    try:
        return ("ok", shape(parse(text)))
    except YamlProblem as exc:
        return ("problem", exc.line, str(exc))


def corpus() -> list[str]:
    texts = list(CASES)
    for folder in ("editorial", "tests"):
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted((REPO / folder).rglob("*.yml"))]
    rng = random.Random(16)
    originals = [t for t in texts if t]
    pieces = [":", "-", "[", "]", "{", "}", "&a ", "*a", " ", "\n", "\t", "!", '"', "'", "<<: ", "? ", "#", "|", ">", "2026-13-01", "x", "\x85"]
    for _ in range(2000):
        text = rng.choice(originals)
        at = rng.randrange(len(text))
        texts.append(text[:at] + rng.choice(pieces) + text[at + rng.randrange(0, 3):])
    return texts


@pytest.mark.skipif(strictyaml._CParser is None, reason="PyYAML without libyaml: the composer path is the only one")
def test_the_event_builder_gives_what_the_composer_gives():
    texts = corpus()
    differing = [t for t in texts if outcome(strictyaml._parse_events, t) != outcome(strictyaml._parse_composed, t)]
    assert differing == []
    problems = sum(outcome(strictyaml.parse, t)[0] == "problem" for t in texts)
    assert 200 < problems < len(texts) - 200  # the corpus has both kinds, plenty of each

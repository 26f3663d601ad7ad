"""The desk's article format (admin/press.js), run under Node: what it writes is read back by the press's
strict front-matter reader as exactly the values the writer typed, and press-new headers open intact."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from press import cms, frontmatter
from press.records import Assembly, Rules, parse_metadata

HARNESS = """
const formats = {};
global.CMS = { registerCustomFormat: (name, ext, f) => { formats[name] = f; }, registerPreviewStyle() {}, registerPreviewTemplate() {} };
global.createClass = (spec) => spec; global.h = () => null;
%s
const f = formats["press-markdown"];
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.map(([op, arg]) => op === "toFile" ? f.toFile(arg) : f.fromFile(arg));
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node():
    if shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js must be installed in CI")
        pytest.skip("Node.js is not installed (Debian: apt-get install nodejs)")
    script = cms.press_js([Assembly("springfield", "x", "Springfield", Rules(), {})], "../theme/css/press.css")

    def run(*calls):
        done = subprocess.run(["node", "-e", HARNESS % script], input=json.dumps(list(calls)), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


TRICKY = ["yes", "no", "on", "2026-01-01", "12", "1e3", "null", "~", "a: b", "#hash", "- dash", "'quoted'", '"double"',
          "*alias", "&anchor", "!tag", "{x: 1}", "[1, 2]", "back\\slash", "Ünïcödé — “quotes” 🚲", "  spaces  ", "%percent", "@at",
          "|", ">", "  |-"]  # fmt: skip
# Pasted text the press's reader refuses in a value: the desk writes it as the press reads it.
PASTED = {"tab\there": "tab here", "bell\x07": "bell", "bidi\u202eevil": "bidievil", "nul\x00": "nul"}


def test_every_value_the_desk_writes_reads_back_exactly(node):
    entries = [
        {"title": value, "summary": f"Line one {value}\nLine two", "tags": [value, "plain"], "authors": ["Ana Ruiz"], "body": "Text.\n"}
        for value in TRICKY
    ]
    written = node(*[("toFile", data) for data in entries])
    opened = node(*[("fromFile", text) for text in written])
    for data, text, back in zip(entries, written, opened):
        header = frontmatter.to_header(text)  # the press's strict reader
        meta = parse_metadata(header)
        assert meta["title"] == data["title"].strip(), text
        assert meta["summary"] == "\n".join(line.strip() for line in data["summary"].split("\n")), text
        assert meta["tags"].startswith(data["title"].strip()) and meta["authors"] == "Ana Ruiz"
        assert header.endswith("\n\nText.\n")
        assert back == {**data, "summary": "\n".join(line.strip() for line in data["summary"].split("\n")), "tags": [data["title"].strip(), "plain"]}, text


def test_pasted_control_characters_are_cleaned_before_the_press_sees_them(node):
    written = node(*[("toFile", {"title": value, "summary": f"A\r\n{value}\u2028C", "body": ""}) for value in PASTED])
    for (value, expected), text in zip(PASTED.items(), written):
        meta = parse_metadata(frontmatter.to_header(text))
        assert meta["title"] == expected and meta["summary"] == f"A\n{expected}\nC", text


def test_a_press_new_header_opens_with_its_fields(node):
    (data,) = node(("fromFile", "Title: Rent: the sequel\nAuthor: Ana Ruiz, Ben Okafor\nSummary: One\n    two\nTags: a, b\nLang: es\n\nBody **here**.\n"))
    assert data == {"title": "Rent: the sequel", "authors": ["Ana Ruiz", "Ben Okafor"], "summary": "One\ntwo", "tags": ["a", "b"], "lang": "es", "body": "Body **here**.\n"}


def test_front_matter_written_by_hand_or_by_decap_opens(node):
    text = "---\ntitle: 'It''s here'\ntags: [a, \"b\"]\nauthors:\n  - Ana\nsummary: |-\n  One\n  two\nlang: en\n---\nBody\n"
    (data,) = node(("fromFile", text))
    assert data == {"title": "It's here", "tags": ["a", "b"], "authors": ["Ana"], "summary": "One\ntwo", "lang": "en", "body": "Body\n"}

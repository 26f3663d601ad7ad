"""Bad records: every mistake an editor can make is reported with its file and line."""

from __future__ import annotations

import pytest

ROSTER = "editorial/assemblies/springfield.yml"
MEETING = "editorial/meetings/springfield/2026-10-06.yml"


def test_a_clean_press_has_no_problems(pressdir):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.publish("springfield", "rent", "2026-10-06")
    assert pressdir.problems() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: A\nname: B\nmembers: []\n", f"{ROSTER}:2: duplicate key 'name' (first at line 1)"),
        ("name: &n A\nregion: *n\nmembers: []\n", f"{ROSTER}:2: YAML aliases (*n) are not allowed"),
        ("name: A\nmembers:\n\t- id: ana\n", f"{ROSTER}:3: invalid YAML: found a tab character (YAML does not allow tabs for indentation: use spaces)"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana, joined: 2026-02-30}\n", f"{ROSTER}:3: '2026-02-30' is not a real date"),
        ("name: A\nmembers: []\ncolour: red\n", f"{ROSTER}:3: unknown key 'colour' — allowed keys: name,"),
        ("name: A\nmembers: []\nrules:\n  quorom: 3\n", f"{ROSTER}:4: unknown key 'quorom' in rules"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, email: a@b}\n", f"{ROSTER}:3: unknown key 'email' for a member"),
        ("name: A\nmembers:\n  - {id: Ana, name: Ana, joined: 2025-01-01}\n", f"{ROSTER}:3: member id 'Ana' is not a valid id"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana}\n", f"{ROSTER}:3: missing required key 'joined' for a member"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana, joined: soon}\n", f"{ROSTER}:3: 'joined' must be a date written YYYY-MM-DD"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, left: 2024-01-01}\n", f"{ROSTER}:3: left 2024-01-01 must be after joined"),
        (
            "name: A\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01}\n  - {id: ana, name: Anna, joined: 2025-01-01}\n",
            f"{ROSTER}:4: member 'ana' is listed twice (first at line 3)",
        ),
        ("name: A\nmembers: []\neditors: [zed]\n", f"{ROSTER}:3: editor 'zed' is not in this assembly's members"),
        ("name: A\nmembers: []\nrules: {quorum: 0}\n", f"{ROSTER}:3: quorum 0 must be a whole number of ballots >= 1"),
        ("name: A\nmembers: []\nrules: {quorum: 3/2}\n", f"{ROSTER}:3: quorum '3/2' must be a whole number"),
        ("name: A\nmembers: []\nrules: {threshold: most}\n", f"{ROSTER}:3: threshold 'most' must be majority, two-thirds or a fraction"),
        ("name: A\nmembers: []\nrules: {ballot: show-of-hands}\n", f"{ROSTER}:3: ballot 'show-of-hands' must be roll-call or secret"),
        ("name: A\nmembers: []\nrules: {signatures: 2}\n", f"{ROSTER}:3: rules require 2 editor signatures but only 0 editor(s) have a key"),
        ("name: A\nmembers:\n  - {id: ana, name: Ana, joined: 2025-01-01, key: ssh-rsa nonsense}\n", f"{ROSTER}:3: key of 'ana' is not an OpenSSH public key"),
        ("name: A\nmembers: []\ntimezone: Mars/Olympus\n", f"{ROSTER}:3: unknown timezone 'Mars/Olympus'"),
        ("- just\n- a list\n", f"{ROSTER}:1: an assembly record must be a mapping"),
        ("members: []\n", f"{ROSTER}:1: missing required key 'name'"),
        ("name: !!python/object:os.system x\nmembers: []\n", f"{ROSTER}:1: unsupported YAML tag"),
        ("name: A\nmembers: [[[[[[[[[[[[[[x]]]]]]]]]]]]]]\n", f"{ROSTER}:2: nested deeper than 12 levels"),
    ],
)
def test_bad_roster_is_reported_at_its_line(pressdir, text, expected):
    pressdir.assembly(text=text)
    problems = pressdir.problems()
    assert any(p.startswith(expected) for p in problems), problems


def test_yes_and_no_are_words_not_booleans(pressdir):
    pressdir.assembly(
        text="name: No\nregion: yes\nmembers:\n  - {id: on, name: Off, joined: 2025-01-01}\n",
    )
    loaded = pressdir.load()
    assert loaded.problems == []
    assembly = loaded.records.assemblies["springfield"]
    assert (assembly.name, assembly.region, list(assembly.members)) == ("No", "yes", ["on"])


def test_non_utf8_record_names_the_file_and_line(pressdir):
    pressdir.write(ROSTER, "name: Caf\xe9\nmembers: []\n".encode("latin-1"))
    assert pressdir.problems() == [f"{ROSTER}:1: not valid UTF-8 — save the file as UTF-8"]


def test_oversized_record_fails_fast(pressdir):
    pressdir.write(ROSTER, "name: A\nmembers: []\ndescription: " + "x" * 300_000 + "\n")
    assert pressdir.problems() == [f"{ROSTER}: record is 300,034 bytes; records are limited to 262,144 bytes"]


def test_billion_laughs_is_refused_before_expanding(pressdir):
    bomb = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n'
    pressdir.write(ROSTER, bomb)
    assert pressdir.problems() == [f"{ROSTER}:2: YAML aliases (*a) are not allowed in records — write the value out"]


def test_assembly_file_name_must_be_an_id(pressdir):
    pressdir.write("editorial/assemblies/Spring Field.yml", "name: A\nmembers: []\n")
    assert any("assembly id 'Spring Field' (the file name) must be lowercase" in p for p in pressdir.problems())


@pytest.mark.parametrize("name", ["2026-13-01.yml", "2026-02-30.yml", "october.yml"])
def test_meeting_file_name_must_be_a_real_date(pressdir, name):
    pressdir.assembly()
    pressdir.write(f"editorial/meetings/springfield/{name}", "present: [ana]\n")
    assert pressdir.problems() == [
        f"editorial/meetings/springfield/{name}: meeting file name '{name}' must be the meeting date, YYYY-MM-DD.yml, and a real date"
    ]


def test_meetings_of_an_unknown_assembly(pressdir):
    pressdir.assembly()
    pressdir.meeting("shelbyville", "2026-10-06", "present: [ana]\n")
    assert pressdir.problems() == [
        "editorial/meetings/shelbyville: no assembly 'shelbyville' — add editorial/assemblies/shelbyville.yml"
    ]


@pytest.mark.parametrize(
    ("motions", "expected"),
    [
        ("  - publish: springfield/rent\n    yes: [ana, ben]\n", ":3: a publish motion needs 'digest:'"),
        ("  - publish: springfield/rent\n    digest: md5:abc\n    yes: [ana]\n", ":4: digest 'md5:abc' is malformed"),
        ("  - publish: shelbyville/rent\n    digest: sha256:" + "0" * 64 + "\n", ":3: shelbyville/rent belongs to assembly 'shelbyville'; springfield decides only on its own articles"),
        ("  - publish: rent\n", ":3: publish must name an article as <assembly>/<slug>"),
        ("  - retract: springfield/rent\n    yes: [ana, ben]\n", ":3: a retract motion needs a 'reason:'"),
        ("  - reject: springfield/rent\n    yes: [ana]\n    maybe: [ben]\n", ":5: unknown key 'maybe' in a reject motion"),
        ("  - publish: springfield/rent\n    reject: springfield/rent\n", ":3: motion 1 must name exactly one of publish, reject"),
        ("  - second: springfield/rent\n", ":3: motion 1 must name exactly one of"),
        ("  - elect-delegate: Ana Ruiz\n", ":3: elect-delegate must name a member id"),
        ("  - reject: springfield/rent\n    yes: ana\n", ":4: 'yes' must list member ids (this assembly votes by roll-call)"),
        ("  - reject: springfield/rent\n    yes: [Ana]\n", ":4: 'yes' voter 'Ana' is not a valid id"),
        ("  - just a sentence\n", ":3: motion 1 must be a mapping"),
    ],
)
def test_bad_motion_is_reported_at_its_line(pressdir, motions, expected):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", "present: [ana, ben]\nmotions:\n" + motions)
    problems = pressdir.problems()
    assert any(p.startswith(MEETING + expected) for p in problems), problems
    assert pressdir.load().decisions.articles["springfield/rent"].state == "awaiting-vote"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("present: ana\n", ":1: 'present' must be a list of member ids"),
        ("present: [ana, ana]\n", ":1: 'ana' is listed as present twice — list each member once"),
        ("attendance: [ana]\n", ":1: unknown key 'attendance'"),
        ("motions:\n  - reject: springfield/rent\n    yes: [ana]\n", ":1: missing 'present'"),
        ("present: [ana]\nmotions: {reject: springfield/rent}\n", ":2: 'motions' must be a list of motions"),
    ],
)
def test_bad_meeting_is_reported_at_its_line(pressdir, text, expected):
    pressdir.assembly()
    pressdir.article("springfield", "rent")
    pressdir.meeting("springfield", "2026-10-06", text)
    problems = pressdir.problems()
    assert any(p.startswith(MEETING + expected) for p in problems), problems


def test_articles_must_live_in_an_assembly_folder(pressdir):
    pressdir.assembly()
    pressdir.write("content/stray.md", "Title: Stray\n\nText\n")
    pressdir.write("content/shelbyville/rent.md", "Title: Rent\n\nText\n")
    pressdir.write("content/springfield/deep/rent.md", "Title: Rent\n\nText\n")
    pressdir.write("content/springfield/Rent Strike.md", "Title: Rent\n\nText\n")
    pressdir.write("content/springfield/untitled.md", "Author: Ana\n\nText\n")
    pressdir.write("content/springfield/latin.md", "Title: Caf\xe9\n\nText\n".encode("latin-1"))
    assert pressdir.problems() == [
        "content/shelbyville: no assembly 'shelbyville' — articles go in a folder named after an assembly",
        "content/springfield/Rent Strike.md: article file name 'Rent Strike.md' must be lowercase letters, digits and '-', ending in .md",
        "content/springfield/deep/rent.md: articles live directly in content/springfield/, not in sub-folders",
        "content/springfield/latin.md:1: not valid UTF-8 — save the file as UTF-8",
        "content/springfield/untitled.md:1: article has no 'Title:' line in its metadata header — start the file with 'Title: …'",
        "content/stray.md: articles go in content/<assembly>/, not directly in content/",
    ]


def test_symlinked_article_is_refused(pressdir, tmp_path):
    pressdir.assembly()
    outside = tmp_path / "secret.md"
    outside.write_text("Title: Secret\n\nOutside the press.\n")
    (pressdir.root / "content" / "springfield").mkdir(parents=True)
    (pressdir.root / "content" / "springfield" / "secret.md").symlink_to(outside)
    assert pressdir.problems() == [
        "content/springfield/secret.md: symbolic links are not allowed in content/ — commit the file itself"
    ]
    assert "springfield/secret" not in pressdir.load().records.articles


def test_control_characters_are_named(pressdir):
    pressdir.write(ROSTER, "name: A\nmembers: []\nregion: \x00\n")
    assert pressdir.problems() == [f"{ROSTER}:3: invalid character '\\x00' — records are plain text"]


@pytest.mark.parametrize(
    ("meets", "after", "expected"),
    [
        ("First Tuesday of the month, 19:00, Union Hall", "2026-12-06", "2027-01-05"),
        ("Second Monday of the month, 18:30", "2026-12-14", "2027-01-11"),  # that day itself is past
        ("third sunday, 16:00, online", "2026-11-21", "2026-12-20"),
        ("Last Friday of the month", "2027-02-01", "2027-02-26"),
        ("Whenever the hall is free", "2026-12-06", None),
        (None, "2026-12-06", None),
    ],
)
def test_the_usual_meeting_day_is_read_from_meets(meets, after, expected):
    """Dates checked against a printed calendar of 2026–2027."""
    import datetime as dt

    from press.records import Assembly, Rules

    body = Assembly(id="a", path="a.yml", name="A", rules=Rules(), members={}, meets=meets)
    found = body.usual_meeting_after(dt.date.fromisoformat(after))
    assert (found.isoformat() if found else None) == expected

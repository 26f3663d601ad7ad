"""Keys from the types (press.keys): every field of a type that reaches the site is in its key,
unless it is marked out with the reason; adding a field or a type without deciding fails here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
import subprocess
import sys
import zoneinfo
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest
from markupsafe import Markup

from press.build import build
from press.keys import Unkeyable, key_of, keyed_fields, unkeyed, unkeyed_fields
from press.records import Assembly, Member, MemberKey, Meeting, Rules

from test_layering import LAYERS

# Every dataclass whose values reach a page, feed, calendar or JSON file: its keyed fields, then
# after "|" the fields marked out of its key. A new field is keyed by default; this list makes
# whoever adds it say so here, or mark it field(metadata={"key": "why pages cannot show it"}).
REACHES = {
    "press.problems.Problem": "path line message",
    "press.records.MemberKey": "line valid_from until | at",
    "press.records.Member": "id name joined left keys github person | line",
    "press.records.Rules": "quorum threshold ballot signatures signatures_from keep_metadata envelope_from online_quorum",
    "press.records.Assembly": "id path name rules members editors region description meets timezone contact",
    "press.records.Motion": "index kind target yes no abstain digest note reason problems corrects corrected | line vote_lines",
    "press.records.CorrectedVotes": "yes no abstain | vote_lines",
    "press.records.Meeting": "assembly date path present motions notes raw time location signatures | present_lines present_line",
    "press.records.Article": "id assembly slug path digest title metadata attachments",
    "press.records.Section": "id name tags description | line",
    "press.council.records.CouncilRules": "quorum threshold ballot signatures signatures_from keep_metadata envelope_from online_quorum weighting",
    "press.council.records.Council": "id path name rules members editors region description meets timezone contact",
    "press.council.records.CouncilMotion": "index kind target yes no abstain digest note reason problems corrects corrected lead until weights counted | line vote_lines",
    "press.council.records.CouncilMeeting": "assembly date path present motions notes raw time location signatures sitting | present_lines present_line",
    "press.ballot_records.BallotOption": "id name | line",
    "press.ballot_records.CastRecord": "path raw body ballot record record_digest voter choice sequence signature",
    "press.ballot_records.CloseRecord": "path raw closed received signatures | line",
    "press.ballot_records.BallotRecord": "body id path raw question opens closes motion article revision member reason method options opened_by signatures casts close | line motion_line opened_by_line",
    "press.decisions.ArticleDecision": "article state reasons decided approved first_approved published_on updated_on update_note history",
    "press.decisions.Decisions": "now today outcomes articles delegates problems council warnings ballots",
    "press.sittings.Outcome": "assembly meeting motion status reasons yes no abstain quorum eligible corrected_by ballot",
    "press.sittings.DelegateTerm": "member elected ended ended_by",
    "press.council.decisions.Seat": "assembly delegate name weight elected",
    "press.council.decisions.CouncilOutcome": "assembly meeting motion status reasons yes no abstain quorum eligible corrected_by ballot seats yes_seats no_seats abstain_seats weighting",
    "press.council.decisions.Feature": "article outcome lead until ended ended_by",
    "press.council.decisions.MandateEntry": "outcome holder holder_name vote changed_hands previous previous_name previous_ended_by previous_ended",
    "press.council.decisions.CouncilDecisions": "council today outcomes features seats_today mandates",
    "press.ballots.Option": "id name",
    "press.ballots.Cast": "path voter person choice sequence digest counted why key",
    "press.ballots.BallotResult": "status reasons yes no abstain eligible quorum turnout by_assembly approvals rounds eliminated winners",
    "press.ballots.Ballot": "body id path question kind motion article digest member options opens closes timezone status opened_by eligible keys casts result record | outcome _context",
    "press.site.council.Image": "path alt width height",
    "press.site.council.Story": "article image feature",
    "press.site.council.AssemblyStories": "id name stories",
    "press.site.council.SectionStories": "section stories",
    "press.site.council.FrontPage": "lead featured assemblies sections",
    "press.site.generator.Link": "url title date",
    "press.site.generator.Chapter": "assembly articles retracted members_in_good_standing delegate delegates next_meeting description_html agenda_items ledger record is_council images",
    "press.site.generator.SectionPage": "section articles description_html images",
    "press.site.admin.Settings": "repo branch auth_url auth_endpoint site_url sitename script",
    "press.site.images.Card": "headline kicker footer site key",
    "press.site.pagination.PageLink": "number url save_as",
}

# The package's other dataclasses (below the commands), and why none of their values reach a page
# through the render memo's keys.
ELSEWHERE = {
    "press.openssh.Certificate": "signature checking; pages show its outcome, never the key",
    "press.openssh.PublicKey": "signature checking",
    "press.openssh.Signature": "signature checking",
    "press.openssh.Verdict": "signature checking",
    "press.media.Field": "attachment metadata while it is cleaned; pages get the cleaned file",
    "press.bundle.Link": "a link checked while reading an article",
    "press.history.Version": "git history; pages get dates and authors as plain values",
    "press.history.History": "git history; pages get dates and authors as plain values",
    "press.records.SittingForm": "how a sitting's record is written (press record)",
    "press.reading.Records": "the whole press: pages get its parts (assemblies, meetings, decisions)",
    "press.signatures.SignatureCheck": "signature checking; the meeting's signatures are keyed",
    "press.inputs.Inputs": "verify's memory of files, not what pages show",
    "press.inputs.Verified": "verify's memory of files, not what pages show",
    "press.model.ApprovedRevision": "bytes of an approved revision; pages get its text as the article's",
    "press.model.Press": "the model; pages get its parts",
    "press.ballots._Context": "the count's working state (marked out of Ballot)",
    "press.ballots._Judged": "the count's working state",
    "press.count.ApprovalCount": "a count's working result; BallotResult holds what pages show",
    "press.count.RankedCount": "a count's working result; BallotResult holds what pages show",
    "press.count._Trial": "a count's working state",
    "press.check.CheckReport": "press check's report, never a page",
    "press.uptodate.Record": "the up-to-date check's memory",
    "press.uptodate.Inputs": "the up-to-date check's memory",
    "press.site.feeds.Enclosure": "made from keyed articles while a feed is written",
    "press.site.feeds.Entry": "made from keyed articles while a feed is written",
    "press.site.feeds.Feed": "made from keyed articles while a feed is written",
    "press.site.outputs.Claim": "the output list's bookkeeping",
    "press.site.outputs.Made": "the output list's bookkeeping: which rule made a file",
    "press.site.parallel.Job": "a page being rendered, keyed by its context",
    "press.site.images._Text": "a card's layout while it is painted; the image is keyed by its Card and the drawing's version",
    "press.site.images._Rule": "a card's layout while it is painted; the image is keyed by its Card and the drawing's version",
}


def dataclasses_of_the_package() -> dict[str, type]:
    found = {}
    for layer, modules in LAYERS.items():
        if layer == "cli":  # commands: nothing of theirs reaches a page
            continue
        for name in modules:
            for value in vars(importlib.import_module(name)).values():
                if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name:
                    found[f"{name}.{value.__qualname__}"] = value
    return found


def test_every_dataclass_is_either_keyed_for_the_site_or_said_to_stay_off_it():
    found = dataclasses_of_the_package()
    undecided = sorted(found.keys() - REACHES.keys() - ELSEWHERE.keys())
    assert not undecided, f"new dataclasses: add each to REACHES (its values reach pages) or ELSEWHERE (why not): {undecided}"
    assert not (REACHES.keys() & ELSEWHERE.keys())
    assert sorted((REACHES.keys() | ELSEWHERE.keys()) - found.keys()) == [], "gone: take them off the lists"


@pytest.mark.parametrize("name", sorted(REACHES))
def test_every_field_of_a_type_that_reaches_the_site_is_keyed_or_marked_with_a_reason(name):
    cls = dataclasses_of_the_package()[name]
    keyed, _, marked = REACHES[name].partition("|")
    decided = (keyed.split(), marked.split())
    actual = (list(keyed_fields(cls)), list(unkeyed_fields(cls)))
    assert actual == decided, (
        f"{name}: the fields changed. Decide for each new one whether a page can show it: keyed (list it"
        f" here) or marked field(metadata={{'key': 'why not'}})"
    )
    for field_name, why in unkeyed_fields(cls).items():
        assert len(why.split()) >= 3, f"{name}.{field_name}: say why it is not part of what pages show"


def test_a_marked_field_leaves_the_key_and_every_other_field_is_in_it():
    member = Member(id="ana", name="Ana Ruiz", joined=dt.date(2025, 1, 1), line=3)
    assert key_of(dataclasses.replace(member, line=40)) == key_of(member)
    for change in ({"name": "Ana Ruíz"}, {"left": dt.date(2026, 1, 1)}, {"github": "ana"}, {"keys": (MemberKey("ssh-ed25519 AAAA"),)}):
        assert key_of(dataclasses.replace(member, **change)) != key_of(member), change


def assembly(**change) -> Assembly:
    base = Assembly(
        id="harbor", path="editorial/assemblies/harbor.yml", name="Harbour", rules=Rules(quorum=Fraction(1, 2)),
        members={"ana": Member(id="ana", name="Ana", joined=dt.date(2025, 1, 1))}, meets="First Thursday, 17:00",
        timezone="Europe/Berlin",
    )  # fmt: skip
    return dataclasses.replace(base, **change)


@pytest.mark.parametrize(
    "change",
    [{"timezone": "America/New_York"}, {"meets": "First Thursday, 18:30"}, {"rules": Rules(quorum=Fraction(2, 3))}, {"rules": Rules(quorum=1, threshold="two-thirds")}, {"editors": ("ana",)}, {"members": {}}],
    ids=["timezone", "meets", "quorum", "threshold", "editors", "roster"],
)
def test_what_the_issue_found_stale_changes_an_assemblys_key(change):
    assert key_of(assembly(**change)) != key_of(assembly())


def test_values_that_print_alike_but_render_differently_have_different_keys():
    berlin, new_york = zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("America/New_York")
    same_instant = dt.datetime(2026, 11, 5, 17, tzinfo=berlin)
    assert key_of(same_instant) != key_of(same_instant.astimezone(new_york))
    assert key_of(dt.datetime(2026, 11, 5, 17)) != key_of(dt.datetime(2026, 11, 5, 17, tzinfo=dt.timezone.utc))
    assert key_of("<b>") != key_of(Markup("<b>"))  # escaped or not
    assert key_of("1") != key_of(1) != key_of(1.0) != key_of(True)
    assert key_of(Fraction(1, 2)) != key_of(0.5)
    assert key_of({"a": 1, "b": 2}) != key_of({"b": 2, "a": 1})  # a page listing a dict shows its order
    assert key_of(["a", "b"]) != key_of(("a", "b")) != key_of(["ab"])
    assert key_of(dt.date(2026, 11, 5)) != key_of(dt.datetime(2026, 11, 5))
    assert key_of({"x", "y"}) == key_of({"y", "x"})
    # short lists are parts of their owner, not digests: still never two values with one key
    assert key_of([["a"], "b"]) != key_of([["a", "b"]]) != key_of(["a", ["b"]]) != key_of(["a", "b"])
    assert key_of([[], ["a"]]) != key_of([["a"], []]) != key_of([["a"]])
    assert len({key_of(v) for v in (["a"], ("a",), {"a"}, frozenset({"a"}), {"a": None}, ["a", None])}) == 6
    assert key_of({"a": "b"}) != key_of({"ab": ""}) != key_of(["a", "b"])

    class Tags(list):
        pass

    assert key_of(Tags(["a"])) != key_of(["a"])  # a subclass is a type of its own, as before


def test_a_cycle_or_an_unknown_value_is_refused_not_guessed():
    @dataclass
    class Node:
        name: str
        next: object = None

    node = Node("a")
    node.next = node
    with pytest.raises(Unkeyable, match="refers back to itself"):
        key_of(node)
    for size in (1, 20):  # a short list is a part of its owner, a long one a digest: both refused
        loop: list = list(range(size))
        loop.append(loop)
        with pytest.raises(Unkeyable, match="refers back to itself"):
            key_of({"loop": loop})
    with pytest.raises(Unkeyable, match="object"):
        key_of([object()])
    assert key_of([object()], other=lambda value: b"known") == key_of([object()], other=lambda value: b"known")
    with pytest.raises(ValueError):
        unkeyed("  ")

    @dataclass
    class Marked:
        shown: str
        hidden: str = field(default="", metadata=unkeyed("never on a page"))

    assert key_of(Marked("x", "1")) == key_of(Marked("x", "2")) != key_of(Marked("y", "1"))


def test_keys_are_the_same_in_every_process_whatever_the_hash_seed():
    script = (
        "import datetime as dt; from fractions import Fraction; from press.keys import key_of; "
        "from press.records import Assembly, Member, Rules, Section; "
        "a = Assembly(id='h', path='p', name='H', rules=Rules(quorum=Fraction(2, 3)), members={'m': Member('m', 'M', dt.date(2025, 1, 1))}, editors=('m',)); "
        "print(key_of([a, Section('s', 'S', ('x', 'y')), {'set', 'of', 'words', 'ordered', 'by', 'hash'}, frozenset({1, 'a', None})]).hex())"
    )
    keys = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        keys.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)
    assert len(keys) == 1


@pytest.mark.usefixtures("settled")
def test_every_page_and_feed_of_the_sample_has_a_key(sample):
    """No output of the sample is made again on every build because a value it shows has no key."""
    result = build(sample)
    site = sample / "output"
    keyed = set(result.memo.after)
    wanted = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.suffix in (".html", ".atom", ".rss", ".ics") or p.name in ("ledger.json", "feed.json")
    }
    assert len(wanted) > 50
    assert sorted(wanted - keyed) == []

"""The meeting desk (press desk) as a secretary, a hostile page and a careless writer meet it: a whole
meeting run in Chromium writes the very record the CLI writes; a refusal shows its message and writes
nothing; nothing is recorded without the desk's secret; the pages escape what articles say."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import commit, copy_sample, git
from press import clock, desk
from press.cli import main

DAY = "2026-12-01"
NOW = "2026-12-02T03:00:00Z"  # the evening of 1 December in Springfield (America/Chicago)
RECORD = f"editorial/meetings/springfield/{DAY}.yml"


def sample_repo(where: Path) -> Path:
    """The sample press, committed in git on main, with a GitHub remote."""
    root = copy_sample(where)
    git(root, "init", "-q", "-b", "main")
    commit(root, "The sample press")
    git(root, "remote", "add", "origin", "git@github.com:springfield-press/press.git")
    return root


@pytest.fixture
def identity(monkeypatch, tmp_path):
    """Who commits, for the desk's own git runs."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Ana Ruiz")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "ana@example.org")
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def running(tmp_path, identity):
    """A desk for springfield's meeting of 1 December, served on a free port."""
    root = sample_repo(tmp_path / "desk")
    meeting = desk.Desk(root, "springfield", dt.date.fromisoformat(DAY), clock.parse_instant(NOW, "--now"))
    httpd = desk.start(meeting)
    try:
        yield meeting, httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), "--now", NOW, *args])


def post(httpd, path: str, fields: dict, host: str | None = None) -> tuple[int, str]:
    port = httpd.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = urllib.parse.urlencode(fields, doseq=True)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": host or f"127.0.0.1:{port}"}
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    return response.status, response.read().decode()


def get(httpd, path: str, host: str | None = None) -> tuple[int, str]:
    port = httpd.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": host or f"127.0.0.1:{port}"})
    response = conn.getresponse()
    return response.status, response.read().decode()


# --------------------------------------------------------------------------- without a browser


def test_nothing_is_recorded_without_the_desks_secret(running):
    meeting, httpd = running
    record = meeting.root / RECORD
    before = record.read_bytes()
    for fields in ({}, {"token": "guessed"}, {"token": meeting.token[:-1]}):
        status, text = post(httpd, "/attendance", {**fields, "present": ["ana", "ben"]})
        assert status == 403 and "does not carry the desk's secret" in text
    assert record.read_bytes() == before
    assert get(httpd, "/")[0] == 403 and get(httpd, "/state.json")[0] == 403 and get(httpd, "/projector?token=x")[0] == 403
    # a page whose name was rebound to 127.0.0.1 (DNS rebinding) is not answered, even with the secret
    assert post(httpd, "/attendance", {"token": meeting.token, "present": ["ana"]}, host="evil.example:80")[0] == 421
    assert get(httpd, f"/?token={meeting.token}", host="evil.example")[0] == 421
    assert record.read_bytes() == before
    status, _ = post(httpd, "/attendance", {"token": meeting.token, "present": ["ana", "ben"]})
    assert status == 303 and b"present: [ana, ben]" in record.read_bytes()


def test_the_desk_serves_nothing_from_elsewhere_and_forbids_framing(running):
    meeting, httpd = running
    port = httpd.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/?token={meeting.token}")
    response = conn.getresponse()
    page = response.read().decode()
    policy = response.getheader("Content-Security-Policy")
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "http://" not in page.replace(f"http://127.0.0.1:{port}", "") and "https://" not in page


def test_article_text_is_escaped_on_the_desk_and_the_projector(tmp_path, identity):
    root = sample_repo(tmp_path / "hostile")
    hostile = "Title: <img src=x onerror=alert(1)>\nAuthor: Eve\n\n</pre><script>alert(2)</script>\n"
    (root / "content/springfield/hostile.md").write_text(hostile)
    commit(root, "A hostile article")
    meeting = desk.Desk(root, "springfield", dt.date.fromisoformat(DAY), clock.parse_instant(NOW, "--now"))
    httpd = desk.start(meeting)
    try:
        number = next(i.number for i in meeting.agenda.items if i.article.id == "springfield/hostile")
        assert post(httpd, "/show", {"token": meeting.token, "item": str(number)})[0] == 303
        for path in ("/", "/projector"):
            status, page = get(httpd, f"{path}?token={meeting.token}")
            assert status == 200
            assert "<script>alert" not in page and "<img src=x" not in page
            assert "&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    "remote, url",
    [
        ("git@github.com:springfield-press/press.git", "https://github.com/springfield-press/press/compare/main...meeting/springfield-2026-12-01?expand=1"),
        ("https://github.com/springfield-press/press", "https://github.com/springfield-press/press/compare/main...meeting/springfield-2026-12-01?expand=1"),
        ("ssh://git@github.com/a/b.git\n", "https://github.com/a/b/compare/main...meeting/springfield-2026-12-01?expand=1"),
        ("https://gitlab.com/a/b.git", None),
        ("git@github.com.evil.example:a/b.git", None),
        ("/srv/git/press.git", None),
    ],
)
def test_the_pull_request_link_is_made_from_a_github_remote_only(remote, url):
    assert desk.github_compare_url(remote, "meeting/springfield-2026-12-01") == url


def test_press_desk_refuses_what_it_cannot_run(sample):
    unnamed = cli(sample, "desk")
    assert unnamed.exit_code == 2 and "name the assembly whose meeting this is: harbor, riverside, springfield" in unnamed.output
    unknown = cli(sample, "desk", "atlantis")
    assert unknown.exit_code == 2 and "atlantis" in unknown.output


def test_finishing_without_a_record_or_without_git_says_what_to_do(sample):
    meeting = desk.Desk(sample, "springfield", dt.date(2026, 11, 21), clock.parse_instant("2026-11-21T18:00:00Z", "--now"))
    with pytest.raises(desk.PressError, match="not written yet — take the roll call first"):
        meeting.finish()
    meeting.attendance({}, ["ana", "ben"])
    with pytest.raises(desk.PressError, match="is not a git repository: commit editorial/meetings/springfield/2026-11-21.yml by hand"):
        meeting.finish()


@pytest.fixture
def signing(pressdir, identity, tmp_path):
    """Springfield requires one editor signature; ana, its editor, has a key."""
    key = tmp_path / "ana"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ana", "-f", str(key)], check=True)
    pub = key.with_suffix(".pub").read_text().strip()
    pressdir.assembly(
        text="name: Springfield\ntimezone: America/Chicago\nrules: {quorum: 2, signatures: 1}\nmembers:\n"
        f"  - {{id: ana, name: Ana, joined: 2025-01-01, key: {pub}}}\n"
        "  - {id: ben, name: Ben, joined: 2025-01-01}\n"
        "editors: [ana]\n"
    )
    git(pressdir.root, "init", "-q", "-b", "main")
    commit(pressdir.root, "Roster")
    return pressdir.root, key


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_a_meeting_that_needs_signatures_is_signed_with_the_key_given(signing):
    root, key = signing
    meeting = desk.Desk(root, "springfield", dt.date(2026, 11, 21), clock.parse_instant("2026-11-21T18:00:00Z", "--now"), key)
    meeting.attendance({}, ["ana", "ben"])
    meeting.finish()
    assert meeting.message.lines[1] == "signed editorial/meetings/springfield/2026-11-21.yml: wrote 2026-11-21.yml.ana.sig"
    assert meeting.message.advice is None and meeting.message.link is None  # no GitHub remote: no link
    committed = git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["editorial/meetings/springfield/2026-11-21.yml", "editorial/meetings/springfield/2026-11-21.yml.ana.sig"]
    assert CliRunner().invoke(main, ["--root", str(root), "verify"]).exit_code == 0


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_a_meeting_that_needs_signatures_says_press_sign_is_needed_without_a_key(signing):
    root, _ = signing
    meeting = desk.Desk(root, "springfield", dt.date(2026, 11, 21), clock.parse_instant("2026-11-21T18:00:00Z", "--now"))
    meeting.attendance({}, ["ana", "ben"])
    meeting.finish()
    assert meeting.message.advice == (
        "Springfield requires 1 editor signature(s): each signing editor runs "
        "press sign editorial/meetings/springfield/2026-11-21.yml and commits the .sig file beside it on this branch"
    )
    assert git(root, "branch", "--show-current").strip() == "meeting/springfield-2026-11-21"
    # finishing again commits nothing new and says so
    meeting.finish()
    assert meeting.message.lines[0] == "nothing new to commit on meeting/springfield-2026-11-21: editorial/meetings/springfield/2026-11-21.yml is committed as it is"


# --------------------------------------------------------------------------- retract, correct, the council


@contextlib.contextmanager
def serving(root: Path, assembly: str, day: str, now: str):
    meeting = desk.Desk(root, assembly, dt.date.fromisoformat(day), clock.parse_instant(now, "--now"))
    httpd = desk.start(meeting)
    try:
        yield meeting, httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def motion(meeting, httpd, **fields) -> desk.Message:
    """Post a motion form as the desk's page would, and return what the desk then says."""
    status, _ = post(httpd, "/motion", {"token": meeting.token, **{k.replace("_", "-"): v for k, v in fields.items()}})
    assert status == 303
    return meeting.message


def same_as_cli(root: Path, twin: Path, record: str, now: str, commands: list[list[str]]) -> None:
    """The CLI, run on a twin of the press, writes the very bytes the desk wrote."""
    for command in commands:
        result = CliRunner().invoke(main, ["--root", str(twin), "--now", now, *command])
        assert result.exit_code == 0, result.output
    assert (root / record).read_bytes() == (twin / record).read_bytes()


def test_a_retraction_and_a_correction_on_the_desk_write_the_record_the_cli_writes(tmp_path, identity):
    root = sample_repo(tmp_path / "desk")
    with serving(root, "springfield", DAY, NOW) as (meeting, httpd):
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["ana", "ben", "carla", "dev", "eli"]})[0] == 303
        page = get(httpd, f"/?token={meeting.token}")[1]
        assert '<option value="springfield/rent-strike-wins">' in page  # published: may be retracted
        assert '<option value="2026-11-03#1">2026-11-03#1: publish springfield/library-hours</option>' in page
        said = motion(meeting, httpd, kind="retract", article="springfield/rent-strike-wins",
                      reason="The rent figures were wrong.", vote_dev="no", rest="yes")  # fmt: skip
        assert said.ok and said.lines == [f"recorded in {RECORD}: retract springfield/rent-strike-wins: passed", "4 yes · 1 no · 0 abstain (quorum 5)"]
        said = motion(meeting, httpd, kind="correct", motion="2026-11-03#1", reason="Eli abstained.",
                      as_yes="ana, ben,fatima", as_abstain="eli", rest="yes")  # fmt: skip
        assert said.ok and said.lines[0] == f"recorded in {RECORD}: correct 2026-11-03#1: passed"
        said = motion(meeting, httpd, kind="correct", motion="2026-10-06#1", reason="Never taken.", strike="yes", rest="yes")
        assert said.ok and said.lines[0].startswith(f"recorded in {RECORD}: correct 2026-10-06#1: ")
        assert meeting.state()["item"]["title"] == "Correct the minutes: motion 2026-10-06#1"
    same_as_cli(root, sample_repo(tmp_path / "twin"), RECORD, NOW, [
        ["record", "attendance", "springfield", "ana", "ben", "carla", "dev", "eli", "--date", DAY],
        ["record", "retract", "springfield/rent-strike-wins", "--reason", "The rent figures were wrong.", "--no", "dev", "--rest", "yes", "--date", DAY],
        ["record", "correct", "springfield", "2026-11-03#1", "--reason", "Eli abstained.", "--as-yes", "ana,ben,fatima", "--as-abstain", "eli", "--rest", "yes", "--date", DAY],
        ["record", "correct", "springfield", "2026-10-06#1", "--strike", "--reason", "Never taken.", "--rest", "yes", "--date", DAY],
    ])  # fmt: skip


COUNCIL_DAY = "2026-12-20"
COUNCIL_NOW = "2026-12-20T20:00:00Z"
COUNCIL_RECORD = f"editorial/meetings/council/{COUNCIL_DAY}.yml"


def test_a_council_meeting_on_the_desk_writes_the_record_the_cli_writes(tmp_path, identity):
    """The council's roll is its seats, each with its delegate; it features, unfeatures, retracts and corrects."""
    root = sample_repo(tmp_path / "desk")
    with serving(root, "council", COUNCIL_DAY, COUNCIL_NOW) as (meeting, httpd):
        page = get(httpd, f"/?token={meeting.token}")[1]
        assert 'id="present-springfield"' in page and "Springfield Community Assembly: Dev Patel" in page
        assert 'id="elect"' not in page and 'id="feature"' in page  # the council elects no one
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["springfield", "riverside"]})[0] == 303
        assert meeting.message.lines == [f"recorded attendance in {COUNCIL_RECORD}: 2 present"]
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["springfield", "riverside", "harbor"]})[0] == 303  # late
        said = motion(meeting, httpd, kind="feature", article="springfield/bus-fares", lead="yes", until="2027-01-31",
                      note="The fare campaign.", vote_harbor="abstain", rest="yes")  # fmt: skip
        assert said.ok and said.lines[0] == f"recorded in {COUNCIL_RECORD}: feature springfield/bus-fares: passed"
        said = motion(meeting, httpd, kind="unfeature", article="harbor/ferry-cuts", rest="yes")
        assert said.ok and said.lines[0] == f"recorded in {COUNCIL_RECORD}: unfeature harbor/ferry-cuts: passed"
        said = motion(meeting, httpd, kind="retract", article="council/transit-day-of-action", reason="Superseded.", rest="yes")
        assert said.ok and said.lines[0] == f"recorded in {COUNCIL_RECORD}: retract council/transit-day-of-action: passed"
        said = motion(meeting, httpd, kind="correct", motion="2026-11-15#2", reason="Riverside abstained.",
                      as_abstain="riverside", as_no="springfield", rest="yes")  # fmt: skip
        assert said.ok and said.lines[0] == f"recorded in {COUNCIL_RECORD}: correct 2026-11-15#2: passed"
        said = motion(meeting, httpd, kind="elect-delegate", member="dev", rest="yes")
        assert not said.ok and said.lines == ["'elect-delegate' is not a motion the desk records at the council's meeting"]
        finished = post(httpd, "/finish", {"token": meeting.token})
        assert finished[0] == 303 and meeting.message.lines[0].startswith(f"committed {COUNCIL_RECORD} on branch meeting/council-{COUNCIL_DAY}")
    same_as_cli(root, sample_repo(tmp_path / "twin"), COUNCIL_RECORD, COUNCIL_NOW, [
        ["record", "attendance", "council", "riverside", "springfield", "--date", COUNCIL_DAY],  # in the roll's order
        ["record", "attendance", "council", "harbor", "--date", COUNCIL_DAY],
        ["record", "feature", "springfield/bus-fares", "--lead", "--until", "2027-01-31", "--note", "The fare campaign.", "--abstain", "harbor", "--rest", "yes", "--date", COUNCIL_DAY],
        ["record", "unfeature", "harbor/ferry-cuts", "--rest", "yes", "--date", COUNCIL_DAY],
        ["record", "retract", "council/transit-day-of-action", "--reason", "Superseded.", "--rest", "yes", "--date", COUNCIL_DAY],
        ["record", "correct", "council", "2026-11-15#2", "--reason", "Riverside abstained.", "--as-abstain", "riverside", "--as-no", "springfield", "--rest", "yes", "--date", COUNCIL_DAY],
    ])  # fmt: skip


def test_hostile_retractions_and_corrections_write_nothing(tmp_path, identity):
    """A forged form, a rebound name, another assembly's article, a motion that never was: each refused, the record unchanged."""
    root = sample_repo(tmp_path / "desk")
    record = root / RECORD
    with serving(root, "springfield", DAY, NOW) as (meeting, httpd):
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["ana", "ben", "carla"]})[0] == 303
        before = record.read_bytes()
        retract = {"kind": "retract", "article": "springfield/rent-strike-wins", "reason": "x", "rest": "yes"}
        for token in ("", "guessed", meeting.token[:-1]):
            status, text = post(httpd, "/motion", {**retract, "token": token})
            assert status == 403 and "does not carry the desk's secret" in text
        assert post(httpd, "/motion", {**retract, "token": meeting.token}, host="evil.example:80")[0] == 421
        assert post(httpd, "/motion", {**retract, "token": meeting.token}, host=f"127.0.0.1.evil.example:{httpd.server_address[1]}")[0] == 421
        refusals = {
            # another assembly's article: springfield decides only on its own (the record's own check)
            "editorial/meetings/springfield/2026-12-01.yml:4: harbor/ferry-cuts belongs to assembly 'harbor'; springfield decides only on its own articles":
                dict(kind="retract", article="harbor/ferry-cuts", reason="Not ours.", rest="yes"),
            "no article 'springfield/nope' — give an id like <assembly>/<slug> or a path to content/<assembly>/<slug>.md":
                dict(kind="retract", article="springfield/nope", reason="x", rest="yes"),
            "editorial/meetings/springfield/2026-12-01.yml:4: a retract motion needs a 'reason:' for the retraction notice":
                dict(kind="retract", article="springfield/rent-strike-wins", reason="  ", rest="yes"),
            "editorial/meetings/springfield/2026-12-01.yml:4: correct names 2026-11-03#9, but that meeting has 1 motion(s)":
                dict(kind="correct", motion="2026-11-03#9", reason="x", strike="yes", rest="yes"),
            "editorial/meetings/springfield/2026-12-01.yml:4: correct must name an earlier motion of this assembly as <YYYY-MM-DD>#<number>, e.g. 2026-10-06#2, not 'harbor/2026-11-03#1'":
                dict(kind="correct", motion="harbor/2026-11-03#1", reason="x", strike="yes", rest="yes"),
            "give how the motion was really voted (--as-yes, --as-no, --as-abstain) or --strike, not both":
                dict(kind="correct", motion="2026-11-03#1", reason="x", strike="yes", as_yes="ana", rest="yes"),
            "give either member ids or one count": dict(kind="correct", motion="2026-11-03#1", reason="x", as_yes="ana,3", rest="yes"),
            "'feature' is not a motion the desk records at an assembly's meeting": dict(kind="feature", article="springfield/bus-fares", rest="yes"),
        }
        for message, fields in refusals.items():
            said = motion(meeting, httpd, **fields)
            assert not said.ok and said.lines == [message], fields
            assert said.advice.startswith("nothing was recorded")
        assert record.read_bytes() == before
        # what the desk shows is escaped: a hostile reason is text, never markup
        said = motion(meeting, httpd, kind="retract", article="springfield/rent-strike-wins", reason="<script>alert(1)</script>", rest="yes")
        assert said.ok
        page = get(httpd, f"/?token={meeting.token}")[1]
        assert "<script>alert(1)" not in page


# --------------------------------------------------------------------------- the council's census


def census_form(page: str) -> dict[str, str]:
    """The census form's fields as the desk's page carries them (counted date and each seat's figure)."""
    form = page.split('id="adopt-census"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="((?:weight-[a-z0-9-]+)|counted)" value="([^"]*)"', form))
    return fields


def test_a_census_on_the_council_desk_writes_the_record_the_cli_writes(tmp_path, identity):
    """The desk proposes the figures press census prints, for the day typed in; the census adopted, the
    next motion is weighed by it — and the record is the CLI's, byte for byte."""
    root = sample_repo(tmp_path / "desk")
    with serving(root, "council", COUNCIL_DAY, COUNCIL_NOW) as (meeting, httpd):
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["springfield", "riverside", "harbor"]})[0] == 303
        page = get(httpd, f"/?token={meeting.token}&counted=2026-10-01")[1]
        printed = cli(root, "census", "--date", "2026-10-01").output  # what press census proposes for that day
        assert "weights: {harbor: 5, riverside: 7, springfield: 7}" in printed
        fields = census_form(page)
        assert fields == {"counted": "2026-10-01", "weight-harbor": "5", "weight-riverside": "7", "weight-springfield": "7"}
        assert '(riverside)</span></th><td>7<input type="hidden"' in page
        said = motion(meeting, httpd, kind="census", vote_harbor="no", rest="yes", **{k.replace("-", "_"): v for k, v in fields.items()})
        assert said.ok and said.lines == [
            f"recorded in {COUNCIL_RECORD}: census 2026-10-01: passed",  # weighed by the census of 19 September
            "yes 2 seats (15 members) · no 1 seat (5 members) · abstain 0 (quorum 10 of 20 members represented)",
        ]
        assert meeting.state()["item"]["title"] == "Census of the rosters on 2026-10-01"
        # the figures of the meeting's own day, 2026-12-20, by default
        assert census_form(get(httpd, f"/?token={meeting.token}")[1])["weight-riverside"] == "9"
        said = motion(meeting, httpd, kind="feature", article="springfield/bus-fares", vote_harbor="no", rest="yes")
        # from the next motion on, the seats weigh the figures just adopted (riverside 7, not 8)
        assert said.ok and said.lines[1] == "yes 2 seats (14 members) · no 1 seat (5 members) · abstain 0 (quorum 10 of 19 members represented)"
    record = (root / COUNCIL_RECORD).read_text()
    assert "- census: 2026-10-01\n  weights: {harbor: 5, riverside: 7, springfield: 7}\n" in record, record
    same_as_cli(root, sample_repo(tmp_path / "twin"), COUNCIL_RECORD, COUNCIL_NOW, [
        ["record", "attendance", "council", "harbor", "riverside", "springfield", "--date", COUNCIL_DAY],  # in the roll's order
        ["record", "census", "--counted", "2026-10-01", "--weights", "harbor=5,riverside=7", "--weights", "springfield=7", "--no", "harbor", "--rest", "yes", "--date", COUNCIL_DAY],
        ["record", "feature", "springfield/bus-fares", "--no", "harbor", "--rest", "yes", "--date", COUNCIL_DAY],
    ])  # fmt: skip


def test_hostile_census_forms_write_nothing(tmp_path, identity):
    """Figures edited in the form, negative, fractional, a seat that is not one, a seat left out, a count
    after the meeting, a census at an assembly's meeting: each refused with its reason, the record unchanged."""
    root = sample_repo(tmp_path / "desk")
    record = root / COUNCIL_RECORD
    rosters = "a census records the rosters' own figures (press census --date 2026-12-20 proposes them)"
    with serving(root, "council", COUNCIL_DAY, COUNCIL_NOW) as (meeting, httpd):
        assert post(httpd, "/attendance", {"token": meeting.token, "present": ["springfield", "riverside", "harbor"]})[0] == 303
        before = record.read_bytes()
        honest = census_form(get(httpd, f"/?token={meeting.token}")[1])
        assert honest == {"counted": COUNCIL_DAY, "weight-harbor": "5", "weight-riverside": "9", "weight-springfield": "7"}
        refusals = [
            ({"weight-springfield": "70"}, ["editorial/assemblies/springfield.yml: has 7 members in good standing on 2026-12-20, not 70 as the census says"], rosters),
            ({"weight-harbor": "-5"}, ["the weight of harbor must be a whole number of members, not '-5'"], None),
            ({"weight-harbor": "4.5"}, ["the weight of harbor must be a whole number of members, not '4.5'"], None),
            ({"weight-harbor": "1e3"}, ["the weight of harbor must be a whole number of members, not '1e3'"], None),
            ({"weight-harbor": ""}, ["the weight of harbor must be a whole number of members, not ''"], None),
            ({"weight-atlantis": "9"}, ["'atlantis' is not a seat of the council — its seats are the assemblies: harbor, riverside, springfield"], None),
            ({"weight-council": "1"}, ["'council' is not a seat of the council — its seats are the assemblies: harbor, riverside, springfield"], None),
            ({"weight-riverside": None}, ["editorial/assemblies/riverside.yml: the census leaves out riverside, which has 9 members in good standing on 2026-12-20"], rosters),
            ({"counted": "2026-12-21", "weight-riverside": "9"},
             ["editorial/meetings/council/2026-12-20.yml:7: the census counts the rosters on 2026-12-21, after the meeting date 2026-12-20 — count them on or before it"], None),
            ({"counted": "last week"}, ["the date the rosters were counted on must be a date written YYYY-MM-DD, not 'last week'"], None),
            ({"counted": ""}, ["give the date the rosters were counted on"], None),
        ]
        for change, lines, advice in refusals:
            fields = {k: v for k, v in {**honest, **change}.items() if v is not None}
            said = motion(meeting, httpd, kind="census", rest="yes", **{k.replace("-", "_"): v for k, v in fields.items()})
            assert not said.ok and said.lines == lines, change
            assert said.advice.startswith("nothing was recorded") and (advice is None or advice in said.advice), said.advice
            assert record.read_bytes() == before
        # every seat's figure gone: each seat left out, nothing written
        said = motion(meeting, httpd, kind="census", counted=COUNCIL_DAY, rest="yes")
        assert not said.ok and len(said.lines) == 3 and all("the census leaves out" in line for line in said.lines)
        # a date typed into the proposal that is no date, or after the meeting: said on the page, no form to send
        page = get(httpd, f"/?token={meeting.token}&counted=2026-12-25")[1]
        assert "the rosters must be counted on or before the meeting&#39;s date, 2026-12-20, not 2026-12-25" in page and 'id="adopt-census"' not in page
        page = get(httpd, f"/?token={meeting.token}&counted=%3Cscript%3E")[1]
        assert "not &#39;&lt;script&gt;&#39;" in page and "<script>" not in page
        assert record.read_bytes() == before
    # an assembly's desk records no census; the CLI says the same of an assembly
    with serving(sample_repo(tmp_path / "assembly"), "springfield", DAY, NOW) as (meeting, httpd):
        assert 'id="adopt-census"' not in get(httpd, f"/?token={meeting.token}")[1]
        said = motion(meeting, httpd, kind="census", counted=DAY, weight_springfield="7", rest="yes")
        assert not said.ok and said.lines == ["'census' is not a motion the desk records at an assembly's meeting"]


def test_press_record_census_refuses_figures_that_are_not_the_rosters(tmp_path):
    """The CLI's census: the rosters' figures recorded; --weights edited, malformed or naming no seat refused, nothing written."""
    root = sample_repo(tmp_path / "cli")
    record = root / COUNCIL_RECORD
    run = lambda *args: CliRunner().invoke(main, ["--root", str(root), "--now", COUNCIL_NOW, *args])  # noqa: E731
    assert run("record", "attendance", "council", "springfield", "harbor", "--date", COUNCIL_DAY).exit_code == 0
    before = record.read_bytes()
    for args, code, said in [
        (["--weights", "harbor=5,riverside=9,springfield=8"], 1, "editorial/assemblies/springfield.yml: has 7 members in good standing on 2026-12-20, not 8 as the census says"),
        (["--weights", "harbor:5"], 2, "give each seat's weight as SEAT=MEMBERS, e.g. harbor=5, not 'harbor:5'"),
        (["--weights", "harbor=5,harbor=5"], 2, "the weight of harbor is given twice"),
        (["--weights", "harbor=-5"], 2, "the weight of harbor must be a whole number of members, not '-5'"),
        (["--counted", "2026-13-01"], 2, "'2026-13-01' is not a date written YYYY-MM-DD"),
    ]:
        result = run("record", "census", *args, "--rest", "yes", "--date", COUNCIL_DAY)
        assert result.exit_code == code and said in result.output, (args, result.output)
        assert record.read_bytes() == before
    result = run("record", "census", "--rest", "yes", "--date", COUNCIL_DAY)  # no --weights: the rosters' figures
    assert result.exit_code == 0, result.output
    assert "  weights: {harbor: 5, riverside: 9, springfield: 7}\n" in record.read_text()
    result = run("record", "census", "--rest", "yes", "--date", DAY)  # a sitting with no roll call yet
    assert result.exit_code == 2 and "no attendance recorded for council on 2026-12-01 — first run: press record attendance council" in result.output
    assert not (root / f"editorial/meetings/council/{DAY}.yml").exists()


# --------------------------------------------------------------------------- in Chromium


def open_desk(chromium, meeting, httpd, scheme="light"):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.emulate_media(color_scheme=scheme)
    page.goto(desk.address(meeting, httpd), wait_until="load")
    return page, errors


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def roll_call(page, ids: list[str]) -> None:
    for member in ids:
        page.check(f"#present-{member}")
    submit(page, "form[action='/attendance'] button")


def test_a_whole_meeting_on_the_desk_writes_the_record_the_cli_writes(chromium, running, tmp_path):
    meeting, httpd = running
    numbers = {i.article.id: i.number for i in meeting.agenda.items}
    page, errors = open_desk(chromium, meeting, httpd)
    try:
        roll_call(page, ["ana", "ben", "carla", "dev", "eli"])
        assert "recorded attendance in editorial/meetings/springfield/2026-12-01.yml: 5 present" in page.inner_text("#message")

        n = numbers["springfield/library-hours"]
        page.select_option(f"#item-{n}-vote-dev", "no")
        page.select_option(f"#item-{n}-rest", "yes")
        submit(page, f"#item-{n} button[value=publish]")
        assert "publish springfield/library-hours: passed" in page.inner_text("#message")
        assert "4 yes · 1 no · 0 abstain (quorum 5)" in page.inner_text("#message")

        n = numbers["springfield/water-rates"]
        for member, vote in {"ana": "yes", "ben": "yes", "carla": "yes", "dev": "no", "eli": "no"}.items():
            page.select_option(f"#item-{n}-vote-{member}", vote)
        submit(page, f"#item-{n} button[value=reject]")
        assert "reject springfield/water-rates: passed" in page.inner_text("#message")

        roll_call(page, ["fatima"])  # a latecomer
        assert "6 present" in page.inner_text("#message") and "added fatima" in page.inner_text("#message")

        page.select_option("#elect-member", "carla")
        page.select_option("#elect-rest", "yes")
        submit(page, "#elect button")
        assert "elect-delegate carla: passed" in page.inner_text("#message")
        assert "6 yes · 0 no · 0 abstain" in page.inner_text("#message")

        submit(page, "form[action='/finish'] button")
        said = page.inner_text("#message")
        assert "on branch meeting/springfield-2026-12-01" in said
        link = "https://github.com/springfield-press/press/compare/main...meeting/springfield-2026-12-01?expand=1"
        assert page.get_attribute("#message a", "href") == link
        assert errors == []
    finally:
        page.close()

    twin = sample_repo(tmp_path / "twin")
    for command in (
        ["record", "attendance", "springfield", "ana", "ben", "carla", "dev", "eli", "--date", DAY],
        ["record", "publish", "springfield/library-hours", "--no", "dev", "--rest", "yes", "--date", DAY],
        ["record", "reject", "springfield/water-rates", "--yes", "ana,ben,carla", "--no", "dev,eli", "--date", DAY],
        ["record", "attendance", "springfield", "fatima", "--date", DAY],
        ["record", "elect", "springfield", "carla", "--rest", "yes", "--date", DAY],
    ):
        result = cli(twin, *command)
        assert result.exit_code == 0, result.output
    assert (meeting.root / RECORD).read_bytes() == (twin / RECORD).read_bytes()
    # committed on its branch, the record and nothing else
    assert git(meeting.root, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "Meeting", "of", "Springfield", "Community", "Assembly", "on", DAY, RECORD,
    ]
    assert git(meeting.root, "status", "--porcelain") == ""


def test_a_refused_motion_shows_the_message_and_writes_nothing(chromium, running):
    meeting, httpd = running
    page, errors = open_desk(chromium, meeting, httpd)
    try:
        roll_call(page, ["ana", "ben", "carla", "dev", "eli"])
        record = meeting.root / RECORD
        before = record.read_bytes()
        # the writer edits the article after the desk showed it: the vote cannot bind the new text
        item = next(i for i in meeting.agenda.items if i.article.id == "springfield/library-hours")
        path = meeting.root / item.article.path
        path.write_text(path.read_text() + "\nOne more sentence.\n")
        page.select_option(f"#item-{item.number}-rest", "yes")
        submit(page, f"#item-{item.number} button[value=publish]")
        message = page.locator("#message")
        assert message.get_attribute("role") == "alert"
        assert "content/springfield/library-hours.md: changed since the agenda was printed" in message.inner_text()
        assert "nothing was recorded" in message.inner_text()
        assert record.read_bytes() == before

        # someone who voted cannot be taken off the list
        other = next(i for i in meeting.agenda.items if i.article.id == "springfield/water-rates")
        page.select_option(f"#item-{other.number}-rest", "yes")
        submit(page, f"#item-{other.number} button[value=reject]")
        before = record.read_bytes()
        page.uncheck("#present-eli")
        submit(page, "form[action='/attendance'] button")
        assert "eli voted at this meeting, so cannot be taken off the list; someone who left early stays listed" in page.inner_text("#message")
        assert record.read_bytes() == before
        assert errors == []
    finally:
        page.close()


def test_the_projector_follows_the_vote(chromium, running):
    from playwright.sync_api import expect

    meeting, httpd = running
    page, _ = open_desk(chromium, meeting, httpd)
    projector = chromium.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    projector.on("pageerror", lambda error: errors.append(str(error)))
    projector.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        projector.goto(desk.address(meeting, httpd, "/projector"), wait_until="load")
        assert projector.inner_text("h1") == "Waiting for the first item"
        roll_call(page, ["ana", "ben", "carla", "dev", "eli"])
        item = next(i for i in meeting.agenda.items if i.article.id == "springfield/library-hours")
        submit(page, f"#item-{item.number} form[action='/show'] button")
        expect(projector.locator("h1")).to_have_text("Keep the branch libraries open on Sundays")  # polled, not slept
        assert "UNPUBLISHED-SENTENCE-SPRINGFIELD-LIBRARY" in projector.inner_text("#text")
        assert projector.inner_text("#short") == item.short
        assert not projector.is_visible("#tally")
        page.select_option(f"#item-{item.number}-vote-dev", "no")
        page.select_option(f"#item-{item.number}-rest", "yes")
        submit(page, f"#item-{item.number} button[value=publish]")
        expect(projector.locator("#status")).to_have_text("passed")
        assert [projector.inner_text(f"#{side}") for side in ("yes", "no", "abstain")] == ["4", "1", "0"]
        assert projector.inner_text("#present") == "5 present"
        assert errors == []
    finally:
        page.close()
        projector.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_desk_or_the_projector(chromium, running, scheme):
    from axe_playwright_python.sync_playwright import Axe

    meeting, httpd = running
    page, _ = open_desk(chromium, meeting, httpd, scheme)
    try:
        roll_call(page, ["ana", "ben", "carla", "dev", "eli"])  # the voting forms appear
        item = meeting.agenda.items[0]
        page.select_option(f"#item-{item.number}-rest", "yes")
        submit(page, f"#item-{item.number} button[value=reject]")  # an outcome and a message
        page.click(f"#item-{meeting.agenda.items[1].number} summary")  # a full text opened
        found = {"desk": Axe().run(page).response["violations"]}
        page.goto(desk.address(meeting, httpd, "/projector"), wait_until="load")
        found["projector"] = Axe().run(page).response["violations"]
        found = {where: [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in violations] for where, violations in found.items()}
        assert found == {"desk": [], "projector": []}
    finally:
        page.close()


def test_the_council_desk_in_chromium_features_a_story_and_axe_finds_nothing(chromium, tmp_path, identity):
    """The council's forms as a secretary uses them: seats ticked, a feature with its lead box and date,
    the census of a day proposed and adopted, a retraction refused for want of a reason; axe finds
    nothing on the page in light or dark."""
    from axe_playwright_python.sync_playwright import Axe

    root = sample_repo(tmp_path / "desk")
    with serving(root, "council", COUNCIL_DAY, COUNCIL_NOW) as (meeting, httpd):
        page, errors = open_desk(chromium, meeting, httpd)
        try:
            roll_call(page, ["springfield", "riverside", "harbor"])
            assert f"recorded attendance in {COUNCIL_RECORD}: 3 present" in page.inner_text("#message")
            page.select_option("#feature-article", "springfield/bus-fares")
            page.check("#feature-lead")
            page.fill("#feature-until", "2027-01-31")
            page.select_option("#feature-rest", "yes")
            submit(page, "#feature button")
            assert "feature springfield/bus-fares: passed" in page.inner_text("#message")
            page.fill("#census-counted", "2026-10-01")  # the census: the figures of a day typed in, then the vote
            submit(page, "#census-count button")
            assert "Members in good standing on 1 October 2026" in page.inner_text("#adopt-census caption")
            assert page.inner_text("#adopt-census tbody").split() == ["Harbour", "Workers'", "Assembly", "(harbor)", "5",
                                                                     "Riverside", "Tenants'", "Assembly", "(riverside)", "7",
                                                                     "Springfield", "Community", "Assembly", "(springfield)", "7"]  # fmt: skip
            page.select_option("#census-rest", "yes")
            submit(page, "#adopt-census button")
            assert "census 2026-10-01: passed" in page.inner_text("#message")
            page.select_option("#retract-article", "council/transit-day-of-action")
            page.select_option("#retract-rest", "yes")
            submit(page, "#retract button")
            assert "a retract motion needs a 'reason:' for the retraction notice" in page.inner_text("#message")
            assert page.get_attribute("#message", "role") == "alert"
            found = {}
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                found[scheme] = [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in Axe().run(page).response["violations"]]
            assert found == {"light": [], "dark": []}
            assert errors == []
        finally:
            page.close()
    written = (root / COUNCIL_RECORD).read_bytes()
    assert b"lead: true" in written and b"weights: {harbor: 5, riverside: 7, springfield: 7}" in written and b"retract" not in written


def test_a_secret_ballot_meeting_writes_the_counts_the_cli_writes(tmp_path, identity):
    """Riverside votes by secret ballot: the desk takes the number present and each side's count."""
    now, day = "2026-12-14T21:00:00Z", "2026-12-14"
    root = sample_repo(tmp_path / "desk")
    meeting = desk.Desk(root, "riverside", dt.date.fromisoformat(day), clock.parse_instant(now, "--now"))
    item = meeting.agenda.items[0]
    httpd = desk.start(meeting)
    try:
        status, _ = post(httpd, "/attendance", {"token": meeting.token, "count": "x"})
        assert status == 303 and meeting.message.lines == ["the number present must be a whole number, not 'x'"]
        assert post(httpd, "/attendance", {"token": meeting.token, "count": "6"})[0] == 303
        fields = {"token": meeting.token, "kind": "publish", "item": str(item.number), "yes": "5", "no": "1", "abstain": ""}
        assert post(httpd, "/motion", fields)[0] == 303
        assert meeting.message.ok and meeting.message.lines[1] == "5 yes · 1 no · 0 abstain (quorum 3)"
        assert meeting.state()["item"]["outcome"]["status"] == "passed"
    finally:
        httpd.shutdown()
        httpd.server_close()
    twin = sample_repo(tmp_path / "twin")
    for command in (
        ["record", "attendance", "riverside", "--count", "6", "--date", day],
        ["record", "publish", item.article.id, "--yes", "5", "--no", "1", "--date", day],
    ):
        result = CliRunner().invoke(main, ["--root", str(twin), "--now", now, *command])
        assert result.exit_code == 0, result.output
    record = f"editorial/meetings/riverside/{day}.yml"
    assert (root / record).read_bytes() == (twin / record).read_bytes()


def test_a_port_in_use_is_a_clear_usage_error(sample):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(sample, "desk", "springfield", "--date", DAY, "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "choose another --port" in result.output


def test_finishing_when_the_branch_exists_elsewhere_says_what_to_do(tmp_path, identity):
    root = sample_repo(tmp_path / "desk")
    git(root, "branch", f"meeting/springfield-{DAY}")  # an earlier run's branch
    meeting = desk.Desk(root, "springfield", dt.date.fromisoformat(DAY), clock.parse_instant(NOW, "--now"))
    meeting.attendance({}, ["ana", "ben"])
    with pytest.raises(desk.PressError, match=f"already exists — switch to it \\(git switch meeting/springfield-{DAY}\\) or delete it, and finish again"):
        meeting.finish()
    assert git(root, "branch", "--show-current").strip() == "main"
    assert git(root, "log", "--format=%s").splitlines() == ["The sample press"]

"""The enrolment and ballot pages in Chromium, with its virtual WebAuthn authenticator standing in for
a phone: the key the enrolment page shows is the key OpenSSH reads, and the ballot the page signs is
one that ``ssh-keygen -Y verify`` and the press both accept — and refuse once a byte changes.

Pages are served at ``http://localhost:<port>`` (an IP address cannot be a relying party). Skips on a
machine without Chromium; fails in CI (``CI`` set)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import jinja2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import press
from click.testing import CliRunner
from conftest import PressDir, commit, git
from press import clock, openssh, statichttp
from press.cli import main
from press.ballot_records import cast_message, cast_name, valid_choice
from press.sanitize import script_json
from press.signatures import NAMESPACE

ROOT = Path(__file__).resolve().parent.parent
THEME = ROOT / "theme"
SCRIPT = ROOT / "tools" / "press" / "site" / "ballot.js"
RECORD = "editorial/ballots/harbor/night-shifts.yml"
RECORD_DIGEST = "sha256:" + "ab" * 32
CLOSES = "2099-11-21T19:00:00Z"  # far ahead of the browser's own clock: the page refuses to sign after the close


# --------------------------------------------------------------------------- pages and a phone


def render(folder: Path, template: str, out: str, ballot_data: dict, **context) -> None:
    """Render one of the theme's templates as the build does (autoescape, the script_json filter)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(THEME / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["script_json"] = lambda value: jinja2.utils.markupsafe.Markup(script_json(value))
    depth = out.count("/")
    page = env.get_template(template).render(
        ballot_data=ballot_data, SITEURL="/".join([".."] * depth) or ".", SITENAME="Assembly Press", SITESUBTITLE="",
        DEFAULT_LANG="en", FEED_DOMAIN="http://localhost", THEME_STATIC_DIR="theme", output_file=out, pages=[], sections=[], **context,
    )
    target = folder / out
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")


def ballot_data(origin: str, keys: dict[str, list[str]] | None = None, **changes) -> dict:
    data = {
        "origin": origin,
        "rp_id": "localhost",
        "body": "harbor",
        "ballot": "night-shifts",
        "record": RECORD,
        "digest": RECORD_DIGEST,
        "question": 'Publish "Two on every crane at night" as approved by the assembly?',
        "article": "harbor/night-shifts",
        "article_digest": "sha256:" + "cd" * 32,
        "kind": "motion",
        "options": [{"id": "yes", "name": "Yes"}, {"id": "no", "name": "No"}, {"id": "abstain", "name": "Abstain"}],
        "closes": CLOSES,
        "closes_text": "Saturday 21 November 2099, 20:00 (Europe/Berlin)",
        "status": "open",
        "voters": [
            {"voter": "harbor/ayse", "name": "Ayşe Demir", "keys": (keys or {}).get("harbor/ayse", [])},
            {"voter": "harbor/jonas", "name": "Jonas Berg", "keys": (keys or {}).get("harbor/jonas", [])},
        ],
        "sequences": {},
        "issue_url": "https://github.com/harbor-party/press/issues/new?template=ballot.yml",
        "mailto": "secretary@harbor.example.org",
        "article_url": "https://github.com/harbor-party/press/blob/0123abc/content/harbor/night-shifts.md",
    }
    data.update(changes)
    return data


class Site:
    """A folder served on 127.0.0.1 and opened as http://localhost:<port>, with the theme's static
    files and ballot.js where the build puts them."""

    def __init__(self, folder: Path):
        self.folder = folder
        shutil.copytree(THEME / "static", folder / "theme")
        (folder / "ballots").mkdir()
        shutil.copy(SCRIPT, folder / "ballots" / "ballot.js")
        self.httpd = statichttp.server(folder)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://localhost:{self.port}"

    def enrol_page(self, origin: str | None = None) -> str:
        render(self.folder, "enrol.html", "ballots/enrol/index.html", {"origin": origin or self.origin, "rp_id": "localhost"})
        return f"{self.origin}/ballots/enrol/index.html"

    def ballot_page(self, data: dict) -> str:
        out = f"ballots/{data['body']}/{data['ballot']}/index.html"
        render(self.folder, "ballot.html", out, data)
        return f"{self.origin}/{out}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site(tmp_path):
    served = Site(tmp_path / "site")
    yield served
    served.close()


@pytest.fixture
def phone(chromium):
    """A page with a platform authenticator that verifies its user (Chromium's virtual authenticator)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})["authenticatorId"]
    page.passkeys = lambda: cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    page.verifies_user = lambda yes: cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": yes})
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def enrol(page, url: str) -> tuple[str, str]:
    """Make a passkey on the enrolment page; the key line and fingerprint it shows."""
    page.goto(url)
    page.get_by_label("Your name, as your phone will list this passkey").fill("Ayşe Demir")
    page.get_by_role("button", name="Create my voting passkey").click()
    page.locator("#enrol-result").wait_for()
    return page.locator("#enrol-key").input_value(), page.locator("#enrol-fingerprint").text_content()


def cast(page, url: str, voter: str, choice: str) -> str:
    """Choose, review and sign on the ballot page; the ballot file it shows."""
    page.goto(url)
    page.get_by_label("Who are you?").select_option(voter)
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Sign and cast with my passkey").click()
    page.locator("#cast").wait_for()
    return page.locator("#cast-file").input_value()


def split(ballot: str) -> tuple[bytes, bytes]:
    """A ballot file's envelope and its armored signature."""
    at = ballot.index("-----BEGIN SSH SIGNATURE-----")
    return ballot[:at].encode(), ballot[at:].encode()


def ssh_keygen_verifies(tmp_path: Path, key_line: str, voter: str, envelope: bytes, armored: bytes) -> subprocess.CompletedProcess:
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(openssh.allowed_signers_line(voter, key_line, NAMESPACE) + "\n", encoding="utf-8")
    signature = tmp_path / "ballot.sig"
    signature.write_bytes(armored)
    return subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", voter, "-n", NAMESPACE, "-s", str(signature)],
        input=envelope, capture_output=True, check=False,
    )


def expected_envelope(voter: str, choice: str, sequence: int) -> bytes:
    """The envelope the press expects for this test's ballot (the one builder of it)."""
    return cast_message("harbor", "night-shifts", RECORD, RECORD_DIGEST, voter, choice, sequence)


@pytest.fixture
def ssh_keygen():
    """OpenSSH's ssh-keygen, the tool anyone checks a ballot with: skipped without it, a failure in CI."""
    if shutil.which("ssh-keygen") is None:
        if os.environ.get("CI"):
            pytest.fail("the ballot browser tests must run in CI with OpenSSH's ssh-keygen")
        pytest.skip("OpenSSH's ssh-keygen is not installed")


# --------------------------------------------------------------------------- enrolment


def test_enrolment_shows_the_openssh_key_and_the_fingerprint_ssh_keygen_prints(site, phone, tmp_path, ssh_keygen):
    line, shown = enrol(phone, site.enrol_page())
    key = openssh.parse_public_key(line)
    assert key.type == openssh.SK_ECDSA
    assert key.material[1] == "localhost"  # the application is the relying party: the site's host
    assert shown == key.fingerprint
    pub = tmp_path / "passkey.pub"
    pub.write_text(line + "\n", encoding="utf-8")
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(pub)], capture_output=True, text=True, check=True).stdout
    assert printed.split()[1] == shown
    assert "ECDSA-SK" in printed
    assert len(phone.passkeys()) == 1 and phone.passkeys()[0]["isResidentCredential"]
    assert phone.errors == []


def test_enrolment_refuses_on_another_origin_and_makes_no_passkey(site, phone):
    url = site.enrol_page(origin="https://press.example.org")
    phone.goto(url)
    status = phone.locator("#enrol-status")
    assert "not at the press's own address https://press.example.org" in status.text_content()
    assert phone.get_by_role("button", name="Create my voting passkey").is_disabled()
    assert phone.passkeys() == []


def test_a_press_without_its_own_origin_makes_no_passkey(site, phone):
    render(site.folder, "enrol.html", "ballots/enrol/index.html", {"origin": None, "rp_id": None})
    phone.goto(f"{site.origin}/ballots/enrol/index.html")
    assert "offers no online ballots" in phone.locator("#enrol-status").text_content()
    assert phone.get_by_role("button", name="Create my voting passkey").is_disabled()
    assert phone.passkeys() == []


# --------------------------------------------------------------------------- casting


def test_a_ballot_cast_on_the_page_verifies_with_ssh_keygen_and_the_press(site, phone, tmp_path, ssh_keygen):
    line, _ = enrol(phone, site.enrol_page())
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}))
    ballot = cast(phone, url, "harbor/ayse", "Yes")
    envelope, armored = split(ballot)
    assert envelope == expected_envelope("harbor/ayse", "yes", 1)
    # ssh-keygen writes 70-character armor lines; the page does the same
    body = armored.decode().splitlines()[1:-1]
    assert all(len(row) == 70 for row in body[:-1]) and 0 < len(body[-1]) <= 70

    done = ssh_keygen_verifies(tmp_path, line, "harbor/ayse", envelope, armored)
    assert done.returncode == 0, done.stderr
    assert b'Good "assembly-press" signature for harbor/ayse' in done.stdout
    key = openssh.parse_public_key(line)
    assert openssh.verify(armored, envelope, NAMESPACE, [key])
    signature = openssh.parse(armored)
    assert signature.signature.startswith(b"\x00\x00\x00\x2b" + openssh.WEBAUTHN.encode())

    # The receipt is the digest of the file's bytes; the file's name is the one the records expect.
    receipt = phone.locator("#cast-receipt").text_content()
    assert receipt == "sha256:" + hashlib.sha256(ballot.encode()).hexdigest()
    assert phone.locator("#cast-name").text_content() == cast_name("harbor/ayse", 1)
    # The GitHub issue form comes pre-filled with the ballot, the e-mail with it as its body.
    issue = phone.locator("#send-issue").get_attribute("href")
    assert issue.startswith("https://github.com/harbor-party/press/issues/new?template=ballot.yml&ballot=")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(issue).query)["ballot"] == [ballot]
    mail = phone.locator("#send-mail").get_attribute("href")
    assert mail.startswith("mailto:secretary@harbor.example.org?subject=")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(mail).query)["body"] == [ballot]
    # "Copy" puts the whole file on the clipboard, for the secretary.
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.origin)
    phone.get_by_role("button", name="Copy").click()
    phone.locator("#cast-copied").filter(has_text="Copied.").wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == ballot
    # This phone keeps the ballot and its receipt.
    kept = json.loads(phone.evaluate("localStorage.getItem('assembly-press.ballots')"))
    assert [(k["voter"], k["sequence"], k["receipt"], k["file"]) for k in kept] == [("harbor/ayse", 1, receipt, ballot)]
    assert phone.errors == []
    assert f"{site.origin}/ballots/ballot.js" in phone.requests
    assert [url for url in phone.requests if not url.startswith(site.origin + "/")] == []  # nothing leaves the press's own origin


def test_a_tampered_byte_is_refused_by_ssh_keygen_and_the_press(site, phone, tmp_path, ssh_keygen):
    line, _ = enrol(phone, site.enrol_page())
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}))
    envelope, armored = split(cast(phone, url, "harbor/ayse", "Yes"))
    key = openssh.parse_public_key(line)
    changed_vote = envelope.replace(b"choice: yes", b"choice: no ")
    assert not ssh_keygen_verifies(tmp_path, line, "harbor/ayse", changed_vote, armored).returncode == 0
    assert not openssh.verify(armored, changed_vote, NAMESPACE, [key])
    # one byte inside the signature (the ECDSA r value, deep in the blob)
    blob = bytearray(openssh.dearmor(armored))
    blob[-300] ^= 0x01
    lines = base64.b64encode(bytes(blob)).decode()
    forged = ("-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines[i : i + 70] for i in range(0, len(lines), 70)) + "\n-----END SSH SIGNATURE-----\n").encode()
    assert ssh_keygen_verifies(tmp_path, line, "harbor/ayse", envelope, forged).returncode != 0
    assert not openssh.verify(forged, envelope, NAMESPACE, [key])


def test_a_second_cast_takes_the_next_sequence_after_the_repository_and_this_phone(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}, sequences={"harbor/ayse": 4}))
    first, _ = split(cast(phone, url, "harbor/ayse", "Yes"))
    assert b"sequence: 5\n" in first  # the repository holds ballot 4 (cast from another phone)
    second, armored = split(cast(phone, url, "harbor/ayse", "No"))
    assert second == expected_envelope("harbor/ayse", "no", 6)  # this phone cast 5
    assert openssh.verify(armored, second, NAMESPACE, [openssh.parse_public_key(line)])
    assert phone.locator("#ballot-kept-list li").count() == 2
    assert "This will be your ballot number 7" in phone.locator("#ballot-voter-note").text_content()
    # Each kept ballot opens to its whole file, after a reload too.
    phone.reload()
    kept = phone.locator("#ballot-kept-list li")
    assert kept.count() == 2
    kept.nth(1).locator("summary").click()
    assert kept.nth(1).locator("pre").text_content() == (second.decode() + armored.decode())
    assert fits_and_passes_axe(phone) == []


def test_a_passkey_the_roster_does_not_list_for_the_voter_casts_nothing(site, phone):
    enrol(phone, site.enrol_page())
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    def sshstr(b: bytes) -> bytes:
        return len(b).to_bytes(4, "big") + b
    someone_else = f"{openssh.SK_ECDSA} " + base64.b64encode(sshstr(openssh.SK_ECDSA.encode()) + sshstr(b"nistp256") + sshstr(other) + sshstr(b"localhost")).decode()
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [someone_else]}))
    phone.goto(url)
    phone.get_by_label("Who are you?").select_option("harbor/ayse")
    phone.get_by_label("Yes", exact=True).check()
    phone.get_by_role("button", name="Review my ballot").click()
    phone.get_by_role("button", name="Sign and cast with my passkey").click()
    status = phone.locator("#ballot-status")
    status.filter(has_text="not the one the roster lists").wait_for()
    assert phone.locator("#cast").is_hidden()
    assert phone.evaluate("localStorage.getItem('assembly-press.ballots')") is None


def test_a_voter_without_an_enrolled_passkey_is_told_how_to_enrol(site, phone):
    url = site.ballot_page(ballot_data(site.origin))
    phone.goto(url)
    phone.get_by_label("Who are you?").select_option("harbor/jonas")
    note = phone.locator("#ballot-no-key")
    assert "No passkey of yours for this press is in the roster" in note.text_content()
    assert note.get_by_role("link", name="make your voting passkey").get_attribute("href") == "../../../ballots/enrol/index.html"
    assert fits_and_passes_axe(phone) == []


def test_the_ballot_page_on_another_origin_signs_nothing(site, phone):
    url = site.ballot_page(ballot_data("https://press.example.org"))
    phone.goto(url)
    assert "not at the press's own address" in phone.locator("#ballot-status").text_content()
    assert phone.get_by_role("button", name="Review my ballot").is_disabled()



def test_the_ballot_page_framed_by_another_site_signs_nothing(site, phone):
    """Clickjacking: a hostile page (here http://127.0.0.1:<port>, another origin) shows the press's
    ballot page in a frame. The press refuses what is signed there (crossOrigin), and the page itself
    says so and offers nothing to sign."""
    url = site.ballot_page(ballot_data(site.origin))
    (site.folder / "frame.html").write_text(f'<!doctype html><title>Win a prize</title><iframe src="{url}" width="800" height="900"></iframe>')
    phone.goto(f"http://127.0.0.1:{site.port}/frame.html")
    framed = phone.frame_locator("iframe")
    framed.locator("#ballot-status").filter(has_text="inside another page").wait_for()
    assert framed.get_by_role("button", name="Review my ballot").is_disabled()

RANKED = [{"id": "housing", "name": "Homes before profit"}, {"id": "transit", "name": "Free public transit"}, {"id": "hours", "name": "A 32-hour week"}]


def review(page, url: str, pick) -> str:
    """Pick on the ballot page and review; the envelope shown, or the refusal."""
    page.goto(url)
    page.get_by_label("Who are you?").select_option("harbor/ayse")
    pick(page)
    page.get_by_role("button", name="Review my ballot").click()
    if page.locator("#ballot-review").is_visible():
        return page.locator("#review-envelope").input_value()
    return page.locator("#ballot-status").text_content()


def test_ranked_choices_are_written_in_order_and_gaps_or_repeats_are_refused(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    data = ballot_data(site.origin, {"harbor/ayse": [line]}, kind="ranked", options=RANKED)
    url = site.ballot_page(data)

    def ranks(*names):
        def pick(page):
            for i, name in enumerate(names, 1):
                if name:
                    page.get_by_label(f"Choice {i}", exact=True).select_option(label=name)
        return pick

    assert "choice: hours > housing\n" in review(phone, url, ranks("A 32-hour week", "Homes before profit"))
    assert "choice: abstain\n" in review(phone, url, ranks())
    assert "choice number 1 is empty" in review(phone, url, ranks(None, "Homes before profit"))
    assert "ranked “Free public transit” more than once" in review(phone, url, ranks("Free public transit", "Free public transit"))
    # and signed, it verifies like any other ballot
    phone.get_by_label("Choice 1", exact=True).select_option(label="Free public transit")
    phone.get_by_label("Choice 2", exact=True).select_option(label="A 32-hour week")
    phone.get_by_role("button", name="Review my ballot").click()
    phone.get_by_role("button", name="Sign and cast with my passkey").click()
    phone.locator("#cast").wait_for()
    envelope, armored = split(phone.locator("#cast-file").input_value())
    assert b"choice: transit > hours\n" in envelope
    assert openssh.verify(armored, envelope, NAMESPACE, [openssh.parse_public_key(line)])


def test_approvals_are_written_in_the_ballot_records_order(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}, kind="approval", options=RANKED))

    def approve(*names):
        def pick(page):
            for name in names:
                page.get_by_label(name, exact=True).check()
        return pick

    assert "choice: housing, hours\n" in review(phone, url, approve("A 32-hour week", "Homes before profit"))
    assert "choice: abstain\n" in review(phone, url, approve())


def test_a_closed_ballot_has_no_form_and_links_to_its_results(site, phone):
    url = site.ballot_page(ballot_data(site.origin, status="closed", results_url="results.html"))
    phone.goto(url)
    assert phone.locator("form").count() == 0
    assert phone.get_by_role("link", name="See the results").get_attribute("href") == "results.html"


def test_the_page_refuses_to_sign_after_the_close_by_the_phones_clock(site, phone):
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": ["sk-ecdsa-sha2-nistp256@openssh.com AAAA"]}, closes="2020-01-01T00:00:00Z", closes_text="1 January 2020"))
    status = review(phone, url, lambda page: page.get_by_label("Yes", exact=True).check())
    assert "Voting closed at 1 January 2020" in status


def test_what_the_ballot_page_shows_comes_from_the_record_and_is_escaped(site, phone):
    hostile = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=1">'
    data = ballot_data(site.origin, question=hostile, voters=[{"voter": "harbor/ayse", "name": hostile, "keys": []}])
    phone.goto(site.ballot_page(data))
    assert phone.locator("h1").text_content() == hostile
    assert phone.evaluate("window.pwned") is None
    assert phone.evaluate("JSON.parse(document.getElementById('ballot-data').textContent).question") == hostile


# --------------------------------------------------------------------------- every reader


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_enrolment_and_ballot_pages_and_they_fit_a_phone(site, phone, scheme):
    phone.emulate_media(color_scheme=scheme)
    line, _ = enrol(phone, site.enrol_page())
    found = {"enrolment, with its key shown": fits_and_passes_axe(phone)}
    for kind, options in (("motion", None), ("approval", RANKED), ("ranked", RANKED)):
        changes = {"kind": kind, "options": options} if options else {}
        phone.goto(site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}, ballot=f"b-{kind}", **changes)))
        found[f"{kind} ballot"] = fits_and_passes_axe(phone)
    cast(phone, site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]})), "harbor/ayse", "No")
    found["a cast ballot, ready to send"] = fits_and_passes_axe(phone)
    phone.goto(site.ballot_page(ballot_data(site.origin, status="closed", results_url="results.html")))
    found["a closed ballot"] = fits_and_passes_axe(phone)
    assert found == dict.fromkeys(found, []) and len(found) == 6
    assert phone.errors == []


def test_a_ranked_ballot_is_cast_with_the_keyboard_alone(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}, kind="ranked", options=RANKED))
    phone.goto(url)
    phone.locator("#ballot-voter").focus()
    keys = ["ArrowDown",  # Ayşe Demir
            "Tab", "ArrowDown", "ArrowDown", "ArrowDown",  # choice 1: A 32-hour week
            "Tab", "ArrowDown", "ArrowDown",  # choice 2: Free public transit
            "Tab", "Tab", "Enter"]  # past choice 3, to "Review my ballot"
    for key in keys:
        phone.keyboard.press(key)
    assert phone.evaluate("document.activeElement.id") == "review-heading"  # the review is announced where focus lands
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Sign and cast with my passkey"
    phone.keyboard.press("Enter")
    phone.locator("#cast").wait_for()
    assert phone.evaluate("document.activeElement.id") == "cast-heading"
    envelope, armored = split(phone.locator("#cast-file").input_value())
    assert b"choice: hours > transit\n" in envelope
    assert openssh.verify(armored, envelope, NAMESPACE, [openssh.parse_public_key(line)])


def test_the_page_builds_the_envelope_byte_for_byte_as_the_press(site, phone):
    data = ballot_data(site.origin, kind="ranked", options=RANKED, body="council", ballot="platform-2027",
                       record="editorial/ballots/council/platform-2027.yml", digest="sha256:" + "0f" * 32)
    phone.goto(site.ballot_page(data))
    for voter, choice, sequence in [("harbor/ayse", "abstain", 1), ("riverside/öz", "hours > housing > transit", 12),
                                    ("springfield/ana-ruiz", "transit", 2**31)]:
        assert valid_choice(choice, "ranked", ("housing", "transit", "hours")) is None
        built = phone.evaluate("([v, c, s]) => window.assemblyPressBallot.envelope(v, c, s)", [voter, choice, sequence])
        assert built.encode() == cast_message("council", "platform-2027", data["record"], data["digest"], voter, choice, sequence)



# --------------------------------------------------------------------------- a real press, built


NOW = "2026-11-21T18:00:00Z"  # the tests' instant: the ballot below is open
ROSTER = """
name: Harbor Assembly
timezone: Europe/Berlin
rules:
  quorum: 2
  threshold: majority
members:
  - {{id: ayse, name: Ayşe Demir, joined: 2025-01-01{key}}}
  - {{id: jonas, name: Jonas Berg, joined: 2025-01-01}}
  - {{id: mira, name: Mira Costa, joined: 2025-01-01}}
editors: [jonas]
"""


def built_press(root: Path, origin: str) -> PressDir:
    """A press in git whose harbor assembly opened an online ballot on an article it has not published."""
    press_dir = PressDir(root).buildable()
    press_dir.write("editorial/press.yml", f"maintainers: [web-team]\nballots:\n  origin: {origin}\n")
    press_dir.assembly("harbor", text=ROSTER.format(key=""))
    press_dir.article("harbor", "night-shifts", title="Two on every crane at night", body="Secret until approved.")
    press_dir.meeting("harbor", "2026-11-05", "present: [ayse, jonas, mira]\nmotions:\n  - open-ballot: night-shifts\n    yes: [ayse, jonas, mira]\n")
    press_dir.write("editorial/ballots/harbor/night-shifts.yml", f"""
        question: Publish the article on night shifts as approved by the assembly?
        motion: publish
        article: harbor/night-shifts
        digest: {press_dir.digest("harbor", "night-shifts")}
        opens: 2026-11-14 09:00
        closes: 2026-11-28 20:00
        opened-by: 2026-11-05#1
        """)
    git(root, "init", "-q", "-b", "main")
    commit(root, "A press with an open ballot")
    return press_dir


def build(root: Path, output: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "build", "--no-search", "--output", str(output)])
    assert result.exit_code == 0, result.output


def fits_and_passes_axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = [f"{v['id']}: {v['help']} {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]]
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return found + ([f"overflows a 390 px screen by {overflow}px"] if overflow > 0 else [])


def ballot_add(root: Path, *files: Path):
    return CliRunner().invoke(main, ["--root", str(root), "--now", NOW, "ballot", "add", *map(str, files)])


def casts(root: Path) -> list:
    (ballot,) = press.load(root, clock.parse_instant(NOW, "--now")).decisions.ballots
    return ballot.casts


def test_in_a_built_press_a_member_enrols_casts_and_press_ballot_add_files_it_a_second_cast_replaces_it(tmp_path, phone, ssh_keygen):
    output = tmp_path / "site"
    httpd = statichttp.server(output)  # the build swaps the folder in later: its address is known first
    origin = f"http://localhost:{httpd.server_address[1]}"
    try:
        root = tmp_path / "press"
        built_press(root, origin)
        build(root, output)
        line, fingerprint = enrol(phone, f"{origin}/ballots/enrol/index.html")
        # The editor adds the key to Ayşe's roster entry after comparing its fingerprint.
        assert openssh.parse_public_key(line).fingerprint == fingerprint
        (root / "editorial/assemblies/harbor.yml").write_text(ROSTER.format(key=f", key: {line}").lstrip(), encoding="utf-8")
        commit(root, "Ayşe's voting passkey")
        build(root, output)
        page = f"{origin}/ballots/harbor/night-shifts/index.html"
        phone.clock.set_fixed_time("2026-11-21T18:00:00Z")  # the phone's clock agrees with the press's: the ballot is open
        phone.goto(page)
        assert "Two on every crane" not in phone.content()  # never an unapproved article's title or text
        assert "Secret until approved" not in phone.content()
        for url in (page, f"{origin}/ballots/enrol/index.html"):  # as the build renders them: axe and a phone's width
            phone.goto(url)
            assert fits_and_passes_axe(phone) == [], url
        phone.goto(page)

        first = cast(phone, page, "harbor/ayse", "Yes")
        envelope, armored = split(first)
        assert ssh_keygen_verifies(tmp_path, line, "harbor/ayse", envelope, armored).returncode == 0
        received = tmp_path / "mail"
        received.mkdir()
        (received / "first.ballot").write_text(first, encoding="utf-8")
        added = ballot_add(root, received / "first.ballot")
        assert added.exit_code == 0, added.output
        folder = root / "editorial/ballots/harbor/night-shifts"
        assert (folder / cast_name("harbor/ayse", 1)).read_text(encoding="utf-8") == first
        (counted,) = casts(root)
        assert (counted.choice, counted.counted, counted.why, counted.key) == ("yes", True, "", fingerprint)
        assert counted.digest == phone.locator("#cast-receipt").text_content()

        second = cast(phone, page, "harbor/ayse", "No")  # this phone remembers ballot 1
        (received / "second.ballot").write_text(second, encoding="utf-8")
        # One byte changed: press ballot add refuses it, says why, and files nothing.
        (received / "changed.ballot").write_text(second.replace("choice: no\n", "choice: yes\n", 1), encoding="utf-8")
        refused = ballot_add(root, received / "changed.ballot")
        assert refused.exit_code == 1 and "does not verify" in refused.output
        assert not (folder / cast_name("harbor/ayse", 2)).exists()

        added = ballot_add(root, received / "second.ballot")
        assert added.exit_code == 0, added.output
        by_sequence = {c.sequence: c for c in casts(root)}
        assert by_sequence[2].counted and by_sequence[2].choice == "no"
        assert not by_sequence[1].counted and "replaced" in by_sequence[1].why
        commit(root, "Ayşe's ballots")

        # The page on a rebuilt site numbers the next ballot after the repository's, on another phone too.
        build(root, output)
        phone.evaluate("localStorage.clear()")
        third, _ = split(cast(phone, page, "harbor/ayse", "Abstain"))
        record = "editorial/ballots/harbor/night-shifts.yml"
        record_digest = "sha256:" + hashlib.sha256((root / record).read_bytes()).hexdigest()
        assert third == cast_message("harbor", "night-shifts", record, record_digest, "harbor/ayse", "abstain", 3)
        assert [url for url in phone.requests if not url.startswith(origin + "/")] == []
        assert phone.errors == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_change_after_the_review_withdraws_it_and_nothing_is_signed_after_the_close(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    closes = "2026-11-21T19:00:00Z"
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}, closes=closes, closes_text="21 November 2026, 20:00 CET"))
    phone.clock.set_fixed_time("2026-11-21T18:59:00Z")
    envelope = review(phone, url, lambda page: page.get_by_label("Yes", exact=True).check())
    assert "choice: yes\n" in envelope
    phone.get_by_label("No", exact=True).check()
    assert phone.locator("#ballot-review").is_hidden()  # what is signed is only ever what is on screen
    phone.get_by_role("button", name="Review my ballot").click()
    assert "choice: no\n" in phone.locator("#review-envelope").input_value()
    phone.clock.set_fixed_time("2026-11-21T19:00:00Z")  # the member waited past the close before confirming
    phone.get_by_role("button", name="Sign and cast with my passkey").click()
    assert "Voting closed at 21 November 2026, 20:00 CET" in phone.locator("#ballot-status").text_content()
    assert phone.locator("#cast").is_hidden() and phone.locator("#ballot-review").is_hidden()
    assert phone.evaluate("localStorage.getItem('assembly-press.ballots')") is None


def test_a_phone_that_does_not_verify_its_user_casts_nothing(site, phone):
    line, _ = enrol(phone, site.enrol_page())
    phone.verifies_user(False)  # no Face ID, fingerprint or PIN: a touch at most
    url = site.ballot_page(ballot_data(site.origin, {"harbor/ayse": [line]}))
    status = review(phone, url, lambda page: page.get_by_label("Yes", exact=True).check())
    assert "choice: yes" in status
    phone.get_by_role("button", name="Sign and cast with my passkey").click()
    phone.locator("#ballot-status").filter(has_text="Nothing was signed").wait_for()
    assert phone.locator("#cast").is_hidden()
    assert phone.evaluate("localStorage.getItem('assembly-press.ballots')") is None

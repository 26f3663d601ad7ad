"""No published file carries location or device metadata unless its assembly chose to keep it.

The files are made here, as a phone and a recorder would: a JPEG with EXIF GPS, capture time, make,
model, serial and owner, a PNG with text chunks, an MP3 with ID3 tags and a cover picture.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ExifTags, Image, PngImagePlugin

from conftest import commit, git
from press import media
from press.build import build
from press.cli import main

FRAME = b"\xff\xfb\x90\x00" + b"\x00" * 413  # one MPEG-1 layer III frame, 128 kbit/s, 44.1 kHz
SOUND = FRAME * 8


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def phone_photo(artist: str | None = "Ana Photographer", trailing: bytes = b"") -> bytes:
    image = Image.new("RGB", (32, 16))
    image.putdata([(x * 8 % 256, y * 16 % 256, 90) for y in range(16) for x in range(32)])
    exif = Image.Exif()
    exif[0x010F] = "Pixel"  # Make
    exif[0x0110] = "Pixel 8"  # Model
    exif[0x0112] = 6  # Orientation: kept, it says how to show the pixels
    if artist:
        exif[0x013B] = artist
        exif[0x8298] = "CC BY 4.0"
    exif.get_ifd(ExifTags.IFD.Exif).update({0xA431: "SN-4471-99", 0x9003: "2026:11:01 19:04:11"})
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (39.0, 47.0, 52.3), 3: "W", 4: (89.0, 39.0, 1.7)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue() + trailing


def tagged_mp3() -> bytes:
    from mutagen.id3 import APIC, ID3, TIT2, TPE1, TXXX

    out = io.BytesIO(SOUND)
    tags = ID3()
    tags.add(TPE1(encoding=3, text="Ben Recorder"))
    tags.add(TIT2(encoding=3, text="Tenants' meeting"))
    tags.add(TXXX(encoding=3, desc="location", text="39.7817,-89.6501"))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=phone_photo()))
    tags.save(out)
    return out.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.tobytes()


@pytest.fixture
def draft(pressdir):
    """An unvoted article whose bundle holds a phone photo and a tagged recording."""
    pressdir.buildable()
    pressdir.assembly()
    pressdir.write("content/springfield/rent/photo.jpg", phone_photo())
    pressdir.write("content/springfield/rent/meeting.mp3", tagged_mp3())
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.jpg)", audio="rent/meeting.mp3")
    return pressdir


# --------------------------------------------------------------------------- verify names the fields


def test_verify_names_gps_serial_owner_and_the_fix_for_a_phone_photo(draft):
    result = cli(draft.root, "verify")
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if l.startswith("content/springfield/rent/photo.jpg:"))
    assert "carries GPS position (GPSLatitude, GPSLatitudeRef, GPSLongitude, GPSLongitudeRef)" in line
    assert "camera serial (BodySerialNumber)" in line
    assert "device (Make, Model)" in line
    assert "owner name (Artist, Copyright)" in line
    assert "capture time (DateTimeOriginal)" in line
    assert line.endswith("— run: press strip content/springfield/rent/photo.jpg, then the vote must name the new digest")
    assert "Orientation" not in line  # how to show the pixels is not metadata about anyone


def test_verify_names_the_id3_tags_and_cover_picture_of_a_recording(draft):
    result = cli(draft.root, "verify", "--json")
    messages = [p["message"] for p in __import__("json").loads(result.output)["problems"] if p["path"].endswith("meeting.mp3")]
    assert len(messages) == 1
    assert "owner name (Artist)" in messages[0]
    assert "embedded thumbnail (APIC)" in messages[0]
    assert "other metadata (TXXX, Title)" in messages[0]


def test_a_photo_with_data_after_the_picture_is_reported(pressdir):
    """A "motion photo" hides a video after the JPEG's end: it is reported and stripped too."""
    pressdir.assembly()
    pressdir.write("content/springfield/rent/photo.jpg", phone_photo(trailing=b"\0\0\0\x18ftypmp42VIDEO-OF-THE-ROOM"))
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.jpg)")
    assert any("TrailingData" in p for p in pressdir.problems())
    result = cli(pressdir.root, "strip", "content/springfield/rent/photo.jpg")
    assert result.exit_code == 0, result.output
    assert b"VIDEO-OF-THE-ROOM" not in (pressdir.root / "content/springfield/rent/photo.jpg").read_bytes()
    assert pressdir.problems() == []


def test_png_text_chunks_and_exif_are_reported_and_stripped(pressdir):
    pressdir.assembly()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ana Ruiz")
    info.add_itxt("Comment", "taken at 12 Elm Street", zip=True)
    image = Image.new("RGBA", (8, 8), (10, 20, 30, 128))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {2: (39.0, 47.0, 52.3)}
    image.save(out, "PNG", pnginfo=info, exif=exif)
    assert b"eXIf" in out.getvalue()
    pressdir.write("content/springfield/rent/chart.png", out.getvalue())
    pressdir.article("springfield", "rent", title="Rent", body="![Chart](rent/chart.png)")
    [problem] = pressdir.problems()
    assert "GPS position (GPSLatitude)" in problem and "owner name (Artist)" in problem and "Comment" in problem
    assert cli(pressdir.root, "strip", "content/springfield/rent/chart.png").exit_code == 0
    after = (pressdir.root / "content/springfield/rent/chart.png").read_bytes()
    assert b"Elm Street" not in after and b"Ana Ruiz" not in after
    assert pixels(after) == pixels(out.getvalue())
    assert pressdir.problems() == []


# --------------------------------------------------------------------------- press strip


def test_press_strip_keeps_the_pixels_and_the_sound_and_prints_the_digest_to_vote(draft):
    photo = draft.root / "content/springfield/rent/photo.jpg"
    recording = draft.root / "content/springfield/rent/meeting.mp3"
    before_photo, before_digest = photo.read_bytes(), draft.digest("springfield", "rent")
    result = cli(draft.root, "strip", "content/springfield/rent/photo.jpg", str(recording))
    assert result.exit_code == 0, result.output
    assert "content/springfield/rent/photo.jpg: removed GPS position (GPSLatitude" in result.output
    after_digest = draft.digest("springfield", "rent")
    assert after_digest != before_digest
    assert f"springfield/rent: new digest {after_digest} — the publish vote must name this digest" in result.output
    assert pixels(photo.read_bytes()) == pixels(before_photo)
    assert media.fields("photo.jpg", photo.read_bytes()) == ()
    with Image.open(photo) as image:
        assert dict(image.getexif()) == {0x0112: 6}  # only how to turn it
    assert recording.read_bytes() == SOUND  # every tag gone, every frame of sound as it was
    assert b"SN-4471-99" not in photo.read_bytes() and b"39.7817" not in recording.read_bytes()
    assert sorted(p.name for p in photo.parent.iterdir()) == ["meeting.mp3", "photo.jpg"]  # no temporary file left
    assert cli(draft.root, "verify").exit_code == 0
    again = cli(draft.root, "strip", str(photo))
    assert again.exit_code == 0 and "nothing to strip" in again.output


def test_press_strip_refuses_a_damaged_photo_and_leaves_it_as_it_was(pressdir):
    pressdir.assembly()
    cut = phone_photo()[:-40]  # no end-of-image marker: browsers still show it, and its EXIF
    path = pressdir.write("content/springfield/rent/photo.jpg", cut)
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.jpg)")
    assert any("GPS position" in p for p in pressdir.problems())  # read all the same (by Pillow)
    result = cli(pressdir.root, "strip", "content/springfield/rent/photo.jpg")
    assert result.exit_code == 1
    assert "content/springfield/rent/photo.jpg: the JPEG data is damaged" in result.output
    assert path.read_bytes() == cut


def test_press_strip_refuses_a_missing_file_or_a_link(pressdir, tmp_path):
    pressdir.assembly()
    (tmp_path / "elsewhere.jpg").write_bytes(phone_photo())
    (pressdir.root / "content/link.jpg").symlink_to(tmp_path / "elsewhere.jpg")
    result = cli(pressdir.root, "strip", "content/link.jpg")
    assert result.exit_code == 2 and "a symbolic link is never changed" in result.output
    assert cli(pressdir.root, "strip", "content/none.jpg").exit_code == 2
    assert (tmp_path / "elsewhere.jpg").read_bytes() == phone_photo()


# --------------------------------------------------------------------------- keep-metadata


def test_kept_fields_stay_and_are_shown_to_the_voters_on_the_agenda(pressdir):
    pressdir.assembly(**{"keep-metadata": "[Artist, Copyright]"})
    pressdir.write("content/springfield/rent/photo.jpg", phone_photo())
    pressdir.article("springfield", "rent", title="Rent", body="![The march](rent/photo.jpg)")
    [problem] = pressdir.problems()
    assert "GPS position" in problem and "Artist" not in problem and "Copyright" not in problem
    result = cli(pressdir.root, "strip", "content/springfield/rent/photo.jpg")
    assert "kept Artist, Copyright" in result.output
    assert pressdir.problems() == []
    agenda = cli(pressdir.root, "agenda", "springfield", "--date", "2026-11-25", "--output", "-")
    assert agenda.exit_code == 0, agenda.output
    assert "rent/photo.jpg" in agenda.output
    assert "published with its metadata:" in agenda.output
    assert "Artist: “Ana Photographer”" in agenda.output and "Copyright: “CC BY 4.0”" in agenda.output


@pytest.mark.parametrize(
    "value, message",
    [
        ("[GPSLatitude]", "keep-metadata: 'GPSLatitude' cannot be kept — allowed: Artist, Copyright, Title, ImageDescription"),
        ("Artist", "keep-metadata must be a list of field names"),
        ("[Artist, Artist]", "keep-metadata: Artist is listed twice"),
    ],
)
def test_keep_metadata_is_checked_with_path_and_line(pressdir, value, message):
    pressdir.assembly(**{"keep-metadata": value})
    problems = pressdir.problems()
    assert any(p.startswith("editorial/assemblies/springfield.yml:") and message in p for p in problems), problems
    assert all(":0:" not in p for p in problems)


# --------------------------------------------------------------------------- cut-over, the build, the check


def test_a_bundle_voted_before_the_cut_over_publishes_with_a_warning(draft, settled):
    draft.publish("springfield", "rent", "2026-10-06")  # before media.CUTOVER
    result = cli(draft.root, "verify")
    assert result.exit_code == 0, result.output
    assert "warning: content/springfield/rent/photo.jpg: carries GPS position" in result.output
    assert f"voted before {media.CUTOVER}" in result.output and "run: press strip content/springfield/rent/photo.jpg" in result.output
    built = build(draft.root, draft.root / "output", search=False)
    assert (draft.root / "output/springfield/rent/photo.jpg").read_bytes() == (draft.root / "content/springfield/rent/photo.jpg").read_bytes()
    assert any("photo.jpg: carries GPS position" in w for w in built.warnings)


def test_nothing_with_gps_reaches_the_build_output(repo, monkeypatch, settled):
    """A vote after the cut-over on a bundle that still carries GPS: verify refuses the tree; and an
    approved revision taken from git is left out by the build's gate, with the fix."""
    monkeypatch.setattr(media, "CUTOVER", __import__("datetime").date(2026, 1, 1))
    photo = phone_photo()
    repo.write("content/springfield/rent/photo.jpg", photo)
    repo.article("springfield", "rent", title="Rent", body="VOTED-TEXT ![The march](rent/photo.jpg)")
    repo.publish("springfield", "rent", "2026-10-06")
    assert any("photo.jpg: carries GPS position" in p for p in repo.problems())
    commit(repo.root, "Article and its vote")
    # the writer strips the photo but the new digest is not voted yet: the build takes the voted bundle from git
    assert cli(repo.root, "strip", "content/springfield/rent/photo.jpg").exit_code == 0
    commit(repo.root, "Strip the photo")
    assert repo.problems() == []
    result = build(repo.root, repo.root / "output", search=False)
    assert any("springfield/rent is not published until it is stripped and voted again" in w for w in result.warnings)
    out = repo.root / "output"
    every = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"SN-4471-99" not in every and b"VOTED-TEXT" not in every
    assert not (out / "springfield/rent/photo.jpg").exists()


def test_the_pull_request_check_shows_a_writers_upload_with_the_fix(repo):
    """The writers' desk (Decap CMS) commits uploads into the bundle on a branch: the check says it."""
    git(repo.root, "checkout", "-q", "-b", "cms/springfield/rent")
    repo.write("content/springfield/rent/photo.jpg", phone_photo())
    repo.article("springfield", "rent", title="Rent", body="![The march](rent/photo.jpg)")
    commit(repo.root, "Create Articles “rent”", author="Decap CMS <cms@example.org>")
    result = cli(repo.root, "check", "--base", "main")
    assert result.exit_code == 1
    assert "- `content/springfield/rent/photo.jpg`: carries GPS position (GPSLatitude" in result.output
    assert "run: press strip content/springfield/rent/photo.jpg" in result.output


def opus_recording(*comments: bytes) -> bytes:
    """An Ogg Opus file: its header, its comments and one packet of sound, paged by mutagen."""
    import struct

    from mutagen.ogg import OggPage

    def page(packets, sequence, position=0, first=False, last=False):
        made = OggPage()
        made.serial, made.sequence, made.position, made.packets, made.first, made.last = 7, sequence, position, packets, first, last
        return made.write()

    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    vendor = b"recorder 1.0"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(comments))
    tags += b"".join(struct.pack("<I", len(c)) + c for c in comments)
    return page([head], 0, first=True) + page([tags], 1) + page([b"\xfc" + b"SOUND" * 8], 2, 960, last=True)


def test_an_opus_recordings_place_and_artist_are_reported_and_stripped(pressdir):
    pressdir.assembly(**{"keep-metadata": "[Title]"})
    path = pressdir.write("content/springfield/rent/meeting.opus", opus_recording(b"ARTIST=Ben", b"LOCATION=12 Elm Street", b"TITLE=Minutes"))
    pressdir.article("springfield", "rent", title="Rent", body="Listen.", audio="rent/meeting.opus")
    [problem] = pressdir.problems()
    assert "carries GPS position (LOCATION), owner name (Artist)" in problem and "Title" not in problem
    assert cli(pressdir.root, "strip", str(path)).exit_code == 0
    after = path.read_bytes()
    assert b"Elm Street" not in after and b"ARTIST" not in after and b"TITLE=Minutes" in after
    assert b"\xfc" + b"SOUND" * 8 in after
    assert pressdir.problems() == []

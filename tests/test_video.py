"""Video beside audio: an .mp4 or .webm of the bundle, with a poster and WebVTT captions, shown in a
native player and carried by the feeds — and only ever what the vote covers."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from conftest import REPO
from press import media
from press.bundle import MAX_BYTES
from press.cli import main

SAMPLE = REPO / "content/riverside/canal-row-walkabout"
WEBM = (SAMPLE / "walkabout.webm").read_bytes()  # 320x180 VP8, made once with ffmpeg
POSTER = (SAMPLE / "walkabout-poster.png").read_bytes()  # 320x180
MP4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2" + b"\0\0\0\x08free" + b"VOTED-MP4-FRAMES"  # an ftyp box: enough for the type check
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Ana>CAPTION-TEXT-AS-SPOKEN & more\n"


def cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


def output_bytes(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.is_dir() else {}


def vote(press, *slugs: str, day: str = "2026-10-06") -> None:
    motions = "".join(f"  - publish: springfield/{s}\n    digest: {press.digest('springfield', s)}\n    yes: [ana, ben]\n" for s in slugs)
    press.meeting("springfield", day, "present: [ana, ben, cai]\nmotions:\n" + motions)


@pytest.fixture
def site(pressdir):
    pressdir.buildable()
    pressdir.assembly()
    return pressdir


def film(site, slug: str = "film", data: bytes = WEBM, name: str = "film.webm", captions: str | bytes | None = VTT, **meta) -> None:
    """An article with a video, its poster and (unless ``captions`` is None) its captions."""
    site.write(f"content/springfield/{slug}/{name}", data)
    site.write(f"content/springfield/{slug}/poster.png", POSTER)
    fields = {"video": f"{slug}/{name}", "video_poster": f"{slug}/poster.png"}
    if captions is not None:
        site.write(f"content/springfield/{slug}/film.en.vtt", captions.encode() if isinstance(captions, str) else captions)
        fields["video_captions"] = f"{slug}/film.en.vtt"
    site.article("springfield", slug, title="On film", body="The meeting, filmed.", **{**fields, **meta})


# --------------------------------------------------------------------------- published


def test_a_voted_video_is_published_in_a_native_player_with_poster_and_captions(site):
    film(site, video_captions_lang="es", video_captions_label="Español <b>")
    vote(site, "film")
    assert cli(site.root, "verify").exit_code == 0
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    assert "Video_captions" not in result.output  # captioned: no warning
    files = output_bytes(site.root)
    assert files["springfield/film/film.webm"] == WEBM
    assert files["springfield/film/poster.png"] == POSTER
    assert files["springfield/film/film.en.vtt"] == VTT.encode()
    page = files["springfield/film.html"].decode()
    video = re.search(r"<video [^>]*>", page)[0]
    assert 'controls preload="none" src="../springfield/film/film.webm"' in video
    assert 'poster="../springfield/film/poster.png"' in video
    assert 'width="320" height="180"' in video  # the poster's size: no layout shift
    track = re.search(r"<track [^>]*>", page)[0]
    assert track == '<track kind="captions" src="../springfield/film/film.en.vtt" srclang="es" label="Español &lt;b&gt;" default>'
    # The captions are a file the browser reads, never text of the page.
    assert "CAPTION-TEXT-AS-SPOKEN" not in page


def test_feeds_carry_the_video_as_an_enclosure_beside_the_audio(site):
    film(site)
    site.write("content/springfield/talk/talk.mp3", b"ID3" + b"VOTED-AUDIO")
    site.write("content/springfield/talk/talk.mp4", MP4)
    site.write("content/springfield/talk/poster.png", POSTER)
    site.article("springfield", "talk", title="Talk", audio="talk/talk.mp3", video="talk/talk.mp4", video_poster="talk/poster.png")
    vote(site, "film", "talk")
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    files = output_bytes(site.root)
    webm = ("http://localhost:8000/springfield/film/film.webm", str(len(WEBM)), "video/webm")
    mp4 = ("http://localhost:8000/springfield/talk/talk.mp4", str(len(MP4)), "video/mp4")
    mp3 = ("http://localhost:8000/springfield/talk/talk.mp3", "14", "audio/mpeg")
    atom = {e.title: [(l.href, l.length, l.type) for l in e.links if l.rel == "enclosure"] for e in feedparser.parse(files["springfield/feed.atom"]).entries}
    assert atom == {"On film": [webm], "Talk": [mp4, mp3]}
    rss = feedparser.parse(files["springfield/feed.rss"])
    assert rss.bozo == 0
    # RSS allows one enclosure per item: the audio, which podcast apps play, wins over the video.
    assert {e.title: [(x.href, x.length, x.type) for x in e.enclosures] for e in rss.entries} == {"On film": [webm], "Talk": [mp3]}
    items = {i["title"]: i["attachments"] for i in json.loads(files["springfield/feed.json"])["items"]}
    assert items["On film"] == [{"url": webm[0], "mime_type": "video/webm", "size_in_bytes": len(WEBM)}]
    assert [a["mime_type"] for a in items["Talk"]] == ["audio/mpeg", "video/mp4"]
    podcast = files["springfield/podcast.rss"].decode()  # audio only: a podcast is for listening
    assert "talk.mp3" in podcast and "talk.mp4" not in podcast and "film.webm" not in podcast


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("film.mp4", b"<!doctype html><script>alert(1)</script>", "'film.mp4' does not contain video/mp4 data — save it in the format its name says"),
        ("film.webm", WEBM.replace(b"webm", b"matr", 1), "'film.webm' does not contain video/webm data"),  # Matroska, not WebM
        ("film.webm", WEBM[:20], "'film.webm' does not contain video/webm data"),  # the header cut off
        ("film.webm", b"\x1a\x45\xdf\xa3\x80", "'film.webm' does not contain video/webm data"),  # an empty EBML header
    ],
)
def test_a_video_whose_bytes_are_not_its_type_is_refused(site, name, data, message):
    film(site, data=data, name=name)
    vote(site, "film")
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert f"content/springfield/film/{name}: {message}" in result.output
    assert cli(site.root, "build").exit_code == 1
    assert output_bytes(site.root) == {}


@pytest.mark.parametrize(
    "captions, message",
    [
        ("1\n00:00.000 --> 00:02.000\nHello\n", "'film.en.vtt' does not start with WEBVTT — captions are WebVTT files (.vtt)"),
        ("WEBVTTX\n", "'film.en.vtt' does not start with WEBVTT"),
        ("<html><script>alert(1)</script>WEBVTT\n", "'film.en.vtt' does not start with WEBVTT"),
        (b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello\xff\n", "'film.en.vtt' is not UTF-8 text (byte 37) — save the captions as UTF-8"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nHello\x00\n", "'film.en.vtt' holds the control character U+0000 — captions are plain text"),
    ],
)
def test_captions_that_are_not_webvtt_text_are_refused(site, captions, message):
    film(site, captions=captions)
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert f"content/springfield/film/film.en.vtt: {message}" in result.output


def test_captions_with_a_byte_order_mark_are_webvtt(site):
    film(site, captions="\ufeffWEBVTT - Meeting\n\n00:00.000 --> 00:02.000\nHello\n")
    assert cli(site.root, "verify").exit_code == 0


def test_an_oversize_video_or_captions_file_is_refused(site):
    film(site, data=MP4, name="film.mp4", captions="WEBVTT\n\n" + "x" * MAX_BYTES["captions"])
    with (site.root / "content/springfield/film/film.mp4").open("r+b") as f:
        f.truncate(MAX_BYTES["video"] + 1)  # sparse: the limit is tested, not the disk
    vote(site, "film")
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    assert "content/springfield/film/film.mp4: 'film.mp4' is 52,428,801 bytes; a video attachment is at most 50 MiB (52,428,800 bytes) — make it shorter or smaller" in result.output
    assert "content/springfield/film/film.en.vtt: 'film.en.vtt' is 524,296 bytes; a captions attachment is at most 512 KiB (524,288 bytes)" in result.output
    assert cli(site.root, "build").exit_code == 1
    assert output_bytes(site.root) == {}


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"video_poster": "film/film.en.vtt"}, "content/springfield/film.md:3: Video_poster: film/film.en.vtt must be an image file of the bundle"),
        ({"video_captions": "film/poster.png"}, "content/springfield/film.md:4: Video_captions: film/poster.png must be a captions file of the bundle"),
        ({"video": "film/poster.png"}, "content/springfield/film.md:2: Video: film/poster.png must be a video file of the bundle"),
        ({"video": "film/other.webm"}, "content/springfield/film.md:2: Video: film/other.webm names film/other.webm, which is not in the bundle"),
        ({"video": "https://videos.example.org/film.webm"}, "content/springfield/film.md:2: Video: names a file of the article's folder (<slug>/film.webm), never a URL"),
        ({"video_poster": ""}, "content/springfield/film.md:2: Video: needs 'Video_poster:', an image of the article's folder"),
        ({"video_captions_lang": "english!"}, "content/springfield/film.md:5: Video_captions_lang 'english!' must be a language tag like en or pt-BR"),
        ({"video_captions_label": "x" * 81}, "content/springfield/film.md:5: Video_captions_label is a short name for the captions"),
    ],
)
def test_the_video_fields_name_files_of_their_kind(site, meta, message):
    film(site, **meta)
    problems = site.problems()
    assert any(p.startswith(message) for p in problems), problems


def test_video_fields_without_a_video_are_a_problem(site):
    site.write("content/springfield/film/poster.png", POSTER)
    site.article("springfield", "film", title="On film", video_poster="film/poster.png")
    assert "content/springfield/film.md:2: Video_poster: without Video: — name the video file, or remove the line" in site.problems()


# --------------------------------------------------------------------------- only what was voted


def test_an_unvoted_video_never_reaches_the_output(site):
    film(site, "voted", data=MP4.replace(b"VOTED", b"FIRST"), name="film.mp4")
    vote(site, "voted")
    film(site, "voted", data=MP4.replace(b"VOTED", b"SWAPPED"), name="film.mp4")  # replaced after the vote
    film(site, "unvoted", data=MP4.replace(b"VOTED", b"NEVER"), name="film.mp4")  # never voted
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    files = output_bytes(site.root)
    for needle in (b"SWAPPED-MP4", b"NEVER-MP4", b"FIRST-MP4", b"CAPTION-TEXT", b"film.mp4"):
        assert [name for name, data in files.items() if needle in data] == [], needle
    assert not any(name.startswith(("springfield/voted", "springfield/unvoted")) for name in files)


# --------------------------------------------------------------------------- accessibility


def test_a_video_without_captions_is_a_warning_on_the_agenda_and_the_build(site):
    film(site, captions=None)
    assert cli(site.root, "verify").exit_code == 0  # a warning, not a problem: the assembly decides
    warning = "content/springfield/film.md:2: Video film/film.webm has no Video_captions — add a WebVTT file (.vtt) of what is said, for readers who cannot hear it"
    agenda = cli(site.root, "agenda", "springfield", "--date", "2026-10-06", "--output", str(site.root / "agenda.html"))
    assert agenda.exit_code == 0, agenda.output
    assert f"warning: {warning}" in agenda.output
    assert "has no Video_captions — add a WebVTT file (.vtt) of what is said, for readers who cannot hear it (line 2)" in (site.root / "agenda.html").read_text()
    vote(site, "film")
    result = cli(site.root, "build")
    assert result.exit_code == 0, result.output
    assert f"warning: {warning}" in result.output
    assert "<track" not in output_bytes(site.root)["springfield/film.html"].decode()


# --------------------------------------------------------------------------- metadata: where and with what it was filmed


def box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


FRAMES = b"VOTED-MP4-FRAMES" * 4


def phone_mp4() -> bytes:
    """An MP4 as phones write them: iTunes-style tags (mutagen writes them here), a bare ``\\xa9xyz`` atom
    in the user data (Android) and QuickTime ``mdta`` keys (iPhone). Its frames are ``FRAMES``."""
    from mutagen.mp4 import MP4, MP4Cover

    mvhd = box(b"mvhd", bytes(12) + (1000).to_bytes(4, "big") + bytes(84))
    android = box(b"udta", box(b"\xa9xyz", (18).to_bytes(2, "big") + b"\x15\xc7+39.7817-089.6501/"))
    key = b"com.apple.quicktime.location.ISO6709"
    keys = box(b"keys", bytes(4) + (1).to_bytes(4, "big") + (8 + len(key)).to_bytes(4, "big") + b"mdta" + key)
    iphone = box(b"meta", box(b"hdlr", bytes(8) + b"mdta" + bytes(12)) + keys + box(b"ilst", box((1).to_bytes(4, "big"), box(b"data", bytes(8) + b"+39.7818-089.6502/"))))
    data = io.BytesIO(box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41") + box(b"moov", mvhd + android + iphone) + box(b"mdat", FRAMES))
    video = MP4(data)
    video.add_tags()
    video.tags.update({"\xa9xyz": ["+39.7819-089.6503/"], "\xa9mak": ["Pixel"], "\xa9mod": ["Pixel 8"], "\xa9too": ["Camera 9.1"],
                       "\xa9ART": ["Ana Ruiz"], "covr": [MP4Cover(b"\x89PNG-COVER", MP4Cover.FORMAT_PNG)]})  # fmt: skip
    data.seek(0)
    video.save(data)
    return data.getvalue()


def ebml(element: int, payload: bytes) -> bytes:
    return element.to_bytes((element.bit_length() + 7) // 8, "big") + (0x0100000000000000 | len(payload)).to_bytes(8, "big") + payload


def simple_tag(name: str, value: str) -> bytes:
    return ebml(0x67C8, ebml(0x45A3, name.encode()) + ebml(0x4487, value.encode()))


def tagged_webm(*tags: tuple[str, str]) -> bytes:
    """The sample WebM's header and frames in a Segment with a Tags element carrying ``tags``."""
    header = ebml(0x1A45DFA3, ebml(0x4282, b"webm"))
    ffmpeg = simple_tag("ENCODER", "Lavf60.16.100") + simple_tag("DURATION", "00:00:02.000000000")  # every ffmpeg file has these
    return header + ebml(0x18538067, ebml(0x1549A966, ebml(0x4D80, b"Lavf")) + ebml(0x1254C367, ebml(0x7373, ffmpeg + b"".join(simple_tag(*t) for t in tags))) + ebml(0x1F43B675, b"WEBM-FRAMES"))


def test_verify_names_where_and_with_what_a_phone_video_was_filmed(site):
    film(site, data=phone_mp4(), name="film.mp4")
    result = cli(site.root, "verify")
    assert result.exit_code == 1, result.output
    [line] = [l for l in result.output.splitlines() if l.startswith("content/springfield/film/film.mp4:")]
    assert line == (
        "content/springfield/film/film.mp4: carries GPS position (com.apple.quicktime.location.ISO6709, ©xyz), "
        "device (©mak, ©mod, ©too), owner name (Artist), embedded thumbnail (covr) — "
        "run: press strip content/springfield/film/film.mp4, then the vote must name the new digest"
    )


def test_press_strip_cleans_an_mp4_and_keeps_every_frame(site):
    film(site, data=phone_mp4(), name="film.mp4")
    path = site.root / "content/springfield/film/film.mp4"
    result = cli(site.root, "strip", str(path))
    assert result.exit_code == 0, result.output
    assert "removed GPS position (com.apple.quicktime.location.ISO6709, ©xyz)" in result.output
    after = path.read_bytes()
    for coordinate in (b"39.7817", b"39.7818", b"39.7819", b"Pixel", b"Ana Ruiz", b"PNG-COVER", b"ISO6709"):
        assert coordinate not in after, coordinate
    assert box(b"mdat", FRAMES) in after  # the frames, byte for byte: nothing re-encoded
    assert media.fields("film.mp4", after) == ()
    assert cli(site.root, "verify").exit_code == 0
    vote(site, "film")
    built = cli(site.root, "build")
    assert built.exit_code == 0, built.output
    assert output_bytes(site.root)["springfield/film/film.mp4"] == after


def test_an_mp4_kept_field_stays_and_a_damaged_mp4_is_never_taken_as_clean(site):
    site.assembly(**{"keep-metadata": "[Artist]"})
    film(site, data=phone_mp4(), name="film.mp4")
    path = site.root / "content/springfield/film/film.mp4"
    assert cli(site.root, "strip", str(path)).exit_code == 0
    assert [f.name for f in media.fields("film.mp4", path.read_bytes())] == ["Artist"]
    assert cli(site.root, "verify").exit_code == 0  # kept: the agenda shows it to the voters
    moov = phone_mp4()
    at = moov.index(b"moov") - 4
    damaged = moov[:at] + (len(moov) * 2).to_bytes(4, "big") + moov[at + 4 :]  # moov runs past the end of the file
    film(site, "cut", data=damaged[: len(damaged) - 8], name="film.mp4")
    assert "carries other metadata (Structure)" in cli(site.root, "verify").output


def test_a_webm_with_a_place_is_refused_with_the_ffmpeg_fix_and_stays_as_it_was(site, monkeypatch):
    monkeypatch.setattr(media, "CUTOVER", __import__("datetime").date(2026, 1, 1))  # the vote is after the cut-over
    data = tagged_webm(("LOCATION", "+39.7817-089.6501/"), ("ARTIST", "Ana Ruiz"))
    film(site, data=data)
    path = site.root / "content/springfield/film/film.webm"
    result = cli(site.root, "verify")
    assert result.exit_code == 1
    [line] = [l for l in result.output.splitlines() if l.startswith("content/springfield/film/film.webm:")]
    assert line.startswith("content/springfield/film/film.webm: carries GPS position (LOCATION), owner name (Artist) — run: press strip")
    assert "DURATION" not in line and "ENCODER" not in line  # what ffmpeg writes into every file says nothing of anyone
    stripped = cli(site.root, "strip", str(path))
    assert stripped.exit_code == 1
    assert "press strip cannot clean a WebM file" in stripped.output
    assert "ffmpeg -i film.webm -map_metadata -1 -c copy clean-film.webm" in stripped.output
    assert path.read_bytes() == data
    vote(site, "film")
    assert cli(site.root, "build").exit_code == 1
    assert all(b"39.7817" not in d for d in output_bytes(site.root).values())


def test_a_webm_with_only_what_ffmpeg_writes_is_clean(site):
    assert media.fields("film.webm", WEBM) == ()  # the sample, made with ffmpeg
    assert media.fields("film.webm", tagged_webm()) == ()
    assert [f.name for f in media.fields("film.webm", tagged_webm(("ENCODER", "Samsung SM-G991B")))] == ["ENCODER"]


def test_nothing_with_gps_reaches_the_build_output_from_a_video(site, monkeypatch):
    monkeypatch.setattr(media, "CUTOVER", __import__("datetime").date(2026, 1, 1))  # the vote is after the cut-over
    film(site, data=phone_mp4(), name="film.mp4")
    vote(site, "film")
    built = cli(site.root, "build")
    assert built.exit_code == 1 and "film.mp4: carries GPS position" in built.output
    assert output_bytes(site.root) == {}


def test_a_webm_hides_no_tag_behind_a_live_cluster_or_inside_another_tag(site):
    header = ebml(0x1A45DFA3, ebml(0x4282, b"webm"))
    live_cluster = b"\x1f\x43\xb6\x75\x01\xff\xff\xff\xff\xff\xff\xff" + b"\xa3\x85" + b"FRAME"  # unknown size, as browsers record
    nested = ebml(0x67C8, ebml(0x45A3, b"RECORDED_AT") + ebml(0x4487, b"Union Hall") + simple_tag("LOCATION", "+39.78-089.65/"))
    tags = ebml(0x1254C367, ebml(0x7373, nested))
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + live_cluster + tags  # the Segment too: live
    found = media.fields("film.webm", header + segment)
    assert {(f.name, f.group) for f in found} == {("RECORDED_AT", "other"), ("LOCATION", "gps")}
    deep = simple_tag("LOCATION", "here")
    for _ in range(5000):  # tags within tags: a bounded reader, never a crash
        deep = ebml(0x67C8, ebml(0x45A3, b"X") + deep)
    found = media.fields("film.webm", header + ebml(0x18538067, ebml(0x1254C367, ebml(0x7373, deep))))
    assert [f.name for f in found] == ["Structure"]


def test_a_voted_video_with_gps_taken_from_git_never_reaches_the_output(repo, settled, monkeypatch):
    """Voted with its GPS after the cut-over, then stripped but not voted again: the build takes the
    voted bundle from git history, and the gate (the same rule) leaves the article out, saying why."""
    from conftest import commit
    from press.build import build

    monkeypatch.setattr(media, "CUTOVER", __import__("datetime").date(2026, 1, 1))
    film(repo, data=phone_mp4(), name="film.mp4", summary="VOTED-TEXT")
    repo.publish("springfield", "film", "2026-10-06")
    commit(repo.root, "A filmed meeting and its vote")
    assert cli(repo.root, "strip", "content/springfield/film/film.mp4").exit_code == 0
    commit(repo.root, "Strip the video")
    assert repo.problems() == []
    result = build(repo.root, repo.root / "output", search=False)
    assert any("springfield/film is not published until it is stripped and voted again" in w for w in result.warnings)
    every = b"".join(p.read_bytes() for p in (repo.root / "output").rglob("*") if p.is_file())
    for secret in (b"39.7817", b"39.7818", b"39.7819", b"ISO6709", b"VOTED-MP4-FRAMES", b"VOTED-TEXT"):
        assert secret not in every, secret


def test_a_webm_of_nested_live_clusters_is_read_without_exhausting_the_stack(site):
    """An attacker's draft: thousands of Clusters of unknown size one after another (each would end
    where the next begins). Reading it is a loop, never a crash: verify and the build stay clean of
    exit 3, and the unvoted draft is simply not published."""
    header = ebml(0x1A45DFA3, ebml(0x4282, b"webm"))
    data = header + b"\x18\x53\x80\x67\xff" + b"\x1f\x43\xb6\x75\xff" * 5000
    assert media.fields("clip.webm", data) == ()  # nothing hidden in it: no tag, no Info, no attachment
    site.write("content/springfield/night/clip.webm", data)
    site.article("springfield", "night", title="UNVOTED-NIGHT")
    result = cli(site.root, "verify")
    assert result.exit_code in (0, 1) and "internal error" not in result.output
    built = cli(site.root, "build", "--no-search")
    assert built.exit_code == 0, built.output
    assert b"UNVOTED-NIGHT" not in b"".join(output_bytes(site.root).values())


def test_an_xmp_packet_in_an_mp4_uuid_box_is_reported_and_stripped():
    """Adobe tools write XMP (GPS included) into a top-level ``uuid`` box that mutagen does not read:
    it is reported, and `press strip` blanks it without moving a frame."""
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="39,46.9N" exif:GPSLongitude="89,39.0W"/></x:xmpmeta>'
    clean = box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41") + box(b"moov", box(b"mvhd", bytes(12) + (1000).to_bytes(4, "big") + bytes(84))) + box(b"mdat", FRAMES)
    assert media.fields("film.mp4", clean) == ()
    tagged = clean + box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + xmp)
    assert [(f.name, f.group) for f in media.fields("film.mp4", tagged)] == [("XMP", "gps")]
    stripped = media.strip("film.mp4", tagged)
    assert media.fields("film.mp4", stripped) == () and b"GPSLatitude" not in stripped
    assert stripped[: len(clean)] == clean and len(stripped) == len(tagged)  # nothing before it moved

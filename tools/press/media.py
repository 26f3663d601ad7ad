"""What an attachment says besides its pixels or its sound: location, device and owner metadata.

A phone photo carries where and when it was taken, the camera's make, model and serial number,
often the owner's name and a thumbnail of the uncropped picture; a recording carries tags. The
press publishes the voted bytes as they are, so such a file is refused (``press verify``, the
pull-request check) until it is cleaned with ``press strip FILE`` — unless its assembly keeps the
named field by ``rules: keep-metadata:`` (a photographer's credit), which the agenda then shows.

One rule in one place: :func:`fields` reads a file's metadata and :func:`judge` decides what is a
problem, what a warning (bundles voted before :data:`CUTOVER`) and what is kept; the records, the
build's gate (files from the work tree and from git alike) and ``press strip`` all call these.

Images are read with Pillow and, for JPEG and PNG, by their segments and chunks, so that a clean
copy keeps the compressed image data byte for byte (no re-encoding): :func:`strip` checks that the
pixels are equal before it returns. Audio and video tags are read and removed with mutagen.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from dataclasses import dataclass

from .problems import Problem


def ebml_number(data: bytes, at: int, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length number (WebM's element ids and sizes; the bundle's type check reads them too) at ``at``: (value, next offset), or None if cut off."""
    if at >= len(data) or data[at] == 0:
        return None
    width = 9 - data[at].bit_length()  # the leading zero bits say how many more bytes follow
    if at + width > len(data):
        return None
    value = data[at] if keep_marker else data[at] & (0xFF >> width)
    for byte in data[at + 1 : at + width]:
        value = value << 8 | byte
    return value, at + width

# Bundles approved by a publish motion at a meeting dated before this day were voted before the press
# checked metadata: their metadata is a warning (with the fix), and they keep publishing.
CUTOVER = dt.date(2026, 12, 7)

# Fields an assembly may keep (``rules: keep-metadata:``), one name for every format.
KEEPABLE = ("Artist", "Copyright", "Title", "ImageDescription")

# How each group is named in a message, in the order they are listed.
GROUPS = {
    "gps": "GPS position",
    "serial": "camera serial",
    "device": "device",
    "owner": "owner name",
    "time": "capture time",
    "thumbnail": "embedded thumbnail",
    "other": "other metadata",
}

_MAX_VALUE = 80


@dataclass(frozen=True)
class Field:
    """One metadata field of a file: its name (``GPSLatitude``, ``Artist``, ``TPE1``), its group (a
    key of :data:`GROUPS`) and its value as text (shortened), shown to voters when kept."""

    name: str
    group: str
    value: str = ""


class MediaError(Exception):
    """A file press cannot read or clean; the message says what to do."""


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else " " for c in str(value)).strip()
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


# --------------------------------------------------------------------------- EXIF

# EXIF tags that say nothing about the place, the device or the person: how to show the pixels.
_EXIF_HARMLESS = {
    0x0112, 0x011A, 0x011B, 0x0128, 0x0213, 0xA001, 0xA002, 0xA003, 0x9000, 0xA000, 0x9101,
    0x8769, 0x8825, 0xA005, 0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0115, 0x011C,
}  # fmt: skip
_EXIF_GROUPS = {
    "BodySerialNumber": "serial", "SerialNumber": "serial", "LensSerialNumber": "serial",
    "CameraSerialNumber": "serial", "ImageUniqueID": "serial",
    "Make": "device", "Model": "device", "LensMake": "device", "LensModel": "device", "Software": "device",
    "HostComputer": "device", "MakerNote": "device", "UniqueCameraModel": "device",
    "Artist": "owner", "Copyright": "owner", "CameraOwnerName": "owner", "XPAuthor": "owner",
    "ImageDescription": "other", "XPComment": "other", "UserComment": "other",
    "DateTime": "time", "DateTimeOriginal": "time", "DateTimeDigitized": "time", "OffsetTime": "time",
    "OffsetTimeOriginal": "time", "OffsetTimeDigitized": "time", "SubsecTime": "time",
    "SubsecTimeOriginal": "time", "SubsecTimeDigitized": "time",
}  # fmt: skip


def _exif_fields(payload: bytes) -> list[Field]:
    """The fields of an EXIF block (with or without its ``Exif\\0\\0`` header), read with Pillow."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    try:
        exif.load(payload)
    except Exception:
        return [Field("EXIF", "other", "unreadable EXIF block")]
    found: list[Field] = []
    for tag, value in exif.items():
        if tag in _EXIF_HARMLESS:
            continue
        name = ExifTags.TAGS.get(tag, f"Tag{tag:04X}")
        found.append(Field(name, _EXIF_GROUPS.get(name, "other"), _text(value)))
    for ifd, names in ((ExifTags.IFD.Exif, ExifTags.TAGS), (ExifTags.IFD.GPSInfo, ExifTags.GPSTAGS)):
        try:
            values = exif.get_ifd(ifd)
        except Exception:
            found.append(Field("EXIF", "other", "unreadable EXIF block"))
            continue
        for tag, value in values.items():
            if ifd == ExifTags.IFD.Exif and tag in _EXIF_HARMLESS:
                continue
            name = names.get(tag, f"Tag{tag:04X}")
            group = "gps" if ifd == ExifTags.IFD.GPSInfo else _EXIF_GROUPS.get(name, "other")
            found.append(Field(name if group != "gps" or name.startswith("GPS") else f"GPS{name}", group, _text(value)))
    try:
        if exif.get_ifd(ExifTags.IFD.IFD1):
            found.append(Field("Thumbnail", "thumbnail", "a smaller copy of the picture"))
    except Exception:
        pass
    return found


def _orientation(payload: bytes) -> int:
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(payload)
        value = int(exif.get(0x0112, 1))
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


# --------------------------------------------------------------------------- JPEG

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes, bytes]], int]:
    """``(marker, segment bytes, payload)`` for every segment up to EOI (a scan's entropy-coded data
    stays with its SOS segment), and where the image ends (after EOI)."""
    if data[:2] != b"\xff\xd8":
        raise MediaError("not a JPEG file")
    segments: list[tuple[int, bytes, bytes]] = []
    pos, end = 2, len(data)
    while True:
        if pos + 2 > end or data[pos] != 0xFF:
            raise MediaError("the JPEG data is damaged (no end-of-image marker) — export it again")
        while pos + 1 < end and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos + 1]
        if marker == _EOI:
            return segments, pos + 2
        if marker in _STANDALONE:
            segments.append((marker, data[pos : pos + 2], b""))
            pos += 2
            continue
        if pos + 4 > end:
            raise MediaError("the JPEG data is damaged (cut short) — export it again")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        stop = pos + 2 + length
        if length < 2 or stop > end:
            raise MediaError("the JPEG data is damaged (a segment runs past the end) — export it again")
        if marker == _SOS:
            scan = stop
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= end:
                    raise MediaError("the JPEG data is damaged (no end-of-image marker) — export it again")
                following = data[scan + 1]
                if following == 0 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            segments.append((marker, data[pos:scan], data[pos + 4 : stop]))
            pos = scan
            continue
        segments.append((marker, data[pos:stop], data[pos + 4 : stop]))
        pos = stop


def _jpeg_kind(marker: int, payload: bytes) -> str:
    """``keep`` (image data, colour), ``exif``, ``xmp`` or the name of other metadata."""
    if marker == 0xE0:
        return "keep" if payload.startswith(b"JFIF\0") and payload[12:14] == b"\0\0" else "JFIF thumbnail"
    if marker == 0xE1:
        if payload.startswith(b"Exif\0"):
            return "exif"
        return "XMP" if payload.startswith(b"http://ns.adobe.com/xap/1.0/") or payload.startswith(b"http://ns.adobe.com/xmp") else "APP1"
    if marker == 0xE2:
        if payload.startswith(b"ICC_PROFILE\0"):
            return "keep"
        return "MPF" if payload.startswith(b"MPF\0") else "APP2"
    if marker == 0xED:
        return "IPTC"
    if marker == 0xEE and payload.startswith(b"Adobe"):
        return "keep"  # how to convert the colours back: needed to decode
    if marker == 0xFE:
        return "Comment"
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    return "keep"


def _jpeg_fields(data: bytes) -> list[Field]:
    segments, image_end = _jpeg_segments(data)
    found: list[Field] = []
    for marker, _, payload in segments:
        kind = _jpeg_kind(marker, payload)
        if kind == "keep":
            continue
        if kind == "exif":
            found += _exif_fields(payload)
        elif kind in ("MPF", "JFIF thumbnail"):
            found.append(Field(kind, "thumbnail", "more pictures inside the file"))
        elif kind == "Comment":
            found.append(Field("Comment", "other", _text(payload)))
        else:
            found.append(Field(kind, "other", f"{len(payload)} bytes"))
    if data[image_end:].strip(b"\0"):  # zero padding says nothing; anything else could be a video
        found.append(Field("TrailingData", "other", f"{len(data) - image_end} bytes after the picture (a video, a second picture…)"))
    return found


def _exif_segment(orientation: int, kept: dict[int, str]) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    for tag, value in kept.items():
        exif[tag] = value
    if not len(exif):
        return b""
    block = exif.tobytes()
    return b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block


_EXIF_KEEPABLE = {"Artist": 0x013B, "Copyright": 0x8298, "ImageDescription": 0x010E}


def _jpeg_strip(data: bytes, keep: frozenset[str]) -> bytes:
    from PIL import Image

    segments, _ = _jpeg_segments(data)
    orientation, kept = 1, {}
    for marker, _, payload in segments:
        if _jpeg_kind(marker, payload) == "exif":
            orientation = _orientation(payload)
            exif = Image.Exif()
            try:
                exif.load(payload)
            except Exception:
                continue
            kept = {tag: exif[tag] for name, tag in _EXIF_KEEPABLE.items() if name in keep and tag in exif}
    out = [b"\xff\xd8"]
    exif_block = _exif_segment(orientation, kept)
    placed = False
    for marker, raw, payload in segments:
        if not placed and marker != 0xE0:
            out.append(exif_block)  # after JFIF's APP0, before anything else
            placed = True
        if _jpeg_kind(marker, payload) == "keep":
            out.append(raw)
    out.append(b"\xff\xd9")
    return b"".join(out)


# --------------------------------------------------------------------------- PNG

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that make or colour the picture (and animate it): everything else is metadata.
_PNG_IMAGE = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD",
    b"pHYs", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCV", b"cLLI", b"hIST", b"sPLT",
}  # fmt: skip
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_PNG_KEYS = {"author": "Artist", "copyright": "Copyright", "title": "Title", "description": "ImageDescription"}


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """``(type, chunk bytes, payload)`` for every chunk."""
    if not data.startswith(_PNG_SIGNATURE):
        raise MediaError("not a PNG file")
    chunks, pos = [], len(_PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise MediaError("the PNG data is damaged (cut short) — export it again")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if not kind.isalpha():  # a chunk type is four ASCII letters (PNG spec 5.4)
            raise MediaError("the PNG data is damaged (a chunk without a type) — export it again")
        stop = pos + 12 + length
        if stop > len(data):
            raise MediaError("the PNG data is damaged (a chunk runs past the end) — export it again")
        chunks.append((kind, data[pos:stop], data[pos + 8 : pos + 8 + length]))
        pos = stop
        if kind == b"IEND":
            if data[pos:].strip(b"\0"):
                chunks.append((b"trailing", data[pos:], data[pos:]))
            break
    return chunks


def _png_text(kind: bytes, payload: bytes) -> tuple[str, str]:
    key, _, rest = payload.partition(b"\0")
    name = "".join(c if c.isprintable() else "?" for c in key.decode("latin-1"))[:80]  # shown in messages
    try:
        if kind == b"tEXt":
            value = rest.decode("latin-1")
        elif kind == b"zTXt":
            value = zlib.decompressobj().decompress(rest[1:], 4096).decode("latin-1")
        else:
            compressed, rest = rest[:1], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, text = rest.partition(b"\0")
            value = (zlib.decompressobj().decompress(text, 4096) if compressed == b"\1" else text).decode("utf-8", "replace")
    except (zlib.error, UnicodeDecodeError):
        value = "(unreadable)"
    return name, value


def _png_field(kind: bytes, payload: bytes) -> list[Field]:
    if kind in _PNG_TEXT:
        key, value = _png_text(kind, payload)
        if key == "XML:com.adobe.xmp":
            return [Field("XMP", "other", f"{len(value)} characters")]
        name = _PNG_KEYS.get(key.lower(), key)
        group = "owner" if name in ("Artist", "Copyright") else "time" if key.lower() == "creation time" else "other"
        return [Field(name, group, _text(value))]
    if kind == b"eXIf":
        return _exif_fields(payload)
    if kind == b"tIME":
        return [Field("tIME", "time", "when the file was last changed")]
    if kind == b"trailing":
        return [Field("TrailingData", "other", f"{len(payload)} bytes after the picture")]
    return [Field(kind.decode("latin-1"), "other", f"{len(payload)} bytes")]


def _png_fields(data: bytes) -> list[Field]:
    return [f for kind, _, payload in _png_chunks(data) if kind not in _PNG_IMAGE for f in _png_field(kind, payload)]


def _png_strip(data: bytes, keep: frozenset[str]) -> bytes:
    out = [_PNG_SIGNATURE]
    for kind, raw, payload in _png_chunks(data):
        if kind in _PNG_IMAGE or (kind in _PNG_TEXT and all(f.name in keep for f in _png_field(kind, payload))):
            out.append(raw)
    return b"".join(out)


# --------------------------------------------------------------------------- other images (Pillow)


def _pillow_fields(data: bytes) -> list[Field]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            info = dict(image.info)
    except Exception:
        raise MediaError("Pillow cannot read this picture — export it again") from None
    found: list[Field] = []
    if info.get("exif"):
        found += _exif_fields(info["exif"])
    if info.get("xmp"):
        found.append(Field("XMP", "other", f"{len(info['xmp'])} bytes"))
    if info.get("comment"):
        found.append(Field("Comment", "other", _text(info["comment"])))
    return found


# --------------------------------------------------------------------------- audio and video (mutagen)

_ID3 = {
    "TPE1": ("Artist", "owner"), "TCOP": ("Copyright", "owner"), "TIT2": ("Title", "other"),
    "APIC": ("APIC", "thumbnail"), "TDRC": ("TDRC", "time"), "TDEN": ("TDEN", "time"), "TDRL": ("TDRL", "time"),
    "TYER": ("TYER", "time"), "TDAT": ("TDAT", "time"), "TIME": ("TIME", "time"), "TSSE": ("TSSE", "device"),
    "TENC": ("TENC", "device"), "TOWN": ("TOWN", "owner"), "TPE2": ("TPE2", "owner"), "TCOM": ("TCOM", "owner"),
}  # fmt: skip
_MP4 = {
    "\xa9ART": ("Artist", "owner"), "cprt": ("Copyright", "owner"), "\xa9nam": ("Title", "other"),
    "covr": ("covr", "thumbnail"), "\xa9xyz": ("\xa9xyz", "gps"), "\xa9day": ("\xa9day", "time"),
    "\xa9too": ("\xa9too", "device"), "\xa9mak": ("\xa9mak", "device"), "\xa9mod": ("\xa9mod", "device"),
    "\xa9swr": ("\xa9swr", "device"), "\xa9enc": ("\xa9enc", "device"), "\xa9aut": ("\xa9aut", "owner"),
    "auth": ("auth", "owner"), "loci": ("loci", "gps"), "\xa9lox": ("\xa9lox", "gps"),
}  # fmt: skip
_VORBIS = {"ARTIST": ("Artist", "owner"), "COPYRIGHT": ("Copyright", "owner"), "TITLE": ("Title", "other"),
           "METADATA_BLOCK_PICTURE": ("METADATA_BLOCK_PICTURE", "thumbnail"), "DATE": ("DATE", "time"),
           "LOCATION": ("LOCATION", "gps"), "ENCODER": ("ENCODER", "device")}  # fmt: skip


def _audio(data: bytes):
    import mutagen

    try:
        return mutagen.File(io.BytesIO(data))
    except Exception:
        raise MediaError("mutagen cannot read this recording — export it again") from None


# Signs of metadata in a picture the readers above cannot parse (a damaged or hostile file):
# reported rather than trusted to be clean.
_RAW_SIGNS = ((b"Exif\0\0", "EXIF"), (b"http://ns.adobe.com/xap/1.0/", "XMP"), (b"<x:xmpmeta", "XMP"))


def _tag_name(key: str, kind) -> tuple[str, str]:
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    if isinstance(kind, ID3):
        frame = key.split(":")[0]
        return _ID3.get(frame, (frame, "other"))
    if isinstance(kind, MP4Tags):
        return _MP4.get(key, (_text(key), "other"))
    return _VORBIS.get(key.upper(), (key.upper(), "other"))


def _tag_items(tags) -> list[tuple[str, object]]:
    if isinstance(tags, list) or not hasattr(tags, "items"):
        return list(tags)
    return list(tags.items())


def _audio_fields(data: bytes) -> list[Field]:
    from mutagen.id3 import ID3

    audio = _audio(data)
    found: list[Field] = []
    tags = getattr(audio, "tags", None) if audio is not None else None
    if tags is not None:
        for key, value in _tag_items(tags):
            name, group = _tag_name(key, tags)
            shown = "a picture" if group == "thumbnail" else _text(value if not isinstance(value, list) else ", ".join(map(str, value)))
            found.append(Field(name, group, shown))
    if data[-128:-125] == b"TAG" and not (tags is not None and isinstance(tags, ID3) and tags.version[0] == 1):
        found.append(Field("ID3v1", "other", "an ID3v1 tag at the end"))
    return found


def _audio_strip(data: bytes, keep: frozenset[str]) -> bytes:
    from mutagen.id3 import ID3

    buffer = io.BytesIO(data)
    audio = _audio(data)
    tags = getattr(audio, "tags", None) if audio is not None else None
    if tags is not None:
        for key in dict.fromkeys(key for key, _ in _tag_items(tags)):  # a Vorbis key may repeat: delete it once
            if _tag_name(key, tags)[0] not in keep:
                del tags[key]
        buffer.seek(0)
        if isinstance(tags, ID3):
            if len(tags):
                tags.save(buffer, v1=0)  # v1=0: an ID3v1 tag at the end is removed
            else:
                from mutagen.id3 import delete

                delete(buffer, delete_v1=True, delete_v2=True)
        elif len(_tag_items(tags)):
            audio.save(buffer)
        else:
            audio.delete(buffer)
    elif data[-128:-125] == b"TAG":
        from mutagen.id3 import delete

        delete(buffer, delete_v1=True, delete_v2=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- video: MP4 boxes, WebM elements

# Boxes holding other boxes on the way to metadata (a ``meta`` box too, read apart).
_MP4_CONTAINERS = {b"moov", b"trak", b"udta", b"mdia", b"minf", b"edts"}
_MP4_MAX_BOXES = 10_000  # a box walk stops here: a real file has tens


def _mp4_boxes(data: bytes):
    """``(parent types, type, start, end, payload start)`` of the boxes of an MP4 on the way to its
    metadata, without ``ilst``'s children (mutagen reads those). Bounded: sizes are checked against
    their parent, at most :data:`_MP4_MAX_BOXES` boxes. A damaged structure is a :class:`MediaError`."""
    seen = 0

    def walk(start: int, end: int, parents: tuple[bytes, ...]):
        nonlocal seen
        pos = start
        while pos + 8 <= end:
            seen += 1
            if seen > _MP4_MAX_BOXES or len(parents) > 8:
                raise MediaError("the MP4 has too many boxes to be a video — export it again")
            size, kind = struct.unpack(">I", data[pos : pos + 4])[0], data[pos + 4 : pos + 8]
            header = 8
            if size == 1:
                if pos + 16 > end and not parents:
                    return
                if pos + 16 > end:
                    raise MediaError("the MP4 data is damaged (cut short) — export it again")
                size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
            elif size == 0:
                size = end - pos  # to the end of its parent
            if size < header or pos + size > end:
                if not parents and kind not in _MP4_CONTAINERS and kind != b"meta":
                    return  # bytes after the last whole box: no player reads boxes out of them either
                raise MediaError("the MP4 data is damaged (a box runs past its end) — export it again")
            stop = pos + size
            yield parents, kind, pos, stop, pos + header
            if kind in _MP4_CONTAINERS:
                yield from walk(pos + header, stop, (*parents, kind))
            elif kind == b"meta":
                inner = pos + header + (4 if data[pos + header + 8 : pos + header + 12] == b"hdlr" else 0)  # ISO: version and flags
                yield from walk(inner, stop, (*parents, kind))
            pos = stop
        if pos != end and parents:
            raise MediaError("the MP4 data is damaged (a box is cut short) — export it again")

    return list(walk(0, len(data), ()))


def _mp4_text(payload: bytes) -> str:
    """A user-data atom's text: ``(length, language, text)`` as phones write ``\xa9xyz``, else the bytes."""
    if len(payload) >= 4 and struct.unpack(">H", payload[:2])[0] == len(payload) - 4:
        payload = payload[4:]
    return _text(payload)


def _mp4_keys(data: bytes, start: int, end: int) -> list[str]:
    """The key names of a QuickTime ``keys`` box (``com.apple.quicktime.location.ISO6709``)."""
    names, pos = [], start + 8  # version, flags, count
    while pos + 8 <= end and len(names) < 1000:
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        if size < 8 or pos + size > end:
            break
        names.append(data[pos + 8 : pos + size].decode("utf-8", "replace"))
        pos += size
    return names


def _key_group(name: str) -> str:
    low = name.lower()
    for words, group in ((("location", "gps", "iso6709"), "gps"), (("make", "model", "software", "serial"), "device"),
                         (("author", "artist", "owner", "copyright"), "owner"), (("creationdate", "date"), "time")):  # fmt: skip
        if any(w in low for w in words):
            return group
    return "other"


_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")  # the uuid box XMP writers put in MP4 files


def _mp4_box_fields(data: bytes, boxes) -> list[Field]:
    """What mutagen does not read: user-data atoms beside ``meta`` (where phones write ``\xa9xyz``)
    and QuickTime ``mdta`` keys (where iPhones write the place)."""
    found: list[Field] = []
    for parents, kind, start, stop, body in boxes:
        if parents and parents[-1] == b"udta" and kind not in (b"meta", b"free", b"skip"):
            key = kind.decode("latin-1")
            name, group = _MP4.get(key, (_text(key), "other"))
            found.append(Field(name, group, _mp4_text(data[body:stop])))
        elif kind == b"keys" and parents and parents[-1] == b"meta":
            found += [Field(key, _key_group(key), "a QuickTime metadata key") for key in _mp4_keys(data, body, stop)]
        elif kind == b"uuid" and data[body : body + 16] == _XMP_UUID:  # Adobe's XMP packet, anywhere in the file
            packet = data[body + 16 : stop]
            found.append(Field("XMP", "gps" if b"GPS" in packet else "other", f"an XMP packet of {len(packet):,} bytes"))
    return found


def _mp4_fields(data: bytes) -> list[Field]:
    boxes = _mp4_boxes(data)
    try:
        found = _audio_fields(data)  # the iTunes-style tags (udta/meta/ilst), read by mutagen
    except MediaError:
        found = [Field("ilst", "other", "tags mutagen cannot read")] if any(k == b"ilst" for _, k, *_ in boxes) else []
    return found + _mp4_box_fields(data, boxes)


def _mp4_strip(data: bytes, keep: frozenset[str]) -> bytes:
    """mutagen removes the iTunes-style tags; the other metadata boxes become ``free`` boxes of the
    same size, so that no offset into the media data moves (nothing is re-encoded or re-muxed)."""
    clean = bytearray(_audio_strip(data, keep) if any(k == b"ilst" for _, k, *_ in _mp4_boxes(data)) else data)
    boxes = _mp4_boxes(bytes(clean))
    metas = [(start, stop) for _, kind, start, stop, _ in boxes if kind == b"meta"]
    blanks = []
    for parents, kind, start, stop, _ in boxes:
        key = kind.decode("latin-1")
        if parents and parents[-1] == b"udta" and kind not in (b"meta", b"free", b"skip") and _MP4.get(key, (key,))[0] not in keep:
            blanks.append((start, stop))
        elif kind == b"keys" and parents and parents[-1] == b"meta":  # the whole QuickTime meta box: keys and values
            blanks.append(max((m for m in metas if m[0] < start < m[1]), key=lambda m: m[0]))
        elif kind == b"uuid" and clean[start + 8 : start + 24] == _XMP_UUID and "XMP" not in keep:
            blanks.append((start, stop))
    for start, stop in blanks:
        clean[start + 4 : start + 8] = b"free"
        clean[start + 8 : stop] = bytes(stop - start - 8)
    return bytes(clean)


# WebM (Matroska): mutagen cannot read it, so its few metadata elements are read here, by ID.
_EBML_HEADER, _SEGMENT, _CLUSTER = 0x1A45DFA3, 0x18538067, 0x1F43B675
_TAGS, _TAG, _SIMPLE_TAG, _TAG_NAME, _TAG_STRING = 0x1254C367, 0x7373, 0x67C8, 0x45A3, 0x4487
_INFO, _DATE_UTC, _TITLE, _ATTACHMENTS = 0x1549A966, 0x4461, 0x7BA9, 0x1941A469
_WEBM_MAX_ELEMENTS = 1_000_000  # every element has a header of two bytes or more: a bound of the file's size anyway
_WEBM_MAX_DEPTH = 16  # SimpleTags within SimpleTags
# The elements of a Segment: where a Cluster of unknown size ends.
_WEBM_TOP = {0x114D9B74, _INFO, 0x1654AE6B, _CLUSTER, 0x1C53BB6B, _ATTACHMENTS, 0x1043A770, _TAGS}
# Tags ffmpeg writes into every file it makes (its own version, a track's length): they say nothing
# about the place, the device or the person, and no ffmpeg command can leave them out.
_WEBM_HARMLESS = {"DURATION"}
_WEBM_NAMES = {"ARTIST": ("Artist", "owner"), "COPYRIGHT": ("Copyright", "owner"), "TITLE": ("Title", "other"),
               "DESCRIPTION": ("ImageDescription", "other")}  # fmt: skip


def _vint(data: bytes, pos: int, end: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length number at ``pos`` (the bundle's type check reads them too): (value,
    next position); -1 for an unknown size."""
    found = ebml_number(data, pos, keep_marker) if pos < end else None
    if found is None or found[1] > end:
        raise MediaError("the WebM data is damaged (a bad element header) — export it again")
    value, after = found
    if not keep_marker and value == (1 << (7 * (after - pos))) - 1:
        return -1, after
    return value, after


def _count(counter: list[int]) -> None:
    """One more element read of a file: a bounded reader stops at :data:`_WEBM_MAX_ELEMENTS`."""
    counter[0] += 1
    if counter[0] > _WEBM_MAX_ELEMENTS:
        raise MediaError("the WebM has too many elements to be read — export it again")


def _ebml(data: bytes, start: int, end: int, counter: list[int]):
    """``(id, payload start, payload end)`` of the elements between ``start`` and ``end``. A Cluster
    of unknown size (a live recording, as browsers write them) ends where the next top-level
    element begins, as a player reads it."""
    pos = start
    while pos < end:
        _count(counter)
        element, pos = _vint(data, pos, end, True)
        size, pos = _vint(data, pos, end, False)
        if size == -1 and element == _CLUSTER:
            # its end: the next top-level element, found by reading headers forward (never recursing,
            # so a file of nested unknown-size Clusters cannot exhaust the stack)
            stop = pos
            while stop < end:
                _count(counter)
                inner, after = _vint(data, stop, end, True)
                if inner in _WEBM_TOP:
                    break
                inner_size, body = _vint(data, after, end, False)
                if inner_size == -1 or body + inner_size > end:
                    raise MediaError("the WebM data is damaged (an element inside a Cluster) — export it again")
                stop = body + inner_size
            size = stop - pos
        elif size == -1:
            if element != _SEGMENT:
                raise MediaError("the WebM data is damaged (an element of unknown size) — export it again")
            size = end - pos  # runs to the end of its parent
        if pos + size > end:
            raise MediaError("the WebM data is damaged (an element runs past its end) — export it again")
        yield element, pos, pos + size
        pos += size


def _webm_fields(data: bytes) -> list[Field]:
    """Tags (every SimpleTag by name, nested ones too), Info's date and title, and attached files."""
    counter = [0]
    found: list[Field] = []

    def simple_tag(start: int, end: int, depth: int) -> None:
        if depth > _WEBM_MAX_DEPTH:
            raise MediaError("the WebM's tags are nested too deep to be read — export it again")
        name, value = "", ""
        for inner, body, stop in _ebml(data, start, end, counter):
            if inner == _TAG_NAME:
                name = data[body:stop].decode("utf-8", "replace").strip("\0").upper()
            elif inner == _TAG_STRING:
                value = data[body:stop].decode("utf-8", "replace").strip("\0")
            elif inner == _SIMPLE_TAG:  # a tag about this tag (a place's country, a person's role)
                simple_tag(body, stop, depth + 1)
        harmless = name in _WEBM_HARMLESS or (name == "ENCODER" and value.startswith(("Lavf", "Lavc")))
        if name and not harmless:
            label, group = _WEBM_NAMES.get(name, (name, "device" if name == "ENCODER" else _key_group(name)))
            found.append(Field(label, group, _text(value)))

    for element, body, stop in _ebml(data, 0, len(data), counter):
        if element != _SEGMENT:
            continue
        for child, cb, cstop in _ebml(data, body, stop, counter):
            if child == _TAGS:
                for tag, tb, tstop in _ebml(data, cb, cstop, counter):
                    for inner, ib, istop in _ebml(data, tb, tstop, counter) if tag == _TAG else ():
                        if inner == _SIMPLE_TAG:
                            simple_tag(ib, istop, 1)
            elif child == _INFO:
                for inner, ib, istop in _ebml(data, cb, cstop, counter):
                    if inner == _DATE_UTC:
                        found.append(Field("DateUTC", "time", "when the file was made"))
                    elif inner == _TITLE:
                        found.append(Field("Title", "other", _text(data[ib:istop])))
            elif child == _ATTACHMENTS:
                found.append(Field("Attachments", "thumbnail", "files inside the video (a cover picture…)"))
    return found


# --------------------------------------------------------------------------- one entry point per question

_READERS = {"jpg": _jpeg_fields, "jpeg": _jpeg_fields, "png": _png_fields, "gif": _pillow_fields, "webp": _pillow_fields,
            "avif": _pillow_fields, "mp3": _audio_fields, "m4a": _audio_fields, "ogg": _audio_fields,
            "opus": _audio_fields, "wav": _audio_fields, "mp4": _mp4_fields, "webm": _webm_fields}  # fmt: skip


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def fields(name: str, data: bytes) -> tuple[Field, ...]:
    """Every metadata field of the file ``name`` holding ``data``. A file press cannot read is a
    :class:`MediaError`; a type press does not inspect (PDF) has none."""
    ext = _ext(name)
    reader = _READERS.get(ext)
    if reader is None:
        return ()
    try:
        return tuple(reader(data))
    except MediaError:
        if reader is _audio_fields:
            return ()  # not a recording mutagen knows: nothing it could clean either
        if reader in (_mp4_fields, _webm_fields):  # a video press cannot walk is not taken as clean
            return (Field("Structure", "other", "a video press cannot read through to its metadata"),)
    try:
        return tuple(_pillow_fields(data))
    except MediaError:  # not a picture anyone can show; still, say what it hides
        return tuple(Field(label, "other", "in a picture press cannot read") for sign, label in _RAW_SIGNS if sign in data)


def strip(name: str, data: bytes, keep: frozenset[str] | set[str] = frozenset()) -> bytes:
    """``data`` without its metadata but the fields named in ``keep`` (see :data:`KEEPABLE`): the
    compressed picture or sound is kept byte for byte, and a picture's pixels are checked equal."""
    ext, keep = _ext(name), frozenset(keep)
    if ext in ("jpg", "jpeg"):
        clean = _jpeg_strip(data, keep)
    elif ext == "png":
        clean = _png_strip(data, keep)
    elif ext in ("mp3", "m4a", "ogg", "opus", "wav"):
        clean = _audio_strip(data, keep)
    elif ext == "mp4":
        clean = _mp4_strip(data, keep)
    elif ext == "webm":
        if not unkept(fields(name, data), keep):
            return data
        raise MediaError(
            "press strip cannot clean a WebM file (no well-kept library writes its tags) — make a clean copy without "
            f"re-encoding: ffmpeg -i {name} -map_metadata -1 -c copy clean-{name}, then put it in place of this one"
        )
    elif ext in ("gif", "webp", "avif"):
        if not fields(name, data):
            return data
        raise MediaError(f"press strip cannot clean a .{ext} file without re-encoding it — export it again without metadata, or as PNG")
    else:
        return data
    if ext in ("jpg", "jpeg", "png") and not _same_pixels(data, clean):
        raise MediaError("the cleaned copy would not show the same picture — nothing was changed; export it again without metadata")
    left = [f for f in fields(name, clean) if f.name not in keep]
    if left:
        raise MediaError(f"could not remove {', '.join(f.name for f in left)} — export it again without metadata")
    return clean


def _same_pixels(before: bytes, after: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(before)) as a, Image.open(io.BytesIO(after)) as b:
            return a.mode == b.mode and a.size == b.size and a.tobytes() == b.tobytes()
    except Exception:
        return False


def describe(found: list[Field] | tuple[Field, ...]) -> str:
    """``GPS position (GPSLatitude, GPSLongitude), camera serial (BodySerialNumber)``."""
    parts = []
    for group, label in GROUPS.items():
        names = sorted({f.name for f in found if f.group == group})
        if names:
            parts.append(f"{label} ({', '.join(names)})")
    return ", ".join(parts)


def unkept(found: tuple[Field, ...], keep: tuple[str, ...] | frozenset[str]) -> list[Field]:
    return [f for f in found if f.name not in keep]


def finding(path: str, found: tuple[Field, ...], keep=(), voted_before_cutover: bool = False) -> tuple[str, Problem] | None:
    """The one rule: ``("problem" | "warning", Problem)`` for the attachment at ``path`` (relative to
    the press root) carrying ``found``, or None when it carries nothing but ``keep``."""
    left = unkept(found, keep)
    if not left:
        return None
    message = f"carries {describe(left)} — run: press strip {path}"
    if voted_before_cutover:
        return "warning", Problem(path, 0, f"{message} (voted before {CUTOVER}: still published as voted; strip it and vote the new digest)")
    return "problem", Problem(path, 0, message + ", then the vote must name the new digest")


def voted_before_cutover(decision, digest: str | None = None) -> bool:
    """Whether the bundle with ``digest`` (default: the article's as it is now) was approved at a
    meeting dated before :data:`CUTOVER`; ``decision``: an :class:`press.decisions.ArticleDecision`."""
    approved = decision.approved if decision is not None else None
    wanted = digest or (decision.article.digest if decision is not None else None)
    return approved is not None and approved.date < CUTOVER and decision.approved_digest == wanted


def keep_of(records, assembly: str) -> tuple[str, ...]:
    """The fields ``assembly`` keeps (``rules: keep-metadata:``); none for the shared images."""
    body = records.assemblies.get(assembly)
    return body.rules.keep_metadata if body is not None else ()


def judge(records, articles: dict) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings for every attachment of ``records`` that carries metadata its assembly
    does not keep; ``articles``: the article decisions by id (for the cut-over)."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for path, found in sorted(records.media.items()):
        parts = path.split("/")
        aid = f"{parts[1]}/{parts[2]}" if len(parts) > 3 else None
        decision = articles.get(aid) if aid else None
        verdict = finding(path, found, keep_of(records, parts[1]), voted_before_cutover(decision))
        if verdict:
            (problems if verdict[0] == "problem" else warnings).append(verdict[1])
    return problems, warnings

"""Images the press draws itself, with Pillow: share cards, podcast covers and the site's icons.

A share card (1200×630, what social networks show for a link) carries the article's headline, its
assembly and its approval line. Drawing is slow next to copying, so every image is kept in the
press's cache under a key made of everything it shows (for an article: the approved digest, the
headline, the assembly and the approval line) and drawn again only when one of those changes.

The fonts are the theme's (``theme/fonts/``: DejaVu Sans, which covers the Latin, Greek and Cyrillic
names of our members), so the images are the same on every machine with the same Pillow, and a
fresh machine needs no fonts installed.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont

from ..cache import cache_dir, keep, replacing, usable
from .workers import Workers, cores_for

SHARE_SIZE = (1200, 630)
COVER_SIZE = (1400, 1400)  # Apple Podcasts asks for square art of at least 1400 px
ICON_SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180, "favicon-64.png": 64}

PAPER = (253, 252, 248)
INK = (27, 27, 27)
MUTED = (90, 90, 90)
ACCENT = (179, 18, 46)
MIN_PARALLEL = 16  # fewer missing images are drawn in this process: forking costs more
_VERSION = "2"  # bump when the drawing changes: cached images are then drawn again


@dataclass(frozen=True)
class Card:
    """What a share card or cover shows. ``key`` names the content it was approved as, if any."""

    headline: str
    kicker: str
    footer: str
    site: str
    key: str = ""


class ImageCache:
    """Image files keyed by what they show, in the press's cache folder (never in the repository)."""

    def __init__(self, root: Path | str, fonts: Path | str):
        self.folder, self.store = usable(cache_dir(root, "images")), _store
        if self.folder is None:  # no cache folder to trust: images live as long as this object
            self._scratch = tempfile.TemporaryDirectory(prefix="press-images-")
            self.folder, self.store = Path(self._scratch.name), _scratch
        self.fonts = Path(fonts)
        digest = hashlib.sha256()
        for name in (REGULAR, BOLD):
            digest.update((self.fonts / name).read_bytes())
        self.font_digest = digest.hexdigest()
        self.drawn = 0

    def _path(self, kind: str, card: Card | str, size: tuple[int, int]) -> Path:
        inputs = (_VERSION, PIL.__version__, self.font_digest, kind, card, size)
        return self.folder / f"{hashlib.sha256(repr(inputs).encode()).hexdigest()}.{'png' if kind == 'icon' else 'jpg'}"

    def get(self, kind: str, card: Card | str, size: tuple[int, int]) -> bytes:
        return self.files([(kind, card, size)])[0].read_bytes()

    def files(self, wanted: list[tuple[str, Card | str, tuple[int, int]]]) -> list[Path]:
        """The cached file of each ``(kind, card, size)``, drawn first where missing."""
        return self.start(wanted).finish()

    def start(self, wanted: list[tuple[str, Card | str, tuple[int, int]]]) -> "Drawing":
        """Begin drawing what is missing from the cache — in worker processes when there are many
        (a first build of a large press), so Pelican goes on writing pages meanwhile."""
        paths = [self._path(*w) for w in wanted]
        missing = list({path: (*w, self.fonts) for path, w in zip(paths, wanted) if not _whole(path)}.items())
        if missing:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.store(self.folder / "writable", b"")
            except OSError:  # a read-only cache: draw into a folder of this build's own
                self.folder = Path(tempfile.mkdtemp(prefix="press-images-"))
                self.store = _scratch
                return self.start(wanted)
        self.drawn += len(missing)
        return Drawing(paths, missing, self.store)


class Drawing:
    """Images being drawn; :meth:`finish` waits for them and returns every file."""

    def __init__(self, paths: list[Path], missing: list[tuple[Path, tuple]], store=None):
        self.paths, self.missing, self.store = paths, missing, store or _store
        self.pool = self.pending = None
        cores = cores_for(len(missing), MIN_PARALLEL)
        if cores:
            self.pool = Workers("drawing share images", cores)
            # A build that fails before finish() must not leave work handed out.
            weakref.finalize(self, self.pool.close, wait=False)
            self.pending = self.pool.map(_draw_args, [args for _, args in missing], chunksize=8)

    def finish(self) -> list[Path]:
        try:
            drawn = self.pending if self.pool else (_draw(*args) for _, args in self.missing)
            for (path, _), data in zip(self.missing, drawn):
                self.store(path, data)
        finally:
            if self.pool:
                self.pool.close()
                self.pool = None
        return self.paths


# How a whole image file begins and ends: a cached image cut short or overwritten is drawn again.
_WHOLE = {".jpg": (b"\xff\xd8", b"\xff\xd9"), ".png": (b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82")}


def _whole(path: Path) -> bool:
    head, tail = _WHOLE[path.suffix]
    try:
        with path.open("rb") as f:
            if f.read(len(head)) != head:
                return False
            f.seek(-len(tail), os.SEEK_END)
            return f.read() == tail
    except OSError:  # missing, or shorter than its markers
        return False


def _scratch(path: Path, data: bytes) -> None:
    """Write into this build's own folder (not a cache: nothing to check, nothing kept)."""
    with replacing(path) as f:
        f.write(data)


def _store(path: Path, data: bytes) -> None:
    """Write atomically: a build that is stopped never leaves half an image in the cache."""
    if not keep(path, lambda f: f.write(data)):  # said once by press.cache
        raise OSError(f"image cache {path} not kept")


def _draw_args(args: tuple) -> bytes:
    return _draw(*args)


def _draw(kind: str, card: Card | str, size: tuple[int, int], fonts: Path) -> bytes:
    out = io.BytesIO()
    if kind == "icon":  # small, flat: PNG
        _icon(str(card), size[0], fonts).save(out, "PNG")
    else:
        # Cards are JPEG: encoded in a sixth of the time of a PNG (thousands are drawn on a first
        # build), as social networks expect; full-resolution colour (4:4:4) keeps the text crisp.
        _card(card, size, fonts).save(out, "JPEG", quality=88, subsampling=0)
    return out.getvalue()


REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
def _font(fonts: Path, size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return _load_font(str(fonts / (BOLD if bold else REGULAR)), size)


@functools.lru_cache(maxsize=64)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):  # not at no-break spaces: "7\u00a0yes" stays on one line
        if not word:
            continue
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            while draw.textlength(word, font=font) > width and len(word) > 1:  # a word wider than the card
                cut = len(word)
                while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            lines.append(word)
    return lines


def _fit(draw, fonts: Path, text: str, width: int, height: int, largest: int, smallest: int, stroke: int = 0):
    """The largest font (and its lines) at which ``text`` fits the box; cut with … at the smallest."""
    for size in range(largest, smallest - 1, -4):
        font = _font(fonts, size)
        lines = _wrap(draw, text, font, width)
        if len(lines) * size * 1.2 <= height:
            return font, lines
    font = _font(fonts, smallest)
    lines = _wrap(draw, text, font, width)
    keep = max(1, int(height // (smallest * 1.2)))
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return font, lines


def _card(card: Card, size: tuple[int, int], fonts: Path) -> Image.Image:
    w, h = size
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    margin = int(w * 0.07)
    draw.rectangle((0, 0, int(w * 0.02), h), fill=ACCENT)
    inner = w - 2 * margin
    y = margin
    scale = 1 if w > h else 1.8  # a square cover is shown small in podcast apps: larger type
    kicker_font = _font(fonts, int(max(24, w // 38) * scale))
    for line in _wrap(draw, card.kicker.upper(), kicker_font, inner)[:2]:
        draw.text((margin, y), line, font=kicker_font, fill=ACCENT)
        y += int(kicker_font.size * 1.3)
    y += int(h * 0.03)
    footer_font = _font(fonts, int(max(22, w // 48) * scale), bold=False)
    footer_lines = _wrap(draw, card.footer, footer_font, inner)[:3] if card.footer else []
    site_font = _font(fonts, int(max(26, w // 36) * scale))
    bottom = h - margin - site_font.size - int(h * 0.03) - len(footer_lines) * int(footer_font.size * 1.3)
    largest = int(min(w, 2 * h) / 13 * (1 if w > h else 1.5))
    font, lines = _fit(draw, fonts, card.headline, inner, bottom - y, largest=largest, smallest=largest // 2)
    block = len(lines) * int(font.size * 1.2)
    y += max(0, (bottom - y - block) // 3)  # a little above the middle of the space left
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += int(font.size * 1.2)
    y = h - margin - site_font.size - len(footer_lines) * int(footer_font.size * 1.3) - int(h * 0.03)
    for line in footer_lines:
        draw.text((margin, y), line, font=footer_font, fill=MUTED)
        y += int(footer_font.size * 1.3)
    draw.line((margin, h - margin - site_font.size - int(h * 0.015), w - margin, h - margin - site_font.size - int(h * 0.015)), fill=(221, 214, 200), width=2)
    draw.text((margin, h - margin - site_font.size + 4), card.site, font=site_font, fill=INK)
    return image


def _icon(site: str, size: int, fonts: Path) -> Image.Image:
    """The press's mark: its initials, white on the accent red, as in favicon.svg."""
    image = Image.new("RGB", (size, size), ACCENT)
    draw = ImageDraw.Draw(image)
    initials = "".join(word[0] for word in site.split()[:2]).upper() or "P"
    font = _font(fonts, int(size * 0.42))
    box = draw.textbbox((0, 0), initials, font=font)
    x = (size - (box[2] - box[0])) / 2 - box[0]
    y = (size - (box[3] - box[1])) / 2 - box[1]
    draw.text((x, y), initials, font=font, fill=(255, 255, 255),)
    return image


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a picture, read from its header alone; None if Pillow cannot tell (the page
    then reserves no room for it, and still shows it)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None

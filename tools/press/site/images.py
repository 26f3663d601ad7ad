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
import math
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont

from ..store import Store, salt
from .memo import place
from .workers import Workers, cores_for

SHARE_SIZE = (1200, 630)
COVER_SIZE = (1400, 1400)  # Apple Podcasts asks for square art of at least 1400 px
ICON_SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180, "favicon-64.png": 64}

PAPER = (253, 252, 248)
INK = (27, 27, 27)
MUTED = (90, 90, 90)
ACCENT = (179, 18, 46)
RULE = (221, 214, 200)  # the line above the site's name; text is drawn in ink, accent and muted
MIN_PARALLEL = 16  # fewer missing images are drawn in this process: forking costs more
_VERSION = "3"  # bump when the drawing changes: cached images are then drawn again


@dataclass(frozen=True, slots=True)  # one per article
class Card:
    """What a share card or cover shows. ``key`` names the content it was approved as, if any."""

    headline: str
    kicker: str
    footer: str
    site: str
    key: str = ""


# The store's manifest of drawn images: key of what an image shows -> its object (press.store).
IMAGES = "images"


class ImageCache:
    """Image files keyed by what they show, in the press's store (never in the repository)."""

    def __init__(self, root: Path | str, fonts: Path | str):
        self.store, self.salt = Store(root), salt()
        self.kept = self.store.manifest(IMAGES, self.salt)  # key -> sha256 of the image
        self.fonts = Path(fonts)
        digest = hashlib.sha256()
        for name in (REGULAR, BOLD):
            digest.update((self.fonts / name).read_bytes())
        self.font_digest = digest.hexdigest()
        self.drawn = 0
        self._scratch: tempfile.TemporaryDirectory | None = None  # where images go when the store cannot be written

    def inputs(self, kind: str, card: Card | str, size: tuple[int, int]) -> tuple:
        """Everything an image shows or is drawn with: its rule's inputs (press.site.rules)."""
        return (_VERSION, PIL.__version__, self.font_digest, kind, card, size)

    def _key(self, kind: str, card: Card | str, size: tuple[int, int]) -> str:
        return hashlib.sha256(repr(self.inputs(kind, card, size)).encode()).hexdigest()

    def get(self, kind: str, card: Card | str, size: tuple[int, int]) -> bytes:
        return self.files([(kind, card, size)])[0].read_bytes()

    def files(self, wanted: list[tuple[str, Card | str, tuple[int, int]]]) -> list[Path]:
        """The kept file of each ``(kind, card, size)``, drawn first where missing."""
        return self.start(wanted).finish()

    def start(self, wanted: list[tuple[str, Card | str, tuple[int, int]]]) -> "Drawing":
        """Begin drawing what is missing from the store — in worker processes when there are many
        (a first build of a large press), so Pelican goes on writing pages meanwhile."""
        keys = [self._key(*w) for w in wanted]
        missing = list({key: (*w, self.fonts) for key, w in zip(keys, wanted) if not self._there(key)}.items())
        self.drawn += len(missing)
        return Drawing(self, keys, [(*w, self.fonts) for w in wanted], missing)

    def _there(self, key: str) -> bool:
        digest = self.kept.get(key)
        return digest is not None and self.store.path(digest).is_file()  # whole: checked when published

    def keep(self, key: str, data: bytes) -> Path:
        """Keep a drawn image; the file that holds it (in a folder of this build's own when the
        store cannot be written)."""
        digest = self.store.put(data)
        if digest is not None:
            self.kept[key] = digest
            return self.store.path(digest)
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="press-images-")
        path = Path(self._scratch.name) / key
        path.write_bytes(data)
        return path


class Drawing:
    """Images being drawn; :meth:`finish` waits for them and returns every file, :meth:`publish`
    copies one into the site, checked against its digest (a damaged one is drawn again)."""

    def __init__(self, cache: ImageCache, keys: list[str], args: list[tuple], missing: list[tuple[str, tuple]]):
        self.cache, self.keys, self.args, self.missing = cache, keys, args, missing
        self.paths: list[Path] = []
        self.pool = self.pending = None
        cores = cores_for(len(missing), MIN_PARALLEL)
        if cores:
            self.pool = Workers("drawing share images", cores)
            # A build that fails before finish() must not leave work handed out.
            weakref.finalize(self, self.pool.close, wait=False)
            self.pending = self.pool.map(_draw_args, [args for _, args in missing], chunksize=8)

    def finish(self) -> list[Path]:
        cache = self.cache
        drawn: dict[str, Path] = {}
        try:
            made = self.pending if self.pool else (_draw(*args) for _, args in self.missing)
            for (key, _), data in zip(self.missing, made):
                drawn[key] = cache.keep(key, data)
        finally:
            if self.pool:
                self.pool.close()
                self.pool = None
        self.paths = [drawn.get(key) or cache.store.path(cache.kept[key]) for key in self.keys]
        cache.store.save_manifest(IMAGES, cache.salt, {key: cache.kept[key] for key in self.keys if key in cache.kept})
        return self.paths

    def publish(self, index: int, target: Path) -> None:
        """A copy of image ``index`` at ``target`` (never a link: damage to the site never reaches the
        store, nor the reverse), its bytes checked against its digest; a damaged image is drawn again."""
        path, cache = self.paths[index], self.cache
        if path.parent == cache.store.objects:
            if cache.store.copy_out(path.name, target):
                return
            path = cache.keep(self.keys[index], _draw(*self.args[index]))
        place(path, target)


def _draw_args(args: tuple) -> bytes:
    return _draw(*args)


def _draw(kind: str, card: Card | str, size: tuple[int, int], fonts: Path) -> bytes:
    out = io.BytesIO()
    if kind == "icon":  # small, flat: PNG
        _icon(str(card), size[0], fonts).save(out, "PNG")
    elif kind == "share":
        # A share card is text in four colours on paper: a PNG of those colours and their blends with
        # the paper (the edges of the letters) is a quarter of a JPEG's bytes (about 26 KB against 95 KB
        # at quality 88), closer to what was drawn (no JPEG ringing around the letters), and about a
        # millisecond slower to make. Thousands of cards are most of a site's bytes, of a deploy's
        # copies and of what a static host stores.
        _card(card, size, fonts).quantize(palette=_palette(), dither=Image.Dither.NONE).save(out, "PNG", compress_level=3)
    else:
        # A podcast cover: JPEG in RGB, which podcast directories ask for; full-resolution colour
        # (4:4:4) keeps the text crisp.
        _card(card, size, fonts).save(out, "JPEG", quality=88, subsampling=0)
    return out.getvalue()


_BLENDS = 15  # steps from the paper to each colour: the edges of the letters, as they were drawn


@functools.cache
def _palette() -> Image.Image:
    """The paper, and each of the card's colours blended with it in :data:`_BLENDS` steps: every pixel
    of a card is one of these, or is drawn as the nearest of them."""
    colours = [PAPER] + [tuple(round(p + (c - p) * k / _BLENDS) for p, c in zip(PAPER, colour))
                         for colour in (INK, ACCENT, MUTED, RULE) for k in range(1, _BLENDS + 1)]  # fmt: skip
    flat = [value for colour in colours for value in colour]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + flat[:3] * (256 - len(colours)))  # the rest: the paper again, never nearer than it
    return palette


REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
def _font(fonts: Path, size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return _load_font(str(fonts / (BOLD if bold else REGULAR)), size)


@functools.lru_cache(maxsize=64)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, whole: float | None = None) -> list[str]:
    """``text``'s lines at ``font``, at most ``width`` wide (``whole``: its single-spaced length, when
    the caller measured it already)."""
    words = " ".join(word for word in text.split(" ") if word)
    if whole is None:
        whole = draw.textlength(words, font=font)
    if whole <= width:  # the common kicker and footer: one line, one measurement
        return [words] if words else []
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
    words = " ".join(word for word in text.split(" ") if word)
    for size in range(largest, smallest - 1, -4):
        font = _font(fonts, size)
        whole = draw.textlength(words, font=font)
        if _fewest_lines(draw, whole, font, width) * size * 1.2 > height:
            continue  # cannot fit at this size, however the words wrap: not wrapped to find out
        lines = _wrap(draw, text, font, width, whole)
        if len(lines) * size * 1.2 <= height:
            return font, lines
    font = _font(fonts, smallest)
    lines = _wrap(draw, text, font, width)
    keep = max(1, int(height // (smallest * 1.2)))
    if len(lines) > keep:
        lines = lines[:keep]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return font, lines


def _fewest_lines(draw, whole: float, font, width: int) -> int:
    """A lower bound on the lines :func:`_wrap` makes of words whose single-spaced length at ``font`` is
    ``whole``: each line is at most ``width`` wide and each break takes out one space, so the whole
    length is at most lines × width + breaks × a space — less a margin for kerning and rounding, so
    that the bound never passes over a size at which the words would fit. One measurement instead of
    one per word."""
    space = draw.textlength(" ", font=font)
    slack = 0.02 * whole + 2 * font.size
    return max(1, math.ceil((whole - slack + space) / (width + space)))


def _card(card: Card, size: tuple[int, int], fonts: Path) -> Image.Image:
    w, h = size
    image = _paper(size).copy()
    draw = ImageDraw.Draw(image)
    margin = int(w * 0.07)
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
    # last, over anything of the text that reaches down to them (stacked marks below a letter)
    rule = h - margin - site_font.size - int(h * 0.015)
    draw.line((margin, rule, w - margin, rule), fill=RULE, width=2)
    draw.text((margin, h - margin - site_font.size + 4), card.site, font=site_font, fill=INK)
    return image


@functools.lru_cache(maxsize=4)
def _paper(size: tuple[int, int]) -> Image.Image:
    """The paper and the accent bar every card of ``size`` begins with, drawn once per process and
    copied for each card (no text reaches the bar: it lies within the margin)."""
    image = Image.new("RGB", size, PAPER)
    ImageDraw.Draw(image).rectangle((0, 0, int(size[0] * 0.02), size[1]), fill=ACCENT)
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

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
from PIL import Image, ImageChops, ImageDraw, ImageFont

from ..store import Store, salt
from .memo import place
from .workers import Workers, cores_for, inherited

SHARE_SIZE = (1200, 630)
COVER_SIZE = (1400, 1400)  # Apple Podcasts asks for square art of at least 1400 px
ICON_SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180, "favicon-64.png": 64}

PAPER = (253, 252, 248)
INK = (27, 27, 27)
MUTED = (90, 90, 90)
ACCENT = (179, 18, 46)
RULE = (221, 214, 200)  # the line above the site's name; text is drawn in ink, accent and muted
MIN_PARALLEL = 16  # fewer missing images are drawn in this process: forking costs more
_VERSION = "4"  # bump when the drawing changes: cached images are then drawn again


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

    def keep(self, key: str, data: bytes | str) -> Path:
        """Keep a drawn image (``data``: its bytes, or its digest when a drawing worker kept it in the
        store already); the file that holds it (in a folder of this build's own when the store cannot
        be written)."""
        digest = data if isinstance(data, str) else self.store.put(data)
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
            # the store, inherited through fork (never sent with each image); None: the bytes come back, for the scratch folder
            store = cache.store if cache.store.usable() else None
            self.pool = Workers("drawing share images", cores, inherited=store)
            # A build that fails before finish() must not leave work handed out.
            weakref.finalize(self, self.pool.close, wait=False)
            self.pending = self.pool.map(_draw_and_keep, [args for _, args in missing], chunksize=8)

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


def _draw_and_keep(args: tuple) -> bytes | str:
    """In a worker: draw an image and keep it in the store the pool inherited; its digest there, or its
    bytes when the store could not take them (the build's own process then keeps them elsewhere). The
    bytes never travel back to the build's process, which has the one busy core of a first build."""
    store = inherited()
    data = _draw(*args)
    digest = store.put(data) if store is not None else None
    return digest if digest is not None else data


def _draw(kind: str, card: Card | str, size: tuple[int, int], fonts: Path) -> bytes:
    out = io.BytesIO()
    if kind == "icon":  # small, flat: PNG
        _icon(str(card), size[0], fonts).save(out, "PNG")
    elif kind == "share":
        # A share card is text in four colours on paper: a PNG of those colours and their blends with
        # the paper (the edges of the letters) is a quarter of a JPEG's bytes (about 26 KB against 95 KB
        # at quality 88) and closer to what was drawn (no JPEG ringing around the letters). It is
        # painted in those colours directly (see _share), never drawn in full colour and reduced.
        _share(card, size, fonts).save(out, "PNG", compress_level=3)
    else:
        # A podcast cover: JPEG in RGB, which podcast directories ask for; full-resolution colour
        # (4:4:4) keeps the text crisp.
        _card(card, size, fonts).save(out, "JPEG", quality=88, subsampling=0)
    return out.getvalue()


_BLENDS = 15  # steps from the paper to each colour: the edges of the letters, as they were drawn
_COLOURS = (INK, ACCENT, MUTED, RULE)  # a share card's colours, in the order of its palette


@functools.cache
def _palette() -> tuple[int, ...]:
    """The paper (index 0), and each of :data:`_COLOURS` blended with it in :data:`_BLENDS` steps
    (colour ``c`` at step ``k`` is index ``1 + c * _BLENDS + k - 1``): every pixel of a share card
    is one of these. The rest of the 256 entries: the paper again."""
    colours = [PAPER] + [tuple(round(p + (c - p) * k / _BLENDS) for p, c in zip(PAPER, colour))
                         for colour in _COLOURS for k in range(1, _BLENDS + 1)]  # fmt: skip
    flat = [value for colour in colours for value in colour]
    return tuple(flat + flat[:3] * (256 - len(colours)))


# A palette index -> how much of its colour it has (0 for the paper, 1-15 for the blends); and a
# difference of those -> 255 where none is left (the later text covers the pixel at least as much).
_STEPS = [0] + [(index - 1) % _BLENDS + 1 for index in range(1, 1 + len(_COLOURS) * _BLENDS)] + [0] * (255 - len(_COLOURS) * _BLENDS)
_NONE_LEFT = [255] + [0] * 255


@functools.cache
def _shades(colour: tuple[int, int, int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """For text in ``colour``: each coverage of a pixel by a letter (0-255) -> its palette index (the
    blend of the colour with the paper nearest that coverage), and -> whether the letter covers it
    at all (255) or leaves what is below (0)."""
    steps = [round(a * _BLENDS / 255) for a in range(256)]
    return tuple(_index(colour, k) if k else 0 for k in steps), tuple(255 if k else 0 for k in steps)


def _index(colour: tuple[int, int, int], step: int = _BLENDS) -> int:
    """The palette index of ``colour`` blended with the paper at ``step`` (1 to :data:`_BLENDS`, the
    colour itself), as :func:`_palette` lays them out."""
    return 1 + _COLOURS.index(colour) * _BLENDS + step - 1


REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
def _font(fonts: Path, size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return _load_font(str(fonts / (BOLD if bold else REGULAR)), size)


@functools.lru_cache(maxsize=64)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


# What lines are measured with: lengths in grey levels, as the cards are drawn (the same in every painter).
_MEASURE = ImageDraw.Draw(Image.new("L", (1, 1)))


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


@dataclass(frozen=True)
class _Text:
    """A line of text at ``xy`` (its left and top, as Pillow places text), in ``colour``."""

    xy: tuple[int, int]
    text: str
    font: ImageFont.FreeTypeFont
    colour: tuple[int, int, int]
    shared: bool = True  # met on other cards too (the site's name, a kicker, a footer): painted once per process


@dataclass(frozen=True)
class _Rule:
    """A straight line ``width`` thick from ``start`` to ``end``, in ``colour``."""

    start: tuple[int, int]
    end: tuple[int, int]
    colour: tuple[int, int, int]
    width: int


def _layout(card: Card, size: tuple[int, int], fonts: Path) -> list[_Text | _Rule]:
    """Where everything a card shows goes, in the order it is painted (later over earlier): the one
    layout of a share card and a podcast cover, whichever painter paints it."""
    w, h = size
    draw = _MEASURE
    ops: list[_Text | _Rule] = []
    margin = int(w * 0.07)
    inner = w - 2 * margin
    y = margin
    scale = 1 if w > h else 1.8  # a square cover is shown small in podcast apps: larger type
    kicker_font = _font(fonts, int(max(24, w // 38) * scale))
    for line in _wrap(draw, card.kicker.upper(), kicker_font, inner)[:2]:
        ops.append(_Text((margin, y), line, kicker_font, ACCENT))
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
        ops.append(_Text((margin, y), line, font, INK, shared=False))
        y += int(font.size * 1.2)
    y = h - margin - site_font.size - len(footer_lines) * int(footer_font.size * 1.3) - int(h * 0.03)
    for line in footer_lines:
        ops.append(_Text((margin, y), line, footer_font, MUTED))
        y += int(footer_font.size * 1.3)
    # last, over anything of the text that reaches down to them (stacked marks below a letter)
    rule = h - margin - site_font.size - int(h * 0.015)
    ops.append(_Rule((margin, rule), (w - margin, rule), RULE, 2))
    ops.append(_Text((margin, h - margin - site_font.size + 4), card.site, site_font, INK))
    return ops


def _card(card: Card, size: tuple[int, int], fonts: Path) -> Image.Image:
    """The card in full colour (RGB): a podcast cover, and the drawing a share card is checked against."""
    image = _paper(size).copy()
    draw = ImageDraw.Draw(image)
    for op in _layout(card, size, fonts):
        if isinstance(op, _Rule):
            draw.line((*op.start, *op.end), fill=op.colour, width=op.width)
        else:
            draw.text(op.xy, op.text, font=op.font, fill=op.colour)
    return image


def _share(card: Card, size: tuple[int, int], fonts: Path) -> Image.Image:
    """A share card painted in its palette (:func:`_palette`): each letter's coverage of a pixel is
    the blend of its colour with the paper nearest it, so the card is never drawn in full colour and
    then reduced. Where text lies over other text (marks stacked into the line above or below), each
    pixel shows the text that covers it more (the later one when they cover it alike), where a drawing
    in full colour blends the two."""
    image = _paper_indices(size).copy()
    draw = ImageDraw.Draw(image)
    for op in _layout(card, size, fonts):
        if isinstance(op, _Rule):  # a line is drawn without blends: its colour itself
            draw.line((*op.start, *op.end), fill=_index(op.colour), width=op.width)
        else:
            shades, mask, (left, top) = (_letters if op.shared else _letters.__wrapped__)(op.text, op.font, op.colour)
            if shades is None:
                continue
            where = (op.xy[0] + left, op.xy[1] + top)
            below = image.crop((*where, where[0] + shades.width, where[1] + shades.height))
            if below.getbbox() is not None:  # over other text: each pixel keeps the more covered of the two
                stronger = ImageChops.subtract(below.point(_STEPS), shades.point(_STEPS)).point(_NONE_LEFT)
                mask = ImageChops.multiply(mask, stronger)
            image.paste(shades, where, mask)
    image.putpalette(_palette())  # the indices, read as the palette's colours: a "P" image
    return image


@functools.lru_cache(maxsize=64)  # for shared text: each is a few tens of KB
def _letters(text: str, font: ImageFont.FreeTypeFont, colour: tuple[int, int, int]):
    """``text`` at ``font`` as palette indices in ``colour`` and the mask of the pixels it covers, and
    where they go from the point the text is placed at; (None, None, (0, 0)) for no pixels at all."""
    left, top, right, bottom = font.getbbox(text, mode="L")
    if right <= left or bottom <= top:
        return None, None, (0, 0)
    cover = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(cover).text((-left, -top), text, font=font, fill=255)
    shades, covered = _shades(colour)
    return cover.point(shades), cover.point(covered), (left, top)


@functools.lru_cache(maxsize=4)
def _paper(size: tuple[int, int]) -> Image.Image:
    """The paper and the accent bar every card of ``size`` begins with, drawn once per process and
    copied for each card (no text reaches the bar: it lies within the margin)."""
    image = Image.new("RGB", size, PAPER)
    ImageDraw.Draw(image).rectangle(_bar(size), fill=ACCENT)
    return image


def _bar(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The accent bar down the left edge of a card of ``size``."""
    return (0, 0, int(size[0] * 0.02), size[1])


@functools.lru_cache(maxsize=4)
def _paper_indices(size: tuple[int, int]) -> Image.Image:
    """:func:`_paper` in palette indices: the paper (0) and the accent bar (the accent itself)."""
    image = Image.new("L", size, 0)
    ImageDraw.Draw(image).rectangle(_bar(size), fill=_index(ACCENT))
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

"""Text as coverage: Pillow's built-in font, with the few glyphs it lacks made up.

The built-in font (Aileron) keeps renders the same on every machine, but it has
no "×", which every size label and running sum uses. A "×" takes the place and
the weight of the font's own "+", drawn as two antialiased strokes; the other
missing signs are written with ones the font has.
"""

from __future__ import annotations

import os
import re
from math import ceil
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import coverage
from .coverage import Patch, clip

_SUBSTITUTES = str.maketrans({"−": "-", "–": "-", "∞": "inf", "→": "->", "←": "<-"})


def text(at, label: str, size: float, anchor: str, bold: bool, width: int, height: int) -> Patch | None:
    """The coverage of `label` anchored at `at` (Pillow's two-letter anchors)."""
    mask, (ox, oy) = text_mask(label.translate(_SUBSTITUTES), round(size * 2) / 2, anchor, bool(bold))
    x0, y0 = int(round(at[0])) + ox, int(round(at[1])) + oy
    h, w = mask.shape
    return clip(Patch((x0, y0, x0 + w, y0 + h), mask), width, height)


# where Debian's CJK fonts live (fonts-wqy-microhei, fonts-noto-cjk, fonts-wqy-zenhei);
# CONVPLAY_CJK_FONT names another file, or none at all when empty
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """A font with Chinese glyphs found on this machine, or None."""
    chosen = os.environ.get("CONVPLAY_CJK_FONT")
    candidates = (chosen,) if chosen is not None else CJK_FONTS
    return next((p for p in candidates if p and os.path.isfile(p)), None)


def is_cjk(label: str) -> bool:
    """Whether a label needs the CJK font (the built-in one has no CJK glyphs)."""
    return not label.isascii() and any(ord(ch) >= 0x2E80 for ch in label)


@lru_cache(maxsize=1)
def baselines() -> dict[str, float]:
    """How far below a text's anchor its baseline lies, in ems, for the vertical
    anchors that do not depend on the text's ink (a: ascender, m: middle, s:
    baseline, d: descender), from the font's own metrics as Pillow reads them:
    the SVG drawers place text with these, where the raster puts it."""
    ascent, descent = font(1000).getmetrics()
    return {"a": ascent / 1000, "m": (ascent - descent) / 2000, "s": 0.0, "d": -descent / 1000}


@lru_cache(maxsize=32)
def font(size: float, cjk: bool = False) -> ImageFont.FreeTypeFont:
    if cjk and cjk_font_path():
        return ImageFont.truetype(cjk_font_path(), size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4096)
def text_mask(label: str, size: float, anchor: str, bold: bool = False) -> tuple[np.ndarray, tuple[int, int]]:
    """Glyph coverage of `label` and the offset of its top-left from the anchor point.

    Laid out as if each "×" were a "+", so widths and anchors are the font's.
    Bold is the regular face drawn twice, the second time a fraction of a pixel
    to the right: Pillow's stroke option smudges small text, and the built-in
    font has no bold face. That second pass eats into the gaps between words, so
    bold spaces are drawn wider by as much and a pixel ("conv2d k=3" would read
    "conv2dk=3").
    """
    f = font(size, is_cjk(label))
    shift = max(0.5, size / 24) if bold else 0.0
    laid = label.replace("×", "+")
    wide = int(np.ceil(shift)) + 1 if bold else 0      # extra px per space
    extra = wide * label.count(" ")
    length = f.getlength(laid) + extra
    left, top, right, bottom = f.getbbox(laid, anchor=anchor)
    left, right = left - extra, right + extra + int(np.ceil(shift))
    im = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    draw = ImageDraw.Draw(im)
    # pieces are placed from the pen's start on the baseline (a "t" or "m" anchor
    # would depend on each piece's own ink): the anchor point moved back by the
    # part of the line before it, and down to the baseline
    # on whole pixels, as Pillow places an anchored line: a pen half a pixel to the
    # right smears each stroke over two columns and loses the last one outside the box
    pen = -left - {"l": 0, "m": ceil(length / 2), "r": ceil(length)}.get(anchor[0], 0)
    baseline = -f.getbbox(laid, anchor=anchor[0] + "s")[1]
    crosses = []
    for piece in re.split("(×| )" if wide else "(×)", label):
        if piece == "×":   # centred where the "+" would have its ink
            ix, iy = _ink_centre(size, bold)
            crosses.append((pen + ix, baseline + iy))
        elif piece == " ":
            pen += wide
        elif piece:
            for dx in (0.0, shift) if bold else (0.0,):
                draw.text((pen + dx, baseline), piece, fill=255, font=f, anchor="ls")
        pen += f.getlength("+" if piece == "×" else piece)
    mask = np.asarray(im, dtype=np.float32) / 255.0
    if crosses:
        mask = mask.copy()
        glyph = _cross(size, bold)
        gh, gw = glyph.shape
        for cx, cy in crosses:
            x0, y0 = int(round(cx - gw / 2)), int(round(cy - gh / 2))
            sx0, sy0 = max(0, -x0), max(0, -y0)
            x1, y1 = min(mask.shape[1], x0 + gw), min(mask.shape[0], y0 + gh)
            if x1 > x0 + sx0 and y1 > y0 + sy0:
                region = mask[y0 + sy0:y1, x0 + sx0:x1]
                np.maximum(region, glyph[sy0:sy0 + region.shape[0], sx0:sx0 + region.shape[1]], out=region)
    return mask, (left, top)


@lru_cache(maxsize=32)
def _ink_centre(size: float, bold: bool) -> tuple[float, float]:
    """Where the middle of the "+" glyph's ink lies, from its pen position on the baseline."""
    plus, (left, top) = text_mask("+", size, "ls", bold)
    rows, cols = np.nonzero(_inked(plus))
    return left + (cols.min() + cols.max() + 1) / 2, top + (rows.min() + rows.max() + 1) / 2


@lru_cache(maxsize=32)
def _cross(size: float, bold: bool) -> np.ndarray:
    """A "×" as two antialiased strokes, as heavy as the font's "+" and spanning
    three quarters of its width."""
    plus, _ = text_mask("+", size, "mm", bold)
    arm = float(_inked(plus).any(axis=0).sum())        # the "+" is `arm` wide and tall
    weight = float(plus.sum()) / (2 * arm)              # its area is about 2 x arm x weight
    half = 0.375 * arm
    side = int(np.ceil(2 * half + weight + 2)) | 1      # odd, so the glyph has a centre pixel
    c = side / 2
    strokes = [[[c - half, c - half], [c + half, c + half]], [[c - half, c + half], [c + half, c - half]]]
    patch = coverage.strokes([strokes], weight, None, side, side)[0]
    glyph = np.zeros(side * side, np.float32)
    if patch is not None:   # None: text too small to draw one
        glyph[patch.flat] = patch.cov
    return glyph.reshape(side, side)


def _inked(mask: np.ndarray) -> np.ndarray:
    """The glyph's pixels: at least half as dark as its darkest (tiny text is faint
    all over); the whole box if nothing was drawn."""
    peak = float(mask.max())
    return mask >= peak / 2 if peak > 0 else np.ones(mask.shape, bool)

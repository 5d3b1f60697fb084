"""Text: the numbers in the cells are exactly the font's own glyphs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from app.render.text import text_mask

# the sizes numbers are drawn at: values (12 px) and weights (8 px) at scales 0.25 to 4
SIZES = sorted({round(base * s * 2) / 2 for base in (12.0, 8.0) for s in (0.25, 0.5, 0.75, 1, 1.5, 2, 4)})


def pillow(label: str, size: float, anchor: str) -> np.ndarray:
    """Pillow's own drawing of `label` anchored at the middle of a 1000 x 120 picture."""
    im = Image.new("L", (1000, 120), 0)
    ImageDraw.Draw(im).text((500, 60), label, font=ImageFont.load_default(size=size), fill=255, anchor=anchor)
    return np.asarray(im, np.float32) / 255


def ours(label: str, size: float, anchor: str) -> np.ndarray:
    mask, (left, top) = text_mask(label, size, anchor)
    out = np.zeros((120, 1000), np.float32)
    h, w = mask.shape
    out[60 + top:60 + top + h, 500 + left:500 + left + w] = mask
    return out


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("anchor", ["mm", "rs", "lt", "mt"])
def test_every_digit_has_all_its_ink_where_pillow_puts_it(size, anchor):
    """A "0" centred in its cell used to lose its right-hand stroke (it read as "C")."""
    for label in [*"0123456789", "-12.5", "5062.25", "conv2d k=3 s=1 p=1"]:
        a, b = ours(label, size, anchor), pillow(label, size, anchor)
        assert np.array_equal(a, b), (label, size, anchor, float(b.sum() - a.sum()))


def _blank_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, width) of each run of blank columns between inked ones."""
    inked = np.flatnonzero(mask.max(axis=0) >= 0.25)
    gaps = np.diff(inked) - 1
    return [(int(a) + 1, int(g)) for a, g in zip(inked[:-1], gaps) if g > 0]


@pytest.mark.parametrize("size", [7.0, 14.0, 28.0])
def test_bold_keeps_its_word_spaces(size):
    """The bold title read "conv2dk=3 s=1p=1": every gap between words is at least as
    wide in bold as in the regular weight, and wider than any gap inside a word."""
    label = "conv2d k=3 s=1 p=1 groups=2"
    font = ImageFont.load_default(size=size)
    regular, (left, _) = text_mask(label, size, "ls")
    middles = [font.getlength(label[:i]) + font.getlength(" ") / 2 - left for i, ch in enumerate(label) if ch == " "]
    regular_gaps = [next(w for a, w in _blank_runs(regular) if a <= m < a + w) for m in middles]
    bold, _ = text_mask(label, size, "ls", True)
    widest = sorted(sorted(_blank_runs(bold), key=lambda run: -run[1])[:len(middles)])   # the word gaps, in order
    bold_gaps = [w for _, w in widest]
    assert all(b >= r for b, r in zip(bold_gaps, regular_gaps)), (bold_gaps, regular_gaps)
    inside = max(w for word in label.split() for _, w in _blank_runs(text_mask(word, size, "ls", True)[0]) or [(0, 0)])
    assert min(bold_gaps) > inside, (bold_gaps, inside)


def test_the_font_served_to_browsers_is_the_rasterisers():
    """static/fonts/aileron-regular.ttf (the page's @font-face) and the font svg.py
    embeds are the bytes of the font the rasteriser draws with."""
    from pathlib import Path

    from PIL import ImageFont

    from app.render import svg

    served = (Path(__file__).resolve().parents[2] / "static" / "fonts" / "aileron-regular.ttf").read_bytes()
    assert served == ImageFont.load_default(12).font_bytes
    import base64
    assert base64.b64encode(served).decode() in svg.font_face()

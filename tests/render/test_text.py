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

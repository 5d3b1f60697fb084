"""Shading by value, checked on decoded pixels against a diverging scale worked by hand.

The scale (app/render/shading.py): per map, bound = max |value|; a value v is the zero
colour #f7f7f7 moved |v|/bound of the way, channel by channel, toward #b2182b (v > 0)
or #2166ac (v < 0). The expected colours below are that arithmetic written out, and the
values come from torch, not from the code under test.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from app.engine import trace
from app.render import build_options, build_scene, render

ZERO, POSITIVE, NEGATIVE = (247, 247, 247), (178, 24, 43), (33, 102, 172)


def by_hand(v: float, bound: float) -> tuple[float, ...]:
    end = POSITIVE if v >= 0 else NEGATIVE
    t = abs(v) / bound
    return tuple(z + (e - z) * t for z, e in zip(ZERO, end))


def centre_colour(rgb: np.ndarray, poly) -> np.ndarray:
    """The median colour of a 5x5 patch at the cell's centre (a connector line crossing it does not move a median)."""
    x, y = (round(sum(p[i] for p in poly) / len(poly)) for i in (0, 1))
    return np.median(rgb[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3), axis=0)


def decoded(data: bytes, frame: int = 0) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    im.seek(frame)
    return np.asarray(im.convert("RGB")).astype(float)


# conv_transpose2d, kernel 3, stride 2, input and weight all ones: the checkerboard
CHECKERBOARD = {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 2,
                "input": [[1.0] * 3] * 3, "weight": [[1.0] * 3] * 3}


@pytest.mark.parametrize("fmt", ["png", "gif"])
def test_the_checkerboard_of_a_transposed_conv_is_seen_in_the_cell_colours(fmt):
    out = torch.nn.functional.conv_transpose2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3), stride=2)[0, 0].numpy()
    assert sorted(set(out.ravel())) == [1, 2, 4]      # corners of the kernel stamps overlap: 1, 2 or 4 stamps
    scene = build_scene(trace(CHECKERBOARD), build_options({"shading": True}))
    rgb = decoded(render(CHECKERBOARD, fmt, shading=True))
    # hand-worked: bound 4; 1 -> (230, 191, 196), 2 -> (212.5, 135.5, 145), 4 -> (178, 24, 43)
    assert by_hand(1, 4) == (229.75, 191.25, 196.0) and by_hand(2, 4) == (212.5, 135.5, 145.0)
    seen = {}
    for (r, q), v in np.ndenumerate(out):
        if (r, q) == (0, 0):
            continue   # the current output cell of frame 0 carries the kernel's tint
        got = centre_colour(rgb, scene["polys"][f"out:0:{r}:{q}"])
        assert np.abs(got - by_hand(v, 4)).max() <= 1.5, ((r, q), v, got)
        seen[v] = tuple(got)
    assert len(set(seen.values())) == 3               # three values, three colours: the pattern is a picture


def test_negative_values_shade_blue_and_each_map_has_its_own_bound():
    spec = {"op": "conv2d", "input_size": 4, "kernel_size": 3, "padding": 1,
            "input": [[0, 0, 1, 1]] * 4, "weight": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]}
    x = torch.tensor(spec["input"], dtype=torch.float64)[None, None]
    w = torch.tensor(spec["weight"], dtype=torch.float64)[None, None]
    out = torch.nn.functional.conv2d(x, w, padding=1)[0, 0].numpy()
    assert out.min() < 0 < out.max()
    bound = np.abs(out).max()
    scene = build_scene(trace(spec), build_options({"shading": True, "layout": "flat"}))
    rgb = decoded(render(spec, "png", shading=True, layout="flat", frame=15))
    for (r, q), v in np.ndenumerate(out):
        if (r, q) == (3, 3):
            continue   # frame 15's own cell
        got = centre_colour(rgb, scene["polys"][f"out:0:{r}:{q}"])
        assert np.abs(got - by_hand(v, bound)).max() <= 1.5, ((r, q), v, got)
    # the input map has its own bound (1): a 1 there is the full red end
    for r, q in [(1, 3), (1, 4), (2, 3), (2, 4)]:   # canvas cells holding input 1s, away from frame 15's kernel (rows 3-5)
        assert spec["input"][r - 1][q - 1] == 1
        assert np.abs(centre_colour(rgb, scene["polys"][f"in:0:{r}:{q}"]) - POSITIVE).max() <= 1.5


def test_shading_adds_a_legend_and_is_off_by_default():
    plain = build_scene(trace(CHECKERBOARD), build_options({}))
    shaded = build_scene(trace(CHECKERBOARD), build_options({"shading": True}))
    texts = lambda s: [i["text"] for i in s["base"] if "text" in i]  # noqa: E731
    assert "output values" not in texts(plain) and {"output values", "input values", "-4", "4", "-1", "1"} <= set(texts(shaded))
    assert build_options({}).canonical() == build_options({"shading": False}).canonical()

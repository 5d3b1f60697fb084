"""Measured next to the reference: the same measurement on the reference's frames
(tests/data/reference, see its README) and on ours."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from app.render import render

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


def load(name: str) -> np.ndarray:
    return np.asarray(Image.open(REF / name).convert("RGB")).astype(int)


def png(spec: dict, **options) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(render(spec, "png", **options))).convert("RGB")).astype(int)


def flat_figure(img: np.ndarray) -> dict:
    """The paper's numerical figure, measured: the input grid's cell, the gap to the
    output grid (in input cells), and the "0" in the input's top-right cell (its
    height over the cell and its darkest pixel)."""
    dark = img.sum(axis=2) < 200
    teal = np.abs(img - np.array([42, 161, 152])).sum(axis=2) < 20
    out_rows = np.flatnonzero(teal.sum(axis=1) >= 5)
    above = dark[:out_rows.min() - 3]                 # rows with the input grid only
    rows = np.flatnonzero(above.any(axis=1))
    cols = np.flatnonzero(above[rows.min():].any(axis=0))
    left, right = cols.min(), cols[cols < np.flatnonzero(teal.sum(axis=0) >= 5).min() - 3].max()
    cell = (right - left) / 7
    out_left = np.flatnonzero(dark[out_rows.min():out_rows.max(), right + 3:].any(axis=0)).min() + right + 3
    top = rows.min()
    # the top-right cell, inside its border
    box = img[int(top + 0.2 * cell):int(top + 0.8 * cell) + 1, int(right - 0.8 * cell):int(right - 0.2 * cell) + 1]
    ink = box.sum(axis=2) < 500
    ys = np.flatnonzero(ink.any(axis=1))
    return {"cell": cell, "gap": (out_left - right) / cell, "digit": (ys.max() - ys.min() + 1) / cell, "darkest": int(box.sum(axis=2).min() / 3)}


def test_flat_layout_matches_the_papers_numerical_figure():
    """The output sat 2.6 cells from the input (the paper: about 1) and the digits were
    small and pale grey (the paper's are black, about 0.37 of a cell tall)."""
    paper = flat_figure(load("pdf_numerical_padding_strides_00.png"))
    ours = flat_figure(png({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}, numbers=True, layout="flat", labels=False, frame=8))
    assert abs(ours["cell"] - paper["cell"]) < 1
    assert abs(ours["gap"] - paper["gap"]) < 0.15, (ours, paper)
    assert ours["digit"] >= 0.9 * paper["digit"], (ours, paper)
    assert ours["darkest"] < 80, (ours, paper)


# -- the slanted look: line weights, dashes, connectors, where the output sits ------------

WHITE = np.array([255, 255, 255], float)
NAVY = np.array([0x00, 0x2B, 0x36], float)
TEAL = np.array([0x2A, 0xA1, 0x98], float)

FRAMES = [   # reference frame -> the same animation and frame, drawn by us without labels
    ("same_padding_no_strides_f12.png", {"input_size": 5, "padding": 1}, 12),
    ("no_padding_strides_f03.png", {"input_size": 5, "stride": 2}, 3),
    ("dilation_f04.png", {"input_size": 7, "dilation": 2}, 4),
    ("padding_strides_transposed_f06.png", {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1}, 6),
    ("padding_strides_odd_transposed_f07.png", {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "output_padding": 1}, 7),
]


def output_map(img: np.ndarray) -> tuple[int, int, int]:
    """Leftmost column, top and bottom rows of the output map's teal."""
    teal = np.abs(img - TEAL).sum(axis=2) < 20
    rows, cols = np.flatnonzero(teal.sum(axis=1) >= 3), np.flatnonzero(teal.sum(axis=0) >= 3)
    return int(cols.min()), int(rows.min()), int(rows.max())


def outline_extent(img: np.ndarray) -> float:
    """How many pixels of outline a row crosses at the output map's left edge (white
    on one side, teal on the other: each pixel unmixed into outline and teal)."""
    left, top, bottom = output_map(img)
    teal = np.abs(img - TEAL).sum(axis=2) < 20
    mix = np.stack([NAVY - WHITE, TEAL - WHITE], axis=1)
    out = []
    for y in range(top + (bottom - top) // 4, top + 2 * (bottom - top) // 5):
        x0 = np.flatnonzero(teal[y]).min()
        cover, *_ = np.linalg.lstsq(mix, (img[y, x0 - 8:x0 + 1] - WHITE).T, rcond=None)
        out.append(np.clip(cover[0], 0, 1).sum())
    return float(np.median(out))


def dash_pattern(img: np.ndarray, start, end) -> tuple[float, float, float]:
    """Median dash, gap (px along the line) and ink across a dash, on a dashed border
    with white on both sides, sampled every 1/4 px."""
    p0, p1 = np.asarray(start, float), np.asarray(end, float)
    length = np.linalg.norm(p1 - p0)
    d = (p1 - p0) / length
    n = np.array([-d[1], d[0]])
    dark = (255 - img.mean(axis=2)) / 255
    ts = np.arange(3, length - 3, 0.25)
    prof = np.array([sum(dark[int(round(y)), int(round(x))] for x, y in (p0 + d * t + n * k for k in np.arange(-3, 3.01, 0.25))) * 0.25 for t in ts])
    on = prof > 0.5 * np.median(prof[prof > 0.3])
    edges = np.flatnonzero(np.diff(on.astype(int))) + 1
    runs = np.split(on, edges)[1:-1]          # whole runs only
    dashes = [len(r) * 0.25 for r in runs if r[0]]
    gaps = [len(r) * 0.25 for r in runs if not r[0]]
    return float(np.median(dashes)), float(np.median(gaps)), float(np.median(prof[on]))


def connector_ink(img: np.ndarray, spec: dict, frame: int) -> tuple[float, float]:
    """Where our frame without its connectors (and with its dashed lines solid) is
    white, two pixels away from anything else, only connectors are drawn (the
    reference's maps lie where ours do):
    the greatest difference between a connector pixel's channels, and all their ink."""
    from app.engine import trace
    from app.render import build_options, build_scene
    from app.render.raster import draw_frame

    scene = build_scene(trace(spec), build_options({"labels": False}))
    scene["frames"][frame]["items"] = [i for i in scene["frames"][frame]["items"] if i["style"] != "connector"]
    scene["styles"] = {k: {**st, "dash": None} for k, st in scene["styles"].items()}   # dashes fall anywhere: none
    white = (draw_frame(scene, frame) == 255).all(axis=2)
    h, w = min(white.shape[0], img.shape[0]), min(white.shape[1], img.shape[1])   # canvases within a pixel
    white, img = white[:h, :w].copy(), img[:h, :w]
    for _ in range(2):   # two pixels away from anything else
        white[1:-1, 1:-1] &= white[:-2, 1:-1] & white[2:, 1:-1] & white[1:-1, :-2] & white[1:-1, 2:]
    dark = (255 - img.mean(axis=2)) * white
    inked = dark > 40
    spread = float((img.max(axis=2) - img.min(axis=2))[inked].max())
    return spread, float(dark.sum() / 255)


def ours(spec: dict, frame: int) -> np.ndarray:
    return png(spec, labels=False, frame=frame)


def test_output_map_sits_where_the_references_does():
    """It sat 5-6 px right of the reference's in every reference animation."""
    for name, spec, frame in FRAMES:
        ref, mine = output_map(load(name)), output_map(ours(spec, frame))
        assert abs(mine[0] - ref[0]) <= 1 and abs(mine[2] - ref[2]) <= 1, (name, mine, ref)


def test_solid_lines_are_as_heavy_as_the_references():
    """1.40 px against the reference's about 1.75."""
    for name, spec, frame in FRAMES:
        ref, mine = outline_extent(load(name)), outline_extent(ours(spec, frame))
        assert abs(mine - ref) <= 0.08 * ref, (name, mine, ref)


def test_padding_dashes_are_the_references():
    """The reference: one even pattern along each border, about 6 px on, 6 off, as heavy
    as its solid lines; we had four short dashes per cell edge, thinner."""
    from app.engine import trace
    from app.render import build_options, build_scene

    spec = {"input_size": 5, "padding": 1}
    polys = build_scene(trace(spec), build_options({"labels": False}))["polys"]
    ref, mine = load("same_padding_no_strides_f12.png"), ours(spec, 12)
    for start, end in [(polys["in:0:6:0"][3], polys["in:0:0:0"][0]), (polys["in:0:0:0"][0], polys["in:0:0:6"][1])]:
        (rd, rg, rw), (md, mg, mw) = dash_pattern(ref, start, end), dash_pattern(mine, start, end)
        assert abs(md - rd) <= 0.75 and abs(mg - rg) <= 0.75, ((md, mg), (rd, rg))
        assert abs(mw - rw) <= 0.1 * rw, (mw, rw)


def test_connectors_are_neutral_and_thin_like_the_references():
    for name, spec, frame in FRAMES[:3]:
        (rs, ri), (ms, mi) = connector_ink(load(name), spec, frame), connector_ink(ours(spec, frame), spec, frame)
        assert rs <= 8 and ms <= 8, (name, ms, rs)          # grey, not navy
        assert abs(mi - ri) <= 0.2 * ri, (name, mi, ri)

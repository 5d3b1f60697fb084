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

"""The network scene's runs of equal values along rows, found for every row at once: a hand-worked
grid, and row by row as scene.runs_of (the single-layer scene's one-row loop) finds them."""

from __future__ import annotations

import numpy as np

from app.render.network_scene import _row_runs
from app.render.scene import runs_of


def test_hand_worked_grid():
    kinds = np.array([["p", "p", "i"], ["i", "i", "i"], ["x", "p", "x"]])
    assert _row_runs(kinds) == [(0, 0, 2, "p"), (0, 2, 3, "i"), (1, 0, 3, "i"), (2, 0, 1, "x"), (2, 1, 2, "p"), (2, 2, 3, "x")]


def test_as_the_one_row_loop_finds_them():
    rng = np.random.default_rng(7)
    for _ in range(200):
        a = rng.integers(0, 3, size=tuple(rng.integers(1, 9, size=2)))
        expected = [(r, *run) for r, row in enumerate(a.tolist()) for run in runs_of(row)]
        assert _row_runs(a) == expected

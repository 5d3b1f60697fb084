"""Build the drawn grid: the padded input, or the zero-inserted one for transposed.

Both are separable: each axis maps a canvas position to an input position (or to
none), and a cell is the product of its row and its column.
"""

from __future__ import annotations

import numpy as np

from .trace import Canvas


def padded_axis(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Input position shown at each of the n+lo+hi padded positions, -1 for zeros."""
    pos = np.arange(-lo, n + hi)
    if mode == "zeros":
        return np.where((pos >= 0) & (pos < n), pos, -1)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        return pos % n
    if n == 1:  # reflect of one cell is that cell
        return np.zeros_like(pos)
    period = 2 * (n - 1)
    pos = np.abs(pos) % period
    return np.where(pos < n, pos, period - pos)


def padded(inp: np.ndarray, sides, mode: str, extra: tuple[int, int] = (0, 0), fill: float = 0.0) -> Canvas:
    """The input with padding; `extra` rows/cols beyond it (ceil_mode windows) are 'x'."""
    c, h, w = inp.shape
    ys = padded_axis(h, sides.top, sides.bottom, mode)
    xs = padded_axis(w, sides.left, sides.right, mode)
    inside_y = np.arange(-sides.top, h + sides.bottom)
    inside_x = np.arange(-sides.left, w + sides.right)
    inside_y = (inside_y >= 0) & (inside_y < h)
    inside_x = (inside_x >= 0) & (inside_x < w)
    ys = np.concatenate([ys, np.full(extra[0], -2)])
    xs = np.concatenate([xs, np.full(extra[1], -2)])
    inside_y = np.concatenate([inside_y, np.zeros(extra[0], bool)])
    inside_x = np.concatenate([inside_x, np.zeros(extra[1], bool)])
    beyond = (ys[:, None] == -2) | (xs[None, :] == -2)
    kinds = np.where(inside_y[:, None] & inside_x[None, :], "i", "p")
    kinds[beyond] = "x"
    return _finish("input", kinds, ys, xs, w, inp, fill)


def zero_inserted(inp: np.ndarray, stride, lo, output_padding) -> Canvas:
    """s-1 zeros between input cells, `lo` per side (cropped where negative), op bottom/right."""
    c, h, w = inp.shape
    maps, kinds_axes = [], []
    for n, s, pad, op in zip((h, w), stride, lo, output_padding):
        z = (n - 1) * s + 1
        pos = np.arange(z + 2 * pad + op) - pad
        inside = (pos >= 0) & (pos < z)
        on_input = inside & (pos % s == 0)
        maps.append(np.where(on_input, pos // s, -1))
        kinds_axes.append(np.where(on_input, 2, np.where(inside, 1, 0)))
    ky, kx = kinds_axes
    rank = np.minimum(ky[:, None], kx[None, :])
    kinds = np.array(["p", "z", "i"])[rank]
    return _finish("input", kinds, maps[0], maps[1], w, inp, 0.0)


def _finish(role, kinds, ys, xs, width, tensor, fill) -> Canvas:
    ok = (ys[:, None] >= 0) & (xs[None, :] >= 0)
    source = np.where(ok, np.maximum(ys, 0)[:, None] * width + np.maximum(xs, 0)[None, :], -1)
    planes = tensor.reshape(tensor.shape[0], -1)
    values = np.where(ok[None], planes[:, np.maximum(source, 0)], fill)
    values[:, kinds == "x"] = np.nan
    return Canvas(role=role, kinds=kinds, source=source, values=values)

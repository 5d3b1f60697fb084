"""How much of each pixel a shape covers (0..1), computed analytically, many shapes at once.

Convex polygons: every edge contributes a ramp in the signed distance of the
pixel centre, as wide as the pixel's shadow on the edge's normal, and the ramps
multiply (close to the true area where one edge crosses a pixel, good at
corners, far cheaper than supersampling). Strokes: each segment is walked along
its major axis, a few pixels across per step, so a long diagonal costs its
length, not its bounding box. An animation asks for a few dozen shapes per
frame; they are computed in batches, one NumPy pass per batch, because at these
sizes the cost of a NumPy call, not of the pixels, is what adds up.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

BATCH = 1 << 21     # about the most pixels (or stroke candidates) one batched pass may hold

class Patch(NamedTuple):
    """Where a shape lands and how much of each pixel it covers.

    Dense: `cov` is [y1-y0][x1-x0] over `box` (fills, text). Sparse: `flat`
    lists pixel indices into the whole picture and `cov` their coverage
    (strokes, whose bounding box is mostly empty); `box` bounds them.
    """

    box: tuple[int, int, int, int]
    cov: np.ndarray
    flat: np.ndarray | None = None


# -- polygons -----------------------------------------------------------------

def polygons(shapes: list, width: int, height: int, hatch: dict | None = None) -> list[Patch | None]:
    """The coverage of each polygon (a list of [x, y]) on a width x height canvas;
    None where one misses it. Convex ones go in batches of equal vertex count."""
    out: list[Patch | None] = [None] * len(shapes)
    groups = defaultdict(list)
    for i, points in enumerate(shapes):
        if _convex(points):
            groups[len(points)].append(i)
        else:
            out[i] = clip(_supersampled(points, _box(points)), width, height)
    for members in groups.values():
        pts = np.array([shapes[i] for i in members], np.float64)
        for chunk in _chunks(pts):
            for k, patch in zip(chunk, _convex_batch(pts[chunk])):
                out[members[k]] = clip(patch, width, height)
    if hatch:
        out = [p and Patch(p.box, p.cov * hatch_mask(p.box, hatch["spacing"], hatch["width"])) for p in out]
    return out


def _box(points) -> tuple[int, int, int, int]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return int(np.floor(min(xs))) - 1, int(np.floor(min(ys))) - 1, int(np.ceil(max(xs))) + 1, int(np.ceil(max(ys))) + 1


def _chunks(pts: np.ndarray):
    """Positions of the polygons in runs of similar box size (each box is padded to
    the run's largest), small boxes first, each run under BATCH pixels."""
    spans = np.ceil(pts.max(axis=1)) - np.floor(pts.min(axis=1)) + 2
    area = spans[:, 0] * spans[:, 1]
    chunk: list[int] = []
    for k in np.argsort(area, kind="stable").tolist():
        if chunk and ((len(chunk) + 1) * area[k] > BATCH or area[k] > 1.25 * area[chunk[0]]):
            yield chunk
            chunk = []
        chunk.append(k)
    if chunk:
        yield chunk


def _convex_batch(pts: np.ndarray) -> list[Patch]:
    """Coverage of m convex polygons of n vertices ([m][n][2]), each over its own box."""
    m = len(pts)
    x0 = np.floor(pts[..., 0].min(axis=1)).astype(np.int64) - 1
    y0 = np.floor(pts[..., 1].min(axis=1)).astype(np.int64) - 1
    x1 = np.ceil(pts[..., 0].max(axis=1)).astype(np.int64) + 1
    y1 = np.ceil(pts[..., 1].max(axis=1)).astype(np.int64) + 1
    w, h = int((x1 - x0).max()), int((y1 - y0).max())
    ax, ay = pts[..., 0], pts[..., 1]
    ex, ey = np.roll(ax, -1, axis=1) - ax, np.roll(ay, -1, axis=1) - ay
    length = np.hypot(ex, ey)
    turn = (ax * np.roll(ay, -1, axis=1) - np.roll(ax, -1, axis=1) * ay).sum(axis=1)
    sign = np.where(turn >= 0, 1.0, -1.0)[:, None]
    solid = length == 0                       # repeated vertex: no edge, no ramp
    safe = np.where(solid, 1.0, length)
    nx, ny = -ey * sign / safe, ex * sign / safe   # inward normal (y down)
    spread = np.where(solid, 1.0, np.abs(nx) + np.abs(ny))
    nx, ny = nx / spread, ny / spread
    offset = np.where(solid, 1e9, 0.5 - ax * nx - ay * ny)
    px = (x0[:, None] + np.arange(w)[None, :] + 0.5)            # [m][w]
    py = (y0[:, None] + np.arange(h)[None, :] + 0.5)            # [m][h]
    cov, ramp = np.ones((m, h, w), np.float32), np.empty((m, h, w), np.float32)
    for e in range(pts.shape[1]):
        across = (px * nx[:, e, None]).astype(np.float32)[:, None, :]
        down = (py * ny[:, e, None] + offset[:, e, None]).astype(np.float32)[:, :, None]
        np.add(across, down, out=ramp)
        cov *= np.clip(ramp, 0, 1, out=ramp)
    return [Patch((int(x0[k]), int(y0[k]), int(x1[k]), int(y1[k])), cov[k, :y1[k] - y0[k], :x1[k] - x0[k]]) for k in range(m)]


def clip(patch: Patch, width: int, height: int) -> Patch | None:
    """The part of a dense patch that lies on the canvas."""
    x0, y0, x1, y1 = patch.box
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx0 >= cx1 or cy0 >= cy1:
        return None
    return Patch((cx0, cy0, cx1, cy1), patch.cov[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0])


def _convex(points) -> bool:
    """True when every turn goes the same way (repeated points ignored)."""
    pts = [(float(x), float(y)) for x, y in points]
    pts = [p for i, p in enumerate(pts) if p != pts[i - 1]]
    n = len(pts)
    if n < 3:
        return False
    turns = [(pts[(i + 1) % n][0] - pts[i][0]) * (pts[(i + 2) % n][1] - pts[(i + 1) % n][1])
             - (pts[(i + 1) % n][1] - pts[i][1]) * (pts[(i + 2) % n][0] - pts[(i + 1) % n][0]) for i in range(n)]
    return all(t >= -1e-9 for t in turns) or all(t <= 1e-9 for t in turns)


def _supersampled(points, box, k: int = 4) -> Patch:
    """Coverage from a k x k supersampled fill (even-odd, by Pillow): any polygon."""
    x0, y0, x1, y1 = box
    im = Image.new("L", ((x1 - x0) * k, (y1 - y0) * k), 0)
    ImageDraw.Draw(im).polygon([((x - x0) * k, (y - y0) * k) for x, y in points], fill=255)
    a = np.asarray(im, np.float32).reshape(y1 - y0, k, x1 - x0, k)
    return Patch(box, a.mean(axis=(1, 3)) / 255.0)


def hatch_mask(box, spacing: float, width: float) -> np.ndarray:
    """Diagonal stripes, anchored to the image so neighbouring cells line up."""
    x0, y0, x1, y1 = box
    s = (np.arange(x0, x1)[None, :] + np.arange(y0, y1)[:, None] + 1.0) / np.sqrt(2)
    d = np.abs(np.mod(s, spacing) - spacing / 2)
    return stroke_cover(d, 0.0, width, np.sqrt(2)).astype(np.float32)


# -- strokes ------------------------------------------------------------------

def strokes(groups: list[list], width: float, dash, w: int, h: int) -> list[Patch | None]:
    """One sparse patch per group of segments ([[x, y], [x, y]] each), in a few batched passes.

    Where segments of a group meet or cross, a pixel takes the strongest
    coverage, as one stroke would give it, so joints are not darker than the line.
    """
    out: list[Patch | None] = [None] * len(groups)
    segs = [s for g in groups for s in g]
    if not segs:
        return out
    seg = np.asarray(segs, dtype=np.float64).reshape(-1, 4)
    gid = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    # runs of segments of about BATCH candidates (a few pixels across each step along)
    steps = np.maximum(np.abs(seg[:, 2] - seg[:, 0]), np.abs(seg[:, 3] - seg[:, 1])) + 2 * width + 8
    cost = np.cumsum(steps) * (width + 4)
    cuts = np.searchsorted(cost, np.arange(BATCH, cost[-1], BATCH)).tolist()
    found = [_bands(seg[a:b], gid[a:b], width, dash, w, h) for a, b in zip([0, *cuts], [*cuts, len(seg)]) if a < b]
    flat, cov, gid = (np.concatenate(parts) for parts in zip(*found))
    if flat.size == 0:
        return out
    key = gid * (w * h) + flat
    order = np.argsort(key, kind="stable")
    key, cov = key[order], cov[order]
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    gid, flat = np.divmod(key[first], w * h)
    cov = np.maximum.reduceat(cov, first)
    bounds = np.searchsorted(gid, np.arange(len(groups) + 1))
    ys, xs = np.divmod(flat, w)
    starts = bounds[:-1][bounds[:-1] < bounds[1:]]   # groups with pixels, and their boxes
    boxes = np.stack([np.minimum.reduceat(xs, starts), np.minimum.reduceat(ys, starts),
                      np.maximum.reduceat(xs, starts) + 1, np.maximum.reduceat(ys, starts) + 1], axis=1).tolist()
    for g, box in zip(gid[starts].tolist(), boxes):
        a, b = bounds[g], bounds[g + 1]
        out[g] = Patch(tuple(box), cov[a:b], flat[a:b])
    return out


def snapped(patch: Patch | None, levels: int, width: int) -> Patch | None:
    """A sparse patch with its coverage rounded to multiples of 1/levels, the
    pixels that round to nothing left out: a thin line in a few shades repeats
    the same runs row after row, which the GIF's LZW stores in fewer codes.
    `width` is the canvas's, which the flat indices count in."""
    if patch is None:
        return None
    cov = np.round(patch.cov * levels) / levels
    on = cov > 0
    if not on.any():
        return None
    flat = patch.flat[on]
    ys, xs = np.divmod(flat, width)
    return Patch((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1), cov[on].astype(np.float32), flat)


def _bands(seg: np.ndarray, gid: np.ndarray, width: float, dash, w: int, h: int):
    """Flat pixel indices near each segment (ax, ay, bx, by rows), their coverage and group.

    A segment is walked in (u, v): u along its major axis, v across. Each row is
    one pixel step in u and holds the few pixels in v that the stroke can reach;
    distances along and across the segment then grow linearly along the row, so
    a row costs a handful of multiply-adds.
    """
    moving = (seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])
    seg, gid = seg[moving], gid[moving]
    if dash:  # a shared border dashes the same way whichever cell lists it
        flip = (seg[:, 2] < seg[:, 0]) | ((seg[:, 2] == seg[:, 0]) & (seg[:, 3] < seg[:, 1]))
        seg[flip] = seg[flip][:, [2, 3, 0, 1]]
    if len(seg) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.int64)
    dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    length = np.hypot(dx, dy)
    steep = np.abs(dy) > np.abs(dx)
    u0, v0 = np.where(steep, seg[:, 1], seg[:, 0]), np.where(steep, seg[:, 0], seg[:, 1])
    u1, v1 = np.where(steep, seg[:, 3], seg[:, 2]), np.where(steep, seg[:, 2], seg[:, 3])
    cu, cv = (u1 - u0) / length, (v1 - v0) / length      # the direction, in (u, v)
    lo, hi = np.minimum(u0, u1), np.maximum(u0, u1)
    spread = np.abs(cu) + np.abs(cv)                      # a pixel's shadow across the stroke
    reach = (width / 2 + spread / 2) / np.abs(cu)         # how far across (in v) coverage goes
    ext = int(np.ceil(max(width / 2, 0.5) + 0.5 + reach.max()))   # and beyond the ends (in u)
    starts = np.floor(lo).astype(np.int64) - ext
    counts = np.ceil(hi).astype(np.int64) + ext - starts + 1
    row = np.repeat(np.arange(len(seg)), counts)          # rows -> segment
    u = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + starts[row]
    centre = v0[row] + (np.clip(u + 0.5, lo[row], hi[row]) - u0[row]) * (cv / cu)[row]
    v = np.floor(centre - 0.5 - reach[row]).astype(np.int64)   # the row's first pixel in v
    ru, rv = u + 0.5 - u0[row], v + 0.5 - v0[row]
    # from floor(c - r) to c + r: never more than ceil(2r) + 1 pixels
    k = np.arange(int(np.ceil(2 * reach.max())) + 1, dtype=np.float32)[None, :]
    along = (ru * cu[row] + rv * cv[row]).astype(np.float32)[:, None] + k * cv[row].astype(np.float32)[:, None]
    across = np.abs((ru * cv[row] - rv * cu[row]).astype(np.float32)[:, None] - k * cu[row].astype(np.float32)[:, None])
    n = length[row].astype(np.float32)[:, None]
    beyond = np.maximum(np.abs(along - n / 2) - n / 2, 0)
    cov = stroke_cover(across, beyond, width, spread[row].astype(np.float32)[:, None])
    if dash:
        cov *= dash_mask(along, n, dash)
    ki = np.arange(k.shape[1])[None, :]
    u_limit, v_limit = np.where(steep, h, w)[row], np.where(steep, w, h)[row]
    on = cov > 0
    if not ((u >= 0) & (u < u_limit) & (v >= 0) & (v + k.shape[1] <= v_limit)).all():   # off the canvas
        vk = v[:, None] + ki
        on &= (vk >= 0) & (vk < v_limit[:, None]) & ((u >= 0) & (u < u_limit))[:, None]
    hit = np.flatnonzero(on)
    r = hit // on.shape[1]
    c = hit - r * on.shape[1]
    tall = steep[row]
    first, step = np.where(tall, u * w + v, v * w + u), np.where(tall, 1, w)
    return first[r] + c * step[r], cov.reshape(-1)[hit], gid[row][r]


def stroke_cover(across, beyond, width: float, spread):
    """Coverage of a pixel by a stroke, from its distance across the stroke's axis
    and past its ends.

    Across, the pixel is taken as a box as wide as its shadow on the stroke's
    normal (`spread` = |cos| + |sin| of the direction: 1 along the axes, 1.41
    on diagonals) and the share of it inside the stroke is the coverage; this
    keeps thin diagonal lines as dark as they are wide, without beading. Past
    the ends the stroke fades out over a pixel, half its width beyond.
    """
    half = width / 2
    inside = np.minimum(across + spread / 2, half)
    inside -= np.maximum(across - spread / 2, -half)
    inside /= spread
    np.clip(inside, 0, 1, out=inside)
    ends = max(half, 0.5) + 0.5 - beyond
    inside *= np.clip(ends, 0, 1, out=ends if isinstance(ends, np.ndarray) else None)
    return inside


def dash_mask(along, length, dash):
    """1 on the dashes, 0 in the gaps, antialiased. The pattern is stretched a
    little so that whole dashes fit: every segment starts and ends with a dash,
    and grid corners always look the same."""
    on, off = dash
    dashes = np.maximum(1, np.round((length + off) / (on + off)))
    scale = length / (dashes * on + (dashes - 1) * off)    # n dashes and n - 1 gaps fill it
    period, on_len = (on + off) * scale, on * scale
    phase = np.mod(np.clip(along, 0, length), period)
    return np.clip(np.minimum(phase + 0.5, on_len + 0.5 - phase), 0, 1)

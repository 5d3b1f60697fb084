"""Where every grid sits on the page: the projection and the placement of slices.

Grid points are (x, y) with y up, one unit per cell. The slanted projection is the
reference GIFs' (measured): (x, y) -> (x - 0.7y, 0.5x + 0.65y); the flat one is the
identity. The map that is read (input canvas) lies at the bottom; the map that is
written (output) floats above it, T + 1 cells higher for a T x T canvas, its origin
a little left of straight above the input's (slanted, as measured); flat puts it to the right, like the paper's
numerical figures. Several channels are slices side by side (slanted with
numbers, so every value shows), sheets stacked in depth as tensors are drawn
(slanted: channel 0 on top, each next one a step straight below it), or one
above the other (flat).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CELL = 29.5      # px per cell at scale 1, as measured on the reference GIFs
MARGIN = 21.0    # px around the drawing at scale 1
GAP = 1.0        # cells between slices
TOP_SHIFT = -0.18   # cells: the reference's output map sits this far left of straight above the input (5-6 px)
FLAT_GAP = 1.0   # cells between the flat layout's input and output, as in the paper's numerical figures (measured)
DEPTH = 0.6      # cells between stacked sheets: each lower one shows a strip of its front edges
DEPTH_SPAN = 3.0   # cells: the tallest a stack gets, however many channels


def depth_step(channels: int) -> float:
    """The vertical step between stacked sheets (page units)."""
    return 0.0 if channels < 2 else min(DEPTH, DEPTH_SPAN / (channels - 1))


def slanted(x: float, y: float) -> tuple[float, float]:
    return x - 0.7 * y, 0.5 * x + 0.65 * y


def flat(x: float, y: float) -> tuple[float, float]:
    return x, y


@dataclass(frozen=True)
class Slice:
    """One channel's grid, placed: page = project(x, y) + origin."""

    rows: int
    cols: int
    origin: tuple[float, float]
    project: object

    def point(self, x: float, y: float) -> tuple[float, float]:
        px, py = self.project(x, y)
        return px + self.origin[0], py + self.origin[1]

    def cell(self, r: int, c: int) -> list[tuple[float, float]]:
        """Corners of matrix cell (row r from the top, column c), clockwise from top-left."""
        top = self.rows - r
        return [self.point(c, top), self.point(c + 1, top), self.point(c + 1, top - 1), self.point(c, top - 1)]

    def box(self, r0: int, c0: int, r1: int, c1: int) -> list[tuple[float, float]]:
        """Corners of the block of cells r0..r1, c0..c1 (inclusive), same order as `cell`."""
        top, bottom = self.rows - r0, self.rows - r1 - 1
        return [self.point(c0, top), self.point(c1 + 1, top), self.point(c1 + 1, bottom), self.point(c0, bottom)]

    def outline(self) -> list[tuple[float, float]]:
        return self.box(0, 0, self.rows - 1, self.cols - 1)

    def centre(self, r: int, c: int) -> tuple[float, float]:
        return self.point(c + 0.5, self.rows - r - 0.5)


@dataclass(frozen=True)
class Layout:
    bottom: list[Slice]   # the map the kernel reads (one slice per channel)
    top: list[Slice]      # the map it writes
    kind: str


def place(kind: str, bottom: tuple[int, int, int], top: tuple[int, int, int], stacked: bool = False) -> Layout:
    """Slices for a bottom map [C][H][W] and a top map [C][H][W]; `stacked` (slanted
    only): the channels as sheets in depth instead of side by side."""
    (bc, bh, bw), (tc, th, tw) = bottom, top
    if kind == "slanted" and stacked:
        lift = 0.5 * bw + 0.65 * bh - 0.15 * max(bh, bw) + 1
        db, dt = depth_step(bc), depth_step(tc)
        lows = [Slice(bh, bw, (0.0, (bc - 1 - i) * db), slanted) for i in range(bc)]
        highs = [Slice(th, tw, (TOP_SHIFT, lift + (bc - 1) * db + (tc - 1 - i) * dt), slanted) for i in range(tc)]
        return Layout(lows, highs, "stacked")
    if kind == "slanted":
        bottom_step = bw + 0.7 * bh + GAP
        top_step = tw + 0.7 * th + GAP
        lift = 0.5 * bw + 0.65 * bh - 0.15 * max(bh, bw) + 1  # = T + 1 for a square T x T canvas
        lows = [Slice(bh, bw, (i * bottom_step, 0.0), slanted) for i in range(bc)]
        highs = [Slice(th, tw, (i * top_step + TOP_SHIFT, lift), slanted) for i in range(tc)]
        return Layout(lows, highs, kind)
    left_height = bc * bh + (bc - 1) * GAP
    right_height = tc * th + (tc - 1) * GAP
    shift = (left_height - right_height) / 2
    lows = [Slice(bh, bw, (0.0, left_height - (i + 1) * bh - i * GAP), flat) for i in range(bc)]
    highs = [Slice(th, tw, (bw + FLAT_GAP, shift + right_height - (i + 1) * th - i * GAP), flat) for i in range(tc)]
    return Layout(lows, highs, kind)


class Pixels:
    """Page units (y up) -> pixels (y down), from the bounds of everything drawn."""

    def __init__(self, points, scale: float):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        self.unit = CELL * scale
        self.margin = MARGIN * scale
        self.x0, self.y1 = min(xs), max(ys)
        # +2 px: the outer outlines reach past the grid lines (the reference's sizes include them)
        self.width = round((max(xs) - self.x0) * self.unit + 2 * self.margin + 2)
        self.height = round((self.y1 - min(ys)) * self.unit + 2 * self.margin + 2)

    def many(self, points) -> list[list[float]]:
        """Page points (a list, or an array [n][2]) -> [x, y] pixels, to 1/100 px (the scene's JSON stays short)."""
        if len(points) == 0:
            return []
        a = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        m, u = self.margin + 1, self.unit
        xy = np.round(np.stack([m + (a[:, 0] - self.x0) * u, m + (self.y1 - a[:, 1]) * u], axis=1), 2)
        return xy.tolist()


def clip_outside(a, b, quads) -> tuple | None:
    """The part of segment a->b before it first enters any convex quad (page units).

    The output map floats above the connector lines, so a line is hidden from
    where it passes under the map. Returns the visible end point, or None.
    """
    t_hit = 1.0
    for edges in (_edges(tuple(q)) for q in quads):
        t = _entry(a, b, edges)
        if t is not None:
            t_hit = min(t_hit, t)
    if t_hit <= 1e-6:
        return None
    return a[0] + (b[0] - a[0]) * t_hit, a[1] + (b[1] - a[1]) * t_hit


@lru_cache(maxsize=1024)
def _edges(quad) -> tuple:
    """Each edge of a convex polygon as (a point on it, its outward normal)."""
    n = len(quad)
    area = sum(quad[i][0] * quad[(i + 1) % n][1] - quad[(i + 1) % n][0] * quad[i][1] for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    return tuple((p, (sign * (q[1] - p[1]), -sign * (q[0] - p[0]))) for p, q in zip(quad, quad[1:] + quad[:1]))


def _entry(a, b, edges) -> float | None:
    """Parameter t in [0, 1] where a->b enters the convex polygon, or None (Cyrus-Beck)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, (nx, ny) in edges:
        num = nx * (a[0] - p[0]) + ny * (a[1] - p[1])
        den = nx * dx + ny * dy
        if abs(den) < 1e-12:
            if num > 0:
                return None
            continue
        t = -num / den
        if den < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0


def hidden_spans(lines: list, boxes: np.ndarray) -> list[list[tuple[float, float]]]:
    """For each segment a->b of `lines`, where it runs inside any box [x0, y0, x1, y1]
    (page units), as sorted, merged spans (t0, t1) of its parameter in 0..1: a line
    passes behind the numbers instead of striking through them. All lines against
    all boxes in one pass (slab clipping, [lines][boxes])."""
    if not lines or not len(boxes):
        return [[] for _ in lines]
    ends = np.asarray(lines, float).reshape(-1, 4)   # ax, ay, bx, by
    # only the boxes that meet a segment's bounding box can hide part of it
    low, high = np.minimum(ends[:, :2], ends[:, 2:]), np.maximum(ends[:, :2], ends[:, 2:])
    meets = ((boxes[None, :, 2] >= low[:, None, 0]) & (boxes[None, :, 0] <= high[:, None, 0])
             & (boxes[None, :, 3] >= low[:, None, 1]) & (boxes[None, :, 1] <= high[:, None, 1]))
    some = meets.any(axis=0)
    boxes, meets = boxes[some], meets[:, some]
    enter, leave = np.full((len(ends), len(boxes)), -np.inf), np.full((len(ends), len(boxes)), np.inf)
    for lo, hi, start, step in ((boxes[:, 0], boxes[:, 2], ends[:, 0], ends[:, 2] - ends[:, 0]),
                                (boxes[:, 1], boxes[:, 3], ends[:, 1], ends[:, 3] - ends[:, 1])):
        flat = np.abs(step) < 1e-12   # parallel to this slab: inside it all along, or never
        safe = np.where(flat, 1.0, step)[:, None]
        t0, t1 = (lo[None, :] - start[:, None]) / safe, (hi[None, :] - start[:, None]) / safe
        near, far = np.minimum(t0, t1), np.maximum(t0, t1)
        outside = flat[:, None] & ((start[:, None] < lo[None, :]) | (start[:, None] > hi[None, :]))
        near = np.where(flat[:, None], np.where(outside, np.inf, -np.inf), near)
        far = np.where(flat[:, None], np.where(outside, -np.inf, np.inf), far)
        enter, leave = np.maximum(enter, near), np.minimum(leave, far)
    hit = meets & (enter < leave) & (leave > 0) & (enter < 1)
    out = []
    for row in range(len(ends)):
        spans: list[list[float]] = []
        on = hit[row]
        for t0, t1 in sorted(zip(np.clip(enter[row, on], 0, 1).tolist(), np.clip(leave[row, on], 0, 1).tolist())):
            if spans and t0 <= spans[-1][1] + 1e-6:
                spans[-1][1] = max(spans[-1][1], t1)
            else:
                spans.append([t0, t1])
        out.append([(t0, t1) for t0, t1 in spans])
    return out


def inside(points, quad) -> bool:
    """Whether every point lies in the convex polygon `quad` (page units)."""
    return all(nx * (x - px) + ny * (y - py) <= 1e-9 for x, y in points for (px, py), (nx, ny) in _edges(tuple(map(tuple, quad))))


def hull(points) -> list[tuple[float, float]]:
    """The convex hull of points, counter-clockwise (monotone chain): the outline of
    a box through stacked sheets is the hull of its top and bottom faces."""
    pts = sorted(set(map(tuple, points)))
    if len(pts) < 3:
        return pts

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1]) - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0]) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]
    return half(pts) + half(reversed(pts))

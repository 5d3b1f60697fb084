"""Scene -> RGB frames, antialiased, in NumPy.

Coverage is computed analytically per pixel: convex polygons from the distance
to each edge, lines from the distance to the segment. The picture is kept in
uint8; each shape is blended in float inside its own bounding box (lines: only
in the band of pixels around them) and written back. The base is drawn once;
each frame undoes the previous frame's overlays by copying the base back over
their boxes, so a frame costs what its few overlays cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Glyphs Pillow's built-in font lacks, written with ones it has.
_GLYPHS = str.maketrans({"×": "x", "−": "-", "–": "-", "∞": "inf", "→": "->", "←": "<-"})


@dataclass(frozen=True)
class Frame:
    """One drawn frame. Encoders crop to `changed`: outside it the pixels equal the
    previous frame's. The first frame's box is the whole canvas; None means that
    nothing changed at all."""

    pixels: np.ndarray          # [H][W][3] uint8, this frame's own copy
    changed: tuple | None       # (x0, y0, x1, y1), x1/y1 exclusive
    ms: int


@lru_cache(maxsize=256)
def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def _over(region: np.ndarray, colour: str, alpha: np.ndarray) -> np.ndarray:
    """`colour` composited with per-pixel `alpha` over uint8 pixels, back to uint8."""
    below = region.astype(np.float32)
    return (below + (rgb(colour) - below) * alpha[..., None] + 0.5).astype(np.uint8)


class Canvas:
    """A uint8 RGB picture that shapes are composited into."""

    def __init__(self, width: int, height: int, background: str):
        self.w, self.h = width, height
        self.img = np.empty((height, width, 3), np.uint8)
        self.img[:] = rgb(background).astype(np.uint8)

    def _box(self, xs, ys, pad: float) -> tuple[int, int, int, int] | None:
        x0, x1 = max(int(np.floor(min(xs) - pad)), 0), min(int(np.ceil(max(xs) + pad)), self.w)
        y0, y1 = max(int(np.floor(min(ys) - pad)), 0), min(int(np.ceil(max(ys) + pad)), self.h)
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def paint(self, found, colour: str, opacity: float = 1.0) -> tuple | None:
        """Blend a (box, coverage) into the picture; return the box."""
        if found is None:
            return None
        (x0, y0, x1, y1), cov = found
        self.img[y0:y1, x0:x1] = _over(self.img[y0:y1, x0:x1], colour, cov * opacity)
        return found[0]

    # -- shapes ---------------------------------------------------------------
    def fill_coverage(self, points, hatch: dict | None = None):
        """(box, coverage) of a convex polygon, hatched if asked; None when off-canvas."""
        box = self._box([p[0] for p in points], [p[1] for p in points], 1)
        if box is None:
            return None
        cov = polygon_coverage(points, box)
        if hatch:
            cov = cov * hatch_mask(box, hatch["spacing"], hatch["width"])
        return box, cov

    def stroke_coverage(self, points, width: float, dash=None, closed: bool = True):
        pts = list(points) + ([points[0]] if closed else [])
        box = self._box([p[0] for p in pts], [p[1] for p in pts], width + 1)
        if box is None:
            return None
        return box, segment_coverage(pts[:-1], pts[1:], width, box, dash).max(axis=0)

    def lines(self, segments, colour: str, width: float, dash=None) -> tuple | None:
        """Straight segments, each drawn only in the band of pixels around it.

        A long diagonal's bounding box is mostly empty, so each segment is walked
        along its major axis, a few pixels across per step. Where segments meet,
        a pixel takes the strongest coverage, as one stroke would give it.
        """
        flat, cov = _bands(segments, width, dash, self.w, self.h)
        if flat.size == 0:
            return None
        if len(segments) > 1:  # one coverage per pixel: the largest
            order = np.lexsort((-cov, flat))
            flat, cov = flat[order], cov[order]
            first = np.ones(len(flat), bool)
            first[1:] = flat[1:] != flat[:-1]
            flat, cov = flat[first], cov[first]
        pixels = self.img.reshape(-1, 3)
        pixels[flat] = _over(pixels[flat], colour, cov)
        ys, xs = np.divmod(flat, self.w)
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1

    def text(self, at, text: str, colour: str, size: float, anchor: str = "mm", bold: bool = False) -> tuple | None:
        mask, (ox, oy) = text_mask(text.translate(_GLYPHS), round(size * 2) / 2, anchor, bool(bold))
        x0, y0 = int(round(at[0])) + ox, int(round(at[1])) + oy
        h, w = mask.shape
        sx0, sy0 = max(0, -x0), max(0, -y0)
        x1, y1 = min(self.w, x0 + w), min(self.h, y0 + h)
        if x1 <= max(x0, 0) or y1 <= max(y0, 0):
            return None
        box = (max(x0, 0), max(y0, 0), x1, y1)
        return self.paint((box, mask[sy0:sy0 + box[3] - box[1], sx0:sx0 + box[2] - box[0]]), colour)


def _bands(segments, width: float, dash, w: int, h: int):
    """Flat pixel indices near each segment and their coverage (distance-based, AA).

    Each segment is walked along its major axis, a few pixels across per step;
    all segments are computed together, one array element per candidate pixel.
    """
    seg = np.array(segments, dtype=np.float64).reshape(-1, 4)   # ax, ay, bx, by
    if dash:  # a shared border dashes the same way whichever way it was listed
        flip = (seg[:, 2] < seg[:, 0]) | ((seg[:, 2] == seg[:, 0]) & (seg[:, 3] < seg[:, 1]))
        seg[flip] = seg[flip][:, [2, 3, 0, 1]]
    steep = np.abs(seg[:, 3] - seg[:, 1]) > np.abs(seg[:, 2] - seg[:, 0])
    # in walking coordinates: u along the major axis, v across
    u0 = np.where(steep, seg[:, 1], seg[:, 0])
    v0 = np.where(steep, seg[:, 0], seg[:, 1])
    u1 = np.where(steep, seg[:, 3], seg[:, 2])
    v1 = np.where(steep, seg[:, 2], seg[:, 3])
    lo, hi = np.minimum(u0, u1), np.maximum(u0, u1)
    reach = int(np.ceil(width / 2 + 1))
    starts = np.floor(lo - reach).astype(int)
    counts = np.ceil(hi + reach).astype(int) + 1 - starts
    which = np.repeat(np.arange(len(seg)), counts)
    u = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + starts[which]
    du = u1 - u0
    slope = np.divide(v1 - v0, du, out=np.zeros_like(du), where=du != 0)
    centre = v0[which] + (np.clip(u + 0.5, lo[which], hi[which]) - u0[which]) * slope[which]
    offsets = np.arange(-reach - 1, reach + 2)
    v = np.floor(centre).astype(int)[:, None] + offsets[None, :]
    u = np.broadcast_to(u[:, None], v.shape)
    which = np.broadcast_to(which[:, None], v.shape)
    st = steep[which]
    xs, ys = np.where(st, v, u), np.where(st, u, v)
    keep = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    xs, ys, which = xs[keep], ys[keep], which[keep]
    ax, ay, bx, by = (seg[which, i] for i in range(4))
    dx, dy = bx - ax, by - ay
    length = np.maximum(np.hypot(dx, dy), 1e-6)
    rx, ry = xs + 0.5 - ax, ys + 0.5 - ay
    along = (rx * dx + ry * dy) / length
    across = np.abs(rx * dy - ry * dx) / length
    beyond = np.maximum(np.abs(along - length / 2) - length / 2, 0)
    cov = np.clip(width / 2 + 0.5 - np.maximum(across, beyond), 0, 1)
    if dash:
        cov = cov * dash_mask(along, length, dash)
    on = cov > 0
    return ys[on] * w + xs[on], cov[on].astype(np.float32)


def polygon_coverage(points, box) -> np.ndarray:
    """Area of each pixel of `box` inside the polygon, 0..1.

    Convex polygons (every cell, tint and block the scene draws): each edge
    contributes clip(0.5 + signed distance of the pixel centre) and the
    contributions multiply, exact where one edge crosses a pixel, close at
    corners, far cheaper than supersampling. Anything else is supersampled.
    """
    if not _convex(points):
        return _supersampled(points, box)
    x0, y0, x1, y1 = box
    px = np.arange(x0, x1, dtype=np.float32)[None, :] + 0.5
    py = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5
    n = len(points)
    sign = 1.0 if _area2(points) >= 0 else -1.0
    cov = np.ones((y1 - y0, x1 - x0), np.float32)
    for i in range(n):
        (ax, ay), (bx, by) = points[i], points[(i + 1) % n]
        length = float(np.hypot(bx - ax, by - ay))
        if length == 0:
            continue
        nx, ny = -(by - ay) * sign / length, (bx - ax) * sign / length  # inward normal (y down)
        cov *= np.clip(0.5 + (px - ax) * nx + (py - ay) * ny, 0, 1)
    return cov


def _area2(points) -> float:
    n = len(points)
    return sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1] for i in range(n))


def _convex(points) -> bool:
    """True when every turn goes the same way (repeated points ignored)."""
    p = np.asarray(points, np.float64)
    d = np.roll(p, -1, axis=0) - p
    d = d[np.hypot(d[:, 0], d[:, 1]) > 1e-9]
    turns = d[:, 0] * np.roll(d[:, 1], -1) - d[:, 1] * np.roll(d[:, 0], -1)
    return len(d) >= 3 and (bool((turns >= -1e-9).all()) or bool((turns <= 1e-9).all()))


def _supersampled(points, box, k: int = 4) -> np.ndarray:
    """Coverage from a k x k supersampled fill (even-odd, by Pillow): any polygon."""
    x0, y0, x1, y1 = box
    im = Image.new("L", ((x1 - x0) * k, (y1 - y0) * k), 0)
    ImageDraw.Draw(im).polygon([((x - x0) * k, (y - y0) * k) for x, y in points], fill=255)
    a = np.asarray(im, np.float32).reshape(y1 - y0, k, x1 - x0, k)
    return a.mean(axis=(1, 3)) / 255.0


def segment_coverage(starts, ends, width: float, box, dash=None) -> np.ndarray:
    """Antialiased coverage of line segments of `width` px, one layer per segment.

    All segments are computed at once ([n][h][w]); dashed segments fit a whole
    number of dash periods and run the same way whichever cell draws a shared
    edge.
    """
    x0, y0, x1, y1 = box
    a = np.array(starts, np.float32)
    b = np.array(ends, np.float32)
    if dash:
        flip = (b[:, 0] < a[:, 0]) | ((b[:, 0] == a[:, 0]) & (b[:, 1] < a[:, 1]))
        a[flip], b[flip] = b[flip].copy(), a[flip].copy()
    d = b - a
    length = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-6)[:, None, None]
    ux, uy = d[:, 0, None, None] / length, d[:, 1, None, None] / length
    rx = np.arange(x0, x1, dtype=np.float32)[None, None, :] + 0.5 - a[:, 0, None, None]
    ry = np.arange(y0, y1, dtype=np.float32)[None, :, None] + 0.5 - a[:, 1, None, None]
    along = rx * ux + ry * uy
    across = np.abs(rx * uy - ry * ux)
    beyond = np.maximum(np.abs(along - length / 2) - length / 2, 0)
    cov = np.clip(width / 2 + 0.5 - np.maximum(across, beyond), 0, 1)
    if dash:
        cov *= dash_mask(along, length, dash)
    return cov


def dash_mask(along, length, dash):
    """1 on the dashes, 0 in the gaps, antialiased; a whole number of periods fits
    the segment, so dashes start and end exactly at its ends."""
    on, off = dash
    periods = np.maximum(1, np.round((length + off) / (on + off)))
    period = (length + off) / periods
    on_len = period * on / (on + off)
    phase = np.mod(np.clip(along, 0, length), period)
    return np.clip(np.minimum(phase + 0.5, on_len + 0.5 - phase), 0, 1)


def hatch_mask(box, spacing: float, width: float) -> np.ndarray:
    """Diagonal stripes, anchored to the image so neighbouring cells line up."""
    x0, y0, x1, y1 = box
    s = (np.arange(x0, x1)[None, :] + np.arange(y0, y1)[:, None] + 1.0) / np.sqrt(2)
    d = np.abs(np.mod(s, spacing) - spacing / 2)
    return np.clip(width / 2 + 0.5 - d, 0, 1).astype(np.float32)


@lru_cache(maxsize=16)
def font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4096)
def text_mask(text: str, size: float, anchor: str, bold: bool = False) -> tuple[np.ndarray, tuple[int, int]]:
    """Glyph coverage of `text` and the offset of its top-left from the anchor point.

    Bold is the regular face drawn twice, the second time a fraction of a pixel
    to the right: Pillow's stroke option smudges small text, and the built-in
    font has no bold face.
    """
    f = font(size)
    shift = max(0.5, size / 24) if bold else 0.0
    left, top, right, bottom = f.getbbox(text, anchor=anchor)
    right += int(np.ceil(shift))
    im = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    draw = ImageDraw.Draw(im)
    draw.text((-left, -top), text, fill=255, font=f, anchor=anchor)
    if bold:
        draw.text((-left + shift, -top), text, fill=255, font=f, anchor=anchor)
    return np.asarray(im, dtype=np.float32) / 255.0, (left, top)


def draw_items(canvas: Canvas, scene: dict, items: list, cache: dict | None = None) -> list:
    """Draw items in order; return the boxes they touched.

    Coverage of named polygons is kept in `cache`: the same cells are tinted and
    outlined frame after frame, so each is computed once per animation. Runs of
    two-point lines in one style are drawn together.
    """
    styles, polys, boxes = scene["styles"], scene["polys"], []
    cache = {} if cache is None else cache

    def cached(key, compute):
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    i = 0
    while i < len(items):
        item = items[i]
        st = styles[item["style"]]
        if "line" in item and len(item["line"]) == 2:
            j = i
            while j < len(items) and items[j]["style"] == item["style"] and len(items[j].get("line", ())) == 2:
                j += 1
            segments = [items[k]["line"] for k in range(i, j)]
            boxes.append(canvas.lines(segments, st.get("stroke") or "#000000", st.get("width", 1), st.get("dash")))
            i = j
            continue
        i += 1
        if "text" in item:
            boxes.append(canvas.text(item["at"], item["text"], st.get("fill") or "#000000", st.get("font", 12), st.get("anchor", "mm"), st.get("bold", False)))
            continue
        if "line" in item:
            boxes.append(canvas.paint(canvas.stroke_coverage(item["line"], st.get("width", 1), st.get("dash"), closed=False), st.get("stroke") or "#000000"))
            continue
        name = item.get("poly")
        pts = polys[name] if name else item["points"]
        if st.get("fill"):
            found = cached(("fill", name), lambda: canvas.fill_coverage(pts)) if name else canvas.fill_coverage(pts)
            boxes.append(canvas.paint(found, st["fill"], st.get("opacity", 1.0)))
        if st.get("hatch"):
            boxes.append(canvas.paint(canvas.fill_coverage(pts, st["hatch"]), st["hatch"]["color"]))
        if st.get("stroke"):
            key = ("stroke", name, st.get("width", 1), tuple(st.get("dash") or ()))
            found = cached(key, lambda: canvas.stroke_coverage(pts, st.get("width", 1), st.get("dash"))) if name else canvas.stroke_coverage(pts, st.get("width", 1), st.get("dash"))
            boxes.append(canvas.paint(found, st["stroke"]))
    return [b for b in boxes if b]


def _union(boxes) -> tuple | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def base_canvas(scene: dict) -> Canvas:
    canvas = Canvas(scene["width"], scene["height"], scene.get("background", "#ffffff"))
    draw_items(canvas, scene, scene["base"])
    return canvas


def draw_frame(scene: dict, index: int) -> np.ndarray:
    """One frame alone, as [H][W][3] uint8."""
    canvas = base_canvas(scene)
    if scene["frames"]:
        draw_items(canvas, scene, scene["frames"][index]["items"])
    return canvas.img


def rasterize(scene: dict) -> Iterator[Frame]:
    """Every frame in order, each with the box where it may differ from the one before."""
    base = base_canvas(scene)
    canvas = Canvas.__new__(Canvas)
    canvas.w, canvas.h, canvas.img = base.w, base.h, base.img.copy()
    previous: list = []
    cache: dict = {}
    for i, frame in enumerate(scene["frames"] or [{"ms": 1000, "items": []}]):
        for x0, y0, x1, y1 in previous:  # undo the last frame's overlays
            canvas.img[y0:y1, x0:x1] = base.img[y0:y1, x0:x1]
        boxes = draw_items(canvas, scene, frame["items"], cache)
        changed = (0, 0, scene["width"], scene["height"]) if i == 0 else _union(boxes + previous)
        yield Frame(canvas.img.copy(), changed, int(frame.get("ms", 1000)))
        previous = boxes

"""Scene -> RGB frames, antialiased, in NumPy.

Coverage is computed analytically per pixel: convex polygons from the distance
to each edge, strokes from the distance to each segment. The picture is kept
in uint8; each shape is blended in float only where it lands (a fill: its
bounding box; a stroke: the band of pixels along it) and written back. The
base is drawn once; each frame undoes the previous frame's overlays by copying
the base back over their boxes, so a frame costs what its few overlays cost,
and the coverage of named polygons is computed once per animation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, NamedTuple

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


class Patch(NamedTuple):
    """Where a shape lands and how much of each pixel it covers (0..1).

    Dense: `cov` is [y1-y0][x1-x0] over `box` (fills, text). Sparse: `flat`
    lists pixel indices into the whole picture and `cov` their coverage
    (strokes, whose bounding box is mostly empty); `box` bounds them.
    """

    box: tuple[int, int, int, int]
    cov: np.ndarray
    flat: np.ndarray | None = None


@lru_cache(maxsize=256)
def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def _over(below: np.ndarray, colour: str, alpha: np.ndarray) -> np.ndarray:
    """`colour` composited with per-pixel `alpha` over uint8 pixels, back to uint8."""
    b = below.astype(np.float32)
    return (b + (rgb(colour) - b) * alpha[..., None] + 0.5).astype(np.uint8)


class Canvas:
    """A uint8 RGB picture that shapes are composited into."""

    def __init__(self, width: int, height: int, background: str):
        self.w, self.h = width, height
        self.img = np.empty((height, width, 3), np.uint8)
        self.img[:] = rgb(background).astype(np.uint8)

    def copy(self) -> Canvas:
        other = Canvas.__new__(Canvas)
        other.w, other.h, other.img = self.w, self.h, self.img.copy()
        return other

    def paint(self, patch: Patch | None, colour: str, opacity: float = 1.0) -> tuple | None:
        """Blend `colour` in where the patch covers; return the box it touched."""
        if patch is None:
            return None
        alpha = patch.cov * opacity if opacity != 1.0 else patch.cov
        if patch.flat is None:
            x0, y0, x1, y1 = patch.box
            self.img[y0:y1, x0:x1] = _over(self.img[y0:y1, x0:x1], colour, alpha)
        else:
            pixels = self.img.reshape(-1, 3)
            pixels[patch.flat] = _over(pixels[patch.flat], colour, alpha)
        return patch.box

    # -- shapes ---------------------------------------------------------------
    def fill(self, points, hatch: dict | None = None) -> Patch | None:
        """A polygon's coverage, hatched if asked; None when off the canvas."""
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x0, x1 = max(int(np.floor(min(xs))) - 1, 0), min(int(np.ceil(max(xs))) + 1, self.w)
        y0, y1 = max(int(np.floor(min(ys))) - 1, 0), min(int(np.ceil(max(ys))) + 1, self.h)
        if x0 >= x1 or y0 >= y1:
            return None
        cov = polygon_coverage(points, (x0, y0, x1, y1))
        if hatch:
            cov = cov * hatch_mask((x0, y0, x1, y1), hatch["spacing"], hatch["width"])
        return Patch((x0, y0, x1, y1), cov)

    def stroke(self, segments, width: float, dash=None) -> Patch | None:
        """Straight segments ([[x, y], [x, y]] each) as one stroke.

        Each segment is walked along its major axis, a few pixels across per
        step, so a long diagonal costs its length, not its bounding box. Where
        segments meet or cross, a pixel takes the strongest coverage, as one
        stroke would give it, so joints are not darker than the line.
        """
        flat, cov = _bands(segments, width, dash, self.w, self.h)
        if flat.size == 0:
            return None
        if len(segments) > 1:   # one coverage per pixel: the largest
            order = np.argsort(flat, kind="stable")
            flat, cov = flat[order], cov[order]
            first = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
            flat, cov = flat[first], np.maximum.reduceat(cov, first)
        ys, xs = np.divmod(flat, self.w)
        return Patch((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1), cov, flat)

    def text(self, at, text: str, size: float, anchor: str = "mm", bold: bool = False) -> Patch | None:
        mask, (ox, oy) = text_mask(text.translate(_GLYPHS), round(size * 2) / 2, anchor, bool(bold))
        x0, y0 = int(round(at[0])) + ox, int(round(at[1])) + oy
        h, w = mask.shape
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(self.w, x0 + w), min(self.h, y0 + h)
        if cx0 >= cx1 or cy0 >= cy1:
            return None
        return Patch((cx0, cy0, cx1, cy1), mask[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0])


def _bands(segments, width: float, dash, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat pixel indices near each segment and their coverage, all segments at once.

    Candidates are, for each pixel step along a segment's major axis, the few
    pixels across it that the stroke can reach; one array element each.
    """
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)   # ax, ay, bx, by
    seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]
    if dash:  # a shared border dashes the same way whichever cell lists it
        flip = (seg[:, 2] < seg[:, 0]) | ((seg[:, 2] == seg[:, 0]) & (seg[:, 3] < seg[:, 1]))
        seg[flip] = seg[flip][:, [2, 3, 0, 1]]
    if len(seg) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    length = np.hypot(dx, dy)
    steep = np.abs(dy) > np.abs(dx)
    # walking coordinates: u along the major axis, v across it
    u0, v0 = np.where(steep, seg[:, 1], seg[:, 0]), np.where(steep, seg[:, 0], seg[:, 1])
    u1, v1 = np.where(steep, seg[:, 3], seg[:, 2]), np.where(steep, seg[:, 2], seg[:, 3])
    lo, hi = np.minimum(u0, u1), np.maximum(u0, u1)
    spread = (np.abs(dx) + np.abs(dy)) / length          # a pixel's shadow across the stroke
    reach = (width / 2 + spread / 2) * length / (hi - lo)   # how far across (in v) coverage goes
    ext = int(np.ceil(max(width / 2, 0.5) + 0.5 + reach.max()))   # and beyond the ends (in u)
    starts = np.floor(lo).astype(np.int64) - ext
    counts = np.ceil(hi).astype(np.int64) + ext - starts + 1
    which = np.repeat(np.arange(len(seg)), counts)
    u = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + starts[which]
    centre = v0[which] + (np.clip(u + 0.5, lo[which], hi[which]) - u0[which]) * ((v1 - v0) / (u1 - u0))[which]
    across_n = int(np.ceil(2 * reach.max())) + 2
    v = np.floor(centre - 0.5 - reach[which]).astype(np.int64)[:, None] + np.arange(across_n)[None, :]
    u = np.broadcast_to(u[:, None], v.shape)
    which = np.broadcast_to(which[:, None], v.shape)
    st = steep[which]
    xs, ys = np.where(st, v, u), np.where(st, u, v)
    keep = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    xs, ys, which = xs[keep], ys[keep], which[keep]
    ux, uy, n = dx[which] / length[which], dy[which] / length[which], length[which]
    rx, ry = xs + 0.5 - seg[which, 0], ys + 0.5 - seg[which, 1]
    along = rx * ux + ry * uy
    across = np.abs(rx * uy - ry * ux)
    beyond = np.maximum(np.abs(along - n / 2) - n / 2, 0)
    cov = stroke_cover(across, beyond, width, spread[which])
    if dash:
        cov = cov * dash_mask(along, n, dash)
    on = cov > 0
    return ys[on] * w + xs[on], cov[on].astype(np.float32)


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
    inside = np.minimum(across + spread / 2, half) - np.maximum(across - spread / 2, -half)
    return np.clip(inside / spread, 0, 1) * np.clip(max(half, 0.5) + 0.5 - beyond, 0, 1)


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


def polygon_coverage(points, box) -> np.ndarray:
    """Area of each pixel of `box` inside the polygon, 0..1.

    Convex polygons (every cell, tint and block the scene draws): each edge
    contributes a ramp in the signed distance of the pixel centre, as wide as
    the pixel's shadow on the edge's normal, and the contributions multiply:
    close to the true area where one edge crosses a pixel, good at corners,
    far cheaper than supersampling. Anything else is supersampled.
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
        spread = abs(nx) + abs(ny)
        cov *= np.clip(0.5 + ((px - ax) * nx + (py - ay) * ny) / spread, 0, 1)
    return cov


def _area2(points) -> float:
    n = len(points)
    return sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1] for i in range(n))


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


def _supersampled(points, box, k: int = 4) -> np.ndarray:
    """Coverage from a k x k supersampled fill (even-odd, by Pillow): any polygon."""
    x0, y0, x1, y1 = box
    im = Image.new("L", ((x1 - x0) * k, (y1 - y0) * k), 0)
    ImageDraw.Draw(im).polygon([((x - x0) * k, (y - y0) * k) for x, y in points], fill=255)
    a = np.asarray(im, np.float32).reshape(y1 - y0, k, x1 - x0, k)
    return a.mean(axis=(1, 3)) / 255.0


def hatch_mask(box, spacing: float, width: float) -> np.ndarray:
    """Diagonal stripes, anchored to the image so neighbouring cells line up."""
    x0, y0, x1, y1 = box
    s = (np.arange(x0, x1)[None, :] + np.arange(y0, y1)[:, None] + 1.0) / np.sqrt(2)
    d = np.abs(np.mod(s, spacing) - spacing / 2)
    return stroke_cover(d, 0.0, width, np.sqrt(2)).astype(np.float32)


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


def _segments(points, closed: bool) -> list:
    pts = list(points) + ([points[0]] if closed else [])
    return [[a, b] for a, b in zip(pts[:-1], pts[1:])]


def draw_items(canvas: Canvas, scene: dict, items: list, cache: dict | None = None) -> list:
    """Draw items in order (a polygon: fill, hatch, stroke); return the boxes touched.

    The patches of named polygons are kept in `cache`: the same cells are
    tinted and outlined frame after frame. Runs of two-point lines in one style
    are drawn as one stroke.
    """
    styles, polys, boxes = scene["styles"], scene["polys"], []
    cache = {} if cache is None else cache

    def patch(key, compute):
        if key[-1] is None:   # not a named polygon
            return compute()
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    i = 0
    while i < len(items):
        item = items[i]
        st = styles[item["style"]]
        width, dash = st.get("width", 1), st.get("dash")
        if "line" in item:
            j = i + 1
            if len(item["line"]) == 2:
                while j < len(items) and items[j]["style"] == item["style"] and len(items[j].get("line", ())) == 2:
                    j += 1
            segments = [s for k in range(i, j) for s in _segments(items[k]["line"], closed=False)]
            boxes.append(canvas.paint(canvas.stroke(segments, width, dash), st.get("stroke") or "#000000"))
            i = j
            continue
        i += 1
        if "text" in item:
            found = canvas.text(item["at"], item["text"], st.get("font", 12), st.get("anchor", "mm"), st.get("bold", False))
            boxes.append(canvas.paint(found, st.get("fill") or "#000000"))
            continue
        name = item.get("poly")
        pts = polys[name] if name else item["points"]
        if st.get("fill"):
            boxes.append(canvas.paint(patch(("fill", name), lambda: canvas.fill(pts)), st["fill"], st.get("opacity", 1.0)))
        if st.get("hatch"):
            h = st["hatch"]
            boxes.append(canvas.paint(patch(("hatch", h["spacing"], h["width"], name), lambda: canvas.fill(pts, h)), h["color"]))
        if st.get("stroke"):
            key = ("stroke", width, tuple(dash or ()), name)
            boxes.append(canvas.paint(patch(key, lambda: canvas.stroke(_segments(pts, closed=True), width, dash)), st["stroke"]))
    return [b for b in boxes if b]


def _union(boxes) -> tuple | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def base_canvas(scene: dict, cache: dict | None = None) -> Canvas:
    canvas = Canvas(scene["width"], scene["height"], scene.get("background", "#ffffff"))
    draw_items(canvas, scene, scene["base"], cache)
    return canvas


def draw_frame(scene: dict, index: int) -> np.ndarray:
    """Frame `index` alone, as [H][W][3] uint8: background, base, that frame's items."""
    canvas = base_canvas(scene)
    if scene["frames"]:
        draw_items(canvas, scene, scene["frames"][index]["items"])
    return canvas.img


def rasterize(scene: dict) -> Iterator[Frame]:
    """Every frame in order, each with the box where it may differ from the one before."""
    cache: dict = {}
    base = base_canvas(scene, cache)
    canvas = base.copy()
    previous: list = []
    for i, frame in enumerate(scene["frames"] or [{"ms": 1000, "items": []}]):
        for x0, y0, x1, y1 in previous:  # undo the last frame's overlays
            canvas.img[y0:y1, x0:x1] = base.img[y0:y1, x0:x1]
        boxes = draw_items(canvas, scene, frame["items"], cache)
        changed = (0, 0, scene["width"], scene["height"]) if i == 0 else _union(boxes + previous)
        yield Frame(canvas.img.copy(), changed, int(frame.get("ms", 1000)))
        previous = boxes

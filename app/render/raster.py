"""Scene -> RGB frames, antialiased, in NumPy.

Each item of the scene becomes one or more inks: a coverage patch (see
`coverage`) with its colour and opacity folded into two small integer arrays,
so painting it is one multiply-add over the pixels it touches. Inks of named
polygons and texts are made once per animation (the same cells are tinted and
outlined frame after frame); the rest are made for many frames at once, one
NumPy pass per kind of shape. The base is painted once, and under it each
timed item (see SCENE.md) is painted when it appears and wiped when it goes;
each frame puts that picture back where the previous frame's inks were, so a
frame costs what its few inks and changes cost.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, NamedTuple

import numpy as np

from . import coverage, text
from .coverage import Patch

CHUNK = 16        # frames whose inks are made together
STAY_WORTH = 8    # inks in common with the last frame before checking which can stay
HAIRLINE = 1.0    # px: solid strokes thinner than this (the connectors) are drawn in
HAIRLINE_LEVELS = 3   # thirds of coverage: 12 % fewer GIF bytes over the 15 reference animations, same look


@dataclass(frozen=True)
class Frame:
    """One drawn frame. Outside `changed` its pixels equal the previous frame's;
    the first frame's box is the whole canvas, and None means nothing changed.

    Finer, for encoders that track pixels. The picture under the frames' own
    items is the base with the timed items alive at that frame; the first frame
    carries it as `base`, and `relaid` lists where it changed since (timed items
    came or went): each a box and that picture's new pixels in it. `restored` lists
    where the last frame's items were, now back to that picture, and `inked`
    where this frame's items are, painted after. Each entry is a box, and for a
    stroke the flat indices of its pixels. `fills` are the boxes of this frame's
    filled shapes, where new flat colours show.
    """

    pixels: np.ndarray          # [H][W][3] uint8
    changed: tuple | None       # (x0, y0, x1, y1), x1/y1 exclusive
    ms: int
    restored: tuple = ()
    inked: tuple = ()
    fills: tuple = ()
    base: np.ndarray | None = None
    relaid: tuple = ()


class Ink(NamedTuple):
    """A patch ready to paint: new = (old * keep + add) >> 8, in uint16.

    keep = 256 - a and add = a * colour + 128, with a = coverage x opacity in
    1/256ths; a + keep = 256, so a fully covered pixel becomes the colour exactly.
    Both have the pixels' shape (..., 3), which NumPy multiplies fastest. A
    sparse ink (a stroke) lists its pixels in `flat` and their bytes in `at`:
    NumPy gathers and scatters single bytes far faster than 3-byte pixels.
    """

    box: tuple[int, int, int, int]
    keep: np.ndarray
    add: np.ndarray
    flat: np.ndarray | None
    at: np.ndarray | None
    filled: bool = False        # a polygon's fill: where flat colours show


@lru_cache(maxsize=256)
def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.uint16)


def inks_for(patches: list[Patch | None], colour: str, opacity: float = 1.0) -> list[Ink | None]:
    """The inks of patches that share a colour and opacity, made in one pass over
    all their pixels (a few dozen small patches cost what one big one does)."""
    present = [p for p in patches if p is not None]
    if not present:
        return [None] * len(patches)
    sizes = [p.cov.size for p in present]
    a = (np.concatenate([p.cov.reshape(-1) for p in present]) * (256 * opacity) + 0.5).astype(np.uint16)
    keep, add = np.empty((len(a), 3), np.uint16), np.empty((len(a), 3), np.uint16)
    for c, value in enumerate(rgb(colour).tolist()):
        # a channel at a time: NumPy is slow at broadcasting over a last axis of 3
        np.subtract(256, a, out=keep[:, c])
        np.multiply(a, value, out=add[:, c])
    add += 128
    made, ends = [], np.cumsum(sizes).tolist()
    for p, start, end in zip(present, [0] + ends, ends):
        k, d = keep[start:end], add[start:end]
        if p.flat is None:
            made.append(Ink(p.box, k.reshape(p.cov.shape + (3,)), d.reshape(p.cov.shape + (3,)), None, None))
        else:   # a stroke also lists its bytes
            made.append(Ink(p.box, k.reshape(-1), d.reshape(-1), p.flat, ((p.flat * 3)[:, None] + np.arange(3)).reshape(-1)))
    found = iter(made)
    return [next(found) if p is not None else None for p in patches]


class Canvas:
    """A uint8 RGB picture that inks are painted into."""

    def __init__(self, width: int, height: int, background: str):
        self.w, self.h = width, height
        self.img = np.empty((height, width, 3), np.uint8)
        self.img[:] = rgb(background)

    def copy(self) -> Canvas:
        other = Canvas.__new__(Canvas)
        other.w, other.h, other.img = self.w, self.h, self.img.copy()
        return other

    def paint(self, inks: list[Ink], clip: tuple | None = None) -> None:
        """Paint the inks in order; with `clip` (a box), only inside it."""
        for i in inks:
            if clip is not None:
                i = _clipped(i, clip, self.w)
                if i is None:
                    continue
            if i.flat is None:
                x0, y0, x1, y1 = i.box
                self.img[y0:y1, x0:x1] = (self.img[y0:y1, x0:x1] * i.keep + i.add) >> 8
            else:
                data = self.img.reshape(-1)
                data[i.at] = (data[i.at] * i.keep + i.add) >> 8


def _clipped(ink: Ink, clip: tuple, width: int) -> Ink | None:
    """The part of an ink inside a box (None if none)."""
    x0, y0, x1, y1 = ink.box
    cx0, cy0, cx1, cy1 = max(x0, clip[0]), max(y0, clip[1]), min(x1, clip[2]), min(y1, clip[3])
    if cx0 >= cx1 or cy0 >= cy1:
        return None
    if ink.flat is None:
        part = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
        return ink._replace(box=(cx0, cy0, cx1, cy1), keep=ink.keep[part], add=ink.add[part])
    ys, xs = np.divmod(ink.flat, width)
    inside = np.repeat((xs >= cx0) & (xs < cx1) & (ys >= cy0) & (ys < cy1), 3)
    return ink._replace(keep=ink.keep[inside], add=ink.add[inside], at=ink.at[inside], flat=ink.flat[inside[::3]])


class Painter:
    """Turns lists of scene items into lists of inks, computing coverage in batches.

    An item gives up to three inks: a polygon its fill, hatching and outline, a
    line or a text one. Runs of two-point lines in one style are one stroke.
    Shapes of named polygons and texts are kept for the whole animation.
    """

    def __init__(self, scene: dict):
        self.styles, self.polys = scene["styles"], scene["polys"]
        self.w, self.h = scene["width"], scene["height"]
        self.kept: dict = {}        # key -> Ink | None, for shapes that come back

    def inks(self, lists: list[list]) -> list[list[Ink]]:
        plans = [self._plan(items) for items in lists]
        self._make([job for plan in plans for job in plan])
        out = []
        for plan in plans:   # an ink made for one item only is handed out and forgotten
            found = [self.kept.pop(key) if key[0] == "once" else self.kept[key] for key, _ in plan]
            out.append([i for i in found if i is not None])
        return out

    # A plan is a list of (key, job): the key finds the finished ink, the job says
    # how to make it: (group, shape, colour, opacity), the group (kind of shape and
    # its stroke or hatch settings) collecting shapes one batched pass computes.
    def _plan(self, items: list) -> list:
        plan, i = [], 0
        while i < len(items):
            item = items[i]
            st = self.styles[item["style"]]
            width, dash = st.get("width", 1), tuple(st.get("dash") or ())
            if "line" in item:
                j = i + 1
                if len(item["line"]) == 2:
                    while j < len(items) and items[j]["style"] == item["style"] and len(items[j].get("line", ())) == 2:
                        j += 1
                segments = [s for k in range(i, j) for s in _segments(items[k]["line"], closed=False, gaps=items[k].get("gaps"))]
                plan.append(self._job(None, ("stroke", width, dash), segments, st.get("stroke") or "#000000", 1.0))
                i = j
                continue
            i += 1
            if "text" in item:
                for label, at in texts(item):
                    shape = (tuple(at), label, st.get("font", 12), st.get("anchor", "mm"), bool(st.get("bold", False)))
                    plan.append(self._job(shape, ("text",), shape, st.get("fill") or "#000000", 1.0))
                continue
            name = item.get("poly")
            pts = self.polys[name] if name else item["points"]
            if st.get("fill"):
                plan.append(self._job(name, ("fill",), pts, st["fill"], st.get("opacity", 1.0)))
            if st.get("hatch"):
                h = st["hatch"]
                plan.append(self._job(name, ("hatch", h["spacing"], h["width"]), pts, h["color"], 1.0))
            if st.get("stroke"):
                plan.append(self._job(name, ("stroke", width, dash), _segments(pts, closed=True), st["stroke"], 1.0))
        return plan

    def _job(self, name, group: tuple, shape, colour: str, opacity: float):
        key = (group, name, colour, opacity) if name is not None else ("once", object())
        return key, (group, shape, colour, opacity)

    def _make(self, jobs: list) -> None:
        """Compute every ink not made yet, one batched pass per group."""
        todo = defaultdict(dict)
        for key, job in jobs:
            if key[0] == "once" or key not in self.kept:
                todo[job[0]][key] = job
        for group, members in todo.items():
            keys, shapes = list(members), [job[1] for job in members.values()]
            kind = group[0]
            if kind == "fill":
                patches = coverage.polygons(shapes, self.w, self.h)
            elif kind == "hatch":
                patches = coverage.polygons(shapes, self.w, self.h, {"spacing": group[1], "width": group[2]})
            elif kind == "stroke":
                patches = coverage.strokes(shapes, group[1], group[2] or None, self.w, self.h)
                if group[1] < HAIRLINE and not group[2]:
                    patches = [coverage.snapped(p, HAIRLINE_LEVELS, self.w) for p in patches]
            else:
                patches = [text.text(*shape, self.w, self.h) for shape in shapes]
            looks = defaultdict(list)   # (colour, opacity) -> positions, one pass each
            for i, key in enumerate(keys):
                looks[members[key][2:]].append(i)
            for (colour, opacity), where in looks.items():
                for i, made in zip(where, inks_for([patches[i] for i in where], colour, opacity)):
                    self.kept[keys[i]] = made._replace(filled=True) if made and kind in ("fill", "hatch") else made


def texts(item: dict) -> list[tuple[str, list]]:
    """(text, at) of a text item: one, or several in one look (lists; see SCENE.md)."""
    return list(zip(item["text"], item["at"])) if isinstance(item["text"], list) else [(item["text"], item["at"])]


def one_by_one(items: list) -> list:
    """The items with each group of texts as single text items (for readers that
    look at texts one at a time)."""
    return [{"text": label, "at": at, "style": i["style"]} if isinstance(i.get("text"), list) else i
            for i in items for label, at in (texts(i) if isinstance(i.get("text"), list) else [(None, None)])]


def _segments(points, closed: bool, gaps=None) -> list:
    if gaps:
        return pieces(points, gaps)
    pts = list(points) + ([points[0]] if closed else [])
    return [[a, b] for a, b in zip(pts[:-1], pts[1:])]


def pieces(line, gaps) -> list:
    """The visible pieces of a two-point line with hidden spans `gaps` ([from, to] in
    px along it from its first point, in order; see SCENE.md), as two-point lines."""
    (ax, ay), (bx, by) = line
    length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5 or 1.0
    at = lambda d: [ax + (bx - ax) * d / length, ay + (by - ay) * d / length]  # noqa: E731
    out, d = [], 0.0
    for g0, g1 in gaps:
        if g0 > d:
            out.append([at(d), at(g0)])
        d = max(d, g1)
    if d < length:
        out.append([at(d), [bx, by]])
    return out


def _union(boxes) -> tuple | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _chunked(painter: Painter, frames: list) -> Iterator[list[Ink]]:
    """Each frame's inks, made CHUNK frames at a time: batches big enough to
    save NumPy calls, small enough that a long animation's inks never all
    sit in memory together."""
    for start in range(0, len(frames), CHUNK):
        yield from painter.inks([f["items"] for f in frames[start:start + CHUNK]])


def alive(scene: dict, index: int) -> list:
    """The timed items frame `index` shows, in scene order."""
    return [t for t in scene.get("timed", ()) if t["from"] <= index <= t["to"]]


def draw_frame(scene: dict, index: int) -> np.ndarray:
    """Frame `index` alone, as [H][W][3] uint8: background, base, the timed items
    alive then (one by one), that frame's items."""
    canvas = Canvas(scene["width"], scene["height"], scene.get("background", "#ffffff"))
    lists = [scene["base"]] + [[t] for t in alive(scene, index)] + ([scene["frames"][index]["items"]] if scene["frames"] else [])
    for inks in Painter(scene).inks(lists):
        canvas.paint(inks)
    return canvas.img


class Timed:
    """The scene's timed items as inks, painted under the frames' items into
    `under` as they come and go. A change wipes the box it touches back to the
    base and repaints, clipped to that box, every item alive there in order."""

    def __init__(self, scene: dict, painter: Painter, base: Canvas):
        timed = scene.get("timed", [])
        self.inks = painter.inks([[t] for t in timed]) if timed else []
        self.start = np.array([t["from"] for t in timed], int)
        self.end = np.array([t["to"] for t in timed], int)
        self.boxes = np.array([_union([i.box for i in inks]) or (0, 0, 0, 0) for inks in self.inks], int).reshape(-1, 4)
        self.base = base
        self.under = base.copy()
        for k in np.flatnonzero(self.alive(0)):
            self.under.paint(self.inks[k])

    def alive(self, i: int) -> np.ndarray:
        return (self.start <= i) & (i <= self.end)

    def relay(self, i: int) -> tuple | None:
        """Bring `under` to frame i (from frame i - 1); the box that changed, or None."""
        o = self.boxes
        changed = ((self.start == i) | (self.end == i - 1)) & (o[:, 0] < o[:, 2]) & (o[:, 1] < o[:, 3])
        if not changed.any():
            return None
        b = o[changed]
        box = (int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max()))
        x0, y0, x1, y1 = box
        self.under.img[y0:y1, x0:x1] = self.base.img[y0:y1, x0:x1]
        hit = self.alive(i) & (o[:, 0] < x1) & (x0 < o[:, 2]) & (o[:, 1] < y1) & (y0 < o[:, 3])
        for k in np.flatnonzero(hit):
            self.under.paint(self.inks[k], clip=box)
        return box


def rasterize(scene: dict, copy: bool = True) -> Iterator[Frame]:
    """Every frame in order, each with the box where it may differ from the one before.

    With copy=False every frame's pixels are one shared array, repainted for the
    next frame: for consumers that keep only what changed (the GIF writer).
    """
    frames = scene["frames"] or [{"ms": 1000, "items": []}]
    w, h = scene["width"], scene["height"]
    painter = Painter(scene)
    base_inks, = painter.inks([scene["base"]])
    base = Canvas(w, h, scene.get("background", "#ffffff"))
    base.paint(base_inks)
    timed = Timed(scene, painter, base)
    under = timed.under
    canvas = under.copy()
    before, after = under.img.reshape(-1), canvas.img.reshape(-1)
    previous: list[Ink] = []
    for i, (frame, inks) in enumerate(zip(frames, _chunked(painter, frames))):
        relaid = timed.relay(i) if i else None
        if relaid:
            x0, y0, x1, y1 = relaid
            canvas.img[y0:y1, x0:x1] = under.img[y0:y1, x0:x1]
        stay = _staying(previous, inks, [relaid] if relaid else [])
        undo = [p for p in previous if id(p) not in stay]
        draw = [p for p in inks if id(p) not in stay]
        for p in undo:   # the picture under the frames comes back where the last frame's inks were
            if p.flat is None:
                x0, y0, x1, y1 = p.box
                canvas.img[y0:y1, x0:x1] = under.img[y0:y1, x0:x1]
            else:
                after[p.at] = before[p.at]
        canvas.paint(draw)
        yield Frame(canvas.img.copy() if copy else canvas.img,
                    (0, 0, w, h) if i == 0 else _union([p.box for p in draw + undo] + ([relaid] if relaid else [])),
                    int(frame.get("ms", 1000)),
                    restored=tuple((p.box, p.flat) for p in undo),
                    inked=tuple((p.box, p.flat) for p in draw),
                    fills=tuple(p.box for p in draw if p.filled),
                    base=under.img.copy() if i == 0 else None,
                    relaid=((relaid, under.img[relaid[1]:relaid[3], relaid[0]:relaid[2]].copy()),) if relaid else ())
        previous = inks


def _staying(previous: list[Ink], inks: list[Ink], relaid: list) -> set[int]:
    """The inks (by id) that the last frame painted, this frame paints again, and
    nothing undone, repainted or relaid under them overlaps: they can stay as they are."""
    if len(set(map(id, previous)) & set(map(id, inks))) < STAY_WORTH:
        return set()
    then, now = Counter(map(id, previous)), Counter(map(id, inks))
    same = [p for p in inks if now[id(p)] == then[id(p)]]
    moving = [p.box for p in previous if now[id(p)] != then[id(p)]] + [p.box for p in inks if now[id(p)] != then[id(p)]] + relaid
    boxes, keep = np.array([p.box for p in same]), np.ones(len(same), bool)
    while moving:   # anything overlapping what moves has to move too
        m = np.array(moving)
        hit = keep & ((boxes[:, None, 0] < m[None, :, 2]) & (m[None, :, 0] < boxes[:, None, 2])
                      & (boxes[:, None, 1] < m[None, :, 3]) & (m[None, :, 1] < boxes[:, None, 3])).any(axis=1)
        keep &= ~hit
        moving = boxes[hit].tolist()
    return {id(p) for p, k in zip(same, keep) if k}

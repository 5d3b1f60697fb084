"""Network -> scene: the layers' maps stacked, in the single-layer scene's visual language.

Map 0 (the input) lies at the bottom, each layer's output above the map it reads
(slanted), or to its right (flat). A map that a gathering layer reads is drawn as that
layer's canvas (padding dashed, inserted zeros white), as the single-layer scene
draws its input; the last map, and the input of a scatter-view layer, plainly.

Frames walk layers[0]'s steps, then layers[1]'s, ...: the window's taps tinted on the
map it reads, its output cell on the map above, four connectors between them. A last
frame shows the dependency cone of the last map's centre cell: every cell of every map
below that it reads (exact, composed from the taps) and the recurrence's box, dashed.

Cell polygons are named `m{map}:{c}:{y}:{x}` in that map's own coordinates (hover asks
/api/v1/network/field about exactly that cell); canvas cells that are not the map's
(padding, inserted zeros) are `pad{map}:{c}:{row}:{col}`. `meta.maps` gives each map's
placement so a browser can draw boxes in map coordinates (the theoretical field).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.engine import SpecError, naming
from app.engine.contract import Text
from app.engine.network import Network, dependency_field

from . import layout as lay
from .caps import MAX_FRAME_PIXELS, MAX_FRAMES, MAX_TOTAL_PIXELS
from .options import MIN_SCALE, RenderOptions, build_options
from .styles import Styles
from .palette import PALETTES, mix
from .scene import CONNECTOR, DASH, FONT, LINE, frame_steps, runs_of
from .words import say

REAL = "i"   # canvas kind of a cell that is the map's own
DRAWN_OPTIONS = ("labels", "layout", "palette", "scale", "ms", "granularity")   # numbers mode is not drawn for networks
CHOSEN = ("granularity", "scale")   # chosen per network when not given (network_options)
STEP_FRAMES = 100   # more frames than this at granularity=step: a row per frame by default (a quick page, a small GIF)
SCALES = (1.0, 0.75, 0.5, 0.35, MIN_SCALE)   # default scales tried, largest first


class _Map:
    """One map as drawn: its grid (a canvas, or the map itself) and where each map cell sits on it."""

    def __init__(self, index: int, shape: tuple[int, int, int], trace=None):
        self.index, self.shape = index, shape
        c, h, w = shape
        if trace is not None and trace.spec.view != "scatter":
            kinds = trace.canvas.kinds
            self.kinds = kinds
            self.grid = kinds.shape
            real = np.argwhere(kinds == REAL)
            src = trace.canvas.source[kinds == REAL]
            self.at = np.zeros((h * w, 2), int)
            self.at[src] = real          # map cell (flat y*w+x) -> (row, col) on the canvas
        else:
            self.kinds = np.full((h, w), REAL)
            self.grid = (h, w)
            self.at = np.stack(np.divmod(np.arange(h * w), w), axis=1)
        self.canvas = trace is not None and trace.spec.view != "scatter"
        self.slices: list[lay.Slice] = []
        # the map's own cells sit at a constant offset on the grid (no inserted zeros): boxes can be drawn
        rows, cols = self.at[:, 0].reshape(h, w), self.at[:, 1].reshape(h, w)
        even = (rows - np.arange(h)[:, None] == rows[0, 0]).all() and (cols - np.arange(w)[None, :] == cols[0, 0]).all()
        self.offset = (int(rows[0, 0]), int(cols[0, 0])) if even else None
        self._names = {(r, q): divmod(i, w) for i, (r, q) in enumerate(self.at.tolist())}   # grid cell -> (y, x)

    def cell_of(self, flat_in_map: int) -> tuple[int, int, int]:
        """(c, row, col) on the grid of map cell `flat` ([C][H][W] order)."""
        c, rest = divmod(int(flat_in_map), self.shape[1] * self.shape[2])
        r, q = self.at[rest]
        return c, int(r), int(q)

    def name(self, c: int, r: int, q: int) -> str:
        yx = self._names.get((r, q))
        return f"m{self.index}:{c}:{yx[0]}:{yx[1]}" if yx is not None else f"pad{self.index}:{c}:{r}:{q}"


def frame_plan(net: Network, granularity: str) -> list[tuple[int, int]]:
    """(layer, step) shown by each frame before the cone: every layer's steps in order."""
    return [(k, s) for k, t in enumerate(net.traces) for s in frame_steps(t, granularity)]


def check_network_frames(net: Network, options: RenderOptions) -> int:
    """The raster writers' frame cap, with the way under it (as the single-layer check says it)."""
    frames = len(frame_plan(net, options.granularity)) + 1
    if frames > MAX_FRAMES:
        rows = len(frame_plan(net, "row")) + 1
        hint = (Text(f"use granularity=row ({rows:,} frames)", f"请使用 granularity=row（{rows:,} 帧）")
                if options.granularity == "step" and rows <= MAX_FRAMES else Text("use a smaller input or fewer layers", "请使用更小的输入或更少的层"))
        raise SpecError("granularity", "too_many_frames", frames=frames, high=MAX_FRAMES, hint=hint)
    return frames


def network_scene(net: Network, given: dict, raster: bool = False, still: int | None = None) -> tuple[dict, RenderOptions]:
    """The scene with the options given and, for granularity and scale when not given, the finest frames
    that keep the page quick and the largest scale whose GIF is within the caps: every default download works.
    For a raster writer the frame cap is checked before anything is drawn. `still`: only that frame (the
    last if there are fewer, `meta.still`) is drawn and kept, in the whole scene's picture (see _NetBuilder.only)."""
    options = build_options(given)
    if "granularity" not in given:
        options = replace(options, granularity="step" if len(frame_plan(net, "step")) + 1 <= STEP_FRAMES else "row")
    if raster:
        check_network_frames(net, options)
    count = len(frame_plan(net, options.granularity)) + 1
    if "scale" not in given and count <= MAX_FRAMES:   # else no GIF at any scale
        scene = build_network_scene(net, replace(options, scale=SCALES[0]), still)
        options = replace(options, scale=fitting_scale(scene, SCALES[0], count) or MIN_SCALE)
        if options.scale != SCALES[0]:
            scene = build_network_scene(net, options, still)
    else:
        scene = build_network_scene(net, options, still)
    if still is not None:   # that frame, and the polygons of the cells drawn (every cell's comes with the whole scene)
        scene["meta"]["still"] = min(still, count - 1)
        scene["frames"] = scene["frames"][scene["meta"]["still"]:][:1]
        named = {item["poly"] for item in scene["base"] + scene["timed"] + scene["frames"][0]["items"] if "poly" in item}
        scene["polys"] = {k: v for k, v in scene["polys"].items() if k in named}
    return scene, options


def fitting_scale(scene: dict, scale: float, frames: int | None = None) -> float | None:
    """The largest of SCALES at which this scene (drawn at `scale`; with `frames` frames) is within the pixel caps."""
    frames = frames or len(scene["frames"])
    for s in SCALES:
        # a scene's size is scale * (its page extent and margins) + 2 px, rounded: bounded from above
        w, h = (s / scale * (scene[k] - 1.5) + 2.5 for k in ("width", "height"))
        if w * h <= MAX_FRAME_PIXELS and w * h * frames <= MAX_TOTAL_PIXELS:
            return s
    return None


def check_network_pixels(net: Network, scene: dict, options: RenderOptions) -> None:
    """The raster writers' pixel caps, with the way under them: a smaller scale, else rows, else a smaller network."""
    w, h, frames = scene["width"], scene["height"], len(scene["frames"])
    if w * h <= MAX_FRAME_PIXELS and w * h * frames <= MAX_TOTAL_PIXELS:
        return
    scale = fitting_scale(scene, options.scale)
    rows = len(frame_plan(net, "row")) + 1
    if scale is not None and scale < options.scale:
        hint = Text(f"use scale={scale}", f"请使用 scale={scale}")
    elif options.granularity == "step" and (fits := fitting_scale(scene, options.scale, rows)) is not None:
        hint = Text(f"use granularity=row and scale={fits}", f"请使用 granularity=row 和 scale={fits}")
    else:
        hint = Text("use a smaller input or fewer layers", "请使用更小的输入或更少的层")
    raise SpecError("scale", "network_too_large", size=f"{w}x{h}", frames=frames, total=w * h * frames,
                    frame_high=MAX_FRAME_PIXELS, high=MAX_TOTAL_PIXELS, hint=hint)


def build_network_scene(net: Network, options: RenderOptions, still: int | None = None) -> dict:
    builder = _NetBuilder(net, options)
    if still is not None:
        plan = frame_plan(net, options.granularity)
        builder.only = tuple(plan[still]) if still < len(plan) else ()   # () : the cone alone
    return builder.scene()


class _NetBuilder:
    # a still (a quick first paint): the one (layer, step) whose window is drawn; the other frames keep
    # their caption, whose text sizes the canvas, so the picture is the whole scene's (the cone is always drawn)
    only: tuple | None = None

    def __init__(self, net: Network, options: RenderOptions):
        self.net, self.o = net, options
        self.pal = PALETTES[options.palette]
        traces = net.traces
        self.maps = [_Map(k, m.shape, traces[k] if k < len(traces) else None) for k, m in enumerate(net.maps)]
        self.styles = Styles(options.scale)
        self.cells: list[tuple[list[str], np.ndarray]] = []   # (cell names, their corners [n][4][2]) per slice
        self.texts: list = []
        self._place()

    # -- placement ---------------------------------------------------------------
    def _place(self) -> None:
        """Slanted: each map above the one it comes from, centred on it; flat: left to right."""
        project = lay.slanted if self.o.layout == "slanted" else lay.flat
        y = 0.0
        x_flat = 0.0
        for m in self.maps:
            c, (rows, cols) = m.shape[0], m.grid
            if self.o.layout == "slanted":
                step = cols + 0.7 * rows + lay.GAP
                width = (c - 1) * step + cols - 0.7 * rows   # the row of slices, left edge of slice 0 at 0
                x0 = -width / 2
                m.slices = [lay.Slice(rows, cols, (x0 + i * step, y), project) for i in range(c)]
                y += 0.5 * cols + 0.65 * rows - 0.15 * max(rows, cols) + 1   # the single-layer scene's lift
            else:
                height = c * rows + (c - 1) * lay.GAP
                m.slices = [lay.Slice(rows, cols, (x_flat, height / 2 - (i + 1) * rows - i * lay.GAP), project) for i in range(c)]
                x_flat += cols + lay.FLAT_GAP + 1

    # -- styles --------------------------------------------------------------------
    def style(self, name: str, **look) -> str:
        return self.styles.add(name, **look)

    def fill_of(self, m: _Map, c: int) -> str:
        """Input cells in the input colour, every later map in the output colour (as the single-layer scene)."""
        return self.style("in", fill=self.pal.input) if m.index == 0 else self.style("out", fill=self.pal.output)

    # -- the static picture ----------------------------------------------------------
    def base(self) -> list:
        fills, lines = [], []
        p = self.pal
        grid = self.style("grid", stroke=p.outline, width=LINE)
        dashed = self.style("dashed", stroke=p.outline, width=LINE, dash=list(DASH))
        dotted = self.style("dotted", stroke=p.hatch, width=1.0, dash=[1.5, 3.0])
        for m in self.maps:
            for c, sl in enumerate(m.slices):
                own = self.fill_of(m, c)
                copy = self.style(f"copy{own}", fill=mix(self.styles[own]["fill"], "#ffffff", 0.6))   # copied padding: pale own colour
                self.cells.append(([m.name(c, r, q) for r in range(sl.rows) for q in range(sl.cols)], _corners(sl)))
                # fills: runs of real cells per row as one polygon (white padding is the background)
                for r in range(sl.rows):
                    for q0, q1, kind in runs_of(m.kinds[r].tolist()):
                        if kind == REAL:
                            fills.append({"points": sl.box(r, q0, r, q1 - 1), "style": own})
                        elif kind == "p" and self.net.specs[m.index].padding_mode not in ("zeros", "partial"):
                            fills.append({"points": sl.box(r, q0, r, q1 - 1), "style": copy})
                lines += self.grid_lines(sl, m.kinds, {3: grid, 2: dashed, 1: dotted})
        return fills + lines

    @staticmethod
    def grid_lines(sl: lay.Slice, kinds: np.ndarray, looks: dict) -> list:
        """Cell borders as long runs: solid next to the map's cells, dashed between padding, dotted beyond."""
        rank = np.vectorize({"i": 3, "p": 2, "z": 2, "c": 2, "x": 1}.get)(kinds)
        R, C = rank.shape
        padded = np.zeros((R + 2, C + 2), int)
        padded[1:-1, 1:-1] = rank
        horizontal = np.maximum(padded[:-1, 1:-1], padded[1:, 1:-1])
        vertical = np.maximum(padded[1:-1, :-1], padded[1:-1, 1:])
        out = []
        for b in range(R + 1):
            for q0, q1, k in runs_of(horizontal[b].tolist()):
                if k:
                    out.append((k, {"line": [sl.point(q0, R - b), sl.point(q1, R - b)], "style": looks[k]}))
        for b in range(C + 1):
            for r0, r1, k in runs_of(vertical[:, b].tolist()):
                if k:
                    out.append((k, {"line": [sl.point(b, R - r0), sl.point(b, R - r1)], "style": looks[k]}))
        out.sort(key=lambda pair: pair[0])
        return [item for _, item in out]

    def labels(self) -> list:
        """Each map's name to its right: the input's size, then each layer's operation and output size."""
        lang = self.o.lang
        label = self.style("label", fill=self.pal.text, font=FONT["label"], anchor="lm")
        items = []
        for m in self.maps:
            c, h, w = m.shape
            channels = say("channels", lang, n=c) if c > 1 else ""
            if m.index == 0:
                text = say("input", lang, h=h, w=w) + channels
            else:
                text = f"layers[{m.index - 1}] {naming.title(self.net.specs[m.index - 1])}: " + say("output", lang, h=h, w=w) + channels
            pts = [p for s in m.slices for p in s.outline()]
            right = max(x for x, _ in pts)
            middle = (min(y for _, y in pts) + max(y for _, y in pts)) / 2
            items.append(self.text((right + 0.6, middle), text, label))
        return items

    def text(self, at, text: str, style: str) -> dict:
        item = {"text": text, "at": at, "style": style}
        self.texts.append(item)
        return item

    # -- frames ----------------------------------------------------------------------
    def frames(self) -> list:
        p = self.pal
        self.tap = self.style("tap", fill=p.tint, opacity=p.tint_opacity)
        self.edge = self.style("tap_edge", fill=None, stroke=p.outline, width=LINE)
        self.current = self.style("current", fill=p.tint, opacity=p.tint_opacity)
        self.line = self.style("connector", stroke=p.connector, width=CONNECTOR)
        self.winner = self.style("winner", fill=None, stroke=p.winner, width=2.5)
        self.caption = self.style("caption", fill=p.text, font=FONT["title"], anchor="ls", bold=True)
        self.titles = [f"layers[{k}]  {naming.title(spec)}" for k, spec in enumerate(self.net.specs)]
        frames = []
        span = {k: (1 if self.o.granularity == "step" else t.step_shape[2]) for k, t in enumerate(self.net.traces)}
        for k, s in frame_plan(self.net, self.o.granularity):
            sweep = list(range(s - span[k] + 1, s + 1))
            frames.append({"ms": self.o.ms, "items": self.window(k, sweep)})
        frames.append({"ms": 2 * self.o.ms, "items": self.cone()})
        return frames

    def window(self, k: int, sweep: list[int]) -> list:
        """One step (or a row's sweep) of layers[k]: the cells it reads, the cells it writes, connectors."""
        if self.only is not None and (k, sweep[-1]) != self.only:
            return [self.caption_item(k)]
        t, low, high = self.net.traces[k], self.maps[k], self.maps[k + 1]
        if t.spec.view == "scatter":   # one input cell stamps the kernel into the output
            reads = [low.cell_of(t.step_index[s]) for s in sweep]
            writes = {high.cell_of(i) for s in sweep for i in t.tap_tensor[s][t.tap_tensor[s] >= 0].tolist()}
            items = self.tint(low, reads, self.current) + self.tint(high, sorted(writes), self.tap)
            return items + self.connect(low, reads, high, sorted(writes)) + [self.caption_item(k)]
        rows, cols = low.grid
        taps = np.unique(np.concatenate([t.tap_canvas[s][t.tap_canvas[s] >= 0] for s in sweep]))
        tc, rest = np.divmod(taps, rows * cols)
        reads = list(zip(tc.tolist(), *[a.tolist() for a in np.divmod(rest, cols)]))
        writes = [high.cell_of(t.step_index[s]) for s in sweep]
        items = self.tint(low, reads, self.tap)
        items += [{"poly": low.name(c, r, q), "style": self.edge} for c, r, q in reads if low.kinds[r, q] != REAL]
        if t.winner is not None:
            for s in sweep:
                if np.isfinite(t.step_value[s]):
                    c, rest2 = divmod(int(t.tap_canvas[s][int(t.winner[s])]), rows * cols)
                    items.append({"poly": low.name(c, *divmod(rest2, cols)), "style": self.winner})
        items += self.tint(high, writes, self.current)
        return items + self.connect(low, reads, high, writes) + [self.caption_item(k)]

    def tint(self, m: _Map, cells: list, style: str) -> list:
        """Cells tinted: a solid rectangle of cells as one polygon (no seams), else cell by cell."""
        items = []
        for c in sorted({c for c, _, _ in cells}):
            mine = [(r, q) for cc, r, q in cells if cc == c]
            rs, qs = [r for r, _ in mine], [q for _, q in mine]
            r0, r1, q0, q1 = min(rs), max(rs), min(qs), max(qs)
            if len(set(mine)) == (r1 - r0 + 1) * (q1 - q0 + 1):
                items.append({"points": m.slices[c].box(r0, q0, r1, q1), "style": style})
            else:
                items += [{"poly": m.name(c, r, q), "style": style} for r, q in sorted(set(mine))]
        return items

    def connect(self, low: _Map, reads: list, high: _Map, writes: list) -> list:
        """Four lines from each channel's footprint corners to the written cells' corners (slanted only),
        hidden where they pass under the map they end on."""
        if self.o.layout != "slanted" or not reads or not writes:
            return []
        wc = writes[0][0]
        ws = [(r, q) for c, r, q in writes if c == wc]
        top = high.slices[wc].box(min(r for r, _ in ws), min(q for _, q in ws), max(r for r, _ in ws), max(q for _, q in ws))
        quads = [high.slices[wc].outline()]
        items = []
        for c in sorted({c for c, _, _ in reads}):
            mine = [(r, q) for cc, r, q in reads if cc == c]
            bottom = low.slices[c].box(min(r for r, _ in mine), min(q for _, q in mine), max(r for r, _ in mine), max(q for _, q in mine))
            for a, b in zip(bottom, top):
                end = lay.clip_outside(a, b, quads)
                if end is not None:
                    items.append({"line": [a, end], "style": self.line})
        return items

    def caption_item(self, k: int) -> dict:
        return self.text(self.caption_at, self.titles[k], self.caption)

    def cone(self) -> list:
        """The last map's centre cell, every cell below that it depends on, and the recurrence's box (dashed)."""
        last = self.maps[-1]
        _, h, w = last.shape
        cell = [0, h // 2, w // 2]
        field = dependency_field(self.net, last.index, cell)
        items = []
        for entry in field["below"]:
            m = self.maps[entry["map"]]
            cells = [m.cell_of(np.ravel_multi_index(tuple(c), m.shape)) for c in entry["cells"]]
            items += self.tint(m, cells, self.current if entry["map"] == last.index else self.tap)
        box = field["theoretical_box"]
        first = self.maps[0]
        if box is not None and first.offset is not None:
            outline = self.style("theory", fill=None, stroke=self.pal.winner, width=2.0, dash=[5.0, 3.0])
            r0, q0 = first.offset
            for sl in first.slices:
                rows = sl.rows
                y_top, y_bot = rows - (r0 + box["top"]), rows - (r0 + box["bottom"]) - 1
                x_l, x_r = q0 + box["left"], q0 + box["right"] + 1
                items.append({"points": [sl.point(x_l, y_top), sl.point(x_r, y_top), sl.point(x_r, y_bot), sl.point(x_l, y_bot)], "style": outline})
        text = say("cone", self.o.lang, c=cell[0], y=cell[1], x=cell[2])
        items.append(self.text(self.caption_at, text, self.caption))
        return items

    # -- assembly ------------------------------------------------------------------------
    def scene(self) -> dict:
        pts = [p for m in self.maps for s in m.slices for p in s.outline()]
        # captions above everything (slanted) or below (flat)
        self.caption_at = (min(x for x, _ in pts), max(y for _, y in pts) + 1.2)
        base = self.base()
        if self.o.labels:
            base += self.labels()
        frames = self.frames()
        corners = np.concatenate([block for _, block in self.cells]).reshape(-1, 2)
        points = np.concatenate([corners, np.asarray(self.text_extents(), float).reshape(-1, 2)]).tolist()
        points += [pt for f in frames for item in f["items"] if "points" in item for pt in item["points"]]
        px = lay.Pixels(points, self.o.scale)
        names = [name for block, _ in self.cells for name in block]
        polys = dict(zip(names, np.asarray(px.many(corners.tolist())).reshape(-1, 4, 2).tolist()))
        lists = [(item, key) for item in base + [i for f in frames for i in f["items"]] for key in ("line", "points") if key in item]
        done = px.many([p for owner, key in lists for p in owner[key]] + [t["at"] for t in self.texts])
        start = 0
        for owner, key in lists:
            n = len(owner[key])
            owner[key], start = done[start:start + n], start + n
        for item, at in zip(self.texts, done[start:]):
            item["at"] = at
        return {
            "width": px.width, "height": px.height, "background": "#ffffff",
            "styles": self.styles, "polys": polys, "base": base, "timed": [], "frames": frames,
            "meta": {"network": True, "options": {k: getattr(self.o, k) for k in CHOSEN}, "steps": [list(ks) for ks in frame_plan(self.net, self.o.granularity)] + [None],
                     "maps": [self.map_meta(m, px) for m in self.maps]},
        }

    def map_meta(self, m: _Map, px: lay.Pixels) -> dict:
        """Where a map lies in pixels: grid point (x, y) of slice c is origin + x*ex + y*ey (y up, rows from the top)."""
        slices = []
        for sl in m.slices:
            o, ex, ey = px.many([sl.point(0, 0), sl.point(1, 0), sl.point(0, 1)])
            slices.append({"origin": o, "ex": [ex[0] - o[0], ex[1] - o[1]], "ey": [ey[0] - o[0], ey[1] - o[1]]})
        return {"map": m.index, "shape": list(m.shape), "grid": list(m.grid), "offset": None if m.offset is None else list(m.offset), "slices": slices}

    def text_extents(self) -> list:
        """Rough page-unit boxes of the texts, so the canvas grows to hold them (CJK glyphs are square)."""
        from .text import is_cjk

        pts = []
        for item in {(t["text"], t["style"], tuple(t["at"])): t for t in self.texts}.values():   # a caption repeats per frame
            style = self.styles[item["style"]]
            size = style.get("font", 12) / self.o.scale / lay.CELL
            width = 0.56 * size * (len(item["text"]) + 0.8 * sum(map(is_cjk, item["text"])))
            x, y = item["at"]
            anchor = style.get("anchor", "mm")
            left = {"l": x, "m": x - width / 2, "r": x - width}[anchor[0]]
            top = {"t": y, "m": y + size / 2, "s": y + size, "b": y + size}.get(anchor[1], y)
            pts += [(left, top), (left + width, top - size * 1.2)]
        return pts


def _corners(sl: lay.Slice) -> np.ndarray:
    """Every cell's corners as Slice.cell gives them one at a time, [rows * cols][4][2], at once."""
    q, top = np.meshgrid(np.arange(sl.cols), sl.rows - np.arange(sl.rows))
    x, y = sl.project(np.stack([q, q + 1, q + 1, q], -1), np.stack([top, top, top - 1, top - 1], -1))
    return np.stack([x + sl.origin[0], y + sl.origin[1]], -1).reshape(-1, 4, 2)

"""Network -> scene: the layers' maps stacked, in the single-layer scene's visual language.

Map 0 (the input) lies at the bottom, each layer's output above the map it reads
(slanted), or to its right (flat). A map that a gathering layer reads is drawn as that
layer's canvas (padding dashed, inserted zeros white), as the single-layer scene
draws its input; a map a scatter-view layer writes, on that layer's full grid (the
cells its padding crops dashed), as the single-layer scatter view draws it; else plainly.
Each trace sees its maps through views (its own canvas coordinates -> the map's grid).

Frames walk layers[0]'s steps, then layers[1]'s, ...: the window's taps tinted on the
map it reads, its output cell on the map above, four connectors between them. A last
frame shows the dependency cone of the last map's centre cell: every cell of every map
below that it reads (exact, composed from the taps) and the recurrence's box, dashed.

Numbers mode is the single-layer scene's, drawn by one single-layer builder per layer
(scene._Builder) that sees the network's grids through the views: values in the cells,
the weights and running sum of the current step, finished outputs as timed items.

Cell polygons are named `m{map}:{c}:{y}:{x}` in that map's own coordinates (hover asks
/api/v1/network/field about exactly that cell); canvas cells that are not the map's
(padding, inserted zeros) are `pad{map}:{c}:{row}:{col}`. `meta.maps` gives each map's
placement so a browser can draw boxes in map coordinates (the theoretical field).
"""

from __future__ import annotations

import copy
import functools
import weakref

from dataclasses import replace

import numpy as np

from app.engine import SpecError, naming
from app.engine.contract import Text
from app.engine.network import Network, dependency_field, theoretical_box

from . import layout as lay
from .caps import MAX_FRAME_PIXELS, MAX_FRAMES, MAX_TOTAL_PIXELS
from .options import MIN_SCALE, RenderOptions, build_options
from .styles import Styles
from .palette import PALETTES, mix
from .scene import CONNECTOR, DASH, FONT, LINE, _Builder, _grouped, _lifetime, frame_steps, in_pixels
from .text import baselines as text_baselines
from .text import is_cjk
from .words import say

REAL = "i"   # canvas kind of a cell that is the map's own
DRAWN_OPTIONS = ("labels", "numbers", "layout", "palette", "scale", "ms", "granularity")
CHOSEN = ("granularity", "scale")   # chosen per network when not given (network_options)
STEP_FRAMES = 100   # more frames than this at granularity=step: a row per frame by default (a quick page, a small GIF)
SCALES = (1.0, 0.75, 0.5, 0.35, MIN_SCALE)   # default scales tried, largest first
LABEL_LINE = 1.3 * FONT["label"] / lay.CELL   # page units from one line of a label to the next


class _Map:
    """One map as drawn: its grid (a canvas, or the map itself) and where each map cell sits on it.
    `owner` is (role, layer) of the trace whose canvas the grid is ("read"/"write"), or None."""

    def __init__(self, index: int, shape: tuple[int, int, int], kinds: np.ndarray, source: np.ndarray, owner):
        self.index, self.shape, self.owner = index, shape, owner
        c, h, w = shape
        self.kinds, self.grid = kinds, kinds.shape
        real = np.argwhere(kinds == REAL)
        self.at = np.zeros((h * w, 2), int)
        self.at[source[kinds == REAL]] = real          # map cell (flat y*w+x) -> (row, col) on the grid
        self.slices: list[lay.Slice] = []
        # the map's own cells sit at a constant offset on the grid (no inserted zeros): boxes can be drawn
        rows, cols = self.at[:, 0].reshape(h, w), self.at[:, 1].reshape(h, w)
        even = (rows - np.arange(h)[:, None] == rows[0, 0]).all() and (cols - np.arange(w)[None, :] == cols[0, 0]).all()
        self.offset = (int(rows[0, 0]), int(cols[0, 0])) if even else None
        found = np.full(self.grid, -1)
        found[self.at[:, 0], self.at[:, 1]] = np.arange(h * w)
        self._cell_at = found.tolist()   # grid cell -> its map cell y*w+x, or -1 (lists: quicker than a dict to make)

    def cells_of(self, cells: list) -> list[tuple[int, int, int]]:
        """(c, row, col) on the grid of each map cell [c, y, x], at once."""
        cyx = np.asarray(cells, int).reshape(-1, 3)
        rq = self.at[cyx[:, 1] * self.shape[2] + cyx[:, 2]]
        return list(zip(cyx[:, 0].tolist(), rq[:, 0].tolist(), rq[:, 1].tolist()))

    def name(self, c: int, r: int, q: int) -> str:
        i = self._cell_at[r][q] if self.on_grid(r, q) else -1
        return f"m{self.index}:{c}:{i // self.shape[2]}:{i % self.shape[2]}" if i >= 0 else f"pad{self.index}:{c}:{r}:{q}"

    def on_grid(self, r: int, q: int) -> bool:
        return 0 <= r < self.grid[0] and 0 <= q < self.grid[1]

    def place(self, flat: np.ndarray) -> np.ndarray:
        """[rows][cols][2] grid cells of another grid whose cells hold map cells `flat` (y*w+x, -1 for
        none): a map cell where the map has it, any other cell as far from the first map cell as there."""
        real = flat >= 0
        pos = np.zeros(flat.shape + (2,), int)
        pos[real] = self.at[flat[real]]
        (r0, q0), (R0, Q0) = np.argwhere(real)[0], pos[real][0]
        rr, qq = np.indices(flat.shape)
        pos[~real] = np.stack([rr - r0 + R0, qq - q0 + Q0], -1)[~real]
        return pos


_MADE_MAPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # network -> its maps, unplaced


def _maps(net: Network) -> list[_Map]:
    """The network's maps, each a builder's own to place (copies: the grids are shared, made once per network)."""
    made = _MADE_MAPS.get(net)
    if made is None:
        made = _MADE_MAPS[net] = _made_maps(net)
    return [copy.copy(m) for m in made]


def _made_maps(net: Network) -> list[_Map]:
    """Each map on the grid it is drawn as: the canvas of the layer reading it when that canvas grows it
    (padding, inserted zeros), else the full grid of a scatter-view layer writing it, else itself."""
    out, traces = [], net.traces
    for k, m in enumerate(net.maps):
        c, h, w = m.shape
        reader = traces[k] if k < len(traces) else None
        writer = traces[k - 1] if k else None
        if reader is not None and reader.spec.view != "scatter" and (reader.canvas.kinds != REAL).any():
            kinds, source, owner = reader.canvas.kinds, reader.canvas.source, ("read", k)
        elif writer is not None and writer.spec.view == "scatter":
            kinds = np.where(writer.canvas.kinds == "o", REAL, writer.canvas.kinds)
            source, owner = writer.canvas.source, ("write", k - 1)
        else:
            kinds, source, owner = np.full((h, w), REAL), np.arange(h * w).reshape(h, w), None
        out.append(_Map(k, m.shape, kinds, source, owner))
    return out


class _Views(dict):
    """layer -> builder.trace_views(layer), made on first use."""

    def __init__(self, builder):
        super().__init__()
        self.builder = builder

    def __missing__(self, k: int):
        self[k] = self.builder.trace_views(k, self.builder.net.traces[k])
        return self[k]


class _View:
    """A trace's own grid (its canvas, or a plain map) where the network draws it: cell (r, q) of
    the view is cell where[r][q] of the map's grid. Reads as a lay.Slice to scene._Builder."""

    def __init__(self, sl: lay.Slice, where: list):
        self.sl, self.where = sl, where
        self.rows, self.cols, self.project = len(where), len(where[0]), sl.project

    def cell(self, r: int, q: int):
        return self.sl.cell(*self.where[r][q])

    def centre(self, r: int, q: int):
        return self.sl.centre(*self.where[r][q])


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
    For a raster writer the frame and pixel caps are checked before the whole scene is drawn. `still`: only
    that frame (the last if there are fewer, `meta.still`) is drawn and kept, in the whole scene's picture
    (see _NetBuilder.only). The sizes are measured without drawing (scene_size), except in numbers mode."""
    options = build_options(given)
    if "granularity" not in given:
        options = replace(options, granularity="step" if len(frame_plan(net, "step")) + 1 <= STEP_FRAMES else "row")
    if raster:
        check_network_frames(net, options)
    count = len(frame_plan(net, options.granularity)) + 1
    probe = None   # numbers mode: the still that sized the scale, kept while the scale is its own
    if "scale" not in given and count <= MAX_FRAMES:   # else no GIF at any scale
        first = replace(options, scale=SCALES[0])
        probe = build_network_scene(net, first, still or 0) if options.numbers else None
        size = (probe["width"], probe["height"]) if probe else scene_size(net, first)
        options = replace(options, scale=fitting_scale(size, SCALES[0], count) or MIN_SCALE)
        probe = probe if options.scale == SCALES[0] else None
    if raster:
        check_network_pixels(net, (probe["width"], probe["height"]) if probe else scene_size(net, options), options, count)
    scene = probe if probe and still is not None else build_network_scene(net, options, still)
    if still is not None:   # that frame (the builder kept the polygons of the cells it draws)
        scene["meta"]["still"] = min(still, count - 1)
        scene["frames"] = scene["frames"][scene["meta"]["still"]:][:1]
    return scene, options


def scene_size(net: Network, options: RenderOptions) -> tuple[int, int]:
    """The scene's width and height in pixels: measured without drawing, except in numbers mode, whose
    running sums size the canvas too (there a still, the first frame, is drawn: it holds every frame's running sum)."""
    if options.numbers:
        scene = build_network_scene(net, options, 0)
        return scene["width"], scene["height"]
    return _NetBuilder(net, options).size()


def fitting_scale(size: tuple[int, int], scale: float, frames: int) -> float | None:
    """The largest of SCALES at which a scene of `size` pixels at `scale`, with `frames` frames, is within the pixel caps."""
    for s in SCALES:
        # a scene's size is scale * (its page extent and margins) + 2 px, rounded: bounded from above
        w, h = (s / scale * (n - 1.5) + 2.5 for n in size)
        if w * h <= MAX_FRAME_PIXELS and w * h * frames <= MAX_TOTAL_PIXELS:
            return s
    return None


def check_network_pixels(net: Network, size: tuple[int, int], options: RenderOptions, frames: int) -> None:
    """The raster writers' pixel caps for `frames` frames of a scene of `size`, with the way under them:
    a smaller scale, else rows, else a smaller network."""
    w, h = size
    if w * h <= MAX_FRAME_PIXELS and w * h * frames <= MAX_TOTAL_PIXELS:
        return
    scale = fitting_scale(size, options.scale, frames)
    rows = len(frame_plan(net, "row")) + 1
    if scale is not None and scale < options.scale:
        hint = Text(f"use scale={scale}", f"请使用 scale={scale}")
    elif options.granularity == "step" and (fits := fitting_scale(size, options.scale, rows)) is not None:
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
        builder.kept = min(still, len(plan))
    return builder.scene()


class _NetBuilder:
    # a still (a quick first paint): the one (layer, step) whose window is drawn; the other frames keep
    # their caption, whose text sizes the canvas, so the picture is the whole scene's (the cone is always drawn).
    # Only the polygons of the cells that frame (`kept`) draws are made: they are most of a whole scene's work.
    only: tuple | None = None
    kept: int | None = None

    def __init__(self, net: Network, options: RenderOptions):
        self.net, self.o = net, options
        self.pal = PALETTES[options.palette]
        self.maps = _maps(net)
        self.styles = Styles(options.scale)
        self.slices: list[tuple[_Map, int, lay.Slice]] = []   # (map, channel, its slice) as drawn
        self.named: dict[str, tuple[int, int, int, int]] = {}   # poly item name -> (map, channel, row, col), as drawn
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
            else:   # the next map clears this one's label (written under it)
                height = c * rows + (c - 1) * lay.GAP
                m.slices = [lay.Slice(rows, cols, (x_flat, height / 2 - (i + 1) * rows - i * lay.GAP), project) for i in range(c)]
                wide = max(map(_width, self.label_lines(m))) if self.o.labels else 0
                x_flat += max(cols, wide) + lay.FLAT_GAP + 1

    @functools.cached_property
    def views(self) -> _Views:
        """(bottom, top) [rows][cols][2] per layer (see trace_views), each made when first needed: a still
        draws one layer's window, and the scene's size needs none."""
        return _Views(self)

    def trace_views(self, k: int, t) -> tuple[np.ndarray, np.ndarray]:
        """Where layers[k]'s own grids lie on the grids drawn, [rows][cols][2] each: what it reads (its
        canvas; scatter: its input) and what it writes (its output; scatter: its full grid)."""
        low, high = self.maps[k], self.maps[k + 1]
        scatter = t.spec.view == "scatter"
        own = np.stack(np.indices(t.canvas.kinds.shape), -1)
        on_canvas = np.where(t.canvas.kinds == ("o" if scatter else REAL), t.canvas.source, -1)
        plain = lambda h, w: np.arange(h * w).reshape(h, w)  # noqa: E731
        if scatter:
            return low.place(plain(*t.spec.input_size)), own if high.owner == ("write", k) else high.place(on_canvas)
        return own if low.owner == ("read", k) else low.place(on_canvas), high.place(plain(*t.output.shape[1:]))

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
            runs = self.grid_runs(m.kinds)
            for c, sl in enumerate(m.slices):
                own = self.fill_of(m, c)
                copy = self.style(f"copy{own}", fill=mix(self.styles[own]["fill"], "#ffffff", 0.6))   # copied padding: pale own colour
                self.slices.append((m, c, sl))
                # fills: runs of real cells per row as one polygon (white padding is the background)
                for r, q0, q1, kind in _row_runs(m.kinds):
                    if kind == REAL:
                        fills.append({"points": sl.box(r, q0, r, q1 - 1), "style": own})
                    elif kind == "p" and self.net.specs[m.index].padding_mode not in ("zeros", "partial"):
                        fills.append({"points": sl.box(r, q0, r, q1 - 1), "style": copy})
                lines += self.grid_lines(sl, runs, {3: grid, 2: dashed, 1: dotted})
        return fills + lines

    @staticmethod
    def grid_lines(sl: lay.Slice, runs: tuple, looks: dict) -> list:
        """A slice's cell borders, from its map's grid_runs."""
        x0, y0, x1, y1, ranks = runs
        starts, ends = (np.stack(sl.point(x, y), -1).tolist() for x, y in ((x0, y0), (x1, y1)))
        return [{"line": [a, e], "style": looks[n]} for a, e, n in zip(starts, ends, ranks)]

    @staticmethod
    def grid_runs(kinds: np.ndarray) -> tuple:
        """Cell borders as long runs (grid units, the same for every channel of a map): solid next to the
        map's cells, dashed between padding, dotted beyond; x0, y0, x1, y1 and rank (3, 2, 1) of each."""
        rank = np.zeros(kinds.shape, int)
        for kind, n in {"i": 3, "p": 2, "z": 2, "c": 2, "x": 1}.items():
            rank[kinds == kind] = n
        R, C = rank.shape
        padded = np.zeros((R + 2, C + 2), int)
        padded[1:-1, 1:-1] = rank
        horizontal = np.maximum(padded[:-1, 1:-1], padded[1:, 1:-1])
        vertical = np.maximum(padded[1:-1, :-1], padded[1:-1, 1:])
        b, q0, q1, k = _runs(horizontal)                   # horizontal borders: row b, columns q0..q1
        c, r0, r1, k2 = _runs(vertical.T)                  # vertical ones: column c, rows r0..r1
        x0, x1, y0, y1 = (np.concatenate(pair) for pair in ((q0, c), (q1, c), (R - b, R - r0), (R - b, R - r1)))
        ranks = np.concatenate([k, k2])
        shown = np.flatnonzero(ranks)
        shown = shown[np.argsort(ranks[shown], kind="stable")]   # dotted under dashed under solid
        return x0[shown], y0[shown], x1[shown], y1[shown], ranks[shown].tolist()

    def label_lines(self, m: _Map) -> list[str]:
        """A map's name: the input's size, or the layer's operation, then its output's size."""
        lang = self.o.lang
        c, h, w = m.shape
        channels = say("channels", lang, n=c) if c > 1 else ""
        if m.index == 0:
            return [say("input", lang, h=h, w=w) + channels]
        size = say("output", lang, h=h, w=w)
        if m.owner == ("write", m.index - 1) and m.grid != (h, w):   # a scatter view's full grid, cropped
            size += say("cropped", lang, h=m.grid[0], w=m.grid[1])
        return [f"layers[{m.index - 1}] {naming.title(self.net.specs[m.index - 1])}", size + channels]

    def labels(self) -> list:
        """Each map's name: to its right on one line (slanted), under it on two (flat, where the next map is to the right)."""
        slanted = self.o.layout == "slanted"
        label = self.style("label", fill=self.pal.text, font=FONT["label"], anchor="lm" if slanted else "la")
        items = []
        for m in self.maps:
            lines = self.label_lines(m)
            pts = [p for s in m.slices for p in s.outline()]
            if slanted:
                middle = (min(y for _, y in pts) + max(y for _, y in pts)) / 2
                items.append(self.text((max(x for x, _ in pts) + 0.6, middle), ": ".join(lines), label))
                continue
            left, bottom = min(x for x, _ in pts), min(y for _, y in pts) - 0.35
            items += [self.text((left, bottom - n * LABEL_LINE), line, label) for n, line in enumerate(lines)]
        return items

    def text(self, at, text: str, style: str) -> dict:
        item = {"text": text, "at": at, "style": style}
        self.texts.append(item)
        return item

    # -- frames ----------------------------------------------------------------------
    def frame_styles(self) -> None:
        p = self.pal
        self.tap = self.style("tap", fill=p.tint, opacity=p.tint_opacity)
        self.edge = self.style("tap_edge", fill=None, stroke=p.outline, width=LINE)
        self.current = self.style("current", fill=p.tint, opacity=p.tint_opacity)
        self.line = self.style("connector", stroke=p.connector, width=CONNECTOR)
        self.winner = self.style("winner", fill=None, stroke=p.winner, width=2.5)
        self.caption = self.style("caption", fill=p.text, font=FONT["title"], anchor="ls", bold=True)
        self.titles = [f"layers[{k}]  {naming.title(spec)}" for k, spec in enumerate(self.net.specs)]

    def frames(self) -> list:
        self.frame_styles()
        frames = []
        span = {k: (1 if self.o.granularity == "step" else t.step_shape[2]) for k, t in enumerate(self.net.traces)}
        captioned = set()
        for n, (k, s) in enumerate(frame_plan(self.net, self.o.granularity)):
            sweep = list(range(s - span[k] + 1, s + 1))
            if self.only is not None and n != self.kept:
                # a still's other frames are dropped: what of them sizes the canvas is one caption per layer
                # and, in numbers mode, each step's running sum below the picture (the numbers fit in their cells)
                items = [] if k in captioned else [self.caption_item(k)]
                captioned.add(k)
                if self.o.numbers and len(sweep) == 1:
                    items += self.subs[k].step_sum(s)
                frames.append({"ms": self.o.ms, "items": items})
                continue
            items = self.window(k, sweep)
            if self.o.numbers:
                items = self.window_numbers(k, sweep, items)
            frames.append({"ms": self.o.ms, "items": items})
        frames.append({"ms": 2 * self.o.ms, "items": self.cone(drawn=self.kept in (None, len(frames)))})
        return frames

    @staticmethod
    def on(m: _Map, where: np.ndarray, flat, size: tuple[int, int]) -> list:
        """Cells `flat` ([C][rows][cols] order) of a trace's own grid of `size`, as (c, row, col) on m's grid."""
        c, rest = np.divmod(np.asarray(flat, int), size[0] * size[1])
        rr, qq = where[rest // size[1], rest % size[1]].T
        return [(int(a), int(r), int(q)) for a, r, q in zip(c, rr, qq) if m.on_grid(r, q)]

    def window(self, k: int, sweep: list[int]) -> list:
        """One step (or a row's sweep) of layers[k]: the cells it reads, the cells it writes, connectors."""
        if self.only is not None and (k, sweep[-1]) != self.only:
            return [self.caption_item(k)]
        t, low, high = self.net.traces[k], self.maps[k], self.maps[k + 1]
        bottom, top = self.views[k]
        canvas = t.canvas.size
        taps = np.unique(np.concatenate([t.tap_canvas[s][t.tap_canvas[s] >= 0] for s in sweep]))
        if t.spec.view == "scatter":   # one input cell stamps the kernel into the full output grid
            reads = self.on(low, bottom, [t.step_index[s] for s in sweep], t.spec.input_size)
            writes = self.on(high, top, taps, canvas)
            if high.owner != ("write", k):   # its grid is another layer's canvas: the cropped cells are not on it
                writes = [(c, r, q) for c, r, q in writes if high.kinds[r, q] == REAL]
            items = self.tint(low, reads, self.current) + self.tint(high, writes, self.tap)
            return items + self.connect(low, reads, high, writes) + [self.caption_item(k)]
        reads = self.on(low, bottom, taps, canvas)
        writes = self.on(high, top, [t.step_index[s] for s in sweep], t.output.shape[1:])
        items = self.tint(low, reads, self.tap)
        items += [self.poly(low, c, r, q, self.edge) for c, r, q in reads if low.kinds[r, q] != REAL]
        if t.winner is not None:
            for s in sweep:
                if np.isfinite(t.step_value[s]):
                    items += [self.poly(low, *cell, self.winner) for cell in self.on(low, bottom, [t.tap_canvas[s][int(t.winner[s])]], canvas)]
        items += self.tint(high, writes, self.current)
        return items + self.connect(low, reads, high, writes) + [self.caption_item(k)]

    def poly(self, m: _Map, c: int, r: int, q: int, style: str) -> dict:
        """An item drawn on cell (r, q) of channel c of m's grid, by the cell's polygon (kept in `polys`)."""
        name = m.name(c, r, q)
        self.named[name] = (m.index, c, r, q)
        return {"poly": name, "style": style}

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
                items += [self.poly(m, c, r, q, style) for r, q in sorted(set(mine))]
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

    def cone(self, drawn: bool = True) -> list:
        """The last map's centre cell, every cell below that it depends on, and the recurrence's box (dashed);
        not `drawn` (a still of another frame): only what sizes the canvas, the box and the caption."""
        last = self.maps[-1]
        _, h, w = last.shape
        cell = [0, h // 2, w // 2]
        items, numbers = [], []
        below = dependency_field(self.net, last.index, cell)["below"] if drawn else []
        for entry in below:
            m = self.maps[entry["map"]]
            cells = m.cells_of(entry["cells"])
            items += self.tint(m, cells, self.current if entry["map"] == last.index else self.tap)
            if self.o.numbers:
                numbers += [v for c in entry["cells"] if (v := self.value_on_tint(entry["map"], *c)) is not None]
        box = theoretical_box(self.net, last.index, cell)
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
        return items + numbers

    # -- numbers mode (the single-layer scene's, one builder per layer) --------------------
    def layer_builders(self) -> list[_Builder]:
        """scene._Builder per layer, drawing into this scene (its styles and texts) through the views."""
        left, bottom_edge = float(self.outlines[:, 0].min()), float(self.outlines[:, 1].min())
        out = []
        for k, t in enumerate(self.net.traces):
            b = _Builder(t, self.o)
            b.styles, b.texts = self.styles, self.texts
            low, high = self.maps[k], self.maps[k + 1]
            bottom, top = (w.tolist() for w in self.views[k])
            b.layout = lay.Layout([_View(sl, bottom) for sl in low.slices], [_View(sl, top) for sl in high.slices], self.o.layout)
            b.cell_fills = {(role, c): self.colours(m, c, where) for role, m, where in (("in", low, bottom), ("out", high, top))
                            for c in range(len(m.slices))}
            under = 0.35 + 2 * LABEL_LINE if self.o.labels and self.o.layout == "flat" else 0   # below the maps' names
            b.sum_anchor = (left, bottom_edge - 0.6 - under)
            b.off_grid = set()   # where a scatter view's cropped cells would be written on another layer's canvas
            if b.scatter and high.owner != ("write", k):
                for r, q in np.argwhere(t.canvas.kinds != "o").tolist():
                    b.off_grid |= {tuple(sl.centre(r, q)) for sl in b.layout.top} | {tuple(b.weight_at(sl, r, q)) for sl in b.layout.top}
            out.append(b)
        beside = [any(b.weighted and b.t.spec.view == "scatter" for b in out[m - 1:m]) or
                  any(b.weighted and b.t.spec.view != "scatter" for b in out[m:m + 1]) for m in range(len(self.maps))]
        for k, b in enumerate(out):   # a map's values keep clear of weights the same way whoever writes them
            b.beside_weights = lambda sl, kind, b=b, k=k: kind == "value" and beside[k if sl in b.layout.bottom else k + 1]
        return out

    def colours(self, m: _Map, c: int, where: list) -> list:
        """The fill of each cell of a view as drawn: the map's colour, a copied padding's pale one, else white."""
        own = self.styles[self.fill_of(m, c)]["fill"]
        copied = m.index < len(self.net.specs) and self.net.specs[m.index].padding_mode not in ("zeros", "partial")
        look = {REAL: own, "p": mix(own, "#ffffff", 0.6) if copied else "#ffffff"}
        return [[look.get(m.kinds[r, q], "#ffffff") if m.on_grid(r, q) else "#ffffff" for r, q in row] for row in where]

    def base_numbers(self) -> list:
        return self.subs[0].base_numbers()

    def timed(self) -> list:
        """What stays: each layer's finished outputs (or scatter sums) from when they are made to the end,
        and from a layer's first frame the values of its canvas's own cells (padding, inserted zeros)."""
        items, last = [], len(frame_plan(self.net, self.o.granularity))
        for k, b in enumerate(self.subs):
            t, first, n = b.t, self.first_frame[k], len(b.frames_steps)
            if k and t.spec.view != "scatter":
                for r, q in np.argwhere(t.canvas.kinds != REAL).tolist():
                    items += [_lifetime(v, first, last) for c in range(t.canvas.values.shape[0])
                              if (v := b.bottom_value(c, r, q, tinted=False)) is not None]
            for v in b.timed():
                if tuple(v["at"]) not in b.off_grid:
                    items.append(_lifetime(v, v["from"] + first, last if v["to"] == n - 1 else v["to"] + first))
            if t.spec.view != "scatter":   # the outputs of the layer's last frame: that frame draws them, then these
                made = b.frames_steps[-1] - b.span + 1
                items += [_lifetime(b.output_value(j, tinted=False), first + n, last) for j in range(made, t.steps)]
        return items

    def window_numbers(self, k: int, sweep: list[int], items: list) -> list:
        """The layer's numbers for this frame (scene._Builder.frame_numbers), the connectors passing behind them."""
        b, t = self.subs[k], self.net.traces[k]
        s = sweep[-1]
        ch, cw = t.canvas.size
        taps = t.tap_canvas[s, t.taps_of(s)] if len(sweep) == 1 else b.swept_taps(sweep)
        tc, rest = np.divmod(taps, ch * cw)
        ty, tx = np.divmod(rest, cw)
        c, rest = divmod(int(t.step_index[s]), t.step_shape[1] * t.step_shape[2])
        y, x = divmod(rest, t.step_shape[2])
        items = b.behind_numbers(items, s, tc, ty, tx, weights=len(sweep) == 1)
        numbers = b.frame_numbers(sweep, tc, ty, tx, (c, y, x - len(sweep) + 1, x))
        return items + [v for v in numbers if tuple(v["at"]) not in b.off_grid]

    def value_on_tint(self, m: int, c: int, y: int, x: int) -> dict | None:
        """Map m's value at (c, y, x) in the ink that reads on the tint (the cone's cells)."""
        if m == 0:
            b = self.subs[0]
            r, q = (y, x) if b.scatter else b._home[y * self.maps[0].shape[2] + x]
            return b.bottom_value(c, r, q, tinted=True)
        b = self.subs[m - 1]
        _, h, w = b.t.output.shape
        if b.scatter:
            ch, cw = b.t.canvas.size
            r, q = np.argwhere((b.t.canvas.kinds == "o") & (b.t.canvas.source == y * w + x))[0].tolist()
            flat, final = c * ch * cw + r * cw + q, {}
            for s in b.frames_steps:
                final.update(b._sums_after[s])
            return b.partial_sum(flat, final[flat], tinted=True)
        return b.number(b.layout.top[c], y, x, b.t.step_value[c * h * w + y * w + x], "value", b.under("out", c, y, x, tinted=True))

    # -- assembly ------------------------------------------------------------------------
    @functools.cached_property
    def outlines(self) -> np.ndarray:
        """Every slice's outline points, [n][2]: they hold every cell corner's least and greatest x and y."""
        return np.asarray([p for m in self.maps for s in m.slices for p in s.outline()], float)

    def place_captions(self) -> None:
        """Captions above everything (slanted) or below (flat)."""
        self.caption_at = (float(self.outlines[:, 0].min()), float(self.outlines[:, 1].max()) + 1.2)

    def size(self) -> tuple[int, int]:
        """The scene's width and height in pixels, as scene() makes them, without drawing (a tenth of a still's
        work): what reaches its edges is the maps' cells, the labels, the captions and the theoretical box.
        Not in numbers mode, whose running sums size the canvas too."""
        self.place_captions()
        if self.o.labels:
            self.labels()
        self.frame_styles()
        for k in range(len(self.net.traces)):
            self.caption_item(k)
        px = self.pixels([item for item in self.cone(drawn=False) if "points" in item])   # and the cone's caption
        return px.width, px.height

    def pixels(self, boxes: list) -> lay.Pixels:
        """Page units -> pixels, from the bounds of the maps (their outlines), of the texts and of the items
        with points (`boxes`): size() and scene() alike."""
        outlines = self.outlines
        points = np.concatenate([outlines.min(0, keepdims=True), outlines.max(0, keepdims=True),
                                 np.asarray(self.text_extents(), float).reshape(-1, 2)]).tolist()
        return lay.Pixels(points + [pt for item in boxes for pt in item["points"]], self.o.scale)

    def scene(self) -> dict:
        self.place_captions()
        base = self.base()
        if self.o.labels:
            base += self.labels()
        if self.o.numbers:
            self.subs = self.layer_builders()
            self.first_frame = np.cumsum([0] + [len(b.frames_steps) for b in self.subs]).tolist()
            base += self.base_numbers()
        frames = self.frames()
        timed = self.timed() if self.o.numbers else []
        px = self.pixels([item for f in frames for item in f["items"] if "points" in item])
        polys = self.polys(px, [] if self.kept is None else frames[self.kept]["items"])
        in_pixels(px, base + timed + [i for f in frames for i in f["items"]], self.texts)
        for f in frames:
            f["items"] = _grouped(f["items"])
        return {
            "width": px.width, "height": px.height, "background": "#ffffff", "styles": self.styles,
            "baselines": text_baselines(), "polys": polys, "base": base, "timed": timed, "frames": frames,
            "meta": {"network": True, "options": {k: getattr(self.o, k) for k in CHOSEN}, "steps": [list(ks) for ks in frame_plan(self.net, self.o.granularity)] + [None],
                     "maps": [self.map_meta(m, px) for m in self.maps]},
        }

    def polys(self, px: lay.Pixels, drawn: list) -> dict:
        """Cell name -> its corners in pixels: every cell's, or (a still) those of the cells `drawn` names."""
        if self.kept is None:
            names = [m.name(c, r, q) for m, c, _ in self.slices for r in range(m.grid[0]) for q in range(m.grid[1])]
            corners = np.concatenate([_corners(sl) for _, _, sl in self.slices])
        else:   # in the whole scene's order: by map, channel, row, column
            names = sorted({item["poly"] for item in drawn if "poly" in item}, key=self.named.__getitem__)
            slices = {(m.index, c): sl for m, c, sl in self.slices}
            blocks = {key: _corners(slices[key]) for key in {self.named[name][:2] for name in names}}   # the slices drawn on
            corners = [blocks[i, c][r * self.maps[i].grid[1] + q] for i, c, r, q in map(self.named.__getitem__, names)]
        if not names:
            return {}
        pts = px.many(np.reshape(corners, (-1, 2)))
        return {name: pts[4 * n:4 * n + 4] for n, name in enumerate(names)}

    def map_meta(self, m: _Map, px: lay.Pixels) -> dict:
        """Where a map lies in pixels: grid point (x, y) of slice c is origin + x*ex + y*ey (y up, rows from the top)."""
        slices = []
        for sl in m.slices:
            o, ex, ey = px.many([sl.point(0, 0), sl.point(1, 0), sl.point(0, 1)])
            slices.append({"origin": o, "ex": [ex[0] - o[0], ex[1] - o[1]], "ey": [ey[0] - o[0], ey[1] - o[1]]})
        return {"map": m.index, "shape": list(m.shape), "grid": list(m.grid), "offset": None if m.offset is None else list(m.offset), "slices": slices}

    def text_extents(self) -> list:
        """Rough page-unit boxes of the texts, so the canvas grows to hold them; not the numbers in
        cells (values centred, weights in a corner): they are fitted inside them."""
        pts = []
        for item in {(t["text"], t["style"], tuple(t["at"])): t for t in self.texts}.values():   # a caption repeats per frame
            style = self.styles[item["style"]]
            if style.get("anchor") in ("mm", "rs"):
                continue
            size = style.get("font", 12) / self.o.scale / lay.CELL
            width = _width(item["text"], size * lay.CELL)
            x, y = item["at"]
            anchor = style.get("anchor", "mm")
            left = {"l": x, "m": x - width / 2, "r": x - width}[anchor[0]]
            top = {"t": y, "m": y + size / 2, "s": y + size, "b": y + size}.get(anchor[1], y)
            pts += [(left, top), (left + width, top - size * 1.2)]
        return pts


def _width(text: str, font: float = FONT["label"]) -> float:
    """About how wide a text is, in page units, at a font size given at scale 1 (CJK glyphs are square)."""
    return 0.56 * font / lay.CELL * (len(text) + 0.8 * sum(map(is_cjk, text)))


def _runs(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows, starts, ends (exclusive) and values of each run of equal values along each row of `a`, row by row, at once."""
    rows, cols = a.shape
    cut = np.ones((rows, cols + 1), bool)   # where a run starts or ends
    cut[:, 1:cols] = a[:, 1:] != a[:, :-1]
    r, q = np.nonzero(cut)
    same = r[:-1] == r[1:]                  # consecutive cuts of one row bound a run
    r, q0, q1 = r[:-1][same], q[:-1][same], q[1:][same]
    return r, q0, q1, a[r, q0]


def _row_runs(a: np.ndarray) -> list[tuple[int, int, int, object]]:
    """(row, start, end, value) of each run, as `_runs` finds them."""
    return list(zip(*(part.tolist() for part in _runs(a))))


def _corners(sl: lay.Slice) -> np.ndarray:
    """Every cell's corners as Slice.cell gives them one at a time, [rows * cols][4][2], at once."""
    q, top = np.meshgrid(np.arange(sl.cols), sl.rows - np.arange(sl.rows))
    x, y = sl.project(np.stack([q, q + 1, q + 1, q], -1), np.stack([top, top, top - 1, top - 1], -1))
    return np.stack([x + sl.origin[0], y + sl.origin[1]], -1).reshape(-1, 4, 2)

"""Trace -> scene: the one place that knows what goes where (see SCENE.md).

The scene's `base` holds what never changes (both maps, labels, values); each frame
adds the kernel's taps, the connector lines, the current output cell and, in
numbers mode, the weights, the value just computed and the running sum. What
stays for a stretch of frames (numbers mode's finished outputs, the scatter
view's partial sums) is a timed item, listed once with its first and last frame,
so the scene grows with the frames, not with their square.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

import numpy as np

from app.engine import Trace, naming
from app.engine.trace import number

from . import layout as lay
from . import shading
from .extras import drawer_for
from .options import RenderOptions
from .styles import Styles
from .palette import PALETTES, faint, mix, readable
from .text import baselines as text_baselines
from .text import font as text_font
from .text import is_cjk
from .words import say

LINE = 1.75  # px at scale 1: grid, outline and dash weight, as measured on the reference GIFs
DASH = (6.25, 6.0)  # px on, off along the padding's borders: one pattern along each run, as the reference's
CONNECTOR = 0.95    # px: the reference's connectors are thin and neutral (black at partial cover)
HATCH_SHARE = 0.3   # about how much of a hatched cell its lines cover (1 px every 5 px, diagonal)
FONT = {"value": 12.0, "weight": 8.0, "label": 13.0, "title": 14.0, "sum": 12.0}
FLAT_VALUE = 16.0   # the flat layout's values, the size of the paper's figures' digits
FIT_SIZES = {"value": (12.0, 10.5, 9.0), "weight": (8.0, 7.0)}   # a number too wide for its cell is made smaller, then shorter


def frame_steps(trace: Trace, granularity: str) -> list[int]:
    """Which step each frame shows: every step, or the last step of each row."""
    if granularity == "step":
        return list(range(trace.steps))
    width = trace.step_shape[2]
    return [s for s in range(trace.steps) if s % width == width - 1]


def build_scene(trace: Trace, options: RenderOptions) -> dict:
    return _Builder(trace, options).scene()


@lru_cache(maxsize=1 << 16)   # a long numbers animation formats the same few weights again and again
def _fmt(x, digits: int | None = None) -> str:
    """x with at most 2 decimals (the paper's figures), or `digits` significant digits."""
    n = number(x)
    if n is None:
        return "–∞" if x != x else str(x)
    if isinstance(n, int):
        return str(n)
    return f"{n:.{digits}g}" if digits else f"{n:.2f}".rstrip("0").rstrip(".")


class _Builder:
    def __init__(self, trace: Trace, options: RenderOptions):
        self.t, self.o = trace, options
        self.pal = PALETTES[options.palette]
        spec = trace.spec
        self.scatter = spec.view == "scatter"
        canvas_shape = (trace.canvas.values.shape[0],) + trace.canvas.size
        # bottom: what the kernel reads; top: what it writes
        self.bottom_shape = spec.input.shape if self.scatter else canvas_shape
        self.top_shape = canvas_shape if self.scatter else trace.output.shape
        # several channels, slanted, without numbers: sheets stacked in depth (numbers
        # need every sheet's values in sight; the scatter view keeps its slices apart)
        self.stacked = (options.layout == "slanted" and not options.numbers and not self.scatter
                        and max(self.bottom_shape[0], self.top_shape[0]) > 1)
        self.layout = lay.place(options.layout, self.bottom_shape, self.top_shape, self.stacked)
        self.styles = Styles(options.scale)
        self.polys: dict = {}
        self.texts: list = []   # (page point, text, style) to place after the bounds are known
        self.cell_fills: dict = {}   # (role, channel) -> [row][col] colour each cell is filled with
        self.hatched: set = set()    # (row, col) of the read map's hatched cells
        self._inks: dict = {}        # (kind, background, size, anchor, pale, bold) -> text style
        self._fits: dict = {}        # (number, kind, projection, bold, beside a weight) -> how it is written in a cell
        self.frames_steps = frame_steps(trace, options.granularity)
        # the steps one frame sweeps: one, or (granularity=row) a whole row's
        self.span = 1 if options.granularity == "step" else trace.step_shape[2]
        self.weighted = trace.tap_weight is not None or trace.tap_coefficient is not None   # taps carry a factor
        self.extras = drawer_for(self)   # what the trace's extras add (a mask, a gate, sampling points)

    # -- styles -------------------------------------------------------------
    def style(self, name: str, **look) -> str:
        return self.styles.add(name, **look)

    def group_of_bottom(self, c: int) -> int:
        spec = self.t.spec
        if spec.weight is None or spec.groups == 1:
            return 0
        return c // (spec.in_channels // spec.groups)

    def group_of_top(self, c: int) -> int:
        spec = self.t.spec
        if spec.weight is None or spec.groups == 1:
            return 0
        return c // (spec.out_channels // spec.groups)

    def fill_style(self, role: str, group: int) -> str:
        p = self.pal
        grouped = self.t.spec.groups > 1 and self.t.spec.weight is not None
        if role == "in":
            colour = p.groups[group % len(p.groups)] if grouped else p.input
        else:
            colour = mix(p.groups[group % len(p.groups)], "#ffffff", 0.45) if grouped else p.output
        return self.style(f"{role}{group if grouped else ''}", fill=colour)

    # -- the static picture -------------------------------------------------
    def base(self) -> list:
        """Cell fills (with ids, for hover), hatching, then the grid lines on top."""
        p, t = self.pal, self.t
        kinds = t.canvas.kinds
        fills = {"p": self.style("pad", fill=p.padding), "z": self.style("pad", fill=p.padding), "x": None, "c": self.style("pad", fill=p.padding)}
        grouped = t.spec.groups > 1 and t.spec.weight is not None
        unreached = (set(t.arithmetic["unreached_rows"]), set(t.arithmetic["unreached_cols"]))
        hatched_share = np.mean([(r in unreached[0] or q in unreached[1]) for r, q in np.argwhere(kinds != "x")]) if (kinds != "x").any() else 0
        # over most of the input (a dilated kernel skips most rows) the hatching is thinner
        hatch = self.style("unreached", fill=None, hatch={"color": p.hatch, "spacing": 5.0, "width": 1.0 if hatched_share <= 0.5 else 0.6})
        items, lines = [], []
        for role, slices in (("in", self.layout.bottom), ("out", self.layout.top)):
            on_canvas = (role == "in") != self.scatter   # which map shows the canvas kinds
            # stacked sheets: the lowest first, each with its own lines, under the next
            for c in (reversed(range(len(slices))) if self.stacked else range(len(slices))):
                sl = slices[c]
                if self.stacked:
                    items, lines = items + lines, []
                group = self.group_of_bottom(c) if role == "in" else self.group_of_top(c)
                own = self.fill_style(role, group)
                looks_of = fills
                if t.spec.padding_mode not in ("zeros", "partial"):   # copied cells: a pale form of the input (or group) colour
                    base_colour = p.groups[group % len(p.groups)] if grouped else p.input
                    looks_of = {**fills, "p": self.style(f"copy{group if grouped else ''}", fill=mix(base_colour, "#ffffff", 0.6))}
                cell_kinds = kinds if on_canvas else np.full((sl.rows, sl.cols), "i" if role == "in" else "o")
                looks = [[looks_of.get(cell_kinds[r, q], own) for q in range(sl.cols)] for r in range(sl.rows)]
                if self.o.shading:
                    looks = self.shaded(role, c, looks, cell_kinds)
                self.cell_fills[(role, c)] = [[(self.styles.get(k) or {}).get("fill") or "#ffffff" for k in row] for row in looks]
                items += self.fill_blocks(sl, looks)
                for r in range(sl.rows):
                    for q in range(sl.cols):
                        pid = self.poly(role, c, r, q, sl)
                        if on_canvas and not self.scatter and cell_kinds[r, q] != "x" and (r in unreached[0] or q in unreached[1]):
                            items.append({"poly": pid, "style": hatch})
                            self.hatched.add((r, q))
                lines += self.grid_lines(sl, cell_kinds)
        items += self.extras.base()
        if self.o.numbers:
            items += self.clear_behind_numbers()
        items += lines
        if self.o.numbers:
            items += self.base_numbers()
        if self.o.shading:
            items += self.legends()
        return items

    # -- shading by value (app/render/shading.py) ----------------------------
    def map_values(self, role: str) -> np.ndarray:
        """[C][rows][cols] values as the map is drawn: the read map (canvas or input), the written one."""
        t = self.t
        if role == "in":
            return t.spec.input if self.scatter else t.canvas.values
        return t.canvas.values if self.scatter else t.output

    def shaded(self, role: str, c: int, looks: list[list], cell_kinds: np.ndarray) -> list[list]:
        """Input and output cells take their value's colour; padding and inserted zeros keep theirs."""
        values = self.map_values(role)
        top = shading.bound(values)

        def look_of(v) -> str:
            fill = shading.colour(v, top)
            return self.style(f"v{fill}", fill=fill)
        return [[look_of(values[c, r, q]) if cell_kinds[r, q] in "io" else look for q, look in enumerate(row)] for r, row in enumerate(looks)]

    def legends(self) -> list:
        """One bar per map, above the picture: its colours from -bound to +bound, the numbers at both ends and 0."""
        pts = [p for s in self.layout.bottom + self.layout.top for p in s.outline()]
        x, y = min(x for x, _ in pts), max(y for _, y in pts) + (3.0 if self.o.labels else 0.9)
        ink = self.style("legend", fill=self.pal.text, font=FONT["weight"] + 2, anchor="lt")
        items, width = [], 0.45
        for role in ("out", "in"):
            top = shading.bound(self.map_values(role))
            stops = shading.legend_stops(top)
            for k, (_, fill) in enumerate(stops):
                x0 = x + k * width
                items.append({"points": [(x0, y), (x0 + width, y), (x0 + width, y + 0.4), (x0, y + 0.4)],
                              "style": self.style(f"v{fill}", fill=fill)})
            right = x + len(stops) * width
            items.append({"points": [(x, y), (right, y), (right, y + 0.4), (x, y + 0.4)], "style": self.style("legend_box", fill=None, stroke=self.pal.outline, width=0.75)})
            items.append(self.text((x, y + 0.95), say("shade_" + role, self.o.lang), ink))
            for value, at, anchor in ((-top, x, "lt"), (0, (x + right) / 2, "mt"), (top, right, "rt")):
                items.append(self.text((at, y - 0.05), _fmt(value), self.style(f"legend_{anchor}", fill=self.pal.text, font=FONT["weight"] + 2, anchor=anchor)))
            x = right + 1.2
        return items

    def clear_behind_numbers(self) -> list:
        """Hatched cells keep their hatching off their numbers: the cell's own fill
        under each number's ink."""
        grid = self.t.spec.input if self.scatter else self.t.canvas.values
        items = []
        for c, sl in enumerate(self.layout.bottom):
            for r, q in sorted(self.hatched):
                if grid[c, r, q] == grid[c, r, q]:
                    x0, y0, x1, y1 = self.number_box(sl, r, q, grid[c, r, q], "value")
                    look = self.style(f"clear{self.cell_fills[('in', c)][r][q]}", fill=self.cell_fills[("in", c)][r][q])
                    items.append({"points": [(x0, y1), (x1, y1), (x1, y0), (x0, y0)], "style": look})
        return items

    def fill_blocks(self, sl: lay.Slice, looks: list[list]) -> list:
        """Cell fills as few polygons: rectangles of cells with one look.

        Every cell keeps its own polygon in `polys` (for hover); drawing a block
        at once is faster and leaves no seams, and the grid lines go on top.
        White on the white background is not drawn at all, except on a stacked
        sheet, which hides the sheets under it.
        """
        runs = {}  # (q0, q1, look) -> the row where the current block started
        blocks = []
        for r in range(sl.rows + 1):
            row = set(runs_of(looks[r]) if r < sl.rows else [])
            for key in list(runs):
                if key not in row:
                    blocks.append((runs.pop(key), r - 1, key))
            for key in row:
                runs.setdefault(key, r)
        items = []
        for r0, r1, (q0, q1, look) in sorted(blocks, key=lambda b: (b[0], b[2][0])):
            st = self.styles.get(look, {})
            if look is None or (st.get("fill") == "#ffffff" and st.get("opacity", 1) == 1 and not self.stacked):
                continue
            items.append({"points": sl.box(r0, q0, r1, q1 - 1), "style": look})
        return items

    def grid_lines(self, sl: lay.Slice, cell_kinds: np.ndarray) -> list:
        """Cell borders as long lines: solid next to input/output cells, dashed between
        padding cells, dotted around cells beyond the input. Runs of one look become
        one line, drawn once (not once per neighbouring cell)."""
        p = self.pal
        rank = np.vectorize({"i": 3, "o": 3, "p": 2, "z": 2, "c": 2, "x": 1}.get)(cell_kinds)
        looks = {
            3: (self.style("grid", stroke=p.outline, width=LINE),) * 2,
            2: (self.style("dashed", stroke=p.outline, width=LINE, dash=list(DASH)),) * 2,
            1: (self.style("dotted", stroke=p.hatch, width=1.0, dash=[1.5, 3.0]),) * 2,
        }
        R, C = rank.shape
        padded = np.zeros((R + 2, C + 2), int)
        padded[1:-1, 1:-1] = rank
        horizontal = np.maximum(padded[:-1, 1:-1], padded[1:, 1:-1])   # [R+1][C]: border b above row b
        vertical = np.maximum(padded[1:-1, :-1], padded[1:-1, 1:])      # [R][C+1]
        out = []
        for b in range(R + 1):
            for q0, q1, k in _runs(horizontal[b]):
                out.append((k, {"line": [sl.point(q0, R - b), sl.point(q1, R - b)], "style": looks[k][0]}))
        for b in range(C + 1):
            for r0, r1, k in _runs(vertical[:, b]):
                out.append((k, {"line": [sl.point(b, R - r0), sl.point(b, R - r1)], "style": looks[k][1]}))
        # dotted, then dashed, then solid on top where they meet; one look after another,
        # so each look's lines are drawn (and rasterised) together
        out.sort(key=lambda pair: (pair[0], pair[1]["style"]))
        return [item for _, item in out]

    def poly(self, role: str, c: int, r: int, q: int, sl: lay.Slice) -> str:
        pid = f"{role}:{c}:{r}:{q}"
        self.polys[pid] = sl.cell(r, q)
        return pid

    def base_numbers(self) -> list:
        items = []
        for c, sl in enumerate(self.layout.bottom):
            for r in range(sl.rows):
                for q in range(sl.cols):
                    item = self.bottom_value(c, r, q, tinted=False)
                    if item is not None:
                        items.append(item)
        return items

    def bottom_value(self, c: int, r: int, q: int, tinted: bool) -> dict | None:
        """The number in a cell of the map that is read, in an ink readable on the
        cell as drawn (under the kernel's shadow too); None where there is none."""
        v = (self.t.spec.input if self.scatter else self.t.canvas.values)[c, r, q]
        if v != v:  # NaN: max-pool padding or beyond the input holds no number
            return None
        return self.number(self.layout.bottom[c], r, q, v, "value", self.under("in", c, r, q, tinted), pale=self.pale(r, q))

    def pale(self, r: int, q: int) -> bool:
        """Whether the read map's numbers in cell (r, q) are paler: padding and inserted
        zeros, slanted; the flat layout writes them as the paper's figures do, like the rest."""
        return self.o.layout == "slanted" and not self.scatter and self.t.canvas.kinds[r, q] != "i"

    def number(self, sl: lay.Slice, r: int, q: int, value, kind: str, background: str, pale: bool = False, bold: bool = False) -> dict:
        """A value (centred) or a weight (in the bottom-right corner) in cell (r, q),
        fitted to the cell; a shortened one carries its exact value as a title."""
        label, size, exact = self.fit(value, kind, sl.project, bold, self.beside_weights(sl, kind))
        anchor = "mm" if kind == "value" else "rs"
        at = sl.centre(r, q) if kind == "value" else self.weight_at(sl, r, q)
        item = self.text(at, label, self.ink_style(kind, background, size, anchor, pale=pale, bold=bold))
        if exact is not None:
            item["title"] = exact
        return item

    def number_box(self, sl: lay.Slice, r: int, q: int, value, kind: str) -> list[float]:
        label, size, _ = self.fit(value, kind, sl.project, False, self.beside_weights(sl, kind))
        if kind == "value":
            return self.text_box(sl.centre(r, q), label, size, "mm")
        return self.text_box(self.weight_at(sl, r, q), label, size, "rs")

    def beside_weights(self, sl: lay.Slice, kind: str) -> bool:
        """Whether a value shares its cell with a weight (the map the kernel reads)."""
        return kind == "value" and self.weighted and sl in (self.layout.top if self.scatter else self.layout.bottom)

    def fit(self, value, kind: str, project, bold: bool, beside_weight: bool) -> tuple[str, float, str | None]:
        """The label and font size with which a number fits inside its cell: as the
        figures write it (2 decimals) if it can, in a smaller font, then shorter
        (5062.25 -> 5062 -> 5.06k); and the exact value when the label is not it.
        A value beside a weight keeps clear of a one-digit weight's corner. Every
        cell of a layout has the same shape."""
        key = (float(value), kind, project, bold, beside_weight)
        if key not in self._fits:
            exact = _fmt(value, digits=10)
            probe = lay.Slice(1, 1, (0.0, 0.0), project)
            cx, cy = probe.centre(0, 0)
            grow = 1.0 if kind == "value" else 1.1   # a subscript may touch the grid line at its corner
            cell = [(cx + (x - cx) * grow, cy + (y - cy) * grow) for x, y in probe.cell(0, 0)]
            anchor, at = ("mm", probe.centre(0, 0)) if kind == "value" else ("rs", self.weight_at(probe, 0, 0))
            sizes = ((FLAT_VALUE,) if kind == "value" and project is lay.flat else ()) + FIT_SIZES[kind]
            tries = [(_fmt(value), size) for size in sizes] + [(label, size) for label in _shorter(value) for size in sizes]
            corner = self.text_box(self.weight_at(probe, 0, 0), "0", FONT["weight"], "rs") if beside_weight else None

            def fits(label, size):
                box = self.text_box(at, label, size, anchor, bold)
                slack = 2 / (lay.CELL * self.o.scale)   # the inks may touch: both boxes have a pixel around them
                clear = corner is None or box[2] <= corner[0] + slack or box[1] >= corner[3] - slack   # left of it or above it
                return clear and lay.inside(_corners(box), cell)
            label, size = next(((label, size) for label, size in tries if fits(label, size)), tries[-1])
            self._fits[key] = (label, size, None if label == exact else exact)
        return self._fits[key]

    def under(self, role: str, c: int, r: int, q: int, tinted: bool) -> str:
        """The colour of a cell as drawn: its fill, darkened by the tint when tinted."""
        colour = self.cell_fills[(role, c)][r][q]
        if role == "in" and (r, q) in self.hatched:   # as dark as the hatch lines make it on average
            colour = mix(colour, self.pal.hatch, HATCH_SHARE)
        return mix(colour, self.pal.tint, self.pal.tint_opacity) if tinted else colour

    def ink_style(self, name: str, background: str, size: float, anchor: str, pale: bool = False, bold: bool = False) -> str:
        """A text style whose colour reaches AA contrast on `background` (paler when
        `pale`, as far as AA allows)."""
        key = (name, background, size, anchor, pale, bold)
        if key not in self._inks:
            ink = readable(background, self.pal.text)
            if pale:
                ink = faint(ink, background)
            smaller = f"@{size:g}" if size != FONT[name] else ""
            self._inks[key] = self.style(f"{name}{'_bold' if bold else ''}{smaller}{ink}", fill=ink, font=size, anchor=anchor, **({"bold": True} if bold else {}))
        return self._inks[key]

    def text(self, at, text: str, style: str) -> dict:
        item = {"text": text, "at": at, "style": style}
        self.texts.append(item)
        return item

    # -- labels ---------------------------------------------------------------
    def labels(self) -> list:
        t, spec = self.t, self.t.spec
        label = self.style("label", fill=self.pal.text, font=FONT["label"], anchor="ma")
        title = self.style("title", fill=self.pal.text, font=FONT["title"], anchor="ls", bold=True)
        b, top = self.layout.bottom, self.layout.top
        (bc, bh, bw), (tc, th, tw) = self.bottom_shape, self.top_shape
        lang = self.o.lang
        ch = lambda n: say("channels", lang, n=n) if n > 1 else ""  # noqa: E731
        h, w = spec.input_size
        if self.scatter:
            below = say("input", lang, h=h, w=w) + ch(bc)
            oh, ow = t.output.shape[1:]
            above = say("output", lang, h=oh, w=ow) + (say("cropped", lang, h=th, w=tw) if (th, tw) != (oh, ow) else "") + ch(tc)
        else:
            kinds = t.canvas.kinds
            if "output_padding" in spec.values:   # the transposed gather view: zeros inserted, then padded
                grown = say("inserted", lang)
            elif (kinds == "x").any():
                grown = say("padded", lang) if spec.padding.rows + spec.padding.cols else ""
                grown += (say("and", lang) if grown else "") + say("ceil", lang)
            else:
                grown = say("padded", lang)
            below = say("input", lang, h=h, w=w) + (say("grown", lang, how=grown, h=bh, w=bw) if (bh, bw) != (h, w) else "") + ch(bc)
            if t.arithmetic["unreached_rows"] or t.arithmetic["unreached_cols"]:
                below += say("hatched", lang)
            below += self.extras.legend()
            above = say("output", lang, h=th, w=tw) + ch(tc)
        low_pts = [p for s in b for p in s.outline()]
        high_pts = [p for s in top for p in s.outline()]
        centre = lambda pts: (min(x for x, _ in pts) + max(x for x, _ in pts)) / 2  # noqa: E731
        items = [
            self.text((centre(low_pts), min(y for _, y in low_pts) - 0.35), below, label),
            self.text((centre(high_pts), max(y for _, y in high_pts) + 0.9), above, label),
        ]
        everything = low_pts + high_pts
        items.append(self.text((min(x for x, _ in everything), max(y for _, y in everything) + 1.9), operation_line(spec), title))
        return items

    # -- frames ---------------------------------------------------------------
    def frames(self) -> list:
        p = self.pal
        tap = self.style("tap", fill=p.tint, opacity=p.tint_opacity)
        edge = self.style("tap_edge", fill=None, stroke=p.outline, width=LINE)
        current = self.style("current", fill=p.tint, opacity=p.tint_opacity)
        line = self.style("connector", stroke=p.connector, width=CONNECTOR)
        winner = self.style("winner", fill=None, stroke=p.winner, width=2.5)
        t = self.t
        ch, cw = t.canvas.size
        top_quads = [s.outline() for s in self.layout.top]
        frames = []
        width = t.step_shape[2]
        for s in self.frames_steps:
            items = []
            # a frame shows one step, or (granularity=row) the sweep of a whole row: every
            # window of the row tinted once, the row of cells it writes
            sweep = list(range(s - self.span + 1, s + 1))
            taps = t.tap_canvas[s, t.taps_of(s)] if len(sweep) == 1 else self.swept_taps(sweep)
            tc, rest = np.divmod(taps, ch * cw)
            ty, tx = np.divmod(rest, cw)
            step_c, step_rest = divmod(int(t.step_index[s]), self.t.step_shape[1] * self.t.step_shape[2])
            step_y, step_x = divmod(step_rest, width)
            first_x = step_x - len(sweep) + 1
            read_side, write_side = ("out", "in") if self.scatter else ("in", "out")
            kinds = t.canvas.kinds
            solid = "o" if self.scatter else "i"  # cells whose outline is already solid in the base
            read_map = self.layout.top if self.scatter else self.layout.bottom
            if self.stacked:
                items += self.kernel_box(tc, ty, tx, tap, edge)
            else:
                for c in sorted(set(tc.tolist())):
                    pick = tc == c
                    ys, xs = ty[pick], tx[pick]
                    y0, x0, y1, x1 = int(ys.min()), int(xs.min()), int(ys.max()), int(xs.max())
                    if len(set(zip(ys.tolist(), xs.tolist()))) == (y1 - y0 + 1) * (x1 - x0 + 1):
                        # a solid block (no dilation gaps): one polygon, no seams between cells
                        items.append({"points": read_map[c].box(y0, x0, y1, x1), "style": tap})
                    else:
                        items += [{"poly": f"{read_side}:{c}:{y}:{x}", "style": tap} for y, x in zip(ys.tolist(), xs.tolist())]
                for c, y, x in zip(tc.tolist(), ty.tolist(), tx.tolist()):
                    if kinds[y, x] != solid:  # the footprint is outlined solid over dashed cells
                        items.append({"poly": f"{read_side}:{c}:{y}:{x}", "style": edge})
            if t.winner is not None:
                for u in sweep:
                    w = int(t.tap_canvas[u][int(t.winner[u])])
                    wc, wrest = divmod(w, ch * cw)
                    items.append({"poly": f"{read_side}:{wc}:{wrest // cw}:{wrest % cw}", "style": winner})
            write_map = self.layout.bottom if self.scatter else self.layout.top
            if len(sweep) == 1:
                items.append({"poly": f"{write_side}:{step_c}:{step_y}:{step_x}", "style": current})
            else:
                items.append({"points": write_map[step_c].box(step_y, first_x, step_y, step_x), "style": current})
            written = (step_c, step_y, first_x, step_x)
            if self.o.layout == "slanted":  # flat follows the paper's figures: no connectors
                items += self.connectors(tc, ty, tx, written, line, top_quads)
            items += self.extras.frame(sweep)
            if self.o.numbers:
                items += self.copy_links(tc, ty, tx)
                items = self.behind_numbers(items, s, tc, ty, tx, weights=len(sweep) == 1)
                items += self.frame_numbers(sweep, tc, ty, tx, written)
            frames.append({"ms": self.o.ms, "items": items})
        if frames:
            frames[-1]["ms"] = 2 * self.o.ms  # hold the finished picture before the loop restarts
        return frames

    def kernel_box(self, tc, ty, tx, tap, edge) -> list:
        """Stacked sheets: the kernel as one box through the sheets it reads (its
        group's), tinted once and outlined (top face, bottom face, the four edges
        between); with dilation gaps, its cells tinted and outlined on the top sheet."""
        top, low = int(tc.min()), int(tc.max())
        pick = tc == top
        ys, xs = ty[pick], tx[pick]
        y0, x0, y1, x1 = int(ys.min()), int(xs.min()), int(ys.max()), int(xs.max())
        if len(set(zip(ys.tolist(), xs.tolist()))) != (y1 - y0 + 1) * (x1 - x0 + 1):
            cells = list(zip(ys.tolist(), xs.tolist()))
            return ([{"poly": f"in:{top}:{y}:{x}", "style": tap} for y, x in cells]
                    + [{"poly": f"in:{top}:{y}:{x}", "style": edge} for y, x in cells])
        face, floor = self.layout.bottom[top].box(y0, x0, y1, x1), self.layout.bottom[low].box(y0, x0, y1, x1)
        items = [{"points": lay.hull(face + floor), "style": tap}, {"points": face, "style": edge}]
        if low != top:
            items += [{"points": floor, "style": edge}] + [{"line": [a, b], "style": edge} for a, b in zip(face, floor)]
        return items

    def connectors(self, tc, ty, tx, written, style, top_quads) -> list:
        """Four lines from the footprint's corners to the corners of the cells written
        (c, row, first column, last column), hidden where they pass under the slice
        they end on (not under another slice, where they would stop short of it)."""
        items = []
        c0, y, x0, x1 = written
        if self.scatter:
            # bottom: the current input cell; top: the stamp's footprint on the full output grid
            low = self.layout.bottom[c0].box(y, x0, y, x1)
            for c in sorted(set(tc.tolist())):
                pick = tc == c
                high = self.layout.top[c].box(int(ty[pick].min()), int(tx[pick].min()), int(ty[pick].max()), int(tx[pick].max()))
                items += self._lines(low, high, style, [top_quads[c]])
            return items
        high = self.layout.top[c0].box(y, x0, y, x1)
        # stacked: one set, from the top face of the kernel's box
        for c in ([int(tc.min())] if self.stacked else sorted(set(tc.tolist()))):
            pick = tc == c
            low = self.layout.bottom[c].box(int(ty[pick].min()), int(tx[pick].min()), int(ty[pick].max()), int(tx[pick].max()))
            items += self._lines(low, high, style, [top_quads[c0]])
        return items

    def _lines(self, low, high, style, top_quads) -> list:
        items = []
        for a, b in zip(low, high):
            end = lay.clip_outside(a, b, top_quads)
            if end is not None:
                items.append({"line": [a, end], "style": style})
        return items

    def behind_numbers(self, items: list, s: int, tc, ty, tx, weights: bool) -> list:
        """The frame's lines with gaps where they would cross the read map's numbers
        (its values and this frame's weights): one item per line, its hidden spans
        listed, not one item per visible piece."""
        read = self.layout.top if self.scatter else self.layout.bottom
        shown = []
        factors = self.t.factors(s) if weights else None
        if factors is not None:
            shown = [self.number_box(read[c], y, x, w, "weight") for c, y, x, w in zip(tc.tolist(), ty.tolist(), tx.tolist(), factors.tolist())]
        boxes = np.concatenate([self._value_boxes, np.reshape(shown, (-1, 4))])
        lines = [item["line"][:2] for item in items if "line" in item]
        found = iter(lay.hidden_spans(lines, boxes))
        out = []
        for item in items:
            if "line" in item:
                spans = next(found)
                if spans and spans[0][0] <= 1e-6 and spans[0][1] >= 1 - 1e-6:
                    continue   # hidden all along
                if spans:   # in parameter units until the scene is in pixels (see `scene`)
                    item = {**item, "gaps": spans}
            out.append(item)
        return out

    @cached_property
    def _value_boxes(self) -> np.ndarray:
        """Page-unit boxes [x0, y0, x1, y1] of the numbers in the map that is read."""
        grid = self.t.spec.input if self.scatter else self.t.canvas.values
        boxes = [self.number_box(sl, r, q, grid[c, r, q], "value")
                 for c, sl in enumerate(self.layout.bottom) for r in range(sl.rows) for q in range(sl.cols) if grid[c, r, q] == grid[c, r, q]]
        return np.reshape(boxes, (-1, 4))

    def text_box(self, at, label: str, size: float, anchor: str, bold: bool = False) -> list[float]:
        """Where the ink of a text lies, in page units, one pixel around it."""
        left, top, right, bottom = _ink_box(label, round(size * self.o.scale * 2) / 2, anchor)
        right += bold
        unit = lay.CELL * self.o.scale
        x, y = at
        return [x + (left - 1) / unit, y - (bottom + 1) / unit, x + (right + 1) / unit, y - (top - 1) / unit]

    def weight_at(self, sl: lay.Slice, y: int, x: int) -> tuple[float, float]:
        """Where a weight is written: the bottom-right corner area of its cell, pulled a little inside."""
        corner = sl.cell(y, x)
        cx, cy = sl.centre(y, x)
        return corner[2][0] * 0.7 + cx * 0.3, corner[2][1] * 0.7 + cy * 0.3

    def copy_links(self, tc, ty, tx) -> list:
        """Reflect, replicate and circular padding: from each copied cell the kernel
        reads, a dashed line to the input cell it copies, which is outlined."""
        t = self.t
        if self.scatter or t.spec.padding_mode == "zeros":
            return []
        kinds, source = t.canvas.kinds, t.canvas.source
        link = self.style("link", stroke=self.pal.link, width=1.2, dash=[3.0, 2.0])
        ring = self.style("link_source", fill=None, stroke=self.pal.link, width=1.6)
        lines, rings = [], {}
        for c, y, x in sorted(set(zip(tc.tolist(), ty.tolist(), tx.tolist()))):
            if kinds[y, x] != "p" or int(source[y, x]) not in self._home:
                continue
            hy, hx = self._home[int(source[y, x])]
            sl = self.layout.bottom[c]
            lines.append({"line": [sl.centre(y, x), sl.centre(hy, hx)], "style": link})
            rings[(c, hy, hx)] = {"poly": f"in:{c}:{hy}:{hx}", "style": ring}
        return lines + list(rings.values())

    @cached_property
    def _home(self) -> dict:
        """Input index -> where that input cell sits on the canvas."""
        kinds, source = self.t.canvas.kinds, self.t.canvas.source
        return {int(source[y, x]): (int(y), int(x)) for y, x in np.argwhere(kinds == "i")}

    def frame_numbers(self, sweep: list[int], tc, ty, tx, written) -> list:
        """The read cells' values again over the kernel's shadow, the weights under
        the taps, the values just computed and the running sum: each in an ink
        readable on the cell as drawn in this frame. A row's sweep has no weights
        (a cell is read with several) and no one running sum. The finished values
        are timed items (`timed`); those under this frame's tint are drawn again."""
        t = self.t
        s = sweep[-1]
        wc, wy, wx0, wx1 = written
        items = []
        read_role, read = ("out", self.layout.top) if self.scatter else ("in", self.layout.bottom)
        tapped = list(zip(tc.tolist(), ty.tolist(), tx.tolist()))
        # the gather view's values lie in the base, under the shadow: drawn again on it
        # (the scatter view tints the one input cell it stamps)
        for c, y, x in ([(wc, wy, x) for x in range(wx0, wx1 + 1)] if self.scatter else sorted(set(tapped))):
            item = self.bottom_value(c, y, x, tinted=True)
            if item is not None:
                items.append(item)
        factors = t.factors(s)
        if factors is not None and len(sweep) == 1:
            for (c, y, x), w in zip(tapped, factors.tolist()):
                items.append(self.number(read[c], y, x, w, "weight", self.under(read_role, c, y, x, tinted=True),
                                         pale=self.pale(y, x)))   # as pale as the value it multiplies
        if self.scatter:   # the partial sums under the stamp's tint, again on it
            for flat in sorted(set(self.swept_taps(sweep).tolist())):
                items.append(self.partial_sum(flat, self._sums_after[s][flat], tinted=True))
        else:
            items += [self.output_value(k, tinted=True) for k in sweep]
        if len(sweep) == 1:
            items += self.step_sum(s)
        return items

    def step_sum(self, s: int) -> list:
        """Step s's running sum (or the operation's own lines), written below the picture."""
        return self.sum_texts(self.extras.sum_lines(s) or [running_sum(self.t, s, lang=self.o.lang)])

    def sum_texts(self, lines: list[str]) -> list:
        """Lines of text below the picture, where numbers mode writes the running sum."""
        look = self.style("sum", fill=self.pal.text, font=FONT["sum"], anchor="la")
        x, y = self.sum_anchor
        return [self.text((x, y - n * 1.3 * FONT["sum"] / lay.CELL), line, look) for n, line in enumerate(lines)]

    def swept_taps(self, sweep: list[int]) -> np.ndarray:
        """The canvas cells any step of the sweep reads (or, scatter, writes), once each."""
        taps = self.t.tap_canvas[sweep]
        return np.unique(taps[taps >= 0])

    def output_value(self, k: int, tinted: bool) -> dict:
        """Output cell k's value (steps run over the output cells in order), bold and
        on the tint while it is being computed."""
        oshape = self.t.output.shape
        c, rest = divmod(k, oshape[1] * oshape[2])
        y, x = divmod(rest, oshape[2])
        return self.number(self.layout.top[c], y, x, self.t.step_value[k], "value", self.under("out", c, y, x, tinted=tinted), bold=tinted)

    def partial_sum(self, flat: int, value: float, tinted: bool) -> dict:
        """The scatter view's sum so far in one cell of the full output grid."""
        ch, cw = self.t.canvas.size
        c, rest = divmod(flat, ch * cw)
        y, x = divmod(rest, cw)
        return self.number(self.layout.top[c], y, x, value, "value", self.under("out", c, y, x, tinted=tinted))

    def timed(self) -> list:
        """Numbers mode's texts that stay for a stretch of frames, each once with its
        first and last frame: the finished outputs, or the scatter view's partial sums,
        in the ink for a cell without the tint."""
        if not self.o.numbers or not self.frames_steps:
            return []
        return self.scatter_sums() if self.scatter else self.finished_outputs()

    def finished_outputs(self) -> list:
        """Output k from the first frame whose sweep starts after it (before then it is
        being computed, drawn by that frame) to the last frame."""
        starts = np.asarray(self.frames_steps) - self.span + 1
        last = len(starts) - 1
        first = np.searchsorted(starts, np.arange(starts[-1]), side="right")   # first frame sweeping past k
        return [_lifetime(self.output_value(k, tinted=False), f, last) for k, f in enumerate(first.tolist())]

    @cached_property
    def _sums_after(self) -> dict:
        """Frame step -> {flat cell: its partial sum} for the cells that frame's sweep
        writes (the scatter view's accumulation, once)."""
        t = self.t
        acc = np.zeros(t.canvas.values.size)
        out, done = {}, 0
        for s in self.frames_steps:
            cells, products = t.tap_canvas[done: s + 1].ravel(), t.tap_product[done: s + 1].ravel()
            real = cells >= 0
            np.add.at(acc, cells[real], products[real])
            out[s] = {flat: float(acc[flat]) for flat in set(cells[real].tolist())}
            done = s + 1
        return out

    def scatter_sums(self) -> list:
        """Partial sums on the full output grid: each value from the frame it is
        reached to the frame before it changes."""
        shown: dict = {}   # flat cell -> (value, text, first frame)
        items = []
        last = len(self.frames_steps) - 1

        def close(flat, upto):
            value, _, since = shown.pop(flat)
            items.append(_lifetime(self.partial_sum(flat, value, tinted=False), since, upto))

        for f, s in enumerate(self.frames_steps):
            for flat, value in sorted(self._sums_after[s].items()):
                text = _fmt(value)
                if flat in shown and shown[flat][1] == text:
                    continue
                if flat in shown:
                    close(flat, f - 1)
                shown[flat] = (value, text, f)
        for flat in sorted(shown):
            close(flat, last)
        return items

    @cached_property
    def sum_anchor(self):
        pts = [p for s in self.layout.bottom + self.layout.top for p in s.outline()]
        return (min(x for x, _ in pts), min(y for _, y in pts) - (1.6 if self.o.labels else 0.6))

    # -- assembly -------------------------------------------------------------
    def scene(self) -> dict:
        base = self.base()
        if self.o.labels:
            base += self.labels()
        frames = self.frames()
        timed = self.extras.timed() + self.timed()
        points = [pt for poly in self.polys.values() for pt in poly]
        points += self.text_extents()
        px = lay.Pixels(points, self.o.scale)
        in_pixels(px, base + timed + [i for f in frames for i in f["items"]], self.texts, self.polys)
        for f in frames:
            f["items"] = _grouped(f["items"])
        bottom, top = ("in", "out")
        return {
            "width": px.width,
            "height": px.height,
            "background": "#ffffff",
            "styles": self.styles,
            "baselines": text_baselines(),
            "polys": self.polys,
            "base": base,
            "timed": timed,
            "frames": frames,
            "meta": {
                "steps": self.frames_steps,
                "bottom": {"id": bottom, "shape": list(self.bottom_shape)},
                "top": {"id": top, "shape": list(self.top_shape)},
                "view": self.t.spec.view,
            },
        }

    def text_extents(self) -> list:
        """Rough page-unit boxes of the texts, so the canvas grows to hold them."""
        pts = []
        for item in self.texts:
            style = self.styles[item["style"]]
            size = style.get("font", 12) / self.o.scale / lay.CELL  # page units per px of font
            label = item["text"]
            width = 0.56 * size * (len(label) + (0 if label.isascii() else 0.8 * sum(map(is_cjk, label))))   # CJK glyphs are square
            x, y = item["at"]
            anchor = style.get("anchor", "mm")
            left = {"l": x, "m": x - width / 2, "r": x - width}[anchor[0]]
            top = {"t": y, "a": y, "m": y + size / 2, "s": y + size, "b": y + size}.get(anchor[1], y)
            pts += [(left, top), (left + width, top - size * 1.2)]
        return pts


def in_pixels(px: lay.Pixels, items: list, texts: list, polys: dict | None = None) -> None:
    """Every point list of `items` (and of `polys`) and every text's place, page units -> pixels,
    in one pass (the single-layer and network scenes both): texts at whole pixels, where the
    rasteriser puts them; a line's hidden spans in pixels along it."""
    lists = [(polys, pid) for pid in polys] if polys else []
    lists += [(item, key) for item in items for key in ("line", "points") if key in item]
    done = px.many([p for owner, key in lists for p in owner[key]] + [t["at"] for t in texts])
    start = 0
    for owner, key in lists:
        n = len(owner[key])
        owner[key], start = done[start:start + n], start + n
    for item, at in zip(texts, done[start:]):
        item["at"] = [round(v) for v in at]
    for owner, key in lists:
        if key == "line" and "gaps" in owner:
            _gaps_in_pixels(owner)


def _gaps_in_pixels(item: dict) -> None:
    """A line's hidden spans, from parameters (0..1) to whole pixels along it from its
    first point, rounded outward (the boxes already keep a pixel clear of the ink)."""
    (ax, ay), (bx, by) = item["line"]
    length = float(np.hypot(bx - ax, by - ay))
    item["gaps"] = [[int(np.floor(t0 * length)), int(np.ceil(t1 * length))] for t0, t1 in item["gaps"]]


def _grouped(items: list) -> list:
    """Runs of texts in one look (a frame's weights, the values under its shadow) as
    one item with lists of texts and places: a long numbers scene is mostly these."""
    out: list = []
    for item in items:
        last = out[-1] if out else None
        if ("text" in item and "title" not in item and last is not None and "text" in last
                and "title" not in last and last["style"] == item["style"]):
            if not isinstance(last["text"], list):
                last = out[-1] = {"text": [last["text"]], "at": [last["at"]], "style": last["style"]}
            last["text"].append(item["text"])
            last["at"].append(item["at"])
        else:
            out.append(item)
    return out


def _lifetime(item: dict, first: int, last: int) -> dict:
    """A timed item: shown from frame `first` to frame `last`, both included (the
    same dict, which the builder still projects to pixels)."""
    item["from"], item["to"] = int(first), int(last)
    return item


def _shorter(x) -> list[str]:
    """Shorter ways to write x, longest first: 5062.25 -> 5062.3, 5062, 5.06k, 5.1k, 5k."""
    out = []
    if x != round(x):
        out.append(_fmt(round(x, 1)))
        out.append(str(int(round(x))))
    for unit, name in ((1e3, "k"), (1e6, "M"), (1e9, "G")):
        if abs(x) >= unit:
            out += [f"{x / unit:.{d}f}".rstrip("0").rstrip(".") + name for d in (2, 1, 0)]
    out.append(f"{x:.0e}")
    return list(dict.fromkeys(out))


def _corners(box) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


@lru_cache(maxsize=8192)
def _ink_box(label: str, px: float, anchor: str) -> tuple[int, int, int, int]:
    return text_font(px).getbbox(label, anchor=anchor)


def runs_of(values: list) -> list[tuple[int, int, object]]:
    """(start, end, value) of each run of equal values in a row (end exclusive)."""
    out, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i, values[start]))
            start = i
    return out


def _runs(ranks) -> list[tuple[int, int, int]]:
    """(start, end, rank) of each run of equal non-zero ranks along a border."""
    return [run for run in runs_of([int(r) for r in ranks]) if run[2]]


def operation_line(spec) -> str:
    """conv2d k=3 s=2 p=1 (only what differs from the defaults after the kernel)."""
    return naming.title(spec)


def running_sum(t: Trace, s: int, limit: int = 12, lang: str = "en") -> str:
    """The arithmetic of step s with its numbers: 3×0 + 3×1 + … = 12."""
    spec = t.spec
    real = t.taps_of(s)
    products = t.tap_product[s, real]
    if t.reduction == "scatter":
        c, rest = divmod(int(t.step_index[s]), spec.input_size[0] * spec.input_size[1])
        y, x = divmod(rest, spec.input_size[1])
        return say("stamps", lang, c=c, y=y, x=x, v=_fmt(t.step_value[s]))
    if t.reduction == "max":
        vals = [_fmt(v) for v in products.tolist() if v == v]
        return "max(" + ", ".join(_clip(vals, limit)) + f") = {_fmt(t.step_value[s])}"
    if t.reduction == "mean":   # the cells that are divided by, as PyTorch counts them
        counted = products == products if spec.count_include_pad else t.tap_tensor[s, real] >= 0
        vals = [_fmt(v) for v in products[counted].tolist()]
        return "(" + " + ".join(_clip(vals, limit)) + f") / {int(t.divisor[s])} = {_fmt(t.step_value[s])}"
    inputs = t.canvas.values.ravel()[t.tap_canvas[s, real]]
    terms = [f"{_fmt(a)}×{_fmt(b)}" for a, b in zip(inputs.tolist(), t.factors(s).tolist())]
    text = " + ".join(_clip(terms, limit))
    if spec.bias is not None:
        oc = int(t.step_index[s]) // (t.output.shape[1] * t.output.shape[2])
        text += f" + {_fmt(spec.bias[oc])}"
    return f"{text} = {_fmt(t.step_value[s])}"


def _clip(terms: list[str], limit: int) -> list[str]:
    return terms if len(terms) <= limit else terms[: limit - 1] + ["…"]

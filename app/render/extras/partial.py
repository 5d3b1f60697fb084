"""Partial convolution (Liu et al. 2018) and conv2d's partial padding (arXiv 1811.11718).

The mask's holes are pale hatched cells of the read map; in each frame the window's
cells of mask 0 (holes, and padding under partial padding) are ringed in red and
(without numbers) crossed out: they are not counted. The step's scale, the window's
size over the ones it counts, is written (`scale 9/6 = 1.5`); in numbers mode the
running sum carries it. The updated mask
grows on the output map: an output cell whose window held no 1 turns into a hole
as it is computed, so the output's hole is seen to be smaller than the input's.
"""

from __future__ import annotations

import numpy as np

from ..palette import mix
from .base import Drawer, clip, fmt, times

CROSS_INSET = 0.22   # of a cell: how far the cross of an uncounted cell keeps from its corners
RING_INSET = 0.06    # and its red outline, just inside the grid lines


class Partial(Drawer):
    WORDS = {
        "scale": {"en": "scale {window}/{held} = {scale}", "zh": "缩放 {window}/{held} = {scale}"},
        "empty": {"en": "no known cell in the window: output 0", "zh": "窗口内没有已知单元：输出 0"},
        "sum": {"en": "({terms}) × {window}/{held} {bias}= {value}", "zh": "({terms}) × {window}/{held} {bias}= {value}"},
        "holes": {"en": " (pale hatched: hole, mask 0)", "zh": "（浅色斜线：空洞，掩码为 0）"},
    }

    @staticmethod
    def draws(trace) -> bool:
        return "scale" in trace.step_extras

    def hole_style(self, role: str) -> tuple[str, str]:
        """A hole's look and fill; the output's holes come over the grid, so they redraw their outline."""
        from ..scene import LINE   # the grid's weight (the scene imports the drawers first)

        colour = self.b.pal.input if role == "in" else self.b.pal.output
        fill = mix(colour, "#ffffff", 0.72)
        edge = {} if role == "in" else {"stroke": self.b.pal.outline, "width": LINE}
        name = self.b.style(f"hole_{role}", fill=fill, hatch={"color": colour, "spacing": 4.0, "width": 1.0}, **edge)
        return name, fill

    def holes(self) -> np.ndarray | None:
        """[planes][H][W] of the mask (partial_conv2d), None without one (partial padding)."""
        mask = self.t.extras.get("mask")
        if mask is None:
            return None
        h, w = self.t.spec.input_size
        return np.asarray(mask).reshape(-1, h, w)

    def base(self) -> list:
        _, out_fill = self.hole_style("out")
        for k in np.flatnonzero(self.t.step_extras["mask_sum"] == 0).tolist():   # the updated mask's holes:
            c, y, x = self.output_cell(k)                                        # their numbers inked for them
            self.b.cell_fills[("out", c)][y][x] = out_fill
        planes = self.holes()
        if planes is None:
            return []
        look, fill = self.hole_style("in")
        pad = self.t.spec.padding
        items = []
        for c in range(len(self.b.layout.bottom)):
            for y, x in np.argwhere(planes[c if len(planes) > 1 else 0] == 0).tolist():
                r, q = y + pad.top, x + pad.left
                items.append({"poly": f"in:{c}:{r}:{q}", "style": look})
                self.b.cell_fills[("in", c)][r][q] = fill   # the numbers on it are inked for it
                self.b.hatched.add((r, q))
        return items

    def frame(self, sweep: list[int]) -> list:
        t, b = self.t, self.b
        cross = b.style("uncounted", stroke=b.pal.winner, width=1.6)
        crossed = set()
        for s in sweep:
            real = t.taps_of(s)
            for flat, m in zip(t.tap_canvas[s, real].tolist(), t.tap_extras["mask"][s, real].tolist()):
                if m == 0:
                    crossed.add(self.canvas_cell(flat))
        ring = b.style("uncounted_ring", fill=None, stroke=b.pal.winner, width=1.6)
        items = []
        for c, r, q in sorted(crossed):
            corners = b.layout.bottom[c].cell(r, q)
            cx, cy = b.layout.bottom[c].centre(r, q)
            inset = [(cx + (x - cx) * (1 - 2 * RING_INSET), cy + (y - cy) * (1 - 2 * RING_INSET)) for x, y in corners]
            items.append({"points": inset, "style": ring})
            if not b.o.numbers:   # numbers mode keeps the cell's number clear
                a, bb, cc, d = [(cx + (x - cx) * (1 - 2 * CROSS_INSET), cy + (y - cy) * (1 - 2 * CROSS_INSET)) for x, y in corners]
                items += [{"line": [a, cc], "style": cross}, {"line": [bb, d], "style": cross}]
        if len(sweep) == 1 and not b.o.numbers:
            items += self.caption([self.scale_words(sweep[0])])
        return items

    def ratio(self, s: int) -> tuple[str, str, str]:
        return fmt(self.t.arithmetic["window_size"]), fmt(self.t.step_extras["mask_sum"][s]), fmt(self.t.step_extras["scale"][s])

    def scale_words(self, s: int) -> str:
        window, held, scale = self.ratio(s)
        return self.say("scale", window=window, held=held, scale=scale) if self.t.step_extras["mask_sum"][s] > 0 else self.say("empty")

    def timed(self) -> list:
        """The updated mask's holes on the output map, each from the frame that computes it."""
        held = self.t.step_extras["mask_sum"] > 0
        if held.all() or not self.b.frames_steps:
            return []
        look, _ = self.hole_style("out")
        first = self.frame_of_step()
        last = len(self.b.frames_steps) - 1
        items = []
        for k in np.flatnonzero(~held).tolist():
            c, y, x = self.output_cell(k)
            items.append({"poly": f"out:{c}:{y}:{x}", "style": look, "from": int(first[k]), "to": last})
        return items

    def sum_lines(self, s: int) -> list[str]:
        t = self.t
        if t.step_extras["mask_sum"][s] == 0:
            return [self.say("empty")]
        real = t.taps_of(s)
        counted = t.tap_extras["mask"][s, real] != 0
        inputs = t.canvas.values.ravel()[t.tap_canvas[s, real]][counted]
        terms = [times(a, w) for a, w in zip(inputs.tolist(), t.factors(s)[counted].tolist())]
        window, held, _ = self.ratio(s)
        bias = ""
        if t.spec.bias is not None:
            bias = f"+ {fmt(t.spec.bias[self.output_cell(t.step_index[s])[0]])} "
        return [self.say("sum", terms=" + ".join(clip(terms, 12)), window=window, held=held, bias=bias, value=fmt(t.step_value[s]))]

    def legend(self) -> str:
        planes = self.holes()
        return self.say("holes") if planes is not None and (planes == 0).any() else ""

"""Deformable convolution (Dai et al. 2017; Zhu et al. 2019): taps off the grid.

Each frame draws the regular kernel grid faint (where the taps would read without
offsets), each tap's sampling point p0 + pk + Δpk as a dot, a faint dashed line from
its regular place to it (the offset), and thin lines from the dot to the up-to-4
input cells its bilinear sample blends; the nearest cells are
tinted and the output cell marked as for any convolution. Numbers mode's running
sum multiplies each weight by the sampled (blended) value, and by the modulation
when there is one (v2).
"""

from __future__ import annotations

import numpy as np

from ..palette import mix
from .base import Drawer, clip, dot, fmt, times

DOT = 0.11        # dot radius, in cells
NEIGHBOUR = 0.9   # px: the lines to the bilinear neighbours are thin


class Deform(Drawer):
    @staticmethod
    def draws(trace) -> bool:
        return "sample" in trace.tap_extras

    def point(self, c: int, y: float, x: float) -> tuple[float, float]:
        """Input coordinates (cell centres at whole numbers) -> page units on read slice c."""
        pad = self.t.spec.padding
        sl = self.b.layout.bottom[c]
        return sl.point(x + pad.left + 0.5, sl.rows - (y + pad.top) - 0.5)

    def taps(self, s: int):
        """(channel, sample [y, x], regular [y, x], neighbour cells [[c, y, x] or None]) of step s's taps."""
        t = self.t
        real = t.taps_of(s)
        k = t.spec.kernel_size[0] * t.spec.kernel_size[1]
        _, oh, ow = t.output.shape
        _, oy, ox = self.output_cell(t.step_index[s])
        offset = np.asarray(t.extras["offset"]).reshape(k, 2, oh, ow)[:, :, oy, ox]   # [K][2]
        h, w = t.spec.input_size
        for j in real.tolist():
            c = int(t.tap_canvas[s, j]) // (t.canvas.size[0] * t.canvas.size[1])
            sample = t.tap_extras["sample"][s, j]
            cells = [None if n < 0 else (int(n) // (h * w), (int(n) % (h * w)) // w, int(n) % w) for n in t.tap_extras["neighbours"][s, j].tolist()]
            yield c, sample, sample - offset[j % k], cells

    def frame(self, sweep: list[int]) -> list:
        b, p = self.b, self.b.pal
        grid = b.style("regular", fill=None, stroke=mix(p.outline, "#ffffff", 0.5), width=1.0, dash=[2.0, 2.0])
        line = b.style("neighbour", stroke=p.winner, width=NEIGHBOUR)
        moved = b.style("offset", stroke=mix(p.outline, "#ffffff", 0.35), width=NEIGHBOUR, dash=[2.0, 1.5])
        spot = b.style("sample", fill=p.winner, stroke="#ffffff", width=0.8)
        regular, lines, dots = {}, [], []
        ch, cw = self.t.canvas.size
        pad = self.t.spec.padding
        for s in sweep[-1:]:   # a row's sweep shows where its last window samples: the row's would be a tangle
            for c, sample, home, cells in self.taps(s):
                r, q = int(round(home[0])) + pad.top, int(round(home[1])) + pad.left
                if 0 <= r < ch and 0 <= q < cw:
                    regular[(c, r, q)] = {"poly": f"in:{c}:{r}:{q}", "style": grid}
                at = self.point(c, *sample)
                lines.append({"line": [self.point(c, *home), at], "style": moved})   # the offset Δpk
                lines += [{"line": [at, self.point(c, y, x)], "style": line} for _, y, x in filter(None, cells)]
                dots.append({"points": dot(at, DOT), "style": spot})
        return list(regular.values()) + lines + dots

    def sum_lines(self, s: int) -> list[str]:
        t = self.t
        real = t.taps_of(s)
        sampled = t.tap_extras["sampled"][s, real].tolist()
        modulation = t.tap_extras["modulation"][s, real].tolist()
        v2 = t.spec.mask is not None
        terms = [times(w, m, v) if v2 else times(w, v)
                 for w, m, v in zip(t.factors(s).tolist(), modulation, sampled)]
        text = " + ".join(clip(terms, 9))
        if t.spec.bias is not None:
            text += f" + {fmt(t.spec.bias[self.output_cell(t.step_index[s])[0]])}"
        return [f"{text} = {fmt(t.step_value[s])}"]

"""The matrix form drawn: `y = C x` with the current step's row of C lit and linked to
its window on the input grid; a transposed convolution as the same C read by columns
(`y = Cᵀ x`, drawn as `yᵀ = xᵀ C`); and im2col, the patch matrix (`F.unfold`) whose
product with the flattened kernel gives the output.

Every number drawn comes from the engine's trace (app/engine/matrix.py reads C off
its taps); this module only places it, in the reference's colours, lines and tints.
"""

from __future__ import annotations

import numpy as np

from app.engine import SpecError, Trace, naming
from app.engine import matrix
from app.engine import window

from .board import MARGIN, Board, Grid
from .options import RenderOptions
from .palette import mix
from .scene import _clip, _fmt
from .words import say

MAX_SIDE = 400   # rows or columns of a drawn matrix: past that a cell is under a pixel wide at any scale
GAP = 24.0       # px at scale 1 between the blocks of a product


def _check(rows: int, cols: int, param: str = "input_size") -> None:
    if max(rows, cols) > MAX_SIDE:
        raise SpecError(param, "matrix_too_large", rows=rows, cols=cols, high=MAX_SIDE)


def cell_size(options: RenderOptions, *sides: int, most: float = 22.0, room: float = 560.0) -> float:
    """px per matrix cell: as large as the numbers need, no larger than fits `room` px."""
    return options.scale * max(4.0, min(most, room / max(sides)))


def grid_size(options: RenderOptions, h: int, w: int) -> float:
    return options.scale * max(8.0, min(29.5, 200.0 / max(h, w)))


class _Figure(Board):
    """A product of blocks and the grids they come from, one frame per step of the trace."""

    def __init__(self, trace: Trace, options: RenderOptions):
        super().__init__(options)
        self.t = trace
        self.m = MARGIN * self.s
        self.gap = GAP * self.s

    def maps(self, name: str, shape, x: float, y: float, fills_of, values) -> list[Grid]:
        """One grid per channel, stacked downwards from (x, y), polygons `name:c:r:q`."""
        c, h, w = shape
        size = grid_size(self.o, h, w)
        out = []
        for k in range(c):
            g = Grid(f"{name}:{k}", x, y + k * (h * size + self.gap / 2), h, w, size)
            out.append(self.grid(g, fills_of(k), None if values is None else values[k].tolist()))
        return out

    def sign(self, text: str, x: float, y: float) -> None:
        self.base.append(self.label((x, y), text, "mm", 16.0, bold=True))

    def title(self, y: float, *lines: str) -> None:
        """The operation and the product written out (not with labels=false)."""
        if not self.o.labels:
            return
        for i, line in enumerate(lines):
            self.base.append(self.label((self.m, y + i * 18 * self.s), line, "lt", 14.0 if i == 0 else 12.0, bold=i == 0))

    def sum_text(self, terms: list[str], value, y: float) -> dict:
        return self.label((self.m, y), " + ".join(_clip(terms, 10)) + f" = {_fmt(value)}", "lt", 12.0)


def build_matrix_scene(trace: Trace, options: RenderOptions) -> dict:
    """`y = C x` (or, transposed, `yᵀ = xᵀ C`): C read off the trace, one frame per step."""
    dense = matrix.dense(trace)   # [outputs, inputs]: refuses what has no matrix
    transposed = trace.spec.op == "conv_transpose2d"
    c = dense.T if transposed else dense
    _check(*c.shape)
    f = _Figure(trace, options)
    return (_transposed if transposed else _plain)(f, c)


def _plain(f: _Figure, c: np.ndarray) -> dict:
    t, p, o, lang = f.t, f.pal, f.o, f.o.lang
    rows, cols = c.shape
    u = cell_size(o, rows, cols)
    pale = mix(p.input, "#ffffff", 0.55)
    nz = c != 0
    x_vals, y_vals = t.spec.input.ravel(), t.output.ravel()
    top = f.m + 30 * f.s
    out_grids = f.maps("output", t.output.shape, f.m, top, lambda k: [[p.output] * t.output.shape[2]] * t.output.shape[1],
                       t.output if f.fits_numbers(Grid("", 0, 0, 1, 1, grid_size(o, *t.output.shape[1:]))) else None)
    f.base.append(f.label((f.m, top - 8 * f.s), say("output", lang, h=t.output.shape[1], w=t.output.shape[2]), "lb"))
    left = max(g.right for g in out_grids) + f.gap * 1.5
    ycol = f.grid(Grid("y", left, top, rows, 1, u), [[p.output]] * rows, y_vals[:, None].tolist())
    f.base.append(f.label((ycol.x, top - 8 * f.s), "y", "lb", bold=True))
    f.sign("=", ycol.right + f.gap / 2, top + u * rows / 2)
    cm = f.grid(Grid("C", ycol.right + f.gap, top, rows, cols, u), [[pale if v else None for v in row] for row in nz],
                _nonzero(c) if o.numbers else None, faint_lines=True, ids=False)
    f.base.append(f.label((cm.x, top - 8 * f.s), say("matrix_c", lang, rows=rows, cols=cols), "lb", bold=True))
    f.sign("·", cm.right + f.gap / 2, top + u * min(rows, cols) / 2)
    xcol = f.grid(Grid("x", cm.right + f.gap, top, cols, 1, u), [[p.input]] * cols, x_vals[:, None].tolist())
    f.base.append(f.label((xcol.x, top - 8 * f.s), "x", "lb", bold=True))
    in_grids = f.maps("input", t.spec.input.shape, xcol.right + f.gap * 3, top, lambda k: [[p.input] * t.spec.input_size[1]] * t.spec.input_size[0],
                      t.spec.input if f.fits_numbers(Grid("", 0, 0, 1, 1, grid_size(o, *t.spec.input_size))) else None)
    f.base.append(f.label((in_grids[0].x, top - 8 * f.s), say("input", lang, h=t.spec.input_size[0], w=t.spec.input_size[1]), "lb"))
    bottom = max(f.extent[1], top) + 20 * f.s
    f.title(bottom, naming.title(t.spec), say("y_is_cx", lang) + (say("plus_bias", lang) if t.spec.bias is not None else ""))
    sum_at = bottom + 40 * f.s
    for s in range(t.steps):
        r = int(t.step_index[s])
        js = np.flatnonzero(nz[r])
        items = [f.tint_box(cm.box(r, int(j), r, int(j))) for j in js]
        items.append(f.ring(cm.box(r, 0, r, cols - 1)))
        items.append(f.tint_box(ycol.box(r, 0, r, 0)))
        items += [f.tint_box(xcol.box(int(j), 0, int(j), 0)) for j in js]
        items += _link(f, ycol, [r], out_grids, t.output.shape, "output", side="left")
        items += _link(f, xcol, js, in_grids, t.spec.input.shape, "input", side="right")
        if o.numbers:
            items += f.values(cm, _nonzero(c), [[pale if v else None for v in row] for row in nz], tinted=True, cells=[(r, int(j)) for j in js])
            items += f.values(xcol, x_vals[:, None].tolist(), [[p.input]] * cols, tinted=True, cells=[(int(j), 0) for j in js])
            items += f.values(ycol, y_vals[:, None].tolist(), [[p.output]] * rows, tinted=True, cells=[(r, 0)])
            terms = [f"{_fmt(c[r, j])}×{_fmt(x_vals[j])}" for j in js]
            if t.spec.bias is not None:
                terms.append(_fmt(t.spec.bias[r // t.output[0].size]))
            items.append(f.sum_text([f"y[{r}] = " + (terms[0] if terms else "0")] + terms[1:], y_vals[r], sum_at))
        f.frames.append({"ms": o.ms, "items": items})
    return f.scene({"view": "matrix", "steps": list(range(t.steps)), "shape": [rows, cols], "highlight": "row"})


def _transposed(f: _Figure, c: np.ndarray) -> dict:
    """C [transposed inputs, transposed outputs]: x beside C's rows, y under its columns.
    The gather view computes an output from a column of C; the scatter view stamps a row."""
    t, p, o, lang = f.t, f.pal, f.o, f.o.lang
    rows, cols = c.shape
    u = cell_size(o, rows, cols)
    pale = mix(p.input, "#ffffff", 0.55)
    nz = c != 0
    x_vals, y_vals = t.spec.input.ravel(), t.output.ravel()
    by_column = t.spec.view != "scatter"
    top = f.m + 30 * f.s
    in_grids = f.maps("input", t.spec.input.shape, f.m, top, lambda k: [[p.input] * t.spec.input_size[1]] * t.spec.input_size[0],
                      t.spec.input if f.fits_numbers(Grid("", 0, 0, 1, 1, grid_size(o, *t.spec.input_size))) else None)
    f.base.append(f.label((f.m, top - 8 * f.s), say("input", lang, h=t.spec.input_size[0], w=t.spec.input_size[1]), "lb"))
    xcol = f.grid(Grid("x", max(g.right for g in in_grids) + f.gap * 3, top, rows, 1, u), [[p.input]] * rows, x_vals[:, None].tolist())
    f.base.append(f.label((xcol.x, top - 8 * f.s), "x", "lb", bold=True))
    cm = f.grid(Grid("C", xcol.right + f.gap, top, rows, cols, u), [[pale if v else None for v in row] for row in nz],
                _nonzero(c) if o.numbers else None, faint_lines=True, ids=False)
    f.base.append(f.label((cm.x, top - 8 * f.s), say("matrix_ct", lang, rows=rows, cols=cols), "lb", bold=True))
    yrow = f.grid(Grid("y", cm.x, cm.bottom + f.gap, 1, cols, u), [[p.output] * cols], [y_vals.tolist()])
    f.base.append(f.label((cm.x - 6 * f.s, yrow.y + u / 2), "y^T", "rm", bold=True))
    out_top = yrow.bottom + f.gap * 2
    out_grids = f.maps("output", t.output.shape, cm.x, out_top, lambda k: [[p.output] * t.output.shape[2]] * t.output.shape[1],
                       t.output if f.fits_numbers(Grid("", 0, 0, 1, 1, grid_size(o, *t.output.shape[1:]))) else None)
    f.base.append(f.label((cm.x, out_top - 6 * f.s), say("output", lang, h=t.output.shape[1], w=t.output.shape[2]), "lb"))
    bottom = f.extent[1] + 20 * f.s
    f.title(bottom, naming.title(t.spec), say("y_is_ctx", lang) + (say("plus_bias", lang) if t.spec.bias is not None else ""))
    sum_at = bottom + 40 * f.s
    for s in range(t.steps):
        k = int(t.step_index[s])
        if by_column:   # output k = column k of C read against x
            ins, outs = np.flatnonzero(nz[:, k]), np.array([k])
            items = [f.tint_box(cm.box(int(i), k, int(i), k)) for i in ins] + [f.ring(cm.box(0, k, rows - 1, k))]
        else:           # input k stamps row k of C into y
            ins, outs = np.array([k]), np.flatnonzero(nz[k])
            items = [f.tint_box(cm.box(k, int(j), k, int(j))) for j in outs] + [f.ring(cm.box(k, 0, k, cols - 1))]
        items += [f.tint_box(xcol.box(int(i), 0, int(i), 0)) for i in ins]
        items += [f.tint_box(yrow.box(0, int(j), 0, int(j))) for j in outs]
        items += _link(f, xcol, ins, in_grids, t.spec.input.shape, "input", side="left")
        items += _link(f, yrow, outs, out_grids, t.output.shape, "output", side="bottom")
        if o.numbers and by_column:
            items += f.values(cm, _nonzero(c), [[pale if v else None for v in row] for row in nz], tinted=True, cells=[(int(i), k) for i in ins])
            terms = [f"{_fmt(x_vals[i])}×{_fmt(c[i, k])}" for i in ins]
            if t.spec.bias is not None:
                terms.append(_fmt(t.spec.bias[k // t.output[0].size]))
            items.append(f.sum_text([f"y[{k}] = " + (terms[0] if terms else "0")] + terms[1:], y_vals[k], sum_at))
        f.frames.append({"ms": o.ms, "items": items})
    return f.scene({"view": "matrix", "steps": list(range(t.steps)), "shape": [rows, cols],
                    "highlight": "column" if by_column else "row"})


def _link(f: _Figure, vec: Grid, flats, grids: list[Grid], shape, name: str, side: str) -> list:
    """Tint the 2-D cells of these flat indices and join each to its cell in the vector.
    (The grids are named `input`/`output`, not the forward picture's `in`/`out`: their cells
    are the tensors', without padding, so the playground's hover, which speaks canvas cells, leaves them.)"""
    items = []
    for j in np.asarray(flats).tolist():
        k, r, q = (int(v) for v in np.unravel_index(int(j), shape))
        g = grids[k]
        items.append(f.tint(f"{name}:{k}:{r}:{q}"))
        row, col = (0, j) if vec.rows == 1 else (j, 0)
        x0, y0, x1, y1 = *vec.box(row, col, row, col)[0], *vec.box(row, col, row, col)[2]
        start = {"left": (x0, (y0 + y1) / 2), "right": (x1, (y0 + y1) / 2), "bottom": ((x0 + x1) / 2, y1)}[side]
        cx, cy = g.centre(r, q)
        end = {"left": (cx + g.size / 2, cy), "right": (cx - g.size / 2, cy), "bottom": (cx, cy - g.size / 2)}[side]
        items.append(f.connector(start, end))
    return items


def _nonzero(m: np.ndarray) -> list:
    """The entries to write: a sparse matrix's zeros are left blank."""
    return [[v if v else None for v in row] for row in m.tolist()]


def build_im2col_scene(trace: Trace, options: RenderOptions) -> dict:
    """`Y = W · U (+ b)`: W the kernel flattened (one row per output channel, zeros off its
    group), U = F.unfold of the padded input (one column per window), one frame per step."""
    spec = trace.spec
    u_mat = matrix.im2col(trace)
    if u_mat is None:
        raise SpecError("op", "no_im2col", op=spec.op)
    matrix.entries(trace)   # refuses outputs that are not the plain sums of products (partial padding rescales them)
    oc, k = spec.out_channels, int(np.prod(spec.kernel_size))
    cin_g, cout_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    w_full = np.zeros((oc, spec.in_channels * k))
    own = np.zeros(w_full.shape, bool)   # the entries of each row's own group (a zero weight is still a weight)
    for o in range(oc):
        g = o // cout_g
        w_full[o, g * cin_g * k:(g + 1) * cin_g * k] = spec.weight[o].ravel()
        own[o, g * cin_g * k:(g + 1) * cin_g * k] = True
    y = trace.output.reshape(oc, -1)
    _check(max(oc, u_mat.shape[0]), u_mat.shape[1])
    f = _Figure(trace, options)
    p, o_, lang = f.pal, options, options.lang
    rows, windows = u_mat.shape
    u = cell_size(o_, rows + oc, windows + rows, room=620.0)
    pale = mix(p.input, "#ffffff", 0.55)
    kinds = trace.canvas.kinds
    canvas_fill = [[p.input if kk == "i" else None for kk in row] for row in kinds]
    top = f.m + 30 * f.s
    cv = trace.canvas.values
    gsize = grid_size(o_, *kinds.shape)
    canvas = f.maps("in", cv.shape, f.m, top, lambda _k: canvas_fill, cv if f.fits_numbers(Grid("", 0, 0, 1, 1, gsize)) else None)
    f.base.append(f.label((f.m, top - 8 * f.s), say("padded_input", lang, h=kinds.shape[0], w=kinds.shape[1]), "lb"))
    prod_top = f.extent[1] + f.gap * 2
    wm = f.grid(Grid("W", f.m, prod_top + (rows - oc) * u / 2, oc, rows, u), [[pale if v else None for v in r] for r in own],
                np.where(own, w_full, np.nan).tolist() if o_.numbers else None, ids=False)
    f.base.append(f.label((wm.x, wm.y - 8 * f.s), say("kernel_rows", lang, rows=oc, cols=rows), "lb", bold=True))
    f.sign("·", wm.right + f.gap / 2, prod_top + rows * u / 2)
    cy, cx = window.positions(trace.output.shape[1:], spec.kernel_size, spec.stride, spec.dilation)
    from_input = np.tile(kinds[cy, cx].T == "i", (spec.in_channels, 1))   # [C*K, P]: read off an input cell, not padding
    um = f.grid(Grid("U", wm.right + f.gap, prod_top, rows, windows, u), [[p.input if v else None for v in r] for r in from_input],
                u_mat.tolist() if o_.numbers else None, faint_lines=True, ids=False)
    f.base.append(f.label((um.x, prod_top - 8 * f.s), say("unfold", lang, rows=rows, cols=windows), "lb", bold=True))
    f.sign("=", um.right + f.gap / 2, prod_top + rows * u / 2)
    ym = f.grid(Grid("Y", um.right + f.gap, prod_top + (rows - oc) * u / 2, oc, windows, u), [[p.output] * windows] * oc, y.tolist())
    f.base.append(f.label((ym.x, ym.y - 8 * f.s), say("output_rows", lang, rows=oc, cols=windows), "lb", bold=True))
    bottom = f.extent[1] + 20 * f.s
    f.title(bottom, naming.title(spec), say("y_is_wu", lang) + (say("plus_bias", lang) if spec.bias is not None else ""))
    sum_at = bottom + 40 * f.s
    for s in range(trace.steps):
        row, col = divmod(int(trace.step_index[s]), windows)
        items = [f.tint_box(wm.box(row, 0, row, rows - 1)), f.ring(wm.box(row, 0, row, rows - 1)), f.tint_box(um.box(0, col, rows - 1, col)), f.ring(um.box(0, col, rows - 1, col)),
                 f.tint_box(ym.box(row, col, row, col))]
        reads = np.flatnonzero(own[row])   # the channels of row's group
        for i in reads.tolist():
            ch, kk = divmod(i, k)
            items.append(f.tint(f"in:{ch}:{int(cy[col, kk])}:{int(cx[col, kk])}"))
        # as the reference joins a window to the cell it makes: its corners to the column it becomes
        top_left, top_right = um.box(0, col, 0, col)[:2]
        for ch in sorted({i // k for i in reads.tolist()}):
            win = canvas[ch].box(int(cy[col].min()), int(cx[col].min()), int(cy[col].max()), int(cx[col].max()))
            items += [f.connector(win[3], top_left), f.connector(win[2], top_right)]
        if o_.numbers:
            terms = [f"{_fmt(w_full[row, i])}×{_fmt(u_mat[i, col])}" for i in reads]
            if spec.bias is not None:
                terms.append(_fmt(spec.bias[row]))
            items.append(f.sum_text([f"Y[{row},{col}] = " + terms[0]] + terms[1:], y[row, col], sum_at))
        f.frames.append({"ms": o_.ms, "items": items})
    return f.scene({"view": "im2col", "steps": list(range(trace.steps)), "shape": [rows, windows]})

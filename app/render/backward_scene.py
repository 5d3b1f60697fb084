"""The backward pass drawn: the forward picture and the gradient's side by side, one
frame per grad_input cell, with `dL/dX = full_conv(dL/dY, rot180(W))` written with the
user's numbers.

The gradient picture of a convolution is the forward picture of the operation the
engine names in `drawn_as` (app/engine/backward.py): dL/dY with zeros inserted and
padded, read by the kernel turned 180°, by scene.py's own builder. Where there is no
such operation (pooling, copied or uneven padding) the gradient is drawn as routing:
the dL/dY cells that reach each dL/dX cell and the factor each is multiplied by (max
pooling: 1 from its winner, average pooling: 1/divisor).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.engine import Trace, build_spec, run
from app.engine import backward as bw

from .board import MARGIN, Board, Grid
from .matrix_scene import grid_size
from .options import RenderOptions
from .scene import _clip, _fmt, build_scene
from .words import WORDS, say

GAP = 30.0   # px at scale 1 between the two pictures


def build_backward_scene(trace: Trace, options: RenderOptions, grad_output=None) -> dict:
    b = bw.backward(trace, grad_output)
    forward = build_scene(trace, options)
    drawn = bw.drawn_as(trace.spec, b.grad_output) if trace.spec.weight is not None else None
    gradient = _full_conv(run(build_spec(drawn)), options) if drawn else _routing(b, options)
    return _side_by_side(b, forward, gradient, options, drawn is not None)


def _full_conv(trace: Trace, options: RenderOptions) -> dict:
    """The drawn_as operation's picture, its maps named for what they hold here: dL/dY
    (zeros inserted and padded) below, dL/dX above."""
    scene = build_scene(trace, replace(options, labels=False))
    spec, lang = trace.spec, options.lang
    (h, w), (ch, cw), (oh, ow) = spec.input_size, trace.canvas.size, trace.output.shape[1:]
    below = say("grad_y_sized", lang, h=h, w=w) + (say("grown", lang, how=say("inserted", lang), h=ch, w=cw) if (ch, cw) != (h, w) else "")
    scene["meta"]["legend"] = [say("legend", lang, below=below, above=say("grad_x_sized", lang, h=oh, w=ow))] if options.labels else []
    return scene


def _routing(b: bw.Backward, options: RenderOptions) -> dict:
    """dL/dY on the left, dL/dX on the right; frame i: the dL/dY cells that reach dL/dX cell i."""
    f = Board(options)
    p, s, lang = f.pal, options.scale, options.lang
    m = MARGIN * s
    top = m + 22 * s
    g, gx = b.grad_output, b.grad_input
    numbers = options.numbers

    def maps(name, arr, x):
        c, h, w = arr.shape
        size = grid_size(options, h, w)
        colour = p.output if name == "gy" else p.input
        grids = [f.grid(Grid(f"{name}:{k}", x, top + k * (h * size + 12 * s), h, w, size), [[colour] * w] * h,
                        arr[k].tolist() if numbers else None) for k in range(c)]
        return grids

    gy = maps("gy", g, m)
    f.base.append(f.label((m, top - 8 * s), say("grad_y", lang), "lb", bold=True))
    left = max(q.right for q in gy) + GAP * 2 * s
    gxs = maps("gx", gx, left)
    f.base.append(f.label((left, top - 8 * s), say("grad_x", lang), "lb", bold=True))
    sum_at = f.extent[1] + 14 * s
    oshape, ishape = g.shape, gx.shape
    for i in range(len(b.step_input)):
        k, r, q = (int(v) for v in np.unravel_index(i, ishape))
        items = [f.tint(f"gx:{k}:{r}:{q}")]
        real = np.flatnonzero(b.tap_output[i] >= 0)
        terms = []
        for j in real.tolist():
            ok, orow, ocol = (int(v) for v in np.unravel_index(int(b.tap_output[i, j]), oshape))
            items.append(f.tint(f"gy:{ok}:{orow}:{ocol}"))
            a, z = gy[ok].centre(orow, ocol), gxs[k].centre(r, q)
            items.append(f.connector((a[0] + gy[ok].size / 2, a[1]), (z[0] - gxs[k].size / 2, z[1])))
            terms.append(f"{_fmt(g.ravel()[int(b.tap_output[i, j])])}×{_fmt(b.tap_factor[i, j])}")
        if numbers:
            items += f.values(gxs[k], gx[k].tolist(), [[p.input] * ishape[2]] * ishape[1], tinted=True, cells=[(r, q)])
        items.append(f.label((m, sum_at), f"dL/dX[{k},{r},{q}] = " + (" + ".join(_clip(terms, 10)) + " = " if terms else "") + _fmt(gx.ravel()[i]), "lt", 12.0))
        f.frames.append({"ms": options.ms, "items": items})
    return f.scene({"view": "routing", "steps": list(range(len(b.step_input)))})


def _side_by_side(b: bw.Backward, forward: dict, gradient: dict, options: RenderOptions, full_conv: bool) -> dict:
    """One scene: the forward picture still (its last frame's finished values kept), its cells
    lit by the gradient's frame; the gradient picture to its right, ids and styles prefixed `g.`."""
    s, lang = options.scale, options.lang
    legend = gradient["meta"].get("legend", [])
    head = (24 + 16 * len(legend)) * s
    dx = forward["width"] + GAP * s
    out = {"background": "#ffffff", "styles": dict(forward["styles"]), "polys": {}, "timed": [], "frames": []}
    out["styles"].update({f"g.{k}": v for k, v in gradient["styles"].items()})
    out["polys"] = {pid: _moved(pts, 0, head) for pid, pts in forward["polys"].items()}
    out["polys"].update({f"g.{pid}": _moved(pts, dx, head) for pid, pts in gradient["polys"].items()})
    board = Board(options)   # the captions, the forward outputs and the formula, in the pictures' look
    out["base"] = [_item(it, 0, head) for it in forward["base"]] + _outputs(b.trace, board, out["polys"], options)
    out["base"] += [_item(it, dx, head, "g.") for it in gradient["base"]]
    out["timed"] = [_item(t, dx, head, "g.") for t in gradient["timed"]]
    label = lambda at, text, anchor="lb", size=13.0, bold=True: board.label(at, text, anchor, size, bold)  # noqa: E731
    out["base"].append(label((MARGIN * s, (24 + 4) * s), say("forward", lang)))
    caption = say("backward_full" if full_conv else "backward_routed", lang)
    out["base"].append(label((dx + MARGIN * s, (24 + 4) * s), caption))
    for n, line in enumerate(legend):
        out["base"].append(label((dx + MARGIN * s, (24 + 4 + 16 * (n + 1)) * s), line, "lb", 12.0, False))
    y = max(forward["height"], gradient["height"]) + head
    key = f"formula_{b.trace.spec.op}"
    lines = [say(key if key in WORDS else "formula_any", lang)]
    lines += _with_numbers(b)
    for n, line in enumerate(lines):
        out["base"].append(label((MARGIN * s, y + n * 18 * s), line, "lt", 13.0 if n == 0 else 12.0, n == 0))
    homes = _homes(b.trace)
    for n, frame in enumerate(gradient["frames"]):
        i = int(gradient["meta"]["steps"][n])   # the grad_input cell this frame computes
        items = [_item(it, dx, head, "g.") for it in frame["items"]]
        items = _lit(b, i, homes, board, out) + items
        out["frames"].append({"ms": frame["ms"], "items": items})
    out["styles"].update(board.styles)
    out["width"] = round(max(dx + gradient["width"], board.extent[0] + MARGIN * s))
    out["height"] = round(y + len(lines) * 18 * s + MARGIN * s)
    out["meta"] = {"view": "backward", "steps": gradient["meta"]["steps"], "forward": forward["meta"],
                   "drawn_as": "full_conv" if full_conv else "routing"}
    return out


def _with_numbers(b: bw.Backward) -> list[str]:
    """The formula's arrays with the user's numbers (small ones written out, larger ones by shape)."""
    spec = b.trace.spec
    out = [f"dL/dY = {_array(b.grad_output)}"]
    if spec.weight is not None:   # conv2d's gradient reads the kernel turned 180°; conv_transpose2d's reads it as it is
        w = spec.weight
        out.append(f"W = {_array(w)}" + (f"    rot180(W) = {_array(w[..., ::-1, ::-1])}" if spec.op == "conv2d" else ""))
    out.append(f"dL/dX = {_array(b.grad_input)}")
    return out


def _array(a: np.ndarray, most: int = 25) -> str:
    a = np.squeeze(a)
    if a.size > most:
        return "[" + "×".join(str(n) for n in np.shape(a)) + " values]"
    return _nested(a)


def _nested(a) -> str:
    if np.ndim(a) == 0:
        return _fmt(float(a))
    return "[" + ", ".join(_nested(x) for x in a) + "]"


def _outputs(trace: Trace, board: Board, polys: dict, options: RenderOptions) -> list:
    """Numbers mode: the forward picture's finished outputs (its own frames are not shown)."""
    if not options.numbers or trace.spec.view == "scatter":
        return []
    out = []
    for (k, y, x), v in np.ndenumerate(trace.output):
        cell = polys[f"out:{k}:{y}:{x}"]
        centre = (sum(p[0] for p in cell) / len(cell), sum(p[1] for p in cell) / len(cell))
        out.append(board.text(centre, _fmt(v), "fwd", board.pal.output, 12.0, "mm"))
    return out


def _homes(trace: Trace) -> dict:
    """Flat input index -> the forward picture's polygon of that input cell."""
    spec = trace.spec
    c, h, w = spec.input.shape
    if spec.view == "scatter":
        return {int(np.ravel_multi_index((k, y, x), (c, h, w))): f"in:{k}:{y}:{x}" for k in range(c) for y in range(h) for x in range(w)}
    kinds, source = trace.canvas.kinds, trace.canvas.source
    out = {}
    for y, x in np.argwhere(kinds == "i").tolist():
        for k in range(c):
            out[k * h * w + int(source[y, x])] = f"in:{k}:{y}:{x}"
    return out


def _lit(b: bw.Backward, i: int, homes: dict, board: Board, scene: dict) -> list:
    """In the forward picture: input cell i and the outputs whose gradient reaches it."""
    items = []
    if i in homes:
        items.append(board.ring(scene["polys"][homes[i]], board.pal.winner))
    if b.trace.spec.view != "scatter":
        for o in b.tap_output[i][b.tap_output[i] >= 0].tolist():
            k, y, x = (int(v) for v in np.unravel_index(int(o), b.trace.output.shape))
            items.append(board.tint(f"out:{k}:{y}:{x}"))
    return items


def _moved(points, dx: float, dy: float) -> list:
    return [[round(x + dx, 2), round(y + dy, 2)] for x, y in points]


def _item(item: dict, dx: float, dy: float, prefix: str = "") -> dict:
    out = {**item, "style": prefix + item["style"]}
    if "poly" in item:
        out["poly"] = prefix + item["poly"]
    for key in ("points", "line"):
        if key in item:
            out[key] = _moved(item[key], dx, dy)
    if "at" in item:   # one text's place, or a run's places (texts in one look)
        grouped = isinstance(item["text"], list)
        out["at"] = _moved(item["at"], dx, dy) if grouped else _moved([item["at"]], dx, dy)[0]
    return out

"""The backward pass, read off the forward trace's taps.

A forward tap "output o reads input i with factor f" sends dL/dy[o] * f back to
dL/dx[i]; max pooling sends each gradient to its winner only, average pooling
spreads it over the counted cells (factor 1/divisor). Grouping those contributions
by input cell gives one step per grad_input cell: for a convolution that is the
full convolution of dL/dY with the kernel turned 180 degrees, which `drawn_as`
names as an operation the renderer already draws (conv_transpose2d's gather view
for conv2d, conv2d for conv_transpose2d).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import fields, values
from .errors import SpecError
from .spec import Spec
from .trace import Trace, number


@dataclass(frozen=True)
class Backward:
    trace: Trace                  # the forward pass
    grad_output: np.ndarray       # [OC][OH][OW]
    grad_input: np.ndarray        # [C][H][W]
    grad_weight: np.ndarray | None
    grad_bias: np.ndarray | None
    step_input: np.ndarray        # [N] flat input index of each step (every input cell)
    tap_output: np.ndarray        # [N][T] flat grad_output index, -1 = no tap
    tap_weight: np.ndarray        # [N][T] flat weight index, -1 = none
    tap_factor: np.ndarray        # [N][T] what dL/dy is multiplied by
    tap_product: np.ndarray       # [N][T]


def default_grad_output(shape: tuple[int, ...]) -> np.ndarray:
    """Small whole numbers 1..3 fixed by position, like the default input."""
    out = (values._hash(shape, 3) % np.uint64(3)).astype(np.float64) + 1
    out.flags.writeable = False
    return out


def read_grad_output(raw, trace: Trace) -> np.ndarray:
    if raw is None:
        return default_grad_output(trace.output.shape)
    arr = fields.numbers(raw, "grad_output")
    c, h, w = trace.output.shape
    shapes = [(c, h, w)] + ([(h, w)] if c == 1 else [])
    return fields.shaped(arr, "grad_output", shapes, f"[{c}][{h}][{w}] (the output's shape)")


LINEAR = ("sum", "scatter", "mean")


def contributions(trace: Trace):
    """(input cell, output cell, factor, weight index or -1, value read) of every tap that matters.

    Only for traces whose taps are plain `read x factor` and whose steps add them up
    (or average them, or pick one: max pooling); anything else (a mask's rescaling,
    bilinear samples, a gate) is refused rather than differentiated wrongly.
    """
    if trace.reduction not in LINEAR + ("max",):
        raise SpecError("op", "no_linear_view", op=trace.spec.op)
    taps = trace.tap_canvas >= 0
    shape = trace.tap_tensor.shape
    steps = np.broadcast_to(trace.step_index[:, None], shape)
    inp, out = (steps, trace.tap_tensor) if trace.reduction == "scatter" else (trace.tap_tensor, steps)
    if trace.reduction == "mean":
        factor = np.broadcast_to(1.0 / trace.divisor[:, None], shape)
    elif trace.reduction == "max":
        factor = np.ones(shape)
    elif trace.tap_coefficient is not None:
        factor = trace.tap_coefficient
    else:
        factor = trace.spec.weight.ravel()[np.maximum(trace.tap_weight, 0)]
    weight = trace.tap_weight if trace.tap_weight is not None else np.full(shape, -1)
    read = (np.broadcast_to(trace.step_value[:, None], shape) if trace.reduction == "scatter"
            else trace.canvas.values.ravel()[np.maximum(trace.tap_canvas, 0)])
    _check_plain(trace, taps, read, factor)
    real = taps & (trace.tap_tensor >= 0)
    if trace.reduction == "max":
        winners = np.zeros(shape, bool)
        found = np.isfinite(trace.step_value)
        winners[np.flatnonzero(found), trace.winner[found]] = True
        real &= winners
    return inp[real], out[real], factor[real], weight[real], read[real]


def _check_plain(trace: Trace, taps, read, factor) -> None:
    """Each product is what its tap read times its factor, and each step adds them up."""
    if trace.reduction == "max":
        return
    product = np.nan_to_num(np.where(taps, trace.tap_product, 0.0))   # NaN: cells past the input (ceil_mode), never counted
    plain = np.nan_to_num(np.where(taps, read * (factor if trace.reduction != "mean" else 1.0), 0.0))
    scale = 1e-9 * max(1.0, float(np.abs(plain).max(initial=0)))
    ok = np.allclose(plain, product, rtol=0, atol=scale)
    if ok and trace.reduction != "scatter":
        total = product.sum(axis=1) / (trace.divisor if trace.reduction == "mean" else 1)
        if trace.spec.bias is not None:
            total = total + np.repeat(trace.spec.bias, trace.output[0].size)
        ok = np.allclose(total, trace.step_value, rtol=0, atol=scale * product.shape[1])
    if not ok:
        raise SpecError("op", "no_linear_view", op=trace.spec.op)


def backward(trace: Trace, grad_output=None) -> Backward:
    spec = trace.spec
    g = read_grad_output(grad_output, trace)
    inp, out, factor, weight, read = contributions(trace)
    product = g.ravel()[out] * factor
    n = spec.input.size
    grad_input = np.bincount(inp, product, minlength=n).reshape(spec.input.shape)
    grad_weight = grad_bias = None
    if spec.weight is not None:
        grad_weight = np.bincount(weight, g.ravel()[out] * read, minlength=spec.weight.size).reshape(spec.weight.shape)
        # zero padding reads nothing back into the input but still weighs its zeros: nothing to add
    if spec.bias is not None:
        grad_bias = g.sum(axis=(1, 2))
    order = np.lexsort((out, inp))
    counts = np.bincount(inp, minlength=n)
    width = max(int(counts.max(initial=0)), 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(order)) - np.repeat(starts, counts)
    rows = inp[order]
    grid = lambda fill, col: _scatter_rows(n, width, rows, slot, col[order], fill)  # noqa: E731
    return Backward(
        trace=trace, grad_output=g, grad_input=grad_input, grad_weight=grad_weight, grad_bias=grad_bias,
        step_input=np.arange(n), tap_output=grid(-1, out), tap_weight=grid(-1, weight),
        tap_factor=grid(np.nan, factor), tap_product=grid(np.nan, product),
    )


def _scatter_rows(n: int, width: int, rows, slot, values_, fill):
    out = np.full((n, width), fill, dtype=np.asarray(values_).dtype if fill == -1 else np.float64)
    out[rows, slot] = values_
    return out


def drawn_as(spec: Spec, g: np.ndarray) -> dict | None:
    """The forward operation whose trace is this gradient's full convolution, when there is one.

    conv2d (zero padding, the same on both sides of an axis): conv_transpose2d of dL/dY
    with the same weight, which inserts stride-1 zeros, pads d*(k-1)-p and turns the
    kernel 180 degrees; output_padding makes up the rows the forward pass left unread.
    conv_transpose2d: conv2d of dL/dY with the same weight and settings.
    """
    common = {"kernel_size": list(spec.kernel_size), "stride": list(spec.stride), "dilation": list(spec.dilation),
              "groups": spec.groups, "weight": spec.weight.tolist(), "input": g.tolist(),
              "in_channels": spec.out_channels, "out_channels": spec.in_channels}
    p = spec.padding
    if spec.op == "conv2d" and spec.padding_mode == "zeros" and p.symmetric:
        oh, ow = g.shape[1:]
        extra = [i - ((o - 1) * s - 2 * pad + d * (k - 1) + 1)
                 for i, o, s, pad, d, k in zip(spec.input_size, (oh, ow), spec.stride, (p.top, p.left), spec.dilation, spec.kernel_size)]
        return {"op": "conv_transpose2d", **common, "padding": [p.top, p.left], "output_padding": extra}
    if spec.op == "conv_transpose2d" and all(o < s for o, s in zip(spec.output_padding, spec.stride)):
        return {"op": "conv2d", **common, "padding": [p.top, p.left]}
    return None


FORMULAS = {
    "conv2d": "dL/dX = full_conv(dL/dY, rot180(W)): dL/dY with stride-1 zeros between cells, padded by d*(k-1)-p, "
              "convolved with the kernel turned 180 degrees",
    "conv_transpose2d": "dL/dX = conv2d(dL/dY, W): the transposed convolution's gradient is the plain convolution",
    "max_pool2d": "dL/dX: each output's gradient goes to the one input cell that won its window",
    "avg_pool2d": "dL/dX: each output's gradient is spread equally over the cells its mean counted (1/divisor each)",
}


def to_json(b: Backward) -> dict:
    from .trace import _nested
    import json

    spec, trace = b.trace.spec, b.trace
    nest = lambda a: None if a is None else json.loads(_nested(np.asarray(a)))  # noqa: E731
    oshape, wshape = trace.output.shape, spec.weight.shape if spec.weight is not None else None
    steps = []
    for i in range(len(b.step_input)):
        taps = []
        for j in np.flatnonzero(b.tap_output[i] >= 0).tolist():
            w = int(b.tap_weight[i, j])
            taps.append({
                "output_index": [int(v) for v in np.unravel_index(int(b.tap_output[i, j]), oshape)],
                "weight_index": [int(v) for v in np.unravel_index(w, wshape)] if w >= 0 and wshape else None,
                "factor": number(b.tap_factor[i, j]), "product": number(b.tap_product[i, j]),
            })
        steps.append({"input_index": [int(v) for v in np.unravel_index(i, spec.input.shape)],
                      "value": number(b.grad_input.ravel()[i]), "taps": taps})
    return {
        "op": spec.op, "spec": spec.canonical(), "formula": FORMULAS.get(spec.op, "dL/dX = J^T dL/dY"),
        "grad_output": nest(b.grad_output), "grad_input": nest(b.grad_input),
        "grad_weight": nest(b.grad_weight), "grad_bias": nest(b.grad_bias),
        "drawn_as": drawn_as(spec, b.grad_output) if spec.weight is not None else None,
        "steps": steps,
    }

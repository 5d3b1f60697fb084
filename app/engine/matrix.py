"""Convolution as a matrix: `y = C x`, read off the trace's taps.

Every tap of a linear operation says "output cell r takes input cell c times this
factor", so C is the sum of those factors: no second implementation of the
operation. The transposed convolution's C is the transpose of the matching conv2d's
(the conv2d whose gradient it is), and the response says which one. The im2col
view (`F.unfold`) is the patch matrix whose product with the flattened kernel gives
the output.
"""

from __future__ import annotations

import numpy as np

from .backward import contributions
from .errors import SpecError
from .spec import Spec
from .trace import Trace, _nested
from . import window

def entries(trace: Trace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value, weight flat index or -1) of every tap that reads an input cell.

    A (row, col) may appear more than once (copied padding reads a cell twice):
    C is the sum of its entries.
    """
    if trace.reduction == "max":
        raise SpecError("op", "not_linear", op=trace.spec.op)
    inp, out, factor, weight, _ = contributions(trace)
    return out, inp, factor, weight


def dense(trace: Trace) -> np.ndarray:
    """C as a dense array [output cells, input cells] (for tests and small pictures)."""
    rows, cols, values, _ = entries(trace)
    out = np.zeros((trace.output.size, trace.spec.input.size))
    np.add.at(out, (rows, cols), values)
    return out


def transpose_of(spec: Spec) -> dict | None:
    """The conv2d whose matrix a conv_transpose2d's is the transpose of (None for other ops).

    ConvTranspose2d(in, out, ...) is the gradient of Conv2d(out -> in, same kernel,
    stride, padding, dilation, groups) applied to an input of the transposed output's
    size; the weight tensor is the same array in both layouts. With output_padding
    at or past the stride that conv2d has more outputs than the transposed one has
    inputs, so there is no such conv2d.
    """
    if spec.op != "conv_transpose2d" or any(o >= s for o, s in zip(spec.output_padding, spec.stride)):
        return None   # output_padding >= stride (allowed with a larger dilation): that conv2d has extra outputs
    from .ops.conv_transpose2d import output_size

    oh, ow = output_size(spec)
    return {
        "op": "conv2d", "input_size": [oh, ow], "in_channels": spec.out_channels, "out_channels": spec.in_channels,
        "groups": spec.groups, "kernel_size": list(spec.kernel_size), "stride": list(spec.stride),
        "padding": [spec.padding.top, spec.padding.left], "dilation": list(spec.dilation),
    }


def im2col(trace: Trace) -> np.ndarray | None:
    """F.unfold of the padded input: [C*kh*kw, windows], for conv2d (None otherwise)."""
    spec = trace.spec
    if spec.op != "conv2d":
        return None
    cy, cx = window.positions(trace.output.shape[1:], spec.kernel_size, spec.stride, spec.dilation)  # [P, K]
    values = trace.canvas.values                       # [C][CH][CW], copies of padding included
    patches = values[:, cy, cx]                        # [C, P, K]
    return patches.transpose(0, 2, 1).reshape(values.shape[0] * cy.shape[1], cy.shape[0])


def to_json(trace: Trace) -> dict:
    """The API's answer: shape, entries, bias, and what the matrix is the transpose of."""
    rows, cols, values, weight = entries(trace)
    spec = trace.spec
    wshape = spec.weight.shape if spec.weight is not None else None
    windex = [list(np.unravel_index(w, wshape)) if w >= 0 else None for w in weight.tolist()] if wshape else [None] * len(rows)
    out = {
        "op": spec.op,
        "shape": [int(trace.output.size), int(spec.input.size)],
        "input_shape": list(spec.input.shape),
        "output_shape": list(trace.output.shape),
        "entries": [[int(r), int(c), float(v), [int(i) for i in w] if w is not None else None]
                    for r, c, v, w in zip(rows.tolist(), cols.tolist(), values.tolist(), windex)],
        "bias": None if spec.bias is None else np.repeat(spec.bias, trace.output[0].size).tolist(),
        "note": "output.flatten() = C @ input.flatten() (+ bias); entries with the same row and column add up",
    }
    if (conv := transpose_of(spec)) is not None:
        out["transpose_of"] = conv
        out["note"] += "; this C is the transpose of the C of `transpose_of` (a conv2d with the same weight)"
    unfold = im2col(trace)
    if unfold is not None:
        out["im2col"] = {"shape": list(unfold.shape), "values": _nested_list(unfold),
                         "note": "output[o].flatten() = weight[o].flatten() @ im2col (groups: the rows of o's group)"}
    return out


def _nested_list(arr: np.ndarray) -> list:
    import json

    return json.loads(_nested(arr))

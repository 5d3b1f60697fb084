"""conv_transpose2d, in both honest pictures.

gather: zeros inserted between input cells, d*(k-1)-p zeros on each side (a crop
when negative), output_padding more on the bottom/right, then a stride-1
convolution with the kernel turned 180 degrees.
scatter: each input cell multiplies the whole kernel and adds it into the output
at stride s; padding crops p cells off each side of the result.
"""

from __future__ import annotations

import numpy as np

from . import arithmetic, canvas, grouped, rules, window
from .errors import SpecError
from .trace import Canvas, Trace

NAME = "conv_transpose2d"
POOLING = False


def output_size(spec) -> tuple[int, int]:
    return tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op + 1
        for i, s, p, d, k, op in zip(spec.input_size, spec.stride, (spec.padding.top, spec.padding.left), spec.dilation, spec.kernel_size, spec.output_padding)
    )


def weight_shape(spec) -> tuple[int, int, int, int]:
    return (spec.in_channels, spec.out_channels // spec.groups) + spec.kernel_size


def count_taps(spec) -> int:
    k = spec.kernel_size[0] * spec.kernel_size[1]
    if spec.view == "scatter":
        return spec.in_channels * spec.input_size[0] * spec.input_size[1] * spec.out_channels // spec.groups * k
    oh, ow = output_size(spec)
    return spec.out_channels * oh * ow * spec.in_channels // spec.groups * k


def _pad(spec) -> tuple[int, int]:
    """Zeros added on each side of the zero-inserted input in the gather view."""
    return tuple(d * (k - 1) - p for d, k, p in zip(spec.dilation, spec.kernel_size, (spec.padding.top, spec.padding.left)))


def _scatter_size(spec) -> tuple[int, int]:
    """The uncropped grid every stamp lands in, grown to hold output_padding."""
    full = [(i - 1) * s + d * (k - 1) + 1 for i, s, d, k in zip(spec.input_size, spec.stride, spec.dilation, spec.kernel_size)]
    pads = (spec.padding.top, spec.padding.left)
    return tuple(max(f, p + o) for f, p, o in zip(full, pads, output_size(spec)))


def check(spec) -> None:
    rules.only_for(spec, {"output_padding", "view", "groups", "dilation"})
    rules.numeric_padding(spec)
    for op, s, d in zip(spec.output_padding, spec.stride, spec.dilation):
        if op >= max(s, d):
            raise SpecError("output_padding", "output_padding_too_large", f"must be smaller than the stride or the dilation (got {op} with stride {s} and dilation {d})", got=op, stride=s, dilation=d)
    rules.output_positive(spec, output_size(spec))
    # the grid grows with the inserted zeros (stride) more than with anything else
    grown_by = "stride" if max((i - 1) * s for i, s in zip(spec.input_size, spec.stride)) >= max(spec.effective_kernel) else "dilation"
    if spec.view == "scatter":
        rules.canvas_fits(_scatter_size(spec), grown_by)
    else:
        rules.canvas_fits(tuple(o + e - 1 for o, e in zip(output_size(spec), spec.effective_kernel)), grown_by)


def run(spec) -> Trace:
    return _scatter(spec) if spec.view == "scatter" else _gather(spec)


def _gather(spec) -> Trace:
    grid = canvas.zero_inserted(spec.input, spec.stride, _pad(spec), spec.output_padding)
    ocg, k = spec.out_channels // spec.groups, spec.kernel_size[0] * spec.kernel_size[1]
    sizes = [arithmetic.transposed_size(a, spec) for a in (0, 1)]
    # the kernel turned 180 degrees: position k reads the weight at k-1-k, from [in, out/groups, kh, kw]
    return grouped.gather(spec, grid, output_size(spec), (1, 1),
                          lambda o, il, ic, kk: (ic * ocg + o % ocg) * k + (k - 1 - kk), sizes, _macs(spec))


def _scatter(spec) -> Trace:
    (oh, ow), (kh, kw), (h, w) = output_size(spec), spec.kernel_size, spec.input_size
    ch, cw = _scatter_size(spec)
    pt, pl = spec.padding.top, spec.padding.left
    ic_n, oc, groups = spec.in_channels, spec.out_channels, spec.groups
    icg, ocg = ic_n // groups, oc // groups
    fy, fx = window.positions((h, w), spec.kernel_size, spec.stride, spec.dilation)  # [H*W, K] full-grid cells
    i = np.arange(ic_n)[:, None, None, None]                      # [IC, 1, 1, 1]
    ol = np.arange(ocg)[None, None, :, None]                      # [1, 1, OCG, 1]
    o = (i // icg) * ocg + ol                                     # [IC, 1, OCG, 1]
    fy, fx = fy[None, :, None, :], fx[None, :, None, :]
    oy, ox = fy - pt, fx - pl
    inside = (oy >= 0) & (oy < oh) & (ox >= 0) & (ox < ow)
    shape = (ic_n, h * w, ocg, kh * kw)
    tap_tensor = np.where(inside, o * oh * ow + oy * ow + ox, -1)
    tap_canvas = o * ch * cw + fy * cw + fx
    tap_weight = (i * ocg + ol) * kh * kw + np.arange(kh * kw)[None, None, None, :]
    tap_tensor, tap_canvas, tap_weight = (np.broadcast_to(a, shape).reshape(ic_n * h * w, -1) for a in (tap_tensor, tap_canvas, tap_weight))
    step_value = spec.input.ravel()
    product = step_value[:, None] * spec.weight.ravel()[tap_weight]
    full = np.zeros(oc * ch * cw)
    np.add.at(full, tap_canvas.ravel(), product.ravel())
    full = full.reshape(oc, ch, cw)
    bias = np.zeros(oc) if spec.bias is None else spec.bias
    output = full[:, pt:pt + oh, pl:pl + ow] + bias[:, None, None]
    rows = (np.arange(ch) >= pt) & (np.arange(ch) < pt + oh)
    cols = (np.arange(cw) >= pl) & (np.arange(cw) < pl + ow)
    inside_grid = rows[:, None] & cols[None, :]
    source = np.where(inside_grid, (np.arange(ch)[:, None] - pt) * ow + (np.arange(cw)[None, :] - pl), -1)
    grid = Canvas(role="output", kinds=np.where(inside_grid, "o", "c"), source=source, values=full)
    sizes = [arithmetic.transposed_size(a, spec) for a in (0, 1)]
    return Trace(
        spec=spec, reduction="scatter", output=output, canvas=grid,
        step_index=np.arange(ic_n * h * w), step_value=step_value, tap_tensor=tap_tensor,
        tap_canvas=tap_canvas, tap_weight=tap_weight, tap_product=product,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap_canvas, _macs(spec)),
    )


def _macs(spec) -> int:
    """Multiplies a real ConvTranspose2d does: every input cell times its group's kernels."""
    return spec.in_channels * spec.input_size[0] * spec.input_size[1] * spec.out_channels // spec.groups * spec.kernel_size[0] * spec.kernel_size[1]

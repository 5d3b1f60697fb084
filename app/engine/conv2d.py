"""conv2d: the kernel slides over the padded input and sums products (no flip)."""

from __future__ import annotations

import numpy as np

from . import arithmetic, canvas, rules, window
from .errors import SpecError
from .trace import Trace

NAME = "conv2d"
POOLING = False


def padded_size(spec) -> tuple[int, int]:
    return spec.input_size[0] + spec.padding.rows, spec.input_size[1] + spec.padding.cols


def output_size(spec) -> tuple[int, int]:
    (h, w), p = padded_size(spec), spec.padding
    return tuple(window.out_size(n, 0, 0, k, s, d) for n, k, s, d in zip((h, w), spec.kernel_size, spec.stride, spec.dilation))


def weight_shape(spec) -> tuple[int, int, int, int]:
    return (spec.out_channels, spec.in_channels // spec.groups) + spec.kernel_size


def count_taps(spec) -> int:
    oh, ow = output_size(spec)
    return spec.out_channels * oh * ow * spec.in_channels // spec.groups * spec.kernel_size[0] * spec.kernel_size[1]


def check(spec) -> None:
    rules.only_for(spec, {"padding_mode", "groups", "dilation"})
    if spec.padding_arg == "same" and spec.stride != (1, 1):
        raise SpecError("padding", "same_stride", f"'same' needs stride 1 (PyTorch's rule); got stride {spec.stride[0]}x{spec.stride[1]}; give a number instead", stride=list(spec.stride))
    pads = ((spec.padding.top, spec.padding.bottom), (spec.padding.left, spec.padding.right))
    if spec.padding_mode in ("reflect", "circular"):
        for n, (lo, hi) in zip(spec.input_size, pads):
            limit_ok = max(lo, hi) < n if spec.padding_mode == "reflect" else max(lo, hi) <= n
            if not limit_ok:
                rule = "smaller than" if spec.padding_mode == "reflect" else "at most"
                raise SpecError("padding", f"{spec.padding_mode}_too_large", f"{spec.padding_mode} padding ({max(lo, hi)}) must be {rule} the input ({spec.input_size[0]}x{spec.input_size[1]}) along each side", pad=max(lo, hi), size=f"{spec.input_size[0]}x{spec.input_size[1]}")
    rules.canvas_fits(padded_size(spec))
    rules.kernel_fits(spec, padded_size(spec))


def run(spec) -> Trace:
    grid = canvas.padded(spec.input, spec.padding, spec.padding_mode)
    (oh, ow), (kh, kw) = output_size(spec), spec.kernel_size
    cy, cx = window.positions((oh, ow), spec.kernel_size, spec.stride, spec.dilation)  # [P, K]
    ch, cw = grid.kinds.shape
    h, w = spec.input_size
    oc, groups = spec.out_channels, spec.groups
    icg, ocg = spec.in_channels // groups, oc // groups
    o = np.arange(oc)[:, None, None, None]                       # [OC, 1, 1, 1]
    il = np.arange(icg)[None, None, :, None]                     # [1, 1, ICG, 1]
    ic = (o // ocg) * icg + il                                   # [OC, 1, ICG, 1]
    cell = (cy * cw + cx)[None, :, None, :]                      # [1, P, 1, K]
    src = grid.source.ravel()[cell]
    tap_canvas = ic * ch * cw + cell
    tap_tensor = np.where(src >= 0, ic * h * w + src, -1)
    tap_weight = (o * icg + il) * kh * kw + np.arange(kh * kw)[None, None, None, :]
    shape = (oc, oh * ow, icg, kh * kw)
    tap_canvas, tap_tensor, tap_weight = (np.broadcast_to(a, shape).reshape(oc * oh * ow, -1) for a in (tap_canvas, tap_tensor, tap_weight))
    product = grid.values.ravel()[tap_canvas] * spec.weight.ravel()[tap_weight]
    bias = np.zeros(oc) if spec.bias is None else spec.bias
    value = product.sum(axis=1) + np.repeat(bias, oh * ow)
    sizes = [arithmetic.conv_size(a, spec) for a in (0, 1)]
    return Trace(
        spec=spec, reduction="sum", output=value.reshape(oc, oh, ow), canvas=grid,
        step_index=np.arange(oc * oh * ow), step_value=value, tap_tensor=tap_tensor,
        tap_canvas=tap_canvas, tap_weight=tap_weight, tap_product=product,
        arithmetic=arithmetic.summary(spec, sizes, grid, tap_canvas, product.size),
    )

"""What max_pool2d and avg_pool2d share: the padded canvas and the windows."""

from __future__ import annotations

import numpy as np

from . import arithmetic, canvas, common, rules, window
from .arithmetic import call, size_text
from .contract import Text
from .errors import SpecError


def output_size(spec) -> tuple[int, int]:
    p = spec.padding
    return tuple(
        window.out_size(n, lo, hi, k, s, d, spec.ceil_mode)
        for n, lo, hi, k, s, d in zip(spec.input_size, (p.top, p.left), (p.bottom, p.right), spec.kernel_size, spec.stride, spec.dilation)
    )


def count_taps(spec) -> int:
    oh, ow = output_size(spec)
    return spec.in_channels * oh * ow * spec.kernel_size[0] * spec.kernel_size[1]


def check(spec) -> None:
    for pad, k in zip((spec.padding.top, spec.padding.left), spec.kernel_size):
        if pad > k // 2:
            raise SpecError("padding", "pool_padding", pad=pad, kernel=k, high=k // 2)
    if min(output_size(spec)) < 1:  # with ceil_mode a window may hang past the input, as in PyTorch
        rules.kernel_fits(spec, (spec.input_size[0] + spec.padding.rows, spec.input_size[1] + spec.padding.cols))


def torch_line(spec, cls: str, before: tuple = (), after: tuple = ()) -> str:
    """nn.MaxPool2d / nn.AvgPool2d: their own keywords go `before` or `after` ceil_mode."""
    return call(cls, [f"kernel_size={size_text(spec.kernel_size)}"], [
        ("stride", size_text(spec.stride), size_text(spec.kernel_size)),
        ("padding", arithmetic.padding_text(spec), "0"),
        *before,
        ("ceil_mode", str(spec.ceil_mode), "False"),
        *after,
    ])


FIELDS = (common.INPUT_SIZE, common.IN_CHANNELS, common.KERNEL_SIZE, common.POOL_STRIDE, common.POOL_PADDING, common.INPUT)
MESSAGES = {
    "pool_padding": Text("pooling padding ({pad}) must be at most half the kernel size ({kernel} -> {high})",
                         "池化填充（{pad}）最多为卷积核大小的一半（{kernel} → {high}）"),
}


def gather(spec, fill: float):
    """Canvas and taps shared by both pools: one step per output cell, channel outermost.

    Returns (grid, tap_canvas, tap_tensor, product, sizes); padding reads `fill`,
    cells beyond the padded input (ceil_mode) read NaN (they are never used).
    """
    oh, ow = output_size(spec)
    ph, pw = spec.input_size[0] + spec.padding.rows, spec.input_size[1] + spec.padding.cols
    need = [(o - 1) * s + e for o, s, e in zip((oh, ow), spec.stride, spec.effective_kernel)]
    grid = canvas.padded(spec.input, spec.padding, "zeros", extra=(max(0, need[0] - ph), max(0, need[1] - pw)), fill=fill)
    cy, cx = window.positions((oh, ow), spec.kernel_size, spec.stride, spec.dilation)
    ch, cw = grid.kinds.shape
    h, w = spec.input_size
    c = np.arange(spec.in_channels)[:, None, None]
    cell = (cy * cw + cx)[None]
    src = grid.source.ravel()[cell]
    tap_canvas = (c * ch * cw + cell).reshape(-1, cell.shape[-1])
    tap_tensor = np.where(src >= 0, c * h * w + src, -1).reshape(tap_canvas.shape)
    product = grid.values.ravel()[tap_canvas]
    sizes = [arithmetic.conv_size(a, spec, spec.ceil_mode) for a in (0, 1)]
    return grid, tap_canvas, tap_tensor, product, sizes

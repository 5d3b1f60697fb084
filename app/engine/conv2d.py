"""conv2d: the kernel slides over the padded input and sums products (no flip)."""

from __future__ import annotations

from . import arithmetic, canvas, grouped, rules, window
from .errors import SpecError
from .trace import Trace

NAME = "conv2d"
POOLING = False


def padded_size(spec) -> tuple[int, int]:
    return spec.input_size[0] + spec.padding.rows, spec.input_size[1] + spec.padding.cols


def output_size(spec) -> tuple[int, int]:
    h, w = padded_size(spec)
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
    icg, k = spec.in_channels // spec.groups, spec.kernel_size[0] * spec.kernel_size[1]
    sizes = [arithmetic.conv_size(a, spec) for a in (0, 1)]
    return grouped.gather(spec, grid, output_size(spec), spec.stride,
                          lambda o, il, ic, kk: (o * icg + il) * k + kk, sizes, count_taps(spec))

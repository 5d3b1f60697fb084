"""conv2d: the kernel slides over the padded input and sums products (no flip).

padding_mode="partial" is the padding of Liu et al. 2018 (arXiv 1811.11718): the
input counts as mask 1 and the padding as 0, so a window over the border is
rescaled by its size over the input cells it holds (see `partial.py`).
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic, canvas, common, grouped, partial, rules, window
from ..arithmetic import call, size_text
from ..contract import Choice, Operation, Preset, Text
from ..errors import SpecError
from ..trace import Trace


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
    arithmetic_rules(spec)
    rules.canvas_fits(padded_size(spec))


def arithmetic_rules(spec) -> None:
    """PyTorch's own rules, without the drawing's caps (an image filter is not drawn)."""
    rules.groups_divide(spec)
    if spec.padding_arg == "same" and spec.stride != (1, 1):
        raise SpecError("padding", "same_stride", stride=list(spec.stride), got=f"{spec.stride[0]}x{spec.stride[1]}")
    pads = ((spec.padding.top, spec.padding.bottom), (spec.padding.left, spec.padding.right))
    if spec.padding_mode in ("reflect", "circular"):
        for n, (lo, hi) in zip(spec.input_size, pads):
            limit_ok = max(lo, hi) < n if spec.padding_mode == "reflect" else max(lo, hi) <= n
            if not limit_ok:
                raise SpecError("padding", f"{spec.padding_mode}_too_large", pad=max(lo, hi), size=f"{spec.input_size[0]}x{spec.input_size[1]}")
    if spec.padding_mode == "partial":
        partial.check_sides(spec)
    rules.kernel_fits(spec, padded_size(spec))


def run(spec) -> Trace:
    is_partial = spec.padding_mode == "partial"
    grid = canvas.padded(spec.input, spec.padding, "zeros" if is_partial else spec.padding_mode)
    icg, k = spec.in_channels // spec.groups, spec.kernel_size[0] * spec.kernel_size[1]
    sizes = [arithmetic.conv_size(a, spec) for a in (0, 1)]
    t = grouped.gather(spec, grid, output_size(spec), spec.stride,
                       lambda o, il, ic, kk: (o * icg + il) * k + kk, sizes, count_taps(spec))
    return partial.rescaled(t, (grid.kinds == "i")[None].astype(float)) if is_partial else t


FAST_MODES = ("zeros", "reflect", "replicate", "circular")


def outputs(spec) -> np.ndarray:
    """The output of `run(spec)` without its taps, for inputs too large to trace (images).

    The same padded canvas (canvas.padded_axis), the same products added in the same
    order (grouped.window_sums: input channel of the group, kernel row, column), one
    tap at a time over every output cell at once: the same bits as the trace.
    """
    if spec.padding_mode == "partial":   # its rescaling needs the mask's window sums: not on this fast path
        raise SpecError("padding_mode", "not_choice", got="partial", options=list(FAST_MODES), listed=", ".join(FAST_MODES))
    c, h, w = spec.input.shape
    ys = canvas.padded_axis(h, spec.padding.top, spec.padding.bottom, spec.padding_mode)
    xs = canvas.padded_axis(w, spec.padding.left, spec.padding.right, spec.padding_mode)
    grid = np.take(np.take(spec.input, np.maximum(ys, 0), axis=1), np.maximum(xs, 0), axis=2)
    grid[:, ys < 0] = 0.0
    grid[:, :, xs < 0] = 0.0
    (oh, ow), (kh, kw), (sh, sw), (dh, dw) = output_size(spec), spec.kernel_size, spec.stride, spec.dilation
    icg, ocg = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    out, product = np.empty((spec.out_channels, oh, ow)), np.empty((oh, ow))
    for o in range(spec.out_channels):
        taps = [(o // ocg * icg + il, il, ky, kx) for il in range(icg) for ky in range(kh) for kx in range(kw)]
        for n, (ic, il, ky, kx) in enumerate(taps):
            cells = grid[ic, ky * dh:ky * dh + (oh - 1) * sh + 1:sh, kx * dw:kx * dw + (ow - 1) * sw + 1:sw]
            np.multiply(cells, spec.weight[o, il, ky, kx], out=out[o] if n == 0 else product)
            if n:
                out[o] += product
        if spec.bias is not None:
            out[o] += spec.bias[o]
    return out


def torch_line(spec) -> str:
    pad = arithmetic.padding_text(spec)
    if spec.padding_mode == "partial":  # NVIDIA's PartialConv2d (github.com/NVIDIA/partialconv) with no mask given
        return call("Conv2d", [str(spec.in_channels), str(spec.out_channels), f"kernel_size={size_text(spec.kernel_size)}"], [
            ("stride", size_text(spec.stride), "1"), ("padding", pad, "0"), ("dilation", size_text(spec.dilation), "1"),
            ("groups", str(spec.groups), "1"), ("bias", str(spec.bias is not None), "True"),
        ]).replace("nn.Conv2d", "PartialConv2d", 1)
    line = call("Conv2d", [str(spec.in_channels), str(spec.out_channels), f"kernel_size={size_text(spec.kernel_size)}"], [
        ("stride", size_text(spec.stride), "1"),
        ("padding", pad, "0"),
        ("dilation", size_text(spec.dilation), "1"),
        ("groups", str(spec.groups), "1"),
        ("bias", str(spec.bias is not None), "True"),
        ("padding_mode", f"'{spec.padding_mode}'" if pad is not None else None, "'zeros'"),
    ])
    return arithmetic.padded_first(spec, line)


def _conv(i, k, s=1, p=0, d=1) -> dict:
    return {"op": "conv2d", "input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": d}


NUMBERS_FLAT = {"numbers": True, "layout": "flat"}
PADDING_MODE = common.PADDING_MODE.replace(
    doc=Text("What padding cells hold: zeros, or copies of the input (reflect, replicate, circular); partial: zeros "
             "that do not count, each border window rescaled by its size over the input cells it holds (Liu et al. 2018).",
             "填充单元的取值：零，或输入的复制（反射、复制、循环）；partial：不计入的零，"
             "边界窗口按窗口大小与其中输入单元数之比放大（Liu 等，2018）。"),
    choices=common.PADDING_MODE.choices + (Choice("partial", Text("partial", "部分卷积填充")),),
)

OPERATION = Operation(
    name="conv2d", order=10, family="convolution",
    label=Text("Convolution (conv2d)", "卷积 (conv2d)"),
    torch_module="torch.nn.Conv2d", torch_functional="torch.nn.functional.conv2d",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.GROUPS, common.KERNEL_SIZE,
            common.STRIDE, common.CONV_PADDING, common.DILATION, PADDING_MODE,
            common.INPUT, common.WEIGHT, common.BIAS),
    weight_layout="[out, in/groups, kh, kw]", weight_shape=weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[0],
    size_formula=common.SLIDING_SIZE,
    check=check, count_taps=count_taps, run=run, torch_line=torch_line,
    messages={
        **partial.MESSAGES,
        "same_stride": Text("'same' needs stride 1 (PyTorch's rule); got stride {got}; give a number instead",
                            "'same' 填充要求步长为 1（PyTorch 规则），当前步长为 {got}；请改用数字"),
        "reflect_too_large": Text("reflect padding ({pad}) must be smaller than the input ({size}) along each side",
                                  "reflect（反射）填充（{pad}）必须小于输入（{size}）的每条边"),
        "circular_too_large": Text("circular padding ({pad}) must be at most the input ({size}) along each side",
                                   "circular（循环）填充（{pad}）不能大于输入（{size}）的每条边"),
    },
    presets=(
        Preset("no_padding_no_strides", Text("No padding, no strides", "无填充，无步长"), "reference", _conv(4, 3)),
        Preset("arbitrary_padding_no_strides", Text("Arbitrary padding, no strides", "任意填充，无步长"), "reference", _conv(5, 4, p=2)),
        Preset("same_padding_no_strides", Text("Half padding, no strides", "半填充（same），无步长"), "reference", _conv(5, 3, p=1)),
        Preset("full_padding_no_strides", Text("Full padding, no strides", "全填充，无步长"), "reference", _conv(5, 3, p=2)),
        Preset("no_padding_strides", Text("No padding, strides", "无填充，有步长"), "reference", _conv(5, 3, s=2)),
        Preset("padding_strides", Text("Padding, strides", "有填充，有步长"), "reference", _conv(5, 3, s=2, p=1)),
        Preset("padding_strides_odd", Text("Padding, strides (odd)", "有填充，有步长（奇数）"), "reference", _conv(6, 3, s=2, p=1)),
        Preset("dilation", Text("Dilation", "空洞卷积（膨胀卷积）"), "reference", _conv(7, 3, d=2)),
        Preset("numerical_no_padding_no_strides", Text("Numbers: no padding, no strides", "数值：无填充，无步长"), "paper", _conv(5, 3), NUMBERS_FLAT),
        Preset("numerical_padding_strides", Text("Numbers: padding, strides", "数值：有填充，有步长"), "paper", _conv(5, 3, s=2, p=1), NUMBERS_FLAT),
        Preset("depthwise", Text("Depthwise (groups = channels)", "深度卷积（逐通道卷积）"), "ours",
               {"op": "conv2d", "input_size": 5, "in_channels": 3, "out_channels": 3, "groups": 3, "kernel_size": 3, "padding": 1}),
        Preset("grouped", Text("Grouped (2 groups)", "分组卷积（2 组）"), "ours",
               {"op": "conv2d", "input_size": 5, "in_channels": 4, "out_channels": 2, "groups": 2, "kernel_size": 3}),
        Preset("reflect_padding", Text("Reflect padding", "反射填充"), "ours",
               {"op": "conv2d", "input_size": 5, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"}, {"numbers": True}),
        Preset("pointwise", Text("1x1 convolution, 3 -> 2 channels", "1x1 卷积，3 → 2 通道"), "ours",
               {"op": "conv2d", "input_size": 4, "in_channels": 3, "out_channels": 2, "kernel_size": 1}),
        Preset("partial_padding", Text("Partial-convolution padding", "部分卷积填充"), "ours",
               {"op": "conv2d", "input_size": 5, "kernel_size": 3, "padding": 1, "padding_mode": "partial"}, {"numbers": True}),
    ),
)

"""conv2d: the kernel slides over the padded input and sums products (no flip)."""

from __future__ import annotations

from .. import arithmetic, canvas, common, grouped, rules, window
from ..arithmetic import call, size_text
from ..contract import Operation, Preset, Text
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
    rules.groups_divide(spec)
    if spec.padding_arg == "same" and spec.stride != (1, 1):
        raise SpecError("padding", "same_stride", stride=list(spec.stride), got=f"{spec.stride[0]}x{spec.stride[1]}")
    pads = ((spec.padding.top, spec.padding.bottom), (spec.padding.left, spec.padding.right))
    if spec.padding_mode in ("reflect", "circular"):
        for n, (lo, hi) in zip(spec.input_size, pads):
            limit_ok = max(lo, hi) < n if spec.padding_mode == "reflect" else max(lo, hi) <= n
            if not limit_ok:
                raise SpecError("padding", f"{spec.padding_mode}_too_large", pad=max(lo, hi), size=f"{spec.input_size[0]}x{spec.input_size[1]}")
    rules.canvas_fits(padded_size(spec))
    rules.kernel_fits(spec, padded_size(spec))


def run(spec) -> Trace:
    grid = canvas.padded(spec.input, spec.padding, spec.padding_mode)
    icg, k = spec.in_channels // spec.groups, spec.kernel_size[0] * spec.kernel_size[1]
    sizes = [arithmetic.conv_size(a, spec) for a in (0, 1)]
    return grouped.gather(spec, grid, output_size(spec), spec.stride,
                          lambda o, il, ic, kk: (o * icg + il) * k + kk, sizes, count_taps(spec))


def torch_line(spec) -> str:
    pad = arithmetic.padding_text(spec)
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

OPERATION = Operation(
    name="conv2d", order=10, family="convolution",
    label=Text("Convolution (conv2d)", "卷积 (conv2d)"),
    torch_module="torch.nn.Conv2d", torch_functional="torch.nn.functional.conv2d",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.GROUPS, common.KERNEL_SIZE,
            common.STRIDE, common.CONV_PADDING, common.DILATION, common.PADDING_MODE,
            common.INPUT, common.WEIGHT, common.BIAS),
    weight_layout="[out, in/groups, kh, kw]", weight_shape=weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[0],
    size_formula=common.SLIDING_SIZE,
    check=check, count_taps=count_taps, run=run, torch_line=torch_line,
    messages={
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
    ),
)

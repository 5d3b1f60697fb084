"""conv_transpose2d, in both honest pictures.

gather: zeros inserted between input cells, d*(k-1)-p zeros on each side (a crop
when negative), output_padding more on the bottom/right, then a stride-1
convolution with the kernel turned 180 degrees.
scatter: each input cell multiplies the whole kernel and adds it into the output
at stride s; padding crops p cells off each side of the result.
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic, canvas, common, grouped, rules, window
from ..arithmetic import call, size_text
from ..contract import Choice, Field, Operation, Preset, Text
from ..errors import SpecError
from ..limits import MAX_STRIDE
from ..trace import Canvas, Trace


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
    rules.groups_divide(spec)
    for op, s, d in zip(spec.output_padding, spec.stride, spec.dilation):
        if op >= max(s, d):
            raise SpecError("output_padding", "output_padding_too_large", got=op, stride=s, dilation=d)
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


def torch_line(spec) -> str:
    return call("ConvTranspose2d", [str(spec.in_channels), str(spec.out_channels), f"kernel_size={size_text(spec.kernel_size)}"], [
        ("stride", size_text(spec.stride), "1"),
        ("padding", arithmetic.padding_text(spec), "0"),
        ("output_padding", size_text(spec.output_padding), "0"),
        ("groups", str(spec.groups), "1"),
        ("bias", str(spec.bias is not None), "True"),
        ("dilation", size_text(spec.dilation), "1"),
    ])


OUTPUT_PADDING = Field(
    "output_padding", "pair", Text("Output padding", "输出填充"),
    Text("Extra rows/columns on the bottom/right of the output; smaller than max(stride, dilation).",
         "在输出的下/右侧多加的行/列；必须小于 max(步长, 膨胀)。"),
    default=[0, 0], low=0, high=MAX_STRIDE, abbrev="op",
)
VIEW = Field(
    "view", "choice", Text("Picture", "视图"),
    Text("gather (zero insertion, the reference GIFs) or scatter (each input cell stamps the kernel).",
         "gather（插入零，参考动画的画法）或 scatter（每个输入单元印出整个卷积核）。"),
    default="gather", abbrev="",
    choices=(Choice("gather", Text("gather: zeros inserted, kernel turned 180°", "聚合：插入零并将卷积核旋转 180°")),
             Choice("scatter", Text("scatter: each input cell stamps the kernel", "散射：每个输入单元印出卷积核"))),
)


def _tconv(i, k, s=1, p=0, op=0) -> dict:
    return {"op": "conv_transpose2d", "input_size": i, "kernel_size": k, "stride": s, "padding": p, "output_padding": op}


def _ref(slug, en, zh, spec) -> Preset:
    return Preset(slug, Text(en, zh), "reference", spec)


OPERATION = Operation(
    name="conv_transpose2d", order=20, family="convolution",
    label=Text("Transposed convolution", "转置卷积"),
    torch_module="torch.nn.ConvTranspose2d", torch_functional="torch.nn.functional.conv_transpose2d",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.GROUPS, common.KERNEL_SIZE,
            common.STRIDE, common.PADDING, OUTPUT_PADDING, common.DILATION, VIEW,
            common.INPUT, common.WEIGHT, common.BIAS),
    weight_layout="[in, out/groups, kh, kw]", weight_shape=weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[1] * groups,
    size_formula="o = (i-1)*s - 2p + d*(k-1) + output_padding + 1",
    check=check, count_taps=count_taps, run=run, torch_line=torch_line,
    messages={
        "output_padding_too_large": Text("must be smaller than the stride or the dilation (got {got} with stride {stride} and dilation {dilation})",
                                         "必须小于步长或膨胀（收到 {got}，步长 {stride}，膨胀 {dilation}）"),
    },
    presets=(
        _ref("no_padding_no_strides_transposed", "No padding, no strides, transposed", "无填充，无步长，转置", _tconv(2, 3)),
        _ref("arbitrary_padding_no_strides_transposed", "Arbitrary padding, no strides, transposed", "任意填充，无步长，转置", _tconv(6, 4, p=2)),
        _ref("same_padding_no_strides_transposed", "Half padding, no strides, transposed", "半填充，无步长，转置", _tconv(5, 3, p=1)),
        _ref("full_padding_no_strides_transposed", "Full padding, no strides, transposed", "全填充，无步长，转置", _tconv(7, 3, p=2)),
        _ref("no_padding_strides_transposed", "No padding, strides, transposed", "无填充，有步长，转置", _tconv(2, 3, s=2)),
        _ref("padding_strides_transposed", "Padding, strides, transposed", "有填充，有步长，转置", _tconv(3, 3, s=2, p=1)),
        _ref("padding_strides_odd_transposed", "Padding, strides, transposed (odd)", "有填充，有步长，转置（奇数）", _tconv(3, 3, s=2, p=1, op=1)),
        Preset("dilated_transposed", Text("Dilated, transposed", "空洞转置卷积"), "ours",
               {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 1, "dilation": 2}),
        Preset("output_padding", Text("Output padding (stride 3)", "输出填充（步长 3）"), "ours", _tconv(3, 3, s=3, p=1, op=2)),
        Preset("scatter_view", Text("Transposed, scatter view", "转置卷积：散射视图"), "ours", {**_tconv(3, 3, s=2, p=1, op=1), "view": "scatter"}),
    ),
)

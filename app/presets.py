"""Named settings: the 15 reference animations, the paper's figures, and ours.

The reference entries are Dumoulin & Visin's GIFs written in PyTorch terms (a
transposed entry is nn.ConvTranspose2d applied to `input_size`). The playground,
the gallery page and `convplay gallery` all read this one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    slug: str
    title: str
    title_zh: str
    group: str              # reference | paper | ours
    spec: dict
    options: dict = field(default_factory=dict)


def _conv(i, k, s=1, p=0, d=1) -> dict:
    return {"op": "conv2d", "input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": d}


def _tconv(i, k, s=1, p=0, op=0) -> dict:
    return {"op": "conv_transpose2d", "input_size": i, "kernel_size": k, "stride": s, "padding": p, "output_padding": op}


PRESETS: tuple[Preset, ...] = (
    Preset("no_padding_no_strides", "No padding, no strides", "无填充，无步长", "reference", _conv(4, 3)),
    Preset("arbitrary_padding_no_strides", "Arbitrary padding, no strides", "任意填充，无步长", "reference", _conv(5, 4, p=2)),
    Preset("same_padding_no_strides", "Half padding, no strides", "半填充（same），无步长", "reference", _conv(5, 3, p=1)),
    Preset("full_padding_no_strides", "Full padding, no strides", "全填充，无步长", "reference", _conv(5, 3, p=2)),
    Preset("no_padding_strides", "No padding, strides", "无填充，有步长", "reference", _conv(5, 3, s=2)),
    Preset("padding_strides", "Padding, strides", "有填充，有步长", "reference", _conv(5, 3, s=2, p=1)),
    Preset("padding_strides_odd", "Padding, strides (odd)", "有填充，有步长（奇数）", "reference", _conv(6, 3, s=2, p=1)),
    Preset("dilation", "Dilation", "空洞卷积（膨胀卷积）", "reference", _conv(7, 3, d=2)),
    Preset("no_padding_no_strides_transposed", "No padding, no strides, transposed", "无填充，无步长，转置", "reference", _tconv(2, 3)),
    Preset("arbitrary_padding_no_strides_transposed", "Arbitrary padding, no strides, transposed", "任意填充，无步长，转置", "reference", _tconv(6, 4, p=2)),
    Preset("same_padding_no_strides_transposed", "Half padding, no strides, transposed", "半填充，无步长，转置", "reference", _tconv(5, 3, p=1)),
    Preset("full_padding_no_strides_transposed", "Full padding, no strides, transposed", "全填充，无步长，转置", "reference", _tconv(7, 3, p=2)),
    Preset("no_padding_strides_transposed", "No padding, strides, transposed", "无填充，有步长，转置", "reference", _tconv(2, 3, s=2)),
    Preset("padding_strides_transposed", "Padding, strides, transposed", "有填充，有步长，转置", "reference", _tconv(3, 3, s=2, p=1)),
    Preset("padding_strides_odd_transposed", "Padding, strides, transposed (odd)", "有填充，有步长，转置（奇数）", "reference", _tconv(3, 3, s=2, p=1, op=1)),
    Preset("numerical_no_padding_no_strides", "Numbers: no padding, no strides", "数值：无填充，无步长", "paper", _conv(5, 3), {"numbers": True, "layout": "flat"}),
    Preset("numerical_padding_strides", "Numbers: padding, strides", "数值：有填充，有步长", "paper", _conv(5, 3, s=2, p=1), {"numbers": True, "layout": "flat"}),
    Preset("numerical_average_pooling", "Average pooling", "平均池化", "paper", {"op": "avg_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1}, {"numbers": True, "layout": "flat"}),
    Preset("numerical_max_pooling", "Max pooling", "最大池化", "paper", {"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1}, {"numbers": True, "layout": "flat"}),
    Preset("dilated_transposed", "Dilated, transposed", "空洞转置卷积", "ours", {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 1, "dilation": 2}),
    Preset("output_padding", "Output padding (stride 3)", "输出填充（步长 3）", "ours", _tconv(3, 3, s=3, p=1, op=2)),
    Preset("scatter_view", "Transposed, scatter view", "转置卷积：散射视图", "ours", {**_tconv(3, 3, s=2, p=1, op=1), "view": "scatter"}),
    Preset("depthwise", "Depthwise (groups = channels)", "深度卷积（逐通道卷积）", "ours", {"op": "conv2d", "input_size": 5, "in_channels": 3, "out_channels": 3, "groups": 3, "kernel_size": 3, "padding": 1}),
    Preset("grouped", "Grouped (2 groups)", "分组卷积（2 组）", "ours", {"op": "conv2d", "input_size": 5, "in_channels": 4, "out_channels": 2, "groups": 2, "kernel_size": 3}),
    Preset("reflect_padding", "Reflect padding", "反射填充", "ours", {"op": "conv2d", "input_size": 5, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"}, {"numbers": True}),
    Preset("pointwise", "1x1 convolution, 3 -> 2 channels", "1x1 卷积，3 → 2 通道", "ours", {"op": "conv2d", "input_size": 4, "in_channels": 3, "out_channels": 2, "kernel_size": 1}),
)

BY_SLUG = {p.slug: p for p in PRESETS}

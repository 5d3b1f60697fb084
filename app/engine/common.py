"""Fields that several operations share, declared once.

An operation lists the ones it takes (and may `.replace()` a default or a doc);
a field it does not list is not part of its spec.
"""

from __future__ import annotations

from . import limits
from .contract import Choice, Field, Text

INPUT_SIZE = Field(
    "input_size", "pair", Text("Input size", "输入尺寸"),
    Text("Input height and width: one number (square) or [H, W]. Query: `5`, `5,7` or `5x7`.",
         "输入的高和宽：一个数（正方形）或 [高, 宽]。查询参数：`5`、`5,7` 或 `5x7`。"),
    default=[5, 5], low=1, high=limits.MAX_SIDE, always=True,
)
IN_CHANNELS = Field(
    "in_channels", "int", Text("In channels", "输入通道"),
    Text("Input channels (default 1, or the channels of `input`).", "输入通道数（默认 1，或 `input` 的通道数）。"),
    default=1, low=1, high=limits.MAX_CHANNELS,
)
OUT_CHANNELS = Field(
    "out_channels", "int", Text("Out channels", "输出通道"),
    Text("Output channels (default: in_channels).", "输出通道数（默认与 in_channels 相同）。"),
    default_from="in_channels", low=1, high=limits.MAX_CHANNELS,
)
GROUPS = Field(
    "groups", "int", Text("Groups", "分组数"),
    Text("Groups; must divide both channel counts. groups = in_channels is a depthwise convolution.",
         "分组数，必须同时整除输入和输出通道数。groups = in_channels 即深度卷积（逐通道卷积）。"),
    default=1, low=1, high=limits.MAX_CHANNELS, abbrev="groups",
)
KERNEL_SIZE = Field(
    "kernel_size", "pair", Text("Kernel", "卷积核"),
    Text("Kernel height and width (default 3).", "卷积核的高和宽（默认 3）。"),
    default=[3, 3], low=1, high=limits.MAX_KERNEL, abbrev="k", always=True,
)
STRIDE = Field(
    "stride", "pair", Text("Stride", "步长"),
    Text("Step between windows (default 1).", "窗口之间的步长（默认 1）。"),
    default=[1, 1], low=1, high=limits.MAX_STRIDE, abbrev="s", always=True,
)
POOL_STRIDE = STRIDE.replace(
    default=None, default_from="kernel_size",
    doc=Text("Step between windows (default: the kernel size, as in PyTorch).", "窗口之间的步长（默认等于卷积核大小，与 PyTorch 相同）。"),
)
PADDING = Field(
    "padding", "padding", Text("Padding", "填充"),
    Text("A number or [ph, pw] on each side.", "每侧填充：一个数或 [ph, pw]。"),
    default=0, low=0, high=limits.MAX_PADDING, abbrev="p", always=True,
)
CONV_PADDING = PADDING.replace(
    doc=Text("A number, [ph, pw], 'valid', 'same' (odd extra on the bottom/right, as PyTorch), 'full', "
             "or per side {\"top\", \"bottom\", \"left\", \"right\"} (query: `top:1,bottom:2,left:0,right:1`).",
             "一个数、[ph, pw]、'valid'、'same'（奇数余量放在下/右，与 PyTorch 相同）、'full'，"
             "或按边 {\"top\", \"bottom\", \"left\", \"right\"}（查询参数：`top:1,bottom:2,left:0,right:1`）。"),
    words=("valid", "same", "full"), sides=True,
)
POOL_PADDING = PADDING.replace(
    doc=Text("Implicit padding on each side: a number or [ph, pw], at most half the kernel.",
             "每侧的隐式填充：一个数或 [ph, pw]，至多为卷积核的一半。"),
)
DILATION = Field(
    "dilation", "pair", Text("Dilation", "膨胀"),
    Text("Spacing between kernel taps (default 1).", "卷积核各抽头之间的间距（默认 1）。"),
    default=[1, 1], low=1, high=limits.MAX_DILATION, abbrev="d",
)
PADDING_MODE = Field(
    "padding_mode", "choice", Text("Padding mode", "填充方式"),
    Text("What padding cells hold: zeros, or copies of the input (reflect, replicate, circular).",
         "填充单元的取值：零，或输入的复制（反射、复制、循环）。"),
    default="zeros", abbrev="",
    choices=(Choice("zeros", Text("zeros", "零填充")), Choice("reflect", Text("reflect", "反射")),
             Choice("replicate", Text("replicate", "复制")), Choice("circular", Text("circular", "循环"))),
)
CEIL_MODE = Field(
    "ceil_mode", "bool", Text("Round the output size up (ceil_mode)", "输出尺寸向上取整 (ceil_mode)"),
    Text("Round the output size up: a last window may hang past the input.", "输出尺寸向上取整：最后一个窗口可以越过输入边界。"),
    default=False, abbrev="ceil",
)
INPUT = Field(
    "input", "array", Text("Input values", "输入数值"),
    Text("Optional input values, [H][W] or [C][H][W] (query: JSON). Default: small integers fixed by position.",
         "可选的输入数值，[H][W] 或 [C][H][W]（查询参数用 JSON）。默认：由位置决定的小整数。"),
    optional=True, implies=("input_size", "in_channels"),
)
WEIGHT = Field(
    "weight", "array", Text("Weights", "权重"),
    Text("Optional weights in PyTorch's layout; [kh][kw] for one channel.", "可选的权重，采用 PyTorch 的布局；单通道可写 [kh][kw]。"),
    optional=True, editor="kernel", implies=("kernel_size", "out_channels"),
)
BIAS = Field(
    "bias", "array", Text("Bias", "偏置"),
    Text("Optional bias, one number per output channel. Default: no bias.", "可选的偏置，每个输出通道一个数。默认：无偏置。"),
    optional=True, editor="per_output_channel",
)

# The arithmetic of the pooling and convolution family, as the panel writes it.
SLIDING_SIZE = "o = floor((i + p_top + p_bottom - d*(k-1) - 1) / s) + 1"

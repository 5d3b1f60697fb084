"""gated_conv2d: a feature convolution scaled cell by cell by a learned gate in 0..1.

Yu et al. 2019, "Free-Form Image Inpainting with Gated Convolution" (DeepFill v2):

    out = act(conv(X, weight) + bias) ⊙ sigmoid(conv(X, gate_weight) + gate_bias)

Both convolutions read the same window with the same settings, so each tap holds
the feature product (`product`) and the gate's (`gate_product`, same cell, same
weight index in gate_weight); each step holds `feature` (before the activation),
`activated`, `gate_logit` and `gate`, and its value is activated x gate.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import common, fields, values
from ..arithmetic import explained, short
from ..contract import Choice, Field, Operation, Preset, Text
from ..trace import Trace
from . import conv2d

ACTIVATIONS = {
    "none": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),   # alpha = 1, as F.elu
}


ACT_NAMES = {"none": "{}", "relu": "ReLU({})", "elu": "ELU({})"}   # as formulas write them
PAPERS = ("Yu et al. 2019, Free-Form Image Inpainting with Gated Convolution (DeepFill v2), ICCV",)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow on either side."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def gate_weight_of(spec) -> np.ndarray:
    """The user's gate weight, or the default weight turned 180 degrees minus 1 (values -1, 0, 1)."""
    if spec.gate_weight is not None:
        return spec.gate_weight.reshape(spec.weight.shape)
    return values.default_weight(spec.weight.shape)[:, :, ::-1, ::-1] - 1


def check(spec) -> None:
    conv2d.check(spec)
    shape = conv2d.weight_shape(spec)
    if spec.gate_weight is not None:
        fields.shaped(spec.gate_weight, "gate_weight", [shape] + ([shape[2:]] if shape[:2] == (1, 1) else []),
                      "[" + "][".join(map(str, shape)) + "] [out, in/groups, kh, kw], as weight")
    if spec.gate_bias is not None:
        fields.shaped(spec.gate_bias, "gate_bias", [(spec.out_channels,)], f"[{spec.out_channels}] (one per output channel)")


def run(spec) -> Trace:
    t = conv2d.run(spec)
    gw = gate_weight_of(spec)
    gate_product = t.canvas.values.ravel()[t.tap_canvas] * gw.ravel()[t.tap_weight]
    per_step = t.output[0].size
    gate_bias = np.zeros(len(t.output)) if spec.gate_bias is None else spec.gate_bias
    feature = t.step_value
    logit = gate_product.sum(axis=1) + np.repeat(gate_bias, per_step)
    activated, gate = ACTIVATIONS[spec.activation](feature), sigmoid(logit)
    value = activated * gate
    act = ACT_NAMES[spec.activation]
    at = np.unravel_index(int(t.step_index[0]), t.output.shape)
    worked = (f"W·X + b = {short(feature[0])}, W_g·X + b_g = {short(logit[0])}: "
              f"{act.format(short(feature[0]))} × sigmoid({short(logit[0])}) = {short(activated[0])} × {short(gate[0])} = {short(value[0])}")
    return replace(
        t, reduction="gated", output=value.reshape(t.output.shape), step_value=value,
        arithmetic={**t.arithmetic, "explained": explained(PAPERS, f"out = {act.format('W·X + b')} ⊙ sigmoid(W_g·X + b_g)", at, worked)},
        extras={"gate_weight": gw, "gate_bias": gate_bias},
        step_extras={"feature": feature, "activated": activated, "gate_logit": logit, "gate": gate},
        tap_extras={"gate_product": gate_product}, _json=[],
    )


def torch_line(spec) -> str:
    conv = conv2d.torch_line(spec)
    act = {"none": "{}", "relu": "F.relu({})", "elu": "F.elu({})"}[spec.activation].format("conv(x)")
    return f"{act} * torch.sigmoid(gate(x)); conv, gate = 2 x {conv}"


GATE_WEIGHT = Field(
    "gate_weight", "array", Text("Gate weights", "门控权重"),
    Text("Optional weights of the gate convolution, laid out as `weight`. Default: the default weight turned 180° minus 1.",
         "可选的门控卷积权重，布局与 `weight` 相同。默认：默认权重旋转 180° 后减 1。"),
    optional=True,
)
GATE_BIAS = Field(
    "gate_bias", "array", Text("Gate bias", "门控偏置"),
    Text("Optional bias of the gate convolution, one number per output channel. Default: 0.", "可选的门控偏置，每个输出通道一个数。默认：0。"),
    optional=True,
)
ACTIVATION = Field(
    "activation", "choice", Text("Activation", "激活函数"),
    Text("What the feature goes through before the gate scales it (DeepFill v2 uses ELU).", "特征在被门控缩放之前经过的激活函数（DeepFill v2 使用 ELU）。"),
    default="elu", abbrev="",
    choices=(Choice("none", Text("none", "无")), Choice("relu", Text("ReLU", "ReLU")), Choice("elu", Text("ELU", "ELU"))),
)


def _gc(**more) -> dict:
    return {"op": "gated_conv2d", "input_size": 5, "kernel_size": 3, **more}


OPERATION = Operation(
    name="gated_conv2d", order=41, family="convolution",
    label=Text("Gated convolution (inpainting)", "门控卷积（图像修复）"),
    torch_module="torch.nn.Conv2d (two of them: feature and gate)",
    torch_functional="act(F.conv2d(x, weight, bias)) * torch.sigmoid(F.conv2d(x, gate_weight, gate_bias))",
    fields=(common.INPUT_SIZE, common.IN_CHANNELS, common.OUT_CHANNELS, common.GROUPS, common.KERNEL_SIZE,
            common.STRIDE, common.CONV_PADDING, common.DILATION, common.PADDING_MODE, ACTIVATION,
            common.INPUT, common.WEIGHT, common.BIAS, GATE_WEIGHT, GATE_BIAS),
    weight_layout="[out, in/groups, kh, kw]", weight_shape=conv2d.weight_shape,
    out_channels_from_weight=lambda shape, groups: shape[0],
    size_formula=common.SLIDING_SIZE,
    check=check, count_taps=conv2d.count_taps, run=run, torch_line=torch_line,
    presets=(
        Preset("gated", Text("Gated convolution", "门控卷积"), "ours", _gc(padding=1), {"numbers": True}),
        Preset("gated_relu_channels", Text("Gated convolution, ReLU, 2 -> 2 channels", "门控卷积：ReLU，2 → 2 通道"), "ours",
               _gc(in_channels=2, out_channels=2, activation="relu", stride=2, padding=1)),
    ),
)

"""The rules of partial_conv2d, conv2d's partial padding, gated_conv2d and deform_conv2d:
each refusal names the parameter and says the rule, in English and in Chinese."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import SpecError, build_spec

P, G, D = "partial_conv2d", "gated_conv2d", "deform_conv2d"
ONES5 = np.ones((5, 5)).tolist()

CASES = [
    # --- partial: masks of 0 and 1, shaped as the input (one plane, or one per channel with multi_channel)
    ({"op": P, "mask": [[1, 1, 1, 1, 1], [1, 0.5, 1, 1, 1]] + [[1] * 5] * 3}, "mask", "not_binary",
     "mask: must hold only 0 (hole) and 1 (known); found 0.5 at [1, 1]"),
    ({"op": P, "mask": (-np.ones((5, 5))).tolist()}, "mask", "not_binary", "found -1.0 at [0, 0]"),
    ({"op": P, "mask": [[1] * 5] * 4}, "mask", "bad_shape", "mask: expected shape [5][5] (H x W; one plane for every channel), got [4][5]"),
    ({"op": P, "in_channels": 2, "mask": [ONES5, ONES5]}, "mask", "bad_shape", "expected shape [5][5] (H x W; one plane for every channel), got [2][5][5]"),
    ({"op": P, "in_channels": 2, "multi_channel": True, "mask": ONES5}, "mask", "bad_shape",
     "expected shape [2][5][5] (in_channels x H x W, multi_channel), got [5][5]"),
    ({"op": P, "mask": [[1, float("nan")] + [1] * 3] + [[1] * 5] * 4}, "mask", "not_finite", "mask: values must be finite numbers (found nan at [0, 1])"),
    ({"op": P, "mask": [[1, "0"]]}, "mask", "not_numbers", "mask: must be a nested list of numbers"),
    ({"op": P, "mask": [[True] * 5] * 5}, "mask", "not_numbers", "must be a nested list of numbers"),
    ({"op": P, "multi_channel": "yes"}, "multi_channel", "not_bool", "multi_channel: must be true or false (got 'yes')"),
    ({"op": P, "groups": 2, "in_channels": 2}, "groups", "not_for_op", "partial_conv2d has no groups; conv2d, conv_transpose2d, gated_conv2d and deform_conv2d have it"),
    ({"op": P, "padding_mode": "reflect"}, "padding_mode", "not_for_op", "partial_conv2d has no padding_mode"),
    ({"op": P, "padding": {"top": 1, "bottom": 0}}, "padding", "partial_sides",
     "padding: partial convolution pads the same on opposite sides (as PyTorch's Conv2d does); got top 1, bottom 0, left 0, right 0"),
    ({"op": P, "padding": "same", "stride": 2}, "padding", "same_stride", "'same' needs stride 1"),
    ({"op": P, "input_size": 2}, "kernel_size", "kernel_too_large", "the kernel (3x3) is larger than the padded input (2x2)"),
    ({"mask": ONES5}, "mask", "not_for_op", "conv2d has no mask; partial_conv2d and deform_conv2d have it"),
    ({"multi_channel": True}, "multi_channel", "not_for_op", "conv2d has no multi_channel; partial_conv2d has it"),
    # --- conv2d's partial padding
    ({"padding": {"left": 2, "right": 1}, "padding_mode": "partial"}, "padding", "partial_sides", "got top 0, bottom 0, left 2, right 1"),
    ({"op": G, "padding_mode": "partial"}, "padding_mode", "not_choice", "must be one of zeros, reflect, replicate, circular (got 'partial')"),
    ({"op": "max_pool2d", "padding_mode": "partial"}, "padding_mode", "not_for_op", "max_pool2d has no padding_mode"),
    # --- gated: the gate's arrays shaped as weight and bias, an activation it knows
    ({"op": G, "gate_weight": [[1, 2], [3, 4]]}, "gate_weight", "bad_shape",
     "gate_weight: expected shape [1][1][3][3] [out, in/groups, kh, kw], as weight, got [2][2]"),
    ({"op": G, "out_channels": 2, "gate_bias": [1]}, "gate_bias", "bad_shape", "gate_bias: expected shape [2] (one per output channel), got [1]"),
    ({"op": G, "gate_weight": [[1, 2, 3], [1, 2, math.inf], [1, 2, 3]]}, "gate_weight", "not_finite", "gate_weight: values must be finite numbers (found inf at [1, 2])"),
    ({"op": G, "gate_bias": [2e6]}, "gate_bias", "too_large_value", "gate_bias: values must lie between -1e+06 and 1e+06"),
    ({"op": G, "activation": "tanh"}, "activation", "not_choice", "activation: must be one of none, relu, elu (got 'tanh')"),
    ({"gate_weight": [[1]]}, "gate_weight", "not_for_op", "conv2d has no gate_weight; gated_conv2d has it"),
    ({"op": G, "in_channels": 3, "out_channels": 2, "groups": 2}, "groups", "groups_divide", "must divide both in_channels (3) and out_channels (2)"),
    # --- deformable: offsets [2*kh*kw][OH][OW], mask [kh*kw][OH][OW], finite, within the cap
    ({"op": D, "offset": np.zeros((9, 3, 3)).tolist()}, "offset", "bad_shape",
     "offset: expected shape [18][3][3] (2*kh*kw x OH x OW: y then x offset per kernel position), got [9][3][3]"),
    ({"op": D, "stride": 2, "offset": np.zeros((18, 3, 3)).tolist()}, "offset", "bad_shape", "expected shape [18][2][2]"),
    ({"op": D, "offset": np.zeros((18, 9)).tolist()}, "offset", "bad_shape", "got [18][9]"),
    ({"op": D, "mask": np.ones((18, 3, 3)).tolist()}, "mask", "bad_shape",
     "mask: expected shape [9][3][3] (kh*kw x OH x OW: one modulation per kernel position), got [18][3][3]"),
    ({"op": D, "offset": np.full((18, 3, 3), np.nan).tolist()}, "offset", "not_finite", "offset: values must be finite numbers (found nan at [0, 0, 0])"),
    ({"op": D, "mask": np.full((9, 3, 3), -np.inf).tolist()}, "mask", "not_finite", "mask: values must be finite numbers"),
    ({"op": D, "offset": np.full((18, 3, 3), 1e7).tolist()}, "offset", "too_large_value", "between -1e+06 and 1e+06"),
    ({"op": D, "offset": [[["a"]]]}, "offset", "not_numbers", "must be a nested list of numbers"),
    ({"op": D, "padding": "same"}, "padding", "numeric_padding", "deform_conv2d takes a number or a pair [height, width] for padding"),
    ({"op": D, "padding_mode": "reflect"}, "padding_mode", "not_for_op", "deform_conv2d has no padding_mode"),
    ({"op": D, "input_size": 40, "kernel_size": 5}, "input_size", "too_many_samples",
     "input_size: this trace would have 32,400 taps, each blending 4 input cells: 129,600 cells read, more than the 50,000 allowed"),
    ({"offset": np.zeros((18, 3, 3)).tolist()}, "offset", "not_for_op", "conv2d has no offset; deform_conv2d has it"),
]


@pytest.mark.parametrize("raw, param, code, words", CASES, ids=[f"{c[1]}:{c[2]}:{i}" for i, c in enumerate(CASES)])
def test_rule(raw, param, code, words):
    with pytest.raises(SpecError) as err:
        build_spec(raw)
    e = err.value
    assert (e.param, e.code) == (param, code), e.message
    assert e.message.startswith(f"{param}: ") and words in e.message, e.message
    zh = e.text("zh")
    assert zh.startswith(f"{param}：") and zh != e.message and any("\u4e00" <= ch <= "\u9fff" for ch in zh), zh


JUST_INSIDE = [
    {"op": P, "mask": np.zeros((5, 5)).tolist()},                       # all hole: every output 0
    {"op": P, "mask": [ONES5]},                                         # [1][H][W] for one plane
    {"op": P, "in_channels": 2, "multi_channel": True, "mask": [ONES5, ONES5]},
    {"op": P, "multi_channel": True, "mask": ONES5},                    # one channel: [H][W] is its plane
    {"op": P, "padding": {"top": 1, "bottom": 1, "left": 2, "right": 2}},
    {"padding": "same", "kernel_size": 4, "padding_mode": "partial"},   # uneven, but Conv2d's own 'same'
    {"op": G, "gate_weight": np.ones((3, 3)).tolist(), "gate_bias": [0.5], "activation": "none", "padding_mode": "circular", "padding": 1},
    {"op": D, "offset": np.full((18, 3, 3), -1e6).tolist(), "mask": np.zeros((9, 3, 3)).tolist()},
    {"op": D, "input_size": [24, 29], "kernel_size": 5},                # 12,500 taps x 4 = the cap
]


@pytest.mark.parametrize("raw", JUST_INSIDE, ids=range(len(JUST_INSIDE)))
def test_just_inside_the_rules_is_accepted(raw):
    build_spec(raw)

"""Every rule a spec can break: SpecError names the parameter and states the rule in words.

Each case gives the spec, the parameter the error must name, its code, and words the
message must contain (the rule, with the user's numbers). Which of these specs PyTorch
itself refuses is checked in test_against_torch.py; here it is the wording.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import LIMITS, SpecError, build_spec

T = "conv_transpose2d"

CASES = [
    # --- non-positive sizes, strides, dilations, channels
    ({"input_size": 0}, "input_size", "too_small", "input_size: must be at least 1 (got 0)"),
    ({"input_size": [5, -2]}, "input_size", "too_small", "at least 1 (got -2)"),
    ({"kernel_size": 0}, "kernel_size", "too_small", "at least 1 (got 0)"),
    ({"kernel_size": [3, -1]}, "kernel_size", "too_small", "at least 1"),
    ({"stride": 0}, "stride", "too_small", "stride: must be at least 1 (got 0)"),
    ({"op": "max_pool2d", "stride": [2, 0]}, "stride", "too_small", "at least 1"),
    ({"dilation": 0}, "dilation", "too_small", "at least 1 (got 0)"),
    ({"dilation": -1}, "dilation", "too_small", "at least 1"),
    ({"in_channels": 0}, "in_channels", "too_small", "at least 1"),
    ({"out_channels": 0}, "out_channels", "too_small", "at least 1"),
    ({"groups": 0}, "groups", "too_small", "at least 1"),
    # --- negative padding
    ({"padding": -1}, "padding", "negative", "padding: must not be negative (got -1)"),
    ({"padding": [1, -2]}, "padding", "negative", "must not be negative (got -2)"),
    ({"padding": {"top": 1, "left": -1}}, "padding", "negative", "must not be negative"),
    ({"op": T, "padding": -1}, "padding", "negative", "must not be negative"),
    ({"op": "avg_pool2d", "padding": -1}, "padding", "negative", "must not be negative"),
    ({"op": T, "stride": 2, "output_padding": -1}, "output_padding", "negative", "output_padding: must not be negative (got -1)"),
    # --- the (dilated) kernel must fit the padded input
    ({"input_size": 4, "dilation": 2}, "kernel_size", "kernel_too_large",
     "kernel_size: the dilated kernel (5x5) is larger than the padded input (4x4)"),
    ({"input_size": 2, "kernel_size": 3}, "kernel_size", "kernel_too_large",
     "kernel_size: the kernel (3x3) is larger than the padded input (2x2)"),
    ({"input_size": [5, 1], "kernel_size": [2, 3], "padding": {"left": 1}}, "kernel_size", "kernel_too_large",
     "kernel_size: the kernel (2x3) is larger than the padded input (5x2)"),
    ({"input_size": 3, "kernel_size": 3, "dilation": [1, 3], "padding": [0, 1]}, "kernel_size", "kernel_too_large",
     "kernel_size: the dilated kernel (3x7) is larger than the padded input (3x5)"),
    ({"op": "max_pool2d", "input_size": 4, "kernel_size": 3, "dilation": 2}, "kernel_size", "kernel_too_large",
     "kernel_size: the dilated kernel (5x5) is larger than the padded input (4x4)"),
    ({"op": "avg_pool2d", "input_size": 2, "kernel_size": 3, "stride": 1}, "kernel_size", "kernel_too_large",
     "the kernel (3x3) is larger than the padded input (2x2)"),
    # --- groups
    ({"in_channels": 4, "out_channels": 6, "groups": 4}, "groups", "groups_divide",
     "groups: must divide both in_channels (4) and out_channels (6); got 4"),
    ({"in_channels": 3, "out_channels": 2, "groups": 2}, "groups", "groups_divide", "must divide both in_channels (3) and out_channels (2)"),
    ({"op": T, "in_channels": 2, "out_channels": 3, "groups": 2}, "groups", "groups_divide", "must divide both in_channels (2) and out_channels (3)"),
    ({"in_channels": 2, "out_channels": 2, "groups": 4}, "groups", "groups_divide", "must divide both"),
    ({"op": "max_pool2d", "groups": 2}, "groups", "not_for_op", "max_pool2d has no groups"),
    # --- 'same' needs stride 1
    ({"padding": "same", "stride": 2}, "padding", "same_stride", "padding: 'same' needs stride 1 (PyTorch's rule); got stride 2x2"),
    ({"padding": "same", "stride": [1, 2], "padding_mode": "reflect"}, "padding", "same_stride", "'same' needs stride 1"),
    # --- reflect: padding smaller than the input; circular: at most the input
    ({"input_size": 3, "padding": 3, "padding_mode": "reflect"}, "padding", "reflect_too_large",
     "padding: reflect padding (3) must be smaller than the input (3x3)"),
    ({"input_size": [2, 6], "kernel_size": 1, "padding": {"bottom": 2}, "padding_mode": "reflect"}, "padding", "reflect_too_large",
     "reflect padding (2) must be smaller than the input (2x6)"),
    ({"input_size": 1, "kernel_size": 1, "padding": [0, 1], "padding_mode": "reflect"}, "padding", "reflect_too_large", "must be smaller than the input"),
    ({"input_size": 3, "padding": 4, "kernel_size": 1, "padding_mode": "circular"}, "padding", "circular_too_large",
     "padding: circular padding (4) must be at most the input (3x3)"),
    ({"input_size": [6, 2], "kernel_size": 1, "padding": {"right": 3}, "padding_mode": "circular"}, "padding", "circular_too_large",
     "circular padding (3) must be at most the input (6x2)"),
    # --- output_padding: smaller than the stride or the dilation
    ({"op": T, "stride": 2, "output_padding": 2}, "output_padding", "output_padding_too_large",
     "output_padding: must be smaller than the stride or the dilation (got 2 with stride 2 and dilation 1)"),
    ({"op": T, "output_padding": 1}, "output_padding", "output_padding_too_large", "(got 1 with stride 1 and dilation 1)"),
    ({"op": T, "input_size": 5, "stride": 2, "dilation": 3, "output_padding": 3}, "output_padding", "output_padding_too_large",
     "(got 3 with stride 2 and dilation 3)"),
    ({"op": T, "stride": [2, 1], "output_padding": [1, 1]}, "output_padding", "output_padding_too_large", "smaller than the stride or the dilation"),
    ({"output_padding": 1}, "output_padding", "not_for_op", "conv2d has no output_padding; conv_transpose2d has it"),
    # --- transposed: the output must keep at least one cell
    ({"op": T, "input_size": 1, "kernel_size": 1, "padding": 1}, "padding", "output_empty", "padding: is too large: the output would be -1x-1"),
    ({"op": T, "input_size": 2, "kernel_size": 1, "padding": [1, 0]}, "padding", "output_empty", "the output would be 0x2; it must be at least 1x1"),
    # --- pooling padding: at most half the kernel
    ({"op": "max_pool2d", "kernel_size": 3, "padding": 2}, "padding", "pool_padding",
     "padding: pooling padding (2) must be at most half the kernel size (3 -> 1)"),
    ({"op": "avg_pool2d", "kernel_size": [3, 5], "padding": [1, 3]}, "padding", "pool_padding", "pooling padding (3) must be at most half the kernel size (5 -> 2)"),
    ({"op": "max_pool2d", "kernel_size": 1, "padding": 1}, "padding", "pool_padding", "(1 -> 0)"),
    ({"op": "max_pool2d", "kernel_size": 2, "dilation": 3, "padding": 2}, "padding", "pool_padding", "at most half the kernel size (2 -> 1)"),
    ({"op": "max_pool2d", "padding": "same"}, "padding", "numeric_padding", "max_pool2d takes a number or a pair [height, width] for padding"),
    ({"op": "avg_pool2d", "padding": {"top": 1}}, "padding", "numeric_padding", "a number or a pair"),
    ({"op": T, "padding": "valid"}, "padding", "numeric_padding", "conv_transpose2d takes a number or a pair"),
    # --- options that belong to other operations
    ({"op": T, "padding_mode": "reflect"}, "padding_mode", "not_for_op", "conv_transpose2d has no padding_mode; conv2d and gated_conv2d have it"),
    ({"op": "max_pool2d", "padding_mode": "circular"}, "padding_mode", "not_for_op", "max_pool2d has no padding_mode"),
    ({"op": "avg_pool2d", "dilation": 2}, "dilation", "not_for_op", "avg_pool2d has no dilation"),
    ({"op": "max_pool2d", "count_include_pad": False}, "count_include_pad", "not_for_op", "max_pool2d has no count_include_pad; avg_pool2d has it"),
    ({"ceil_mode": True}, "ceil_mode", "not_for_op", "conv2d has no ceil_mode; avg_pool2d and max_pool2d have it"),
    ({"view": "scatter"}, "view", "not_for_op", "conv2d has no view; conv_transpose2d has it"),
    ({"op": "max_pool2d", "out_channels": 2}, "out_channels", "keeps_channels", "max_pool2d keeps the channel count: leave it out or set it to in_channels (1)"),
    ({"op": "max_pool2d", "weight": [[1]]}, "weight", "not_for_op", "max_pool2d has no weight"),
    ({"op": "avg_pool2d", "bias": [1]}, "bias", "not_for_op", "avg_pool2d has no bias"),
    # --- array shapes
    ({"input": [[1, 2], [3, 4]], "input_size": 3}, "input", "bad_shape", "input: expected shape [1][3][3] (in_channels x H x W) or [3][3], got [2][2]"),
    ({"in_channels": 1, "input": [[[1] * 4] * 4] * 2}, "input", "bad_shape", "expected shape [1][4][4] (in_channels x H x W) or [4][4], got [2][4][4]"),
    ({"input": [[[[1]]]]}, "input", "bad_nesting", "expected [H][W] or [C][H][W], got 4 levels of nesting"),
    ({"input": [1, 2, 3]}, "input", "bad_nesting", "got 1 levels of nesting"),
    ({"input": [[1, 2], [3]]}, "input", "not_numbers", "all rows the same length"),
    ({"in_channels": 2, "input": [[1] * 5] * 5}, "input", "bad_shape", "expected shape [2][5][5] (in_channels x H x W), got [5][5]"),
    ({"weight": [[[[1]]]], "kernel_size": 3}, "weight", "bad_shape", "weight: expected shape [1][1][3][3] [out, in/groups, kh, kw], got [1][1][1][1]"),
    ({"op": T, "in_channels": 2, "out_channels": 4, "groups": 2, "kernel_size": 3, "weight": [[[[1]]]]}, "weight", "bad_shape", "expected shape [2][2][3][3] [in, out/groups, kh, kw]"),
    ({"weight": [1, 2, 3]}, "weight", "bad_shape", "got [3]"),
    ({"bias": [1, 2]}, "bias", "bad_shape", "bias: expected shape [1] (one per output channel), got [2]"),
    ({"out_channels": 2, "bias": [[1, 2]]}, "bias", "bad_shape", "expected shape [2]"),
    # --- non-finite and non-numeric values
    ({"input": [[1, float("nan")], [3, 4]], "kernel_size": 1}, "input", "not_finite", "input: values must be finite numbers (found nan at [0, 1])"),
    ({"input": [[1, 2], [float("inf"), 4]], "kernel_size": 1}, "input", "not_finite", "finite numbers (found inf at [1, 0])"),
    ({"weight": [[1, 2], [3, -math.inf]]}, "weight", "not_finite", "weight: values must be finite numbers"),
    ({"bias": [float("nan")]}, "bias", "not_finite", "bias: values must be finite numbers"),
    ({"input": [[1, 1e300 * 1e10]], "kernel_size": 1}, "input", "not_finite", "finite numbers"),
    ({"input": [[1, "a"], [3, 4]]}, "input", "not_numbers", "input: must be a nested list of numbers"),
    ({"input": [[1, "2"], [3, 4]], "kernel_size": 1}, "input", "not_numbers", "must be a nested list of numbers"),
    ({"input": [[True, False], [False, True]], "kernel_size": 1}, "input", "not_numbers", "must be a nested list of numbers"),
    ({"input": [[1, None], [3, 4]], "kernel_size": 1}, "input", "not_numbers", "must be a nested list of numbers"),
    ({"input": [[1, {}], [3, 4]], "kernel_size": 1}, "input", "not_numbers", "must be a nested list of numbers"),
    ({"weight": [[1, [2]], [3, 4]]}, "weight", "not_numbers", "must be a nested list of numbers"),
    ({"bias": ["1"]}, "bias", "not_numbers", "must be a nested list of numbers"),
    ({"input": 5}, "input", "not_numbers", "not a single value"),
    ({"input": [[1e9]], "kernel_size": 1}, "input", "too_large_value", "input: values must lie between -1e+06 and 1e+06"),
    ({"weight": [[-2e6]]}, "weight", "too_large_value", "between -1e+06 and 1e+06"),
    # --- whole numbers, pairs, booleans
    ({"stride": 1.5}, "stride", "not_whole", "stride: must be a whole number (got 1.5)"),
    ({"stride": True}, "stride", "not_whole", "whole number"),
    ({"kernel_size": "3"}, "kernel_size", "not_whole", "whole number (got '3')"),
    ({"padding": {"top": 0.5}}, "padding", "not_whole", "whole number"),
    ({"stride": [1, 2, 3]}, "stride", "not_pair", "must be one number or a pair [height, width] (got 3 numbers)"),
    ({"input_size": [5]}, "input_size", "not_pair", "(got 1 numbers)"),
    ({"padding": [1, 2, 3]}, "padding", "not_pair", "one number or a pair"),
    ({"ceil_mode": "yes", "op": "max_pool2d"}, "ceil_mode", "not_bool", "ceil_mode: must be true or false (got 'yes')"),
    ({"count_include_pad": 2, "op": "avg_pool2d"}, "count_include_pad", "not_bool", "true or false"),
    # --- unknown op, field values, fields
    ({"op": "conv3d"}, "op", "not_choice", "op: must be one of conv2d, conv_transpose2d, avg_pool2d, max_pool2d"),
    ({"op": "Conv2d"}, "op", "not_choice", "must be one of"),
    ({"op": 2}, "op", "not_choice", "must be one of"),
    ({"padding_mode": "mirror"}, "padding_mode", "not_choice", "padding_mode: must be one of zeros, reflect, replicate, circular, partial (got 'mirror')"),
    ({"padding": "half"}, "padding", "not_choice", "padding: must be one of valid, same, full (got 'half')"),
    ({"padding": {"middle": 1}}, "padding", "bad_sides", "per-side padding takes top, bottom, left and right (got 'middle')"),
    ({"op": T, "view": "diagonal"}, "view", "not_choice", "view: must be one of gather, scatter (got 'diagonal')"),
    ({"colour": 1}, "colour", "unknown_field", "colour: is not a field of conv2d; its fields are op, input_size"),
    ({"kernel": 3, "op": "max_pool2d"}, "kernel", "unknown_field", "is not a field of max_pool2d; its fields are op, input_size, in_channels, kernel_size"),
    # --- the caps
    ({"input_size": 65}, "input_size", "too_large", "input_size: must be at most 64 (got 65)"),
    ({"input_size": [8, 100]}, "input_size", "too_large", "at most 64 (got 100)"),
    ({"in_channels": 9}, "in_channels", "too_large", "in_channels: must be at most 8 (got 9)"),
    ({"out_channels": 9}, "out_channels", "too_large", "out_channels: must be at most 8 (got 9)"),
    ({"op": "max_pool2d", "input": np.zeros((9, 4, 4)).tolist(), "kernel_size": 2}, "in_channels", "too_large", "at most 8 (got 9)"),
    ({"kernel_size": 12, "input_size": 20}, "kernel_size", "too_large", "kernel_size: must be at most 11 (got 12)"),
    ({"stride": 17}, "stride", "too_large", "stride: must be at most 16"),
    ({"dilation": 17}, "dilation", "too_large", "dilation: must be at most 16"),
    ({"padding": 33}, "padding", "too_large", "padding: must be at most 32 on each side (got 33)"),
    ({"op": T, "input_size": 40, "stride": 6, "kernel_size": 1}, "stride", "canvas_too_large", "the drawn grid (235x235) is larger than 200 cells on a side"),
    ({"input_size": 64, "kernel_size": 5, "in_channels": 2, "out_channels": 2}, "input_size", "too_many_taps",
     "input_size: this trace would have 360,000 taps, more than the 50,000 allowed"),
    ({"op": "max_pool2d", "input_size": 64, "in_channels": 8, "kernel_size": 11, "stride": 1}, "input_size", "too_many_taps", "more than the 50,000 allowed"),
    ({"op": T, "view": "scatter", "input_size": 40, "kernel_size": 6, "stride": 2, "padding": 20}, "input_size", "too_many_taps", "more than the 50,000 allowed"),
]


@pytest.mark.parametrize("raw, param, code, words", CASES, ids=[f"{c[1]}:{c[2]}:{i}" for i, c in enumerate(CASES)])
def test_rule(raw, param, code, words):
    with pytest.raises(SpecError) as err:
        build_spec(raw)
    e = err.value
    assert (e.param, e.code) == (param, code), e.message
    assert e.message.startswith(f"{param}: ") and str(e) == e.message
    assert words in e.message, e.message
    d = e.as_dict()
    assert d["param"] == param and d["code"] == code and d["msg"] == e.message and isinstance(d["args"], dict)


def test_the_kernel_message_exactly():
    with pytest.raises(SpecError) as err:
        build_spec({"op": "conv2d", "input_size": 4, "kernel_size": 3, "dilation": 2})
    assert err.value.message == "kernel_size: the dilated kernel (5x5) is larger than the padded input (4x4)"


def test_the_caps_are_the_documented_ones():
    assert LIMITS["max_side"] == 64 and LIMITS["max_channels"] == 8 and LIMITS["max_kernel"] == 11 and LIMITS["max_taps"] == 50_000


JUST_INSIDE = [
    {"input_size": 64, "kernel_size": 1},
    {"in_channels": 8, "out_channels": 8, "groups": 8, "input_size": 6},
    {"input_size": 11, "kernel_size": 11},
    {"input_size": 3, "padding": 3, "padding_mode": "circular", "kernel_size": 1},
    {"input_size": 3, "padding": 2, "padding_mode": "reflect"},
    {"op": T, "stride": 2, "dilation": 3, "output_padding": 2},
    {"op": "max_pool2d", "kernel_size": 3, "padding": 1},
    {"op": "avg_pool2d", "input_size": 2, "kernel_size": 3, "stride": 2, "ceil_mode": True},  # a window may hang past the input
    {"input": [[1.5, -2], [3, 4]], "kernel_size": 1, "weight": [[2]], "bias": [np.float64(0.5)]},
    {"input": np.arange(16.0).reshape(4, 4), "weight": np.ones((1, 1, 3, 3), dtype=np.int64)},
    {"padding": None, "op": None},  # null means "not given"
]


@pytest.mark.parametrize("raw", JUST_INSIDE, ids=range(len(JUST_INSIDE)))
def test_just_inside_the_rules_is_accepted(raw):
    build_spec(raw)


def test_taps_exactly_at_the_cap_are_allowed():
    # 1 x 1 x 50 x 50 outputs x 4 x 5 x 5 taps each would be 250,000; 10 x 10 x 500 = 50,000 exactly
    raw = {"input_size": [10, 10], "kernel_size": [1, 1], "in_channels": 1, "out_channels": 1}
    build_spec(raw)
    at_cap = {"input_size": [50, 40], "kernel_size": [5, 5], "padding": 2, "in_channels": 1, "out_channels": 1}  # 2000 outputs x 25
    assert 50 * 40 * 25 == 50_000
    build_spec(at_cap)
    with pytest.raises(SpecError) as err:
        build_spec({**at_cap, "input_size": [50, 41]})
    assert err.value.code == "too_many_taps" and "51,250 taps" in err.value.message


def test_a_body_that_is_not_an_object():
    with pytest.raises(SpecError) as err:
        build_spec([1, 2])
    assert err.value.param == "body" and err.value.code == "not_object"

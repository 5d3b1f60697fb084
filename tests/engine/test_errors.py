"""Every rule a spec can break: the error names the parameter and states the rule."""

from __future__ import annotations

import pytest

from app.engine import SpecError, build_spec

CASES = [
    ({"input_size": 0}, "input_size", "at least 1"),
    ({"input_size": [5, -2]}, "input_size", "at least 1"),
    ({"kernel_size": 0}, "kernel_size", "at least 1"),
    ({"stride": 0}, "stride", "at least 1"),
    ({"dilation": -1}, "dilation", "at least 1"),
    ({"in_channels": 0}, "in_channels", "at least 1"),
    ({"padding": -1}, "padding", "must not be negative"),
    ({"padding": {"top": -1}}, "padding", "must not be negative"),
    ({"padding": {"middle": 1}}, "padding", "top, bottom, left and right"),
    ({"input_size": 4, "dilation": 2}, "kernel_size", "the dilated kernel (5x5) is larger than the padded input (4x4)"),
    ({"input_size": 2, "kernel_size": 3}, "kernel_size", "the kernel (3x3) is larger than the padded input (2x2)"),
    ({"in_channels": 4, "out_channels": 6, "groups": 4}, "groups", "must divide both in_channels (4) and out_channels (6)"),
    ({"padding": "same", "stride": 2}, "padding", "'same' needs stride 1"),
    ({"input_size": 3, "padding": 3, "padding_mode": "reflect"}, "padding", "reflect padding (3) must be smaller than the input (3x3)"),
    ({"input_size": 3, "padding": 4, "padding_mode": "circular", "kernel_size": 1}, "padding", "circular padding (4) must be at most the input"),
    ({"op": "conv_transpose2d", "stride": 2, "output_padding": 2}, "output_padding", "smaller than the stride or the dilation (got 2 with stride 2 and dilation 1)"),
    ({"op": "conv_transpose2d", "output_padding": 1}, "output_padding", "smaller than the stride or the dilation"),
    ({"op": "conv_transpose2d", "padding": "same"}, "padding", "a number or a pair"),
    ({"op": "conv_transpose2d", "input_size": 1, "kernel_size": 1, "padding": 1}, "padding", "the output would be -1x-1"),
    ({"op": "conv_transpose2d", "padding_mode": "reflect"}, "padding_mode", "zeros only"),
    ({"op": "max_pool2d", "kernel_size": 3, "padding": 2}, "padding", "at most half the kernel size (3 -> 1)"),
    ({"op": "avg_pool2d", "dilation": 2}, "dilation", "avg_pool2d has no dilation"),
    ({"op": "max_pool2d", "out_channels": 2}, "out_channels", "pooling keeps the channel count"),
    ({"op": "max_pool2d", "weight": [[1]]}, "weight", "max_pool2d has no weight"),
    ({"output_padding": 1}, "output_padding", "only conv_transpose2d"),
    ({"ceil_mode": True}, "ceil_mode", "only the pooling operations"),
    ({"view": "scatter"}, "view", "scatter view is for conv_transpose2d"),
    ({"input": [[1, 2], [3, 4]], "input_size": 3}, "input", "expected shape [1][3][3]"),
    ({"input": [[1, 2], [3]]}, "input", "all rows the same length"),
    ({"input": [[1, "a"], [3, 4]]}, "input", "nested list of numbers"),
    ({"input": [[1, float("nan")], [3, 4]], "kernel_size": 1}, "input", "finite numbers"),
    ({"input": [[1, float("inf")], [3, 4]], "kernel_size": 1}, "input", "finite numbers"),
    ({"weight": [[1, 2], [3, 4]]}, "kernel_size", None),  # a 2x2 weight sets the kernel; fine: no error expected
    ({"weight": [[[[1]]]], "kernel_size": 3}, "weight", "expected shape [1][1][3][3]"),
    ({"bias": [1, 2]}, "bias", "expected shape [1]"),
    ({"input": [[1e9]], "kernel_size": 1}, "input", "between"),
    ({"op": "conv3d"}, "op", "must be one of conv2d, conv_transpose2d, max_pool2d, avg_pool2d"),
    ({"padding_mode": "mirror"}, "padding_mode", "must be one of zeros, reflect, replicate, circular"),
    ({"padding": "half"}, "padding", "must be one of valid, same, full"),
    ({"ceil_mode": "yes"}, "ceil_mode", "true or false"),
    ({"stride": 1.5}, "stride", "whole number"),
    ({"stride": True}, "stride", "whole number"),
    ({"stride": [1, 2, 3]}, "stride", "one number or a pair"),
    ({"colour": 1}, "colour", "is not a spec field"),
    ({"input_size": 65}, "input_size", "at most 64"),
    ({"in_channels": 9}, "in_channels", "at most 8"),
    ({"kernel_size": 12, "input_size": 20}, "kernel_size", "at most 11"),
    ({"stride": 17}, "stride", "at most 16"),
    ({"padding": 33}, "padding", "at most 32"),
    ({"input_size": 64, "kernel_size": 5, "in_channels": 2, "out_channels": 2}, "input_size", "more than the 50,000 allowed"),
]


@pytest.mark.parametrize("raw, param, words", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_rule(raw, param, words):
    if words is None:
        build_spec(raw)
        return
    with pytest.raises(SpecError) as err:
        build_spec(raw)
    assert err.value.param == param
    assert err.value.message.startswith(param + ": ")
    assert words in err.value.message, err.value.message


def test_a_body_that_is_not_an_object():
    with pytest.raises(SpecError) as err:
        build_spec([1, 2])
    assert err.value.param == "body"

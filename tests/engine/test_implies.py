"""An array field's `implies` (what the value editor lets follow a pasted array) says what the
engine really infers from the array's shape: set only the array, and those fields take its sizes."""

from __future__ import annotations

import pytest

from app.engine import build_spec, registry


def test_the_implied_fields_are_fields_of_every_operation_that_has_the_array():
    for op in registry.operations():
        for f in op.fields:
            assert set(f.implies) <= set(op.field_names), (op.name, f.name)
            assert not f.implies or f.kind == "array"


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_a_weight_alone_gives_the_kernel_size_and_channels(op):
    weight = [[[[1.0] * 5] * 2] * 1] * 3 if op == "conv2d" else [[[[1.0] * 5] * 2] * 3] * 1   # [3][1][2][5] or [1][3][2][5]
    spec = build_spec({"op": op, "input_size": 6, "weight": weight})
    implied = registry.get(op).field("weight").implies
    assert implied == ("kernel_size", "out_channels")
    assert spec.values["kernel_size"] == (2, 5) and spec.values["out_channels"] == 3


def test_an_input_alone_gives_its_size_and_channels():
    spec = build_spec({"op": "conv2d", "input": [[[0.0] * 7] * 4] * 2})
    assert registry.get("conv2d").field("input").implies == ("input_size", "in_channels")
    assert spec.values["input_size"] == (4, 7) and spec.values["in_channels"] == 2

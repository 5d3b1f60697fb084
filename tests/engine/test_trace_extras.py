"""Trace extras in the JSON: every named array of the trace, its steps and its taps, as written.

Numbers are written as numbers (NaN as null), integer arrays as [c,y,x] cells of the
tensor the taps read (-1 as null), trailing axes as nested lists; traces without
extras write an empty `extras` and no extra keys.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import trace

SPECS = [
    {"op": "partial_conv2d", "input_size": [5, 6], "in_channels": 2, "out_channels": 2, "multi_channel": True, "padding": 1, "bias": [1, -1]},
    {"op": "conv2d", "input_size": 4, "padding": [1, 2], "padding_mode": "partial", "in_channels": 2, "out_channels": 2, "groups": 2},
    {"op": "gated_conv2d", "input_size": 5, "in_channels": 2, "out_channels": 2, "stride": 2, "padding": 1, "activation": "relu"},
    {"op": "deform_conv2d", "input_size": 5, "in_channels": 2, "out_channels": 4, "groups": 2, "padding": 1,
     "offset": (np.random.default_rng(0).uniform(-3, 3, (18, 5, 5))).tolist()},
]


def as_json(values, shape, integer: bool):
    """What the writer must produce for one entry: nested lists of numbers/null or [c,y,x]/null."""
    if isinstance(values, np.ndarray) and values.ndim > 0:
        return [as_json(v, shape, integer) for v in values]
    v = values.item() if isinstance(values, np.generic) else values
    if integer:
        return None if v < 0 else [int(i) for i in np.unravel_index(v, shape)]
    return None if not np.isfinite(v) else v


@pytest.mark.parametrize("raw", SPECS, ids=[r["op"] + ("-" + r.get("padding_mode", "")) for r in SPECS])
def test_every_extra_is_in_the_json(raw):
    t = trace(raw)
    d = t.to_dict()
    assert t.step_extras or t.tap_extras
    for name, arr in t.extras.items():
        assert np.array_equal(np.asarray(d["extras"][name], dtype=float), arr)
    shape = t.tap_shape
    for s, step in enumerate(d["steps"]):
        for name, arr in t.step_extras.items():
            assert step[name] == as_json(arr[s], shape, arr.dtype.kind in "iu"), (name, s)
        for ti, tap in enumerate(step["taps"]):
            for name, arr in t.tap_extras.items():
                assert tap[name] == as_json(arr[s, ti], shape, arr.dtype.kind in "iu"), (name, s, ti)
    assert d["steps"][0]["taps"][0].keys() >= set(t.tap_extras)


def test_no_extras_no_keys():
    d = trace({"op": "conv2d", "input_size": 4, "padding": 1}).to_dict()
    assert d["extras"] == {}
    assert set(d["steps"][0]) == {"output_index", "value", "taps"}
    assert set(d["steps"][0]["taps"][0]) == {"input_index", "canvas_index", "weight_index", "product"}

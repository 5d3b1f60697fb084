"""The arithmetic block, against hand-worked numbers and against torch.nn itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn  # noqa: F401  (the torch lines are evaluated with this name)

from app.engine import trace


def test_output_size_with_the_numbers_put_in():
    a = trace({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}).arithmetic
    # o = floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = floor(4/2) + 1 = 3
    assert a["output_size"][0]["substituted"] == "floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = floor(4/2) + 1 = 3"
    assert a["output_size"][0]["value"] == 3
    t = trace({"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}).arithmetic
    # (3-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 6
    assert t["output_size"][1]["substituted"] == "(3-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 6"
    assert t["canvas_size"] == [8, 8]  # 5 zero-inserted + 1 each side + 1 output padding


def test_remainder_and_unreached_cells():
    # 6 wide, k3 s2: windows start at 0 and 2, reach column 4; column 5 is never read
    a = trace({"input_size": 6, "kernel_size": 3, "stride": 2}).arithmetic
    assert a["remainder"] == [1, 1]
    assert a["unreached_rows"] == [5] and a["unreached_cols"] == [5]
    # 1x1 kernel, stride 2 on 5: reads 0, 2, 4; 1 and 3 are skipped inside
    b = trace({"input_size": 5, "kernel_size": 1, "stride": 2}).arithmetic
    assert b["unreached_cols"] == [1, 3] and b["remainder"] == [0, 0]


def test_parameters_and_macs():
    a = trace({"input_size": 5, "in_channels": 4, "out_channels": 6, "groups": 2, "kernel_size": 3, "bias": [0] * 6}).arithmetic
    assert a["parameters"] == 6 * 2 * 9 + 6          # weight [6, 2, 3, 3] + bias
    assert a["macs"] == 6 * 3 * 3 * (2 * 9)          # outputs x taps per output
    assert a["effective_kernel"] == [3, 3]
    assert trace({"input_size": 7, "dilation": 2}).arithmetic["effective_kernel"] == [5, 5]


@pytest.mark.parametrize("raw, line", [
    ({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}, "nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)"),
    ({"input_size": 6, "in_channels": 2, "out_channels": 4, "groups": 2, "kernel_size": [3, 1], "padding": "same", "padding_mode": "reflect", "bias": [1, 2, 3, 4]},
     "nn.Conv2d(2, 4, kernel_size=(3, 1), padding='same', groups=2, padding_mode='reflect')"),
    ({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "output_padding": 1}, "nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, bias=False)"),
    ({"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1}, "nn.MaxPool2d(kernel_size=3, stride=1)"),
    ({"op": "avg_pool2d", "input_size": 5, "kernel_size": 2, "ceil_mode": True, "count_include_pad": False, "padding": 1},
     "nn.AvgPool2d(kernel_size=2, padding=1, ceil_mode=True, count_include_pad=False)"),
    ({"input_size": 5, "padding": {"top": 1, "bottom": 0, "left": 2, "right": 0}},
     "nn.Sequential(nn.ZeroPad2d((2, 0, 1, 0)), nn.Conv2d(1, 1, kernel_size=3, bias=False))"),
])
def test_the_torch_line_builds_the_same_layer(raw, line):
    t = trace(raw)
    assert t.arithmetic["torch"] == line
    module = eval(line).double()
    conv = module[-1] if isinstance(module, nn.Sequential) else module
    if t.spec.weight is not None:
        with torch.no_grad():
            conv.weight.copy_(torch.tensor(t.spec.weight))
            if t.spec.bias is not None:
                conv.bias.copy_(torch.tensor(t.spec.bias))
    out = module(torch.tensor(t.spec.input)[None]).detach().numpy()[0]
    np.testing.assert_allclose(out, t.output, rtol=1e-12)
    n_params = sum(p.numel() for p in module.parameters())
    assert n_params == t.arithmetic["parameters"]


def test_trace_json_shape():
    d = trace({"op": "max_pool2d", "kernel_size": 2, "input_size": 4, "in_channels": 2}).to_dict()
    assert {"op", "view", "spec", "output_size", "output", "canvas", "steps", "arithmetic"} <= set(d)
    assert [s["output_index"] for s in d["steps"][:3]] == [[0, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert d["steps"][4]["output_index"] == [1, 0, 0]      # channels outermost
    assert set(d["steps"][0]["taps"][0]) >= {"input_index", "canvas_index", "weight_index", "product"}
    assert all(sum(1 for t in s["taps"] if t.get("winner")) == 1 for s in d["steps"])
    conv = trace({}).to_dict()
    assert not any("winner" in t for s in conv["steps"] for t in s["taps"])

"""The arithmetic block: hand-worked numbers, and the torch line run through torch.nn itself."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from torch import nn  # noqa: F401  (the torch lines are evaluated with this name in scope)
from torch.utils.flop_counter import FlopCounterMode

from app.engine import SpecError, build_spec, run, trace
from torch_truth import SETTINGS, examples, raw_specs, with_arrays

T = "conv_transpose2d"


# ---------------------------------------------------------------- output size, with the numbers put in

def test_conv_output_size_substituted():
    a = trace({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}).arithmetic
    # (5 + 1 + 1 - 1*2 - 1) = 4; 4 // 2 + 1 = 3
    h, w = a["output_size"]
    assert h == {"axis": "height", "formula": "o = floor((i + p_top + p_bottom - d*(k-1) - 1) / s) + 1",
                 "substituted": "floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = floor(4/2) + 1 = 3", "value": 3}
    assert w["axis"] == "width" and w["formula"] == "o = floor((i + p_left + p_right - d*(k-1) - 1) / s) + 1"
    assert w["substituted"] == h["substituted"]


def test_conv_output_size_per_side_and_dilated():
    a = trace({"input_size": [6, 7], "kernel_size": [3, 2], "dilation": [2, 1], "stride": [1, 3],
               "padding": {"top": 1, "bottom": 0, "left": 0, "right": 2}}).arithmetic
    # height: 6 + 1 + 0 - 2*2 - 1 = 2 -> 2 + 1 = 3; width: 7 + 0 + 2 - 1 - 1 = 7 -> 7 // 3 + 1 = 3
    assert a["output_size"][0]["substituted"] == "floor((6 + 1 + 0 - 2*(3-1) - 1) / 1) + 1 = floor(2/1) + 1 = 3"
    assert a["output_size"][1]["substituted"] == "floor((7 + 0 + 2 - 1*(2-1) - 1) / 3) + 1 = floor(7/3) + 1 = 3"
    assert a["effective_kernel"] == [5, 2]
    assert a["canvas_size"] == [7, 9]


def test_transposed_output_size_substituted():
    a = trace({"op": T, "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}).arithmetic
    # (3-1)*2 - 2 + 2 + 1 + 1 = 6
    assert a["output_size"][0]["formula"] == "o = (i-1)*s - 2p + d*(k-1) + output_padding + 1"
    assert a["output_size"][1]["substituted"] == "(3-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 6"
    assert a["output_size"][1]["value"] == 6
    # gather canvas: 5 zero-inserted cells + (1*(3-1) - 1) = 1 each side + 1 output padding
    assert a["canvas_size"] == [8, 8]


def test_ceil_mode_drops_a_window_that_starts_in_the_right_padding():
    a = trace({"op": "max_pool2d", "input_size": 5, "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}).arithmetic
    # ceil(5/2) + 1 = 4 windows would start at -1, 1, 3, 5; 5 is in the right padding: 3 remain (PyTorch: 3)
    assert a["output_size"][0]["formula"].startswith("o = ceil(")
    assert a["output_size"][0]["substituted"] == ("ceil((5 + 1 + 1 - 1*(2-1) - 1) / 2) + 1 = ceil(5/2) + 1 = 4 - 1 = 3 "
                                                  "(the last window would start in the right padding, so it is dropped)")
    assert a["output_size"][0]["value"] == 3
    b = trace({"op": "avg_pool2d", "input_size": 5, "kernel_size": 2, "ceil_mode": True}).arithmetic
    # ceil(3/2) + 1 = 3: the last window starts at 4, inside the input, and hangs one past it
    assert b["output_size"][1]["substituted"] == "ceil((5 + 0 + 0 - 1*(2-1) - 1) / 2) + 1 = ceil(3/2) + 1 = 3"
    assert b["canvas_size"] == [6, 6]


# ---------------------------------------------------------------- remainder: what no window reaches

@pytest.mark.parametrize("raw, rows, cols, remainder", [
    # 6 wide, k3 s2: windows at 0-2 and 2-4; row/col 5 is never read
    ({"input_size": 6, "kernel_size": 3, "stride": 2}, [5], [5], [1, 1]),
    # 7 wide: windows at 0, 2, 4 reach 6; nothing left over
    ({"input_size": 7, "kernel_size": 3, "stride": 2}, [], [], [0, 0]),
    # with padding 1 the padded grid is 8: windows at 0, 2, 4 reach 6; the bottom/right padding row 7 is left
    ({"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1}, [7], [7], [1, 1]),
    # 1x1 kernel, stride 2 over 5: reads 0, 2, 4; 1 and 3 are skipped inside, nothing trails
    ({"input_size": 5, "kernel_size": 1, "stride": 2}, [1, 3], [1, 3], [0, 0]),
    # pooling 2x2 over 5 (stride 2): 4 is left over
    ({"op": "max_pool2d", "input_size": 5, "kernel_size": 2}, [4], [4], [1, 1]),
    # dilated: k2 d3 over 5 x 7, stride 2 in width: rows {0,3}, {1,4} leave row 2 (a hole, not a remainder);
    # cols {0,3}, {2,5} leave 1 and 4 inside and 6 trailing
    ({"input_size": [5, 7], "kernel_size": 2, "dilation": 3, "stride": [1, 2]}, [2], [1, 4, 6], [0, 1]),
])
def test_remainder(raw, rows, cols, remainder):
    a = trace(raw).arithmetic
    assert (a["unreached_rows"], a["unreached_cols"], a["remainder"]) == (rows, cols, remainder)


# ---------------------------------------------------------------- parameters and multiply-accumulates

def test_parameters_and_macs_by_hand():
    # conv2d 4 -> 6 in 2 groups, 3x3, bias: weight [6, 2, 3, 3] + 6 biases; 5x5 -> 3x3 outputs, 2*9 taps each
    a = trace({"input_size": 5, "in_channels": 4, "out_channels": 6, "groups": 2, "kernel_size": 3, "bias": [0] * 6}).arithmetic
    assert a["parameters"] == 6 * 2 * 9 + 6 == 114
    assert a["macs"] == (6 * 3 * 3) * (2 * 9) == 972
    # the paper's padding_strides: 3x3 outputs x 9 taps (padding taps count, as in PyTorch's kernels)
    assert trace({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}).arithmetic["macs"] == 81
    # transposed, 3x3 input, k3 s2 p1 op1: each of the 9 input cells times the 9 weights; 36 outputs do not matter
    t = trace({"op": T, "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}).arithmetic
    assert (t["parameters"], t["macs"]) == (9, 81)
    # transposed 4 -> 6 in 2 groups, 2x3 kernel: weight [4, 3, 2, 3]; 2x2 input: 4 cells x 4 channels x 3 x 6
    t = trace({"op": T, "input_size": 2, "in_channels": 4, "out_channels": 6, "groups": 2, "kernel_size": [2, 3]}).arithmetic
    assert (t["parameters"], t["macs"]) == (72, 4 * 4 * 3 * 6)
    # pooling has no weights and no multiplies
    p = trace({"op": "avg_pool2d", "input_size": 4, "kernel_size": 2}).arithmetic
    assert (p["parameters"], p["macs"]) == (0, 0)


# ---------------------------------------------------------------- the torch line

LINES = [
    ({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1},
     "nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)"),
    ({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1, "bias": [0.5]},
     "nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)"),
    ({"input_size": 6, "in_channels": 2, "out_channels": 4, "groups": 2, "kernel_size": [3, 1], "padding": "same", "padding_mode": "reflect", "bias": [1, 2, 3, 4]},
     "nn.Conv2d(2, 4, kernel_size=(3, 1), padding='same', groups=2, padding_mode='reflect')"),
    ({"input_size": 7, "kernel_size": 3, "dilation": 2, "padding": "valid"},
     "nn.Conv2d(1, 1, kernel_size=3, padding='valid', dilation=2, bias=False)"),
    ({"input_size": 5, "kernel_size": [3, 2], "padding": "full"},  # not a PyTorch word: the numbers it means
     "nn.Conv2d(1, 1, kernel_size=(3, 2), padding=(2, 1), bias=False)"),
    ({"input_size": 5, "kernel_size": 3, "padding": "full", "padding_mode": "circular"},
     "nn.Conv2d(1, 1, kernel_size=3, padding=2, bias=False, padding_mode='circular')"),
    ({"input_size": 5, "padding": {"top": 1, "bottom": 0, "left": 2, "right": 0}},
     "nn.Sequential(nn.ZeroPad2d((2, 0, 1, 0)), nn.Conv2d(1, 1, kernel_size=3, bias=False))"),
    ({"input_size": 5, "padding": {"top": 1, "bottom": 2, "left": 0, "right": 1}, "padding_mode": "replicate", "stride": 2},
     "nn.Sequential(nn.ReplicationPad2d((0, 1, 1, 2)), nn.Conv2d(1, 1, kernel_size=3, stride=2, bias=False))"),
    ({"input_size": 5, "padding": {"top": 1, "bottom": 1, "left": 2, "right": 2}, "padding_mode": "reflect"},
     "nn.Conv2d(1, 1, kernel_size=3, padding=(1, 2), bias=False, padding_mode='reflect')"),
    ({"op": T, "input_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
     "nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, bias=False)"),
    ({"op": T, "input_size": 3, "in_channels": 2, "out_channels": 4, "groups": 2, "dilation": [2, 1], "output_padding": [1, 0], "bias": [1, 2, 3, 4]},
     "nn.ConvTranspose2d(2, 4, kernel_size=3, output_padding=(1, 0), groups=2, dilation=(2, 1))"),
    ({"op": "max_pool2d", "input_size": 5, "kernel_size": 3, "stride": 1},
     "nn.MaxPool2d(kernel_size=3, stride=1)"),
    ({"op": "max_pool2d", "input_size": 7, "kernel_size": [3, 2], "padding": [1, 0], "dilation": 2, "ceil_mode": True},
     "nn.MaxPool2d(kernel_size=(3, 2), padding=(1, 0), dilation=2, ceil_mode=True)"),
    ({"op": "avg_pool2d", "input_size": 5, "kernel_size": 2, "ceil_mode": True, "count_include_pad": False, "padding": 1},
     "nn.AvgPool2d(kernel_size=2, padding=1, ceil_mode=True, count_include_pad=False)"),
]


def module_output(line: str, spec) -> tuple[np.ndarray, nn.Module]:
    """eval() the torch line, load the spec's weight and bias into it, run it on the spec's input."""
    module = eval(line).double()
    conv = module[-1] if isinstance(module, nn.Sequential) else module
    if spec.weight is not None:
        with torch.no_grad():
            conv.weight.copy_(torch.tensor(spec.weight))
            if spec.bias is not None:
                conv.bias.copy_(torch.tensor(spec.bias))
    with torch.no_grad():
        out = module(torch.tensor(np.array(spec.input))[None])[0].numpy()
    return out, module


@pytest.mark.parametrize("raw, line", LINES, ids=[line for _, line in LINES])
def test_torch_line_by_hand(raw, line):
    t = trace(raw)
    assert t.arithmetic["torch"] == line
    out, module = module_output(line, t.spec)
    np.testing.assert_allclose(out, t.output, rtol=1e-12, atol=1e-12)
    assert sum(p.numel() for p in module.parameters()) == t.arithmetic["parameters"]


@settings(max_examples=examples(500), **SETTINGS)
@given(case=raw_specs())
def test_torch_line_builds_the_layer_on_screen(case):
    """For random specs: the line evaluates, has the same parameters, and computes the same output;
    the sizes in the block are the output's; MACs are what torch's FLOP counter counts (2 FLOPs each)."""
    spec, _ = with_arrays(*case)
    try:
        built = build_spec(spec)
    except SpecError:
        return  # refusals are test_against_torch's business
    t = run(built)
    a = t.arithmetic
    out, module = module_output(a["torch"], built)
    np.testing.assert_allclose(out, t.output, rtol=1e-10, atol=1e-10, err_msg=a["torch"])
    assert sum(p.numel() for p in module.parameters()) == a["parameters"]
    assert [s["value"] for s in a["output_size"]] == list(out.shape[1:])
    assert a["canvas_size"] == list(t.canvas.size)
    assert a["effective_kernel"] == [d * (k - 1) + 1 for d, k in zip(built.dilation, built.kernel_size)]
    with FlopCounterMode(display=False) as counter:
        with torch.no_grad():
            module(torch.tensor(np.array(built.input))[None])
    assert a["macs"] == counter.get_total_flops() // 2

"""The arithmetic panel's own formula for partial, gated and deformable convolution:
the paper named, the formula, and one output cell worked with the user's numbers
(every expected text below worked by hand)."""

from __future__ import annotations

import math

import numpy as np

from app.engine import trace

ONES3 = [[[[1] * 3] * 3]]


def test_partial_names_liu_2018_and_works_the_ratio():
    # 4x4 input 0..15, mask 0 at (1, 1) and (2, 3); output (0, 0) reads rows/cols 0..2 but (1, 1):
    # 0+1+2+4+6+8+9+10 = 40 over 8 known cells of 9
    spec = {"op": "partial_conv2d", "input_size": 4, "kernel_size": 3, "bias": None, "weight": ONES3,
            "input": np.arange(16).reshape(4, 4).tolist(), "mask": [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]]}
    e = trace(spec).arithmetic["explained"]
    assert any("Liu et al. 2018" in p and "Partial Convolutions" in p for p in e["papers"])
    assert "sum(1)/sum(M)" in e["formula"] and "mask_out" in e["formula"]
    assert e["at"] == [0, 0, 0]
    assert e["substituted"] == "sum(1) = 9, sum(M) = 8, W·(X⊙M) = 40: 40 × 9/8 = 45"


def test_partial_padding_names_arxiv_1811_11718():
    # 3x3 ones, padding 1: the corner window holds 4 input cells of 9, each times 1, and bias 2
    e = trace({"input_size": 3, "padding": 1, "padding_mode": "partial", "input": [[1] * 3] * 3, "weight": ONES3, "bias": [2]}).arithmetic["explained"]
    assert any("1811.11718" in p for p in e["papers"])
    assert e["at"] == [0, 0, 0]
    assert e["substituted"] == "sum(1) = 9, sum(M) = 4, W·(X⊙M) = 4: 4 × 9/4 + 2 = 11"


def test_gated_names_deepfill_v2_and_works_the_gate():
    spec = {"op": "gated_conv2d", "input_size": 3, "kernel_size": 3, "input": [[1] * 3] * 3, "weight": ONES3,
            "bias": [1], "gate_weight": [[[[0] * 3] * 3]], "gate_bias": [1]}
    e = trace(spec).arithmetic["explained"]
    assert any("Yu et al. 2019" in p and "Gated Convolution" in p for p in e["papers"])
    assert e["formula"] == "out = ELU(W·X + b) ⊙ sigmoid(W_g·X + b_g)"
    gate = 1 / (1 + math.exp(-1))   # 0.7311
    assert e["substituted"] == f"W·X + b = 10, W_g·X + b_g = 1: ELU(10) × sigmoid(1) = 10 × {gate:.4g} = {10 * gate:.4g}"
    relu = trace({**spec, "activation": "relu"}).arithmetic["explained"]
    assert relu["formula"] == "out = ReLU(W·X + b) ⊙ sigmoid(W_g·X + b_g)"


def test_deformable_names_dai_and_zhu_and_works_one_sample():
    # output (0, 0), kernel position 0: p0 = (0, 0), pk = (0, 0), offset (0.5, 0.25); x[y][x] = 4y + x
    # bilinear: 0.375 x[0,0] + 0.125 x[0,1] + 0.375 x[1,0] + 0.125 x[1,1] = 0 + 0.125 + 1.5 + 0.625 = 2.25
    offset = np.zeros((8, 3, 3))
    offset[0, 0, 0], offset[1, 0, 0] = 0.5, 0.25
    spec = {"op": "deform_conv2d", "input_size": 4, "kernel_size": 2, "offset": offset.tolist(),
            "input": np.arange(16).reshape(4, 4).tolist(), "weight": [[[[1, 2], [3, 4]]]]}
    e = trace(spec).arithmetic["explained"]
    assert any("Dai et al. 2017" in p for p in e["papers"]) and any("Zhu et al. 2019" in p for p in e["papers"])
    assert "p0 + pk + Δpk" in e["formula"] and "Δm_k" not in e["formula"]
    assert e["substituted"] == ("k = 0: p0 + pk + Δpk = (0, 0) + (0, 0) + (0.5, 0.25) = (0.5, 0.25); "
                                "x(0.5, 0.25) = 0.375×0 + 0.125×1 + 0.375×4 + 0.125×5 = 2.25; 1×2.25 = 2.25")
    v2 = trace({**spec, "mask": (np.ones((4, 3, 3)) / 2).tolist()}).arithmetic["explained"]
    assert "Δm_k" in v2["formula"] and v2["substituted"].endswith("1×0.5×2.25 = 1.125")

"""gated_conv2d against two PyTorch convolutions, an activation and a sigmoid (DeepFill v2).

The random specs are conv2d's (every padding form and mode, groups, dilation,
given and default arrays), with a gate weight and bias and an activation; PyTorch
computes the feature and the gate. Each step's feature, gate and value, and each
tap's feature and gate products, are checked against it, and the taps against the
input gradient of PyTorch's gate logit.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, run, trace
from inpainting_truth import activation, t64
from test_taps import gathered, jacobians
from torch_truth import SETTINGS, examples, raw_specs, torch_forward, torch_tensors, with_arrays

TOL = dict(rtol=1e-10, atol=1e-10)


@st.composite
def gated_cases(draw):
    raw, meta = draw(raw_specs(op="conv2d"))
    meta["activation"] = draw(st.sampled_from(["none", "relu", "elu", "default"]))
    meta["gate"] = draw(st.sampled_from(["given", "given", "default"]))
    meta["gate_bias"] = draw(st.booleans())
    meta["scale"] = draw(st.sampled_from([1.0, 1.0, 30.0]))  # large logits: the sigmoid saturates
    return raw, meta


def gated_spec(raw, meta):
    spec, arrays = with_arrays(raw, meta)
    spec["op"] = "gated_conv2d"
    if meta["activation"] != "default":
        spec["activation"] = meta["activation"]
    rng = np.random.default_rng(meta["seed"] + 1)
    cin, g = raw.get("in_channels", 1), raw.get("groups", 1)
    kh, kw = (raw["kernel_size"], raw["kernel_size"]) if isinstance(raw["kernel_size"], int) else raw["kernel_size"]
    cout = raw.get("out_channels", cin)
    if meta["gate"] == "given":
        arrays["gate_weight"] = rng.uniform(-1, 1, (cout, max(1, cin // g), kh, kw)) * meta["scale"]
        spec["gate_weight"] = arrays["gate_weight"].tolist()
    if meta["gate_bias"]:
        arrays["gate_bias"] = rng.uniform(-2, 2, cout)
        spec["gate_bias"] = arrays["gate_bias"].tolist()
    return spec, arrays


@settings(max_examples=examples(1000), **SETTINGS)
@given(case=gated_cases())
def test_gated_conv2d_is_act_of_feature_times_sigmoid_of_gate(case):
    raw, meta = case
    spec, arrays = gated_spec(raw, meta)
    try:
        built = build_spec(spec)
    except SpecError as exc:
        assume(exc.code != "too_many_taps")
        raise
    t = run(built)
    x, w, b = torch_tensors(arrays, built)
    gw = t64(arrays.get("gate_weight", t.extras["gate_weight"]))
    gb = t64(arrays.get("gate_bias"))
    act = meta["activation"] if meta["activation"] != "default" else "elu"
    with torch.no_grad():
        feature = torch_forward(raw, x, w, b)
        logit = torch_forward(raw, x, gw, gb)
        want = activation(act, feature) * torch.sigmoid(logit)
    np.testing.assert_allclose(t.output, want[0].numpy(), **TOL)
    np.testing.assert_allclose(t.step_extras["feature"], feature.numpy().ravel(), **TOL)
    np.testing.assert_allclose(t.step_extras["gate_logit"], logit.numpy().ravel(), **TOL)
    np.testing.assert_allclose(t.step_extras["gate"], torch.sigmoid(logit).numpy().ravel(), **TOL)
    np.testing.assert_allclose(t.step_extras["activated"], activation(act, feature).numpy().ravel(), **TOL)
    assert ((t.step_extras["gate"] >= 0) & (t.step_extras["gate"] <= 1)).all()
    # taps: the feature and gate products of the same cell and weight index; sums + biases are feature and logit
    cells = t.canvas.values.ravel()[t.tap_canvas]
    np.testing.assert_array_equal(t.tap_product, cells * w.numpy().ravel()[t.tap_weight])
    np.testing.assert_array_equal(t.tap_extras["gate_product"], cells * gw.numpy().ravel()[t.tap_weight])
    per, oc = t.output[0].size, t.output.shape[0]
    gbias = np.zeros(oc) if gb is None else gb.numpy()
    np.testing.assert_allclose(t.tap_extras["gate_product"].sum(axis=1) + np.repeat(gbias, per), t.step_extras["gate_logit"], **TOL)
    np.testing.assert_array_equal(t.step_value, t.step_extras["activated"] * t.step_extras["gate"])
    # the gate's taps are PyTorch's: d logit / d x at each tap's input cell is its gate weight
    if meta["seed"] % 4 == 0:  # a quarter of the cases: the Jacobian is the slow part
        (jx,) = jacobians(lambda a: torch_forward(raw, a, gw, gb), x)
        np.testing.assert_allclose(gathered(t.tap_tensor, gw.numpy().ravel()[t.tap_weight], jx.shape[1]), jx, **TOL)
    event(f"{act} gate {meta['gate']} x{meta['scale']:g} {raw.get('padding_mode', 'zeros')}")


def test_default_gate_weight_is_the_weight_turned_minus_one():
    """The paper's 3x3 kernel 0 1 2 / 2 2 0 / 0 1 2 turned 180 degrees is 2 1 0 / 0 2 2 / 2 1 0; minus 1."""
    d = trace({"op": "gated_conv2d"}).to_dict()
    assert d["weight"] == [[[[0, 1, 2], [2, 2, 0], [0, 1, 2]]]]
    assert d["extras"]["gate_weight"] == [[[[1, 0, -1], [-1, 1, 1], [1, 0, -1]]]]
    assert d["extras"]["gate_bias"] == [0]


def test_a_hand_worked_gate():
    """1x1 kernel on [[1, -2]]: feature 2x + 1 = 3, -3; gate logit 0 -> 1/2: ELU gives 3 * 0.5 and (e^-3 - 1) * 0.5."""
    t = trace({"op": "gated_conv2d", "input": [[1, -2]], "kernel_size": 1, "weight": [[2]], "bias": [1], "gate_weight": [[0]]})
    assert t.step_extras["feature"].tolist() == [3, -3] and t.step_extras["gate"].tolist() == [0.5, 0.5]
    assert t.output.tolist() == [[[1.5, float(np.expm1(-3)) * 0.5]]]
    relu = trace({"op": "gated_conv2d", "input": [[1, -2]], "kernel_size": 1, "weight": [[2]], "bias": [1], "gate_weight": [[0]], "activation": "relu"})
    assert relu.output.tolist() == [[[1.5, 0.0]]]
    step = relu.to_dict()["steps"][1]
    assert step["feature"] == -3 and step["activated"] == 0 and step["gate_logit"] == 0 and step["gate"] == 0.5 and step["value"] == 0
    assert step["taps"][0]["gate_product"] == 0 and step["taps"][0]["product"] == -4


@pytest.mark.parametrize("logit", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_the_sigmoid_saturates_without_overflow(logit):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the right answer
        t = trace({"op": "gated_conv2d", "input": [[1.0]], "kernel_size": 1, "weight": [[1]], "gate_weight": [[logit]], "activation": "none"})
    np.testing.assert_allclose(t.output[0, 0, 0], torch.sigmoid(torch.tensor(logit, dtype=torch.float64)).item(), rtol=1e-15, atol=0)

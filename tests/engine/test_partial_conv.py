"""partial_conv2d and conv2d's padding_mode='partial' against NVIDIA's formula in torch.

For random specs (channels, kernels, strides, dilations, every padding form a
PartialConv2d takes, one mask or one per channel, given or default masks, integer
and float values): the output and the updated mask equal the reference's; each
step's mask sum and scale are the reference's window sums and window/sum; each
tap's mask value is the padded mask under it; the products times the scale plus
the bias are the value; and the input Jacobian of the reference is exactly the
taps' weight x mask x scale.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, run, trace
from inpainting_truth import maker, partial_conv, t64, window_specs
from test_taps import gathered, jacobians
from torch_truth import SETTINGS, conv2d_sides, examples

TOL = dict(rtol=1e-10, atol=1e-10)


@st.composite
def partial_cases(draw):
    raw, meta = draw(window_specs(groups=False))
    raw["op"] = "partial_conv2d"
    form = draw(st.sampled_from(["numbers", "numbers", "same", "valid", "full", "sides"]))
    if form == "same":
        raw.pop("stride")
        raw["padding"] = "same"
    elif form in ("valid", "full"):
        padding_word(raw, meta, form)
    elif form == "sides":
        ph, pw = meta["pad"]
        raw["padding"] = {"top": ph, "bottom": ph, "left": pw, "right": pw}
    multi = draw(st.booleans())
    if multi or draw(st.booleans()):
        raw["multi_channel"] = multi
    meta["multi"] = multi
    meta["mask"] = draw(st.sampled_from(["random", "random", "sparse", "default", "zeros"]))
    meta["flat_mask"] = draw(st.booleans())
    return raw, meta


def padding_word(raw, meta, word):
    raw["padding"] = word
    if word == "valid":  # no padding: the input must hold the dilated kernel
        eff = [d * (k - 1) + 1 for d, k in zip(meta["dilation"], meta["kernel"])]
        raw["input_size"] = [max(n, e) for n, e in zip(raw["input_size"], eff)]


def with_values(raw, meta):
    rng, make = maker(meta)
    c, (h, w), (kh, kw) = raw["in_channels"], raw["input_size"], meta["kernel"]
    spec = dict(raw, input=make((c, h, w)).tolist(), weight=make((raw["out_channels"], c, kh, kw)).tolist())
    if meta["bias"]:
        spec["bias"] = make((raw["out_channels"],)).tolist()
    planes = c if meta["multi"] else 1
    kind = meta["mask"]
    if kind != "default":
        p1 = {"random": 0.6, "sparse": 0.15, "zeros": 0.0}[kind]
        mask = (rng.random((planes, h, w)) < p1).astype(float)
        spec["mask"] = (mask[0] if meta["flat_mask"] and planes == 1 else mask).tolist()
    return spec


def tensors(spec, mask):
    """x, w, b, the mask, and the padding as PyTorch's Conv2d reads it (left, right, top, bottom)."""
    x, w, b = t64(spec["input"])[None], t64(spec["weight"]), t64(spec.get("bias"))
    sides = conv2d_sides({"kernel_size": spec["kernel_size"], "padding": spec.get("padding", 0), "dilation": spec.get("dilation", 1)})
    return x, w, b, t64(mask)[None], sides


@settings(max_examples=examples(1500), **SETTINGS)
@given(case=partial_cases())
def test_partial_conv2d_matches_nvidias_formula(case):
    raw, meta = case
    spec = with_values(raw, meta)
    try:
        built = build_spec(spec)
    except SpecError as exc:
        assume(exc.code != "too_many_taps")
        raise
    t = run(built)
    d = t.to_dict()
    mask = np.asarray(d["extras"]["mask"], dtype=float)
    if "mask" in spec:
        np.testing.assert_array_equal(mask.reshape(np.shape(spec["mask"])), spec["mask"])
    mask = mask.reshape((-1,) + tuple(raw["input_size"]))
    x, w, b, m, sides = tensors(spec, mask)
    stride, dil = tuple(built.stride), tuple(built.dilation)
    with torch.no_grad():
        out, update, sums = partial_conv(x, m, w, b, stride, sides, dil, meta["multi"])
    np.testing.assert_allclose(t.output, out[0].numpy(), **TOL)
    # the updated mask: [OH][OW] from one plane, [OC][OH][OW] with multi_channel (as PartialConv2d returns it)
    want_mask = update[0].numpy() if meta["multi"] else update[0, 0].numpy()
    np.testing.assert_array_equal(np.asarray(d["extras"]["mask_out"], dtype=float), want_mask)
    # each step: the window's mask sum and scale = window size / sum (0 without a 1)
    sums_per_step = np.broadcast_to(sums[0].numpy(), t.output.shape).ravel()
    window = (raw["in_channels"] if meta["multi"] else 1) * meta["kernel"][0] * meta["kernel"][1]
    np.testing.assert_array_equal(t.step_extras["mask_sum"], sums_per_step)
    np.testing.assert_array_equal(t.step_extras["scale"], np.where(sums_per_step > 0, window / np.maximum(sums_per_step, 1), 0))
    assert t.arithmetic["window_size"] == window
    # each tap: the padded mask under its canvas cell; product = x * m * w; sum x scale + bias = value
    padded_mask = torch.nn.functional.pad(m, sides)[0].numpy()
    cells = t.tap_canvas if meta["multi"] else t.tap_canvas % padded_mask[0].size
    np.testing.assert_array_equal(t.tap_extras["mask"], padded_mask.ravel()[cells])
    wf = w.numpy().ravel()
    np.testing.assert_array_equal(t.tap_product, t.canvas.values.ravel()[t.tap_canvas] * wf[t.tap_weight] * t.tap_extras["mask"])
    bias = np.zeros(t.output.shape[0]) if b is None else b.numpy()
    held = t.step_extras["mask_sum"] > 0
    per = t.output[0].size
    np.testing.assert_allclose(t.step_value, np.where(held, t.tap_product.sum(axis=1) * t.step_extras["scale"] + np.repeat(bias, per), 0), **TOL)
    # the taps are the reference's input gradient: weight x mask x scale at each tap's input cell
    if meta["seed"] % 3 == 0:  # a third of the cases: the Jacobian is the slow part
        (jx,) = jacobians(lambda a: partial_conv(a, m, w, b, stride, sides, dil, meta["multi"])[0], x)
        factor = wf[t.tap_weight] * t.tap_extras["mask"] * t.step_extras["scale"][:, None]
        np.testing.assert_allclose(gathered(t.tap_tensor, factor, jx.shape[1]), jx, **TOL)
    event(f"mask {meta['mask']} {'multi' if meta['multi'] else 'one plane'} {raw['padding'] if isinstance(raw['padding'], str) else ''}")


def test_nvidias_epsilon_changes_the_ratio_by_less_than_1e_8():
    """NVIDIA divides by sum + 1e-8; the engine divides exactly (9/6 = 1.5): the rescaled sums agree to 1e-8 relative."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        c, h = int(rng.integers(1, 3)), int(rng.integers(3, 8))
        mask = (rng.random((c, h, h)) < 0.5).astype(float)
        spec = {"op": "partial_conv2d", "input_size": h, "in_channels": c, "out_channels": 2, "kernel_size": 3, "padding": 1,
                "multi_channel": True, "mask": mask.tolist(), "input": rng.uniform(-3, 3, (c, h, h)).tolist(),
                "weight": rng.uniform(-1, 1, (2, c, 3, 3)).tolist(), "bias": [0.5, -1.0]}
        t = trace(spec)
        with torch.no_grad():
            out, _, _ = partial_conv(t64(spec["input"])[None], t64(mask)[None], t64(spec["weight"]), t64(spec["bias"]), (1, 1), (1, 1, 1, 1), (1, 1), True, eps=1e-8)
        bias = np.array(spec["bias"])[:, None, None] * (t.output != 0)
        np.testing.assert_allclose(t.output - bias, out[0].numpy() - bias, rtol=1.01e-8, atol=1e-12)
        assert not np.array_equal(t.output, out[0].numpy())  # the epsilon is really there


def test_a_hand_worked_window():
    """3x3 input of ones, weight all 1, bias 10, the centre and a corner masked: 7 of 9 cells count.

    W·(X⊙M) = 7, scale = 9/7, out = 7 * 9/7 + 10 = 19; mask_out = 1."""
    mask = [[0, 1, 1], [1, 0, 1], [1, 1, 1]]
    t = trace({"op": "partial_conv2d", "input": [[1.0] * 3] * 3, "weight": [[1.0] * 3] * 3, "bias": [10], "mask": mask})
    assert t.step_extras["mask_sum"].tolist() == [7] and t.step_extras["scale"][0] == 9 / 7
    assert t.output.tolist() == [[[7 * (9 / 7) + 10]]]
    d = t.to_dict()
    assert d["extras"]["mask_out"] == [[1]] and d["steps"][0]["scale"] == 9 / 7 and d["steps"][0]["mask_sum"] == 7
    assert [tap["mask"] for tap in d["steps"][0]["taps"]] == [0, 1, 1, 1, 0, 1, 1, 1, 1]
    assert [tap["product"] for tap in d["steps"][0]["taps"]] == [0, 1, 1, 1, 0, 1, 1, 1, 1]


def test_a_window_wholly_in_the_hole_writes_zero_bias_included():
    t = trace({"op": "partial_conv2d", "input_size": 3, "kernel_size": 1, "mask": [[1, 0, 1], [1, 1, 1], [0, 0, 1]], "weight": [[1]], "bias": [5]})
    # the default input's top-left 3x3 is 3 3 2 / 0 0 1 / 3 1 2 (the paper's); a 1x1 window is x * 1/1 + 5 or 0
    assert t.output.tolist() == [[[5 + 3, 0, 5 + 2], [5 + 0, 5 + 0, 5 + 1], [0, 0, 5 + 2]]]
    assert t.to_dict()["extras"]["mask_out"] == [[1, 0, 1], [1, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize("side, hole", [(5, (1, 4)), (6, (2, 4)), (7, (2, 5)), (1, (0, 1)), (3, (1, 2))])
def test_the_default_mask_is_a_hole_in_the_middle_third(side, hole):
    d = trace({"op": "partial_conv2d", "input_size": side, "kernel_size": 1}).to_dict()
    want = np.ones((side, side))
    want[hole[0]:hole[1], hole[0]:hole[1]] = 0
    assert d["extras"]["mask"] == want.tolist()
    assert "mask" not in d["spec"] or d["spec"]["mask"] is None


def test_the_hole_shrinks_layer_after_layer():
    """mask_out of one layer fed as the next layer's mask: a 3x3 hole in 7x7 closes after one 3x3 'same' layer."""
    d = trace({"op": "partial_conv2d", "input_size": 7, "kernel_size": 3, "padding": 1}).to_dict()
    first = np.asarray(d["extras"]["mask_out"])
    assert first.sum() == 49 - 1 and first[3, 3] == 0
    d2 = trace({"op": "partial_conv2d", "input_size": 7, "kernel_size": 3, "padding": 1, "mask": first.tolist()}).to_dict()
    assert np.asarray(d2["extras"]["mask_out"]).all()


# ---------------------------------------------------------------- conv2d, padding_mode='partial'

@st.composite
def partial_padding_cases(draw):
    raw, meta = draw(window_specs(groups=True))
    raw["op"] = "conv2d"
    raw["padding_mode"] = "partial"
    if draw(st.booleans()):
        raw.pop("stride")
        padding_word(raw, meta, draw(st.sampled_from(["same", "full", "valid"])))
    meta["big_pad"] = draw(st.integers(0, 2))
    if meta["big_pad"] == 2 and not isinstance(raw["padding"], str):   # windows wholly in the padding
        raw["padding"] = [v + max(meta["kernel"]) for v in meta["pad"]]
    return raw, meta


@settings(max_examples=examples(800), **SETTINGS)
@given(case=partial_padding_cases())
def test_partial_padding_is_nvidias_formula_with_a_mask_of_ones(case):
    """arXiv 1811.11718: the input is mask 1, the padding 0; groups allowed (the mask has one plane)."""
    raw, meta = case
    rng, make = maker(meta)
    c, (h, w), (kh, kw), g = raw["in_channels"], raw["input_size"], meta["kernel"], meta["groups"]
    spec = dict(raw, input=make((c, h, w)).tolist(), weight=make((raw["out_channels"], c // g, kh, kw)).tolist())
    if meta["bias"]:
        spec["bias"] = make((raw["out_channels"],)).tolist()
    try:
        t = trace(spec)
    except SpecError as exc:
        assume(exc.code not in ("too_many_taps", "canvas_too_large"))
        raise
    sides = conv2d_sides(raw)
    x, wt, b = t64(spec["input"])[None], t64(spec["weight"]), t64(spec.get("bias"))
    ones = torch.ones((1, 1, h, w), dtype=torch.float64)
    stride, dil = tuple(t.spec.stride), tuple(t.spec.dilation)
    if g == 1:
        with torch.no_grad():
            want, _, sums = partial_conv(x, ones, wt, b, stride, sides, dil, False)
    else:  # the ratio is the same for every channel: rescale PyTorch's grouped conv by the one-plane ratio
        with torch.no_grad():
            _, _, sums = partial_conv(x[:, :1], ones, wt[:, :1], None, stride, sides, dil, False)
            raw_out = torch.nn.functional.conv2d(torch.nn.functional.pad(x, sides), wt, None, stride, 0, dil, g)
            ratio = torch.where(sums > 0, kh * kw / sums.clamp(min=1), torch.zeros_like(sums))
            want = raw_out * ratio + (0 if b is None else b.view(1, -1, 1, 1)) * (sums > 0)
    np.testing.assert_allclose(t.output, want[0].numpy(), **TOL)
    np.testing.assert_array_equal(t.step_extras["mask_sum"], np.broadcast_to(sums[0].numpy(), t.output.shape).ravel())
    # where the window holds no padding, partial padding is plain zero padding
    plain = trace({**spec, "padding_mode": "zeros"})
    whole = t.step_extras["mask_sum"] == kh * kw
    np.testing.assert_array_equal(t.step_value[whole], plain.step_value[whole])
    assert t.canvas.kinds.tolist() == plain.canvas.kinds.tolist()
    np.testing.assert_array_equal(t.canvas.values, plain.canvas.values)
    event(f"{'windows without input' if (t.step_extras['mask_sum'] == 0).any() else 'every window reads input'}")


def test_partial_padding_hand_worked_corner():
    """5x5 ones, 3x3 ones kernel, padding 1: the corner window holds 4 input cells: 4 * 9/4 = 9, as the middle."""
    t = trace({"op": "conv2d", "input": np.ones((5, 5)).tolist(), "weight": np.ones((3, 3)).tolist(), "padding": 1, "padding_mode": "partial"})
    assert t.output.tolist() == [[[9.0] * 5] * 5]
    zeros = trace({"op": "conv2d", "input": np.ones((5, 5)).tolist(), "weight": np.ones((3, 3)).tolist(), "padding": 1})
    assert zeros.output[0, 0, 0] == 4 and zeros.output[0, 0, 1] == 6
    assert t.step_extras["scale"][:2].tolist() == [9 / 4, 9 / 6]


def test_partial_padding_torch_line_names_nvidias_module():
    assert trace({"op": "conv2d", "padding": 1, "padding_mode": "partial"}).arithmetic["torch"] == "PartialConv2d(1, 1, kernel_size=3, padding=1, bias=False)"
    assert trace({"op": "partial_conv2d", "padding": "same", "multi_channel": True}).arithmetic["torch"] == \
        "PartialConv2d(1, 1, kernel_size=3, padding='same', bias=False, multi_channel=True, return_mask=True)"

"""The image filter's fast path: the same bits as the traced conv2d, the same numbers as torch.

`conv2d.outputs` computes conv2d's output without taps (for pictures far beyond the
trace's caps). It must give exactly `run(spec).output` (bit for bit, fractional values
included) for every padding form and mode, stride, dilation, groups and bias, and the
image filter built on it must match torch's F.conv2d of the same picture.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import SpecError, build_spec, imagefilter, run
from app.engine.kernels import KERNELS
from app.engine.ops.conv2d import outputs
from torch_truth import SETTINGS, examples

MODES = ("zeros", "reflect", "replicate", "circular")


@st.composite
def small_specs(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    icg, ocg = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(3, 12)), draw(st.integers(3, 12))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding = draw(st.one_of(st.integers(0, 2), st.sampled_from(["valid", "same", "full"]),
                             st.fixed_dictionaries({s: st.integers(0, 2) for s in ("top", "bottom", "left", "right")})))
    stride = [1, 1] if padding == "same" else [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    raw = {
        "op": "conv2d", "in_channels": groups * icg, "out_channels": groups * ocg, "groups": groups,
        "input": rng.normal(size=(groups * icg, h, w)).tolist(),
        "weight": rng.normal(size=(groups * ocg, icg, kh, kw)).tolist(),
        "stride": stride, "dilation": [draw(st.integers(1, 2)), draw(st.integers(1, 2))],
        "padding": padding, "padding_mode": draw(st.sampled_from(MODES)),
    }
    if draw(st.booleans()):
        raw["bias"] = rng.normal(size=groups * ocg).tolist()
    return raw


@settings(max_examples=examples(300), **SETTINGS)
@given(small_specs())
def test_outputs_are_the_traced_outputs_bit_for_bit(raw):
    try:
        spec = build_spec(raw)
    except SpecError:
        return  # a spec the engine refuses has no trace to compare with (test_against_torch covers refusals)
    np.testing.assert_array_equal(outputs(spec), run(spec).output)


def _torch_filter(image: np.ndarray, weight: np.ndarray, stride, padding, dilation, mode: str) -> np.ndarray:
    """F.conv2d of each channel with the same kernel, after F.pad (top, bottom, left, right) in `mode`."""
    c = image.shape[0]
    top, bottom, left, right = padding
    x = F.pad(torch.tensor(image)[None], (left, right, top, bottom), mode="constant" if mode == "zeros" else mode)
    w = torch.tensor(weight).expand(c, 1, *weight.shape).contiguous()
    return F.conv2d(x, w, stride=stride, dilation=dilation, groups=c)[0].numpy()


@pytest.mark.parametrize("kernel", [k.name for k in KERNELS])
def test_every_preset_on_a_picture_sized_input_matches_torch(kernel):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(3, 97, 130)).astype(np.float64)   # beyond the trace's 64-cell cap
    name, weight = imagefilter.kernel_weight(kernel)
    spec = imagefilter.build(image, weight, {"padding": "same", "padding_mode": "reflect"})
    k = weight.shape[0]
    pad = ((k - 1) // 2, k - 1 - (k - 1) // 2) * 2
    expected = _torch_filter(image, weight, 1, pad, 1, "reflect")
    got = imagefilter.apply(spec)
    assert got.shape == expected.shape == (3, 97, 130)
    if float(np.max(np.abs(weight * 256 - np.rint(weight * 256)))) == 0:
        np.testing.assert_array_equal(got, expected)   # dyadic weights on whole numbers: every sum is exact
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("fields, torch_args", [
    ({"stride": 2, "dilation": 2, "padding": 3}, dict(stride=2, padding=(3, 3, 3, 3), dilation=2, mode="zeros")),
    ({"stride": [1, 3], "padding": [2, 1], "padding_mode": "circular"}, dict(stride=(1, 3), padding=(2, 2, 1, 1), dilation=1, mode="circular")),
    ({"padding": {"top": 0, "bottom": 2, "left": 1, "right": 0}, "padding_mode": "replicate"},
     dict(stride=1, padding=(0, 2, 1, 0), dilation=1, mode="replicate")),
    ({"padding": "valid"}, dict(stride=1, padding=(0, 0, 0, 0), dilation=1, mode="zeros")),
])
def test_conv2d_fields_on_a_picture_match_torch(fields, torch_args):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(1, 70, 90)).astype(np.float64)
    weight = rng.normal(size=(3, 5))
    got = imagefilter.apply(imagefilter.build(image, weight, fields))
    expected = _torch_filter(image, weight, torch_args["stride"], torch_args["padding"], torch_args["dilation"], torch_args["mode"])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


def test_the_filter_is_the_trace_of_the_same_depthwise_conv2d():
    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, size=(3, 9, 11)).astype(np.float64)
    weight = rng.normal(size=(3, 3))
    got = imagefilter.apply(imagefilter.build(image, weight, {"padding": 1, "stride": 2}))
    traced = run(build_spec({"op": "conv2d", "input": image.tolist(), "in_channels": 3, "out_channels": 3, "groups": 3,
                             "weight": np.broadcast_to(weight, (3, 1, 3, 3)).tolist(), "padding": 1, "stride": 2})).output
    np.testing.assert_array_equal(got, traced)


@pytest.mark.parametrize("kernel, fields, param, code", [
    ("nope", {}, "kernel", "not_choice"),
    ([[1, 2], [3]], {}, "kernel", "not_numbers"),
    ([1, 2, 3], {}, "kernel", "bad_shape"),
    ([[1.0] * 12] * 3, {}, "kernel", "too_large"),
    ("sobel_x", {"stride": 0}, "stride", "too_small"),
    ("sobel_x", {"padding": "same", "stride": 2}, "padding", "same_stride"),
    ("sobel_x", {"padding": 5, "padding_mode": "reflect"}, "padding", "reflect_too_large"),
    ("gaussian5", {"dilation": 3}, "kernel_size", "kernel_too_large"),
    ("sobel_x", {"groups": 2}, "groups", "unknown_field"),
])
def test_refusals_name_the_field(kernel, fields, param, code):
    image = np.zeros((1, 5, 5))
    with pytest.raises(SpecError) as e:
        name, weight = imagefilter.kernel_weight(kernel)
        imagefilter.build(image, weight, fields)
    assert (e.value.param, e.value.code) == (param, code), e.value.message
    assert e.value.text("zh").startswith(param + "：") and e.value.text("zh") != e.value.text("en")

"""The upsample, adaptive_avg_pool2d and adaptive_max_pool2d operations against PyTorch.

Specs are drawn as a user writes them (sizes and scales as numbers or pairs, ints
or floats, arrays given or left to the defaults). PyTorch computes the expected
output from the same dict (F.interpolate, F.adaptive_*_pool2d); the trace's
output, its taps (against the one-hot response of the same PyTorch call: which
input cells each output takes, with which coefficient), its winners (return_indices)
and its torch line (evaluated, it must build the same layer) are checked. A second
search crosses the boundaries: the engine refuses exactly what PyTorch refuses,
plus its documented caps, each with the field named.

Tolerances as in test_resample.py: nearest and adaptive pooling exact (global
average pooling of floats: 1e-12, PyTorch's mean() sums in its own order),
bilinear and bicubic within 1e-12 times the largest |input|.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from torch import nn

from app.engine import SpecError, build_spec, resample, run
from torch_truth import SETTINGS, examples

MAX_IN, MAX_OUT, TOL = 64, resample.MAX_OUT, 1e-12
MODES = ("nearest", "nearest-exact", "bilinear", "bicubic")
ADAPTIVE = ("adaptive_avg_pool2d", "adaptive_max_pool2d")


def one_or_pair(draw, one):
    """A number, or [h, w]: returned as (what the user writes, (h, w))."""
    if draw(st.booleans()):
        v = draw(one)
        return v, (v, v)
    h, w = draw(one), draw(one)
    return [h, w], (h, w)


def scales():
    return st.one_of(st.integers(1, 4), st.sampled_from([0.5, 1.5, 2.5, 1 / 3, 0.7, 1.7, 2.2]), st.floats(0.05, 4.0))


@st.composite
def specs(draw, op: str):
    """(raw spec, its arrays) for `op`; arrays None when the engine's defaults are used."""
    raw = {"op": op}
    raw["input_size"], (h, w) = one_or_pair(draw, st.integers(1, MAX_IN))
    c = draw(st.integers(1, 3))
    if op == "upsample":
        how = draw(st.sampled_from(["size", "scale", "scale", "default"]))
        if how == "size":
            raw["size"], _ = one_or_pair(draw, st.integers(1, MAX_OUT))
        elif how == "scale":
            raw["scale_factor"], (sy, sx) = one_or_pair(draw, scales())
            assume(all(1 <= resample.output_length(n, None, s) <= MAX_OUT for n, s in ((h, sy), (w, sx))))
        mode = draw(st.sampled_from(MODES + ("default",)))
        if mode != "default":
            raw["mode"] = mode
        if mode in ("bilinear", "bicubic") and draw(st.booleans()):
            raw["align_corners"] = draw(st.booleans())
    else:
        raw["output_size"], _ = one_or_pair(draw, st.one_of(st.just(1), st.integers(1, MAX_OUT)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    integers = draw(st.booleans())
    x = rng.integers(-4, 5, (c, h, w)).astype(np.float64) if integers else rng.uniform(-3, 3, (c, h, w))
    if draw(st.sampled_from(["given", "given", "default"])) == "given":
        raw["input"] = x[0].tolist() if c == 1 and draw(st.booleans()) else x.tolist()
    else:
        raw["in_channels"], x = c, None
    return raw, x, integers


def torch_output(raw: dict, x: torch.Tensor):
    """PyTorch's answer for the spec as written (max pooling: values and indices)."""
    if raw["op"] == "adaptive_avg_pool2d":
        return F.adaptive_avg_pool2d(x, raw["output_size"])
    if raw["op"] == "adaptive_max_pool2d":
        return F.adaptive_max_pool2d(x, raw["output_size"], return_indices=True)
    mode = raw.get("mode", "nearest")
    how = {"size": raw["size"]} if "size" in raw else {"scale_factor": raw.get("scale_factor", 2)}
    if mode in ("bilinear", "bicubic"):
        how["align_corners"] = raw.get("align_corners", False)
    return F.interpolate(x, mode=mode, **how)


def one_hot_response(raw: dict, h: int, w: int) -> np.ndarray:
    """[outputs, H*W]: PyTorch's output cell o as a function of input cell j (the op is linear)."""
    spec = {k: v for k, v in raw.items() if k not in ("input", "in_channels")}
    x = torch.eye(h * w, dtype=torch.float64).reshape(h * w, 1, h, w)
    with torch.no_grad():
        out = torch_output(spec, x)
    return out.reshape(h * w, -1).T.numpy()


def build(raw: dict):
    try:
        return build_spec(raw)
    except SpecError as exc:
        assume(exc.code != "too_many_taps")  # the documented cap, not a rule
        raise


def per_channel(t, n_in: int) -> tuple[np.ndarray, int]:
    """Tap input indices within their channel's plane, after checking they stay in the step's channel."""
    planes = t.output.shape[1] * t.output.shape[2]
    channel = (t.step_index // planes)[:, None]
    real = t.tap_tensor >= 0
    assert (t.tap_tensor[real] // n_in == np.broadcast_to(channel, real.shape)[real]).all()
    return np.where(real, t.tap_tensor % n_in, -1), planes


def check_common(t, x: np.ndarray) -> None:
    """Steps in order; absent taps only at the end of a row; products are the cells' values (times coefficients)."""
    np.testing.assert_array_equal(t.step_index, np.arange(t.output.size))
    real = t.tap_tensor >= 0
    assert (np.sort(~real, axis=1, kind="stable") == ~real).all(), "present taps fill each row from the left"
    np.testing.assert_array_equal(t.tap_canvas, t.tap_tensor)   # the canvas is the input itself
    factor = t.tap_coefficient if t.tap_coefficient is not None else 1.0
    expected = np.where(real, x.ravel()[np.maximum(t.tap_tensor, 0)] * factor, np.nan)
    np.testing.assert_array_equal(t.tap_product, expected)
    if real.sum() <= 3000:  # the JSON writes each step's real taps only (large ones take seconds)
        assert [len(s["taps"]) for s in t.to_dict()["steps"]] == real.sum(axis=1).tolist()


# ---------------------------------------------------------------- upsample

@settings(max_examples=examples(600), **SETTINGS)
@given(case=specs("upsample"))
def test_upsample_matches_pytorch(case):
    raw, x, integers = case
    spec = build(raw)
    t = run(spec)
    x = spec.input if x is None else x
    c, (h, w) = x.shape[0], x.shape[1:]
    mode = raw.get("mode", "nearest")
    with torch.no_grad():
        expected = torch_output(raw, torch.tensor(x)[None])[0].numpy()
        layer = eval(t.arithmetic["torch"], {"nn": nn})   # the line we show builds the same layer
        np.testing.assert_array_equal(layer(torch.tensor(x)[None])[0].numpy(), expected)
    assert t.output.shape == expected.shape
    assert [a["value"] for a in t.arithmetic["output_size"]] == list(expected.shape[1:])
    if mode.startswith("nearest"):
        np.testing.assert_array_equal(t.output, expected)
    else:
        np.testing.assert_allclose(t.output, expected, rtol=0, atol=TOL * max(1.0, np.abs(x).max()))

    check_common(t, x)
    real = t.tap_tensor >= 0
    np.testing.assert_array_equal(np.nansum(t.tap_product, axis=1), t.step_value)
    assert (np.abs(t.tap_coefficient[real]) > resample.ZERO).all() and np.isnan(t.tap_coefficient[~real]).all()
    assert real.sum(axis=1).max() <= resample.TAPS[mode] ** 2
    cells, planes = per_channel(t, h * w)
    first = cells[:planes]  # every channel reads the same cells with the same coefficients
    np.testing.assert_array_equal(cells, np.tile(first, (c, 1)))
    for row in first:
        assert len(set(row[row >= 0].tolist())) == int((row >= 0).sum()), "each input cell once per step"
    if h * w * planes <= 200_000:
        m = one_hot_response(raw, h, w)
        mine = np.zeros_like(m)
        np.add.at(mine, (np.nonzero(first >= 0)[0], first[first >= 0]), t.tap_coefficient[:planes][first >= 0])
        if mode.startswith("nearest"):
            np.testing.assert_array_equal(mine, m)
        else:
            np.testing.assert_allclose(mine, m, rtol=0, atol=TOL)
        event("taps checked against the one-hot response")
    event(f"{mode} {'size' if 'size' in raw else 'scale'} {'int' if integers else 'float'}")


# ---------------------------------------------------------------- adaptive pooling

@settings(max_examples=examples(500), **SETTINGS)
@given(case=specs("adaptive_avg_pool2d"))
def test_adaptive_avg_pool2d_matches_pytorch(case):
    raw, x, integers = case
    spec = build(raw)
    t = run(spec)
    x = spec.input if x is None else x
    with torch.no_grad():
        expected = torch_output(raw, torch.tensor(x)[None])[0].numpy()
        np.testing.assert_array_equal(eval(t.arithmetic["torch"], {"nn": nn})(torch.tensor(x)[None])[0].numpy(), expected)
    globally = expected.shape[1:] == (1, 1)
    if globally and not integers and "input" in raw:  # PyTorch's mean() sums in its own order
        np.testing.assert_allclose(t.output, expected, rtol=0, atol=TOL)
    else:
        np.testing.assert_array_equal(t.output, expected)
    check_common(t, x)
    real = t.tap_tensor >= 0
    np.testing.assert_array_equal(t.divisor, real.sum(axis=1))
    h, w = x.shape[1:]
    cells, planes = per_channel(t, h * w)
    if h * w * planes <= 200_000:  # the window: exactly the cells PyTorch averages, each once
        m = one_hot_response(raw, h, w)
        first = cells[:planes]
        mine = np.zeros(m.shape, bool)
        mine[np.nonzero(first >= 0)[0], first[first >= 0]] = True
        np.testing.assert_array_equal(mine, m != 0)
        np.testing.assert_allclose(m.sum(axis=1), 1.0, rtol=TOL)
        event("windows checked against the one-hot response")
    event(f"{'global' if globally else 'adaptive'} {'int' if integers else 'float'}")


@settings(max_examples=examples(500), **SETTINGS)
@given(case=specs("adaptive_max_pool2d"))
def test_adaptive_max_pool2d_matches_pytorch(case):
    raw, x, integers = case
    spec = build(raw)
    t = run(spec)
    x = spec.input if x is None else x
    with torch.no_grad():
        values, indices = torch_output(raw, torch.tensor(x)[None])
        np.testing.assert_array_equal(eval(t.arithmetic["torch"], {"nn": nn})(torch.tensor(x)[None])[0].numpy(), values[0].numpy())
    np.testing.assert_array_equal(t.output, values[0].numpy())
    check_common(t, x)
    h, w = x.shape[1:]
    won = t.tap_tensor[np.arange(t.steps), t.winner]
    np.testing.assert_array_equal(won % (h * w), indices[0].numpy().ravel())  # the first maximum, as return_indices
    np.testing.assert_array_equal(t.step_value, np.nanmax(t.tap_product, axis=1))
    if (t.tap_tensor >= 0).sum() <= 3000:  # one winner marked per step in the JSON
        assert sum(1 for s in t.to_dict()["steps"] for tap in s["taps"] if tap.get("winner")) == t.steps
    event(f"{'ties' if integers else 'floats'}")


# ---------------------------------------------------------------- what is refused, and why

@st.composite
def wide_specs(draw):
    """Specs across the boundaries: scales that give 0 or too many outputs, sizes past the cap,
    align_corners with every mode, both size and scale_factor, output_size 0."""
    op = draw(st.sampled_from(("upsample",) + ADAPTIVE))
    h, w = draw(st.integers(1, MAX_IN)), draw(st.integers(1, MAX_IN))
    raw = {"op": op, "input_size": [h, w]}
    if op == "upsample":
        if draw(st.booleans()):
            raw["size"] = draw(st.integers(0, MAX_OUT + 3))
        if draw(st.booleans()) or "size" not in raw:
            raw["scale_factor"] = draw(st.one_of(st.floats(0.0, 6.0), st.integers(0, 6)))
        raw["mode"] = draw(st.sampled_from(MODES))
        if draw(st.booleans()):
            raw["align_corners"] = draw(st.booleans())
    else:
        raw["output_size"] = [draw(st.integers(0, MAX_OUT + 3)), draw(st.integers(0, MAX_OUT + 3))]
    return raw


def torch_accepts(raw: dict):
    """(output shape, None) or (None, what PyTorch raised), for the call as the user wrote it."""
    x = torch.zeros([1, 1] + raw["input_size"], dtype=torch.float64)
    try:
        if raw["op"] == "upsample":
            kw = {k: raw[k] for k in ("size", "scale_factor", "align_corners") if k in raw}
            out = F.interpolate(x, mode=raw["mode"], **kw)
        else:
            out = torch_output(raw, x)
            out = out[0] if isinstance(out, tuple) else out
    except (RuntimeError, ValueError) as exc:
        return None, exc
    return (None, RuntimeError("empty output")) if out.numel() == 0 else (tuple(out.shape[2:]), None)


@settings(max_examples=examples(1000), **SETTINGS)
@given(raw=wide_specs())
def test_engine_refuses_what_pytorch_refuses_and_names_the_field(raw):
    shape, refused = torch_accepts(raw)
    try:
        t = run(build_spec(raw))
    except SpecError as exc:
        assert exc.text("zh") != exc.text("en") and exc.param in raw
        if refused is not None:
            event(f"both refuse: {exc.code}")
            return
        # PyTorch runs it: only our caps may refuse it
        assert exc.code in ("too_large", "scale_output", "too_many_taps"), f"{exc.message} -- {raw}"
        if exc.code == "scale_output":
            assert max(shape) > MAX_OUT
        event(f"cap: {exc.code}")
        return
    lenient = raw.get("align_corners") is False and raw["mode"].startswith("nearest")
    if refused is not None:
        assert lenient, f"engine accepted what PyTorch refuses ({refused}): {raw}"
        event("align_corners=false with nearest: accepted, as if left out")
        return
    assert t.output.shape[1:] == shape
    event("both accept")


@pytest.mark.parametrize("raw, param, code", [
    ({"op": "upsample", "mode": "nearest", "align_corners": True}, "align_corners", "align_corners_mode"),
    ({"op": "upsample", "mode": "nearest-exact", "align_corners": True}, "align_corners", "align_corners_mode"),
    ({"op": "upsample", "size": 4, "scale_factor": 2}, "scale_factor", "one_of"),
    ({"op": "upsample", "input_size": 5, "scale_factor": 0.1}, "scale_factor", "scale_output"),
    ({"op": "upsample", "input_size": 5, "scale_factor": [2, 30]}, "scale_factor", "scale_output"),
    ({"op": "upsample", "scale_factor": -1}, "scale_factor", "negative"),
    ({"op": "upsample", "scale_factor": "twice"}, "scale_factor", "not_number"),
    ({"op": "upsample", "size": 0}, "size", "too_small"),
    ({"op": "upsample", "size": [4, 4, 4]}, "size", "not_pair"),
    ({"op": "upsample", "mode": "area"}, "mode", "not_choice"),
    ({"op": "upsample", "kernel_size": 2}, "kernel_size", "not_for_op"),
    ({"op": "adaptive_avg_pool2d", "output_size": 0}, "output_size", "too_small"),
    ({"op": "adaptive_max_pool2d", "output_size": MAX_OUT + 1}, "output_size", "too_large"),
    ({"op": "adaptive_max_pool2d", "in_channels": 2, "out_channels": 3}, "out_channels", "keeps_channels"),
    ({"op": "adaptive_avg_pool2d", "weight": [[1]]}, "weight", "not_for_op"),
    ({"op": "adaptive_avg_pool2d", "input_size": 64, "in_channels": 8, "output_size": 63}, "input_size", "too_many_taps"),
])
def test_bad_input_names_the_field(raw, param, code):
    with pytest.raises(SpecError) as info:
        build_spec(raw)
    assert (info.value.param, info.value.code) == (param, code)
    assert info.value.text("zh").startswith(param) and info.value.text("zh") != info.value.text("en")


def test_the_size_rule_with_the_users_numbers():
    """25 x 1.16 is 28.999999999999996 in floating point, so PyTorch makes 28 rows, not 29: the panel shows why."""
    t = run(build_spec({"op": "upsample", "input_size": 25, "scale_factor": 1.16}))
    assert t.arithmetic["output_size"][0]["substituted"] == "floor(25 * 1.16) = floor(28.999999999999996) = 28"
    assert F.interpolate(torch.zeros(1, 1, 25, 25), scale_factor=1.16).shape[2:] == t.output.shape[1:] == (28, 28)
    t = run(build_spec({"op": "adaptive_avg_pool2d", "input_size": [5, 4], "output_size": [3, 2]}))
    assert [a["substituted"] for a in t.arithmetic["output_size"]] == ["o = 3, i = 5: [0, 2) [1, 4) [3, 5)", "o = 2, i = 4: [0, 2) [2, 4)"]
    assert t.arithmetic["effective_kernel"] == [3, 2]   # the largest window


def test_presets_are_what_the_issue_asks_for():
    """Nearest vs bilinear 2x of the same input, global average pooling, the three SPP levels of one input."""
    from app.presets import PRESETS

    ours = {p.slug: p.spec for p in PRESETS if p.spec["op"] in ("upsample",) + ADAPTIVE}
    near, bil = ours["upsample_nearest_2x"], ours["upsample_bilinear_2x"]
    assert {k: v for k, v in near.items() if k != "mode"} == {k: v for k, v in bil.items() if k != "mode"}
    assert (near["mode"], bil["mode"], near["scale_factor"]) == ("nearest", "bilinear", 2)
    assert ours["global_average_pooling"]["output_size"] == 1
    levels = [ours[f"spp_{n}x{n}"] for n in (1, 2, 4)]
    assert [s["output_size"] for s in levels] == [1, 2, 4] and len({s["input_size"] for s in levels}) == 1
    for spec in ours.values():
        t = run(build_spec(spec))
        x = torch.tensor(t.spec.input)[None]
        with torch.no_grad():
            np.testing.assert_array_equal(t.output, eval(t.arithmetic["torch"], {"nn": nn})(x)[0].numpy())

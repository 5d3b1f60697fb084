"""deform_conv2d against torchvision's definition, computed with F.grid_sample.

The reference (inpainting_truth.deform_conv) is itself checked against F.conv2d:
zero offsets are conv2d, integer offsets the same for every output cell are a
conv2d of the shifted input, and offsets (ky*(D-1), kx*(D-1)) are a conv2d with
dilation D. Random specs (channels, groups, kernels, strides, dilations, padding;
fractional, half-integer, integer, far-away and default offsets; with and without
a modulation mask) then check the engine's output, every tap's sampling point and
sampled value, the products and sums, and, through the reference's input gradient,
the 4 neighbours and their bilinear coefficients.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.engine import LIMITS, SpecError, build_spec, run, trace
from inpainting_truth import bilinear_samples, deform_conv, maker, sample_points, t64, window_specs
from test_taps import gathered, jacobians
from torch_truth import SETTINGS, examples

TOL = dict(rtol=1e-10, atol=1e-10)


@st.composite
def deform_cases(draw):
    raw, meta = draw(window_specs(groups=True))
    raw["op"] = "deform_conv2d"
    meta["offset"] = draw(st.sampled_from(["fraction", "fraction", "halves", "integer", "far", "zero", "default"]))
    meta["mask"] = draw(st.sampled_from(["none", "none", "random", "binary"]))
    meta["flat_weight"] = draw(st.booleans())
    return raw, meta


def deform_spec(raw, meta):
    rng, make = maker(meta)
    c, (h, w), (kh, kw), g = raw["in_channels"], raw["input_size"], meta["kernel"], meta["groups"]
    k, (oh, ow) = kh * kw, meta["out"]
    spec = dict(raw, input=make((c, h, w)).tolist(), weight=make((raw["out_channels"], c // g, kh, kw)).tolist())
    if meta["bias"]:
        spec["bias"] = make((raw["out_channels"],)).tolist()
    shape = (2 * k, oh, ow)
    kind = meta["offset"]
    offset = {
        "fraction": lambda: rng.uniform(-1.5, 1.5, shape),
        "halves": lambda: rng.integers(-4, 5, shape) / 2,        # exactly on cells, edges and the -1 / H borders
        "integer": lambda: rng.integers(-2, 3, shape).astype(float),
        "far": lambda: rng.uniform(-h - 3, h + 3, shape),
        "zero": lambda: np.zeros(shape),
        "default": lambda: None,
    }[kind]()
    if offset is not None:
        spec["offset"] = offset.tolist()
    mask = {"none": None, "random": lambda: rng.uniform(0, 1, (k, oh, ow)), "binary": lambda: rng.integers(0, 2, (k, oh, ow)).astype(float)}[meta["mask"]]
    if mask is not None:
        spec["mask"] = mask().tolist()
    return spec


def reference_args(spec, t):
    x, w, b = t64(spec["input"])[None], t64(spec["weight"]), t64(spec.get("bias"))
    offset = t64(spec["offset"]) if "offset" in spec else t64(t.extras["offset"])
    mask = t64(spec.get("mask"))
    s = t.spec
    return x, offset, mask, w, b, tuple(s.stride), (s.padding.top, s.padding.left), tuple(s.dilation), s.groups


def per_tap(t, a: np.ndarray) -> np.ndarray:
    """a [C][K][OH][OW] (per input channel, kernel position, output cell) -> [S][T] in the trace's tap order."""
    oc, oh, ow = t.output.shape
    c, k = a.shape[:2]
    g = t.spec.groups
    icg = c // g
    o = np.arange(oc)[:, None, None, None]
    ic = (o // (oc // g)) * icg + np.arange(icg)[None, None, :, None]     # [OC, 1, ICG, 1]
    kk = np.arange(k)[None, None, None, :]
    p = np.arange(oh * ow)[None, :, None, None]
    flat = a.reshape(c, k, oh * ow)
    return np.broadcast_to(flat[ic, kk, p], (oc, oh * ow, icg, k)).reshape(oc * oh * ow, icg * k)


@settings(max_examples=examples(1200), **SETTINGS)
@given(case=deform_cases())
def test_deform_conv2d_matches_torchvisions_definition(case):
    raw, meta = case
    spec = deform_spec(raw, meta)
    try:
        built = build_spec(spec)
    except SpecError as exc:
        assume(exc.code != "too_many_samples")
        raise
    t = run(built)
    x, offset, mask, w, b, stride, pad, dil, groups = reference_args(spec, t)
    with torch.no_grad():
        want = deform_conv(x, offset, mask, w, b, stride, pad, dil, groups)
        y, xs = sample_points(t.output.shape[1:], meta["kernel"], stride, pad, dil, offset)
        cols = bilinear_samples(x, y, xs)
    np.testing.assert_allclose(t.output, want[0].numpy(), **TOL)

    # every tap: its sampling point, the value sampled there, its modulation, product and sum
    np.testing.assert_array_equal(t.tap_extras["sample"][..., 0], per_tap(t, np.broadcast_to(y.numpy(), (x.shape[1],) + y.shape)))
    np.testing.assert_array_equal(t.tap_extras["sample"][..., 1], per_tap(t, np.broadcast_to(xs.numpy(), (x.shape[1],) + y.shape)))
    np.testing.assert_allclose(t.tap_extras["sampled"], per_tap(t, cols.numpy()), **TOL)
    mod = np.ones(y.shape) if mask is None else mask.numpy()
    np.testing.assert_array_equal(t.tap_extras["modulation"], per_tap(t, np.broadcast_to(mod, (x.shape[1],) + y.shape)))
    wf = w.numpy().ravel()
    np.testing.assert_allclose(t.tap_product, wf[t.tap_weight] * t.tap_extras["modulation"] * t.tap_extras["sampled"], **TOL)
    bias = np.zeros(t.output.shape[0]) if b is None else b.numpy()
    np.testing.assert_allclose(t.tap_product.sum(axis=1) + np.repeat(bias, t.output[0].size), t.step_value, **TOL)

    # the 4 neighbours and coefficients are what the reference's gradient says: d out / d x
    near, coef = t.tap_extras["neighbours"], t.tap_extras["bilinear"]
    assert ((near >= 0) == np.isfinite(coef)).all()
    factor = (wf[t.tap_weight] * t.tap_extras["modulation"])[..., None] * np.nan_to_num(coef)
    (jx,) = jacobians(lambda a: deform_conv(a, offset, mask, w, b, stride, pad, dil, groups), x)
    S, T = t.tap_product.shape
    np.testing.assert_allclose(gathered(near.reshape(S, T * 4), factor.reshape(S, T * 4), jx.shape[1]), jx, **TOL)
    # neighbours are the cells around the point, floor first, each inside the input
    c_, h, w_ = built.input.shape
    yy, xx = t.tap_extras["sample"][..., 0], t.tap_extras["sample"][..., 1]
    read = (yy > -1) & (yy < h) & (xx > -1) & (xx < w_)
    cy, cx = np.divmod(near % (h * w_), w_)
    y0, x0 = np.floor(yy)[..., None], np.floor(xx)[..., None]
    real = near >= 0
    assert (cy[real] - y0.repeat(4, -1)[real] == np.array([0, 0, 1, 1])[None, None].repeat(S, 0).repeat(T, 1)[real]).all()
    assert (cx[real] - x0.repeat(4, -1)[real] == np.array([0, 1, 0, 1])[None, None].repeat(S, 0).repeat(T, 1)[real]).all()
    assert not real[~read].any()
    np.testing.assert_allclose(np.nansum(coef, axis=-1)[read & real.all(axis=-1)], 1, rtol=1e-12)

    # the drawn cell: the one the point lies in (nearest, halves go down/right), clamped onto the canvas
    ny, nx = np.floor(yy + 0.5).astype(int), np.floor(xx + 0.5).astype(int)
    ch, cw = t.canvas.size
    canvas_cell = t.tap_canvas % (ch * cw)
    np.testing.assert_array_equal(canvas_cell // cw, np.clip(ny + pad[0], 0, ch - 1))
    np.testing.assert_array_equal(canvas_cell % cw, np.clip(nx + pad[1], 0, cw - 1))
    inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w_)
    assert ((t.tap_tensor >= 0) == inside).all()
    np.testing.assert_array_equal(t.tap_tensor[inside] % (h * w_), (ny * w_ + nx)[inside])
    assert (t.tap_tensor[inside] // (h * w_) == t.tap_canvas[inside] // (ch * cw)).all()   # same channel
    event(f"offsets {meta['offset']}, mask {meta['mask']}, groups {groups}")


# ---------------------------------------------------------------- the reference against conv2d

def _case(seed, c=2, oc=2, g=1, k=(3, 3), s=(1, 1), p=(1, 1), d=(1, 1), size=(6, 5)):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.uniform(-3, 3, (1, c) + size))
    w = torch.tensor(rng.uniform(-1, 1, (oc, c // g) + k))
    b = torch.tensor(rng.uniform(-1, 1, oc))
    with torch.no_grad():
        out = F.conv2d(x, w, b, s, p, d, g)
    return x, w, b, out.shape[2:], out


@pytest.mark.parametrize("seed", range(4))
def test_reference_with_zero_offsets_is_conv2d(seed):
    x, w, b, (oh, ow), out = _case(seed, g=1 + seed % 2, s=(1 + seed % 2, 1), d=(1, 1 + seed // 2))
    off = torch.zeros(18, oh, ow, dtype=torch.float64)
    with torch.no_grad():
        got = deform_conv(x, off, None, w, b, (1 + seed % 2, 1), (1, 1), (1, 1 + seed // 2), 1 + seed % 2)
    np.testing.assert_allclose(got.numpy(), out.numpy(), **TOL)


@pytest.mark.parametrize("dy, dx", [(1, 0), (0, -2), (-1, 1), (3, 3)])
def test_reference_with_one_integer_offset_is_a_shifted_conv2d(dy, dx):
    x, w, b, (oh, ow), _ = _case(5)
    off = torch.tensor([dy, dx] * 9, dtype=torch.float64)[:, None, None].expand(18, oh, ow)
    m = 8   # the input with zeros all around, cut where the moved windows read it (padding 1, 3x3 kernel)
    big = F.pad(x, (m, m, m, m))
    sy, sx = m - 1 + dy, m - 1 + dx
    with torch.no_grad():
        got = deform_conv(x, off, None, w, b, (1, 1), (1, 1), (1, 1), 1)
        want = F.conv2d(big[:, :, sy:sy + oh + 2, sx:sx + ow + 2], w, b)
    np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)


def test_reference_with_offsets_ky_kx_is_a_dilated_conv2d():
    x, w, b, _, want = _case(6, d=(2, 3), p=(2, 3), size=(7, 8))
    oh, ow = want.shape[2:]
    ky, kx = np.divmod(np.arange(9), 3)
    off = torch.tensor(np.stack([ky * 1, kx * 2], axis=1).reshape(18, 1, 1), dtype=torch.float64).expand(18, oh, ow)
    with torch.no_grad():
        got = deform_conv(x, off, None, w, b, (1, 1), (2, 3), (1, 1), 1)
    np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)


@pytest.mark.parametrize("seed", range(3))
def test_engine_with_integer_offsets_is_exact_conv2d(seed):
    """Integer values and offsets (ky, kx): the engine equals a dilation-2 conv2d exactly (on the cells both have:
    the undilated grid has 2 more rows and columns of windows)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 5, (2, 7, 6)).astype(float)
    w = rng.integers(-3, 4, (3, 2, 3, 3)).astype(float)
    ky, kx = np.divmod(np.arange(9), 3)
    conv = trace({"op": "conv2d", "input": x.tolist(), "weight": w.tolist(), "dilation": 2, "padding": 2})
    oh, ow = conv.output.shape[1:]
    off = np.broadcast_to(np.stack([ky, kx], axis=1).reshape(18, 1, 1), (18, oh + 2, ow + 2)).astype(float)
    t = trace({"op": "deform_conv2d", "input": x.tolist(), "weight": w.tolist(), "padding": 2, "offset": off.tolist()})
    np.testing.assert_array_equal(t.output[:, :oh, :ow], conv.output)


# ---------------------------------------------------------------- hand-worked taps and the JSON

def test_a_hand_worked_sample():
    """2x2 input 1 2 / 3 4, a 1x1 kernel of weight 2, the point moved by (0.25, 0.5) to (0.25, 0.5):
    (1 - .25)(1 - .5) * 1 + (1 - .25)(.5) * 2 + .25 * .5 * 3 + .25 * .5 * 4 = .375 + .75 + .375 + .5 = 2;
    modulated by 0.5, times the weight 2: 2. The other cells: their own value times 2."""
    off = np.zeros((2, 2, 2))
    off[:, 0, 0] = [0.25, 0.5]
    t = trace({"op": "deform_conv2d", "input": [[1, 2], [3, 4]], "kernel_size": 1, "weight": [[2]], "offset": off.tolist(),
               "mask": [[[0.5, 1], [1, 1]]]})
    tap = t.to_dict()["steps"][0]["taps"][0]
    assert tap["sample"] == [0.25, 0.5]
    assert tap["neighbours"] == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
    assert tap["bilinear"] == [0.375, 0.375, 0.125, 0.125]
    assert tap["sampled"] == 2 and tap["modulation"] == 0.5 and tap["product"] == 2
    assert tap["input_index"] == [0, 0, 1] and tap["canvas_index"] == [0, 0, 1]   # nearest: row 0, column 1 (0.5 goes right)
    assert t.output.tolist() == [[[2, 4], [6, 8]]]


@pytest.mark.parametrize("y, read", [(-1.0, False), (-0.999, True), (1.999, True), (2.0, False), (-5.0, False)])
def test_a_point_at_y_le_minus_1_or_y_ge_h_reads_nothing(y, read):
    off = np.zeros((2, 2, 2))
    off[0, 0, 0] = y
    t = trace({"op": "deform_conv2d", "input": [[1, 2], [3, 4]], "kernel_size": 1, "weight": [[1]], "offset": off.tolist()})
    tap = t.to_dict()["steps"][0]["taps"][0]
    assert (tap["sampled"] != 0) == read
    assert any(n is not None for n in tap["neighbours"]) == read
    if not read:
        assert tap["neighbours"] == [None] * 4 and tap["bilinear"] == [None] * 4 and tap["product"] == 0


def test_default_offsets_are_small_fractions_fixed_by_position():
    a = trace({"op": "deform_conv2d", "input_size": 6})
    b = trace({"op": "deform_conv2d", "input_size": 7})
    off_a, off_b = a.extras["offset"], b.extras["offset"]
    assert off_a.shape == (18, 4, 4) and set(np.unique(off_a)) <= {-0.375, -0.125, 0.125, 0.375}
    np.testing.assert_array_equal(off_b[:, :4, :4], off_a)   # growing the input keeps the offsets already there
    samples = a.tap_extras["sample"]
    assert (samples != np.round(samples)).all()   # every default point lies off the grid


def test_presets_spread_and_shrink_the_kernel():
    from app.engine import registry

    presets = {p.slug: p.spec for p in registry.get("deform_conv2d").presets}
    spread, shrink = trace(presets["deformable_spread"]), trace(presets["deformable_shrink"])
    for t, sign in ((spread, 1), (shrink, -1)):
        y = t.tap_extras["sample"][..., 0]
        height = y.max(axis=1) - y.min(axis=1)   # each window's extent
        assert ((height - 2) * sign > 0).all()


def test_deform_taps_in_json():
    d = trace({"op": "deform_conv2d", "input_size": 4, "in_channels": 2, "out_channels": 2, "groups": 2}).to_dict()
    tap = d["steps"][-1]["taps"][0]
    assert set(tap) == {"input_index", "canvas_index", "weight_index", "product", "sample", "neighbours", "bilinear", "sampled", "modulation"}
    assert set(d["extras"]) == {"offset", "mask"} and np.shape(d["extras"]["offset"]) == (18, 2, 2)
    assert all(n is None or n[0] == 1 for n in tap["neighbours"])   # the second group reads the second channel


def test_the_tap_cap_counts_four_cells_per_tap():
    cap = LIMITS["max_taps"]
    with pytest.raises(SpecError) as err:
        build_spec({"op": "deform_conv2d", "input_size": [52, 62], "kernel_size": 5})   # 48 * 58 * 25 = 69,600 taps
    assert err.value.code == "too_many_samples" and err.value.param == "input_size"
    assert "69,600 taps, each blending 4 input cells: 278,400 cells read, more than the 50,000 allowed" in err.value.message
    assert 20 * 25 * 25 * 4 == cap
    build_spec({"op": "deform_conv2d", "input_size": [24, 29], "kernel_size": 5})   # exactly at the cap
    with pytest.raises(SpecError) as err:
        build_spec({"op": "deform_conv2d", "input_size": [24, 30], "kernel_size": 5})
    assert err.value.code == "too_many_samples"

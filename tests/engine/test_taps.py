"""Every tap of every step, against PyTorch's own definition of what an output reads.

A convolution is bilinear in its input and weight, so its Jacobians (from torch
autograd) spell out the taps: d out[o] / d x[j] is the sum of the weights that
multiply input cell j in step o, d out[o] / d w[k] is the sum of the cells that
weight k multiplies. On a canvas of random values (distinct everywhere, padding
included) the second Jacobian pins each tap's canvas cell to its weight index.
With random float values no sums cancel, so the non-zero pattern is exactly the
tap set (a cell read twice, by reflect/replicate/circular padding, shows up once
with the two weights summed).

Pooling: avg_pool2d's Jacobian is 1/divisor on exactly the window's input cells;
max_pool2d's windows come from running it on one-hot inputs, its winner from
return_indices. The transposed gather view is checked against conv_transpose2d
itself (weight_index is the original, unrotated index) and against the picture
it draws: a stride-1 conv2d of the zero-inserted canvas with the turned kernel.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings

from app.engine import SpecError, build_spec, run, trace
from torch_truth import SETTINGS, conv2d_sides, examples, pair, raw_specs, torch_forward, torch_pad, with_arrays

TOL = dict(rtol=1e-10, atol=1e-10)


def jacobians(fn, *args: torch.Tensor) -> list[np.ndarray]:
    """[d fn(args).ravel() / d arg.ravel()] for each arg, as numpy matrices."""
    jac = torch.autograd.functional.jacobian(lambda *a: fn(*a).reshape(-1), tuple(a.detach() for a in args), vectorize=True)
    return [j.reshape(j.shape[0], -1).numpy() for j in jac]


def gathered(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Row s: the sum of values[s, t] at column index[s, t] (index -1 skipped)."""
    s, t = index.shape
    out = np.zeros((s, n))
    ok = index.ravel() >= 0
    np.add.at(out, (np.repeat(np.arange(s), t)[ok], index.ravel()[ok]), np.asarray(values, dtype=float).ravel()[ok])
    return out


def assert_support(jac_rows: np.ndarray, tap_index: np.ndarray, what: str) -> None:
    """The non-zero entries of each Jacobian row are exactly the row's non-null taps."""
    for s in range(len(tap_index)):
        want = set(np.flatnonzero(np.abs(jac_rows[s]) > 1e-12).tolist())
        got = set(tap_index[s][tap_index[s] >= 0].tolist())
        assert got == want, f"{what}, step {s}: taps read {sorted(got)}, PyTorch's gradient says {sorted(want)}"


def float_case(raw: dict, meta: dict):
    """The spec with random non-zero float arrays (no default values: gradients must not vanish)."""
    meta = {**meta, "integers": False, "arrays": "given"}
    spec, arrays = with_arrays(raw, meta)
    try:
        built = build_spec(spec)
    except SpecError as exc:
        assume(exc.code != "too_many_taps")  # the cap, not a rule
        raise
    return spec, arrays, built


def tensors(arrays):
    x = torch.tensor(arrays["input"])[None]
    w = torch.tensor(arrays["weight"]) if "weight" in arrays else None
    b = torch.tensor(arrays["bias"]) if "bias" in arrays else None
    return x, w, b


def check_products_and_sums(t, bias: np.ndarray | None, weight_flat: np.ndarray) -> None:
    """product = canvas value x weight, and the step value is the products summed plus the bias."""
    canvas = t.canvas.values.ravel()
    np.testing.assert_array_equal(t.tap_product, canvas[t.tap_canvas] * weight_flat[t.tap_weight])
    b = np.zeros(t.output.shape[0]) if bias is None else bias
    per_channel = t.output.shape[1] * t.output.shape[2]
    np.testing.assert_allclose(t.tap_product.sum(axis=1) + b[t.step_index // per_channel], t.step_value, **TOL)


# ---------------------------------------------------------------- conv2d

@settings(max_examples=examples(260), **SETTINGS)
@given(case=raw_specs(op="conv2d"))
def test_conv2d_taps_are_what_autograd_says(case):
    raw, meta = case
    spec, arrays, built = float_case(raw, meta)
    t = run(built)
    x, w, b = tensors(arrays)
    stride, dil, groups = pair(raw.get("stride", 1)), pair(raw.get("dilation", 1)), raw.get("groups", 1)
    sides, mode = conv2d_sides(raw), raw.get("padding_mode", "zeros")
    (_, h, wd), wf = built.input.shape, w.numpy().ravel()

    # steps: one per output cell, channels outermost, row-major from the top-left
    np.testing.assert_array_equal(t.step_index, np.arange(t.output.size))

    # the canvas is the padded input, as F.pad makes it, and each cell's source is where F.pad copied it from
    padded = torch_pad(x, sides, mode)
    np.testing.assert_array_equal(t.canvas.values, padded[0].numpy())
    (src_jac,) = jacobians(lambda a: torch_pad(a, sides, mode)[0, 0], x[:, :1])
    assert ((src_jac == 0) | (src_jac == 1)).all() and (src_jac.sum(axis=1) <= 1).all()
    np.testing.assert_array_equal(t.canvas.source.ravel(), np.where(src_jac.any(axis=1), src_jac.argmax(axis=1), -1))
    l, r, top, bottom = sides
    rows, cols = np.arange(h + top + bottom), np.arange(wd + l + r)
    inside = ((rows >= top) & (rows < top + h))[:, None] & ((cols >= l) & (cols < l + wd))[None, :]
    np.testing.assert_array_equal(t.canvas.kinds, np.where(inside, "i", "p"))

    # the padded conv equals PyTorch's own (its reading of 'same', padding modes, per-side padding)
    with torch.no_grad():
        direct = torch_forward(raw, x, w, b)
        np.testing.assert_allclose(F.conv2d(padded, w, b, stride, 0, dil, groups).numpy(), direct.numpy(), **TOL)
    np.testing.assert_allclose(t.output, direct[0].numpy(), **TOL)

    # each tap: canvas cell <-> weight index, pinned on a canvas of distinct random values
    rand = torch.rand(padded.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(meta["seed"] % 2**31)) + 0.5
    jr, jw = jacobians(lambda p, k: F.conv2d(p, k, None, stride, 0, dil, groups), rand, w)
    np.testing.assert_allclose(gathered(t.tap_canvas, wf[t.tap_weight], jr.shape[1]), jr, **TOL)
    np.testing.assert_allclose(gathered(t.tap_weight, rand.numpy().ravel()[t.tap_canvas], jw.shape[1]), jw, **TOL)
    assert_support(jr, t.tap_canvas, "canvas cells")
    assert_support(jw, t.tap_weight, "weights")

    # each tap's input cell: d out / d input through PyTorch's own padding
    jx, jw2 = jacobians(lambda a, k: torch_forward(raw, a, k, b), x, w)
    np.testing.assert_allclose(gathered(t.tap_tensor, wf[t.tap_weight], jx.shape[1]), jx, **TOL)
    np.testing.assert_allclose(gathered(t.tap_weight, t.canvas.values.ravel()[t.tap_canvas], jw2.shape[1]), jw2, **TOL)
    assert_support(jx, t.tap_tensor, "input cells")
    if mode == "zeros":  # a null tap is a padding cell; other modes copy a real cell
        assert ((t.tap_tensor == -1) == (t.canvas.kinds.ravel()[t.tap_canvas % t.canvas.kinds.size] == "p")).all()
    else:
        assert (t.tap_tensor >= 0).all()

    check_products_and_sums(t, arrays.get("bias"), wf)


# ---------------------------------------------------------------- conv_transpose2d

def turned(w: torch.Tensor, groups: int) -> torch.Tensor:
    """ConvTranspose2d's weight [in, out/g, kh, kw] as the Conv2d weight [out, in/g, kh, kw] of the gather view, turned 180 degrees."""
    cin, cog, kh, kw = w.shape
    return w.reshape(groups, cin // groups, cog, kh, kw).transpose(1, 2).reshape(groups * cog, cin // groups, kh, kw).flip(2, 3)


def zero_inserted(x: np.ndarray, stride, lo, extra):
    """The gather view's canvas, written from the description: s-1 zeros between cells,
    `lo` zeros per side (a crop when negative), `extra` (output_padding) more bottom/right.
    Returns the values [C][CH][CW] and the kinds (i input, z inserted zero, p padding)."""
    c, h, w = x.shape
    axes = []
    for n, s, p, e in zip((h, w), stride, lo, extra):
        z = (n - 1) * s + 1
        pos = np.arange(z + 2 * p + e) - p  # position along the zero-inserted axis
        kind = np.where((pos >= 0) & (pos < z), np.where(pos % s == 0, 2, 1), 0)
        axes.append((pos, kind))
    (py, ky), (px, kx) = axes
    values = np.zeros((c, len(py), len(px)))
    ys, xs = np.flatnonzero(ky == 2), np.flatnonzero(kx == 2)
    values[:, ys[:, None], xs[None, :]] = x[:, py[ys] // stride[0]][:, :, px[xs] // stride[1]]
    kinds = np.array(["p", "z", "i"])[np.minimum(ky[:, None], kx[None, :])]
    return values, kinds


@settings(max_examples=examples(220), **SETTINGS)
@given(case=raw_specs(op="conv_transpose2d"))
def test_conv_transpose2d_gather_taps_are_what_autograd_says(case):
    raw, meta = case
    raw = {**raw, "view": "gather"}
    spec, arrays, built = float_case(raw, meta)
    t = run(built)
    x, w, b = tensors(arrays)
    s, d, g = pair(raw.get("stride", 1)), pair(raw.get("dilation", 1)), raw.get("groups", 1)
    p, op, k = pair(raw.get("padding", 0)), pair(raw.get("output_padding", 0)), pair(raw["kernel_size"])
    wf = w.numpy().ravel()
    np.testing.assert_array_equal(t.step_index, np.arange(t.output.size))

    # the picture: zero-inserted input, d*(k-1)-p per side, output_padding bottom/right ...
    lo = [dd * (kk - 1) - pp for dd, kk, pp in zip(d, k, p)]
    values, kinds = zero_inserted(arrays["input"], s, lo, op)
    np.testing.assert_array_equal(t.canvas.values, values)
    np.testing.assert_array_equal(t.canvas.kinds, kinds)
    # ... which, convolved with the turned kernel at stride 1, is PyTorch's conv_transpose2d
    with torch.no_grad():
        direct = torch_forward(raw, x, w, b)
        np.testing.assert_allclose(F.conv2d(torch.tensor(values)[None], turned(w, g), b, 1, 0, d, g).numpy(), direct.numpy(), **TOL)
    np.testing.assert_allclose(t.output, direct[0].numpy(), **TOL)

    # canvas cell <-> ORIGINAL weight index, through the turn, on a random canvas
    rand = torch.rand((1,) + values.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(meta["seed"] % 2**31)) + 0.5
    jr, jw = jacobians(lambda c, k_: F.conv2d(c, turned(k_, g), None, 1, 0, d, g), rand, w)
    np.testing.assert_allclose(gathered(t.tap_canvas, wf[t.tap_weight], jr.shape[1]), jr, **TOL)
    np.testing.assert_allclose(gathered(t.tap_weight, rand.numpy().ravel()[t.tap_canvas], jw.shape[1]), jw, **TOL)
    assert_support(jr, t.tap_canvas, "canvas cells")
    assert_support(jw, t.tap_weight, "weights")

    # input cell and original weight, straight from F.conv_transpose2d's gradients
    jx, jw2 = jacobians(lambda a, k_: torch_forward(raw, a, k_, b), x, w)
    np.testing.assert_allclose(gathered(t.tap_tensor, wf[t.tap_weight], jx.shape[1]), jx, **TOL)
    np.testing.assert_allclose(gathered(t.tap_weight, t.canvas.values.ravel()[t.tap_canvas], jw2.shape[1]), jw2, **TOL)
    assert_support(jx, t.tap_tensor, "input cells")
    assert ((t.tap_tensor >= 0) == (t.canvas.kinds.ravel()[t.tap_canvas % t.canvas.kinds.size] == "i")).all()

    check_products_and_sums(t, arrays.get("bias"), wf)


@settings(max_examples=examples(220), **SETTINGS)
@given(case=raw_specs(op="conv_transpose2d"))
def test_conv_transpose2d_scatter_taps_are_what_autograd_says(case):
    raw, meta = case
    raw = {**raw, "view": "scatter"}
    spec, arrays, built = float_case(raw, meta)
    t = run(built)
    x, w, b = tensors(arrays)
    s, d, g = pair(raw.get("stride", 1)), pair(raw.get("dilation", 1)), raw.get("groups", 1)
    p = pair(raw.get("padding", 0))
    wf, xf = w.numpy().ravel(), arrays["input"].ravel()
    oc, oh, ow = t.output.shape
    S = xf.size

    # one step per input cell, channels outermost, row-major; its value is the cell
    np.testing.assert_array_equal(t.step_index, np.arange(S))
    np.testing.assert_array_equal(t.step_value, xf)
    np.testing.assert_array_equal(t.tap_product, xf[:, None] * wf[t.tap_weight])

    # the canvas: the uncropped result (padding=0, no output_padding), grown with zeros to hold output_padding
    with torch.no_grad():
        direct = torch_forward(raw, x, w, b)[0].numpy()
        full = F.conv_transpose2d(x, w, None, s, 0, 0, g, d)[0].numpy()
    _, fh, fw = full.shape
    ch, cw = t.canvas.size
    assert ch >= fh and cw >= fw and ch >= p[0] + oh and cw >= p[1] + ow
    np.testing.assert_allclose(t.canvas.values[:, :fh, :fw], full, **TOL)
    assert not t.canvas.values[:, fh:, :].any() and not t.canvas.values[:, :, fw:].any()
    rows, cols = np.arange(ch), np.arange(cw)
    kept = ((rows >= p[0]) & (rows < p[0] + oh))[:, None] & ((cols >= p[1]) & (cols < p[1] + ow))[None, :]
    np.testing.assert_array_equal(t.canvas.kinds, np.where(kept, "o", "c"))
    np.testing.assert_allclose(t.canvas.values[:, kept].reshape(oc, oh, ow) + (0 if b is None else b.numpy()[:, None, None]), direct, **TOL)

    # stamps on the uncropped grid: d full[cell] / d x[i] and / d w[k]
    cy, cx = np.divmod(t.tap_canvas % (ch * cw), cw)
    tap_oc = t.tap_canvas // (ch * cw)
    assert (cy < fh).all() and (cx < fw).all()
    full_index = (tap_oc * fh + cy) * fw + cx
    jfx, jfw = jacobians(lambda a, k_: F.conv_transpose2d(a, k_, None, s, 0, 0, g, d), x, w)
    np.testing.assert_allclose(gathered(full_index, wf[t.tap_weight], jfx.shape[0]), jfx.T, **TOL)
    assert_support(jfx.T, full_index, "stamped cells")
    pairs = np.zeros((jfx.shape[0], wf.size))  # d full[cell] / d w[k] = sum of the input cells stamping k there
    np.add.at(pairs, (full_index.ravel(), t.tap_weight.ravel()), np.repeat(xf, t.tap_weight.shape[1]))
    np.testing.assert_allclose(pairs, jfw, **TOL)

    # after the crop: output_index is the stamped cell moved up/left by the padding, or null
    inside = (cy >= p[0]) & (cy < p[0] + oh) & (cx >= p[1]) & (cx < p[1] + ow)
    np.testing.assert_array_equal(t.tap_tensor, np.where(inside, (tap_oc * oh + cy - p[0]) * ow + cx - p[1], -1))
    jx, jw2 = jacobians(lambda a, k_: torch_forward(raw, a, k_, b), x, w)
    np.testing.assert_allclose(gathered(t.tap_tensor, wf[t.tap_weight], jx.shape[0]), jx.T, **TOL)
    assert_support(jx.T, t.tap_tensor, "output cells")

    # the stamps summed into the output, plus the bias, are PyTorch's output
    acc = np.zeros(oc * oh * ow)
    ok = t.tap_tensor >= 0
    np.add.at(acc, t.tap_tensor[ok], t.tap_product[ok])
    bias = np.zeros(oc) if b is None else b.numpy()
    np.testing.assert_allclose(acc.reshape(oc, oh, ow) + bias[:, None, None], direct, **TOL)
    np.testing.assert_allclose(t.output, direct, **TOL)


# ---------------------------------------------------------------- pooling

def check_pool_canvas(t, raw) -> None:
    """The padded canvas, the ceil_mode overhang, and each window's k x k grid at stride s, dilation d."""
    c, h, w = t.spec.input.shape
    (kh, kw), (sh, sw) = pair(raw["kernel_size"]), pair(raw.get("stride", raw["kernel_size"]))
    (dh, dw), (ph, pw) = pair(raw.get("dilation", 1)), pair(raw.get("padding", 0))
    _, oh, ow = t.output.shape
    need = ((oh - 1) * sh + dh * (kh - 1) + 1, (ow - 1) * sw + dw * (kw - 1) + 1)
    ch, cw = max(h + 2 * ph, need[0]), max(w + 2 * pw, need[1])
    assert t.canvas.size == (ch, cw)
    rows, cols = np.arange(ch), np.arange(cw)
    padded = (rows < h + 2 * ph)[:, None] & (cols < w + 2 * pw)[None, :]
    inside = ((rows >= ph) & (rows < ph + h))[:, None] & ((cols >= pw) & (cols < pw + w))[None, :]
    np.testing.assert_array_equal(t.canvas.kinds, np.where(inside, "i", np.where(padded, "p", "x")))
    ky, kx = np.divmod(np.arange(kh * kw), kw)
    ch_, oy, ox = np.unravel_index(t.step_index, t.output.shape)
    want_y, want_x = oy[:, None] * sh + ky * dh, ox[:, None] * sw + kx * dw
    np.testing.assert_array_equal(t.tap_canvas, (ch_[:, None] * ch + want_y) * cw + want_x)
    iy, ix = want_y - ph, want_x - pw
    real = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
    np.testing.assert_array_equal(t.tap_tensor, np.where(real, (ch_[:, None] * h + iy) * w + ix, -1))


@settings(max_examples=examples(250), **SETTINGS)
@given(case=raw_specs(op="avg_pool2d"))
def test_avg_pool2d_windows_and_divisors_are_what_autograd_says(case):
    raw, meta = case
    spec, arrays, built = float_case(raw, meta)
    t = run(built)
    x, _, _ = tensors(arrays)
    np.testing.assert_array_equal(t.step_index, np.arange(t.output.size))
    assert t.tap_weight is None and t.winner is None
    (jx,) = jacobians(lambda a: torch_forward(raw, a), x)
    assert_support(jx, t.tap_tensor, "input cells")
    # d out / d x is 1/divisor on each window cell: PyTorch's divisor, padding counted or not
    np.testing.assert_allclose(gathered(t.tap_tensor, np.broadcast_to(1.0 / t.divisor[:, None], t.tap_tensor.shape), jx.shape[1]), jx, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(np.nansum(t.tap_product, axis=1) / t.divisor, t.step_value)
    with torch.no_grad():
        np.testing.assert_allclose(t.step_value, torch_forward(raw, x).numpy().ravel(), **TOL)
    check_pool_canvas(t, raw)
    # padding reads 0, the ceil_mode overhang reads nothing
    kinds = t.canvas.kinds.ravel()[t.tap_canvas % t.canvas.kinds.size]
    assert (t.tap_product[kinds == "p"] == 0).all() and np.isnan(t.tap_product[kinds == "x"]).all()
    np.testing.assert_array_equal(t.tap_product[kinds == "i"], arrays["input"].ravel()[t.tap_tensor[kinds == "i"]])


@settings(max_examples=examples(250), **SETTINGS)
@given(case=raw_specs(op="max_pool2d"))
def test_max_pool2d_windows_and_winners_are_pytorchs(case):
    raw, meta = case
    meta = {**meta, "arrays": "given"}  # integer values half the time: ties decide the winner rule
    spec, arrays = with_arrays(raw, meta)
    try:
        t = trace(spec)
    except SpecError as exc:
        assume(exc.code != "too_many_taps")
        raise
    c, h, w = t.spec.input.shape
    np.testing.assert_array_equal(t.step_index, np.arange(t.output.size))
    assert t.tap_weight is None and t.divisor is None

    # window membership from max_pool2d itself: one-hot inputs (+1 at one cell, -1 elsewhere)
    n = c * h * w
    onehot = -torch.ones(n, n, dtype=torch.float64)
    onehot[torch.arange(n), torch.arange(n)] = 1
    with torch.no_grad():
        member = (torch_forward(raw, onehot.reshape(n, c, h, w))[0].reshape(n, -1) == 1).numpy().T  # [steps, cells]
    assert_support(member.astype(float), t.tap_tensor, "input cells")
    counts = gathered(t.tap_tensor, np.ones(t.tap_tensor.shape), n)
    assert counts.max(initial=0) <= 1, "a window reads an input cell twice"
    check_pool_canvas(t, raw)

    # value and winner: PyTorch's max and return_indices (the first maximum in window order)
    x = torch.tensor(arrays["input"])[None]
    with torch.no_grad():
        values, indices = torch_forward(raw, x)
    np.testing.assert_array_equal(t.step_value, values.numpy().ravel())
    real = np.isfinite(t.step_value)
    winner_cell = t.tap_tensor[np.arange(t.steps), t.winner]
    np.testing.assert_array_equal(winner_cell[real] % (h * w), indices.numpy().ravel()[real])
    np.testing.assert_array_equal(t.tap_product[np.arange(t.steps), t.winner][real], t.step_value[real])
    # padding never wins; a window wholly on padding is -inf, as in PyTorch
    assert (winner_cell[real] >= 0).all()
    assert (t.step_value[~real] == -np.inf).all() and (t.tap_tensor[~real] == -1).all()
    kinds = t.canvas.kinds.ravel()[t.tap_canvas % t.canvas.kinds.size]
    assert np.isnan(t.tap_product[kinds != "i"]).all()


# ---------------------------------------------------------------- the JSON

JSON_SPECS = [
    {"op": "conv2d", "input_size": [4, 5], "in_channels": 2, "out_channels": 2, "kernel_size": [2, 3], "padding": {"top": 1, "bottom": 0, "left": 2, "right": 1},
     "padding_mode": "reflect", "bias": [0.5, -1]},
    {"op": "conv_transpose2d", "input_size": 3, "in_channels": 2, "out_channels": 4, "groups": 2, "stride": 2, "padding": 1, "output_padding": 1},
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "view": "scatter", "bias": [2]},
    {"op": "max_pool2d", "input_size": 4, "in_channels": 2, "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2, "ceil_mode": True},
    {"op": "max_pool2d", "input_size": 1, "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2},
    {"op": "avg_pool2d", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
]


def _cell(flat: int, shape) -> list[int] | None:
    return None if flat < 0 else [int(v) for v in np.unravel_index(flat, shape)]


def _json_number(v: float):
    return None if not np.isfinite(v) else v


@pytest.mark.parametrize("raw", JSON_SPECS, ids=[f"{r['op']}-{i}" for i, r in enumerate(JSON_SPECS)])
def test_trace_json_structure(raw):
    t = trace(raw)
    d = t.to_dict()
    scatter = raw.get("view") == "scatter"
    pooling = raw["op"].endswith("pool2d")
    assert {"op", "view", "spec", "reduction", "input_shape", "output_shape", "output_size", "input", "weight", "bias",
            "output", "canvas", "arithmetic", "steps"} <= set(d)
    assert d["op"] == raw["op"] and d["view"] == raw.get("view", "gather")
    assert d["output_shape"] == list(t.output.shape) and d["output_size"] == list(t.output.shape[1:])
    assert d["input_shape"] == list(t.spec.input.shape)
    assert d["output"] == [[[_json_number(v) for v in row] for row in plane] for plane in t.output.tolist()]
    assert (d["weight"] is None) == pooling and (d["bias"] is None) == ("bias" not in raw)
    assert {"role", "size", "kinds", "source", "values"} <= set(d["canvas"])
    assert d["canvas"]["size"] == list(t.canvas.size) and len(d["canvas"]["kinds"]) == t.canvas.size[0]
    assert d["canvas"]["role"] == ("output" if scatter else "input")

    step_key, tap_key = ("input_index", "output_index") if scatter else ("output_index", "input_index")
    step_shape = t.spec.input.shape if scatter else t.output.shape
    tap_shape = t.output.shape if scatter else t.spec.input.shape
    canvas_shape = (t.canvas.values.shape[0],) + t.canvas.size
    assert len(d["steps"]) == t.steps == int(np.prod(step_shape))
    # steps run channel by channel, row by row from the top-left cell
    assert [s[step_key] for s in d["steps"]] == [list(i) for i in np.ndindex(*step_shape)]
    for si, step in enumerate(d["steps"]):
        expected_keys = {step_key, "value", "taps"} | ({"divisor"} if raw["op"] == "avg_pool2d" else set())
        assert set(step) == expected_keys
        assert step["value"] == _json_number(t.step_value[si])
        assert len(step["taps"]) == t.tap_product.shape[1]
        winners = 0
        for ti, tap in enumerate(step["taps"]):
            keys = {tap_key, "canvas_index", "weight_index", "product"}
            if "winner" in tap:
                assert raw["op"] == "max_pool2d" and tap["winner"] is True
                winners += 1
            assert set(tap) - {"winner"} == keys
            assert tap[tap_key] == _cell(int(t.tap_tensor[si, ti]), tap_shape)
            assert tap["canvas_index"] == _cell(int(t.tap_canvas[si, ti]), canvas_shape)
            if pooling:
                assert tap["weight_index"] is None
            else:
                assert tap["weight_index"] == _cell(int(t.tap_weight[si, ti]), t.spec.weight.shape)
            assert tap["product"] == _json_number(t.tap_product[si, ti])
        if raw["op"] == "max_pool2d":
            assert winners == (1 if np.isfinite(t.step_value[si]) else 0)
            if winners:
                assert step["taps"][int(t.winner[si])]["winner"] is True
        else:
            assert winners == 0
        if raw["op"] == "avg_pool2d":
            assert step["divisor"] == int(t.divisor[si])

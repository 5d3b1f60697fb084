"""Upsampling and adaptive pooling index arithmetic (app/engine/resample.py) against PyTorch.

PyTorch is the truth: F.interpolate run on one-hot inputs spells out, for every
output cell, the input cells it reads and their coefficients (a resampling is linear
in its input), and the same call on random values gives the output the taps must
rebuild. F.adaptive_avg_pool2d on one-hot inputs gives each window (1/size on exactly
its cells), F.adaptive_max_pool2d(return_indices=True) the winners. Sizes go from 1 to
64 in and up to 128 out per side; scale_factor is drawn as an int, a float or a pair.

Tolerances: nearest, nearest-exact and adaptive pooling are exact (bit for bit; global
average pooling, which PyTorch computes with mean(), only for integer values).
Bilinear and bicubic coefficients and values agree within 1e-12 (times the largest
|input|): PyTorch's AVX2 kernels fuse multiply-adds, so its source positions can
differ from plain float64 arithmetic by one unit in the last place (seen up to 5e-15).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from app.engine import resample
from torch_truth import SETTINGS, examples

MAX_IN, MAX_OUT = 64, 128
TOL = 1e-12
MODES = ("nearest", "nearest-exact", "bilinear", "bicubic")


# ---------------------------------------------------------------- PyTorch's answer

def interpolate(x: torch.Tensor, mode: str, align_corners: bool, size=None, scale_factor=None) -> torch.Tensor:
    """F.interpolate as a user calls it: align_corners only for the modes that take it."""
    kw = {} if mode.startswith("nearest") else {"align_corners": align_corners}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation path may be taken silently
        return F.interpolate(x, size=size, scale_factor=scale_factor, mode=mode, **kw)


def one_hot(h: int, w: int) -> torch.Tensor:
    """[H*W, 1, H, W]: image j is 1 at flat cell j, 0 elsewhere."""
    return torch.eye(h * w, dtype=torch.float64).reshape(h * w, 1, h, w)


def scattered(cells: np.ndarray, coef: np.ndarray, n: int) -> np.ndarray:
    """[S, n]: row s holds the coefficients of step s summed per input cell (a cell read twice adds up)."""
    out = np.zeros((cells.shape[0], n))
    np.add.at(out, (np.repeat(np.arange(cells.shape[0]), cells.shape[1]), cells.ravel()), coef.ravel())
    return out


def assert_coefficients(mine: np.ndarray, torch_m: np.ndarray, mode: str, what: str) -> None:
    if mode.startswith("nearest"):
        np.testing.assert_array_equal(mine, torch_m, err_msg=what)
    else:
        np.testing.assert_allclose(mine, torch_m, rtol=0, atol=TOL, err_msg=what)


# ---------------------------------------------------------------- strategies

def scales():
    """A scale_factor as a user writes it: an int, a float (round or awkward), never a pair."""
    return st.one_of(
        st.integers(1, 4),
        st.sampled_from([0.5, 1.5, 2.5, 1 / 3, 0.7, 1.7, 2.2, 3.3, 0.25, 1.25]),
        st.floats(0.05, 4.0, allow_nan=False, allow_infinity=False),
    )


@st.composite
def resize(draw, h: int, w: int):
    """(kwargs for F.interpolate, per-axis (size, scale) for resample); only outputs within 1..MAX_OUT."""
    form = draw(st.sampled_from(["size", "size_pair", "scale", "scale_pair"]))
    if form == "size":
        n = draw(st.integers(1, MAX_OUT))
        return {"size": n}, ((n, None), (n, None))
    if form == "size_pair":
        oh, ow = draw(st.integers(1, MAX_OUT)), draw(st.integers(1, MAX_OUT))
        return {"size": (oh, ow)}, ((oh, None), (ow, None))
    if form == "scale":
        s = draw(scales())
        arg = {"scale_factor": s}
        sy = sx = s
    else:
        sy, sx = draw(scales()), draw(scales())
        arg = {"scale_factor": (sy, sx)}
    for n, s in ((h, sy), (w, sx)):
        assume(1 <= resample.output_length(n, None, s) <= MAX_OUT)
    return arg, ((None, float(sy)), (None, float(sx)))


def values(draw, shape):
    """Small integers (ties, exact sums) or floats, from a drawn seed."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        return rng.integers(-4, 5, shape).astype(np.float64), True
    return rng.uniform(-3, 3, shape), False


# ---------------------------------------------------------------- hand-worked examples

def test_bilinear_axis_by_hand():
    """2 -> 4 cells, align_corners=False: source (i+0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25;
    the last reads cell 1 twice (PyTorch's offset is 0 at the last cell)."""
    idx, coef = resample.upsample_axis(2, 4, "bilinear", False)
    np.testing.assert_array_equal(idx, [[0, 1], [0, 1], [0, 1], [1, 1]])
    np.testing.assert_array_equal(coef, [[1, 0], [0.75, 0.25], [0.25, 0.75], [0.75, 0.25]])
    x = torch.tensor([[[[10.0], [20.0]]]], dtype=torch.float64)
    assert interpolate(x, "bilinear", False, size=(4, 1)).ravel().tolist() == [10.0, 12.5, 17.5, 20.0]


def test_nearest_uses_the_given_scale_not_in_over_out():
    """5 cells, scale_factor=1.7 -> floor(8.5) = 8 outputs; source floor(i / 1.7) = 0 0 1 1 2 2 3 4,
    while size=8 steps by 5/8: 0 0 1 1 2 3 3 4."""
    assert resample.output_length(5, None, 1.7) == 8
    by_scale, _ = resample.upsample_axis(5, 8, "nearest", scale=1.7)
    by_size, _ = resample.upsample_axis(5, 8, "nearest")
    assert by_scale.ravel().tolist() == [0, 0, 1, 1, 2, 2, 3, 4]
    assert by_size.ravel().tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    x = torch.arange(5, dtype=torch.float64).reshape(1, 1, 5, 1)
    assert interpolate(x, "nearest", False, scale_factor=(1.7, 1.0)).ravel().tolist() == by_scale.ravel().tolist()
    assert interpolate(x, "nearest", False, size=(8, 1)).ravel().tolist() == by_size.ravel().tolist()


def test_adaptive_windows_by_hand():
    """5 cells into 3: [0,2) [1,4) [3,5); sizes 2 3 2, overlapping; the short windows' third tap is absent."""
    start, end = resample.adaptive_axis(5, 3)
    assert start.tolist() == [0, 1, 3] and end.tolist() == [2, 4, 5]
    cells = resample.adaptive_windows((1, 5), (1, 3))
    np.testing.assert_array_equal(cells, [[0, 1, -1], [1, 2, 3], [3, 4, -1]])
    cells = resample.adaptive_windows((5, 5), (3, 3))  # rows and columns as above: 2x2, 2x3, ... 3x3 windows
    assert cells.shape == (9, 9)
    assert cells[0].tolist() == [0, 1, 5, 6] + [-1] * 5
    assert cells[1].tolist() == [1, 2, 3, 6, 7, 8] + [-1] * 3
    assert cells[4].tolist() == [6, 7, 8, 11, 12, 13, 16, 17, 18]


def test_contributions_merge_repeated_reads_and_drop_zeros():
    """Bilinear 2 -> 4 (see above) as contributions: the first output sits on cell 0 (one tap),
    the last reads cell 1 twice (one tap, 0.75 + 0.25). Bicubic at the border clamps three
    of its four reads onto cell 0."""
    idx, coef = resample.distinct(*resample.upsample_axis(2, 4, "bilinear", False))
    np.testing.assert_array_equal(idx, [[0, -1], [0, 1], [0, 1], [1, -1]])
    np.testing.assert_array_equal(coef, [[1, 0], [0.75, 0.25], [0.25, 0.75], [1, 0]])
    raw_idx, raw_coef = resample.upsample_axis(5, 10, "bicubic", False)
    assert raw_idx[0].tolist() == [0, 0, 0, 1]
    idx, coef = resample.distinct(raw_idx, raw_coef)
    assert idx[0].tolist()[:2] == [0, 1] and (idx[0, 2:] == -1).all()
    assert coef[0, 0] == raw_coef[0, 0] + raw_coef[0, 1] + raw_coef[0, 2] and coef[0, 1] == raw_coef[0, 3]


def test_adaptive_max_winner_is_the_first_maximum():
    x = np.array([[1.0, 4.0, 3.0], [4.0, 4.0, 2.0]])
    cells = resample.adaptive_windows((2, 3), (1, 1))
    win = resample.first_max(x.ravel()[cells], cells >= 0)
    _, idx = F.adaptive_max_pool2d(torch.tensor(x)[None, None], 1, return_indices=True)
    assert cells[0, win[0]] == idx.item() == 1


def test_torch_reports_the_last_nan_as_winner():
    """Why first_max takes finite values only (the engine's inputs are finite): PyTorch's
    rule `val > max or isnan(val)` names the last NaN, where argmax would name the first."""
    nan = float("nan")
    x = torch.tensor([[[[1.0, nan, 3.0], [nan, 5.0, 2.0]]]], dtype=torch.float64)
    _, idx = F.adaptive_max_pool2d(x, 1, return_indices=True)
    assert idx.item() == 3


# ---------------------------------------------------------------- one axis, every mode

@settings(max_examples=examples(1500), **SETTINGS)
@given(data=st.data(), n=st.integers(1, MAX_IN), mode=st.sampled_from(MODES), align=st.booleans(),
       other=st.one_of(st.just(1), st.integers(1, MAX_OUT)))
def test_upsample_axis_reads_what_pytorch_reads(data, n, mode, align, other):
    """Along the height, every output row's coefficients per input row equal F.interpolate's
    on one-hot columns; coefficients sum to 1; sizes agree. The width goes from 1 to `other`
    columns (all reading the one input column), which picks PyTorch's nearest kernel."""
    align = align and not mode.startswith("nearest")
    if data.draw(st.booleans(), "by size"):
        out, scale = data.draw(st.integers(1, MAX_OUT), "size"), None
        kwargs = {"size": (out, other)}
    else:
        scale = data.draw(scales(), "scale")
        out = resample.output_length(n, None, scale)
        assume(1 <= out <= MAX_OUT)
        kwargs = {"scale_factor": (scale, float(other))}
    with torch.no_grad():
        m = interpolate(one_hot(n, 1), mode, align, **kwargs)[:, 0, :, 0].T.numpy()  # [out, n]
    assert m.shape == (out, n)
    generic = resample.generic_kernel((out, other))
    idx, coef = resample.upsample_axis(n, out, mode, align, None if scale is None else float(scale), generic)
    assert idx.dtype == np.int64 and coef.dtype == np.float64
    assert idx.shape == coef.shape == (out, resample.TAPS[mode])
    assert ((idx >= 0) & (idx < n)).all()
    assert_coefficients(scattered(idx, coef, n), m, mode, f"{mode} align_corners={align} {n} -> {out} {kwargs}")
    np.testing.assert_allclose(coef.sum(axis=1), 1.0, rtol=0, atol=TOL)
    event(f"{mode} {'align' if align else ''} {'scale' if scale is not None else 'size'} {'generic' if generic else 'small'}")


def test_nearest_index_depends_on_which_kernel_pytorch_picks():
    """2 cells to 97: output row 48 sits at (48 + 0.5) * 2/97 = 1 exactly. PyTorch's small-output
    kernel (OH + OW <= 128) steps by float32(2/97) and lands just below 1 (cell 0); its generic
    kernel steps in float64 and reads cell 1. Both are PyTorch, so the taps follow the output size."""
    x = torch.tensor([[[[10.0], [20.0]]]], dtype=torch.float64)
    assert interpolate(x, "nearest-exact", False, size=(97, 1))[0, 0, 48, 0].item() == 10.0
    assert interpolate(x, "nearest-exact", False, size=(97, 97))[0, 0, 48, 0].item() == 20.0
    assert resample.upsample_axis(2, 97, "nearest-exact", generic=False)[0][48, 0] == 0
    assert resample.upsample_axis(2, 97, "nearest-exact", generic=True)[0][48, 0] == 1
    assert not resample.generic_kernel((97, 31)) and resample.generic_kernel((97, 32))


@settings(max_examples=examples(1000), **SETTINGS)
@given(n=st.integers(1, MAX_IN), scale=st.one_of(scales(), st.floats(0.001, 8.0)))
def test_output_length_is_pytorchs(n, scale):
    """floor(in * scale_factor) as PyTorch computes it, including the float products that land
    just below a whole number, and 0 (which PyTorch refuses)."""
    out = resample.output_length(n, None, scale)
    x = torch.zeros((1, 1, n, 1), dtype=torch.float64)
    if out < 1:
        with pytest.raises(RuntimeError):
            F.interpolate(x, scale_factor=(scale, 1.0), mode="nearest")
        event("refused")
        return
    assume(out <= 4 * MAX_OUT)
    assert F.interpolate(x, scale_factor=(scale, 1.0), mode="nearest").shape[2] == out


# ---------------------------------------------------------------- two axes

@settings(max_examples=examples(800), **SETTINGS)
@given(data=st.data(), c=st.integers(1, 3), h=st.integers(1, MAX_IN), w=st.integers(1, MAX_IN),
       mode=st.sampled_from(MODES), align=st.booleans())
def test_upsample_taps_rebuild_pytorchs_output(data, c, h, w, mode, align):
    """The separable taps, summed with the input's values, give F.interpolate's output; on small
    cases the taps per output cell are exactly the one-hot response of the 2-D call itself."""
    align = align and not mode.startswith("nearest")
    kwargs, ((sh, sy), (sw, sx)) = data.draw(resize(h, w), "resize")
    oh, ow = resample.output_length(h, sh, sy), resample.output_length(w, sw, sx)
    x, integers = values(data.draw, (c, h, w))
    with torch.no_grad():
        expected = interpolate(torch.tensor(x)[None], mode, align, **kwargs)[0].numpy()
    assert expected.shape == (c, oh, ow)

    cells, coef = resample.upsample_taps((h, w), (oh, ow), mode, align, (sy, sx))
    assert cells.shape == coef.shape == (oh * ow, resample.TAPS[mode] ** 2)
    np.testing.assert_allclose(coef.sum(axis=1), 1.0, rtol=0, atol=TOL)
    rebuilt = (x.reshape(c, -1)[:, cells] * coef[None]).sum(axis=2).reshape(c, oh, ow)
    if mode.startswith("nearest"):
        np.testing.assert_array_equal(rebuilt, expected)
    else:
        np.testing.assert_allclose(rebuilt, expected, rtol=0, atol=TOL * max(1.0, np.abs(x).max()))

    if h * w * oh * ow <= 200_000:  # the full 2-D response: which cells, with which coefficient
        with torch.no_grad():
            m = interpolate(one_hot(h, w), mode, align, **kwargs)[:, 0].reshape(h * w, oh * ow).T.numpy()
        assert_coefficients(scattered(cells, coef, h * w), m, mode, f"{mode} {h}x{w} -> {oh}x{ow} {kwargs}")
        event("2-D one-hot checked")
    event(f"{mode} {'align' if align else ''} {next(iter(kwargs))} {'int' if integers else 'float'}")


# ---------------------------------------------------------------- adaptive pooling

@st.composite
def adaptive_case(draw):
    h, w = draw(st.integers(1, MAX_IN)), draw(st.integers(1, MAX_IN))
    if draw(st.booleans()):
        n = draw(st.one_of(st.just(1), st.integers(1, MAX_OUT)))
        return h, w, n, (n, n)
    oh, ow = draw(st.integers(1, MAX_OUT)), draw(st.integers(1, MAX_OUT))
    return h, w, (oh, ow), (oh, ow)


@settings(max_examples=examples(800), **SETTINGS)
@given(data=st.data(), case=adaptive_case(), c=st.integers(1, 3))
def test_adaptive_pooling_windows_means_and_winners(data, case, c):
    """Windows are the cells F.adaptive_avg_pool2d weights (1/size each, on one-hot inputs:
    PyTorch rounds it as 1/height/width);
    adaptive_mean is its output bit for bit (global pooling: for integer values); the first
    maximum is the cell F.adaptive_max_pool2d's return_indices names, with its value."""
    h, w, output_size, (oh, ow) = case
    x, integers = values(data.draw, (c, h, w))
    cells = resample.adaptive_windows((h, w), (oh, ow))
    present = cells >= 0
    kh, kw = resample.window_sizes((h, w), (oh, ow))
    assert (present.sum(axis=1) == kh * kw).all()
    assert cells.shape[1] == kh.max() * kw.max()

    if h * w * oh * ow <= 200_000:
        with torch.no_grad():
            m = F.adaptive_avg_pool2d(one_hot(h, w), output_size)[:, 0].reshape(h * w, oh * ow).T.numpy()
        counts = scattered(np.maximum(cells, 0), present, h * w)
        assert counts.max() == 1  # no window reads a cell twice
        np.testing.assert_array_equal(counts == 1, m != 0)
        size = np.broadcast_to((kh * kw)[:, None], m.shape)
        np.testing.assert_allclose(m[m != 0], 1.0 / size[m != 0], rtol=1e-15, atol=0)
        event("one-hot windows checked")

    t = torch.tensor(x)[None]
    with torch.no_grad():
        avg = F.adaptive_avg_pool2d(t, output_size)[0].numpy().reshape(c, -1)
        top, idx = F.adaptive_max_pool2d(t, output_size, return_indices=True)
    read = np.where(present[None], x.reshape(c, -1)[:, np.maximum(cells, 0)], np.nan)  # [C, S, T]
    mean = resample.adaptive_mean(read, (h, w), (oh, ow))
    if (oh, ow) == (1, 1) and not integers:  # global pooling: PyTorch's mean() sums in its own order
        np.testing.assert_allclose(mean, avg, rtol=0, atol=TOL)
    else:
        np.testing.assert_array_equal(mean, avg)

    win = resample.first_max(read.reshape(-1, read.shape[2]), np.broadcast_to(present, read.shape).reshape(-1, read.shape[2]))
    won = np.take_along_axis(np.broadcast_to(cells, read.shape).reshape(-1, read.shape[2]), win[:, None], 1)[:, 0]
    np.testing.assert_array_equal(won, idx[0].numpy().ravel())
    np.testing.assert_array_equal(x.reshape(c, -1)[np.repeat(np.arange(c), oh * ow), won], top[0].numpy().ravel())
    event(f"{'global' if (oh, ow) == (1, 1) else 'adaptive'} {'int' if integers else 'float'}")

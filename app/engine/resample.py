"""Where upsampling and adaptive pooling read their input: PyTorch's index arithmetic.

Pure NumPy, no torch. Each function answers, for one axis, which input positions
every output position reads and with which coefficient, as PyTorch's CPU kernels
compute them for contiguous float64 tensors (the engine's), down to the float32 steps
those kernels take (`floorf` of every source index, the small-output nearest scale).
Nearest indices are exact. Bilinear and bicubic coefficients can differ from PyTorch's
in the last bits: its AVX2 build fuses multiply-adds in the source position and the
cubic polynomial (measured up to 5e-15).

Upsampling is separable: an output cell (oy, ox) reads the input cells
(idx_y[oy, a], idx_x[ox, b]) with coefficient coef_y[oy, a] * coef_x[ox, b] for
every pair (a, b); `upsample_taps` lays those out per output cell. Taps are the
reads PyTorch makes, so near the border two taps may read the same cell (bilinear
reads the last cell twice, bicubic clamps its four indices into [0, in-1]);
`distinct` turns them into contributions, each cell once, as the trace shows them.

Adaptive pooling windows are ragged: start = floor(i*I/O), end = ceil((i+1)*I/O),
so windows differ in size by at most one along an axis and may overlap.
"""

from __future__ import annotations

import numpy as np

MODES = ("nearest", "nearest-exact", "bilinear", "bicubic")
CUBIC_A = -0.75  # PyTorch's cubic convolution constant (as in OpenCV)
TAPS = {"nearest": 1, "nearest-exact": 1, "bilinear": 2, "bicubic": 4}  # per axis
SMALL_OUTPUT = 128  # OH + OW up to which PyTorch's CPU nearest kernel rounds in float32
MAX_OUT = 128       # output height / width cap of upsampling and adaptive pooling (cf. limits.py)
ZERO = 1e-12        # |coefficient| at or below this is zero: what is left of rounding in the source position


def output_length(in_size: int, size: int | None, scale: float | None) -> int:
    """The output length: `size` when given, else floor(in * scale_factor).

    PyTorch multiplies in float64 and truncates: 25 * 1.16 = 28.999999999999996 -> 28.
    """
    if size is not None:
        return int(size)
    return int(float(in_size) * float(scale))


def _inverse_scale(in_size: int, out_size: int, scale: float | None) -> float:
    """Input positions per output position: 1/scale_factor when the user gave one, else in/out.

    PyTorch's compute_scales_value: a given scale is used as is (recompute_scale_factor
    unset), so 2.5 on 3 cells (-> 7 outputs) steps by 0.4, not by 3/7.
    """
    return 1.0 / scale if scale is not None and scale > 0 else in_size / out_size


def _nearest(in_size: int, out_size: int, scale: float | None, exact: bool, generic: bool) -> np.ndarray:
    """PyTorch's two CPU nearest kernels. Both floor with `floorf` (float32) and cap at in-1.

    Small outputs (the channels-last kernel): a float32 step; nearest multiplies in float32
    (copying when the length does not change, halving when it doubles), nearest-exact
    adds 0.5 in float64. Generic kernel: a float64 step, i * step or (i + 0.5) * step
    (at least 0.5), no shortcuts.
    """
    i = np.arange(out_size)
    if generic:
        step = _inverse_scale(in_size, out_size, scale)
        src = np.maximum(step * (i + 0.5) - 0.5, 0.0) + 0.5 if exact else step * i
    elif exact:
        src = (i + 0.5) * np.float64(_float32_step(in_size, out_size, scale))
    elif out_size == in_size:
        return i
    elif out_size == 2 * in_size:
        return i >> 1
    else:
        src = i.astype(np.float32) * _float32_step(in_size, out_size, scale)
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), in_size - 1)


def _float32_step(in_size: int, out_size: int, scale: float | None) -> np.float32:
    return np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(in_size) / np.float32(out_size)


def _source(in_size: int, out_size: int, align_corners: bool, scale: float | None, cubic: bool) -> np.ndarray:
    """The real-valued source position of each output position (area_pixel_compute_source_index).

    align_corners: i * (in-1)/(out-1) (0 for one output). Otherwise
    (i + 0.5) * step - 0.5, where linear clamps negatives to 0 and cubic keeps them.
    """
    i = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return i * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    src = _inverse_scale(in_size, out_size, scale) * (i + 0.5) - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _floor_and_fraction(src: np.ndarray, in_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's guard_index_and_lambda: floorf (float32) capped at in-1, fraction clamped to [0, 1]."""
    base = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), in_size - 1)
    return base, np.clip(src - base, 0.0, 1.0)


def _cubic_coefficients(t: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution weights for offsets -1, 0, 1, 2 at fraction t, in PyTorch's order of operations."""
    a = CUBIC_A
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1  # noqa: E731  |x| <= 1
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a  # noqa: E731  1 < |x| < 2
    return np.stack([far(t + 1.0), near(t), near(1.0 - t), far((1.0 - t) + 1.0)], axis=1)


def upsample_axis(in_size: int, out_size: int, mode: str, align_corners: bool = False,
                  scale: float | None = None, generic: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(idx, coef), int64 and float64 of shape [out_size, T]: the input positions each
    output position reads along one axis, and their coefficients.

    T is 1 (nearest, nearest-exact), 2 (bilinear: linear along the axis) or 4 (bicubic).
    `scale` is the user's scale_factor for this axis, None when a size was given.
    align_corners applies to bilinear and bicubic only (PyTorch refuses it for nearest).
    `generic`: the 2-D output is larger than SMALL_OUTPUT (see `generic_kernel`), which
    changes how PyTorch rounds nearest indices; the other modes do not depend on it.
    """
    if mode in ("nearest", "nearest-exact"):
        idx = _nearest(in_size, out_size, scale, mode == "nearest-exact", generic)[:, None]
        return idx, np.ones(idx.shape)
    if mode == "bilinear":
        if out_size == in_size:  # PyTorch copies when the length does not change, whatever the scale
            i = np.arange(out_size)
            return np.stack([i, i], axis=1), np.tile([1.0, 0.0], (out_size, 1))
        base, frac = _floor_and_fraction(_source(in_size, out_size, align_corners, scale, cubic=False), in_size)
        idx = np.stack([base, base + (base < in_size - 1)], axis=1)
        return idx, np.stack([1.0 - frac, frac], axis=1)
    if mode == "bicubic":
        base, frac = _floor_and_fraction(_source(in_size, out_size, align_corners, scale, cubic=True), in_size)
        idx = np.clip(base[:, None] + np.arange(-1, 3)[None, :], 0, in_size - 1)
        return idx, _cubic_coefficients(frac)
    raise ValueError(f"unknown mode {mode!r}; the modes are {', '.join(MODES)}")


def generic_kernel(out_size: tuple[int, int]) -> bool:
    """Whether PyTorch's CPU nearest kernels take their generic path for this output size.

    For a contiguous [N, C, H, W] tensor (ours) PyTorch uses its channels-last kernel
    when OH + OW <= 128 and its generic kernel otherwise; the two round nearest indices
    differently (float32 vs float64 steps), so the same 2-D output cell can read
    a different input cell depending on the other axis's length.
    """
    return out_size[0] + out_size[1] > SMALL_OUTPUT


def distinct(idx: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One axis's reads as contributions: each input position once per output position,
    with the coefficients of its reads summed; positions whose sum is zero (within ZERO)
    left out. Packed to the left, then -1 (coefficient 0) up to the widest row.

    What an output really takes from each input position: bilinear's repeated last cell
    becomes one tap, a zero weight (an output exactly on an input) no tap.
    """
    keep = np.ones(idx.shape, bool)
    total = coef.copy()
    for t in range(1, idx.shape[1]):
        for u in range(t):
            same = keep[:, u] & keep[:, t] & (idx[:, u] == idx[:, t])
            total[same, u] += total[same, t]
            keep[same, t] = False
    keep &= np.abs(total) > ZERO
    return pack(keep, (idx, -1), (total, 0.0))


def pack(keep: np.ndarray, *columns: tuple[np.ndarray, object]) -> list[np.ndarray]:
    """Each row's kept entries moved left in order, `fill` after them, trimmed to the widest row.

    columns: (array, fill) pairs of the shape of `keep`.
    """
    order = np.argsort(~keep, axis=1, kind="stable")
    kept = np.take_along_axis(keep, order, axis=1)
    width = int(keep.sum(axis=1).max(initial=0))
    return [np.where(kept, np.take_along_axis(a, order, axis=1), fill)[:, :width] for a, fill in columns]


def upsample_taps(in_size: tuple[int, int], out_size: tuple[int, int], mode: str, align_corners: bool = False,
                  scale: tuple[float | None, float | None] = (None, None),
                  contributions: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(cells, coef) of shape [OH*OW, T]: per output cell (row-major), the flat input
    cells y*W + x it reads and their coefficients, taps row-major over (row tap, column tap).

    The outer product of the two axes: coefficient = coef_y * coef_x. By default PyTorch's
    reads (T = Ty*Tx, repeats included); with `contributions` each axis goes through
    `distinct` first, so each cell comes once with its whole coefficient, rows packed
    to the left and ended by -1 (coefficient 0).
    """
    w, (oh, ow) = in_size[1], out_size
    generic = generic_kernel(out_size)
    (iy, cy), (ix, cx) = (upsample_axis(n, o, mode, align_corners, s, generic) for n, o, s in zip(in_size, out_size, scale))
    if contributions:
        (iy, cy), (ix, cx) = distinct(iy, cy), distinct(ix, cx)
    taps = iy.shape[1] * ix.shape[1]
    present = ((iy >= 0)[:, None, :, None] & (ix >= 0)[None, :, None, :]).reshape(oh * ow, taps)
    cells = (iy[:, None, :, None] * w + ix[None, :, None, :]).reshape(oh * ow, taps)
    coef = (cy[:, None, :, None] * cx[None, :, None, :]).reshape(oh * ow, taps)
    if not contributions:
        return cells, coef
    return tuple(pack(present, (cells, -1), (coef, 0.0)))


def adaptive_axis(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each output position's window: floor(i*I/O) and ceil((i+1)*I/O), in integers."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def adaptive_windows(in_size: tuple[int, int], out_size: tuple[int, int]) -> np.ndarray:
    """Flat input cells y*W + x of each output cell's window, [OH*OW, KH*KW]: the window's
    cells in row-major order, then -1 where the window is smaller than the largest one
    (KH x KW, the largest window height and width)."""
    (h, w), (oh, ow) = in_size, out_size
    (y0, y1), (x0, x1) = adaptive_axis(h, oh), adaptive_axis(w, ow)
    kh, kw = int((y1 - y0).max()), int((x1 - x0).max())
    ys = y0[:, None] + np.arange(kh)[None, :]  # [OH, KH]
    xs = x0[:, None] + np.arange(kw)[None, :]  # [OW, KW]
    cells = (ys[:, None, :, None] * w + xs[None, :, None, :]).reshape(oh * ow, kh * kw)
    present = ((ys < y1[:, None])[:, None, :, None] & (xs < x1[:, None])[None, :, None, :]).reshape(oh * ow, kh * kw)
    (cells,) = pack(present, (cells, -1))
    return cells


def window_sizes(in_size: tuple[int, int], out_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Height and width of each output cell's window, [OH*OW] each (row-major)."""
    (y0, y1), (x0, x1) = adaptive_axis(in_size[0], out_size[0]), adaptive_axis(in_size[1], out_size[1])
    return np.repeat(y1 - y0, out_size[1]), np.tile(x1 - x0, out_size[0])


def adaptive_mean(values: np.ndarray, in_size: tuple[int, int], out_size: tuple[int, int]) -> np.ndarray:
    """PyTorch's adaptive average from `values` [..., OH*OW, KH*KW] laid out as `adaptive_windows`
    (absent taps ignored), rounded as PyTorch rounds it.

    PyTorch adds a window's cells one by one in row-major order and divides by the height,
    then by the width. Global pooling (1x1) it computes with mean() instead: one division by
    H*W, after a vectorised sum whose order we do not copy (equal for integer values).
    """
    present = adaptive_windows(in_size, out_size) >= 0
    total = np.cumsum(np.where(present, values, 0.0), axis=-1)[..., -1]  # cumsum adds in order
    kh, kw = window_sizes(in_size, out_size)
    return total / (kh * kw) if tuple(out_size) == (1, 1) else total / kh / kw


def first_max(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Tap position of each row's first maximum among present taps (the index PyTorch's
    return_indices reports: a later equal value does not replace it). Finite values only:
    with NaN, PyTorch would report the last NaN."""
    return np.argmax(np.where(present, values, -np.inf), axis=1)

"""Independent references for partial, gated and deformable convolution, in torch.

Nothing here imports the engine. Each reference is written from the paper / the
published code's formula with torch.nn.functional, in float64:
- partial: NVIDIA's PartialConv2d forward (github.com/NVIDIA/partialconv,
  models/partialconv2d.py): the mask convolved with a ones kernel, the ratio
  window/(sum + eps) zeroed where the clamped sum is 0, the bias taken out before
  the rescale and put back after, the result multiplied by the clamped mask;
- gated: two F.conv2d (same padding) and F.elu / F.relu / torch.sigmoid;
- deformable: F.grid_sample(align_corners=True, zero padding) at the points
  p0 + pk + offset, which is torchvision.ops.deform_conv2d's sampling
  (torchvision's compiled ops do not load with this CPU build of torch).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st


def partial_conv(x, mask, w, b, stride, sides, dilation, multi: bool, eps: float = 0.0):
    """NVIDIA's formula. x [1][C][H][W], mask [1][1 or C][H][W], sides (left, right, top, bottom).

    eps=1e-8 is NVIDIA's literal code; eps=0 the exact ratio (0 where the window holds no 1).
    Returns (output, update_mask, raw window sums).
    """
    oc, _, kh, kw = w.shape
    c = x.shape[1]
    ones = torch.ones((oc, c, kh, kw) if multi else (1, 1, kh, kw), dtype=torch.float64)
    window = ones.shape[1] * kh * kw
    with torch.no_grad():
        sums = F.conv2d(F.pad(mask, sides), ones, None, stride, 0, dilation)
    if eps:
        ratio = window / (sums + eps)
    else:
        ratio = torch.where(sums > 0, window / torch.where(sums > 0, sums, torch.ones_like(sums)), torch.zeros_like(sums))
    update = sums.clamp(0, 1)
    ratio = ratio * update
    raw = F.conv2d(F.pad(x * mask, sides), w, b, stride, 0, dilation)
    if b is None:
        return raw * ratio, update, sums
    bias = b.view(1, -1, 1, 1)
    return ((raw - bias) * ratio + bias) * update, update, sums


def activation(name: str, v: torch.Tensor) -> torch.Tensor:
    return {"none": lambda a: a, "relu": F.relu, "elu": F.elu}[name](v)


def sample_points(out_size, kernel, stride, pad, dilation, offset: torch.Tensor):
    """torchvision's sampling points y, x [K][OH][OW]: output p0 * s - p + k * d + offset."""
    (oh, ow), (kh, kw) = out_size, kernel
    ky, kx = torch.meshgrid(torch.arange(kh) * dilation[0], torch.arange(kw) * dilation[1], indexing="ij")
    oy = torch.arange(oh, dtype=torch.float64) * stride[0] - pad[0]
    ox = torch.arange(ow, dtype=torch.float64) * stride[1] - pad[1]
    y = oy[None, :, None] + ky.reshape(-1, 1, 1) + offset[0::2]
    x = ox[None, None, :] + kx.reshape(-1, 1, 1) + offset[1::2]
    return y, x


def bilinear_samples(x: torch.Tensor, y: torch.Tensor, xs: torch.Tensor) -> torch.Tensor:
    """x [1][C][H][W] read at points (y, xs) [K][OH][OW] -> [C][K][OH][OW].

    grid_sample with align_corners=True maps -1..1 onto cell centres 0..n-1; two zero
    rows/columns around the input keep sides of 1 sampleable and change no value
    (a point beyond -1 or n blends only zeros, as torchvision's rule gives).
    """
    m = 2
    _, c, h, w = x.shape
    padded = F.pad(x, (m, m, m, m))
    gy = 2 * (y + m) / (h + 2 * m - 1) - 1
    gx = 2 * (xs + m) / (w + 2 * m - 1) - 1
    k, oh, ow = y.shape
    grid = torch.stack([gx, gy], dim=-1).reshape(1, k * oh, ow, 2)
    out = F.grid_sample(padded, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return out.reshape(c, k, oh, ow)


def deform_conv(x, offset, mask, w, b, stride, pad, dilation, groups):
    """torchvision.ops.deform_conv2d (one offset group), from grid_sample. Returns [1][OC][OH][OW]."""
    oc, icg, kh, kw = w.shape
    k, (oh, ow) = kh * kw, offset.shape[1:]
    y, xs = sample_points((oh, ow), (kh, kw), stride, pad, dilation, offset)
    cols = bilinear_samples(x, y, xs)                         # [C][K][OH][OW]
    if mask is not None:
        cols = cols * mask[None]
    cols = cols.reshape(groups, icg * k, oh * ow)
    out = torch.bmm(w.reshape(groups, oc // groups, icg * k), cols).reshape(1, oc, oh, ow)
    return out if b is None else out + b.view(1, -1, 1, 1)


# ---------------------------------------------------------------- strategies

def pair_arg(draw, lo: int, hi: int, common: int | None = None):
    """(user spelling, (h, w)), mostly `common` when given."""
    one = st.one_of(st.just(common), st.integers(lo, hi)) if common is not None else st.integers(lo, hi)
    if draw(st.booleans()):
        v = draw(one)
        return v, (v, v)
    h, w = draw(one), draw(one)
    return [h, w], (h, w)


@st.composite
def window_specs(draw, groups: bool, max_c: int = 3):
    """The conv2d fields these ops share: channels, kernel, stride, dilation, symmetric padding, a size that fits."""
    raw, meta = {}, {"seed": draw(st.integers(0, 2**32 - 1)), "integers": draw(st.booleans()), "bias": draw(st.booleans())}
    g = draw(st.sampled_from([1, 1, 2])) if groups else 1
    cin, cout = g * draw(st.integers(1, max_c // g if g > 1 else max_c)), g * draw(st.integers(1, max_c // g if g > 1 else max_c))
    raw["in_channels"], raw["out_channels"] = cin, cout
    if g != 1:
        raw["groups"] = g
    k_arg, (kh, kw) = pair_arg(draw, 1, 4)
    s_arg, s = pair_arg(draw, 1, 3, common=1)
    d_arg, d = pair_arg(draw, 1, 2, common=1)
    p_arg, p = pair_arg(draw, 0, 2, common=0)
    raw.update(kernel_size=k_arg, stride=s_arg, dilation=d_arg, padding=p_arg)
    eff = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
    h = draw(st.integers(max(1, eff[0] - 2 * p[0]), max(1, eff[0] - 2 * p[0]) + 6))
    w = draw(st.integers(max(1, eff[1] - 2 * p[1]), max(1, eff[1] - 2 * p[1]) + 6))
    raw["input_size"] = [h, w]
    meta.update(kernel=(kh, kw), stride=s, dilation=d, pad=p, size=(h, w), groups=g,
                out=tuple((n + 2 * pp - e) // ss + 1 for n, pp, e, ss in zip((h, w), p, eff, s)))
    return raw, meta


def maker(meta: dict):
    rng = np.random.default_rng(meta["seed"])
    if meta["integers"]:
        return rng, lambda shape: rng.integers(-4, 5, shape).astype(np.float64)
    return rng, lambda shape: rng.uniform(-3, 3, shape)


def t64(a) -> torch.Tensor | None:
    return None if a is None else torch.tensor(np.asarray(a, dtype=np.float64))

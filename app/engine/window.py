"""Where each window of a gathering operation lands on the canvas."""

import numpy as np


def positions(out_size, kernel, stride, dilation):
    """Canvas (row, col) of every tap: two int arrays of shape [OH*OW, KH*KW].

    Rows are output cells row-major from the top-left; columns are kernel
    positions row-major, the order PyTorch's weight uses.
    """
    (oh, ow), (kh, kw), (sh, sw), (dh, dw) = out_size, kernel, stride, dilation
    oy, ox = np.divmod(np.arange(oh * ow), ow)
    ky, kx = np.divmod(np.arange(kh * kw), kw)
    return oy[:, None] * sh + ky[None, :] * dh, ox[:, None] * sw + kx[None, :] * dw


def out_size(n: int, lo: int, hi: int, k: int, s: int, d: int, ceil: bool = False) -> int:
    """PyTorch's output length for conv and pooling (with its ceil_mode rule).

    May be 0 or negative when the kernel does not fit; callers refuse that.
    """
    span = n + lo + hi - d * (k - 1) - 1
    o = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + lo:  # the last window must start inside the input or left padding
        o -= 1
    return o

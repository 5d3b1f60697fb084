"""Shading by value: a diverging scale centred on zero, so that a sign or a pattern
(the checkerboard of a transposed convolution) is seen, not read.

Each map (the one read, the one written) has its own scale, symmetric about 0:
`bound` is the largest |value| on it; a value v is drawn as the zero colour moved
|v| / bound of the way toward the positive or the negative end (sRGB, each channel
rounded as `palette.mix` rounds). Blue-white-red after ColorBrewer's RdBu, which
reads for the common colour-vision deficiencies.
"""

from __future__ import annotations

import numpy as np

from .palette import mix

NEGATIVE, ZERO, POSITIVE = "#2166ac", "#f7f7f7", "#b2182b"
STOPS = 9   # swatches in a legend: -bound .. 0 .. +bound


def bound(values: np.ndarray) -> float:
    """The largest |value| among the finite ones (0 when there are none)."""
    v = np.asarray(values, dtype=np.float64)
    v = np.abs(v[np.isfinite(v)])
    return float(v.max()) if v.size else 0.0


def colour(value: float, top: float) -> str:
    """The colour of `value` on the scale -top..top."""
    if not top or value != value:
        return ZERO
    t = max(-1.0, min(1.0, float(value) / top))
    return mix(ZERO, POSITIVE, t) if t >= 0 else mix(ZERO, NEGATIVE, -t)


def legend_stops(top: float) -> list[tuple[float, str]]:
    """The legend's swatches: (value, colour) from -top to +top."""
    values = np.linspace(-top, top, STOPS) if top else np.zeros(STOPS)
    return [(float(v), colour(float(v), top)) for v in values]

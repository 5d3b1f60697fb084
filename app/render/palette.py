"""Colours. Solarized is the reference's; the colour-blind palette is Okabe & Ito's."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Palette:
    input: str
    output: str
    outline: str
    padding: str          # fill of zero padding and inserted zeros
    tint: str             # kernel taps and the current output cell, at `tint_opacity`
    tint_opacity: float
    connector: str
    text: str
    winner: str           # max pooling's winning tap
    link: str             # from a copied padding cell to its source
    hatch: str            # canvas cells no window reaches
    groups: tuple[str, ...]   # input colour per group (grouped convolutions)


SOLARIZED = Palette(
    input="#268bd2", output="#2aa198", outline="#002b36", padding="#ffffff",
    tint="#073642", tint_opacity=0.4, connector="#000000", text="#002b36",
    winner="#dc322f", link="#cb4b16", hatch="#93a1a1",
    groups=("#268bd2", "#d33682", "#859900", "#b58900", "#6c71c4", "#cb4b16", "#dc322f", "#2aa198"),
)

COLORBLIND = Palette(
    input="#0072b2", output="#e69f00", outline="#000000", padding="#ffffff",
    tint="#000000", tint_opacity=0.4, connector="#000000", text="#000000",
    winner="#d55e00", link="#cc79a7", hatch="#999999",
    groups=("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"),
)

PALETTES = {"solarized": SOLARIZED, "colorblind": COLORBLIND}


@lru_cache(maxsize=1024)
def mix(colour: str, other: str, t: float) -> str:
    """`colour` moved a fraction t toward `other` (t=0 keeps it)."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


AA = 4.5   # WCAG AA contrast for text


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    c = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@lru_cache(maxsize=1024)
def readable(background: str, preferred: str) -> str:
    """`preferred` if it reaches AA on `background`, else white or black, whichever
    stands out more (a mid blue under the kernel's shadow needs white)."""
    if contrast(preferred, background) >= AA:
        return preferred
    return max(("#ffffff", "#000000"), key=lambda ink: contrast(ink, background))


@lru_cache(maxsize=1024)
def faint(ink: str, background: str, most: float = 0.45) -> str:
    """`ink` moved toward `background` as far as `most`, but no further than AA allows:
    the padding's zeros read as secondary, never as unreadable."""
    for t in np.linspace(most, 0.0, 10):
        colour = mix(ink, background, float(t))
        if contrast(colour, background) >= AA + 0.2:   # a little to spare for antialiasing and rounding
            return colour
    return ink

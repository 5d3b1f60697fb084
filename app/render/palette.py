"""Colours. Solarized is the reference's; the colour-blind palette is Okabe & Ito's."""

from __future__ import annotations

from dataclasses import dataclass


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
    tint="#073642", tint_opacity=0.4, connector="#002b36", text="#002b36",
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


def mix(colour: str, other: str, t: float) -> str:
    """`colour` moved a fraction t toward `other` (t=0 keeps it)."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))

"""A scene's named looks, with their lengths in pixels at the picture's scale.

Looks are declared at scale 1 (line widths, font sizes, dashes and hatching as
measured on the reference GIFs) and stored scaled, once per name: every picture
(single layer, network, matrix and gradient views) scales them the same way.
"""

from __future__ import annotations

SCALED = ("width", "font")   # plain lengths; dashes and hatching hold lengths too


class Styles(dict):
    """name -> look, the scene's `styles`."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def add(self, name: str, **look) -> str:
        """The name of this look, stored scaled the first time the name is used."""
        if name not in self:
            s = self.scale
            for key in SCALED:
                if key in look:
                    look[key] = round(look[key] * s, 2)
            if "dash" in look:
                look["dash"] = [round(v * s, 2) for v in look["dash"]]
            if "hatch" in look:
                hatch = look["hatch"]
                look["hatch"] = {**hatch, "spacing": round(hatch["spacing"] * s, 2), "width": round(hatch["width"] * s, 2)}
            self[name] = look
        return name

"""Flat grids placed in pixels, for the pictures that are not one map over another
(the matrix, im2col and gradient views): a scene (see SCENE.md) built piece by piece.

Why not scene.py's builder: it draws one read map and one written map in the
reference's projection; these views draw several grids of different sizes side by
side (a matrix, a column, a grid), in the same colours, lines and tints.
"""

from __future__ import annotations

from .options import RenderOptions
from .styles import Styles
from .palette import PALETTES, mix, readable
from .scene import CONNECTOR, LINE, _fmt

MARGIN = 21.0   # px at scale 1, as the other pictures


class Grid:
    """A rows x cols block of square cells of `size` px with its top-left at (x, y)."""

    def __init__(self, name: str, x: float, y: float, rows: int, cols: int, size: float):
        self.name, self.x, self.y, self.rows, self.cols, self.size = name, x, y, rows, cols, size

    def box(self, r0: int, c0: int, r1: int, c1: int) -> list[list[float]]:
        s = self.size
        x0, y0, x1, y1 = self.x + c0 * s, self.y + r0 * s, self.x + (c1 + 1) * s, self.y + (r1 + 1) * s
        return [[round(x0, 2), round(y0, 2)], [round(x1, 2), round(y0, 2)], [round(x1, 2), round(y1, 2)], [round(x0, 2), round(y1, 2)]]

    def centre(self, r: int, c: int) -> list[float]:
        return [round(self.x + (c + 0.5) * self.size, 2), round(self.y + (r + 0.5) * self.size, 2)]

    @property
    def right(self) -> float:
        return self.x + self.cols * self.size

    @property
    def bottom(self) -> float:
        return self.y + self.rows * self.size


class Board:
    """Styles, named cell polygons, the base and the frames of one flat picture."""

    def __init__(self, options: RenderOptions):
        self.o = options
        self.pal = PALETTES[options.palette]
        self.s = options.scale
        self.styles = Styles(options.scale)
        self.polys: dict = {}
        self.base: list = []
        self.frames: list = []
        self.extent = [0.0, 0.0]   # right and bottom of everything placed, px

    def style(self, name: str, **look) -> str:
        return self.styles.add(name, **look)

    def reach(self, x: float, y: float) -> None:
        self.extent = [max(self.extent[0], x), max(self.extent[1], y)]

    def grid(self, g: Grid, fills, values=None, outline: bool = True, faint_lines: bool = False, ids: bool = True) -> Grid:
        """Cells (a colour per cell, None for white), their polygons `name:r:c` (for hover; not
        for a large matrix: `ids=False`), grid lines and the values."""
        p = self.pal
        for r in range(g.rows):
            for c in range(g.cols):
                colour = fills[r][c]
                if ids:
                    self.polys[f"{g.name}:{r}:{c}"] = g.box(r, c, r, c)
                if colour and colour != "#ffffff":
                    self.base.append({"points": g.box(r, c, r, c), "style": self.style(f"fill{colour}", fill=colour)})
        thin = self.style("faint", stroke=p.hatch, width=0.6) if faint_lines else self.style("grid", stroke=p.outline, width=LINE)
        s = g.size
        for r in range(1, g.rows):
            self.base.append({"line": [[g.x, round(g.y + r * s, 2)], [g.right, round(g.y + r * s, 2)]], "style": thin})
        for c in range(1, g.cols):
            self.base.append({"line": [[round(g.x + c * s, 2), g.y], [round(g.x + c * s, 2), g.bottom]], "style": thin})
        if outline:
            self.base.append({"points": g.box(0, 0, g.rows - 1, g.cols - 1), "style": self.style("outline", fill=None, stroke=p.outline, width=LINE)})
        if values is not None:
            self.base += self.values(g, values, fills)
        self.reach(g.right, g.bottom)
        return g

    def fits_numbers(self, g: Grid) -> bool:
        return self.o.numbers and g.size >= 17 * self.s

    def values(self, g: Grid, values, fills, tinted: bool = False, cells=None) -> list:
        """Each cell's value, in an ink that reads on the cell (on the tint when `tinted`)."""
        if not self.fits_numbers(g):
            return []
        out = []
        for r, c in cells if cells is not None else ((r, c) for r in range(g.rows) for c in range(g.cols)):
            v = values[r][c]
            if v is None or v != v:
                continue
            under = fills[r][c] or "#ffffff"
            if tinted:
                under = mix(under, self.pal.tint, self.pal.tint_opacity)
            size = min(12.0, g.size / self.s * 0.42)
            out.append(self.text(g.centre(r, c), _fmt(v), f"v{size:g}", under, size, "mm"))
        return out

    def text(self, at, label: str, kind: str, under: str, size: float, anchor: str, bold: bool = False) -> dict:
        ink = readable(under, self.pal.text)
        look = self.style(f"t{kind}{ink}{anchor}{'b' if bold else ''}", fill=ink, font=size, anchor=anchor, **({"bold": True} if bold else {}))
        return {"text": label, "at": [round(at[0], 2), round(at[1], 2)], "style": look}

    def label(self, at, label: str, anchor: str = "lb", size: float = 13.0, bold: bool = False) -> dict:
        """A caption on the white page; the canvas grows to hold it (roughly: 0.6 em per glyph, CJK square)."""
        px = size * self.s
        wide = sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in label) * px
        left = {"l": at[0], "m": at[0] - wide / 2, "r": at[0] - wide}[anchor[0]]
        self.reach(left + wide, at[1] + (px * 1.3 if anchor[1] == "t" else px * 0.3))
        return self.text(at, label, f"l{size:g}", "#ffffff", size, anchor, bold)

    def tint(self, pid: str) -> dict:
        return {"poly": pid, "style": self.style("tap", fill=self.pal.tint, opacity=self.pal.tint_opacity)}

    def tint_box(self, points) -> dict:
        return {"points": points, "style": self.style("tap", fill=self.pal.tint, opacity=self.pal.tint_opacity)}

    def ring(self, points, colour: str | None = None) -> dict:
        return {"points": points, "style": self.style(f"ring{colour or ''}", fill=None, stroke=colour or self.pal.outline, width=2.2)}

    def connector(self, a, b) -> dict:
        return {"line": [[round(a[0], 2), round(a[1], 2)], [round(b[0], 2), round(b[1], 2)]],
                "style": self.style("connector", stroke=self.pal.connector, width=CONNECTOR)}

    def scene(self, meta: dict) -> dict:
        m = MARGIN * self.s
        if self.frames:
            self.frames[-1]["ms"] = 2 * self.o.ms   # hold the last frame before the loop, as the forward pictures do
        return {"width": round(self.extent[0] + m), "height": round(self.extent[1] + m), "background": "#ffffff",
                "styles": self.styles, "polys": self.polys, "base": self.base, "timed": [], "frames": self.frames, "meta": meta}

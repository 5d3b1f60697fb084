"""One frame of a scene as SVG: the base, the timed items alive then, that frame's
items, in the same order and with the same looks as the rasteriser (a polygon:
fill, hatch, stroke)."""

from __future__ import annotations

import base64
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from . import text

from .raster import alive, pieces, texts

FONTS_CJK = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC'"   # for Chinese labels, after the rasteriser's font
FONT_FAMILY = "convplay-figures"   # the rasteriser's font, embedded in every file (static/fonts/README.md)


@lru_cache(maxsize=1)
def font_face() -> str:
    """The rasteriser's font as an @font-face rule with the font inline, so a saved
    SVG measures and draws its text as the GIFs do, offline."""
    data = base64.b64encode(text.font(12).font_bytes).decode()
    return f'@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/ttf;base64,{data}) format("truetype")}}'
_ANCHOR_X = {"l": "start", "m": "middle", "r": "end"}
_ANCHOR_Y = {"a": "text-before-edge", "t": "text-before-edge", "m": "central", "s": "alphabetic", "b": "text-after-edge", "d": "text-after-edge"}


def _points(pts) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in pts)


def _stroke(st: dict) -> str:
    out = f'fill="none" stroke={quoteattr(st["stroke"])} stroke-width="{st.get("width", 1):g}"'
    if st.get("dash"):
        out += f' stroke-dasharray="{st["dash"][0]:g} {st["dash"][1]:g}"'
    return out


def _title(item: dict) -> str:
    """A shortened number's exact value, shown on hover."""
    return f"<title>{escape(item['title'])}</title>" if item.get("title") else ""


def _hatch_key(h: dict) -> tuple:
    return h["color"], float(h["spacing"]), float(h["width"])


def _item(scene: dict, item: dict, hatches: dict) -> str:
    st = scene["styles"][item["style"]]
    if "text" in item:
        anchor, size = st.get("anchor", "mm"), st.get("font", 12)
        weight = ' font-weight="bold"' if st.get("bold") else ""
        drop = scene.get("baselines", {}).get(anchor[1])   # the font's own: on the baseline the raster uses
        baseline = "alphabetic" if drop is not None else _ANCHOR_Y.get(anchor[1], "central")
        return "".join(
            f'<text x="{x:g}" y="{round(y + (drop or 0) * size, 2):g}" font-size="{size:g}" fill={quoteattr(st.get("fill") or "#000000")}'
            f' text-anchor="{_ANCHOR_X.get(anchor[0], "middle")}" dominant-baseline="{baseline}"{weight}>'
            f"{_title(item)}{escape(label)}</text>" for label, (x, y) in texts(item))
    if "line" in item:
        if not st.get("stroke"):
            return ""
        lines = pieces(item["line"], item["gaps"]) if item.get("gaps") else [item["line"]]
        return "".join(f'<polyline points="{_points(line)}" {_stroke(st)}/>' for line in lines)
    pts = _points(scene["polys"][item["poly"]] if "poly" in item else item["points"])
    out = []
    if st.get("fill"):
        opacity = f' fill-opacity="{st["opacity"]:g}"' if st.get("opacity", 1) != 1 else ""
        out.append(f'<polygon points="{pts}" fill={quoteattr(st["fill"])}{opacity}/>')
    if st.get("hatch"):
        out.append(f'<polygon points="{pts}" fill="url(#{hatches[_hatch_key(st["hatch"])]})"/>')
    if st.get("stroke"):
        out.append(f'<polygon points="{pts}" {_stroke(st)}/>')
    return "".join(out)


def scene_svg(scene: dict, index: int) -> str:
    """Frame `index` as a standalone SVG document (text stays text)."""
    hatches: dict = {}
    for st in scene["styles"].values():
        if st.get("hatch"):
            hatches.setdefault(_hatch_key(st["hatch"]), f"hatch{len(hatches)}")
    defs = "".join(
        f'<pattern id="{pid}" width="{sp:g}" height="{sp:g}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="{sp:g}" stroke={quoteattr(colour)} stroke-width="{width:g}"/></pattern>'
        for (colour, sp, width), pid in hatches.items())
    items = scene["base"] + alive(scene, index) + (scene["frames"][index]["items"] if scene["frames"] else [])
    body = "".join(_item(scene, it, hatches) for it in items)
    w, h = scene["width"], scene["height"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="{FONT_FAMILY}, {FONTS_CJK}, sans-serif"><style>{font_face()}</style>{f"<defs>{defs}</defs>" if defs else ""}'
            f'<rect width="100%" height="100%" fill={quoteattr(scene.get("background", "#ffffff"))}/>{body}</svg>')

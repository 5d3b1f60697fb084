"""One frame of a scene as SVG: the base, then that frame's items."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

_ANCHOR_X = {"l": "start", "m": "middle", "r": "end"}
_ANCHOR_Y = {"a": "text-before-edge", "t": "text-before-edge", "m": "central", "s": "alphabetic", "b": "text-after-edge", "d": "text-after-edge"}


def _points(pts) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in pts)


def _paint(st: dict, fill: bool = True) -> str:
    parts = [f'fill="{st["fill"]}"' if fill and st.get("fill") else 'fill="none"']
    if fill and st.get("opacity", 1) != 1:
        parts.append(f'fill-opacity="{st["opacity"]:g}"')
    if st.get("stroke"):
        parts.append(f'stroke="{st["stroke"]}" stroke-width="{st.get("width", 1):g}"')
        if st.get("dash"):
            parts.append(f'stroke-dasharray="{st["dash"][0]:g} {st["dash"][1]:g}"')
    return " ".join(parts)


def _item(scene: dict, item: dict) -> str:
    st = scene["styles"][item["style"]]
    if "text" in item:
        x, y = item["at"]
        anchor = st.get("anchor", "mm")
        weight = ' font-weight="bold"' if st.get("bold") else ""
        return (f'<text x="{x:g}" y="{y:g}" font-size="{st.get("font", 12):g}" fill="{st.get("fill") or "#000"}"'
                f' text-anchor="{_ANCHOR_X.get(anchor[0], "middle")}" dominant-baseline="{_ANCHOR_Y.get(anchor[1], "central")}"{weight}>'
                f"{escape(item['text'])}</text>")
    if "line" in item:
        return f'<polyline points="{_points(item["line"])}" {_paint(st, fill=False)}/>'
    pts = scene["polys"][item["poly"]] if "poly" in item else item["points"]
    out = f'<polygon points="{_points(pts)}" {_paint(st)}/>'
    if st.get("hatch"):
        out += f'<polygon points="{_points(pts)}" fill="url(#hatch)"/>'
    return out


def scene_svg(scene: dict, index: int) -> str:
    hatch = next((s["hatch"] for s in scene["styles"].values() if s.get("hatch")), None)
    defs = ""
    if hatch:
        sp = hatch["spacing"]
        defs = (f'<defs><pattern id="hatch" width="{sp:g}" height="{sp:g}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                f'<line x1="0" y1="0" x2="0" y2="{sp:g}" stroke="{hatch["color"]}" stroke-width="{hatch["width"]:g}"/></pattern></defs>')
    items = scene["base"] + (scene["frames"][index]["items"] if scene["frames"] else [])
    body = "".join(_item(scene, it) for it in items)
    w, h = scene["width"], scene["height"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="system-ui, sans-serif">{defs}<rect width="100%" height="100%" fill={quoteattr(scene.get("background", "#ffffff"))}/>{body}</svg>')

"""Every number is readable (WCAG AA, 4.5:1) against what is actually under it.

The colours are measured on drawn frames, not taken from the palette: the
background is the frame drawn without any text, the ink is recovered from the
pixels the glyph covers fully (a text drawn over by a tint is tinted too).
"""

from __future__ import annotations

from app.render.raster import one_by_one

import numpy as np
import pytest

from app.engine import trace
from app.render import build_options, build_scene
from app.render.raster import draw_frame
from app.render.text import text

AA = 4.5


def luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0..255 floats."""
    c = np.asarray(rgb, float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def measured(scene: dict, index: int) -> list[dict]:
    """Each text of frame `index` that stays visible: its ink, its background, its contrast."""
    full = draw_frame(scene, index).astype(float)
    bare_scene = {**scene, "base": [i for i in scene["base"] if "text" not in i],
                  "frames": [{**f, "items": [i for i in one_by_one(f["items"]) if "text" not in i]} for f in scene["frames"]]}
    bare = draw_frame(bare_scene, index).astype(float)
    items = scene["base"] + one_by_one(scene["frames"][index]["items"])
    last = {}   # a text drawn again at the same place (over a tint) replaces the first
    for item in items:
        if "text" in item:
            last[(tuple(item["at"]), item["text"])] = item
    out = []
    for item in last.values():
        st = scene["styles"][item["style"]]
        patch = text(item["at"], item["text"], st["font"], st["anchor"], st.get("bold", False), scene["width"], scene["height"])
        x0, y0, x1, y1 = patch.box
        cov = patch.cov
        if cov.max() < 0.5:
            continue
        ys, xs = np.nonzero(cov >= cov.max() - 0.02)
        a = cov[ys, xs][:, None]
        under = bare[y0 + ys, x0 + xs]
        ink = np.median((full[y0 + ys, x0 + xs] - (1 - a) * under) / a, axis=0)
        bg = np.median(bare[y0:y1, x0:x1].reshape(-1, 3), axis=0)
        out.append({"item": item, "style": st, "ink": ink, "bg": bg, "contrast": contrast(ink, bg)})
    return out


CASES = [
    {"input_size": 5, "padding": 1},
    {"input_size": 5, "padding": 1, "padding_mode": "reflect"},
    {"input_size": 4, "padding": 1, "padding_mode": "circular", "in_channels": 2, "out_channels": 2, "groups": 2},
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "view": "scatter"},
    {"op": "max_pool2d", "input_size": 4, "kernel_size": 2, "padding": 1},
    {"op": "avg_pool2d", "input_size": 4, "kernel_size": 3, "stride": 2, "padding": 1},
]


@pytest.mark.parametrize("palette", ["solarized", "colorblind"])
@pytest.mark.parametrize("spec", CASES, ids=lambda s: "-".join(f"{v}" for v in s.values()))
def test_every_number_reaches_aa_contrast_against_what_is_under_it(spec, palette):
    scene = build_scene(trace(spec), build_options({"numbers": True, "palette": palette}))
    n = len(scene["frames"])
    for index in sorted({0, n // 2, n - 1}):
        for m in measured(scene, index):
            assert m["contrast"] >= AA, (index, m["item"]["text"], m["item"]["style"], m["ink"].round(), m["bg"].round(), round(m["contrast"], 2))


@pytest.mark.parametrize("palette", ["solarized", "colorblind"])
def test_weights_are_not_darker_than_the_values_they_multiply(palette):
    """A weight is a subscript: never more prominent than the value in its cell."""
    scene = build_scene(trace({"input_size": 5, "padding": 1, "padding_mode": "reflect"}), build_options({"numbers": True, "palette": palette}))
    cell = 29.5
    for index in (0, 7):
        found = measured(scene, index)
        values = [m for m in found if m["style"]["font"] == 12 and m["style"]["anchor"] == "mm"]
        weights = [m for m in found if m["style"]["anchor"] == "rs"]
        assert len(weights) == 9
        cells = [np.array(p) for pid, p in scene["polys"].items() if pid.startswith("in:")]

        def cell_of(at):   # the input cell a point lies in (convex, either winding)
            for q in cells:
                cross = [(b - a)[0] * (at[1] - a[1]) - (b - a)[1] * (at[0] - a[0]) for a, b in zip(q, np.roll(q, -1, axis=0))]
                if all(c >= 0 for c in cross) or all(c <= 0 for c in cross):
                    return q
        for w in weights:
            wx, wy = w["item"]["at"]
            home = cell_of(w["item"]["at"])
            v = next(m for m in values if cell_of(m["item"]["at"]) is home)
            assert np.hypot(v["item"]["at"][0] - wx, v["item"]["at"][1] - wy) < cell
            assert w["contrast"] <= v["contrast"] * 1.1, (w["item"]["text"], v["item"]["text"], w["contrast"], v["contrast"])


@pytest.mark.parametrize("spec", [
    {"input_size": 5, "padding": 1, "padding_mode": "reflect"},
    {"input_size": 4, "padding": 2, "padding_mode": "circular", "in_channels": 2, "out_channels": 2, "groups": 2},
    {"op": "conv_transpose2d", "input_size": 3, "stride": 2, "view": "scatter"},
], ids=["reflect", "circular-groups", "scatter"])
def test_connectors_and_copy_links_pass_behind_the_numbers(spec):
    """No line of a frame crosses the ink of a number (values, weights)."""
    scene = build_scene(trace(spec), build_options({"numbers": True}))
    for index in range(0, len(scene["frames"]), 3):
        items = scene["base"] + one_by_one(scene["frames"][index]["items"])
        boxes = []
        for item in items:
            st = scene["styles"][item["style"]]
            if "text" in item and st["anchor"] in ("mm", "rs"):   # the numbers in cells
                patch = text(item["at"], item["text"], st["font"], st["anchor"], st.get("bold", False), scene["width"], scene["height"])
                ys, xs = np.nonzero(patch.cov > 0.2)
                boxes.append((patch.box[0] + xs.min(), patch.box[1] + ys.min(), patch.box[0] + xs.max() + 1, patch.box[1] + ys.max() + 1))
        boxes = np.array(boxes, float)
        for item in one_by_one(scene["frames"][index]["items"]):
            if "line" not in item or item["style"] not in ("connector", "link"):
                continue
            (ax, ay), (bx, by) = item["line"]
            length = np.hypot(bx - ax, by - ay)
            u = np.linspace(0, 1, int(length * 4) + 2)[:, None]
            # the spans it lists as hidden (px along it) are not drawn
            shown = ~np.any([(u * length >= g0) & (u * length <= g1) for g0, g1 in item.get("gaps", [])], axis=0) if item.get("gaps") else np.ones_like(u, bool)
            u = u[shown][:, None]
            px, py = ax + (bx - ax) * u, ay + (by - ay) * u
            inside = (px > boxes[:, 0]) & (px < boxes[:, 2]) & (py > boxes[:, 1]) & (py < boxes[:, 3])
            assert not inside.any(), (index, item)


BIG = [[-12574.5, 5062.25, 3, 0.125, 1], [2, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]


def _read(label: str) -> float:
    return float(label[:-1]) * {"k": 1e3, "M": 1e6, "G": 1e9}[label[-1]] if label[-1] in "kMG" else float(label)


@pytest.mark.parametrize("layout", ["slanted", "flat"])
def test_numbers_that_do_not_fit_are_shortened_with_the_exact_value_on_hover(layout):
    from app.render import render

    class Path:
        """A convex cell: is a point inside it, with some slack in pixels?"""

        def __init__(self, pts):
            self.pts = np.asarray(pts, float)

        def contains_point(self, p, radius=0.0):
            a, b = self.pts, np.roll(self.pts, -1, axis=0)
            edge = b - a
            dist = (edge[:, 0] * (p[1] - a[:, 1]) - edge[:, 1] * (p[0] - a[:, 0])) / np.linalg.norm(edge, axis=1)
            return bool((dist >= -radius).all() or (dist <= radius).all())

    spec = {"input_size": 5, "padding": 1, "input": BIG, "weight": [[[[0.5, -1.25, 2], [1, 1, 1], [0, 3, 1]]]]}
    t = trace(spec)
    scene = build_scene(t, build_options({"numbers": True, "layout": layout}))
    cells = {pid: Path(pts) for pid, pts in scene["polys"].items()}
    exact_in = {f"in:0:{r + 1}:{c + 1}": BIG[r][c] for r in range(5) for c in range(5)}
    exact_out = {f"out:0:{r}:{c}": float(t.output[0, r, c]) for r in range(5) for c in range(5)}
    shortened = 0
    for index in (0, 12, 24):
        for item in scene["base"] + one_by_one(scene["frames"][index]["items"]):
            st = scene["styles"][item["style"]]
            if "text" not in item or st["anchor"] != "mm":
                continue
            home = [pid for pid, path in cells.items() if path.contains_point(item["at"])]
            assert len(home) == 1, item
            patch = text(item["at"], item["text"], st["font"], st["anchor"], st.get("bold", False), scene["width"], scene["height"])
            ys, xs = np.nonzero(patch.cov > 0.2)
            x0, y0, x1, y1 = patch.box[0] + xs.min(), patch.box[1] + ys.min(), patch.box[0] + xs.max() + 1, patch.box[1] + ys.max() + 1
            assert all(cells[home[0]].contains_point(p, radius=1.0) for p in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), (item, home)   # the ink stays in its cell
            truth = exact_in.get(home[0], exact_out.get(home[0]))
            if truth is None:
                continue
            if "title" in item:
                shortened += 1
                assert float(item["title"]) == pytest.approx(truth, rel=1e-9)
                assert _read(item["text"]) == pytest.approx(truth, rel=0.05, abs=0.05)   # two significant digits at least
            else:
                assert float(item["text"]) == pytest.approx(truth, abs=0.005)
    assert shortened >= 2
    svg = render(spec, "svg", numbers=True, layout=layout, frame=12).decode()
    titled = [i for i in scene["base"] + one_by_one(scene["frames"][12]["items"]) if "title" in i]
    assert titled and all(f"<title>{i['title']}</title>{i['text']}</text>" in svg for i in titled)


@pytest.mark.parametrize("spec", [
    {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1},
    {"input_size": 9, "kernel_size": 3, "dilation": 3, "stride": 5},
], ids=["one-row", "dilated"])
def test_hatching_stays_off_the_numbers_and_is_lighter_over_most_of_the_input(spec):
    scene = build_scene(trace(spec), build_options({"numbers": True}))
    hatched = {i["poly"] for i in scene["base"] if i.get("style") == "unreached"}
    assert hatched
    bare = {**scene, "base": [i for i in scene["base"] if "text" not in i], "frames": [{"ms": 1, "items": []}]}
    img = draw_frame(bare, 0).astype(int)
    centres = {pid: np.mean(scene["polys"][pid], axis=0) for pid in hatched}
    checked = 0
    for item in scene["base"]:
        if "text" not in item or scene["styles"][item["style"]]["anchor"] != "mm":
            continue
        near = [pid for pid, c in centres.items() if np.hypot(*(c - item["at"])) < 1]
        if not near:
            continue
        st = scene["styles"][item["style"]]
        patch = text(item["at"], item["text"], st["font"], st["anchor"], st.get("bold", False), scene["width"], scene["height"])
        x0, y0, x1, y1 = patch.box
        under = img[y0:y1, x0:x1].reshape(-1, 3)
        assert (np.abs(under - under[0]).max(axis=1) <= 2).all(), (item, near)   # one flat colour: no hatch line
        checked += 1
    assert checked
    share = len(hatched) / len([p for p in scene["polys"] if p.startswith("in:")])
    width = scene["styles"]["unreached"]["hatch"]["width"]
    assert (width < 1.0) == (share > 0.5), (share, width)

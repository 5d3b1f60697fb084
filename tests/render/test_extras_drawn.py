"""The drawings of partial, gated and deformable convolutions, against hand-worked examples.

Every expected cell, scale, sum and sampling point below is worked out by hand from
the spec in the test (the comments show the working); positions are checked against
the cells' own polygons in the scene (where the grid is drawn), not against the
drawers' arithmetic. The GIF tests decode the written file and look at its pixels.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from app.engine import trace
from app.render import build_options, build_scene, render
from app.render.raster import one_by_one

RED = (0xDC, 0x32, 0x2F)   # Solarized red: uncounted cells, sampling points

# 4x4 input 0..15, a 3x3 kernel of ones, no padding: 2x2 outputs. Mask 0 at (1, 1) and (2, 3).
MASK = [[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]]
PARTIAL = {"op": "partial_conv2d", "input_size": 4, "kernel_size": 3, "padding": 0, "mask": MASK,
           "input": np.arange(16).reshape(4, 4).tolist(), "weight": [[[[1] * 3] * 3]], "bias": None}
# the mask's zeros in each window (output (y, x) reads rows y..y+2, columns x..x+2)
HOLES_IN_WINDOW = {0: {(1, 1)}, 1: {(1, 1), (2, 3)}, 2: {(1, 1)}, 3: {(1, 1), (2, 3)}}


def centroid(points) -> np.ndarray:
    return np.mean(np.asarray(points, float), axis=0)


def texts(items) -> list[str]:
    """Every text of the items, one by one (a run of texts in one look is one item)."""
    return [i["text"] for i in one_by_one(items) if "text" in i]


def test_partial_marks_the_holes_and_rings_exactly_the_uncounted_cells_of_each_window():
    scene = build_scene(trace(PARTIAL), build_options({"labels": False}))
    holes = {i["poly"] for i in scene["base"] if i.get("style") == "hole_in"}
    assert holes == {"in:0:1:1", "in:0:2:3"}
    polys = scene["polys"]
    for step, frame in enumerate(scene["frames"]):
        rings = [i["points"] for i in frame["items"] if i.get("style") == "uncounted_ring"]
        ringed = set()
        for ring in rings:   # each ring lies inside one cell, centred on it
            near = min(polys, key=lambda pid: np.linalg.norm(centroid(polys[pid]) - centroid(ring)) if pid.startswith("in:") else np.inf)
            assert np.linalg.norm(centroid(polys[near]) - centroid(ring)) < 0.01
            ringed.add(tuple(int(v) for v in near.split(":")[2:]))
        assert ringed == HOLES_IN_WINDOW[step], step
        crosses = [i for i in frame["items"] if i.get("style") == "uncounted"]
        assert len(crosses) == 2 * len(HOLES_IN_WINDOW[step])   # two strokes each


def test_partial_writes_the_scale_of_each_step():
    scene = build_scene(trace(PARTIAL), build_options({"labels": False}))
    # window size 9 over the mask's ones in it: 9 - (zeros in the window)
    expected = ["scale 9/8 = 1.12", "scale 9/7 = 1.29", "scale 9/8 = 1.12", "scale 9/7 = 1.29"]
    assert [texts(f["items"]) for f in scene["frames"]] == [[e] for e in expected]
    zh = build_scene(trace(PARTIAL), build_options({"labels": False, "lang": "zh"}))
    assert texts(zh["frames"][1]["items"]) == ["缩放 9/7 = 1.29"]


def test_partial_numbers_mode_writes_the_ratio_into_the_running_sum():
    scene = build_scene(trace(PARTIAL), build_options({"labels": False, "numbers": True}))
    # output (0, 0): the window's cells but (1, 1): 0+1+2+4+6+8+9+10 = 40, times 9/8 = 45
    assert "(0×1 + 1×1 + 2×1 + 4×1 + 6×1 + 8×1 + 9×1 + 10×1) × 9/8 = 45" in texts(scene["frames"][0]["items"])
    # output (0, 1): rows 0..2, cols 1..3 hold 1 2 3 / 5 6 7 / 9 10 11; without 5 (at (1, 1)) and 11 (at (2, 3)):
    # 54 - 16 = 38, times 9/7 = 48.857
    assert texts(scene["frames"][1]["items"])[-1] == "(1×1 + 2×1 + 3×1 + 6×1 + 7×1 + 9×1 + 10×1) × 9/7 = 48.86"


def test_partial_updated_mask_holes_appear_on_the_output_as_they_are_computed():
    # 4x4, k2 s2: four 2x2 windows; the top-left window is all hole, so its output is a hole of mask_out
    mask = [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 1]]
    scene = build_scene(trace({"op": "partial_conv2d", "input_size": 4, "kernel_size": 2, "stride": 2, "mask": mask}),
                        build_options({"labels": False}))
    holes = [(i["poly"], i["from"], i["to"]) for i in scene["timed"] if i.get("style") == "hole_out"]
    assert holes == [("out:0:0:0", 0, 3)]
    assert texts(scene["frames"][0]["items"]) == ["no known cell in the window: output 0"]
    assert texts(scene["frames"][3]["items"]) == ["scale 4/3 = 1.33"]   # (2, 2) is a hole: 3 of 4 known


def test_partial_padding_rings_the_padding_the_window_holds():
    scene = build_scene(trace({"input_size": 3, "kernel_size": 3, "padding": 1, "padding_mode": "partial"}), build_options({"labels": False}))
    polys = scene["polys"]
    # output (0, 0) reads canvas rows 0..2, columns 0..2: row 0 and column 0 are padding, 5 cells
    rings = [centroid(i["points"]) for i in scene["frames"][0]["items"] if i.get("style") == "uncounted_ring"]
    padding = [centroid(polys[f"in:0:{y}:{x}"]) for y, x in [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)]]
    assert len(rings) == 5 and all(min(np.linalg.norm(r - p) for r in rings) < 0.01 for p in padding)
    assert texts(scene["frames"][0]["items"]) == ["scale 9/4 = 2.25"]
    assert texts(scene["frames"][4]["items"]) == ["scale 9/9 = 1"]   # the middle window holds no padding


GATED = {"op": "gated_conv2d", "input_size": 3, "kernel_size": 3, "input": [[1] * 3] * 3, "weight": [[[[1] * 3] * 3]],
         "bias": [1], "gate_weight": [[[[0] * 3] * 3]], "gate_bias": [0]}


def test_gated_writes_feature_gate_and_product():
    # feature 9 + 1 = 10, ELU(10) = 10; gate sigmoid(0) = 0.5; out 5
    scene = build_scene(trace(GATED), build_options({"labels": False}))
    assert texts(scene["frames"][0]["items"]) == ["ELU(10) × sigmoid(0) = 10 × 0.5 = 5"]
    numbers = texts(build_scene(trace(GATED), build_options({"labels": False, "numbers": True}))["frames"][0]["items"])
    assert numbers[-3:] == ["feature: " + " + ".join(["1×1"] * 5) + " + … + 1 = 10",
                            "gate: sigmoid(" + " + ".join(["1×0"] * 5) + " + … + 0) = sigmoid(0) = 0.5",
                            "ELU(10) × sigmoid(0) = 10 × 0.5 = 5"]


def test_gated_gate_map_washes_closed_gates_pale():
    # one output per gate bias: logit -20 (closed, ~0), 0 (half), 20 (open, ~1)
    def wash(gate_bias):
        scene = build_scene(trace({**GATED, "gate_bias": [gate_bias]}), build_options({"labels": False}))
        timed = [i for i in scene["timed"] if i["style"].startswith("gate_wash")]
        assert all(i["poly"] == "out:0:0:0" and i["from"] == 0 for i in timed)
        return scene["styles"][timed[0]["style"]]["opacity"] if timed else 0.0
    closed, half, open_ = wash(-20), wash(0), wash(20)
    assert closed > half > open_ == 0.0
    assert abs(closed - 2 * half) < 0.02   # the wash is proportional to 1 - gate


# 4x4 input, 2x2 kernel (K = 4), no padding: 3x3 outputs. Offsets only for output (0, 0):
# k0 (0, 0) + (0.5, 0.25); k1 (0, 1) + 0; k2 (1, 0) + (-0.5, 1.5); k3 (1, 1) + (1, 1)
DELTAS = [(0.5, 0.25), (0.0, 0.0), (-0.5, 1.5), (1.0, 1.0)]
SAMPLES = [(0.5, 0.25), (0.0, 1.0), (0.5, 1.5), (2.0, 2.0)]


def deform_spec() -> dict:
    offset = np.zeros((8, 3, 3))
    for k, (dy, dx) in enumerate(DELTAS):
        offset[2 * k, 0, 0], offset[2 * k + 1, 0, 0] = dy, dx
    return {"op": "deform_conv2d", "input_size": 4, "kernel_size": 2, "offset": offset.tolist()}


def page(polys, y: float, x: float) -> np.ndarray:
    """Input point (y, x), cell centres at whole numbers, where the grid's own cells put it (an affine map)."""
    c00, c01, c10 = (centroid(polys[f"in:0:{r}:{q}"]) for r, q in [(0, 0), (0, 1), (1, 0)])
    return c00 + x * (c01 - c00) + y * (c10 - c00)


def test_deform_dots_sit_at_p0_plus_pk_plus_offset_with_lines_to_floor_and_ceil_cells():
    scene = build_scene(trace(deform_spec()), build_options({"labels": False}))
    polys, items = scene["polys"], scene["frames"][0]["items"]
    dots = [centroid(i["points"]) for i in items if i.get("style") == "sample"]
    assert len(dots) == 4
    for dot, (y, x) in zip(dots, SAMPLES):
        assert np.linalg.norm(dot - page(polys, y, x)) < 0.05
    lines = [i["line"] for i in items if i.get("style") == "neighbour"]
    for (y, x), dot in zip(SAMPLES, dots):
        ends = {tuple(np.round(b, 1)) for a, b in lines if np.linalg.norm(np.asarray(a) - dot) < 0.05}
        y0, x0 = int(np.floor(y)), int(np.floor(x))
        cells = [(r, q) for r in (y0, y0 + 1) for q in (x0, x0 + 1) if 0 <= r < 4 and 0 <= q < 4]
        assert ends == {tuple(np.round(centroid(polys[f"in:0:{r}:{q}"]), 1)) for r, q in cells}, (y, x)
    # the offsets: from each regular place p0 + pk (the 2x2 block's cell centres) to its dot
    moves = [i["line"] for i in items if i.get("style") == "offset"]
    for (a, b), (r, q), (y, x) in zip(moves, [(0, 0), (0, 1), (1, 0), (1, 1)], SAMPLES):
        assert np.linalg.norm(np.asarray(a) - centroid(polys[f"in:0:{r}:{q}"])) < 0.05 and np.linalg.norm(np.asarray(b) - page(polys, y, x)) < 0.05
    # the regular kernel grid, faint: the 2x2 block at the window's place
    assert {i["poly"] for i in items if i.get("style") == "regular"} == {"in:0:0:0", "in:0:0:1", "in:0:1:0", "in:0:1:1"}


def test_deform_numbers_mode_multiplies_each_weight_by_the_sampled_value():
    spec = {**deform_spec(), "input": np.arange(16).reshape(4, 4).tolist(), "weight": [[[[1, 2], [3, 4]]]], "bias": None}
    scene = build_scene(trace(spec), build_options({"labels": False, "numbers": True}))
    # bilinear at (0.5, 0.25) of x[y][x] = 4y + x: 4*0.5 + 0.25 = 2.25 (the map is linear); (0, 1): 1;
    # (0.5, 1.5): 3.5; (2, 2): 10. 1*2.25 + 2*1 + 3*3.5 + 4*10 = 54.75
    assert texts(scene["frames"][0]["items"])[-1] == "1×2.25 + 2×1 + 3×3.5 + 4×10 = 54.75"


def gif_frame(spec: dict, index: int, **options) -> np.ndarray:
    img = Image.open(io.BytesIO(render(spec, "gif", labels=False, **options)))
    img.seek(index)
    return np.asarray(img.convert("RGB")).astype(int)


def near(pixels: np.ndarray, colour, tol: int = 40) -> np.ndarray:
    return (np.abs(pixels - np.asarray(colour)) <= tol).all(axis=-1)


def inside(poly, shrink: float = 0.75) -> tuple[slice, slice]:
    """Pixel rows, columns of a box around a cell's centre, `shrink` of its half-size."""
    pts = np.asarray(poly)
    c = pts.mean(axis=0)
    half = (pts.max(axis=0) - pts.min(axis=0)) / 4 * shrink
    return slice(int(c[1] - half[1]), int(c[1] + half[1]) + 1), slice(int(c[0] - half[0]), int(c[0] + half[0]) + 1)


def test_gif_frame_shows_red_on_the_uncounted_cells_only():
    polys = build_scene(trace(PARTIAL), build_options({"labels": False}))["polys"]
    pixels = gif_frame(PARTIAL, 1)
    red = near(pixels, RED)
    ys, xs = inside(polys["in:0:1:1"], shrink=2.0)
    assert red[ys, xs].sum() > 20                        # the hole at (1, 1): ringed and crossed
    ys, xs = inside(polys["in:0:2:3"], shrink=2.0)
    assert red[ys, xs].sum() > 20                        # (2, 3): in output (0, 1)'s window
    ys, xs = inside(polys["in:0:0:2"], shrink=2.0)
    assert red[ys, xs].sum() == 0                        # a counted cell of the same window
    first = near(gif_frame(PARTIAL, 0), RED)
    ys, xs = inside(polys["in:0:2:3"], shrink=2.0)
    assert first[ys, xs].sum() == 0                      # output (0, 0)'s window does not hold (2, 3)


def test_gif_frame_shows_the_dots_where_the_samples_are():
    spec = deform_spec()
    polys = build_scene(trace(spec), build_options({"labels": False}))["polys"]
    pixels = gif_frame(spec, 0)
    plus = lambda a, px, py: [a[py, px], a[py - 1, px], a[py + 1, px], a[py, px - 1], a[py, px + 1]]  # noqa: E731
    for y, x in SAMPLES:   # the pixel the point lies in, and its four neighbours
        px, py = np.floor(page(polys, y, x)).astype(int)
        assert near(np.array(plus(pixels, px, py)), RED).all(), (y, x)
    # frame 1 (output (0, 1)) has no offsets: its dots sit on cell centres, not at (0.5, 1.5)
    later = gif_frame(spec, 1)
    px, py = np.floor(page(polys, 0.5, 1.5)).astype(int)
    assert not near(np.array(plus(later, px, py)), RED).all()


@pytest.mark.parametrize("op", ["partial_conv2d", "gated_conv2d", "deform_conv2d"])
def test_the_three_draw_in_every_writer(op):
    """The drawings use only scene items that the rasteriser and the SVG writer both draw."""
    spec = {"op": op, "input_size": 5, "kernel_size": 3, "padding": 1}
    svg = render(spec, "svg", frame=3, numbers=True).decode()
    png = Image.open(io.BytesIO(render(spec, "png", frame=3, numbers=True)))
    assert svg.startswith("<svg") and png.size[0] > 100


@st.composite
def extras_specs(draw):
    op = draw(st.sampled_from(["partial_conv2d", "gated_conv2d", "deform_conv2d", "conv2d"]))
    k = draw(st.integers(1, 3))
    spec = {"op": op, "input_size": draw(st.integers(k, 6)), "kernel_size": k, "stride": draw(st.integers(1, 2)),
            "padding": draw(st.integers(0, k // 2 + (op != "conv2d"))), "in_channels": draw(st.integers(1, 2))}
    if op == "conv2d":
        spec["padding_mode"] = "partial"
    if op == "partial_conv2d":
        spec["multi_channel"] = draw(st.booleans())
        planes = spec["in_channels"] if spec["multi_channel"] else 1
        n = spec["input_size"]
        spec["mask"] = np.array(draw(st.lists(st.integers(0, 1), min_size=planes * n * n, max_size=planes * n * n))).reshape(planes, n, n).tolist()
    options = {"labels": draw(st.booleans()), "numbers": draw(st.booleans()), "layout": draw(st.sampled_from(["slanted", "flat"])),
               "granularity": draw(st.sampled_from(["step", "row"]))}
    return spec, options


@settings(max_examples=60, deadline=None)
@given(case=extras_specs())
def test_random_specs_draw_one_mark_per_uncounted_cell_and_one_dot_per_tap(case):
    """Against the trace itself: a ring per distinct canvas cell of mask 0 a step reads, a dot
    per deformable tap of the frame's (last) step, a gate wash per output whose gate is under 1."""
    spec, options = case
    t = trace(spec)
    scene = build_scene(t, build_options(options))
    for f, s in enumerate(scene["frames"] and [int(s) for s in scene["meta"]["steps"]]):
        items = scene["frames"][f]["items"]
        real = t.tap_canvas[s] >= 0
        if "mask" in t.tap_extras:
            sweep = range(s - t.output.shape[2] + 1, s + 1) if options["granularity"] == "row" else [s]
            uncounted = {int(c) for u in sweep for c, m in zip(t.tap_canvas[u], t.tap_extras["mask"][u]) if c >= 0 and m == 0}
            assert sum(i.get("style") == "uncounted_ring" for i in items) == len(uncounted)
        if "sample" in t.tap_extras:
            assert sum(i.get("style") == "sample" for i in items) == int(real.sum())
    if "gate" in t.step_extras and scene["frames"]:
        washed = {i["poly"] for i in scene["timed"] if i["style"].startswith("gate_wash")}
        cell = lambda k: "out:" + ":".join(map(str, np.unravel_index(int(t.step_index[k]), t.output.shape)))  # noqa: E731
        gates = t.step_extras["gate"]
        assert {cell(k) for k in np.flatnonzero(gates < 0.99)} <= washed <= {cell(k) for k in np.flatnonzero(gates < 1)}

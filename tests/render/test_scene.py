"""The scene: geometry against the reference GIFs' measurements, and frame content."""

from __future__ import annotations

from app.render.raster import one_by_one

import json

import pytest

from app.engine import trace
from app.render import build_options, build_scene
from app.render.layout import clip_outside
from app.render.scene import frame_steps


def _spec(row: dict) -> dict:
    spec = {k: row[k] for k in ("op", "input_size", "kernel_size", "stride", "padding", "dilation")}
    if row["op"] == "conv_transpose2d":
        spec["output_padding"] = row["output_padding"]
    return spec


def test_reference_canvas_sizes_and_frame_counts(reference):
    """At scale 1 without labels, every reference animation has its canvas within 2 px."""
    for row in reference["animations"]:
        scene = build_scene(trace(_spec(row)), build_options({"labels": False}))
        ref_w, ref_h = row["anchor_canvas_px"]
        assert abs(scene["width"] - ref_w) <= 2 and abs(scene["height"] - ref_h) <= 2, (row["name"], scene["width"], scene["height"])
        assert len(scene["frames"]) == row["anchor_frames"], row["name"]
        assert all(f["ms"] == row["anchor_ms_per_frame"] for f in scene["frames"][:-1])
        assert scene["frames"][-1]["ms"] == 2 * row["anchor_ms_per_frame"]  # the finished picture is held


def test_scale_multiplies_the_canvas():
    t = trace({"input_size": 5, "padding": 1})
    one = build_scene(t, build_options({"labels": False}))
    two = build_scene(t, build_options({"labels": False, "scale": 2}))
    assert abs(two["width"] - 2 * one["width"]) <= 3 and abs(two["height"] - 2 * one["height"]) <= 3


def test_frame_shows_exactly_the_taps_of_its_step():
    # 5x5, k3, s2, p1: the step for output (1, 2) reads canvas rows 2..4, cols 4..6
    scene = build_scene(trace({"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}), build_options({}))
    frame = scene["frames"][5]
    tints = [i for i in one_by_one(frame["items"]) if i.get("style") == "tap"]
    # a solid 3x3 block is tinted as one polygon: the outer corners of cells (2,4) and (4,6)
    assert len(tints) == 1
    corners = tints[0]["points"]
    polys = scene["polys"]
    assert corners[0] == polys["in:0:2:4"][0] and corners[2] == polys["in:0:4:6"][2]
    # the footprint's cells over padding (column 6 is right padding) get solid outlines
    edged = {i["poly"] for i in one_by_one(frame["items"]) if i.get("style") == "tap_edge"}
    assert edged == {"in:0:2:6", "in:0:3:6", "in:0:4:6"}
    current = [i["poly"] for i in one_by_one(frame["items"]) if i.get("style") == "current"]
    assert current == ["out:0:1:2"]
    assert sum(1 for i in one_by_one(frame["items"]) if "line" in i) <= 4


def test_dilated_kernel_shades_only_every_dth_cell():
    scene = build_scene(trace({"input_size": 7, "kernel_size": 3, "dilation": 2}), build_options({}))
    tinted = {i["poly"] for i in one_by_one(scene["frames"][0]["items"]) if i.get("style") == "tap"}
    assert tinted == {f"in:0:{r}:{c}" for r in (0, 2, 4) for c in (0, 2, 4)}


def test_padding_and_inserted_zeros_are_dashed_white():
    scene = build_scene(trace({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "padding": 1, "output_padding": 1}), build_options({}))
    fills = [i for i in scene["base"] if "points" in i]
    # input cells sit alone among zeros: each is its own blue block; padding and zeros
    # are white on white, so they get no fill at all
    blue = [i["points"] for i in fills if i["style"] == "in"]
    assert len(blue) == 9
    assert scene["polys"]["in:0:1:1"] in blue            # input (0, 0) after 1 padding row/col
    assert scene["polys"]["in:0:1:2"] not in blue        # an inserted zero
    assert scene["styles"]["in"]["fill"] == "#268bd2"
    line_styles = [scene["styles"][i["style"]] for i in scene["base"] if "line" in i]
    assert any(st.get("dash") and st["stroke"] == "#002b36" for st in line_styles)   # dashed borders
    assert any(not st.get("dash") and st["stroke"] == "#002b36" for st in line_styles)  # solid borders
    assert scene["styles"]["tap"] == {"fill": "#073642", "opacity": 0.4}


def test_row_granularity_has_one_frame_per_output_row():
    t = trace({"input_size": 9, "kernel_size": 3})
    assert frame_steps(t, "row") == [6, 13, 20, 27, 34, 41, 48]
    scene = build_scene(t, build_options({"granularity": "row"}))
    assert len(scene["frames"]) == 7


def test_scene_is_json():
    scene = build_scene(trace({"op": "max_pool2d", "kernel_size": 2, "input_size": 4}), build_options({"numbers": True}))
    assert json.loads(json.dumps(scene)) == scene


def test_numbers_mode_shows_the_running_sum_of_the_paper():
    scene = build_scene(trace({"input_size": 5, "kernel_size": 3}), build_options({"numbers": True}))
    texts = [i["text"] for i in one_by_one(scene["frames"][0]["items"]) if "text" in i]
    # first output of the paper's figure: 3*0 + 3*1 + 2*2 + 0*2 + 0*2 + 1*0 + 3*0 + 1*1 + 2*2 = 12
    assert "3×0 + 3×1 + 2×2 + 0×2 + 0×2 + 1×0 + 3×0 + 1×1 + 2×2 = 12" in texts


def test_connector_is_cut_where_it_passes_under_the_output_map():
    square = [(0, 2), (2, 2), (2, 0), (0, 0)]
    assert clip_outside((1, -2), (1, 1), [square]) == pytest.approx((1, 0))
    assert clip_outside((5, 5), (6, 6), [square]) == (6, 6)
    assert clip_outside((1, 1), (1, 3), [square]) is None


def test_bad_render_options_name_the_option():
    from app.engine import SpecError

    for raw, param in [({"scale": 9}, "scale"), ({"layout": "3d"}, "layout"), ({"ms": 5}, "ms"), ({"colour": 1}, "colour")]:
        with pytest.raises(SpecError) as err:
            build_options(raw)
        assert err.value.param == param


@pytest.mark.parametrize("mode, numpy_mode", [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")])
def test_numbers_mode_links_each_copied_cell_to_the_cell_it_copies(mode, numpy_mode):
    """Every copied cell the kernel reads gets a line to its source; the truth is numpy.pad."""
    import numpy as np

    top, left = 2, 1
    spec = {"input_size": [4, 5], "kernel_size": 3, "padding": [top, left], "padding_mode": mode}
    scene = build_scene(trace(spec), build_options({"numbers": True, "labels": False}))
    ids = np.pad(np.arange(20).reshape(4, 5), ((top, top), (left, left)), mode=numpy_mode)
    cells, centres = [], []
    for name, pts in scene["polys"].items():
        role, c, y, x = name.split(":")
        if role == "in":
            cells.append((int(y), int(x)))
            centres.append(np.mean(pts, axis=0))
    centres = np.array(centres)
    nearest = lambda pt: cells[int(np.argmin(np.linalg.norm(centres - pt, axis=1)))]  # noqa: E731

    def links(frame):
        """(copy, home) of each link: its pieces (it has gaps where it passes behind
        numbers) joined up, from the first piece's start to the last piece's end."""
        pieces = [np.array(i["line"], float) for i in one_by_one(frame["items"]) if i["style"] == "link"]
        out, k = [], 0
        while k < len(pieces):
            start, end = pieces[k]
            k += 1
            while k < len(pieces):   # the next piece continues this line after a short gap
                a, b = pieces[k]
                d = (end - start) / np.linalg.norm(end - start)
                gap = a - end
                if np.linalg.norm(gap) > 15 or abs(d[0] * gap[1] - d[1] * gap[0]) > 0.05 or np.dot(gap, d) < 0 \
                        or abs(d[0] * (b - a)[1] - d[1] * (b - a)[0]) > 0.05:
                    break
                end = b
                k += 1
            out.append((nearest(start), nearest(end)))
        return out

    linked = 0
    for frame in scene["frames"]:
        for copy, home in links(frame):
            assert not (top <= copy[0] < top + 4 and left <= copy[1] < left + 5), copy   # starts on padding
            assert top <= home[0] < top + 4 and left <= home[1] < left + 5, home       # ends on the input
            assert ids[copy] == ids[home]
            linked += 1
    # the first frame reads the 3x3 corner: two rows of padding, then one padded cell
    assert len(links(scene["frames"][0])) == 7 and linked > 7


def test_zero_padding_has_no_links():
    scene = build_scene(trace({"input_size": 4, "padding": 1}), build_options({"numbers": True}))
    assert not any(i["style"] == "link" for f in scene["frames"] for i in one_by_one(f["items"]))


def test_copied_padding_is_a_pale_form_of_its_group_colour():
    from app.render.palette import SOLARIZED, mix

    spec = {"input_size": 4, "padding": 1, "padding_mode": "circular", "in_channels": 2, "out_channels": 2, "groups": 2}
    scene = build_scene(trace(spec), build_options({"labels": False}))
    used = {item["style"] for item in scene["base"]}
    for g in (0, 1):
        assert f"copy{g}" in used
        assert scene["styles"][f"copy{g}"]["fill"] == mix(SOLARIZED.groups[g], "#ffffff", 0.6)
    plain = build_scene(trace({"input_size": 4, "padding": 1, "padding_mode": "circular"}), build_options({"labels": False}))
    assert plain["styles"]["copy"]["fill"] == mix(SOLARIZED.input, "#ffffff", 0.6)


# -- timed items: numbers mode linear in frames ----------------------------------------

def _output_texts(scene: dict, i: int, redrawn: bool = False, only_frame: bool = False) -> dict:
    """Values frame i draws on the output map: (cell id) -> text, from the timed items
    alive then and the frame's own items (only those with `only_frame`). A value drawn
    again on the tint must repeat the text under it, and only when `redrawn`."""
    import numpy as np

    ids = [pid for pid in scene["polys"] if pid.startswith("out:")]
    centres = np.array([np.mean(scene["polys"][pid], axis=0) for pid in ids])
    alive = [] if only_frame else [t for t in scene["timed"] if t["from"] <= i <= t["to"]]
    texts = {}
    for item in alive + one_by_one(scene["frames"][i]["items"]):
        if "text" not in item or not item["style"].startswith("value"):
            continue
        gap = np.hypot(*(centres - np.array(item["at"])).T)   # texts sit on whole pixels: within 0.71 px of the centre
        if gap.min() < 0.75:
            cell = ids[int(gap.argmin())]
            assert cell not in texts or (redrawn and texts[cell] == item["text"]), f"frame {i}: two texts on {cell}"
            texts[cell] = item["text"]
    return texts


def test_numbers_mode_frame_shows_exactly_the_outputs_computed_so_far():
    """Against torch: frame i shows outputs 0..i (row by row) and no other, each once;
    every finished output is listed once in the scene, not once per frame."""
    import torch

    t = trace({"input_size": 6, "kernel_size": 3, "padding": 1})
    truth = torch.nn.functional.conv2d(torch.tensor(t.spec.input)[None], torch.tensor(t.spec.weight), padding=1)[0, 0]
    scene = build_scene(t, build_options({"numbers": True, "labels": False}))
    assert len(scene["frames"]) == 36 and len(scene["timed"]) == 35
    for i in range(36):
        expected = {f"out:0:{k // 6}:{k % 6}": str(int(truth.flatten()[k])) for k in range(i + 1)}
        assert _output_texts(scene, i) == expected, i


def test_row_frames_show_each_finished_output_once():
    """granularity=row: frame r shows rows 0..r of the output (torch), each value once:
    row r's in the frame's own bold items, the rows before it as timed items."""
    import torch

    t = trace({"input_size": 5, "kernel_size": 3, "padding": 1})
    truth = torch.nn.functional.conv2d(torch.tensor(t.spec.input)[None], torch.tensor(t.spec.weight), padding=1)[0, 0]
    scene = build_scene(t, build_options({"numbers": True, "labels": False, "granularity": "row"}))
    assert len(scene["frames"]) == 5 and len(scene["timed"]) == 20
    for r in range(5):
        expected = {f"out:0:{y}:{x}": str(int(truth[y, x])) for y in range(r + 1) for x in range(5)}
        assert _output_texts(scene, r) == expected, r
        assert set(_output_texts(scene, r, only_frame=True)) == {f"out:0:{r}:{x}" for x in range(5)}


def test_scatter_partial_sums_end_as_the_full_transposed_output():
    """The scatter view's partial sums are timed items; at the last frame they are
    the uncropped conv_transpose2d output (torch, padding 0). A frame draws again only
    the sums under its stamp's tint: the 3x3 cells input cell (y, x) writes to."""
    import torch

    t = trace({"op": "conv_transpose2d", "input_size": 3, "stride": 2, "view": "scatter"})
    full = torch.nn.functional.conv_transpose2d(torch.tensor(t.spec.input)[None], torch.tensor(t.spec.weight), stride=2)[0, 0]
    scene = build_scene(t, build_options({"numbers": True, "labels": False}))
    last = len(scene["frames"]) - 1
    assert scene["timed"]
    for f in range(last + 1):
        y, x = divmod(f, 3)
        stamp = {f"out:0:{2 * y + dy}:{2 * x + dx}" for dy in range(3) for dx in range(3)}
        assert set(_output_texts(scene, f, only_frame=True)) == stamp, f
    got = _output_texts(scene, last, redrawn=True)
    expected = {f"out:0:{y}:{x}": str(int(full[y, x])) for y in range(full.shape[0]) for x in range(full.shape[1])}
    assert got == expected


def test_numbers_scene_grows_linearly_with_frames():
    """576 frames: items per frame stay what a frame draws (taps, weights, the sum),
    not the finished outputs again; the four connectors are four items however often
    they pass behind the numbers (their hidden spans listed in each); the JSON stays
    under 1 MB (it was 1.75 MB with the connectors in pieces and one item per text)."""
    small = build_scene(trace({"input_size": 6, "padding": 1}), build_options({"numbers": True}))
    large = build_scene(trace({"input_size": 24, "padding": 1}), build_options({"numbers": True}))
    def per_frame(s, connectors=False):
        return sum((i["style"] == "connector") == connectors for f in s["frames"] for i in one_by_one(f["items"])) / len(s["frames"])
    assert len(large["frames"]) == 576
    assert per_frame(large) <= per_frame(small) + 1
    assert max(sum(i["style"] == "connector" for i in f["items"]) for f in large["frames"]) == 4
    assert any(i.get("gaps") for f in large["frames"] for i in f["items"] if i["style"] == "connector")
    assert len(json.dumps(large, separators=(",", ":"), ensure_ascii=False)) < 1_000_000


@pytest.mark.parametrize("include", [True, False])
def test_avg_pool_running_sum_lists_exactly_what_is_divided(include):
    """count_include_pad=False averages the input cells only: the sum lists those, and
    as many as it divides by (the truth: torch, and the window counted by hand)."""
    import re

    import numpy as np
    import torch

    spec = {"op": "avg_pool2d", "input_size": 4, "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": include}
    t = trace(spec)
    x = torch.tensor(np.asarray(t.spec.input, dtype=np.float64))
    want = torch.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=include).numpy()
    scene = build_scene(t, build_options({"numbers": True}))
    for s, frame in enumerate(scene["frames"]):
        oy, ox = divmod(s, 2)
        rows = [r for r in range(2 * oy - 1, 2 * oy + 2) if include or 0 <= r < 4]
        cols = [c for c in range(2 * ox - 1, 2 * ox + 2) if include or 0 <= c < 4]
        line = next(i["text"] for i in one_by_one(frame["items"]) if "text" in i and i["text"].startswith("("))
        terms, divisor, value = re.fullmatch(r"\((.*)\) / (\d+) = (.*)", line).groups()
        terms = [float(v) for v in terms.split(" + ")]
        assert len(terms) == int(divisor) == len(rows) * len(cols), line
        assert sum(terms) / int(divisor) == pytest.approx(want[0, oy, ox], abs=0.005)
        assert float(value) == pytest.approx(want[0, oy, ox], abs=0.005)


@pytest.mark.parametrize("numbers", [False, True])
def test_row_granularity_shows_the_whole_rows_sweep(numbers):
    """A row frame used to show only the row's last window: it tints every cell any
    window of the row reads (rows r..r+2 of the padded 7x7 input, all 7 columns)
    and highlights the whole output row."""
    scene = build_scene(trace({"input_size": 5, "padding": 1}), build_options({"granularity": "row", "numbers": numbers}))
    polys = scene["polys"]
    assert len(scene["frames"]) == 5
    for r, frame in enumerate(scene["frames"]):
        tints = [i["points"] for i in one_by_one(frame["items"]) if i.get("style") == "tap"]
        assert tints == [[polys[f"in:0:{r}:0"][0], polys[f"in:0:{r}:6"][1], polys[f"in:0:{r + 2}:6"][2], polys[f"in:0:{r + 2}:0"][3]]]
        current = [i["points"] for i in one_by_one(frame["items"]) if i.get("style") == "current"]
        assert current == [[polys[f"out:0:{r}:0"][0], polys[f"out:0:{r}:4"][1], polys[f"out:0:{r}:4"][2], polys[f"out:0:{r}:0"][3]]]
        if numbers:   # the row's five outputs are all written, none of the weights (each cell has several)
            styles = scene["styles"]
            bold = [i["text"] for i in one_by_one(frame["items"]) if "text" in i and styles[i["style"]].get("bold")]
            assert len(bold) == 5
            assert not any(styles[i["style"]].get("anchor") == "rs" for i in one_by_one(frame["items"]) if "text" in i)


@pytest.mark.parametrize("spec", [
    {"in_channels": 3, "out_channels": 2, "input_size": 5, "padding": 1},
    {"in_channels": 4, "out_channels": 4, "groups": 2, "input_size": 4},
])
def test_every_connector_ends_on_the_current_output_cell(spec):
    """With several channels, lines from the later input slices stopped at the second
    output slice: each must run toward a corner of the current cell and stop only
    there or where it passes under the current cell's own slice."""
    import numpy as np

    t = trace(spec)
    scene = build_scene(t, build_options({"labels": False}))
    polys = scene["polys"]
    oc, oh, ow = t.output.shape
    for s, frame in enumerate(scene["frames"]):
        c, rest = divmod(s, oh * ow)
        y, x = divmod(rest, ow)
        corners = np.array(polys[f"out:{c}:{y}:{x}"])
        slice_outline = np.array([polys[f"out:{c}:0:0"][0], polys[f"out:{c}:0:{ow - 1}"][1], polys[f"out:{c}:{oh - 1}:{ow - 1}"][2], polys[f"out:{c}:{oh - 1}:0"][3]])
        lines = [np.array(i["line"], float) for i in one_by_one(frame["items"]) if i.get("style") == "connector"]
        assert lines
        for a, b in lines:
            d = b - a
            # toward one of the current cell's corners
            toward = [k for k in corners if abs(d[0] * (k - a)[1] - d[1] * (k - a)[0]) / np.linalg.norm(d) < 0.05 and np.dot(k - a, d) > 0]
            assert toward, (s, a, b)
            if np.linalg.norm(b - toward[0]) < 0.05:
                continue
            # or cut where it enters the current slice: b lies on that slice's outline
            on_edge = False
            for p, q in zip(slice_outline, np.roll(slice_outline, -1, axis=0)):
                e = q - p
                u = np.dot(b - p, e) / np.dot(e, e)
                on_edge |= -0.01 <= u <= 1.01 and abs(e[0] * (b - p)[1] - e[1] * (b - p)[0]) / np.linalg.norm(e) < 0.05
            assert on_edge, (s, a, b)


@pytest.mark.parametrize("channels", [(3, 2), (8, 8)])
def test_several_channels_are_stacked_sheets_with_one_kernel_box_and_one_set_of_connectors(channels):
    """Several channels used to be slices side by side with four lines from every
    input slice (32 for 8 channels, crossing the other output slices). They are
    sheets stacked in depth (channel 0 on top, each next one the same step lower,
    straight below), the kernel one box through the sheets, and four lines from
    the box's top face to the current output cell.

    Worked by hand for frame 4 of a 5x5 input padded to 7x7, k3 s1: output cell
    (row 0, column 4) of output channel 0, read from rows 0..2 and columns 4..6
    of every input channel; the box's top face is that block on channel 0's sheet,
    and line k runs from its corner k to corner k of the output cell (where it is
    not hidden under that cell's sheet, which it then meets on its outline)."""
    import numpy as np

    cin, cout = channels
    scene = build_scene(trace({"input_size": 5, "padding": 1, "in_channels": cin, "out_channels": cout}), build_options({"labels": False}))
    polys = {k: np.array(v, float) for k, v in scene["polys"].items()}
    for role, n in (("in", cin), ("out", cout)):
        step = polys[f"{role}:1:0:0"] - polys[f"{role}:0:0:0"]
        assert np.allclose(step[:, 0], 0) and np.all(step[:, 1] > 0)   # straight below, lower on the page (y down)
        for c in range(n):
            assert np.allclose(polys[f"{role}:{c}:3:2"], polys[f"{role}:0:3:2"] + c * step, atol=0.05)
    frame = scene["frames"][4]
    lines = [np.array(i["line"], float) for i in one_by_one(frame["items"]) if i.get("style") == "connector"]
    assert len(lines) == 4
    face = [polys["in:0:0:4"][0], polys["in:0:0:6"][1], polys["in:0:2:6"][2], polys["in:0:2:4"][3]]
    cell = polys["out:0:0:4"]
    sheet = [polys["out:0:0:0"][0], polys["out:0:0:4"][1], polys["out:0:4:4"][2], polys["out:0:4:0"][3]]
    for (a, b), start, corner in zip(lines, face, cell):
        assert np.allclose(a, start, atol=0.01)
        d, e = b - a, corner - a
        assert abs(d[0] * e[1] - d[1] * e[0]) / np.linalg.norm(d) < 0.05 and np.dot(d, e) > 0   # toward the corner
        if np.allclose(b, corner, atol=0.01):
            continue
        on = [abs((q - p)[0] * (b - p)[1] - (q - p)[1] * (b - p)[0]) / np.linalg.norm(q - p) < 0.05
              and -0.01 <= np.dot(b - p, q - p) / np.dot(q - p, q - p) <= 1.01 for p, q in zip(sheet, sheet[1:] + sheet[:1])]
        assert any(on), (a, b)
    box = [i for i in one_by_one(frame["items"]) if i.get("style") == "tap"]
    assert len(box) == 1   # one tinted box through all the input sheets

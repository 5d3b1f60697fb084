"""The network picture against independent truth: what is tinted in each drawn frame
(read off the rasterised pixels at each cell's centre) equals the dependency sets that
torch.autograd gives for the same stack with every weight 1, and hand-worked facts.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from app.engine.network import build_network
from app.render.network_scene import build_network_scene, check_network_frames
from app.render.options import build_options
from app.render.raster import draw_frame
from app.engine import SpecError

INPUT, OUTPUT, TINT = "#268bd2", "#2aa198", "#073642"   # DESIGN.md's Solarized colours


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], float)


def tinted(colour: str) -> np.ndarray:
    """A fill under the kernel's tint, #073642 at 40 % (DESIGN.md)."""
    return rgb(colour) * 0.6 + rgb(TINT) * 0.4


def ones_stack(layers: list[dict], channels: int) -> nn.Sequential:
    """The stack in torch with every weight 1, no bias: d out / d in > 0 exactly where out reads in."""
    mods = []
    for raw in layers:
        k, s, p, d = raw.get("kernel_size", 3), raw.get("stride", 1), raw.get("padding", 0), raw.get("dilation", 1)
        if raw["op"] == "conv2d":
            m = nn.Conv2d(channels, raw.get("out_channels", channels), k, s, p, d, bias=False)
        else:
            m = nn.ConvTranspose2d(channels, raw.get("out_channels", channels), k, s, p, raw.get("output_padding", 0), bias=False, dilation=d)
        nn.init.ones_(m.weight)
        channels = raw.get("out_channels", channels)
        mods.append(m)
    return nn.Sequential(*mods)


def torch_dependencies(spec: dict, layer_range: tuple[int, int], cell: tuple[int, int, int]) -> set:
    """Cells (c, y, x) of map `first` that cell of map `last` depends on, by autograd."""
    first, last = layer_range
    c_in, h, w = spec.get("in_channels", 1), *([spec["input_size"]] * 2)
    stack = ones_stack(spec["layers"], c_in)
    x = torch.ones(1, c_in, h, w, dtype=torch.float64)
    with torch.no_grad():
        for m in stack[:first]:
            m.double()
            x = m(x)
    x = x.clone().requires_grad_(True)
    y = x
    for m in stack[first:last]:
        y = m.double()(y)
    y[(0, *cell)].backward()
    return {tuple(v) for v in torch.nonzero(x.grad[0] > 0).tolist()}


def tinted_cells(scene: dict, frame: int, map_index: int, colour: str) -> set:
    """The cells of a map whose centre shows the tint in that frame (untinted: the plain fill); the median
    of 5x5 pixels, so a thin connector line crossing the centre does not count."""
    pixels = draw_frame(scene, frame).astype(float)
    out = set()
    for pid, poly in scene["polys"].items():
        if not pid.startswith(f"m{map_index}:"):
            continue
        cx, cy = np.mean(poly, axis=0)
        y, x = int(round(cy)), int(round(cx))
        seen = np.median(pixels[y - 2:y + 3, x - 2:x + 3].reshape(-1, 3), axis=0)
        if np.abs(seen - tinted(colour)).max() <= 3:
            out.add(tuple(int(v) for v in pid[1:].split(":")[1:]))
        else:
            assert np.abs(seen - rgb(colour)).max() <= 3, (pid, seen)
    return out


DILATED = {"input_size": 9, "layers": [{"op": "conv2d", "kernel_size": 3, "dilation": d} for d in (1, 2)]}
DOWN_UP = {"input_size": 6, "layers": [{"op": "conv2d", "kernel_size": 3, "stride": 2, "padding": 1},
                                       {"op": "conv_transpose2d", "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}]}


@pytest.mark.parametrize("spec", [DILATED, DOWN_UP], ids=["dilated", "down_up"])
def test_each_frame_tints_what_autograd_says_the_output_cell_reads(spec):
    net = build_network(spec)
    scene = build_network_scene(net, build_options({"scale": 0.6, "labels": False}))
    steps = scene["meta"]["steps"]
    assert len(steps) == sum(t.output.size for t in net.traces) + 1   # one frame per output cell, then the cone
    for f, step in enumerate(steps[:-1]):
        k, s = step
        out = net.maps[k + 1]
        cell = tuple(int(v) for v in np.unravel_index(s, out.shape))
        low = INPUT if k == 0 else OUTPUT
        assert tinted_cells(scene, f, k, low) == torch_dependencies(spec, (k, k + 1), cell), (f, step)
        assert tinted_cells(scene, f, k + 1, OUTPUT) == {cell}


@pytest.mark.parametrize("spec", [DILATED, DOWN_UP], ids=["dilated", "down_up"])
def test_the_last_frame_tints_the_whole_dependency_cone(spec):
    net = build_network(spec)
    scene = build_network_scene(net, build_options({"scale": 0.6, "labels": False}))
    last = len(net.traces)
    _, h, w = net.maps[last].shape
    cell = (0, h // 2, w // 2)
    cone = len(scene["frames"]) - 1
    for k in range(last):
        colour = INPUT if k == 0 else OUTPUT
        assert tinted_cells(scene, cone, k, colour) == torch_dependencies(spec, (k, last), cell), k
    assert tinted_cells(scene, cone, last, OUTPUT) == {cell}


def test_dilated_stack_cone_by_hand():
    """3x3 then 3x3 dilated 2 on 9x9: output (2, 2) reads a 7x7 input block, and layer 0's
    output cells (0..4 step 2, 0..4 step 2) of the 7x7 map: 9 cells, every other one."""
    net = build_network(DILATED)
    scene = build_network_scene(net, build_options({"scale": 0.6, "labels": False}))
    cone = len(scene["frames"]) - 1
    assert net.maps[2].shape == (1, 3, 3)
    assert tinted_cells(scene, cone, 1, OUTPUT) == {(0, y, x) for y in (1, 3, 5) for x in (1, 3, 5)}
    assert tinted_cells(scene, cone, 0, INPUT) == {(0, y, x) for y in range(1, 8) for x in range(1, 8)}


def test_maps_stack_upwards_and_flat_goes_left_to_right():
    net = build_network(DOWN_UP)
    for layout, axis, sign in (("slanted", 1, -1), ("flat", 0, 1)):
        scene = build_network_scene(net, build_options({"layout": layout}))
        centres = [np.mean([p for pid, poly in scene["polys"].items() if pid.startswith(f"m{k}:") for p in poly], axis=0)[axis]
                   for k in range(3)]
        assert all(sign * (b - a) > 0 for a, b in zip(centres, centres[1:])), (layout, centres)


def test_every_map_cell_has_its_polygon_and_padding_is_named_apart():
    net = build_network(DOWN_UP)
    scene = build_network_scene(net, build_options({}))
    for k, m in enumerate(net.maps):
        ids = {pid for pid in scene["polys"] if pid.startswith(f"m{k}:")}
        assert ids == {f"m{k}:{c}:{y}:{x}" for c in range(m.shape[0]) for y in range(m.shape[1]) for x in range(m.shape[2])}
    # layers[0] pads the 6x6 input by 1: an 8x8 canvas, 28 padding cells; layers[1]'s canvas of the 3x3 map: 3 + 2 inserted zeros, padded
    assert len([p for p in scene["polys"] if p.startswith("pad0:")]) == 8 * 8 - 36


def test_too_many_frames_names_granularity_and_the_way_under():
    net = build_network({"input_size": 20, "layers": [{"op": "conv2d", "padding": 1}, {"op": "conv2d", "padding": 1}]})
    with pytest.raises(SpecError) as e:
        check_network_frames(net, build_options({}))
    assert e.value.param == "granularity" and "granularity=row" in e.value.text("en")
    assert check_network_frames(net, build_options({"granularity": "row"})) == 20 + 20 + 1


# ---------------------------------------------------------------- numbers mode and the scatter view's crop

RNG = np.random.default_rng(10)
X = RNG.integers(-2, 3, (1, 5, 5))
W0, B0 = RNG.integers(-2, 3, (2, 1, 3, 3)), RNG.integers(-2, 3, 2)
W2 = RNG.integers(-2, 3, (2, 1, 3, 3))   # ConvTranspose2d layout [in, out, kh, kw]
NUMBERED = {"input": X.tolist(), "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1, "weight": W0.tolist(), "bias": B0.tolist()},
    {"op": "max_pool2d", "kernel_size": 2, "ceil_mode": True},
    {"op": "conv_transpose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1,
     "weight": W2.tolist(), "view": "scatter"}]}


def torch_maps() -> tuple[list[np.ndarray], np.ndarray]:
    """Every map of NUMBERED by torch (nn.Sequential's layers one by one), and the transposed layer's
    full grid before its padding crops it (the same layer with padding 0, no output padding)."""
    conv = nn.Conv2d(1, 2, 3, padding=1)
    pool = nn.MaxPool2d(2, ceil_mode=True)
    up = nn.ConvTranspose2d(2, 1, 3, stride=2, padding=1, output_padding=1, bias=False)
    full = nn.ConvTranspose2d(2, 1, 3, stride=2, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(W0)), conv.bias.copy_(torch.tensor(B0))
        up.weight.copy_(torch.tensor(W2)), full.weight.copy_(torch.tensor(W2))
        maps = [torch.tensor(X, dtype=torch.float32)[None]]
        for m in nn.Sequential(conv, pool, up):
            maps.append(m(maps[-1]))
        return [m[0].numpy() for m in maps], full(maps[2])[0].numpy()


def label(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.2f}".rstrip("0").rstrip(".")


def texts_in_frame(scene: dict, f: int, values: bool = False) -> list[tuple[str, tuple[float, float]]]:
    """(the exact value written, where) of every text frame f shows: base, timed items alive, its own;
    `values`: only the texts centred in a cell (not the weights written in its corner)."""
    items = scene["base"] + [t for t in scene["timed"] if t["from"] <= f <= t["to"]] + scene["frames"][f]["items"]
    out = []
    for item in items:
        if "text" in item and (not values or scene["styles"][item["style"]]["anchor"] == "mm"):
            texts, places = (item["text"], item["at"]) if isinstance(item["text"], list) else ([item.get("title", item["text"])], [item["at"]])
            out += list(zip(texts, map(tuple, places)))
    return out


def in_cell(poly, at) -> bool:
    """Whether a point is inside a convex cell polygon (pixels)."""
    poly = np.asarray(poly)
    edges, to = np.roll(poly, -1, axis=0) - poly, np.asarray(at) - poly
    cross = edges[:, 0] * to[:, 1] - edges[:, 1] * to[:, 0]
    return all(c >= 0 for c in cross) or all(c <= 0 for c in cross)


def values_shown(scene: dict, f: int, prefix: str) -> dict:
    """cell id -> the set of values written inside it in frame f, for the cells whose id starts with prefix."""
    texts = texts_in_frame(scene, f, values=True)
    return {pid: {t for t, at in texts if in_cell(poly, at)} for pid, poly in scene["polys"].items() if pid.startswith(prefix)}


@pytest.fixture(scope="module")
def numbered():
    net = build_network(NUMBERED)
    return net, build_network_scene(net, build_options({"numbers": True, "scale": 1, "labels": False}))


def test_numbers_in_every_map_are_torchs_and_stay_to_the_end(numbered):
    """From a layer's first frame to the last frame, every cell of the map it reads shows torch's value,
    and no other; the last map's from the cone frame (the transposed layer's last stamp is done)."""
    net, scene = numbered
    maps, _ = torch_maps()
    starts = [0] + np.cumsum([len([s for s in scene["meta"]["steps"][:-1] if s[0] == k]) for k in range(3)]).tolist()
    last = len(scene["frames"]) - 1
    assert starts[-1] == last
    for k, want in enumerate(maps):
        for f in sorted({starts[min(k, 3)], (starts[min(k, 3)] + last) // 2, last}):
            shown = values_shown(scene, f, f"m{k}:")
            for c, y, x in np.ndindex(want.shape):
                assert shown[f"m{k}:{c}:{y}:{x}"] == {label(want[c, y, x])}, (k, f, (c, y, x), shown[f"m{k}:{c}:{y}:{x}"])


def test_an_output_appears_when_its_step_is_drawn(numbered):
    """Layer 0 (one frame per output cell, row by row): output j is written from frame j on, not before."""
    net, scene = numbered
    maps, _ = torch_maps()
    for f in (0, 7, 24):
        shown = values_shown(scene, f, "m1:")
        for j, (c, y, x) in enumerate(np.ndindex(maps[1].shape)):
            assert shown[f"m1:{c}:{y}:{x}"] == ({label(maps[1][c, y, x])} if j <= f else set()), (f, j)


def test_cropped_cells_of_a_scatter_layer_show_the_full_grids_sums(numbered):
    """The transposed layer (padding 1, output padding 1) writes a 7x7 grid whose first row and column its
    padding crops: drawn dashed, as pad cells, holding torch's uncropped sums once every stamp is done."""
    net, scene = numbered
    _, full = torch_maps()
    assert full.shape == (1, 7, 7) and net.maps[3].shape == (1, 6, 6)
    shown = values_shown(scene, len(scene["frames"]) - 1, "pad3:")
    assert set(shown) == {f"pad3:0:{r}:{q}" for r in range(7) for q in range(7) if r == 0 or q == 0}
    for pid, values in shown.items():
        _, r, q = map(int, pid.split(":")[1:])
        assert values == {label(full[0, r, q])}, (pid, values)


def test_a_stamp_tints_the_cropped_cells_it_reaches():
    """Without numbers too: input cell (0, 0) stamps the 3x3 kernel on full-grid rows and columns 0..2
    (stride 2), so the crop's cells (0, 0..2) and (1..2, 0) are tinted in that frame, the rest white."""
    spec = {"input_size": 3, "layers": [{"op": "conv_transpose2d", "kernel_size": 3, "stride": 2, "padding": 1,
                                         "output_padding": 1, "view": "scatter"}]}
    scene = build_network_scene(build_network(spec), build_options({"scale": 0.8, "labels": False}))
    pixels = draw_frame(scene, 0).astype(float)
    cropped = {pid for pid in scene["polys"] if pid.startswith("pad1:")}
    assert cropped == {f"pad1:0:{r}:{q}" for r in range(7) for q in range(7) if r == 0 or q == 0}
    for pid in cropped:
        cx, cy = np.mean(scene["polys"][pid], axis=0)
        seen = np.median(pixels[int(cy) - 2:int(cy) + 3, int(cx) - 2:int(cx) + 3].reshape(-1, 3), axis=0)
        _, r, q = map(int, pid.split(":")[1:])
        want = tinted("#ffffff") if r <= 2 and q <= 2 else rgb("#ffffff")
        assert np.abs(seen - want).max() <= 3, (pid, seen)


def test_digits_are_drawn_in_every_cell(numbered):
    """Rasterised, the last frame has ink around the centre of every map cell (pixels far from the
    cell's own colour there); without numbers, none."""
    net, scene = numbered
    plain = build_network_scene(net, build_options({"scale": 1, "labels": False}))

    def inked(sc: dict) -> set:
        pixels = draw_frame(sc, len(sc["frames"]) - 1).astype(int)
        out = set()
        for pid, poly in sc["polys"].items():
            cx, cy = (int(v) for v in np.mean(poly, axis=0))
            box = pixels[cy - 5:cy + 6, cx - 6:cx + 7].reshape(-1, 3)
            if np.abs(box - np.median(box, axis=0)).max() > 80:
                out.add(pid)
        return out
    cells = {pid for pid in scene["polys"] if pid.startswith("m")}
    assert cells <= inked(scene)
    assert not cells & inked(plain)


def test_a_numbers_scene_grows_linearly_with_its_frames():
    """Twice the frames (an input twice as tall, two layers): about twice the bytes, not four times."""
    import json

    sizes = []
    for h in (6, 12):
        net = build_network({"input_size": [h, 8], "layers": [{"op": "conv2d", "padding": 1}, {"op": "conv2d", "padding": 1}]})
        scene = build_network_scene(net, build_options({"numbers": True, "scale": 0.5}))
        sizes.append((len(scene["frames"]), len(json.dumps(scene, separators=(",", ":")))))
    (f1, b1), (f2, b2) = sizes
    assert f2 - 1 == 2 * (f1 - 1)
    assert b2 / b1 < 2.3, sizes


def test_numbers_in_chinese_and_flat():
    """The running sum and the labels in Chinese; the flat layout writes the same values."""
    net = build_network(NUMBERED)
    maps, _ = torch_maps()
    scene = build_network_scene(net, build_options({"numbers": True, "lang": "zh", "layout": "flat"}))
    texts = [t for t, _ in texts_in_frame(scene, 0)]
    assert any("输入" in t for t in texts) and any(t.endswith(f"= {label(maps[1][0, 0, 0])}") for t in texts)
    shown = values_shown(scene, len(scene["frames"]) - 1, "m2:")
    assert all(shown[f"m2:{c}:{y}:{x}"] == {label(maps[2][c, y, x])} for c, y, x in np.ndindex(maps[2].shape))


def test_a_crop_under_the_next_layers_padding_is_not_written_there():
    """A scatter layer whose output the next layer pads: the map is drawn as that layer's canvas, so the
    crop's sums are not drawn (they would sit on its padding): the padding shows its zeros alone, the map
    torch's values, in every frame."""
    w = RNG.integers(-2, 3, (1, 1, 3, 3))
    spec = {"input": [[1, 2], [3, -1]], "layers": [
        {"op": "conv_transpose2d", "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1, "weight": w.tolist(), "view": "scatter"},
        {"op": "conv2d", "padding": 1}]}
    scene = build_network_scene(build_network(spec), build_options({"numbers": True, "scale": 1, "labels": False}))
    up = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1, bias=False)
    with torch.no_grad():
        up.weight.copy_(torch.tensor(w))
        want = up(torch.tensor([[[[1.0, 2.0], [3.0, -1.0]]]]))[0].numpy()
    for f in range(len(scene["frames"])):
        assert all(v <= {"0"} for v in values_shown(scene, f, "pad1:").values()), f
    shown = values_shown(scene, len(scene["frames"]) - 1, "m1:")
    assert all(shown[f"m1:0:{y}:{x}"] == {label(want[0, y, x])} for y, x in np.ndindex(4, 4))


def test_flat_labels_clear_every_map_and_each_other():
    """Flat, the maps stand side by side: each name is written under its map, and no name's box (its
    length in the raster's font) crosses a cell or another name (before, each ran over the next map)."""
    from PIL import ImageFont

    net = build_network({"input_size": 5, "layers": [{"op": "conv2d", "kernel_size": [3, 1]}, {"op": "conv2d", "kernel_size": [1, 3]}]})
    for lang in ("en", "zh"):
        scene = build_network_scene(net, build_options({"layout": "flat", "numbers": True, "lang": lang}))
        boxes = []
        for item in scene["base"]:
            if "text" in item and scene["styles"][item["style"]].get("anchor") == "la":
                size = scene["styles"][item["style"]]["font"]
                cjk = [ch for ch in item["text"] if ord(ch) >= 0x3000]   # square glyphs, a font size wide
                latin = "".join(ch for ch in item["text"] if ord(ch) < 0x3000)
                x, y = item["at"]
                boxes.append((x, y, x + ImageFont.load_default(size).getlength(latin) + size * len(cjk), y + size))
        assert len(boxes) == 5   # the input's name, then two lines per layer
        cells = [(min(p[0] for p in poly), min(p[1] for p in poly), max(p[0] for p in poly), max(p[1] for p in poly))
                 for pid, poly in scene["polys"].items()]
        crosses = lambda a, b: a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]  # noqa: E731
        assert not [(a, b) for a in boxes for b in cells if crosses(a, b)]
        assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if crosses(a, b)]

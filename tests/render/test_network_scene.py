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

"""Sizing a network animation without drawing it: the default scale and the raster pixel caps are found
from the scene's measured size (a still's, in numbers mode: a still's picture is the whole scene's,
test_network_still), and a refused download costs no whole scene (a hostile request for a huge numbers
GIF was refused only after building it)."""

from __future__ import annotations

import pytest

from app.engine.errors import SpecError
from app.engine.network import build_network
from app.engine.networks_presets import PRESETS
from app.render import network_scene as ns

SIX = {"input_size": 32, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
    {"op": "max_pool2d", "kernel_size": 2},
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
    {"op": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    {"op": "conv2d", "out_channels": 1, "kernel_size": 1},
]}


@pytest.fixture()
def built(monkeypatch):
    """The `kept` frame of every network scene built: None for a whole scene."""
    kept = []
    build = ns.build_network_scene

    def counted(net, options, still=None):
        kept.append(still)
        return build(net, options, still)

    monkeypatch.setattr(ns, "build_network_scene", counted)
    return kept


@pytest.mark.parametrize("given", [{"granularity": "row", "numbers": True}, {"granularity": "row", "scale": 1.0}])
def test_a_gif_past_the_pixel_caps_is_refused_before_any_whole_scene_is_built(built, given):
    with pytest.raises(SpecError) as refused:
        ns.network_scene(build_network(SIX), given, raster=True)
    assert (refused.value.param, refused.value.code) == ("scale", "network_too_large")
    assert None not in built


NETWORKS = [{"input_size": [5, 7], "in_channels": 2, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": [3, 1], "padding": [1, 0], "padding_mode": "reflect"},
    {"op": "upsample", "scale_factor": 2},
    {"op": "conv_transpose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "dilation": 2}]},
    *(spec for p in PRESETS for _, spec in p.sides)]


@pytest.mark.parametrize("spec", NETWORKS)
@pytest.mark.parametrize("given", [{}, {"layout": "flat"}, {"labels": False}, {"lang": "zh"}])
@pytest.mark.parametrize("scale", [1.0, 0.35])
def test_the_size_measured_without_drawing_is_the_drawn_scenes(spec, given, scale):
    net = build_network(spec)
    options = ns.build_options({**given, "scale": scale})
    scene = ns.build_network_scene(net, options)   # the whole scene, every frame drawn
    assert ns.scene_size(net, options) == (scene["width"], scene["height"])


@pytest.mark.parametrize("given", [{}, {"numbers": True}, {"layout": "flat"}])
def test_a_default_download_builds_its_whole_scene_once_at_the_scale_that_fits(built, given):
    net = build_network({"input_size": 8, "in_channels": 4, "layers": [
        {"op": "conv2d", "out_channels": 4, "groups": 4, "kernel_size": 3, "padding": 1},
        {"op": "conv2d", "out_channels": 8, "kernel_size": 1}]})
    scene, options = ns.network_scene(net, given, raster=True)
    assert built.count(None) == 1
    assert fits(scene) and options.scale < 1.0   # 97 frames: at scale 1, past 200M pixels in all
    again, _ = ns.network_scene(net, {**given, "scale": options.scale})
    assert again == scene   # what the scale given gives
    larger = ns.SCALES[ns.SCALES.index(options.scale) - 1]
    assert not fits(ns.network_scene(net, {**given, "scale": larger})[0])   # the largest scale that fits


def fits(scene: dict) -> bool:
    """Within caps.MAX_FRAME_PIXELS and caps.MAX_TOTAL_PIXELS, written out."""
    pixels = scene["width"] * scene["height"]
    return pixels <= 4_000_000 and pixels * len(scene["frames"]) <= 200_000_000

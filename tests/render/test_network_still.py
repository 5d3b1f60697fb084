"""A still network scene (one frame drawn) is the whole scene with only that frame and the polygons
of the cells it draws: same size, base and meta, for every preset, both layouts, a scale chosen or
given, and numbers mode (whose running sums size the canvas as in the whole scene). Its styles are
the whole scene's, except in numbers mode: there they are those it draws with (each as the whole
scene has it), for the other frames' numbers are not written."""

from __future__ import annotations

import pytest

from app.engine.network import build_network
from app.engine.networks_presets import PRESETS
from app.render.network_scene import network_scene

SIDES = [pytest.param(spec, id=f"{p.slug}_{n}") for p in PRESETS for n, (_, spec) in enumerate(p.sides)]


@pytest.mark.parametrize("spec", SIDES)
@pytest.mark.parametrize("given", [{}, {"layout": "flat", "scale": 0.5}, {"granularity": "row", "lang": "zh"}, {"numbers": True, "granularity": "row"},
                                   {"numbers": True}, {"numbers": True, "layout": "flat", "lang": "zh"}])
def test_a_still_is_the_whole_scene_with_one_frame(spec, given):
    net = build_network(spec)
    whole, options = network_scene(net, given)
    count = len(whole["frames"])
    for n in sorted({0, count // 2, count - 1}):
        still, still_options = network_scene(net, given, still=n)
        assert still_options == options and still["meta"].pop("still") == n
        frame = whole["frames"][n]
        named = {item["poly"] for item in frame["items"] if "poly" in item}
        styles = whole["styles"]
        if given.get("numbers"):
            assert used(still) <= still["styles"].keys() and still["styles"].items() <= styles.items()
            styles = still["styles"]
        assert still == {**whole, "frames": [frame], "polys": {k: v for k, v in whole["polys"].items() if k in named}, "styles": styles}
        assert len(still["polys"]) < len(whole["polys"])


def used(scene: dict) -> set[str]:
    """The names of the styles a scene's items (base, frames, timed, anywhere) draw with."""
    names, todo = set(), [v for k, v in scene.items() if k != "styles"]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            names |= {node["style"]} if isinstance(node.get("style"), str) else set()
            todo += node.values()
        elif isinstance(node, list):
            todo += node
    return names


def test_a_still_past_the_end_is_the_last_frame():
    net = build_network(PRESETS[0].sides[0][1])
    whole, _ = network_scene(net, {})
    still, _ = network_scene(net, {}, still=10**9)
    assert still["frames"] == whole["frames"][-1:] and still["meta"]["still"] == len(whole["frames"]) - 1

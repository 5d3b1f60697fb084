"""conv2d's partial padding holds zeros that do not count: drawn as zero padding (white,
dashed), not as copies of the input."""

from __future__ import annotations

from app.engine import trace
from app.render import build_options, build_scene


def test_partial_padding_is_drawn_as_zero_padding():
    spec = {"input_size": 4, "padding": 1}
    zeros = build_scene(trace(spec), build_options({"labels": False}))
    partial = build_scene(trace({**spec, "padding_mode": "partial"}), build_options({"labels": False}))
    assert not any(i.get("style", "").startswith("copy") for i in partial["base"])
    assert partial["base"] == zeros["base"]

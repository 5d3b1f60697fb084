"""partial_conv2d, gated_conv2d, deform_conv2d and conv2d's partial padding over a real server:
listed in /api/v1/ops, traced by GET and POST, refused with 422s that name the field,
and drawn (for now as the plain convolution picture) without error."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import httpx
import numpy as np
import pytest
from PIL import Image

from app.engine import registry
from app.web.pages import preset_query

NEW_OPS = ("partial_conv2d", "gated_conv2d", "deform_conv2d")
PRESETS = [p for name in NEW_OPS for p in registry.get(name).presets] + \
          [p for p in registry.get("conv2d").presets if p.spec.get("padding_mode") == "partial"]


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_ops_lists_them_with_their_fields(client):
    ops = {op["name"]: op for op in client.get("/api/v1/ops").json()["ops"]}
    fields = {name: {f["name"]: f for f in ops[name]["fields"]} for name in (*NEW_OPS, "conv2d")}
    assert {"mask", "multi_channel"} <= set(fields["partial_conv2d"]) and "groups" not in fields["partial_conv2d"]
    assert {"gate_weight", "gate_bias", "activation"} <= set(fields["gated_conv2d"])
    assert [c["value"] for c in fields["gated_conv2d"]["activation"]["choices"]] == ["none", "relu", "elu"]
    assert fields["gated_conv2d"]["activation"]["default"] == "elu"
    assert {"offset", "mask"} <= set(fields["deform_conv2d"])
    assert "partial" in [c["value"] for c in fields["conv2d"]["padding_mode"]["choices"]]
    for name in NEW_OPS:
        assert ops[name]["label"]["en"] and ops[name]["label"]["zh"] and ops[name]["weight_layout"]
    assert set(NEW_OPS) <= set(client.get("/api/v1/limits").json()["ops"])


def spec_query(preset) -> str:
    """The preset's query without its render options (which the trace endpoint does not take)."""
    return preset_query(replace(preset, options={}))


@pytest.mark.parametrize("preset", PRESETS, ids=[p.slug for p in PRESETS])
def test_presets_trace_by_get_and_post(client, preset):
    got = client.get("/api/v1/trace?" + spec_query(preset))
    posted = client.post("/api/v1/trace", json=preset.spec)
    assert got.status_code == posted.status_code == 200, got.text[:300]
    assert got.json() == posted.json()
    body = got.json()
    assert body["op"] == preset.spec["op"] and body["extras"] is not None
    assert all(np.isfinite(v) for plane in body["output"] for row in plane for v in row)


def test_partial_trace_json(client):
    mask = np.ones((5, 5))
    mask[1:4, 1:4] = 0
    body = client.post("/api/v1/trace", json={"op": "partial_conv2d", "input_size": 5, "mask": mask.tolist(), "bias": [1]}).json()
    assert body["spec"]["mask"] == mask.tolist()
    assert body["extras"]["mask"] == mask.tolist() and body["extras"]["mask_out"] == [[1, 1, 1], [1, 0, 1], [1, 1, 1]]
    centre = body["steps"][4]
    assert centre["mask_sum"] == 0 and centre["scale"] == 0 and centre["value"] == 0     # the bias too
    corner = body["steps"][0]
    assert corner["mask_sum"] == 5 and corner["scale"] == 9 / 5
    assert [t["mask"] for t in corner["taps"]] == [1, 1, 1, 1, 0, 0, 1, 0, 0]
    assert corner["value"] == pytest.approx(sum(t["product"] for t in corner["taps"]) * 9 / 5 + 1, rel=1e-12)


def test_deform_trace_by_get_with_json_arrays(client):
    off = np.full((18, 3, 3), 0.5)
    q = {"op": "deform_conv2d", "input_size": "5", "offset": json.dumps(off.tolist()), "mask": json.dumps(np.full((9, 3, 3), 0.5).tolist())}
    body = client.get("/api/v1/trace", params=q).json()
    tap = body["steps"][0]["taps"][0]
    assert tap["sample"] == [0.5, 0.5] and tap["bilinear"] == [0.25] * 4 and tap["modulation"] == 0.5
    assert tap["neighbours"] == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
    assert body["arithmetic"]["torch"] == "torchvision.ops.DeformConv2d(1, 1, kernel_size=3, bias=False)(x, offset, mask)"


BAD = [
    ({"op": "partial_conv2d", "mask": json.dumps([[1, 2]])}, "mask", "bad_shape", "expected shape [5][5]"),
    ({"op": "partial_conv2d", "mask": json.dumps((np.ones((5, 5)) * 2).tolist())}, "mask", "not_binary", "only 0 (hole) and 1 (known)"),
    ({"op": "deform_conv2d", "offset": json.dumps(np.zeros((18, 2, 2)).tolist())}, "offset", "bad_shape", "expected shape [18][3][3]"),
    ({"op": "deform_conv2d", "offset": "[[[NaN]]]"}, "offset", "bad_json", "is not valid JSON"),
    ({"op": "gated_conv2d", "activation": "sigmoid"}, "activation", "not_choice", "must be one of none, relu, elu"),
    ({"op": "conv2d", "padding_mode": "partial", "padding": "top:1"}, "padding", "partial_sides", "pads the same on opposite sides"),
    ({"op": "deform_conv2d", "input_size": "64", "kernel_size": "3"}, "input_size", "too_many_samples", "each blending 4 input cells"),
]


@pytest.mark.parametrize("query, param, code, words", BAD, ids=[b[2] for b in BAD])
def test_bad_input_is_a_422_in_both_languages(client, query, param, code, words):
    r = client.get("/api/v1/trace", params=query)
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"][0]
    assert (detail["param"], detail["code"]) == (param, code) and words in detail["msg"]
    zh = client.get("/api/v1/trace", params={**query, "lang": "zh"}).json()["detail"][0]["msg"]
    assert zh.startswith(param + "：") and any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_non_finite_arrays_in_a_body_are_refused(client):
    for op, name in (("partial_conv2d", "mask"), ("deform_conv2d", "offset"), ("gated_conv2d", "gate_weight")):
        r = client.post("/api/v1/trace", content=json.dumps({"op": op, name: [[1, float("inf")]]}).encode(), headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["param"] == name


@pytest.mark.parametrize("preset", PRESETS, ids=[p.slug for p in PRESETS])
def test_presets_render_as_gifs(client, preset):
    r = client.get("/api/v1/animation.gif?" + preset_query(preset))
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "image/gif"
    im = Image.open(io.BytesIO(r.content))
    steps = len(client.get("/api/v1/trace?" + spec_query(preset)).json()["steps"])
    assert im.n_frames >= 1 and im.n_frames <= steps + 2


@pytest.mark.parametrize("op", NEW_OPS)
def test_one_frame_per_output_cell_like_conv2d(client, op):
    plain = Image.open(io.BytesIO(client.get("/api/v1/animation.gif", params={"input_size": "5", "padding": "1"}).content))
    ours = client.get("/api/v1/animation.gif", params={"op": op, "input_size": "5", "padding": "1"})
    assert ours.status_code == 200
    assert Image.open(io.BytesIO(ours.content)).n_frames == plain.n_frames
    png = client.get("/api/v1/animation.png", params={"op": op, "input_size": "5", "frame": "3"})
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).format == "PNG"

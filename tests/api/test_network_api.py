"""/api/v1/network over a real uvicorn server: POST and the readable GET agree, permalinks
round-trip, each layer is what /api/v1/trace gives, the field, 422s in both languages, OpenAPI."""

from __future__ import annotations

import httpx
import pytest
import torch
import torch.nn.functional as F


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


BODY = {"input_size": 8, "in_channels": 2, "layers": [
    {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1, "bias": [1, 2, 3, 4]},
    {"op": "max_pool2d", "kernel_size": 2},
]}
TEXT = {"input_size": "8", "in_channels": "2", "layers": "conv2d:out_channels=4:k3:s2:p1:bias=[1,2,3,4];max_pool2d:k2"}


def test_post_and_readable_get_agree_and_match_torch(client):
    posted = client.post("/api/v1/network", json=BODY)
    got = client.get("/api/v1/network", params=TEXT)
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    body = posted.json()
    x = torch.tensor(body["input"], dtype=torch.float64)[None]
    w = torch.tensor(body["layers"][0]["weight"], dtype=torch.float64)
    want = F.max_pool2d(F.conv2d(x, w, torch.tensor([1.0, 2, 3, 4], dtype=torch.float64), 2, 1), 2)[0]
    assert body["output"] == want.tolist() and body["output_shape"] == [4, 2, 2]
    assert body["params"] == 4 * 2 * 9 + 4 and body["macs"] == 4 * 4 * 4 * 2 * 9
    assert [r["size"] for r in body["receptive_field"]] == [[3, 3], [5, 5]]


def test_the_permalink_in_the_response_reads_back_to_the_same_network(client):
    body = client.post("/api/v1/network", json=BODY).json()
    assert body["query"] == "input_size=8&in_channels=2&layers=conv2d:out_channels=4:s2:p1:bias=[1,2,3,4];max_pool2d:k2"
    again = client.get("/api/v1/network?" + body["query"])
    assert again.status_code == 200 and again.json() == body


def test_each_layer_is_what_the_trace_endpoint_returns_for_its_input(client):
    body = client.post("/api/v1/network", json=BODY).json()
    for layer in body["layers"]:
        single = client.post("/api/v1/trace", json=layer["spec"])
        assert single.status_code == 200 and single.json() == layer
    assert body["layers"][1]["input"] == body["layers"][0]["output"]


def test_the_field_of_a_cell(client):
    r = client.get("/api/v1/network/field", params={**TEXT, "cell": "3,1,1"})
    assert r.status_code == 200
    f = r.json()
    assert f["map"] == 2 and f["cell"] == [3, 1, 1]
    # max pool cell (1,1) reads conv cells (2..3, 2..3) of channel 3, which read input rows/cols 3..7 of both channels
    assert f["below"][1]["cells"] == [[3, y, x] for y in (2, 3) for x in (2, 3)]
    assert f["below"][0]["cells"] == [[c, y, x] for c in (0, 1) for y in range(3, 8) for x in range(3, 8)]
    assert f["exact_box"] == {"top": 3, "bottom": 7, "left": 3, "right": 7}
    assert f["theoretical_box"] == {"top": 3, "bottom": 7, "left": 3, "right": 7}
    posted = client.post("/api/v1/network/field", json={**BODY, "map": 2, "cell": [3, 1, 1]})
    assert posted.status_code == 200 and posted.json() == f
    default = client.get("/api/v1/network/field", params=TEXT).json()
    assert default["map"] == 2 and default["cell"] == [0, 1, 1]


@pytest.mark.parametrize("lang, header, words", [
    ("en", {}, "layers[1].groups: 3 does not divide the 4 channels coming from layers[0]"),
    ("zh", {"accept-language": "zh-CN"}, "layers[1].groups：3 不能整除来自 layers[0] 的 4 个通道"),
])
def test_refusals_are_422_naming_the_layer_in_the_request_language(client, lang, header, words):
    body = {"input_size": 8, "in_channels": 4, "layers": [{"op": "conv2d"}, {"op": "conv2d", "groups": 3}]}
    r = client.post("/api/v1/network", json=body, headers=header)
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["param"] == "layers[1].groups" and d["code"] == "net_groups_divide" and d["msg"] == words
    g = client.get("/api/v1/network", params={"input_size": "8", "in_channels": "4", "layers": "conv2d;conv2d:groups3", "lang": lang})
    assert g.status_code == 422 and g.json()["detail"][0]["msg"] == words


@pytest.mark.parametrize("path, params, param", [
    ("/api/v1/network", {"layers": "conv2d:k3:zz"}, "layers[0]"),
    ("/api/v1/network", {"layers": "conv2d", "depth": "3"}, "depth"),
    ("/api/v1/network", {"input_size": "5"}, "layers"),
    ("/api/v1/network", {"layers": "[1,"}, "layers"),
    ("/api/v1/network/field", {"layers": "conv2d", "map": "5"}, "map"),
    ("/api/v1/network/field", {"layers": "conv2d", "cell": "0,9,0"}, "cell"),
])
def test_bad_queries_are_422_not_500(client, path, params, param):
    r = client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["param"] == param


@pytest.mark.parametrize("body", [[1, 2], "conv2d", {"layers": [{"op": "conv2d"}], "map": 0, "cell": [0, 0]}])
def test_bad_bodies_are_422(client, body):
    path = "/api/v1/network/field" if isinstance(body, dict) else "/api/v1/network"
    assert client.post(path, json=body).status_code == 422


def test_limits_and_openapi_list_networks(client):
    limits = client.get("/api/v1/limits").json()
    assert limits["max_layers"] == 8 and limits["max_network_taps"] == 200_000
    api = client.get("/openapi.json").json()
    for path in ("/api/v1/network", "/api/v1/network/field", "/api/v1/network/presets"):
        assert path in api["paths"]
    examples = api["paths"]["/api/v1/network"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert {"depthwise_separable_0", "spatially_separable_1", "dilated_stack_0", "encoder_decoder_0", "checkerboard_0", "vgg_1"} <= set(examples)
    for example in examples.values():   # every documented example runs
        assert client.post("/api/v1/network", json=example["value"]).status_code == 200


def test_presets_endpoint_gives_the_numbers_side_by_side(client):
    presets = {p["slug"]: p for p in client.get("/api/v1/network/presets").json()["presets"]}
    assert [s["macs"] for s in presets["spatially_separable"]["sides"]] == [72, 81]
    assert [s["receptive_field"]["size"] for s in presets["dilated_stack"]["sides"]] == [[15, 15], [7, 7]]
    assert presets["depthwise_separable"]["ratio"]["params"] == pytest.approx(1 / 8 + 1 / 9)

"""GET/POST /api/v1/network?detail=summary over a real server: the numbers the /network page draws,
checked against torch.nn.Sequential and hand-worked receptive fields, equal to the full answer's,
and a wrong `detail` refused by name in English and Chinese."""

from __future__ import annotations

import httpx
import pytest
import torch
from torch import nn


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


# the bench's 3-layer network on 16x16
THREE = {"input_size": 16, "layers": [
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
    {"op": "max_pool2d", "kernel_size": 2},
    {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "dilation": 2},
]}
THREE_TEXT = {"input_size": "16", "layers": "conv2d:out_channels=2:k3:p1;max_pool2d:k2;conv2d:out_channels=2:k3:d2"}


def torch_three() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, dilation=2, bias=False))


def test_summary_numbers_match_torch_and_hand_worked_fields(client):
    r = client.get("/api/v1/network", params={**THREE_TEXT, "detail": "summary"})
    assert r.status_code == 200, r.text
    s = r.json()
    net = torch_three()
    x = torch.zeros(1, 1, 16, 16)
    shapes = []
    for layer in net:
        x = layer(x)
        shapes.append(list(x.shape[1:]))
    assert [n["output_shape"] for n in s["layer_numbers"]] == shapes == [[2, 16, 16], [2, 8, 8], [2, 4, 4]]
    assert s["input_shape"] == [1, 16, 16] and s["output_shape"] == [2, 4, 4]
    assert s["params"] == sum(p.numel() for p in net.parameters()) == 54
    assert [n["op"] for n in s["layer_numbers"]] == ["conv2d", "max_pool2d", "conv2d"]
    assert [n["arithmetic"]["parameters"] for n in s["layer_numbers"]] == [sum(p.numel() for p in m.parameters()) for m in net]
    # by hand: r = 1+2 = 3, then 3+1 = 4 (pool k2 s2: j 1 -> 2), then 4 + 2*(3-1)*2 = 12;
    # start: 0 + (1-1)*1 = 0, then 0 + (1/2)*1 = 0.5, then 0.5 + (2*2/2 - 0)*2 = 4.5
    rf = s["receptive_field"]
    assert [f["size"] for f in rf] == [[3, 3], [4, 4], [12, 12]]
    assert [f["jump"] for f in rf] == [[1, 1], [2, 2], [2, 2]]
    assert [f["start"] for f in rf] == [[0, 0], [0.5, 0.5], [4.5, 4.5]]
    # paths with every weight 1 through layers[0] (3x3, padding 1, on ones): 4 real cells at a corner, 9 inside
    assert len(s["overlap"]) == 3 and s["overlap"][0][0][0][0] == 4 and s["overlap"][0][0][5][5] == 9


def test_summary_is_the_full_answer_without_the_traces(client):
    full = client.post("/api/v1/network", json=THREE).json()
    r = client.post("/api/v1/network?detail=summary", json=THREE)
    assert r.status_code == 200
    s = r.json()
    assert set(full) - set(s) == {"layers", "input", "output"} and set(s) - set(full) == {"layer_numbers"}
    assert {k: v for k, v in full.items() if k in s} == {k: v for k, v in s.items() if k in full}
    assert s["layer_numbers"] == [{k: layer[k] for k in ("op", "output_shape", "arithmetic")} for layer in full["layers"]]
    assert "nn.Conv2d(2, 2, kernel_size=3, dilation=2, bias=False)" == s["layer_numbers"][2]["arithmetic"]["torch"]
    assert len(r.content) * 50 < len(client.post("/api/v1/network", json=THREE, headers={"accept-encoding": "identity"}).content)
    assert client.get("/api/v1/network", params={**THREE_TEXT, "detail": "summary"}).json() == s
    assert client.get("/api/v1/network", params={**THREE_TEXT, "detail": "full"}).json() == full


@pytest.mark.parametrize("lang, header, words", [
    ("en", {}, "detail: must be one of full, summary (got 'numbers')"),
    ("zh", {"accept-language": "zh-CN"}, "detail：必须是 full, summary 之一（收到 'numbers'）"),
])
def test_a_wrong_detail_is_422_naming_it_in_both_languages(client, lang, header, words):
    for r in (client.get("/api/v1/network", params={**THREE_TEXT, "detail": "numbers", "lang": lang}),
              client.post("/api/v1/network?detail=numbers", json=THREE, headers=header)):
        assert r.status_code == 422, r.text
        d = r.json()["detail"][0]
        assert d["param"] == "detail" and d["code"] == "not_choice"
        assert d["msg"] == words


def test_detail_given_twice_is_refused(client):
    r = client.get("/api/v1/network?layers=conv2d&detail=summary&detail=full")
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "detail"


def test_openapi_types_the_detail_parameter_and_both_answers(client):
    api = client.get("/openapi.json").json()["paths"]["/api/v1/network"]
    for method in ("get", "post"):
        detail = [p for p in api[method]["parameters"] if p["name"] == "detail"]
        assert detail and detail[0]["schema"]["enum"] == ["full", "summary"]
        answers = api[method]["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
        assert [a["title"] for a in answers] == ["full", "summary"]
        assert "layer_numbers" in answers[1]["required"] and "layers" in answers[0]["required"]


# ---------------------------------------------------------------- the still scene (a quick first paint)

def test_a_still_scene_is_the_whole_scene_with_one_frame(client):
    whole = client.get("/api/v1/network/scene", params=THREE_TEXT).json()
    count = len(whole["frames"])
    # 672 steps are more than 100 frames: one frame per output row (2x16, 2x8 and 2x4 rows) and the cone
    assert count == len(whole["meta"]["steps"]) == 2 * 16 + 2 * 8 + 2 * 4 + 1
    for n, shown in ((0, 0), (7, 7), (count - 1, count - 1), (10**6, count - 1)):
        r = client.get("/api/v1/network/scene", params={**THREE_TEXT, "still": str(n)})
        assert r.status_code == 200, r.text
        still = r.json()
        assert still["meta"].pop("still") == shown
        # the page's numbers come with it: the summary answer, whose figures are checked against torch above
        assert still["meta"].pop("numbers") == client.get("/api/v1/network", params={**THREE_TEXT, "detail": "summary"}).json()
        assert "numbers" not in whole["meta"]
        frame = whole["frames"][shown]
        named = {item["poly"] for item in frame["items"] if "poly" in item}
        assert still == {**whole, "frames": [frame], "polys": {k: v for k, v in whole["polys"].items() if k in named}}
        assert r.headers["etag"] != client.get("/api/v1/network/scene", params=THREE_TEXT).headers["etag"]


@pytest.mark.parametrize("value, code, en, zh", [
    ("-1", "negative", "still: must not be negative (got -1)", "still：不能为负数（收到 -1）"),
    ("1.5", "not_whole", "still: must be a whole number (got '1.5')", "still：必须是整数（收到 '1.5'）"),
    ("first", "not_whole", "still: must be a whole number (got 'first')", "still：必须是整数（收到 'first'）"),
])
def test_a_wrong_still_is_422_naming_it_in_both_languages(client, value, code, en, zh):
    for lang, words in (("en", en), ("zh", zh)):
        r = client.get("/api/v1/network/scene", params={**THREE_TEXT, "still": value, "lang": lang})
        assert r.status_code == 422, r.text
        d = r.json()["detail"][0]
        assert (d["param"], d["code"], d["msg"]) == ("still", code, words)


def test_openapi_types_still_on_the_scene(client):
    scene = client.get("/openapi.json").json()["paths"]["/api/v1/network/scene"]["get"]
    still = [p for p in scene["parameters"] if p["name"] == "still"]
    assert still and still[0]["schema"] == {"type": "integer", "minimum": 0}
    assert "still=N" in scene["description"]

"""GET/POST /api/v1/trace?detail=summary over a real server: the numbers the playground redraws
from, equal to the full trace without its steps and checked against torch; caching headers on
both answers; a wrong `detail` refused by name in English and Chinese."""

from __future__ import annotations

import httpx
import pytest
import torch
import torch.nn.functional as F


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


# the bench's playground: 16x16, 3x3 kernel; and a strided, dilated, padded one
QUERIES = [{"input_size": "16", "kernel_size": "3"},
           {"input_size": "7", "kernel_size": "3", "stride": "2", "padding": "2", "dilation": "2", "out_channels": "2"}]


@pytest.mark.parametrize("query", QUERIES)
def test_summary_is_the_full_trace_without_steps(client, query):
    full = client.get("/api/v1/trace", params=query).json()
    r = client.get("/api/v1/trace", params={**query, "detail": "summary"})
    assert r.status_code == 200, r.text
    s = r.json()
    steps = full.pop("steps")
    assert s.pop("step_count") == len(steps) > 0
    assert s == full
    assert client.get("/api/v1/trace", params={**query, "detail": "full"}).json() == {**full, "steps": steps}


@pytest.mark.parametrize("query", QUERIES)
def test_summary_values_match_torch(client, query):
    s = client.get("/api/v1/trace", params={**query, "detail": "summary"}).json()
    x = torch.tensor(s["input"], dtype=torch.float64)[None]
    w = torch.tensor(s["weight"], dtype=torch.float64)
    b = torch.tensor(s["bias"], dtype=torch.float64) if s["bias"] is not None else None
    sp = s["spec"]
    y = F.conv2d(x, w, b, stride=sp["stride"], padding=sp["padding"], dilation=sp["dilation"])[0]
    assert s["output"] == y.tolist()
    assert s["output_shape"] == list(y.shape)
    assert s["step_count"] == y.numel()   # one step per output cell


def test_summary_is_small_and_post_agrees(client):
    body = {"input_size": 16, "kernel_size": 3}
    identity = {"accept-encoding": "identity"}
    full = client.post("/api/v1/trace", json=body, headers=identity)
    s = client.post("/api/v1/trace?detail=summary", json=body, headers=identity)
    assert s.status_code == 200 and len(s.content) * 20 < len(full.content)
    assert s.json() == client.get("/api/v1/trace", params={**QUERIES[0], "detail": "summary"}).json()


def test_both_answers_have_etags_that_revalidate(client):
    tags = set()
    for detail in ("full", "summary"):
        r = client.get("/api/v1/trace", params={**QUERIES[0], "detail": detail})
        tag = r.headers["etag"]
        assert tag.startswith('"') and "max-age" in r.headers["cache-control"]
        assert client.get("/api/v1/trace", params={**QUERIES[0], "detail": detail}, headers={"if-none-match": tag}).status_code == 304
        tags.add(tag)
    assert len(tags) == 2
    # another spelling of the same spec has the same tag; another spec another
    same = client.get("/api/v1/trace", params={"kernel_size": "3", "input_size": "16,16"})
    assert same.headers["etag"] == client.get("/api/v1/trace", params=QUERIES[0]).headers["etag"]
    other = client.get("/api/v1/trace", params={**QUERIES[0], "stride": "2"}, headers={"if-none-match": same.headers["etag"]})
    assert other.status_code == 200 and other.headers["etag"] != same.headers["etag"]


@pytest.mark.parametrize("lang, header, words", [
    ("en", {}, "detail: must be one of full, summary (got 'steps')"),
    ("zh", {"accept-language": "zh-CN"}, "detail：必须是 full, summary 之一（收到 'steps'）"),
])
def test_a_wrong_detail_is_422_naming_it_in_both_languages(client, lang, header, words):
    for r in (client.get("/api/v1/trace", params={**QUERIES[0], "detail": "steps", "lang": lang}),
              client.post("/api/v1/trace?detail=steps", json={"input_size": 5}, headers=header)):
        assert r.status_code == 422, r.text
        d = r.json()["detail"][0]
        assert (d["param"], d["code"], d["msg"]) == ("detail", "not_choice", words)


def test_detail_given_twice_is_refused(client):
    r = client.get("/api/v1/trace?input_size=5&detail=summary&detail=full")
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "detail"


def test_openapi_types_the_detail_parameter_and_both_answers(client):
    api = client.get("/openapi.json").json()["paths"]["/api/v1/trace"]
    for method in ("get", "post"):
        detail = [p for p in api[method]["parameters"] if p["name"] == "detail"]
        assert len(detail) == 1 and detail[0]["schema"]["enum"] == ["full", "summary"]
        answers = api[method]["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
        assert [a["title"] for a in answers] == ["full", "summary"]
        assert "steps" in answers[0]["required"] and "step_count" in answers[1]["required"]
        assert "422" in api[method]["responses"]

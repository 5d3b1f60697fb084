"""upsample and the adaptive pools over a real uvicorn server: listed, traced, drawn, refused with a 422."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NEW = ("upsample", "adaptive_avg_pool2d", "adaptive_max_pool2d")


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_ops_lists_them_with_their_fields(client):
    ops = {op["name"]: op for op in client.get("/api/v1/ops").json()["ops"]}
    assert set(NEW) <= set(ops)
    fields = {name: [f["name"] for f in ops[name]["fields"]] for name in NEW}
    assert fields["upsample"] == ["input_size", "in_channels", "size", "scale_factor", "mode", "align_corners", "input"]
    assert fields["adaptive_avg_pool2d"] == fields["adaptive_max_pool2d"] == ["input_size", "in_channels", "output_size", "input"]
    assert ops["upsample"]["torch"]["module"] == "torch.nn.Upsample"
    assert ops["upsample"]["mutually_exclusive"] == [["size", "scale_factor"]]


def test_upsample_from_a_query_string(client):
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    r = client.get("/api/v1/trace", params={"op": "upsample", "input": str(x.tolist()), "scale_factor": "1.5,2", "mode": "bilinear"})
    assert r.status_code == 200, r.text
    body = r.json()
    want = F.interpolate(torch.tensor(x)[None, None], scale_factor=(1.5, 2), mode="bilinear", align_corners=False)[0]
    np.testing.assert_allclose(np.array(body["output"]), want.numpy(), rtol=0, atol=1e-12)
    taps = body["steps"][0]["taps"]
    assert taps and all("coefficient" in tap for tap in taps)
    assert body["arithmetic"]["torch"] == "nn.Upsample(scale_factor=(1.5, 2.0), mode='bilinear', align_corners=False)"


def test_adaptive_max_pool_steps_are_ragged_with_one_winner(client):
    body = client.get("/api/v1/trace", params={"op": "adaptive_max_pool2d", "input_size": "5", "output_size": "3"}).json()
    assert [len(s["taps"]) for s in body["steps"]] == [4, 6, 4, 6, 9, 6, 4, 6, 4]  # windows of 2 and 3 cells a side
    assert all(sum(1 for t in s["taps"] if t.get("winner")) == 1 for s in body["steps"])


@pytest.mark.parametrize("query, param, words", [
    ({"op": "upsample", "align_corners": "true"}, "align_corners", "bilinear and bicubic only"),
    ({"op": "upsample", "size": "4", "scale_factor": "2"}, "scale_factor", "not both"),
    ({"op": "upsample", "input_size": "5", "scale_factor": "0.1"}, "scale_factor", "= 0 output rows"),
    ({"op": "adaptive_avg_pool2d", "output_size": "0"}, "output_size", "at least 1"),
    ({"op": "adaptive_avg_pool2d", "kernel_size": "2"}, "kernel_size", "adaptive_avg_pool2d has no kernel_size"),
])
def test_bad_input_is_a_422_naming_the_field(client, query, param, words):
    for lang in ("en", "zh"):
        r = client.get("/api/v1/trace", params={**query, "lang": lang})
        assert r.status_code == 422, r.text
        detail = r.json()["detail"][0]
        assert detail["param"] == param and detail["msg"].startswith(param)
        if lang == "en":
            assert words in detail["msg"]


@pytest.mark.parametrize("query", [
    {"op": "upsample", "input_size": "4", "scale_factor": "2", "mode": "bilinear"},
    {"op": "adaptive_max_pool2d", "input_size": "7", "output_size": "2"},
])
def test_drawn_like_every_operation(client, query):
    r = client.get("/api/v1/animation.gif", params=query)
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif" and r.content[:6] == b"GIF89a"


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(
    st.sampled_from(["input_size", "size", "scale_factor", "mode", "align_corners", "output_size", "in_channels"]),
    st.one_of(st.text(max_size=6), st.integers(-2, 140).map(str), st.floats(-1, 50).map(lambda v: f"{v:.3g}"),
              st.sampled_from(["bilinear", "bicubic", "nearest-exact", "true", "false", "2,3", "0.5x2", "[1, 2]"])),
    max_size=5), op=st.sampled_from(NEW))
def test_garbage_never_gives_a_500(client, query, op):
    r = client.get("/api/v1/trace", params={**query, "op": op})
    assert r.status_code in (200, 422), (query, r.status_code, r.text[:300])

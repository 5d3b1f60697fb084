"""The JSON API over a real uvicorn server, against PyTorch and hand-worked cases."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def test_get_and_post_agree_and_match_the_paper(client):
    query = {"input_size": "5", "kernel_size": "3", "stride": "2", "padding": "1"}
    got = client.get("/api/v1/trace", params=query)
    posted = client.post("/api/v1/trace", json={"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1})
    assert got.status_code == posted.status_code == 200
    assert got.json() == posted.json()
    # the paper's "padding, strides" numerical figure (Dumoulin & Visin, fig. 2.x)
    assert got.json()["output"] == [[[6, 17, 3], [8, 17, 13], [6, 4, 4]]]


@pytest.mark.parametrize("text", ["4,5", "4x5", "4 x 5", "4×5", "[4, 5]"])
def test_a_pair_may_be_written_as_in_file_names(client, text):
    r = client.get("/api/v1/trace", params={"input_size": text, "kernel_size": "3"})
    assert r.status_code == 200 and r.json()["spec"]["input_size"] == [4, 5]
    assert r.json()["output_shape"][-2:] == [2, 3]


def test_response_is_gzip_compressed(client):
    r = client.get("/api/v1/trace", params={"input_size": "16"}, headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < len(r.content) / 4


def test_trace_structure(client):
    body = client.post("/api/v1/trace", json={"op": "max_pool2d", "kernel_size": 2, "input_size": 4}).json()
    assert body["output_size"] == [2, 2]
    assert len(body["steps"]) == 4
    step = body["steps"][0]
    assert step["output_index"] == [0, 0, 0]
    assert [t["canvas_index"] for t in step["taps"]] == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
    assert sum(1 for t in step["taps"] if t.get("winner")) == 1
    assert body["arithmetic"]["torch"] == "nn.MaxPool2d(kernel_size=2)"


def _torch_conv(spec: dict, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    xt = torch.tensor(x, dtype=torch.float64)[None]
    wt = torch.tensor(w, dtype=torch.float64)
    bt = torch.tensor(b, dtype=torch.float64)
    if spec["op"] == "conv2d":
        return F.conv2d(xt, wt, bt, stride=spec["stride"], padding=spec["padding"], dilation=spec["dilation"], groups=spec["groups"])[0].numpy()
    return F.conv_transpose2d(xt, wt, bt, stride=spec["stride"], padding=spec["padding"], output_padding=spec["output_padding"],
                              dilation=spec["dilation"], groups=spec["groups"])[0].numpy()


@st.composite
def conv_specs(draw):
    op = draw(st.sampled_from(["conv2d", "conv_transpose2d"]))
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    p = draw(st.integers(0, 2))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    op_pad = draw(st.integers(0, max(s, d) - 1)) if op == "conv_transpose2d" else 0
    spec = {"op": op, "input_size": [h, w], "in_channels": cin, "out_channels": cout, "groups": groups,
            "kernel_size": k, "stride": s, "padding": p, "dilation": d}
    if op == "conv_transpose2d":
        spec["output_padding"] = op_pad
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    x = rng.normal(size=(cin, h, w)).round(3)
    wshape = (cout, cin // groups, k, k) if op == "conv2d" else (cin, cout // groups, k, k)
    return spec, x, rng.normal(size=wshape).round(3), rng.normal(size=cout).round(3)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=conv_specs())
def test_api_outputs_equal_torch(client, case):
    spec, x, w, b = case
    try:
        expected = _torch_conv({**spec, "output_padding": spec.get("output_padding", 0)}, x, w, b)
    except RuntimeError:
        expected = None
    body = {**spec, "input": x.tolist(), "weight": w.tolist(), "bias": b.tolist()}
    r = client.post("/api/v1/trace", json=body)
    if expected is None or 0 in expected.shape:
        assert r.status_code == 422, r.text
        return
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(np.array(r.json()["output"], dtype=float), expected, rtol=1e-9, atol=1e-9)


BAD = [
    ({"input_size": "0"}, "input_size", "at least 1"),
    ({"stride": "-1"}, "stride", "at least 1"),
    ({"dilation": "0"}, "dilation", "at least 1"),
    ({"padding": "-1"}, "padding", "negative"),
    ({"input_size": "4", "kernel_size": "3", "dilation": "2"}, "kernel_size", "the dilated kernel (5x5) is larger than the padded input (4x4)"),
    ({"in_channels": "4", "out_channels": "6", "groups": "4"}, "groups", "must divide both"),
    ({"padding": "same", "stride": "2"}, "padding", "'same' needs stride 1"),
    ({"input_size": "3", "padding": "3", "padding_mode": "reflect", "kernel_size": "3"}, "padding", "smaller than the input"),
    ({"op": "conv_transpose2d", "stride": "2", "output_padding": "2"}, "output_padding", "smaller than the stride or the dilation"),
    ({"op": "max_pool2d", "kernel_size": "3", "padding": "2"}, "padding", "at most half the kernel size"),
    ({"input": "[[1, 2], [3, 4]]", "input_size": "3"}, "input", "expected shape"),
    ({"input": "[[1, 2], [3, NaN]]"}, "input", "not valid JSON"),
    ({"input": '[[1, 2], [3, "a"]]'}, "input", "nested list of numbers"),
    ({"op": "conv3d"}, "op", "must be one of"),
    ({"padding_mode": "mirror"}, "padding_mode", "must be one of"),
    ({"kernel_size": "x"}, "kernel_size", "must be a whole number"),
    ({"input_size": "65"}, "input_size", "at most 64"),
    ({"in_channels": "9"}, "in_channels", "at most 8"),
    ({"kernel_size": "12", "input_size": "20"}, "kernel_size", "at most 11"),
    ({"input_size": "64", "kernel_size": "5", "in_channels": "2", "out_channels": "2"}, "input_size", "taps, more than the 50,000 allowed"),
    ({"colour": "red"}, "colour", "is not a field of conv2d"),
]


@pytest.mark.parametrize("query, param, words", BAD, ids=[b[1] + ":" + b[2][:24] for b in BAD])
def test_bad_input_is_a_422_naming_the_parameter(client, query, param, words):
    r = client.get("/api/v1/trace", params=query)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["param"] == param
    assert detail["msg"].startswith(param + ":")
    assert words in detail["msg"]


def test_non_finite_json_body_is_refused(client):
    r = client.post("/api/v1/trace", content=b'{"input": [[1, 2], [3, Infinity]]}', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["param"] == "input"


def test_body_that_is_not_an_object_is_refused(client):
    for body in (b"[1, 2]", b"{oops", b'"conv2d"'):
        r = client.post("/api/v1/trace", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["msg"]


def test_messages_in_chinese(client):
    r = client.get("/api/v1/trace", params={"input_size": "4", "dilation": "2"}, headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 422
    assert "卷积核" in r.json()["detail"][0]["msg"]
    r = client.get("/api/v1/trace", params={"input_size": "4", "dilation": "2", "lang": "en"}, headers={"accept-language": "zh-CN"})
    assert "kernel" in r.json()["detail"][0]["msg"]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(
    st.sampled_from(["op", "input_size", "kernel_size", "stride", "padding", "dilation", "groups", "in_channels",
                     "out_channels", "output_padding", "padding_mode", "ceil_mode", "view", "input", "weight", "bias"]),
    st.one_of(st.text(max_size=8), st.integers(-3, 70).map(str), st.sampled_from(["same", "valid", "full", "[1,2]", "{}", "1,2,3", "true", "reflect", "scatter", "max_pool2d", "conv_transpose2d"])),
    max_size=6))
def test_garbage_never_gives_a_500(client, query):
    r = client.get("/api/v1/trace", params=query)
    assert r.status_code in (200, 422), (query, r.status_code, r.text[:300])
    if r.status_code == 422:
        assert r.json()["detail"][0]["msg"]


def test_openapi_docs_describe_the_fields(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/v1/trace"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    assert "kernel_size" in body["schema"]["properties"]
    assert body["examples"]
    names = {p["name"] for p in spec["paths"]["/api/v1/trace"]["get"]["parameters"]}
    assert {"input_size", "kernel_size", "padding", "input"} <= names
    assert json.dumps(spec)  # serialisable

"""Values typed in the playground travel with the permalink: oEmbed, downloads' names, shading as an option."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import torch

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def embed_query(client, live_server, query: str) -> str:
    body = client.get("/oembed", params={"url": f"{live_server}/?{query}", "format": "json"}).json()
    src = htmllib.unescape(re.search(r'src="([^"]+)"', body["html"]).group(1))
    return urlsplit(src).query


@pytest.mark.parametrize("bias", [[0.5], [2, 2], [1.5, -3]])
def test_oembed_carries_the_bias_and_weights_the_trace_then_uses(client, live_server, bias):
    """A bias of one or two equal numbers was written as a bare number (refused by the API)."""
    weight = [[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]] * len(bias)
    query = httpx.QueryParams({"op": "conv2d", "out_channels": len(bias), "weight": str(weight).replace(" ", ""),
                               "bias": str(bias).replace(" ", ""), "shading": "true"})
    embedded = embed_query(client, live_server, str(query))
    pairs = dict(parse_qsl(embedded))
    assert pairs.pop("shading") == "true"
    r = client.get("/api/v1/trace", params=pairs)
    assert r.status_code == 200, r.text
    assert r.json()["bias"] == bias and r.json()["weight"] == weight
    # the numbers are torch's for those weights
    x = torch.tensor(r.json()["input"], dtype=torch.float64)[None]
    expected = torch.nn.functional.conv2d(x, torch.tensor(weight, dtype=torch.float64), torch.tensor(bias, dtype=torch.float64))[0]
    assert r.json()["output"] == expected.tolist()


def test_each_still_frame_downloads_under_its_own_name(client):
    names = set()
    for frame in (0, 3, 8):
        r = client.get("/api/v1/animation.png", params={"op": "conv2d", "input_size": 5, "kernel_size": 3, "frame": frame})
        assert r.status_code == 200
        names.add(re.search(r'filename="([^"]+)"', r.headers["content-disposition"]).group(1))
    assert names == {"conv2d_5x5_k3_s1_p0_frame0.png", "conv2d_5x5_k3_s1_p0_frame3.png", "conv2d_5x5_k3_s1_p0_frame8.png"}
    gif = client.get("/api/v1/animation.gif", params={"op": "conv2d", "input_size": 5, "kernel_size": 3})
    assert 'filename="conv2d_5x5_k3_s1_p0.gif"' in gif.headers["content-disposition"]


def test_shading_is_an_option_that_changes_the_picture_only_when_on(client):
    plain = client.get("/api/v1/animation.png", params={"input_size": 5})
    off = client.get("/api/v1/animation.png", params={"input_size": 5, "shading": "false"})
    on = client.get("/api/v1/animation.png", params={"input_size": 5, "shading": "true"})
    assert plain.headers["etag"] == off.headers["etag"] != on.headers["etag"]
    assert plain.content == off.content != on.content
    bad = client.get("/api/v1/animation.png", params={"input_size": 5, "shading": "blue"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["param"] == "shading"

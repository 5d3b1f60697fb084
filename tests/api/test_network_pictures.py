"""Network pictures over a real uvicorn server: the scene, every format (decoded), ETags that
ignore spelling, 422s that name the layer and field, the embed, oEmbed and its permalink round trip."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from app.engine.networks_presets import PRESETS, get


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=120) as c:
        yield c


# the checkerboard preset's transposed conv: 4x4 -> 8x8, one frame per output cell and the cone
CHECKER = {"input_size": "4", "layers": "conv_transpose2d:k3:s2:p1:output_padding=1"}
CHECKER_JSON = {"input_size": "4", "layers": json.dumps([{"op": "conv_transpose2d", "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}])}


def test_gif_has_a_frame_per_step_and_the_cone(client):
    r = client.get("/api/v1/network/animation.gif", params=CHECKER)
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif"
    assert 'filename="network_4x4_conv_transpose2d.gif"' in r.headers["content-disposition"]
    gif = Image.open(io.BytesIO(r.content))
    assert gif.n_frames == 8 * 8 + 1
    scene = client.get("/api/v1/network/scene", params=CHECKER).json()
    assert gif.size == (scene["width"], scene["height"])
    assert len(scene["frames"]) == 65 and scene["meta"]["steps"][0] == [0, 0] and scene["meta"]["steps"][-1] is None


@pytest.mark.parametrize("fmt, kind", [("png", "PNG"), ("webp", "WEBP")])
def test_other_raster_formats_decode(client, fmt, kind):
    r = client.get(f"/api/v1/network/animation.{fmt}", params={**CHECKER, "frame": "3"} if fmt == "png" else CHECKER)
    assert r.status_code == 200
    assert Image.open(io.BytesIO(r.content)).format == kind


def test_svg_names_every_map(client):
    r = client.get("/api/v1/network/animation.svg", params={**CHECKER, "frame": "64"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in r.text and "input 4×4" in r.text and "output 8×8" in r.text


def test_spelling_does_not_change_the_etag(client):
    a = client.get("/api/v1/network/animation.gif", params=CHECKER)
    b = client.get("/api/v1/network/animation.gif", params=CHECKER_JSON)
    assert a.headers["etag"] == b.headers["etag"] and a.content == b.content
    assert client.get("/api/v1/network/animation.gif", params=CHECKER, headers={"if-none-match": a.headers["etag"]}).status_code == 304
    other = client.get("/api/v1/network/animation.gif", params={**CHECKER, "layout": "flat"})
    assert other.headers["etag"] != a.headers["etag"]


def test_every_spelling_of_one_network_shares_one_etag_and_one_answer(client):
    """Defaults left out or written, a size as one number or two, readable layers or JSON: the same
    network, so the same ETag, a 304 for another spelling's tag, and the answer stored once."""
    spellings = [
        {"input_size": "7", "layers": "conv2d:out_channels=2;max_pool2d:k2"},
        {"input_size": "7,7", "in_channels": "1", "layers": "conv2d:out_channels=2:kernel_size=3:s1:p0;max_pool2d:k2:s2"},
        {"input_size": "[7,7]", "layers": json.dumps([{"op": "conv2d", "out_channels": 2, "dilation": 1},
                                                       {"op": "max_pool2d", "kernel_size": [2, 2]}])},
    ]
    first = client.get("/api/v1/network/animation.gif", params=spellings[0])
    assert first.status_code == 200
    for other in spellings[1:]:
        r = client.get("/api/v1/network/animation.gif", params=other)
        assert r.headers["etag"] == first.headers["etag"] and r.content == first.content
        assert r.headers["server-timing"].startswith("cache"), r.headers["server-timing"]
        assert client.get("/api/v1/network/animation.gif", params=other, headers={"if-none-match": first.headers["etag"]}).status_code == 304
    scenes = [client.get("/api/v1/network/scene", params=p) for p in spellings]
    assert len({r.headers["etag"] for r in scenes}) == 1 and scenes[0].headers["etag"] != first.headers["etag"]
    assert client.get("/api/v1/network/animation.gif", params={**spellings[0], "layers": "conv2d:out_channels=3;max_pool2d:k2"}).headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize("params, param, words", [
    ({"input_size": "5", "layers": "conv2d:groups=3"}, "layers[0].groups", "3 does not divide the 1 channels"),
    ({"input_size": "5", "layers": "conv2d;conv2d;conv2d:k5"}, "layers[2].kernel_size", "larger than"),
    ({"input_size": "20", "layers": "conv2d:p1;conv2d:p1", "granularity": "step"}, "granularity", "granularity=row"),
    # the depthwise-separable preset at scale 1: 97 frames of 3864x955 pixels; 0.75 would still be 201M pixels
    ({"input_size": "8", "in_channels": "4", "layers": "conv2d:out_channels=4:groups=4:k3:p1;conv2d:out_channels=8:k1", "scale": "1"},
     "scale", "use scale=0.5"),
    ({"input_size": "5", "layers": "conv2d", "scale": "99"}, "scale", ""),
])
def test_refusals_name_the_layer_and_field(client, params, param, words):
    r = client.get("/api/v1/network/animation.gif", params=params)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["param"] == param and words in detail["msg"]
    zh = client.get("/api/v1/network/animation.gif", params={**params, "lang": "zh"}).json()["detail"][0]
    assert zh["param"] == param and re.search(r"[\u4e00-\u9fff]", zh["msg"])


@pytest.mark.parametrize("slug, side", [(p.slug, n) for p in PRESETS for n in range(len(p.sides))])
def test_every_preset_downloads_as_a_gif_at_the_defaults(client, slug, side):
    """No granularity or scale given: the server picks them so the GIF is within the caps, and says which."""
    spec = get(slug).sides[side][1]
    params = {k: json.dumps(v) for k, v in spec.items()}
    scene = client.get("/api/v1/network/scene", params=params).json()
    r = client.get("/api/v1/network/animation.gif", params=params)
    assert r.status_code == 200, r.text
    gif = Image.open(io.BytesIO(r.content))
    assert gif.size == (scene["width"], scene["height"]) and gif.n_frames == len(scene["frames"])
    assert gif.size[0] * gif.size[1] * gif.n_frames <= 200_000_000   # caps.MAX_TOTAL_PIXELS
    chosen = scene["meta"]["options"]
    steps = sum(len(t["steps"]) for t in client.get("/api/v1/network", params=params).json()["layers"]) + 1
    assert chosen["granularity"] == ("step" if steps <= 100 else "row")
    explicit = client.get("/api/v1/network/scene", params={**params, **{k: str(v) for k, v in chosen.items()}}).json()
    assert (explicit["width"], explicit["height"], len(explicit["frames"])) == (scene["width"], scene["height"], len(scene["frames"]))


def test_embed_page_draws_the_network_scene_and_may_be_framed(client):
    r = client.get("/network/embed", params=CHECKER)
    assert r.status_code == 200
    assert 'data-api="/api/v1/network"' in r.text and "/api/v1/network/animation.gif?" in r.text
    assert "frame-ancestors" not in r.headers["content-security-policy"]
    assert "frame-ancestors" in client.get("/network").headers["content-security-policy"]


def test_oembed_gives_an_iframe_whose_permalink_round_trips(client, live_server):
    url = f"{live_server}/network?input_size=4&layers=conv_transpose2d:k3:s2:p1:output_padding=1&layout=flat"
    body = client.get("/oembed", params={"url": url, "format": "json"}).json()
    assert body["type"] == "rich" and body["title"] == "conv_transpose2d"
    src = re.search(r'src="([^"]+)"', body["html"]).group(1).replace("&amp;", "&")
    parts = urlsplit(src)
    assert parts.path == "/network/embed" and "layers=conv_transpose2d:s2:p1:op1" in parts.query and "layout=flat" in parts.query
    again = client.get("/api/v1/network/scene?" + parts.query)
    first = client.get("/api/v1/network/scene", params={**CHECKER, "layout": "flat"})
    scene = first.json()
    assert again.json() == scene   # the same picture (the ETag follows the query's spelling: k3 left out here)
    assert (body["width"], body["height"]) == (scene["width"], scene["height"] + 56)
    small = client.get("/oembed", params={"url": url, "maxwidth": "200"}).json()
    assert small["width"] == 200


def test_network_page_embeds_the_presets_and_the_url_network(client):
    r = client.get("/network", params={"input_size": "16", "layers": "conv2d;conv2d:d2;conv2d:d4", "lang": "zh"})
    assert r.status_code == 200 and "添加一层" in r.text
    page = json.loads(re.search(r'<script type="application/json" id="network-page">(.*?)</script>', r.text, re.S).group(1))
    assert len(page["presets"]) == 6
    assert page["initial"] == {"input_size": 16, "layers": [{"op": "conv2d"}, {"op": "conv2d", "dilation": 2}, {"op": "conv2d", "dilation": 4}]}
    dilated = next(p for p in page["presets"] if p.get("slug") == "dilated_stack")
    assert [s["receptive_field"]["size"] for s in dilated["sides"]] == [[15, 15], [7, 7]]


def test_a_numbers_scene_past_the_cap_in_rows_names_numbers(client):
    """Frames by row already: the refusal names numbers (the one change that helps), not granularity."""
    six = {"input_size": "32", "layers": json.dumps([
        {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1},
        {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1},
        {"op": "max_pool2d", "kernel_size": 2},
        {"op": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
        {"op": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
        {"op": "conv2d", "out_channels": 1, "kernel_size": 1}])}
    r = client.get("/api/v1/network/scene", params={**six, "numbers": "true", "granularity": "row"})
    assert r.status_code == 422, r.text[:200]
    detail = r.json()["detail"][0]
    assert (detail["code"], detail["param"]) == ("scene_too_large", "numbers")
    assert client.get("/api/v1/network/scene", params={**six, "granularity": "row"}).status_code == 200

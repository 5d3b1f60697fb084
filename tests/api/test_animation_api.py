"""The animation endpoint over a real server: bytes, caching headers, 304, caps."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_gif_with_cache_headers_and_a_descriptive_name(client):
    r = client.get("/api/v1/animation.gif", params={"input_size": "5", "kernel_size": "3", "stride": "2", "padding": "1"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/gif"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["access-control-allow-origin"] == "*"
    assert 'filename="conv2d_5x5_k3_s2_p1.gif"' in r.headers["content-disposition"]
    assert r.headers["etag"].startswith('"') and r.headers["etag"].endswith('"')
    im = Image.open(io.BytesIO(r.content))
    assert im.n_frames == 9


def test_etag_ignores_spelling_and_order_and_answers_304(client):
    a = client.get("/api/v1/animation.gif?input_size=5&kernel_size=3&padding=1&labels=false")
    b = client.get("/api/v1/animation.gif?padding=1,1&labels=0&kernel_size=3,3&input_size=5,5&op=conv2d")
    assert a.status_code == b.status_code == 200
    assert a.headers["etag"] == b.headers["etag"]
    assert a.content == b.content
    c = client.get("/api/v1/animation.gif?input_size=5&kernel_size=3&padding=1&labels=false", headers={"if-none-match": a.headers["etag"]})
    assert c.status_code == 304
    assert c.content == b""
    d = client.get("/api/v1/animation.gif?input_size=5&kernel_size=3&padding=2&labels=false", headers={"if-none-match": a.headers["etag"]})
    assert d.status_code == 200 and d.headers["etag"] != a.headers["etag"]


@pytest.mark.parametrize("fmt, kind", [("webp", "WEBP"), ("png", "PNG")])
def test_other_formats(client, fmt, kind):
    r = client.get(f"/api/v1/animation.{fmt}", params={"input_size": "4", "kernel_size": "3", "frame": "2"} if fmt == "png" else {"input_size": "4"})
    assert r.status_code == 200
    assert Image.open(io.BytesIO(r.content)).format == kind


def test_mp4_and_svg(client):
    r = client.get("/api/v1/animation.mp4", params={"input_size": "4"})
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    assert r.content[4:8] == b"ftyp"
    r = client.get("/api/v1/animation.svg", params={"input_size": "4"})
    assert r.status_code == 200 and r.text.startswith("<svg")


def test_too_many_frames_says_how_to_stay_under(client):
    r = client.get("/api/v1/animation.gif", params={"input_size": "40"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["param"] == "granularity"
    assert "granularity=row" in detail["msg"]
    ok = client.get("/api/v1/animation.gif", params={"input_size": "40", "granularity": "row", "scale": "0.5"})
    assert ok.status_code == 200
    assert Image.open(io.BytesIO(ok.content)).n_frames == 38


def test_limits_list_the_render_caps_that_are_enforced(client):
    caps = client.get("/api/v1/limits").json()["render"]
    webp = next(w for w in caps["writers"] if w["name"] == "webp")
    assert webp["limits"]["max_total_pixels"] < caps["max_total_pixels"]
    r = client.get("/api/v1/animation.gif", params={"input_size": "40"})   # 38 x 38 = 1,444 frames
    assert f"more than the {caps['max_frames']} allowed" in r.json()["detail"][0]["msg"]


def test_large_webp_is_refused_with_a_way_out_and_the_gif_is_not(client):
    params = {"input_size": "12", "padding": "1"}   # 144 frames of about 0.65 MP
    r = client.get("/api/v1/animation.webp", params=params)
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["param"] == "format" and detail["code"] == "webp_too_large"
    assert "GIF or MP4" in detail["msg"] and "60,000,000" in detail["msg"]
    gif = client.get("/api/v1/animation.gif", params=params)
    assert gif.status_code == 200 and Image.open(io.BytesIO(gif.content)).n_frames == 144


def test_bad_options_and_formats(client):
    for path, params, param in [
        ("/api/v1/animation.bmp", {}, "format"),
        ("/api/v1/animation.gif", {"scale": "50"}, "scale"),
        ("/api/v1/animation.gif", {"layout": "3d"}, "layout"),
        ("/api/v1/animation.png", {"frame": "99"}, "frame"),
        ("/api/v1/animation.gif", {"kernel_size": "9"}, "kernel_size"),
    ]:
        r = client.get(path, params=params)
        assert r.status_code == 422, (path, params, r.text)
        assert r.json()["detail"][0]["param"] == param


def test_scene_json_matches_the_gif_geometry(client):
    q = {"input_size": "5", "kernel_size": "3", "padding": "1", "labels": "false"}
    scene = client.get("/api/v1/scene", params=q).json()
    gif = Image.open(io.BytesIO(client.get("/api/v1/animation.gif", params=q).content))
    assert (scene["width"], scene["height"]) == gif.size
    assert len(scene["frames"]) == gif.n_frames == 25
    assert scene["meta"]["steps"] == list(range(25))

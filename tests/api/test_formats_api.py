"""The writer registry, seen from outside: /api/v1/limits lists the writers, and the
endpoint, the page's download links and the CLI offer exactly those, each bytes of
its declared type (checked by the formats' own signatures)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from app.cli import parser

SIGNATURES = {   # from the format specifications, not from our code
    "image/gif": lambda b: b[:6] == b"GIF89a",
    "image/webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "video/mp4": lambda b: b[4:8] == b"ftyp",
    "image/png": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
    "image/svg+xml": lambda b: b.lstrip().startswith(b"<svg"),
}


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def writers(client):
    return client.get("/api/v1/limits").json()["render"]["writers"]


def test_every_listed_writer_answers_with_its_media_type(client, writers):
    assert {w["name"] for w in writers} >= {"gif", "webp", "mp4", "png", "svg"}
    for w in writers:
        assert w["suffix"] == "." + w["name"]
        r = client.get(f"/api/v1/animation.{w['name']}", params={"input_size": "4"})
        assert r.status_code == 200, (w["name"], r.text[:200])
        assert r.headers["content-type"].split(";")[0] == w["media_type"]
        assert SIGNATURES[w["media_type"]](r.content), w["name"]


def test_unknown_format_names_the_parameter_and_lists_the_writers(client, writers):
    r = client.get("/api/v1/animation.bmp", params={"input_size": "4"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["param"] == "format"
    for w in writers:
        assert w["name"] in detail["msg"]


def test_pixel_caps_apply_to_raster_writers_only(client, writers):
    """At scale 4 a 24x24 input's frame is far past the raster frame cap; the SVG
    (drawn by whoever opens it) is not held to pixel caps."""
    params = {"input_size": "24", "scale": "4"}
    for w in writers:
        r = client.get(f"/api/v1/animation.{w['name']}", params=params)
        if w["raster"]:
            assert r.status_code == 422 and r.json()["detail"][0]["code"] in ("frame_too_large", "too_many_frames"), w["name"]
        else:
            assert r.status_code == 200, (w["name"], r.text[:200])
            assert w["limits"] == {}


def test_playground_is_given_every_writer_with_its_availability(client, writers):
    """The page builds one download link per available writer from the formats it embeds
    (the links themselves are checked in Chromium: tests/browser/test_form.py)."""
    page = client.get("/").text
    embedded = re.search(r'<script type="application/json" id="ops">(.*?)</script>', page, re.S).group(1)
    assert json.loads(embedded)["formats"] == writers


def test_cli_offers_the_available_writers(writers):
    gallery = parser()._subparsers._group_actions[0].choices["gallery"]
    choices = next(a.choices for a in gallery._actions if a.dest == "format")
    assert list(choices) == [w["name"] for w in writers if w["available"]]


def test_cli_render_refuses_an_unknown_suffix_before_any_work(tmp_path, capsys):
    from app.cli import main

    assert main(["render", "--input-size", "4", "-o", str(tmp_path / "out.bmp")]) == 2
    assert "format: must be one of" in capsys.readouterr().err
    assert not (tmp_path / "out.bmp").exists()


def test_scene_is_capped_by_what_the_browser_draws_not_by_raster_caps(client):
    """A 32x32 input with numbers: 900 frames, past the raster frame cap, but a
    scene the browser draws frame by frame; a 64x64 one is past the scene caps."""
    limits = client.get("/api/v1/limits").json()["render"]
    params = {"input_size": "32", "numbers": "true"}
    gif = client.get("/api/v1/animation.gif", params=params)
    assert gif.status_code == 422 and gif.json()["detail"][0]["code"] == "too_many_frames"
    scene = client.get("/api/v1/scene", params=params)
    assert scene.status_code == 200, scene.text[:300]
    assert len(scene.json()["frames"]) == 900 > limits["max_frames"]
    assert len(scene.content) <= limits["scene"]["max_bytes"]
    big = client.get("/api/v1/scene", params={"input_size": "64", "numbers": "true"})
    assert big.status_code == 422
    detail = big.json()["detail"][0]
    assert detail["code"] == "scene_too_large" and detail["param"] == "granularity" and "granularity=row" in detail["msg"]
    assert client.get("/api/v1/scene", params={"input_size": "64", "numbers": "true", "granularity": "row"}).status_code == 200

"""/api/v1/views/{name}/scene and /animation.{fmt} over a real server: decoded files,
torch's numbers, cache headers, and every refusal a 422 naming its parameter (en and zh)."""

from __future__ import annotations

import io
import json
import re

import httpx
import pytest
import torch
import torch.nn.functional as F
from PIL import Image


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_the_views_are_described_for_the_playground(client):
    views = client.get("/api/v1/ops").json()["views"]
    assert [v["name"] for v in views["views"]] == ["forward", "matrix", "im2col", "backward"]
    assert all(v["label"]["zh"] for v in views["views"])


def test_matrix_gif_has_one_frame_per_output_cell(client):
    r = client.get("/api/v1/views/matrix/animation.gif", params={"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/gif"
    assert r.headers["content-disposition"].endswith('_matrix.gif"')
    gif = Image.open(io.BytesIO(r.content))
    assert gif.n_frames == 9   # a 3x3 output
    again = client.get("/api/v1/views/matrix/animation.gif", params={"padding": 1, "stride": 2, "kernel_size": 3, "input_size": 5},
                       headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_the_scene_lights_the_rows_of_torchs_jacobian(client):
    spec = {"input_size": 4, "kernel_size": 2, "stride": 2, "weight": "[[[[1,2],[3,4]]]]"}
    scene = client.get("/api/v1/views/matrix/scene", params=spec).json()
    w = torch.tensor([[[[1.0, 2], [3, 4]]]])
    j = torch.autograd.functional.jacobian(lambda t: F.conv2d(t, w, stride=2), torch.zeros(1, 1, 4, 4)).reshape(4, 16)
    for r, frame in enumerate(scene["frames"]):
        lit = {it["poly"] for it in frame["items"] if it.get("poly", "").startswith("input:") and it["style"] == "tap"}
        assert lit == {f"input:0:{i // 4}:{i % 4}" for i in torch.nonzero(j[r]).flatten().tolist()}


def test_backward_png_and_the_gradient_written_in_its_svg(client):
    g = [[[1, 2], [3, 4]]]
    params = {"input_size": 3, "kernel_size": 2, "numbers": "true", "grad_output": json.dumps(g)}
    png = client.get("/api/v1/views/backward/animation.png", params={**params, "frame": 4})
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).format == "PNG"
    svg = client.get("/api/v1/views/backward/animation.svg", params=params).text
    trace = client.get("/api/v1/trace", params={"input_size": 3, "kernel_size": 2}).json()
    x = torch.tensor(trace["input"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(trace["weight"], dtype=torch.float64)
    F.conv2d(x[None], w).backward(torch.tensor([g], dtype=torch.float64))
    written = "dL/dX = " + json.dumps(x.grad[0].numpy().astype(int).tolist()).replace(" ", "").replace(",", ", ")
    assert written in svg.replace("&quot;", '"')


@pytest.mark.parametrize("path, params, param, code", [
    ("/api/v1/views/im2col/scene", {"op": "max_pool2d"}, "op", "no_im2col"),
    ("/api/v1/views/matrix/scene", {"op": "max_pool2d"}, "op", "not_linear"),
    ("/api/v1/views/nothing/scene", {}, "picture", "not_choice"),
    ("/api/v1/views/backward/scene", {"grad_output": "[1]"}, "grad_output", "bad_shape"),
    ("/api/v1/views/backward/scene", {"grad_output": "[[1,"}, "grad_output", "bad_json"),
    ("/api/v1/views/matrix/animation.gif", {"input_size": 30}, "input_size", "too_many_frames"),
    ("/api/v1/views/matrix/scene", {"input_size": 21, "kernel_size": 1}, "input_size", "matrix_too_large"),
    ("/api/v1/views/matrix/scene", {"grad_output": "[[1]]"}, "grad_output", "unknown_field"),
    ("/api/v1/views/matrix/animation.bmp", {}, "format", None),
])
def test_refusals_name_the_parameter_in_both_languages(client, path, params, param, code):
    for lang, sign in (("en", None), ("zh", "：")):
        r = client.get(path, params={**params, "lang": lang})
        assert r.status_code == 422, r.text
        d = r.json()["detail"][0]
        assert d["param"] == param and (code is None or d["code"] == code)
        if sign:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in d["msg"]), d["msg"]


def test_a_view_embeds_and_its_oembed_keeps_it(client, live_server):
    def scene_of(page: str) -> str:
        api, query = (re.search(f'data-{k}="([^"]*)"', page).group(1).replace("&amp;", "&") for k in ("api", "query"))
        return f"{api}/scene?{query}"

    page = client.get("/embed", params={"input_size": 4, "padding": 1, "picture": "matrix"}).text
    assert scene_of(page) == "/api/v1/views/matrix/scene?input_size=4&padding=1"
    assert len(client.get(scene_of(page)).json()["frames"]) == 16
    assert '<img src="/api/v1/views/matrix/animation.gif?input_size=4&amp;padding=1"' in page
    assert 'href="/?input_size=4&amp;padding=1&amp;picture=matrix"' in page   # "open in convplay" keeps the view
    answer = client.get("/oembed", params={"url": f"{live_server}/?input_size=4&padding=1&picture=backward"})
    assert answer.status_code == 200, answer.text
    assert "picture=backward" in answer.json()["html"]
    # an unknown view is named by the view's endpoint, not drawn as something else
    refused = client.get(scene_of(client.get("/embed", params={"picture": "nothing"}).text))
    assert refused.status_code == 422 and refused.json()["detail"][0]["param"] == "picture"

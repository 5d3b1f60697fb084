"""The /network page's redraw asks for the scene of a spelling never seen: one render job normalises
and draws it, and the answer is still spelling-free (ETag and bytes), refused by name in en/zh.

In-process (the app over httpx's ASGI transport) with the real worker pool, so the jobs the server
hands the pool can be counted: a job per round trip is what the redraw waits for."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest

from app.engine.network import build_network
from app.render.network_scene import network_scene
from app.web import work
from app.web.app import app

# one network, three spellings (defaults left out or written, readable layers or JSON); a size of its
# own per test keeps them unseen by the answers another test stored in this process
def spellings(size: int) -> list[dict]:
    as_json = [{"op": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": 1, "dilation": 1},
               {"op": "max_pool2d", "kernel_size": [2, 2], "stride": 2}]
    return [{"input_size": str(size), "layers": "conv2d:out_channels=2:p1;max_pool2d:k2"},
            {"input_size": f"{size},{size}", "in_channels": "1", "layers": json.dumps(as_json)},
            {"input_size": f"[{size},{size}]", "layers": "conv2d:out_channels=2:k3:s1:p1;max_pool2d:k2:s2"}]


@pytest.fixture()
def jobs(monkeypatch):
    """The names of the jobs handed to the render pool, in order."""
    names = []
    run = work.pool.run

    async def counted(key, job, *args, **how):
        names.append(job.__name__)
        return await run(key, job, *args, **how)

    monkeypatch.setattr(work.pool, "run", counted)
    yield names
    work.pool.close()


def ask(*requests) -> list[httpx.Response]:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return [await client.get(path, params=params, headers=headers) for path, params, headers in requests]
    return asyncio.run(go())


def test_a_new_spelling_is_one_job_and_its_answer_is_every_spellings(jobs):
    first, second, third = spellings(6)
    still, again, whole = ask(("/api/v1/network/scene", {**first, "still": "2"}, {}),
                              ("/api/v1/network/scene", {**first, "still": "2"}, {}),
                              ("/api/v1/network/scene", first, {}))
    assert still.status_code == 200 and jobs[:1] == ["network_normal_scene_job"]
    assert again.headers["etag"] == still.headers["etag"] and again.content == still.content
    assert jobs[1:] == ["network_scene_job"]   # the same spelling again: known, the stored answer; the whole scene: one job
    net = build_network({"input_size": 6, "layers": [{"op": "conv2d", "out_channels": 2, "padding": 1}, {"op": "max_pool2d", "kernel_size": 2}]})
    answer = still.json()
    assert answer["meta"].pop("numbers") == json.loads(net.summary_json())   # a still brings the page's numbers
    assert answer == json.loads(json.dumps(network_scene(net, {}, still=2)[0]))
    assert whole.json() == json.loads(json.dumps(network_scene(net, {})[0]))

    del jobs[:]
    others = ask(*[("/api/v1/network/scene", {**p, "still": "2"}, {}) for p in (second, third)])
    assert jobs == ["network_normal_scene_job"] * 2   # unseen spellings: one job each
    assert {r.headers["etag"] for r in others} == {still.headers["etag"]} and all(r.content == still.content for r in others)
    not_modified, = ask(("/api/v1/network/scene", {**third, "still": "2"}, {"if-none-match": still.headers["etag"]}))
    assert not_modified.status_code == 304
    other_frame, = ask(("/api/v1/network/scene", {**second, "still": "3"}, {}))
    assert other_frame.headers["etag"] != still.headers["etag"] and jobs[-1] == "network_scene_job"   # `second` is known now


def test_a_new_spelling_refused_in_its_one_job_names_the_layer_and_field(jobs):
    bad = {"input_size": "5", "layers": "conv2d;conv2d;conv2d:k5", "still": "0"}
    en, zh = ask(("/api/v1/network/scene", bad, {}), ("/api/v1/network/scene", {**bad, "lang": "zh"}, {}))
    assert en.status_code == zh.status_code == 422
    assert en.json()["detail"][0]["param"] == zh.json()["detail"][0]["param"] == "layers[2].kernel_size"
    assert "larger than" in en.json()["detail"][0]["msg"] and any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["detail"][0]["msg"])
    assert jobs == ["network_normal_scene_job"] * 2


def test_an_animation_of_a_new_spelling_is_normalised_first_so_spellings_share_the_drawing(jobs):
    first, second, _ = spellings(7)
    a, b = ask(("/api/v1/network/animation.svg", {**first, "frame": "1"}, {}), ("/api/v1/network/animation.svg", {**second, "frame": "1"}, {}))
    assert a.status_code == 200 and a.headers["etag"] == b.headers["etag"] and a.content == b.content
    assert jobs == ["network_normal_job", "network_animation_job", "network_normal_job"]   # the second spelling's drawing is the first's


def test_normalising_and_drawing_in_one_job_builds_the_network_once(monkeypatch):
    """The job's two halves share one network: the picture finds the one its normal form was made from."""
    from app.web import cache
    from app.web.work import _network_normal_and_scene as _normal_and_scene

    built = []
    monkeypatch.setattr(cache, "build_network", lambda raw: built.append(raw) or build_network(raw))
    body = {"input_size": 11, "layers": [{"op": "conv2d", "out_channels": 2, "padding": 1}, {"op": "max_pool2d", "kernel_size": 2}]}
    normal, scene = _normal_and_scene(body, {}, 1)
    assert len(built) == 1
    net = build_network(json.loads(normal))
    drawn = json.loads(gzip.decompress(scene))
    assert drawn["meta"].pop("numbers") == json.loads(net.summary_json())
    assert drawn == json.loads(json.dumps(network_scene(net, {}, still=1)[0]))

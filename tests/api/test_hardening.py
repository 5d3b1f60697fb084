"""Hostile input over a real server: every case here was a 500, a hang or an injection once."""

from __future__ import annotations

import json
import time

import httpx
import pytest


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def refused(r, param, status=422):
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"][0]
    assert detail["param"] == param, detail
    return detail


@pytest.mark.parametrize("text", ["²", "①", "1²", "٣", "5x②", "2,³"])
def test_digits_are_ascii_digits(client, text):
    refused(client.get("/api/v1/trace", params={"input_size": text}), "input_size")
    refused(client.get("/api/v1/animation.gif", params={"ms": text}), "ms")


def test_an_integer_beyond_float_range_in_an_array(client):
    huge = "1" + "0" * 400
    refused(client.get("/api/v1/trace", params={"input": f"[[{huge}, 1], [1, 1]]", "input_size": "2", "kernel_size": "1"}), "input")
    body = f'{{"input_size": 2, "kernel_size": 1, "weight": [[{huge}]]}}'.encode()
    refused(client.post("/api/v1/trace", content=body, headers={"content-type": "application/json"}), "weight")


def test_deeply_nested_json(client):
    deep = "[" * 988 + "]" * 988
    refused(client.get("/api/v1/trace", params={"input": deep}), "input")
    body = ('{"input": ' + deep + "}").encode()
    refused(client.post("/api/v1/trace", content=body, headers={"content-type": "application/json"}), "body")


def test_a_lone_surrogate_key_in_the_body(client):
    r = client.post("/api/v1/trace", content=b'{"\\ud800": 1}', headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"][0]["code"] == "unknown_field"


def test_a_big_body_is_refused_before_it_is_read(client):
    limit = client.get("/api/v1/limits").json()["max_body_bytes"]
    assert limit < 20 * 2**20
    started = time.perf_counter()
    r = client.post("/api/v1/trace", content=b"[" * (20 * 2**20), headers={"content-type": "application/json"})
    refused(r, "body", 413)
    assert time.perf_counter() - started < 2
    assert client.get("/healthz").status_code == 200


def test_a_big_chunked_body_is_refused_too(client):
    def chunks():
        for _ in range(40):
            yield b" " * 2**20
    refused(client.post("/api/v1/trace", content=chunks(), headers={"content-type": "application/json"}), "body", 413)


def test_oembed_escapes_everything_and_builds_from_the_canonical_spec(client, live_server):
    url = f'{live_server}/?input_size=5&padding=1&lang="><script>alert(1)</script>'
    r = client.get("/oembed", params={"url": url})
    assert r.status_code == 200, r.text
    html = r.json()["html"]
    assert "<script" not in html and '"><' not in html
    assert html.startswith("<iframe ") and html.count('"') % 2 == 0
    assert f'src="{live_server}/embed?input_size=5&amp;padding=1"' in html


def test_urls_come_from_the_public_url_not_the_host_header(client, live_server):
    evil = {"host": "evil.example"}
    r = client.get("/oembed", params={"url": f"{live_server}/?input_size=5"}, headers=evil)
    assert r.status_code == 200 and "evil" not in r.text
    assert r.json()["provider_url"] == live_server + "/"
    assert client.get("/oembed", params={"url": "http://evil.example/?input_size=5"}, headers=evil).status_code == 404
    page = client.get("/", headers=evil).text
    assert "evil.example" not in page
    r = client.get("/static", headers=evil)
    assert "evil" not in r.headers.get("location", "")


@pytest.mark.parametrize("path", ["/", "/gallery", "/embed?input_size=5", "/api/v1/trace", "/api/v1/trace?input_size=0", "/healthz"])
def test_safety_headers_everywhere(client, path):
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in r.headers["permissions-policy"]
    if r.headers["content-type"].startswith("text/html"):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert ("frame-ancestors" in csp) == (not path.startswith("/embed"))
    else:
        assert r.headers["access-control-allow-origin"] == "*"


def test_cors_on_errors_head_and_preflight(client):
    r = client.get("/api/v1/animation.gif", params={"kernel_size": "99"})
    assert r.status_code == 422 and r.headers["access-control-allow-origin"] == "*"
    r = client.post("/api/v1/trace", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/api/v1/trace", headers={"origin": "https://course.example", "access-control-request-method": "POST",
                                                   "access-control-request-headers": "content-type"})
    assert pre.status_code == 204
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "content-type" in pre.headers["access-control-allow-headers"].lower()
    assert pre.headers["access-control-allow-origin"] == "*"
    get = client.get("/api/v1/animation.gif", params={"input_size": "4"})
    head = client.head("/api/v1/animation.gif", params={"input_size": "4"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"] and head.headers["content-length"] == str(len(get.content))
    assert client.head("/healthz").status_code == 200
    assert client.head("/").status_code == 200


def test_cached_json_is_stored_compressed_and_served_either_way(client):
    q = {"input_size": "12", "numbers": "true"}
    gz = client.get("/api/v1/scene", params=q, headers={"accept-encoding": "gzip"})
    plain = client.get("/api/v1/scene", params=q, headers={"accept-encoding": "identity"})
    assert gz.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert int(gz.headers["content-length"]) < len(plain.content) / 3
    assert gz.content == plain.content and json.loads(plain.content)["frames"]
    assert gz.headers["etag"] == plain.headers["etag"]
    assert "accept-encoding" in gz.headers["vary"].lower() and "accept-encoding" in plain.headers["vary"].lower()


def test_an_mp4_over_the_render_budget_is_refused_with_a_way_out(client):
    caps = client.get("/api/v1/limits").json()["render"]
    r = client.get("/api/v1/animation.mp4", params={"input_size": "12", "padding": "1"})   # 144 frames of 0.74 MP
    detail = refused(r, "format")
    assert detail["code"] == "too_costly" and "GIF" in detail["msg"] and f"{caps['max_render_seconds']:g} s" in detail["msg"]


def test_render_options_are_keyed_by_every_field():
    import dataclasses

    from app.render.options import RenderOptions

    options = RenderOptions()
    # English labels and no shading are not spelled out, so the pictures without them keep their keys
    assert set(options.canonical()) == {f.name for f in dataclasses.fields(RenderOptions)} - {"lang", "shading"}
    assert all(options.canonical() != dataclasses.replace(options, **{name: value}).canonical()
               for name, value in [("labels", False), ("ms", 500), ("frame", 2), ("scale", 2.0), ("lang", "zh"), ("shading", True)])


def test_the_drawing_version_follows_the_drawing_code(tmp_path):
    from app.web.cache import drawing_version

    (tmp_path / "render").mkdir()
    source = tmp_path / "render" / "raster.py"
    source.write_text("WIDTH = 1\n")
    before = drawing_version([tmp_path])
    assert drawing_version([tmp_path]) == before
    source.write_text("WIDTH = 2\n")
    assert drawing_version([tmp_path]) != before
    assert drawing_version([tmp_path], "pillow 12") != drawing_version([tmp_path], "pillow 11")


def test_an_unexpected_exception_is_a_json_500_with_an_id_and_one_log_line(caplog):
    import asyncio

    from app.web.edge import Edge

    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/api/v1/x", "headers": [], "query_string": b""}
    with caplog.at_level("ERROR", logger="convplay"):
        asyncio.run(Edge(broken)(scope, receive, send))
    assert sent[0]["status"] == 500
    body = json.loads(sent[1]["body"])
    assert body["id"] in body["detail"][0]["msg"]
    assert dict(sent[0]["headers"])[b"access-control-allow-origin"] == b"*"
    assert len(caplog.records) == 1 and body["id"] in caplog.text and "boom" in caplog.text and "Traceback" not in caplog.text


def test_a_full_queue_answers_503_and_a_runaway_render_is_stopped(tmp_path):
    """One render process, no queue, a 2 s limit: a second render is refused, the first is killed; /healthz stays quick."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import running_server

    def rendered(c, params):
        """200 once the render process answers (on a loaded machine a small render may pass 2 s: retry)."""
        for _ in range(20):
            r = c.get("/api/v1/animation.gif", params=params)
            if r.status_code != 503:
                return r
            assert "retry-after" in r.headers
            time.sleep(1)
        return r

    env = {"CONVPLAY_RENDER_PROCESSES": "1", "CONVPLAY_RENDER_QUEUE": "0", "CONVPLAY_RENDER_TIMEOUT": "2"}
    with running_server(tmp_path / "uvicorn.log", **env) as base, httpx.Client(base_url=base, timeout=60) as c:
        assert rendered(c, {"input_size": "3"}).status_code == 200
        # animated WebPs of 51 MP: about 5 s each unloaded
        heavy = [{"input_size": "40", "granularity": "row", "scale": "0.5", "palette": p} for p in ("solarized", "colorblind")]
        with ThreadPoolExecutor(2) as ex:
            first = ex.submit(c.get, "/api/v1/animation.webp", params=heavy[0])
            time.sleep(0.5)
            second = ex.submit(c.get, "/api/v1/animation.webp", params=heavy[1])
            probes = []
            for _ in range(4):
                t = time.perf_counter()
                assert c.get("/healthz").status_code == 200
                probes.append(time.perf_counter() - t)
                time.sleep(0.1)
            first, second = first.result(), second.result()
        assert max(probes) < 0.5, probes
        assert second.status_code == 503 and second.json()["detail"][0]["code"] == "busy" and int(second.headers["retry-after"]) > 0
        assert first.status_code == 503 and first.json()["detail"][0]["code"] == "render_timeout" and "retry-after" in first.headers
        assert rendered(c, {"input_size": "4"}).status_code == 200   # a new process took over


def test_a_refusal_made_in_a_worker_arrives_whole(client):
    """The worker sends refusals back as data; one whose wording names a field by `param` was a 500 once."""
    r = client.post("/api/v1/network", json={"layers": [{"op": "conv2d", "gate_weight": []}]})
    detail = refused(r, "layers[0].gate_weight")
    assert "gated_conv2d" in detail["msg"]


@pytest.mark.parametrize("method, path, params, other", [
    ("GET", "/api/v1/matrix", {"input_size": "4"}, {"input_size": "5"}),
    ("POST", "/api/v1/backward", {"input_size": 4}, {"input_size": 5}),
    ("GET", "/api/v1/network", {"layers": "conv2d;max_pool2d:k2"}, {"layers": "conv2d;max_pool2d:k3"}),
    ("POST", "/api/v1/network/field", {"layers": [{"op": "conv2d"}]}, {"layers": [{"op": "conv2d"}], "cell": [0, 0, 0]}),
    ("GET", "/api/v1/image", {"sample": "camera", "kernel": "sobel_x"}, {"sample": "camera", "kernel": "sobel_y"}),
])
def test_every_expensive_answer_waits_in_the_render_queue(tmp_path, method, path, params, other):
    """With one render process busy and no queue, matrix, backward, network, field and image answers are 503 too:
    they run in the pool (time limit, admission bound), not in the server's threads."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import running_server

    env = {"CONVPLAY_RENDER_PROCESSES": "1", "CONVPLAY_RENDER_QUEUE": "0", "CONVPLAY_RENDER_TIMEOUT": "4"}
    with running_server(tmp_path / "uvicorn.log", **env) as base, httpx.Client(base_url=base, timeout=60) as c:
        def ask(what):
            return c.get(path, params=what) if method == "GET" else c.post(path, json=what)

        for _ in range(20):   # the first answer, once the render process is up
            alone = ask(params)
            if alone.status_code != 503:
                break
            time.sleep(1)
        assert alone.status_code == 200, alone.text[:300]
        heavy = {"input_size": "40", "granularity": "row", "scale": "0.5", "palette": "solarized"}
        with ThreadPoolExecutor(1) as ex:
            busy = ex.submit(c.get, "/api/v1/animation.webp", params=heavy)
            time.sleep(1)
            r = ask(other)   # not asked before, so not in any cache
            busy.result()
        assert r.status_code == 503, r.text[:300]
        assert r.json()["detail"][0]["code"] == "busy" and int(r.headers["retry-after"]) > 0


def test_a_remembered_url_serves_the_same_answer_and_a_post_never_answers_a_get(client):
    q = "/api/v1/animation.gif?input_size=3&kernel_size=2&labels=false"
    first, again = client.get(q), client.get(q)
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    assert again.headers["server-timing"].startswith("cache;")
    assert client.get(q, headers={"if-none-match": first.headers["etag"]}).status_code == 304
    assert client.post("/api/v1/trace", json={"input_size": 2, "kernel_size": 1}).json()["output_size"] == [2, 2]
    assert client.get("/api/v1/trace").json()["output_size"] == [3, 3]   # the default spec, not the POST's


def test_a_request_asked_ahead_is_made_only_while_no_render_runs(tmp_path):
    """`Purpose: prefetch` (or a browser's `Sec-Purpose: prefetch`) is a guess at the next request, as the /network
    page makes for a spinner's next step: idle, it is made and stored (the real request then comes from the store);
    while a render runs it is refused at once, 503 in the request's language, where the same request without the
    header waits its turn. Guesses never make anyone wait."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import running_server

    def network(bias: int) -> dict:
        return {"input_size": "8", "still": "0", "layers": json.dumps([{"op": "conv2d", "kernel_size": 3, "bias": [bias]}])}

    env = {"CONVPLAY_RENDER_PROCESSES": "1", "CONVPLAY_RENDER_TIMEOUT": "20"}
    with running_server(tmp_path / "uvicorn.log", **env) as base, httpx.Client(base_url=base, timeout=60) as c:
        for _ in range(20):   # once the render process is up
            if c.get("/api/v1/network/scene", params=network(0)).status_code == 200:
                break
            time.sleep(1)
        idle = c.get("/api/v1/network/scene", params=network(1), headers={"Purpose": "prefetch"})
        assert idle.status_code == 200 and idle.headers["server-timing"].startswith("render;")
        later = c.get("/api/v1/network/scene", params=network(1))
        assert later.headers["server-timing"].startswith("cache;") and later.content == idle.content

        heavy = {"input_size": "40", "granularity": "row", "scale": "0.5", "palette": "solarized"}
        with ThreadPoolExecutor(2) as ex:
            busy = ex.submit(c.get, "/api/v1/animation.webp", params=heavy)
            time.sleep(1)
            guesses = [c.get("/api/v1/network/scene", params=network(2), headers={header: value, "Accept-Language": "zh"})
                       for header, value in (("Purpose", "prefetch"), ("Sec-Purpose", "prefetch;prerender"))]
            waits = ex.submit(c.get, "/api/v1/network/scene", params=network(3))
            assert busy.result().status_code == 200 and waits.result().status_code == 200
        for guess in guesses:
            detail = refused(guess, "Purpose", 503)
            assert detail["code"] == "busy_ahead" and "预取" in detail["msg"] and int(guess.headers["retry-after"]) > 0
